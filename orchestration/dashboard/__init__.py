"""The static dashboard: one self-contained HTML page built from the analytics file on every run, opened from the file
system with no server (`build.py`), and a check that it renders in headless Chromium (`browser_check.py`)."""
