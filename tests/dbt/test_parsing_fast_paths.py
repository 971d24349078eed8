"""Each parser's fast path (macros/parsing/: a value already in its usual form is read directly) gives exactly what
its general path gives, over the hostile strings of test_parsing_totality.py and over values shaped like each fast
path's form and its near misses: the fast paths change the cost of parsing, never a result."""

from __future__ import annotations

import itertools
import random

import duckdb
import pytest
from test_parsing_totality import hostile_strings

from orchestration.dbt_plugins.parsing_macros import (
    duckdb_macro_definitions,
    parsing_macro_template,
)

# (fast path, general path, the form the fast path reads) as calls of the macros of macros/parsing/ over `v`.
PATHS = [
    ("_clean_text_sql('v')", "_clean_text_in_any_form('v')", r"\S+( \S+)*"),
    ("_normalise_code_sql('v')", "_normalise_code_in_any_form('v')", r"[A-Z0-9]+([ _][A-Z0-9]+)*"),
    (
        "_normalise_kelurahan_name_sql('v')",
        "_normalise_kelurahan_name_in_any_form('v')",
        r"[A-Za-z]+( [A-Za-z]+)*",
    ),
    ("_sex_key('v')", "_sex_key_in_any_form('v')", r"[A-Z0-9]+(-[A-Z0-9]+)*"),
    ("_identifier_digits_sql('v')", "_identifier_digits_in_any_form('v')", r"[0-9]+"),
    *[
        (f"_identifier_status_sql('v', '{kind}', {length})", f"_identifier_status_in_any_form('v', '{kind}', {length})", r"[0-9]+")
        for kind, length in [("nik", 16), ("kk", 16), ("noka", 13), ("nib", 13)]
    ],
    ("_parse_date_sql('v')", "_parse_date_in_any_form('v')", r"\d{2}[-/]\d{2}[-/](19|20)\d{2}"),
    ("_parse_date_sql('v')", "_parse_date_in_any_form('v')", r"(19|20)\d{2}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?"),
    ("_rt_rw_part('v', 'RT', 1)", "_rt_rw_part_in_any_form('v', 'RT', 1)", r"\d{1,3}"),
    ("_rt_rw_part('v', 'RW', 2)", "_rt_rw_part_in_any_form('v', 'RW', 2)", r"\d{1,3}"),
]


def _render(call: str) -> str:
    """One call of a parsing macro, private ones included, rendered as dbt renders it."""
    return parsing_macro_template(after="{{ " + call + " }}").render()


def _shaped_values(seed: int = 20261207) -> list[str]:
    """Values in each fast path's form, valid or not, and one character away from it."""
    rng = random.Random(seed)
    two_digits = [f"{number:02d}" for number in range(100)]
    years = ["1899", "1900", "1999", "2000", "2024", "2099", "2100", "0000"]
    values = [
        f"{day}{first}{month}{second}{year}"
        for day, month in itertools.product(two_digits, two_digits)
        for first, second in [("-", "-"), ("/", "/"), ("-", "/"), (".", ".")]
        for year in rng.sample(years, 2)
    ]
    values += [
        f"{year}-{month}-{day}{time}"
        for month, day in itertools.product(two_digits, two_digits)
        for year in rng.sample(years, 2)
        for time in rng.sample(["", " 00:00:00", " 23:59:59", "T10:30", " 7:05"], 2)
    ]
    values += [str(number).zfill(width) for number in range(1000) for width in (1, 3, 4)]
    values += ["".join(rng.choice("0123456789") for _ in range(rng.choice([12, 13, 14, 15, 16, 17]))) for _ in range(5000)]
    words = ["KEPALA", "KELUARGA", "Kel", "KEL", "Kelurahan", "Sei", "SEI", "sgi", "Sg", "Sungai", "Jawi", "Dalam",
             "Siantan", "Hulu", "LAKI", "PEREMPUAN", "L", "P", "1", "2", "ISTRI", "ANAK", "é", "Ä", "x1", "_", "-"]
    for _ in range(20000):
        parts = [rng.choice(words) for _ in range(rng.randint(1, 4))]
        values.append("".join(part + rng.choice([" ", " ", "_", "-", "", "  ", ".", ". "]) for part in parts).strip(" "))
    return values


@pytest.fixture(scope="module")
def db():
    connection = duckdb.connect()
    connection.execute(duckdb_macro_definitions())
    values = hostile_strings() + _shaped_values()
    connection.execute("create table corpus as select distinct unnest(?::varchar[]) as v", [values])
    connection.execute("insert into corpus values (null)")
    yield connection
    connection.close()


@pytest.mark.parametrize("fast, general, form", PATHS)
def test_the_fast_path_gives_what_the_general_path_gives(db, fast, general, form):
    fast_sql, general_sql = _render(fast), _render(general)
    assert fast_sql != general_sql
    (in_form,) = db.execute("select count(*) from corpus where regexp_full_match(v, ?)", [form]).fetchone()
    assert in_form >= 200, f"the corpus has only {in_form} values in the form {form}"
    differences = db.execute(
        f"select v, {fast_sql} as fast, {general_sql} as general from corpus "
        f"where ({fast_sql}) is distinct from ({general_sql}) limit 5"
    ).fetchall()
    assert not differences
