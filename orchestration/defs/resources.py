"""Resources shared by the areas, configured from `orchestration.settings` (environment variables).

The values are resolved by the settings, not given to Dagster as `dg.EnvVar`. Every one of them has a default (the
repository's `data/` folder) and a relative path means the repository root (docs/design.md, "Configuration"); an
`EnvVar` has no default (with dagster 1.13, an unset one fails the run even where the resource field declares a
default) and is passed on as written, so it could carry none of them without a second copy of the defaults.

Every DuckDB connection of an asset or check goes through `WarehouseResource.connect` or
`AnalyticsFileResource.connect` (both `orchestration.warehouse_lock.connect_warehouse`: the lock wait and the memory
limit).
"""

from __future__ import annotations

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

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """Used as `with warehouse.connect() as connection:`, which closes it."""
        if not read_only:
            Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        return connect_warehouse(self.database, read_only=read_only)


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
    """Where the published analytics file lives (TKPKD_ANALYTICS). The pipeline replaces it whole
    (orchestration/publishing.py) and otherwise only reads it."""

    path: str

    def connect(self) -> duckdb.DuckDBPyConnection:
        """Read-only, used as `with analytics.connect() as connection:`."""
        return connect_warehouse(self.path, read_only=True)


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
