"""Headless Chromium for the project's browser checks: finding the binary, and opening a page with the network off.

`open_offline` drives Chromium through the DevTools protocol on a pipe (`--remote-debugging-pipe`: commands on the
browser's file descriptor 3, replies and events on 4, each a JSON message ended by NUL), so it needs no websocket
library and no port. The page's tab has the network emulated offline, as on an office network without internet
(Network.setBlockedURLs is not used: its patterns also match inside data: URLs, e.g. an inline SVG's xmlns). The
report lists every request the page made to the network, every load that failed and every error (uncaught
exception, console.error, browser log error), and the value of a JavaScript expression evaluated once the page has
loaded and its fonts and images have settled.

Chromium is Debian's `chromium` package (`apt-get install chromium`); set TKPKD_CHROMIUM to use another binary.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any

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
)
# The page's own resources are files and inline data; anything else is the network.
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
# Resolves once the page has loaded, its web fonts are ready and every <img> has finished (loaded or failed).
SETTLED = """Promise.all([
  document.fonts.ready,
  ...Array.from(document.images, (image) => image.decode().catch(() => null)),
])"""


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


class DevToolsError(RuntimeError):
    pass


class _DevToolsPipe:
    def __init__(self, process: subprocess.Popen, commands, replies):
        self._process = process
        self._commands = commands
        self._replies = replies
        self._buffer = b""
        self._last_id = 0
        self.events: list[dict] = []

    def _receive(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = self._replies.read(65536)
            if not chunk:
                raise DevToolsError(f"chromium closed the DevTools pipe (exit code {self._process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._last_id += 1
        command = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        self._commands.write(json.dumps(command).encode() + b"\0")
        while True:
            message = self._receive()
            if message.get("id") == self._last_id:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error'].get('message')}")
                return message["result"]
            self.events.append(message)

    def wait_for(self, method: str) -> None:
        while not any(event.get("method") == method for event in self.events):
            self.events.append(self._receive())


_ONTO_3_AND_4 = "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); os.execvp(sys.argv[3], sys.argv[3:])"


def _above_browser_fds(fd: int) -> int:
    """The descriptor moved above 4, so putting one end on 3 or 4 cannot overwrite the other."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


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
    chromium = require_chromium(chromium)
    browser_reads, commands_fd = map(_above_browser_fds, os.pipe())
    replies_fd, browser_writes = map(_above_browser_fds, os.pipe())
    with tempfile.TemporaryDirectory(prefix="tkpkd-chromium-") as profile:
        # A small Python trampoline puts the pipe's ends on the descriptors Chromium expects (3 and 4) and becomes
        # Chromium (a shell's `3<&N` takes one-digit descriptors only).
        process = subprocess.Popen(
            [sys.executable, "-c", _ONTO_3_AND_4, str(browser_reads), str(browser_writes), chromium, *HEADLESS_FLAGS,
             "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(browser_reads, browser_writes),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(browser_reads)
        os.close(browser_writes)
        # A browser that hangs is killed after `timeout`: its pipe closes and the pending read fails.
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            with os.fdopen(commands_fd, "wb", buffering=0) as commands, os.fdopen(replies_fd, "rb", buffering=0) as replies:
                pipe = _DevToolsPipe(process, commands, replies)
                target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
                session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
                for domain in ("Page", "Runtime", "Log", "Network"):
                    pipe.call(f"{domain}.enable", session=session)
                pipe.call(
                    "Network.emulateNetworkConditions",
                    {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
                    session,
                )
                pipe.call("Page.navigate", {"url": url}, session)
                pipe.wait_for("Page.loadEventFired")
                pipe.call("Runtime.evaluate", {"expression": SETTLED, "awaitPromise": True}, session)
                evaluated = pipe.call(
                    "Runtime.evaluate",
                    {"expression": expression, "awaitPromise": True, "returnByValue": True},
                    session,
                )
                if "exceptionDetails" in evaluated:
                    details = evaluated["exceptionDetails"]
                    raise DevToolsError(details.get("exception", {}).get("description") or details.get("text"))
                value = evaluated["result"].get("value")
                try:
                    pipe.call("Browser.close")
                except DevToolsError:
                    pass  # the browser may close its end of the pipe before it answers
                process.wait()
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
    return _report(url, pipe.events, value)
