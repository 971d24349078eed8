"""Feedback workbooks on a tiny warehouse: one per source and period with something to fix, in the agency's terms."""

import json
import re

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from orchestration.exports.feedback import write_feedback_workbooks


def feedback_tables() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with the empty tables the feedback workbooks read."""
    connection = duckdb.connect()
    connection.execute("create schema quarantine; create schema raw; create schema staging")
    connection.execute(
        "create table quarantine.quarantined_rows (source varchar, source_file varchar, period varchar, "
        "row_number integer, reason_code varchar, reason_text varchar, failed_column varchar, failed_value varchar, "
        "raw_values varchar)"
    )
    connection.execute(
        "create table raw.ingested_files (source varchar, period varchar, source_file varchar, status varchar, "
        "reason_code varchar, reason_message varchar)"
    )
    connection.execute(
        "create table staging.stg_row_outcomes (source varchar, _source_file varchar, _period varchar, outcome varchar)"
    )
    return connection


@pytest.fixture
def warehouse():
    connection = feedback_tables()
    connection.execute(
        "insert into quarantine.quarantined_rows values "
        "('bansos', 'bansos/2025-03/salur.xlsx', '2025-03', 7, 'invalid_nik', 'NIK tidak valid', 'nik', '6.17101E+15', ?)",
        [json.dumps({"nik": "6.17101E+15", "nama_penerima": "SITI AMINAH", "program": "PKH"})],
    )
    connection.execute(
        "insert into raw.ingested_files values "
        "('bansos', '2025-03', 'bansos/2025-03/salur.xlsx', 'loaded', null, null), "
        "('rtlh', '2025-06', 'rtlh/2025-06/rtlh.csv', 'rejected', 'missing_required_columns', "
        "'rtlh/2025-06/rtlh.csv tidak memuat kolom wajib NO_KK'), "
        "('kur', '2025-06', 'kur/2025-06/kur.csv', 'loaded', null, null)"
    )
    connection.execute(
        "insert into staging.stg_row_outcomes values ('bansos', 'bansos/2025-03/salur.xlsx', '2025-03', 'accepted'), "
        "('bansos', 'bansos/2025-03/salur.xlsx', '2025-03', 'quarantined'), ('kur', 'kur/2025-06/kur.csv', '2025-06', 'accepted')"
    )
    yield connection
    connection.close()


def _sheet(path, name):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_a_workbook_only_where_there_is_something_to_fix(warehouse, tmp_path):
    written = write_feedback_workbooks(warehouse, tmp_path)
    assert {(w.source, w.period, w.quarantined_rows, w.rejected_files) for w in written} == {
        ("bansos", "2025-03", 1, 0), ("rtlh", "2025-06", 0, 1)
    }
    assert not (tmp_path / "feedback" / "kur").exists()


def test_the_quarantined_row_keeps_its_original_values_as_text(warehouse, tmp_path):
    write_feedback_workbooks(warehouse, tmp_path)
    path = tmp_path / "feedback" / "bansos" / "2025-03" / "umpan_balik_bansos_2025-03.xlsx"
    header, row = _sheet(path, "Baris Karantina")
    values = dict(zip(header, row, strict=True))
    # The row number is ours, a number; every value the agency sent stays text (a NIK in scientific notation too).
    assert values["Nomor baris"] == 7 and values["Alasan"] == "NIK tidak valid"
    assert values["Kolom bermasalah"] == "nik" and values["nik"] == "6.17101E+15"
    assert values["nama_penerima"] == "SITI AMINAH" and values["program"] == "PKH"
    summary = dict(_sheet(path, "Ringkasan")[1:])
    assert summary["Baris dikarantina (perlu diperbaiki)"] == 1 and summary["Baris lolos"] == 1


def test_the_rejected_file_and_its_reason(warehouse, tmp_path):
    write_feedback_workbooks(warehouse, tmp_path)
    rows = _sheet(tmp_path / "feedback" / "rtlh" / "2025-06" / "umpan_balik_rtlh_2025-06.xlsx", "File Ditolak")
    assert rows[1] == ["rtlh/2025-06/rtlh.csv", "missing_required_columns",
                       "rtlh/2025-06/rtlh.csv tidak memuat kolom wajib NO_KK"]


def test_a_workbook_of_a_corrected_delivery_is_removed(warehouse, tmp_path):
    write_feedback_workbooks(warehouse, tmp_path)
    warehouse.execute("delete from quarantine.quarantined_rows")
    written = write_feedback_workbooks(warehouse, tmp_path)
    assert [w.source for w in written] == ["rtlh"]
    assert not list((tmp_path / "feedback").glob("bansos/*/*.xlsx"))


def test_files_outside_the_source_folders_go_to_the_operators_workbook_per_period(warehouse, tmp_path):
    warehouse.execute(
        "insert into raw.ingested_files values "
        "('dinas_baru', '2025-06', 'dinas_baru/2025-06/a.csv', 'rejected', 'unknown_source', 'a: not a source'), "
        "('BANSOS', '2025-06', 'BANSOS/2025-06/b.csv', 'rejected', 'unknown_source', 'b: not a source'), "
        "('_inbox', null, 'c.csv', 'rejected', 'misplaced_file', 'c: directly in the inbox')"
    )
    written = {(w.source, w.period): w for w in write_feedback_workbooks(warehouse, tmp_path) if w.source == "_inbox"}
    assert {key: w.rejected_files for key, w in written.items()} == {("_inbox", "2025-06"): 2, ("_inbox", "unknown"): 1}
    june = written[("_inbox", "2025-06")].path
    assert june == tmp_path / "feedback" / "_inbox" / "2025-06" / "umpan_balik__inbox_2025-06.xlsx"
    assert [row[:2] for row in _sheet(june, "File Ditolak")[1:]] == [
        ["BANSOS/2025-06/b.csv", "unknown_source"], ["dinas_baru/2025-06/a.csv", "unknown_source"]
    ]
    summary = dict(_sheet(june, "Ringkasan")[1:])
    assert summary["Instansi"].startswith("TKPKD") and summary["File ditolak"] == 2
    assert not (tmp_path / "feedback" / "dinas_baru").exists() and not (tmp_path / "feedback" / "BANSOS").exists()


def test_a_source_whose_files_have_their_own_senders_gets_a_workbook_per_file(warehouse, tmp_path):
    for number, file in enumerate(["mitra/2025-03/baznas.xlsx", "mitra/2025-03/pt_pertamina.xlsx"], start=3):
        warehouse.execute(
            "insert into quarantine.quarantined_rows values "
            "('mitra', ?, '2025-03', ?, 'invalid_nik', 'NIK tidak valid', 'nik_penerima', '123', '{}')",
            [file, number],
        )
    written = [w for w in write_feedback_workbooks(warehouse, tmp_path) if w.source == "mitra"]
    assert sorted(w.path.name for w in written) == [
        "umpan_balik_mitra_2025-03_baznas.xlsx", "umpan_balik_mitra_2025-03_pt_pertamina.xlsx"
    ]
    for workbook in written:
        _header, *rows = _sheet(workbook.path, "Baris Karantina")
        assert [row[0] for row in rows] == [workbook.source_file]
        assert ["File", workbook.source_file] in _sheet(workbook.path, "Ringkasan")


def _quarantine(warehouse, source_file, source="mitra", period="2025-03"):
    warehouse.execute(
        "insert into quarantine.quarantined_rows values "
        "(?, ?, ?, 3, 'invalid_nik', 'NIK tidak valid', 'nik_penerima', '123', '{}')",
        [source, source_file, period],
    )


def _mitra_names(warehouse, tmp_path) -> dict[str, str]:
    return {
        w.source_file: w.path.name for w in write_feedback_workbooks(warehouse, tmp_path) if w.source == "mitra"
    }


def test_a_240_character_file_name_gives_a_bounded_name_with_a_hash(warehouse, tmp_path):
    long_file = "mitra/2025-03/" + "laporan_penyaluran_" * 12 + "x.xlsx"
    assert len(long_file.rsplit("/", 1)[1]) > 230
    _quarantine(warehouse, long_file)
    (name,) = _mitra_names(warehouse, tmp_path).values()
    assert len(name.encode("utf-8")) <= 120
    assert re.fullmatch(r"umpan_balik_mitra_2025-03_laporan_penyaluran_[a-z0-9_-]*-[0-9a-f]{8}\.xlsx", name)


def test_same_named_files_in_different_subfolders_get_their_own_workbooks(warehouse, tmp_path):
    _quarantine(warehouse, "mitra/2025-03/yayasan_a/data.xlsx")
    _quarantine(warehouse, "mitra/2025-03/yayasan_b/data.xlsx")
    names = _mitra_names(warehouse, tmp_path)
    assert names == {
        "mitra/2025-03/yayasan_a/data.xlsx": "umpan_balik_mitra_2025-03_yayasan_a-data.xlsx",
        "mitra/2025-03/yayasan_b/data.xlsx": "umpan_balik_mitra_2025-03_yayasan_b-data.xlsx",
    }
    for source_file, name in names.items():
        _header, *rows = _sheet(tmp_path / "feedback" / "mitra" / "2025-03" / name, "Baris Karantina")
        assert [row[0] for row in rows] == [source_file]


def test_files_whose_slugs_collide_are_told_apart_by_a_hash(warehouse, tmp_path):
    _quarantine(warehouse, "mitra/2025-03/data.csv")
    _quarantine(warehouse, "mitra/2025-03/data.xlsx")
    _quarantine(warehouse, "mitra/2025-03/Data Ümit.xlsx")
    names = _mitra_names(warehouse, tmp_path)
    assert len(set(names.values())) == 3
    assert re.fullmatch(r"umpan_balik_mitra_2025-03_data-[0-9a-f]{8}\.xlsx", names["mitra/2025-03/data.csv"])
    assert names["mitra/2025-03/Data Ümit.xlsx"] == "umpan_balik_mitra_2025-03_data-umit.xlsx"


def test_a_name_with_no_ascii_letters_is_named_by_its_hash_only(warehouse, tmp_path):
    _quarantine(warehouse, "mitra/2025-03/報告.xlsx")
    (name,) = _mitra_names(warehouse, tmp_path).values()
    assert re.fullmatch(r"umpan_balik_mitra_2025-03_[0-9a-f]{8}\.xlsx", name)
