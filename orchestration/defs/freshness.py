"""Freshness in Dagster: one `freshness` check per `raw/<source>` asset, and the daily job and schedule that run them.

A check reads `raw.ingested_files` (read-only) for the newest period with an accepted file, and applies the rule
of `orchestration.freshness` as of `TKPKD_FRESHNESS_AS_OF` (`YYYY-MM-DD`, default today). A late or never
delivered source is a failed check of severity WARN: it shows in the UI and never blocks a run. The checks are
not partitioned (they judge the source as a whole), so the checks-only job runs on its own, without a partition.
The main job runs them too (`AssetSelection.all()` takes every check).
"""

import os
from datetime import date
from typing import TYPE_CHECKING

import dagster as dg

from orchestration.contract import load_contract
from orchestration.defs.ingestion import INGESTED_FILES, RAW_SCHEMA, raw_asset_key
from orchestration.defs.operations import TIMEZONE
from orchestration.defs.resources import WarehouseResource
from orchestration.freshness import delivery_deadline_day, evaluate

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "FRESHNESS_CHECK",
    "FRESHNESS_JOB_NAME",
    "defs",
    "freshness_as_of",
    "freshness_checks",
    "freshness_job",
]

FRESHNESS_CHECK = "freshness"
FRESHNESS_JOB_NAME = "daily_freshness_job"
DEFAULT_FRESHNESS_CRON = "0 7 * * *"


def freshness_as_of() -> date:
    """The day freshness is judged on: `TKPKD_FRESHNESS_AS_OF` (`YYYY-MM-DD`), default today."""
    value = os.environ.get("TKPKD_FRESHNESS_AS_OF")
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"TKPKD_FRESHNESS_AS_OF must be a date YYYY-MM-DD, not {value!r}"
        ) from None


def last_delivered_periods(connection: "duckdb.DuckDBPyConnection") -> dict[str, str]:
    """Source -> newest period with a loaded (accepted) file. Sources with none are absent."""
    exists = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [RAW_SCHEMA, INGESTED_FILES],
    ).fetchone()[0]
    if not exists:
        return {}
    rows = connection.execute(
        f"select source, max(period) from {RAW_SCHEMA}.{INGESTED_FILES} "
        "where status = 'loaded' and period is not null group by source"
    ).fetchall()
    return dict(rows)


def _specs() -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            name=FRESHNESS_CHECK,
            asset=raw_asset_key(code),
            blocking=False,
            description=(
                f"Has {spec.agency} delivered the period due by now ({spec.cadence or 'no agreed'} cadence)? "
                "Warns when late or never delivered."
            ),
        )
        for code, spec in load_contract().items()
    ]


@dg.multi_asset_check(
    name="freshness_checks",
    specs=_specs(),
    can_subset=True,
    description="Freshness per source from its cadence in the source contract: the data period delivered.",
)
def freshness_checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    as_of = freshness_as_of()
    deadline_day = delivery_deadline_day()
    contract = load_contract()
    with warehouse.connect(read_only=True) as connection:
        delivered = last_delivered_periods(connection)
    for check_key in context.selected_asset_check_keys:
        source = check_key.asset_key.path[-1]
        result = evaluate(contract[source].cadence, delivered.get(source), as_of, deadline_day)
        yield dg.AssetCheckResult(
            asset_key=check_key.asset_key,
            check_name=FRESHNESS_CHECK,
            passed=not result.is_overdue,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{contract[source].agency}: {result.describe()}",
            metadata={
                "status": result.status,
                "cadence": result.cadence or "none",
                "last_delivered_period": result.last_delivered_period or "none",
                "expected_period": result.expected_period or "none",
                "due_date": result.due_date.isoformat() if result.due_date else "none",
                "days_overdue": result.days_overdue,
                "as_of": as_of.isoformat(),
            },
        )


freshness_job = dg.define_asset_job(
    FRESHNESS_JOB_NAME,
    selection=dg.AssetSelection.checks(freshness_checks),
    description="Evaluate the freshness check of every source (reads the warehouse, writes nothing).",
)

daily_freshness_schedule = dg.ScheduleDefinition(
    name="daily_freshness",
    job=freshness_job,
    cron_schedule=os.environ.get("TKPKD_FRESHNESS_CRON") or DEFAULT_FRESHNESS_CRON,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every morning: which agency is late with its data (warns, never blocks).",
)


defs = dg.Definitions(asset_checks=[freshness_checks], jobs=[freshness_job], schedules=[daily_freshness_schedule])
