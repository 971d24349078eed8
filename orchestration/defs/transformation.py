"""Transformation: the dbt project (staging, intermediate, marts) as Dagster assets; dbt tests are asset checks."""

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.dbt_targets import prune_invocation_folders
from orchestration.defs.resources import WAREHOUSE_WRITER_POOL
from orchestration.settings import DBT_PROJECT_DIR, load_settings

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The dbt of this environment, so the code location works without the virtual environment on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=DBT_PROJECT, profiles_dir=str(DBT_PROJECT.profiles_dir), dbt_executable=DBT_EXECUTABLE
    )


def _manifest_is_stale() -> bool:
    manifest = DBT_PROJECT.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    project_files = (
        path
        for folder in ("models", "macros", "seeds", "tests")
        for path in (DBT_PROJECT_DIR / folder).rglob("*")
        if path.is_file()
    )
    return any(path.stat().st_mtime > built for path in [DBT_PROJECT_DIR / "dbt_project.yml", *project_files])


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing or older than the project's files.

    The asset graph is read from the manifest, so a stale one would not know a new model. A fresh clone has no
    manifest yet: the first load parses once (a `dbt parse` of the whole project: several seconds, up to half a minute
    on a busy 2-core machine) instead of failing; later loads only compare file times.
    """
    if _manifest_is_stale():
        dbt_resource().cli(["parse", "--quiet"], target_path=DBT_PROJECT.target_path).wait()


ensure_manifest()


class TkpkdDbtTranslator(DagsterDbtTranslator):
    """Groups dbt assets by layer (the model's first folder) so the graph reads raw -> staging -> marts."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return fqn[1] if len(fqn) > 2 else "marts"


# Seeds, staging and quarantine are built first; the quality gates of `orchestration/defs/quality.py` check the staged
# data; then intermediate, marts and pii. Two dbt invocations, so that a failing blocking gate stops Dagster from
# starting the second one: the marts are not rebuilt from a bad batch.
STAGING_SELECTION = "resource_type:seed path:models/staging path:models/quarantine"
# The first build takes only tests whose parents are all in it; a test spanning both layers runs in the second.
_STAGING_INDIRECT_SELECTION = "cautious"


def _dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, *extra: str):
    # dbt reads the warehouse path and the pseudonym secret from its environment (profiles.yml), resolved here
    # so that relative paths mean the same to dbt as to the Python side.
    os.environ.update(load_settings().dbt_env())
    prune_invocation_folders(DBT_PROJECT.project_dir / DBT_PROJECT.target_path)
    # dbt unit tests check the SQL, not the data: the test suite runs them, materializations need not.
    yield from dbt.cli(["build", "--exclude", "resource_type:unit_test", *extra], context=context).stream()


_TRANSLATOR = TkpkdDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    select=STAGING_SELECTION,
    dagster_dbt_translator=_TRANSLATOR,
    pool=WAREHOUSE_WRITER_POOL,
    name="tkpkd_dbt_staging",
)
def tkpkd_dbt_staging_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from _dbt_build(context, dbt, "--indirect-selection", _STAGING_INDIRECT_SELECTION)


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    exclude=STAGING_SELECTION,
    dagster_dbt_translator=_TRANSLATOR,
    pool=WAREHOUSE_WRITER_POOL,
    name="tkpkd_dbt_marts",
)
def tkpkd_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Intermediate, marts and pii: everything dbt builds after the staging gates."""
    yield from _dbt_build(context, dbt)
