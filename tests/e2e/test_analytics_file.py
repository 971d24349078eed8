"""The published analytics file as BI tools meet it: read-only, while the pipeline publishes, through SQLAlchemy."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

from orchestration.publishing import (
    BI_COMMENT_LIMIT,
    DATA_DICTIONARY,
    bi_comment,
    declared_keys,
    publish_analytics,
)
from orchestration.quality.suites import PUBLISHED_TABLES

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
        for warehouse in (shorter, full, shorter, full):
            publish_analytics(warehouse, analytics)  # never blocked by the reader's open file
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
        # What Apache Superset takes as its SQLAlchemy URI (docs/bi-tools.md gives this form):
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


@pytest.fixture(scope="module")
def published(built_warehouse, tmp_path_factory) -> Path:
    analytics = tmp_path_factory.mktemp("published") / "analytics.duckdb"
    publish_analytics(built_warehouse, analytics)
    return analytics


KEYS_QUERY = """
select table_name, constraint_type, constraint_column_names, referenced_table, referenced_column_names
from duckdb_constraints()
where database_name = current_database() and constraint_type in ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
"""


def test_every_table_has_its_key_and_references_its_dimensions(published):
    with duckdb.connect(str(published), read_only=True) as connection:
        found = {
            (table, kind, tuple(columns), referenced, tuple(keys or ()))
            for table, kind, columns, referenced, keys in connection.execute(KEYS_QUERY).fetchall()
        }
    expected = {(DATA_DICTIONARY, "UNIQUE", ("table_name", "column_name"), None, ())}
    for table, keys in declared_keys(PUBLISHED_TABLES).items():
        if keys.primary_key:
            expected.add((table, "PRIMARY KEY", keys.primary_key, None, ()))
        expected |= {(table, "UNIQUE", key, None, ()) for key in keys.unique}
        expected |= {(table, "FOREIGN KEY", (f.column,), f.table, (f.key,)) for f in keys.foreign}
    assert found == expected
    primary_keys = {table for table, kind, *_ in found if kind == "PRIMARY KEY"}
    unique_keys = {table for table, kind, *_ in found if kind == "UNIQUE"}
    assert primary_keys == {table for table in PUBLISHED_TABLES if table.startswith("dim_")}
    assert {table for table in PUBLISHED_TABLES if not table.startswith("dim_")} <= unique_keys
    # Facts and reports reach the dimensions a BI tool joins them to.
    assert {("fct_assistance", "dim_program"), ("fct_family_month", "dim_region"), ("rpt_targeting", "dim_program")} <= {
        (table, referenced) for table, kind, _, referenced, _ in found if kind == "FOREIGN KEY"
    }


def test_the_published_keys_refuse_a_duplicate_and_an_orphan(published, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(published, copy)
    with duckdb.connect(str(copy)) as connection:
        with pytest.raises(duckdb.ConstraintException):
            connection.execute("insert into dim_region select * from dim_region limit 1")
        with pytest.raises(duckdb.ConstraintException):
            connection.execute("insert into fct_family_month select * from fct_family_month limit 1")
        with pytest.raises(duckdb.ConstraintException, match="foreign key"):
            connection.execute(
                "insert into fct_assistance select * replace ('new-delivery' as assistance_key, "
                "'no-such-programme' as program_key) from fct_assistance limit 1"
            )
        connection.execute(
            "insert into fct_assistance select * replace ('new-delivery' as assistance_key, null as person_key) "
            "from fct_assistance limit 1"
        )


def test_comments_are_one_short_sentence_and_the_dictionary_keeps_the_whole_text(built_warehouse, published):
    comment_sql = (
        "select table_name, null as column_name, comment from duckdb_tables() where database_name = current_database() "
        "union all select table_name, column_name, comment from duckdb_columns() "
        "where database_name = current_database()"
    )
    with duckdb.connect(str(published), read_only=True) as connection:
        comments = {(t, c): text for t, c, text in connection.execute(comment_sql).fetchall() if text}
        dictionary = {
            (t, c): text
            for t, c, text in connection.execute(f"select * from {DATA_DICTIONARY}").fetchall()
        }
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        descriptions = {
            (t, c): text for t, c, text in connection.execute(comment_sql).fetchall() if text and t in PUBLISHED_TABLES
        }
    assert comments and all(
        "\n" not in text and text == text.strip() and len(text) <= BI_COMMENT_LIMIT and not text.endswith("…")
        for text in comments.values()
    ), [text for text in comments.values() if "\n" in text or len(text) > BI_COMMENT_LIMIT]
    assert dictionary == {key: text.strip() for key, text in descriptions.items()}
    assert all(comments[key] == bi_comment(text) for key, text in dictionary.items())
    # A long description is cut to its first sentence in the comment and kept whole in the dictionary.
    whole, comment = dictionary[("fct_assistance", None)], comments[("fct_assistance", None)]
    assert whole.startswith(comment) and len(whole) > 3 * len(comment)


OLD_CLIENT = """
import json, sys, duckdb
connection = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({
    "version": duckdb.__version__,
    "keys": sorted(connection.execute(sys.argv[2]).fetchall()),
    "rows": connection.execute("select count(*) from fct_assistance join dim_program using (program_key)").fetchone()[0],
    "comment": connection.execute("select comment from duckdb_tables() where table_name = 'fct_assistance'").fetchone()[0],
}))
"""


def _client_command(version: str) -> list[str]:
    """A DuckDB client of `version` from PyPI, through uv, outside the project's environment."""
    # `uv run` (make test) names its own binary in UV; the project's .venv has no uv module of its own.
    uv = os.environ.get("UV") or shutil.which("uv")
    command = [uv] if uv else [shutil.which("python3.11") or shutil.which("python3"), "-m", "uv"]
    return [*command, "run", "--no-project", "--quiet", "--with", f"duckdb=={version}", "python"]


@pytest.mark.old_duckdb_clients
@pytest.mark.parametrize("version", ["1.4.5", "1.5.6"])  # the newest 1.4 and 1.5 releases
def test_duckdb_1x_clients_open_the_file_and_read_its_keys(published, tmp_path, version):
    probe = subprocess.run(
        [*_client_command(version), "-c", "import duckdb; print(duckdb.__version__)"],
        check=False, capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )
    if probe.returncode != 0:
        message = f"uv could not provide duckdb {version}: {probe.stderr[-500:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    expected = subprocess.run(
        [sys.executable, "-c", OLD_CLIENT, str(published), KEYS_QUERY], capture_output=True, text=True, check=True
    )
    old = subprocess.run(
        [*_client_command(version), "-c", OLD_CLIENT, str(published), KEYS_QUERY],
        check=False, capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )
    assert old.returncode == 0, old.stderr
    found, wanted = json.loads(old.stdout), json.loads(expected.stdout)
    assert found["version"] == version
    assert found["keys"] == wanted["keys"] and len(found["keys"]) > 30
    assert found["rows"] == wanted["rows"] > 0
    assert found["comment"] == wanted["comment"]
