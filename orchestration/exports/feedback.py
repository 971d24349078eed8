"""Feedback workbooks (umpan balik): what each agency must fix in its delivery of a period, in plain Indonesian.

One workbook per source and period: a source is one delivery channel of one agency (the contract's `agency`), so
a workbook goes to exactly the desk that sent the rows, and it holds personal data of that delivery only. Where each
file has its own sender (the contract's `sender_per_file`: one verification file per kelurahan, one file per
pentahelix partner), one workbook per file instead, so no kelurahan or partner sees another's rows. A workbook
is written only where there is something to fix (a rejected file or a quarantined row); a workbook of an earlier run
whose source and period are now clean is removed, so the folder always says what is still wrong.

    <exports>/feedback/<source>/<period>/umpan_balik_<source>_<period>.xlsx
    <exports>/feedback/<source>/<period>/umpan_balik_<source>_<period>_<file>.xlsx   (sender_per_file)
      Ringkasan        the counts of the delivery
      File Ditolak     each rejected file and why
      Baris Karantina  each quarantined row: file, row number, reason, the failing column and value, then the
                       row's original values, one column per contract column

Counts and row numbers are number cells; every value an agency sent stays a text cell. Every sheet prints on A4
landscape, one page wide, its header row on every page (`common.set_print_layout`).

Files outside every source folder of the contract (an unknown inbox folder, a file directly in the inbox) have no
agency to send them back to: they go, per period, to the TKPKD operator's own workbook
`<exports>/feedback/_inbox/<period>/umpan_balik__inbox_<period>.xlsx` (period `unknown` when they lie in no period
folder), the same source `_inbox` under which rpt_data_quality lists them.

`<file>` is a bounded slug of the file's path inside its period folder, subfolders included (`mitra/2026-03/
yayasan/data.xlsx` gives `yayasan-data`): ASCII letters, digits, `_` and `-` only, at most `FILE_SLUG_MAX_CHARS`
characters. Where the slug had to be shortened, lost every character, or two files of one delivery folder give the
same slug (`a/data.xlsx` and `b/data.csv` do not, `data.csv` and `data.xlsx` do), it ends in `-` and 8 hex
digits of the SHA-1 of the file's inbox path, so every file keeps its own workbook and every name stays far below
the 255-byte limit of file systems.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.contract import load_contract
from orchestration.exports.common import (
    STAGING_FOLDER,
    XLSX_OPTIONS,
    atomic_file,
    fit_row_height,
    guard_formula,
    remove_stale,
    set_print_layout,
    sweep_debris,
)
from orchestration.ingestion.report import INBOX_ROOT_SOURCE

FEEDBACK_FOLDER = "feedback"
FILE_SLUG_MAX_CHARS = 80
_HASH_CHARS = 8
OUTSIDE_SOURCES_RECIPIENT = "TKPKD (operator): file di luar folder sumber data"


@dataclass(frozen=True)
class Workbook:
    source: str
    period: str
    source_file: str | None  # set where the source's files each have their own sender
    path: Path
    rejected_files: int
    quarantined_rows: int


def _reported_source(sources) -> str:
    """SQL: the source a raw.ingested_files row is reported under: its own, or `_inbox` when not in the contract."""
    known = ", ".join("'" + name.replace("'", "''") + "'" for name in sources)
    return f"case when source in ({known}) then source else '{INBOX_ROOT_SOURCE}' end"


class _ByDelivery:
    """Rows keyed by (source, period, source_file), read once for all workbooks rather than four queries per
    workbook (one of them a scan of the row-outcomes view over every base table).

    A delivery is a source and period and, where each file has its own sender, the file (None: every file)."""

    def __init__(self, rows) -> None:
        self._files: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for source, period, source_file, *values in rows:
            self._files[(source, period)][source_file].append(values)

    def rows(self, source: str, period: str, source_file: str | None) -> list[list]:
        files = self._files.get((source, period), {})
        chosen = [source_file] if source_file is not None else sorted(files, key=lambda name: (name is None, name))
        return [values for name in chosen for values in files.get(name, [])]

    def totals(self, source: str, period: str, source_file: str | None, width: int) -> list[int]:
        return [sum(values[i] for values in self.rows(source, period, source_file)) for i in range(width)]


def _read_deliveries(connection: duckdb.DuckDBPyConnection, files_source: str) -> dict[str, _ByDelivery]:
    quarantined = connection.execute(
        """
        select source, coalesce(period, 'unknown'), source_file,
            source_file, row_number, reason_code, reason_text, failed_column, failed_value, raw_values
        from quarantine.quarantined_rows
        order by source_file, row_number
        """
    ).fetchall()
    rejected = connection.execute(
        f"""
        select {files_source}, coalesce(period, 'unknown'), source_file,
            source_file, reason_code, coalesce(reason_message, reason_code)
        from raw.ingested_files
        where status = 'rejected'
        order by source_file
        """
    ).fetchall()
    files = connection.execute(
        f"""
        select {files_source}, coalesce(period, 'unknown'), source_file,
            count(*), count(*) filter (where status = 'rejected')
        from raw.ingested_files
        group by all
        """
    ).fetchall()
    outcomes = connection.execute(
        """
        select source, coalesce(_period, 'unknown'), _source_file,
            count(*), count(*) filter (where outcome = 'accepted'), count(*) filter (where outcome = 'quarantined'),
            count(*) filter (where outcome = 'non_data')
        from staging.stg_row_outcomes
        group by all
        """
    ).fetchall()
    return {
        "quarantined": _ByDelivery(quarantined), "rejected": _ByDelivery(rejected),
        "files": _ByDelivery(files), "outcomes": _ByDelivery(outcomes),
    }


_QUARANTINED_FIELDS = ("source_file", "row_number", "reason_code", "reason_text", "failed_column", "failed_value",
                       "raw_values")
_REJECTED_FIELDS = ("source_file", "reason_code", "reason_message")


def _summary(deliveries: dict[str, _ByDelivery], delivery: tuple) -> list[tuple[str, int]]:
    files = deliveries["files"].totals(*delivery, width=2)
    rows = deliveries["outcomes"].totals(*delivery, width=4)
    return [
        ("File diterima", files[0]),
        ("File ditolak", files[1]),
        ("Baris diterima", rows[0]),
        ("Baris lolos", rows[1]),
        ("Baris dikarantina (perlu diperbaiki)", rows[2]),
        ("Baris bukan data (judul, kosong, JUMLAH)", rows[3]),
    ]


def _readable_slug(source_file: str) -> str:
    """The file's path inside its period folder (`<source>/<period>/` dropped), without extension, folded to ASCII."""
    parts = Path(source_file).with_suffix("").parts
    inside_period = parts[2:] if len(parts) > 2 else parts[-1:]
    folded = unicodedata.normalize("NFKD", "/".join(inside_period)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9_]+", "-", folded.lower()).strip("-_")


def file_slugs(source_files: list[str]) -> dict[str, str]:
    """The `<file>` part of the workbook name of each of `source_files` (the files of one source and period)."""
    readable = {source_file: _readable_slug(source_file) for source_file in source_files}
    uses = Counter(readable.values())
    slugs = {}
    for source_file, slug in readable.items():
        if slug and len(slug) <= FILE_SLUG_MAX_CHARS and uses[slug] == 1:
            slugs[source_file] = slug
            continue
        digest = hashlib.sha1(source_file.encode("utf-8")).hexdigest()[:_HASH_CHARS]
        kept = slug[: FILE_SLUG_MAX_CHARS - _HASH_CHARS - 1].rstrip("-")
        slugs[source_file] = f"{kept}-{digest}" if kept else digest
    return slugs


def _write(path: Path, staging_folder: Path, agency: str, source: str, period: str, summary, rejected, quarantined, columns,
           source_file: str | None) -> None:
    import xlsxwriter

    with atomic_file(path, staging_folder) as temporary, xlsxwriter.Workbook(str(temporary), XLSX_OPTIONS) as book:
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
        text = book.add_format({"num_format": "@", "valign": "top", "text_wrap": True})
        number = book.add_format({"num_format": "#,##0", "valign": "top"})

        def sheet(name: str, headers: list[str], rows: list[list], widths: list[int]):
            worksheet = book.add_worksheet(name)
            worksheet.write_row(0, 0, headers, bold)
            for index, row in enumerate(rows, start=1):
                for column, value in enumerate(row):
                    # Counts and row numbers are ours: numbers. Everything an agency sent arrives here as text and
                    # stays text (a NIK must never be turned into a number again, M1), guarded against formulas.
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        worksheet.write_number(index, column, value, number)
                    else:
                        worksheet.write_string(index, column, "" if value is None else guard_formula(value), text)
                fit_row_height(worksheet, index, row, widths)
            for column, width in enumerate(widths):
                worksheet.set_column(column, column, width)
            worksheet.freeze_panes(1, 0)
            worksheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
            set_print_layout(worksheet, 0, headers, widths)

        sheet(
            "Ringkasan",
            ["Keterangan", "Nilai"],
            [["Instansi", agency], ["Sumber data", source], ["Periode", period],
             *([["File", source_file]] if source_file else []), *[[k, v] for k, v in summary]],
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
        # Narrow columns, text wrapped: fitted to the width of one page, a wide sheet would print too small to read.
        sheet("Baris Karantina", fixed + columns, rows, [30, 8, 16, 40, 16, 18] + [14] * len(columns))


def write_feedback_workbooks(connection: duckdb.DuckDBPyConnection, exports: Path) -> list[Workbook]:
    """Write the workbook of every source and period with something to fix; remove the stale ones."""
    contract = load_contract()
    root = exports / FEEDBACK_FOLDER
    files_source = _reported_source(contract)
    todo = connection.execute(
        f"""
        select source, period, source_file from quarantine.quarantined_rows group by all
        union
        select {files_source}, coalesce(period, 'unknown'), source_file from raw.ingested_files
        where status = 'rejected'
        """
    ).fetchall()
    deliveries = sorted({
        (source, period, source_file if source in contract and contract[source].sender_per_file else None)
        for source, period, source_file in todo
    }, key=lambda delivery: (delivery[0], delivery[1], delivery[2] or ""))
    per_file = [delivery for delivery in deliveries if delivery[2] is not None]
    slugs = {}
    for source, period in {(source, period) for source, period, _ in per_file}:
        slugs.update(file_slugs([file for s, p, file in per_file if (s, p) == (source, period)]))
    sweep_debris(root)
    by_delivery = _read_deliveries(connection, files_source)
    written = []
    for delivery in deliveries:
        source, period, source_file = delivery
        spec = contract.get(source)
        quarantined = [dict(zip(_QUARANTINED_FIELDS, row, strict=True))
                       for row in by_delivery["quarantined"].rows(*delivery)]
        rejected = [dict(zip(_REJECTED_FIELDS, row, strict=True)) for row in by_delivery["rejected"].rows(*delivery)]
        columns = [column.name for column in spec.columns] if spec else []
        name = f"umpan_balik_{source}_{period}" + (f"_{slugs[source_file]}" if source_file else "")
        path = root / source / period / f"{name}.xlsx"
        recipient = spec.agency if spec else OUTSIDE_SOURCES_RECIPIENT
        _write(path, root / STAGING_FOLDER, recipient, source, period, _summary(by_delivery, delivery),
               rejected, quarantined, columns, source_file)
        written.append(Workbook(source, period, source_file, path, len(rejected), len(quarantined)))
    remove_stale(root, "*/*/umpan_balik_*.xlsx", [workbook.path for workbook in written])
    return written
