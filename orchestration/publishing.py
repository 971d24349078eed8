"""Publishing the analytics file: the star schema and reports, without direct identifiers, swapped in atomically.

BI tools open `analytics.duckdb` read-only while the pipeline runs. The pipeline never writes that file in place:
it builds a new file beside it (`.tkpkd-tmp-<pid>-<random>-analytics.duckdb.building`, removed by a later run if
this one crashes) and renames it over the old one, so a reader sees the old or the new version, never half of one,
and a reader holding the old file open never blocks the pipeline. The file is written in a storage version DuckDB
1.x clients can read, since many BI drivers embed DuckDB 1.x.

Keys, so that BI tools can suggest joins. DuckDB takes constraints only in CREATE TABLE, so each table is created
with its keys and then filled. The keys come from the one declaration of the published tables' keys,
`orchestration.quality.suites.PUBLISHED_TABLES` (which also generates the published GX suites):

- a dimension's first unique key is its PRIMARY KEY, its other unique keys are UNIQUE;
- every unique key of a fact or report is UNIQUE (NULLs allowed, as in SQL);
- a reference `column -> dimension.key` is a FOREIGN KEY where `key` is a single-column key of the dimension
  (DuckDB, like SQL, can only reference a primary or unique key). `family_key -> dim_family.family_key` is not one:
  dim_family holds a row per version of a family (type 2), so family_key repeats there and is not declared; nor are
  region codes of reports with rows at several region levels (no dimension has a row per region code). NULL in a
  foreign-key column is allowed.

A published table without a declared key, or data that break a declared key, refuse the publication (the old file
stays): a duplicate or an orphan in a published table is a bug of the marts, never hidden by dropping the key.

Updated, not rebuilt. Inserting 3.6 million assistance rows through six indexes costs most of a build at city
scale, while a month changes a tenth of them: where the previous file has exactly the tables a new one would have,
the publication updates a copy of it instead (`_update_copy`; docs/design.md, "Updating the previous file").

Comments. A BI tool shows a table's or column's comment as its description, in one line of a limited field, so
the file's comments are the first sentence of the dbt description on one line (at most `BI_COMMENT_LIMIT`
characters; a longer first sentence is cut at a word and ends with an ellipsis, and the descriptions are written so
that this does not happen). The full descriptions are kept in the file's data dictionary, `rpt_data_dictionary`.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from orchestration.exports.common import sweep_debris, temporary_name
from orchestration.quality.suites import PUBLISHED_TABLES
from orchestration.quality.suites import PublishedTable as PublishedTableSpec
from orchestration.revisions import HISTORY_TABLES, record_revisions
from orchestration.warehouse_lock import IN_MEMORY, connect_warehouse

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
# What a BI tool's description field shows whole (Superset, Metabase and DBeaver show a line, not a page).
BI_COMMENT_LIMIT = 200
# A full stop after these ends an abbreviation, not a sentence; `..` is a range (`P-11 .. P`).
_NOT_A_SENTENCE_END = re.compile(r"(\b(e\.g|i\.e|etc|vs|cf)|\.)\.$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")

DATA_DICTIONARY = "rpt_data_dictionary"
DATA_DICTIONARY_DDL = f"""
create table {{database}}.main.{DATA_DICTIONARY} (
    table_name varchar not null, column_name varchar, description varchar not null,
    unique (table_name, column_name)
)
"""
DATA_DICTIONARY_COMMENTS = {
    None: "One row per table and column published from the warehouse, with its full description.",
    "table_name": "The published table.",
    "column_name": "The column described; NULL for the row that describes the table itself.",
    "description": "The full description, of which the table's or column's comment is the first sentence.",
}


class PublicationRefused(RuntimeError):
    """The marts hold something that must not leave the restricted file, or that breaks a declared key."""


@dataclass(frozen=True)
class PublishedTable:
    name: str
    rows: int


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    key: str


@dataclass(frozen=True)
class TableKeys:
    """The constraints a published table is created with."""

    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    foreign: tuple[ForeignKey, ...] = ()

    @property
    def columns(self) -> set[str]:
        return {*self.primary_key, *(c for key in self.unique for c in key), *(f.column for f in self.foreign)}

    def constraints_sql(self) -> list[str]:
        def columns(key: tuple[str, ...]) -> str:
            return ", ".join(f'"{column}"' for column in key)

        return [
            *([f"primary key ({columns(self.primary_key)})"] if self.primary_key else []),
            *(f"unique ({columns(key)})" for key in self.unique),
            *(f'foreign key ("{f.column}") references "{f.table}" ("{f.key}")' for f in self.foreign),
        ]


def declared_keys(declarations: Mapping[str, PublishedTableSpec] = PUBLISHED_TABLES) -> dict[str, TableKeys]:
    """Every declared table's constraints, from its unique keys and references (see the module docstring)."""
    single_column_keys = {
        table: {key[0] for key in spec.unique if len(key) == 1} for table, spec in declarations.items()
    }
    keys = {}
    for table, spec in declarations.items():
        unique = [tuple(key) for key in spec.unique]
        primary_key = unique.pop(0) if table.startswith("dim_") and unique else ()
        foreign = []
        for column, target in spec.references.items():
            target_table, target_column = target.split(".")
            if target_column in single_column_keys.get(target_table, ()):
                foreign.append(ForeignKey(column, target_table, target_column))
        keys[table] = TableKeys(primary_key, tuple(unique), tuple(foreign))
    return keys


def bi_comment(description: str) -> str:
    """The first sentence of a description, on one line, short enough for a BI tool's description field."""
    text = " ".join(description.split())
    sentence = text
    for end in _SENTENCE_END.finditer(text):
        if not _NOT_A_SENTENCE_END.search(text[: end.end()]):
            sentence = text[: end.end()]
            break
    if len(sentence) <= BI_COMMENT_LIMIT:
        return sentence
    return sentence[: BI_COMMENT_LIMIT - 1].rsplit(" ", 1)[0].rstrip(" ,;:(-") + "…"


def _published_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    names = connection.execute(
        "select table_name from duckdb_tables() where database_name = 'warehouse' and schema_name = 'main' "
        "order by table_name"
    ).fetchall()
    return [name for (name,) in names if PUBLISHED_TABLE_PATTERN.match(name)]


def _columns(connection: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, str | None]]:
    """(name, type, comment) of each column of a warehouse table, in table order."""
    return connection.execute(
        "select column_name, data_type, comment from duckdb_columns() where database_name = 'warehouse' "
        "and schema_name = 'main' and table_name = ? order by column_index",
        [table],
    ).fetchall()


def _refuse_identifier_columns(connection: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    offending = [
        f"{table}.{column}"
        for table in tables
        for column, _, _ in _columns(connection, table)
        if IDENTIFIER_COLUMN_PATTERN.match(column)
    ]
    if offending:
        raise PublicationRefused(f"columns that look like direct identifiers: {', '.join(offending)}")


def _keys_of(
    connection: duckdb.DuckDBPyConnection, tables: list[str], declarations: Mapping[str, PublishedTableSpec]
) -> dict[str, TableKeys]:
    """The keys of every table to publish; refused when one has none or names a column or table not published."""
    declared = declared_keys(declarations)
    problems = []
    for table in tables:
        keys = declared.get(table, TableKeys())
        if not keys.primary_key and not keys.unique:
            problems.append(f"{table} has no declared unique key (orchestration/quality/suites.py)")
        missing = keys.columns - {column for column, _, _ in _columns(connection, table)}
        if missing:
            problems.append(f"{table} has no column {', '.join(sorted(missing))} of its declared keys")
        problems += [
            f"{table}.{f.column} references {f.table}, which is not published"
            for f in keys.foreign
            if f.table not in tables
        ]
    if problems:
        raise PublicationRefused("; ".join(problems))
    return {table: declared[table] for table in tables}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Publication:
    """What a publication wrote: every table with its rows, and how the file was made (`built` afresh, or
    `updated` from the previous file) with why."""

    tables: list[PublishedTable]
    method: str
    detail: str


def publish_analytics(
    warehouse: Path, analytics: Path, declarations: Mapping[str, PublishedTableSpec] = PUBLISHED_TABLES
) -> Publication:
    """Copy the published tables of `warehouse`, with the keys of `declarations`, into a new file and move it
    over `analytics`: an update of a copy of the previous file where it can be, else a file built afresh."""
    analytics.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target (an atomic replace needs one folder), named so a later run sweeps it after a crash.
    sweep_debris(analytics.parent)
    staging_file = analytics.with_name(temporary_name(analytics.name) + ".building")
    try:
        publication = None
        if analytics.exists():
            publication = _update_copy(warehouse, analytics, staging_file, declarations)
        if publication is None or publication.method != "updated":
            reason = publication.detail if publication else "no previous file"
            _remove(staging_file)
            publication = Publication(_build(warehouse, staging_file, declarations), "built", reason)
        record_revisions(warehouse, staging_file, analytics)
        os.replace(staging_file, analytics)
    finally:
        # On success the file has been moved; on any failure nothing half-built stays beside the target.
        _remove(staging_file)
    return publication


def _remove(database_file: Path) -> None:
    database_file.unlink(missing_ok=True)
    database_file.with_name(database_file.name + ".wal").unlink(missing_ok=True)


def _build(
    warehouse: Path, staging_file: Path, declarations: Mapping[str, PublishedTableSpec]
) -> list[PublishedTable]:
    published: list[PublishedTable] = []
    with connect_warehouse(IN_MEMORY) as connection:
        connection.execute(f"attach {_quote(str(warehouse))} as warehouse (read_only)")
        tables = _published_tables(connection)
        _refuse_identifier_columns(connection, tables)
        keys = _keys_of(connection, tables, declarations)
        connection.execute(
            f"attach {_quote(str(staging_file))} as analytics (storage_version '{ANALYTICS_STORAGE_VERSION}')"
        )
        try:
            connection.execute(DATA_DICTIONARY_DDL.format(database="analytics"))
            for table in _parents_first(tables, keys):
                _create_table(connection, "analytics", table, keys[table])
                _insert_rows(connection, table, f'select * from warehouse.main."{table}"')
                published.append(PublishedTable(table, _describe(connection, table)))
            _comment(connection, DATA_DICTIONARY, DATA_DICTIONARY_COMMENTS)
        finally:
            connection.execute("detach analytics")
            connection.execute("detach warehouse")
    return sorted(published, key=lambda table: table.name)


def _parents_first(tables: list[str], keys: Mapping[str, TableKeys]) -> list[str]:
    """A foreign key needs the table it references: dimensions come first."""
    return list(TopologicalSorter({table: {f.table for f in keys[table].foreign} for table in tables}).static_order())


def _create_table(connection: duckdb.DuckDBPyConnection, database: str, table: str, keys: TableKeys) -> None:
    columns = [f'"{column}" {data_type}' for column, data_type, _ in _columns(connection, table)]
    connection.execute(
        f'create table {database}.main."{table}" ({", ".join([*columns, *keys.constraints_sql()])})'
    )


def _insert_rows(connection: duckdb.DuckDBPyConnection, table: str, rows_sql: str) -> None:
    try:
        connection.execute(f'insert into analytics.main."{table}" {rows_sql}')
    except duckdb.ConstraintException as error:
        raise PublicationRefused(f"{table} breaks one of its declared keys: {error}") from error


def _describe(connection: duckdb.DuckDBPyConnection, table: str) -> int:
    """Write a table's comments and data dictionary entries; return its row count."""
    (table_description,) = connection.execute(
        "select comment from duckdb_tables() where database_name = 'warehouse' "
        "and schema_name = 'main' and table_name = ?",
        [table],
    ).fetchone()
    descriptions = {
        None: table_description,
        **{column: comment for column, _, comment in _columns(connection, table)},
    }
    _comment(connection, table, descriptions)
    entries = [[table, column, text.strip()] for column, text in descriptions.items() if text and text.strip()]
    if entries:
        connection.executemany(f"insert into analytics.main.{DATA_DICTIONARY} values (?, ?, ?)", entries)
    return connection.execute(f'select count(*) from analytics.main."{table}"').fetchone()[0]


# --- updating a copy of the previous file ------------------------------------------------------------------------


class _NotUpdatable(Exception):
    """The previous file cannot be brought up to date in place: the publication builds a new file instead."""


def _update_copy(
    warehouse: Path, previous: Path, staging_file: Path, declarations: Mapping[str, PublishedTableSpec]
) -> Publication:
    """Copy the previous file and bring every table to the warehouse's rows; `built` with the reason when it cannot.

    The result holds the same rows, keys, comments and dictionary as a file built afresh, so only what changed is
    written: a month's publication rewrites that month and the few earlier rows a delivery corrected, not 3.6
    million assistance rows through six indexes. Tables that a foreign key references (the dimensions) are merged
    on their primary key: new keys inserted, gone keys deleted, changed rows updated in place (an update cannot
    change a key or a referencing column: DuckDB would delete and insert the row, which a referenced row refuses).
    Every other table loses the rows the warehouse no longer holds as they are and gains those it lacks (the same
    row: the same unique key and hash of all values). Every row written passes the declared
    keys as in a new file, and a key that an unchanged row would break is found by the same constraints (a
    dimension key still referenced cannot be deleted). Any refusal, and anything DuckDB declines, falls back to a
    file built afresh, which is the judge: it refuses the publication or succeeds.
    """
    try:
        shutil.copyfile(previous, staging_file)
        with connect_warehouse(IN_MEMORY) as connection:
            connection.execute(f"attach {_quote(str(warehouse))} as warehouse (read_only)")
            connection.execute(f"attach {_quote(str(staging_file))} as analytics")
            try:
                detail = _bring_up_to_date(connection, declarations)
            finally:
                connection.execute("detach analytics")
                connection.execute("detach warehouse")
    except (_NotUpdatable, PublicationRefused, duckdb.Error, OSError) as error:
        return Publication([], "built", f"the previous file could not be updated: {error}")
    return Publication(detail[0], "updated", detail[1])


def _bring_up_to_date(
    connection: duckdb.DuckDBPyConnection, declarations: Mapping[str, PublishedTableSpec]
) -> tuple[list[PublishedTable], str]:
    tables = _published_tables(connection)
    _refuse_identifier_columns(connection, tables)
    keys = _keys_of(connection, tables, declarations)
    _require_same_schema(connection, tables, keys)
    (tags,) = connection.execute("select tags from duckdb_databases() where database_name = 'analytics'").fetchone()
    if tags.get("storage_version") != f"{ANALYTICS_STORAGE_VERSION}+":
        raise _NotUpdatable(f"it is in storage version {tags.get('storage_version')}, not {ANALYTICS_STORAGE_VERSION}")
    [(used_blocks, free_blocks)] = connection.execute(
        "select used_blocks, free_blocks from pragma_database_size() where database_name = 'analytics'"
    ).fetchall()
    if free_blocks > used_blocks:
        # Deleted rows leave free blocks that later writes reuse; past half the file a new one is smaller.
        raise _NotUpdatable(f"more than half of it is free space ({free_blocks} of {used_blocks + free_blocks} blocks)")
    # The copy carries the previous history; record_revisions writes it again from the previous file.
    for history in HISTORY_TABLES:
        connection.execute(f"drop table if exists analytics.main.{history}")
    referenced = {f.table for table in tables for f in keys[table].foreign}
    order = _parents_first(tables, keys)
    changes: dict[str, tuple[int, int]] = {}
    # Children first when deleting (a referenced row can go once nothing points at it), parents first when writing.
    for table in reversed(order):
        if table not in referenced:
            changes[table] = (_delete_rows_not_in_warehouse(connection, table, keys[table]), 0)
    for table in order:
        if table in referenced:
            changes[table] = _merge_on_primary_key(connection, table, keys[table])
        else:
            changes[table] = (changes[table][0], _insert_rows_not_in_copy(connection, table, keys[table]))
    differing = [table for table in order if _fingerprint(connection, "analytics", table) != _fingerprint(
        connection, "warehouse", table
    )]
    if differing:
        raise _NotUpdatable(f"after the update, {', '.join(differing)} still differ from the warehouse")
    connection.execute(f"delete from analytics.main.{DATA_DICTIONARY}")
    published = [PublishedTable(table, _describe(connection, table)) for table in order]
    _comment(connection, DATA_DICTIONARY, DATA_DICTIONARY_COMMENTS)
    written = [
        f"{table} -{removed:,} +{added:,}" for table, (removed, added) in sorted(changes.items()) if removed or added
    ]
    detail = "rows deleted and written: " + (", ".join(written) if written else "none")
    return sorted(published, key=lambda table: table.name), detail


def _require_same_schema(
    connection: duckdb.DuckDBPyConnection, tables: list[str], keys: Mapping[str, TableKeys]
) -> None:
    """The previous file must hold these tables with the columns and keys a new file would have, and no others."""
    connection.execute("attach ':memory:' as expected")
    try:
        connection.execute(DATA_DICTIONARY_DDL.format(database="expected"))
        for table in _parents_first(tables, keys):
            _create_table(connection, "expected", table, keys[table])
        schema_sql = "select table_name, sql from duckdb_tables() where database_name = ? and schema_name = 'main'"
        expected = dict(connection.execute(schema_sql, ["expected"]).fetchall())
        found = {
            name: sql for name, sql in connection.execute(schema_sql, ["analytics"]).fetchall()
            if name not in HISTORY_TABLES
        }
    finally:
        connection.execute("detach expected")
    if found != expected:
        differing = sorted(name for name in expected.keys() | found.keys() if expected.get(name) != found.get(name))
        raise _NotUpdatable(f"its tables differ from the warehouse's ({', '.join(differing)})")


def _column_list(connection: duckdb.DuckDBPyConnection, table: str, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f'{prefix}"{column}"' for column, _, _ in _columns(connection, table))


def _fingerprint(connection: duckdb.DuckDBPyConnection, database: str, table: str) -> tuple[int, int]:
    """Row count and sum of row hashes (as dbt's `changed_periods` strategy compares a period)."""
    return connection.execute(
        f"select count(*), coalesce(sum(hash({_column_list(connection, table)})::hugeint), 0) "
        f'from {database}.main."{table}"'
    ).fetchone()


def _same_row(connection: duckdb.DuckDBPyConnection, table: str, keys: TableKeys) -> str:
    """Two rows are the same when their unique key and the hash of all their values are."""
    key = keys.primary_key or (keys.unique[0] if keys.unique else ())
    return " and ".join([
        *(f'old."{column}" is not distinct from new."{column}"' for column in key),
        f"hash({_column_list(connection, table, 'old')}) = hash({_column_list(connection, table, 'new')})",
    ])


def _delete_rows_not_in_warehouse(connection: duckdb.DuckDBPyConnection, table: str, keys: TableKeys) -> int:
    """Delete the copy's rows that the warehouse no longer holds as they are (gone or changed); return how many."""
    connection.execute(
        f'create or replace temp table tkpkd_stale_rows as select old.rowid as row_id from analytics.main."{table}" '
        f'as old anti join warehouse.main."{table}" as new on {_same_row(connection, table, keys)}'
    )
    (stale,) = connection.execute("select count(*) from tkpkd_stale_rows").fetchone()
    if stale:
        connection.execute(f'delete from analytics.main."{table}" where rowid in (select row_id from tkpkd_stale_rows)')
    connection.execute("drop table tkpkd_stale_rows")
    return stale


def _insert_rows_not_in_copy(connection: duckdb.DuckDBPyConnection, table: str, keys: TableKeys) -> int:
    """Insert the warehouse's rows that the copy lacks (new or changed); return how many."""
    before = connection.execute(f'select count(*) from analytics.main."{table}"').fetchone()[0]
    _insert_rows(
        connection, table,
        f'select new.* from warehouse.main."{table}" as new anti join analytics.main."{table}" as old '
        f"on {_same_row(connection, table, keys)}",
    )
    return connection.execute(f'select count(*) from analytics.main."{table}"').fetchone()[0] - before


def _merge_on_primary_key(connection: duckdb.DuckDBPyConnection, table: str, keys: TableKeys) -> tuple[int, int]:
    """Bring a referenced table to the warehouse's rows by its primary key; return (rows deleted, rows written)."""
    if len(keys.primary_key) != 1:
        raise _NotUpdatable(f"{table} is referenced but has no single-column primary key")
    key = keys.primary_key[0]
    columns = [column for column, _, _ in _columns(connection, table)]
    fixed = [column for column in columns if column in keys.columns]
    changing = [column for column in columns if column not in keys.columns]

    def differ(names: list[str]) -> str:
        return " or ".join(f'old."{column}" is distinct from new."{column}"' for column in names) or "false"

    pairs = f'analytics.main."{table}" as old join warehouse.main."{table}" as new on old."{key}" = new."{key}"'
    if connection.execute(f"select count(*) from {pairs} where {differ(fixed)}").fetchone()[0]:
        raise _NotUpdatable(f"{table} changes a key or a referencing column of a row it keeps")
    gone = connection.execute(
        f'delete from analytics.main."{table}" as old where not exists '
        f'(select 1 from warehouse.main."{table}" as new where new."{key}" = old."{key}")'
    ).fetchone()[0]
    updated = 0
    if changing:
        updated = connection.execute(
            f'update analytics.main."{table}" as old set '
            + ", ".join(f'"{column}" = new."{column}"' for column in changing)
            + f' from warehouse.main."{table}" as new where old."{key}" = new."{key}" and ({differ(changing)})'
        ).fetchone()[0]
    return gone, updated + _insert_rows_not_in_copy(connection, table, keys)


def _comment(connection: duckdb.DuckDBPyConnection, table: str, descriptions: Mapping[str | None, str | None]) -> None:
    """Comment a table (key None) and its columns with the BI-sized first sentence of each description; one
    without a description loses the comment an updated file may still carry."""
    for column, text in descriptions.items():
        comment = _quote(bi_comment(text)) if text and text.strip() else "null"
        target = f'table analytics.main."{table}"' if column is None else f'column analytics.main."{table}"."{column}"'
        connection.execute(f"comment on {target} is {comment}")


def full_descriptions(connection: duckdb.DuckDBPyConnection, table: str) -> dict[str | None, str]:
    """A table's (key None) and its columns' full descriptions in an analytics file: its data dictionary, or the
    comments where the file has none (written before the dictionary existed, or not by `publish_analytics`)."""
    has_dictionary = connection.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() and schema_name = 'main' "
        "and table_name = ?",
        [DATA_DICTIONARY],
    ).fetchone()[0]
    if has_dictionary:
        return dict(
            connection.execute(
                f"select column_name, description from main.{DATA_DICTIONARY} where table_name = ?", [table]
            ).fetchall()
        )
    comments = connection.execute(
        "select null, comment from duckdb_tables() where database_name = current_database() and table_name = ? "
        "union all select column_name, comment from duckdb_columns() "
        "where database_name = current_database() and table_name = ?",
        [table, table],
    ).fetchall()
    return {column: comment.strip() for column, comment in comments if comment}
