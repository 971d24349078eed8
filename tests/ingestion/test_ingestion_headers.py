"""Header normalisation, alias matching, header-row location and title blocks."""

from __future__ import annotations

import pytest

from orchestration.ingestion import locate_header, map_header, normalise_header, parse_title_block
from orchestration.ingestion.headers import missing_required


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("NO KK", "no_kk"),
        ("No. KK", "no_kk"),
        ("NO_KK", "no_kk"),
        ("NOMOR KK", "nomor_kk"),
        ("nomor_kk", "nomor_kk"),
        ("  Nomor  Kartu-Keluarga ", "nomor_kartu_keluarga"),
        ("\ufeffTGL_LHR", "tgl_lhr"),
        ("RT/RW", "rt_rw"),
        ("NIK*", "nik"),
        ("Tanggal\nVerifikasi", "tanggal_verifikasi"),
        ("Nº", "no"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected


@pytest.mark.parametrize(
    "spelling", ["NO KK", "No. KK", "NO_KK", "NOMOR KK", "nomor_kk", "Nomor Kartu Keluarga"]
)
def test_kk_spellings_map_to_the_canonical_column(contract, spelling):
    assert map_header([spelling], contract["verifikasi_kelurahan"]).canonical == {"no_kk": 0}
    assert map_header([spelling], contract["dukcapil"]).canonical == {"no_kk": 0}
    assert map_header([spelling], contract["dtsen_individu"]).canonical == {
        "nomor_kartu_keluarga": 0
    }


@pytest.mark.parametrize("spelling", ["NIK", "No NIK", "Nomor NIK", "Nomor Induk Kependudukan"])
def test_nik_spellings(contract, spelling):
    assert map_header([spelling], contract["dtsen_individu"]).canonical == {
        "nomor_induk_kependudukan": 0
    }


@pytest.mark.parametrize("spelling", ["TGL_LHR", "Tgl. Lahir", "TANGGAL LAHIR", "tanggal_lahir"])
def test_date_spellings(contract, spelling):
    assert map_header([spelling], contract["dukcapil"]).canonical == {"tgl_lhr": 0}


def test_unknown_and_unnamed_headers(contract):
    mapping = map_header(["NIK", "", "Catatan Petugas", None, "NOKA"], contract["jkn"])
    assert mapping.canonical == {"nik": 0, "noka": 4}
    assert mapping.extras == (("Catatan Petugas", 2),)
    assert mapping.unnamed == (1, 3)


def test_bracketed_notes_are_ignored_when_nothing_else_matches(contract):
    mapping = map_header(
        ["NIK (16 digit)", "NILAI (Rp)", "TGL SALUR [dd/mm/yyyy]"], contract["bansos"]
    )
    assert mapping.canonical == {"nik": 0, "nilai": 1, "tanggal_salur": 2}


def test_two_columns_for_one_canonical_column(contract):
    mapping = map_header(["NIK", "NAMA", "No. NIK"], contract["jkn"])
    assert mapping.duplicates == {"nik": (0, 2)}


def test_rt_rw_combined_satisfies_rt_and_rw(contract):
    spec = contract["verifikasi_kelurahan"]
    mapping = map_header(["NO KK", "RT/RW", "HASIL VERIFIKASI", "TANGGAL VERIFIKASI"], spec)
    assert mapping.canonical["rt_rw"] == 1
    assert missing_required(mapping, spec) == []
    mapping = map_header(["NO KK", "RT", "HASIL VERIFIKASI", "TANGGAL VERIFIKASI"], spec)
    assert missing_required(mapping, spec) == ["rw"]


def test_locate_header_prefers_required_matches(contract):
    rows = [
        ["BERITA ACARA HASIL MUSYAWARAH KELURAHAN"],
        ["KELURAHAN", ": SUNGAI JAWI DALAM"],  # `KELURAHAN` alone matches an optional column
        [],
        [
            "NO",
            "NO KK",
            "NIK KEPALA KELUARGA",
            "RT",
            "RW",
            "HASIL VERIFIKASI",
            "TANGGAL VERIFIKASI",
        ],
        ["1", "6171010101010001", "6171015708450001", "1", "2", "Layak", "2025-11-20"],
    ]
    index, mapping = locate_header(rows, contract["verifikasi_kelurahan"])
    assert index == 3
    assert mapping.canonical["tanggal_verifikasi"] == 6


def test_locate_header_none_when_nothing_matches(contract):
    assert locate_header([["a", "b"], ["c", "d"]], contract["bansos"]) is None


def test_parse_title_block():
    lines = [
        "BERITA ACARA HASIL MUSYAWARAH KELURAHAN",
        "KELURAHAN : SUNGAI JAWI DALAM",
        "Periode: NOVEMBER 2025",
        "Tanggal : 19/12/2025 10:30",
        "KELURAHAN : OTHER",
    ]
    assert parse_title_block(lines) == {
        "kelurahan": "SUNGAI JAWI DALAM",
        "periode": "NOVEMBER 2025",
        "tanggal": "19/12/2025 10:30",
    }
