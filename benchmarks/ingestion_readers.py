"""Benchmark: file readers side by side on an inbox's files: Excel (python-calamine, openpyxl, fastexcel) and CSV
(pyarrow, what the loader uses, against DuckDB's `read_csv`).

    .venv/bin/python benchmarks/ingestion_readers.py /tmp/inbox
    uv run --with fastexcel python benchmarks/ingestion_readers.py /tmp/inbox   # fastexcel is not a dependency

Excel: each reader opens every `.xlsx`, picks the sheet the loader picks (`DATA`, else the first worksheet) and turns
every row, title block included, into the loader's cell text (orchestration/ingestion/readers.py).
CSV: every CSV the loader reads with its engine-speed path (header on row 1, regular records) is read below the header
as text by both engines, with the encoding and delimiter the loader detects (DuckDB has no cp1252: `latin-1`, which
differs from it for bytes 0x80-0x9F).
Prints, per reader, the total seconds (median of --repeat passes), the rows read and how many files come out cell for
cell identical to what the loader reads today. A reader that is not installed is listed as such. Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from orchestration.contract import load_contract
from orchestration.ingestion.errors import FileRejected, RetryRead
from orchestration.ingestion.readers import _excel_text, _parse_excel, read_table

Grid = list[list[str | None]]


def _trimmed(rows: Grid) -> Grid:
    """Rows without trailing empty cells, and no trailing empty rows: readers differ in how far the used range runs."""
    trimmed = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        trimmed.append(row)
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def read_calamine(path: Path) -> Grid:
    rows: Grid = []
    for kind, *payload in _parse_excel(path, "xlsx"):
        if kind == "rows":
            rows.extend(payload[0])
    return rows


def read_openpyxl(path: Path) -> Grid:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = workbook.sheetnames
        name = next((n for n in names if n.strip().upper() == "DATA"), names[0])
        sheet = workbook[name]
        # openpyxl starts at column A and row 1, as the sheet is laid out; calamine starts at the first used column.
        first_column = sheet.min_column
        return [[_excel_text(cell) for cell in row[first_column - 1 :]] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_fastexcel(path: Path) -> Grid:
    import fastexcel

    reader = fastexcel.read_excel(path)
    names = reader.sheet_names
    name = next((n for n in names if n.strip().upper() == "DATA"), names[0])
    # Every column as text: fastexcel infers one type per column otherwise, which a title block above the header
    # defeats. Its text form of numbers and dates is its own, hence the identity count.
    sheet = reader.load_sheet(name, header_row=None, dtypes="string")
    table = sheet.to_arrow()
    columns = [column.to_pylist() for column in table.columns]
    return [list(row) for row in zip(*columns)]


READERS: dict[str, Callable[[Path], Grid]] = {
    "python-calamine": read_calamine,
    "openpyxl": read_openpyxl,
    "fastexcel": read_fastexcel,
}


# DuckDB's encodings for the loader's: utf-8 strips a BOM itself; latin-1 stands in for cp1252.
_DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "latin-1"}
_DUCKDB = duckdb.connect()  # one database for every file, as the loader would use its connection


def _fast_csv_files(inbox: Path) -> list[tuple[Path, str, str, int]]:
    """(path, encoding, delimiter, header width) of every CSV the loader reads with pyarrow."""
    contract = load_contract()
    found = []
    for path in sorted(inbox.rglob("*.csv")):
        spec = contract.get(path.relative_to(inbox).parts[0])
        if spec is None:
            continue
        try:
            table = read_table(path, spec)
            engine_speed = [batch.table is not None for batch in table.batches]
        except (FileRejected, RetryRead):
            continue
        if engine_speed and all(engine_speed):
            found.append((path, table.encoding, table.delimiter, len(table.mapping.header)))
    return found


def read_csv_pyarrow(path: Path, encoding: str, delimiter: str, width: int) -> pa.Table:
    names = [f"c{i}" for i in range(width)]
    return pa_csv.read_csv(
        path,
        read_options=pa_csv.ReadOptions(
            column_names=names, skip_rows=1, block_size=16 << 20, encoding={"cp1252": "cp1252"}.get(encoding, "utf8")
        ),
        parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
        ),
    )


def read_csv_duckdb(path: Path, encoding: str, delimiter: str, width: int) -> pa.Table | None:
    """None when DuckDB refuses the file (its latin-1 refuses the bytes 0x80-0x9F that cp1252 gives € and quotes)."""
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    with _DUCKDB.cursor() as conn:
        try:
            # Strict: a ragged record raises, as pyarrow's does; every NULL is then an empty field.
            table = conn.sql(
                f"select * from read_csv(?, header = false, skip = 1, delim = ?, quote = '\"', escape = '\"', "
                f"strict_mode = true, null_padding = false, allow_quoted_nulls = false, encoding = ?, "
                f"columns = {{{columns}}})",
                params=[str(path), delimiter, _DUCKDB_ENCODINGS[encoding]],
            ).to_arrow_table()
        except duckdb.Error:
            return None
    return pa.table([pc.fill_null(column, "") for column in table.columns], names=table.column_names)


def _compare_csv(inbox: Path, repeat: int) -> None:
    files = _fast_csv_files(inbox)
    print(f"\n{len(files)} CSV files on the loader's engine-speed path")
    print(f"{'reader':<16} {'seconds':>8} {'rows':>10} {'identical':>10}")
    for name, read in (("pyarrow", read_csv_pyarrow), ("duckdb read_csv", read_csv_duckdb)):
        passes = []
        identical = refused = rows = 0
        for _ in range(repeat):
            identical = refused = rows = 0
            seconds = 0.0
            for file in files:
                started = time.perf_counter()
                table = read(*file)
                seconds += time.perf_counter() - started
                if table is None:
                    refused += 1
                    continue
                rows += table.num_rows
                # The loader's reader is the reference; compared outside the timing, one file at a time.
                identical += table.combine_chunks().equals(read_csv_pyarrow(*file).combine_chunks())
            passes.append(seconds)
        print(
            f"{name:<16} {statistics.median(passes):>8.2f} {rows:>10,} {identical:>5}/{len(files)}"
            + (f"  ({refused} refused)" if refused else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inbox", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["excel", "csv"], help="compare one kind of reader only")
    args = parser.parse_args()
    if args.only != "csv":
        _compare_excel(args.inbox, args.repeat)
    if args.only != "excel":
        _compare_csv(args.inbox, args.repeat)


def _compare_excel(inbox: Path, repeat: int) -> None:
    workbooks = sorted(inbox.rglob("*.xlsx"))
    reference = {}
    for path in workbooks:
        try:
            reference[path] = _trimmed(read_calamine(path))
        except FileRejected as rejection:  # a broken workbook of the sample: left out of the comparison
            print(f"left out: {rejection.message}")
    readable = sorted(reference)
    print(f"{len(readable)} readable workbooks of {len(workbooks)}, {sum(map(len, reference.values())):,} rows")
    print(f"{'reader':<16} {'version':<9} {'seconds':>8} {'ms/book':>8} {'rows':>9} {'identical':>10}")
    from importlib.metadata import PackageNotFoundError, version

    for name, read in READERS.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            print(f"{name:<16} {'-':<9} not installed")
            continue
        passes = []
        grids: dict[Path, Grid] = {}
        for _ in range(repeat):
            started = time.perf_counter()
            for path in readable:
                grids[path] = read(path)
            passes.append(time.perf_counter() - started)
        seconds = statistics.median(passes)
        identical = sum(_trimmed(grids[path]) == reference[path] for path in readable)
        rows = sum(map(len, grids.values()))
        print(
            f"{name:<16} {installed:<9} {seconds:>8.2f} {1000 * seconds / len(readable):>8.1f} {rows:>9,} "
            f"{identical:>5}/{len(readable)}"
        )


if __name__ == "__main__":
    main()
