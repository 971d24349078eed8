"""No value can fail a step: every parsing macro, fed thousands of hostile strings in DuckDB, never raises, returns its
documented type, and keeps its promises (bounded numbers, a reason for every refused number, a TAHAP label for every
written TAHAP).

The strings come from a seeded generator (the same strings on every run, so a failure reproduces) that glues
fragments agencies and Excel produce: digit runs up to 400 long, separators, exponents (`1e999`), `Rp`, signs,
dates, Roman numerals, month names, NaN/inf words, unicode digits and letters, whitespace and control characters.
The macros are rendered with plain Jinja2, exactly as test_parsing_macros.py does.
"""

from __future__ import annotations

import math
import random

import duckdb
import jinja2
import pytest
import yaml
from raw_warehouse_builder import DBT_PROJECT_DIR

# Every public macro of macros/parsing/ that takes one text column, with the DuckDB type it returns. A new macro
# fails test_every_single_column_macro_is_covered until it is listed here.
RESULT_TYPES = {
    "clean_text": "VARCHAR",
    "is_blank": "BOOLEAN",
    "normalise_code": "VARCHAR",
    "normalise_kelurahan_name": "VARCHAR",
    "normalise_program_name": "VARCHAR",
    "parse_sex": "VARCHAR",
    "identifier_digits": "VARCHAR",
    "identifier_status": "VARCHAR",
    "identifier_value": "VARCHAR",
    "excel_surviving_digits": "VARCHAR",
    "parse_date": "DATE",
    "parse_int": "INTEGER",
    "parse_int_reason": "VARCHAR",
    "parse_decimal": "DOUBLE",
    "parse_decimal_reason": "VARCHAR",
    "parse_rupiah": "BIGINT",
    "parse_rupiah_reason": "VARCHAR",
    "parse_small_number": "INTEGER",
    "parse_small_number_reason": "VARCHAR",
    "parse_tahap": "VARCHAR",
    "parse_rt": "INTEGER",
    "parse_rw": "INTEGER",
}
# Macros over values already parsed (a valid NIK, a DATE, `L`/`P`), not over raw text, and the DuckDB macro
# definitions of them all.
NOT_OVER_RAW_TEXT = {"nik_birth_check", "duckdb_macro_definitions"}
IDENTIFIER_KINDS = ("nik", "kk", "noka", "nib")
# number parser -> (default bounds, the code of an unparseable value)
NUMBER_PARSERS = {
    "parse_int": ((-2147483648, 2147483647), "invalid_number"),
    "parse_decimal": ((None, None), "invalid_number"),
    "parse_rupiah": ((-1000000000000, 1000000000000), "invalid_amount"),
    "parse_small_number": ((1, 99), "invalid_number"),
}

FRAGMENTS = [
    # numbers as agencies and Excel write them
    "0",
    "1",
    "9",
    "00",
    "007",
    "-0",
    "+1",
    "1.0",
    "3,00",
    "1.500.000",
    "1,500,000.00",
    "1.500.000,-",
    "(1.500.000)",
    "1.5E+6",
    "6.17101E+15",
    "4811e452",
    "1e999",
    "1E-999",
    "E+308",
    "e",
    "E",
    "e+",
    "1e",
    ".5",
    "5.",
    ",",
    ".",
    "99999999999999999999",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "1000000000000",
    "1000000000001",
    # words
    "Rp",
    "Rp.",
    "rp ",
    "IDR",
    "NaN",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "null",
    "NULL",
    "None",
    "#N/A",
    "#VALUE!",
    "true",
    "Tahap",
    "TAHAP",
    "Thp.",
    "ke-",
    "Tahapan",
    "Bulan",
    "BLN",
    "Desember",
    "DES",
    "Mei",
    "Agt.",
    "Triwulan",
    "TW",
    "Kelas",
    "KLS",
    "RT",
    "RW",
    "RT.",
    "rw:",
    "I",
    "III",
    "IV",
    "XX",
    "XXI",
    "M",
    "m2",
    "m²",
    "%",
    "Jumat, ",
    "T",
    "10:30",
    "00:00:00",
    "Sei",
    "KEL. ",
    "SUNGAI",
    "LAKI-LAKI",
    "P",
    "Tahun",
    "'",
    "`",
    # dates
    "2025-12-19",
    "19/12/2025",
    "19 Desember 2025",
    "31-02-2025",
    "46010",
    "46010.0",
    "99999",
    "0000-00-00",
    "2025",
    "1899",
    "2100",
    "9999-99-99",
    # unicode: digits that are not ASCII, letters, combining marks, symbols
    "١٢٣",
    "１２３",
    "²",
    "½",
    "Ⅻ",
    "é",
    "e\u0301",
    "ß",
    "İ",
    "ǅ",
    "\U0001f642",
    "\u2212",
    "٫",
    "\u0660",
    "\u202e",
    # whitespace and control characters
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\u00a0",
    "\ufeff",
    "\u200b",
    "\u3000",
    "\x00",
    "\x01",
    "\x1f",
    "\x7f",
    "\x85",
]
SEPARATORS = ["", "", "", " ", ".", ",", "-", "/", "\u00a0"]


def _digit_run(rng: random.Random) -> str:
    length = rng.choice([1, 2, 3, 5, 9, 10, 13, 15, 16, 17, 19, 20, 39, 309, 400])
    return "".join(rng.choice("0123456789") for _ in range(length))


def _random_codepoints(rng: random.Random) -> str:
    points = [
        rng.choice([rng.randint(1, 0x7F), rng.randint(0x80, 0xD7FF), rng.randint(0xE000, 0x10FFFF)])
        for _ in range(rng.randint(1, 12))
    ]
    return "".join(chr(p) for p in points)


def hostile_strings(count: int = 4000, seed: int = 20251219) -> list[str]:
    rng = random.Random(seed)
    values = list(FRAGMENTS)
    while len(values) < count:
        kind = rng.random()
        if kind < 0.1:
            values.append(_random_codepoints(rng))
            continue
        parts = []
        for _ in range(rng.randint(1, 6)):
            parts.append(_digit_run(rng) if rng.random() < 0.35 else rng.choice(FRAGMENTS))
            parts.append(rng.choice(SEPARATORS))
        values.append("".join(parts))
    return values


@pytest.fixture(scope="module")
def db(macros):
    connection = duckdb.connect()
    connection.execute(macros.duckdb_macro_definitions())
    values = hostile_strings()
    connection.execute("create table hostile as select unnest(?::varchar[]) as v", [values])
    connection.execute("insert into hostile values (null)")
    yield connection
    connection.close()


def _configured_bounds() -> list[tuple]:
    """The column bounds of dbt_project.yml (var tkpkd_bounds): the bounds the base models really pass."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    return [tuple(bounds) for bounds in project["vars"]["tkpkd_bounds"].values()]


def _evaluate(db, expression: str) -> tuple[str, list[tuple]]:
    """Every hostile string through one expression: its DuckDB type and (input, result) pairs."""
    db.execute(f"create or replace temp table results as select v, {expression} as r from hostile")
    (result_type,) = db.execute(
        "select data_type from information_schema.columns where table_name = 'results' and column_name = 'r'"
    ).fetchone()
    return result_type, db.execute("select v, r from results").fetchall()


def test_the_generator_covers_what_broke_and_what_agencies_write():
    values = hostile_strings()
    assert len(values) >= 4000
    for needle in ("99999999999999999999", "4811e452", "1e999", "Rp", "\x00", "NaN", "Desember"):
        assert any(needle in value for value in values), needle
    assert hostile_strings() == values  # seeded: a failure reproduces


def test_every_single_column_macro_is_covered(macros):
    public = {
        name
        for name in dir(macros)
        if not name.startswith("_") and isinstance(getattr(macros, name), jinja2.runtime.Macro)
    }
    assert public - NOT_OVER_RAW_TEXT == set(RESULT_TYPES)


@pytest.mark.parametrize("name", sorted(RESULT_TYPES))
def test_no_string_makes_a_macro_raise_and_the_type_is_right(macros, db, name):
    macro = getattr(macros, name)
    variants = [()]
    if name in ("identifier_status", "identifier_value"):
        variants = [(kind,) for kind in IDENTIFIER_KINDS]
    elif (
        name.removesuffix("_reason") in NUMBER_PARSERS
        and name.removesuffix("_reason") != "parse_rupiah"
    ):
        variants += _configured_bounds()
    for arguments in variants:
        result_type, _ = _evaluate(db, macro("v", *arguments))
        assert result_type == RESULT_TYPES[name], (name, arguments)


@pytest.mark.parametrize("parser", sorted(NUMBER_PARSERS))
def test_numbers_stay_within_bounds_and_every_refused_number_has_a_reason(macros, db, parser):
    (default_bounds, unparseable) = NUMBER_PARSERS[parser]
    variants = [default_bounds] + ([] if parser == "parse_rupiah" else _configured_bounds())
    for low, high in variants:
        bounds = () if (low, high) == default_bounds else (low, high)
        _, values = _evaluate(db, getattr(macros, parser)("v", *bounds))
        _, reasons = _evaluate(db, getattr(macros, f"{parser}_reason")("v", *bounds))
        _, blanks = _evaluate(db, macros.is_blank("v"))
        for (raw, value), (_, reason), (_, blank) in zip(values, reasons, blanks, strict=True):
            if value is not None:
                assert (low is None or value >= low) and (high is None or value <= high), (
                    parser,
                    raw,
                    value,
                )
                assert math.isfinite(value), (parser, raw, value)
            if blank:
                assert value is None and reason is None, (parser, raw)
            else:
                assert (value is None) == (reason is not None), (parser, raw, value, reason)
                assert reason in (None, unparseable, "out_of_range"), (parser, raw, reason)


def test_every_written_tahap_gets_a_label(macros, db):
    _, written = _evaluate(db, "regexp_matches(coalesce(v, ''), '[\\pL\\pN]')")
    _, labels = _evaluate(db, macros.parse_tahap("v"))
    refused = [
        raw
        for (raw, label), (_, has_text) in zip(labels, written, strict=True)
        if has_text and label is None
    ]
    assert refused == []
    # upper case and trimmed as DuckDB sees them (Python's upper() special-cases letters such as `ᾞ`)
    (unnormalised,) = db.execute(
        "select count(*) from results where r <> upper(r) or r <> trim(r) or r like '%  %'"
    ).fetchone()
    assert unnormalised == 0
