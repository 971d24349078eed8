"""The dbt project on Apache Spark (docs/scale-out.md): the `spark` selection built by dbt-spark in a local PySpark
session, with its data tests and unit tests, on the generated `tiny` city, and every table it builds equal, row for
row, to the same models built by DuckDB from the same raw tables.

One Spark session for the module (start-up is most of its cost); everything Spark writes stays under the test's
temporary folder.
"""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from orchestration.contract import load_contract
from orchestration.freshness import DEFAULT_DELIVERY_DEADLINE_DAY, dbt_vars
from orchestration.ingestion.loader import ingest_inbox
from orchestration.pseudonym import pseudonymise
from orchestration.settings import REPO_ROOT
from orchestration.spark import (
    SPARK_SELECTOR,
    load_raw_tables,
    register_functions,
    run_dbt,
    spark_session,
)
from tests.dbt.raw_warehouse_builder import release_dbt_connections
from tests.dbt.raw_warehouse_builder import run_dbt as run_dbt_on_duckdb
from tests.scaleout.compare import table_differences
from tkpkd_synth.generator import generate

pytestmark = pytest.mark.slow

SECRET = "test-secret-for-the-spark-build"
# Files a local Spark leaves in its working folder unless told otherwise (metastore, Derby log, default warehouse).
SPARK_LEFTOVERS = ("metastore_db", "derby.log", "spark-warehouse")
SCALE_OUT_DOC = REPO_ROOT / "docs" / "scale-out.md"


def _vars() -> list[str]:
    return ["--vars", json.dumps(dbt_vars(load_contract(), DEFAULT_DELIVERY_DEADLINE_DAY))]


@pytest.fixture(scope="module")
def duckdb_build(tmp_path_factory):
    """The tiny city (three periods) ingested into a DuckDB warehouse, and the `spark` selection built there."""
    root = tmp_path_factory.mktemp("duckdb")
    generate(root / "inbox", root / "ground_truth", scale="tiny", periods=3, seed=7)
    warehouse = root / "tkpkd.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        ingest_inbox(connection, root / "inbox")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TKPKD_WAREHOUSE", str(warehouse))
        patch.setenv("TKPKD_DUCKDB_TEMP_DIRECTORY", str(root / "spill"))
        patch.setenv("TKPKD_PSEUDONYM_SECRET", SECRET)
        build = run_dbt_on_duckdb(["build", "--selector", SPARK_SELECTOR, *_vars()], root / "target")
        release_dbt_connections()
    assert build.success, "the DuckDB build of the selection failed"
    return warehouse


@pytest.fixture(scope="module")
def spark_build(duckdb_build, tmp_path_factory):
    """The same raw tables in Spark, then `dbt build --selector spark` through dbt-spark's session method."""
    root = tmp_path_factory.mktemp("spark")
    leftovers_before = {name for name in SPARK_LEFTOVERS if (REPO_ROOT / name).exists()}
    with pytest.MonkeyPatch.context() as patch, spark_session(root / "warehouse") as session:
        patch.setenv("TKPKD_PSEUDONYM_SECRET", SECRET)
        register_functions(session, SECRET)
        raw_counts = load_raw_tables(session, duckdb_build, root / "raw_parquet")
        target = root / "target"
        build = run_dbt(["build", "--selector", SPARK_SELECTOR, *_vars(), "--log-path", str(target / "logs")],
                        target)
        with duckdb.connect(str(duckdb_build), read_only=True) as connection:
            yield {"session": session, "build": build, "duckdb": connection, "raw_counts": raw_counts,
                   "root": root, "leftovers_before": leftovers_before}


def _results(build, resource_type: str) -> list:
    return [r for r in build.result.results if r.node.resource_type == resource_type]


def test_the_raw_tables_reach_spark_whole(spark_build):
    session = spark_build["session"]
    for table, rows in spark_build["raw_counts"].items():
        assert session.sql(f"select count(*) from raw.{table}").collect()[0][0] == rows, table
    assert sum(spark_build["raw_counts"].values()) > 5000


def test_the_selection_builds_with_every_data_and_unit_test(spark_build):
    build = spark_build["build"]
    failed = [(r.node.unique_id, str(r.status), r.message) for r in build.result.results
              if str(r.status) not in ("success", "pass")]
    assert failed == []
    assert build.success
    assert len(_results(build, "model")) >= 50
    assert len(_results(build, "test")) >= 150
    assert len(_results(build, "unit_test")) >= 10


def test_every_table_equals_duckdbs_row_for_row(spark_build):
    """Row counts and rows (as multisets, types normalised: tests/scaleout/compare.py) of every model and seed."""
    relations = [r.node.relation_name.replace("`", "") for r in spark_build["build"].result.results
                 if r.node.resource_type in ("model", "seed")]
    relations = [".".join(name.split(".")[-2:]) for name in relations]
    differences = {relation: table_differences(spark_build["session"], spark_build["duckdb"], relation)
                   for relation in relations}
    assert {relation: found for relation, found in differences.items() if found} == {}
    rows = spark_build["session"].sql("select count(*) from staging.stg_dtsen__families").collect()[0][0]
    assert rows > 0  # the comparison saw data, not two empty tables


def test_pseudonyms_are_the_duckdb_plugins(spark_build):
    values = spark_build["session"].sql(
        "select pseudonym('nik', '6171010101800001'), pseudonym('kk', '6171010101800001'),"
        " pseudonym('nik', cast(null as string))").collect()[0]
    assert list(values) == [pseudonymise(SECRET, "nik", "6171010101800001"),
                            pseudonymise(SECRET, "kk", "6171010101800001"), None]
    keys = spark_build["session"].sql(
        "select count(*) from intermediate.int_person_identities where person_key = pseudonym('nik', nik)"
    ).collect()[0][0]
    assert keys == spark_build["duckdb"].execute("select count(*) from intermediate.int_person_identities").fetchone()[0]


def test_spark_writes_only_under_the_test_folder(spark_build):
    assert (spark_build["root"] / "warehouse" / "staging.db").is_dir()
    created = {name for name in SPARK_LEFTOVERS if (REPO_ROOT / name).exists()} - spark_build["leftovers_before"]
    assert created == set()


def test_the_guide_names_every_model_left_out(spark_build):
    """docs/scale-out.md lists the models that do not build on Spark: exactly those outside the selection."""
    manifest = json.loads((spark_build["root"] / "target" / "manifest.json").read_text())
    models = {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    built = {r.node.name for r in _results(spark_build["build"], "model")}
    section = SCALE_OUT_DOC.read_text().split("## What does not run on Spark yet")[1].split("\n## ")[0]
    listed = set(re.findall(r"^- `(\w+)`", section, flags=re.MULTILINE))
    assert listed == models - built
    assert f"{len(built)} of the project's {len(models)} models" in SCALE_OUT_DOC.read_text()
