"""The quality gates in a real materialization: they pass on good data, hold a failing batch out of the warehouse
while every other source goes on, and the feedback workbooks list exactly the quarantined rows."""

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from python_calamine import CalamineWorkbook

from orchestration.contract import load_contract
from orchestration.defs.quality import DELIVERIES_CHECK, GATE_PREFIX, published_key, staging_key
from orchestration.exports.feedback import file_slugs
from orchestration.quality import data_docs
from orchestration.quality.suites import PUBLISHED_TABLES, STAGED_SOURCES

pytestmark = pytest.mark.e2e


def _evaluations(result: dg.ExecuteInProcessResult) -> dict[dg.AssetCheckKey, dg.AssetCheckEvaluation]:
    return {
        evaluation.asset_check_key: evaluation
        for evaluation in (event.event_specific_data for event in result.all_events
                           if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    }


def test_every_gate_runs_and_passes_on_the_sample(pipeline_run):
    evaluations = _evaluations(pipeline_run.result)
    for source in STAGED_SOURCES:
        evaluation = evaluations[dg.AssetCheckKey(staging_key(source), f"{GATE_PREFIX}{source}")]
        assert evaluation.passed or evaluation.severity == dg.AssetCheckSeverity.WARN, evaluation.description
    for table in PUBLISHED_TABLES:
        evaluation = evaluations[dg.AssetCheckKey(published_key(table), f"{GATE_PREFIX}published")]
        assert evaluation.passed, evaluation.description
        assert evaluation.metadata["data_docs"].value.endswith("index.html")
    deliveries = evaluations[dg.AssetCheckKey(dg.AssetKey(["quarantine", "quarantined_rows"]), DELIVERIES_CHECK)]
    assert deliveries.severity == dg.AssetCheckSeverity.WARN


def test_data_docs_are_built_for_every_suite(pipeline_run):
    docs = pipeline_run.root / "quality" / "data_docs"
    assert (docs / "index.html").exists()
    # GX files a suite named `staging.bansos` under validations/staging/bansos/.
    assert set(STAGED_SOURCES) <= {path.name for path in (docs / "validations" / "staging").iterdir()}
    assert set(PUBLISHED_TABLES) <= {path.name for path in (docs / "validations" / "published").iterdir()}
    # Offline: nothing fetched from the network, and the project's index lists every validation page.
    assert data_docs.network_references(docs) == {}
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert index.count('class="tkpkd-validation"') == len(list((docs / "validations").rglob("*.html")))


def test_rpt_data_quality_has_the_matching_shares(pipeline_run):
    with duckdb.connect(str(pipeline_run.warehouse), read_only=True) as connection:
        rows = dict(connection.execute(
            "select source, avg(share_found_in_dukcapil) from main.rpt_data_quality group by source"
        ).fetchall())
        registry = dict(connection.execute(
            "select source, avg(share_found_in_registry) from main.rpt_data_quality group by source"
        ).fetchall())
    # Most people of the sample are residents and most families are in the registry; not all (the generator
    # sends newcomers and non-registry families), and the sources that define the reference have no share.
    assert 0.5 < rows["bansos"] < 1.0 or rows["bansos"] == 1.0
    assert rows["dukcapil"] is None and rows["dtsen_keluarga"] is None
    assert 0.5 < registry["dtsen_individu"] <= 1.0
    assert registry["dtsen_keluarga"] is None and registry["jkn"] is None


def _sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_each_feedback_workbook_lists_exactly_the_quarantined_rows(pipeline_run):
    feedback = pipeline_run.root / "exports" / "feedback"
    with duckdb.connect(str(pipeline_run.warehouse), read_only=True) as connection:
        expected = connection.execute(
            "select source, period, source_file, row_number, reason_text, raw_values from quarantine.quarantined_rows"
        ).fetchall()
        rejected = connection.execute(
            "select source, coalesce(period, 'unknown'), source_file from raw.ingested_files where status = 'rejected'"
        ).fetchall()
    assert expected, "the sample must quarantine rows for this test to mean anything"
    per_file_sources = {name for name, spec in load_contract().items() if spec.sender_per_file}
    listed = set()
    for path in feedback.glob("*/*/umpan_balik_*.xlsx"):
        source, period = path.parent.parent.name, path.parent.name
        rows = _sheet(path, "Baris Karantina")
        header = rows[0]
        files = set()
        for row in rows[1:]:
            values = dict(zip(header, row, strict=True))
            files.add(values["File"])
            listed.add((source, period, values["File"], int(values["Nomor baris"]), values["Alasan"]))
        if source in per_file_sources:
            # One kelurahan or partner per workbook: it never sees another sender's rows.
            assert len(files) <= 1 and all(path.stem.endswith(file_slugs([file])[file]) for file in files)
    assert per_file_sources & {s for s, *_ in expected}, "the sample must quarantine rows of a per-file source"
    assert listed == {(s, p, f, n, reason) for s, p, f, n, reason, _ in expected}
    assert {(s, p) for s, p, *_ in expected} | {(s, p) for s, p, _ in rejected} == {
        (path.parent.parent.name, path.parent.name) for path in feedback.glob("*/*/umpan_balik_*.xlsx")
    }


def test_a_feedback_row_carries_the_original_values(pipeline_run):
    with duckdb.connect(str(pipeline_run.warehouse), read_only=True) as connection:
        source, period, file, number, raw = connection.execute(
            "select source, period, source_file, row_number, raw_values from quarantine.quarantined_rows "
            "where source = 'bansos' order by source_file, row_number limit 1"
        ).fetchone()
    path = pipeline_run.root / "exports" / "feedback" / source / period / f"umpan_balik_{source}_{period}.xlsx"
    rows = _sheet(path, "Baris Karantina")
    row = next(dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[0] == file and int(r[1]) == number)
    for column, value in json.loads(raw).items():
        assert str(row[column]) == ("" if value is None else str(value))


def _deliver_future_payouts(inbox: Path, period: str) -> Path:
    """A bansos file for `period` whose payouts are dated next century: parsed and accepted by staging (a valid date),
    failed by the gate's run-date bound (payout_date no later than today), an ERROR."""
    import xlsxwriter

    source = max((inbox / "bansos").glob("*/*.xlsx"))
    rows = CalamineWorkbook.from_path(str(source)).get_sheet_by_index(0).to_python()
    header = next(i for i, row in enumerate(rows) if any(str(v).strip().upper() == "NIK" for v in row))
    date_column = next(j for j, v in enumerate(rows[header]) if "TANGGAL" in str(v).upper())
    target = inbox / "bansos" / period / "PENYALURAN_SUSULAN.xlsx"
    target.parent.mkdir(parents=True)
    workbook = xlsxwriter.Workbook(str(target))
    sheet = workbook.add_worksheet()
    for i, row in enumerate(rows[: header + 3]):
        for j, value in enumerate(row):
            if i > header and j == date_column:
                value = "15/03/2099"
            sheet.write(i, j, value if isinstance(value, int | float | str) else str(value))
    workbook.close()
    return target


def test_a_failing_batch_is_held_and_every_other_source_goes_on(pipeline_run, tmp_path, monkeypatch):
    """A copy of the finished run, then a bansos delivery for the next period that fails its gate: the batch is held
    out of stg_bansos__payouts, the marts and the analytics file are built all the same, and the summary says which
    reports lack it. Released, the batch is built in, its gate's failure now a warning."""
    from orchestration.quality import holds
    from orchestration.runs import run_main_job
    from orchestration.summary import build_summary

    root = tmp_path / "run"
    shutil.copytree(pipeline_run.root, root)
    warehouse, analytics = root / "warehouse" / "tkpkd.duckdb", root / "warehouse" / "analytics.duckdb"
    for variable, value in {
        "TKPKD_INBOX": root / "inbox", "TKPKD_WAREHOUSE": warehouse, "TKPKD_ANALYTICS": analytics,
        "TKPKD_EXPORTS": root / "exports", "TKPKD_QUALITY_DOCS": root / "quality" / "data_docs",
        "TKPKD_PSEUDONYM_SECRET": "e2e-test-secret", "TKPKD_INBOX_SETTLE_SECONDS": "0",
    }.items():
        monkeypatch.setenv(variable, str(value))
    newest = max(path.name for path in (root / "inbox" / "bansos").iterdir())
    year, month = map(int, newest.split("-"))
    period = f"{year + month // 12}-{month % 12 + 1:02d}"
    _deliver_future_payouts(root / "inbox", period)
    analytics_before = analytics.stat().st_mtime_ns
    gate = dg.AssetCheckKey(staging_key("bansos"), f"{GATE_PREFIX}bansos")

    result = run_main_job(dg.DagsterInstance.ephemeral(), [period])

    assert result.success
    evaluation = _evaluations(result)[gate]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "expect_column_values_to_be_between(payout_date)" in evaluation.metadata["failed_errors"].value
    assert evaluation.metadata["held_batches"].value == [period]
    assert f"tkpkd hold release bansos {period}" in evaluation.description
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert {dg.AssetKey(["marts", "fct_assistance"]), dg.AssetKey(["marts", "rpt_basic_needs_coverage"]),
            dg.AssetKey(["analytics", "analytics_file"])} <= materialized
    assert analytics.stat().st_mtime_ns != analytics_before
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        [held] = [entry for entry in holds.list_holds(connection) if entry.is_active]
        assert held.label() == f"bansos {period}" and held.held_by_run == result.run_id
        assert connection.execute(
            "select count(*) from staging.stg_bansos__payouts where _period = ?", [period]
        ).fetchone()[0] == 0
        assert connection.execute(
            "select sum(rows_held), sum(dupes_removed) from staging.stg_dedup_stats where _period = ? and source = 'bansos'",
            [period],
        ).fetchone() == (2, 0)
        # Nothing is lost: the held rows are in the base model, accepted, and in the row outcomes.
        assert connection.execute(
            "select count(*) from staging.stg_row_outcomes where source = 'bansos' and _period = ? and outcome = 'accepted'",
            [period],
        ).fetchone()[0] == 2
    summary = build_summary(warehouse)
    assert f"bansos {period}: gx_bansos failed" in summary and "fct_assistance" in summary

    with duckdb.connect(str(warehouse)) as connection:
        assert holds.release(connection, "bansos", period, released_by="e2e") == 1
    rebuilt = run_main_job(
        dg.DagsterInstance.ephemeral(), [period], asset_selection=[staging_key("bansos")]
    )

    evaluation = _evaluations(rebuilt)[gate]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["held_batches"].value == []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute(
            "select count(*) from staging.stg_bansos__payouts where _period = ?", [period]
        ).fetchone()[0] == 2
