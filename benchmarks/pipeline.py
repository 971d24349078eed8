"""Benchmark: the whole pipeline against a bare DuckDB baseline on the same generated inbox, in one run.

    uv run python benchmarks/pipeline.py --scale small      # or city (about 195,000 families)

Prints wall-clock seconds for each stage next to the baseline: DuckDB alone reading every CSV of the inbox as text
and aggregating DTSEN members per kelurahan (the floor any pipeline on this machine stands on), and the cost of the
Great Expectations quality gates (the `staging_gates` and `published_gates` steps: GX import, reading the batches,
validation and Data Docs) as a share of the whole pipeline run. Figures are printed, never asserted: these machines
are noisy.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import duckdb

# The Dagster steps that run the Great Expectations suites (orchestration/defs/quality.py).
GATE_STEPS = ("staging_gates", "published_gates")


def _timed(label: str, figures: list[tuple[str, float]], action):
    started = time.perf_counter()
    result = action()
    figures.append((label, time.perf_counter() - started))
    return result


def _baseline(inbox: Path) -> int:
    """DuckDB alone: every CSV file read as text, then members counted per kelurahan."""
    rows = 0
    with duckdb.connect() as connection:
        for path in sorted(inbox.rglob("*.csv")):
            if path.stat().st_size == 0:
                continue
            # Agencies deliver UTF-8 and Windows-1252 (dukcapil); DuckDB rejects a file in the wrong encoding.
            for encoding in ("utf-8", "latin-1"):
                try:
                    rows += connection.execute(
                        "select count(*) from read_csv(?, all_varchar = true, ignore_errors = true, encoding = ?)",
                        [str(path), encoding],
                    ).fetchone()[0]
                    break
                except duckdb.Error:
                    continue
        members = sorted(inbox.glob("dtsen_individu/*/*.csv"))
        if members:
            # Agencies spell headers differently from period to period (M11): match columns by name across files.
            connection.execute(
                "select count(*) from (select nomor_kartu_keluarga, count(*) from read_csv(?, all_varchar = true, "
                "ignore_errors = true, union_by_name = true) group by 1)",
                [[str(path) for path in members]],
            ).fetchall()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "city"])
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--workdir", type=Path, help="keep the generated data here (default: a temporary folder)")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tkpkd-benchmark-"))
    inbox, truth = workdir / "inbox", workdir / "ground_truth"
    os.environ.update(
        TKPKD_INBOX=str(inbox),
        TKPKD_WAREHOUSE=str(workdir / "tkpkd.duckdb"),
        TKPKD_ANALYTICS=str(workdir / "analytics.duckdb"),
        TKPKD_EXPORTS=str(workdir / "exports"),
        TKPKD_QUALITY_DOCS=str(workdir / "quality" / "data_docs"),
        TKPKD_PSEUDONYM_SECRET=os.environ.get("TKPKD_PSEUDONYM_SECRET", "benchmark-secret"),
    )
    from tkpkd_synth import generate

    figures: list[tuple[str, float]] = []
    summary = _timed(
        "generate inbox", figures,
        lambda: generate(inbox, truth, scale=args.scale, periods=args.periods, seed=42, overwrite=True),
    )
    baseline_rows = _timed("baseline: DuckDB reads every CSV + aggregate", figures, lambda: _baseline(inbox))

    import dagster as dg

    from orchestration.definitions import MAIN_JOB_NAME, build_definitions

    job = build_definitions().resolve_job_def(MAIN_JOB_NAME)
    result = _timed(
        "pipeline: ingest + dbt build + publish", figures,
        lambda: job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False),
    )
    step_seconds = {
        event.step_key: event.event_specific_data.duration_ms / 1000
        for event in result.all_events
        if event.is_step_success
    }

    generated_rows = sum(source.data_rows for source in summary.sources.values())
    print(f"\nscale {args.scale}: {summary.families:,} families, {summary.persons:,} persons, {generated_rows:,} rows "
          f"generated; {baseline_rows:,} CSV rows read by the baseline; run {'succeeded' if result.success else 'FAILED'}")
    print(f"{'stage':<48} {'seconds':>9}")
    for label, seconds in figures:
        print(f"{label:<48} {seconds:>9.1f}")
    for step, seconds in step_seconds.items():
        print(f"  step {step:<42} {seconds:>9.1f}")
    pipeline_seconds = dict(figures)["pipeline: ingest + dbt build + publish"]
    gate_seconds = sum(seconds for step, seconds in step_seconds.items() if step in GATE_STEPS)
    print(f"\nquality gates (GX): {gate_seconds:.1f} s of {pipeline_seconds:.1f} s, "
          f"{gate_seconds / pipeline_seconds:.0%} of the pipeline run")
    print(f"\ndata kept in {workdir}")


if __name__ == "__main__":
    main()
