"""Resources shared by the areas, configured from `orchestration.settings` (environment variables).

The values are resolved by the settings, not given to Dagster as `dg.EnvVar`: an `EnvVar` has no default and is read
as it is, while the settings supply the defaults (the repository's `data/` folder) and resolve relative paths against
the repository root (docs/design.md, "Configuration").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.settings import load_settings
from orchestration.warehouse_lock import connect_warehouse

# Every asset that writes the warehouse file runs in this pool. DuckDB allows one writing process per file, so
# deployments set the pool's limit to 1 (see dagster.yaml); the default job also runs in a single process.
WAREHOUSE_WRITER_POOL = "tkpkd_warehouse_writer"


class WarehouseResource(dg.ConfigurableResource):
    """The restricted warehouse file. The pipeline is its only writer; `connect` waits while another process holds
    the file (TKPKD_WAREHOUSE_LOCK_TIMEOUT), then names the holder."""

    database: str

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        connection = connect_warehouse(self.database)
        try:
            yield connection
        finally:
            connection.close()


class InboxResource(dg.ConfigurableResource):
    """Where agency files land: `<inbox>/<source>/<YYYY-MM>/<file>`, a local folder or an fsspec URL."""

    path: str  # the local folder: the inbox itself, or the mirror of a remote one
    location: str | None = None  # an fsspec URL when the inbox is remote

    def local_path(self) -> Path:
        """The folder the loader reads; a remote inbox's new and changed files are mirrored into it first."""
        from orchestration.inbox import is_url, mirror

        if self.location and is_url(self.location):
            mirror(self.location, Path(self.path))
        return Path(self.path)


class ExportsResource(dg.ConfigurableResource):
    """The exports folder (TKPKD_EXPORTS): `feedback/`, `kelurahan/`, `parquet/`, `open_data/`, `dashboard/`."""

    path: str

    def folder(self, name: str) -> Path:
        return Path(self.path) / name


class AnalyticsFileResource(dg.ConfigurableResource):
    """Where the published analytics file lives (TKPKD_ANALYTICS)."""

    path: str


@dg.definitions
def defs() -> dg.Definitions:
    # A function, so that the settings (and a production refusal) are read when the code location loads, not when
    # an area imports a resource class.
    settings = load_settings()
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(database=str(settings.warehouse)),
            "inbox": InboxResource(location=settings.inbox_location, path=str(settings.inbox)),
            "analytics": AnalyticsFileResource(path=str(settings.analytics)),
            "exports": ExportsResource(path=str(settings.exports)),
        }
    )
