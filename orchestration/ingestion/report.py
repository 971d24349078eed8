"""What one ingestion run did, per file and per source (for Dagster metadata and the end-of-run summary)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ingestion.errors import (
    DUPLICATE_FILE,
    IGNORED,
    LOADED,
    PENDING,
    REJECTED,
    SKIPPED,
)

__all__ = ["INBOX_ROOT_SOURCE", "FileOutcome", "InboxIngestReport", "SourceIngestReport"]

# `raw.ingested_files.source` of a file lying directly in the inbox, outside every folder. The reports fold every
# source that is not in the contract into this one (rpt_data_quality, the feedback workbooks).
INBOX_ROOT_SOURCE = "_inbox"


@dataclass(frozen=True)
class FileOutcome:
    """One file met by the loader in this run.

    `status`: `loaded`, `rejected`, `duplicate_file` (recorded in raw.ingested_files this run), `skipped` (its path
    and hash were already in raw.ingested_files: nothing done) or `ignored` (a hidden file, an Excel lock file
    `~$...`: never read, never recorded).
    """

    source: str
    source_file: (
        str  # path relative to the inbox, with forward slashes: `bansos/2025-03/tahap1.xlsx`
    )
    path: Path  # absolute path
    status: str
    reason_code: str | None = None  # rejection reason (see errors.REJECTION_CODES); None otherwise
    message: str = ""  # a sentence naming the file and saying what happened
    rows_received: int = (
        0  # rows below the header written to raw.<source> by this run (data + non-data)
    )
    non_data_rows: int = 0  # of which flagged empty_row / total_row
    period: str | None = None
    file_hash: str | None = None
    size_bytes: int | None = None
    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    duplicate_of: str | None = None  # duplicate_file: the already-loaded file with the same bytes

    @property
    def data_rows(self) -> int:
        return self.rows_received - self.non_data_rows


@dataclass
class SourceIngestReport:
    """Everything `ingest_source` did for one source."""

    source: str
    files: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def _with(self, status: str) -> list[FileOutcome]:
        return [outcome for outcome in self.files if outcome.status == status]

    @property
    def loaded(self) -> list[FileOutcome]:
        return self._with(LOADED)

    @property
    def rejected(self) -> list[FileOutcome]:
        return self._with(REJECTED)

    @property
    def duplicates(self) -> list[FileOutcome]:
        return self._with(DUPLICATE_FILE)

    @property
    def skipped(self) -> list[FileOutcome]:
        return self._with(SKIPPED)

    @property
    def ignored(self) -> list[FileOutcome]:
        return self._with(IGNORED)

    @property
    def pending(self) -> list[FileOutcome]:
        return self._with(PENDING)

    @property
    def status_counts(self) -> dict[str, int]:
        counts = Counter(outcome.status for outcome in self.files)
        return {
            status: counts.get(status, 0)
            for status in (LOADED, REJECTED, DUPLICATE_FILE, SKIPPED, IGNORED, PENDING)
        }

    @property
    def rows_received(self) -> int:
        """Rows added to raw.<source> by this run (data and non-data)."""
        return sum(outcome.rows_received for outcome in self.files)

    @property
    def non_data_rows(self) -> int:
        return sum(outcome.non_data_rows for outcome in self.files)

    @property
    def rejection_reasons(self) -> dict[str, int]:
        return dict(Counter(outcome.reason_code or "" for outcome in self.rejected))

    def metadata(self) -> dict[str, int | float | str]:
        """Plain values for Dagster materialization metadata."""
        counts = self.status_counts
        return {
            "files_loaded": counts[LOADED],
            "files_rejected": counts[REJECTED],
            "files_duplicate": counts[DUPLICATE_FILE],
            "files_skipped": counts[SKIPPED],
            "files_ignored": counts[IGNORED],
            "files_pending": counts[PENDING],
            "rows_received": self.rows_received,
            "non_data_rows": self.non_data_rows,
            "seconds": round(self.seconds, 3),
        }

    def summary_lines(self) -> list[str]:
        """One line per file that did something, for logs and the end-of-run summary."""
        return [
            f"[{self.source}] {outcome.status}: {outcome.message}"
            for outcome in self.files
            if outcome.status != SKIPPED
        ]


@dataclass
class InboxIngestReport:
    """`ingest_inbox`: one report per source, and one for the files outside every source folder (`unknown`)."""

    sources: dict[str, SourceIngestReport] = field(default_factory=dict)
    unknown: SourceIngestReport = field(default_factory=lambda: SourceIngestReport(source=INBOX_ROOT_SOURCE))

    @property
    def files(self) -> list[FileOutcome]:
        return [outcome for report in [*self.sources.values(), self.unknown] for outcome in report.files]

    @property
    def rows_received(self) -> int:
        return sum(report.rows_received for report in self.sources.values())
