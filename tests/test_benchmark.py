"""The pipeline benchmark's own functions (benchmarks/pipeline.py): step times from an event list, the process tree,
the raw-SQL runner on a two-model manifest, the incremental case's hidden period, the table and the JSON. No
pipeline run and no timing bounds: the benchmark itself is `make benchmark`."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import datetime

import duckdb
import pytest

from orchestration.settings import REPO_ROOT

_spec = importlib.util.spec_from_file_location("benchmark_pipeline", REPO_ROOT / "benchmarks" / "pipeline.py")
benchmark = importlib.util.module_from_spec(_spec)
# a dataclass looks its module up by name
sys.modules[_spec.name] = benchmark
_spec.loader.exec_module(benchmark)


def test_step_seconds_run_from_each_start_to_its_end_and_skip_unfinished_steps():
    events = [
        ("ingest", "STEP_START", 100.0),
        ("dbt", "STEP_START", 103.0),  # a second step overlapping the first
        ("ingest", "STEP_SUCCESS", 102.5),
        ("dbt", "STEP_FAILURE", 110.0),
        ("gates", "STEP_START", 104.0),  # never ended: the run was stopped
        ("publish", "STEP_START", 111.0),
        ("publish", "STEP_START", 115.0),  # retried: counted from the last start
        ("publish", "STEP_SUCCESS", 116.0),
    ]
    assert benchmark.step_seconds(reversed(events)) == {"ingest": 2.5, "dbt": 7.0, "publish": 1.0}


def test_the_step_events_are_read_from_the_runs_instance_with_the_repositorys_settings(tmp_path, monkeypatch):
    import dagster as dg

    from orchestration.runs import INSTANCE_SETTINGS

    @dg.asset
    def one():
        return 1

    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_SETTINGS.read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        assert dg.materialize([one], instance=instance).success
    # The benchmark reads each run's home in turn, whatever the variable says in its own process.
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    events = benchmark._step_events(home)
    assert [(step, event) for step, event, _ in events] == [("one", "STEP_START"), ("one", "STEP_SUCCESS")]


def test_descendants_follow_the_whole_tree_and_nothing_beside_it():
    parents = {1: 0, 10: 1, 11: 10, 12: 10, 13: 12, 20: 1, 21: 20}
    assert benchmark.descendants(10, parents) == {10, 11, 12, 13}
    assert benchmark.descendants(13, parents) == {13}


def test_the_sampler_sees_this_process():
    import os

    with benchmark.TreeMemorySampler(os.getpid(), interval=0.01) as sampler:
        bytearray(10 * 1024 * 1024)  # something to hold while it samples at least once
        while sampler.peak_bytes == 0:
            pass
    assert sampler.peak_bytes > 10 * 1024 * 1024


def _model(name: str, sql: str, materialized: str = "table", parents: tuple[str, ...] = ()) -> dict:
    return {
        "resource_type": "model", "name": name, "alias": name, "database": "tiny", "schema": "main",
        "relation_name": f'"tiny"."main"."{name}"', "language": "sql", "compiled_code": sql,
        "config": {"materialized": materialized}, "depends_on": {"nodes": list(parents)},
    }


@pytest.fixture
def two_model_manifest() -> dict:
    """A child listed before its parent, an ephemeral model (inlined, never built) and a seed."""
    return {"nodes": {
        "model.p.family_counts": _model(
            "family_counts", 'select kelurahan, count(*) as families from "tiny"."main"."families" group by 1',
            parents=("model.p.families", "seed.p.regions")),
        "model.p.families": _model(
            "families", 'select * from "tiny"."main"."raw_families" where kelurahan is not null', "view"),
        "model.p.helper": _model("helper", "select 1", "ephemeral"),
        "seed.p.regions": {"resource_type": "seed", "depends_on": {"nodes": []}},
    }}


def test_raw_sql_drops_the_models_and_builds_them_again_parents_first(tmp_path, two_model_manifest):
    models = benchmark.models_in_build_order(two_model_manifest)
    assert [model["name"] for model in models] == ["families", "family_counts"]
    with duckdb.connect(str(tmp_path / "tiny.duckdb")) as connection:
        connection.execute("create table raw_families as select * from (values ('A'), ('A'), ('B'), (null)) t(kelurahan)")
        connection.execute("create view families as select 'stale' as kelurahan")
        connection.execute("create table family_counts as select 'stale' as kelurahan, 0 as families")
        connection.execute("create schema incremental")
        connection.execute("create table incremental.parsed_files as select 'families' as model, 'f' as _source_file")
        benchmark.drop_models(connection, models)
        assert connection.execute("select table_name from duckdb_tables() order by 1").fetchall() == [
            ("parsed_files",), ("raw_families",)]
        assert connection.execute("select count(*) from incremental.parsed_files").fetchone() == (0,)
        seconds = benchmark.run_raw_sql(connection, models)
        assert set(seconds) == {"families", "family_counts"}
        assert connection.execute("select * from family_counts order by 1").fetchall() == [("A", 2), ("B", 1)]
        assert connection.execute(
            "select view_name from duckdb_views() where not internal").fetchall() == [("families",)]


def test_hiding_a_period_moves_each_sources_folder_and_only_that_period(tmp_path):
    inbox = tmp_path / "inbox"
    for source in ("dtsen", "bansos"):
        for period in ("2025-11", "2025-12"):
            (inbox / source / period).mkdir(parents=True)
            (inbox / source / period / "file.csv").write_text("a\n1\n")
    moves = benchmark.hide_period(inbox, "2025-12", tmp_path / "hidden")
    assert sorted(path.relative_to(inbox).as_posix() for path in inbox.glob("*/*")) == ["bansos/2025-11",
                                                                                          "dtsen/2025-11"]
    for hidden, original in moves:
        hidden.rename(original)
    assert len(list(inbox.glob("*/2025-12/file.csv"))) == 2


def test_the_table_gives_each_figure_its_goal_and_ratio():
    results = {"figures": {"full_run_seconds": 60.0, "peak_memory_gb": 3.0, "raw_sql_seconds": 4.0,
                           "dbt_over_raw_sql": 4.5, "quality_gates_share": 0.114}}
    rows = benchmark.figure_rows(results, "city")
    assert rows == [
        ("full_run_seconds", "60.00 s", "<= 120 s", "0.50"),
        ("peak_memory_gb", "3.00 GB", "<= 6 GB", "0.50"),
        ("raw_sql_seconds", "4.00 s", "", ""),
        ("dbt_over_raw_sql", "4.50 x", "<= 3 x", "1.50"),
        ("quality_gates_share", "11%", "", ""),
    ]
    table = benchmark.format_table(rows).splitlines()
    assert table[0].split(" | ")[0].strip() == "figure" and len(table) == 7


def test_the_results_are_written_as_json_named_by_scale_and_time(tmp_path):
    results = {"scale": "small", "figures": {"full_run_seconds": 12.5}, "started_at": datetime(2026, 1, 2, 3, 4, 5)}
    path = benchmark.write_results(results, "small", tmp_path / "benchmarks", now=datetime(2026, 1, 2, 3, 4, 5))
    assert path == tmp_path / "benchmarks" / "small-20260102-030405.json"
    assert json.loads(path.read_text()) == {
        "scale": "small", "figures": {"full_run_seconds": 12.5}, "started_at": "2026-01-02 03:04:05"}
