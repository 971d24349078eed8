"""Transformation: the dbt project (staging, intermediate, marts) as Dagster assets; dbt tests are asset checks."""

import json
import os
import sys
import warnings
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

from orchestration import freshness
from orchestration.contract import load_contract
from orchestration.dbt_targets import prune_invocation_folders, require_manifest
from orchestration.defs.partitions import ONE_RUN_PER_RANGE, PERIODS, known_periods, periods_of
from orchestration.defs.resources import WAREHOUSE_WRITER_POOL
from orchestration.settings import DBT_PROJECT_DIR, load_settings
from orchestration.warehouse_lock import wait_for_warehouse

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The dbt of this environment, so the code location works without the virtual environment on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=DBT_PROJECT, profiles_dir=str(DBT_PROJECT.profiles_dir), dbt_executable=DBT_EXECUTABLE
    )


require_manifest(DBT_PROJECT.manifest_path, DBT_PROJECT_DIR)


# A per-period model that later periods read back (fct_assistance: the 12-month windows, the newest assistance of a
# family however old, the impact pairs) says so in its YAML, `meta: {read_by_later_periods: true}`: each period of
# a per-period model depends on every earlier period of it. Dagster takes one mapping per dependency of a step.
# Periods before the first partition do not exist, and that is fine: the parameter is beta, and known to be.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.BetaWarning)
    EVERY_EARLIER_PERIOD = dg.TimeWindowPartitionMapping(
        start_offset=-1200, allow_nonexistent_upstream_partitions=True
    )


# A dbt asset's key is [layer, table]: the layer is the DuckDB schema the node is built in (`marts` for the target
# schema `main`), and the layer decides the Dagster group (docs/design.md, "Dagster assets"). The seeds (schema
# reference) are staging's input and sit in its group.
MARTS_SCHEMA = "main"
MARTS_LAYER = "marts"
LAYER_GROUPS = {
    "reference": "staging",
    "staging": "staging",
    "quarantine": "quality",
    "intermediate": "intermediate",
    MARTS_LAYER: "marts",
    "pii": "pii",
}
# Names, NIK, KK numbers and addresses for the officers who act on them (docs/contract/warehouse.md): the assets of
# the restricted schema, and the exports that carry such rows out of the warehouse, carry this tag.
RESTRICTED_SCHEMA = "pii"
RESTRICTED_TAGS = {"tkpkd/restricted": "true"}


class TkpkdDbtTranslator(DagsterDbtTranslator):
    """Keys and groups by layer (the schema a model is built in), so the graph reads raw -> staging -> marts; tags
    the restricted schema; maps the periods one per-period model reads of another."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)  # raw/<source>, the ingestion asset's key
        return dg.AssetKey([layer_of(dbt_resource_props), dbt_resource_props["alias"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return None  # the ingestion asset of the source gives its own
        layer = layer_of(dbt_resource_props)
        if layer not in LAYER_GROUPS:
            raise ValueError(
                f"dbt {dbt_resource_props['resource_type']} {dbt_resource_props['name']} is built in schema "
                f"{dbt_resource_props['schema']}, which has no Dagster group: add it to LAYER_GROUPS "
                "(orchestration/defs/transformation.py) and to docs/design.md, \"Dagster assets\"."
            )
        return LAYER_GROUPS[layer]

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        tags = super().get_tags(dbt_resource_props)
        if dbt_resource_props.get("schema") == RESTRICTED_SCHEMA:
            return {**tags, **RESTRICTED_TAGS}
        return tags

    def get_partition_mapping(
        self, dbt_resource_props: Mapping[str, Any], dbt_parent_resource_props: Mapping[str, Any]
    ) -> dg.PartitionMapping | None:
        if not (is_per_period(dbt_resource_props) and is_per_period(dbt_parent_resource_props)):
            return None  # an unpartitioned parent is read whole by every period
        if dbt_parent_resource_props.get("config", {}).get("meta", {}).get("read_by_later_periods"):
            return EVERY_EARLIER_PERIOD
        return dg.TimeWindowPartitionMapping()  # the same period


def layer_of(dbt_resource_props: Mapping[str, Any]) -> str:
    schema = dbt_resource_props["schema"]
    return MARTS_LAYER if schema == MARTS_SCHEMA else schema


def is_per_period(dbt_resource_props: Mapping[str, Any]) -> bool:
    return PER_PERIOD_TAG in dbt_resource_props.get("tags", [])


# Three dbt invocations. Seeds, staging and quarantine first; the quality gates of `orchestration/defs/quality.py`
# check the staged data; then the models whose truth spans periods (identity, the registry as of each period,
# dimensions) are rebuilt whole; then the per-period facts and reports, only for the run's periods.
PER_PERIOD_TAG = "per_period"
STAGING_SELECTION = "resource_type:seed path:models/staging path:models/quarantine"
PER_PERIOD_SELECTION = f"tag:{PER_PERIOD_TAG}"
# The first two builds take only the tests whose parents are all in them; a test that also reads a per-period
# model (a relationship from a fact to a dimension) runs with the per-period build, after both its parents.
_WHOLE_BUILD_INDIRECT_SELECTION = "cautious"


def dbt_cli_vars(**more: object) -> str:
    """`--vars` of every build: what rpt_data_quality's days_overdue needs (orchestration/freshness.py), and `more`."""
    return json.dumps({**freshness.dbt_vars(load_contract(), freshness.delivery_deadline_day()), **more})


def _dbt_build_command(*extra: str, **dbt_vars: object) -> list[str]:
    # dbt reads the warehouse path and the pseudonym secret from its environment (profiles.yml), resolved here
    # so that relative paths mean the same to dbt as to the Python side.
    os.environ.update(load_settings().dbt_env())
    prune_invocation_folders(DBT_PROJECT.project_dir / DBT_PROJECT.target_path)
    # dbt-duckdb fails at once on a held file: wait here, with the same patience and message as every connect.
    wait_for_warehouse(load_settings().warehouse)
    # dbt unit tests check the SQL, not the data: the test suite runs them, materializations need not.
    return ["build", "--exclude", "resource_type:unit_test", *extra, "--vars", dbt_cli_vars(**dbt_vars)]


# A run tagged so rebuilds every dbt model from nothing (`tkpkd run --full-refresh`): what a changed per-period model
# needs, its old periods no longer matching. Only over every period: a range would drop the periods outside it.
FULL_REFRESH_TAG = "tkpkd/dbt_full_refresh"


def full_refresh_flags(tags: Mapping[str, str], periods: list[str] | None) -> list[str]:
    """`--full-refresh` when the run asks for it; refused for a run over part of the periods."""
    if tags.get(FULL_REFRESH_TAG) != "true":
        return []
    if periods is not None and periods != known_periods():
        raise dg.Failure(
            f"{FULL_REFRESH_TAG} on a run of periods {periods[0]} to {periods[-1]}: a full refresh rebuilds the "
            f"per-period tables from the run's periods only, and would drop the others ({known_periods()[0]} to "
            f"{known_periods()[-1]}). Run every period (`tkpkd run --full-refresh`)."
        )
    return ["--full-refresh"]


def _dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    *extra: str,
    periods: list[str] | None = None,
    **dbt_vars: object,
):
    """`periods`: those of a per-period step (the staging and core models are rebuilt whole on any run)."""
    extra = (*extra, *full_refresh_flags(context.run.tags, periods))
    yield from dbt.cli(_dbt_build_command(*extra, **dbt_vars), context=context).stream()


def rebuild_models(dbt: DbtCliResource, models: list[str]) -> None:
    """Build some models again with their tests, outside their asset's step (a quality gate that held a batch
    rebuilds the source's staging model without it); raises when dbt fails."""
    dbt.cli(
        _dbt_build_command("--select", " ".join(models)),
        manifest=DBT_PROJECT.manifest_path,
        dagster_dbt_translator=_TRANSLATOR,
    ).wait()


def published_models_reading(model: str) -> list[str]:
    """The facts and reports built from a model, directly or not (from the dbt manifest's child map)."""
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    children, seen, found = manifest["child_map"], set(), set()
    pending = [f"model.{manifest['metadata']['project_name']}.{model}"]
    while pending:
        for child in children.get(pending.pop(), []):
            if child in seen or not child.startswith("model."):
                continue
            seen.add(child)
            pending.append(child)
            name = child.rsplit(".", 1)[-1]
            if name.startswith(("fct_", "rpt_")):
                found.add(name)
    return sorted(found)


def period_range_var(context: dg.AssetExecutionContext) -> dict[str, str | None]:
    """The dbt var `period_range` of a run's partitions: open at the first and the last partition, which also hold
    the rows dated before and after them (macros/incremental/period_range.sql)."""
    periods = periods_of(context)
    every = known_periods()
    return {
        "from": None if periods[0] == every[0] else periods[0],
        "to": None if periods[-1] == every[-1] else periods[-1],
    }


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
    yield from _dbt_build(context, dbt, "--indirect-selection", _WHOLE_BUILD_INDIRECT_SELECTION)


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    # `+`: the per-period models and their tests (a test lives in the YAML of its model's folder, not its tag).
    exclude=f"{STAGING_SELECTION} {PER_PERIOD_SELECTION}+",
    dagster_dbt_translator=_TRANSLATOR,
    pool=WAREHOUSE_WRITER_POOL,
    name="tkpkd_dbt_core",
)
def tkpkd_dbt_core_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Intermediate (identity, the registry as of each period, needs), dimensions and the pii identity maps: what
    every period reads, rebuilt whole after the staging gates."""
    yield from _dbt_build(context, dbt, "--indirect-selection", _WHOLE_BUILD_INDIRECT_SELECTION)


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    select=PER_PERIOD_SELECTION,
    dagster_dbt_translator=_TRANSLATOR,
    partitions_def=PERIODS,
    backfill_policy=ONE_RUN_PER_RANGE,
    pool=WAREHOUSE_WRITER_POOL,
    name="tkpkd_dbt_periods",
)
def tkpkd_dbt_period_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """The per-period facts and reports (and pii.case_list): the run's periods are deleted and built again."""
    yield from _dbt_build(context, dbt, periods=periods_of(context), period_range=period_range_var(context))


defs = dg.Definitions(
    assets=[tkpkd_dbt_staging_assets, tkpkd_dbt_core_assets, tkpkd_dbt_period_assets],
    resources={"dbt": dbt_resource()},
)
