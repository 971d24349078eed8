"""What every export needs: query rows by column name, files that a reader never finds half written, temporary
files that a crash cannot strand, and text cells that no spreadsheet turns into a formula.

Temporary files. Every temporary file the project writes is named `.tkpkd-tmp-<pid>-<random>-<target name>`
(`temporary_name`), so any later run recognises it: `sweep_debris` removes those whose writing process is gone
(no such pid) or that are older than `DEBRIS_MAX_AGE_HOURS` (a reused pid), and every writer sweeps its folder
before writing. Writers whose folders are read by people (one folder per lurah, per agency) stage in a hidden
`STAGING_FOLDER` at the root of their export tree, on the same file system so the final rename stays atomic: a
crash can then leave debris only there, never in a lurah's folder.

Formula injection (OWASP, CSV injection). A text cell beginning with `=`, `+`, `-`, `@`, tab or carriage return
becomes a live formula when a clerk edits the cell or round-trips the sheet through CSV. `guard_formula` prefixes
such text with a single quote; XLSX writers also write text with `write_string` and open workbooks with
`strings_to_formulas` off. Only text is guarded: a number (a negative count) stays a number.

Printing. Workbooks go to paper (the musyawarah kelurahan works from print-outs), so every sheet of every workbook
gets `set_print_layout`: A4 landscape, fitted to the page width (as many pages down as the rows need), gridlines
printed, the header row repeated on every page, and that row as tall as its longest wrapped header (`LINE_POINTS` a line), so a
wrapped header never overprints the first data row; rows of wrapped text get their height the same way
(`fit_row_height`). `scripts/render_workbooks_pdf.py` shows the result as PDF.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import textwrap
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb


def records(
    connection: duckdb.DuckDBPyConnection, sql: str, parameters: Sequence[Any] = ()
) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, list(parameters))
    names = [description[0] for description in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


TEMPORARY_PREFIX = ".tkpkd-tmp-"
STAGING_FOLDER = ".tkpkd-staging"
# Past this age a temporary is debris even if its pid is alive again: pids are reused, no export takes hours.
DEBRIS_MAX_AGE_HOURS = 6
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# xlsxwriter options for every workbook: text written by `write()` must never become a formula.
XLSX_OPTIONS = {"strings_to_formulas": False}


def guard_formula(value: Any) -> Any:
    """`value` itself, or, for text a spreadsheet would read as a formula, that text behind a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# OOXML paper size code of A4 (1 is US Letter, the default of a sheet without one).
A4_PAPER = 9
# The height of one line of 11-pt text, with the spacing spreadsheet programs add.
LINE_POINTS = 15
# Page margins in inches: narrower than the 0.7 default, so a wide sheet is shrunk less to fit the width.
SIDE_MARGIN_INCHES = 0.4
TOP_MARGIN_INCHES = 0.5


# What textwrap counts as whitespace (str.strip() would also strip e.g. a no-break space, which textwrap keeps).
_WRAP_WHITESPACE = "\t\n\x0b\x0c\r "


def _lines(text: Any, width: float) -> int:
    """Lines of one cell: textwrap's count, without wrapping the many texts that fit on one line, nor twice the
    same text (wrapping every cell was most of a workbook's time: a reason is repeated on every row it explains). A
    text no longer than the line, without a tab (expanded to spaces), is one line, or none when it is only
    whitespace."""
    if not isinstance(text, str):
        return 1
    limit = max(int(width) - 1, 1)
    if len(text) <= limit and "\t" not in text:
        return 1 if text.strip(_WRAP_WHITESPACE) else 0
    return _wrapped_count(text, limit)


@functools.lru_cache(maxsize=65_536)
def _wrapped_count(text: str, limit: int) -> int:
    return len(textwrap.wrap(text, limit))


def wrapped_lines(texts: Sequence[Any], widths: Sequence[float]) -> int:
    """How many lines the longest of `texts` takes when wrapped in its column (`width` in characters, less a margin);
    cells that are not text take one line."""
    return max((_lines(text, width) for text, width in zip(texts, widths, strict=True)), default=1) or 1


def row_height(texts: Sequence[Any], widths: Sequence[float]) -> float:
    """Points for a row of wrapped `texts`."""
    return wrapped_lines(texts, widths) * LINE_POINTS


def fit_row_height(sheet, row: int, texts: Sequence[Any], widths: Sequence[float]) -> None:
    """Make a data row of `sheet` (xlsxwriter) tall enough for its wrapped `texts` (None for cells that do not wrap).
    Set explicitly because LibreOffice, unlike Excel, does not grow a row of an XLSX for its wrapped text, and
    prints the text over the next row."""
    height = row_height(texts, widths)
    if height > LINE_POINTS:
        sheet.set_row(row, height)


def set_print_layout(sheet, header_row: int, headers: Sequence[str], widths: Sequence[float]) -> None:
    """Print `sheet` (xlsxwriter) on A4 landscape, one page wide, with its header row on every page and tall enough
    for its wrapped headers."""
    sheet.set_paper(A4_PAPER)
    sheet.set_landscape()
    sheet.set_margins(
        left=SIDE_MARGIN_INCHES, right=SIDE_MARGIN_INCHES, top=TOP_MARGIN_INCHES, bottom=TOP_MARGIN_INCHES
    )
    sheet.fit_to_pages(1, 0)
    # Cell borders on paper: rows stay readable across a wide page, and the form's empty cells can be written in.
    sheet.hide_gridlines(0)
    sheet.repeat_rows(header_row)
    sheet.set_row(header_row, row_height(headers, widths))


def temporary_name(name: str) -> str:
    return f"{TEMPORARY_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{name}"


# How versions before 2026-12 named their temporaries (`.<name>.<pid>.tmp`, `.analytics.duckdb.<pid>.building`):
# crashes of those versions left some on deployments, and they are swept like the current ones.
LEGACY_TEMPORARY = re.compile(r"^\..+\.(?P<pid>\d+)\.(tmp|building)$")


def _is_temporary(path: Path) -> bool:
    return path.name.startswith(TEMPORARY_PREFIX) or bool(LEGACY_TEMPORARY.match(path.name))


def _owner_gone(path: Path) -> bool:
    legacy = LEGACY_TEMPORARY.match(path.name)
    pid_text = legacy["pid"] if legacy else path.name[len(TEMPORARY_PREFIX):].split("-", 1)[0]
    try:
        age_hours = (time.time() - path.lstat().st_mtime) / 3600
    except FileNotFoundError:
        return False  # removed meanwhile by its writer
    if not pid_text.isdigit() or age_hours > DEBRIS_MAX_AGE_HOURS:
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, owned by another user
    return False


def sweep_debris(folder: Path) -> list[Path]:
    """Remove the temporaries under `folder` left by a writer that crashed; return what was removed."""
    if not folder.exists():
        return []
    removed = []
    for path in sorted(folder.rglob(".*")):
        if path.is_file() and _is_temporary(path) and _owner_gone(path):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


@contextmanager
def atomic_file(target: Path, staging_folder: Path | None = None) -> Iterator[Path]:
    """Yield a temporary path (in `staging_folder`, default beside `target`); move it over `target` only when the
    block succeeds.

    A lurah opening the workbook, or a portal harvesting the CSVs, sees the previous file or the new one: the rename
    is atomic on one file system, and a failed export leaves the previous file in place and no temporary behind.
    `staging_folder` must be on the file system of `target`.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = staging_folder or target.parent
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / temporary_name(target.name)
    try:
        yield staging
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)


def remove_stale(folder: Path, pattern: str, keep: Iterable[Path]) -> list[Path]:
    """Delete the files of `folder` matching `pattern` that this run did not write (a table or period gone)."""
    kept = {path.resolve() for path in keep}
    removed = [path for path in sorted(folder.glob(pattern)) if path.resolve() not in kept]
    for path in removed:
        path.unlink()
    return removed
