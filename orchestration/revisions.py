"""Revisions: which published figures of earlier periods a new publication changed, and which files caused it.

A late or corrected delivery rebuilds earlier periods, so a report's figure for a month already published can
change. At publish time, before the new analytics file replaces the old one, every published table with a
`period` column is compared with the previous analytics file, for the periods the previous file already held:

- a row whose key (the table's unique key, from `PUBLISHED_TABLES` in orchestration/quality/suites.py) is in both and whose value differs gives
  one `changed` row per column; a key only in the new build gives `added`, a key only in the old one `removed`;
- `caused_by` lists the files loaded into the warehouse since the previous publication (raw.ingested_files.loaded_at
  after the previous publication time) whose source feeds the report (the report's raw sources from the dbt
  manifest's parent chain; without a manifest, every file loaded since then, said so in the text).

The history is kept in the analytics file itself: `rpt_revisions` and `rpt_publications` (one row per publication)
of the previous file are carried into the new one and appended to, so nothing beside the warehouse must be backed
up. Keys are the published pseudonymous keys; values are compared and stored as text. The comparison runs as DuckDB
joins per table and column, never a Python loop over rows.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.quality.suites import PUBLISHED_TABLES
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.warehouse_lock import IN_MEMORY, connect_warehouse

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
# The period a row belongs to: `period`, or for rpt_impact (baseline and evaluation) the period evaluated.
PERIOD_COLUMNS = ("period", "evaluation_period")
# Written at publication into the analytics file only (the warehouse has no previous file to compare with).
HISTORY_TABLES = ("rpt_revisions", "rpt_publications")

REVISIONS_DDL = """
create table if not exists analytics.main.rpt_revisions (
    published_at timestamp, period varchar, report varchar, "key" varchar, "column" varchar,
    old_value varchar, new_value varchar, change varchar, caused_by varchar
)
"""
REVISION_COMMENTS = {
    None: "One row per published figure of an already published period that a later publication changed.",
    "published_at": "When the publication that made the revision ran (UTC).",
    "period": "The reporting period (YYYY-MM) whose figure changed.",
    "report": "The published table the figure is in.",
    "key": "The row's unique key in that table, as JSON (pseudonymous keys only).",
    "column": "The column that changed; empty for a row added to or removed from the period.",
    "old_value": "The value previously published, as text (for a removed row: the whole row as JSON).",
    "new_value": "The value now published, as text (for an added row: the whole row as JSON).",
    "change": "changed, added (a row new in an old period) or removed (a row no longer published).",
    "caused_by": "The files loaded since the previous publication that feed the report (inbox paths).",
}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def unique_key(table: str) -> list[str] | None:
    """The table's unique key as PUBLISHED_TABLES declares it: a compound key if it has one, else its first key."""
    spec = PUBLISHED_TABLES.get(table)
    if spec is None or not spec.unique:
        return None
    return list(next((key for key in spec.unique if len(key) > 1), spec.unique[0]))


@functools.lru_cache(maxsize=2)
def _lineage(manifest_path: str, mtime_ns: int, size: int) -> tuple[dict, dict]:
    """The manifest's parent map and sources, read once per version of the file: a publication asks for every
    published table's sources, and each parse of the 3 MB manifest took about 25 ms."""
    manifest = json.loads(Path(manifest_path).read_text())
    return manifest["parent_map"], manifest["sources"]


def raw_sources_of(table: str, manifest_path: Path | None = None) -> set[str] | None:
    """The raw sources upstream of a published model in the dbt manifest; None without a manifest."""
    manifest_path = manifest_path or MANIFEST
    if not manifest_path.exists():
        return None
    stat = manifest_path.stat()
    parents, manifest_sources = _lineage(str(manifest_path), stat.st_mtime_ns, stat.st_size)
    start = [node for node in parents if node.startswith("model.") and node.rsplit(".", 1)[-1] == table]
    seen, sources, pending = set(), set(), list(start)
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        if node.startswith("source."):
            source = manifest_sources[node]
            if source["source_name"] == "raw" and source["name"] != "ingested_files":
                sources.add(source["name"])
        pending.extend(parents.get(node, []))
    return sources


def _columns(connection: duckdb.DuckDBPyConnection, database: str, table: str) -> list[str]:
    return [
        name for (name,) in connection.execute(
            "select column_name from duckdb_columns() where database_name = ? and schema_name = 'main' "
            "and table_name = ? order by column_index",
            [database, table],
        ).fetchall()
    ]


def _caused_by(connection: duckdb.DuckDBPyConnection, table: str, since: datetime | None) -> str:
    sources = raw_sources_of(table)
    has_ingested_files = connection.execute(
        "select count(*) from duckdb_tables() where database_name = 'warehouse' and schema_name = 'raw' "
        "and table_name = 'ingested_files'"
    ).fetchone()[0]
    if not has_ingested_files:
        return "unknown: the warehouse records no ingested files"
    files = connection.execute(
        "select source_file from warehouse.raw.ingested_files "
        "where (cast(? as timestamp) is null or loaded_at > cast(? as timestamp)) "
        "and (cast(? as varchar[]) is null or list_contains(cast(? as varchar[]), source)) "
        "order by source_file",
        [since, since, sorted(sources) if sources is not None else None, sorted(sources) if sources is not None else None],
    ).fetchall()
    listed = "; ".join(name for (name,) in files) or "no file loaded since the previous publication"
    return listed if sources is not None else f"{listed} (no dbt manifest: every file loaded since then)"


def _table_revisions_sql(
    table: str, period_column: str, key: list[str], columns: list[str], published_at: str, caused_by: str
) -> str:
    """One query: changed values per column, rows added to and removed from the previous file's periods."""
    on = " and ".join(f'old."{k}" is not distinct from new."{k}"' for k in key)
    key_json = "to_json(struct_pack(" + ", ".join(f'"{k}" := {{side}}."{k}"' for k in key) + "))::varchar"
    old_rows = f'(select * from previous.main."{table}")'
    new_rows = (
        f'(select * from analytics.main."{table}" where "{period_column}" in '
        f'(select "{period_column}" from previous.main."{table}"))'
    )
    common = f"{_quote(published_at)}::timestamp, {{side}}.\"{period_column}\"::varchar, {_quote(table)}"
    parts = []
    values = [column for column in columns if column not in key]
    quoted_values = [f'"{column}"' for column in values]
    if values:
        # One join per table: each matched pair unnests into (column, old, new) and keeps the differing ones.
        pairs = ", ".join(
            f"{{'column_name': {_quote(column)}, 'old_value': old.\"{column}\"::varchar, "
            f"'new_value': new.\"{column}\"::varchar}}"
            for column in values
        )
        parts.append(
            f"select {_quote(published_at)}::timestamp, period, {_quote(table)}, key, difference.column_name, "
            f"difference.old_value, difference.new_value, 'changed', {_quote(caused_by)} from ("
            f"select new.\"{period_column}\"::varchar as period, {key_json.format(side='new')} as key, "
            f"unnest([{pairs}]) as difference from {old_rows} old join {new_rows} new on {on} "
            # Most pairs are equal rows: compare each column as text only where the row's hash differs.
            f"where hash({', '.join(f'old.{quoted}' for quoted in quoted_values)}) "
            f"is distinct from hash({', '.join(f'new.{quoted}' for quoted in quoted_values)})"
            f") where difference.old_value is distinct from difference.new_value"
        )
    parts.append(
        f"select {common.format(side='new')}, {key_json.format(side='new')}, null, null, to_json(new)::varchar, "
        f"'added', {_quote(caused_by)} from {new_rows} new anti join {old_rows} old on {on}"
    )
    parts.append(
        f"select {common.format(side='old')}, {key_json.format(side='old')}, null, to_json(old)::varchar, null, "
        f"'removed', {_quote(caused_by)} from {old_rows} old anti join {new_rows} new on {on}"
    )
    return "\nunion all\n".join(parts)


def record_revisions(warehouse: Path, new_analytics: Path, previous_analytics: Path) -> int:
    """Write `rpt_revisions` and `rpt_publications` into the newly built file; return the number of new revisions."""
    published_at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    with connect_warehouse(IN_MEMORY) as connection:
        connection.execute(f"attach {_quote(str(warehouse))} as warehouse (read_only)")
        connection.execute(f"attach {_quote(str(new_analytics))} as analytics")
        connection.execute(REVISIONS_DDL)
        connection.execute("create table if not exists analytics.main.rpt_publications (published_at timestamp)")
        revisions = 0
        if previous_analytics.exists():
            connection.execute(f"attach {_quote(str(previous_analytics))} as previous (read_only)")
            previous_tables = {
                name for (name,) in connection.execute(
                    "select table_name from duckdb_tables() where database_name = 'previous' and schema_name = 'main'"
                ).fetchall()
            }
            for history in HISTORY_TABLES:
                if history in previous_tables:
                    connection.execute(f"insert into analytics.main.{history} by name select * from previous.main.{history}")
            [(since,)] = connection.execute("select max(published_at) from analytics.main.rpt_publications").fetchall()
            before = connection.execute("select count(*) from analytics.main.rpt_revisions").fetchone()[0]
            for table in sorted(previous_tables):
                if table in HISTORY_TABLES:
                    continue
                new_columns = _columns(connection, "analytics", table)
                old_columns = set(_columns(connection, "previous", table))
                key = unique_key(table)
                period_column = next(
                    (column for column in PERIOD_COLUMNS if column in new_columns and column in old_columns), None
                )
                if period_column is None or not key:
                    continue
                if not set(key) <= old_columns or not set(key) <= set(new_columns):
                    continue
                common_columns = [column for column in new_columns if column in old_columns]
                sql = _table_revisions_sql(
                    table, period_column, key, common_columns, published_at, _caused_by(connection, table, since)
                )
                connection.execute(f"insert into analytics.main.rpt_revisions {sql}")
            revisions = connection.execute("select count(*) from analytics.main.rpt_revisions").fetchone()[0] - before
            connection.execute("detach previous")
        connection.execute("insert into analytics.main.rpt_publications values (?::timestamp)", [published_at])
        for column, comment in REVISION_COMMENTS.items():
            target = "table analytics.main.rpt_revisions" if column is None else f'column analytics.main.rpt_revisions."{column}"'
            connection.execute(f"comment on {target} is {_quote(comment)}")
        connection.execute("comment on table analytics.main.rpt_publications is 'One row per publication of this file (UTC).'")
        connection.execute(
            "comment on column analytics.main.rpt_publications.published_at is "
            "'When the publication ran (UTC); revisions name files loaded after the latest one.'"
        )
        connection.execute("detach analytics")
        connection.execute("detach warehouse")
    return revisions
