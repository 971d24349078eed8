"""The open-data suppression rule: small counts, the cells that would give them back, and what is computed from them."""

import csv

import duckdb
import pytest

from orchestration.exports.common import TEMPORARY_PREFIX
from orchestration.exports.open_data import (
    REPORTS,
    SUPPRESSED_COLUMNS,
    OpenDataRefused,
    OpenDataReport,
    export_open_data,
    suppress,
    write_report,
)

SIMPLE = OpenDataReport(
    table="rpt_simple",
    keys=("region",),
    counts=("need_families", "met_families", "unmet_families"),
    derived={"coverage": ("met_families", "need_families")},
)
WITH_SUM = OpenDataReport(
    table="rpt_simple",
    keys=("region",),
    counts=SIMPLE.counts,
    derived=SIMPLE.derived,
    row_sums=(("need_families", ("met_families", "unmet_families")),),
)


def _report(table: str) -> OpenDataReport:
    return next(report for report in REPORTS if report.table == table)


def _row(need, met, unmet, region="a"):
    return {
        "region": region,
        "need_families": need,
        "met_families": met,
        "unmet_families": unmet,
        "coverage": met / need if need and met is not None else None,
    }


@pytest.mark.parametrize(
    ("count", "suppressed"),
    [(0, False), (1, True), (4, True), (5, False), (120, False), (None, False)],
)
def test_counts_from_1_to_4_are_suppressed_and_0_and_5_are_not(count, suppressed):
    hidden = suppress(SIMPLE, [_row(100, count, None)])[0]
    assert ("met_families" in hidden) is suppressed
    assert ("coverage" in hidden) is suppressed
    assert "need_families" not in hidden


def test_a_share_is_suppressed_when_its_denominator_is():
    hidden = suppress(SIMPLE, [_row(3, 0, 3)])[0]
    assert hidden == {"need_families", "unmet_families", "coverage"}


def test_a_suppressed_part_of_a_published_total_takes_a_second_part_with_it():
    # need 12 = met 3 + unmet 9: without a second suppression, unmet and need would give met back.
    hidden = suppress(WITH_SUM, [_row(12, 3, 9)])[0]
    assert hidden == {"met_families", "unmet_families", "coverage"}
    assert "need_families" not in hidden


def test_a_suppressed_total_takes_the_smallest_positive_part_with_it():
    # need 4 = met 0 + unmet 4 is already two unknowns (need and unmet); need 4 = met 1 + unmet 3 three.
    assert suppress(WITH_SUM, [_row(4, 0, 4)])[0] == {"need_families", "unmet_families", "coverage"}
    report = OpenDataReport(
        table="t", keys=("region",), counts=("total", "a", "b"), row_sums=(("total", ("a", "b")),)
    )
    # total 3 is small; a = 0 and b = 3 (small too): nothing else to hide. total 4 with parts 0 and 4: both hidden.
    assert suppress(report, [{"region": "x", "total": 3, "a": 0, "b": 3}])[0] == {"total", "b"}
    # A small total whose parts are published (2 = 0 + 2 is already two; 7 + 9 = 16 only when one part is small).
    hidden = suppress(report, [{"region": "x", "total": 16, "a": 7, "b": 9}])[0]
    assert hidden == set()


def _region_row(level, code, kecamatan, **values):
    """A row of a region report (kota 61.71, kecamatan 61.71.xx, kelurahan 61.71.xx.xxxx) in period 2025-12."""
    return {
        "period": "2025-12",
        "region_level": level,
        "region_code": code,
        "region_name": code,
        "kecamatan_code": kecamatan,
        "kecamatan_name": kecamatan,
        "kelurahan_code": code if level == "kelurahan" else None,
        "kelurahan_name": code if level == "kelurahan" else None,
        **values,
    }


def _coverage_rows(values):
    """kota 61.71 with kecamatan 01 (kelurahan 1001, 1002) and 02 (kelurahan 2001), one need, one period."""
    return [
        _region_row(
            level,
            code,
            kecamatan,
            need="air",
            responsible_agency="PDAM",
            responsible_agency_code="PDAM",
            ekstrem_families=count,
            need_families=count,
            met_families=0,
            unmet_families=count,
            coverage=0.0 if count else None,
        )
        for level, code, kecamatan, count in values
    ]


def _hidden_by_region(values) -> dict[str, set[str]]:
    rows = _coverage_rows(values)
    hidden = suppress(_report("rpt_basic_needs_coverage"), rows)
    return {row["region_code"]: columns for row, columns in zip(rows, hidden, strict=True)}


def test_region_hierarchy_never_leaves_a_single_suppressed_cell_in_a_sum():
    by_code = _hidden_by_region(
        [
            ("kota", "61.71", None, 20),
            ("kecamatan", "61.71.01", "61.71.01", 12),
            ("kecamatan", "61.71.02", "61.71.02", 8),
            ("kelurahan", "61.71.01.1001", "61.71.01", 9),
            ("kelurahan", "61.71.01.1002", "61.71.01", 3),
            ("kelurahan", "61.71.02.2001", "61.71.02", 8),
        ]
    )
    # 1002 (3) is small; 12 = 9 + 3 would give it back, so 1001 (9) goes too. Kota 20 = 12 + 8 has no suppression.
    assert "ekstrem_families" in by_code["61.71.01.1002"]
    assert "ekstrem_families" in by_code["61.71.01.1001"]
    assert "ekstrem_families" not in by_code["61.71.01"]
    assert "ekstrem_families" not in by_code["61.71"]
    assert "ekstrem_families" not in by_code["61.71.02.2001"]


def test_a_small_kecamatan_is_protected_at_kota_level_too():
    by_code = _hidden_by_region(
        [
            ("kota", "61.71", None, 14),
            ("kecamatan", "61.71.01", "61.71.01", 4),
            ("kecamatan", "61.71.02", "61.71.02", 10),
            ("kelurahan", "61.71.01.1001", "61.71.01", 4),
            ("kelurahan", "61.71.02.2001", "61.71.02", 10),
        ]
    )
    assert "ekstrem_families" in by_code["61.71.01"]
    # 14 - 10 would give kecamatan 01 back: kecamatan 02 goes, and then its only kelurahan (10 = 10) with it.
    assert "ekstrem_families" in by_code["61.71.02"]
    assert "ekstrem_families" in by_code["61.71.02.2001"]
    assert "ekstrem_families" not in by_code["61.71"]


def test_shares_of_a_group_total_are_all_suppressed_when_one_part_is():
    report = _report("rpt_partner_contribution")
    rows = [
        {
            "period": "2025-12",
            "pentahelix_sector": sector,
            "category": "pangan",
            "agencies": 1,
            "families_reached": families,
            "persons_reached": families,
            "deliveries": families,
            "deliveries_without_family": 0,
            "amount_idr": 1000 * families,
            "amount_share_of_category": families / 103,
            "delivery_share_of_category": families / 103,
        }
        for sector, families in (("PEMERINTAH", 100), ("KOMUNITAS", 3))
    ]
    hidden = suppress(report, rows)
    for columns in hidden:
        assert {"amount_share_of_category", "delivery_share_of_category"} <= columns
    assert "amount_idr" in hidden[1] and "amount_idr" not in hidden[0]


def test_a_difference_row_loses_what_its_groups_lose():
    report = _report("rpt_impact")
    base = {"baseline_period": "2025-01", "evaluation_period": "2025-12", "category": "pangan"}
    rows = [
        {
            **base,
            "intervention_group": "intervened",
            "poor_families_at_baseline": 3,
            "followed_families": 3,
            "lost_families": 0,
            "better_desil_families": 1,
            "graduated_families": 0,
            "better_desil_share": 1 / 3,
            "graduated_share": 0.0,
            "mean_unmet_change": -1.0,
            "mean_desil_change": 0.3,
        },
        {
            **base,
            "intervention_group": "not_intervened",
            "poor_families_at_baseline": 50,
            "followed_families": 50,
            "lost_families": 0,
            "better_desil_families": 10,
            "graduated_families": 5,
            "better_desil_share": 0.2,
            "graduated_share": 0.1,
            "mean_unmet_change": -0.2,
            "mean_desil_change": 0.1,
        },
        {
            **base,
            "intervention_group": "difference",
            "poor_families_at_baseline": None,
            "followed_families": None,
            "lost_families": None,
            "better_desil_families": None,
            "graduated_families": None,
            "better_desil_share": 1 / 3 - 0.2,
            "graduated_share": -0.1,
            "mean_unmet_change": -0.8,
            "mean_desil_change": 0.2,
        },
    ]
    hidden = suppress(report, rows)
    assert {
        "better_desil_share",
        "graduated_share",
        "mean_unmet_change",
        "mean_desil_change",
    } <= hidden[2]
    assert not {"better_desil_share", "mean_unmet_change"} & hidden[1]


def _database():
    connection = duckdb.connect()
    connection.execute(
        "create table rpt_simple as select * from (values ('a', 10, 3, 7, 0.3), ('b', 0, 0, 0, null), "
        "('c', 20, 15, 5, 0.75)) as t(region, need_families, met_families, unmet_families, coverage)"
    )
    return connection


def test_the_csv_leaves_suppressed_cells_empty_and_names_them(tmp_path):
    written = write_report(_database(), WITH_SUM, tmp_path)
    with written.path.open(encoding="utf-8") as handle:
        rows = {row["region"]: row for row in csv.DictReader(handle)}
    assert rows["a"]["met_families"] == "" and rows["a"]["coverage"] == ""
    assert rows["a"][SUPPRESSED_COLUMNS] == "met_families unmet_families coverage"
    # Empty because not applicable, not because suppressed.
    assert rows["b"]["coverage"] == "" and rows["b"][SUPPRESSED_COLUMNS] == ""
    assert rows["c"]["met_families"] == "15" and rows["c"]["coverage"] == "0.75"
    assert written.rows == 3 and written.suppressed_cells == 3
    assert not list(tmp_path.glob(f"{TEMPORARY_PREFIX}*"))


def test_a_column_nobody_classified_stops_the_export(tmp_path):
    connection = _database()
    connection.execute("alter table rpt_simple add column head_of_family_name varchar")
    with pytest.raises(OpenDataRefused, match="head_of_family_name"):
        write_report(connection, WITH_SUM, tmp_path)
    assert not (tmp_path / "rpt_simple.csv").exists()


def test_family_level_reports_are_never_open_data():
    tables = {report.table for report in REPORTS}
    assert "rpt_extreme_poverty_cases" not in tables and "rpt_left_behind" not in tables


def test_export_removes_a_csv_of_a_report_no_longer_published(tmp_path, monkeypatch):
    import orchestration.exports.open_data as module

    connection = _database()
    connection.execute("comment on table rpt_simple is 'A test report.'")
    monkeypatch.setattr(module, "REPORTS", (WITH_SUM,))
    (tmp_path / "rpt_gone.csv").write_text("old")
    export_open_data(connection, tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["README.md", "rpt_simple.csv"]
    assert "A test report." in (tmp_path / "README.md").read_text()


def _left_behind_rows(values):
    """Left-behind counts (left_behind, never_assisted) per region, as rpt_left_behind_by_region has them."""
    return [
        _region_row(
            level,
            code,
            kecamatan,
            ekstrem_families=100,
            left_behind_families=left_behind,
            never_assisted_families=never,
            assisted_before_window_families=left_behind - never,
            left_behind_share=left_behind / 100,
        )
        for level, code, kecamatan, left_behind, never in values
    ]


def test_left_behind_families_are_suppressed_like_the_other_region_counts():
    report = _report("rpt_left_behind_by_region")
    rows = _left_behind_rows(
        [
            ("kota", "61.71", None, 30, 20),
            ("kecamatan", "61.71.01", "61.71.01", 12, 12),
            ("kecamatan", "61.71.02", "61.71.02", 18, 8),
            ("kelurahan", "61.71.01.1001", "61.71.01", 9, 9),
            ("kelurahan", "61.71.01.1002", "61.71.01", 3, 3),
            ("kelurahan", "61.71.02.2001", "61.71.02", 18, 8),
        ]
    )
    hidden = {row["region_code"]: columns for row, columns in zip(rows, suppress(report, rows), strict=True)}
    # 1002 has 3 left behind (all never assisted): small. Its kecamatan's 12 = 9 + 3 would give it back, so 1001 goes
    # too, for both counts; assisted_before_window 0 stays (a 0 discloses nothing and the row sum is then known).
    assert {"left_behind_families", "never_assisted_families"} <= hidden["61.71.01.1002"]
    assert {"left_behind_families", "never_assisted_families"} <= hidden["61.71.01.1001"]
    assert not hidden["61.71.01"] and not hidden["61.71"]
    # Within a row: 2001 has 18 = 8 never + 10 before the window, nothing small.
    assert not hidden["61.71.02.2001"]


def test_left_behind_before_the_window_is_protected_by_its_row_sum():
    report = _report("rpt_left_behind_by_region")
    rows = _left_behind_rows([("kelurahan", "61.71.01.1001", "61.71.01", 12, 10)])
    # 12 = 10 never assisted + 2 before the window: 2 is small, and 12 - 10 would give it back.
    assert suppress(report, rows)[0] == {"assisted_before_window_families", "never_assisted_families"}


def _left_behind_table() -> duckdb.DuckDBPyConnection:
    """An in-memory rpt_left_behind_by_region holding one city row: 30 left behind, 20 of them never assisted."""
    rows = _left_behind_rows([("kota", "61.71", None, 30, 20)])
    connection = duckdb.connect()
    connection.execute(
        "create table rpt_left_behind_by_region as select * from (values "
        f"({', '.join('?' for _ in rows[0])})) as t({', '.join(rows[0])})",
        list(rows[0].values()),
    )
    return connection


def test_the_left_behind_csv_leaves_out_the_ekstrem_count_and_the_dictionary_says_where_it_is(tmp_path, monkeypatch):
    import orchestration.exports.open_data as module

    report = _report("rpt_left_behind_by_region")
    connection = _left_behind_table()
    connection.execute("comment on table rpt_left_behind_by_region is 'Left-behind families per region.'")
    monkeypatch.setattr(module, "REPORTS", (report,))
    export_open_data(connection, tmp_path)
    with (tmp_path / "rpt_left_behind_by_region.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        (row,) = list(reader)
    assert "ekstrem_families" not in reader.fieldnames and "left_behind_share" not in reader.fieldnames
    assert row["left_behind_families"] == "30" and row["assisted_before_window_families"] == "10"
    dictionary = (tmp_path / "README.md").read_text()
    assert "Left-behind families per region." in dictionary
    assert "ekstrem_families` of rpt_basic_needs_coverage.csv" in dictionary


def test_the_dictionary_gives_the_full_description_from_the_analytics_files_data_dictionary(tmp_path, monkeypatch):
    import orchestration.exports.open_data as module
    from orchestration.publishing import DATA_DICTIONARY

    connection = _left_behind_table()
    # As publish_analytics leaves them: the comment is the first sentence, the dictionary has the rest.
    connection.execute("comment on table rpt_left_behind_by_region is 'Left-behind families per region.'")
    connection.execute(f"create table {DATA_DICTIONARY} (table_name varchar, column_name varchar, description varchar)")
    connection.execute(
        f"insert into {DATA_DICTIONARY} values "
        "('rpt_left_behind_by_region', null, 'Left-behind families per region. Zeros where nobody is counted.'), "
        "('rpt_left_behind_by_region', 'left_behind_families', 'Families left behind. Any programme, any member.')"
    )
    monkeypatch.setattr(module, "REPORTS", (_report("rpt_left_behind_by_region"),))
    export_open_data(connection, tmp_path)

    dictionary = (tmp_path / "README.md").read_text()
    assert "Left-behind families per region. Zeros where nobody is counted." in dictionary
    assert "- `left_behind_families`: Families left behind. Any programme, any member." in dictionary
