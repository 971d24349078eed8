"""The dbt project on a tiny hand-made raw warehouse: it parses, builds (seeds, staging, quarantine, data tests and unit
tests all pass), and rows land where the input contract says they must.

dbt runs in process (dbtRunner) twice per session (parse, build): each invocation costs a few seconds.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import duckdb
import pytest
import yaml
from raw_samples import KK_1, NIK_A, NIK_C, load_samples
from raw_warehouse_builder import (
    DBT_PROJECT_DIR,
    REPO_ROOT,
    RawWarehouse,
    release_dbt_connections,
    run_dbt,
    source_tables,
)

from orchestration.contract import load_contract, stg_models
from orchestration.freshness import DEFAULT_DELIVERY_DEADLINE_DAY, dbt_vars, due_date, evaluate
from orchestration.quality.suites import PUBLISHED_TABLES

STAGING_MODELS = stg_models()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A raw warehouse with the sample rows, then `dbt parse` and `dbt build` on it."""
    root = tmp_path_factory.mktemp("dbt")
    warehouse = root / "tkpkd.duckdb"
    load_samples(RawWarehouse(warehouse, clock=datetime(2025, 12, 1, 8, 0, 0)))
    target = root / "target"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TKPKD_WAREHOUSE", str(warehouse))
        patch.setenv("TKPKD_PSEUDONYM_SECRET", "test-secret-for-dbt-tests")
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        parse = run_dbt(["parse"], target)
        build = run_dbt(["build", "--vars", json.dumps(dbt_vars(load_contract(), DEFAULT_DELIVERY_DEADLINE_DAY))], target)
        release_dbt_connections()
    return {"warehouse": warehouse, "target": target, "parse": parse, "build": build}


@pytest.fixture(scope="module")
def db(built):
    connection = duckdb.connect(str(built["warehouse"]), read_only=True)
    yield connection
    connection.close()


def _rows(db, sql: str, *params) -> list[tuple]:
    return db.execute(sql, list(params)).fetchall()


# ---------------------------------------------------------------- the project itself


def test_dbt_parse_succeeds_and_lists_every_staging_model(built):
    assert built["parse"].success, built["parse"].exception
    manifest = json.loads((built["target"] / "manifest.json").read_text())
    models = {
        node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "model"
    }
    for spec in load_contract().values():
        assert {spec.staging.stg_model, spec.staging.base_model} <= models, spec.name
    assert {"stg_row_outcomes", "stg_dedup_stats", "quarantined_rows"} <= models
    seeds = {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "seed"}
    assert {
        "ref_regions",
        "ref_kecamatan_bps",
        "ref_kelurahan_aliases",
        "ref_programs",
        "ref_program_aliases",
        "ref_agencies",
        "ref_codes",
        "ref_reject_reasons",
    } <= seeds


def test_dbt_build_succeeds_with_every_test_and_unit_test(built):
    build = built["build"]
    failures = [
        (result.node.unique_id, str(result.status), result.message)
        for result in (build.result or [])
        if str(result.status) not in ("success", "pass")
    ]
    assert build.success and not failures, failures
    kinds = [result.node.resource_type for result in build.result]
    assert sum(1 for kind in kinds if str(kind) == "unit_test") >= 6
    assert sum(1 for kind in kinds if str(kind) == "test") >= 100


def test_schemas_are_used_as_named(db):
    schemas = {
        row[0] for row in _rows(db, "select distinct table_schema from information_schema.tables")
    }
    assert {"raw", "reference", "staging", "quarantine"} <= schemas
    assert not any(schema.startswith("main_") for schema in schemas)
    tables = {
        row[0]
        for row in _rows(
            db,
            "select table_name from information_schema.tables where table_schema = 'staging'"
            " and table_type = 'BASE TABLE'",
        )
    }
    # tables, so the gates, the tests and identity resolution do not each rerun the deduplication
    assert set(STAGING_MODELS) <= tables


def test_every_model_column_and_seed_is_documented(built, db):
    manifest = json.loads((built["target"] / "manifest.json").read_text())
    documented = {
        node["name"]: {
            name: column.get("description", "") for name, column in node["columns"].items()
        }
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
        and node["package_name"] == "tkpkd"
        and node["schema"] in ("staging", "quarantine", "reference")
    }
    for node in manifest["nodes"].values():
        if node["name"] in documented:
            assert node["description"].strip(), f"{node['name']} has no description"
    built_columns = _rows(
        db,
        "select table_name, column_name from information_schema.columns "
        "where table_schema in ('staging', 'quarantine', 'reference')",
    )
    missing = [
        f"{table}.{column}"
        for table, column in built_columns
        if table in documented and not documented[table].get(column, "").strip()
    ]
    assert not missing, missing


def test_every_model_has_a_key_test(built):
    """A primary key (or unique combination) tested on every model: what a row is, stated and checked."""
    manifest = json.loads((built["target"] / "manifest.json").read_text())
    keyed = {
        node["attached_node"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("test_metadata", {}).get("name") in ("unique", "tkpkd_unique_combination")
    }
    models = {key for key, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    assert sorted(model.split(".")[-1] for model in models - keyed) == []


def test_every_published_model_has_an_enforced_contract_with_every_column_typed(built):
    manifest = json.loads((built["target"] / "manifest.json").read_text())
    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    assert set(PUBLISHED_TABLES) <= set(models)
    for table in PUBLISHED_TABLES:
        node = models[table]
        assert node["config"]["contract"]["enforced"], f"{table}: add `config: contract: {{enforced: true}}`"
        untyped = [name for name, column in node["columns"].items() if not column.get("data_type")]
        assert untyped == [], f"{table}: columns without data_type {untyped}"


def test_the_published_tables_have_the_contracts_column_types(built, db):
    manifest = json.loads((built["target"] / "manifest.json").read_text())
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["name"] not in PUBLISHED_TABLES:
            continue
        declared = [(name, column["data_type"].upper()) for name, column in node["columns"].items()]
        built_columns = _rows(db, "select column_name, data_type from information_schema.columns where "
                              "table_schema = 'main' and table_name = ? order by ordinal_position", node["name"])
        assert built_columns == declared, node["name"]


def test_every_staging_model_checks_its_contract_rules(built):
    """The row and schema rules of each source's `staging.gate` (sources.yaml) are a dbt test of its stg_ model."""
    manifest = json.loads((built["target"] / "manifest.json").read_text())
    checked = {
        (node["attached_node"].rsplit(".", 1)[-1], node["test_metadata"]["kwargs"]["source"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("test_metadata", {}).get("name") == "tkpkd_contract_rules"
    }
    assert {(spec.staging.stg_model, spec.name) for spec in load_contract().values()} <= checked


def _passing_test_and_a_warehouse_copy(built, db, tmp_path, test_name: str):
    """A compiled data test's SQL, checked to find nothing on the build, and a copy of the warehouse to break (same
    file name: the compiled SQL names the database)."""
    [compiled] = (built["target"] / "compiled").rglob(f"{test_name}.sql")
    sql = compiled.read_text()
    assert _rows(db, sql) == []
    copy = tmp_path / built["warehouse"].name
    shutil.copy(built["warehouse"], copy)
    return sql, copy


def test_the_contract_rules_find_a_staged_row_that_breaks_them(built, db, tmp_path):
    """The compiled tkpkd_contract_rules test of bansos passes on the build, and names a code outside its list in a
    copy of the warehouse (same file name: the compiled SQL names the database)."""
    sql, copy = _passing_test_and_a_warehouse_copy(built, db, tmp_path, "tkpkd_contract_rules_stg_bansos__payouts_bansos")
    with duckdb.connect(str(copy)) as connection:
        connection.execute("update staging.stg_bansos__payouts set payout_status = 'DIBATALKAN' where rowid = 0")
        assert connection.execute(sql).fetchall() == [("codes:status_salur", "payout_status", "DIBATALKAN")]


def test_the_not_null_test_names_each_column_with_nulls(built, db, tmp_path):
    """The compiled tkpkd_not_null test of stg_bansos__payouts passes on the build; on a copy with NULLs in two of
    its columns it returns each of them with its number of NULL rows."""
    sql, copy = _passing_test_and_a_warehouse_copy(built, db, tmp_path, "not_null_stg_bansos__payouts")
    with duckdb.connect(str(copy)) as connection:
        connection.execute("update staging.stg_bansos__payouts set program_code = null where rowid = 0")
        connection.execute("update staging.stg_bansos__payouts set tahap = null where rowid in (0, 1)")
        assert sorted(connection.execute(sql).fetchall()) == [("program_code", 1), ("tahap", 2)]


# ---------------------------------------------------------------- nothing is lost


def test_rows_received_equal_accepted_plus_quarantined_plus_non_data(db):
    mismatches = _rows(
        db,
        """
        with outcomes as (
            select _source_file, _file_hash, count(*) as accounted from staging.stg_row_outcomes group by all
        )
        select files.source_file, files.rows_received, outcomes.accounted
        from raw.ingested_files as files
        left join outcomes on outcomes._file_hash = files.file_hash and outcomes._source_file = files.source_file
        where files.status = 'loaded' and files.rows_received <> coalesce(outcomes.accounted, 0)
        """,
    )
    assert mismatches == []
    (raw_rows,) = db.execute(
        " + ".join(f"(select count(*) from raw.{source})" for source in source_tables()).join(
            ["select ", ""]
        )
    ).fetchone()
    (outcome_rows,) = db.execute("select count(*) from staging.stg_row_outcomes").fetchone()
    assert raw_rows == outcome_rows
    # the rejected file has no rows anywhere
    assert _rows(
        db, "select count(*) from staging.stg_row_outcomes where _source_file like '%bansos_rusak%'"
    ) == [(0,)]


def test_outcomes_by_source(db):
    counts = {
        (source, outcome): rows
        for source, outcome, rows in _rows(
            db, "select source, outcome, count(*) from staging.stg_row_outcomes group by all"
        )
    }
    assert counts[("bansos", "accepted")] == 8  # the Excel-damaged NIK is kept, unresolved
    assert counts[("bansos", "quarantined")] == 3
    assert counts[("bansos", "non_data")] == 1
    assert counts[("dtsen_keluarga", "non_data")] == 1


# ---------------------------------------------------------------- quarantine


def test_quarantine_keeps_file_row_reason_and_original_values(db):
    rows = _rows(
        db,
        """
        select source_file, row_number, reason_code, reason_text, failed_column, failed_value, raw_values
        from quarantine.quarantined_rows where source = 'bansos' order by row_number
        """,
    )
    by_row = {row[1]: row for row in rows}
    # The third data row under a header on row 4 has an Excel-damaged NIK: kept, unresolved and flagged (M1).
    assert 7 not in by_row
    assert _rows(
        db,
        "select _source_file, nik, nik_status, _field_warnings from staging.stg_bansos__payouts where _row_number = 7",
    ) == [("bansos/2025-11/bansos_tahap4.xlsx", None, "excel_damaged", "nik:excel_damaged")]
    month_13 = by_row[8]
    assert month_13[0] == "bansos/2025-11/bansos_tahap4.xlsx"
    assert month_13[2] == "invalid_nik" and month_13[4] == "nik"
    assert month_13[3].startswith("NIK tidak valid")
    assert json.loads(month_13[6])["nik"] == month_13[5]
    assert by_row[9][2] == "unknown_program" and by_row[9][5] == "BANSOS XYZ"
    reasons = {
        row[0] for row in _rows(db, "select distinct reason_code from quarantine.quarantined_rows")
    }
    assert {
        "invalid_nik",
        "invalid_kk",
        "invalid_date",
        "unknown_kelurahan",
        "unknown_program",
        "invalid_code",
        "invalid_number",
        "out_of_range",
        "missing_value",
    } <= reasons
    assert _rows(
        db, "select count(*) from quarantine.quarantined_rows where reason_text is null"
    ) == [(0,)]


def test_total_and_empty_rows_are_non_data_not_quarantined(db):
    rows = _rows(
        db,
        "select source, reason from staging.stg_row_outcomes where outcome = 'non_data' order by source",
    )
    assert rows == [("bansos", "total_row"), ("dtsen_keluarga", "empty_row")]


# ---------------------------------------------------------------- staging rows


def test_newest_file_wins_across_periods_for_event_sources(db):
    rows = _rows(
        db,
        "select amount_idr, _source_file from staging.stg_bansos__payouts where nik = ? and program_code = 'PKH'",
        NIK_A,
    )
    assert rows == [(800000, "bansos/2025-12/bansos_tahap4_koreksi.xlsx")]
    sembako = _rows(
        db,
        "select program_code, amount_idr, payout_date, tahap from staging.stg_bansos__payouts where program_name_raw = 'Sembako'",
    )
    assert sembako == [("BPNT", 1500000, datetime(2025, 12, 19).date(), "TAHAP 4")]


def test_tahap_is_a_canonical_label_whatever_its_form(db):
    rows = _rows(
        db,
        "select program_code, tahap, payout_year, amount_idr from staging.stg_bansos__payouts"
        " where _source_file like '%bansos_pangan_desember%' order by tahap",
    )
    assert rows == [
        ("BANSOS_PANGAN_APBD", "BULAN 12", 2025, 200000),
        ("PKH", "TAHAP 2", 2025, 750000),
    ]
    assert _rows(
        db,
        "select data_type from information_schema.columns"
        " where table_name = 'stg_bansos__payouts' and column_name = 'tahap'",
    ) == [("VARCHAR",)]


def test_numbers_out_of_range_are_quarantined_or_warned_and_staging_goes_on(db):
    """Issue 12: a rupiah value beyond any DOUBLE-to-BIGINT cast failed the whole staging step for every source."""
    quarantined = _rows(
        db,
        "select source, failed_column, failed_value, reason_code, reason_text is not null"
        " from quarantine.quarantined_rows where reason_code = 'out_of_range' order by source",
    )
    assert quarantined == [
        ("bansos", "nilai", "99999999999999999999", "out_of_range", True),
        ("kur", "plafon", "4811e452", "out_of_range", True),
    ]
    # optional: the business is kept, its turnover NULL and named in the field warnings
    assert _rows(
        db,
        "select monthly_turnover_idr, _field_warnings from staging.stg_umkm__businesses where business_name = 'Warung Siti'",
    ) == [(None, "omzet_per_bulan:out_of_range")]


def test_snapshot_sources_deduplicate_within_each_period(db):
    rows = _rows(
        db,
        "select _period, rt, rw, kelurahan_code from staging.stg_dtsen__families where kk_number = ? order by _period",
        KK_1,
    )
    assert rows == [("2025-11", 4, 5, "61.71.01.1004"), ("2025-12", 4, 5, "61.71.01.1004")]
    stats = _rows(
        db,
        "select source, sum(dupes_removed) from staging.stg_dedup_stats group by source having sum(dupes_removed) > 0 order by source",
    )
    # bansos: the corrected PKH payout, and `Desember` repeating `Bulan 12` (one round in two spellings)
    assert stats == [("bansos", 2), ("dtsen_keluarga", 1), ("layanan_kesehatan", 1)]


def test_family_sources_keep_rows_with_an_unusable_nik(db):
    rtlh = _rows(
        db,
        "select nik, nik_status, kelurahan_code, rt, rw, program_code from staging.stg_rtlh__houses where kk_number = '6171010101250002'",
    )
    assert rtlh == [(None, "invalid", "61.71.03.1002", 3, 5, "RTLH_APBD")]
    water = _rows(
        db,
        "select nik, nik_status, program_code from staging.stg_air_bersih__connections where connection_number = '01-0002'",
    )
    assert water == [(None, "excel_damaged", None)]
    member = _rows(
        db, "select kk_number, kk_status from staging.stg_dtsen__members where full_name = 'BUDI'"
    )
    assert member == [(None, "excel_damaged")]


def test_dukcapil_without_a_combined_rt_rw_column(db):
    columns = {
        row[0]
        for row in _rows(
            db,
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'dukcapil'",
        )
    }
    assert "rt_rw" not in columns  # the sample warehouse leaves it out on purpose
    rows = _rows(
        db,
        "select nik, kelurahan_code, rw, rt, population_status, death_date from staging.stg_dukcapil__residents order by nik",
    )
    assert (NIK_A, "61.71.01.1004", 5, 3, "HIDUP", None) in rows
    assert (
        "6171011203900002",
        "61.71.01.1005",
        None,
        None,
        "MATI",
        datetime(2025, 11, 2).date(),
    ) in rows


def test_other_sources_land_with_their_programme(db):
    assert _rows(
        db,
        "select program_code, segment, care_class from staging.stg_jkn__memberships order by noka",
    ) == [("PBI_APBN", "PBI_APBN", 3), (None, "PBPU", None)]
    assert _rows(db, "select bank, agency_code, credit_limit_idr from staging.stg_kur__loans") == [
        ("BRI", "BRI", 25000000)
    ]
    assert _rows(
        db, "select program_code, partner_sector, amount_idr from staging.stg_mitra__deliveries"
    ) == [("MITRA_PANGAN", "KOMUNITAS", 250000)]
    assert _rows(
        db,
        "select program_code, nib, monthly_turnover_idr from staging.stg_umkm__businesses where nik = ?",
        NIK_C,
    ) == [("PENDAMPINGAN_UMKM", "1234567890123", 3000000)]
    assert _rows(
        db,
        "select verification_result, verification_date, kk_status from staging.stg_verifikasi__verifications "
        "order by kk_number nulls last",
    ) == [
        ("LAYAK", datetime(2025, 11, 20).date(), "valid"),
        ("USULAN_BARU", datetime(2025, 11, 20).date(), "valid"),
        ("LAYAK", datetime(2025, 11, 20).date(), "excel_damaged"),  # kept, the family unresolved
    ]


# ---------------------------------------------------------------- consistency without dbt


def test_base_models_read_their_own_raw_table_through_the_registry():
    """Each base model reads its source's contract columns with raw_struct, which takes them from staging_sources()
    (generated from the contract, tests/dbt/test_dbt_files.py), and is named as the contract's `staging` says."""
    contract = load_contract()
    source_of = {spec.staging.base_model: name for name, spec in contract.items()}
    seen = set()
    for path in (DBT_PROJECT_DIR / "models" / "staging").glob("*/base/base_*.sql"):
        text = path.read_text()
        source = source_of[path.stem]
        assert f"source('raw', '{source}')" in text, path.name
        assert f"raw_struct('source_rows', '{source}')" in text, path.name
        assert path.parent.parent.name == contract[source].staging.group, path
        seen.add(source)
    assert seen == set(contract)


def test_sources_match_the_loader_contract():
    """The raw columns staging reads are the canonical columns the loader writes (orchestration/contract)."""
    contract_file = REPO_ROOT / "orchestration" / "contract" / "sources.yaml"
    contract = yaml.safe_load(contract_file.read_text())["sources"]
    tables = source_tables()
    assert set(contract) == set(tables)
    for source, spec in contract.items():
        expected = [column["name"] for column in spec["columns"]] + (
            ["rt_rw"] if spec.get("rt_rw_combined") else []
        )
        assert [c["name"] for c in tables[source]["columns"]] == expected, source


def test_days_overdue_follows_the_freshness_rule_for_every_row(db):
    contract = load_contract()
    rows = db.execute(
        "select source, period, strftime(last_delivery_period_end, '%Y-%m'), days_overdue "
        "from main.rpt_data_quality order by source, period"
    ).fetchall()
    assert {source for source, *_ in rows} >= set(contract)
    checked = 0
    for source, period, last_delivered, days_overdue in rows:
        cadence = contract[source].cadence if source in contract else None
        if cadence is None or period == "unknown":
            assert days_overdue is None, (source, period)
            continue
        as_of = due_date(period, DEFAULT_DELIVERY_DEADLINE_DAY)
        assert days_overdue == evaluate(cadence, last_delivered, as_of, DEFAULT_DELIVERY_DEADLINE_DAY).days_overdue
        checked += 1
    assert checked  # the sample rows are on time; the grid of tests/dbt/test_days_overdue.py covers lateness


@pytest.mark.parametrize("months", [0, 2.5])
def test_a_window_that_is_not_a_whole_number_of_months_stops_dbt_naming_the_var(tmp_path, monkeypatch, months):
    monkeypatch.setenv("TKPKD_WAREHOUSE", str(tmp_path / "tkpkd.duckdb"))
    monkeypatch.setenv("TKPKD_PSEUDONYM_SECRET", "test-secret-for-dbt-tests")
    bad_window = json.dumps({"verification_window_months": months})
    result = run_dbt(["compile", "--select", "rpt_verification_progress", "--vars", bad_window], tmp_path / "target")
    release_dbt_connections()
    assert not result.success
    expected = f"var verification_window_months must be a whole number of months >= 1, got {months}"
    assert expected in str(result.exception)
