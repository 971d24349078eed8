"""Settings every test shares."""

from __future__ import annotations

import os

import pytest

from orchestration.browser import find_chromium


@pytest.fixture(autouse=True)
def _inbox_files_are_settled(monkeypatch):
    """Tests write their inbox just before they run the pipeline: no file is still being copied in."""
    monkeypatch.setenv("TKPKD_INBOX_SETTLE_SECONDS", "0")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The headless browser of the browser tests; skipped without one, except in CI."""
    found = find_chromium()
    if found is None:
        message = "Chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found
