"""Every DuckDB engine the pipeline opens goes through `orchestration.warehouse_lock.connect_warehouse`, so the
memory limit and the wait for a held file apply to all of them."""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb

from orchestration.settings import REPO_ROOT
from orchestration.warehouse_lock import IN_MEMORY, connect_warehouse

ORCHESTRATION = REPO_ROOT / "orchestration"
THE_ONE_PLACE = Path("orchestration/warehouse_lock.py")
# Each exception names why it still opens DuckDB itself.
ALLOWED = {
    Path("orchestration/publishing.py"): (
        "the analytics file's in-memory build engine; publishing.py belongs to another change (issue 15 left it), "
        "its `duckdb.connect()` is to become `connect_warehouse(IN_MEMORY)`"
    ),
}


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
