"""Every sheet of every workbook prints: A4 landscape, one page wide, the header row on every page and tall enough
for its wrapped headers, counts as number cells. Read back with openpyxl, as a spreadsheet program reads them."""

import datetime as dt
from pathlib import Path

import openpyxl
import xlsxwriter

from orchestration.exports.common import A4_PAPER, LINE_POINTS, wrapped_lines
from orchestration.exports.feedback import write_feedback_workbooks
from orchestration.exports.kelurahan import CASE_COLUMNS, Column, _Writer
from tests.serving.test_feedback import feedback_tables

# What a spreadsheet program gives a column without a width of its own, and a row without a height (xlsxwriter
# leaves a height of 15 out as the default).
DEFAULT_COLUMN_WIDTH = 8.43
DEFAULT_ROW_HEIGHT = 15


def _column_width(sheet, index: int) -> float:
    for dimension in sheet.column_dimensions.values():
        if dimension.min and dimension.min <= index <= dimension.max and dimension.width:
            return dimension.width
    return DEFAULT_COLUMN_WIDTH


def row_height(sheet, row: int) -> float:
    return sheet.row_dimensions[row].height or DEFAULT_ROW_HEIGHT


def header_row(sheet) -> int:
    """The row printed on top of every page (print titles `5:5` -> 5, one-based)."""
    first, last = sheet.print_title_rows.replace("$", "").split(":")
    assert first == last, f"{sheet.title}: print titles span several rows"
    return int(first)


def assert_prints_on_a4(path: Path) -> None:
    """Every sheet of the workbook at `path` is set up for paper."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        where = f"{path.name}, sheet {sheet.title}"
        setup = sheet.page_setup
        assert int(setup.paperSize) == A4_PAPER, where
        assert setup.orientation == "landscape", where
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, where
        # An absent fitToWidth is 1 in OOXML (xlsxwriter leaves it out); fitToHeight 0 is "as many pages as needed".
        fit_to_width = 1 if setup.fitToWidth is None else int(setup.fitToWidth)
        assert (fit_to_width, int(setup.fitToHeight)) == (1, 0), where
        assert sheet.print_options.gridLines, where
        row = header_row(sheet)
        headers = [cell.value for cell in sheet[row]]
        assert headers and all(isinstance(header, str) for header in headers), where
        widths = [_column_width(sheet, index) for index in range(1, len(headers) + 1)]
        assert row_height(sheet, row) == LINE_POINTS * wrapped_lines(headers, widths), where


def number_cells(path: Path, sheet_name: str, header: str) -> list:
    """The values under `header` of the sheet, as openpyxl reads them (blank cells left out)."""
    sheet = openpyxl.load_workbook(path)[sheet_name]
    row = header_row(sheet)
    column = [cell.value for cell in sheet[row]].index(header) + 1
    return [
        cell.value
        for (cell,) in sheet.iter_rows(min_row=row + 1, min_col=column, max_col=column)
        if cell.value is not None
    ]


def test_the_lurah_sheet_prints_on_a4_with_its_tallest_header_on_every_page(tmp_path):
    path = tmp_path / "book.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    row = [1, "SITI", "6171015911730037", "6171010101010001", "JL. A", 3, 5, 1, 4, "Terverifikasi",
           dt.date(2025, 8, 26), 2, "Pangan, Air Bersih", "Pangan: Dinas Sosial; Air Bersih: PDAM; Sanitasi: Dinas PUPR"]
    _Writer(workbook).sheet("Daftar Kasus Ekstrem", "Judul", ["Catatan"], CASE_COLUMNS, [row], confidential=True)
    workbook.close()

    assert_prints_on_a4(path)
    sheet = openpyxl.load_workbook(path).active
    # Title, confidential note, note, a blank row, then the header (row 5), repeated on every page.
    assert header_row(sheet) == 5
    # `Jumlah Kebutuhan Belum Terpenuhi` in 10 characters wraps to four lines.
    assert row_height(sheet, 5) == 4 * 15
    # A data row as tall as its longest wrapped text (the agencies, 62 characters in 40): LibreOffice would print
    # the second line over the next row otherwise.
    assert row_height(sheet, 6) == 2 * 15
    assert number_cells(path, "Daftar Kasus Ekstrem", "Jumlah Anggota") == [4]
    assert number_cells(path, "Daftar Kasus Ekstrem", "NIK Kepala Keluarga") == ["6171015911730037"]


def test_a_one_line_header_keeps_one_line_of_height(tmp_path):
    path = tmp_path / "book.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    _Writer(workbook).sheet("Data", "Judul", [], (Column("RT", 6, "number"),), [[3]], confidential=False)
    workbook.close()
    assert_prints_on_a4(path)
    sheet = openpyxl.load_workbook(path).active
    assert row_height(sheet, header_row(sheet)) == 15


def test_every_feedback_sheet_prints_on_a4_and_counts_are_numbers(tmp_path):
    connection = feedback_tables()
    connection.execute(
        "insert into quarantine.quarantined_rows values ('bansos', 'bansos/2025-03/salur.xlsx', '2025-03', 7, "
        "'invalid_nik', 'NIK harus 16 angka dengan tanggal lahir yang mungkin; periksa kembali KTP penerima', "
        "'nik', '6171015911730037', "
        "'{\"nik\": \"6171015911730037\", \"nilai\": \"600000\"}')"
    )
    connection.execute(
        "insert into staging.stg_row_outcomes values ('bansos', 'bansos/2025-03/salur.xlsx', '2025-03', 'quarantined')"
    )
    (workbook,) = write_feedback_workbooks(connection, tmp_path)

    assert_prints_on_a4(workbook.path)
    book = openpyxl.load_workbook(workbook.path)
    assert book.sheetnames == ["Ringkasan", "File Ditolak", "Baris Karantina"]
    summary = dict(book["Ringkasan"].iter_rows(min_row=2, values_only=True))
    assert summary["Baris diterima"] == 1 and summary["File ditolak"] == 0
    assert summary["Periode"] == "2025-03"
    assert number_cells(workbook.path, "Baris Karantina", "Nomor baris") == [7]
    # The 82-character reason wraps to three lines of its 40-character column, and its row is that tall.
    assert row_height(book["Baris Karantina"], 2) == 3 * 15
    # What the agency sent stays text, digits included.
    assert number_cells(workbook.path, "Baris Karantina", "nik") == ["6171015911730037"]
    assert number_cells(workbook.path, "Baris Karantina", "nilai") == ["600000"]
    # `Baris dikarantina (perlu diperbaiki)` is the longest header of the summary: 42 characters hold it on one line.
    assert row_height(book["Ringkasan"], 1) == 15


def test_a_row_is_as_many_lines_as_textwrap_makes_of_its_longest_cell():
    import textwrap

    texts = ["", " ", "\n", "\u00a0", "a", "x" * 9, "x" * 10, "x" * 11, "ab cd ef gh", "ab\tcd", "\tx", " " * 12,
             "satu dua tiga empat lima enam", "a\nb", "x" * 25]
    for text in texts:
        expected = len(textwrap.wrap(text, 9)) or 1
        assert wrapped_lines([text, 7], [10, 10]) == expected, repr(text)
