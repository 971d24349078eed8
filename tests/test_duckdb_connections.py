"""Every DuckDB engine the pipeline opens goes through `orchestration.warehouse_lock.connect_warehouse`, so the
memory limit, the spill folder under the warehouse's folder and the wait for a held file apply to all of them; dbt's
engine (its own `duckdb.connect`, through profiles.yml) and Splink's report the same settings."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import jinja2
import pandas as pd
import pytest
import yaml

from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, duckdb_temp_directory, load_settings
from orchestration.warehouse_lock import IN_MEMORY, connect_warehouse
from tests.identity.test_linkage import HARD_CASES, reference  # noqa: F401 (the linkage tests' people, a fixture)

ORCHESTRATION = REPO_ROOT / "orchestration"
THE_ONE_PLACE = Path("orchestration/warehouse_lock.py")
# Each exception names why it still opens DuckDB itself.
ALLOWED: dict[Path, str] = {}


def _direct_connects(path: Path) -> list[int]:
    """Lines that call `duckdb.connect(...)`, or `connect(...)` imported from duckdb."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imported_names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "duckdb"
        for alias in node.names
        if alias.name == "connect"
    }
    duckdb_aliases = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == "duckdb"
    }
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if (
            isinstance(function, ast.Attribute)
            and function.attr == "connect"
            and isinstance(function.value, ast.Name)
            and function.value.id in duckdb_aliases
        ) or (isinstance(function, ast.Name) and function.id in imported_names):
            lines.append(node.lineno)
    return lines


def _files_that_connect() -> dict[Path, list[int]]:
    found = {}
    for path in sorted(ORCHESTRATION.rglob("*.py")):
        lines = _direct_connects(path)
        if lines:
            found[path.relative_to(REPO_ROOT)] = lines
    return found


def test_only_the_one_place_and_the_named_exceptions_call_duckdb_connect():
    found = _files_that_connect()
    unexpected = {path: lines for path, lines in found.items() if path != THE_ONE_PLACE and path not in ALLOWED}
    assert not unexpected, (
        f"open DuckDB with orchestration.warehouse_lock.connect_warehouse (IN_MEMORY for a private engine), "
        f"not duckdb.connect: {unexpected}"
    )
    assert THE_ONE_PLACE in found


def test_every_exception_is_still_needed():
    found = _files_that_connect()
    assert [path for path in ALLOWED if path not in found] == []


def test_the_detector_sees_both_spellings(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("import duckdb as db\nfrom duckdb import connect\ndb.connect()\nx = 1\nconnect(':memory:')\n")
    assert _direct_connects(module) == [3, 5]


def test_an_in_memory_engine_gets_the_memory_limit_and_config_can_override_it(monkeypatch):
    monkeypatch.setenv("TKPKD_DUCKDB_MEMORY_LIMIT", "1GB")
    with connect_warehouse(IN_MEMORY) as connection:
        [(limit,)] = connection.execute("select current_setting('memory_limit')").fetchall()
    # DuckDB reports the limit in binary units
    assert limit == "953.6 MiB"
    with connect_warehouse(IN_MEMORY, config={"memory_limit": "2GB"}) as connection:
        [(limit,)] = connection.execute("select current_setting('memory_limit')").fetchall()
    assert limit == "1.8 GiB"


def test_a_plain_connection_in_the_same_process_still_opens_the_file(monkeypatch, tmp_path):
    """DuckDB refuses a second connection to an open file with another config: the limit must not be part of it."""
    monkeypatch.setenv("TKPKD_DUCKDB_MEMORY_LIMIT", "1GB")
    database = tmp_path / "w.duckdb"
    duckdb.connect(str(database)).close()
    with duckdb.connect(str(database), read_only=True) as plain, connect_warehouse(database, read_only=True) as ours:
        [(limit,)] = ours.execute("select current_setting('memory_limit')").fetchall()
        assert plain.execute("select 1").fetchall() == [(1,)]
    assert limit == "953.6 MiB"


SETTINGS_QUERY = "select current_setting('memory_limit'), current_setting('temp_directory')"


@pytest.fixture
def configured(monkeypatch, tmp_path) -> Path:
    """A warehouse in a temporary folder, a 1 GB limit and the default spill folder; returns that folder."""
    monkeypatch.setenv("TKPKD_WAREHOUSE", str(tmp_path / "warehouse" / "tkpkd.duckdb"))
    monkeypatch.setenv("TKPKD_DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("TKPKD_PSEUDONYM_SECRET", "synthetic-test-secret-" + "x" * 40)
    monkeypatch.delenv("TKPKD_DUCKDB_TEMP_DIRECTORY", raising=False)
    return tmp_path / "warehouse" / ".tmp"


def test_file_and_in_memory_engines_spill_under_the_warehouse_folder(configured, tmp_path):
    (tmp_path / "warehouse").mkdir()
    for database in (IN_MEMORY, tmp_path / "warehouse" / "tkpkd.duckdb"):
        with connect_warehouse(database) as connection:
            assert connection.execute(SETTINGS_QUERY).fetchall() == [("953.6 MiB", str(configured))]


def test_the_spill_folder_follows_its_variable(configured, monkeypatch, tmp_path):
    monkeypatch.setenv("TKPKD_DUCKDB_TEMP_DIRECTORY", str(tmp_path / "spill"))
    with connect_warehouse(IN_MEMORY) as connection:
        assert connection.execute(SETTINGS_QUERY).fetchall() == [("953.6 MiB", str(tmp_path / "spill"))]
    assert load_settings().dbt_env()["TKPKD_DUCKDB_TEMP_DIRECTORY"] == str(tmp_path / "spill")


def _spill(connection: duckdb.DuckDBPyConnection) -> None:
    """Hold more than a 50 MB limit: about 130 MB of text in a temporary table (memory, then the spill folder)."""
    connection.execute("set threads = 1")
    connection.execute("create temp table held as select range as i, md5(range::varchar) as text from range(3000000)")


def test_beyond_the_limit_an_engine_writes_to_the_spill_folder_instead_of_failing(configured):
    with connect_warehouse(IN_MEMORY, config={"memory_limit": "50MB"}) as connection:
        _spill(connection)
        assert connection.execute("select count(distinct text) from held").fetchall() == [(3000000,)]
        assert any(configured.glob("duckdb_temp_*storage*")), "nothing spilled to the folder"


def test_an_instance_that_already_spilled_elsewhere_still_connects(configured, tmp_path):
    """DuckDB cannot move the spill folder of an instance that has used it: the second connection keeps it."""
    database = tmp_path / "notebook.duckdb"
    elsewhere = tmp_path / "notebook_spill"
    with duckdb.connect(str(database)) as plain:
        plain.execute("set memory_limit = '50MB'")
        plain.execute("set temp_directory = ?", [str(elsewhere)])
        _spill(plain)
        with connect_warehouse(database) as ours:
            [(folder,)] = ours.execute("select current_setting('temp_directory')").fetchall()
    assert folder == str(elsewhere)


def test_splinks_engine_has_the_limit_and_the_spill_folder(configured, monkeypatch, reference):  # noqa: F811
    import splink

    from orchestration.identity.linkage import link

    seen = []

    class RecordingDuckDBAPI(splink.DuckDBAPI):
        def __init__(self, connection, *args, **kwargs):
            seen.append(connection.execute(SETTINGS_QUERY).fetchall())
            super().__init__(connection, *args, **kwargs)

    monkeypatch.setattr(splink, "DuckDBAPI", RecordingDuckDBAPI)
    link(pd.DataFrame([case for case, _, _ in HARD_CASES]), reference)
    assert seen == [[("953.6 MiB", str(configured))]]


def test_dbts_profile_defaults_to_the_same_spill_folder_as_the_pipeline(monkeypatch):
    """By hand (no pipeline environment), dbt runs in dbt_project/ and reads the profile's own default."""
    monkeypatch.delenv("TKPKD_WAREHOUSE", raising=False)
    monkeypatch.delenv("TKPKD_DUCKDB_TEMP_DIRECTORY", raising=False)
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    setting = profile["tkpkd"]["outputs"]["dev"]["config_options"]["temp_directory"]
    default = re.fullmatch(r"\{\{ env_var\('TKPKD_DUCKDB_TEMP_DIRECTORY', '(.+)'\) \}\}", setting)[1]
    assert (DBT_PROJECT_DIR / default).resolve() == duckdb_temp_directory()


@pytest.mark.slow
def test_dbts_engine_has_the_limit_and_the_spill_folder(configured):
    """dbt opens DuckDB itself: `dbt show` in the environment the pipeline gives dbt reports its settings."""
    configured.parent.mkdir()
    query = "select current_setting('memory_limit') as memory_limit, current_setting('temp_directory') as spill"
    dbt = Path(sys.executable).with_name("dbt")
    shown = subprocess.run(
        [str(dbt), "show", "--inline", query, "--output", "json", "--log-format", "json", "--quiet",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(configured.parent.parent / "dbt_target")],
        env={**os.environ, **load_settings().dbt_env()}, capture_output=True, text=True, check=True,
    )
    previews = [json.loads(line)["data"]["preview"] for line in shown.stdout.splitlines() if '"preview"' in line]
    assert [json.loads(preview) for preview in previews] == [[{"memory_limit": "953.6 MiB", "spill": str(configured)}]]


def _dbt_output_as_rendered() -> dict:
    """The profile's output with its `env_var` calls rendered from the environment, as dbt renders it."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.globals["env_var"] = lambda name, default=None: os.environ.get(name, default)
    text = environment.from_string((DBT_PROJECT_DIR / "profiles.yml").read_text()).render()
    return yaml.safe_load(text)["tkpkd"]["outputs"]["dev"]


def test_dbts_engine_opens_cursors_after_it_has_spilled(monkeypatch, tmp_path):
    """dbt-duckdb opens a cursor for every model and test and applies the profile's `settings` to each: with the
    spill folder among them, every node after the first spill failed ("Cannot switch temporary directory")."""
    from dbt.adapters.duckdb.credentials import DuckDBCredentials
    from dbt.adapters.duckdb.environments import Environment

    monkeypatch.setenv("TKPKD_WAREHOUSE", str(tmp_path / "tkpkd.duckdb"))
    monkeypatch.setenv("TKPKD_DUCKDB_MEMORY_LIMIT", "64MB")
    monkeypatch.setenv("TKPKD_DUCKDB_TEMP_DIRECTORY", str(tmp_path / ".tmp"))
    output = _dbt_output_as_rendered()
    credentials = DuckDBCredentials(
        path=output["path"], settings=output.get("settings"), config_options=output.get("config_options")
    )
    connection = Environment.initialize_db(credentials)
    first = Environment.initialize_cursor(credentials, connection.cursor())
    first.execute("create table sorted as select md5(range::varchar) as h from range(2000000) order by h")
    # It spilled: DuckDB now refuses to set the folder again.
    with pytest.raises(duckdb.NotImplementedException, match="Cannot switch temporary directory"):
        connection.cursor().execute("set temp_directory = ?", [str(tmp_path / ".tmp")])
    second = Environment.initialize_cursor(credentials, connection.cursor())
    assert second.execute(SETTINGS_QUERY).fetchall() == [("61.0 MiB", str(tmp_path / ".tmp"))]
    connection.close()
