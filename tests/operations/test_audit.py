"""The record of processing activities and the run's notification."""

import json
import re

import dagster as dg
import duckdb
import pytest

from orchestration.audit import after_run, describe_run, notify, record_run, run_tags

NIK_LIKE = re.compile(r"\d{16}")


@dg.op
def succeed():
    return 1


@dg.op
def fail():
    raise RuntimeError("the agency file broke the step")


def finished_run(instance, op, tags):
    job = dg.GraphDefinition(name="tkpkd_main", node_defs=[op]).to_job()
    return job.execute_in_process(instance=instance, tags=tags, raise_on_error=False).run_id


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "tkpkd.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "create schema raw; create table raw.ingested_files (source_file varchar, file_hash varchar,"
            " status varchar, reason_code varchar, loaded_at timestamp)"
        )
    return path


def files_loaded(warehouse, during):
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "insert into raw.ingested_files values"
            " ('bansos/2025-03/old.csv', 'a1', 'loaded', null, timestamp '2020-01-01'),"
            " ('bansos/2025-04/new.csv', 'b2', 'loaded', null, $during),"
            " ('kur/2025-04/empty.csv', 'c3', 'rejected', 'empty_file', $during)",
            {"during": during},
        )


def test_every_run_is_recorded_with_its_trigger_files_and_outcome(tmp_path, warehouse):
    instance = dg.DagsterInstance.ephemeral()
    run_id = finished_run(
        instance, succeed, {"tkpkd/trigger": "sensor", "dagster/asset_partition_range_start": "2025-04",
                            "dagster/asset_partition_range_end": "2025-04"}
    )
    record = describe_run(instance, run_id)
    files_loaded(warehouse, record.started_at + (record.finished_at - record.started_at) / 2)

    record_run(warehouse, tmp_path / "missing_analytics.duckdb", record)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        row = connection.execute(
            "select started_by, outcome, periods_from, files_read, published, failed_steps from audit.processing_log"
        ).fetchone()
    started_by, outcome, period, files, published, failed = row
    assert (started_by, outcome, period) == ("sensor", "success", "2025-04")
    assert [(f["file"], f["sha256"], f["status"]) for f in json.loads(files)] == [
        ("bansos/2025-04/new.csv", "b2", "loaded"), ("kur/2025-04/empty.csv", "c3", "rejected")
    ]
    assert json.loads(published) == [] and json.loads(failed) == []
    assert not NIK_LIKE.search(" ".join(str(value) for value in row))
    assert run_tags(record) == {
        "tkpkd/files/bansos": "1 read, 0 rejected", "tkpkd/files/kur": "1 read, 1 rejected",
        "tkpkd/checks": "0 passed, 0 failed",
    }


def test_a_failed_run_is_recorded_and_notified(tmp_path, warehouse, monkeypatch):
    received = tmp_path / "notification.json"
    monkeypatch.setenv("TKPKD_NOTIFY_COMMAND", f"cat > {received}")
    instance = dg.DagsterInstance.ephemeral()
    run_id = finished_run(instance, fail, {})
    record = after_run(instance, run_id, warehouse, tmp_path / "analytics.duckdb")
    assert record.outcome == "failure" and record.failed_steps == ["fail"]
    assert record.started_by.startswith("ui:")  # no trigger tag: started in the UI
    summary = json.loads(received.read_text())
    assert summary["outcome"] == "failure" and summary["failed_steps"] == ["fail"]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select count(*) from audit.processing_log").fetchone()[0] == 1
    after_run(instance, run_id, warehouse, tmp_path / "analytics.duckdb")  # the daemon's sensor, again
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select count(*) from audit.processing_log").fetchone()[0] == 1


def test_a_successful_run_with_every_source_on_time_notifies_nobody(tmp_path, monkeypatch):
    monkeypatch.setenv("TKPKD_NOTIFY_COMMAND", f"touch {tmp_path / 'sent'}")
    instance = dg.DagsterInstance.ephemeral()
    record = describe_run(instance, finished_run(instance, succeed, {}))
    assert notify(record) is False and not (tmp_path / "sent").exists()
    record.late_sources = ["dukcapil"]
    assert notify(record) is True and (tmp_path / "sent").exists()


@dg.asset(check_specs=[dg.AssetCheckSpec("gx_bansos", asset="stg_bansos__payouts")])
def stg_bansos__payouts():
    yield dg.Output(1)
    yield dg.AssetCheckResult(
        check_name="gx_bansos", passed=False, severity=dg.AssetCheckSeverity.ERROR,
        metadata={"source": "bansos", "held_batches": ["2025-06"]},
    )


def test_a_held_batch_is_named_on_the_run_and_notified(tmp_path, monkeypatch):
    monkeypatch.setenv("TKPKD_NOTIFY_COMMAND", f"cat > {tmp_path / 'sent.json'}")
    instance = dg.DagsterInstance.ephemeral()
    run_id = dg.materialize([stg_bansos__payouts], instance=instance).run_id
    record = describe_run(instance, run_id)
    assert record.outcome == "success" and record.held_batches == ["bansos 2025-06"]
    assert run_tags(record)["tkpkd/held_batches"] == "bansos 2025-06"
    assert notify(record) is True
    assert json.loads((tmp_path / "sent.json").read_text())["held_batches"] == ["bansos 2025-06"]


def test_a_run_left_started_by_a_killed_tkpkd_run_is_failed_and_frees_its_slot():
    from dagster._core.storage.dagster_run import DagsterRun

    from orchestration.runs import fail_abandoned_cli_runs

    instance = dg.DagsterInstance.ephemeral()
    left = DagsterRun(job_name="tkpkd_main", run_id="killed-run", status=dg.DagsterRunStatus.STARTED,
                      tags={"tkpkd/trigger": "cli:engineer"})
    daemon = DagsterRun(job_name="tkpkd_main", run_id="daemon-run", status=dg.DagsterRunStatus.STARTED,
                        tags={"tkpkd/trigger": "sensor"})
    instance.add_run(left)
    instance.add_run(daemon)
    assert fail_abandoned_cli_runs(instance) == ["killed-run"]
    assert instance.get_run_by_id("killed-run").status == dg.DagsterRunStatus.FAILURE
    assert instance.get_run_by_id("daemon-run").status == dg.DagsterRunStatus.STARTED
