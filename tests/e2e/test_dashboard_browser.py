"""The dashboard of the pipeline run renders and reads in a real browser (headless Chromium): every chart drawn, no
error, no legend over a label, no label cut, on a phone (360 px) and on a desktop (1400 px), for the city and for a
kecamatan and a kelurahan chosen through the address; an unknown region in the address says so."""

import struct

import duckdb
import plotly.graph_objects as go
import pytest

from orchestration.dashboard.browser_check import WIDTHS, check_dashboard
from orchestration.dashboard.build import CITY_CHARTS, REGIONAL_CHARTS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dashboard(pipeline_run):
    assert pipeline_run.result.success, "the main job failed; see the log above"
    return pipeline_run.root / "exports" / "dashboard" / "index.html"


@pytest.fixture(scope="module")
def regions(pipeline_run) -> dict[str, str]:
    """The city, and the kecamatan and kelurahan with the most families left behind."""
    with duckdb.connect(str(pipeline_run.analytics), read_only=True) as connection:
        (kota,) = connection.execute(
            "select region_code from rpt_basic_needs_coverage where region_level = 'kota' limit 1"
        ).fetchone()
        kecamatan, kelurahan = connection.execute(
            "select kecamatan_code, kelurahan_code from rpt_left_behind group by all order by count(*) desc limit 1"
        ).fetchone()
    return {"kota": kota, "kecamatan": kecamatan, "kelurahan": kelurahan}


def _png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("width", WIDTHS)
def test_the_city_dashboard_reads_at_phone_and_desktop_width(
    dashboard, regions, chromium, tmp_path, width
):
    screenshot = tmp_path / f"dashboard-{width}.png"
    report = check_dashboard(dashboard, chromium=chromium, width=width, screenshot=screenshot)
    assert report.problems == [], report
    assert report.charts == 7 and report.layout_problems == []
    assert report.region == regions["kota"] and report.region_message is None
    picture_width, picture_height = _png_size(screenshot)
    # The whole page, not only the first screen of it.
    assert picture_width == width and picture_height > 7 * 400


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("level", ["kecamatan", "kelurahan"])
def test_a_region_chosen_in_the_address_reads_too(dashboard, regions, chromium, width, level):
    report = check_dashboard(dashboard, regions[level], chromium, width=width)
    assert report.problems == [], report
    assert report.charts == 7
    assert report.region == regions[level] and report.region_message is None


def test_charts_refit_when_the_window_narrows(dashboard, chromium):
    """Opened on a desktop, then narrowed to a phone's width: the titles are wrapped and the margins made again."""
    report = check_dashboard(dashboard, chromium=chromium, width=360, opened_at=1400)
    assert report.problems == [], report


def test_an_unknown_region_says_so_and_shows_the_city(dashboard, regions, chromium):
    report = check_dashboard(dashboard, "9999", chromium, width=360)
    assert report.problems == [], report
    assert report.region == regions["kota"]
    assert report.region_message is not None
    assert '"9999" tidak ditemukan' in report.region_message
    assert "Kota Pontianak" in report.region_message


def test_the_check_catches_a_broken_page(tmp_path, chromium):
    page = tmp_path / "broken.html"
    page.write_text(
        '<html><body><pre id="page-errors" hidden></pre><div class="chart"></div>'
        "<script>window.addEventListener('error', function (e) {"
        "document.getElementById('page-errors').textContent += e.message + '\\n'; });</script>"
        "<script>document.body.setAttribute('data-charts-rendered', '0/1'); notAFunction();</script></body></html>",
        encoding="utf-8",
    )
    report = check_dashboard(page, chromium=chromium)
    assert report.charts == 1 and report.charts_drawn == 0
    assert any("notAFunction" in error for error in report.page_errors)
    assert any("notAFunction" in error for error in report.console_errors)
    assert len(report.problems) == 3


def test_the_check_catches_charts_drawn_without_the_pages_theme(dashboard, chromium, tmp_path):
    """The page holds the charts' theme once and each chart takes it when drawn: a page that forgot to hand it over
    would draw every chart in plotly's default look."""
    page = dashboard.read_text(encoding="utf-8")
    handing_over = "figure.layout.template = payload.template;"
    assert page.count(handing_over) == 1
    unthemed = tmp_path / "unthemed.html"
    unthemed.write_text(page.replace(handing_over, ""), encoding="utf-8")
    report = check_dashboard(unthemed, chromium=chromium, width=1400)
    assert report.charts_drawn == 7 and report.page_errors == []
    assert sorted(problem.split(":")[0] for problem in report.layout_problems) == sorted(
        f"chart-{chart}" for chart, _title in (*REGIONAL_CHARTS, *CITY_CHARTS)
    ), report
    assert all("drawn without the page's theme" in problem for problem in report.layout_problems)


def test_the_check_catches_a_legend_on_the_labels_and_a_cut_title(tmp_path, chromium):
    """The dashboard's old layout: a legend at a fixed distance under the plot, where turned tick labels also go,
    and a title that plotly does not wrap."""
    categories = [f"Program nomor {number} yang panjang" for number in range(8)]
    figure = go.Figure(
        [go.Bar(x=categories, y=list(range(8)), name=f"Seri {series}") for series in range(2)],
        layout={
            "title": {
                "text": "Judul yang terlalu panjang untuk layar ponsel, yang tidak dibungkus oleh plotly"
            },
            "legend": {"orientation": "h", "y": -0.18},
            "xaxis": {"tickangle": -30},
            "margin": {"b": 70},
            "height": 420,
        },
    )
    page = tmp_path / "legend.html"
    page.write_text(
        figure.to_html(
            include_plotlyjs=True,
            div_id="chart-bad",
            post_script="document.body.setAttribute('data-charts-rendered', '1/1');",
        ),
        encoding="utf-8",
    )
    report = check_dashboard(page, chromium=chromium, width=360)
    assert report.page_errors == [] and report.layout_problems
    assert any(
        problem.startswith("chart-bad: the legend covers") for problem in report.layout_problems
    ), report
    assert any("chart-bad: title" in problem for problem in report.layout_problems), report
    assert any(problem.startswith("layout at 360 px") for problem in report.problems)
