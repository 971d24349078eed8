"""A small hand-made raw warehouse for the dbt tests, laid out exactly as docs/design.md fixes it.

The raw table columns come from the dbt sources file (dbt_project/models/staging/_raw__sources.yml), so the tests
fail when the staging models and the documented raw layout drift apart. Everything is VARCHAR except the lineage
columns `_row_number` (INTEGER) and `_loaded_at` (TIMESTAMP), as the loader writes them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SOURCES_YML = DBT_PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"

LINEAGE_TYPES = {
    "_file_hash": "VARCHAR",
    "_source_file": "VARCHAR",
    "_period": "VARCHAR",
    "_row_number": "INTEGER",
    "_loaded_at": "TIMESTAMP",
    "_non_data_reason": "VARCHAR",
    "_extra": "VARCHAR",
}

INGESTED_FILES_DDL = """
create table raw.ingested_files (
    file_hash varchar, source varchar, period varchar, source_file varchar, size_bytes bigint,
    modified_at timestamp, loaded_at timestamp, status varchar, reason_code varchar, reason_message varchar,
    rows_received integer, format varchar, encoding varchar, delimiter varchar, sheet varchar, header_row integer
)
"""


def run_dbt(args: list[str], target_path: Path, project_dir: Path = DBT_PROJECT_DIR):
    """One dbt command in process, on the repository's project (or a copy of it)."""
    from dbt.cli.main import dbtRunner

    return dbtRunner().invoke(
        [
            *args,
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target-path",
            str(target_path),
            "--log-path",
            str(target_path / "logs"),
            "--no-use-colors",
        ]
    )


def release_dbt_connections() -> None:
    """dbt-duckdb keeps its DuckDB instance open in the process after an in-process invocation; close it so this
    process can open the file read-only (DuckDB refuses a second instance of one file with another configuration)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def source_tables(sources_yml: Path = SOURCES_YML) -> dict[str, dict]:
    """Raw table name -> its documented columns (`name`, `required`, `may_be_absent`), lineage excluded."""
    document = yaml.safe_load(sources_yml.read_text())
    tables: dict[str, dict] = {}
    for table in document["sources"][0]["tables"]:
        if table["name"] == "ingested_files":
            continue
        columns = []
        for column in table["columns"]:
            if column["name"] in LINEAGE_TYPES:
                continue
            meta = (column.get("config") or {}).get("meta") or {}
            columns.append(
                {
                    "name": column["name"],
                    "required": bool(meta.get("required")),
                    "may_be_absent": bool(meta.get("may_be_absent")),
                }
            )
        tables[table["name"]] = {"columns": columns, "kind": table["config"]["meta"]["kind"]}
    return tables


@dataclass
class RawWarehouse:
    """Creates `raw.<source>` for every source and `raw.ingested_files`, then takes files of rows.

    `without_optional` lists sources whose optional extra columns (`rt_rw`) are left out of the table, to exercise
    staging on both layouts the design allows.
    """

    path: Path
    without_optional: tuple[str, ...] = ("dukcapil",)
    clock: datetime = field(default_factory=lambda: datetime(2025, 12, 1, 8, 0, 0))
    tables: dict[str, dict] = field(default_factory=source_tables)

    def __post_init__(self) -> None:
        self.columns: dict[str, list[str]] = {}
        with duckdb.connect(str(self.path)) as connection:
            connection.execute("create schema if not exists raw")
            connection.execute(INGESTED_FILES_DDL)
            for source, spec in self.tables.items():
                names = [
                    c["name"]
                    for c in spec["columns"]
                    if not (c["may_be_absent"] and source in self.without_optional)
                ]
                self.columns[source] = names
                ddl = ", ".join(
                    [f'"{name}" {kind}' for name, kind in LINEAGE_TYPES.items()]
                    + [f'"{name}" VARCHAR' for name in names]
                )
                connection.execute(f"create table raw.{source} ({ddl})")

    def add_file(
        self,
        source: str,
        period: str,
        name: str,
        rows: list[dict],
        *,
        modified_at: datetime | None = None,
        first_row_number: int = 2,
    ) -> str:
        """Add one loaded file. Each row is a dict of canonical column -> text; `_non_data_reason` and `_row_number`
        may be given. Returns the file's hash."""
        source_file = f"{source}/{period}/{name}"
        content = json.dumps([source_file, rows], sort_keys=True, default=str).encode()
        file_hash = hashlib.sha256(content).hexdigest()
        self.clock += timedelta(minutes=1)
        modified_at = modified_at or self.clock
        with duckdb.connect(str(self.path)) as connection:
            for index, row in enumerate(rows):
                unknown = set(row) - set(self.columns[source]) - {"_non_data_reason", "_row_number"}
                assert not unknown, f"{source} has no columns {sorted(unknown)}"
                values = {
                    "_file_hash": file_hash,
                    "_source_file": source_file,
                    "_period": period,
                    "_row_number": row.get("_row_number", first_row_number + index),
                    "_loaded_at": self.clock,
                    "_non_data_reason": row.get("_non_data_reason"),
                    "_extra": None,
                }
                values.update({column: row.get(column) for column in self.columns[source]})
                placeholders = ", ".join("?" for _ in values)
                names = ", ".join(f'"{column}"' for column in values)
                connection.execute(
                    f"insert into raw.{source} ({names}) values ({placeholders})",
                    list(values.values()),
                )
            connection.execute(
                "insert into raw.ingested_files values (?, ?, ?, ?, ?, ?, ?, 'loaded', null, null, ?, ?, ?, ?, ?, ?)",
                [
                    file_hash,
                    source,
                    period,
                    source_file,
                    len(content),
                    modified_at,
                    self.clock,
                    len(rows),
                    "csv",
                    "utf-8",
                    ",",
                    None,
                    1,
                ],
            )
        return file_hash

    def add_rejected_file(
        self, source: str, period: str, name: str, reason_code: str, message: str
    ) -> None:
        source_file = f"{source}/{period}/{name}"
        file_hash = hashlib.sha256(source_file.encode()).hexdigest()
        self.clock += timedelta(minutes=1)
        with duckdb.connect(str(self.path)) as connection:
            connection.execute(
                "insert into raw.ingested_files values (?, ?, ?, ?, 10, ?, ?, 'rejected', ?, ?, 0, 'csv', null, null, null, null)",
                [
                    file_hash,
                    source,
                    period,
                    source_file,
                    self.clock,
                    self.clock,
                    reason_code,
                    message,
                ],
            )
