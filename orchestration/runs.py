"""Running the main job from the command line and from tests: which periods, and on which Dagster instance.

`tkpkd run` executes the job in this process (DuckDB takes one writing process per file) on the persistent instance
in DAGSTER_HOME (`.dagster_home/` by default), the one `make ui` opens, so the UI shows the run, its
materializations and every check result afterwards.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence

import dagster as dg

from orchestration.settings import REPO_ROOT, Settings

INSTANCE_SETTINGS = REPO_ROOT / "dagster.yaml"


def persistent_instance(settings: Settings) -> dg.DagsterInstance:
    """The instance in `settings.dagster_home`, created with the repository's dagster.yaml when it is new."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(INSTANCE_SETTINGS, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return dg.DagsterInstance.get()


def fail_abandoned_cli_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed the runs an earlier `tkpkd run` left started when it was killed, and free their pool slots.

    Call it holding the run lock: then no other `tkpkd run` is alive, so a started run with a `cli:` trigger belongs
    to a process that is gone. Its slot in the warehouse writer pool would otherwise block every later run forever.
    """
    from orchestration.defs.operations import TRIGGER_TAG

    abandoned = []
    records = instance.get_run_records(
        dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING])
    )
    for record in records:
        run = record.dagster_run
        if not run.tags.get(TRIGGER_TAG, "").startswith("cli:"):
            continue  # launched by the daemon: its own monitoring decides
        instance.report_run_failed(run, "The `tkpkd run` process that ran it stopped (killed) before the run ended.")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        abandoned.append(run.run_id)
    return abandoned


def periods_to_run(settings: Settings, first: str | None = None, last: str | None = None) -> list[str]:
    """The periods a run covers: from `first` to `last`, by default every period delivered to the inbox.

    An inbox with no period folder at all still gets a run of the first period, so that files in the wrong place
    are recorded and reported."""
    from orchestration.defs.partitions import delivered_periods, known_periods

    served = known_periods()
    delivered = delivered_periods(settings.inbox_location) or served[:1]
    first = first or delivered[0]
    last = last or delivered[-1]
    unknown = [period for period in (first, last) if period not in served]
    if unknown:
        raise ValueError(
            f"{', '.join(unknown)} is not a period the warehouse serves ({served[0]} to {served[-1]}; "
            "TKPKD_FIRST_PERIOD sets the first)"
        )
    return [period for period in served if first <= period <= last]


def main_job_definition() -> dg.JobDefinition:
    from orchestration.definitions import MAIN_JOB_NAME, build_definitions

    return build_definitions().resolve_job_def(MAIN_JOB_NAME)


def run_main_job(
    instance: dg.DagsterInstance,
    periods: Sequence[str],
    tags: Mapping[str, str] | None = None,
    asset_selection: Sequence[dg.AssetKey] | None = None,
    *,
    job: dg.JobDefinition | None = None,
    run_id: str | None = None,
) -> dg.ExecuteInProcessResult:
    """Execute the main job for a range of periods in this process and record it in audit.processing_log;
    failures are in the result, not raised."""
    from orchestration.audit import after_run
    from orchestration.defs.partitions import range_tags
    from orchestration.settings import load_settings

    result = (job or main_job_definition()).execute_in_process(
        instance=instance,
        tags={**range_tags(periods), **(tags or {})},
        asset_selection=list(asset_selection) if asset_selection else None,
        raise_on_error=False,
        run_id=run_id,
    )
    settings = load_settings()
    after_run(instance, result.run_id, settings.warehouse, settings.analytics)
    return result
