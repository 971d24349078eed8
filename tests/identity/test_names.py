"""Name normalisation: each rule, and the SQL form agreeing with the Python form."""

import duckdb
import pytest

from orchestration.identity.names import normalise_name, normalise_name_sql

CASES = [
    ("Rina Wati", "RINA WATI"),  # case
    ("  rina   wati ", "RINA WATI"),  # spacing
    ("Hj. Hafsah Safitri", "HAFSAH SAFITRI"),  # religious title
    ("H. Abdul Rahman Hamzah", "ABDUL RAHMAN HAMZAH"),
    ("Drs. H. Usman", "USMAN"),  # several titles in a row
    ("Prof. Dr. Ir. Budiman", "BUDIMAN"),
    ("Rina Wati, S.Pd", "RINA WATI"),  # academic degree after a comma
    ("JOKO, S.T.", "JOKO"),
    ("Syarifah Norma Al Idrus", "SYARIFAH NORMA AL IDRUS"),  # hereditary title kept
    ("Uray Hendra", "URAY HENDRA"),
    ("Ma’ruf", "MARUF"),  # curly apostrophe
    ("Ma'ruf", "MARUF"),
    ("Mâ'rùf", "MARUF"),  # accents
    ("Moh. Hasan", "MUHAMAD HASAN"),  # Muhammad spellings
    ("Mochammad Hasan", "MUHAMAD HASAN"),
    ("Muhammad Hasan", "MUHAMAD HASAN"),
    ("Abd. Rahem", "ABDUL RAHEM"),
    ("Soekarno", "SUKARNO"),  # pre-1972 spelling
    ("Djoko Tjahjono", "JOKO CAHJONO"),
    ("Chadijah", "KHADIJAH"),
    ("Sitti Aminah", "SITI AMINAH"),  # doubled letters
    ("Hamid", "HAMID"),  # H only as a whole word is a title
    ("H.", None),  # nothing left
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("name", "expected"), CASES)
def test_normalise_name(name, expected):
    assert normalise_name(name) == expected


def test_sql_form_agrees_with_python_form():
    expression = normalise_name_sql("name")
    with duckdb.connect() as con:
        for name, expected in CASES:
            ((got,),) = con.execute(f"select {expression} from (select cast(? as varchar) as name)", [name]).fetchall()
            assert got == expected, name


def test_variants_of_one_name_meet():
    spellings = ["MOH. ABD. RAHMAN", "Muhammad Abdul Rahman", "H. Mochammad Abdoel Rahman, S.E."]
    assert len({normalise_name(s) for s in spellings}) == 1
