"""The Dagster code location: one `Definitions` assembled from the areas in `orchestration/defs/`."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.freshness import daily_freshness_schedule, freshness_checks, freshness_job
from orchestration.defs.ingestion import ingest_inbox
from orchestration.defs.operations import MAIN_JOB_NAME, main_job, monthly_schedule
from orchestration.defs.publishing import AnalyticsFileResource, analytics_file
from orchestration.defs.quality import (
    agency_feedback,
    dimension_gates,
    published_gates,
    staging_gates,
)
from orchestration.defs.resources import ExportsResource, InboxResource, WarehouseResource
from orchestration.defs.sensors import (
    inbox_sensor,
    processing_log_on_failure,
    processing_log_on_success,
)
from orchestration.defs.serving import serving_assets
from orchestration.defs.transformation import (
    dbt_resource,
    tkpkd_dbt_core_assets,
    tkpkd_dbt_period_assets,
    tkpkd_dbt_staging_assets,
)
from orchestration.settings import load_settings

__all__ = ["MAIN_JOB_NAME", "build_definitions", "defs"]


def build_definitions() -> dg.Definitions:
    settings = load_settings()
    return dg.Definitions(
        assets=[
            ingest_inbox,
            tkpkd_dbt_staging_assets,
            tkpkd_dbt_core_assets,
            tkpkd_dbt_period_assets,
            analytics_file,
            agency_feedback,
            *serving_assets,
        ],
        asset_checks=[staging_gates, dimension_gates, published_gates, freshness_checks],
        jobs=[main_job, freshness_job],
        schedules=[monthly_schedule, daily_freshness_schedule],
        sensors=[inbox_sensor, processing_log_on_success, processing_log_on_failure],
        resources={
            "warehouse": WarehouseResource(database=str(settings.warehouse)),
            "inbox": InboxResource(location=settings.inbox_location, path=str(settings.inbox)),
            "analytics": AnalyticsFileResource(path=str(settings.analytics)),
            "exports": ExportsResource(path=str(settings.exports)),
            "dbt": dbt_resource(),
        },
        # DuckDB takes one writing process per file: run each job's steps in one process, one after another.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
