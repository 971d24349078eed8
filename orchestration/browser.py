"""Headless Chromium for the project's browser checks: the one driver the Data Docs check and the dashboard check
share.

`Browser` launches Chromium and drives it through the DevTools protocol on a pipe (`--remote-debugging-pipe`:
commands on the browser's file descriptor 3, replies and events on 4, each a JSON message ended by NUL), so it
needs no websocket library and no port. It has one page (tab) attached and offers what the checks need: commands
on the browser or the page, the events received, JavaScript evaluated (a promise is awaited), a condition polled,
the viewport emulated (a headless window is never narrower than 500 px, so a phone's width can only be emulated,
as Puppeteer and Playwright do), a screenshot of the whole page, and the network emulated offline. Every reply or
awaited event must come within the browser's `timeout` seconds, else TimeoutError (the browser is then killed on
close); a browser that exits raises DevToolsError with the end of its log. Chromium's log (stderr, with the page's
console lines) is kept and returned by `log()`; `console_errors` picks the uncaught errors out of it.

`open_offline` opens a page with the network emulated offline, as on an office network without internet
(Network.setBlockedURLs is not used: its patterns also match inside data: URLs, e.g. an inline SVG's xmlns). Its
report lists every request the page made to the network, every load that failed and every error (uncaught
exception, console.error, browser log error), and the value of a JavaScript expression evaluated once the page has
loaded and its fonts and images have settled.

Chromium is Debian's `chromium` package (`apt-get install chromium`); set TKPKD_CHROMIUM to use another binary.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # The page's console lines go to the log, where `console_errors` finds them.
    "--enable-logging=stderr",
    "--v=0",
    # A scrollbar would take its width from the emulated viewport and from screenshots.
    "--hide-scrollbars",
)
# One page load that dumps its DOM after 20 virtual seconds, for a page that needs no driver.
DUMP_DOM_FLAGS = (*HEADLESS_FLAGS, "--virtual-time-budget=20000", "--dump-dom")
CONSOLE_LINE = re.compile(r':CONSOLE(?:\(\d+\))?:?\d*\] "(?P<message>.*)", source: ')
UNCAUGHT_ERROR = re.compile(r"(Uncaught|Error|TypeError|ReferenceError)")
# Chromium's largest picture: a screenshot of a longer page is cut there.
MAX_SCREENSHOT_HEIGHT = 16384
# How often `wait_until` asks the page again.
POLL_SECONDS = 0.25
# The page's own resources are files and inline data; anything else is the network.
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
# Resolves (to null, which returns by value) once the page has loaded, its web fonts are ready and every <img> has
# finished (loaded or failed).
SETTLED = """Promise.all([
  document.fonts.ready,
  ...Array.from(document.images, (image) => image.decode().catch(() => null)),
]).then(() => null)"""


def find_chromium() -> str | None:
    configured = os.environ.get("TKPKD_CHROMIUM")
    if configured:
        return configured
    return next((found for name in CHROMIUM_CANDIDATES if (found := shutil.which(name))), None)


def require_chromium(chromium: str | None = None) -> str:
    found = chromium or find_chromium()
    if found is None:
        raise FileNotFoundError("no Chromium found: apt-get install chromium, or set TKPKD_CHROMIUM")
    return found


def console_errors(log: str) -> list[str]:
    """The uncaught errors among the page's console lines in Chromium's log."""
    return [
        match.group("message")
        for match in map(CONSOLE_LINE.search, log.splitlines())
        if match and UNCAUGHT_ERROR.match(match.group("message"))
    ]


class DevToolsError(RuntimeError):
    pass


# argv: the fd Chromium reads, the fd it writes, then its command line.
_ON_FDS_3_AND_4 = (
    "import os, sys; reads, writes = int(sys.argv[1]), int(sys.argv[2]); "
    "os.dup2(reads, 3); os.dup2(writes, 4); os.close(reads); os.close(writes); "
    "os.execvp(sys.argv[3], sys.argv[3:])"
)


def _moved_above_4(fd: int) -> int:
    """Above fd 4, so that moving one end onto 3 or 4 never overwrites the other."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5)
    os.close(fd)
    return moved


class Browser:
    """A headless Chromium on the DevTools pipe with one page attached; a context manager that quits it."""

    def __init__(self, chromium: str | None = None, timeout: float = 120) -> None:
        chromium = require_chromium(chromium)
        self.timeout = timeout
        self.events: list[dict] = []
        self._last_id = 0
        self._buffer = b""
        self._log: str | None = None
        self._folder = tempfile.TemporaryDirectory(prefix="tkpkd-chromium-")
        self._stderr = (Path(self._folder.name) / "chromium.log").open("w+", encoding="utf-8", errors="replace")
        browser_reads, self._commands = os.pipe()
        self._replies, browser_writes = os.pipe()
        browser_reads, browser_writes = map(_moved_above_4, (browser_reads, browser_writes))
        # Chromium expects the pipe on fds 3 and 4: a small Python moves it there and becomes Chromium (no
        # preexec_fn, which is unsafe in a process with threads; sh cannot name an fd above 9).
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-S",
                "-c",
                _ON_FDS_3_AND_4,
                str(browser_reads),
                str(browser_writes),
                chromium,
                *HEADLESS_FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={Path(self._folder.name) / 'profile'}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            pass_fds=(browser_reads, browser_writes),
        )
        os.close(browser_reads)
        os.close(browser_writes)
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exception) -> None:
        self.close()

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send a command (to the browser, or to `session`) and return its result; events that come first are
        kept in `events`."""
        self._last_id += 1
        command = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        unsent = json.dumps(command).encode() + b"\0"
        while unsent:
            unsent = unsent[os.write(self._commands, unsent) :]
        while True:
            message = self._receive(method)
            if message.get("id") == self._last_id:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error'].get('message')}")
                return message["result"]
            self.events.append(message)

    def page(self, method: str, params: dict | None = None) -> dict:
        """A command to the attached page."""
        return self.call(method, params, self.session)

    def wait_for_event(self, method: str) -> None:
        while not any(event.get("method") == method for event in self.events):
            self.events.append(self._receive(method))

    def _receive(self, awaited: str) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._replies], [], [], remaining)[0]:
                raise TimeoutError(f"Chromium did not answer {awaited} in {self.timeout:.0f} s")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise DevToolsError(
                    f"Chromium exited while answering {awaited} (exit code {self.process.poll()}): "
                    f"{self.log()[-2000:]}"
                )
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def evaluate(self, expression: str) -> Any:
        """The JSON value of `expression` in the page; a promise is awaited."""
        evaluated = self.page(
            "Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}
        )
        if "exceptionDetails" in evaluated:
            details = evaluated["exceptionDetails"]
            raise DevToolsError(
                f"{expression[:60]}: {details.get('exception', {}).get('description') or details.get('text')}"
            )
        return evaluated["result"].get("value")

    def wait_until(self, condition: str, deadline: float) -> bool:
        """Whether the page's `condition` became true before `deadline` (time.monotonic)."""
        while not self.evaluate(condition):
            if time.monotonic() > deadline:
                return False
            time.sleep(POLL_SECONDS)
        return True

    def navigate(self, url: str) -> None:
        self.page("Page.navigate", {"url": url})

    def set_viewport(self, width: int, height: int) -> None:
        self.page(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def emulate_offline(self) -> None:
        self.page("Network.enable")
        self.page(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )

    def screenshot(self, width: int) -> bytes:
        """The whole page, `width` px wide and as long as the page (up to MAX_SCREENSHOT_HEIGHT), as a PNG."""
        height = min(self.evaluate("document.documentElement.scrollHeight"), MAX_SCREENSHOT_HEIGHT)
        picture = self.page(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
        )
        return base64.b64decode(picture["data"])

    def log(self) -> str:
        """Chromium's log so far (all of it once closed)."""
        if self._log is not None:
            return self._log
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read()

    def close(self) -> None:
        """Quit Chromium (kill it if it does not answer) and remove its profile; the log is kept."""
        if self._log is not None:
            return
        try:
            self.call("Browser.close")
        except (DevToolsError, TimeoutError, OSError):
            # Also when the browser closes its end of the pipe before it answers: killing an exiting one is harmless.
            self.process.kill()
        try:
            self.process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._replies)
        self._log = self.log()
        self._stderr.close()
        self._folder.cleanup()


@dataclass
class OfflinePageReport:
    url: str
    value: Any = None
    network_requests: list[str] = field(default_factory=list)
    failed_loads: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return (
            [f"network request: {url}" for url in self.network_requests]
            + [f"failed load: {failure}" for failure in self.failed_loads]
            + [f"error: {error}" for error in self.errors]
        )


def _report(url: str, events: list[dict], value: Any) -> OfflinePageReport:
    report = OfflinePageReport(url, value)
    requested: dict[str, str] = {}
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            requested[params["requestId"]] = params["request"]["url"]
            if not params["request"]["url"].startswith(LOCAL_SCHEMES):
                report.network_requests.append(params["request"]["url"])
        elif method == "Network.loadingFailed":
            failed = requested.get(params["requestId"], "?")
            report.failed_loads.append(f"{params.get('type')} {failed[:200]}: {params.get('errorText')}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            report.errors.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            report.errors.append(" ".join(str(arg.get("value", arg.get("description", ""))) for arg in params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            report.errors.append(f"{entry['text']} ({entry.get('url', '')})")
    return report


def open_offline(url: str, expression: str = "null", chromium: str | None = None, timeout: float = 120) -> OfflinePageReport:
    """Open `url` with the network off and return what happened, with `expression`'s value (JSON-serialisable; a
    promise is awaited) evaluated after the page has settled."""
    with Browser(chromium, timeout) as browser:
        for domain in ("Page", "Runtime", "Log"):
            browser.page(f"{domain}.enable")
        browser.emulate_offline()
        browser.navigate(url)
        browser.wait_for_event("Page.loadEventFired")
        browser.evaluate(SETTLED)
        value = browser.evaluate(expression)
    return _report(url, browser.events, value)
