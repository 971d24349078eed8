"""Ingestion: agency files in the inbox -> raw DuckDB tables (plain library code; the Dagster assets call it).

Public API:
- `ingest_source(conn, spec, inbox, now=None, *, retry_rejected=False) -> SourceIngestReport`
- `ingest_inbox(conn, inbox, contract=None, now=None) -> InboxIngestReport`
- `find_unknown_sources(inbox, contract=None) -> list[Path]`
- `ingest_unknown_entries(conn, inbox, contract=None, now=None) -> SourceIngestReport` (files outside every source
  folder, recorded rejected)
- `read_table(path, spec) -> FileTable` (one file, header detected, rows in batches)
- `normalise_header(text)`, `map_header(header, spec) -> HeaderMapping`
- `ensure_raw_table(conn, spec)`, `ensure_ingested_files_table(conn)`
- `files_in_periods(inbox, sources, periods) -> int` (what a run will take up)
- report dataclasses `FileOutcome`, `SourceIngestReport`, `InboxIngestReport`; `FileRejected` and reason codes in
  `orchestration.ingestion.errors`.
"""

from orchestration.contract import normalise_header
from orchestration.ingestion import errors
from orchestration.ingestion.errors import FileRejected
from orchestration.ingestion.headers import (
    HeaderMapping,
    locate_header,
    map_header,
    parse_title_block,
)
from orchestration.ingestion.loader import (
    INGESTED_FILES_COLUMNS,
    LINEAGE_COLUMNS,
    RAW_SCHEMA,
    ensure_ingested_files_table,
    ensure_raw_table,
    files_in_periods,
    find_unknown_sources,
    ingest_inbox,
    ingest_source,
    ingest_unknown_entries,
    raw_table_columns,
)
from orchestration.ingestion.readers import (
    FileTable,
    RowBatch,
    detect_delimiter,
    detect_encoding,
    read_table,
)
from orchestration.ingestion.report import FileOutcome, InboxIngestReport, SourceIngestReport

__all__ = [
    "INGESTED_FILES_COLUMNS",
    "LINEAGE_COLUMNS",
    "RAW_SCHEMA",
    "FileOutcome",
    "FileRejected",
    "FileTable",
    "HeaderMapping",
    "InboxIngestReport",
    "RowBatch",
    "SourceIngestReport",
    "detect_delimiter",
    "detect_encoding",
    "ensure_ingested_files_table",
    "ensure_raw_table",
    "errors",
    "files_in_periods",
    "find_unknown_sources",
    "ingest_inbox",
    "ingest_source",
    "ingest_unknown_entries",
    "locate_header",
    "map_header",
    "normalise_header",
    "parse_title_block",
    "raw_table_columns",
    "read_table",
]
