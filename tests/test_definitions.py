"""The code location loads, and its graph is wired the way the data flows: inbox -> raw -> dbt -> analytics."""

import json
import os
import subprocess
import warnings

import dagster as dg
import pytest
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from orchestration.contract import load_contract
from orchestration.dbt_targets import DbtManifestMissingError, require_manifest
from orchestration.definitions import MAIN_JOB_NAME, build_definitions, defs
from orchestration.defs.transformation import DBT_EXECUTABLE, DBT_PROJECT, dbt_resource
from orchestration.settings import REPO_ROOT

# The naming scheme of docs/design.md ("Dagster assets"): an asset key is [layer, name], and the layer gives the group.
LAYER_GROUPS = {
    "raw": "ingestion",
    "staging": "staging",
    "reference": "staging",
    "quarantine": "quality",
    "intermediate": "intermediate",
    "marts": "marts",
    "pii": "pii",
    "analytics": "serving",
    "exports": "serving",
}
RESTRICTED_TAG = "tkpkd/restricted"


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
    checks = set(_graph().asset_check_keys)
    # A model's not-null columns are one check, named after the model (tkpkd_not_null with its YAML `name`).
    assert dg.AssetCheckKey(dg.AssetKey(["marts", "dim_family"]), "not_null_dim_family") in checks
    assert dg.AssetCheckKey(dg.AssetKey(["marts", "dim_family"]), "unique_dim_family_family_version_key") in checks
    assert defs.resolve_job_def(MAIN_JOB_NAME) is not None


def test_the_analytics_file_is_published_after_dbt():
    graph = _graph()
    parents = graph.get(dg.AssetKey(["analytics", "analytics_file"])).parent_keys
    assert dg.AssetKey(["marts", "rpt_data_quality"]) in parents
    assert dg.AssetKey(["staging", "stg_bansos__payouts"]) in graph.get(dg.AssetKey(["intermediate", "int_assistance_deliveries"])).parent_keys


def test_every_gate_is_an_asset_check_and_the_feedback_is_an_asset():
    graph = _graph()
    gates = {key for key in graph.asset_check_keys if key.name.startswith("gx_")}
    assert dg.AssetCheckKey(dg.AssetKey(["staging", "stg_bansos__payouts"]), "gx_bansos") in gates
    assert dg.AssetCheckKey(dg.AssetKey(["marts", "fct_assistance"]), "gx_published") in gates
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


def test_every_asset_key_is_its_layer_and_its_name_and_the_layer_gives_its_group():
    specs = list(defs.resolve_all_asset_specs())
    for spec in specs:
        assert len(spec.key.path) == 2 and spec.key.path[0] in LAYER_GROUPS, spec.key
        assert spec.group_name == LAYER_GROUPS[spec.key.path[0]], spec.key
        assert spec.kinds, spec.key
    assert {spec.group_name for spec in specs} == set(LAYER_GROUPS.values())


def test_a_dbt_asset_is_keyed_by_the_schema_its_table_is_built_in():
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    tables = {
        dg.AssetKey(["marts" if node["schema"] == "main" else node["schema"], node["alias"]])
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
    }
    dbt_assets = {spec.key for spec in defs.resolve_all_asset_specs() if "dbt" in spec.kinds}
    assert dbt_assets == tables
    assert dg.AssetKey(["marts", "rpt_verification_progress"]) in tables
    assert dg.AssetKey(["pii", "family_identities"]) in tables  # a model of models/marts/ built in schema pii


def test_the_restricted_assets_are_tagged_and_no_other():
    graph = _graph()
    specs = {spec.key: spec for spec in defs.resolve_all_asset_specs()}
    restricted = {key for key, spec in specs.items() if spec.tags.get(RESTRICTED_TAG) == "true"}
    assert all(spec.tags.get(RESTRICTED_TAG) in (None, "true") for spec in specs.values())
    restricted_schema = {key for key in specs if key.path[0] == "pii"}
    assert restricted_schema and restricted_schema <= restricted
    # Outside the restricted schema, exactly the exports that read the restricted warehouse: every other export
    # reads only the published analytics file, which holds no identifier.
    analytics = dg.AssetKey(["analytics", "analytics_file"])
    exports = {key for key in specs if key.path[0] == "exports"}
    assert restricted - restricted_schema == {key for key in exports if graph.get(key).parent_keys != {analytics}}
    assert dg.AssetKey(["exports", "kelurahan_workbooks"]) in restricted


def _declared_in_areas() -> dict[str, set]:
    """The assets, checks, jobs, schedules and sensors the modules of orchestration/defs/ declare at module level."""
    import importlib
    import pkgutil

    import orchestration.defs as areas

    declared = {"assets": set(), "checks": set(), "jobs": set(), "schedules": set(), "sensors": set()}
    for module_info in pkgutil.iter_modules(areas.__path__):
        module = importlib.import_module(f"{areas.__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, dg.AssetChecksDefinition):
                declared["checks"] |= set(value.check_keys)
            elif isinstance(value, dg.AssetsDefinition):
                declared["assets"] |= set(value.keys)
            elif isinstance(value, (dg.JobDefinition, UnresolvedAssetJobDefinition)):
                declared["jobs"].add(value.name)
            elif isinstance(value, dg.ScheduleDefinition):
                declared["schedules"].add(value.name)
            elif isinstance(value, dg.SensorDefinition):
                declared["sensors"].add(value.name)
    return declared


def test_every_definition_an_area_declares_is_in_the_code_location():
    declared = _declared_in_areas()
    graph = _graph()
    assert declared["assets"] and declared["assets"] <= set(graph.get_all_asset_keys())
    assert declared["checks"] <= set(graph.asset_check_keys)
    repository = defs.get_repository_def()
    assert declared["jobs"] <= {job.name for job in repository.get_all_jobs()}
    assert declared["schedules"] == {schedule.name for schedule in repository.schedule_defs}
    assert declared["sensors"] == {sensor.name for sensor in repository.sensor_defs}


def test_the_resources_come_from_the_settings_with_paths_resolved_against_the_repository(monkeypatch, tmp_path):
    monkeypatch.setenv("TKPKD_PSEUDONYM_SECRET", "x" * 40)
    monkeypatch.setenv("TKPKD_WAREHOUSE", "elsewhere/tkpkd.duckdb")
    monkeypatch.setenv("TKPKD_EXPORTS", str(tmp_path / "exports"))
    monkeypatch.delenv("TKPKD_INBOX", raising=False)
    resources = build_definitions().resources
    assert resources["warehouse"].database == str(REPO_ROOT / "elsewhere" / "tkpkd.duckdb")
    assert resources["exports"].path == str(tmp_path / "exports")
    assert resources["inbox"].path == str(REPO_ROOT / "data" / "inbox")
    # one executor, from operations.py: the steps of a run share one process and one DuckDB writer
    assert defs.executor is dg.in_process_executor


def test_a_missing_manifest_is_refused_with_the_command_that_makes_it(tmp_path):
    with pytest.raises(DbtManifestMissingError, match="Run `make manifest`"):
        require_manifest(tmp_path / "target" / "manifest.json", tmp_path)


def test_a_manifest_older_than_a_model_loads_with_a_warning_that_says_which(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text("name: x\n")
    manifest = tmp_path / "target" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text("{}")
    model = tmp_path / "models" / "new_model.sql"
    model.write_text("select 1")
    os.utime(tmp_path / "dbt_project.yml", (1_000_000, 1_000_000))
    os.utime(manifest, (2_000_000, 2_000_000))
    os.utime(model, (3_000_000, 3_000_000))
    with pytest.warns(UserWarning, match=r"older than models/new_model\.sql"):
        assert require_manifest(manifest, tmp_path) == manifest
    os.utime(manifest, (4_000_000, 4_000_000))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        require_manifest(manifest, tmp_path)


def test_the_dbt_resource_knows_the_version_dbt_itself_reports():
    # It reads the installed dbt-core's version instead of asking the executable; the two must agree.
    reported = subprocess.run([DBT_EXECUTABLE, "--version"], capture_output=True, text=True, check=True).stdout
    assert f"installed: {dbt_resource()._cli_version}" in reported
