"""The committed suites are what the generator writes, and they cover what the issue asks of every gate."""

import csv
import dataclasses
import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.contract import load_contract
from orchestration.quality import gates, suites
from orchestration.quality.suites import (
    DBT_GATE_RULES,
    EXPECTATIONS_DIR,
    PUBLISHED_TABLES,
    STAGED_SOURCES,
    build_suites,
    render,
)
from orchestration.settings import DBT_PROJECT_DIR
from tkpkd_synth.interventions import COURSES, SECTORS


def test_the_committed_suites_are_what_the_generator_writes():
    built = build_suites()
    committed = {path.relative_to(EXPECTATIONS_DIR) for path in EXPECTATIONS_DIR.rglob("*.json")}
    assert committed == set(built), "run `uv run python -m orchestration.quality.suites`"
    for relative, suite in built.items():
        assert (EXPECTATIONS_DIR / relative).read_text(encoding="utf-8") == render(suite), relative


def test_every_source_and_published_table_has_a_suite_that_gx_loads():
    gx = gates.import_great_expectations()

    for source in load_contract():
        suite = gates.load_suite(Path("staging") / f"{source}.json")
        gx.ExpectationSuite(**suite)
        assert "expect_table_row_count_to_be_between" in {e["type"] for e in suite["expectations"]}, source
    for table in PUBLISHED_TABLES:
        gx.ExpectationSuite(**gates.load_suite(Path("published") / f"{table}.json"))


# The expectation types of batch rules. Every other type (columns exist, types, formats, code lists, uniqueness) is
# a row or schema rule: dbt's.
GX_RULE_TYPES = {
    "expect_table_row_count_to_be_between",
    "expect_column_values_to_be_between",  # run-date bounds, rupiah staging keeps, the deliveries' thresholds
    "expect_column_values_to_not_be_null",  # held_if_null: a value staging keeps that a delivery must not carry
}
# The dbt tests that own what a GX column expectation of that type would check on the same model and column.
DBT_TWINS = {
    "expect_column_values_to_not_be_null": {"not_null", "tkpkd_not_null"},
    "expect_column_values_to_be_between": {"between_zero_and_one", "tkpkd_between"},
}


def _dbt_column_tests() -> dict[tuple[str, str], set[str]]:
    """(model, column) -> the dbt generic tests on it, from the manifest; a test filtered by `where` checks other
    rows than a GX rule on the column, so it is no twin (e.g. not_null except Excel-damaged KK numbers)."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    tests: dict[tuple[str, str], set[str]] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata")
        if node["resource_type"] != "test" or not metadata or node["config"].get("where"):
            continue
        # tkpkd_not_null checks each of its `columns` on its own (unlike tkpkd_unique_combination's, a key together).
        if metadata["name"] == "tkpkd_not_null":
            columns = metadata["kwargs"]["columns"]
        else:
            columns = [metadata["kwargs"]["column_name"]] if metadata["kwargs"].get("column_name") else []
        model = node["attached_node"].rsplit(".", 1)[-1]
        for column in columns:
            tests.setdefault((model, column), set()).add(metadata["name"])
    return tests


def test_no_gx_expectation_repeats_a_dbt_test():
    dbt_tests = _dbt_column_tests()
    contract_rules = {source: {rule: getattr(spec, rule) for rule in DBT_GATE_RULES} for source, spec in STAGED_SOURCES.items()}
    for relative, suite in build_suites().items():
        model = suite["meta"].get("model") or suite["meta"].get("table")
        for expectation in suite["expectations"]:
            kind, column = expectation["type"], expectation["kwargs"].get("column")
            assert kind in GX_RULE_TYPES, f"{relative}: {kind}({column}) is a row or schema rule: a dbt test's"
            if model and column:
                twins = DBT_TWINS[kind] & dbt_tests.get((model, column), set())
                assert not twins, f"{relative}: {kind}({column}) repeats the dbt test(s) {sorted(twins)} on {model}"
        source = suite["meta"].get("source")
        if source:
            held = set(STAGED_SOURCES[source].held_if_null)
            assert not held & set(contract_rules[source]["not_null"]), f"{source}: held_if_null and not_null overlap"


def test_the_twin_check_sees_a_repeated_not_null(monkeypatch):
    # program_code of bansos is a column of its model's dbt tkpkd_not_null test: a GX not-null on it must be refused.
    spec = STAGED_SOURCES["bansos"]
    monkeypatch.setitem(STAGED_SOURCES, "bansos", dataclasses.replace(spec, held_if_null=["program_code"]))
    monkeypatch.setattr(suites, "staged_sources", lambda contract: STAGED_SOURCES)
    with pytest.raises(AssertionError, match=r"repeats the dbt test\(s\) \['tkpkd_not_null'\] on stg_bansos__payouts"):
        test_no_gx_expectation_repeats_a_dbt_test()


def test_every_expectation_has_a_severity_and_every_parameter_a_source():
    thresholds = gates.load_thresholds()
    for path in EXPECTATIONS_DIR.rglob("*.json"):
        suite = json.loads(path.read_text())
        for expectation in suite["expectations"]:
            assert expectation["meta"]["severity"] in {"error", "warning"}, path
        for name in gates.suite_parameters(suite):
            # Run-time values: the run date and the volume floor; the rest are thresholds in configuration.
            assert name in {"today", "min_rows"} or name in thresholds, (path, name)


def test_volume_blocks_snapshots_and_warns_for_events():
    for code, spec in load_contract().items():
        (volume,) = [e for e in gates.load_suite(Path("staging") / f"{code}.json")["expectations"]
                     if e["type"] == "expect_table_row_count_to_be_between"]
        assert volume["meta"]["severity"] == ("error" if spec.kind == "snapshot" else "warning")


def test_thresholds_come_from_configuration(tmp_path, monkeypatch):
    from orchestration.settings import load_settings

    custom = tmp_path / "thresholds.yml"
    custom.write_text("volume_min_ratio: 0.9\n")
    monkeypatch.setenv("TKPKD_QUALITY_THRESHOLDS", str(custom))
    assert gates.load_thresholds(load_settings().quality_thresholds) == {"volume_min_ratio": 0.9}


def test_the_volume_floor_compares_with_the_previous_delivered_period():
    with duckdb.connect() as connection:
        connection.execute("create schema staging")
        connection.execute(
            "create table staging.stg_x as select * from (values ('2025-03', 'a'), ('2025-06', 'a'), ('2025-06', 'b'),"
            " ('2025-06', 'c'), ('2025-06', 'd'), ('2025-09', 'a')) as t(_period, nik)"
        )
        batch = gates.staged_batch(connection, "staging", "stg_x", ["nik", "missing_column"], 0.5)
    assert (batch.period, batch.previous_period, batch.previous_rows, batch.min_rows) == ("2025-09", "2025-06", 4, 2)
    assert list(batch.frame.columns) == ["nik"] and len(batch.frame) == 1


def test_the_published_gates_block_what_follows_them_and_the_staging_gates_hold_their_batch():
    from orchestration.definitions import defs
    from orchestration.defs.quality import (
        DELIVERIES_CHECK,
        dimension_gates,
        published_gates,
        staging_gates,
    )

    specs = [*staging_gates.check_specs, *dimension_gates.check_specs, *published_gates.check_specs]
    assert len(specs) == len(load_contract()) + 1 + len(PUBLISHED_TABLES)
    # A failing staging gate holds its source's batch (orchestration/quality/holds.py) rather than stopping the run.
    assert not any(spec.blocking for spec in staging_gates.check_specs)
    assert all(spec.blocking for spec in [*dimension_gates.check_specs, *published_gates.check_specs])
    assert DELIVERIES_CHECK in {spec.name for spec in staging_gates.check_specs}
    # The marts are built by a later dbt step, after the gated staged data they read.
    graph = defs.resolve_asset_graph()
    marts = graph.get(dg.AssetKey(["marts", "fct_assistance"]))
    staging = graph.get(dg.AssetKey(["staging", "stg_bansos__payouts"]))
    assert marts.assets_def is not staging.assets_def


def test_the_code_lists_know_every_training_and_business_the_sample_writes():
    # kejuruan is an open list (an unknown code only warns), so a code the generator writes and the seed lacks would
    # show as a standing warning on every run instead of a failure: keep them in step here.
    with (DBT_PROJECT_DIR / "seeds" / "ref_codes.csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    codes = {list_name: {row["code"] for row in rows if row["code_list"] == list_name}
             for list_name in ("kejuruan", "sektor_umkm")}
    assert {course.kejuruan for course in COURSES} <= codes["kejuruan"]
    assert set(SECTORS) | {course.sector for course in COURSES} <= codes["sektor_umkm"]


def test_an_unknown_gate_key_in_the_contract_is_named(tmp_path):
    import yaml

    from orchestration.contract import CONTRACT_PATH, ContractError

    raw = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    raw["sources"]["kur"]["staging"]["gate"]["not_nul"] = ["bank"]
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ContractError, match=r"'kur', staging.gate: unknown key\(s\) not_nul"):
        build_suites(path)
