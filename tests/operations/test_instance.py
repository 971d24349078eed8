"""The instance settings every deployment starts from (dagster.yaml): one writer at a time, monitoring that ends a
daemon-launched run whose process died and frees the pool slots it held, and the pooled event log in Dagster's own
folder."""

import shutil

import dagster as dg

from orchestration.event_log_storage import PooledSqliteEventLogStorage
from orchestration.runs import INSTANCE_SETTINGS


def test_the_repository_settings_load_and_keep_one_writer_and_monitor_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    shutil.copyfile(INSTANCE_SETTINGS, tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] > 0
        assert instance.run_monitoring_max_runtime_seconds > 0
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        assert instance.event_log_storage._base_dir == str(tmp_path / "history" / "runs")
