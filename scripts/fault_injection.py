"""Fault injection and fuzzing of the whole pipeline: `tkpkd run` in subprocesses, compared with a reference run.

    python scripts/fault_injection.py fuzz [--scale tiny] [--seed 7] [--rounds 1]
    python scripts/fault_injection.py kill [--scale tiny] [--seed 7] [--kills 6]
    python scripts/fault_injection.py all [--keep]

Both modes generate the synthetic sample and run the pipeline once on it as the reference, each run in its own
temporary folder (inbox, warehouse, analytics file, exports, DAGSTER_HOME, logs) with a fixed pseudonym secret.

- `fuzz` copies the reference inbox, adds the hostile files (tests/ingestion/test_ingestion_hostile.py's builders)
  and seeded random-bytes files named .csv/.xlsx/.parquet, runs into a fresh warehouse and checks: the run succeeds
  (only WARN checks may fail), every whole-file hostile is recorded rejected in raw.ingested_files, every hostile
  value gets the field warning the contract gives it (an OMZET beyond Rp 10^12: NULL, `out_of_range`) or is kept as
  the contract says (TAHAP `Bulan 12`), no export cell carries a formula, and the raw
  rows and file records of every good file are identical to the reference. The published analytics tables are
  *not* compared here: a bansos file paying TAHAP `Bulan 12` or an umkm file with out-of-range OMZET legitimately
  changes reports. They are compared by `kill`, whose inputs equal the reference's.
- `kill` runs on a copy of the reference inbox, SIGKILLs the run's whole process group at a seeded point, reruns
  to completion in the same warehouse and Dagster instance (the killed run stays STARTED there; the run lock is a
  kernel lock, gone with the process), and compares the published analytics tables (but rpt_revisions and
  rpt_publications, which carry publication history) and the raw rows with the reference. Each kill is aimed at a
  step, the reference's steps taken in turn so that over the kills every step is hit (14 kills: all of them), and
  lands a random part of that step's reference duration after the step's STEP_START in the run's Dagster event
  log: the same step on a slow or a fast machine, where a wall-clock delay would drift. The step actually
  interrupted is read from the same event log (the run's log file in TKPKD_LOG_DIR carries no step events).
- `all` runs both on one reference (`make fuzz`).

Rows are compared with EXCEPT ALL both ways, without load-time columns (loaded_at, _loaded_at, published_at).
Ingestion limits are lowered for every run alike (LIMITS), so that the row-limit CSV and the zip bomb stay small.
Prints a table of results and exits 1 on any difference. Synthetic data only; nothing touches data/.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[1]
# The hostile-file builders live with their unit tests; the fuzz reuses them rather than keeping twins.
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "tests" / "ingestion")]

from ingestion_helpers import (
    BANSOS_HEADER,
    DUKCAPIL_HEADER,
    bansos_rows,
    dukcapil_rows,
    write_csv,
)

from tests.ingestion.test_ingestion_hostile import _sheet, _write_workbook
from tests.serving.test_formula_injection import scan_for_formulas

PSEUDONYM_SECRET = "fault-injection-synthetic-secret-0123456789"
# Lower than the defaults, equal for the reference and every other run: no good tiny/small file comes near them.
LIMITS = {"TKPKD_MAX_ROWS": "50000", "TKPKD_MAX_XLSX_UNCOMPRESSED_BYTES": "20000000"}
LOAD_TIME_COLUMNS = {"loaded_at", "_loaded_at", "published_at"}
# They record every publication: a rerun legitimately adds to them.
HISTORY_TABLES = {"rpt_revisions", "rpt_publications"}
FORMULA_FILE_NAMES = ['=HYPERLINK("x")', "+62 811", "-1+1", "@SUM(A1)"]
STEP_ENDS = ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED")
KILL_POLL_SECONDS = 0.2


# ------------------------------------------------------------------------------------------------ running the pipeline


@dataclass(frozen=True)
class Workspace:
    """One pipeline deployment in a folder: its inbox, warehouse, analytics file, exports, instance and logs."""

    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "tkpkd.duckdb"

    @property
    def analytics(self) -> Path:
        return self.root / "warehouse" / "analytics.duckdb"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "TKPKD_INBOX": str(self.inbox),
            "TKPKD_WAREHOUSE": str(self.warehouse),
            "TKPKD_ANALYTICS": str(self.analytics),
            "TKPKD_EXPORTS": str(self.exports),
            "DAGSTER_HOME": str(self.dagster_home),
            "TKPKD_LOG_DIR": str(self.root / "logs"),
            "TKPKD_PSEUDONYM_SECRET": PSEUDONYM_SECRET,
            "TKPKD_INBOX_SETTLE_SECONDS": "0",
            **LIMITS,
        }

    def copy_of_inbox(self, root: Path) -> Workspace:
        """A fresh workspace in `root` whose inbox is a copy of this one's (modification times kept)."""
        copy = Workspace(root)
        shutil.copytree(self.inbox, copy.inbox, symlinks=True)
        return copy


@dataclass(frozen=True)
class PipelineRun:
    returncode: int
    seconds: float
    killed: bool
    console: Path
    blocked: bool = False  # stopped because a step waited for a pool slot no live run holds


@dataclass(frozen=True)
class Kill:
    """SIGKILL the run `delay` seconds after its step `step` starts (the step started by then, or a later one)."""

    step: str
    delay: float


def run_pipeline(workspace: Workspace, kill: Kill | None = None) -> PipelineRun:
    """`tkpkd run` in a new process group; with `kill`, SIGKILL the whole group at that point.

    The kill point is found in the Dagster event log as the run writes it, so it lands in the same step however
    fast the machine is; the run's exit before the point (a step faster than expected) is reported, not a kill."""
    workspace.root.mkdir(parents=True, exist_ok=True)
    console = workspace.root / f"console-{datetime.now():%H%M%S%f}.txt"
    started = time.monotonic()
    with console.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "run"],
            cwd=REPO_ROOT,
            env=workspace.environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        killed = blocked = False
        if kill is None:
            # Alone in its instance, a run whose step waits for the writer pool's slot waits for a dead run: it
            # would wait forever, so it is stopped and reported.
            while process.poll() is None and not blocked:
                blocked = _waits_for_pool_slot(workspace.dagster_home)
                time.sleep(KILL_POLL_SECONDS)
            if blocked:
                os.killpg(process.pid, signal.SIGKILL)
        else:
            while process.poll() is None and not _step_started(workspace.dagster_home, kill.step):
                time.sleep(KILL_POLL_SECONDS)
            try:
                process.wait(timeout=kill.delay)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                killed = True
        returncode = process.wait()
    return PipelineRun(returncode, time.monotonic() - started, killed, console, blocked)


def _waits_for_pool_slot(dagster_home: Path) -> bool:
    try:
        with _read_only(_newest_run_events_file(dagster_home)) as events:
            return (
                events.execute(
                    "select count(*) from event_logs where dagster_event_type = 'ENGINE_EVENT' "
                    "and event like '%blocked by limit for pool%'"
                ).fetchone()[0]
                > 0
            )
    except (sqlite3.Error, TypeError):  # the instance's files are not written yet
        return False


def _step_started(dagster_home: Path, step: str) -> bool:
    try:
        return any(
            kind == "STEP_START" and key == step
            for kind, key, _ in _latest_run_events(dagster_home)
        )
    except (sqlite3.Error, TypeError):  # the instance's files are not written yet
        return False


def _read_only(path: Path) -> closing[sqlite3.Connection]:
    # Read-only, so that polling a file Dagster has not created yet fails instead of creating it empty.
    return closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True))


def _newest_run_events_file(dagster_home: Path) -> Path:
    with _read_only(dagster_home / "history" / "runs.db") as runs:
        (run_id,) = runs.execute(
            "select run_id from runs order by create_timestamp desc limit 1"
        ).fetchone()
    return dagster_home / "history" / "runs" / f"{run_id}.db"


def _latest_run_events(dagster_home: Path) -> list[tuple[str, str, datetime]]:
    """(event type, step, time) of every step event of the instance's newest run, in order."""
    with _read_only(_newest_run_events_file(dagster_home)) as events:
        rows = events.execute(
            "select dagster_event_type, step_key, timestamp from event_logs "
            f"where dagster_event_type in ('STEP_START', {', '.join(map(repr, STEP_ENDS))}) order by id"
        ).fetchall()
    return [(kind, step, datetime.fromisoformat(stamp)) for kind, step, stamp in rows]


def running_steps(dagster_home: Path) -> list[str]:
    """The steps of the newest run that started and never ended: those a kill interrupted."""
    running: dict[str, None] = {}
    for kind, step, _ in _latest_run_events(dagster_home):
        if kind == "STEP_START":
            running[step] = None
        elif kind in STEP_ENDS:
            running.pop(step, None)
    return list(running)


def step_windows(dagster_home: Path, run_started: datetime) -> dict[str, tuple[float, float]]:
    """Each step of the newest run: (start, end) in seconds since `run_started`, the process's start."""
    starts: dict[str, float] = {}
    windows: dict[str, tuple[float, float]] = {}
    for kind, step, stamp in _latest_run_events(dagster_home):
        offset = (stamp - run_started).total_seconds()
        if kind == "STEP_START":
            starts[step] = offset
        elif kind in STEP_ENDS and step in starts:
            windows[step] = (starts[step], offset)
    return windows


@dataclass
class Reference:
    workspace: Workspace
    run: PipelineRun
    windows: dict[str, tuple[float, float]]

    def duration(self, step: str) -> float:
        start, end = self.windows[step]
        return end - start


def reference_run(root: Path, scale: str, seed: int, periods: int) -> Reference:
    from tkpkd_synth import generate

    workspace = Workspace(root / "reference")
    generate(workspace.inbox, root / "ground_truth", scale=scale, periods=periods, seed=seed)
    # Event times are UTC wall-clock times: the windows are measured from the process start in the same clock.
    started = datetime.now(UTC).replace(tzinfo=None)
    run = run_pipeline(workspace)
    if run.returncode != 0:
        raise SystemExit(f"The reference run failed (exit {run.returncode}); see {run.console}")
    return Reference(workspace, run, step_windows(workspace.dagster_home, started))


# ------------------------------------------------------------------------------------------------ comparing warehouses


def _columns(
    connection: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str
) -> list[str]:
    names = connection.execute(
        "select column_name from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [catalog, schema, table],
    ).fetchall()
    return [f'"{name}"' for (name,) in names if name not in LOAD_TIME_COLUMNS]


def _tables(connection: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables where table_catalog = ? and table_schema = ? order by 1",
        [catalog, schema],
    ).fetchall()
    return [name for (name,) in rows]


def _attached(reference: Path, candidate: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(f"attach '{reference}' as reference (read_only)")
    connection.execute(f"attach '{candidate}' as candidate (read_only)")
    return connection


def _except_all_both_ways(connection, schema: str, table: str, where: str = "") -> str | None:
    """None when the table's rows (load-time columns left out) are the same multiset in both files."""
    reference_columns = _columns(connection, "reference", schema, table)
    candidate_columns = _columns(connection, "candidate", schema, table)
    if not candidate_columns:
        return f"{schema}.{table} is missing"
    if reference_columns != candidate_columns:
        return (
            f"{schema}.{table} has columns {candidate_columns}, the reference {reference_columns}"
        )
    select = ", ".join(reference_columns)

    def only_in(first: str, second: str) -> int:
        return connection.execute(
            f"select count(*) from (select {select} from {first}.{schema}.{table} {where} "
            f"except all select {select} from {second}.{schema}.{table} {where})"
        ).fetchone()[0]

    missing, extra = only_in("reference", "candidate"), only_in("candidate", "reference")
    if missing or extra:
        return (
            f"{schema}.{table}: {missing} reference rows missing, {extra} rows not in the reference"
        )
    return None


def analytics_differences(reference: Workspace, candidate: Workspace) -> list[str]:
    """The published tables (but the publication history) that differ from the reference's."""
    with _attached(reference.analytics, candidate.analytics) as connection:
        tables = [
            name for name in _tables(connection, "reference", "main") if name not in HISTORY_TABLES
        ]
        return [
            problem
            for table in tables
            if (problem := _except_all_both_ways(connection, "main", table))
        ]


def raw_differences(reference: Workspace, candidate: Workspace) -> list[str]:
    """Raw rows and file records of the reference's files that differ; the candidate's other files are ignored."""
    with _attached(reference.warehouse, candidate.warehouse) as connection:
        problems = []
        for table in _tables(connection, "reference", "raw"):
            file_column = "source_file" if table == "ingested_files" else "_source_file"
            where = f"where {file_column} in (select {file_column} from reference.raw.{table})"
            if problem := _except_all_both_ways(connection, "raw", table, where):
                problems.append(problem)
        return problems


# ------------------------------------------------------------------------------------------------ hostile files


@dataclass(frozen=True)
class Hostile:
    """A file added to the inbox and what must become of it (`expectation`): `rejected`, the whole file;
    `warned:<column>:<reason>`, every row accepted with that field warning; `loaded`, values the contract accepts
    (TAHAP `Bulan 12` is one round's label, never refused for its form)."""

    source_file: str  # <source>/<period>/<name>, as raw.ingested_files records it
    expectation: str


def _period_folder(inbox: Path, source: str) -> Path:
    return max(path for path in (inbox / source).iterdir() if path.is_dir())


def _relative(inbox: Path, path: Path) -> str:
    return path.relative_to(inbox).as_posix()


def _umkm_with_hostile_omzet(inbox: Path) -> Path:
    """Two rows of a delivered umkm CSV with OMZET values no BIGINT parsing may accept."""
    delivered_csv = sorted((inbox / "umkm").glob("*/*.csv"))
    if not delivered_csv:
        raise SystemExit(f"No umkm CSV in {inbox} to build the hostile OMZET file from")
    delivered = delivered_csv[-1]
    folder = delivered.parent
    with delivered.open(newline="", encoding="utf-8-sig") as handle:
        header, *rows = list(csv.reader(handle))
    omzet = next(index for index, name in enumerate(header) if "omzet" in name.lower())
    hostile_rows = [list(row) for row in rows[:2]]
    hostile_rows[0][omzet], hostile_rows[1][omzet] = "99999999999999999999", "4811e452"
    target = folder / "umkm_omzet_hostile.csv"
    with target.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *hostile_rows])
    return target


def add_hostile_files(workspace: Workspace, outside: Path) -> list[Hostile]:
    """Every hostile file of issue 12 in the inbox's period folders; `outside` is a folder beyond the inbox."""
    inbox = workspace.inbox
    dukcapil = _period_folder(inbox, "dukcapil")
    hostiles: list[Hostile] = []

    def rejected(path: Path) -> None:
        hostiles.append(Hostile(_relative(inbox, path), "rejected"))

    rejected(
        _write_workbook(
            dukcapil / "used_range_A1_XFD1048576.xlsx",
            _sheet(
                "A1:XFD1048576",
                '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
            ),
        )
    )
    # ~24 MB of sheet XML, a few tens of KB zipped: over LIMITS' unpacked-size limit by its zip directory alone.
    rejected(
        _write_workbook(
            dukcapil / "zip_bomb.xlsx", _sheet("A1", "<row><c><v>1</v></c></row>" * 1_000_000)
        )
    )
    over_row_limit = int(LIMITS["TKPKD_MAX_ROWS"]) + 1
    rejected(
        write_csv(
            dukcapil / "over_row_limit.csv", [DUKCAPIL_HEADER, *dukcapil_rows(over_row_limit)]
        )
    )
    outside_file = write_csv(outside / "outside_inbox.csv", [DUKCAPIL_HEADER, *dukcapil_rows(2)])
    for name, target in (
        ("link_outside_inbox.csv", outside_file),
        ("link_etc_passwd.csv", Path("/etc/passwd")),
    ):
        (dukcapil / name).symlink_to(target)
        rejected(dukcapil / name)
    # Broken content under hostile names: the names travel into the rejection records and the feedback exports.
    long_name = dukcapil / ("n" * 236 + ".csv")
    long_name.write_bytes(b"\x00\xff not a csv \x00")
    rejected(long_name)
    for name in FORMULA_FILE_NAMES:
        path = dukcapil / f"{name}.csv"
        path.write_bytes(b"\x00\xff not a csv \x00")
        rejected(path)

    umkm = _umkm_with_hostile_omzet(inbox)
    hostiles.append(Hostile(_relative(inbox, umkm), "warned:omzet_per_bulan:out_of_range"))
    bansos = [list(row) for row in bansos_rows(2)]
    for row in bansos:
        row[BANSOS_HEADER.index("TAHAP")] = "Bulan 12"
    bansos_file = write_csv(
        _period_folder(inbox, "bansos") / "penyaluran_bulan_12_hostile.csv",
        [BANSOS_HEADER, *bansos],
    )
    hostiles.append(Hostile(_relative(inbox, bansos_file), "loaded"))
    return hostiles


def add_random_files(workspace: Workspace, rng: random.Random, count: int) -> list[Hostile]:
    """`count` files of seeded random bytes named like deliveries, in random sources' period folders."""
    sources = sorted(path.name for path in workspace.inbox.iterdir() if path.is_dir())
    hostiles = []
    for index in range(count):
        folder = _period_folder(workspace.inbox, rng.choice(sources))
        path = folder / f"random_{index}.{rng.choice(['csv', 'xlsx', 'parquet'])}"
        path.write_bytes(rng.randbytes(rng.randint(1, 64_000)))
        hostiles.append(Hostile(_relative(workspace.inbox, path), "rejected"))
    return hostiles


def hostile_problems(workspace: Workspace, hostiles: list[Hostile]) -> list[str]:
    """Each hostile whose outcome is not the expected one, described."""
    with duckdb.connect(str(workspace.warehouse), read_only=True) as connection:
        recorded = {
            source_file: (status, rows)
            for source_file, status, rows in connection.execute(
                "select source_file, status, rows_received from raw.ingested_files"
            ).fetchall()
        }
        problems = []
        for hostile in hostiles:
            status, rows = recorded.get(hostile.source_file, ("nothing", 0))
            kind, _, warning = hostile.expectation.partition(":")
            if kind == "warned":
                warned = _rows_warned(connection, hostile.source_file, warning)
                if status != "loaded" or not rows or warned != rows:
                    problems.append(
                        f"{hostile.source_file}: expected its {rows} rows accepted with the warning "
                        f"{warning}, file {status}, {warned} rows warned"
                    )
            elif status != kind:
                problems.append(f"{hostile.source_file}: expected {kind}, recorded {status}")
    return problems


def _rows_warned(connection: duckdb.DuckDBPyConnection, source_file: str, warning: str) -> int:
    """Rows of `source_file` in its source's staging models whose _field_warnings hold `warning`."""
    source = source_file.split("/")[0]
    models = connection.execute(
        "select table_name from information_schema.columns where table_schema = 'staging' "
        "and starts_with(table_name, ?) and column_name = '_field_warnings'",
        [f"stg_{source}__"],
    ).fetchall()
    return sum(
        connection.execute(
            f"select count(*) from staging.{model} where _source_file = ? "
            "and list_contains(string_split(_field_warnings, '; '), ?)",
            [source_file, warning],
        ).fetchone()[0]
        for (model,) in models
    )


# ------------------------------------------------------------------------------------------------ the two modes


@dataclass
class Result:
    case: str
    outcome: str
    differences: list[str] = field(default_factory=list)


def fuzz_round(
    reference: Reference, root: Path, rng: random.Random, random_files: int = 6
) -> Result:
    workspace = reference.workspace.copy_of_inbox(root)
    hostiles = add_hostile_files(workspace, root / "outside")
    hostiles += add_random_files(workspace, rng, random_files)
    run = run_pipeline(workspace)
    case = f"fuzz: {len(hostiles)} hostile files"
    if run.returncode != 0:
        return Result(case, f"run failed (exit {run.returncode})", [f"see {run.console}"])
    differences = hostile_problems(workspace, hostiles) + raw_differences(
        reference.workspace, workspace
    )
    _, formulas = scan_for_formulas(workspace.exports)
    differences += [f"export {name} carries the formula {cell!r}" for name, cell in formulas]
    return Result(case, "run succeeded", differences)


def kill_points(reference: Reference, kills: int, rng: random.Random) -> list[Kill]:
    """The reference's steps in turn (spread over the run when there are fewer kills than steps), each kill drawn
    uniformly inside its step's duration in the reference."""
    steps = sorted(reference.windows, key=lambda step: reference.windows[step][0])
    if not steps:
        raise SystemExit("The reference run recorded no step events")
    if kills >= len(steps):
        chosen = [steps[index % len(steps)] for index in range(kills)]
    else:
        chosen = [steps[int((index + 0.5) * len(steps) / kills)] for index in range(kills)]
    return [Kill(step, rng.uniform(0, reference.duration(step))) for step in chosen]


def kill_round(reference: Reference, root: Path, kill: Kill) -> Result:
    workspace = reference.workspace.copy_of_inbox(root)
    killed = run_pipeline(workspace, kill)
    aimed = f"{kill.delay:.1f}s into {kill.step}"
    if not killed.killed:
        return Result(
            f"kill {aimed}",
            f"run ended first (exit {killed.returncode})",
            [] if killed.returncode == 0 else [f"see {killed.console}"],
        )
    interrupted = ", ".join(running_steps(workspace.dagster_home)) or "between steps"
    case = f"kill {aimed}: killed in {interrupted}"
    rerun = run_pipeline(workspace)
    if rerun.blocked:
        return Result(
            case,
            "rerun blocked",
            [f"the rerun waits for the pool slot the killed run still holds; see {rerun.console}"],
        )
    if rerun.returncode != 0:
        return Result(case, f"rerun failed (exit {rerun.returncode})", [f"see {rerun.console}"])
    differences = analytics_differences(reference.workspace, workspace) + raw_differences(
        reference.workspace, workspace
    )
    return Result(case, "rerun succeeded", differences)


def print_results(results: list[Result]) -> None:
    width = max(len(result.case) for result in results)
    print(f"{'case':<{width}}  {'outcome':<28}  differences")
    for result in results:
        print(f"{result.case:<{width}}  {result.outcome:<28}  {len(result.differences) or 'none'}")
        for difference in result.differences:
            print(f"{'':<{width}}    - {difference}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["fuzz", "kill", "all"])
    parser.add_argument("--scale", default="tiny", choices=["tiny", "small"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument(
        "--rounds", type=int, default=1, help="fuzz rounds, each with other random files"
    )
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folders (their path is printed)"
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="tkpkd-fault-injection-"))
    try:
        print(
            f"Reference run ({args.scale}, {args.periods} periods, seed {args.seed}) in {root}",
            flush=True,
        )
        reference = reference_run(root, args.scale, args.seed, args.periods)
        results = []
        if args.mode in ("fuzz", "all"):
            results += [
                fuzz_round(reference, root / f"fuzz-{index}", rng) for index in range(args.rounds)
            ]
        if args.mode in ("kill", "all"):
            for index, kill in enumerate(kill_points(reference, args.kills, rng)):
                results.append(kill_round(reference, root / f"kill-{index}", kill))
        print_results(results)
        return 1 if any(result.differences for result in results) else 0
    finally:
        if args.keep:
            print(f"Kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
