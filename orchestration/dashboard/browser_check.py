"""Open the dashboard in headless Chromium and confirm that it renders and reads: every chart drawn, no page error,
no label covered or cut, on a phone (360 px) and on a desktop (1400 px).

Chromium loads the page from the file system (as a user would, with no server and no network), runs its scripts
for a virtual 20 seconds, and dumps the resulting DOM. The page itself records uncaught errors, rejected promises
and console.error calls in `#page-errors` and, once every chart is drawn, `data-charts-rendered="<drawn>/<all>"`
on the body; Chromium's own console log (stderr) is scanned for uncaught errors as well. The layout is checked
in a copy of the page with LAYOUT_CHECK added: it compares the boxes plotly drew (getBoundingClientRect) and
reports a legend over the plot or over a label, overlapping labels, and any text, a title above all, that sticks
out of its chart and is therefore cut.

    uv run python -m orchestration.dashboard.browser_check [path/to/index.html] [--region CODE ...]
        [--screenshots FOLDER]

exits 1 when a check fails. Chromium is Debian's `chromium` package (`apt-get install chromium`); set
TKPKD_CHROMIUM to use another binary.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=20000",
)
CHROMIUM_FLAGS = (*BROWSER_FLAGS, "--dump-dom")
# The window of the DOM check; a screenshot's window is as tall as the page, up to Chromium's largest picture.
WINDOW_HEIGHT = 900
MAX_SCREENSHOT_HEIGHT = 16384
# A phone's width and a desktop's: the dashboard must read at both.
WIDTHS = (360, 1400)
_CONSOLE_LINE = re.compile(r':CONSOLE(?:\(\d+\))?:?\d*\] "(?P<message>.*)", source: ')


# Injected into a copy of the page under test, it runs once the page has drawn its charts
# (`data-charts-rendered`) and writes into `#layout-report` what plotly drew badly: a legend on the plot or on a
# label, two labels on one another, a text (title, tick label, bar label) cut by the edge of its chart.
LAYOUT_CHECK = """
(function () {
  var TOLERANCE_PX = 1;
  function rect(element) { return element.getBoundingClientRect(); }
  function overlap(a, b) {
    return a.left < b.right - TOLERANCE_PX && b.left < a.right - TOLERANCE_PX &&
      a.top < b.bottom - TOLERANCE_PX && b.top < a.bottom - TOLERANCE_PX;
  }
  function quoted(element) { return JSON.stringify((element.textContent || '').trim().slice(0, 50)); }
  function checkChart(chart, problems) {
    var name = chart.id || 'chart ' + problems.length;
    var frame = rect(chart.querySelector('.svg-container') || chart);
    var texts = Array.prototype.filter.call(chart.querySelectorAll('svg text'), function (text) {
      var r = rect(text);
      return r.width > 0 && r.height > 0 && (text.textContent || '').trim() &&
        !text.closest('.hoverlayer') && getComputedStyle(text).visibility !== 'hidden' &&
        getComputedStyle(text).opacity !== '0';
    });
    texts.forEach(function (text) {
      var r = rect(text), cut = [];
      if (r.left < frame.left - TOLERANCE_PX) { cut.push('left by ' + Math.round(frame.left - r.left) + ' px'); }
      if (r.right > frame.right + TOLERANCE_PX) { cut.push('right by ' + Math.round(r.right - frame.right) + ' px'); }
      if (r.top < frame.top - TOLERANCE_PX) { cut.push('top by ' + Math.round(frame.top - r.top) + ' px'); }
      if (r.bottom > frame.bottom + TOLERANCE_PX) { cut.push('bottom by ' + Math.round(r.bottom - frame.bottom) + ' px'); }
      if (cut.length) {
        var what = text.classList.contains('gtitle') ? 'title ' : '';
        problems.push(name + ': ' + what + quoted(text) + ' is cut, outside the chart (' + cut.join(', ') + ')');
      }
    });
    var title = chart.querySelector('.gtitle');
    if (title && rect(title).width > frame.width) {
      problems.push(name + ': title ' + quoted(title) + ' is ' + Math.round(rect(title).width) +
        ' px wide in a chart of ' + Math.round(frame.width) + ' px');
    }
    Array.prototype.forEach.call(chart.querySelectorAll('.legend'), function (legend) {
      var box = rect(legend);
      Array.prototype.forEach.call(chart.querySelectorAll('.nsewdrag'), function (plot) {
        if (overlap(box, rect(plot))) { problems.push(name + ': the legend covers the plot'); }
      });
      texts.forEach(function (text) {
        if (!legend.contains(text) && overlap(box, rect(text))) {
          problems.push(name + ': the legend covers ' + quoted(text));
        }
      });
    });
    texts.forEach(function (text, index) {
      texts.slice(index + 1).forEach(function (other) {
        if (!text.contains(other) && !other.contains(text) && overlap(rect(text), rect(other))) {
          problems.push(name + ': ' + quoted(text) + ' and ' + quoted(other) + ' overlap');
        }
      });
    });
  }
  function check() {
    var problems = [];
    Array.prototype.forEach.call(document.querySelectorAll('.js-plotly-plot'), function (chart) {
      checkChart(chart, problems);
    });
    var report = document.createElement('pre');
    report.id = 'layout-report';
    report.hidden = true;
    report.textContent = JSON.stringify(problems);
    document.body.appendChild(report);
    document.body.setAttribute('data-page-height', String(document.documentElement.scrollHeight));
    document.body.setAttribute('data-viewport-width', String(window.innerWidth));
  }
  function whenRendered() {
    if (document.body.hasAttribute('data-charts-rendered')) { setTimeout(check, 0); return true; }
    return false;
  }
  if (!whenRendered()) {
    var observer = new MutationObserver(function () { if (whenRendered()) { observer.disconnect(); } });
    observer.observe(document.body, {attributes: true, attributeFilter: ['data-charts-rendered']});
  }
})();
"""


def find_chromium() -> str | None:
    configured = os.environ.get("TKPKD_CHROMIUM")
    if configured:
        return configured
    return next((found for name in CHROMIUM_CANDIDATES if (found := shutil.which(name))), None)


@dataclass(frozen=True)
class BrowserReport:
    url: str
    width: int
    charts: int
    charts_drawn: int
    region: str | None
    page_errors: list[str]
    console_errors: list[str]
    # None when the page never finished drawing, so its layout could not be checked.
    layout_problems: list[str] | None
    # The page's notice about the region it was asked for (an unknown code), None when it shows none.
    region_message: str | None

    @property
    def problems(self) -> list[str]:
        problems = [f"page error: {error}" for error in self.page_errors]
        problems += [f"console: {error}" for error in self.console_errors]
        if self.charts == 0:
            problems.append("no chart on the page (the page did not finish rendering)")
        elif self.charts_drawn != self.charts:
            problems.append(f"{self.charts_drawn} of {self.charts} charts drawn")
        if self.layout_problems is None:
            if self.charts:
                problems.append("the layout was not checked (the check did not run)")
        else:
            problems += [f"layout at {self.width} px: {problem}" for problem in self.layout_problems]
        return problems


def _attribute(dom: str, name: str) -> str | None:
    match = re.search(rf'<body[^>]*\s{name}="([^"]*)"', dom)
    return html.unescape(match.group(1)) if match else None


def _element_text(dom: str, element: str, element_id: str) -> str | None:
    """The text of `<element id="element_id">`, None when it is missing or hidden."""
    match = re.search(rf'<{element} id="{element_id}"([^>]*)>(.*?)</{element}>', dom, re.DOTALL)
    if not match or re.search(r"\shidden\b", match.group(1)):
        return None
    return html.unescape(match.group(2))


def _run_chromium(
    chromium: str, flags: list[str], url: str, timeout: float
) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="tkpkd-chromium-") as profile:
        return subprocess.run(
            [chromium, *flags, f"--user-data-dir={profile}", url],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def check_dashboard(
    page: Path,
    region: str | None = None,
    chromium: str | None = None,
    timeout: float = 180,
    width: int = 1400,
    screenshot: Path | None = None,
) -> BrowserReport:
    """Open `page` (at `#wilayah=<region>`) in a window `width` px wide and report what went wrong; with
    `screenshot`, also save the whole page as a PNG there."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError(
            "no Chromium found: apt-get install chromium, or set TKPKD_CHROMIUM"
        )
    fragment = f"#wilayah={region}" if region else ""
    url = page.resolve().as_uri() + fragment
    window = [f"--window-size={width},{WINDOW_HEIGHT}", "--hide-scrollbars"]
    with tempfile.TemporaryDirectory(prefix="tkpkd-layout-") as scratch:
        # A copy of the page with the layout check: the page itself stays as users get it.
        probe = Path(scratch) / page.name
        probe.write_text(
            page.read_text(encoding="utf-8").replace(
                "</body>", f"<script>{LAYOUT_CHECK}</script></body>"
            ),
            encoding="utf-8",
        )
        completed = _run_chromium(chromium, [*CHROMIUM_FLAGS, *window], probe.as_uri() + fragment, timeout)
    dom = completed.stdout
    rendered = _attribute(dom, "data-charts-rendered")
    drawn, charts = (int(part) for part in rendered.split("/")) if rendered else (0, 0)
    errors = re.search(r'<pre id="page-errors"[^>]*>(.*?)</pre>', dom, re.DOTALL)
    page_errors = (
        [line for line in html.unescape(errors.group(1)).splitlines() if line] if errors else []
    )
    if completed.returncode != 0 and not dom:
        page_errors.append(
            f"chromium exited with {completed.returncode}: {completed.stderr[-2000:]}"
        )
    console_errors = [
        match.group("message")
        for match in map(_CONSOLE_LINE.search, completed.stderr.splitlines())
        if match and re.match(r"(Uncaught|Error|TypeError|ReferenceError)", match.group("message"))
    ]
    layout = re.search(r'<pre id="layout-report"[^>]*>(.*?)</pre>', dom, re.DOTALL)
    if screenshot is not None:
        # A window as tall as the page, so that the picture holds all of it.
        height = min(int(_attribute(dom, "data-page-height") or WINDOW_HEIGHT), MAX_SCREENSHOT_HEIGHT)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        taken = _run_chromium(
            chromium,
            [*BROWSER_FLAGS, f"--window-size={width},{height}", "--hide-scrollbars", f"--screenshot={screenshot}"],
            url,
            timeout,
        )
        if not screenshot.exists():
            page_errors.append(f"no screenshot taken: {taken.stderr[-2000:]}")
    return BrowserReport(
        url,
        width,
        charts,
        drawn,
        _attribute(dom, "data-region"),
        page_errors,
        console_errors,
        json.loads(html.unescape(layout.group(1))) if layout else None,
        _element_text(dom, "p", "region-message"),
    )


def main(argv: list[str] | None = None) -> int:
    from orchestration.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "page",
        nargs="?",
        type=Path,
        help="the dashboard (default: <TKPKD_EXPORTS>/dashboard/index.html)",
    )
    parser.add_argument(
        "--region", action="append", default=[], help="also open this region code (repeatable)"
    )
    parser.add_argument(
        "--screenshots",
        type=Path,
        help="save the city's page at each width in this folder, as dashboard-<width>.png",
    )
    arguments = parser.parse_args(argv)
    with warnings.catch_warnings():
        # Only the exports folder is needed here, not the pseudonym secret load_settings warns about.
        warnings.simplefilter("ignore")
        exports = load_settings().exports
    page = arguments.page or exports / "dashboard" / "index.html"
    if not page.exists():
        print(f"{page} does not exist: run the pipeline first (make run)", file=sys.stderr)
        return 1
    failed = False
    for width in WIDTHS:
        for region in [None, *arguments.region]:
            screenshot = (
                arguments.screenshots / f"dashboard-{width}.png"
                if arguments.screenshots and region is None
                else None
            )
            report = check_dashboard(page, region, width=width, screenshot=screenshot)
            status = "ok" if not report.problems else "FAILED"
            print(
                f"{status}: {report.url} at {width} px - {report.charts_drawn}/{report.charts} charts drawn, "
                f"region {report.region}" + (f", screenshot {screenshot}" if screenshot else "")
            )
            for problem in report.problems:
                print(f"  {problem}")
            failed = failed or bool(report.problems)
            if region and report.region != region:
                print(f"  the page shows region {report.region}, not {region}: {report.region_message}")
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
