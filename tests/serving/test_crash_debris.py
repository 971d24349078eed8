"""A writer killed mid-write leaves a recognisable temporary that the next run removes, never one in a lurah's folder.

Each writer runs in a child process whose final rename is replaced by a hang: the temporary is then complete on
disk, as at the worst moment of a crash. The child is SIGKILLed, the temporary checked, and the writer run again.
"""

import multiprocessing
import os
import signal
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.exports.common import TEMPORARY_PREFIX, sweep_debris, temporary_name
from tests.publishing.test_publish_analytics import make_warehouse, publish
from tests.serving.test_feedback import feedback_tables
from tests.serving.test_open_data import WITH_SUM, _database


def _publish(root: Path) -> Path:
    warehouse = root / "warehouse" / "tkpkd.duckdb"
    if not warehouse.exists():
        warehouse.parent.mkdir(parents=True)
        make_warehouse(warehouse)
    target = root / "warehouse" / "analytics.duckdb"
    publish(warehouse, target)
    return target


def _kelurahan(root: Path) -> Path:
    from orchestration.exports import kelurahan

    for rows in ("case_rows", "backlog_rows", "progress_rows", "coverage_rows"):
        setattr(kelurahan, rows, lambda connection, code, period: [])
    connection = duckdb.connect()
    connection.execute(
        "create table dim_region as select 'Pontianak Kota' as kecamatan_name, '61.71.01.1001' as kelurahan_code, "
        "'Darat Sekip' as kelurahan_name"
    )
    (workbook,) = kelurahan.export_kelurahan_workbooks(connection, root / "exports" / "kelurahan", "2025-12")
    return workbook.path


def _feedback(root: Path) -> Path:
    from orchestration.exports.feedback import write_feedback_workbooks

    connection = feedback_tables()
    connection.execute(
        "insert into quarantine.quarantined_rows values ('mitra', 'mitra/2025-03/a/data.xlsx', '2025-03', 3, "
        "'invalid_nik', 'NIK tidak valid', 'nik', '1', '{}')"
    )
    (workbook,) = write_feedback_workbooks(connection, root / "exports")
    return workbook.path


def _parquet(root: Path) -> Path:
    from orchestration.exports.parquet import export_report_parquet

    connection = duckdb.connect()
    connection.execute("create table rpt_coverage as select 'air' as need, 3 as families")
    (file,) = export_report_parquet(connection, root / "exports" / "parquet")
    return file.path


def _open_data(root: Path) -> Path:
    from orchestration.exports import open_data

    # Patched for this write only: the test process goes on to run other files' tests (the shared pipeline run).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(open_data, "REPORTS", (WITH_SUM,))
        (file,) = open_data.export_open_data(_database(), root / "exports" / "open_data")
    return file.path


def _dashboard(root: Path) -> Path:
    import orchestration.dashboard.build as dashboard

    # The page's content has tests of its own; here only how it reaches the disk matters.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dashboard, "render_dashboard", lambda connection: "<!doctype html><title>Dasbor</title>")
        return dashboard.build_dashboard(duckdb.connect(), root / "exports" / "dashboard")


WRITERS = {
    "publish": _publish,
    "kelurahan": _kelurahan,
    "feedback": _feedback,
    "parquet": _parquet,
    "open_data": _open_data,
    "dashboard": _dashboard,
}


def _write_then_hang(writer: str, root: Path, temporary_written) -> None:
    def hang(source, target):
        temporary_written.set()
        time.sleep(600)

    os.replace = hang
    WRITERS[writer](root)


def _temporaries(root: Path) -> list[Path]:
    return sorted(root.rglob(f"{TEMPORARY_PREFIX}*"))


@pytest.mark.parametrize("writer", WRITERS)
def test_a_killed_writer_leaves_debris_that_the_next_run_removes(writer, tmp_path):
    context = multiprocessing.get_context("spawn")
    temporary_written = context.Event()
    child = context.Process(target=_write_then_hang, args=(writer, tmp_path, temporary_written))
    child.start()
    try:
        assert temporary_written.wait(120), "the child never reached its final rename"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.join()
    left = _temporaries(tmp_path)
    assert left and all(str(child.pid) in path.name for path in left)
    # The restricted workbook is staged outside the lurah's folder, so a crash never leaves it there.
    assert all(path.parent.name != "darat-sekip" for path in left)

    target = WRITERS[writer](tmp_path)

    assert _temporaries(tmp_path) == []
    assert target.exists() and target.stat().st_size > 0
    if target.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        assert CalamineWorkbook.from_path(str(target)).sheet_names


def test_a_temporary_of_a_live_writer_is_left_alone_and_one_of_a_dead_or_stale_writer_is_removed(tmp_path):
    live = tmp_path / temporary_name("daftar_kasus.xlsx")
    dead = tmp_path / "sub" / f"{TEMPORARY_PREFIX}{2**22 + 1}-abcd1234-data.csv"  # above Linux's largest pid_max
    stale = tmp_path / temporary_name("index.html")
    unrelated = tmp_path / ".daftar_kasus.xlsx.notes"
    for path in (live, dead, stale, unrelated):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    os.utime(stale, (time.time() - 7 * 3600,) * 2)

    assert sweep_debris(tmp_path) == sorted([dead, stale])
    assert live.exists() and unrelated.exists()


def test_temporaries_named_the_way_earlier_versions_named_them_are_swept_too(tmp_path):
    dead_pid = 2**22 + 1  # above Linux's largest pid_max
    workbook = tmp_path / "kelurahan" / "61.71.01.1001" / f".daftar_kasus_benua_melayu_darat.xlsx.{dead_pid}.tmp"
    building = tmp_path / f".analytics.duckdb.{dead_pid}.building"
    live = tmp_path / f".analytics.duckdb.{os.getpid()}.building"
    for path in (workbook, building, live):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    assert sweep_debris(tmp_path) == sorted([building, workbook])
    assert live.exists()
