"""The per-invocation dbt target folders dagster-dbt creates are pruned to the newest few per step."""

from __future__ import annotations

import os
import re
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

from dagster_dbt import DbtCliResource

from orchestration.dbt_targets import (
    KEEP_PER_STEP,
    KEEP_STATES,
    PARTIAL_PARSE_FILE,
    PROFILE_VARIABLES,
    keep_partial_parse,
    partial_parse_state,
    prune_invocation_folders,
    restore_partial_parse,
)
from orchestration.settings import DBT_PROJECT_DIR


def _dagster_dbt_folder_name(step: str) -> str:
    """The name dagster-dbt itself gives an invocation's target folder (so a change of its format fails here)."""
    context = SimpleNamespace(
        op_execution_context=SimpleNamespace(op=SimpleNamespace(name=step)),
        run=SimpleNamespace(run_id=str(uuid.uuid4())),
    )
    resource = DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR), dbt_executable=str(Path(sys.executable).with_name("dbt"))
    )
    return resource._get_unique_target_path(context=context).name


def _make(target, name: str, modified_at: int):
    folder = target / name
    folder.mkdir()
    (folder / "dbt.log").write_text("log")
    os.utime(folder, (modified_at, modified_at))
    return folder


def test_keeps_the_newest_folders_of_each_step_and_nothing_else_is_touched(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    staging = [
        _make(target, _dagster_dbt_folder_name("tkpkd_dbt_staging"), 1_000 + i) for i in range(6)
    ]
    marts = [
        _make(target, _dagster_dbt_folder_name("tkpkd_dbt_marts"), 2_000 + i) for i in range(2)
    ]
    (target / "manifest.json").write_text("{}")
    (target / "compiled").mkdir()
    (target / "tkpkd_dbt_staging-notahex-1234567").mkdir()
    (target / "tkpkd_dbt_staging-0000000-0000000.txt").write_text("a file, not a folder")

    removed = prune_invocation_folders(target)

    assert sorted(removed) == sorted(staging[: 6 - KEEP_PER_STEP])
    remaining = {path.name for path in target.iterdir()}
    assert remaining == {
        *(folder.name for folder in staging[6 - KEEP_PER_STEP :]),
        *(folder.name for folder in marts),
        "manifest.json",
        "compiled",
        "tkpkd_dbt_staging-notahex-1234567",
        "tkpkd_dbt_staging-0000000-0000000.txt",
    }


def test_keep_is_a_parameter_and_a_missing_target_folder_is_nothing_to_prune(tmp_path):
    target = tmp_path / "target"
    assert prune_invocation_folders(target) == []
    target.mkdir()
    folders = [_make(target, f"tkpkd_dbt_marts-abcdef{i}-1234567", 100 + i) for i in range(3)]
    assert prune_invocation_folders(target, keep=1) == [folders[1], folders[0]]
    assert [path.name for path in target.iterdir()] == [folders[2].name]


def test_a_folder_of_the_last_minutes_stays_whatever_its_rank(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    now = int(time.time())
    folders = [_make(target, _dagster_dbt_folder_name("tkpkd_dbt_core"), now - 60 + i) for i in range(KEEP_PER_STEP + 2)]

    assert prune_invocation_folders(target) == []
    assert all(folder.exists() for folder in folders)


def test_each_warehouse_and_vars_keep_their_own_partial_parse_state(tmp_path):
    environment = {"TKPKD_WAREHOUSE": "/srv/a.duckdb", "TKPKD_DUCKDB_MEMORY_LIMIT": "60%", "OTHER": "x"}
    state = partial_parse_state(tmp_path, environment, '{"v": 1}')

    assert state == partial_parse_state(tmp_path, {**environment, "OTHER": "y"}, '{"v": 1}')
    assert state != partial_parse_state(tmp_path, {**environment, "TKPKD_WAREHOUSE": "/srv/b.duckdb"}, '{"v": 1}')
    assert state != partial_parse_state(tmp_path, environment, '{"v": 2}')


def test_the_profile_variables_are_those_profiles_yml_reads():
    profiles = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    assert set(re.findall(r"env_var\('([A-Z_]+)'", profiles)) == set(PROFILE_VARIABLES)


def test_an_invocation_starts_from_the_kept_state_and_hands_its_own_back(tmp_path):
    project_target = tmp_path / "target"
    state = partial_parse_state(project_target, {}, "{}")
    first, second = project_target / "tkpkd_dbt_core-0000000-0000001", project_target / "tkpkd_dbt_core-0000000-0000002"

    assert not restore_partial_parse(state, first)  # nothing kept yet: dbt parses in full
    first.mkdir(parents=True)
    (first / PARTIAL_PARSE_FILE).write_bytes(b"parsed by the first")
    assert keep_partial_parse(first, state)
    assert restore_partial_parse(state, second)

    assert (second / PARTIAL_PARSE_FILE).read_bytes() == b"parsed by the first"


def test_an_invocation_that_never_parsed_leaves_the_kept_state(tmp_path):
    state, invocation = tmp_path / "target" / "partial_parse" / "key.msgpack", tmp_path / "target" / "failed"
    state.parent.mkdir(parents=True)
    invocation.mkdir()
    state.write_bytes(b"kept")

    assert not keep_partial_parse(invocation, state)

    assert state.read_bytes() == b"kept"


def test_only_the_newest_states_are_kept(tmp_path):
    invocation = tmp_path / "invocation"
    invocation.mkdir()
    (invocation / PARTIAL_PARSE_FILE).write_bytes(b"state")
    states = [partial_parse_state(tmp_path, {"TKPKD_WAREHOUSE": str(number)}, "{}") for number in range(KEEP_STATES + 2)]
    for age, state in enumerate(states):
        keep_partial_parse(invocation, state)
        os.utime(state, (1_000 + age, 1_000 + age))

    keep_partial_parse(invocation, states[-1])

    assert sorted(states[0].parent.iterdir()) == sorted(states[2:])
