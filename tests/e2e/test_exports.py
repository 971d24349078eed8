"""The exports and the dashboard of one pipeline run: complete, consistent with the warehouse, and private."""

import csv
import json
import re
import zipfile
from collections import defaultdict
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from python_calamine import CalamineWorkbook

from orchestration.definitions import defs
from orchestration.exports.common import TEMPORARY_PREFIX
from orchestration.exports.kelurahan import (
    BACKLOG_SHEET,
    CASE_COLUMNS,
    CASES_SHEET,
    COVERAGE_SHEET,
    NEED_LABELS,
    PROGRESS_COLUMNS,
    PROGRESS_SHEET,
    slug,
)
from orchestration.exports.open_data import REPORTS, SUPPRESSED_COLUMNS, SUPPRESSION_THRESHOLD
from tests.serving.test_formula_injection import scan_for_formulas
from tests.serving.test_print_layout import assert_prints_on_a4, number_cells

pytestmark = pytest.mark.e2e

# A 16-digit number (NIK or KK number) on its own: not digits inside a hexadecimal pseudonymous key or a decimal.
SIXTEEN_DIGITS = re.compile(r"(?<![0-9A-Za-z.])\d{16}(?![0-9A-Za-z.])")
HEADER_ROW = 4


@pytest.fixture(scope="module")
def run(pipeline_run):
    assert pipeline_run.result.success, "the main job failed; see the log above"
    return pipeline_run


@pytest.fixture(scope="module")
def exports(run) -> Path:
    return run.root / "exports"


@pytest.fixture(scope="module")
def warehouse(run):
    with duckdb.connect(str(run.warehouse), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def analytics(run):
    with duckdb.connect(str(run.analytics), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def secrets(warehouse) -> tuple[set[str], set[str]]:
    """NIK and KK numbers, and full names (two words or more), of the restricted file."""
    numbers = {
        number
        for (number,) in warehouse.execute(
            "select nik from pii.person_identities where nik is not null union "
            "select kk_number from pii.family_identities where kk_number is not null"
        ).fetchall()
    }
    names = {
        name
        for (name,) in warehouse.execute(
            "select full_name from pii.person_identities union select head_of_family_name from pii.family_identities"
        ).fetchall()
        if name and " " in name.strip() and len(name) >= 8
    }
    assert len(numbers) > 1000 and len(names) > 1000
    return numbers, names


def _assert_private(text: str, secrets, where: str) -> None:
    numbers, names = secrets
    assert not SIXTEEN_DIGITS.search(text), f"a 16-digit number in {where}"
    assert not [number for number in numbers if number in text], f"a NIK or KK number in {where}"
    leaked = [name for name in names if name in text]
    assert not leaked, f"person names in {where}: {leaked[:3]}"


def test_every_asset_of_the_serving_group_materialized(run):
    materialized = {event.asset_key for event in run.result.get_asset_materialization_events()}
    serving = {spec.key for spec in defs.resolve_all_asset_specs() if spec.group_name == "serving"}
    assert dg.AssetKey(["exports", "dashboard"]) in serving
    assert serving <= materialized


def _workbook(exports: Path, name: str, period: str) -> Path:
    return exports / "kelurahan" / slug(name) / f"daftar_kasus_{slug(name)}_{period}.xlsx"


def _sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_each_kelurahan_workbook_lists_exactly_its_cases(exports, warehouse):
    period = warehouse.execute("select max(period) from pii.case_list").fetchone()[0]
    kelurahan = warehouse.execute(
        "select distinct kelurahan_code, kelurahan_name from main.dim_region where kelurahan_code is not null"
    ).fetchall()
    cases = defaultdict(list)
    for code, kk_number, name in warehouse.execute(
        "select kelurahan_code, kk_number, head_of_family_name from pii.case_list where period = ?",
        [period],
    ).fetchall():
        cases[code].append((kk_number, name))
    assert sum(map(len, cases.values())) > 20
    for code, name in kelurahan:
        path = _workbook(exports, name, period)
        assert path.exists(), f"no workbook for {name}"
        rows = _sheet(path, CASES_SHEET)
        assert name in rows[0][0] and period in rows[0][0]
        header = rows[HEADER_ROW]
        listed = [
            (row[header.index("Nomor KK")], row[header.index("Nama Kepala Keluarga")])
            for row in rows[HEADER_ROW + 1 :]
        ]
        assert sorted(listed) == sorted(cases[code]), name


def test_the_backlog_is_the_complement_of_the_verified_families(exports, warehouse):
    rows = warehouse.execute(
        "select kelurahan_name, period, poor_families - verified_families from main.rpt_verification_progress "
        "where period = (select max(period) from main.rpt_verification_progress)"
    ).fetchall()
    assert sum(backlog for *_, backlog in rows) > 0
    for name, period, backlog in rows:
        path = _workbook(exports, name, period)
        form = _sheet(path, BACKLOG_SHEET)
        header = next(index for index, row in enumerate(form) if row[:2] == ["NO", "NO KK"])
        assert len(form) - header - 1 == backlog, name
        progress = _sheet(path, PROGRESS_SHEET)
        assert progress[-1][0] == period


def test_workbooks_are_formatted_for_people(exports, warehouse):
    period, name = warehouse.execute(
        "select period, kelurahan_name from pii.case_list order by period desc, kelurahan_name limit 1"
    ).fetchone()
    path = _workbook(exports, name, period)
    book = CalamineWorkbook.from_path(str(path))
    # The verification form first: the sheet ingestion reads when the workbook comes back.
    assert book.sheet_names == [BACKLOG_SHEET, CASES_SHEET, PROGRESS_SHEET, COVERAGE_SHEET]
    cases = _sheet(path, CASES_SHEET)
    header = cases[HEADER_ROW]
    assert {
        "Nama Kepala Keluarga",
        "Alamat",
        "RW",
        "RT",
        "Kebutuhan Dasar Belum Terpenuhi",
        "Instansi Penanggung Jawab",
    } <= set(header)
    needs = {
        need
        for row in cases[HEADER_ROW + 1 :]
        for need in row[header.index("Kebutuhan Dasar Belum Terpenuhi")].split(", ")
        if need
    }
    assert needs and needs <= {
        "Pangan",
        "Rumah Layak",
        "Air Bersih",
        "Sanitasi",
        "Jaminan Sosial",
        "Kesehatan",
    }
    coverage = _sheet(path, COVERAGE_SHEET)
    assert "Air Bersih: Cakupan" in coverage[3]
    assert coverage[-1][0] == "Total kelurahan"
    with zipfile.ZipFile(path) as archive:
        for index in range(1, 5):
            sheet = archive.read(f"xl/worksheets/sheet{index}.xml").decode()
            assert 'state="frozen"' in sheet and "<cols>" in sheet
    assert not list((exports / "kelurahan").rglob(f"{TEMPORARY_PREFIX}*"))


def test_every_workbook_prints_on_a4_with_counts_as_numbers(exports, warehouse):
    kelurahan = sorted((exports / "kelurahan").rglob("*.xlsx"))
    feedback = sorted((exports / "feedback").rglob("*.xlsx"))
    assert kelurahan and feedback
    for path in kelurahan + feedback:
        assert_prints_on_a4(path)
    period, name = warehouse.execute(
        "select period, kelurahan_name from pii.case_list order by period desc, kelurahan_name limit 1"
    ).fetchone()
    path = _workbook(exports, name, period)
    for sheet, columns in ((CASES_SHEET, CASE_COLUMNS), (PROGRESS_SHEET, PROGRESS_COLUMNS)):
        for column in columns:
            if column.style in ("number", "percent"):
                values = number_cells(path, sheet, column.header)
                assert all(isinstance(value, int | float) for value in values), (sheet, column)
    assert number_cells(path, CASES_SHEET, "Jumlah Anggota") and number_cells(path, PROGRESS_SHEET, "Keluarga Miskin")
    rows = [number_cells(workbook, "Baris Karantina", "Nomor baris") for workbook in feedback]
    assert any(rows) and all(isinstance(value, int) for values in rows for value in values)


def test_every_report_has_a_parquet_file_with_the_same_rows(exports, analytics, secrets):
    from orchestration.revisions import HISTORY_TABLES

    tables = [
        name
        for (name,) in analytics.execute(
            "select table_name from duckdb_tables() where table_name like 'rpt_%'"
        ).fetchall()
        if name not in HISTORY_TABLES  # the publication history lives in the analytics file only
    ]
    assert len(tables) >= 9
    with duckdb.connect() as reader:
        for table in tables:
            path = exports / "parquet" / f"{table}.parquet"
            expected = analytics.execute(f'select count(*) from "{table}"').fetchone()[0]
            assert reader.execute(f"select count(*) from '{path}'").fetchone()[0] == expected, table
            text_columns = [
                name
                for name, kind, *_ in reader.execute(f"describe select * from '{path}'").fetchall()
                if kind == "VARCHAR"
            ]
            values = (
                reader.execute(
                    f"select string_agg(concat_ws('|', {', '.join(text_columns)}), chr(10)) from '{path}'"
                ).fetchone()[0]
                or ""
            )
            _assert_private(values, secrets, path.name)


def _open_data(exports: Path, table: str) -> list[dict[str, str]]:
    with (exports / "open_data" / f"{table}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_no_open_data_count_is_below_the_threshold(exports, secrets):
    suppressed = 0
    for report in REPORTS:
        rows = _open_data(exports, report.table)
        assert rows, report.table
        for row in rows:
            hidden = set(row[SUPPRESSED_COLUMNS].split())
            for column in report.counts:
                if row[column] != "":
                    assert not 0 < float(row[column]) < SUPPRESSION_THRESHOLD, (
                        report.table,
                        column,
                        row,
                    )
                else:
                    suppressed += column in hidden
            for column, sources in report.derived.items():
                if hidden & set(sources):
                    assert row[column] == "", (report.table, column)
        _assert_private(
            (exports / "open_data" / f"{report.table}.csv").read_text(encoding="utf-8"),
            secrets,
            report.table,
        )
    assert suppressed > 0, "small data always has small counts: suppression did not happen"
    assert {path.name for path in (exports / "open_data").glob("*.csv")} == {
        f"{r.table}.csv" for r in REPORTS
    }


def test_open_data_region_sums_never_leave_one_suppressed_cell(exports):
    rows = _open_data(exports, "rpt_basic_needs_coverage")
    assert {row["region_level"] for row in rows} == {"kota", "kecamatan", "kelurahan"}
    report = next(report for report in REPORTS if report.table == "rpt_basic_needs_coverage")
    for column in report.counts:
        sums = defaultdict(list)
        for row in rows:
            hidden = column in row[SUPPRESSED_COLUMNS].split()
            key = (row["period"], row["need"])
            if row["region_level"] == "kota":
                sums[(*key, "kota")].append(hidden)
            elif row["region_level"] == "kecamatan":
                sums[(*key, "kota")].append(hidden)
                sums[(*key, row["kecamatan_code"])].append(hidden)
            else:
                sums[(*key, row["kecamatan_code"])].append(hidden)
        assert not [key for key, cells in sums.items() if sum(cells) == 1], column


def test_the_dashboard_has_every_chart_for_every_region_and_nothing_personal(
    exports, analytics, secrets
):
    from plotly.offline import get_plotlyjs

    from orchestration.dashboard.build import CITY_CHARTS, REGIONAL_CHARTS

    page = (exports / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert page.count(get_plotlyjs()) == 1
    assert "<script src=" not in page and "<link " not in page, (
        "the page must not load anything from elsewhere"
    )
    own = page.replace(get_plotlyjs(), "")
    for chart, title in (*REGIONAL_CHARTS, *CITY_CHARTS):
        assert f'id="chart-{chart}"' in own and title in own
    payload = json.loads(
        re.search(
            r'<script type="application/json" id="dashboard-data">(.*?)</script>', own, re.DOTALL
        ).group(1)
    )
    regions = analytics.execute(
        "select count(distinct region_code) from rpt_basic_needs_coverage "
        "where region_level in ('kota', 'kecamatan', 'kelurahan')"
    ).fetchone()[0]
    assert len(payload["regional"]) == regions == 1 + 6 + 29
    for figures in payload["regional"].values():
        assert set(figures) == {chart for chart, _ in REGIONAL_CHARTS}
        assert all(figure["data"] for figure in figures.values())
    assert set(payload["city"]) == {chart for chart, _ in CITY_CHARTS}
    # the charts' theme once for the page, not once per figure
    assert payload["template"]["layout"]["font"]
    figures = [*payload["city"].values(), *(f for region in payload["regional"].values() for f in region.values())]
    assert len(figures) == regions * len(REGIONAL_CHARTS) + len(CITY_CHARTS)
    assert not any("template" in figure["layout"] for figure in figures)
    assert "Air Bersih" in own and "Kelurahan" in own
    _assert_private(own, secrets, "the dashboard")


def test_dashboard_figures_add_up_to_the_reports(exports, analytics):
    page = (exports / "dashboard" / "index.html").read_text(encoding="utf-8")
    payload = json.loads(
        re.search(
            r'<script type="application/json" id="dashboard-data">(.*?)</script>', page, re.DOTALL
        ).group(1)
    )
    by_region = defaultdict(int)
    for kecamatan, kelurahan, families in analytics.execute(
        "select kecamatan_code, kelurahan_code, count(*) from rpt_left_behind "
        "where period = (select max(period) from rpt_verification_progress) group by all"
    ).fetchall():
        by_region[payload["default_region"]] += families
        by_region[kecamatan] += families
        by_region[kelurahan] += families
    assert by_region[payload["default_region"]] > 0
    for region, figures in payload["regional"].items():
        left_behind = figures["tertinggal"]["data"][0]["y"]
        assert left_behind[-1] == by_region.get(region, 0), region
    coverage = analytics.execute(
        "select need, coverage from rpt_basic_needs_coverage where region_level = 'kota' "
        "and period = (select max(period) from rpt_verification_progress) order by need"
    ).fetchall()
    bars = payload["regional"][payload["default_region"]]["cakupan"]["data"][0]
    drawn = dict(zip(bars["y"], bars["x"], strict=True))
    for need, share in coverage:
        assert drawn[NEED_LABELS[need]] == (None if share is None else pytest.approx(share, abs=1e-4))


def test_dashboard_titles_state_their_figures_programmes_have_names_and_empty_steps_show(
    exports, analytics
):
    page = (exports / "dashboard" / "index.html").read_text(encoding="utf-8")
    payload = json.loads(
        re.search(
            r'<script type="application/json" id="dashboard-data">(.*?)</script>', page, re.DOTALL
        ).group(1)
    )
    empty_steps = 0
    for region, figures in payload["regional"].items():
        left_behind = figures["tertinggal"]["data"][0]["y"][-1]
        title = figures["tertinggal"]["layout"]["title"]["text"]
        assert title.startswith(
            f"{left_behind:,} dari ".replace(",", ".")
            if left_behind
            else "Tidak ada keluarga miskin ekstrem"
        ), (region, title)
        bars, markers = figures["pemberdayaan"]["data"]
        zero = [step for step, count in zip(bars["y"], bars["x"], strict=True) if count == 0]
        assert list(markers["y"]) == zero and all(text.startswith("0") for text in markers["text"])
        empty_steps += len(zero)
    assert empty_steps > 0, "the run has no empty funnel step to show"
    programmes = dict(
        analytics.execute(
            "select distinct program_code, program_name from rpt_targeting"
        ).fetchall()
    )
    labels = payload["city"]["sasaran"]["data"][0]["y"]
    assert labels and not set(labels) & set(programmes)
    assert all(any(label.startswith(name) for name in programmes.values()) for label in labels)


def test_a_run_leaves_no_temporary_and_no_cell_that_could_become_a_formula(run, exports):
    assert sorted(run.root.joinpath("exports").rglob(f"{TEMPORARY_PREFIX}*")) == []
    assert sorted(run.root.joinpath("warehouse").rglob(f"{TEMPORARY_PREFIX}*")) == []
    seen, dangerous = scan_for_formulas(exports)
    assert seen > 0 and dangerous == []
