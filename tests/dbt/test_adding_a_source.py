"""Adding a source is a contract entry and a staging model pair (docs/adding-a-source.md), nothing else.

On a copy of the dbt project and the contract, a fifteenth toy source (`bank_sampah`, deposits at community waste
banks) gets a contract entry and its base_/stg_ models, written here; the generated files are regenerated. Its sample
file then goes through the real loader, and a dbt build of the staging layer and int_person_records shows the rows in
the generated raw source, the registry, stg_row_outcomes and identity resolution's person records; its generated GX
suite passes on the staged rows.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from raw_warehouse_builder import DBT_PROJECT_DIR, release_dbt_connections, run_dbt, source_tables

from orchestration.contract import CONTRACT_PATH, load_contract
from orchestration.contract.dbt_files import REGISTRY_SQL, SOURCES_YML, write_files
from orchestration.ingestion.loader import ingest_source
from orchestration.quality import gates
from orchestration.quality.suites import build_suites

pytestmark = pytest.mark.slow  # a copy of the dbt project, generated and built: about 75 s here

SOURCE = "bank_sampah"
GOOD_NIKS = ["6171010505800001", "6171014512900002"]  # synthetic: born 5 May 1980; a woman born 5 Dec 1990

TOY_ENTRY = {
    "agency": "Bank sampah kelurahan",
    "sector": "KOMUNITAS",
    "kind": "event",
    "format": "csv",
    "delimiter": ",",
    "description": "Deposits at community waste banks (a toy source of tests/dbt/test_adding_a_source.py).",
    "natural_key": ["nik", "tanggal_setor"],
    "columns": [
        {"name": "nik", "required": True, "description": "NIK of the depositor.", "aliases": ["nik_nasabah"]},
        {"name": "nama", "required": True, "description": "Depositor name.", "aliases": ["nama_nasabah"]},
        {"name": "kelurahan", "description": "Kelurahan name."},
        {"name": "tanggal_setor", "required": True, "description": "Deposit date.", "aliases": ["tgl_setor"]},
    ],
    "staging": {
        "entity": "deposits",
        "persons": {"raw_nik": "nik", "name": "full_name", "place": "kelurahan"},
        "gate": {
            "natural_key": ["nik", "deposit_date"],
            "types": {"nik": "str", "deposit_date": "date"},
            "not_null": ["nik_status", "deposit_date"],
            "nik": ["nik"],
            "event_dates": ["deposit_date"],
            "kelurahan": True,
        },
    },
}

BASE_MODEL = """
{%- set checks = [
    {'column': 'nik', 'status': 'nik_status', 'reason': 'invalid_nik', 'required': true},
    {'column': 'nama', 'required': true},
    {'column': 'kelurahan', 'value': 'kelurahan_code', 'reason': 'unknown_kelurahan'},
    {'column': 'tanggal_setor', 'value': 'deposit_date', 'reason': 'invalid_date', 'required': true},
] -%}

with raw_rows as (
    select
        {{ raw_lineage_columns('source_rows') }},
        {{ raw_struct('source_rows', 'bank_sampah') }} as _raw
    from {{ source('raw', 'bank_sampah') }} as source_rows
),

parsed as (
    select
        raw_rows.*,
        {{ identifier_value('_raw.nik', 'nik') }} as nik,
        {{ identifier_status('_raw.nik', 'nik') }} as nik_status,
        {{ clean_text('_raw.nama') }} as full_name,
        {{ normalise_kelurahan_name('_raw.kelurahan') }} as _kelurahan_key,
        {{ parse_date('_raw.tanggal_setor') }} as deposit_date
    from raw_rows
),

resolved as (
    select parsed.*, kelurahan.kelurahan_code
    from parsed
    left join {{ ref('stg_reference__kelurahan_lookup') }} as kelurahan
        on kelurahan.alias_key = parsed._kelurahan_key
),

{{ classified_rows('resolved', checks) }}
"""

STG_MODEL = """
with {{ dedupe_ranked('base_bank_sampah__deposits', ['nik', 'deposit_date'], 'event') }}

select
    nik, deposit_date, nik_status, full_name, kelurahan_code,
    _field_warnings, _source_file, _file_hash, _period, _row_number, _file_modified_at
from ranked
where _dedup_rank = 1
"""

SAMPLE_CSV = (
    "NIK Nasabah,Nama Nasabah,Kelurahan,Tgl Setor\n"
    f"{GOOD_NIKS[0]},Budi Contoh,Parit Tokaya,2025-11-03\n"
    f"{GOOD_NIKS[1]},Sari Contoh,Akcaya,2025-11-04\n"
    "12345,Rina Contoh,Akcaya,2025-11-05\n"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("fifteenth_source")
    project_dir = root / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project_dir, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    contract = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    contract["sources"][SOURCE] = TOY_ENTRY
    contract_path = root / "sources.yaml"
    contract_path.write_text(yaml.safe_dump(contract, sort_keys=False, allow_unicode=True), encoding="utf-8")
    models = project_dir / "models" / "staging" / SOURCE
    (models / "base").mkdir(parents=True)
    (models / "base" / "base_bank_sampah__deposits.sql").write_text(BASE_MODEL)
    (models / "stg_bank_sampah__deposits.sql").write_text(STG_MODEL)
    write_files(project_dir, contract_path)

    inbox = root / "inbox"
    (inbox / SOURCE / "2025-11").mkdir(parents=True)
    (inbox / SOURCE / "2025-11" / "setoran_november.csv").write_text(SAMPLE_CSV, encoding="utf-8")
    warehouse = root / "tkpkd.duckdb"
    specs = load_contract(contract_path)
    with duckdb.connect(str(warehouse)) as connection:
        # every source, as a run does: the raw tables of the fourteen stay empty
        reports = {name: ingest_source(connection, spec, inbox) for name, spec in specs.items()}

    target = root / "target"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TKPKD_WAREHOUSE", str(warehouse))
        patch.setenv("TKPKD_PSEUDONYM_SECRET", "test-secret-for-dbt-tests")
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        # the staging layer every source shares and identity resolution's person records, with the data tests whose
        # models are all built (cautious), no unit tests
        build = run_dbt(
            ["build", "--select", "+stg_row_outcomes", "+quarantined_rows", "+int_person_records", "--exclude-resource-type", "unit_test",
             "--indirect-selection", "cautious"],
            target,
            project_dir,
        )
        release_dbt_connections()
    return {
        "root": root,
        "project_dir": project_dir,
        "contract_path": contract_path,
        "warehouse": warehouse,
        "target": target,
        "reports": reports,
        "build": build,
    }


@pytest.fixture(scope="module")
def db(project):
    connection = duckdb.connect(str(project["warehouse"]), read_only=True)
    yield connection
    connection.close()


def test_the_generated_dbt_files_list_the_new_source(project):
    tables = source_tables(project["project_dir"] / SOURCES_YML)
    assert [column["name"] for column in tables[SOURCE]["columns"]] == ["nik", "nama", "kelurahan", "tanggal_setor"]
    assert tables[SOURCE]["kind"] == "event"
    registry = (project["project_dir"] / REGISTRY_SQL).read_text()
    assert "'base': 'base_bank_sampah__deposits', 'stg': 'stg_bank_sampah__deposits'" in registry
    # the repository's own files are untouched
    assert SOURCE not in (DBT_PROJECT_DIR / REGISTRY_SQL).read_text()


def test_the_loader_takes_the_file_by_the_contract_alone(project, db):
    report = project["reports"][SOURCE]
    assert [outcome.status for outcome in report.files] == ["loaded"]
    rows = db.execute(f"select nik, nama, tanggal_setor from raw.{SOURCE} order by _row_number").fetchall()
    assert rows[0] == (GOOD_NIKS[0], "Budi Contoh", "2025-11-03") and len(rows) == 3


def test_dbt_builds_the_new_models_and_every_row_has_an_outcome(project, db):
    build = project["build"]
    failures = [
        (result.node.unique_id, str(result.status), result.message)
        for result in (build.result or [])
        if str(result.status) not in ("success", "pass")
    ]
    assert build.success and not failures, failures
    built = {result.node.name for result in build.result}
    assert {"base_bank_sampah__deposits", "stg_bank_sampah__deposits", "int_person_records"} <= built
    # the accepted sources of int_person_records come from the registry: the new one passes
    assert any(name.startswith("tkpkd_registry_source_int_person_records") for name in built), sorted(built)
    outcomes = db.execute(
        "select outcome, reason, count(*) from staging.stg_row_outcomes where source = ? group by all order by 1",
        [SOURCE],
    ).fetchall()
    assert outcomes == [("accepted", None, 2), ("quarantined", "invalid_nik", 1)]
    quarantined = db.execute(
        "select reason_code from quarantine.quarantined_rows where source = ?", [SOURCE]
    ).fetchall()
    assert quarantined == [("invalid_nik",)]


def test_the_persons_of_the_new_source_reach_identity_resolution(db):
    records = db.execute(
        "select nik, full_name, kelurahan_code is not null from intermediate.int_person_records "
        "where source = ? order by nik",
        [SOURCE],
    ).fetchall()
    assert records == [(GOOD_NIKS[0], "Budi Contoh", True), (GOOD_NIKS[1], "Sari Contoh", True)]


def test_the_generated_gate_of_the_new_source_passes_on_its_staged_rows(project, db, tmp_path):
    suite = build_suites(project["contract_path"])[Path("staging") / f"{SOURCE}.json"]
    assert suite["meta"]["model"] == "stg_bank_sampah__deposits"
    batch = gates.staged_batch(db, "staging", suite["meta"]["model"], gates.suite_columns(suite), min_ratio=0.5)
    assert len(batch.frame) == 2
    parameters = {**gates.base_parameters(gates.load_thresholds(), dt.date(2026, 1, 1)), "min_rows": 1}
    result = gates.GateRunner(tmp_path / "data_docs").validate(json.loads(json.dumps(suite)), batch.frame, parameters)
    assert result.passed and not result.failed_warnings, result.summary()
