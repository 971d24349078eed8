"""File-level reason codes (`raw.ingested_files.reason_code`) and the exception that carries them."""

from __future__ import annotations

# Rejections: the whole file is refused, nothing of it reaches the raw table.
MISSING_REQUIRED_COLUMNS = "missing_required_columns"
DUPLICATE_COLUMNS = "duplicate_columns"  # two file columns map to one canonical column
EMPTY_FILE = "empty_file"  # 0 bytes, nothing but a header, or no data row below the header
TRUNCATED = "truncated"  # the file ends mid-record / mid-zip / mid-parquet
NO_HEADER_FOUND = "no_header_found"
UNSUPPORTED_FORMAT = "unsupported_format"  # an extension the readers do not handle
INVALID_PERIOD_FOLDER = "invalid_period_folder"
# A period folder before the warehouse's first period (TKPKD_FIRST_PERIOD) or after the current month: retried on
# every run, so that raising TKPKD_FIRST_PERIOD brings the file in.
PERIOD_OUT_OF_RANGE = "period_out_of_range"
READ_ERROR = "read_error"  # an unexpected failure while reading; the message carries the error
OVER_LIMIT = (
    "over_limit"  # bigger than a limit of orchestration/ingestion/limits.py (bytes, rows, cells...)
)
READER_CRASHED = "reader_crashed"  # the workbook parser (native code) died, ran out of memory or time
OUTSIDE_INBOX = "outside_inbox"  # a symlink, or a path resolving outside the inbox: never opened
# Files outside every source folder of the contract: never read. `unknown_source` is retried whenever its folder is
# read as a source, so adding the folder to the contract brings the file in.
UNKNOWN_SOURCE = "unknown_source"  # under a top-level inbox folder that is no source of the contract
MISPLACED_FILE = "misplaced_file"  # directly in the inbox, in no source folder at all
NOT_A_VALID_PREFIX = (
    "not_a_valid_"  # + the format the extension promised: not_a_valid_csv, _xlsx, _parquet
)


def not_a_valid(fmt: str) -> str:
    return f"{NOT_A_VALID_PREFIX}{fmt}"


REJECTION_CODES = (
    MISSING_REQUIRED_COLUMNS,
    DUPLICATE_COLUMNS,
    EMPTY_FILE,
    TRUNCATED,
    NO_HEADER_FOUND,
    UNSUPPORTED_FORMAT,
    INVALID_PERIOD_FOLDER,
    PERIOD_OUT_OF_RANGE,
    READ_ERROR,
    OVER_LIMIT,
    READER_CRASHED,
    OUTSIDE_INBOX,
    UNKNOWN_SOURCE,
    MISPLACED_FILE,
    not_a_valid("csv"),
    not_a_valid("xlsx"),
    not_a_valid("xls"),
    not_a_valid("parquet"),
)

# File statuses (`raw.ingested_files.status` holds the first three; the report also has the last two).
LOADED = "loaded"
REJECTED = "rejected"
DUPLICATE_FILE = "duplicate_file"
SKIPPED = "skipped"  # (path, hash) already in raw.ingested_files: nothing to do
IGNORED = (
    "ignored"  # hidden files, Excel lock files (`~$...`), OS litter: never read, never recorded
)
# Modified less than `settle_seconds` ago, or changed while read (still being copied in): not recorded, so the next
# run reads it.
PENDING = "pending"

# Row-level `_non_data_reason` values.
EMPTY_ROW = "empty_row"
TOTAL_ROW = "total_row"


class FileRejected(Exception):
    """A file cannot be loaded. `code` is a reason code above, `message` a sentence naming the file."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class FileChanging(Exception):
    """Internal to the loader: the file's size or mtime changed while it was read; roll back, leave it pending."""


class RetryRead(Exception):
    """Internal to the loader: roll back and read the file again in another mode.

    `fast` (pyarrow's CSV parser) falls back to `strict` (Python's csv module) on any irregular record, and `strict`
    to `lenient` when a CSV has a stray quote (`"Gg. Melati" No 5`).
    """

    def __init__(self, mode: str, reason: str):
        super().__init__(reason)
        self.mode = mode
