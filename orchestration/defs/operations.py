"""Operations: the job that builds the warehouse and the schedule that runs it every month on its own.

The monthly build runs the day after the agencies' delivery deadline (`TKPKD_DELIVERY_DEADLINE_DAY`, the 10th by
default; `TKPKD_MONTHLY_BUILD_CRON` overrides the whole cron expression), in Pontianak's time zone. It rebuilds
every period up to the one just delivered in one run: files that arrived since are loaded, and a late or
corrected delivery for an old period is folded into every figure it changes.
"""

from __future__ import annotations

import os
from datetime import datetime

import dagster as dg

from orchestration.defs.partitions import PERIOD_FORMAT, known_periods, range_tags
from orchestration.freshness import delivery_deadline_day

MAIN_JOB_NAME = "tkpkd_main"
TIMEZONE = "Asia/Pontianak"
# Who or what started a run, for the record of processing activities (audit.processing_log).
TRIGGER_TAG = "tkpkd/trigger"

MAIN_JOB_SELECTION = dg.AssetSelection.all()


main_job = dg.define_asset_job(
    MAIN_JOB_NAME,
    selection=MAIN_JOB_SELECTION,
    description=(
        "Load the new agency files of the run's periods, rebuild staging and quarantine, run the quality gates, "
        "rebuild identity, the registry and the dimensions, then the run's periods of the facts and reports, and "
        "publish the analytics file and the exports."
    ),
)


def monthly_build_cron() -> str:
    cron = os.environ.get("TKPKD_MONTHLY_BUILD_CRON")
    if cron:
        return cron
    return f"0 6 {delivery_deadline_day() + 1} * *"


def previous_period(moment: datetime) -> str:
    first_of_month = moment.replace(day=1)
    year, month = (first_of_month.year, first_of_month.month - 1) if first_of_month.month > 1 else (
        first_of_month.year - 1, 12
    )
    return datetime(year, month, 1).strftime(PERIOD_FORMAT)


@dg.schedule(
    name="monthly_build",
    cron_schedule=monthly_build_cron(),
    execution_timezone=TIMEZONE,
    job=main_job,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "The monthly build, the day after the agencies' delivery deadline: every period up to the month just "
        "delivered, in one run."
    ),
)
def monthly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    delivered = previous_period(context.scheduled_execution_time)
    periods = [period for period in known_periods() if period <= delivered]
    if not periods:
        return dg.SkipReason(f"no period up to {delivered} is served yet (TKPKD_FIRST_PERIOD)")
    return dg.RunRequest(
        run_key=f"monthly-{delivered}",
        tags={**range_tags(periods), TRIGGER_TAG: "schedule"},
    )


defs = dg.Definitions(
    jobs=[main_job],
    schedules=[monthly_schedule],
    # DuckDB takes one writing process per file: run each job's steps in one process, one after another.
    executor=dg.in_process_executor,
)
