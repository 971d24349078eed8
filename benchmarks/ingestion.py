"""Benchmark: ingestion alone (`ingest_inbox`) over a generated inbox, into a fresh DuckDB file.

    .venv/bin/python benchmarks/ingestion.py --scale small                  # generate into a temporary folder
    .venv/bin/python benchmarks/ingestion.py --inbox /tmp/inbox --database /tmp/warehouse.duckdb --profile 25

Prints the seconds `ingest_inbox` took, files by status and rows by format. `--profile N` prints the N costliest
functions (cProfile, cumulative time). `--database` keeps the raw tables (for comparing two versions of the loader
with `except all`); `_loaded_at` is fixed so that two runs write identical rows. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb

# One fixed load time: the raw tables of two runs then differ only where the loaders differ.
LOADED_AT = dt.datetime(2026, 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inbox", type=Path, help="an existing inbox (default: generate one of --scale)")
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "city"])
    parser.add_argument("--database", type=Path, help="write the raw tables here (default: a temporary file)")
    parser.add_argument("--profile", type=int, metavar="N", help="print the N costliest functions (cProfile)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tkpkd-ingestion-benchmark-") as workdir:
        _run(args, Path(workdir))


def _run(args: argparse.Namespace, workdir: Path) -> None:
    inbox = args.inbox
    if inbox is None:
        from tkpkd_synth import generate

        inbox = workdir / "inbox"
        generate(inbox, workdir / "ground_truth", scale=args.scale, seed=42, overwrite=True)
    database = args.database or workdir / "warehouse.duckdb"
    database.unlink(missing_ok=True)

    from orchestration.ingestion import ingest_inbox

    with duckdb.connect(str(database)) as conn:
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        report = ingest_inbox(conn, inbox, now=LOADED_AT)
        if profiler is not None:
            profiler.disable()
        seconds = time.perf_counter() - started
        rows_by_format = conn.execute(
            "select format, count(*), sum(rows_received) from raw.ingested_files group by 1 order by 1"
        ).fetchall()

    statuses = Counter(outcome.status for source in report.sources.values() for outcome in source.files)
    print(f"ingest_inbox: {seconds:.2f} s; files {dict(sorted(statuses.items()))}")
    for fmt, files, rows in rows_by_format:
        print(f"  {fmt or '(none)':<10} {files:>5} files {rows or 0:>10,} rows")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
