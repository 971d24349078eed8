"""rpt_data_quality's days_overdue (macros/reports/days_overdue.sql) against the rule of orchestration/freshness.py."""

from __future__ import annotations

import datetime as dt
import itertools

import duckdb
import jinja2
import pytest
from raw_warehouse_builder import DBT_PROJECT_DIR

from orchestration.freshness import CADENCE_MONTHS, evaluate, months_per_period

MACRO_FILE = DBT_PROJECT_DIR / "macros" / "reports" / "days_overdue.sql"


@pytest.fixture(scope="module")
def days_overdue_sql():
    def render(deadline_day: int) -> str:
        module = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(MACRO_FILE.read_text()).module
        return str(module.tkpkd_days_overdue("step", "last_delivered_on", "as_of", deadline_day))

    return render


def _periods(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    periods = []
    while f"{year:04d}-{month:02d}" <= last:
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return periods


@pytest.mark.parametrize("deadline_day", [1, 10, 27])
def test_the_sql_and_the_python_rule_agree(days_overdue_sql, deadline_day):
    """Every cadence x never delivered or each period from 2023-11 to 2025-12 x as-of dates around each deadline."""
    delivered = [None, *_periods("2023-11", "2025-12")]
    as_of_dates = [
        dt.date(year, month, day)
        for year, month in itertools.product((2024, 2025), range(1, 13))
        for day in sorted({1, deadline_day - 1 or 1, deadline_day, deadline_day + 1, 28})
    ]
    cases = [
        (cadence, last, as_of)
        for cadence, last, as_of in itertools.product([*CADENCE_MONTHS, None], delivered, as_of_dates)
        if last is None or last <= f"{as_of.year:04d}-{as_of.month:02d}"
    ]
    rows = [
        (months_per_period(cadence), None if last is None else dt.date.fromisoformat(f"{last}-15"), as_of)
        for cadence, last, as_of in cases
    ]
    with duckdb.connect() as connection:
        connection.execute("create table cases (n integer, step integer, last_delivered_on date, as_of date)")
        connection.executemany("insert into cases values (?, ?, ?, ?)", [(n, *row) for n, row in enumerate(rows)])
        results = connection.execute(f"select {days_overdue_sql(deadline_day)} from cases order by n").fetchall()
    mismatches = []
    for (cadence, last, as_of), (sql_days,) in zip(cases, results, strict=True):
        expected = None if cadence is None else evaluate(cadence, last, as_of, deadline_day).days_overdue
        if sql_days != expected:
            mismatches.append((cadence, last, as_of, expected, sql_days))
    assert len(cases) > 5_000
    assert mismatches == []


def test_a_source_without_cadence_or_a_row_without_date_has_no_days_overdue(days_overdue_sql):
    with duckdb.connect() as connection:
        assert connection.execute(
            f"select {days_overdue_sql(10)} from (values (null::integer, date '2025-03-15', date '2025-06-10'),"
            " (3, null::date, null::date)) as t(step, last_delivered_on, as_of)"
        ).fetchall() == [(None,), (None,)]
