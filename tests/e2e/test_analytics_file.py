"""The published analytics file as BI tools meet it: read-only, while the pipeline publishes, through SQLAlchemy."""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

from orchestration.publishing import publish_analytics

pytestmark = pytest.mark.e2e

READER = Path(__file__).with_name("analytics_reader.py")


@pytest.fixture(scope="module")
def built_warehouse(pipeline_run) -> Path:
    assert pipeline_run.result.success, "the main job failed; see the log above"
    return pipeline_run.warehouse


def two_versions(warehouse: Path, folder: Path) -> tuple[Path, Path, str, str]:
    """The built warehouse, and a copy of it whose reports stop one period earlier (both consistent)."""
    shorter = folder / "shorter.duckdb"
    shutil.copyfile(warehouse, shorter)
    with duckdb.connect(str(shorter)) as connection:
        newest = connection.execute(
            "select max(period) from main.rpt_extreme_poverty_cases"
        ).fetchone()[0]
        connection.execute("delete from main.rpt_extreme_poverty_cases where period = ?", [newest])
        connection.execute("delete from main.rpt_basic_needs_coverage where period = ?", [newest])
        previous = connection.execute(
            "select max(period) from main.rpt_extreme_poverty_cases"
        ).fetchone()[0]
    return warehouse, shorter, newest, previous


def test_readers_never_block_or_see_half_a_file(built_warehouse, tmp_path):
    full, shorter, newest, previous = two_versions(built_warehouse, tmp_path)
    analytics = tmp_path / "published" / "analytics.duckdb"
    stop_file = tmp_path / "stop"
    publish_analytics(full, analytics)  # the file exists before the first reader opens it

    reader = subprocess.Popen(
        [sys.executable, str(READER), str(analytics), str(stop_file), "60", "100000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.0)
        publish_seconds = []
        for warehouse in (shorter, full, shorter, full):
            started = time.monotonic()
            publish_analytics(warehouse, analytics)  # never blocked by the reader's open file
            publish_seconds.append(time.monotonic() - started)
            time.sleep(0.5)
        stop_file.touch()
        out, err = reader.communicate(timeout=90)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    report = json.loads(out)
    print(report)
    assert report["errors"] == [], report
    assert report["inconsistencies"] == [], report
    assert set(report["versions"]) == {newest, previous}, report
    assert report["versions"][newest] > 0 and report["versions"][previous] > 0, report
    assert max(publish_seconds) < 30
    assert not [p.name for p in analytics.parent.iterdir() if p.name != analytics.name]


def test_bi_tools_connect_through_sqlalchemy(built_warehouse, tmp_path):
    analytics = tmp_path / "analytics.duckdb"
    publish_analytics(built_warehouse, analytics)
    report_query = sqlalchemy.text(
        "select program_code, count(*) as row_count from rpt_targeting group by program_code order by program_code"
    )
    engines = [
        # What a Python client or a notebook passes:
        sqlalchemy.create_engine(f"duckdb:///{analytics}", connect_args={"read_only": True}),
        # What Apache Superset takes as its SQLAlchemy URI (the README gives this form):
        sqlalchemy.create_engine(f"duckdb:///{analytics}?access_mode=read_only"),
    ]
    for engine in engines:
        try:
            with engine.connect() as connection:
                rows = connection.execute(report_query).fetchall()
                assert rows and all(count > 0 for _, count in rows)
                # Read-only: a BI tool cannot change the published file.
                with pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
                    connection.execute(sqlalchemy.text("create table scratch as select 1 as x"))
            inspector = sqlalchemy.inspect(engine)
            tables = set(inspector.get_table_names())
            assert {
                "dim_region",
                "fct_family_month",
                "rpt_targeting",
                "rpt_basic_needs_coverage",
            } <= tables
            assert all(name.startswith(("dim_", "fct_", "rpt_")) for name in tables)
            # Not asserted: inspector.get_columns() fails with duckdb-engine 0.17 on SQLAlchemy 2.1 (its query joins
            # pg_catalog.pg_collation, which DuckDB does not have); queries and table comments work.
            if engine.dialect.supports_comments:
                assert inspector.get_table_comment("rpt_targeting")["text"]
        finally:
            engine.dispose()
