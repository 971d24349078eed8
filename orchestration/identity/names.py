"""Personal names as compared in record linkage, one rule list for Python (tests, small inputs) and SQL (the
linkage itself runs it inside DuckDB over every name at once).

What is dropped or unified, and why:
- case, accents, apostrophes (`Ma’ruf` = `MARUF`): registers differ in encoding and care;
- an academic degree after a comma (`Rina Wati, S.Pd`) and religious or academic titles before or in the name
  (H., Hj., Drs., Dra., Dr., Ir., Prof., K.H., Ust.): they come and go between registers for the same person;
- hereditary Malay titles (Uray, Utin, Syarif, Syarifah) are kept: they are part of the name on the KTP;
- common Indonesian spelling variants: the pre-1972 spelling (`OE` -> `U`, `DJ` -> `J`, `TJ` -> `C`, `CH` -> `KH`
  at the start of a word, `SJ` -> `SY`), and the many spellings of Muhammad and Abdul (`MOH.`, `MOCH`, `MUH`,
  `MUHAMAD`, `MOHAMMAD`, `ABD.`), and doubled letters (`SITTI` = `SITI`, `ZULKIFLI` unchanged);
- spacing: words are joined by one space.
The result is NULL when nothing is left.
"""

from __future__ import annotations

import re
import unicodedata

# Whole words removed (after punctuation became spaces). Only titles, never a word that is also a given name.
TITLES = ("H", "HJ", "HAJI", "HAJJAH", "DRS", "DRA", "DR", "IR", "PROF", "KH", "UST", "USTADZ", "USTADZAH")

# (pattern, replacement), applied in order to the upper-cased, title-free name with single spaces and a leading and
# trailing space (so `\b` is not needed: RE2 and Python agree on plain spaces).
SPELLING_VARIANTS: tuple[tuple[str, str], ...] = (
    (" (MOH|MOCH|MOCHAMAD|MOCHAMMAD|MOHAMAD|MOHAMMAD|MOHAMMED|MUH|MUHAMAD|MUHAMMED|MUHD|MHD|MUCHAMAD|MUCHAMMAD) ",
     " MUHAMMAD "),
    (" (ABD|ABDOEL|ABDUL) ", " ABDUL "),
    ("OE", "U"),
    ("DJ", "J"),
    ("TJ", "C"),
    ("SJ", "SY"),
    (" CH", " KH"),
    ("([A-Z])\\1", "\\1"),
)


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def normalise_name(name: str | None) -> str | None:
    """The comparable form of a personal name (see the module docstring)."""
    if name is None:
        return None
    text = _fold(name).split(",", 1)[0]
    text = re.sub("['`\u2018\u2019]", "", text)
    text = re.sub("[^A-Z]+", " ", text)
    words = [w for w in text.split() if w not in TITLES]  # every title, wherever it stands
    text = " " + " ".join(words) + " "
    for pattern, replacement in SPELLING_VARIANTS:
        # a variant can be next to another (`MOH ABD`): apply twice so overlapping spaces are both seen
        text = re.sub(pattern, replacement, text)
        text = re.sub(pattern, replacement, text)
    text = text.strip()
    return text or None


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def normalise_name_sql(column: str) -> str:
    """The same normalisation as a DuckDB SQL expression over `column` (RE2 regular expressions)."""
    titles = "|".join(TITLES)
    expr = f"upper(strip_accents(coalesce(cast({column} as varchar), '')))"
    expr = f"split_part({expr}, ',', 1)"
    expr = f"regexp_replace({expr}, '[''`\u2018\u2019]', '', 'g')"
    expr = f"regexp_replace({expr}, '[^A-Z]+', ' ', 'g')"
    # titles: pad with spaces and remove ` TITLE ` three times (adjacent titles share the space between them)
    expr = f"(' ' || trim({expr}) || ' ')"
    for _ in range(3):
        expr = f"regexp_replace({expr}, ' ({titles}) ', ' ', 'g')"
    expr = f"(' ' || trim(regexp_replace({expr}, ' +', ' ', 'g')) || ' ')"
    for pattern, replacement in SPELLING_VARIANTS:
        if "\\1" in pattern:
            # RE2 has no back-references: collapse each doubled letter explicitly
            for _ in range(2):
                for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
                    expr = f"replace({expr}, '{letter}{letter}', '{letter}')"
            continue
        for _ in range(2):
            expr = f"regexp_replace({expr}, {_sql_literal(pattern)}, {_sql_literal(replacement)}, 'g')"
    return f"nullif(trim({expr}), '')"
