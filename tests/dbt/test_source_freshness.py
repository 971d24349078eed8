"""dbt source freshness, generated from each source's cadence (orchestration/contract/dbt_files.py), agrees with the
project's freshness rule (orchestration/freshness.py) and runs on a raw warehouse."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from raw_samples import load_samples
from raw_warehouse_builder import RawWarehouse, release_dbt_connections, run_dbt

from orchestration.contract import load_contract
from orchestration.contract.dbt_files import source_freshness
from orchestration.freshness import (
    CADENCE_MONTHS,
    DEFAULT_DELIVERY_DEADLINE_DAY,
    LATE,
    ON_TIME,
    due_date,
    evaluate,
)


def _periods(cadence: str) -> list[str]:
    return [f"{year}-{month:02d}" for year in (2023, 2024, 2025) for month in CADENCE_MONTHS[cadence]]


def _first_day_after(period: str) -> date:
    year, month = map(int, period.split("-"))
    return date(year + month // 12, month % 12 + 1, 1)


@pytest.mark.parametrize("cadence", list(CADENCE_MONTHS))
@pytest.mark.parametrize(("threshold", "missing"), [("warn_after", 1), ("error_after", 2)])
def test_dbt_warns_the_day_the_project_rule_says_late_and_never_before(cadence, threshold, missing):
    """An agency that loads each period on the first day after it ends: more days than the threshold since that
    load only once the project's rule has a period (the error: two) overdue, and for some period on that very day."""
    days = source_freshness(cadence)[threshold]["count"]
    periods = _periods(cadence)
    gaps = []
    for period, due in zip(periods, periods[missing:]):
        loaded, due_on = _first_day_after(period), due_date(due, DEFAULT_DELIVERY_DEADLINE_DAY)
        before, on = (evaluate(cadence, period, day, DEFAULT_DELIVERY_DEADLINE_DAY) for day in (due_on - timedelta(days=1), due_on))
        assert before.expected_period != due and (on.expected_period, on.status) == (due, LATE)
        if missing == 1:
            assert before.status == ON_TIME
        gaps.append((due_on - loaded).days)
    assert max(gaps) == days, (cadence, gaps)


def test_every_source_with_a_cadence_has_freshness_on_its_load_time():
    for spec in load_contract().values():
        assert (source_freshness(spec.cadence) is None) == (spec.cadence is None), spec.name


def test_dbt_source_freshness_runs_on_a_raw_warehouse(tmp_path, monkeypatch):
    """Files loaded 60 days ago: the monthly sources are stale (warn after 40 days, error after 71), the others fresh."""
    warehouse = tmp_path / "tkpkd.duckdb"
    load_samples(RawWarehouse(warehouse, clock=datetime.now() - timedelta(days=60)))
    monkeypatch.setenv("TKPKD_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("TKPKD_PSEUDONYM_SECRET", "test-secret-for-dbt-tests")
    target = tmp_path / "target"
    result = run_dbt(["source", "freshness"], target)
    release_dbt_connections()
    statuses = {entry["unique_id"].rsplit(".", 1)[-1]: entry["status"]
                for entry in json.loads((target / "sources.json").read_text())["results"]}
    expected = {name: "warn" if spec.cadence == "monthly" else "pass" for name, spec in load_contract().items()}
    assert statuses == expected
    assert result.success
