"""Settings every test shares."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _inbox_files_are_settled(monkeypatch):
    """Tests write their inbox just before they run the pipeline: no file is still being copied in."""
    monkeypatch.setenv("TKPKD_INBOX_SETTLE_SECONDS", "0")
