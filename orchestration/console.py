"""What `tkpkd run` shows a person: one progress line per step, the warnings that need a look, and where the log is.

The job runs in this process, so Dagster's event stream, dbt's output and Python's warnings all go to the process's
standard output and error: during the run both are redirected (at the file-descriptor level, so dbt's subprocesses
follow) into a log file, and a thread follows the run's events in the instance to draw the progress. A step's bar
counts what it produced: files for ingestion (the step logs one line per file it takes up), models and tests for
the dbt steps, checks for the gates. `--verbose` leaves the streams alone and draws nothing.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import dagster as dg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orchestration.defs.ingestion import READING_FILE, ingest_inbox

POLL_SECONDS = 0.5
T = TypeVar("T")
Event = dg.DagsterEventType
COUNTED = {Event.ASSET_MATERIALIZATION, Event.ASSET_CHECK_EVALUATION}
WARNING = 30  # logging.WARNING
# dagster-dbt's note that a singular dbt test is recorded as an observation: for the log, not for the person.
DAGSTER_DBT_NOTICE = "Logging an `AssetObservation` instead of"
INGEST_STEP = ingest_inbox.op.name
STEP_ENDS = {Event.STEP_SUCCESS: "[green]done", Event.STEP_FAILURE: "[red]failed", Event.STEP_SKIPPED: "[dim]skipped"}


@contextmanager
def _streams_into(log_path: Path) -> Iterator[None]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


class _Follower(threading.Thread):
    """Reads the run's events from the instance as they are written and draws them."""

    def __init__(self, instance: dg.DagsterInstance, run_id: str, progress: Progress, totals: dict[str, int]):
        super().__init__(daemon=True)
        self.instance, self.run_id, self.progress, self.totals = instance, run_id, progress, totals
        self.tasks: dict[str, int] = {}
        self.produced: set[tuple[str, str]] = set()
        self.finished = threading.Event()
        self.cursor = None

    def run(self) -> None:
        while not self.finished.wait(POLL_SECONDS):
            self.drain()
        self.drain()

    def drain(self) -> None:
        connection = self.instance.get_records_for_run(self.run_id, cursor=self.cursor)
        self.cursor = connection.cursor
        for record in connection.records:
            self.show(record.event_log_entry)

    def _task(self, step: str) -> int:
        if step not in self.tasks:
            self.tasks[step] = self.progress.add_task(step, total=self.totals.get(step) or None, status="")
        return self.tasks[step]

    def show(self, entry) -> None:
        event = entry.dagster_event
        step = entry.step_key
        if event is None:
            if step == INGEST_STEP and entry.user_message.startswith(READING_FILE):
                self.progress.advance(self._task(step))
            elif entry.level >= WARNING and not entry.user_message.startswith(DAGSTER_DBT_NOTICE):
                self.progress.console.print(f"[yellow]! {entry.user_message}[/yellow]")
            return
        kind = event.event_type
        if kind == Event.STEP_START:
            self._task(step)
        elif kind in COUNTED and step != INGEST_STEP:
            data = event.event_specific_data
            produced = (step, str(data.asset_check_key if kind == Event.ASSET_CHECK_EVALUATION else event.asset_key))
            if produced not in self.produced:
                self.produced.add(produced)
                self.progress.advance(self._task(step))
        elif kind in STEP_ENDS:
            task = self._task(step)
            done = max(self.progress.tasks[self.progress.task_ids.index(task)].completed, 1)
            self.progress.update(task, total=done, completed=done, status=STEP_ENDS[kind])


def step_totals(job: dg.JobDefinition, files_to_read: int) -> dict[str, int]:
    """What each step produces, for the length of its bar: its assets and checks; the files, for ingestion."""
    totals: dict[str, int] = {}
    for node in job.asset_layer.asset_graph.assets_defs:
        totals[node.node_def.name] = len(node.keys) + len(node.check_keys)
    totals[INGEST_STEP] = files_to_read
    return totals


def follow_run(
    execute: Callable[[str], T], instance: dg.DagsterInstance, run_id: str, totals: dict[str, int], log_path: Path
) -> T:
    """Call `execute(run_id)` with the streams in `log_path`, drawing the run's progress on the terminal."""
    console = Console(file=os.fdopen(os.dup(1), "w"), highlight=False)
    progress = Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(bar_width=30),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=console,
    )
    follower = _Follower(instance, run_id, progress, totals)
    with progress:
        follower.start()
        try:
            with _streams_into(log_path):
                return execute(run_id)
        finally:
            follower.finished.set()
            follower.join()
