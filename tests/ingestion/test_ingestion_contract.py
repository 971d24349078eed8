"""The source contract (sources.yaml) and its validation."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from orchestration.contract import CONTRACT_PATH, ContractError, load_contract, parse_contract

SOURCES = [
    "dtsen_keluarga",
    "dtsen_individu",
    "dukcapil",
    "verifikasi_kelurahan",
    "bansos",
    "jkn",
    "layanan_kesehatan",
    "rtlh",
    "air_bersih",
    "sanitasi",
    "pelatihan",
    "umkm",
    "kur",
    "mitra",
]


@pytest.fixture
def raw_contract() -> dict:
    return yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))


def test_all_fourteen_sources(contract):
    assert list(contract) == SOURCES


def test_kinds_and_natural_keys(contract):
    snapshots = {name for name, spec in contract.items() if spec.kind == "snapshot"}
    assert snapshots == {
        "dtsen_keluarga",
        "dtsen_individu",
        "dukcapil",
        "jkn",
        "air_bersih",
        "umkm",
    }
    assert contract["verifikasi_kelurahan"].natural_key == ("no_kk", "tanggal_verifikasi")
    assert contract["bansos"].natural_key == ("nik", "program", "tahap")
    assert contract["mitra"].natural_key == ("nik_penerima", "nama_program", "tanggal")
    for spec in contract.values():
        assert set(spec.natural_key) <= set(spec.column_names)
        assert spec.agency


def test_required_columns_follow_the_contract(contract):
    assert contract["dukcapil"].required_columns == (
        "nik",
        "no_kk",
        "nama_lgkp",
        "jenis_klmin",
        "tgl_lhr",
        "status",
    )
    assert contract["jkn"].required_columns == ("noka", "nik", "segmen", "status_peserta", "tmt")
    assert contract["kur"].required_columns == (
        "nik_debitur",
        "bank",
        "skema",
        "plafon",
        "tanggal_akad",
    )


def test_sectors(contract):
    assert contract["air_bersih"].sector == "DUNIA_USAHA"
    assert contract["kur"].sector == "DUNIA_USAHA"
    assert contract["bansos"].sector == "PEMERINTAH"
    assert contract["mitra"].sector is None and contract["mitra"].sector_column == "sektor"


def test_extra_canonical_columns(contract):
    for name in ("dtsen_keluarga", "verifikasi_kelurahan", "rtlh", "sanitasi", "dukcapil"):
        assert "rt_rw" in contract[name].column_names
        assert contract[name].rt_rw_combined is not None
    assert contract["dukcapil"].rt_rw_combined.rt == "no_rt"
    assert "kelurahan" in contract["verifikasi_kelurahan"].column_names
    assert "kelurahan" in contract["verifikasi_kelurahan"].title_fields


def test_aliases_are_normalised_and_include_the_name(contract):
    spec = contract["dtsen_individu"]
    column = spec.column("nomor_induk_kependudukan")
    assert column.aliases[0] == "nomor_induk_kependudukan"
    assert "nik" in column.aliases
    assert spec.alias_index["no_kk"] == "nomor_kartu_keluarga"
    assert spec.alias_index["kk"] == "nomor_kartu_keluarga"


def test_load_contract_is_cached_but_returns_a_copy(contract):
    first = load_contract()
    first.pop("bansos")
    second = load_contract()
    assert "bansos" in second
    assert second["jkn"] is contract["jkn"]


def test_load_contract_from_another_path(tmp_path: Path, raw_contract):
    raw_contract["sources"] = {"bansos": raw_contract["sources"]["bansos"]}
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(raw_contract))
    assert list(load_contract(path)) == ["bansos"]


def _expect_error(raw: dict, *fragments: str) -> None:
    with pytest.raises(ContractError) as caught:
        parse_contract(raw)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_unknown_source_key(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["bansos"]["delimeter"] = ","
    _expect_error(raw, "'bansos'", "unknown key", "'delimeter'")


def test_unknown_column_key(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["jkn"]["columns"][0]["requried"] = True
    _expect_error(raw, "'jkn'", "'requried'")


def test_unknown_top_level_key(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["defaults"] = {}
    _expect_error(raw, "'defaults'")


def test_natural_key_must_be_a_column(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["kur"]["natural_key"] = ["nik_debitur", "tanggal_realisasi"]
    _expect_error(raw, "'kur'", "natural_key column 'tanggal_realisasi'")


def test_alias_claimed_by_two_columns(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["jkn"]["columns"][2]["aliases"].append(
        "No. NIK"
    )  # nama: `no_nik` belongs to nik
    _expect_error(raw, "'jkn'", "alias 'no_nik'", "'nik'", "'nama'")


def test_alias_equal_to_another_columns_name(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["kur"]["columns"][1]["aliases"].append("bank")  # nama_debitur <- bank
    _expect_error(raw, "alias 'bank'")


def test_bad_kind_and_sector(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["umkm"]["kind"] = "S"
    _expect_error(raw, "'umkm'", "kind must be one of snapshot, event")
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["umkm"]["sector"] = "SWASTA"
    _expect_error(raw, "'umkm'", "sector must be one of")


def test_missing_source_key(raw_contract):
    raw = copy.deepcopy(raw_contract)
    del raw["sources"]["umkm"]["natural_key"]
    _expect_error(raw, "'umkm'", "missing key 'natural_key'")


def test_required_must_be_boolean(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["umkm"]["columns"][0]["required"] = "yes"
    _expect_error(raw, "'required' must be true or false")


def test_sender_per_file_must_be_boolean_and_marks_the_multi_sender_sources(raw_contract, contract):
    assert {name for name, spec in contract.items() if spec.sender_per_file} == {"verifikasi_kelurahan", "mitra"}
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["mitra"]["sender_per_file"] = "yes"
    _expect_error(raw, "'mitra'", "'sender_per_file' must be true or false")


def test_canonical_names_must_be_normalised(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["umkm"]["columns"][0]["name"] = "NIK Pemilik"
    _expect_error(raw, "canonical name", "'nik_pemilik'")


def test_duplicate_column_and_reserved_names(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["umkm"]["columns"].append({"name": "nib"})
    _expect_error(raw, "listed twice: nib")
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["ingested_files"] = raw["sources"]["umkm"]
    _expect_error(raw, "reserved")


def test_title_fields_must_name_a_column(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["verifikasi_kelurahan"]["title_fields"] = {"kecamatan": ["kecamatan"]}
    _expect_error(raw, "title_fields column 'kecamatan'")


def test_rt_rw_combined_needs_rt_and_rw(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["kur"]["rt_rw_combined"] = True
    _expect_error(raw, "'kur'", "rt_rw_combined")


def test_invalid_yaml_file(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("sources: [unclosed\n")
    with pytest.raises(ContractError, match="not valid YAML"):
        load_contract(path)


def test_adding_a_source_is_data_only(tmp_path: Path, raw_contract):
    raw_contract["sources"]["posyandu"] = {
        "agency": "Kader posyandu",
        "sector": "KOMUNITAS",
        "kind": "event",
        "natural_key": ["nik", "tanggal"],
        "columns": [
            {"name": "nik", "required": True, "aliases": ["NIK Balita"]},
            {"name": "tanggal", "required": True, "aliases": ["Tgl. Kunjungan"]},
        ],
        "staging": {"entity": "visits", "gate": {"natural_key": ["nik", "visit_date"]}},
    }
    path = tmp_path / "more.yaml"
    path.write_text(yaml.safe_dump(raw_contract))
    spec = load_contract(path)["posyandu"]
    assert spec.alias_index["tgl_kunjungan"] == "tanggal"
    assert spec.identifiers == ("nik", "tanggal")
    assert (spec.staging.base_model, spec.staging.stg_model) == ("base_posyandu__visits", "stg_posyandu__visits")
    assert spec.staging.persons is None and spec.staging.assistance is None


def test_staging_names_the_models_and_what_the_warehouse_takes(contract):
    members = contract["dtsen_individu"].staging
    assert (members.base_model, members.stg_model) == ("base_dtsen__members", "stg_dtsen__members")
    assert members.persons.raw_nik == "nomor_induk_kependudukan" and members.persons.place == "dtsen_family"
    assert contract["bansos"].staging.stg_model == "stg_bansos__payouts"  # group defaults to the source code
    assert contract["jkn"].staging.assistance == "memberships"
    assert contract["dtsen_keluarga"].staging.persons is None
    assert contract["dtsen_keluarga"].staging.kk_column == "kk_number"


def test_staging_is_required_and_checked(raw_contract):
    raw = copy.deepcopy(raw_contract)
    del raw["sources"]["kur"]["staging"]
    _expect_error(raw, "'kur'", "missing key 'staging'")
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["kur"]["staging"]["entitiy"] = "loans"
    _expect_error(raw, "'kur', staging", "unknown key", "'entitiy'")
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["kur"]["staging"]["assistance"] = "payouts"
    _expect_error(raw, "'kur', staging", "assistance must be one of")
    raw = copy.deepcopy(raw_contract)
    del raw["sources"]["kur"]["staging"]["gate"]
    _expect_error(raw, "'kur', staging", "missing key 'gate'")


def test_persons_must_name_a_raw_nik_column_and_a_place(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["kur"]["staging"]["persons"]["raw_nik"] = "nik"
    _expect_error(raw, "'kur', staging, persons", "raw_nik 'nik' is not a column")
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["kur"]["staging"]["persons"]["place"] = "kecamatan"
    _expect_error(raw, "'kur', staging, persons", "place must be one of")


def test_two_sources_cannot_share_a_model_or_an_identity_rank(raw_contract):
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["kur"]["staging"]["persons"]["identity_rank"] = 1
    _expect_error(raw, "'dtsen_individu' and 'kur' share persons.identity_rank 1")
    raw = copy.deepcopy(raw_contract)
    raw["sources"]["kur"]["staging"].update(group="umkm", entity="businesses")
    _expect_error(raw, "'umkm' and 'kur' both stage as stg_umkm__businesses")
