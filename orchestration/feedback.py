"""Feedback workbooks (umpan balik): what each agency must fix in its delivery of a period, in plain Indonesian.

One workbook per source and period: a source is one delivery channel of one agency (the contract's `agency`), so
a workbook goes to exactly the desk that sent the rows, and it holds personal data of that delivery only. A workbook
is written only where there is something to fix (a rejected file or a quarantined row); a workbook of an earlier run
whose source and period are now clean is removed, so the folder always says what is still wrong.

    <exports>/feedback/<source>/<period>/umpan_balik_<source>_<period>.xlsx
      Ringkasan        the counts of the delivery
      File Ditolak     each rejected file and why
      Baris Karantina  each quarantined row: file, row number, reason, the failing column and value, then the
                       row's original values, one column per contract column
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.contract import load_contract

FEEDBACK_FOLDER = "feedback"


@dataclass(frozen=True)
class Workbook:
    source: str
    period: str
    path: Path
    rejected_files: int
    quarantined_rows: int


def _rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list) -> list[dict]:
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _quarantined(connection: duckdb.DuckDBPyConnection, source: str, period: str) -> list[dict]:
    return _rows(
        connection,
        """
        select source_file, row_number, reason_code, reason_text, failed_column, failed_value, raw_values
        from quarantine.quarantined_rows
        where source = ? and period = ?
        order by source_file, row_number
        """,
        [source, period],
    )


def _rejected(connection: duckdb.DuckDBPyConnection, source: str, period: str) -> list[dict]:
    return _rows(
        connection,
        """
        select source_file, reason_code, coalesce(reason_message, reason_code) as reason_message
        from raw.ingested_files
        where source = ? and coalesce(period, 'unknown') = ? and status = 'rejected'
        order by source_file
        """,
        [source, period],
    )


def _summary(connection: duckdb.DuckDBPyConnection, source: str, period: str) -> list[tuple[str, int]]:
    files = connection.execute(
        "select count(*), count(*) filter (where status = 'rejected') from raw.ingested_files "
        "where source = ? and coalesce(period, 'unknown') = ?",
        [source, period],
    ).fetchone()
    rows = connection.execute(
        "select count(*), count(*) filter (where outcome = 'accepted'), count(*) filter (where outcome = 'quarantined'),"
        " count(*) filter (where outcome = 'non_data') from staging.stg_row_outcomes "
        "where source = ? and coalesce(_period, 'unknown') = ?",
        [source, period],
    ).fetchone()
    return [
        ("File diterima", files[0]),
        ("File ditolak", files[1]),
        ("Baris diterima", rows[0]),
        ("Baris lolos", rows[1]),
        ("Baris dikarantina (perlu diperbaiki)", rows[2]),
        ("Baris bukan data (judul, kosong, JUMLAH)", rows[3]),
    ]


def _write(path: Path, agency: str, source: str, period: str, summary, rejected, quarantined, columns) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp.xlsx")
    with xlsxwriter.Workbook(str(temporary)) as book:
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        text = book.add_format({"num_format": "@"})

        def sheet(name: str, headers: list[str], rows: list[list], widths: list[int]):
            worksheet = book.add_worksheet(name)
            worksheet.write_row(0, 0, headers, bold)
            for index, row in enumerate(rows, start=1):
                for column, value in enumerate(row):
                    # Every value as text: a NIK must never be turned into a number again (M1).
                    worksheet.write_string(index, column, "" if value is None else str(value), text)
            for column, width in enumerate(widths):
                worksheet.set_column(column, column, width)
            worksheet.freeze_panes(1, 0)
            worksheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)

        sheet(
            "Ringkasan",
            ["Keterangan", "Nilai"],
            [["Instansi", agency], ["Sumber data", source], ["Periode", period], *[[k, v] for k, v in summary]],
            [42, 50],
        )
        sheet(
            "File Ditolak",
            ["File", "Kode alasan", "Alasan"],
            [[r["source_file"], r["reason_code"], r["reason_message"]] for r in rejected],
            [50, 24, 100],
        )
        fixed = ["File", "Nomor baris", "Kode alasan", "Alasan", "Kolom bermasalah", "Nilai bermasalah"]
        rows = []
        for row in quarantined:
            original = json.loads(row["raw_values"]) if row["raw_values"] else {}
            rows.append([
                row["source_file"], row["row_number"], row["reason_code"], row["reason_text"],
                row["failed_column"], row["failed_value"], *[original.get(column) for column in columns],
            ])
        sheet("Baris Karantina", fixed + columns, rows, [40, 12, 20, 70, 22, 22] + [18] * len(columns))
    temporary.replace(path)


def write_feedback_workbooks(connection: duckdb.DuckDBPyConnection, exports: Path) -> list[Workbook]:
    """Write the workbook of every source and period with something to fix; remove the stale ones."""
    contract = load_contract()
    root = exports / FEEDBACK_FOLDER
    todo = connection.execute(
        """
        select source, period from quarantine.quarantined_rows group by source, period
        union
        select source, coalesce(period, 'unknown') from raw.ingested_files where status = 'rejected'
        order by 1, 2
        """
    ).fetchall()
    written = []
    for source, period in todo:
        spec = contract.get(source)
        quarantined = _quarantined(connection, source, period)
        rejected = _rejected(connection, source, period)
        columns = [column.name for column in spec.columns] if spec else []
        path = root / source / period / f"umpan_balik_{source}_{period}.xlsx"
        _write(path, spec.agency if spec else source, source, period, _summary(connection, source, period),
               rejected, quarantined, columns)
        written.append(Workbook(source, period, path, len(rejected), len(quarantined)))
    keep = {workbook.path for workbook in written}
    for stale in root.glob("*/*/umpan_balik_*.xlsx") if root.exists() else []:
        if stale not in keep:
            stale.unlink()
    return written
