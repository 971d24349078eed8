"""The quality gates in a real materialization: they pass on good data, block the marts and keep the published file
when they fail, and the feedback workbooks list exactly the quarantined rows."""

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
from tests.e2e.conftest import materialize_everything

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


def test_a_failing_gate_blocks_the_marts_and_keeps_the_published_file(pipeline_run, tmp_path, monkeypatch):
    """A copy of the finished run, then a run whose thresholds make every event date 'too early': the staging gates
    fail, and neither the marts nor the analytics file are rebuilt."""
    root = tmp_path / "run"
    shutil.copytree(pipeline_run.root, root)
    warehouse, analytics = root / "warehouse" / "tkpkd.duckdb", root / "warehouse" / "analytics.duckdb"
    before = analytics.read_bytes(), analytics.stat().st_mtime_ns
    thresholds = tmp_path / "thresholds.yml"
    thresholds.write_text(
        "earliest_birth_date: '1900-01-01'\nearliest_event_date: '2999-01-01'\n"
        "volume_min_ratio: 0.5\nquarantine_share_warning: 0.05\n"
    )
    for variable, value in {
        "TKPKD_INBOX": root / "inbox", "TKPKD_WAREHOUSE": warehouse, "TKPKD_ANALYTICS": analytics,
        "TKPKD_EXPORTS": root / "exports", "TKPKD_QUALITY_DOCS": root / "quality" / "data_docs",
        "TKPKD_QUALITY_THRESHOLDS": thresholds, "TKPKD_PSEUDONYM_SECRET": "e2e-test-secret",
    }.items():
        monkeypatch.setenv(variable, str(value))

    result = materialize_everything()

    assert not result.success
    evaluation = _evaluations(result)[dg.AssetCheckKey(staging_key("bansos"), f"{GATE_PREFIX}bansos")]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "expect_column_values_to_be_between(payout_date)" in evaluation.metadata["failed_errors"].value
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert dg.AssetKey(["staging", "stg_bansos__payouts"]) in materialized
    assert dg.AssetKey(["fct_assistance"]) not in materialized
    assert dg.AssetKey(["analytics", "analytics_file"]) not in materialized
    # The feedback to agencies does not wait for the gates.
    assert dg.AssetKey(["exports", "agency_feedback"]) in materialized
    assert (analytics.read_bytes(), analytics.stat().st_mtime_ns) == before
