"""Left-behind families in the open data: counts per kota, kecamatan and kelurahan, suppressed like the other CSVs,
consistent with the family-level report that never leaves the warehouse."""

import csv
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from orchestration.exports.open_data import REPORTS, SUPPRESSED_COLUMNS, SUPPRESSION_THRESHOLD

pytestmark = pytest.mark.e2e

TABLE = "rpt_left_behind_by_region"
REPORT = next(report for report in REPORTS if report.table == TABLE)


@pytest.fixture(scope="module")
def open_data(pipeline_run) -> Path:
    assert pipeline_run.result.success, "the main job failed; see the log above"
    return pipeline_run.root / "exports" / "open_data"


@pytest.fixture(scope="module")
def rows(open_data) -> list[dict[str, str]]:
    with (open_data / f"{TABLE}.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == [*REPORT.columns, SUPPRESSED_COLUMNS]
        return list(reader)


@pytest.fixture(scope="module")
def analytics(pipeline_run):
    with duckdb.connect(str(pipeline_run.analytics), read_only=True) as connection:
        yield connection


def test_every_period_has_the_kota_each_kecamatan_and_each_kelurahan(rows, analytics):
    periods = {period for (period,) in analytics.execute("select distinct period from fct_family_month").fetchall()}
    kelurahan = analytics.execute("select count(distinct kelurahan_code) from dim_region").fetchone()[0]
    kecamatan = analytics.execute("select count(distinct kecamatan_code) from dim_region").fetchone()[0]
    assert {row["period"] for row in rows} == periods
    for period in periods:
        levels = [row["region_level"] for row in rows if row["period"] == period]
        assert (levels.count("kota"), levels.count("kecamatan"), levels.count("kelurahan")) == (1, kecamatan, kelurahan)


def test_published_counts_are_the_family_level_reports(rows, analytics):
    # What is published equals rpt_left_behind counted per region (in the analytics file, never in open data).
    truth = defaultdict(lambda: [0, 0])
    for period, kecamatan, kelurahan, never in analytics.execute(
        "select period, kecamatan_code, kelurahan_code, last_assistance_date is null from rpt_left_behind"
    ).fetchall():
        for code in ("kota", kecamatan, kelurahan):
            truth[(period, code)][0] += 1
            truth[(period, code)][1] += never
    assert truth, "the sample must leave families behind for this test to mean anything"
    compared = 0
    for row in rows:
        code = "kota" if row["region_level"] == "kota" else row["region_code"]
        left_behind, never = truth[(row["period"], code)]
        if row["left_behind_families"] != "":
            assert int(row["left_behind_families"]) == left_behind, row
            compared += 1
        if row["never_assisted_families"] != "":
            assert int(row["never_assisted_families"]) == never, row
    assert compared > len(rows) / 2


def test_small_counts_are_suppressed_and_no_sum_gives_one_back(rows):
    suppressed = 0
    for row in rows:
        hidden = set(row[SUPPRESSED_COLUMNS].split())
        for column in REPORT.counts:
            if column in hidden:
                assert row[column] == ""
                suppressed += 1
            else:
                assert not 0 < int(row[column]) < SUPPRESSION_THRESHOLD, (column, row)
        # within a row: left_behind = never_assisted + assisted_before_window
        total, parts = REPORT.row_sums[0]
        assert sum(column in hidden for column in (total, *parts)) != 1, row
    assert suppressed > 0, "small data always has small counts: suppression did not happen"
    for column in REPORT.counts:
        sums = defaultdict(list)
        for row in rows:
            hidden = column in row[SUPPRESSED_COLUMNS].split()
            if row["region_level"] == "kota":
                sums[(row["period"], "kota")].append(hidden)
            elif row["region_level"] == "kecamatan":
                sums[(row["period"], "kota")].append(hidden)
                sums[(row["period"], row["kecamatan_code"])].append(hidden)
            else:
                sums[(row["period"], row["kecamatan_code"])].append(hidden)
        assert not [key for key, cells in sums.items() if sum(cells) == 1], column


def test_the_data_dictionary_documents_the_file(open_data):
    dictionary = (open_data / "README.md").read_text(encoding="utf-8")
    section = dictionary.split(f"## {TABLE}.csv", 1)[1].split("\n## ", 1)[0]
    assert "left behind" in section.lower()
    for column in REPORT.columns:
        line = next(line for line in section.splitlines() if line.startswith(f"- `{column}`:"))
        assert len(line) > len(f"- `{column}`: ") + 5, f"{column} has no description"
    assert "ekstrem_families` of rpt_basic_needs_coverage.csv" in section
