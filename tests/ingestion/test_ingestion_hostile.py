"""Hostile and broken files: each costs one rejected file, never the run, and the good files next to it load."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from ingestion_helpers import (
    DUKCAPIL_HEADER,
    NOW,
    dukcapil_rows,
    ingested,
    raw_rows,
    write_csv,
)

from orchestration.ingestion import errors, ingest_source
from orchestration.ingestion.limits import IngestionLimits

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="DATA" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _write_workbook(path: Path, sheet_xml: bytes) -> Path:
    """A minimal xlsx written by hand, so the sheet XML can claim what no spreadsheet program would write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


def _sheet(dimension: str, rows_xml: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>'
    ).encode()


def _good_file(inbox: Path) -> Path:
    return write_csv(
        inbox / "dukcapil" / "2025-03" / "good.csv", [DUKCAPIL_HEADER, *dukcapil_rows(3)]
    )


def _outcomes(conn, contract, inbox, **kwargs):
    report = ingest_source(conn, contract["dukcapil"], inbox, now=NOW, **kwargs)
    return {outcome.source_file: outcome for outcome in report.files}


def _assert_good_file_loaded(conn, outcomes) -> None:
    good = outcomes["dukcapil/2025-03/good.csv"]
    assert (good.status, good.rows_received) == ("loaded", 3)
    loaded = raw_rows(conn, "dukcapil", "nik", "_source_file = 'dukcapil/2025-03/good.csv'")
    assert [row["nik"] for row in loaded] == [row[0] for row in dukcapil_rows(3)]


def test_huge_declared_dimension_is_rejected_before_parsing(conn, contract, inbox, monkeypatch):
    import python_calamine

    def must_not_parse(*args, **kwargs):
        raise AssertionError("the workbook reached python-calamine")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", must_not_parse)
    _write_workbook(
        inbox / "dukcapil" / "2025-03" / "huge.xlsx",
        _sheet(
            "A1:XFD1048576",
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
        ),
    )
    _good_file(inbox)
    outcomes = _outcomes(conn, contract, inbox)
    huge = outcomes["dukcapil/2025-03/huge.xlsx"]
    assert (huge.status, huge.reason_code) == ("rejected", errors.OVER_LIMIT)
    assert "declares 1,048,576 x 16,384 cells" in huge.message
    assert "TKPKD_MAX_DECLARED_CELLS" in huge.message
    assert huge.message.startswith("dukcapil/2025-03/huge.xlsx")
    _assert_good_file_loaded(conn, outcomes)
    recorded = {row["source_file"]: row["reason_code"] for row in ingested(conn, "dukcapil")}
    assert recorded["dukcapil/2025-03/huge.xlsx"] == errors.OVER_LIMIT


def test_zip_bomb_xlsx_is_rejected_by_its_unpacked_size(conn, contract, inbox):
    padding = "<row><c><v>1</v></c></row>" * 200_000  # ~5 MB of sheet XML, a few KB compressed
    bomb = _write_workbook(inbox / "dukcapil" / "2025-03" / "bomb.xlsx", _sheet("A1", padding))
    assert bomb.stat().st_size < 100_000
    _good_file(inbox)
    outcomes = _outcomes(
        conn, contract, inbox, limits=IngestionLimits(xlsx_uncompressed_bytes=1_000_000)
    )
    rejected = outcomes["dukcapil/2025-03/bomb.xlsx"]
    assert (rejected.status, rejected.reason_code) == ("rejected", errors.OVER_LIMIT)
    assert "TKPKD_MAX_XLSX_UNCOMPRESSED_BYTES" in rejected.message
    _assert_good_file_loaded(conn, outcomes)


def test_csv_over_the_row_limit_is_rejected_whole(conn, contract, inbox):
    write_csv(inbox / "dukcapil" / "2025-03" / "long.csv", [DUKCAPIL_HEADER, *dukcapil_rows(6)])
    _good_file(inbox)
    outcomes = _outcomes(conn, contract, inbox, limits=IngestionLimits(rows=5))
    long = outcomes["dukcapil/2025-03/long.csv"]
    assert (long.status, long.reason_code, long.rows_received) == ("rejected", errors.OVER_LIMIT, 0)
    assert "more than 5 rows" in long.message and "TKPKD_MAX_ROWS" in long.message
    _assert_good_file_loaded(conn, outcomes)
    assert raw_rows(conn, "dukcapil", "_source_file", "_source_file like '%long.csv'") == []


def test_cell_over_the_length_limit_is_rejected(conn, contract, inbox):
    rows = dukcapil_rows(2)
    rows[1] = list(rows[1])
    rows[1][2] = "A" * 101
    write_csv(inbox / "dukcapil" / "2025-03" / "wide_cell.csv", [DUKCAPIL_HEADER, *rows])
    _good_file(inbox)
    outcomes = _outcomes(conn, contract, inbox, limits=IngestionLimits(cell_chars=100))
    wide = outcomes["dukcapil/2025-03/wide_cell.csv"]
    assert (wide.status, wide.reason_code) == ("rejected", errors.OVER_LIMIT)
    assert "row 3," in wide.message
    assert "holds 101 characters" in wide.message
    _assert_good_file_loaded(conn, outcomes)


def test_cell_length_limit_counts_characters_not_bytes(conn, contract, inbox):
    """`É` takes two bytes in UTF-8: 60 of them (120 bytes) are within a 100-character limit, 101 are not."""
    within, over = dukcapil_rows(2), dukcapil_rows(2)
    within[1][2] = "É" * 60
    over[0][2] = "É" * 101
    write_csv(inbox / "dukcapil" / "2025-03" / "accented.csv", [DUKCAPIL_HEADER, *within])
    write_csv(inbox / "dukcapil" / "2025-03" / "accented_long.csv", [DUKCAPIL_HEADER, *over])
    outcomes = _outcomes(conn, contract, inbox, limits=IngestionLimits(cell_chars=100))
    assert (outcomes["dukcapil/2025-03/accented.csv"].status, outcomes["dukcapil/2025-03/accented.csv"].rows_received) == (
        "loaded",
        2,
    )
    long = outcomes["dukcapil/2025-03/accented_long.csv"]
    assert long.reason_code == errors.OVER_LIMIT
    assert "row 2, column 3" in long.message and "holds 101 characters" in long.message


def test_file_over_the_byte_limit_is_rejected(conn, contract, inbox):
    write_csv(inbox / "dukcapil" / "2025-03" / "big.csv", [DUKCAPIL_HEADER, *dukcapil_rows(50)])
    outcomes = _outcomes(conn, contract, inbox, limits=IngestionLimits(file_bytes=200))
    big = outcomes["dukcapil/2025-03/big.csv"]
    assert (big.status, big.reason_code) == ("rejected", errors.OVER_LIMIT)
    assert "TKPKD_MAX_FILE_BYTES" in big.message


def test_limits_from_environment(monkeypatch):
    monkeypatch.setenv("TKPKD_MAX_ROWS", "1_000")
    assert IngestionLimits.from_env().rows == 1000
    monkeypatch.setenv("TKPKD_MAX_ROWS", "many")
    with pytest.raises(ValueError, match="TKPKD_MAX_ROWS"):
        IngestionLimits.from_env()


# ------------------------------------------------------------------------------------------------ the inbox boundary


@pytest.fixture
def opened(monkeypatch) -> list[Path]:
    """Every path the loader opens through pathlib (hashing and the CSV/Parquet readers do), resolved."""
    seen: list[Path] = []
    original = Path.open

    def recording_open(self, *args, **kwargs):
        seen.append(self.resolve())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", recording_open)
    return seen


@pytest.mark.parametrize("target_kind", ["outside_csv", "etc_passwd"])
def test_symlinked_file_is_refused_unopened(conn, contract, inbox, tmp_path, opened, target_kind):
    if target_kind == "outside_csv":
        target = write_csv(
            tmp_path / "elsewhere" / "outside.csv", [DUKCAPIL_HEADER, *dukcapil_rows(2)]
        )
    else:
        target = Path("/etc/passwd")
    link = inbox / "dukcapil" / "2025-03" / "link.csv"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    _good_file(inbox)
    opened.clear()
    outcomes = _outcomes(conn, contract, inbox)
    refused = outcomes["dukcapil/2025-03/link.csv"]
    assert (refused.status, refused.reason_code) == ("rejected", errors.OUTSIDE_INBOX)
    assert "symbolic link" in refused.message and str(target) not in refused.message
    assert target.resolve() not in opened
    _assert_good_file_loaded(conn, outcomes)
    recorded = {row["source_file"]: row["reason_code"] for row in ingested(conn, "dukcapil")}
    assert recorded["dukcapil/2025-03/link.csv"] == errors.OUTSIDE_INBOX
    rerun = _outcomes(conn, contract, inbox)
    assert rerun["dukcapil/2025-03/link.csv"].status == "skipped"


def test_symlinked_folder_is_refused_not_followed(conn, contract, inbox, tmp_path, opened):
    outside = tmp_path / "elsewhere" / "2025-04"
    write_csv(outside / "outside.csv", [DUKCAPIL_HEADER, *dukcapil_rows(2)])
    (inbox / "dukcapil").mkdir()
    (inbox / "dukcapil" / "2025-04").symlink_to(outside, target_is_directory=True)
    _good_file(inbox)
    opened.clear()
    outcomes = _outcomes(conn, contract, inbox)
    assert "dukcapil/2025-04/outside.csv" not in outcomes
    refused = outcomes["dukcapil/2025-04"]
    assert (refused.status, refused.reason_code) == ("rejected", errors.OUTSIDE_INBOX)
    assert not any(path.is_relative_to(outside) for path in opened)
    _assert_good_file_loaded(conn, outcomes)


def test_symlinked_source_folder_is_refused(conn, contract, inbox, tmp_path, opened):
    outside = tmp_path / "elsewhere"
    write_csv(outside / "2025-03" / "outside.csv", [DUKCAPIL_HEADER, *dukcapil_rows(2)])
    (inbox / "dukcapil").symlink_to(outside, target_is_directory=True)
    opened.clear()
    outcomes = _outcomes(conn, contract, inbox)
    assert list(outcomes) == ["dukcapil"]
    assert outcomes["dukcapil"].reason_code == errors.OUTSIDE_INBOX
    assert not any(path.is_relative_to(outside) for path in opened)
    assert raw_rows(conn, "dukcapil") == []


# ------------------------------------------------------------------------------------------------ files in motion


def test_recently_modified_file_is_left_pending_unrecorded(conn, contract, inbox):
    _good_file(inbox)
    outcomes = _outcomes(conn, contract, inbox, settle_seconds=3600)
    assert outcomes["dukcapil/2025-03/good.csv"].status == errors.PENDING
    assert ingested(conn, "dukcapil") == []
    # Settled (here: no settle time asked), the same file loads.
    _assert_good_file_loaded(conn, _outcomes(conn, contract, inbox))


def test_file_growing_while_read_is_left_pending(conn, contract, inbox, monkeypatch):
    good = _good_file(inbox)
    from orchestration.ingestion import loader

    original = loader._write_rows

    def write_then_append(*args, **kwargs):
        result = original(*args, **kwargs)
        with good.open("a") as handle:  # the uploader is still copying
            handle.write("617101570845999,617101010101999,WARGA X,LAKI-LAKI,01-01-1980,HIDUP\n")
        return result

    monkeypatch.setattr(loader, "_write_rows", write_then_append)
    outcomes = _outcomes(conn, contract, inbox)
    assert outcomes["dukcapil/2025-03/good.csv"].status == errors.PENDING
    assert ingested(conn, "dukcapil") == [] and raw_rows(conn, "dukcapil") == []
    monkeypatch.setattr(loader, "_write_rows", original)
    again = _outcomes(conn, contract, inbox)
    assert (
        again["dukcapil/2025-03/good.csv"].status,
        again["dukcapil/2025-03/good.csv"].rows_received,
    ) == (
        "loaded",
        4,
    )


def test_transient_permission_error_is_retried(conn, contract, inbox, monkeypatch):
    from orchestration.ingestion import loader

    _good_file(inbox)
    original = loader.read_table
    failures = iter([PermissionError("locked by the uploader")])

    def locked_once(*args, **kwargs):
        for error in failures:
            raise error
        return original(*args, **kwargs)

    monkeypatch.setattr(loader, "read_table", locked_once)
    monkeypatch.setattr(loader.time, "sleep", lambda seconds: None)
    outcomes = _outcomes(conn, contract, inbox, read_retry=loader.ReadRetry(attempts=2))
    _assert_good_file_loaded(conn, outcomes)


def test_persistent_io_error_is_read_error(conn, contract, inbox, monkeypatch):
    from orchestration.ingestion import loader

    _good_file(inbox)

    def always_locked(*args, **kwargs):
        raise PermissionError("locked by the uploader")

    monkeypatch.setattr(loader, "read_table", always_locked)
    monkeypatch.setattr(loader.time, "sleep", lambda seconds: None)
    outcomes = _outcomes(conn, contract, inbox, read_retry=loader.ReadRetry(attempts=3))
    failed = outcomes["dukcapil/2025-03/good.csv"]
    assert (failed.status, failed.reason_code) == ("rejected", errors.READ_ERROR)
    assert "locked by the uploader" in failed.message


# ------------------------------------------------------------------------------------------------ native crashes


def test_workbook_parser_crashing_natively_costs_one_file(conn, contract, inbox, monkeypatch):
    from ingestion_helpers import write_xlsx

    from orchestration.ingestion import readers

    write_xlsx(inbox / "dukcapil" / "2025-03" / "crash.xlsx", {"DATA": [DUKCAPIL_HEADER, *dukcapil_rows(2)]})
    _good_file(inbox)
    original = readers._parse_excel

    def abort_on_crash_file(path, fmt):
        if path.name == "crash.xlsx":
            os.abort()  # what a native library's failed allocation does: SIGABRT, no Python exception
        yield from original(path, fmt)

    monkeypatch.setattr(readers, "_parse_excel", abort_on_crash_file)
    write_xlsx(inbox / "dukcapil" / "2025-03" / "fine.xlsx", {"DATA": [DUKCAPIL_HEADER, *dukcapil_rows(2)]})
    outcomes = _outcomes(conn, contract, inbox)
    crashed = outcomes["dukcapil/2025-03/crash.xlsx"]
    assert (crashed.status, crashed.reason_code) == ("rejected", errors.READER_CRASHED)
    assert "crashed" in crashed.message and "TKPKD_MAX_READER_MEMORY_BYTES" in crashed.message
    _assert_good_file_loaded(conn, outcomes)
    fine = outcomes["dukcapil/2025-03/fine.xlsx"]
    assert (fine.status, fine.rows_received) == ("loaded", 2)
    recorded = {row["source_file"]: row["reason_code"] for row in ingested(conn, "dukcapil")}
    assert recorded["dukcapil/2025-03/crash.xlsx"] == errors.READER_CRASHED


def test_workbook_parser_over_its_memory_cap_costs_one_file(conn, contract, inbox, monkeypatch):
    from ingestion_helpers import write_xlsx

    from orchestration.ingestion import readers

    cap = 1024**3
    write_xlsx(inbox / "dukcapil" / "2025-03" / "big.xlsx", {"DATA": [DUKCAPIL_HEADER, *dukcapil_rows(2)]})
    _good_file(inbox)

    def allocate_beyond_the_cap(path, fmt):
        bytearray(2 * cap)  # more than the parser may add to the address space it inherited: MemoryError
        yield ("meta", "DATA", 0)

    monkeypatch.setattr(readers, "_parse_excel", allocate_beyond_the_cap)
    outcomes = _outcomes(conn, contract, inbox, limits=IngestionLimits(reader_memory_bytes=cap))
    assert outcomes["dukcapil/2025-03/big.xlsx"].reason_code == errors.READER_CRASHED
    _assert_good_file_loaded(conn, outcomes)


def test_a_parent_larger_than_the_cap_does_not_starve_the_workbook_parser(conn, contract, inbox):
    """The worker is forked from the loader, whose DuckDB may hold more address space than the cap (city scale)."""
    import mmap

    from ingestion_helpers import write_xlsx

    cap = 1024**3
    write_xlsx(inbox / "dukcapil" / "2025-03" / "data.xlsx", {"DATA": [DUKCAPIL_HEADER, *dukcapil_rows(2)]})
    with mmap.mmap(-1, 2 * cap):  # address space only: its pages are never touched
        outcomes = _outcomes(conn, contract, inbox, limits=IngestionLimits(reader_memory_bytes=cap))
    workbook = outcomes["dukcapil/2025-03/data.xlsx"]
    assert (workbook.status, workbook.rows_received) == ("loaded", 2)


def _sheet_named_after_the_parsing_process(original):
    """A `_parse_excel` whose sheet name is the pid of the process running it: shows which process parsed a file."""

    def parse(path, fmt):
        for message in original(path, fmt):
            yield ("meta", str(os.getpid()), message[2]) if message[0] == "meta" else message

    return parse


def test_one_worker_process_parses_every_workbook_of_a_run(contract, tmp_path, monkeypatch):
    from ingestion_helpers import write_xlsx

    from orchestration.ingestion import readers

    monkeypatch.setattr(readers, "_parse_excel", _sheet_named_after_the_parsing_process(readers._parse_excel))
    paths = [
        write_xlsx(tmp_path / f"book{i}.xlsx", {"DATA": [DUKCAPIL_HEADER, *dukcapil_rows(2)]}) for i in range(3)
    ]
    with readers.ExcelWorker(IngestionLimits()) as worker:
        tables = [readers.read_table(path, contract["dukcapil"], excel_worker=worker) for path in paths]
        rows = [sum(len(batch) for batch in table.batches) for table in tables]
    assert rows == [2, 2, 2]
    assert len({table.sheet for table in tables}) == 1
    assert tables[0].sheet != str(os.getpid())


def test_a_workbook_abandoned_mid_stream_never_reaches_the_next_file(contract, tmp_path, monkeypatch):
    """The loader stops reading a file at its first over-limit batch; the worker still sending that file's rows must
    not hand them to the next workbook."""
    from ingestion_helpers import write_xlsx

    from orchestration.ingestion import readers

    monkeypatch.setattr(readers, "BATCH_ROWS", 2)  # many small messages in flight
    long_book = write_xlsx(tmp_path / "long.xlsx", {"DATA": [DUKCAPIL_HEADER, *dukcapil_rows(60)]})
    next_rows = [[f"9{cell}" if i < 2 else cell for i, cell in enumerate(row)] for row in dukcapil_rows(3)]
    next_book = write_xlsx(tmp_path / "next.xlsx", {"DATA": [DUKCAPIL_HEADER, *next_rows]})
    with readers.ExcelWorker(IngestionLimits()) as worker:
        abandoned = readers.read_table(long_book, contract["dukcapil"], excel_worker=worker)
        next(abandoned.batches)
        table = readers.read_table(next_book, contract["dukcapil"], excel_worker=worker)
        read = [row for batch in table.batches for row in batch.rows]
    assert [row[:3] for row in read] == [[str(cell) for cell in row[:3]] for row in next_rows]


def test_workbook_parser_over_its_time_limit_costs_one_file(conn, contract, inbox, monkeypatch):
    import time

    from ingestion_helpers import write_xlsx

    from orchestration.ingestion import readers

    original = readers._parse_excel

    def hang_on_slow_file(path, fmt):
        if path.name == "slow.xlsx":
            time.sleep(60)
        yield from original(path, fmt)

    monkeypatch.setattr(readers, "_parse_excel", hang_on_slow_file)
    write_xlsx(inbox / "dukcapil" / "2025-03" / "slow.xlsx", {"DATA": [DUKCAPIL_HEADER, *dukcapil_rows(2)]})
    write_xlsx(inbox / "dukcapil" / "2025-03" / "then.xlsx", {"DATA": [DUKCAPIL_HEADER, *dukcapil_rows(2)]})
    outcomes = _outcomes(conn, contract, inbox, limits=IngestionLimits(reader_seconds=1))
    slow = outcomes["dukcapil/2025-03/slow.xlsx"]
    assert slow.reason_code == errors.READER_CRASHED
    assert "time limit" in slow.message and "TKPKD_MAX_READER_SECONDS" in slow.message
    assert (outcomes["dukcapil/2025-03/then.xlsx"].status, outcomes["dukcapil/2025-03/then.xlsx"].rows_received) == (
        "loaded",
        2,
    )


def test_no_worker_process_outlives_the_ingestion(conn, contract, inbox):
    import multiprocessing

    from ingestion_helpers import write_xlsx

    write_xlsx(inbox / "dukcapil" / "2025-03" / "book.xlsx", {"DATA": [DUKCAPIL_HEADER, *dukcapil_rows(2)]})
    outcomes = _outcomes(conn, contract, inbox)
    assert outcomes["dukcapil/2025-03/book.xlsx"].status == "loaded"
    assert multiprocessing.active_children() == []


def test_a_worker_killed_between_workbooks_is_replaced(contract, tmp_path):
    from ingestion_helpers import write_xlsx

    from orchestration.ingestion import readers

    paths = [
        write_xlsx(tmp_path / f"book{i}.xlsx", {"DATA": [DUKCAPIL_HEADER, *dukcapil_rows(2)]}) for i in range(2)
    ]
    with readers.ExcelWorker(IngestionLimits()) as worker:
        first = readers.read_table(paths[0], contract["dukcapil"], excel_worker=worker)
        assert sum(len(batch) for batch in first.batches) == 2
        worker._process.kill()  # what the kernel's out-of-memory killer does to an idle process
        worker._process.join()
        second = readers.read_table(paths[1], contract["dukcapil"], excel_worker=worker)
        assert sum(len(batch) for batch in second.batches) == 2


def test_the_worker_exits_when_its_parent_is_gone(contract, tmp_path):
    """A pipeline killed with SIGKILL never closes its worker: the worker must see the pipe close and exit."""
    from ingestion_helpers import write_xlsx

    from orchestration.ingestion import readers

    book = write_xlsx(tmp_path / "book.xlsx", {"DATA": [DUKCAPIL_HEADER, *dukcapil_rows(2)]})
    worker = readers.ExcelWorker(IngestionLimits())
    table = readers.read_table(book, contract["dukcapil"], excel_worker=worker)
    assert sum(len(batch) for batch in table.batches) == 2
    process = worker._process
    worker._connection.close()  # all the parent's death leaves behind: its end of the pipe closed
    process.join(60)
    assert process.exitcode == 0
