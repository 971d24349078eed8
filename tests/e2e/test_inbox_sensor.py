"""A month's deliveries dropped into the inbox reach the reports through the sensor alone, only that month is
rebuilt; and (a known gap, issue 14) the result is not yet the same, table by table, as a full rebuild."""

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tkpkd_synth import generate

pytestmark = pytest.mark.e2e

NEW_PERIOD = "2025-12"


def run_sensor_request(instance, evaluate_sensor, cursor):
    """Look twice (the first look sees the files arrive), then run what the sensor asks for."""
    from orchestration.defs.partitions import RANGE_END_TAG, RANGE_START_TAG, known_periods
    from orchestration.runs import run_main_job

    settling, cursor = evaluate_sensor(cursor)
    assert isinstance(settling, dg.SkipReason)
    request, cursor = evaluate_sensor(cursor)
    assert isinstance(request, dg.RunRequest), request
    first, last = request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]
    periods = [period for period in known_periods() if first <= period <= last]
    result = run_main_job(instance, periods, request.tags, request.asset_selection)
    return request, result, cursor


@dataclass
class SensorDeployment:
    root: Path
    instance: dg.DagsterInstance
    evaluate_sensor: Callable
    first_request: dg.RunRequest
    first_run: dg.ExecuteInProcessResult
    request: dg.RunRequest
    result: dg.ExecuteInProcessResult
    cursor: str


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[SensorDeployment]:
    """Eleven months delivered and built through the sensor, then the twelfth dropped in and built the same way."""
    root = tmp_path_factory.mktemp("sensor")
    inbox, held = root / "inbox", root / "held"
    generate(inbox, root / "truth", scale="small", periods=12, seed=7)
    for folder in inbox.glob(f"*/{NEW_PERIOD}"):
        (held / folder.parent.name).mkdir(parents=True)
        shutil.move(folder, held / folder.parent.name / NEW_PERIOD)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "TKPKD_INBOX": inbox,
            "TKPKD_WAREHOUSE": root / "warehouse" / "tkpkd.duckdb",
            "TKPKD_ANALYTICS": root / "warehouse" / "analytics.duckdb",
            "TKPKD_EXPORTS": root / "exports",
            "TKPKD_PSEUDONYM_SECRET": "e2e-sensor-secret",
            "TKPKD_INBOX_SETTLE_SECONDS": "0",
        }.items():
            patch.setenv(name, str(value))
        from orchestration.definitions import build_definitions
        from orchestration.defs.sensors import inbox_sensor

        repository = build_definitions().get_repository_def()
        instance = dg.DagsterInstance.ephemeral()

        def evaluate_sensor(cursor):
            context = dg.build_sensor_context(instance=instance, repository_def=repository, cursor=cursor)
            return inbox_sensor(context), context.cursor

        first_request, first_run, cursor = run_sensor_request(instance, evaluate_sensor, None)
        for folder in held.iterdir():
            shutil.move(folder / NEW_PERIOD, inbox / folder.name / NEW_PERIOD)
        request, result, cursor = run_sensor_request(instance, evaluate_sensor, cursor)
        yield SensorDeployment(root, instance, evaluate_sensor, first_request, first_run, request, result, cursor)


def test_a_new_period_dropped_into_the_inbox_is_built_by_the_sensor_alone(deployment):
    assert deployment.first_run.success
    assert deployment.first_request.tags["dagster/asset_partition_range_end"] == "2025-11"
    assert deployment.result.success
    assert deployment.request.tags["dagster/asset_partition_range_start"] == NEW_PERIOD

    partitions = {
        event.asset_key.to_user_string(): event.partition
        for event in deployment.result.get_asset_materialization_events()
        if event.partition
    }
    assert partitions and set(partitions.values()) == {NEW_PERIOD}
    assert {"raw/bansos", "marts/rpt_targeting", "marts/fct_assistance"} <= set(partitions)
    with duckdb.connect(str(deployment.root / "warehouse" / "analytics.duckdb"), read_only=True) as analytics:
        periods = {row[0] for row in analytics.sql("select distinct period from rpt_targeting").fetchall()}
        assert NEW_PERIOD in periods and "2025-11" in periods
    assert isinstance(deployment.evaluate_sensor(deployment.cursor)[0], dg.SkipReason)


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,  # the tables differ; a full refresh that fails is a failure of its own (pytest.fail)
    reason=(
        "Known gap (issue 14): a month's files also carry rows dated in earlier months (late-recorded payouts, "
        "corrections of an event source), and the run of the new month rebuilds only its own period, so those "
        "earlier periods of fct_assistance, fct_family_month and the reports stay as they were built before. "
        "Strict: when the incremental path is fixed, this test passes and the marker must go."
    ),
)
def test_the_incremental_month_equals_a_full_rebuild_table_by_table(deployment):
    """The incremental path (11 periods, then the 12th) against `tkpkd run --full-refresh` on the same warehouse."""
    from orchestration.defs.partitions import known_periods
    from orchestration.defs.transformation import FULL_REFRESH_TAG
    from orchestration.runs import run_main_job
    from scripts.fault_injection import Workspace, analytics_differences

    incremental = Workspace(deployment.root / "incremental")
    incremental.analytics.parent.mkdir(parents=True)
    shutil.copyfile(deployment.root / "warehouse" / "analytics.duckdb", incremental.analytics)
    # The deployment's settings stay in the environment while its module's tests run.
    rebuilt = run_main_job(deployment.instance, known_periods(), {FULL_REFRESH_TAG: "true"})
    if not rebuilt.success:
        pytest.fail("the full refresh failed")
    assert analytics_differences(incremental, Workspace(deployment.root)) == []
