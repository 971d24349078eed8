"""Ingestion: every agency file in the inbox into raw DuckDB tables, one asset per source of the contract.

One multi-asset rather than fourteen assets: all of them write the same DuckDB file, so they run in one op, one
after another, and a subset (a single source) can still be materialised on its own.
"""

from pathlib import Path

import dagster as dg

from orchestration.contract import load_contract
from orchestration.defs.resources import WAREHOUSE_WRITER_POOL, InboxResource, WarehouseResource
from orchestration.ingestion import find_unknown_sources, ingest_source

RAW_SCHEMA = "raw"


def raw_asset_key(source: str) -> dg.AssetKey:
    """The key dbt's `source('raw', <source>)` maps to, so dbt staging depends on the matching ingestion asset."""
    return dg.AssetKey([RAW_SCHEMA, source])


def _raw_specs() -> list[dg.AssetSpec]:
    specs = [
        dg.AssetSpec(
            raw_asset_key(code),
            description=(
                f"Raw rows of every `{code}` file delivered by {spec.agency} ({spec.kind} source), all values as "
                "text, with lineage columns (file, hash, row number, period, load time)."
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
            raw_asset_key("ingested_files"),
            description="One row per delivered file seen: loaded, rejected (with the reason) or a duplicate delivery.",
            group_name="ingestion",
            kinds={"duckdb"},
            skippable=True,
        )
    )
    return specs


@dg.multi_asset(
    name="ingest_inbox",
    specs=_raw_specs(),
    can_subset=True,
    pool=WAREHOUSE_WRITER_POOL,
    description="Load new inbox files into raw tables; files already loaded (same path and hash) are skipped.",
)
def ingest_inbox(context: dg.AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource):
    contract = load_contract()
    inbox_path = Path(inbox.path)
    selected = {key.path[-1] for key in context.selected_asset_keys}

    for unknown in find_unknown_sources(inbox_path, contract):
        context.log.warning(f"Inbox folder {unknown} is not a source of the contract; its files were not loaded.")

    with warehouse.connect() as connection:
        for code, spec in contract.items():
            if code not in selected:
                continue
            report = ingest_source(connection, spec, inbox_path)
            for outcome in report.rejected:
                context.log.warning(f"[{code}] {outcome.message}")
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(code),
                metadata={
                    **report.metadata(),
                    "rejected_files": dg.MetadataValue.md(
                        "\n".join(f"- `{o.source_file}`: {o.message}" for o in report.rejected) or "none"
                    ),
                },
            )
    if "ingested_files" in selected:
        yield dg.MaterializeResult(asset_key=raw_asset_key("ingested_files"))
