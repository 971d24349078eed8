"""Settings every test shares."""

from __future__ import annotations

import os

import pytest

from orchestration.browser import find_chromium


# tryfirst: pytest-xdist's worker reads the groups in its own pytest_collection_modifyitems (it suffixes each node id
# with `@<group>`, which `--dist loadgroup` schedules by); run after it, the markers came too late and every file's
# tests, the end-to-end run's included, were spread over both workers, each building the module fixtures again.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """`make test` runs the tests on two workers (pytest-xdist, `--dist loadgroup`). A file's tests stay together, so
    its module fixtures are built once, and every test of the end-to-end materialisation (`pipeline_run`, a minute
    or more) goes to one worker, which builds it once."""
    for item in items:
        group = "pipeline_run" if "pipeline_run" in item.fixturenames else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


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
