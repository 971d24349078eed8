"""Open the dashboard in headless Chromium and confirm that it renders and reads: every chart drawn, no page error,
no label covered or cut, on a phone (360 px) and on a desktop (1400 px).

Chromium loads the page from the file system (as a user would, with no server and no network) and is driven
through its DevTools protocol on a pipe: a headless window is never narrower than 500 px, so the viewport is set
by emulation (Emulation.setDeviceMetricsOverride), as Puppeteer and Playwright do. The page itself records
uncaught errors, rejected promises and console.error calls in `#page-errors` and, once every chart is drawn and
fitted, `data-charts-rendered="<drawn>/<all>"` on the body; Chromium's own console log (stderr) is scanned for
uncaught errors as well. Then LAYOUT_CHECK compares the boxes plotly drew (getBoundingClientRect) and reports a
legend over the plot or over a label, overlapping labels, a chart wider than the window, and any text, a title
above all, that sticks out of its chart and is therefore cut. A screenshot holds the whole page.

    uv run python -m orchestration.dashboard.browser_check [path/to/index.html] [--region CODE ...]
        [--screenshots FOLDER]

exits 1 when a check fails. Chromium is Debian's `chromium` package (`apt-get install chromium`); set
TKPKD_CHROMIUM to use another binary.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import html
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    "--hide-scrollbars",
)
# One page load that dumps its DOM after 20 virtual seconds, for a page that needs no viewport of its own.
CHROMIUM_FLAGS = (*BROWSER_FLAGS, "--virtual-time-budget=20000", "--dump-dom")
# The emulated viewport's height; a screenshot holds the whole page, up to Chromium's largest picture.
WINDOW_HEIGHT = 900
MAX_SCREENSHOT_HEIGHT = 16384
# How often the page is asked whether it has finished drawing.
POLL_SECONDS = 0.25
# A phone's width and a desktop's: the dashboard must read at both.
WIDTHS = (360, 1400)
_CONSOLE_LINE = re.compile(r':CONSOLE(?:\(\d+\))?:?\d*\] "(?P<message>.*)", source: ')


# Evaluated in the page once it has drawn its charts: what plotly drew badly, as a list of sentences. A legend on
# the plot or on a label, plotly's toolbar on a label, two labels on one another, a chart wider than the window, a
# text (title, tick label, bar label) cut by the edge of its chart.
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
  Array.prototype.forEach.call(document.querySelectorAll('.js-plotly-plot'), function (chart) {
    var frame = rect(chart.querySelector('.svg-container') || chart);
    if (frame.right > document.documentElement.clientWidth + TOLERANCE_PX) {
      problems.push((chart.id || 'a chart') + ': ' + Math.round(frame.width) + ' px wide, wider than the window (' +
        document.documentElement.clientWidth + ' px)');
    }
    checkChart(chart, problems);
  });
  return problems;
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


# argv: the fd Chromium reads, the fd it writes, then its command line.
_ON_FDS_3_AND_4 = (
    "import os, sys; reads, writes = int(sys.argv[1]), int(sys.argv[2]); "
    "os.dup2(reads, 3); os.dup2(writes, 4); os.close(reads); os.close(writes); "
    "os.execvp(sys.argv[3], sys.argv[3:])"
)


def _moved_above_4(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 5)
    os.close(fd)
    return moved


class _DevTools:
    """A headless Chromium driven over `--remote-debugging-pipe` (requests on fd 3, answers and events on fd 4,
    each a JSON message ended by NUL), with one page attached."""

    def __init__(self, chromium: str, folder: Path, timeout: float) -> None:
        self.timeout = timeout
        self.last_id = 0
        self.buffer = b""
        self.stderr = (folder / "chromium.log").open("w+", encoding="utf-8", errors="replace")
        to_browser, self.to_browser = os.pipe()
        self.from_browser, from_browser = os.pipe()
        # Above fd 4, so that moving one end onto 3 or 4 never overwrites the other.
        to_browser, from_browser = (_moved_above_4(fd) for fd in (to_browser, from_browser))

        # Chromium expects the pipe on fds 3 and 4: a small Python moves it there and becomes Chromium (no
        # preexec_fn, which is unsafe in a process with threads; sh cannot name an fd above 9).
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-S",
                "-c",
                _ON_FDS_3_AND_4,
                str(to_browser),
                str(from_browser),
                chromium,
                *BROWSER_FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={folder / 'profile'}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.stderr,
            pass_fds=(to_browser, from_browser),
        )
        os.close(to_browser)
        os.close(from_browser)
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self.call(
                "Target.attachToTarget", {"targetId": target, "flatten": True}
            )["sessionId"]
        except BaseException:
            self.close()
            raise

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                answer = json.loads(raw)
                if answer.get("id") == self.last_id:
                    if "error" in answer:
                        raise RuntimeError(f"{method}: {answer['error'].get('message')}")
                    return answer["result"]
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.from_browser], [], [], remaining)[0]:
                raise TimeoutError(f"Chromium did not answer {method} in {self.timeout:.0f} s")
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError(
                    f"Chromium exited while answering {method}: {self.log()[-2000:]}"
                )
            self.buffer += chunk

    def page(self, method: str, params: dict | None = None) -> dict:
        return self.call(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        result = self.page("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def log(self) -> str:
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read()

    def close(self) -> str:
        """Quit Chromium and return its log."""
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            self.process.kill()
        self.process.wait(timeout=self.timeout)
        os.close(self.to_browser)
        os.close(self.from_browser)
        log = self.log()
        self.stderr.close()
        return log


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
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError(
            "no Chromium found: apt-get install chromium, or set TKPKD_CHROMIUM"
        )
    url = page.resolve().as_uri() + (f"#wilayah={region}" if region else "")
    page_errors: list[str] = []
    layout_problems = None
    with tempfile.TemporaryDirectory(prefix="tkpkd-chromium-") as folder:
        browser = _DevTools(chromium, Path(folder), timeout)
        try:
            deadline = time.monotonic() + timeout
            _set_width(browser, opened_at or width)
            browser.page("Page.navigate", {"url": url})
            drawn = _wait_for(
                browser,
                "document.readyState === 'complete' && document.body.hasAttribute('data-charts-rendered')",
                deadline,
            )
            if drawn and opened_at:
                _set_width(browser, width)
                drawn = _wait_for(
                    browser,
                    f"document.body.getAttribute('data-fitted-width') === '{width}'",
                    deadline,
                )
            if drawn:
                layout_problems = browser.evaluate(LAYOUT_CHECK)
                if screenshot is not None:
                    _save_screenshot(browser, width, screenshot)
            dom = browser.evaluate("document.documentElement.outerHTML")
        except (RuntimeError, TimeoutError) as error:
            dom = ""
            page_errors.append(f"chromium: {error}")
        finally:
            log = browser.close()
    rendered = _attribute(dom, "data-charts-rendered")
    drawn, charts = (int(part) for part in rendered.split("/")) if rendered else (0, 0)
    errors = re.search(r'<pre id="page-errors"[^>]*>(.*?)</pre>', dom, re.DOTALL)
    if errors:
        page_errors += [line for line in html.unescape(errors.group(1)).splitlines() if line]
    console_errors = [
        match.group("message")
        for match in map(_CONSOLE_LINE.search, log.splitlines())
        if match and re.match(r"(Uncaught|Error|TypeError|ReferenceError)", match.group("message"))
    ]
    return BrowserReport(
        url,
        width,
        charts,
        drawn,
        _attribute(dom, "data-region"),
        page_errors,
        console_errors,
        layout_problems,
        _element_text(dom, "p", "region-message"),
    )


def _set_width(browser: _DevTools, width: int) -> None:
    browser.page(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": WINDOW_HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )


def _wait_for(browser: _DevTools, condition: str, deadline: float) -> bool:
    """Whether the page's `condition` became true before `deadline`."""
    while not browser.evaluate(condition):
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


def _save_screenshot(browser: _DevTools, width: int, target: Path) -> None:
    height = min(browser.evaluate("document.documentElement.scrollHeight"), MAX_SCREENSHOT_HEIGHT)
    picture = browser.page(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(base64.b64decode(picture["data"]))


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
