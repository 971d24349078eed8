"""Writing rendered files as CSV, XLSX or Parquet, and the broken files of M12.

Writers follow the layout the renderer computed (header row, data rows, empty rows, total row) and never decide
anything themselves, so the ground truth's row numbers and the file agree by construction. Output is byte-for-byte
reproducible: CSV is plain text, XLSX gets a fixed creation time (xlsxwriter then also fixes the zip entries'
times), Parquet is written without pandas metadata.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from tkpkd_synth.defects import DATE_CELL, NUMBER, TEXT, Rendered

STREAMING_ROWS = 20_000
# Workbooks record when they were made; a fixed time keeps repeated runs identical.
WORKBOOK_CREATED = dt.datetime(2025, 1, 1, 8, 0, 0)

HTML_ERROR_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>502 Bad Gateway</title></head>
<body><h1>502 Bad Gateway</h1>
<p>SIKS-NG: permintaan unduhan gagal diproses. Silakan ulangi beberapa saat lagi.</p>
<hr><center>nginx</center></body></html>
"""


def write(rendered: Rendered, path: Path, scratch: Path) -> None:
    """Write one file; `scratch` takes the temporary files big workbooks stream through (and are removed)."""
    fmt = rendered.layout.format
    if fmt == "csv":
        _write_csv(rendered, path)
    elif fmt == "xlsx":
        _write_xlsx(rendered, path, scratch)
    elif fmt == "parquet":
        _write_parquet(rendered, path)
    else:
        raise ValueError(f"Unknown format {fmt!r}")


def _write_csv(rendered: Rendered, path: Path) -> None:
    layout = rendered.layout
    encoding = "utf-8-sig" if layout.bom else layout.encoding
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=layout.delimiter, lineterminator=layout.line_terminator)
        writer.writerow(rendered.headers)
        writer.writerows(zip(*(column.tolist() for column in rendered.cells)))


def _write_parquet(rendered: Rendered, path: Path) -> None:
    table = pa.table({header: pa.array(column.tolist(), type=pa.string())
                      for header, column in zip(rendered.headers, rendered.cells)})
    pq.write_table(table, path)


def _write_xlsx(rendered: Rendered, path: Path, scratch: Path) -> None:
    layout = rendered.layout
    # Big sheets stream row by row through a temporary file; small ones are faster built in memory.
    streaming = rendered.n_rows > STREAMING_ROWS
    workbook = xlsxwriter.Workbook(str(path), {
        "constant_memory": streaming, "in_memory": not streaming, "tmpdir": str(scratch),
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    })
    workbook.set_properties({"created": WORKBOOK_CREATED, "author": "Operator", "company": "Pemerintah Kota Pontianak"})
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    if layout.cover:
        cover = workbook.add_worksheet("PETUNJUK")
        for row, line in enumerate(layout.cover):
            cover.write_string(row, 0, line, bold if row == 0 else None)
    sheet = workbook.add_worksheet(layout.sheet)
    n_columns = len(rendered.headers)
    for row, line in enumerate(layout.title):
        if layout.merged_title and n_columns > 1:
            sheet.merge_range(row, 0, row, n_columns - 1, line, bold)
        else:
            sheet.write_string(row, 0, line, bold)
    sheet.write_row(layout.header_row - 1, 0, rendered.headers, bold)

    columns = [(c, cells.tolist(), kinds.tolist()) for c, (cells, kinds) in enumerate(zip(rendered.cells, rendered.kinds))]
    write_string, write_number = sheet.write_string, sheet.write_number
    for j, excel_row in enumerate(layout.data_rows.tolist()):
        row = excel_row - 1
        for c, cells, kinds in columns:
            kind = kinds[j]
            if kind == TEXT:
                value = cells[j]
                if value:
                    write_string(row, c, value)
            elif kind == NUMBER:
                write_number(row, c, cells[j])
            elif kind == DATE_CELL:
                write_number(row, c, cells[j], date_format)
    if layout.total_row is not None and rendered.total_cells is not None:
        row = layout.total_row - 1
        for c, value in enumerate(rendered.total_cells):
            if isinstance(value, tuple):
                formula, cached = value
                sheet.write_formula(row, c, formula, bold, cached)
            elif value is not None:
                sheet.write_string(row, c, value, bold)
    workbook.close()


def write_truncated_copy(source: Path, target: Path) -> None:
    """A download or upload cut off half-way: CSV ends in the middle of a row, XLSX in the middle of its zip."""
    data = source.read_bytes()
    cut = len(data) // 2
    if source.suffix == ".csv":
        line_start = data.rfind(b"\n", 0, cut) + 1
        line_end = data.find(b"\n", cut)
        line_end = len(data) if line_end < 0 else line_end
        cut = max(line_start + 1, (line_start + line_end) // 2)
    target.write_bytes(data[:cut])


def write_html_error_page(target: Path) -> None:
    target.write_text(HTML_ERROR_PAGE, encoding="utf-8")


def write_empty(target: Path) -> None:
    target.write_bytes(b"")
