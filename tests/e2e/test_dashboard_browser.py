"""The dashboard of the pipeline run renders in a real browser (headless Chromium): every chart drawn, no error,
for the city and for a kecamatan and a kelurahan chosen through the address."""

import duckdb
import pytest

from orchestration.dashboard.browser_check import check_dashboard

pytestmark = pytest.mark.e2e


def test_the_dashboard_renders_in_chromium(pipeline_run, chromium):
    assert pipeline_run.result.success, "the main job failed; see the log above"
    page = pipeline_run.root / "exports" / "dashboard" / "index.html"
    with duckdb.connect(str(pipeline_run.analytics), read_only=True) as connection:
        kecamatan, kelurahan = connection.execute(
            "select kecamatan_code, kelurahan_code from rpt_left_behind group by all order by count(*) desc limit 1"
        ).fetchone()
    for region in (None, kecamatan, kelurahan):
        report = check_dashboard(page, region, chromium)
        assert report.problems == [], report
        assert report.charts == 7
        if region:
            assert report.region == region


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
