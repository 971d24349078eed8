"""Scoring identity resolution against the generator's ground truth (`tkpkd score-identity`).

A row's link is right when the person of its resolved NIK (persons.parquet: NIK -> person_id) is the person the
generator wrote the row for (rows.parquet: file + row -> person_id). Per source and overall:
- rows: accepted person rows; own_nik: resolved by their own valid NIK (and how many of those the truth confirms);
- needed: rows that needed linkage (no valid NIK); repaired / linked / unresolved among them;
- precision = right links / links made, recall = right links / rows that needed linkage and have a true person;
- resolved share and unresolved share over all rows.
`score-identity` generates data in a temporary folder, materialises the whole pipeline there, then runs the
identity step (int_person_records -> int_person_links -> int_person_resolution) once more on its own in a child
process to measure its wall time and peak memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from orchestration.settings import DBT_PROJECT_DIR
from orchestration.warehouse_lock import connect_warehouse

IDENTITY_STEP = ("int_person_records", "int_person_links", "int_person_resolution")
SCALE_SEED = 42


@dataclass(frozen=True)
class StepCost:
    seconds: float
    peak_rss_mb: float


def score_warehouse(warehouse: Path, truth: Path) -> pd.DataFrame:
    """Per-source scores (and an `overall` row) of int_person_resolution against the ground truth in `truth`."""
    with connect_warehouse(str(warehouse), read_only=True) as con:
        rows = con.sql(f"""
            with truth_rows as (
                select path, row_number, person_id from read_parquet('{truth / "rows.parquet"}')
            ),
            truth_people as (
                select distinct nik, person_id from read_parquet('{truth / "persons.parquet"}')
            )
            select
                resolution.source,
                resolution.resolution_method,
                truth_rows.person_id as true_person,
                resolved_people.person_id as resolved_person
            from intermediate.int_person_resolution as resolution
            left join truth_rows
                on truth_rows.path = resolution._source_file
                and truth_rows.row_number = resolution._row_number
            left join truth_people as resolved_people
                on resolved_people.nik = resolution.resolved_nik
        """).df()
    return score_rows(rows)


def score_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Scores from one row per person row: source, resolution_method, true_person, resolved_person."""
    frame = rows.assign(
        needed=rows["resolution_method"] != "nik",
        made=rows["resolution_method"].isin(["repaired_nik", "linked"]),
        right=rows["resolved_person"].notna() & (rows["resolved_person"] == rows["true_person"]),
        has_truth=rows["true_person"].notna(),
    )

    def summary(group: pd.DataFrame) -> pd.Series:
        needed = group[group["needed"]]
        made = needed[needed["made"]]
        own = group[~group["needed"]]
        return pd.Series({
            "rows": len(group),
            "own_nik": len(own),
            "own_nik_right": int(own["right"].sum()),
            "needed": len(needed),
            "repaired": int((needed["resolution_method"] == "repaired_nik").sum()),
            "linked": int((needed["resolution_method"] == "linked").sum()),
            "unresolved": int((needed["resolution_method"] == "unresolved").sum()),
            "precision": made["right"].mean() if len(made) else float("nan"),
            "recall": needed["right"].sum() / needed["has_truth"].sum() if needed["has_truth"].any() else float("nan"),
            "resolved_share": (group["resolution_method"] != "unresolved").mean(),
            "unresolved_share": (group["resolution_method"] == "unresolved").mean(),
        })

    per_source = frame.groupby("source").apply(summary, include_groups=False)
    overall = summary(frame).rename("overall")
    return pd.concat([per_source, overall.to_frame().T])


def format_scores(scores: pd.DataFrame) -> str:
    shown = scores.copy()
    for column in ("precision", "recall"):
        shown[column] = shown[column].map(lambda v: "-" if pd.isna(v) else f"{v:.4f}")
    for column in ("resolved_share", "unresolved_share"):
        shown[column] = shown[column].map(lambda v: f"{v:.2%}")
    for column in ("rows", "own_nik", "own_nik_right", "needed", "repaired", "linked", "unresolved"):
        shown[column] = shown[column].astype(int)
    return shown.to_string()


def run_identity_step(env: dict[str, str], models: tuple[str, ...] = IDENTITY_STEP) -> StepCost:
    """`dbt run` of the identity models in a child process: its wall time and peak resident memory."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    command = [dbt, "run", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
               "--select", *models]
    started = time.perf_counter()
    child = subprocess.Popen(command, env={**os.environ, **env}, cwd=DBT_PROJECT_DIR)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"the identity step failed (dbt exit code {child.returncode})")
    return StepCost(seconds=seconds, peak_rss_mb=usage.ru_maxrss / 1024)  # Linux reports kilobytes


def score_identity(scale: str, seed: int = SCALE_SEED, periods: int = 12, workdir: Path | None = None) -> int:
    """Generate, run the pipeline, score, print. Returns a process exit code (0 when the pipeline ran)."""
    from tkpkd_synth import generate

    with tempfile.TemporaryDirectory(prefix="tkpkd-score-identity-", dir=workdir) as folder:
        root = Path(folder)
        inbox, truth, warehouse = root / "inbox", root / "ground_truth", root / "warehouse" / "tkpkd.duckdb"
        env = {
            "TKPKD_INBOX": str(inbox),
            "TKPKD_WAREHOUSE": str(warehouse),
            "TKPKD_ANALYTICS": str(root / "warehouse" / "analytics.duckdb"),
            "TKPKD_EXPORTS": str(root / "exports"),
        }
        print(f"Generating '{scale}' (seed {seed}, {periods} periods) into {root}")
        started = time.perf_counter()
        generate(inbox, truth, scale=scale, periods=periods, seed=seed)
        generated = time.perf_counter() - started

        # the pipeline reads its folders from the environment when its definitions are built
        os.environ.update(env)
        import dagster as dg

        from orchestration.definitions import MAIN_JOB_NAME, build_definitions

        started = time.perf_counter()
        job = build_definitions().resolve_job_def(MAIN_JOB_NAME)
        result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
        pipeline = time.perf_counter() - started
        if not result.success:
            failed = [event.step_key for event in result.all_events if event.is_step_failure]
            print(f"The pipeline failed in: {', '.join(failed)}", file=sys.stderr)
            return 1
        step = run_identity_step(env)
        scores = score_warehouse(warehouse, truth)

    print()
    print(f"Identity resolution at scale '{scale}' (seed {seed}), scored against the generator's ground truth")
    print(format_scores(scores))
    print()
    print(f"identity step ({' -> '.join(IDENTITY_STEP)}): {step.seconds:.1f} s, peak memory {step.peak_rss_mb:.0f} MB")
    print(f"generation {generated:.1f} s, whole pipeline {pipeline:.1f} s")
    return 0
