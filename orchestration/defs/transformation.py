"""Transformation: the dbt project (staging, intermediate, marts) as Dagster assets; dbt tests are asset checks."""

import importlib.metadata
import json
import os
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
    get_asset_key_for_model,
)
from packaging import version

from orchestration.dbt_targets import (
    dbt_cli_vars,
    keep_partial_parse,
    partial_parse_state,
    prune_invocation_folders,
    require_manifest,
    restore_partial_parse,
)
from orchestration.defs.partitions import ONE_RUN_PER_RANGE, PERIODS, known_periods, periods_of
from orchestration.defs.resources import WAREHOUSE_WRITER_POOL
from orchestration.settings import DBT_PROJECT_DIR, load_settings
from orchestration.warehouse_lock import connect_warehouse, wait_for_warehouse

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The dbt of this environment, so the code location works without the virtual environment on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


class TkpkdDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs of each process that runs dbt steps, about 5 s on 2 cores:
    it asks the dbt executable its version in a subprocess (`dbt --version`, about 3 s: dbt's imports), where the
    installed dbt-core's version is the same answer, and it opens an in-process dbt adapter, which only its row-count
    and column-metadata fetches use, and the project uses neither."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_resource() -> DbtCliResource:
    return TkpkdDbtCliResource(
        project_dir=DBT_PROJECT, profiles_dir=str(DBT_PROJECT.profiles_dir), dbt_executable=DBT_EXECUTABLE
    )


require_manifest(DBT_PROJECT.manifest_path, DBT_PROJECT_DIR)
_PROJECT_TARGET = DBT_PROJECT.project_dir / DBT_PROJECT.target_path


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


def _dbt_build_command(*extra: str) -> list[str]:
    # dbt reads the warehouse path and the pseudonym secret from its environment (profiles.yml), resolved here
    # so that relative paths mean the same to dbt as to the Python side.
    os.environ.update(load_settings().dbt_env())
    prune_invocation_folders(_PROJECT_TARGET)
    # dbt-duckdb fails at once on a held file: wait here, with the same patience and message as every connect.
    wait_for_warehouse(load_settings().warehouse)
    # dbt unit tests check the SQL, not the data: the test suite runs them, materializations need not.
    return ["build", "--exclude", "resource_type:unit_test", *extra, "--vars", dbt_cli_vars()]


# A run tagged so rebuilds every dbt model from nothing (`tkpkd run --full-refresh`): what a changed per-period model
# needs, its table's columns no longer matching.
FULL_REFRESH_TAG = "tkpkd/dbt_full_refresh"


def full_refresh_flags(tags: Mapping[str, str]) -> list[str]:
    """`--full-refresh` when the run asks for it. Any range may: every build computes every period."""
    return ["--full-refresh"] if tags.get(FULL_REFRESH_TAG) == "true" else []


@contextmanager
def _invocation(dbt: DbtCliResource, command: list[str], context: dg.AssetExecutionContext | None = None, **options):
    """`dbt.cli(command, ...)`, started from the partial parse state of this warehouse and vars, and handing its own
    back when it ends (orchestration/dbt_targets.py, "Partial parsing")."""
    state = partial_parse_state(_PROJECT_TARGET, os.environ, command[command.index("--vars") + 1])
    target_path = DBT_PROJECT.project_dir / dbt._get_unique_target_path(context=context)
    restore_partial_parse(state, target_path)
    invocation = dbt.cli(command, context=context, target_path=target_path, **options)
    try:
        yield invocation
    finally:
        keep_partial_parse(invocation.target_path, state)


def _dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, *extra: str, raise_on_error: bool = True):
    """Stream the build's events; returns its invocation."""
    command = _dbt_build_command(*extra, *full_refresh_flags(context.run.tags))
    with _invocation(dbt, command, context=context, raise_on_error=raise_on_error) as invocation:
        yield from invocation.stream()
    return invocation


def rebuild_models(dbt: DbtCliResource, models: list[str]) -> None:
    """Build some models again with their tests, outside their asset's step (a quality gate that held a batch
    rebuilds the source's staging model without it); raises when dbt fails."""
    command = _dbt_build_command("--select", " ".join(models))
    with _invocation(dbt, command, manifest=DBT_PROJECT.manifest_path, dagster_dbt_translator=_TRANSLATOR) as invocation:
        invocation.wait()


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


def rebuilt_periods(warehouse: str | Path, invocation_id: str) -> dict[str, list[str]]:
    """The periods each per-period model wrote in one dbt invocation (incremental.rebuilt_periods, written by
    macros/incremental/changed_periods.sql), by model."""
    with connect_warehouse(warehouse, read_only=True) as connection:
        logged = connection.execute(
            "select count(*) from duckdb_tables() where schema_name = 'incremental' and table_name = 'rebuilt_periods'"
        ).fetchone()[0]
        if not logged:
            return {}  # no per-period model got as far as its pre-hook
        rows = connection.execute(
            "select model, list(distinct period order by period) from incremental.rebuilt_periods "
            "where invocation_id = ? and period is not null group by model",
            [invocation_id],
        ).fetchall()
    return dict(rows)


def written_outside_the_run(written: Mapping[str, list[str]], run_periods: list[str]) -> dict[str, list[str]]:
    """Of the periods each model wrote, the partitions outside the run's: periods that are no partition
    (rpt_data_quality's `unknown`, before TKPKD_FIRST_PERIOD) have nothing to record."""
    partitions = set(known_periods()) - set(run_periods)
    outside = {model: [period for period in periods if period in partitions] for model, periods in written.items()}
    return {model: periods for model, periods in sorted(outside.items()) if periods}


def materializations_outside_the_run(
    context: dg.AssetExecutionContext, written: Mapping[str, list[str]]
) -> Iterator[dg.AssetMaterialization]:
    """A materialization of each period a model wrote outside the run's partitions: a delivery changed those
    periods' rows (late-recorded payouts, later knowledge of a family), and Dagster shows them rebuilt by this run."""
    run_periods = periods_of(context)
    for model, periods in written_outside_the_run(written, run_periods).items():
        context.log.info(f"{model}: rows changed in {', '.join(periods)}, outside the run's periods; rewritten.")
        asset_key = get_asset_key_for_model([context.assets_def], model)
        for period in periods:
            yield dg.AssetMaterialization(
                asset_key=asset_key,
                partition=period,
                description=REWRITTEN_OUTSIDE_THE_RUN,
                metadata={"run_periods": dg.MetadataValue.text(f"{run_periods[0]} to {run_periods[-1]}")},
            )


REWRITTEN_OUTSIDE_THE_RUN = "Rewritten by a run of other periods: this period's rows had changed."


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
    """The per-period facts and reports (and pii.case_list): every period is computed, the periods whose rows
    changed are written, and those outside the run's partitions are recorded as materialized too."""
    # A failing model or test fails the step only after the periods the other models wrote are recorded.
    invocation = yield from _dbt_build(context, dbt, raise_on_error=False)
    invocation_id = invocation.get_artifact("run_results.json")["metadata"]["invocation_id"]
    yield from materializations_outside_the_run(context, rebuilt_periods(load_settings().warehouse, invocation_id))
    error = invocation.get_error()
    if error is not None:
        raise error


defs = dg.Definitions(
    assets=[tkpkd_dbt_staging_assets, tkpkd_dbt_core_assets, tkpkd_dbt_period_assets],
    resources={"dbt": dbt_resource()},
)
