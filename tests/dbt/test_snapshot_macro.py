"""tkpkd_newest_snapshot_as_of (dbt_project/macros/marts/newest_snapshot_as_of.sql), rendered with plain Jinja2 and
run on an in-memory DuckDB, as the parsing macros are in test_parsing_macros.py: the macro uses nothing from dbt's
context, so this is the SQL dbt runs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import pytest

MACRO = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "marts" / "newest_snapshot_as_of.sql"


@pytest.fixture(scope="module")
def newest_snapshot_as_of():
    module = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(MACRO.read_text()).module
    return module.tkpkd_newest_snapshot_as_of


@pytest.fixture
def db():
    connection = duckdb.connect()
    connection.execute(
        """
        create table periods as
        select strftime(month, '%Y-%m') as period, last_day(month) as period_end
        from range(date '2025-01-01', date '2025-07-01', interval 1 month) as months(month);
        -- a snapshot source: many rows per snapshot, snapshots in 2025-02 and 2025-04, one after the last period,
        -- and a row whose period is unknown
        create table snapshots (_period varchar, nik varchar);
        insert into snapshots values
            ('2025-02', 'a'), ('2025-02', 'b'), ('2025-04', 'a'), ('2025-09', 'a'), (null, 'c');
        """
    )
    yield connection
    connection.close()


def test_each_period_gets_the_newest_snapshot_at_or_before_it(newest_snapshot_as_of, db):
    rows = db.execute(f"{newest_snapshot_as_of('periods', 'snapshots')} order by 1").fetchall()
    # 2025-01 is before the first snapshot: no row. A snapshot of the period itself counts ("at or before").
    # The 2025-09 snapshot is after every period and the one without a period is never chosen.
    assert rows == [
        ("2025-02", "2025-02"),
        ("2025-03", "2025-02"),
        ("2025-04", "2025-04"),
        ("2025-05", "2025-04"),
        ("2025-06", "2025-04"),
    ]


def test_carried_columns_come_along_with_their_period(newest_snapshot_as_of, db):
    sql = newest_snapshot_as_of("periods", "snapshots", carry=["period_end"])
    rows = db.execute(f"select period, period_end, snapshot_period from ({sql}) order by 1").fetchall()
    assert [(period, str(period_end)) for period, period_end, _ in rows][:2] == [
        ("2025-02", "2025-02-28"),
        ("2025-03", "2025-03-31"),
    ]
    assert len(rows) == 5


def test_named_period_columns_on_both_sides(newest_snapshot_as_of, db):
    # int_person_resolution's form: the periods of the rows themselves (`_period`) against Dukcapil snapshots; and
    # rpt_data_quality's, snapshots already reduced to (kk_number, snapshot_period).
    db.execute(
        """
        create table row_periods as select * from (values ('2025-03'), ('2025-01'), ('2025-10')) as v(_period);
        create table registry_snapshots as select nik as kk_number, _period as snapshot_period from snapshots;
        """
    )
    rows = db.execute(
        f"{newest_snapshot_as_of('row_periods', 'snapshots', period_column='_period')} order by 1"
    ).fetchall()
    assert rows == [("2025-03", "2025-02"), ("2025-10", "2025-09")]
    rows = db.execute(
        f"{newest_snapshot_as_of('periods', 'registry_snapshots', snapshot_column='snapshot_period')} order by 1"
    ).fetchall()
    assert [snapshot for _, snapshot in rows] == ["2025-02", "2025-02", "2025-04", "2025-04", "2025-04"]


def test_a_source_without_snapshots_gives_no_rows(newest_snapshot_as_of, db):
    db.execute("delete from snapshots")
    assert db.execute(newest_snapshot_as_of("periods", "snapshots")).fetchall() == []
