"""Quality gates: the Great Expectations suites of `expectations/` as Dagster asset checks, and how each one blocks.

- `staging_gates` checks every source's staged rows (its `stg_` model, newest period) after the staging dbt build.
  A source whose newest batch fails an expectation of error severity has that batch held
  (orchestration/quality/holds.py): its staging model is rebuilt without it and its check fails, while every other
  source goes on to the marts and reports in the same run; one agency's broken delivery never blocks another's.
  A delivery warning (quarantine share, rejected files) is a non-blocking check on `quarantine/quarantined_rows`.
- `published_gates` checks every published table after the marts' dbt build, blocking `analytics/analytics_file`:
  a failing published table keeps the last good analytics file.

One GX context serves every gate of a process, and both steps rebuild the Data Docs, so the HTML under
TKPKD_QUALITY_DOCS always shows the newest validation of every suite.
"""

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration.contract import load_contract
from orchestration.defs.ingestion import INGESTED_FILES, raw_asset_key
from orchestration.defs.resources import WAREHOUSE_WRITER_POOL, ExportsResource, WarehouseResource
from orchestration.defs.transformation import (
    MARTS_LAYER,
    MARTS_SCHEMA,
    RESTRICTED_TAGS,
    published_models_reading,
    rebuild_models,
)
from orchestration.quality.suites import PUBLISHED_TABLES, STAGED_SOURCES
from orchestration.settings import load_settings

if TYPE_CHECKING:
    from orchestration.quality.gates import GateResult
    from orchestration.quality.holds import Hold

STAGING_SCHEMA = "staging"
GATE_PREFIX = "gx_"
DELIVERIES_CHECK = "gx_deliveries"
QUARANTINE_KEY = dg.AssetKey(["quarantine", "quarantined_rows"])


def staging_key(source: str) -> dg.AssetKey:
    return dg.AssetKey([STAGING_SCHEMA, STAGED_SOURCES[source].model])


def published_key(table: str) -> dg.AssetKey:
    return dg.AssetKey([MARTS_LAYER, table])


def _gate_result(
    asset_key: dg.AssetKey, name: str, result: "GateResult", docs_index: Path, extra: dict | None = None
) -> dg.AssetCheckResult:
    """A failed warning is a failed check of WARN severity: shown in the UI, never blocking."""
    failed = result.failed_errors + result.failed_warnings
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=name,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if result.failed_errors else dg.AssetCheckSeverity.WARN,
        description=result.summary(),
        metadata={
            "suite": result.suite,
            "rows_validated": result.rows,
            "expectations": len(result.outcomes),
            "failed_errors": [o.expectation for o in result.failed_errors],
            "failed_warnings": [o.expectation for o in result.failed_warnings],
            "failures": dg.MetadataValue.md(result.summary() if failed else "none"),
            "failed_rows": sum(o.unexpected_count or 0 for o in failed),
            "data_docs": dg.MetadataValue.path(str(docs_index)),
            "data_docs_url": dg.MetadataValue.url(docs_index.resolve().as_uri()),
            **(extra or {}),
        },
    )


def _markdown_table(frame) -> str:
    if frame.empty:
        return "none"
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(str(value) for value in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def _deliveries_frame(connection: duckdb.DuckDBPyConnection):
    """One row per source: its newest period's row outcomes and rejected files."""
    from orchestration.quality.gates import read_frame

    return read_frame(
        connection,
        """
        with newest as (
            select source, max(_period) as period from staging.stg_row_outcomes where _period is not null group by source
        ),
        rows as (
            select outcomes.source, newest.period,
                count(*) filter (where outcome in ('accepted', 'quarantined')) as data_rows,
                count(*) filter (where outcome = 'quarantined') as rows_quarantined
            from staging.stg_row_outcomes as outcomes
            inner join newest on newest.source = outcomes.source and newest.period = outcomes._period
            group by outcomes.source, newest.period
        )
        select rows.source, rows.period, rows.data_rows, rows.rows_quarantined,
            coalesce(rows.rows_quarantined / nullif(rows.data_rows, 0), 0) as quarantined_share,
            (select count(*) from raw.ingested_files as files
             where files.source = rows.source and files.period = rows.period and files.status = 'rejected')
                as files_rejected
        from rows
        order by rows.source
        """,
    )


def _staging_specs() -> list[dg.AssetCheckSpec]:
    specs = [
        dg.AssetCheckSpec(
            name=f"{GATE_PREFIX}{source}",
            asset=staging_key(source),
            # Not Dagster-blocking: a failure holds the source's batch (the step rebuilds its staging model without
            # it), so what reads the other sources is built in the same run.
            blocking=False,
            description=(
                f"Great Expectations suite expectations/staging/{source}.json on the newest period's staged rows; "
                "a failing batch is held out of the warehouse until corrected or released (`tkpkd hold`)."
            ),
        )
        for source in STAGED_SOURCES
    ]
    specs.append(
        dg.AssetCheckSpec(
            name=DELIVERIES_CHECK,
            asset=QUARANTINE_KEY,
            description="Warnings per source: quarantined share of the newest period above the threshold, rejected files.",
        )
    )
    return specs


@dg.multi_asset_check(
    name="staging_gates",
    specs=_staging_specs(),
    can_subset=True,
    pool=WAREHOUSE_WRITER_POOL,
    description="Quality gates on the staged data: run every suite of expectations/staging, build the Data Docs.",
)
def staging_gates(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, dbt: DbtCliResource):
    from orchestration.quality import gates, holds

    settings = load_settings()
    thresholds = gates.load_thresholds(settings.quality_thresholds)
    runner = gates.gate_runner(settings.quality_docs)
    parameters = gates.base_parameters(thresholds, date.today())
    kinds = {code: spec.kind for code, spec in load_contract().items()}
    selected = {key.name for key in context.selected_asset_check_keys}
    results, to_hold = [], []
    with warehouse.connect(read_only=True) as connection:
        recorded_holds = holds.list_holds(connection)
        for source, spec in STAGED_SOURCES.items():
            name = f"{GATE_PREFIX}{source}"
            if name not in selected:
                continue
            suite = gates.load_suite(Path("staging") / f"{source}.json")
            batch = gates.staged_batch(
                connection, STAGING_SCHEMA, spec.model, gates.suite_columns(suite), thresholds["volume_min_ratio"]
            )
            result = runner.validate(suite, batch.frame, {**parameters, "min_rows": batch.min_rows})
            released = [
                hold for hold in recorded_holds
                if hold.source == source and hold.period == batch.period and hold.matches_delivery and hold.released_at
            ]
            if result.failed_errors and not released and batch.period:
                to_hold.append((source, batch.period, name, result))
            results.append(
                (source, name, result, released, {
                    "source": source,
                    "source_kind": kinds[source],
                    "period": batch.period or "none",
                    "previous_period": batch.previous_period or "none",
                    "previous_period_rows": batch.previous_rows,
                    "min_rows": batch.min_rows,
                })
            )
        deliveries = None
        if DELIVERIES_CHECK in selected:
            frame = _deliveries_frame(connection)
            deliveries = (runner.validate(gates.load_suite(Path("staging") / "_deliveries.json"), frame, parameters), {
                "deliveries": dg.MetadataValue.md(_markdown_table(frame)),
            })
    if to_hold:
        _hold_batches(context, warehouse, dbt, to_hold)
    docs_index = runner.build_docs()
    with warehouse.connect(read_only=True) as connection:
        active = [hold for hold in holds.list_holds(connection) if hold.is_active]
    for source, name, result, released, extra in results:
        yield _staging_gate_result(
            source, name, result, docs_index, extra, [hold for hold in active if hold.source == source], released
        )
    if deliveries:
        yield _gate_result(QUARANTINE_KEY, DELIVERIES_CHECK, deliveries[0], docs_index, deliveries[1])


def _hold_batches(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, dbt: DbtCliResource, failed: list
) -> None:
    """Hold each failed source's batch, then rebuild those sources' staging models (and the per-file
    deduplication counts) without it, before the intermediate models read them."""
    from orchestration.quality import holds

    with warehouse.connect() as connection:
        for source, period, name, result in failed:
            holds.hold_batch(
                connection, source, period, name, [o.expectation for o in result.failed_errors], result.summary(),
                context.run.run_id,
            )
    models = [STAGED_SOURCES[source].model for source, *_ in failed]
    rebuild_models(dbt, [*models, "stg_dedup_stats"])
    for source, period, name, _ in failed:
        context.log.warning(f"{name} failed on {source} {period}: the batch is held, {staging_key(source).to_user_string()} "
                            "was rebuilt without it; the other sources go on.")
        context.op_execution_context.log_event(
            dg.AssetMaterialization(
                asset_key=staging_key(source),
                description=f"Rebuilt without the held batch {source} {period} (failed {name}).",
                metadata={"held_period": period},
            )
        )


def _staging_gate_result(
    source: str, name: str, result: "GateResult", docs_index: Path, extra: dict,
    active: list["Hold"], released: list["Hold"],
) -> dg.AssetCheckResult:
    """A source's gate: failed (ERROR) while one of its batches is held; a released batch's failures are warnings."""
    check = _gate_result(staging_key(source), name, result, docs_index, {
        **extra,
        "held_batches": [hold.period for hold in active],
        "released_batches": [f"{hold.period} by {hold.released_by}" for hold in released],
    })
    if not active and not released:
        return check
    reports = ", ".join(published_models_reading(STAGED_SOURCES[source].model)) if active else ""
    notes = [
        f"Batch {hold.label()} held since {hold.held_at:%Y-%m-%d %H:%M} ({', '.join(hold.failed_expectations)}); "
        f"built without it: {reports or 'no report'}. "
        f"Deliver a corrected file, or accept it: tkpkd hold release {source} {hold.period}"
        for hold in active
    ] + [f"Batch {hold.label()} released by {hold.released_by}: accepted as delivered." for hold in released]
    return dg.AssetCheckResult(
        asset_key=check.asset_key,
        check_name=check.check_name,
        passed=check.passed and not active,
        severity=dg.AssetCheckSeverity.ERROR if active else dg.AssetCheckSeverity.WARN,
        description="\n".join(notes) + ("\n" + check.description if check.description else ""),
        metadata=check.metadata,
    )


def _published_gates(name: str, tables: list[str], description: str) -> dg.AssetChecksDefinition:
    """One GX suite per published table, blocking what reads the table."""

    @dg.multi_asset_check(
        name=name,
        specs=[
            dg.AssetCheckSpec(
                name=f"{GATE_PREFIX}published",
                asset=published_key(table),
                blocking=True,
                description=f"Great Expectations suite expectations/published/{table}.json on the whole table.",
            )
            for table in tables
        ],
        can_subset=True,
        pool=WAREHOUSE_WRITER_POOL,
        description=description,
    )
    def _gates(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        from orchestration.quality import gates

        settings = load_settings()
        runner = gates.gate_runner(settings.quality_docs)
        selected = {key.asset_key for key in context.selected_asset_check_keys}
        results = []
        with warehouse.connect(read_only=True) as connection:
            for table in tables:
                if published_key(table) not in selected:
                    continue
                suite = gates.load_suite(Path("published") / f"{table}.json")
                frame = gates.published_batch(connection, suite, MARTS_SCHEMA, table)
                results.append((table, runner.validate(suite, frame, {})))
        docs_index = runner.build_docs()
        for table, result in results:
            yield _gate_result(published_key(table), f"{GATE_PREFIX}published", result, docs_index)

    return _gates


# Two steps: the dimensions are built (and checked) before the per-period facts and reports that join them, and
# the facts and reports after their own build; one step for both would have to run both before and after it.
dimension_gates = _published_gates(
    "dimension_gates",
    [table for table in PUBLISHED_TABLES if table.startswith("dim_")],
    "Quality gates on the published dimensions, before the facts and reports are built on them.",
)
published_gates = _published_gates(
    "published_gates",
    [table for table in PUBLISHED_TABLES if not table.startswith("dim_")],
    "Quality gates on the published facts and reports, before the analytics file is replaced.",
)


@dg.asset(
    key=["exports", "agency_feedback"],
    deps=[QUARANTINE_KEY, raw_asset_key(INGESTED_FILES)],
    group_name="serving",
    kinds={"xlsx"},
    tags=RESTRICTED_TAGS,
    pool=WAREHOUSE_WRITER_POOL,
    description=(
        "One feedback workbook (umpan balik) per source and period with something to fix: rejected files and every "
        "quarantined row with its original values and the reason in plain Indonesian. Personal data: each workbook "
        "goes only to the agency that delivered the rows. Built even when a gate blocks the marts."
    ),
)
def agency_feedback(warehouse: WarehouseResource, exports: ExportsResource) -> dg.MaterializeResult:
    from orchestration.exports.feedback import write_feedback_workbooks

    with warehouse.connect(read_only=True) as connection:
        workbooks = write_feedback_workbooks(connection, Path(exports.path))
    return dg.MaterializeResult(
        metadata={
            "workbooks": len(workbooks),
            "quarantined_rows": sum(w.quarantined_rows for w in workbooks),
            "rejected_files": sum(w.rejected_files for w in workbooks),
            "folder": dg.MetadataValue.path(str(exports.folder("feedback"))),
        }
    )


defs = dg.Definitions(assets=[agency_feedback], asset_checks=[staging_gates, dimension_gates, published_gates])
