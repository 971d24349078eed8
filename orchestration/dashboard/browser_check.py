"""Open the dashboard in headless Chromium and confirm that it renders: every chart drawn, no page error.

Chromium loads the page from the file system (as a user would, with no server and no network), runs its scripts
for a virtual 20 seconds, and dumps the resulting DOM. The page itself records uncaught errors, rejected promises
and console.error calls in `#page-errors` and, once every chart is drawn, `data-charts-rendered="<drawn>/<all>"`
on the body; Chromium's own console log (stderr) is scanned for uncaught errors as well.

    uv run python -m orchestration.dashboard.browser_check [path/to/index.html] [--region CODE ...]

exits 1 when a check fails. Chromium is Debian's `chromium` package (`apt-get install chromium`); set
TKPKD_CHROMIUM to use another binary.
"""

from __future__ import annotations

import argparse
import html
import re
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from orchestration.browser import HEADLESS_FLAGS, require_chromium

CHROMIUM_FLAGS = (
    *HEADLESS_FLAGS,
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=20000",
    "--dump-dom",
)
_CONSOLE_LINE = re.compile(r':CONSOLE(?:\(\d+\))?:?\d*\] "(?P<message>.*)", source: ')


@dataclass(frozen=True)
class BrowserReport:
    url: str
    charts: int
    charts_drawn: int
    region: str | None
    page_errors: list[str]
    console_errors: list[str]

    @property
    def problems(self) -> list[str]:
        problems = [f"page error: {error}" for error in self.page_errors]
        problems += [f"console: {error}" for error in self.console_errors]
        if self.charts == 0:
            problems.append("no chart on the page (the page did not finish rendering)")
        elif self.charts_drawn != self.charts:
            problems.append(f"{self.charts_drawn} of {self.charts} charts drawn")
        return problems


def _attribute(dom: str, name: str) -> str | None:
    match = re.search(rf'<body[^>]*\s{name}="([^"]*)"', dom)
    return html.unescape(match.group(1)) if match else None


def check_dashboard(
    page: Path, region: str | None = None, chromium: str | None = None, timeout: float = 180
) -> BrowserReport:
    chromium = require_chromium(chromium)
    url = page.resolve().as_uri() + (f"#wilayah={region}" if region else "")
    with tempfile.TemporaryDirectory(prefix="tkpkd-chromium-") as profile:
        completed = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", url],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
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
    return BrowserReport(
        url, charts, drawn, _attribute(dom, "data-region"), page_errors, console_errors
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
    for region in [None, *arguments.region]:
        report = check_dashboard(page, region)
        status = "ok" if not report.problems else "FAILED"
        print(
            f"{status}: {report.url} - {report.charts_drawn}/{report.charts} charts drawn, region {report.region}"
        )
        for problem in report.problems:
            print(f"  {problem}")
        failed = failed or bool(report.problems)
        if region and report.region != region:
            print(f"  the page shows region {report.region}, not {region}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
