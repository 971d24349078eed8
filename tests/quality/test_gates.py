"""Each gate on tiny batches: a good batch passes; a batch with one defect fails with the expectation that names it.

Batches go through DuckDB and `gates.read_frame`, as in the pipeline, so the dtypes GX sees are the real ones.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.contract import load_contract
from orchestration.quality import gates
from orchestration.quality.suites import PUBLISHED_TABLES, STAGED_SOURCES

THRESHOLDS = gates.load_thresholds()


@pytest.fixture(scope="module")
def runner(tmp_path_factory) -> gates.GateRunner:
    return gates.GateRunner(tmp_path_factory.mktemp("data_docs"))


def _good_value(source: str, column: str, row: int):
    spec = STAGED_SOURCES[source]
    if column in spec.birth_dates:
        return dt.date(1980, 5, 5)
    if column in spec.event_dates:
        return dt.date(2025, 1, 15)
    if column in spec.rupiah:
        return 150_000
    return f"{column}-{row}"


def _frame(rows: list[dict]) -> pd.DataFrame:
    """The rows as DuckDB types them, read back the way the gates read the warehouse."""
    with duckdb.connect() as connection:
        connection.register("batch", pd.DataFrame(rows))
        return gates.read_frame(connection, "select * from batch")


def _staging_rows(source: str) -> list[dict]:
    suite = gates.load_suite(Path("staging") / f"{source}.json")
    return [{column: _good_value(source, column, row) for column in gates.suite_columns(suite)} for row in (0, 1)]


def _validate_staging(runner, source: str, rows: list[dict], min_rows: int = 2) -> gates.GateResult:
    suite = gates.load_suite(Path("staging") / f"{source}.json")
    parameters = {**gates.base_parameters(THRESHOLDS, dt.date(2026, 1, 1)), "min_rows": min_rows}
    return runner.validate(suite, _frame(rows), parameters)


def _defects(source: str) -> list[tuple[str, str]]:
    """(defect, column) pairs that apply to a source: one column per kind of defect (every validation costs GX
    most of a second, and the other columns of a kind run the same expectation type)."""
    spec = STAGED_SOURCES[source]
    candidates = {
        "held_null": spec.held_if_null[:1],
        "volume": [""],
        "future_date": (spec.event_dates + spec.birth_dates)[:1],
        "birth_before_1900": spec.birth_dates[:1],
        "negative_rupiah": spec.rupiah[:1],
    }
    return [(defect, column) for defect, columns in candidates.items() for column in columns]


CASES = [(source, defect, column) for source in STAGED_SOURCES for defect, column in _defects(source)]


@pytest.mark.parametrize("source", list(STAGED_SOURCES))
def test_a_good_batch_passes(runner, source):
    result = _validate_staging(runner, source, _staging_rows(source))
    assert result.passed and not result.failed_warnings, result.summary()


@pytest.mark.parametrize(("source", "defect", "column"), CASES, ids=[f"{s}-{d}-{c}" for s, d, c in CASES])
def test_a_defect_fails_the_gate_with_its_expectation(runner, source, defect, column):
    rows = _staging_rows(source)
    min_rows = 2
    if defect == "held_null":
        rows[0][column] = None
        expected = f"expect_column_values_to_not_be_null({column})"
    elif defect == "volume":
        min_rows = 3
        expected = "expect_table_row_count_to_be_between"
    elif defect == "future_date":
        rows[0][column] = dt.date(2026, 1, 2)  # the day after the run date of these tests
        expected = f"expect_column_values_to_be_between({column})"
    elif defect == "birth_before_1900":
        rows[0][column] = dt.date(1899, 12, 31)
        expected = f"expect_column_values_to_be_between({column})"
    elif defect == "negative_rupiah":
        rows[0][column] = -150_000
        expected = f"expect_column_values_to_be_between({column})"
    else:
        raise AssertionError(defect)

    result = _validate_staging(runner, source, rows, min_rows)

    if defect == "volume" and load_contract()[source].kind == "event":
        # Events follow the agency's calendar: a short period warns without blocking.
        assert result.passed and [o.expectation for o in result.failed_warnings] == [expected]
    else:
        assert not result.passed
        assert expected in [o.expectation for o in result.failed_errors], result.summary()


def test_the_failure_carries_counts_and_a_sample_of_bad_values(runner):
    rows = _staging_rows("bansos")
    rows[1]["amount_idr"] = -5
    result = _validate_staging(runner, "bansos", rows)
    (outcome,) = result.failed_errors
    assert outcome.unexpected_count == 1 and outcome.element_count == 2 and outcome.sample == [-5]
    assert "expect_column_values_to_be_between(amount_idr)" in result.summary()
    assert "1 of 2 rows" in result.summary()


def test_data_docs_show_the_validations(runner):
    _validate_staging(runner, "dukcapil", _staging_rows("dukcapil"))
    index = runner.build_docs()
    assert index.exists() and "dukcapil" in index.read_text()


# Published tables: the star schema's tables must have rows, a report may be empty.

def _validate_published(runner, table: str, rows: int) -> gates.GateResult:
    suite = gates.load_suite(Path("published") / f"{table}.json")
    with duckdb.connect() as connection:
        connection.execute(f"create table main.{table} as select range as id from range({rows})")
        frame = gates.published_batch(connection, suite, "main", table)
    return runner.validate(suite, frame, {})


@pytest.mark.parametrize("table", list(PUBLISHED_TABLES))
def test_a_published_table_with_rows_passes(runner, table):
    result = _validate_published(runner, table, 2)
    assert result.passed, result.summary()


@pytest.mark.parametrize("table", list(PUBLISHED_TABLES))
def test_an_empty_dimension_or_fact_fails_its_gate_and_an_empty_report_passes(runner, table):
    result = _validate_published(runner, table, 0)
    if table.startswith(("dim_", "fct_")):
        assert [o.expectation for o in result.failed_errors] == ["expect_table_row_count_to_be_between"]
    else:
        assert result.passed, result.summary()
