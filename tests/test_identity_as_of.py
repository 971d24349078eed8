"""The as-of linkage benchmark's own functions (benchmarks/identity_as_of.py) on hand-made people: a row served before
its person was first listed, and rows of known people. No timing bounds: the figures are the benchmark's."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date

import duckdb
import pandas as pd
import pytest

from orchestration.settings import REPO_ROOT
from tests.identity.test_linkage import COLUMNS, KNOWN, _crowd

_spec = importlib.util.spec_from_file_location("identity_as_of", REPO_ROOT / "benchmarks" / "identity_as_of.py")
as_of = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = as_of  # a dataclass looks its module up by name
_spec.loader.exec_module(as_of)

# first listed in March (a newborn, or a family that moved in), served by a puskesmas in January
NEWCOMER = ("6171014707250099", "PUTRI AMELIA", date(2025, 7, 7), "P", "6171010101100099", "61.71.01.1003", 2, 3)
# record ids as int_person_records writes them: `_source_file#_row_number`
SERVED_BEFORE_LISTED, KNOWN_IN_JANUARY, KNOWN_IN_MARCH = (f"layanan_kesehatan/2025-01/a.csv#{row}" for row in (1, 2, 3))


def _description(period: str, nik, name, birth, sex, kk, kelurahan, rw, rt) -> dict:
    return {"_period": period, "nik": nik, "full_name": name, "birth_date": birth, "born_on_or_after": None,
            "sex": sex, "kk_number": kk, "kelurahan_code": kelurahan, "rw": rw, "rt": rt, "context": None,
            "service_group": None, "nik_prefix": nik}


def _record(period: str, record_id: str, person: tuple) -> dict:
    _nik, name, birth, sex, kk, kelurahan, rw, rt = person
    values = {"full_name": name.title(), "birth_date": birth, "sex": sex, "kk_number": kk,
              "kelurahan_code": kelurahan, "rw": rw, "rt": rt}
    return {"_period": period, "record_id": record_id, **{column: values.get(column) for column in COLUMNS}}


@pytest.fixture(scope="module")
def sides() -> tuple[pd.DataFrame, pd.DataFrame]:
    known = KNOWN + _crowd(120)
    reference = pd.DataFrame(
        [_description(period, *person) for period in ("2025-01", "2025-02", "2025-03") for person in known]
        + [_description("2025-03", *NEWCOMER)]
    )
    records = pd.DataFrame([
        _record("2025-01", SERVED_BEFORE_LISTED, NEWCOMER),
        _record("2025-01", KNOWN_IN_JANUARY, KNOWN[2]),
        _record("2025-03", KNOWN_IN_MARCH, KNOWN[3]),
    ])
    return records, reference


@pytest.fixture(scope="module")
def figures(sides):
    records, reference = sides
    return as_of.measure(records, reference, [0, 2])


def _decision(decisions: pd.DataFrame, record_id: str) -> pd.Series:
    return decisions.set_index("record_id").loc[record_id]


def test_a_row_is_linked_only_to_people_known_within_its_window(figures):
    today, window_0, window_2 = (figure.decisions for figure in figures)
    assert _decision(today, SERVED_BEFORE_LISTED)["linked_nik"] == NEWCOMER[0]
    before = _decision(window_0, SERVED_BEFORE_LISTED)
    assert (before["outcome"], before["unresolved_reason"]) == ("unresolved", "no_candidate")
    assert _decision(window_2, SERVED_BEFORE_LISTED)["linked_nik"] == NEWCOMER[0]
    for decisions in (today, window_0, window_2):
        assert _decision(decisions, KNOWN_IN_JANUARY)["linked_nik"] == KNOWN[2][0]
        assert _decision(decisions, KNOWN_IN_MARCH)["linked_nik"] == KNOWN[3][0]


def test_outcomes_changed_count_the_rows_decided_otherwise_than_today(figures):
    today, window_0, window_2 = (figure.decisions for figure in figures)
    assert [as_of.changed_outcomes(d, today) for d in (today, window_0, window_2)] == [0, 1, 0]
    with pytest.raises(ValueError, match="different rows"):
        as_of.changed_outcomes(window_0[window_0["record_id"] != KNOWN_IN_MARCH], today)


def test_each_period_is_linked_once_and_a_new_month_relinks_its_window(sides):
    records, reference = sides
    _decisions, seconds = as_of.as_of_decisions(records, reference, 0)
    assert sorted(seconds) == ["2025-01", "2025-03"]
    assert as_of.horizon("2025-11", 2) == "2026-01"
    assert as_of.horizon("2025-03", 0) == "2025-03"


def test_truth_scores_count_wrong_links_and_rows_left_unresolved(figures, tmp_path):
    today, window_0, _ = (figure.decisions for figure in figures)
    with duckdb.connect() as connection:
        connection.execute(f"""copy (select * from (values ('layanan_kesehatan/2025-01/a.csv', 1, 1),
            ('layanan_kesehatan/2025-01/a.csv', 2, 2), ('layanan_kesehatan/2025-01/a.csv', 3, 3))
            as t(path, row_number, person_id)) to '{tmp_path / "rows.parquet"}'""")
        # person 3's NIK in the truth is not the one linked: that link is wrong
        connection.execute(f"""copy (select * from (values ('{NEWCOMER[0]}', 1), ('{KNOWN[2][0]}', 2),
            ('6171000000000000', 3)) as t(nik, person_id)) to '{tmp_path / "persons.parquet"}'""")
        assert as_of.truth_scores(today, connection, tmp_path) == {
            "links": 3, "right": 2, "precision": 2 / 3, "recall": 2 / 3}
        assert as_of.truth_scores(window_0, connection, tmp_path) == {
            "links": 2, "right": 1, "precision": 1 / 2, "recall": 1 / 3}
