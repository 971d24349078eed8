"""Publishing: the de-identified analytics file that analysts and BI tools open read-only."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.defs.resources import AnalyticsFileResource, WarehouseResource
from orchestration.defs.transformation import tkpkd_dbt_core_assets, tkpkd_dbt_period_assets
from orchestration.publishing import publish_analytics


@dg.asset(
    key=["analytics", "analytics_file"],
    deps=[tkpkd_dbt_core_assets, tkpkd_dbt_period_assets],
    group_name="serving",
    kinds={"duckdb"},
    description=(
        "`analytics.duckdb`: the star schema and reports without direct identifiers, with primary, unique and "
        "foreign keys and one-sentence comments (full text in `rpt_data_dictionary`), in a storage version DuckDB "
        "1.x clients read, replaced atomically so a BI tool holding it open never blocks the pipeline. Made by "
        "updating a copy of the previous file where its tables are unchanged in shape (only the rows that "
        "changed are written), else built afresh; `method` and `detail` say which and why."
    ),
)
def analytics_file(warehouse: WarehouseResource, analytics: AnalyticsFileResource) -> dg.MaterializeResult:
    publication = publish_analytics(Path(warehouse.database), Path(analytics.path))
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(analytics.path),
            "tables": dg.MetadataValue.md(
                "\n".join(f"- `{t.name}`: {t.rows} rows" for t in publication.tables) or "none"
            ),
            "method": publication.method,
            "detail": publication.detail,
        }
    )


defs = dg.Definitions(assets=[analytics_file])
