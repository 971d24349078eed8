"""The pooled event log (orchestration/event_log_storage.py): Dagster reads what it writes, with its own storage
too, while a run opens a handful of SQLite connections instead of one per event."""

import os

import dagster as dg
import pytest
from dagster._core.storage.event_log import SqliteEventLogStorage
from sqlalchemy import event
from sqlalchemy.pool import Pool

from orchestration import event_log_storage
from orchestration.event_log_storage import PooledSqliteEventLogStorage


@dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="counted")])
def counted(context: dg.AssetExecutionContext):
    for line in range(10):
        context.log.info(f"line {line}")
    yield dg.MaterializeResult(metadata={"rows": 42})
    yield dg.AssetCheckResult(passed=True, check_name="positive")


@pytest.fixture
def connections_opened():
    """The SQLite connections opened to event log databases (the run storage opens its own, one per call)."""
    opened = []

    def count(dbapi_connection, connection_record):
        path = dbapi_connection.execute("pragma database_list").fetchone()[2]
        if "runs" in path.split("/"):
            opened.append(path)

    event.listen(Pool, "connect", count)
    yield opened
    event.remove(Pool, "connect", count)


def _materialize(storage_class, home, monkeypatch, runs=1, between_runs=lambda: None):
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text(
        f"event_log_storage:\n  module: {storage_class.__module__}\n  class: {storage_class.__name__}\n"
        f"  config:\n    base_dir: {home / 'history' / 'runs'}\n"
    )
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.event_log_storage, storage_class)
        for _ in range(runs):
            between_runs()
            result = dg.materialize([counted], instance=instance)
            assert result.success
        return result.run_id


def test_a_run_opens_its_database_once_where_the_default_opens_it_for_every_event(
    tmp_path, monkeypatch, connections_opened
):
    # The second run of an instance: the index is open already, the run's own database is new.
    _materialize(SqliteEventLogStorage, tmp_path / "default", monkeypatch, runs=2, between_runs=connections_opened.clear)
    per_event = len(connections_opened)
    _materialize(PooledSqliteEventLogStorage, tmp_path / "pooled", monkeypatch, runs=2, between_runs=connections_opened.clear)
    assert per_event >= 20
    # One connection, and one more while its schema is created.
    assert len(connections_opened) <= 2


def test_dagsters_own_storage_reads_the_pooled_history(tmp_path, monkeypatch):
    run_id = _materialize(PooledSqliteEventLogStorage, tmp_path, monkeypatch)
    plain = SqliteEventLogStorage(str(tmp_path / "history" / "runs"))
    logs = [entry.user_message for entry in plain.get_logs_for_run(run_id)]
    assert [f"line {line}" for line in range(10)] == [message for message in logs if message.startswith("line ")]
    materialization = plain.get_latest_materialization_events([dg.AssetKey("counted")])[dg.AssetKey("counted")]
    assert materialization.asset_materialization.metadata["rows"].value == 42
    check = plain.get_asset_check_execution_history(dg.AssetCheckKey(dg.AssetKey("counted"), "positive"), limit=1)
    assert check[0].status.value == "SUCCEEDED"


def test_the_databases_are_in_wal_mode_and_sync_at_checkpoints_not_at_every_event(tmp_path, monkeypatch):
    run_id = _materialize(PooledSqliteEventLogStorage, tmp_path, monkeypatch)
    storage = PooledSqliteEventLogStorage(str(tmp_path / "history" / "runs"))
    for connect in (lambda: storage.run_connection(run_id), storage.index_connection):
        with connect() as connection:
            assert connection.exec_driver_sql("pragma journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("pragma synchronous").scalar() == 1  # NORMAL; FULL is 2
    storage.dispose()


def test_only_the_databases_used_last_keep_an_engine(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    for run in range(event_log_storage.ENGINES_KEPT + 3):
        with storage.run_connection(f"run{run}"):
            pass
    kept = list(storage._engines)
    assert len(kept) == event_log_storage.ENGINES_KEPT
    assert kept[-1] == f"run{event_log_storage.ENGINES_KEPT + 2}"
    storage.dispose()
    assert not storage._engines


def test_wipe_closes_the_connections_and_deletes_the_runs(tmp_path, monkeypatch):
    run_id = _materialize(PooledSqliteEventLogStorage, tmp_path, monkeypatch)
    storage = PooledSqliteEventLogStorage(str(tmp_path / "history" / "runs"))
    assert storage.get_logs_for_run(run_id)
    storage.wipe()
    assert not (tmp_path / "history" / "runs" / f"{run_id}.db").exists()
    assert not storage.get_logs_for_run(run_id)


def test_without_a_base_dir_or_dagster_home_the_error_says_what_to_set(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with pytest.raises(dg.DagsterInvariantViolationError, match="DAGSTER_HOME"):
        PooledSqliteEventLogStorage.from_config_value(None, {})


def test_a_forked_child_opens_its_own_connections_and_leaves_the_parents_open(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    with storage.run_connection("parent"):
        pass
    parents_engine = storage._engines["parent"]
    child = os.fork()
    if child == 0:
        status = 2  # an error in the child
        try:
            forgot = not storage._engines
            with storage.run_connection("parent") as connection:
                connection.exec_driver_sql("select count(*) from event_logs").fetchone()
            status = 0 if forgot and storage._engines["parent"] is not parents_engine else 1
        finally:
            os._exit(status)
    assert os.waitpid(child, 0)[1] == 0
    with storage.run_connection("parent") as connection:
        assert connection.exec_driver_sql("select count(*) from event_logs").fetchone() == (0,)
    assert storage._engines["parent"] is parents_engine
