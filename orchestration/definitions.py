"""The Dagster code location: one `Definitions` assembled from the areas in `orchestration/defs/`."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.ingestion import ingest_inbox
from orchestration.defs.publishing import AnalyticsFileResource, analytics_file
from orchestration.defs.quality import agency_feedback, published_gates, staging_gates
from orchestration.defs.resources import ExportsResource, InboxResource, WarehouseResource
from orchestration.defs.serving import serving_assets
from orchestration.defs.transformation import (
    dbt_resource,
    tkpkd_dbt_assets,
    tkpkd_dbt_staging_assets,
)
from orchestration.settings import load_settings

MAIN_JOB_NAME = "tkpkd_main"

main_job = dg.define_asset_job(
    MAIN_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description=(
        "Load every new agency file, rebuild staging and quarantine, run the quality gates, then rebuild the marts "
        "and publish the analytics file (both skipped when a blocking gate fails)."
    ),
)


def build_definitions() -> dg.Definitions:
    settings = load_settings()
    return dg.Definitions(
        assets=[
            ingest_inbox,
            tkpkd_dbt_staging_assets,
            tkpkd_dbt_assets,
            analytics_file,
            agency_feedback,
            *serving_assets,
        ],
        asset_checks=[staging_gates, published_gates],
        jobs=[main_job],
        resources={
            "warehouse": WarehouseResource(database=str(settings.warehouse)),
            "inbox": InboxResource(path=str(settings.inbox)),
            "analytics": AnalyticsFileResource(path=str(settings.analytics)),
            "exports": ExportsResource(path=str(settings.exports)),
            "dbt": dbt_resource(),
        },
        # DuckDB takes one writing process per file: run each job's steps in one process, one after another.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
