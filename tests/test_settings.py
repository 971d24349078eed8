"""Configuration from the environment: DuckDB's memory limit reaches every database the pipeline opens."""

from __future__ import annotations

import pytest
import yaml

from orchestration.defs.resources import WarehouseResource
from orchestration.settings import (
    DBT_PROJECT_DIR,
    DEFAULT_DUCKDB_MEMORY_LIMIT,
    duckdb_memory_limit,
    load_settings,
)


def test_memory_limit_defaults_below_duckdbs_own_and_follows_the_environment(monkeypatch):
    monkeypatch.delenv("TKPKD_DUCKDB_MEMORY_LIMIT", raising=False)
    assert duckdb_memory_limit() == DEFAULT_DUCKDB_MEMORY_LIMIT == "60%"
    monkeypatch.setenv("TKPKD_DUCKDB_MEMORY_LIMIT", "3GB")
    assert duckdb_memory_limit() == "3GB"
    with pytest.warns(UserWarning, match="development secret"):
        assert load_settings().dbt_env()["TKPKD_DUCKDB_MEMORY_LIMIT"] == "3GB"


def test_the_warehouse_connection_applies_the_memory_limit(monkeypatch, tmp_path):
    monkeypatch.setenv("TKPKD_DUCKDB_MEMORY_LIMIT", "1GB")
    with WarehouseResource(database=str(tmp_path / "w.duckdb")).connect() as connection:
        [(limit,)] = connection.sql("select current_setting('memory_limit')").fetchall()
    # DuckDB reports the limit in binary units
    assert limit == "953.6 MiB"


def test_the_dbt_profile_sets_the_memory_limit_from_the_same_variable():
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    settings = profile["tkpkd"]["outputs"]["dev"]["settings"]
    expected = "{{ env_var('TKPKD_DUCKDB_MEMORY_LIMIT', '" + DEFAULT_DUCKDB_MEMORY_LIMIT + "') }}"
    assert settings["memory_limit"] == expected


def test_inbox_settle_seconds_defaults_to_30_and_follows_the_environment(monkeypatch):
    from orchestration.settings import inbox_settle_seconds

    monkeypatch.delenv("TKPKD_INBOX_SETTLE_SECONDS", raising=False)
    assert inbox_settle_seconds() == 30
    monkeypatch.setenv("TKPKD_INBOX_SETTLE_SECONDS", "2.5")
    assert inbox_settle_seconds() == 2.5
    monkeypatch.setenv("TKPKD_INBOX_SETTLE_SECONDS", "-1")
    with pytest.raises(ValueError, match="TKPKD_INBOX_SETTLE_SECONDS"):
        inbox_settle_seconds()
