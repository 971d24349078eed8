"""The layout of the lurah's workbook: title, frozen header row, widths, typed cells (NIK as text)."""

import datetime as dt
import re
import zipfile

import xlsxwriter
from python_calamine import CalamineWorkbook

from orchestration.exports.kelurahan import Column, _Writer, period_label, slug


def _sheet_xml(path, index=1):
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode()


def test_a_sheet_has_a_title_notes_and_a_frozen_filterable_header(tmp_path):
    path = tmp_path / "book.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    columns = (
        Column("Nama", 30),
        Column("NIK", 20),
        Column("Tanggal", 14, "date"),
        Column("Cakupan", 10, "percent"),
    )
    rows = [["SITI", "6171015911730037", dt.date(2025, 8, 26), 0.5], ["BUDI", None, None, None]]
    _Writer(workbook).sheet(
        "Daftar Kasus Ekstrem",
        "Judul - Periode 2025-12",
        ["Catatan"],
        columns,
        rows,
        confidential=True,
    )
    workbook.close()

    values = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Daftar Kasus Ekstrem").to_python()
    )
    assert values[0][0] == "Judul - Periode 2025-12"
    assert values[1][0].startswith("RAHASIA")
    assert values[2][0] == "Catatan"
    assert values[4] == ["Nama", "NIK", "Tanggal", "Cakupan"]
    # A 16-digit NIK survives as text (a number would lose its last digit in Excel).
    assert values[5][:3] == ["SITI", "6171015911730037", dt.date(2025, 8, 26)]
    assert values[6][0] == "BUDI"

    sheet = _sheet_xml(path)
    # The pane is frozen below the header row (row 5, so the top-left cell of the scrolling part is A6).
    assert re.search(
        r'<pane ySplit="5" topLeftCell="A6" activePane="bottomLeft" state="frozen"/>', sheet
    )
    assert '<autoFilter ref="A5:D7"/>' in sheet
    assert re.search(r'<col min="1" max="1" width="30\.7', sheet)


def test_folder_names_and_period_labels_are_for_people():
    assert slug("Sungaijawi Dalam") == "sungaijawi-dalam"
    assert slug("Banjar Serasan") == "banjar-serasan"
    assert period_label("2025-12") == "2025-12 (Desember 2025)"
