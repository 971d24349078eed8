"""The inbox sensor: a delivery starts the run that loads it, without anyone pressing a button.

Every `TKPKD_INBOX_SENSOR_INTERVAL` seconds (60 by default) the sensor compares the inbox with its cursor (every
file it has started a run for, by path and digest; orchestration/inbox.py). New or changed files that have settled
start one run of the main job for the sources that delivered them, everything downstream of those sources, and the
periods they were delivered for (from the first to the last); the run key is a digest of the files, so a file never
starts two runs, even if a cursor update were lost. The same bytes delivered again (a copy, a touched file) start
nothing. A file outside the contract's source folders starts nothing either: it is named in the sensor's log and
recorded as rejected by the next run that reads the inbox.

A run for one period also rewrites the earlier periods whose facts and reports its files change (a payout recorded
late, a death registered late, a repaired NIK) and records them as materialized (docs/design.md, "Partitions").
"""

from __future__ import annotations

import hashlib

import dagster as dg

from orchestration.audit import after_run
from orchestration.contract import load_contract
from orchestration.defs.ingestion import raw_asset_key
from orchestration.defs.operations import MAIN_JOB_SELECTION, TRIGGER_TAG, main_job
from orchestration.defs.partitions import is_period, known_periods, range_tags
from orchestration.inbox import InboxChanges, InboxCursor, changes_since
from orchestration.settings import inbox_settle_seconds, load_settings, number_from_env

DEFAULT_INTERVAL_SECONDS = 60


def sensor_interval_seconds() -> int:
    return int(number_from_env("TKPKD_INBOX_SENSOR_INTERVAL", DEFAULT_INTERVAL_SECONDS, 1))


def run_request_for(changes: InboxChanges, asset_graph) -> dg.RunRequest:
    """One run for every settled delivery: the delivering sources and what reads them, over their periods."""
    served = known_periods()
    periods = sorted({file.parts[1] for file, _ in changes.delivered if len(file.parts) > 2 and file.parts[1] in served})
    if not periods:
        # Only files in no period folder, or of a period not served: a run of the newest period records them.
        periods = served[-1:]
    sources = sorted(changes.sources)
    # Everything but what only the other sources feed (their raw tables, staging and their own intermediate
    # models): the file register, the seeds and the models built from no source are rebuilt as in any run.
    delivering = dg.AssetSelection.assets(*(raw_asset_key(source) for source in sources)).downstream()
    others = dg.AssetSelection.assets(
        *(raw_asset_key(source) for source in load_contract() if source not in sources)
    ).downstream()
    selection = MAIN_JOB_SELECTION - (others - delivering)
    fingerprint = hashlib.sha256(
        "\n".join(sorted(f"{file.path}\t{version}" for file, version in changes.delivered)).encode()
    ).hexdigest()
    return dg.RunRequest(
        run_key=f"inbox-{fingerprint[:20]}",
        asset_selection=sorted(selection.resolve(asset_graph)),
        asset_check_keys=sorted(selection.resolve_checks(asset_graph)),
        tags={
            **range_tags(periods),
            TRIGGER_TAG: "sensor",
            "tkpkd/sources": ",".join(sources),
            "tkpkd/files": str(len(changes.delivered)),
        },
    )


def _describe(changes: InboxChanges) -> str:
    parts = []
    if changes.settling:
        parts.append(f"{len(changes.settling)} file(s) still arriving: " + ", ".join(f.path for f in changes.settling[:5]))
    if changes.unknown:
        parts.append(
            f"{len(changes.unknown)} file(s) outside the contract's source folders: "
            + ", ".join(f.path for f in changes.unknown[:5])
        )
    return "; ".join(parts)


@dg.sensor(
    name="inbox_sensor",
    job=main_job,
    minimum_interval_seconds=sensor_interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Starts a run when agency files are delivered to the inbox (new or changed, by path and digest, once they "
        "have settled): the delivering sources, what reads them, and the periods delivered."
    ),
)
def inbox_sensor(context: dg.SensorEvaluationContext):
    settings = load_settings()
    changes = changes_since(
        settings.inbox_location, InboxCursor.parse(context.cursor), load_contract(), inbox_settle_seconds()
    )
    context.update_cursor(changes.cursor.serialize())
    note = _describe(changes)
    if note:
        context.log.info(note)
    if not changes.delivered:
        return dg.SkipReason(note or "no new or changed file in the inbox")
    strays = [file.parts[1] for file, _ in changes.delivered if len(file.parts) > 2 and not is_period(file.parts[1])]
    if strays:
        context.log.warning(f"Files in folders that are no period ({', '.join(sorted(set(strays)))}) are rejected.")
    return run_request_for(changes, context.repository_def.asset_graph)


@dg.run_status_sensor(
    name="processing_log_sensor",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[main_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records every finished run of the main job in audit.processing_log and sends its notification.",
)
def processing_log_on_success(context: dg.RunStatusSensorContext):
    _record(context)


@dg.run_failure_sensor(
    name="processing_log_failure_sensor",
    monitored_jobs=[main_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records every failed run of the main job in audit.processing_log and sends its notification.",
)
def processing_log_on_failure(context: dg.RunFailureSensorContext):
    _record(context)


def _record(context) -> None:
    # Runs the daemon launched (schedule, sensor, UI); `tkpkd run` records its own, and a second record of the
    # same run replaces the first.
    settings = load_settings()
    after_run(context.instance, context.dagster_run.run_id, settings.warehouse, settings.analytics)


defs = dg.Definitions(sensors=[inbox_sensor, processing_log_on_success, processing_log_on_failure])
