"""Serving: the exports people receive and the dashboard, rebuilt on every run after the warehouse and the
analytics file. The kelurahan workbooks read the restricted warehouse (names and addresses for the lurah);
everything else reads only the published analytics file, so no identifier can reach a Parquet file, an open-data
CSV or the dashboard. The export modules import xlsxwriter and plotly only when they run."""

from __future__ import annotations

import dagster as dg

from orchestration.dashboard.build import build_dashboard
from orchestration.defs.publishing import analytics_file
from orchestration.defs.resources import (
    WAREHOUSE_WRITER_POOL,
    AnalyticsFileResource,
    ExportsResource,
    WarehouseResource,
)
from orchestration.defs.transformation import (
    RESTRICTED_TAGS,
    tkpkd_dbt_core_assets,
    tkpkd_dbt_period_assets,
)
from orchestration.exports.kelurahan import export_kelurahan_workbooks
from orchestration.exports.open_data import export_open_data
from orchestration.exports.parquet import export_report_parquet


@dg.asset(
    key=["exports", "kelurahan_workbooks"],
    deps=[tkpkd_dbt_core_assets, tkpkd_dbt_period_assets],
    group_name="serving",
    kinds={"excel"},
    tags=RESTRICTED_TAGS,
    # It opens the warehouse file, which a writing process would lock: it waits for the writers' pool.
    pool=WAREHOUSE_WRITER_POOL,
    description=(
        "RESTRICTED: one XLSX per kelurahan for the lurah, newest period: the verification backlog as a form in the "
        "verifikasi_kelurahan layout (filled and dropped back into the inbox), the extreme-poor case list "
        "(pii.case_list, with names, NIK, KK number and address), the verification progress, and the coverage of "
        "each basic need by RT. `<exports>/kelurahan/<kelurahan>/daftar_kasus_<kelurahan>_<YYYY-MM>.xlsx`."
    ),
)
def kelurahan_workbooks(
    warehouse: WarehouseResource, exports: ExportsResource
) -> dg.MaterializeResult:
    with warehouse.connect(read_only=True) as connection:
        written = export_kelurahan_workbooks(connection, exports.folder("kelurahan"))
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(exports.folder("kelurahan"))),
            "period": written[0].period if written else "none",
            "workbooks": len(written),
            "cases": sum(workbook.cases for workbook in written),
            "backlog": sum(workbook.backlog for workbook in written),
        }
    )


def _from_analytics(
    name: str, folder: str, kinds: set[str], description: str, export, describe
) -> dg.AssetsDefinition:
    """An export of the published analytics file: safe to read at any time, so no pool."""

    @dg.asset(
        key=["exports", name],
        deps=[analytics_file],
        group_name="serving",
        kinds=kinds,
        description=description,
    )
    def _export(analytics: AnalyticsFileResource, exports: ExportsResource) -> dg.MaterializeResult:
        with analytics.connect() as connection:
            written = export(connection, exports.folder(folder))
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(exports.folder(folder))),
                **describe(written),
            }
        )

    return _export


def _file_list(lines) -> dict:
    return {"files": dg.MetadataValue.md("\n".join(lines))}


report_parquet = _from_analytics(
    "report_parquet",
    "parquet",
    {"parquet"},
    "Every `rpt_` table of the analytics file as `<exports>/parquet/<table>.parquet`, for Power BI and Excel.",
    export_report_parquet,
    lambda written: _file_list(f"- `{file.path.name}`: {file.rows} rows" for file in written),
)
open_data = _from_analytics(
    "open_data",
    "open_data",
    {"csv"},
    "Open-data CSVs of the aggregate reports (`<exports>/open_data/<report>.csv` and a data dictionary), counts "
    "of 1-4 and every cell that would give one back suppressed: safe for a Satu Data portal.",
    export_open_data,
    lambda written: _file_list(
        f"- `{file.path.name}`: {file.rows} rows, {file.suppressed_cells} cells suppressed"
        for file in written
    ),
)
dashboard = _from_analytics(
    "dashboard",
    "dashboard",
    {"html", "plotly"},
    "The static dashboard `<exports>/dashboard/index.html`: charts for the city, each kecamatan and each "
    "kelurahan, one self-contained file that opens from the file system with no server.",
    build_dashboard,
    lambda page: {"page": dg.MetadataValue.path(str(page)), "bytes": page.stat().st_size},
)

defs = dg.Definitions(assets=[kelurahan_workbooks, report_parquet, open_data, dashboard])
