"""The parser macros of dbt_project/macros/parsing/, rendered with plain Jinja2 and run on an in-memory DuckDB.

The macros use nothing from dbt's context, so rendering them here is rendering exactly what dbt renders. Every
example of the input contract's defects (docs/contract/sources.md M1-M3, M5-M8, M13) is a case below.
"""

from __future__ import annotations

import csv
import datetime as dt

import duckdb
import pytest
from raw_warehouse_builder import DBT_PROJECT_DIR

SEED_DIR = DBT_PROJECT_DIR / "seeds"


@pytest.fixture(scope="module")
def db(macros):
    connection = duckdb.connect()
    connection.execute(macros.duckdb_macro_definitions())
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def evaluate(macros, db):
    def run(macro: str, value, *args):
        expression = getattr(macros, macro)("v", *args)
        return db.execute(
            f"select {expression} from (select cast(? as varchar) as v)", [value]
        ).fetchone()[0]

    return run


def test_each_macro_file_renders_alone_or_with_its_helpers(macros):
    # every public parser is there and renders to a non-empty SQL expression
    for name in [
        "clean_text",
        "is_blank",
        "normalise_code",
        "normalise_kelurahan_name",
        "normalise_program_name",
        "parse_sex",
        "identifier_digits",
        "identifier_status",
        "identifier_value",
        "parse_date",
        "parse_int",
        "parse_decimal",
        "parse_rupiah",
        "parse_small_number",
        "parse_tahap",
        "parse_int_reason",
        "parse_decimal_reason",
        "parse_rupiah_reason",
        "parse_small_number_reason",
        "parse_rt",
        "parse_rw",
    ]:
        assert str(getattr(macros, name)("x")).strip(), name


@pytest.mark.parametrize(
    "value, expected",
    [
        ("  a   b ", "a b"),
        ("a\u00a0b", "a b"),
        (
            "\ufeffMa\u2019ruf",
            "Ma\u2019ruf",
        ),  # M9: a stray BOM; the Windows-1252 apostrophe is kept
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_clean_text(evaluate, value, expected):
    assert evaluate("clean_text", value) == expected


# ---------------------------------------------------------------- identifiers (M1, M2, M3)


@pytest.mark.parametrize(
    "value, kind, status, digits",
    [
        ("6171015708450001", "nik", "valid", "6171015708450001"),
        # M1: typed into Excel as a number
        ("6.17101E+15", "nik", "excel_damaged", None),
        ("6.171015708E+15", "nik", "excel_damaged", None),
        ("6,17101E+15", "nik", "excel_damaged", None),
        ("6171015708450000.0", "nik", "excel_damaged", None),
        ("6171010101250000.0", "kk", "excel_damaged", None),
        ("6.17101E+15", "kk", "excel_damaged", None),
        # M2: apostrophes, spaces, dots, dashes stripped before validating
        ("'6171015708450001", "nik", "valid", "6171015708450001"),
        ("\u20196171015708450001", "nik", "valid", "6171015708450001"),
        ("6171 0157 0845 0001", "nik", "valid", "6171015708450001"),
        ("6171.0157.0845.0001", "nik", "valid", "6171015708450001"),
        ("6171-0157-0845-0001", "nik", "valid", "6171015708450001"),
        (" 6171015708450001 ", "nik", "valid", "6171015708450001"),
        # M3: 16 digits, day 01-31 or 41-71 (women), month 01-12
        ("6171014708450001", "nik", "valid", "6171014708450001"),  # day 47: a woman born on the 7th
        ("6171017108450001", "nik", "valid", "6171017108450001"),  # day 71
        ("6171010108450001", "nik", "valid", "6171010108450001"),  # day 01
        ("6171013108450001", "nik", "valid", "6171013108450001"),  # day 31
        ("6171010008450001", "nik", "invalid", None),  # day 00
        ("6171013208450001", "nik", "invalid", None),  # day 32
        ("6171014008450001", "nik", "invalid", None),  # day 40
        ("6171017208450001", "nik", "invalid", None),  # day 72
        ("6171011213900005", "nik", "invalid", None),  # month 13
        ("6171011200900005", "nik", "invalid", None),  # month 00
        ("617101570845000", "nik", "invalid", None),  # 15 digits
        ("61710157084500011", "nik", "invalid", None),  # 17 digits
        ("6171O15708450001", "nik", "invalid", None),  # a letter O
        (
            "3273011203900004",
            "nik",
            "valid",
            "3273011203900004",
        ),  # Bandung: outside Kalbar is valid
        ("1101011203900004", "nik", "valid", "1101011203900004"),  # Aceh
        # KK: 16 digits, no date rule
        ("6171010101250001", "kk", "valid", "6171010101250001"),
        ("6171010000000000", "kk", "valid", "6171010000000000"),
        ("617101010125", "kk", "invalid", None),
        # missing
        ("", "nik", "missing", None),
        (None, "nik", "missing", None),
        ("-", "kk", "missing", None),
        ("'", "kk", "missing", None),
        # JKN card and business numbers: 13 digits
        ("0001234567890", "noka", "valid", "0001234567890"),
        ("000123456789", "noka", "invalid", None),
        ("1234567890123", "nib", "valid", "1234567890123"),
    ],
)
def test_identifiers(evaluate, value, kind, status, digits):
    assert evaluate("identifier_status", value, kind) == status
    assert evaluate("identifier_value", value, kind) == digits


def test_identifier_digits_strips_separators_whatever_the_validity(evaluate):
    assert evaluate("identifier_digits", "'6171 0157-0845.000") == "617101570845000"
    assert evaluate("identifier_digits", "6171O15708450001") is None
    assert evaluate("identifier_digits", "") is None


# ---------------------------------------------------------------- dates (M7)

D = dt.date


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2025-12-19", D(2025, 12, 19)),
        ("2025-12-19 00:00:00", D(2025, 12, 19)),  # an XLSX date cell as the loader writes it
        ("2025-12-19T10:30:00", D(2025, 12, 19)),
        ("2025/12/19", D(2025, 12, 19)),
        ("19-12-2025", D(2025, 12, 19)),
        ("19/12/2025", D(2025, 12, 19)),
        ("19.12.2025", D(2025, 12, 19)),
        ("5-1-2025", D(2025, 1, 5)),
        ("19-12-2025 08:15", D(2025, 12, 19)),
        ("19 Desember 2025", D(2025, 12, 19)),
        ("19 DESEMBER 2025", D(2025, 12, 19)),
        ("19-Des-2025", D(2025, 12, 19)),
        ("Jumat, 19 Desember 2025", D(2025, 12, 19)),
        ("1 Januari 2025", D(2025, 1, 1)),
        ("1 Jan 2025", D(2025, 1, 1)),
        ("3 Februari 2025", D(2025, 2, 3)),
        ("3 Pebruari 2025", D(2025, 2, 3)),
        ("3 Feb 2025", D(2025, 2, 3)),
        ("12 Maret 1990", D(1990, 3, 12)),
        ("12 Mar 1990", D(1990, 3, 12)),
        ("7 April 2025", D(2025, 4, 7)),
        ("7 Apr 2025", D(2025, 4, 7)),
        ("1 Mei 1950", D(1950, 5, 1)),
        ("1 May 1950", D(1950, 5, 1)),
        ("30 Juni 2025", D(2025, 6, 30)),
        ("30 Jun 2025", D(2025, 6, 30)),
        ("17 Juli 2025", D(2025, 7, 17)),
        ("17 Jul 2025", D(2025, 7, 17)),
        ("17 Agustus 1945", D(1945, 8, 17)),
        ("17 Agu 2025", D(2025, 8, 17)),
        ("17 Agt. 2025", D(2025, 8, 17)),
        ("17 Ags 2025", D(2025, 8, 17)),
        ("17 Aug 2025", D(2025, 8, 17)),
        ("9 September 2025", D(2025, 9, 9)),
        ("9 Sep 2025", D(2025, 9, 9)),
        ("9 Sept 2025", D(2025, 9, 9)),
        ("28 Oktober 1928", D(1928, 10, 28)),
        ("28 Okt 2025", D(2025, 10, 28)),
        ("28 Oct 2025", D(2025, 10, 28)),
        ("20 November 2025", D(2025, 11, 20)),
        ("20 Nopember 2025", D(2025, 11, 20)),
        ("20 Nop 2025", D(2025, 11, 20)),
        ("20 Nov 2025", D(2025, 11, 20)),
        ("19 Des 2025", D(2025, 12, 19)),
        ("19 December 2025", D(2025, 12, 19)),
        ("December 19, 2025", D(2025, 12, 19)),
        ("29 Feb 2024", D(2024, 2, 29)),
        # Excel serial numbers: 1899-12-30 + n
        ("46010", D(2025, 12, 19)),
        ("46010.0", D(2025, 12, 19)),
        ("31048", D(1985, 1, 1)),
        # impossible, implausible or empty: NULL
        ("31-02-2025", None),
        ("29 Feb 2025", None),
        ("2025-13-01", None),
        ("32/01/2025", None),
        ("19 Foo 2025", None),
        ("2025", None),  # a bare year is not a serial
        ("123", None),
        ("99999", None),  # beyond 2100
        ("19-12-25", None),  # two-digit years are not guessed
        ("0025-12-19", None),
        ("kemarin", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(evaluate, value, expected):
    assert evaluate("parse_date", value) == expected


# ---------------------------------------------------------------- money (M8) and numbers


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Rp 1.500.000", 1500000),
        ("Rp. 1.500.000", 1500000),
        ("Rp1.500.000,-", 1500000),
        ("1.500.000,00", 1500000),
        ("1.500.000", 1500000),
        ("1500000", 1500000),
        ("1500000.0", 1500000),  # a float from an Excel numeric cell
        ("750000.0", 750000),
        ("1500000,00", 1500000),
        ("1500000,50", 1500001),  # rounded to whole rupiah
        ("IDR 1,500,000", 1500000),
        ("1,500,000.00", 1500000),
        ("1.500", 1500),
        ("1,500", 1500),
        ("42000", 42000),
        ("1.5E+6", 1500000),
        ("-1.500.000", -1500000),  # negative keeps its sign
        ("Rp -250.000", -250000),
        ("(1.500.000)", -1500000),
        ("0", 0),
        ("Rp 0", 0),
        ("satu juta", None),
        ("Rp -", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_rupiah(evaluate, value, expected):
    assert evaluate("parse_rupiah", value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("3", 3),
        ("003", 3),
        ("3.0", 3),
        ("3,0", 3),
        (" 4 ", 4),
        ("-2", -2),
        ("3.5", None),
        ("1.000", None),
        ("tiga", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_int(evaluate, value, expected):
    assert evaluate("parse_int", value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("36", 36.0),
        ("36,5", 36.5),
        ("36.5", 36.5),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("45 m2", 45.0),
        ("45m²", 45.0),
        ("75%", 75.0),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_decimal(evaluate, value, expected):
    assert evaluate("parse_decimal", value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1", 1),
        ("1.0", 1),
        ("03", 3),
        ("Kelas III", 3),
        ("III", 3),
        ("Kelas 1", 1),
        ("KLS. 2", 2),
        ("kl 3", 3),
        ("XX", 20),
        ("XXI", None),
        ("0", None),
        ("100", None),
        ("satu", None),
        ("", None),
    ],
)
def test_parse_small_number(evaluate, value, expected):
    assert evaluate("parse_small_number", value) == expected


# ---------------------------------------------------------------- bounds: NULL plus a reason, never an error


@pytest.mark.parametrize(
    "macro, value, bounds, expected, reason",
    [
        # issue 12: these failed the whole staging step (`DOUBLE inf can't be cast to INT64`)
        ("parse_rupiah", "99999999999999999999", (), None, "out_of_range"),
        ("parse_rupiah", "4811e452", (), None, "out_of_range"),
        ("parse_rupiah", "1E+400", (), None, "out_of_range"),
        ("parse_rupiah", "9" * 400, (), None, "out_of_range"),
        # a trillion rupiah: the default bound
        ("parse_rupiah", "1000000000000", (), 1000000000000, None),
        ("parse_rupiah", "1000000000001", (), None, "out_of_range"),
        ("parse_rupiah", "-1.000.000.000.000", (), -1000000000000, None),
        ("parse_rupiah", "(1.000.000.000.001)", (), None, "out_of_range"),
        ("parse_rupiah", "Rp 1.500.000", (), 1500000, None),
        ("parse_rupiah", "Rp 1.500.000", (0, 1000000), None, "out_of_range"),
        ("parse_rupiah", "satu juta", (), None, "invalid_amount"),
        ("parse_rupiah", "Rp -", (), None, "invalid_amount"),
        ("parse_rupiah", "  ", (), None, None),  # blank: no reason, the required rule decides
        ("parse_int", "4", (1, 99), 4, None),
        ("parse_int", "150", (1, 99), None, "out_of_range"),
        ("parse_int", "0", (1, 99), None, "out_of_range"),
        ("parse_int", "99999999999999999999", (), None, "out_of_range"),  # beyond INTEGER
        ("parse_int", "2147483647", (), 2147483647, None),
        ("parse_int", "1999", (2000, 2100), None, "out_of_range"),
        ("parse_int", "3.5", (1, 99), None, "invalid_number"),
        ("parse_int", "empat", (1, 99), None, "invalid_number"),
        ("parse_int", None, (1, 99), None, None),
        ("parse_decimal", "100", (0, 100), 100.0, None),
        ("parse_decimal", "100,5", (0, 100), None, "out_of_range"),
        ("parse_decimal", "1" + "0" * 400, (), None, "out_of_range"),  # inf: not a measure
        ("parse_decimal", "0", (1, 10000), None, "out_of_range"),
        ("parse_decimal", "1.234,5 m2", (1, 10000), 1234.5, None),
        ("parse_decimal", "luas", (1, 10000), None, "invalid_number"),
        ("parse_small_number", "III", (1, 3), 3, None),
        ("parse_small_number", "Kelas 4", (1, 3), None, "out_of_range"),
        ("parse_small_number", "Kelas VIP", (1, 3), None, "invalid_number"),
    ],
)
def test_out_of_range_values_give_null_and_a_reason(
    evaluate, macro, value, bounds, expected, reason
):
    assert evaluate(macro, value, *bounds) == expected
    assert evaluate(f"{macro}_reason", value, *bounds) == reason


# ---------------------------------------------------------------- TAHAP: a label, not a number


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1", "TAHAP 1"),
        ("1.0", "TAHAP 1"),  # a numeric Excel cell
        ("01", "TAHAP 1"),
        ("Tahap 1", "TAHAP 1"),
        ("TAHAP I", "TAHAP 1"),
        ("tahap IV", "TAHAP 4"),
        ("Thp. 1", "TAHAP 1"),
        ("Tahap1", "TAHAP 1"),
        ("Tahap ke-2", "TAHAP 2"),
        ("Tahapan 3", "TAHAP 3"),
        ("TAHAP II", "TAHAP 2"),
        # the year is dropped: stg_bansos__payouts keys the payout year from TANGGAL_SALUR
        ("Tahap 1 2025", "TAHAP 1"),
        ("TAHAP 1 2025", "TAHAP 1"),
        ("Tahap II/2025", "TAHAP 2"),
        ("Tahap 1 Tahun 2025", "TAHAP 1"),
        # monthly rounds
        ("Bulan 12", "BULAN 12"),
        ("BLN. 3", "BULAN 3"),
        ("Desember", "BULAN 12"),
        ("DES", "BULAN 12"),
        ("Bulan Desember", "BULAN 12"),
        ("Desember 2025", "BULAN 12"),
        ("Mei", "BULAN 5"),
        ("Agt.", "BULAN 8"),
        ("Nopember", "BULAN 11"),
        ("Triwulan II", "TRIWULAN 2"),
        ("TW 4", "TRIWULAN 4"),
        # anything else is kept as written (upper case, whitespace cleaned), never refused
        ("Bulan 13", "BULAN 13"),
        ("Tahap 0", "TAHAP 0"),
        ("TW 5", "TW 5"),
        ("  tahap   khusus ", "TAHAP KHUSUS"),
        ("2025", "2025"),
        ("Tahap 999999999999999999999", "TAHAP 999999999999999999999"),
        # nothing written
        ("-", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_tahap(evaluate, value, expected):
    assert evaluate("parse_tahap", value) == expected


# ---------------------------------------------------------------- RT / RW (M6)


@pytest.mark.parametrize(
    "value, rt, rw",
    [
        ("003/005", 3, 5),
        ("3/5", 3, 5),
        ("003 / 005", 3, 5),
        ("003-005", 3, 5),
        ("RT 003/RW 005", 3, 5),
        ("RT.03 / RW.05", 3, 5),
        ("RW 05 / RT 03", 3, 5),  # labelled: the labels decide
        ("3.0/5.0", 3, 5),
    ],
)
def test_combined_rt_rw_is_split_rt_first(evaluate, value, rt, rw):
    assert evaluate("parse_rt", value) == rt
    assert evaluate("parse_rw", value) == rw


@pytest.mark.parametrize(
    "macro, value, expected",
    [
        ("parse_rt", "003", 3),
        ("parse_rt", "3", 3),
        ("parse_rt", "RT 03", 3),
        ("parse_rt", "RT. 3", 3),
        ("parse_rt", "rt:003", 3),
        ("parse_rt", "3.0", 3),
        ("parse_rt", "0", None),
        ("parse_rt", "RW 05", None),
        ("parse_rt", "", None),
        ("parse_rt", "tiga", None),
        ("parse_rw", "005", 5),
        ("parse_rw", "5", 5),
        ("parse_rw", "RW. 5", 5),
        ("parse_rw", "RW 05", 5),
        ("parse_rw", "5.0", 5),
        ("parse_rw", "RT 03", None),
        ("parse_rw", None, None),
    ],
)
def test_rt_rw(evaluate, macro, value, expected):
    assert evaluate(macro, value) == expected


# ---------------------------------------------------------------- codes and sex


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Tidak Layak", "TIDAK_LAYAK"),
        (" Salur ", "SALUR"),
        ("PBI APBN", "PBI_APBN"),
        ("tidak_ditemukan", "TIDAK_DITEMUKAN"),
        ("Usulan  Baru", "USULAN_BARU"),
        ("MENGUNDURKAN DIRI", "MENGUNDURKAN_DIRI"),
        ("-", None),
        ("", None),
    ],
)
def test_normalise_code(evaluate, value, expected):
    assert evaluate("normalise_code", value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("LAKI-LAKI", "L"),
        ("Laki laki", "L"),
        ("PEREMPUAN", "P"),
        ("1", "L"),
        ("2", "P"),
        ("2.0", "P"),
        ("L", "L"),
        ("P", "P"),
        ("Pria", "L"),
        ("Wanita", "P"),
        ("3", None),
        ("", None),
    ],
)
def test_parse_sex(evaluate, value, expected):
    assert evaluate("parse_sex", value) == expected


# ---------------------------------------------------------------- kelurahan names (M5) through the alias seed


def _seed(name: str) -> list[dict]:
    with open(SEED_DIR / f"{name}.csv", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def kelurahan_lookup() -> dict[str, str]:
    lookup = {row["alias_key"]: row["kelurahan_code"] for row in _seed("ref_kelurahan_aliases")}
    return lookup


@pytest.mark.parametrize(
    "written, key",
    [
        ("Parit Tokaya", "PARITTOKAYA"),
        ("PARITTOKAYA", "PARITTOKAYA"),
        ("parit  tokaya", "PARITTOKAYA"),
        ("Sei Jawi Dalam", "SUNGAIJAWIDALAM"),
        ("Sei. Jawi Dalam", "SUNGAIJAWIDALAM"),
        ("SGI JAWI DALAM", "SUNGAIJAWIDALAM"),
        ("Sungai Jawi Dalam", "SUNGAIJAWIDALAM"),
        ("Sungaijawi Dalam", "SUNGAIJAWIDALAM"),
        ("Sungai Jawi Dlm", "SUNGAIJAWIDLM"),
        ("KELURAHAN : SUNGAI JAWI DALAM", "SUNGAIJAWIDALAM"),
        ("Kel. Tengah", "TENGAH"),
        ("Benua Melayu Laut", "BENUAMELAYULAUT"),
        ("Kota Baru", "KOTABARU"),
        ("", None),
    ],
)
def test_normalise_kelurahan_name(evaluate, written, key):
    assert evaluate("normalise_kelurahan_name", written) == key


@pytest.mark.parametrize(
    "written, code",
    [
        ("Parit Tokaya", "61.71.01.1004"),
        ("PARITTOKAYA", "61.71.01.1004"),
        ("Sei Jawi Dalam", "61.71.03.1002"),
        ("Sei. Jawi Dalam", "61.71.03.1002"),
        ("Sungai Jawi Dlm", "61.71.03.1002"),
        ("Sei Jawi Dlm", "61.71.03.1002"),
        ("Sungai Jawi Luar", "61.71.03.1003"),
        ("Sungai Jawi", "61.71.05.1005"),  # Pontianak Kota's Sungaijawi is another kelurahan
        ("Benua Melayu Laut", "61.71.01.1002"),
        ("Benuamelayu Darat", "61.71.01.1003"),
        ("Kota Baru", "61.71.01.1005"),
        ("KOTABARU", "61.71.01.1005"),
        ("Tambelan Sampit", "61.71.02.1007"),
        ("Tj. Hulu", "61.71.02.1004"),
        ("Pal V", "61.71.03.1001"),
        ("Bangka Belitung Laut", "61.71.06.1003"),
        ("Siantan Hilir", "61.71.04.1003"),
        ("Sei. Bangkong", "61.71.05.1001"),
        ("Benua Melayu", None),  # ambiguous (Laut or Darat): unknown, never guessed
        ("Kampung Entah", None),
    ],
)
def test_kelurahan_spellings_resolve_through_the_alias_seed(
    evaluate, kelurahan_lookup, written, code
):
    assert kelurahan_lookup.get(evaluate("normalise_kelurahan_name", written)) == code


def test_every_official_kelurahan_name_resolves_to_itself(evaluate, kelurahan_lookup):
    kelurahan = [row for row in _seed("ref_regions") if row["region_level"] == "kelurahan"]
    assert len(kelurahan) == 29
    for row in kelurahan:
        assert (
            kelurahan_lookup[evaluate("normalise_kelurahan_name", row["region_name"])]
            == row["region_code"]
        )


def test_alias_seed_keys_are_what_the_macro_gives(evaluate):
    for row in _seed("ref_kelurahan_aliases"):
        assert evaluate("normalise_kelurahan_name", row["spelling"]) == row["alias_key"], row
    for row in _seed("ref_program_aliases"):
        assert evaluate("normalise_program_name", row["spelling"]) == row["alias_key"], row


# ---------------------------------------------------------------- programme names (M13) through the alias seed


@pytest.mark.parametrize(
    "source, written, program",
    [
        ("bansos", "PKH", "PKH"),
        ("bansos", "BPNT", "BPNT"),
        ("bansos", "Sembako", "BPNT"),
        ("bansos", "BANSOS SEMBAKO", "BPNT"),
        ("bansos", "Bansos Sembako", "BPNT"),
        ("bansos", "BANSOS PANGAN APBD", "BANSOS_PANGAN_APBD"),
        ("bansos", "ATENSI", "ATENSI"),
        ("bansos", "BLT", "BLT"),
        ("jkn", "PBI APBN", "PBI_APBN"),
        ("jkn", "PBI-APBD", "PBI_APBD"),
        ("rtlh", "BSPS", "RTLH_BSPS"),
        ("rtlh", "Bedah Rumah APBD", "RTLH_APBD"),
        ("rtlh", "CSR", "RTLH_CSR"),
        ("air_bersih", "HIBAH_MBR", "AIR_HIBAH_MBR"),
        ("air_bersih", "Hibah MBR", "AIR_HIBAH_MBR"),
        ("mitra", "AIR BERSIH", "MITRA_AIR_BERSIH"),
        ("mitra", "PANGAN", "MITRA_PANGAN"),
    ],
)
def test_program_spellings_resolve_through_the_alias_seed(evaluate, source, written, program):
    lookup = {
        (row["source"], row["alias_key"]): row["program_code"]
        for row in _seed("ref_program_aliases")
    }
    assert lookup[(source, evaluate("normalise_program_name", written))] == program


def test_recognised_values_that_are_no_programme(evaluate):
    lookup = {(row["source"], row["alias_key"]): row for row in _seed("ref_program_aliases")}
    for source, written, canonical in [
        ("jkn", "PBPU", "PBPU"),
        ("jkn", "ppu", "PPU"),
        ("air_bersih", "REGULER", "REGULER"),
    ]:
        row = lookup[(source, evaluate("normalise_program_name", written))]
        assert row["canonical_value"] == canonical and row["program_code"] == ""
    assert ("bansos", evaluate("normalise_program_name", "BANSOS XYZ")) not in lookup


def test_program_seed_is_the_programme_table_of_the_contract():
    programs = {row["program_code"]: row for row in _seed("ref_programs")}
    expected = {
        "PKH": ("bansos_tunai", "", "4", "transfer"),
        "BPNT": ("pangan", "pangan", "4", "transfer"),
        "BANSOS_PANGAN_APBD": ("pangan", "pangan", "2", "transfer"),
        "BLT": ("bansos_tunai", "", "4", "transfer"),
        "ATENSI": ("rehabilitasi_sosial", "", "", "transfer"),
        "PBI_APBN": ("jaminan_sosial", "jaminan_sosial", "5", "membership"),
        "PBI_APBD": ("jaminan_sosial", "jaminan_sosial", "5", "membership"),
        "RTLH_BSPS": ("perumahan", "rumah", "4", "one_off"),
        "RTLH_APBD": ("perumahan", "rumah", "4", "one_off"),
        "RTLH_CSR": ("perumahan", "rumah", "", "one_off"),
        "AIR_HIBAH_MBR": ("air_bersih", "air", "4", "one_off"),
        "SANITASI": ("sanitasi", "sanitasi", "4", "one_off"),
        "PELATIHAN_KERJA": ("pelatihan", "", "", "service"),
        "PENDAMPINGAN_UMKM": ("kewirausahaan", "", "", "service"),
        "KUR": ("permodalan", "", "", "service"),
        "LAYANAN_KESEHATAN": ("kesehatan", "kesehatan", "", "service"),
    }
    for code, (category, need, max_desil, kind) in expected.items():
        row = programs[code]
        assert (row["category"], row["basic_need"], row["max_desil"], row["kind"]) == (
            category,
            need,
            max_desil,
            kind,
        ), code
    kategori = [
        "PANGAN",
        "PERUMAHAN",
        "AIR_BERSIH",
        "SANITASI",
        "JAMINAN_SOSIAL",
        "KESEHATAN",
        "PENDIDIKAN",
        "PELATIHAN",
        "MODAL_USAHA",
    ]
    assert set(programs) == set(expected) | {f"MITRA_{k}" for k in kategori}
    for k in kategori:
        assert (
            programs[f"MITRA_{k}"]["kind"] == "transfer"
            and programs[f"MITRA_{k}"]["max_desil"] == ""
        )


# ---------------------------------------------------------------- identity: what Excel left, the NIK's birth date
@pytest.mark.parametrize(
    ("value", "surviving"),
    [
        ("6171015708450000.0", "617101570845000"),  # a number Excel stored: the 16th digit is lost
        ("6171015708450000,0", "617101570845000"),
        ("6171015708450000", "617101570845000"),  # the same, written without the decimal part
        ("6.17101E+15", "617101"),  # scientific: the mantissa, rounded at its last digit
        ("6,17101E+15", "617101"),
        ("6.17101e+15", "617101"),
        ("6.17101E+12", None),  # not a NIK's magnitude
        ("", None),
    ],
)
def test_excel_surviving_digits(evaluate, value, surviving):
    assert evaluate("excel_surviving_digits", value) == surviving


@pytest.fixture(scope="module")
def nik_check(macros, db):
    def run(nik, birth_date, sex):
        expression = macros.nik_birth_check("n", "b", "s")
        return db.execute(
            f"select {expression} from (select cast(? as varchar) as n, cast(? as date) as b, cast(? as varchar) as s)",
            [nik, birth_date, sex],
        ).fetchone()[0]

    return run


@pytest.mark.parametrize(
    ("nik", "birth_date", "sex", "expected"),
    [
        ("6171015708850001", "1985-08-17", "P", "consistent"),  # a woman: day 17 + 40 = 57
        ("6171011203900002", "1990-03-12", "L", "consistent"),
        ("6171011203900002", "1990-03-12", None, "consistent"),  # JKN states no sex
        ("6171015708850001", None, "P", "consistent"),  # pelatihan states no birth date
        ("6171015708850001", "1985-08-17", "L", "sex_mismatch"),  # day 57 says woman
        ("6171011203900002", "1990-03-12", "P", "sex_mismatch"),
        ("6171011203900002", "1990-12-03", "L", "birth_date_mismatch"),  # day and month swapped in the register
        ("6171011203900002", "1991-03-12", "L", "birth_date_mismatch"),  # year
        ("6171011203900002", "1990-03-13", "L", "birth_date_mismatch"),  # day
        ("6171011203900002", None, None, "not_checkable"),
        (None, "1990-03-12", "L", "not_checkable"),  # no valid NIK
        ("6171014101000003", "2000-01-01", "P", "consistent"),  # year 00
    ],
)
def test_nik_birth_check(nik_check, nik, birth_date, sex, expected):
    assert nik_check(nik, birth_date, sex) == expected
