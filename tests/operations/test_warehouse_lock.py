"""Contention: a held warehouse file makes connects wait then name the holder; two runs never overlap."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading

import duckdb
import pytest

from orchestration.settings import REPO_ROOT
from orchestration.warehouse_lock import (
    WarehouseLockedError,
    connect_warehouse,
    run_lock,
    run_lock_path,
    wait_for_warehouse,
)

HOLD_READ_ONLY = textwrap.dedent("""
    import sys, duckdb
    connection = duckdb.connect(sys.argv[1], read_only=True)
    print("holding", flush=True)
    sys.stdin.readline()
""")

HOLD_RUN_LOCK = textwrap.dedent("""
    import sys
    from pathlib import Path
    from orchestration.warehouse_lock import run_lock
    with run_lock(Path(sys.argv[1]), timeout=0):
        print("holding", flush=True)
        sys.stdin.readline()
""")


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "tkpkd.duckdb"
    duckdb.connect(str(path)).close()
    return path


def _holder(script: str, path) -> subprocess.Popen:
    """A separate process (DuckDB and flock locks are per process) that holds the lock until told to stop."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=REPO_ROOT,
    )
    assert process.stdout.readline().strip() == "holding"
    return process


def _release(process: subprocess.Popen) -> None:
    process.stdin.write("\n")
    process.stdin.flush()
    process.wait()


def test_a_connect_waits_for_a_reader_then_names_it_and_says_what_to_do(warehouse):
    holder = _holder(HOLD_READ_ONLY, warehouse)
    try:
        with pytest.raises(WarehouseLockedError) as locked:
            connect_warehouse(warehouse, timeout=0.5)
    finally:
        _release(holder)
    message = str(locked.value)
    assert f"PID {holder.pid}" in message and "waited 0.5 s" in message
    assert "analytics.duckdb" in message and "TKPKD_WAREHOUSE_LOCK_TIMEOUT" in message


def test_a_connect_succeeds_once_the_holder_lets_go_during_the_wait(warehouse):
    holder = _holder(HOLD_READ_ONLY, warehouse)
    releaser = threading.Timer(0.5, _release, args=(holder,))
    releaser.start()
    try:
        with connect_warehouse(warehouse, timeout=60) as connection:
            assert connection.sql("select 1").fetchall() == [(1,)]
    finally:
        releaser.join()
    assert holder.returncode == 0
    wait_for_warehouse(warehouse, timeout=0)


def test_errors_other_than_a_lock_are_not_waited_for(tmp_path):
    (tmp_path / "not_a_database.duckdb").write_text("plain text")
    with pytest.raises(duckdb.Error) as error:
        connect_warehouse(tmp_path / "not_a_database.duckdb", timeout=60)
    assert not isinstance(error.value, WarehouseLockedError)


def test_a_second_run_lock_names_the_holding_run_and_the_lock_is_reusable_after(warehouse):
    holder = _holder(HOLD_RUN_LOCK, warehouse)
    try:
        with pytest.raises(WarehouseLockedError) as locked, run_lock(warehouse, timeout=0.3):
            pass
    finally:
        _release(holder)
    assert f"PID {holder.pid}" in str(locked.value) and "since 20" in str(locked.value)
    with run_lock(warehouse, timeout=0):
        assert str(os.getpid()) in run_lock_path(warehouse).read_text()
    assert run_lock_path(warehouse).read_text() == ""


def test_tkpkd_run_beside_a_running_one_exits_with_a_message_not_a_traceback(warehouse, tmp_path):
    holder = _holder(HOLD_RUN_LOCK, warehouse)
    environment = {
        **os.environ, "TKPKD_WAREHOUSE": str(warehouse), "TKPKD_INBOX": str(tmp_path / "inbox"),
        "TKPKD_WAREHOUSE_LOCK_TIMEOUT": "0.2", "TKPKD_ENV": "development",
    }
    try:
        second = subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "run"], check=False, env=environment, cwd=REPO_ROOT,
            capture_output=True, text=True,
        )
    finally:
        _release(holder)
    assert second.returncode == 2, second.stderr
    assert "Another pipeline run holds" in second.stderr and f"PID {holder.pid}" in second.stderr
    assert "Traceback" not in second.stderr
    # The second run stopped before generating a sample into the empty inbox.
    assert not (tmp_path / "inbox").exists()
