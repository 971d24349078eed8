"""The freshness rule per cadence: on time, late, never delivered (orchestration/freshness.py)."""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.contract import CADENCES, ContractError, load_contract, parse_contract
from orchestration.freshness import (
    CADENCE_MONTHS,
    due_date,
    evaluate,
    expected_period,
    next_cadence_period,
)

DEADLINE = 10


def test_due_date_is_the_deadline_day_of_the_following_month():
    assert due_date("2025-03", DEADLINE) == date(2025, 4, 10)
    assert due_date("2025-12", DEADLINE) == date(2026, 1, 10)
    assert due_date("2025-06", 5) == date(2025, 7, 5)


@pytest.mark.parametrize(
    ("cadence", "as_of", "expected"),
    [
        ("monthly", date(2025, 4, 10), "2025-03"),  # due today: expected
        ("monthly", date(2025, 4, 9), "2025-02"),  # not yet due
        ("monthly", date(2025, 1, 15), "2024-12"),
        ("quarterly", date(2025, 4, 10), "2025-03"),
        ("quarterly", date(2025, 4, 9), "2024-12"),
        ("quarterly", date(2025, 9, 30), "2025-06"),
        ("semester", date(2025, 7, 10), "2025-06"),
        ("semester", date(2025, 7, 9), "2024-12"),
        ("semester", date(2026, 3, 1), "2025-12"),
        ("yearly", date(2026, 1, 10), "2025-12"),
        ("yearly", date(2026, 1, 9), "2024-12"),
    ],
)
def test_expected_period_per_cadence(cadence, as_of, expected):
    assert expected_period(cadence, as_of, DEADLINE) == expected


@pytest.mark.parametrize("cadence", sorted(CADENCE_MONTHS))
def test_on_time_when_the_expected_period_or_newer_is_delivered(cadence):
    as_of = date(2025, 7, 20)
    expected = expected_period(cadence, as_of, DEADLINE)
    for delivered in (expected, "2025-07"):
        result = evaluate(cadence, delivered, as_of, DEADLINE)
        assert result.status == "on_time"
        assert result.days_overdue == 0
        assert not result.is_overdue
        assert result.expected_period == expected
        assert result.due_date == due_date(expected, DEADLINE)


@pytest.mark.parametrize(
    ("cadence", "last_delivered", "as_of", "oldest_missing_due", "expected"),
    [
        # monthly: 2025-02 delivered, 2025-03 due 2025-04-10, checked on 2025-04-15
        ("monthly", "2025-02", date(2025, 4, 15), date(2025, 4, 10), "2025-03"),
        # monthly, three months behind: counted from the oldest period still missing (2025-01, due 02-10)
        ("monthly", "2024-12", date(2025, 4, 15), date(2025, 2, 10), "2025-03"),
        ("quarterly", "2024-12", date(2025, 4, 11), date(2025, 4, 10), "2025-03"),
        ("semester", "2024-12", date(2025, 8, 1), date(2025, 7, 10), "2025-06"),
        ("yearly", "2024-12", date(2026, 2, 1), date(2026, 1, 10), "2025-12"),
        # a delivery for an off-cadence month does not stand in for the cadence period after it
        ("quarterly", "2025-01", date(2025, 4, 20), date(2025, 4, 10), "2025-03"),
    ],
)
def test_late_counts_days_from_the_oldest_missing_period(
    cadence, last_delivered, as_of, oldest_missing_due, expected
):
    result = evaluate(cadence, last_delivered, as_of, DEADLINE)
    assert result.status == "late"
    assert result.is_overdue
    assert result.expected_period == expected
    assert result.days_overdue == (as_of - oldest_missing_due).days
    assert result.days_overdue > 0


def test_late_on_the_due_date_itself_is_zero_days_overdue():
    result = evaluate("monthly", "2025-02", date(2025, 4, 10), DEADLINE)
    assert (result.status, result.days_overdue) == ("late", 0)


@pytest.mark.parametrize("cadence", sorted(CADENCE_MONTHS))
def test_never_delivered_counts_from_the_expected_due_date(cadence):
    as_of = date(2026, 12, 6)
    result = evaluate(cadence, None, as_of, DEADLINE)
    assert result.status == "never_delivered"
    assert result.last_delivered_period is None
    assert result.days_overdue == (as_of - due_date(result.expected_period, DEADLINE)).days


def test_no_cadence_is_never_overdue():
    result = evaluate(None, None, date(2026, 12, 6), DEADLINE)
    assert (result.status, result.days_overdue, result.is_overdue) == ("no_cadence", 0, False)


def test_next_cadence_period():
    assert next_cadence_period("monthly", "2025-12") == "2026-01"
    assert next_cadence_period("quarterly", "2025-03") == "2025-06"
    assert next_cadence_period("quarterly", "2025-04") == "2025-06"
    assert next_cadence_period("semester", "2025-06") == "2025-12"
    assert next_cadence_period("yearly", "2025-12") == "2026-12"


def test_unknown_cadence_is_refused():
    with pytest.raises(ValueError, match="unknown cadence 'weekly'"):
        expected_period("weekly", date(2025, 1, 1), DEADLINE)


def test_every_contract_source_declares_a_known_cadence():
    contract = load_contract()
    assert set(CADENCES) == set(CADENCE_MONTHS)
    assert {name: spec.cadence for name, spec in contract.items()} == {
        "dtsen_keluarga": "quarterly",
        "dtsen_individu": "quarterly",
        "dukcapil": "semester",
        "verifikasi_kelurahan": "quarterly",
        "bansos": "monthly",
        "jkn": "quarterly",
        "layanan_kesehatan": "monthly",
        "rtlh": "quarterly",
        "air_bersih": "quarterly",
        "sanitasi": "quarterly",
        "pelatihan": "quarterly",
        "umkm": "quarterly",
        "kur": "monthly",
        "mitra": "monthly",
    }


def test_contract_refuses_an_unknown_cadence():
    raw = {
        "sources": {
            "posyandu": {
                "agency": "Kader posyandu",
                "sector": "KOMUNITAS",
                "kind": "event",
                "cadence": "weekly",
                "natural_key": ["nik"],
                "columns": [{"name": "nik", "required": True}],
                "staging": {"entity": "visits", "gate": {"natural_key": ["nik"]}},
            }
        }
    }
    with pytest.raises(ContractError, match="cadence must be one of"):
        parse_contract(raw)


# --- the Dagster checks and the daily job -------------------------------------------------------------------


def _warehouse_with_deliveries(path, rows):
    import duckdb

    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema raw")
        connection.execute(
            "create table raw.ingested_files (source varchar, period varchar, status varchar)"
        )
        connection.executemany("insert into raw.ingested_files values (?, ?, ?)", rows)


def _run_freshness_job(tmp_path, monkeypatch, rows):
    import dagster as dg

    from orchestration.defs.freshness import freshness_checks, freshness_job
    from orchestration.defs.ingestion import ingest_inbox
    from orchestration.defs.resources import InboxResource, WarehouseResource

    database = tmp_path / "warehouse.duckdb"
    if rows is not None:
        _warehouse_with_deliveries(database, rows)
    else:
        import duckdb

        duckdb.connect(str(database)).close()
    monkeypatch.setenv("TKPKD_FRESHNESS_AS_OF", "2025-04-15")
    monkeypatch.delenv("TKPKD_DELIVERY_DEADLINE_DAY", raising=False)
    definitions = dg.Definitions(
        assets=[ingest_inbox],
        asset_checks=[freshness_checks],
        jobs=[freshness_job],
        resources={
            "warehouse": WarehouseResource(database=str(database)),
            "inbox": InboxResource(path=str(tmp_path / "inbox")),
        },
    )
    result = definitions.resolve_job_def(freshness_job.name).execute_in_process(
        instance=dg.DagsterInstance.ephemeral()
    )
    assert result.success  # a late source warns; the run itself succeeds
    return {
        evaluation.asset_key.path[-1]: evaluation
        for evaluation in result.get_asset_check_evaluations()
    }


def test_freshness_job_runs_only_the_checks_and_warns_on_late_sources(tmp_path, monkeypatch):
    evaluations = _run_freshness_job(
        tmp_path,
        monkeypatch,
        [
            ("bansos", "2025-03", "loaded"),  # monthly, 2025-03 due 04-10: on time
            ("kur", "2025-02", "loaded"),  # monthly, 2025-03 missing: late by 5 days
            ("kur", "2025-03", "rejected"),  # a rejected file is no delivery
            ("dukcapil", "2024-12", "loaded"),  # semester, expected 2024-12: on time
        ],
    )
    assert set(evaluations) == set(load_contract())
    assert evaluations["bansos"].passed
    kur = evaluations["kur"]
    assert not kur.passed
    assert kur.severity.value == "WARN"
    assert kur.metadata["status"].value == "late"
    assert kur.metadata["days_overdue"].value == 5
    assert kur.metadata["last_delivered_period"].value == "2025-02"
    assert kur.metadata["expected_period"].value == "2025-03"
    assert kur.metadata["due_date"].value == "2025-04-10"
    assert evaluations["dukcapil"].passed
    assert evaluations["jkn"].metadata["status"].value == "never_delivered"
    assert not evaluations["jkn"].passed


def test_freshness_job_on_an_empty_warehouse_says_never_delivered(tmp_path, monkeypatch):
    evaluations = _run_freshness_job(tmp_path, monkeypatch, None)
    assert {e.metadata["status"].value for e in evaluations.values()} == {"never_delivered"}


def test_daily_freshness_schedule_and_main_job_include_the_checks():
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("daily_freshness")
    assert schedule.job_name == "daily_freshness_job"
    assert schedule.execution_timezone == "Asia/Pontianak"
    assert schedule.default_status.value == "RUNNING"
    main_checks = defs.resolve_job_def("tkpkd_main").asset_layer.asset_graph.asset_check_keys
    assert {key.asset_key.path[-1] for key in main_checks if key.name == "freshness"} == set(
        load_contract()
    )


def test_freshness_as_of_must_be_a_date(monkeypatch):
    from orchestration.defs.freshness import freshness_as_of

    monkeypatch.setenv("TKPKD_FRESHNESS_AS_OF", "2025-04-15")
    assert freshness_as_of() == date(2025, 4, 15)
    monkeypatch.setenv("TKPKD_FRESHNESS_AS_OF", "15/04/2025")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        freshness_as_of()
