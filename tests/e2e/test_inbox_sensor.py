"""A month's deliveries dropped into the inbox reach the reports through the sensor alone; the run of that month
leaves the warehouse equal, table by table, to a full rebuild; and a correction delivered for an old period
changes that period's rows and no other's."""

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from tkpkd_synth import generate

pytestmark = pytest.mark.e2e

NEW_PERIOD = "2025-12"
CORRECTED_PERIOD = "2025-03"


def materialized_partitions(result: dg.ExecuteInProcessResult) -> dict[str, set[str]]:
    partitions: dict[str, set[str]] = {}
    for event in result.get_asset_materialization_events():
        if event.partition:
            partitions.setdefault(event.asset_key.to_user_string(), set()).add(event.partition)
    return partitions


def rewritten_outside_the_run(result: dg.ExecuteInProcessResult) -> dict[str, set[str]]:
    """The periods the run recorded as rewritten besides its own, by asset."""
    from orchestration.defs.transformation import REWRITTEN_OUTSIDE_THE_RUN

    rewritten: dict[str, set[str]] = {}
    for event in result.get_asset_materialization_events():
        if event.step_materialization_data.materialization.description == REWRITTEN_OUTSIDE_THE_RUN:
            rewritten.setdefault(event.asset_key.to_user_string(), set()).add(event.partition)
    return rewritten


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

    partitions = materialized_partitions(deployment.result)
    assert {"raw/bansos", "marts/rpt_targeting", "marts/fct_assistance"} <= set(partitions)
    assert all(periods == {NEW_PERIOD} for asset, periods in partitions.items() if asset.startswith("raw/"))
    assert all(NEW_PERIOD in periods for periods in partitions.values())
    # The new month's files carry rows of earlier months (late-recorded payouts): the periods they changed are
    # rewritten, and recorded as materialized by this run.
    rewritten = rewritten_outside_the_run(deployment.result)
    assert rewritten.get("marts/fct_assistance")
    assert all(period < NEW_PERIOD for periods in rewritten.values() for period in periods)
    with duckdb.connect(str(deployment.root / "warehouse" / "analytics.duckdb"), read_only=True) as analytics:
        periods = {row[0] for row in analytics.sql("select distinct period from rpt_targeting").fetchall()}
        assert NEW_PERIOD in periods and "2025-11" in periods
    assert isinstance(deployment.evaluate_sensor(deployment.cursor)[0], dg.SkipReason)


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


def deliver_a_corrected_payout(inbox: Path) -> None:
    """A correction file in bansos/2025-03: the first payout of the BPNT list again, Rp 50,000 more. Its natural key
    (NIK, programme, tahap) replaces the earlier row."""
    original = openpyxl.load_workbook(inbox / "bansos" / CORRECTED_PERIOD / "PENYALURAN_BPNT_TAHAP_1_2025.xlsx")
    rows = list(original.worksheets[0].iter_rows(values_only=True))
    header_index = next(index for index, row in enumerate(rows) if "nik" in row)
    header, payout = rows[header_index], list(rows[header_index + 1])
    assert payout[header.index("status")] == "SALUR" and "Mar 2025" in payout[header.index("TANGGAL_SALUR")]
    payout[header.index("nilai")] += 50_000
    correction = openpyxl.Workbook()
    correction.active.append(header)
    correction.active.append(payout)
    correction.save(inbox / "bansos" / CORRECTED_PERIOD / "PENYALURAN_BPNT_TAHAP_1_2025_KOREKSI.xlsx")


def changed_periods(before: Path, after: Path) -> dict[str, set[str]]:
    """The published tables whose rows differ between two analytics files (the publication history aside), with the
    periods of the differing rows (`*` for a table without a period column)."""
    from scripts.fault_injection import HISTORY_TABLES

    with duckdb.connect() as connection:
        connection.execute(f"attach '{before}' as before (read_only)")
        connection.execute(f"attach '{after}' as after (read_only)")
        columns_by_table: dict[str, list[str]] = {}
        for table, column in connection.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_catalog = 'before' and table_schema = 'main' order by table_name, ordinal_position"
        ).fetchall():
            columns_by_table.setdefault(table, []).append(column)
        changed = {}
        for table, columns in columns_by_table.items():
            if table in HISTORY_TABLES:
                continue
            period = next((name for name in ("period", "evaluation_period") if name in columns), "'*'")
            listed = ", ".join(f'"{column}"' for column in columns)
            periods = {row[0] for row in connection.execute(f"""
                select distinct {period} from (
                    (select {listed} from before.main.{table} except all select {listed} from after.main.{table})
                    union all
                    (select {listed} from after.main.{table} except all select {listed} from before.main.{table})
                )
            """).fetchall()}
            if periods:
                changed[table] = periods
        return changed


def test_a_correction_to_an_old_period_changes_that_periods_reports_and_no_other(deployment):
    """A corrected payout amount for 2025-03: the sensor runs that period, and of every published table only rows of
    2025-03 change. What depends on a period by definition would go with it: rpt_targeting sums a one-off
    programme's amounts over 12 months (P .. P+11), and met_pangan, rpt_targeting's recipients and rpt_left_behind
    count deliveries in 3- and 12-month windows. BPNT is a recurring programme and an amount is no delivery, so here
    that is 2025-03 alone; a window's spread is tested in tests/dbt/test_changed_periods_strategy.py."""
    analytics = deployment.root / "warehouse" / "analytics.duckdb"
    before = deployment.root / "analytics_before_correction.duckdb"
    shutil.copyfile(analytics, before)
    deliver_a_corrected_payout(deployment.root / "inbox")

    request, result, _ = run_sensor_request(deployment.instance, deployment.evaluate_sensor, deployment.cursor)

    assert result.success
    assert request.tags["dagster/asset_partition_range_start"] == CORRECTED_PERIOD
    assert request.tags["dagster/asset_partition_range_end"] == CORRECTED_PERIOD
    assert rewritten_outside_the_run(result) == {}
    changed = changed_periods(before, analytics)
    assert changed.get("fct_assistance") == {CORRECTED_PERIOD}
    assert changed.get("rpt_targeting") == {CORRECTED_PERIOD}
    assert {table: periods for table, periods in changed.items() if periods != {CORRECTED_PERIOD}} == {}
