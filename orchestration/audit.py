"""The record of processing activities (UU PDP 27/2022 asks a controller to keep one), and the run's notification.

After every run of the main job, however it was started (the command line, the monthly schedule, the inbox
sensor, the UI), one row goes into `audit.processing_log` in the restricted warehouse: who or what started it, the
periods, the files it read with their hashes and outcome, the tables it published with their row counts, and its
outcome with the steps that failed. It holds no NIK and no name: file paths, hashes, table names and counts only.

When the run failed, a source is late (a failed freshness check) or a batch was held by a failed staging gate
(orchestration/quality/holds.py), the run's summary is sent as JSON to
`TKPKD_NOTIFY_COMMAND` (a shell command, the JSON on its standard input) and/or `TKPKD_NOTIFY_URL` (an HTTP POST):
a notification that cannot be delivered is logged, it never fails the run.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
import os
import subprocess
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

import dagster as dg

from orchestration.defs.freshness import FRESHNESS_CHECK
from orchestration.defs.operations import TRIGGER_TAG
from orchestration.defs.partitions import RANGE_END_TAG, RANGE_START_TAG
from orchestration.warehouse_lock import connect_warehouse

logger = logging.getLogger(__name__)
NOTIFY_TIMEOUT_SECONDS = 30

PROCESSING_LOG_DDL = """
create schema if not exists audit;
create table if not exists audit.processing_log (
    run_id varchar primary key,
    job_name varchar not null,
    started_by varchar not null,
    started_at timestamp,
    finished_at timestamp,
    outcome varchar not null,
    periods_from varchar,
    periods_to varchar,
    files_read json,
    published json,
    failed_steps json,
    failed_checks json,
    late_sources json,
    recorded_at timestamp not null
)
"""


@dataclass
class RunRecord:
    run_id: str
    job_name: str
    started_by: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    outcome: str
    periods_from: str | None
    periods_to: str | None
    failed_steps: list[str] = field(default_factory=list)
    late_sources: list[str] = field(default_factory=list)
    checks_passed: int = 0
    failed_checks: list[str] = field(default_factory=list)
    held_batches: list[str] = field(default_factory=list)  # "<source> <period>" held by a failed staging gate
    files_read: list[dict] = field(default_factory=list)
    published: list[dict] = field(default_factory=list)


def _utc(timestamp: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).replace(tzinfo=None) if timestamp else None


def describe_run(instance: dg.DagsterInstance, run_id: str) -> RunRecord:
    """What the instance knows of a finished run: trigger, times, outcome, failed steps and late sources."""
    record = instance.get_run_record_by_id(run_id)
    run = record.dagster_run
    tags = run.tags
    failed = sorted(
        {entry.step_key for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)}
    )
    checks = [
        entry.dagster_event.event_specific_data
        for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    ]
    late = sorted(check.asset_key.path[-1] for check in checks if check.check_name == FRESHNESS_CHECK and not check.passed)
    failed_checks = sorted(
        f"{check.check_name} on {check.asset_key.to_user_string()}"
        for check in checks
        if not check.passed and check.check_name != FRESHNESS_CHECK
    )
    held = sorted(
        f"{check.metadata['source'].value} {period}"
        for check in checks
        if not check.passed and "held_batches" in check.metadata
        for period in check.metadata["held_batches"].value
    )
    return RunRecord(
        run_id=run_id,
        job_name=run.job_name,
        # A run without the tag was started in the UI (or by a `dagster` command), by whoever runs the webserver.
        started_by=tags.get(TRIGGER_TAG) or f"ui:{getpass.getuser()}",
        started_at=_utc(record.start_time),
        finished_at=_utc(record.end_time),
        outcome=run.status.value.lower(),
        periods_from=tags.get(RANGE_START_TAG),
        periods_to=tags.get(RANGE_END_TAG),
        failed_steps=failed,
        late_sources=late,
        checks_passed=sum(check.passed for check in checks),
        failed_checks=failed_checks,
        held_batches=held,
    )


def _published_tables(analytics: Path, since: dt.datetime | None) -> list[dict]:
    if not analytics.exists() or (since and _utc(analytics.stat().st_mtime) < since):
        return []  # this run published nothing (it failed before, or did not select the analytics file)
    with connect_warehouse(analytics, read_only=True) as connection:
        tables = connection.execute("select table_name from duckdb_tables() where schema_name = 'main' order by 1")
        return [
            {"table": name, "rows": connection.execute(f'select count(*) from "{name}"').fetchone()[0]}
            for (name,) in tables.fetchall()
        ]


def record_run(warehouse: Path, analytics: Path, record: RunRecord) -> RunRecord:
    """Append the run to audit.processing_log, with the files it recorded and what it published."""
    record.published = _published_tables(analytics, record.started_at)
    with connect_warehouse(warehouse) as connection:
        connection.execute(PROCESSING_LOG_DDL)
        has_files = connection.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'ingested_files'"
        ).fetchone()[0]
        if has_files and record.started_at:
            rows = connection.execute(
                "select source_file, file_hash, status, reason_code from raw.ingested_files"
                " where loaded_at >= ? and loaded_at <= coalesce(?, now()::timestamp) order by source_file",
                [record.started_at, record.finished_at],
            ).fetchall()
            record.files_read = [
                {"file": file, "sha256": digest, "status": status, "reason": reason}
                for file, digest, status, reason in rows
            ]
        connection.execute(
            "insert or replace into audit.processing_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::timestamp)",
            [
                record.run_id, record.job_name, record.started_by, record.started_at, record.finished_at,
                record.outcome, record.periods_from, record.periods_to, json.dumps(record.files_read),
                json.dumps(record.published), json.dumps(record.failed_steps), json.dumps(record.failed_checks),
                json.dumps(record.late_sources),
            ],
        )
    return record


def summary_json(record: RunRecord) -> str:
    summary = asdict(record)
    summary["files_read"] = len(record.files_read)  # the count: the list is in the processing log
    summary["files_rejected"] = sum(1 for file in record.files_read if file["status"] == "rejected")
    return json.dumps(summary, default=str, sort_keys=True)


def notify(record: RunRecord) -> bool:
    """Send the summary when the run failed, a source is late or a batch is held; True when a notification was sent."""
    command, url = os.environ.get("TKPKD_NOTIFY_COMMAND"), os.environ.get("TKPKD_NOTIFY_URL")
    if not (command or url) or (record.outcome == "success" and not record.late_sources and not record.held_batches):
        return False
    payload = summary_json(record)
    try:
        if command:
            subprocess.run(command, shell=True, input=payload, text=True, check=True, timeout=NOTIFY_TIMEOUT_SECONDS)
        if url:
            request = urllib.request.Request(
                url, data=payload.encode(), headers={"Content-Type": "application/json"}, method="POST"
            )
            urllib.request.urlopen(request, timeout=NOTIFY_TIMEOUT_SECONDS).close()
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("The run's notification could not be sent: %s", error)
        return False
    return True


def run_tags(record: RunRecord) -> dict[str, str]:
    """The run's summary as tags, shown on the run's page in the UI: files read and rejected per source."""
    per_source: dict[str, list[int]] = {}
    for file in record.files_read:
        counts = per_source.setdefault(file["file"].split("/")[0], [0, 0])
        counts[0] += 1
        counts[1] += file["status"] == "rejected"
    tags = {f"tkpkd/files/{source}": f"{read} read, {rejected} rejected" for source, (read, rejected) in per_source.items()}
    tags["tkpkd/checks"] = f"{record.checks_passed} passed, {len(record.failed_checks)} failed"
    if record.failed_checks:
        tags["tkpkd/failed_checks"] = "; ".join(record.failed_checks)[:4000]
    if record.late_sources:
        tags["tkpkd/late_sources"] = ",".join(record.late_sources)
    if record.held_batches:
        tags["tkpkd/held_batches"] = ",".join(record.held_batches)
    if record.failed_steps:
        tags["tkpkd/failed_steps"] = ",".join(record.failed_steps)
    return tags


def after_run(instance: dg.DagsterInstance, run_id: str, warehouse: Path, analytics: Path) -> RunRecord:
    record = record_run(warehouse, analytics, describe_run(instance, run_id))
    tags = run_tags(record)
    if tags:
        instance.add_run_tags(run_id, tags)
    notify(record)
    return record
