"""Benchmark: Excel readers side by side on an inbox's workbooks (python-calamine, openpyxl, fastexcel).

    .venv/bin/python benchmarks/ingestion_readers.py /tmp/inbox
    uv run --with fastexcel python benchmarks/ingestion_readers.py /tmp/inbox   # fastexcel is not a dependency

Each reader opens every `.xlsx`, picks the sheet the loader picks (`DATA`, else the first worksheet) and turns every
row, title block included, into the loader's cell text (orchestration/ingestion/readers.py). Prints, per reader, the
total seconds over all workbooks (median of --repeat passes), the rows read and how many workbooks come out cell for
cell identical to what the loader reads today (python-calamine). A reader that is not installed is listed as such.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from orchestration.ingestion.readers import _excel_text, _parse_excel

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inbox", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workbooks = sorted(args.inbox.rglob("*.xlsx"))
    reference = {}
    for path in workbooks:
        try:
            reference[path] = _trimmed(read_calamine(path))
        except Exception:  # a broken workbook of the sample: rejected by every reader, left out of the comparison
            continue
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
        for _ in range(args.repeat):
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
