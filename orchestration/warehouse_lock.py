"""Every DuckDB engine the pipeline opens, and the run lock that keeps two `tkpkd run`s apart.

`connect_warehouse` is the one place that calls `duckdb.connect` (tests/test_duckdb_connections.py keeps it so): a
file or a private in-memory engine (`IN_MEMORY`: Splink's working tables, the revisions diff, the analytics file's
build) gets DuckDB's memory_limit from TKPKD_DUCKDB_MEMORY_LIMIT, the spill folder `temp_directory` from
`orchestration.settings.duckdb_temp_directory` (beyond the limit DuckDB writes blocks there instead of growing), and
the wait for a held file. dbt's engine takes the same two settings from profiles.yml.

DuckDB lets one process write a file, or several read it, never both: a reader (an engineer's DBeaver, another
run's gate) makes every other open fail at once with `duckdb.IOException`. `connect_warehouse` waits for the holder
with backoff for TKPKD_WAREHOUSE_LOCK_TIMEOUT seconds (default 120), then raises `WarehouseLockedError` naming
the holder (program, PID, user, as DuckDB reports them) and what to do. dbt-duckdb opens the file itself and fails
immediately, so the dbt steps call `wait_for_warehouse` first.

`run_lock` is an exclusive OS lock (`fcntl.flock`) on `<warehouse>.run.lock`, held for a whole `tkpkd run`; the
file records who holds it so the second run can say so. The kernel releases it when the holder dies, so a crashed
run never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.settings import duckdb_memory_limit, duckdb_temp_directory, number_from_env

DEFAULT_LOCK_TIMEOUT_SECONDS = 120.0
_FIRST_WAIT_SECONDS = 0.1
_LONGEST_WAIT_SECONDS = 5.0
_HOLDER_PATTERN = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)(?: by user (?P<user>\S+))?")

WHAT_TO_DO = (
    "Close the other connection (e.g. DBeaver's connection to the warehouse), read data/warehouse/analytics.duckdb "
    "or a snapshot copy instead of the warehouse, or wait for the other run to finish; "
    "TKPKD_WAREHOUSE_LOCK_TIMEOUT sets how long the pipeline waits."
)


# A private engine with no file: nothing to wait for, but the same memory limit.
IN_MEMORY = ":memory:"


class WarehouseLockedError(RuntimeError):
    """Another process held a DuckDB file (or the run lock) for longer than the lock timeout."""


def lock_timeout_seconds() -> float:
    """How long a connect or a run waits for a held file (TKPKD_WAREHOUSE_LOCK_TIMEOUT, seconds; 0 = do not wait)."""
    return number_from_env("TKPKD_WAREHOUSE_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT_SECONDS)


def _is_lock_conflict(error: duckdb.IOException) -> bool:
    return "Could not set lock on file" in str(error)


def describe_holder(error: duckdb.IOException) -> str:
    """`<program> (PID n, user u)` from DuckDB's lock message, or `another process` when it names none."""
    match = _HOLDER_PATTERN.search(str(error))
    if not match:
        return "another process"
    user = f", user {match['user']}" if match["user"] else ""
    return f"{match['program']} (PID {match['pid']}{user})"


def _waits(timeout: float) -> Iterator[float]:
    """Backoff pauses that add up to the timeout, doubling from 0.1 s up to 5 s each."""
    waited, pause = 0.0, _FIRST_WAIT_SECONDS
    while waited < timeout:
        pause = min(pause, timeout - waited)
        yield pause
        waited += pause
        pause = min(pause * 2, _LONGEST_WAIT_SECONDS)


def connect_warehouse(
    path: str | Path, *, read_only: bool = False, config: dict | None = None, timeout: float | None = None
) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect` with the pipeline's memory limit (`config` adds or overrides settings), waiting while another
    process holds the file; `WarehouseLockedError` after the timeout."""
    timeout = lock_timeout_seconds() if timeout is None else timeout
    config = config or {}
    pauses = _waits(timeout)
    while True:
        try:
            connection = duckdb.connect(str(path), read_only=read_only, config=config)
            break
        except duckdb.IOException as error:
            if not _is_lock_conflict(error):
                raise
            pause = next(pauses, None)
            if pause is None:
                raise WarehouseLockedError(
                    f"{path} is locked by {describe_holder(error)}; waited {timeout:g} s. {WHAT_TO_DO}"
                ) from None
            time.sleep(pause)
    # Set on the open connection, not in `config`: DuckDB refuses a second connection in this process to a file
    # already open with another config (a notebook's or a test's own `duckdb.connect`).
    if "memory_limit" not in config:
        connection.execute("set memory_limit = ?", [duckdb_memory_limit()])
    if "temp_directory" not in config:
        _set_temp_directory(connection, duckdb_temp_directory())
    return connection


def _set_temp_directory(connection: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """The spill folder of the connection's database instance. DuckDB cannot move it once the instance has spilled
    (it refuses even the same folder again), which only an instance shared with another connection can have done:
    that instance keeps the folder it spills to."""
    [(current,)] = connection.execute("select current_setting('temp_directory')").fetchall()
    if current == str(folder):
        return
    # DuckDB creates the folder itself (and removes it when it is done) but not its parents: an in-memory engine can
    # open before the warehouse's folder exists.
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection.execute("set temp_directory = ?", [str(folder)])
    except duckdb.NotImplementedException:
        pass


def wait_for_warehouse(path: str | Path, timeout: float | None = None) -> None:
    """Wait until the pipeline could open the file for writing (for dbt, which fails at once on a lock)."""
    if Path(path).exists():
        connect_warehouse(path, timeout=timeout).close()


def run_lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".run.lock")


def _holder_of(lock_file) -> str:
    lock_file.seek(0)
    try:
        holder = json.loads(lock_file.read() or "{}")
    except json.JSONDecodeError:
        holder = {}
    if not holder:
        return "another run"
    return f"`{holder.get('command')}` (PID {holder.get('pid')}, user {holder.get('user')}, since {holder.get('started_at')})"


@contextmanager
def run_lock(warehouse: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the warehouse's run lock for the block; `WarehouseLockedError` naming the holding run after the timeout."""
    timeout = lock_timeout_seconds() if timeout is None else timeout
    path = run_lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    # "a+" neither truncates the holder's record before we own the lock nor fails when the file is new.
    with open(path, "a+", encoding="utf-8") as lock_file:
        pauses = _waits(timeout)
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pause = next(pauses, None)
                if pause is None:
                    raise WarehouseLockedError(
                        f"Another pipeline run holds {warehouse}: {_holder_of(lock_file)}; waited {timeout:g} s. "
                        "Wait for it to finish (a Dagster UI run shows in the UI's Runs page) and start again."
                    ) from None
                time.sleep(pause)
        try:
            lock_file.truncate(0)
            json.dump({
                "pid": os.getpid(),
                "user": getpass.getuser(),
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:]),
            }, lock_file)
            lock_file.flush()
            yield
        finally:
            lock_file.truncate(0)
            fcntl.flock(lock_file, fcntl.LOCK_UN)
