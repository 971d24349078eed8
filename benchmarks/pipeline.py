"""Benchmark: the whole pipeline against the same work done bare, on one generated inbox, in one run.

    make benchmark SCALE=small        # or city (about 195,000 families), province (10x city)
    uv run --frozen python benchmarks/pipeline.py --scale small --workdir /tmp/bench

Figures, each from this one run (the goals of issue 14 are ratios in one run, since these machines are shared):
- the full run: `tkpkd run` from an empty warehouse, as a subprocess; its wall time, each Dagster step's wall time
  (STEP_START to STEP_SUCCESS/STEP_FAILURE in the run's event log) and its peak memory. Peak memory is the summed
  RSS of the run's process tree (the CLI and its dbt subprocesses), sampled from /proc every 0.2 s; the largest
  single process (`ru_maxrss` of `wait4`, exact but per process) is printed beside it.
- the incremental case: a second warehouse built from the first 11 periods (the 12th hidden from the inbox), then
  the 12th period's files put back and run alone (`tkpkd run --from P --to P`, what the inbox sensor starts).
- raw SQL: the compiled full-refresh SQL of every dbt model (`dbt compile --full-refresh`, the manifest's
  topological order) run in one DuckDB session on a copy of the full run's warehouse whose model relations were
  dropped (sources and seeds stay): `create table|view <relation> as <sql>`, the Python model (Splink) called as dbt
  calls it. The overhead ratio is the dbt steps' wall time over it: the same models on the same engine. The dbt steps
  also run the dbt tests, which raw SQL does not; the whole run's ratio over raw SQL is printed too.
- the pandas peer: basic-needs coverage (per period, kelurahan and need) and targeting (per period and programme)
  written in pandas from the star schema's facts and dimensions, as an analyst would with the warehouse's tables in
  hand, timed with their reads and checked against rpt_basic_needs_coverage and rpt_targeting.
- the bare DuckDB floor: every CSV of the inbox read as text and DTSEN members aggregated per KK.
- the quality gates' share: the Great Expectations steps' wall time over the full run's.

Output: a table (figure | value | goal | ratio) and `data/benchmarks/<scale>-<timestamp>.json` with the machine
(cores, RAM, CPU model, versions). Figures are printed, never asserted: these machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Self

import duckdb

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

RESULTS_DIR = REPO_ROOT / "data" / "benchmarks"
SAMPLE_SECONDS = 0.2
# Goals of issue 14, on 2 cores: (figure, bound, unit). Province: only that it completes within its memory.
GOALS = {
    "city": {"full_run_seconds": 120, "one_new_period_seconds": 20, "dbt_over_raw_sql": 3, "peak_memory_gb": 6},
    "province": {"peak_memory_gb": 24},
}
STEP_END_EVENTS = ("STEP_SUCCESS", "STEP_FAILURE")
# The Dagster steps that run the Great Expectations suites (orchestration/defs/quality.py): their share of the run.
GATE_STEPS = ("staging_gates", "published_gates")


# --- measuring ---------------------------------------------------------------------------------------------------


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process now visible in /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process ended while we looked
        # the command name (field 2) is in parentheses and may hold spaces: the fields after it are fixed
        parents[int(stat.parent.name)] = int(text[text.rindex(")") + 2:].split()[1])
    return parents


def descendants(root: int, parents: Mapping[int, int]) -> set[int]:
    """`root` and every process below it in a pid -> parent map."""
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    found, pending = set(), [root]
    while pending:
        pid = pending.pop()
        found.add(pid)
        pending.extend(children.get(pid, []))
    return found


def _rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0  # gone, or a kernel thread without memory


class TreeMemorySampler:
    """The peak summed RSS of a process and its descendants, sampled in a thread while the block runs."""

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS):
        self.pid, self.interval, self.peak_bytes = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            tree = descendants(self.pid, _parents())
            self.peak_bytes = max(self.peak_bytes, sum(_rss_bytes(pid) for pid in tree))
            self._stop.wait(self.interval)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class RunFigures:
    """One `tkpkd run`: how it ended, how long it took, each step, its memory."""

    label: str
    returncode: int
    seconds: float
    peak_tree_rss_bytes: int
    largest_process_rss_bytes: int
    steps: dict[str, float] = field(default_factory=dict)


def step_seconds(events: Iterable[tuple[str, str, float]]) -> dict[str, float]:
    """Wall seconds per step key from (step_key, event type, timestamp) events: STEP_START to the step's end
    (success or failure). A step started again (a retry) counts from its last start; one never ended is left out."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for step_key, event_type, timestamp in sorted(events, key=lambda event: event[2]):
        if event_type == "STEP_START":
            started[step_key] = timestamp
        elif event_type in STEP_END_EVENTS and step_key in started:
            seconds[step_key] = timestamp - started.pop(step_key)
    return seconds


def _step_events(dagster_home: Path) -> list[tuple[str, str, float]]:
    """The step events of the newest run in the Dagster instance of `dagster_home`."""
    import dagster as dg

    # The instance's event log storage finds its folder through DAGSTER_HOME (orchestration/event_log_storage.py).
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        [run] = instance.get_runs(limit=1)
        types = {dg.DagsterEventType.STEP_START, *(dg.DagsterEventType(name) for name in STEP_END_EVENTS)}
        return [
            (entry.step_key, entry.dagster_event.event_type_value, entry.timestamp)
            for entry in instance.all_logs(run.run_id, of_type=types)
        ]


@dataclass(frozen=True)
class Workspace:
    """One warehouse with everything a run writes beside it."""

    root: Path
    inbox: Path

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "TKPKD_INBOX": str(self.inbox),
            "TKPKD_WAREHOUSE": str(self.warehouse),
            "TKPKD_ANALYTICS": str(self.root / "warehouse" / "analytics.duckdb"),
            "TKPKD_EXPORTS": str(self.root / "exports"),
            "TKPKD_QUALITY_DOCS": str(self.root / "quality" / "data_docs"),
            "TKPKD_LOG_DIR": str(self.root / "logs"),
            "DAGSTER_HOME": str(self.dagster_home),
            "TKPKD_PSEUDONYM_SECRET": os.environ.get("TKPKD_PSEUDONYM_SECRET") or "benchmark-secret-" + "x" * 32,
            # the generator's files are complete when the run starts
            "TKPKD_INBOX_SETTLE_SECONDS": "0",
        }

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "tkpkd.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"


def run_pipeline(label: str, workspace: Workspace, *arguments: str) -> RunFigures:
    """`tkpkd run` in a subprocess, timed and sampled; its output goes to `<workspace>/<label>.out`."""
    workspace.root.mkdir(parents=True, exist_ok=True)
    with open(workspace.root / f"{label}.out", "w", encoding="utf-8") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "run", *arguments],
            cwd=REPO_ROOT, env=workspace.environment(), stdout=output, stderr=subprocess.STDOUT,
        )
        with TreeMemorySampler(process.pid) as sampler:
            _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return RunFigures(
        label, process.returncode, seconds, sampler.peak_bytes, usage.ru_maxrss * 1024,
        step_seconds(_step_events(workspace.dagster_home)),
    )


# --- the incremental case ----------------------------------------------------------------------------------------


def period_folders(inbox: Path, period: str) -> list[Path]:
    return sorted(path for path in inbox.glob(f"*/{period}") if path.is_dir())


def hide_period(inbox: Path, period: str, hiding_place: Path) -> list[tuple[Path, Path]]:
    """Move every source's folder of `period` out of the inbox; returns (hidden, original) pairs to put back."""
    moves = []
    for folder in period_folders(inbox, period):
        hidden = hiding_place / folder.parent.name / period
        hidden.parent.mkdir(parents=True, exist_ok=True)
        folder.rename(hidden)
        moves.append((hidden, folder))
    return moves


# --- raw SQL -----------------------------------------------------------------------------------------------------


def models_in_build_order(manifest: Mapping) -> list[dict]:
    """The manifest's models that dbt materialises (not ephemeral ones, inlined where used), parents first."""
    models = {
        unique_id: node for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
    }
    graph = {unique_id: {parent for parent in node["depends_on"]["nodes"] if parent in models}
             for unique_id, node in models.items()}
    return [models[unique_id] for unique_id in TopologicalSorter(graph).static_order()]


def drop_models(connection: duckdb.DuckDBPyConnection, models: Iterable[Mapping]) -> None:
    """Drop the models' relations, children first, so that only the sources and seeds stay (and the base models'
    list of parsed files is empty, as before their first build)."""
    kinds = {
        (schema, name): kind for schema, name, kind in connection.execute(
            "select schema_name, table_name, 'table' from duckdb_tables() "
            "union all select schema_name, view_name, 'view' from duckdb_views() where not internal"
        ).fetchall()
    }
    for model in reversed(list(models)):
        kind = kinds.get((model["schema"], model["alias"]))
        if kind:
            connection.execute(f"drop {kind} {model['relation_name']}")
    if ("incremental", "parsed_files") in kinds:
        # a base model reads its raw table without the files listed as parsed: dropped, it has parsed none
        connection.execute("delete from incremental.parsed_files")


def _python_model(connection: duckdb.DuckDBPyConnection, model: Mapping) -> None:
    """Run a compiled dbt Python model as dbt-duckdb does: its module's `model(dbtObj(...), connection)`, the result
    written as a table."""
    import importlib.util

    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as module_file:
        module_file.write(model["compiled_code"])
    try:
        spec = importlib.util.spec_from_file_location(model["name"], module_file.name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        result = module.model(module.dbtObj(lambda relation: connection.query(f"select * from {relation}")), connection)
        connection.register("python_model_result", result)
        connection.execute(f"create table {model['relation_name']} as select * from python_model_result")
        connection.unregister("python_model_result")
    finally:
        os.unlink(module_file.name)


def run_raw_sql(connection: duckdb.DuckDBPyConnection, models: Iterable[Mapping]) -> dict[str, float]:
    """Build every model from its compiled SQL in this one session; seconds per model."""
    seconds = {}
    for model in models:
        started = time.perf_counter()
        connection.execute(f"create schema if not exists {model['database']}.{model['schema']}")
        if model["language"] == "python":
            _python_model(connection, model)
        else:
            kind = "view" if model["config"]["materialized"] == "view" else "table"
            connection.execute(f"create {kind} {model['relation_name']} as {model['compiled_code']}")
        seconds[model["name"]] = time.perf_counter() - started
    return seconds


def compile_full_refresh(workspace: Workspace, target: Path) -> dict:
    """`dbt compile --full-refresh` for the full run's periods, against the workspace's warehouse; returns the
    manifest."""
    from orchestration.dbt_targets import dbt_cli_vars
    from orchestration.defs.transformation import DBT_EXECUTABLE

    dbt_vars = dbt_cli_vars()
    subprocess.run(
        [DBT_EXECUTABLE, "compile", "--full-refresh", "--quiet", "--vars", dbt_vars, "--target-path", str(target),
         "--project-dir", "dbt_project", "--profiles-dir", "dbt_project"],
        cwd=REPO_ROOT, env=workspace.environment(), check=True,
    )
    return json.loads((target / "manifest.json").read_text())


def raw_sql_baseline(full: Workspace, workdir: Path) -> dict:
    """Time the compiled SQL of every model, run bare on a copy of the full run's sources and seeds."""
    from orchestration.dbt_plugins.pseudonym import Plugin
    from orchestration.warehouse_lock import connect_warehouse

    copy = Workspace(workdir / "raw_sql", full.inbox)
    copy.warehouse.parent.mkdir(parents=True, exist_ok=True)
    # the same file name: compiled SQL names its catalog after it
    shutil.copyfile(full.warehouse, copy.warehouse)
    manifest = compile_full_refresh(copy, workdir / "raw_sql" / "dbt_target")
    models = models_in_build_order(manifest)
    os.environ.update({key: copy.environment()[key] for key in ("TKPKD_WAREHOUSE", "TKPKD_PSEUDONYM_SECRET")})
    with connect_warehouse(copy.warehouse) as connection:
        drop_models(connection, models)
        connection.execute("checkpoint")
    with connect_warehouse(copy.warehouse) as connection:
        Plugin("pseudonym", {}).configure_connection(connection)
        started = time.perf_counter()
        per_model = run_raw_sql(connection, models)
        seconds = time.perf_counter() - started
        differing = tables_differing_in_rows(connection, models, full.warehouse)
    return {"seconds": seconds, "models": len(models), "tables_differing_in_rows": differing,
            "slowest_models": dict(sorted(per_model.items(), key=lambda item: -item[1])[:5])}


def tables_differing_in_rows(connection: duckdb.DuckDBPyConnection, models: Iterable[Mapping], pipeline: Path) -> dict:
    """The table models whose row count differs from the pipeline's build of them: {name: [raw, pipeline]}. Empty
    when raw SQL did the same work."""
    connection.execute("attach ? as pipeline (read_only)", [str(pipeline)])
    try:
        differing = {}
        for model in models:
            if model["config"]["materialized"] == "view":
                continue
            relation = f'"{model["schema"]}"."{model["alias"]}"'
            [(raw, built)] = connection.execute(
                f"select (select count(*) from {model['relation_name']}), (select count(*) from pipeline.{relation})"
            ).fetchall()
            if raw != built:
                differing[model["name"]] = [raw, built]
        return differing
    finally:
        connection.execute("detach pipeline")


# --- the pandas peer ---------------------------------------------------------------------------------------------

NEEDS = ("pangan", "rumah", "air", "sanitasi", "jaminan_sosial", "kesehatan")


def pandas_coverage(families, regions):
    """Ekstrem families with each need, and with it met, per period, kelurahan and need."""
    import pandas as pd

    # the kelurahan of the family's region_key, as the report takes it (not the fact's own copy)
    ekstrem = families[families["poverty_class"] == "ekstrem"].drop(columns="kelurahan_code", errors="ignore").merge(
        regions[["region_key", "kelurahan_code"]], on="region_key", how="left"
    )
    frames = []
    for need in NEEDS:
        has_need = ekstrem[f"need_{need}"].fillna(False).astype(bool)
        has_met = has_need & ekstrem[f"met_{need}"].fillna(False).astype(bool)
        frame = pd.DataFrame({"period": ekstrem["period"], "kelurahan_code": ekstrem["kelurahan_code"],
                              "need_families": has_need.astype(int), "met_families": has_met.astype(int)})
        frames.append(frame.groupby(["period", "kelurahan_code"], as_index=False).sum().assign(need=need))
    return pd.concat(frames, ignore_index=True)


def _eligible(rows):
    """The rows (a family profile or family beside a programme and period) eligible for the programme: desil at
    most max_desil and, for a one_off programme, the family has the programme's basic need."""
    import pandas as pd

    has_need = pd.Series(False, index=rows.index)
    for need in NEEDS:
        of_need = rows["basic_need"] == need
        has_need[of_need] = rows.loc[of_need, f"need_{need}"].fillna(False).astype(bool)
    return rows[(rows["desil_nasional"] <= rows["max_desil"]) & ((rows["kind"] != "one_off") | has_need)]


def pandas_targeting(families, assistance, programs, periods, window_months: int):
    """Recipient, inclusion-error, eligible and eligible-recipient families per period and programme (the
    definitions of docs/contract/warehouse.md that rpt_targeting implements)."""
    import pandas as pd

    programs = programs[programs["max_desil"].notna()]
    program_periods = periods.merge(programs, how="cross")
    one_off = program_periods["kind"] == "one_off"
    program_periods["window_start"] = program_periods["period_start"].where(
        ~one_off, program_periods["period_start"] - pd.DateOffset(months=window_months - 1)
    )
    deliveries = assistance[assistance["program_key"].isin(programs["program_key"])].copy()
    person = "person:" + deliveries["person_key"].astype("string")
    delivery = "delivery:" + deliveries["assistance_key"].astype("string")
    deliveries["recipient_unit"] = deliveries["family_key"].astype("string").fillna(person).fillna(delivery)
    keys = ["period", "program_key"]
    same_period = deliveries.merge(program_periods[~one_off][[*keys, "max_desil"]], on=keys)
    windowed = deliveries.drop(columns="period").merge(
        program_periods[one_off][[*keys, "max_desil", "window_start", "period_end"]], on="program_key"
    )
    windowed = windowed[(windowed["delivered_on"] >= windowed["window_start"])
                        & (windowed["delivered_on"] <= windowed["period_end"])]
    window = pd.concat([same_period, windowed[same_period.columns]], ignore_index=True)
    status = window["family_registry_status_on_delivery"]
    registry = ("verified", "unverified", "graduated", "inactive", "proposed")
    window["error"] = (
        window["family_key"].isna() | ~status.isin(registry) | (status == "inactive") | (status == "graduated")
        | (status.isin(("verified", "unverified")) & (window["family_desil_on_delivery"] > window["max_desil"]))
        | window["recipient_dead_on_delivery"].fillna(False).astype(bool)
    )
    window["proposed"] = status == "proposed"
    recipients = window.groupby([*keys, "recipient_unit"], as_index=False).agg(
        family_key=("family_key", "max"), error=("error", "max"), proposed=("proposed", "max")
    )
    recipients["proposed_only"] = recipients["proposed"] & ~recipients["error"]
    summary = recipients.groupby(keys).agg(
        recipient_families=("recipient_unit", "size"), inclusion_error_families=("error", "sum"),
        recipient_families_proposed=("proposed_only", "sum"),
    )
    active = families[families["registry_status"].isin(("verified", "unverified"))
                      & families["desil_nasional"].notna()]

    need_columns = [f"need_{need}" for need in NEEDS]
    profiles = active.groupby(["period", "desil_nasional", *need_columns], dropna=False).size().rename("families")
    eligible_families = _eligible(program_periods.merge(profiles.reset_index(), on="period")).groupby(keys)[
        "families"].sum()
    recipient_families = recipients.merge(program_periods, on=keys).merge(
        active[["period", "family_key", "desil_nasional", *need_columns]], on=["period", "family_key"]
    )
    eligible_recipients = _eligible(recipient_families).groupby(keys).size().rename("eligible_recipient_families")
    result = program_periods[keys].set_index(keys).join(summary).join(
        eligible_families.rename("eligible_families")).join(eligible_recipients)
    result = result.fillna(0).astype("int64").reset_index()
    result["exclusion_error"] = (
        (result["eligible_families"] - result["eligible_recipient_families"]) / result["eligible_families"]
    ).where(result["eligible_families"] > 0)
    return result


def _difference(ours, theirs, keys: list[str], columns: list[str]) -> dict:
    """Rows and the largest absolute difference where two frames disagree on `columns` (missing rows count 0)."""
    merged = ours.merge(theirs, on=keys, how="outer", suffixes=("_pandas", "_warehouse"), indicator=True)
    largest, rows = 0.0, 0
    for column in columns:
        left = merged[f"{column}_pandas"].astype(float)
        right = merged[f"{column}_warehouse"].astype(float)
        both_null = left.isna() & right.isna()
        gap = (left.fillna(0) - right.fillna(0)).abs().where(~both_null, 0)
        rows = max(rows, int((gap > 1e-9).sum()))
        largest = max(largest, float(gap.max() if len(gap) else 0))
    return {"rows_compared": len(merged), "rows_differing": rows, "largest_difference": largest,
            "match": rows == 0}


def pandas_peer(warehouse: Path) -> dict:
    """The two indicators in pandas, timed from reading the tables, and compared with the warehouse's reports."""
    import yaml

    from orchestration.warehouse_lock import connect_warehouse

    window_months = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"][
        "assistance_window_months"]
    with connect_warehouse(warehouse, read_only=True) as connection:
        started = time.perf_counter()
        families = connection.sql("select * from main.fct_family_month").df()
        regions = connection.sql("select region_key, kelurahan_code from main.dim_region").df()
        assistance = connection.sql(
            "select * replace (cast(delivered_on as timestamp) as delivered_on) from main.fct_assistance").df()
        programs = connection.sql("select program_key, max_desil, kind, basic_need from main.dim_program").df()
        periods = connection.sql(
            "select period, cast(period_start as timestamp) as period_start, cast(period_end as timestamp) as "
            "period_end from intermediate.int_periods").df()
        coverage = pandas_coverage(families, regions)
        targeting = pandas_targeting(families, assistance, programs, periods, window_months)
        seconds = time.perf_counter() - started
        coverage_report = connection.sql(
            "select period, kelurahan_code, need, need_families, met_families from main.rpt_basic_needs_coverage "
            "where region_level = 'kelurahan'"
        ).df()
        targeting_report = connection.sql(
            "select period, program_key, recipient_families, inclusion_error_families, recipient_families_proposed, "
            "eligible_families, eligible_recipient_families, exclusion_error from main.rpt_targeting"
        ).df()
    return {
        "seconds": seconds,
        "coverage": _difference(coverage, coverage_report, ["period", "kelurahan_code", "need"],
                                ["need_families", "met_families"]),
        "targeting": _difference(
            targeting, targeting_report, ["period", "program_key"],
            ["recipient_families", "inclusion_error_families", "recipient_families_proposed", "eligible_families",
             "eligible_recipient_families", "exclusion_error"],
        ),
    }


# --- the bare DuckDB floor ---------------------------------------------------------------------------------------


def csv_floor(inbox: Path) -> int:
    """DuckDB alone: every CSV file read as text, then DTSEN members counted per KK; returns the rows read."""
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


# --- the report --------------------------------------------------------------------------------------------------


def machine() -> dict:
    from importlib.metadata import version

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal:"))
    return {
        "cores": os.cpu_count(), "ram_gb": round(memory_kb / 1024**2, 1), "cpu": cpu,
        "load_average_at_start": os.getloadavg(), "python": platform.python_version(),
        **{package: version(package) for package in ("duckdb", "dbt-core", "dbt-duckdb", "dagster", "pandas")},
    }


def figure_rows(results: Mapping, scale: str) -> list[tuple[str, str, str, str]]:
    """(figure, value, goal, ratio = value / goal) rows of the printed table."""
    goals = GOALS.get(scale, {})
    figures = results["figures"]
    units = {"seconds": "s", "gb": "GB"}
    rows = []
    for name, value in figures.items():
        unit = next((text for suffix, text in units.items() if name.endswith(suffix)), "x")
        goal = goals.get(name)
        shown = f"{value:.0%}" if name.endswith("_share") else f"{value:.2f} {unit}"
        rows.append((
            name, shown if value is not None else "-",
            f"<= {goal} {unit}" if goal is not None else "",
            f"{value / goal:.2f}" if goal and value is not None else "",
        ))
    return rows


def format_table(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("figure", "value", "goal", "ratio")
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(4)]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in [header, *rows]]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def write_results(results: Mapping, scale: str, folder: Path = RESULTS_DIR, now: datetime | None = None) -> Path:
    """`<folder>/<scale>-<YYYYmmdd-HHMMSS>.json`; returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{scale}-{(now or datetime.now()):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def _gigabytes(size: int) -> float:
    return size / 1024**3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "city", "province"])
    parser.add_argument("--workdir", type=Path, help="keep the generated data and warehouses here (default: temporary)")
    args = parser.parse_args()

    from tkpkd_synth import generate

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tkpkd-benchmark-"))
    inbox = workdir / "inbox"
    results: dict = {"scale": args.scale, "started_at": datetime.now().isoformat(timespec="seconds"),
                     "machine": machine(), "workdir": str(workdir)}
    started = time.perf_counter()
    summary = generate(inbox, workdir / "ground_truth", scale=args.scale, periods=12, seed=42, overwrite=True)
    generate_seconds = time.perf_counter() - started
    results["inbox"] = {"families": summary.families, "persons": summary.persons,
                        "rows": sum(source.data_rows for source in summary.sources.values())}
    last_period = max(path.name for path in inbox.glob("*/*") if path.is_dir())

    print(f"Full run of {args.scale} ({summary.families:,} families) in {workdir} ...", flush=True)
    full = Workspace(workdir / "full", inbox)
    full_run = run_pipeline("full_run", full)

    print(f"Incremental: periods to the 11th, then {last_period} ...", flush=True)
    incremental = Workspace(workdir / "incremental", inbox)
    moved = hide_period(inbox, last_period, workdir / "hidden")
    try:
        eleven = run_pipeline("eleven_periods", incremental)
    finally:
        for hidden, original in moved:
            hidden.rename(original)
    new_period = run_pipeline("one_new_period", incremental, "--from", last_period, "--to", last_period)
    runs = [full_run, eleven, new_period]

    print("Raw SQL of every model in one DuckDB session ...", flush=True)
    raw_sql = raw_sql_baseline(full, workdir)
    print("The pandas peer ...", flush=True)
    peer = pandas_peer(full.warehouse)
    started = time.perf_counter()
    floor_rows = csv_floor(inbox)
    floor_seconds = time.perf_counter() - started

    dbt_seconds = sum(seconds for step, seconds in full_run.steps.items() if step.startswith("tkpkd_dbt_"))
    results["runs"] = {run.label: run.__dict__ for run in runs}
    results["raw_sql"] = raw_sql
    results["pandas_peer"] = peer
    results["csv_floor"] = {"seconds": floor_seconds, "rows": floor_rows}
    results["figures"] = {
        "generate_inbox_seconds": generate_seconds,
        "full_run_seconds": full_run.seconds,
        "eleven_periods_seconds": eleven.seconds,
        "one_new_period_seconds": new_period.seconds,
        "dbt_steps_seconds": dbt_seconds,
        "raw_sql_seconds": raw_sql["seconds"],
        "dbt_over_raw_sql": dbt_seconds / raw_sql["seconds"],
        "quality_gates_share": sum(full_run.steps.get(step, 0) for step in GATE_STEPS) / full_run.seconds,
        "full_run_over_raw_sql": full_run.seconds / raw_sql["seconds"],
        "pandas_two_indicators_seconds": peer["seconds"],
        "csv_floor_seconds": floor_seconds,
        "peak_memory_gb": _gigabytes(max(run.peak_tree_rss_bytes for run in runs)),
        "largest_process_memory_gb": _gigabytes(max(run.largest_process_rss_bytes for run in runs)),
    }
    path = write_results(results, args.scale)

    # `tkpkd run` exits 1 on a failed step or a held batch: either is in the run's own output
    unclean = [f"{run.label} (exit {run.returncode}, see {workdir}/{run.label}.out)" for run in runs if run.returncode]
    print(f"\nscale {args.scale}: {summary.families:,} families, {summary.persons:,} persons, "
          f"{results['inbox']['rows']:,} rows; runs {'all exited 0' if not unclean else 'NOT CLEAN: ' + ', '.join(unclean)}")
    print(format_table(figure_rows(results, args.scale)))
    print("\nsteps of the full run (s):")
    for step, seconds in sorted(full_run.steps.items(), key=lambda item: -item[1]):
        print(f"  {step:<48} {seconds:>8.1f}")
    for indicator in ("coverage", "targeting"):
        check = peer[indicator]
        print(f"pandas {indicator} matches the warehouse: {'yes' if check['match'] else 'no'} "
              f"({check['rows_differing']} of {check['rows_compared']} rows differ, largest difference "
              f"{check['largest_difference']:g})")
    print(f"\nfigures written to {path}; data kept in {workdir}")


if __name__ == "__main__":
    main()
