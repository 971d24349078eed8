"""Configuration from the environment: DuckDB's memory limit reaches every database the pipeline opens; production
mode refuses an unsafe pseudonym secret and synthetic sample data."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from orchestration import cli
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import (
    DBT_PROJECT_DIR,
    DEFAULT_DUCKDB_MEMORY_LIMIT,
    DEVELOPMENT_PSEUDONYM_SECRET,
    REPO_ROOT,
    ProductionSettingsError,
    duckdb_memory_limit,
    load_settings,
)


def test_memory_limit_defaults_below_duckdbs_own_and_follows_the_environment(monkeypatch):
    monkeypatch.delenv("TKPKD_DUCKDB_MEMORY_LIMIT", raising=False)
    # the development fallback (and its warning) whatever secret the shell running the tests has set
    for variable in ("TKPKD_ENV", "TKPKD_PSEUDONYM_SECRET", "TKPKD_PSEUDONYM_SECRET_FILE"):
        monkeypatch.delenv(variable, raising=False)
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
    settings = profile["tkpkd"]["outputs"]["dev"]["config_options"]
    expected = "{{ env_var('TKPKD_DUCKDB_MEMORY_LIMIT', '" + DEFAULT_DUCKDB_MEMORY_LIMIT + "') }}"
    assert settings["memory_limit"] == expected


STRONG_SECRET = "synthetic-test-secret-" + "x" * 40


@pytest.fixture
def production(monkeypatch):
    for variable in ("TKPKD_PSEUDONYM_SECRET", "TKPKD_PSEUDONYM_SECRET_FILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("TKPKD_ENV", "production")
    return monkeypatch


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        (None, "no pseudonym secret is set"),
        ("short-secret", "shorter than 32 bytes"),
        (DEVELOPMENT_PSEUDONYM_SECRET, "public development secret"),
    ],
)
def test_production_refuses_an_unsafe_secret_without_revealing_it(production, secret, problem):
    if secret is not None:
        production.setenv("TKPKD_PSEUDONYM_SECRET", secret)
    with pytest.raises(ProductionSettingsError, match=problem) as refusal:
        load_settings()
    message = str(refusal.value)
    assert "secrets.token_urlsafe" in message and "TKPKD_PSEUDONYM_SECRET_FILE" in message
    assert secret is None or secret not in message


def test_production_accepts_a_strong_secret_from_the_environment_or_a_file(production, tmp_path):
    production.setenv("TKPKD_PSEUDONYM_SECRET", STRONG_SECRET)
    settings = load_settings()
    assert settings.is_production and settings.pseudonym_secret == STRONG_SECRET
    assert not settings.uses_development_secret

    production.delenv("TKPKD_PSEUDONYM_SECRET")
    secret_file = tmp_path / "pseudonym_secret"
    secret_file.write_text(STRONG_SECRET + "\n")
    production.setenv("TKPKD_PSEUDONYM_SECRET_FILE", str(secret_file))
    assert load_settings().pseudonym_secret == STRONG_SECRET


def test_an_unreadable_secret_file_or_an_unknown_environment_is_refused(production, tmp_path):
    production.setenv("TKPKD_PSEUDONYM_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ProductionSettingsError, match="cannot be read"):
        load_settings()
    production.delenv("TKPKD_PSEUDONYM_SECRET_FILE")
    production.setenv("TKPKD_ENV", "staging")
    with pytest.raises(ProductionSettingsError, match="development, production"):
        load_settings()


def test_development_still_falls_back_to_the_development_secret_with_a_warning(monkeypatch):
    monkeypatch.delenv("TKPKD_ENV", raising=False)
    monkeypatch.delenv("TKPKD_PSEUDONYM_SECRET", raising=False)
    monkeypatch.delenv("TKPKD_PSEUDONYM_SECRET_FILE", raising=False)
    with pytest.warns(UserWarning, match="development secret"):
        settings = load_settings()
    assert not settings.is_production and settings.pseudonym_secret == DEVELOPMENT_PSEUDONYM_SECRET


def test_the_cli_prints_the_refusal_without_a_traceback_and_never_fills_a_production_inbox(production, tmp_path, capsys):
    production.setenv("TKPKD_INBOX", str(tmp_path / "inbox"))
    production.setenv("TKPKD_WAREHOUSE", str(tmp_path / "tkpkd.duckdb"))
    assert cli.main(["run"]) == 2
    error = capsys.readouterr().err
    assert "refuses to start: no pseudonym secret" in error and "Traceback" not in error

    production.setenv("TKPKD_PSEUDONYM_SECRET", STRONG_SECRET)
    assert cli.main(["run"]) == 2
    assert "the sample is not generated" in capsys.readouterr().err
    assert cli.main(["generate"]) == 2
    assert not (tmp_path / "inbox").exists()


def test_the_dagster_code_location_fails_to_load_with_the_same_refusal(tmp_path):
    environment = {**os.environ, "TKPKD_ENV": "production", "TKPKD_PSEUDONYM_SECRET": "too-short"}
    environment.pop("TKPKD_PSEUDONYM_SECRET_FILE", None)
    loading = subprocess.run(
        [sys.executable, "-c", "import orchestration.definitions"], check=False, env=environment, cwd=REPO_ROOT,
        capture_output=True, text=True,
    )
    assert loading.returncode != 0
    assert "ProductionSettingsError: TKPKD_ENV=production refuses to start" in loading.stderr
    assert "too-short" not in loading.stderr


@pytest.mark.parametrize(
    ("module", "setting", "variable", "default", "valid", "invalid"),
    [
        ("orchestration.settings", "inbox_settle_seconds", "TKPKD_INBOX_SETTLE_SECONDS", 30, ("2.5", 2.5), "-1"),
        ("orchestration.warehouse_lock", "lock_timeout_seconds", "TKPKD_WAREHOUSE_LOCK_TIMEOUT", 120, ("7.5", 7.5), "soon"),
        ("orchestration.freshness", "delivery_deadline_day", "TKPKD_DELIVERY_DEADLINE_DAY", 10, ("5", 5), "31"),
        ("orchestration.defs.sensors", "sensor_interval_seconds", "TKPKD_INBOX_SENSOR_INTERVAL", 60, ("15", 15), "0"),
    ],
)
def test_numeric_settings_default_follow_the_environment_and_refuse_nonsense(
    monkeypatch, module, setting, variable, default, valid, invalid
):
    import importlib

    read = getattr(importlib.import_module(module), setting)
    monkeypatch.delenv(variable, raising=False)
    assert read() == default
    monkeypatch.setenv(variable, valid[0])
    assert read() == valid[1]
    monkeypatch.setenv(variable, invalid)
    with pytest.raises(ValueError, match=variable):
        read()
