"""What every export needs: query rows by column name, and files that a reader never finds half written."""

from __future__ import annotations

import os
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


@contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; move it over `target` only when the block succeeds.

    A lurah opening the workbook, or a portal harvesting the CSVs, sees the previous file or the new one: the rename
    is atomic on one file system, and a failed export leaves the previous file in place and no temporary behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
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
