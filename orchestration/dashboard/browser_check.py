"""Open the dashboard in headless Chromium and confirm that it renders and reads: every chart drawn, no page error,
no label covered or cut, on a phone (360 px) and on a desktop (1400 px).

Chromium loads the page from the file system (as a user would, with no server and no network), driven by the
project's one driver, `orchestration.browser.Browser` (the DevTools protocol on a pipe), in an emulated viewport: a
headless window is never narrower than 500 px. The page itself records uncaught errors, rejected promises and
console.error calls in `#page-errors` and, once every chart is drawn and fitted, `data-charts-rendered="<drawn>/
<all>"` on the body; Chromium's own console log (stderr) is scanned for uncaught errors as well. Then LAYOUT_CHECK
compares the boxes plotly drew (getBoundingClientRect) and reports a legend over the plot or over a label,
overlapping labels, a chart wider than the window, and any text, a title above all, that sticks out of its chart
and is therefore cut. A screenshot holds the whole page.

    uv run python -m orchestration.dashboard.browser_check [path/to/index.html] [--region CODE ...]
        [--screenshots FOLDER]

exits 1 when a check fails. Chromium is Debian's `chromium` package (`apt-get install chromium`); set
TKPKD_CHROMIUM to use another binary.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from orchestration.browser import Browser, console_errors

# The emulated viewport's height; a screenshot holds the whole page.
WINDOW_HEIGHT = 900
# A phone's width and a desktop's: the dashboard must read at both.
WIDTHS = (360, 1400)


# Evaluated in the page once it has drawn its charts: what plotly drew badly, as a list of sentences. A legend on
# the plot or on a label, plotly's toolbar on a label, two labels on one another, a chart wider than the window, a
# text (title, tick label, bar label) cut by the edge of its chart, a chart of the dashboard drawn without the page's
# theme.
LAYOUT_CHECK = """
(function () {
  var TOLERANCE_PX = 1;
  function rect(element) { return element.getBoundingClientRect(); }
  // An element's outline in window coordinates: four corners, turned with the element (plotly turns tick labels,
  // and the boxes around two turned labels overlap where the labels do not).
  function corners(element) {
    if (!element.getBBox || !element.getScreenCTM) {
      var r = rect(element);
      return [{x: r.left, y: r.top}, {x: r.right, y: r.top}, {x: r.right, y: r.bottom}, {x: r.left, y: r.bottom}];
    }
    var box = element.getBBox(), matrix = element.getScreenCTM();
    return [[box.x, box.y], [box.x + box.width, box.y], [box.x + box.width, box.y + box.height],
            [box.x, box.y + box.height]].map(function (corner) {
      return new DOMPoint(corner[0], corner[1]).matrixTransform(matrix);
    });
  }
  // Two convex outlines overlap (by more than the tolerance) unless an edge's normal separates them.
  function overlap(first, second) {
    var a = corners(first), b = corners(second);
    return [a, b].every(function (outline) {
      return outline.every(function (point, index) {
        var next = outline[(index + 1) % outline.length];
        var nx = next.y - point.y, ny = point.x - next.x, length = Math.hypot(nx, ny) || 1;
        function extent(points) {
          var projections = points.map(function (p) { return (p.x * nx + p.y * ny) / length; });
          return [Math.min.apply(null, projections), Math.max.apply(null, projections)];
        }
        var ea = extent(a), eb = extent(b);
        return ea[1] - TOLERANCE_PX > eb[0] && eb[1] - TOLERANCE_PX > ea[0];
      });
    });
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
    Array.prototype.forEach.call(chart.querySelectorAll('.modebar'), function (toolbar) {
      texts.forEach(function (text) {
        if (overlap(toolbar, text)) { problems.push(name + ': the toolbar covers ' + quoted(text)); }
      });
    });
    var title = chart.querySelector('.gtitle');
    if (title && rect(title).width > frame.width) {
      problems.push(name + ': title ' + quoted(title) + ' is ' + Math.round(rect(title).width) +
        ' px wide in a chart of ' + Math.round(frame.width) + ' px');
    }
    Array.prototype.forEach.call(chart.querySelectorAll('.legend'), function (legend) {
      Array.prototype.forEach.call(chart.querySelectorAll('.nsewdrag'), function (plot) {
        if (overlap(legend, plot)) { problems.push(name + ': the legend covers the plot'); }
      });
      texts.forEach(function (text) {
        if (!legend.contains(text) && overlap(legend, text)) {
          problems.push(name + ': the legend covers ' + quoted(text));
        }
      });
    });
    texts.forEach(function (text, index) {
      texts.slice(index + 1).forEach(function (other) {
        if (!text.contains(other) && !other.contains(text) && overlap(text, other)) {
          problems.push(name + ': ' + quoted(text) + ' and ' + quoted(other) + ' overlap');
        }
      });
    });
  }
  var problems = [];
  // The dashboard's page holds the charts' theme once and each chart takes it when drawn (build.py, _figure).
  var data = document.getElementById('dashboard-data');
  var template = data ? JSON.parse(data.textContent).template : null;
  var theme = template ? template.layout : null;
  Array.prototype.forEach.call(document.querySelectorAll('.js-plotly-plot'), function (chart) {
    var frame = rect(chart.querySelector('.svg-container') || chart);
    if (frame.right > document.documentElement.clientWidth + TOLERANCE_PX) {
      problems.push((chart.id || 'a chart') + ': ' + Math.round(frame.width) + ' px wide, wider than the window (' +
        document.documentElement.clientWidth + ' px)');
    }
    if (theme && chart._fullLayout.font.color !== theme.font.color) {
      problems.push((chart.id || 'a chart') + ": drawn without the page's theme (text colour " +
        chart._fullLayout.font.color + ', not ' + theme.font.color + ')');
    }
    checkChart(chart, problems);
  });
  return problems;
})();
"""


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
            problems += [
                f"layout at {self.width} px: {problem}" for problem in self.layout_problems
            ]
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


def check_dashboard(
    page: Path,
    region: str | None = None,
    chromium: str | None = None,
    timeout: float = 180,
    width: int = 1400,
    screenshot: Path | None = None,
    opened_at: int | None = None,
) -> BrowserReport:
    """Open `page` (at `#wilayah=<region>`) in a viewport `width` px wide and report what went wrong; with
    `screenshot`, also save the whole page there as a PNG. With `opened_at`, the page is opened at that width and
    the window then resized to `width`, as when a phone turns or a window is narrowed."""
    url = page.resolve().as_uri() + (f"#wilayah={region}" if region else "")
    page_errors: list[str] = []
    layout_problems = None
    with Browser(chromium, timeout) as browser:
        try:
            deadline = time.monotonic() + timeout
            browser.set_viewport(opened_at or width, WINDOW_HEIGHT)
            browser.navigate(url)
            drawn = browser.wait_until(
                "document.readyState === 'complete' && document.body.hasAttribute('data-charts-rendered')",
                deadline,
            )
            if drawn and opened_at:
                browser.set_viewport(width, WINDOW_HEIGHT)
                drawn = browser.wait_until(
                    f"document.body.getAttribute('data-fitted-width') === '{width}'", deadline
                )
            if drawn:
                layout_problems = browser.evaluate(LAYOUT_CHECK)
                if screenshot is not None:
                    screenshot.parent.mkdir(parents=True, exist_ok=True)
                    screenshot.write_bytes(browser.screenshot(width))
            dom = browser.evaluate("document.documentElement.outerHTML")
        except (RuntimeError, TimeoutError) as error:
            dom = ""
            page_errors.append(f"chromium: {error}")
    rendered = _attribute(dom, "data-charts-rendered")
    drawn, charts = (int(part) for part in rendered.split("/")) if rendered else (0, 0)
    errors = re.search(r'<pre id="page-errors"[^>]*>(.*?)</pre>', dom, re.DOTALL)
    if errors:
        page_errors += [line for line in html.unescape(errors.group(1)).splitlines() if line]
    return BrowserReport(
        url,
        width,
        charts,
        drawn,
        _attribute(dom, "data-region"),
        page_errors,
        console_errors(browser.log()),
        layout_problems,
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
                print(
                    f"  the page shows region {report.region}, not {region}: {report.region_message}"
                )
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
