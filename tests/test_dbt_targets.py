"""The per-invocation dbt target folders dagster-dbt creates are pruned to the newest few per step."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

from dagster_dbt import DbtCliResource

from orchestration.dbt_targets import (
    KEEP_PER_STEP,
    PARTIAL_PARSE_FILE,
    keep_partial_parse,
    prune_invocation_folders,
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


def test_an_invocations_partial_parse_state_replaces_the_projects(tmp_path):
    project_target, invocation = tmp_path / "target", tmp_path / "target" / "tkpkd_dbt_core-0000000-0000000"
    invocation.mkdir(parents=True)
    (project_target / PARTIAL_PARSE_FILE).write_bytes(b"parsed with other vars")
    (invocation / PARTIAL_PARSE_FILE).write_bytes(b"parsed with the run's vars")

    assert keep_partial_parse(invocation, project_target)

    assert (project_target / PARTIAL_PARSE_FILE).read_bytes() == b"parsed with the run's vars"
    assert sorted(path.name for path in project_target.iterdir()) == [PARTIAL_PARSE_FILE, invocation.name]


def test_an_invocation_that_never_parsed_leaves_the_projects_state(tmp_path):
    project_target, invocation = tmp_path / "target", tmp_path / "target" / "tkpkd_dbt_core-0000000-0000000"
    invocation.mkdir(parents=True)
    (project_target / PARTIAL_PARSE_FILE).write_bytes(b"kept")

    assert not keep_partial_parse(invocation, project_target)

    assert (project_target / PARTIAL_PARSE_FILE).read_bytes() == b"kept"
