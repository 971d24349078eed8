"""Limits every agency file is checked against before (and while) it is parsed.

A hostile or broken file must cost one rejected file, never the run: a workbook whose used range claims
A1:XFD1048576 makes the Excel library allocate hundreds of GB, a zip bomb unpacks to gigabytes. So the loader checks
what it can before parsing (file bytes; for an xlsx, the zip directory's uncompressed sizes and each sheet's declared
`<dimension ref=...>`) and the rest while rows stream (rows, columns, cell length). A file over a limit is rejected
`over_limit` with a message naming the limit and the variable that raises it.

Defaults follow Excel's own limits where there is one (1,048,576 rows, 32,767 characters per cell).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

_ENV_PREFIX = "TKPKD_MAX_"


@dataclass(frozen=True)
class IngestionLimits:
    file_bytes: int = 512 * 1024**2
    rows: int = 1_048_576  # per file / sheet: Excel's own limit
    columns: int = 500
    xlsx_uncompressed_bytes: int = 2 * 1024**3  # sum of the zip parts' uncompressed sizes
    declared_cells: int = 50_000_000  # rows x columns a sheet's <dimension ref> declares
    cell_chars: int = 32_767  # Excel's own limit
    reader_memory_bytes: int = 4 * 1024**3  # address space the workbook parser's child may add to what it inherits
    reader_seconds: int = 900  # longest wait for the workbook parser's next batch

    @staticmethod
    def variable(name: str) -> str:
        """The environment variable that sets limit `name` (e.g. `TKPKD_MAX_FILE_BYTES`)."""
        return _ENV_PREFIX + name.upper()

    @classmethod
    def from_env(cls) -> IngestionLimits:
        values: dict[str, int] = {}
        for limit in fields(cls):
            raw = os.environ.get(cls.variable(limit.name))
            if not raw:
                continue
            try:
                value = int(raw.replace("_", ""))
            except ValueError:
                raise ValueError(
                    f"{cls.variable(limit.name)} must be a whole number, not {raw!r}"
                ) from None
            if value <= 0:
                raise ValueError(f"{cls.variable(limit.name)} must be positive, not {raw!r}")
            values[limit.name] = value
        return cls(**values)

    def broken(self, name: str, what: str) -> str:
        """The end of a rejection message: `<what>; the limit is N, set TKPKD_MAX_... to raise it.`"""
        return (
            f"{what}; the limit is {getattr(self, name):,}, set {self.variable(name)} to raise it."
        )
