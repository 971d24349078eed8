"""File builders and queries shared by the ingestion tests (a uniquely named module, unlike conftest)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import duckdb
import xlsxwriter

NOW = dt.datetime(2025, 12, 1, 8, 0, 0)

BANSOS_HEADER = [
    "NO",
    "NIK",
    "NO_KK",
    "NAMA_PENERIMA",
    "PROGRAM",
    "TAHAP",
    "NILAI",
    "TANGGAL_SALUR",
    "STATUS",
]
DUKCAPIL_HEADER = ["NIK", "NO_KK", "NAMA_LGKP", "JENIS_KLMIN", "TGL_LHR", "STATUS"]
JKN_HEADER = ["NOKA", "NIK", "NAMA", "SEGMEN", "STATUS_PESERTA", "TMT"]


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\n",
    final_newline: bool = True,
) -> Path:
    """Rows joined naively (tests choose values that need no quoting unless they quote them themselves)."""
    text = newline.join(
        delimiter.join("" if cell is None else str(cell) for cell in row) for row in rows
    )
    if final_newline:
        text += newline
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_xlsx(
    path: Path, sheets: dict[str, Sequence[Sequence[object]]], start_row: int = 0
) -> Path:
    """One workbook; each sheet's rows written from `start_row` (0-based), None leaves a cell empty.

    Dates get a date format, as Excel gives them; numbers stay numbers (an NIK typed as a number).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    datetime_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(start_row + r, c, value, datetime_format)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(start_row + r, c, value, date_format)
                else:
                    sheet.write(start_row + r, c, value)
    workbook.close()
    return path


def raw_rows(
    conn: duckdb.DuckDBPyConnection, source: str, columns: str = "*", where: str = "true"
) -> list[dict]:
    cursor = conn.execute(
        f"select {columns} from raw.{source} where {where} order by _source_file, _row_number"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def ingested(conn: duckdb.DuckDBPyConnection, source: str | None = None) -> list[dict]:
    where = "true" if source is None else f"source = '{source}'"
    cursor = conn.execute(f"select * from raw.ingested_files where {where} order by source_file")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def bansos_rows(n: int = 2) -> list[list[object]]:
    return [
        [
            i + 1,
            f"617101570845{i:04d}",
            f"617101010101{i:04d}",
            f"Penerima {i}",
            "PKH",
            "1",
            "750000",
            "2025-03-19",
            "SALUR",
        ]
        for i in range(n)
    ]


def dukcapil_rows(n: int = 2) -> list[list[object]]:
    return [
        [
            f"617101570845{i:04d}",
            f"617101010101{i:04d}",
            f"WARGA {i}",
            "LAKI-LAKI",
            "01-01-1980",
            "HIDUP",
        ]
        for i in range(n)
    ]
