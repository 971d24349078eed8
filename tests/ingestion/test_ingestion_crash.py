"""A loader killed mid-file: the warehouse keeps the files committed before, whole, and nothing of that file."""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import duckdb
from ingestion_helpers import DUKCAPIL_HEADER, NOW, dukcapil_rows, write_csv

from orchestration.contract import load_contract
from orchestration.ingestion import ingest_source

# More rows than a DuckDB row group (122,880): such an insert is written to the database file before its commit.
BIG_FILE_ROWS = 130_000
ROWS = {"a.csv": 10, "b.csv": 20, "c.csv": BIG_FILE_ROWS, "d.csv": 40}


def _wal_bytes(warehouse: Path) -> int:
    wal = Path(f"{warehouse}.wal")
    return wal.stat().st_size if wal.exists() else 0


def _fill(inbox: Path, rows: dict[str, int]) -> None:
    for name, count in rows.items():
        write_csv(inbox / "dukcapil" / "2025-03" / name, [DUKCAPIL_HEADER, *dukcapil_rows(count)])


def _rows_by_file(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(conn.execute("select _source_file, count(*) from raw.dukcapil group by 1").fetchall())


def _recorded(conn: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, int]]:
    return {
        source_file: (status, rows)
        for source_file, status, rows in conn.execute(
            "select source_file, status, rows_received from raw.ingested_files"
        ).fetchall()
    }


def _ingest_and_die_writing(warehouse: Path, inbox: Path, doomed: str) -> None:
    """In a child: ingest, and SIGKILL itself once `doomed`'s rows are inserted, before its transaction commits."""
    from orchestration.ingestion import loader

    record = loader._record

    def record_or_die(conn, outcome, *args, **kwargs):
        if outcome.source_file.endswith(doomed):
            os.kill(os.getpid(), signal.SIGKILL)
        record(conn, outcome, *args, **kwargs)

    loader._record = record_or_die
    with duckdb.connect(str(warehouse)) as conn:
        loader.ingest_source(conn, load_contract()["dukcapil"], inbox, now=NOW)


def test_a_crash_mid_file_keeps_whole_files_only(inbox, tmp_path):
    _fill(inbox, ROWS)
    warehouse = tmp_path / "warehouse.duckdb"
    child = multiprocessing.get_context("fork").Process(
        target=_ingest_and_die_writing, args=(warehouse, inbox, "c.csv")
    )
    child.start()
    child.join(timeout=300)
    assert child.exitcode == -signal.SIGKILL
    assert _wal_bytes(warehouse) > 0  # a and b are committed in the WAL: opening the file replays it

    with duckdb.connect(str(warehouse)) as conn:
        assert _recorded(conn) == {
            "dukcapil/2025-03/a.csv": ("loaded", 10),
            "dukcapil/2025-03/b.csv": ("loaded", 20),
        }
        assert _rows_by_file(conn) == {"dukcapil/2025-03/a.csv": 10, "dukcapil/2025-03/b.csv": 20}

        report = ingest_source(conn, load_contract()["dukcapil"], inbox, now=NOW)
        assert {o.source_file: o.status for o in report.files} == {
            "dukcapil/2025-03/a.csv": "skipped",
            "dukcapil/2025-03/b.csv": "skipped",
            "dukcapil/2025-03/c.csv": "loaded",
            "dukcapil/2025-03/d.csv": "loaded",
        }
        expected = {f"dukcapil/2025-03/{name}": count for name, count in ROWS.items()}
        assert _rows_by_file(conn) == expected
        assert _recorded(conn) == {name: ("loaded", count) for name, count in expected.items()}
