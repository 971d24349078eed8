"""The console of `tkpkd run`: the ingestion bar counts files, warnings are shown, the rest stays in the log."""

import io

import dagster as dg
from rich.console import Console
from rich.progress import Progress

from orchestration.console import INGEST_STEP, _Follower
from orchestration.defs.ingestion import READING_FILE
from orchestration.ingestion import files_in_periods

FILES = ["bansos/2025-01/a.xlsx", "bansos/2025-01/b.xlsx", "umkm/2025-02/c.csv"]


@dg.op(name=INGEST_STEP)
def reads_three_files(context: dg.OpExecutionContext):
    for path in FILES:
        context.log.info(f"{READING_FILE}{path}")
    context.log.warning("[umkm] umkm/2025-02/c.csv: rejected, no header row")
    context.log.info("a line for the log file only")


def test_the_ingestion_bar_counts_each_file_and_shows_warnings():
    instance = dg.DagsterInstance.ephemeral()
    job = dg.GraphDefinition(name="tkpkd_main", node_defs=[reads_three_files]).to_job()
    run_id = job.execute_in_process(instance=instance).run_id
    screen = io.StringIO()
    progress = Progress(console=Console(file=screen, width=120))
    follower = _Follower(instance, run_id, progress, {INGEST_STEP: len(FILES)})

    follower.drain()

    [task] = progress.tasks
    assert task.description == INGEST_STEP and task.completed == len(FILES) == task.total
    assert "rejected, no header row" in screen.getvalue()
    assert "for the log file only" not in screen.getvalue()


def test_files_in_periods_counts_what_a_run_takes_up(tmp_path):
    for path in [*FILES, "bansos/2025-03/d.xlsx", "bansos/loose.xlsx", "bansos/arsip/e.xlsx"]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(b"x")

    assert files_in_periods(tmp_path, ["bansos", "umkm", "jkn"], {"2025-01", "2025-02"}) == 3
    assert files_in_periods(tmp_path, ["bansos"], {"2025-03"}) == 1
