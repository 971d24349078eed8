"""The code location loads, and its graph is wired the way the data flows: inbox -> raw -> dbt -> analytics."""

import dagster as dg

from orchestration.contract import load_contract
from orchestration.definitions import MAIN_JOB_NAME, defs


def _graph():
    return defs.resolve_asset_graph()


def test_every_contract_source_has_a_raw_asset():
    keys = set(_graph().get_all_asset_keys())
    for source in load_contract():
        assert dg.AssetKey(["raw", source]) in keys


def test_each_staging_model_depends_on_its_raw_source():
    graph = _graph()
    upstream = graph.get(dg.AssetKey(["staging", "base_bansos__payouts"])).parent_keys
    assert dg.AssetKey(["raw", "bansos"]) in upstream


def test_dbt_tests_are_asset_checks_and_the_main_job_exists():
    assert len(list(_graph().asset_check_keys)) > 0
    assert defs.resolve_job_def(MAIN_JOB_NAME) is not None


def test_the_analytics_file_is_published_after_dbt():
    graph = _graph()
    parents = graph.get(dg.AssetKey(["analytics", "analytics_file"])).parent_keys
    assert dg.AssetKey(["rpt_data_quality"]) in parents
    assert dg.AssetKey(["staging", "stg_bansos__payouts"]) in graph.get(dg.AssetKey(["intermediate", "int_assistance_deliveries"])).parent_keys


def test_every_gate_is_an_asset_check_and_the_feedback_is_an_asset():
    graph = _graph()
    gates = {key for key in graph.asset_check_keys if key.name.startswith("gx_")}
    assert dg.AssetCheckKey(dg.AssetKey(["staging", "stg_bansos__payouts"]), "gx_bansos") in gates
    assert dg.AssetCheckKey(dg.AssetKey(["fct_assistance"]), "gx_published") in gates
    assert dg.AssetKey(["exports", "agency_feedback"]) in set(graph.get_all_asset_keys())


def test_exports_follow_the_warehouse_and_the_analytics_file():
    graph = _graph()
    analytics = dg.AssetKey(["analytics", "analytics_file"])
    for name in ("report_parquet", "open_data", "dashboard"):
        assert graph.get(dg.AssetKey(["exports", name])).parent_keys == {analytics}
    # The workbooks read pii.case_list and the reports from the restricted file, after dbt has built them.
    workbooks = graph.get(dg.AssetKey(["exports", "kelurahan_workbooks"])).parent_keys
    assert dg.AssetKey(["pii", "case_list"]) in workbooks
    assert analytics not in workbooks
