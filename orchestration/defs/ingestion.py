"""Ingestion: every agency file in the inbox into raw DuckDB tables, one asset per source of the contract.

One multi-asset rather than fourteen assets: all of them write the same DuckDB file, so they run in one op, one
after another, and a subset (a single source) can still be materialised on its own. The assets are partitioned by
period: partition `2025-12` of `raw/bansos` is the folder `<inbox>/bansos/2025-12/`, and a range of periods is read
in one run. Files in a folder that is no period, or of a period the warehouse does not serve, belong to no partition:
every ingestion run records them, so they reach the summary, rpt_data_quality and the agencies' feedback. So does
every file outside the contract's source folders (an unknown folder, a file directly in the inbox): recorded
rejected by every run, under the `raw/ingested_files` asset.
"""

import dagster as dg

from orchestration.contract import load_contract
from orchestration.defs.partitions import ONE_RUN_PER_RANGE, PERIODS, known_periods, periods_of
from orchestration.defs.resources import WAREHOUSE_WRITER_POOL, InboxResource, WarehouseResource
from orchestration.ingestion import ingest_source, ingest_unknown_entries
from orchestration.settings import inbox_settle_seconds

RAW_SCHEMA = "raw"
# One log line per file taken up: the console's progress bar for this step counts them (orchestration/console.py).
READING_FILE = "Reading "
INGESTED_FILES = "ingested_files"
# A network share that hiccups, or an uploader holding the warehouse's folder for a moment: the whole step is
# tried again (files already loaded are skipped), after 10 s, then 20 s, then 40 s.
TRANSIENT_FAILURE_RETRIES = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL)


def raw_asset_key(source: str) -> dg.AssetKey:
    """The key dbt's `source('raw', <source>)` maps to, so dbt staging depends on the matching ingestion asset."""
    return dg.AssetKey([RAW_SCHEMA, source])


def _raw_specs() -> list[dg.AssetSpec]:
    specs = [
        dg.AssetSpec(
            raw_asset_key(code),
            description=(
                f"Raw rows of every `{code}` file delivered by {spec.agency} ({spec.kind} source), all values as "
                "text, with lineage columns (file, hash, row number, period, load time). Partition `YYYY-MM` is the "
                f"folder `<inbox>/{code}/YYYY-MM/`."
            ),
            group_name="ingestion",
            kinds={"duckdb"},
            tags={"source_kind": spec.kind},
            skippable=True,
        )
        for code, spec in load_contract().items()
    ]
    specs.append(
        dg.AssetSpec(
            raw_asset_key(INGESTED_FILES),
            description="One row per delivered file seen: loaded, rejected (with the reason) or a duplicate delivery.",
            group_name="ingestion",
            kinds={"duckdb"},
            skippable=True,
        )
    )
    return specs


def _rejections_markdown(report) -> str:
    return "\n".join(f"- `{o.source_file}`: {o.message}" for o in report.rejected) or "none"


@dg.multi_asset(
    name="ingest_inbox",
    specs=_raw_specs(),
    can_subset=True,
    partitions_def=PERIODS,
    backfill_policy=ONE_RUN_PER_RANGE,
    retry_policy=TRANSIENT_FAILURE_RETRIES,
    pool=WAREHOUSE_WRITER_POOL,
    description=(
        "Load the new inbox files of the run's periods into raw tables; files already loaded (same path and hash) "
        "are skipped, so a retry or a rerun adds nothing."
    ),
)
def ingest_inbox(context: dg.AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource):
    contract = load_contract()
    inbox_path = inbox.local_path()
    periods = set(periods_of(context))
    served = known_periods()
    selected = {key.path[-1] for key in context.selected_asset_keys}
    context.log.info(f"Reading periods {min(periods)} to {max(periods)} of {len(selected & set(contract))} sources")

    settle_seconds = inbox_settle_seconds()
    with warehouse.connect() as connection:
        unknown = ingest_unknown_entries(connection, inbox_path, contract, settle_seconds=settle_seconds)
        for outcome in unknown.rejected:
            context.log.warning(outcome.message)
        for code, spec in contract.items():
            if code not in selected:
                continue
            report = ingest_source(
                connection,
                spec,
                inbox_path,
                periods=periods,
                period_bounds=(served[0], served[-1]),
                settle_seconds=settle_seconds,
                on_file=lambda source_file: context.log.info(f"{READING_FILE}{source_file}"),
            )
            for outcome in report.rejected:
                context.log.warning(f"[{code}] {outcome.message}")
            for outcome in report.pending:
                context.log.info(f"[{code}] {outcome.message}")
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(code),
                metadata={**report.metadata(), "rejected_files": dg.MetadataValue.md(_rejections_markdown(report))},
            )
    if INGESTED_FILES in selected:
        yield dg.MaterializeResult(
            asset_key=raw_asset_key(INGESTED_FILES),
            metadata={
                "files_outside_sources_recorded": len(unknown.rejected),
                "rejected_files_outside_sources": dg.MetadataValue.md(_rejections_markdown(unknown)),
            },
        )


defs = dg.Definitions(assets=[ingest_inbox])
