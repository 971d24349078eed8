"""Parquet extracts of every report, for Power BI and Excel (Power Query) users who cannot open a DuckDB file.

Read from the published analytics file, so an extract holds exactly what the analytics file holds: pseudonymous
keys, no direct identifiers. One file per `rpt_` table, `<folder>/<table>.parquet`, replaced atomically; the file
of a report that no longer exists is removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.exports.common import atomic_file, remove_stale, sweep_debris


@dataclass(frozen=True)
class ParquetFile:
    table: str
    path: Path
    rows: int


def report_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    names = connection.execute(
        "select table_name from duckdb_tables() where schema_name = 'main' and table_name like 'rpt\\_%' escape '\\' "
        "order by table_name"
    ).fetchall()
    return [name for (name,) in names]


def export_report_parquet(connection: duckdb.DuckDBPyConnection, folder: Path) -> list[ParquetFile]:
    sweep_debris(folder)
    written = []
    for table in report_tables(connection):
        target = folder / f"{table}.parquet"
        with atomic_file(target) as staging:
            path = str(staging).replace("'", "''")
            connection.execute(
                f"copy (select * from main.\"{table}\") to '{path}' (format parquet, compression zstd)"
            )
        rows = connection.execute(f'select count(*) from main."{table}"').fetchone()[0]
        written.append(ParquetFile(table, target, rows))
    remove_stale(folder, "*.parquet", [file.path for file in written])
    return written
