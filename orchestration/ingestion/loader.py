"""The loader: inbox files -> raw DuckDB tables, with lineage, one transaction per file.

`ingest_source` scans `<inbox>/<source>/<YYYY-MM>/**`, skips files whose (path, hash) it has seen, records a file
with the bytes of an already-loaded one as `duplicate_file`, rejects bad files with a reason and goes on, and
appends every row below each header (data or not) to `raw.<source>`. `raw.ingested_files` gets one row per
distinct (path, hash). `ingest_unknown_entries` records the files outside every source folder as rejected
(`unknown_source`, `misplaced_file`), never reading them. Layout and codes: docs/design.md.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.contract import SourceSpec, load_contract
from orchestration.ingestion import errors
from orchestration.ingestion.errors import FileChanging, FileRejected, RetryRead
from orchestration.ingestion.limits import IngestionLimits
from orchestration.ingestion.readers import EXTENSION_FORMATS, ExcelWorker, FileTable, read_table
from orchestration.ingestion.report import (
    INBOX_ROOT_SOURCE,
    FileOutcome,
    InboxIngestReport,
    SourceIngestReport,
)

__all__ = [
    "INGESTED_FILES_COLUMNS",
    "LINEAGE_COLUMNS",
    "RAW_SCHEMA",
    "ensure_ingested_files_table",
    "ensure_raw_table",
    "find_unknown_sources",
    "ingest_inbox",
    "ingest_source",
    "ingest_unknown_entries",
    "is_ignored_name",
    "raw_table_columns",
]

T = TypeVar("T")
log = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
INGESTED_FILES = "ingested_files"
PERIOD_FOLDER = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_file_hash", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_period", "VARCHAR"),
    ("_row_number", "INTEGER"),
    ("_loaded_at", "TIMESTAMP"),
    ("_non_data_reason", "VARCHAR"),
)
EXTRA_COLUMN = ("_extra", "VARCHAR")

INGESTED_FILES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("file_hash", "VARCHAR"),
    ("source", "VARCHAR"),
    ("period", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("size_bytes", "BIGINT"),
    ("modified_at", "TIMESTAMP"),
    ("loaded_at", "TIMESTAMP"),
    ("status", "VARCHAR"),
    ("reason_code", "VARCHAR"),
    ("reason_message", "VARCHAR"),
    ("rows_received", "INTEGER"),
    ("non_data_rows", "INTEGER"),
    ("format", "VARCHAR"),
    ("encoding", "VARCHAR"),
    ("delimiter", "VARCHAR"),
    ("sheet", "VARCHAR"),
    ("header_row", "INTEGER"),
    ("title_block", "VARCHAR"),
    ("duplicate_of", "VARCHAR"),
)

# Cells that make a row a total row (compared upper-cased, trimmed, spaces removed).
TOTAL_WORDS = ("JUMLAH", "TOTAL", "JUMLAHTOTAL", "GRANDTOTAL", "SUBTOTAL")
# What counts as blank around a cell: space, tab, CR, LF, no-break space, ideographic space, zero-width space.
_BLANKS = " \t\r\n\u00a0\u3000\u200b\ufeff"
_IGNORED_NAMES = {"thumbs.db", "desktop.ini", "__macosx", "icon\r"}
_BATCH_VIEW = "__tkpkd_ingest_batch"
INSERT_ROWS = 1_000_000
# Rejections whose cause may go away without the file changing: retried on every run.
ALWAYS_RETRIED = (errors.READ_ERROR, errors.PERIOD_OUT_OF_RANGE, errors.UNKNOWN_SOURCE)


# ------------------------------------------------------------------------------------------------------ tables


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def raw_table_columns(spec: SourceSpec) -> list[tuple[str, str]]:
    """Columns of raw.<source>, in order: lineage, the contract's canonical columns, `_extra`."""
    return [*LINEAGE_COLUMNS, *((name, "VARCHAR") for name in spec.column_names), EXTRA_COLUMN]


def _existing_columns(conn: duckdb.DuckDBPyConnection, table: str) -> set[str] | None:
    rows = conn.execute(
        "select column_name from duckdb_columns() "
        "where database_name = current_database() and schema_name = ? and table_name = ?",
        [RAW_SCHEMA, table],
    ).fetchall()
    return {row[0] for row in rows} or None


def _ensure_table(
    conn: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]]
) -> None:
    conn.execute(f"create schema if not exists {RAW_SCHEMA}")
    existing = _existing_columns(conn, table)
    if existing is None:
        body = ", ".join(f"{_quote(name)} {kind}" for name, kind in columns)
        conn.execute(f"create table if not exists {RAW_SCHEMA}.{_quote(table)} ({body})")
        return
    for name, kind in columns:
        if name not in existing:  # the contract gained a column since the table was made
            conn.execute(
                f"alter table {RAW_SCHEMA}.{_quote(table)} add column {_quote(name)} {kind}"
            )


def ensure_raw_table(conn: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """Create raw.<source> (or add the columns the contract gained). Columns the contract dropped stay."""
    _ensure_table(conn, spec.name, raw_table_columns(spec))


def ensure_ingested_files_table(conn: duckdb.DuckDBPyConnection) -> None:
    _ensure_table(conn, INGESTED_FILES, list(INGESTED_FILES_COLUMNS))


# ------------------------------------------------------------------------------------------------------ inbox


def is_ignored_name(name: str) -> bool:
    """Hidden files and folders (`.DS_Store`), Excel/Word lock files (`~$x.xlsx`) and OS litter."""
    return name.startswith((".", "~$")) or name.lower() in _IGNORED_NAMES


def find_unknown_sources(
    inbox: str | Path, contract: Mapping[str, SourceSpec] | None = None
) -> list[Path]:
    """Top-level inbox entries (folders, and stray files) that are not a source of the contract, hidden ones
    excepted. Their files are never loaded."""
    inbox = Path(inbox)
    contract = load_contract() if contract is None else contract
    if not inbox.is_dir():
        return []
    return sorted(
        entry
        for entry in inbox.iterdir()
        if not is_ignored_name(entry.name) and entry.name not in contract
    )


def _close_source(folder: str, contract: Collection[str]) -> str | None:
    """The source a mistyped folder most likely meant (`BANSOS`, `bansos_` -> `bansos`), for the message."""
    matches = difflib.get_close_matches(folder.lower(), list(contract), n=1, cutoff=0.75)
    return matches[0] if matches else None


def _file_hash(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _utc_naive(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# ------------------------------------------------------------------------------------------------------ rows


def _rows_to_arrow(rows: list[list[str | None]], header_width: int) -> pa.Table:
    width = max(header_width, max(map(len, rows)))
    if any(len(row) != width for row in rows):
        rows = [row if len(row) == width else row + [None] * (width - len(row)) for row in rows]
    arrays = [pa.array(column, type=pa.string()) for column in zip(*rows)]
    return pa.table(arrays, names=[f"c{i}" for i in range(width)])


def _array(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _blank(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """True where a cell is missing, empty or only whitespace (Unicode-aware, like str.strip)."""
    return _array(pc.fill_null(pc.equal(pc.utf8_trim_whitespace(_array(column)), ""), True))


def _all(masks: list[pa.Array], length: int) -> pa.Array:
    result = pa.array(np.ones(length, dtype=bool))
    for mask in masks:
        result = pc.and_(result, mask)
    return result


def _is_total_word(column) -> pa.Array:
    squeezed = pc.replace_substring(pc.utf8_upper(pc.utf8_trim_whitespace(_array(column))), " ", "")
    return _array(pc.fill_null(pc.is_in(squeezed, value_set=pa.array(TOTAL_WORDS)), False))


def non_data_reasons(arrow: pa.Table, width: int, identifier_positions: list[int]) -> pa.Array:
    """`_non_data_reason` for every row of a batch (columns c0..c{width-1}): `empty_row` when every cell is
    blank, `total_row` when a cell reads JUMLAH / TOTAL / JUMLAH TOTAL / GRAND TOTAL / SUB TOTAL and each
    identifier cell is blank or is that label, else null. Only such rows are examined cell by cell."""
    length = arrow.num_rows
    # The total label often stands in the first column, which may be an identifier (`JUMLAH` under NIK).
    candidates = _all(
        [
            pc.or_(_blank(arrow.column(f"c{p}")), _is_total_word(arrow.column(f"c{p}")))
            for p in identifier_positions
        ],
        length,
    )
    if not pc.any(candidates).as_py():
        return pa.nulls(length, type=pa.string())
    subset = arrow.filter(candidates)
    columns = [subset.column(f"c{i}") for i in range(width)]
    empty = _all([_blank(column) for column in columns], subset.num_rows)
    total = pa.array(np.zeros(subset.num_rows, dtype=bool))
    for column in columns:
        total = pc.or_(total, _is_total_word(column))
    reasons = pc.if_else(
        empty,
        pa.scalar(errors.EMPTY_ROW),
        pc.if_else(total, pa.scalar(errors.TOTAL_ROW), pa.scalar(None, type=pa.string())),
    )
    return pc.replace_with_mask(pa.nulls(length, type=pa.string()), candidates, _array(reasons))


def _blank_sql(cell: str) -> str:
    return f"coalesce(trim({cell}, {_literal(_BLANKS)}), '') = ''"


def _insert_sql(spec: SourceSpec, table: FileTable, width: int) -> str:
    mapping = table.mapping
    select = [
        "$file_hash as _file_hash",
        "$source_file as _source_file",
        "$period as _period",
        "__row as _row_number",
        "$loaded_at::timestamp as _loaded_at",
        "__reason as _non_data_reason",
    ]
    known = set(spec.column_names)
    for name, position in mapping.canonical.items():
        if name in known:
            select.append(f"c{position} as {_quote(name)}")
    for index, name in enumerate(table.title_values):
        select.append(f"$title_{index}::varchar as {_quote(name)}")

    # _extra: named unknown columns always (header -> value); unnamed columns and cells beyond the header only
    # where the row has something in them.
    entries: list[tuple[str, int, bool]] = []
    used: set[str] = set()
    for header, position in mapping.extras:
        key = header if header not in used else f"{header} ({table.column_label(position)})"
        used.add(key)
        entries.append((key, position, True))
    header_width = len(mapping.header)
    for position in [*mapping.unnamed, *range(header_width, width)]:
        entries.append((f"_column_{table.column_label(position)}", position, False))
    if entries:
        items = ", ".join(
            f"{{'k': {_literal(key)}, 'v': c{position}, 'a': {'true' if always else 'false'}}}"
            for key, position, always in entries
        )
        kept = f"list_filter([{items}], lambda e: e.a or not ({_blank_sql('e.v')}))"
        source = f"(select *, {kept} as __extra from {_BATCH_VIEW})"
        select.append(
            "case when len(__extra) = 0 then null else "
            "to_json(map_from_entries(list_transform(__extra, lambda e: {'k': e.k, 'v': e.v}))) end as _extra"
        )
    else:
        source = _BATCH_VIEW
    return f"insert into {RAW_SCHEMA}.{_quote(spec.name)} by name\nselect {', '.join(select)}\nfrom {source}"


def _text_bytes(column: pa.ChunkedArray) -> int:
    """Bytes of text a string column holds (its chunks' data buffers: at least the sum of its cells' bytes)."""
    total = 0
    for chunk in column.chunks:
        data = chunk.buffers()[2]
        total += 0 if data is None else data.size
    return total


def _check_batch_limits(
    arrow: pa.Table,
    rows_before: int,
    first_row_number: int,
    table: FileTable,
    limits: IngestionLimits,
) -> None:
    """Rows, columns and cell length are only known while streaming: checked per batch, before it is written."""
    name = table.path.name
    if rows_before + arrow.num_rows > limits.rows:
        raise FileRejected(
            errors.OVER_LIMIT,
            f"{name} " + limits.broken("rows", f"has more than {limits.rows:,} rows"),
        )
    if arrow.num_columns > limits.columns:
        raise FileRejected(
            errors.OVER_LIMIT,
            f"{name} " + limits.broken("columns", f"has {arrow.num_columns:,} columns"),
        )
    for position, column in enumerate(arrow.columns):
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            continue
        # A character takes at least a byte: the column's whole text, then its longest cell in bytes (from the
        # offsets alone) bound the longest cell in characters. Only a column over both is measured in characters.
        if _text_bytes(column) <= limits.cell_chars:
            continue
        longest_bytes = pc.max(pc.binary_length(column)).as_py()
        if longest_bytes is None or longest_bytes <= limits.cell_chars:
            continue
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limits.cell_chars:
            offset = pc.index(pc.greater(lengths, limits.cell_chars), True).as_py()
            raise FileRejected(
                errors.OVER_LIMIT,
                f"{name}: row {first_row_number + offset}, column {table.column_label(position)} "
                + limits.broken("cell_chars", f"holds {longest:,} characters"),
            )


def _write_rows(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    table: FileTable,
    params: dict[str, object],
    limits: IngestionLimits,
) -> tuple[int, int]:
    """Append every row below the header; returns (rows written, of which non-data).

    Batches are gathered into inserts of up to INSERT_ROWS rows: DuckDB appends one large Arrow table in parallel
    and much faster than many small ones.
    """
    params = dict(params)
    for index, value in enumerate(table.title_values.values()):
        params[f"title_{index}"] = value
    statements: dict[int, str] = {}
    identifier_positions = [
        table.mapping.canonical[n] for n in spec.identifiers if n in table.mapping.canonical
    ]
    header_width = len(table.mapping.header)
    pending: list[pa.Table] = []
    pending_rows = 0
    written = non_data = 0

    def flush() -> None:
        nonlocal pending, pending_rows
        if not pending:
            return
        width = pending[0].num_columns - 2
        sql = statements.get(width) or statements.setdefault(width, _insert_sql(spec, table, width))
        conn.register(_BATCH_VIEW, pa.concat_tables(pending))
        try:
            conn.execute(sql, params)
        finally:
            conn.unregister(_BATCH_VIEW)
        pending, pending_rows = [], 0

    for batch in table.batches:
        arrow = (
            batch.table
            if batch.table is not None
            else _rows_to_arrow(batch.rows or [], header_width)
        )
        _check_batch_limits(arrow, written, batch.first_row_number, table, limits)
        width = arrow.num_columns
        reasons = non_data_reasons(arrow, width, identifier_positions)
        rows = np.arange(
            batch.first_row_number, batch.first_row_number + arrow.num_rows, dtype=np.int32
        )
        arrow = arrow.append_column("__row", pa.array(rows)).append_column("__reason", reasons)
        if pending and (pending[0].num_columns != arrow.num_columns or pending_rows >= INSERT_ROWS):
            flush()
        pending.append(arrow)
        pending_rows += arrow.num_rows
        written += arrow.num_rows
        non_data += len(reasons) - reasons.null_count
    flush()
    return written, non_data


# ------------------------------------------------------------------------------------------------------ files


def _record(
    conn: duckdb.DuckDBPyConnection,
    outcome: FileOutcome,
    modified_at: dt.datetime | None,
    loaded_at: dt.datetime,
    title_lines: list[str] | None = None,
) -> None:
    values = {
        "file_hash": outcome.file_hash,
        "source": outcome.source,
        "period": outcome.period,
        "source_file": outcome.source_file,
        "size_bytes": outcome.size_bytes,
        "modified_at": modified_at,
        "loaded_at": loaded_at,
        "status": outcome.status,
        "reason_code": outcome.reason_code,
        "reason_message": outcome.message,
        "rows_received": outcome.rows_received,
        "non_data_rows": outcome.non_data_rows,
        "format": outcome.format,
        "encoding": outcome.encoding,
        "delimiter": outcome.delimiter,
        "sheet": outcome.sheet,
        "header_row": outcome.header_row,
        "title_block": json.dumps(title_lines, ensure_ascii=False) if title_lines else None,
        "duplicate_of": outcome.duplicate_of,
    }
    names = ", ".join(_quote(name) for name in values)
    placeholders = ", ".join(f"${name}" for name in values)
    conn.execute(
        f"insert into {RAW_SCHEMA}.{INGESTED_FILES} ({names}) values ({placeholders})", values
    )


def _describe_loaded(source_file: str, table: FileTable, rows: int, non_data: int) -> str:
    where = [f"header on row {table.header_row}"]
    if table.sheet:
        where.insert(0, f"sheet {table.sheet!r}")
    if table.delimiter:
        where.append(f"{table.encoding}, delimiter {table.delimiter!r}")
    if table.title_values:
        where.append(
            "from the title block: "
            + ", ".join(f"{k} = {v!r}" for k, v in table.title_values.items())
        )
    return f"{source_file}: loaded {rows} rows ({non_data} empty or total rows among them); {'; '.join(where)}."


def _load_file(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    path: Path,
    base: FileOutcome,
    modified_at: dt.datetime,
    loaded_at: dt.datetime,
    replace_record: bool,
    limits: IngestionLimits,
    stat_before: os.stat_result,
    read_retry: ReadRetry,
    excel_worker: ExcelWorker,
) -> FileOutcome:
    """Read and write one file in one transaction; a rejection rolls everything back and is recorded."""
    params = {
        "file_hash": base.file_hash,
        "source_file": base.source_file,
        "period": base.period,
        "loaded_at": loaded_at,
    }
    outcome: FileOutcome | None = None
    mode: str | None = "fast"
    tried: set[str] = set()
    while mode is not None:
        tried.add(mode)
        conn.begin()
        try:
            if replace_record:
                _forget(conn, base)
            table = _read_with_retries(
                partial(read_table, path, spec, mode=mode, limits=limits, excel_worker=excel_worker),
                base.source_file,
                read_retry,
            )
            rows, non_data = _write_rows(conn, spec, table, params, limits)
            if _changed(path, stat_before):
                raise FileChanging()
            if rows == non_data:
                raise FileRejected(
                    errors.EMPTY_FILE,
                    f"{path.name} has a header (row {table.header_row}) but no data rows below it"
                    + (f" ({rows} empty or total rows)." if rows else "."),
                )
            outcome = _replace(
                base,
                status=errors.LOADED,
                message=_describe_loaded(base.source_file, table, rows, non_data),
                rows_received=rows,
                non_data_rows=non_data,
                format=table.format,
                encoding=table.encoding,
                delimiter=table.delimiter,
                sheet=table.sheet,
                header_row=table.header_row,
            )
            _record(conn, outcome, modified_at, loaded_at, table.title_lines)
            conn.commit()
            return outcome
        except RetryRead as retry:
            conn.rollback()
            log.debug("re-reading %s in %s mode: %s", base.source_file, retry.mode, retry)
            mode = retry.mode if retry.mode not in tried else None
            if mode is None:
                outcome = _replace(
                    base,
                    status=errors.REJECTED,
                    reason_code=errors.READ_ERROR,
                    message=f"{base.source_file} could not be read in any mode: {retry}",
                )
            continue
        except FileChanging:
            conn.rollback()
            return _replace(
                base,
                status=errors.PENDING,
                message=f"{base.source_file} changed while it was read (still being copied in?); left for the next run.",
            )
        except FileRejected as rejection:
            conn.rollback()
            outcome = _replace(
                base,
                status=errors.REJECTED,
                reason_code=rejection.code,
                message=_name_file(rejection.message, path, base.source_file),
                format=EXTENSION_FORMATS.get(path.suffix.lower()),
            )
            break
        except (
            Exception
        ) as error:  # an unexpected failure: recorded (and retried on the next run), never fatal
            conn.rollback()
            if isinstance(error, duckdb.ConnectionException):
                raise
            log.exception("reading %s failed", base.source_file)
            outcome = _replace(
                base,
                status=errors.REJECTED,
                reason_code=errors.READ_ERROR,
                message=f"{base.source_file} could not be read: {type(error).__name__}: {error}",
                format=EXTENSION_FORMATS.get(path.suffix.lower()),
            )
            break
    assert outcome is not None
    _record_alone(conn, outcome, modified_at, loaded_at, replace_record)
    return outcome


@dataclass(frozen=True)
class ReadRetry:
    """How often a transient I/O error (`OSError`) is retried, and the first delay (doubled after each attempt)."""

    attempts: int = 3
    first_delay_seconds: float = 0.5


def _read_with_retries(read: Callable[[], T], source_file: str, retry: ReadRetry) -> T:
    for attempt in range(1, retry.attempts + 1):
        try:
            return read()
        except OSError as error:
            if attempt == retry.attempts:
                raise
            delay = retry.first_delay_seconds * 2 ** (attempt - 1)
            log.warning("reading %s failed (%s); retrying in %.1f s", source_file, error, delay)
            time.sleep(delay)
    raise AssertionError("unreachable: attempts >= 1")


def _changed(path: Path, before: os.stat_result) -> bool:
    after = path.stat()
    return (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns)


def _name_file(message: str, path: Path, source_file: str) -> str:
    """Reader messages start with the file name; the report names the file by its inbox path."""
    if message.startswith(path.name):
        return source_file + message[len(path.name) :]
    return f"{source_file}: {message}"


def _replace(base: FileOutcome, **changes: object) -> FileOutcome:
    from dataclasses import replace

    return replace(base, **changes)


def _forget(conn: duckdb.DuckDBPyConnection, outcome: FileOutcome) -> None:
    conn.execute(
        f"delete from {RAW_SCHEMA}.{INGESTED_FILES} where source = ? and source_file = ? and file_hash = ?",
        [outcome.source, outcome.source_file, outcome.file_hash],
    )


def _record_alone(
    conn: duckdb.DuckDBPyConnection,
    outcome: FileOutcome,
    modified_at: dt.datetime | None,
    loaded_at: dt.datetime,
    replace_record: bool = False,
) -> None:
    conn.begin()
    try:
        if replace_record:
            _forget(conn, outcome)
        _record(conn, outcome, modified_at, loaded_at)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


def _source_paths(source_dir: Path) -> list[Path]:
    """Every file under a source folder, plus every symlink (to a file or a folder), which is refused, not followed.

    A source folder that is itself a symlink is one refused entry."""
    if source_dir.is_symlink():
        return [source_dir]
    if not source_dir.is_dir():
        return []
    # rglob does not descend into symlinked folders; is_symlink() keeps them (and links to files) as entries.
    return sorted(p for p in source_dir.rglob("*") if p.is_symlink() or p.is_file())


def files_in_periods(inbox: Path, sources: Collection[str], periods: Collection[str]) -> int:
    """How many files `ingest_source` takes up for these sources and periods (the length of a progress bar)."""
    return sum(
        1
        for source in sources
        for path in _source_paths(inbox / source)
        if _period_of(path.relative_to(inbox / source))[0] in periods
    )


def _outside_inbox(path: Path, inbox_root: Path) -> str | None:
    """Why `path` is refused as pointing outside the inbox (the end of a sentence), or None."""
    if path.is_symlink():
        return "is a symbolic link"
    if not path.resolve().is_relative_to(inbox_root):
        return "resolves to a path outside the inbox"
    return None


def _period_of(relative: Path) -> tuple[str | None, str | None]:
    """(period, problem) for a path relative to the source folder."""
    if len(relative.parts) < 2:
        return None, "lies directly in the source folder, not in a period folder YYYY-MM"
    folder = relative.parts[0]
    if not PERIOD_FOLDER.match(folder):
        return None, f"lies in folder {folder!r}, which is not a period YYYY-MM (e.g. 2025-03)"
    return folder, None


def ingest_source(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    inbox: str | Path,
    now: dt.datetime | None = None,
    *,
    retry_rejected: bool = False,
    periods: Collection[str] | None = None,
    period_bounds: tuple[str, str] | None = None,
    limits: IngestionLimits | None = None,
    settle_seconds: float = 0,
    read_retry: ReadRetry | None = None,
    on_file: Callable[[str], None] | None = None,
) -> SourceIngestReport:
    """Load every new file of one source from `<inbox>/<source>/<YYYY-MM>/**` into raw.<source>.

    - Creates raw.<source> and raw.ingested_files if needed (raw.<source> exists afterwards even when no file
      arrived), adding columns the contract gained.
    - A (path, hash) already in raw.ingested_files is skipped; so re-running adds nothing. Rejections with reason
      `read_error` (an unexpected failure) are retried on every run; other rejections only with
      `retry_rejected=True` (e.g. after an alias was added to the contract).
    - A file with the same bytes as a loaded file of this source is recorded `duplicate_file`, rows not added.
    - Bad files are rejected with a reason code and a message; the other files go on.
    - Each file is written in its own transaction (rows + its raw.ingested_files row); the connection must not be
      inside a transaction when called.

    - `periods`: only the period folders of these periods are read (a run for some partitions); files in a folder
      that is no period, or out of bounds, are recorded on every call whatever the periods. `period_bounds` (first, last): a period
      folder outside them is rejected as `period_out_of_range` (retried on every run, so widening the bounds
      brings the file in).

    `limits`: what a file may hold (orchestration/ingestion/limits.py; default from the TKPKD_MAX_* variables);
    a file over one is rejected `over_limit`.

    - `settle_seconds`: a file modified less than that ago, or whose size or mtime changes while it is read, is
      left for the next run (`pending` in the report, not recorded): it may still be being copied in.
    - `read_retry`: transient I/O errors (`OSError`: a file locked by the uploader, a share hiccup) are retried with
      doubling delays; a file still failing is rejected `read_error`, itself retried on every run.

    `now` sets `_loaded_at` / `loaded_at` (UTC; defaults to the time each file is written).
    `on_file(source_file)` is called as each file of the run's periods is taken up (a progress display).
    """
    started = time.perf_counter()
    limits = IngestionLimits.from_env() if limits is None else limits
    read_retry = ReadRetry() if read_retry is None else read_retry
    inbox = Path(inbox)
    report = SourceIngestReport(source=spec.name)
    ensure_ingested_files_table(conn)
    ensure_raw_table(conn, spec)

    known: dict[tuple[str, str], tuple[str, str | None]] = {}
    loaded_hashes: dict[str, str] = {}
    for source_file, file_hash, status, reason in conn.execute(
        f"select source_file, file_hash, status, reason_code from {RAW_SCHEMA}.{INGESTED_FILES} "
        "where source = ? order by loaded_at, source_file",
        [spec.name],
    ).fetchall():
        known[(source_file, file_hash)] = (status, reason)
        if status == errors.LOADED:
            loaded_hashes.setdefault(file_hash, source_file)

    source_dir = inbox / spec.name
    inbox_root = inbox.resolve()
    paths = _source_paths(source_dir)
    with ExcelWorker(limits) as excel_worker:
        for path in paths:
            relative = path.relative_to(source_dir)
            source_file = path.relative_to(inbox).as_posix()
            folder_period, _ = _period_of(relative)
            in_bounds = period_bounds is None or (
                folder_period is not None and period_bounds[0] <= folder_period <= period_bounds[1]
            )
            if (
                periods is not None
                and folder_period is not None
                and in_bounds
                and folder_period not in periods
            ):
                continue  # another run's period: a folder out of bounds or no period at all is recorded by every run
            if on_file is not None:
                on_file(source_file)
            base = FileOutcome(
                source=spec.name, source_file=source_file, path=path.absolute(), status=""
            )
            if any(is_ignored_name(part) for part in relative.parts):
                report.files.append(
                    _replace(
                        base,
                        status=errors.IGNORED,
                        message=f"{source_file}: hidden, lock or system file, not read.",
                    )
                )
                continue

            refusal = _outside_inbox(path, inbox_root)
            if refusal is not None:
                stat = path.lstat()
                # The target is never opened: the record is keyed on the link itself, so reruns skip it.
                file_hash = hashlib.sha256(f"{errors.OUTSIDE_INBOX}:{refusal}".encode()).hexdigest()
            else:
                stat = path.stat()
                age = time.time() - stat.st_mtime
                if age < settle_seconds:
                    report.files.append(
                        _replace(
                            base,
                            status=errors.PENDING,
                            message=(
                                f"{source_file} was modified {max(age, 0):.0f} s ago, less than {settle_seconds:g} s: "
                                "it may still be being copied in; left for the next run."
                            ),
                        )
                    )
                    continue
                file_hash = _read_with_retries(partial(_file_hash, path), source_file, read_retry)
            modified_at = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).replace(tzinfo=None)
            loaded_at = _utc_naive(now) if now is not None else _now()
            period, problem = _period_of(relative)
            base = _replace(base, file_hash=file_hash, size_bytes=stat.st_size, period=period)

            previous = known.get((source_file, file_hash))
            replace_record = False
            if previous is not None:
                status, reason = previous
                retry = status == errors.REJECTED and (reason in ALWAYS_RETRIED or retry_rejected)
                if not retry:
                    report.files.append(
                        _replace(
                            base,
                            status=errors.SKIPPED,
                            message=f"{source_file}: already ingested ({status}{', ' + reason if reason else ''}).",
                        )
                    )
                    continue
                replace_record = True

            rejection: tuple[str, str] | None = None
            if refusal is not None:
                rejection = (
                    errors.OUTSIDE_INBOX,
                    f"{source_file} {refusal}; it was not opened. Copy the file itself into the inbox.",
                )
            elif problem is None and period_bounds is not None and not period_bounds[0] <= period <= period_bounds[1]:
                rejection = (
                    errors.PERIOD_OUT_OF_RANGE,
                    (
                        f"{source_file} is for period {period}, outside the periods the warehouse serves "
                        f"({period_bounds[0]} to {period_bounds[1]}); an earlier period needs TKPKD_FIRST_PERIOD set to it."
                    ),
                )
            elif problem is not None:
                rejection = (
                    errors.INVALID_PERIOD_FOLDER,
                    f"{source_file} {problem}; move it to {spec.name}/<YYYY-MM>/.",
                )
            if rejection is not None:
                code, message = rejection
                outcome = _replace(base, status=errors.REJECTED, reason_code=code, message=message)
                _record_alone(conn, outcome, modified_at, loaded_at, replace_record)
            elif file_hash in loaded_hashes:
                original = loaded_hashes[file_hash]
                outcome = _replace(
                    base,
                    status=errors.DUPLICATE_FILE,
                    message=f"{source_file} has the same bytes as {original}, already loaded; no rows added.",
                    duplicate_of=original,
                )
                _record_alone(conn, outcome, modified_at, loaded_at, replace_record)
            else:
                outcome = _load_file(
                    conn,
                    spec,
                    path,
                    base,
                    modified_at,
                    loaded_at,
                    replace_record,
                    limits,
                    stat,
                    read_retry,
                    excel_worker,
                )
                if outcome.status == errors.PENDING:
                    report.files.append(outcome)
                    continue
                if outcome.status == errors.LOADED:
                    loaded_hashes[file_hash] = source_file
            known[(source_file, file_hash)] = (outcome.status, outcome.reason_code)
            report.files.append(outcome)

    report.seconds = time.perf_counter() - started
    return report


def _unknown_entry_rejection(relative: Path, contract: Collection[str]) -> tuple[str, str, str | None, str]:
    """(source, reason code, period, message) for a file outside every source folder, `relative` to the inbox."""
    source_file = relative.as_posix()
    if len(relative.parts) == 1:
        return (
            INBOX_ROOT_SOURCE,
            errors.MISPLACED_FILE,
            None,
            (
                f"{source_file} lies directly in the inbox, in no source folder; it was not loaded. "
                "Move it to <source>/<YYYY-MM>/ (the sources are listed in orchestration/contract/sources.yaml)."
            ),
        )
    folder = relative.parts[0]
    period, _ = _period_of(Path(*relative.parts[1:]))
    close = _close_source(folder, contract)
    hint = f" (did you mean {close}/?)" if close else ""
    return (
        folder,
        errors.UNKNOWN_SOURCE,
        period,
        (
            f"{source_file} lies in inbox folder {folder!r}, which is not a source of the contract{hint}; it was not "
            "loaded. Move it to <source>/<YYYY-MM>/ of its source, or add the source to "
            "orchestration/contract/sources.yaml (the file is then read on the next run)."
        ),
    )


def ingest_unknown_entries(
    conn: duckdb.DuckDBPyConnection,
    inbox: str | Path,
    contract: Mapping[str, SourceSpec] | None = None,
    now: dt.datetime | None = None,
    *,
    settle_seconds: float = 0,
    read_retry: ReadRetry | None = None,
) -> SourceIngestReport:
    """Record every file the inbox holds outside the contract's source folders as rejected, never reading it.

    A file under a top-level folder that is no source (`dinas_baru/2025-03/x.csv`, `BANSOS/...`) is `unknown_source`,
    `source` = that folder, `period` = its period folder when it has one; a file directly in the inbox is
    `misplaced_file`, `source` = `_inbox`. Once per (path, hash), like `ingest_source`; whatever the run's periods.
    Hidden and lock files are ignored; symbolic links are recorded without being followed; a file modified less
    than `settle_seconds` ago is left pending (its hash is not final yet).
    """
    contract = load_contract() if contract is None else contract
    read_retry = ReadRetry() if read_retry is None else read_retry
    inbox = Path(inbox)
    report = SourceIngestReport(source=INBOX_ROOT_SOURCE)
    started = time.perf_counter()
    ensure_ingested_files_table(conn)
    known = set(
        conn.execute(
            f"select source_file, file_hash from {RAW_SCHEMA}.{INGESTED_FILES} where reason_code in (?, ?)",
            [errors.UNKNOWN_SOURCE, errors.MISPLACED_FILE],
        ).fetchall()
    )
    for entry in find_unknown_sources(inbox, contract):
        for path in [entry] if entry.is_symlink() or entry.is_file() else _source_paths(entry):
            relative = path.relative_to(inbox)
            source, code, period, message = _unknown_entry_rejection(relative, contract)
            base = FileOutcome(
                source=source, source_file=relative.as_posix(), path=path.absolute(), status="", period=period
            )
            if any(is_ignored_name(part) for part in relative.parts):
                report.files.append(
                    _replace(base, status=errors.IGNORED, message=f"{base.source_file}: hidden, lock or system file, not read.")
                )
                continue
            if path.is_symlink():
                stat = path.lstat()
                # Never opened: keyed on the link itself, as ingest_source does for links.
                file_hash = hashlib.sha256(f"{code}:symbolic link".encode()).hexdigest()
            else:
                stat = path.stat()
                if time.time() - stat.st_mtime < settle_seconds:
                    report.files.append(
                        _replace(base, status=errors.PENDING, message=f"{base.source_file} may still be being copied in; left for the next run.")
                    )
                    continue
                file_hash = _read_with_retries(partial(_file_hash, path), base.source_file, read_retry)
            base = _replace(base, file_hash=file_hash, size_bytes=stat.st_size)
            if (base.source_file, file_hash) in known:
                report.files.append(
                    _replace(base, status=errors.SKIPPED, message=f"{base.source_file}: already recorded ({code}).")
                )
                continue
            outcome = _replace(base, status=errors.REJECTED, reason_code=code, message=message)
            modified_at = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).replace(tzinfo=None)
            _record_alone(conn, outcome, modified_at, _utc_naive(now) if now is not None else _now())
            known.add((base.source_file, file_hash))
            report.files.append(outcome)
    report.seconds = time.perf_counter() - started
    return report


def ingest_inbox(
    conn: duckdb.DuckDBPyConnection,
    inbox: str | Path,
    contract: Mapping[str, SourceSpec] | None = None,
    now: dt.datetime | None = None,
    *,
    retry_rejected: bool = False,
) -> InboxIngestReport:
    """`ingest_source` for every source of the contract, plus the files no source claims (`ingest_unknown_entries`)."""
    contract = load_contract() if contract is None else contract
    report = InboxIngestReport(unknown=ingest_unknown_entries(conn, inbox, contract, now))
    for name, spec in contract.items():
        report.sources[name] = ingest_source(conn, spec, inbox, now, retry_rejected=retry_rejected)
    return report
