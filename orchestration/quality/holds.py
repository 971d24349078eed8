"""Held batches: one agency's delivery that fails its staging gate is held out of the warehouse, not the whole run.

Write, audit, publish per batch. A batch is what a source delivered for one period: the set of its loaded files
(`raw.ingested_files`, by hash). When the staging gate of a source fails with ERROR severity on its newest batch,
the gate records a hold in `quality.held_batches`, its staging model is rebuilt without the batch
(macros/staging/dedupe.sql leaves the batch's rows out), and every other source's data goes on to the marts and
reports in the same run. The reports are built with the source's previous good delivery (an event source) or
without that period's rows (a snapshot source); the run's summary names the batch, the failed expectations and the
reports built without it.

A hold ends by itself when the agency delivers a corrected file (the batch's set of files changes, so the hold no
longer matches and the new batch meets the gate), or by a person: `tkpkd hold release <source> <period>` accepts
the batch as it is (a genuine drop in volume, say); its gate still reports the failure, as a warning.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass

import duckdb

HELD_BATCHES = "quality.held_batches"

HELD_BATCHES_DDL = f"""
create schema if not exists quality;
create table if not exists {HELD_BATCHES} (
    source varchar not null,
    period varchar not null,
    file_hashes varchar[] not null,
    check_name varchar not null,
    failed_expectations varchar[] not null,
    description varchar,
    held_at timestamp not null,
    held_by_run varchar,
    released_at timestamp,
    released_by varchar
)
"""

# The loaded files of each source and period, as the sorted list of their hashes. dedupe.sql compares the same list.
_BATCH_FILES = """
select source, period, list_sort(list(file_hash)) as file_hashes
from raw.ingested_files where status = 'loaded' group by source, period
"""


@dataclass(frozen=True)
class Hold:
    source: str
    period: str
    check_name: str
    failed_expectations: list[str]
    description: str
    held_at: dt.datetime
    held_by_run: str | None
    released_at: dt.datetime | None
    released_by: str | None
    matches_delivery: bool  # False once the agency delivered other files for the period: the hold has lapsed

    @property
    def is_active(self) -> bool:
        return self.released_at is None and self.matches_delivery

    def label(self) -> str:
        return f"{self.source} {self.period}"


def ensure_table(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(HELD_BATCHES_DDL)


def list_holds(connection: duckdb.DuckDBPyConnection, source: str | None = None) -> list[Hold]:
    """Every hold ever recorded (the newest per source and period first), with whether it still holds."""
    if not connection.execute(
        "select count(*) from information_schema.tables where table_schema = 'quality' and table_name = 'held_batches'"
    ).fetchone()[0]:
        return []
    rows = connection.execute(
        f"""
        with batches as ({_BATCH_FILES})
        select held.source, held.period, held.check_name, held.failed_expectations, held.description, held.held_at,
               held.held_by_run, held.released_at, held.released_by,
               coalesce(batches.file_hashes = held.file_hashes, false) as matches_delivery
        from {HELD_BATCHES} as held
        left join batches on batches.source = held.source and batches.period = held.period
        where ? is null or held.source = ?
        order by held.source, held.period, held.held_at desc
        """,
        [source, source],
    ).fetchall()
    return [Hold(*row) for row in rows]


def holds_of_batch(connection: duckdb.DuckDBPyConnection, source: str, period: str) -> list[Hold]:
    """The holds recorded on the batch a source delivers now for the period (not those of earlier deliveries)."""
    return [h for h in list_holds(connection, source) if h.period == period and h.matches_delivery]


def hold_batch(
    connection: duckdb.DuckDBPyConnection,
    source: str,
    period: str,
    check_name: str,
    failed_expectations: list[str],
    description: str,
    run_id: str | None,
) -> None:
    ensure_table(connection)
    connection.execute(
        f"""
        insert into {HELD_BATCHES} (source, period, file_hashes, check_name, failed_expectations, description,
                                    held_at, held_by_run)
        select ?, ?, batches.file_hashes, ?, ?, ?, current_localtimestamp(), ?
        from ({_BATCH_FILES}) as batches
        where batches.source = ? and batches.period = ?
        """,
        [source, period, check_name, failed_expectations, description, run_id, source, period],
    )


def release(connection: duckdb.DuckDBPyConnection, source: str, period: str, released_by: str | None = None) -> int:
    """Accept a held batch as delivered: the next run builds it into the warehouse. Returns the holds released."""
    active = [h for h in holds_of_batch(connection, source, period) if h.released_at is None]
    if active:
        connection.execute(
            f"""
            update {HELD_BATCHES} set released_at = current_localtimestamp(), released_by = ?
            where source = ? and period = ? and released_at is null
            """,
            [released_by or getpass.getuser(), source, period],
        )
    return len(active)
