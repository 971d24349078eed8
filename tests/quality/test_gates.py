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
from orchestration.quality.suites import PUBLISHED_TABLES, STAGED_SOURCES, code_lists

THRESHOLDS = gates.load_thresholds()
LISTS = code_lists()
GOOD_NIKS = ["6171010505800001", "6171014512900002"]  # born 5 May 1980; a woman born 5 Dec 1990 (day + 40)
GOOD_KKS = ["6171010101200001", "6171010101200002"]


@pytest.fixture(scope="module")
def runner(tmp_path_factory) -> gates.GateRunner:
    return gates.GateRunner(tmp_path_factory.mktemp("data_docs"))


def _good_value(source: str, column: str, row: int):
    spec = STAGED_SOURCES[source]
    if column in spec.nik:
        return GOOD_NIKS[row]
    if column in spec.kk:
        return GOOD_KKS[row]
    if column in spec.codes or column in spec.open_codes:
        return LISTS[{**spec.codes, **spec.open_codes}[column]][0]
    if column == "kelurahan_code":
        return LISTS["kelurahan"][0]
    if column in spec.birth_dates:
        return dt.date(1980, 5, 5)
    if column in spec.event_dates:
        return dt.date(2025, 1, 15)
    if column in spec.rupiah:
        return 150_000
    if column.endswith("_status"):
        return "valid"
    family = spec.types.get(column)
    if family == "int":
        return 2025 + row
    if family == "float":
        return 36.0
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
        "missing_column": spec.not_null[:1],
        "null": spec.not_null[:1],
        "duplicate_key": [""],
        "volume": [""],
        "bad_nik": spec.nik[:1],
        "bad_kk": spec.kk[:1],
        "unknown_code": list(spec.codes)[:1],
        "future_date": (spec.event_dates + spec.birth_dates)[:1],
        "birth_before_1900": spec.birth_dates[:1],
        "negative_rupiah": spec.rupiah[:1],
        "wrong_type": [column for column, family in spec.types.items() if family == "date"][:1],
        "unknown_kelurahan": ["kelurahan_code"] if spec.kelurahan else [],
    }
    return [(defect, column) for defect, columns in candidates.items() for column in columns]


CASES = [(source, defect, column) for source in STAGED_SOURCES for defect, column in _defects(source)]


@pytest.mark.parametrize("source", list(STAGED_SOURCES))
def test_a_good_batch_passes(runner, source):
    result = _validate_staging(runner, source, _staging_rows(source))
    assert result.passed and not result.failed_warnings, result.summary()


@pytest.mark.parametrize(("source", "defect", "column"), CASES, ids=[f"{s}-{d}-{c}" for s, d, c in CASES])
def test_a_defect_fails_the_gate_with_its_expectation(runner, source, defect, column):
    spec = STAGED_SOURCES[source]
    rows = _staging_rows(source)
    min_rows = 2
    if defect == "missing_column":
        for row in rows:
            del row[column]
        expected = f"expect_column_to_exist({column})"
    elif defect == "null":
        rows[0][column] = None
        expected = f"expect_column_values_to_not_be_null({column})"
    elif defect == "duplicate_key":
        for key in spec.natural_key:
            rows[1][key] = rows[0][key]
        expected = (f"expect_compound_columns_to_be_unique({', '.join(spec.natural_key)})" if len(spec.natural_key) > 1
                    else f"expect_column_values_to_be_unique({spec.natural_key[0]})")
    elif defect == "volume":
        min_rows = 3
        expected = "expect_table_row_count_to_be_between"
    elif defect == "bad_nik":
        rows[0][column] = "6171013513800001"  # month 13
        expected = f"expect_column_values_to_match_regex({column})"
    elif defect == "bad_kk":
        rows[0][column] = "61710101012000"  # 14 digits
        expected = f"expect_column_values_to_match_regex({column})"
    elif defect == "unknown_code":
        rows[0][column] = 99 if isinstance(rows[0][column], int) else "TIDAK_ADA"
        expected = f"expect_column_values_to_be_in_set({column})"
    elif defect == "unknown_kelurahan":
        rows[0][column] = "61.71.09.9999"
        expected = f"expect_column_values_to_be_in_set({column})"
    elif defect == "future_date":
        rows[0][column] = dt.date(2026, 1, 2)  # the day after the run date of these tests
        expected = f"expect_column_values_to_be_between({column})"
    elif defect == "birth_before_1900":
        rows[0][column] = dt.date(1899, 12, 31)
        expected = f"expect_column_values_to_be_between({column})"
    elif defect == "negative_rupiah":
        rows[0][column] = -150_000
        expected = f"expect_column_values_to_be_between({column})"
    elif defect == "wrong_type":
        for row in rows:
            row[column] = row[column].isoformat()
        expected = f"expect_column_values_to_be_in_type_list({column})"
    else:
        raise AssertionError(defect)

    result = _validate_staging(runner, source, rows, min_rows)

    if defect == "volume" and load_contract()[source].kind == "event":
        # Events follow the agency's calendar: a short period warns without blocking.
        assert result.passed and [o.expectation for o in result.failed_warnings] == [expected]
    else:
        assert not result.passed
        assert expected in [o.expectation for o in result.failed_errors], result.summary()


def test_a_code_outside_an_open_list_warns_without_blocking(runner):
    rows = _staging_rows("pelatihan")
    rows[0]["vocation"] = "PERIKANAN"  # the contract lists kejuruan as "MENJAHIT, TATA_BOGA, ..."
    result = _validate_staging(runner, "pelatihan", rows)
    assert result.passed
    assert [o.expectation for o in result.failed_warnings] == ["expect_column_values_to_be_in_set(vocation)"]


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


# Published tables: a good two-row table, then one defect of each kind the suite covers.

def _published_rows(table: str) -> list[dict]:
    spec = PUBLISHED_TABLES[table]
    suite = gates.load_suite(Path("published") / f"{table}.json")
    rows: list[dict] = [{}, {}]
    for column in gates.suite_columns(suite):
        for index, row in enumerate(rows):
            if column in spec.references:
                row[column] = f"key-{index}"
            elif column in spec.codes:
                row[column] = LISTS[spec.codes[column]][0]
            elif column == "kelurahan_code":
                row[column] = LISTS["kelurahan"][0]
            elif column in spec.rates or column in spec.differences:
                row[column] = 0.5
            elif column in spec.non_negative:
                row[column] = 7
            else:
                row[column] = f"{column}-{index}"
    return rows


def _validate_published(runner, table: str, rows: list[dict]) -> gates.GateResult:
    """The table and the dimensions it references (keys key-0 and key-1) in DuckDB, read as the gate reads them."""
    suite = gates.load_suite(Path("published") / f"{table}.json")
    with duckdb.connect() as connection:
        connection.register("batch", pd.DataFrame(rows))
        connection.execute(f"create table main.{table} as select * from batch")
        for target in PUBLISHED_TABLES[table].references.values():
            dimension, key = target.split(".")
            # One table per dimension and key is enough: the gate only asks whether the key is among the dimension's.
            connection.execute(f"create table if not exists main.{dimension} ({key} varchar)")
            connection.execute(f"alter table main.{dimension} add column if not exists {key} varchar")
            connection.execute(f"insert into main.{dimension} ({key}) values ('key-0'), ('key-1')")
        frame = gates.published_batch(connection, suite, "main", table)
    return runner.validate(suite, frame, {})


PUBLISHED_CASES = [
    (table, defect, column)
    for table, spec in PUBLISHED_TABLES.items()
    for defect, columns in [("orphan", list(spec.references)), ("rate", spec.rates), ("negative", spec.non_negative),
                            ("code", list(spec.codes)), ("duplicate", [",".join(spec.unique[0])])]
    for column in columns[:1]
]


@pytest.mark.parametrize("table", list(PUBLISHED_TABLES))
def test_a_good_published_table_passes(runner, table):
    result = _validate_published(runner, table, _published_rows(table))
    assert result.passed, result.summary()


@pytest.mark.parametrize(("table", "defect", "column"), PUBLISHED_CASES,
                         ids=[f"{t}-{d}-{c}" for t, d, c in PUBLISHED_CASES])
def test_a_published_defect_fails_its_gate(runner, table, defect, column):
    rows = _published_rows(table)
    if defect == "orphan":  # referential integrity: a fact row whose key is not in the dimension
        rows[0][column] = "key-missing"
        dimension = PUBLISHED_TABLES[table].references[column].split(".")[0]
        expected = f"expect_column_values_to_be_null({column}__not_in__{dimension})"
    elif defect == "rate":
        rows[0][column] = 1.2
        expected = f"expect_column_values_to_be_between({column})"
    elif defect == "negative":
        rows[0][column] = -1
        expected = f"expect_column_values_to_be_between({column})"
    elif defect == "code":
        rows[0][column] = 99 if isinstance(rows[0][column], int) else "TIDAK_ADA"
        expected = f"expect_column_values_to_be_in_set({column})"
    else:
        key = column.split(",")
        for name in key:
            rows[1][name] = rows[0][name]
        expected = (f"expect_compound_columns_to_be_unique({', '.join(key)})" if len(key) > 1
                    else f"expect_column_values_to_be_unique({key[0]})")
    result = _validate_published(runner, table, rows)
    assert not result.passed
    assert expected in [o.expectation for o in result.failed_errors], result.summary()
