"""The Data Docs work without a network: no page references one, and headless Chromium with the network off opens
the index with every validation listed and a validation page with its pass/fail icons drawn, without an error.

The site is built by a GateRunner from real suites on tiny batches (as in test_gates): a passing, a failing and a
warning-only validation, in two builds (the pipeline rebuilds the site after each gate step).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from orchestration.browser import open_offline
from orchestration.quality import data_docs, gates
from tests.quality.test_gates import _staging_rows, _validate_staging

INDEX_ROWS = """Array.from(document.querySelectorAll('#validations tbody tr'), (row) => ({
  status: row.dataset.status,
  suite: row.cells[1].textContent,
  page: row.querySelector('a').getAttribute('href'),
  failed: Number(row.cells[6].textContent),
  icon: getComputedStyle(row.querySelector('i')).backgroundImage.startsWith('url("data:image/svg+xml'),
}))"""

# Every pass/fail icon of the page: drawn (a box with its image) and the image decodable; then GX's filter buttons
# and "Show more info..." toggle, which the page's offline script provides.
VALIDATION_PAGE = """(async () => {
  const icons = Array.from(document.querySelectorAll('i.fa-check-circle, i.fa-times'));
  const drawn = [];
  for (const icon of icons) {
    const box = icon.getBoundingClientRect();
    const image = getComputedStyle(icon).backgroundImage.match(/^url\\("(data:image\\/svg\\+xml,.*)"\\)$/);
    let width = 0;
    if (image) {
      const probe = new Image();
      probe.src = image[1];
      await probe.decode();
      width = probe.naturalWidth;
    }
    drawn.push({kind: icon.classList.contains('fa-times') ? 'fail' : 'pass', box: box.width * box.height, width});
  }
  const visible = (element) => element.getClientRects().length > 0;
  const rows = (icon) => Array.from(document.querySelectorAll(`tr:has(> td i.${icon})`)).filter(visible).length;
  const shown = {pass: rows('fa-check-circle'), fail: rows('fa-times')};
  hideSucceededValidations();
  const failedOnly = {pass: rows('fa-check-circle'), fail: rows('fa-times')};
  showAllValidations();
  const allAgain = {pass: rows('fa-check-circle'), fail: rows('fa-times')};
  const toggle = document.querySelector('[data-toggle="collapse"]');
  const details = document.getElementById(toggle.getAttribute('href').slice(1));
  const hiddenBefore = !visible(details);
  toggle.click();
  return {drawn, shown, failedOnly, allAgain, hiddenBefore, shownAfter: visible(details)};
})()"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    runner = gates.GateRunner(tmp_path_factory.mktemp("data_docs"))
    passed = _validate_staging(runner, "dukcapil", _staging_rows("dukcapil"))
    bad_amount = _staging_rows("bansos")
    bad_amount[1]["amount_idr"] = -5
    failed = _validate_staging(runner, "bansos", bad_amount)
    runner.build_docs()
    # Fewer rows than the volume floor: an event source's short period is a warning.
    warning = _validate_staging(runner, "pelatihan", _staging_rows("pelatihan"), min_rows=3)
    index = runner.build_docs()
    return {"index": index, "docs": runner.docs_dir, "results": {"passed": passed, "failed": failed, "warning": warning}}


def _validation_pages(docs: Path) -> list[Path]:
    return sorted((docs / "validations").rglob("*.html"))


def test_no_page_or_stylesheet_references_the_network(site):
    assert len(list(site["docs"].rglob("*.html"))) > len(_validation_pages(site["docs"]))
    assert data_docs.network_references(site["docs"]) == {}


def test_every_page_loads_the_offline_assets_once(site):
    for page in site["docs"].rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert text.count("static/tkpkd/offline.css") == 1, page
        for reference in re.findall(r'(?:href|src)="([^"#]+\.(?:css|js|ico|png|svg))"', text):
            assert (page.parent / reference).resolve().is_file(), (page, reference)


def test_rewriting_a_page_again_changes_nothing(site):
    for page in site["docs"].rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert data_docs.offline_page(text, page, site["docs"]) == text, page


def test_the_scan_finds_what_gx_writes():
    """The scan recognises the CDN references of GX's own templates (it would pass vacuously otherwise)."""
    great_expectations = gates.import_great_expectations()

    templates = Path(great_expectations.__file__).parent / "render" / "view" / "templates"
    assert data_docs.NETWORK_REFERENCE.search((templates / "js_script_imports.j2").read_text(encoding="utf-8"))
    assert data_docs.NETWORK_REFERENCE.search((templates / "page.j2").read_text(encoding="utf-8"))


def test_the_index_lists_every_validation_offline(site, chromium):
    report = open_offline(site["index"].resolve().as_uri(), INDEX_ROWS, chromium)
    assert report.problems == []
    rows = report.value
    pages = _validation_pages(site["docs"])
    assert len(rows) == len(pages) == 3
    assert sorted((site["docs"] / row["page"]).resolve() for row in rows) == [page.resolve() for page in pages]
    by_suite = {row["suite"]: row for row in rows}
    for status, result in site["results"].items():
        row = by_suite[result.suite]
        assert row["status"] == status
        assert row["failed"] == len(result.failed_errors + result.failed_warnings)
        assert row["icon"]


def test_a_validation_page_shows_its_icons_and_works_offline(site, chromium):
    (page,) = [p for p in _validation_pages(site["docs"]) if "bansos" in p.name]
    report = open_offline(page.resolve().as_uri(), VALIDATION_PAGE, chromium)
    assert report.problems == []
    outcome = report.value
    kinds = [icon["kind"] for icon in outcome["drawn"]]
    passing = len(gates.load_suite("staging/bansos.json")["expectations"]) - 1  # all but the negative amount
    assert kinds.count("fail") >= 1 and kinds.count("pass") >= passing  # the overview's status and one per expectation
    assert all(icon["box"] > 0 and icon["width"] > 0 for icon in outcome["drawn"]), outcome["drawn"]
    assert outcome["shown"]["pass"] >= passing and outcome["shown"]["fail"] == 1, outcome
    assert outcome["failedOnly"] == {"pass": 0, "fail": 1}, outcome  # the "Failed Only" filter
    assert outcome["allAgain"] == outcome["shown"]
    assert outcome["hiddenBefore"] and outcome["shownAfter"]


def test_the_offline_check_catches_a_page_that_needs_the_network(tmp_path, chromium):
    page = tmp_path / "online.html"
    page.write_text(
        '<html><head><script src="https://code.jquery.com/jquery-3.7.1.min.js"></script></head>'
        '<body><script>$(".ge-walkthrough-modal").modal();</script></body></html>',
        encoding="utf-8",
    )
    report = open_offline(page.as_uri(), "document.title", chromium)
    assert report.network_requests == ["https://code.jquery.com/jquery-3.7.1.min.js"]
    assert any("ERR_INTERNET_DISCONNECTED" in failure for failure in report.failed_loads)
    assert any("$ is not defined" in error for error in report.errors), json.dumps(report.errors)
