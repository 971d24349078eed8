"""Publishing the analytics file: the star schema and reports, without direct identifiers, swapped in atomically.

BI tools open `analytics.duckdb` read-only while the pipeline runs. The pipeline never writes that file in place:
it builds a new file beside it (`.tkpkd-tmp-<pid>-<random>-analytics.duckdb.building`, removed by a later run if
this one crashes) and renames it over the old one, so a reader sees the old or the new version, never half of one,
and a reader holding the old file open never blocks the pipeline. The file is written in a storage version DuckDB
1.x clients can read, since many BI drivers embed DuckDB 1.x.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.exports.common import sweep_debris, temporary_name
from orchestration.revisions import record_revisions

PUBLISHED_TABLE_PATTERN = re.compile(r"^(dim|fct|rpt)_[a-z0-9_]+$")
# DuckDB 1.4 and 1.5 clients open this storage version; 2.0 writes a newer one by default.
ANALYTICS_STORAGE_VERSION = "v1.4.0"
# Column names that would carry a direct identifier of a person or family (NIK, KK number, a person's name,
# address, birth date, phone). The marts never should; this is the last line of defence before publishing.
# Place and programme names (`kelurahan_name`, `program_name`) and shares (`valid_nik_share`) are not identifiers.
IDENTIFIER_COLUMN_PATTERN = re.compile(
    r"^(.+_)?(nik|no_kk|kk_number|alamat|address|birth_date|date_of_birth|tanggal_lahir|phone|phone_number)$"
    r"|^(name|nama|full_name|nama_lengkap)$"
    r"|^(person|head|head_of_family|recipient|member|owner|debtor|customer|participant)_name$"
)


class PublicationRefused(RuntimeError):
    """The marts hold something that must not leave the restricted file."""


@dataclass(frozen=True)
class PublishedTable:
    name: str
    rows: int


def _published_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    names = connection.execute(
        "select table_name from duckdb_tables() where database_name = 'warehouse' and schema_name = 'main' "
        "order by table_name"
    ).fetchall()
    return [name for (name,) in names if PUBLISHED_TABLE_PATTERN.match(name)]


def _refuse_identifier_columns(connection: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    offending = [
        f"{table}.{column}"
        for table in tables
        for (column,) in connection.execute(
            "select column_name from duckdb_columns() where database_name = 'warehouse' "
            "and schema_name = 'main' and table_name = ?",
            [table],
        ).fetchall()
        if IDENTIFIER_COLUMN_PATTERN.match(column)
    ]
    if offending:
        raise PublicationRefused(f"columns that look like direct identifiers: {', '.join(offending)}")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_analytics(warehouse: Path, analytics: Path) -> list[PublishedTable]:
    """Copy the published tables of `warehouse` into a new file and move it over `analytics`."""
    analytics.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target (an atomic replace needs one folder), named so a later run sweeps it after a crash.
    sweep_debris(analytics.parent)
    staging_file = analytics.with_name(temporary_name(analytics.name) + ".building")
    try:
        published = _build(warehouse, staging_file)
        record_revisions(warehouse, staging_file, analytics)
        os.replace(staging_file, analytics)
    finally:
        # On success the file has been moved; on any failure nothing half-built stays beside the target.
        staging_file.unlink(missing_ok=True)
        staging_file.with_name(staging_file.name + ".wal").unlink(missing_ok=True)
    return published


def _build(warehouse: Path, staging_file: Path) -> list[PublishedTable]:
    published: list[PublishedTable] = []
    with duckdb.connect() as connection:
        connection.execute(f"attach {_quote(str(warehouse))} as warehouse (read_only)")
        tables = _published_tables(connection)
        _refuse_identifier_columns(connection, tables)
        connection.execute(
            f"attach {_quote(str(staging_file))} as analytics (storage_version '{ANALYTICS_STORAGE_VERSION}')"
        )
        try:
            for table in tables:
                connection.execute(f'create table analytics.main."{table}" as select * from warehouse.main."{table}"')
                comments = connection.execute(
                    "select comment from duckdb_tables() where database_name = 'warehouse' "
                    "and schema_name = 'main' and table_name = ?",
                    [table],
                ).fetchone()
                if comments and comments[0]:
                    connection.execute(f'comment on table analytics.main."{table}" is {_quote(comments[0])}')
                for column, comment in connection.execute(
                    "select column_name, comment from duckdb_columns() where database_name = 'warehouse' "
                    "and schema_name = 'main' and table_name = ? and comment is not null",
                    [table],
                ).fetchall():
                    connection.execute(
                        f'comment on column analytics.main."{table}"."{column}" is {_quote(comment)}'
                    )
                rows = connection.execute(f'select count(*) from analytics.main."{table}"').fetchone()[0]
                published.append(PublishedTable(table, rows))
        finally:
            connection.execute("detach analytics")
            connection.execute("detach warehouse")
    return published
