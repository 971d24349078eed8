"""The fault-injection suite's comparison finds what it must: a lost row, an extra row, a missing table; and ignores
load-time columns, the publication history and the candidate's files the reference never had."""

from __future__ import annotations

import duckdb
import pytest

from scripts.fault_injection import Workspace, analytics_differences, raw_differences


def _warehouse(root, dukcapil_rows, report_rows, loaded_at="2025-01-01 08:00"):
    workspace = Workspace(root)
    workspace.warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(workspace.warehouse)) as connection:
        connection.execute("create schema raw")
        connection.execute(
            "create table raw.dukcapil (_source_file varchar, nik varchar, _loaded_at timestamp)"
        )
        for source_file, nik in dukcapil_rows:
            connection.execute(
                "insert into raw.dukcapil values (?, ?, ?)", [source_file, nik, loaded_at]
            )
    with duckdb.connect(str(workspace.analytics)) as connection:
        connection.execute("create table rpt_targeting (kelurahan varchar, families integer)")
        connection.executemany("insert into rpt_targeting values (?, ?)", report_rows)
        connection.execute("create table rpt_publications (published_at timestamp)")
        connection.execute("insert into rpt_publications values (?)", [loaded_at])
    return workspace


RAW = [
    ("dukcapil/2025-01/a.csv", "6171015708850001"),
    ("dukcapil/2025-01/a.csv", "6171015708850001"),
]
REPORT = [("BANGKA BELITUNG DARAT", 3)]


@pytest.fixture
def reference(tmp_path):
    return _warehouse(tmp_path / "reference", RAW, REPORT)


def test_identical_but_for_load_times_history_and_other_files(reference, tmp_path):
    other_file = ("dukcapil/2025-01/hostile.csv", "6171015708850009")
    candidate = _warehouse(
        tmp_path / "candidate", [*RAW, other_file], REPORT, loaded_at="2025-02-01 09:00"
    )
    assert raw_differences(reference, candidate) == []
    assert analytics_differences(reference, candidate) == []


def test_a_lost_duplicate_row_and_a_changed_figure_are_differences(reference, tmp_path):
    candidate = _warehouse(tmp_path / "candidate", RAW[:1], [("BANGKA BELITUNG DARAT", 4)])
    assert raw_differences(reference, candidate) == [
        "raw.dukcapil: 1 reference rows missing, 0 rows not in the reference"
    ]
    assert analytics_differences(reference, candidate) == [
        "main.rpt_targeting: 1 reference rows missing, 1 rows not in the reference"
    ]


def test_a_missing_table_is_a_difference(reference, tmp_path):
    candidate = _warehouse(tmp_path / "candidate", RAW, REPORT)
    with duckdb.connect(str(candidate.analytics)) as connection:
        connection.execute("drop table rpt_targeting")
    assert analytics_differences(reference, candidate) == ["main.rpt_targeting is missing"]
