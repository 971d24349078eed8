"""Readers: one agency file (CSV, XLSX, Parquet) -> its header, title block and rows of text, in batches.

Every reader detects what it reads rather than trusting the extension or the contract's hints: the encoding and
delimiter of a CSV, the sheet and header row of a workbook. A file that cannot be read raises `FileRejected` with a
reason code and a sentence naming the file.

Cell values come out as text, exactly as read (docs/design.md, "Raw tables"):
- CSV: decoded to Unicode (BOM removed), no trimming; a field missing from a short record is None.
- XLSX: numeric cells as `repr(float)` (`6171015708450000.0`, `3.0`), date cells as ISO `YYYY-MM-DD`
  (`YYYY-MM-DD HH:MM:SS` when they carry a time), time cells `HH:MM:SS`, booleans `TRUE` / `FALSE`, empty cells
  (and error cells such as `#N/A`, which the reader cannot tell apart) None. Merged cells: the value sits in the
  top-left cell, the others are empty.
- Parquet: every column cast to text (floats as `repr(float)`, timestamps `YYYY-MM-DD HH:MM:SS`, booleans
  `TRUE` / `FALSE`).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gc
import json
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Self

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.contract import SourceSpec
from orchestration.ingestion import errors
from orchestration.ingestion.errors import FileRejected, RetryRead
from orchestration.ingestion.headers import (
    HEADER_SEARCH_ROWS,
    HeaderMapping,
    locate_header,
    missing_required,
    parse_title_block,
    title_field_values,
    title_line,
)
from orchestration.ingestion.limits import IngestionLimits

__all__ = [
    "BATCH_ROWS",
    "EXTENSION_FORMATS",
    "ExcelWorker",
    "FileTable",
    "RowBatch",
    "column_letter",
    "detect_delimiter",
    "detect_encoding",
    "read_table",
]

BATCH_ROWS = 50_000
READ_MODES = (
    "fast",
    "strict",
    "lenient",
)  # CSV: pyarrow parser, then Python's csv strict, then lenient quotes
_FAST_ENCODINGS = {"utf-8": "utf8", "utf-8-sig": "utf8", "cp1252": "cp1252"}

# Extension -> reader. `.xls` (old binary Excel) is read by the same library as `.xlsx`.
EXTENSION_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".parquet": "parquet",
    ".pq": "parquet",
}

CSV_DELIMITERS = ("|", ";", "\t", ",")

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET_MAGIC = b"PAR1"


@dataclass
class RowBatch:
    """Consecutive rows below the header. Row i of the batch has row number `first_row_number + i`."""

    first_row_number: int
    rows: list[list[str | None]] | None = None  # CSV / XLSX: cells as text, rows may be ragged
    table: pa.Table | None = None  # Parquet: string columns in file order

    def __len__(self) -> int:
        return self.table.num_rows if self.table is not None else len(self.rows or ())


@dataclass
class FileTable:
    """A readable file: what was detected, the header mapping and a one-pass iterator over its row batches.

    Iterating `batches` may still raise `FileRejected` (a CSV found truncated at its end), so the loader writes a
    file's rows in one transaction and rolls back on any error.
    """

    path: Path
    format: str
    header_row: int  # row number of the header (docs/design.md row-number convention)
    mapping: HeaderMapping
    batches: Iterator[RowBatch]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    title_lines: list[str] = field(default_factory=list)
    title_values: dict[str, str] = field(
        default_factory=dict
    )  # canonical column -> value from the title block
    column_offset: int = 0  # sheet column of position 0 (XLSX data may start right of column A)
    letter_columns: bool = False  # label positions as spreadsheet letters (XLSX) or 1-based numbers

    def column_label(self, position: int) -> str:
        if self.letter_columns:
            return column_letter(self.column_offset + position)
        return str(self.column_offset + position + 1)


@dataclass
class _Grid:
    """A file's rows before header detection: batches of rows, the first row being row number 1."""

    format: str
    batches: Iterator[list[list[str | None]]]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    column_offset: int = 0
    letter_columns: bool = False
    ends_with_newline: bool = True
    fixed_header: list[str] | None = None  # Parquet: the schema's names are the header (row 1)
    arrow_batches: Iterator[pa.Table] | None = None
    balanced_quotes: bool = True  # CSV: an even number of `"` in the file


@contextmanager
def _no_gc() -> Iterator[None]:
    """Building many small lists trips the cyclic GC over and over; pause it while a batch is built."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _describe_content(head: bytes) -> str:
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        return "a zip archive (an .xlsx workbook or another zipped file)"
    if head.startswith(_OLE2_MAGIC):
        return "an old-format (.xls) or password-protected Excel workbook"
    if head.startswith(_PARQUET_MAGIC):
        return "a Parquet file"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if lowered.startswith(
        (b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta", b"<head", b"<body")
    ):
        return "an HTML or XML page (typically a web export saved with a spreadsheet name)"
    if b"\x00" in head:
        return "binary data"
    return "plain text"


def _read_head(path: Path, size: int = 8192) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


# --------------------------------------------------------------------------------------------------------- CSV


def detect_encoding(path: Path) -> str:
    """`utf-8-sig` (BOM), `utf-16` (BOM), `utf-8` when the whole file is strict UTF-8, else `cp1252`
    (Windows-1252, what Excel on Indonesian Windows writes), else `latin-1`."""
    head = _read_head(path, 4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count = 0
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def detect_delimiter(sample: str, hint: str | None = None) -> str:
    """The delimiter among `|`, `;`, tab and `,` that splits the first lines of `sample` into the most fields.

    Counted outside double quotes on each of the first non-empty lines (the header line, or the widest one when
    title lines come first); ties go to the contract's hint, then in the order pipe, semicolon, tab, comma.
    """
    lines = [line for line in sample.splitlines()[: HEADER_SEARCH_ROWS * 2] if line.strip()]
    order = ([hint] if hint in CSV_DELIMITERS else []) + [d for d in CSV_DELIMITERS if d != hint]
    best, best_count = None, 0
    for delimiter in order:
        count = max((_count_outside_quotes(line, delimiter) for line in lines), default=0)
        if count > best_count:
            best, best_count = delimiter, count
    return best or hint or ","


def _ends_with_newline(path: Path, encoding: str) -> bool:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 4))
        tail = handle.read()
    if encoding == "utf-16":
        tail = tail.replace(b"\x00", b"")
    return tail.endswith((b"\n", b"\r"))


def _quote_count(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            count += chunk.count(b'"')
    return count


def _open_csv(path: Path, spec: SourceSpec, lenient_quotes: bool) -> _Grid:
    head = _read_head(path)
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and (
        b"\x00" in head or head.startswith((_ZIP_MAGIC, _OLE2_MAGIC, _PARQUET_MAGIC, b"%PDF"))
    ):
        raise FileRejected(
            errors.not_a_valid("csv"),
            f"{path.name} is not a CSV file: its content is {_describe_content(head)}.",
        )
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        sample = handle.read(1 << 16)
    delimiter = detect_delimiter(sample, spec.delimiter)
    ends_with_newline = _ends_with_newline(path, encoding)
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 28))

    def batches() -> Iterator[list[list[str | None]]]:
        with path.open("r", encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter, strict=not lenient_quotes)
            size = HEADER_SEARCH_ROWS  # a small first batch: the header search may hand over to the fast parser
            try:
                while True:
                    with _no_gc():
                        batch = list(islice(reader, size))
                    if not batch:
                        break
                    yield batch
                    size = BATCH_ROWS
            except csv.Error as error:
                text = str(error)
                if "unexpected end of data" in text:
                    raise FileRejected(
                        errors.TRUNCATED,
                        f"{path.name} is truncated: a quoted field opened near line {reader.line_num} is never "
                        "closed before the end of the file.",
                    ) from None
                if "expected after" in text and not lenient_quotes:
                    raise RetryRead("lenient", text) from None
                raise FileRejected(
                    errors.not_a_valid("csv"),
                    f"{path.name} cannot be parsed as CSV near line {reader.line_num}: {text}.",
                ) from None

    return _Grid(
        format="csv",
        batches=batches(),
        encoding=encoding,
        delimiter=delimiter,
        ends_with_newline=ends_with_newline,
        balanced_quotes=_quote_count(path) % 2 == 0,
    )


def _fast_csv_batches(
    path: Path, grid: _Grid, width: int, first_row_number: int
) -> Iterator[RowBatch]:
    """The rows below a row-1 header, parsed by pyarrow (about 20x faster than Python's csv module).

    Only for regular files: any record whose field count differs from the header's makes pyarrow raise, and the
    loader then reads the file again with Python's csv module, which handles ragged, short and truncated records.
    """
    import pyarrow.csv as pa_csv

    names = [f"c{i}" for i in range(width)]
    try:
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(
                column_names=names,
                skip_rows=1,
                block_size=16 << 20,
                encoding=_FAST_ENCODINGS[grid.encoding or ""],
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=grid.delimiter or ",", newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
        row_number = first_row_number
        for batch in reader:
            if batch.num_rows:
                yield RowBatch(first_row_number=row_number, table=pa.Table.from_batches([batch]))
                row_number += batch.num_rows
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise RetryRead("strict", str(error)) from None


# -------------------------------------------------------------------------------------------------------- XLSX


def _excel_text(value: object) -> str | None:
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return repr(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:
        return repr(float(value))
    if kind is dt.datetime:
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if kind is dt.date:
        return value.isoformat()
    if kind is dt.time:
        return value.strftime("%H:%M:%S")
    if kind is dt.timedelta:
        return str(value)
    if value is None:
        return None
    return str(value)


_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_DIMENSION_SCAN_BYTES = (
    64 * 1024
)  # <dimension> comes right after <sheetPr>, at the top of the sheet XML


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _check_xlsx_structure(path: Path, limits: IngestionLimits) -> None:
    """Reject a workbook whose zip directory or sheet dimensions promise more than the limits, before parsing.

    Only the central directory and the first bytes of each sheet part are read, so a zip bomb or a used range of
    A1:XFD1048576 costs nothing here (python-calamine would allocate the whole declared grid).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            unpacked = sum(part.file_size for part in parts)
            if unpacked > limits.xlsx_uncompressed_bytes:
                raise FileRejected(
                    errors.OVER_LIMIT,
                    f"{path.name} "
                    + limits.broken("xlsx_uncompressed_bytes", f"unpacks to {unpacked:,} bytes"),
                )
            for part in parts:
                if not _SHEET_PART.fullmatch(part.filename):
                    continue
                with archive.open(part) as handle:
                    found = _DIMENSION.search(handle.read(_DIMENSION_SCAN_BYTES))
                if found is None:
                    continue
                first_column, first_row, last_column, last_row = found.groups()
                rows = int(last_row or first_row) - int(first_row) + 1
                columns = (
                    _column_number(last_column or first_column) - _column_number(first_column) + 1
                )
                if rows * columns > limits.declared_cells:
                    raise FileRejected(
                        errors.OVER_LIMIT,
                        f"{path.name}: sheet part {part.filename} "
                        + limits.broken("declared_cells", f"declares {rows:,} x {columns:,} cells"),
                    )
    except (zipfile.BadZipFile, EOFError) as error:
        raise FileRejected(
            errors.not_a_valid("xlsx"), f"{path.name} is not a readable .xlsx workbook: {error}."
        ) from None


def _open_excel(path: Path, fmt: str, limits: IngestionLimits, worker: ExcelWorker | None) -> _Grid:
    head = _read_head(path)
    invalid = errors.not_a_valid(fmt)
    expected_magic = _ZIP_MAGIC if fmt == "xlsx" else _OLE2_MAGIC
    if not head.startswith(expected_magic) and not (fmt == "xls" and head.startswith(_ZIP_MAGIC)):
        raise FileRejected(
            invalid,
            f"{path.name} is not a valid .{fmt} workbook: its content is {_describe_content(head)}.",
        )
    if head.startswith(_ZIP_MAGIC) and not zipfile.is_zipfile(path):
        raise FileRejected(
            errors.TRUNCATED,
            f"{path.name} is truncated: it starts like an Excel workbook (zip) but its end is missing "
            "(no zip directory). Ask the agency to send it again.",
        )
    if head.startswith(_ZIP_MAGIC):
        _check_xlsx_structure(path, limits)
    owned = worker is None  # read_table called alone: a worker for this one workbook
    worker = ExcelWorker(limits) if worker is None else worker
    messages = worker.messages(path, fmt)
    kind, *meta = next(messages)
    if kind == "rejected":
        if owned:
            worker.close()
        raise FileRejected(*meta)
    sheet_name, column_offset = meta

    def batches() -> Iterator[list[list[str | None]]]:
        try:
            for kind, *payload in messages:
                if kind == "rejected":
                    raise FileRejected(*payload)
                yield payload[0]
        finally:
            messages.close()
            if owned:
                worker.close()

    return _Grid(
        format=fmt,
        batches=batches(),
        sheet=sheet_name,
        column_offset=column_offset,
        letter_columns=True,
    )


class ExcelWorker:
    """One forked process that parses workbooks one after another, under the reader limits.

    python-calamine is native code: a workbook that makes it abort, segfault or exhaust memory must cost one
    rejected file (`reader_crashed`), not the run. So workbooks are parsed in a child whose address space is capped
    at `reader_memory_bytes` (set once, when it starts) and whose every batch is awaited at most `reader_seconds`.
    The child is forked on the first workbook and reused (a fork and a fresh python-calamine import per workbook cost
    about 30 ms each); it is replaced after a crash or a timeout, when a workbook is abandoned before its end (its
    remaining messages must never reach the next file), and after WORKBOOKS_PER_WORKER workbooks, so that memory
    an earlier workbook left fragmented does not count against a later one's cap. Fork (not spawn) keeps the start
    cheap: the child runs only calamine and the pipe, no thread of the parent.

    Use as a context manager (`ingest_source` holds one for its files); `close()` ends the child.
    """

    WORKBOOKS_PER_WORKER = 100

    def __init__(self, limits: IngestionLimits):
        self.limits = limits
        self._process = None
        self._connection = None
        self._streaming = None  # the process still sending a workbook's messages
        self._workbooks = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Ask the child to exit (killed if it does not within seconds, or at once when it is mid-workbook)."""
        if self._streaming is not None:
            self._kill(self._streaming)
        if self._process is None:
            return
        process, connection = self._process, self._connection
        self._process = self._connection = self._streaming = None
        try:
            connection.send(None)
        except OSError:
            pass  # the child is gone already
        connection.close()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()

    def _kill(self, process) -> None:
        """End `process` now, if it is still this worker's child."""
        if self._process is not process:
            return
        self._connection.close()
        self._process = self._connection = self._streaming = None
        if process.is_alive():
            process.kill()
        process.join()

    def _start(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._connection, child_end = context.Pipe(duplex=True)
        self._process = context.Process(
            target=_excel_worker_main,
            args=(child_end, self._connection, self.limits.reader_memory_bytes),
            daemon=True,
        )
        self._process.start()
        child_end.close()
        self._workbooks = 0

    def messages(self, path: Path, fmt: str) -> Iterator[tuple]:
        """`_parse_excel(path, fmt)`'s messages, parsed in the child; raises `FileRejected` (`reader_crashed`) when
        the child dies or exceeds the time limit."""
        if self._streaming is not None:
            self._kill(self._streaming)  # the previous workbook was abandoned mid-stream
        if self._process is not None and not self._process.is_alive():
            self._kill(self._process)  # died while idle (killed from outside)
        if self._process is not None and self._workbooks >= self.WORKBOOKS_PER_WORKER:
            self.close()
        if self._process is None:
            self._start()
        self._workbooks += 1
        process, connection, limits = self._process, self._connection, self.limits
        connection.send((path, fmt))
        self._streaming = process
        finished = False
        try:
            while True:
                if not connection.poll(limits.reader_seconds):
                    raise FileRejected(
                        errors.READER_CRASHED,
                        f"{path.name} " + limits.broken("reader_seconds", "was still being read after the time limit"),
                    )
                try:
                    message = connection.recv()
                except EOFError:
                    process.join()
                    raise FileRejected(
                        errors.READER_CRASHED,
                        f"{path.name}: the Excel reader crashed on it (exit code {process.exitcode}; out of memory, "
                        f"limit {limits.reader_memory_bytes:,} bytes, set {limits.variable('reader_memory_bytes')} "
                        "to raise it, or a damaged workbook).",
                    ) from None
                if message[0] == "end":
                    finished = True
                    return
                yield message
                if message[0] == "rejected":
                    finished = True
                    return
        finally:
            if finished and self._streaming is process:
                self._streaming = None
            elif not finished:
                self._kill(process)


def _address_space_bytes() -> int:
    """This process's address space (Linux: the first field of /proc/self/statm, in pages)."""
    return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _excel_worker_main(connection, parent_end, memory_bytes: int) -> None:
    """The child's loop: (path, format) requests in, `_parse_excel` messages then ("end",) out; None ends it."""
    import resource

    # The fork copied the parent's end of the pipe: closed, so that the parent's death (even SIGKILL) reads as EOF
    # here instead of leaving the worker waiting forever.
    parent_end.close()
    # The fork inherits the parent's address space, mostly DuckDB's memory for the warehouse being written, which
    # the parser never touches: the cap bounds what the parser adds to it, not the parent's size.
    cap = _address_space_bytes() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        while (request := connection.recv()) is not None:
            path, fmt = request
            try:
                for message in _parse_excel(path, fmt):
                    connection.send(message)
                connection.send(("end",))
            except FileRejected as rejection:
                connection.send(("rejected", rejection.code, rejection.message))
    except MemoryError:
        os._exit(3)  # reported by the parent as a crash, with the memory limit
    except (EOFError, BrokenPipeError):
        pass  # the parent is gone
    os._exit(0)  # skip the parent's atexit handlers and buffers inherited by fork


def _parse_excel(path: Path, fmt: str) -> Iterator[tuple]:
    """("meta", sheet name, column offset), then ("rows", batch) messages: the workbook's chosen sheet as text."""
    from python_calamine import CalamineError, CalamineWorkbook

    invalid = errors.not_a_valid(fmt)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        worksheets = [
            meta.name for meta in workbook.sheets_metadata if str(meta.typ).endswith("WorkSheet")
        ] or list(workbook.sheet_names)
        if not worksheets:
            raise FileRejected(errors.EMPTY_FILE, f"{path.name} has no worksheet.")
        sheet_name = next(
            (name for name in worksheets if name.strip().upper() == "DATA"), worksheets[0]
        )
        sheet = workbook.get_sheet_by_name(sheet_name)
    except CalamineError as error:
        raise FileRejected(
            invalid, f"{path.name} is not a readable .{fmt} workbook: {error}."
        ) from None
    start = sheet.start
    yield ("meta", sheet_name, start[1] if start else 0)
    # iter_rows() starts at row 1 of the sheet (empty rows above the data included) and at the first
    # used column; positions are therefore offset by the column offset.
    rows = sheet.iter_rows()
    convert = _excel_text
    try:
        while True:
            with _no_gc():
                chunk = [[convert(cell) for cell in row] for row in islice(rows, BATCH_ROWS)]
            if not chunk:
                break
            yield ("rows", chunk)
    except CalamineError as error:
        raise FileRejected(
            invalid, f"{path.name}: sheet {sheet_name!r} cannot be read: {error}."
        ) from None


# ----------------------------------------------------------------------------------------------------- Parquet


def _float_text(array: pa.Array) -> pa.Array:
    return pa.array(
        [None if v is None else repr(float(v)) for v in array.to_pylist()], type=pa.string()
    )


def _arrow_text(array: pa.ChunkedArray | pa.Array) -> pa.Array:
    """One Parquet column as text."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.dictionary_decode()
        kind = array.type
    if pa.types.is_string(kind):
        return array
    if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return array.cast(pa.string())
    if pa.types.is_floating(kind):
        return _float_text(array)
    if pa.types.is_boolean(kind):
        return pc.if_else(array, pa.scalar("TRUE"), pa.scalar("FALSE"))
    if pa.types.is_timestamp(kind):
        seconds = array.cast(
            pa.timestamp("s", tz=kind.tz), safe=False
        )  # %S would print fractions otherwise
        return pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_date(kind) or pa.types.is_integer(kind) or pa.types.is_decimal(kind):
        return array.cast(pa.string())
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return pa.array(
            [None if v is None else v.decode("utf-8", "replace") for v in array.to_pylist()],
            type=pa.string(),
        )
    if pa.types.is_null(kind):
        return pa.nulls(len(array), type=pa.string())
    try:
        return array.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array(
            [
                None if v is None else json.dumps(v, default=str, ensure_ascii=False)
                for v in array.to_pylist()
            ],
            type=pa.string(),
        )


def _open_parquet(path: Path) -> _Grid:
    import pyarrow.parquet as pq

    head = _read_head(path)
    invalid = errors.not_a_valid("parquet")
    if not head.startswith(_PARQUET_MAGIC):
        raise FileRejected(
            invalid, f"{path.name} is not a Parquet file: its content is {_describe_content(head)}."
        )
    with path.open("rb") as handle:
        handle.seek(-4, 2)
        tail = handle.read(4)
    if tail != _PARQUET_MAGIC:
        raise FileRejected(
            errors.TRUNCATED,
            f"{path.name} is truncated: it starts like a Parquet file but its footer is missing.",
        )
    try:
        parquet = pq.ParquetFile(path)
        names = [str(name) for name in parquet.schema_arrow.names]
    except (pa.ArrowException, OSError) as error:
        raise FileRejected(
            invalid, f"{path.name} is not a readable Parquet file: {error}."
        ) from None

    def arrow_batches() -> Iterator[pa.Table]:
        try:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                yield pa.table(
                    [_arrow_text(column) for column in batch.columns],
                    names=[f"c{i}" for i in range(batch.num_columns)],
                )
        except (pa.ArrowException, OSError) as error:
            raise FileRejected(
                invalid, f"{path.name}: Parquet data cannot be read: {error}."
            ) from None

    return _Grid(
        format="parquet", batches=iter(()), fixed_header=names, arrow_batches=arrow_batches()
    )


# ------------------------------------------------------------------------------------------------ header + rows


def _is_empty_row(row: Sequence[str | None]) -> bool:
    return all(cell is None or not cell.strip() for cell in row)


def _take_head(batches: Iterator[list[list[str | None]]]) -> tuple[list[list[str | None]], bool]:
    """At least HEADER_SEARCH_ROWS rows from the start (whole batches); True when the file ended."""
    head: list[list[str | None]] = []
    while len(head) < HEADER_SEARCH_ROWS:
        batch = next(batches, None)
        if batch is None:
            return head, True
        head.extend(batch)
    return head, False


def _row_batches(
    grid: _Grid,
    rest_of_head: list[list[str | None]],
    first_row_number: int,
    header_width: int,
    path: Path,
) -> Iterator[RowBatch]:
    row_number = first_row_number
    previous_width: int | None = None
    last_width: int | None = None
    for rows in _chain_nonempty(rest_of_head, grid.batches):
        yield RowBatch(first_row_number=row_number, rows=rows)
        row_number += len(rows)
        if len(rows) >= 2:
            previous_width, last_width = len(rows[-2]), len(rows[-1])
        else:
            previous_width, last_width = last_width, len(rows[-1])
    # A CSV cut off mid-record: the last record is short, unlike the one before it, and has no line end.
    if (
        grid.format == "csv"
        and not grid.ends_with_newline
        and last_width is not None
        and last_width < header_width
        and (previous_width is None or last_width < previous_width)
    ):
        raise FileRejected(
            errors.TRUNCATED,
            f"{path.name} is truncated: its last record (row {row_number - 1}) has {last_width} of "
            f"{header_width} fields and the file ends without a line break.",
        )


def _chain_nonempty(first: list, rest: Iterable[list]) -> Iterator[list]:
    if first:
        yield first
    for batch in rest:
        if batch:
            yield batch


def _reject_bad_header(
    mapping: HeaderMapping, spec: SourceSpec, path: Path, header_row: int, title: dict
) -> dict:
    if mapping.duplicates:
        clashes = "; ".join(
            f"{mapping.position_names(positions)} all map to {name}"
            for name, positions in mapping.duplicates.items()
        )
        raise FileRejected(
            errors.DUPLICATE_COLUMNS,
            f"{path.name}: two columns of the header (row {header_row}) mean the same thing: {clashes}. "
            "Keep one of them.",
        )
    title_values = title_field_values(title, mapping, spec)
    missing = missing_required(mapping, spec, title_values)
    if missing:
        found = ", ".join(cell.strip() for cell in mapping.header if cell.strip()) or "nothing"
        raise FileRejected(
            errors.MISSING_REQUIRED_COLUMNS,
            f"{path.name} lacks required column(s) {', '.join(missing)} of source {spec.name} "
            f"(header found on row {header_row}: {found}).",
        )
    return title_values


def read_table(
    path: str | Path,
    spec: SourceSpec,
    *,
    mode: str = "fast",
    limits: IngestionLimits | None = None,
    excel_worker: ExcelWorker | None = None,
) -> FileTable:
    """Open one agency file of `spec`: detect format details, find the header, check the required columns.

    Raises `FileRejected` for a file that cannot be loaded (`empty_file`, `not_a_valid_<format>`, `truncated`,
    `no_header_found`, `duplicate_columns`, `missing_required_columns`, `unsupported_format`, `over_limit`: file
    bytes and an xlsx's structure against `limits`, default from the environment). The returned
    `FileTable.batches` yields every row below the header, data or not.

    `mode` (CSV only): `fast` uses pyarrow's parser where the file allows it (header on row 1, a regular file);
    iterating the batches may then raise `RetryRead`, after which the caller reads again with the mode it names.

    `excel_worker`: the process that parses workbooks, reused across files (its own limits apply to the parse);
    without one, a workbook gets a worker of its own, ended with its batches.
    """
    if mode not in READ_MODES:
        raise ValueError(f"mode must be one of {READ_MODES}, not {mode!r}")
    path = Path(path)
    fmt = EXTENSION_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise FileRejected(
            errors.UNSUPPORTED_FORMAT,
            f"{path.name}: files ending in {path.suffix or '(no extension)'!r} are not read; send .csv, .xlsx "
            "or .parquet.",
        )
    limits = IngestionLimits.from_env() if limits is None else limits
    size = path.stat().st_size
    if size == 0:
        raise FileRejected(errors.EMPTY_FILE, f"{path.name} is empty (0 bytes).")
    if size > limits.file_bytes:
        raise FileRejected(
            errors.OVER_LIMIT, f"{path.name} " + limits.broken("file_bytes", f"has {size:,} bytes")
        )

    if fmt == "csv":
        grid = _open_csv(path, spec, lenient_quotes=mode == "lenient")
    elif fmt in ("xlsx", "xls"):
        grid = _open_excel(path, fmt, limits, excel_worker)
    else:
        grid = _open_parquet(path)

    if grid.fixed_header is not None:
        return _parquet_table(path, spec, grid)

    head, ended = _take_head(grid.batches)
    if all(_is_empty_row(row) for row in head) and ended:
        raise FileRejected(errors.EMPTY_FILE, f"{path.name} holds no data: every row is empty.")
    located = locate_header(head, spec)
    if located is None:
        raise FileRejected(
            errors.NO_HEADER_FOUND,
            f"{path.name}: no header found; none of its first {HEADER_SEARCH_ROWS} rows names a column of source "
            f"{spec.name} (expected e.g. {', '.join(spec.required_columns[:4])}). Is it the right file?",
        )
    index, mapping = located
    header_row = index + 1
    title_lines = [line for line in (title_line(row) for row in head[:index]) if line]
    title = parse_title_block(title_lines)
    title_values = _reject_bad_header(mapping, spec, path, header_row, title)
    rest = head[index + 1 :]
    if ended and not rest:
        raise FileRejected(
            errors.EMPTY_FILE, f"{path.name} has a header (row {header_row}) but no rows below it."
        )
    fast = (
        mode == "fast"
        and grid.format == "csv"
        and index == 0
        and grid.encoding in _FAST_ENCODINGS
        and grid.balanced_quotes
        and not any("\n" in cell or "\r" in cell for cell in mapping.header)
    )
    if fast:
        grid.batches.close()  # type: ignore[attr-defined]
        batches = _fast_csv_batches(path, grid, len(mapping.header), header_row + 1)
    else:
        batches = _row_batches(grid, rest, header_row + 1, len(mapping.header), path)
    return FileTable(
        path=path,
        format=grid.format,
        header_row=header_row,
        mapping=mapping,
        batches=batches,
        encoding=grid.encoding,
        delimiter=grid.delimiter,
        sheet=grid.sheet,
        title_lines=title_lines,
        title_values=title_values,
        column_offset=grid.column_offset,
        letter_columns=grid.letter_columns,
    )


def _parquet_table(path: Path, spec: SourceSpec, grid: _Grid) -> FileTable:
    from orchestration.ingestion.headers import map_header

    mapping = map_header(grid.fixed_header or [], spec)
    if not mapping.matched:
        raise FileRejected(
            errors.NO_HEADER_FOUND,
            f"{path.name}: none of its column names is a column of source {spec.name} "
            f"(expected e.g. {', '.join(spec.required_columns[:4])}). Is it the right file?",
        )
    _reject_bad_header(mapping, spec, path, 1, {})

    def batches() -> Iterator[RowBatch]:
        row_number = 2
        for table in grid.arrow_batches or ():
            if table.num_rows:
                yield RowBatch(first_row_number=row_number, table=table)
                row_number += table.num_rows

    return FileTable(path=path, format="parquet", header_row=1, mapping=mapping, batches=batches())
