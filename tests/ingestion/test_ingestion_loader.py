"""The loader: raw tables, lineage, rejections, duplicates, idempotence, transactions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from ingestion_helpers import (
    BANSOS_HEADER,
    DUKCAPIL_HEADER,
    JKN_HEADER,
    NOW,
    bansos_rows,
    dukcapil_rows,
    ingested,
    raw_rows,
    write_csv,
    write_xlsx,
)

from orchestration.contract import CONTRACT_PATH, load_contract
from orchestration.ingestion import (
    LINEAGE_COLUMNS,
    errors,
    find_unknown_sources,
    ingest_inbox,
    ingest_source,
    ingest_unknown_entries,
    raw_table_columns,
    readers,
)


def ingest(conn, contract, inbox, source, **kwargs):
    return ingest_source(conn, contract[source], inbox, now=NOW, **kwargs)


def only(report):
    assert len(report.files) == 1, report.files
    return report.files[0]


# ------------------------------------------------------------------------------------------------ tables


def test_raw_table_layout(conn, contract, inbox):
    report = ingest(conn, contract, inbox, "bansos")
    assert report.files == []
    columns = conn.execute(
        "select column_name, data_type from duckdb_columns() where schema_name = 'raw' and table_name = 'bansos'"
    ).fetchall()
    assert [c[0] for c in columns] == [n for n, _ in raw_table_columns(contract["bansos"])]
    assert [c[0] for c in columns[:6]] == [n for n, _ in LINEAGE_COLUMNS]
    types = dict(columns)
    assert types["_row_number"] == "INTEGER" and types["_loaded_at"] == "TIMESTAMP"
    assert columns[-1] == ("_extra", "VARCHAR")
    assert conn.execute("select count(*) from raw.ingested_files").fetchone()[0] == 0


def test_every_source_gets_a_table(conn, contract, inbox):
    report = ingest_inbox(conn, inbox, contract, now=NOW)
    assert set(report.sources) == set(contract)
    tables = {
        r[0]
        for r in conn.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw'"
        ).fetchall()
    }
    assert tables == set(contract) | {"ingested_files"}


def test_contract_gaining_a_column_extends_the_table(conn, inbox, tmp_path: Path):
    raw = yaml.safe_load(CONTRACT_PATH.read_text())
    write_csv(
        inbox / "jkn" / "2025-03" / "a.csv",
        [JKN_HEADER + ["FASKES"], ["1", "2", "3", "4", "5", "6", "RS X"]],
    )
    ingest_source(conn, load_contract()["jkn"], inbox, now=NOW)
    raw["sources"]["jkn"]["columns"].append({"name": "faskes", "aliases": ["faskes_tingkat_1"]})
    path = tmp_path / "grown.yaml"
    path.write_text(yaml.safe_dump(raw))
    grown = load_contract(path)["jkn"]
    write_csv(
        inbox / "jkn" / "2025-04" / "b.csv",
        [JKN_HEADER + ["FASKES"], ["1", "2", "3", "4", "5", "6", "RS Y"]],
    )
    report = ingest_source(conn, grown, inbox, now=NOW)
    assert [o.status for o in report.files] == ["skipped", "loaded"]
    rows = raw_rows(conn, "jkn", "_period, faskes, _extra")
    assert rows == [
        {"_period": "2025-03", "faskes": None, "_extra": '{"FASKES":"RS X"}'},
        {"_period": "2025-04", "faskes": "RS Y", "_extra": None},
    ]


# ------------------------------------------------------------------------------------------------ rows


def test_csv_lineage_and_row_numbers(conn, contract, inbox):
    path = write_csv(
        inbox / "dukcapil" / "2025-03" / "siak.csv",
        [
            DUKCAPIL_HEADER,
            *dukcapil_rows(2),
            [],
            [*dukcapil_rows(3)[2][:2], "MA’RUF", *dukcapil_rows(3)[2][3:]],
        ],
        encoding="cp1252",
    )
    outcome = only(ingest(conn, contract, inbox, "dukcapil"))
    assert outcome.status == "loaded" and outcome.rows_received == 4 and outcome.non_data_rows == 1
    rows = raw_rows(conn, "dukcapil")
    assert [r["_row_number"] for r in rows] == [2, 3, 4, 5]
    assert [r["_non_data_reason"] for r in rows] == [None, None, "empty_row", None]
    assert rows[0]["_source_file"] == "dukcapil/2025-03/siak.csv"
    assert rows[0]["_period"] == "2025-03"
    assert rows[0]["_loaded_at"] == NOW
    assert rows[0]["_file_hash"] == outcome.file_hash and len(outcome.file_hash) == 64
    assert rows[0]["nik"] == "6171015708450000" and rows[0]["tgl_lhr"] == "01-01-1980"
    assert rows[0]["tmpt_lhr"] is None  # optional column the file lacks
    assert rows[3]["nama_lgkp"] == "MA’RUF"
    files = ingested(conn)
    assert files[0]["size_bytes"] == path.stat().st_size
    assert (
        files[0]["encoding"] == "cp1252"
        and files[0]["delimiter"] == ","
        and files[0]["header_row"] == 1
    )


def test_xlsx_bansos_title_total_and_empty_rows(conn, contract, inbox):
    write_xlsx(
        inbox / "bansos" / "2025-03" / "tahap1.xlsx",
        {
            "DATA": [
                ["DAFTAR PENERIMA BANTUAN SOSIAL TAHAP 1"],
                ["DINAS SOSIAL KOTA PONTIANAK"],
                [],
                BANSOS_HEADER,
                [
                    1,
                    6171015708450000,
                    None,
                    "Siti",
                    "PKH",
                    1,
                    750000,
                    dt.date(2025, 3, 19),
                    "SALUR",
                ],
                [
                    2,
                    "6171015708450001",
                    "6171010101010001",
                    "Ma’ruf",
                    "BPNT",
                    1,
                    200000,
                    "19-03-2025",
                    "GAGAL",
                ],
                [],
                ["JUMLAH", None, None, None, None, None, 950000],
                [None, None, None, " Total ", None, None, None],
            ]
        },
    )
    outcome = only(ingest(conn, contract, inbox, "bansos"))
    assert outcome.status == "loaded", outcome.message
    assert (outcome.rows_received, outcome.non_data_rows, outcome.header_row, outcome.sheet) == (
        5,
        3,
        4,
        "DATA",
    )
    rows = raw_rows(conn, "bansos")
    assert [(r["_row_number"], r["_non_data_reason"]) for r in rows] == [
        (5, None),
        (6, None),
        (7, "empty_row"),
        (8, "total_row"),
        (9, "total_row"),
    ]
    assert rows[0]["nik"] == "6171015708450000.0"
    assert rows[0]["tanggal_salur"] == "2025-03-19"
    assert rows[0]["no_kk"] is None
    assert rows[1]["nama_penerima"] == "Ma’ruf"
    assert rows[3]["no"] == "JUMLAH" and rows[3]["nilai"] == "950000.0"
    files = ingested(conn, "bansos")
    assert json.loads(files[0]["title_block"]) == [
        "DAFTAR PENERIMA BANTUAN SOSIAL TAHAP 1",
        "DINAS SOSIAL KOTA PONTIANAK",
    ]
    assert files[0]["non_data_rows"] == 3


def test_total_word_in_a_data_row_is_data(conn, contract, inbox):
    row = bansos_rows(1)[0]
    row[3] = "TOTAL"  # a recipient named TOTAL, with an NIK: data
    write_csv(inbox / "bansos" / "2025-03" / "a.csv", [BANSOS_HEADER, row])
    assert only(ingest(conn, contract, inbox, "bansos")).non_data_rows == 0


def test_total_label_in_the_identifier_column_is_a_total_row(conn, contract, inbox):
    write_csv(
        inbox / "bansos" / "2025-03" / "a.csv",
        [BANSOS_HEADER, bansos_rows(1)[0], [None, "JUMLAH", None, None, None, None, "750000"]],
    )
    assert only(ingest(conn, contract, inbox, "bansos")).non_data_rows == 1
    assert [r["_non_data_reason"] for r in raw_rows(conn, "bansos")] == [None, "total_row"]


def test_verifikasi_kelurahan_from_title_block(conn, contract, inbox):
    header = [
        "NO",
        "NO KK",
        "NIK KEPALA KELUARGA",
        "NAMA KEPALA KELUARGA",
        "RT/RW",
        "HASIL VERIFIKASI",
        "TANGGAL VERIFIKASI",
        "PETUGAS",
        "KETERANGAN",
    ]
    write_xlsx(
        inbox / "verifikasi_kelurahan" / "2025-11" / "sungai_jawi_dalam.xlsx",
        {
            "Sheet1": [
                ["BERITA ACARA HASIL MUSYAWARAH KELURAHAN"],
                ["KELURAHAN : SUNGAI JAWI DALAM"],
                ["PERIODE : NOVEMBER 2025"],
                [],
                header,
                [
                    1,
                    "6171010101010001",
                    "6171015708450001",
                    "Budi",
                    "003/005",
                    "Layak",
                    dt.date(2025, 11, 20),
                    "X",
                    None,
                ],
            ]
        },
    )
    outcome = only(ingest(conn, contract, inbox, "verifikasi_kelurahan"))
    assert outcome.status == "loaded", outcome.message
    row = raw_rows(conn, "verifikasi_kelurahan")[0]
    assert row["kelurahan"] == "SUNGAI JAWI DALAM"
    assert row["rt_rw"] == "003/005" and row["rt"] is None and row["rw"] is None
    assert row["tanggal_verifikasi"] == "2025-11-20"
    assert row["_row_number"] == 6


def test_verifikasi_kelurahan_column_wins_over_title(conn, contract, inbox):
    write_xlsx(
        inbox / "verifikasi_kelurahan" / "2025-11" / "a.xlsx",
        {
            "Sheet1": [
                ["KELURAHAN : SUNGAI JAWI DALAM"],
                ["NO KK", "RT", "RW", "HASIL VERIFIKASI", "TANGGAL VERIFIKASI", "KELURAHAN"],
                ["6171010101010001", "1", "2", "Pindah", "20/11/2025", "Sei Jawi Dlm"],
            ]
        },
    )
    assert only(ingest(conn, contract, inbox, "verifikasi_kelurahan")).status == "loaded"
    assert raw_rows(conn, "verifikasi_kelurahan", "kelurahan") == [{"kelurahan": "Sei Jawi Dlm"}]


def test_extra_columns_captured(conn, contract, inbox):
    write_xlsx(
        inbox / "bansos" / "2025-03" / "a.xlsx",
        {
            "Sheet1": [
                BANSOS_HEADER + ["CATATAN", None, "NO HP"],
                [*bansos_rows(1)[0], "pindah", None, "0812", None, "coretan"],
                [*bansos_rows(2)[1], None],
            ]
        },
    )
    assert only(ingest(conn, contract, inbox, "bansos")).status == "loaded"
    extras = [json.loads(r["_extra"]) for r in raw_rows(conn, "bansos", "_extra")]
    assert extras == [
        {"CATATAN": "pindah", "NO HP": "0812", "_column_N": "coretan"},
        {"CATATAN": None, "NO HP": None},
    ]


def test_csv_ragged_rows_keep_every_cell(conn, contract, inbox):
    path = inbox / "jkn" / "2025-03" / "a.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        ";".join(JKN_HEADER) + "\n1;2;PBI;AKTIF\n1;2;3;4;5;6;7;8\n1;2;3;4;5;6\n", "utf-8"
    )
    outcome = only(ingest(conn, contract, inbox, "jkn"))
    assert outcome.status == "loaded" and outcome.rows_received == 3
    rows = raw_rows(conn, "jkn", "_row_number, segmen, tmt, _extra")
    assert rows[0] == {"_row_number": 2, "segmen": "AKTIF", "tmt": None, "_extra": None}
    assert json.loads(rows[1]["_extra"]) == {"_column_7": "7", "_column_8": "8"}


def test_stray_quote_is_read_leniently(conn, contract, inbox):
    path = inbox / "jkn" / "2025-03" / "a.csv"
    path.parent.mkdir(parents=True)
    path.write_text(";".join(JKN_HEADER) + '\n1;2;"SITI" AMINAH;PBI;AKTIF;x\n', "utf-8")
    outcome = only(ingest(conn, contract, inbox, "jkn"))
    assert outcome.status == "loaded", outcome.message
    assert raw_rows(conn, "jkn", "nama") == [{"nama": "SITI AMINAH"}]


def test_parquet_loaded(conn, contract, inbox):
    path = inbox / "jkn" / "2025-03" / "jkn.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(pa.table({n: ["x", ""] for n in JKN_HEADER}), path)
    outcome = only(ingest(conn, contract, inbox, "jkn"))
    assert (outcome.status, outcome.rows_received, outcome.non_data_rows) == ("loaded", 2, 1)
    assert [r["_row_number"] for r in raw_rows(conn, "jkn")] == [2, 3]


def test_rows_received_equals_raw_rows_per_file(conn, contract, inbox):
    write_csv(
        inbox / "bansos" / "2025-03" / "a.csv", [BANSOS_HEADER, *bansos_rows(3), [], [None] * 9]
    )
    write_xlsx(
        inbox / "bansos" / "2025-04" / "b.xlsx",
        {"S": [["TITLE"], BANSOS_HEADER, *bansos_rows(4)[1:], ["JUMLAH"]]},
    )
    report = ingest(conn, contract, inbox, "bansos")
    counts = dict(
        conn.execute("select _source_file, count(*) from raw.bansos group by all").fetchall()
    )
    for outcome in report.files:
        assert outcome.rows_received == counts[outcome.source_file]
    recorded = {f["source_file"]: f["rows_received"] for f in ingested(conn)}
    assert recorded == counts == {"bansos/2025-03/a.csv": 5, "bansos/2025-04/b.xlsx": 4}
    assert report.rows_received == 9 and report.non_data_rows == 3


def test_fast_and_python_parsers_agree(conn, contract, inbox, monkeypatch):
    rows = [
        DUKCAPIL_HEADER,
        *dukcapil_rows(5),
        ['"6171,0157"', "x", '"A ""B"""', "", " ", "HIDUP"],
        [],
    ]
    write_csv(inbox / "dukcapil" / "2025-03" / "a.csv", rows)
    ingest(conn, contract, inbox, "dukcapil")
    fast = raw_rows(conn, "dukcapil", "* exclude (_loaded_at)")
    conn.execute("drop table raw.dukcapil; delete from raw.ingested_files")

    def no_fast(*args, **kwargs):
        raise errors.RetryRead("strict", "fast parser disabled")
        yield  # pragma: no cover

    monkeypatch.setattr(readers, "_fast_csv_batches", no_fast)
    ingest(conn, contract, inbox, "dukcapil")
    slow = raw_rows(conn, "dukcapil", "* exclude (_loaded_at)")

    def blank(value):  # the fast parser gives '' where Python pads a short record with None
        return value or None

    assert [{k: blank(v) for k, v in r.items()} for r in fast] == [
        {k: blank(v) for k, v in r.items()} for r in slow
    ]
    assert fast[5]["nik"] == "6171,0157" and fast[5]["nama_lgkp"] == 'A "B"'


# ------------------------------------------------------------------------------------------------ rejections


def rejected(conn, contract, inbox, source) -> tuple[str, str]:
    outcome = only(ingest(conn, contract, inbox, source))
    assert outcome.status == "rejected", outcome
    assert outcome.rows_received == 0
    assert conn.execute(f"select count(*) from raw.{source}").fetchone()[0] == 0
    recorded = ingested(conn, source)[0]
    assert (recorded["status"], recorded["reason_code"], recorded["reason_message"]) == (
        "rejected",
        outcome.reason_code,
        outcome.message,
    )
    assert outcome.source_file in outcome.message
    return outcome.reason_code, outcome.message


def test_missing_required_columns_named(conn, contract, inbox):
    write_csv(
        inbox / "bansos" / "2025-03" / "a.csv",
        [["NO", "NIK", "NAMA_PENERIMA", "NILAI", "STATUS"], [1, 2, 3, 4, 5]],
    )
    code, message = rejected(conn, contract, inbox, "bansos")
    assert code == "missing_required_columns"
    assert "bansos/2025-03/a.csv" in message
    assert "program, tahap, tanggal_salur" in message


def test_duplicate_columns(conn, contract, inbox):
    write_csv(
        inbox / "jkn" / "2025-03" / "a.csv",
        [JKN_HEADER + ["NO NIK"], list("1234567")],
        delimiter=";",
    )
    code, message = rejected(conn, contract, inbox, "jkn")
    assert code == "duplicate_columns"
    assert "'NIK'" in message and "'NO NIK'" in message and "nik" in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("zero.csv", b""),
        ("header_only.csv", (";".join(JKN_HEADER) + "\n").encode()),
        ("blank_lines.csv", (";".join(JKN_HEADER) + "\n\n;;;;;\n").encode()),
        ("zero.xlsx", b""),
        ("newlines.csv", b"\n\n\r\n"),
    ],
)
def test_empty_file(conn, contract, inbox, name, content):
    path = inbox / "jkn" / "2025-03" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert rejected(conn, contract, inbox, "jkn")[0] == "empty_file"


def test_empty_xlsx_sheet(conn, contract, inbox):
    write_xlsx(inbox / "jkn" / "2025-03" / "a.xlsx", {"Sheet1": []})
    assert rejected(conn, contract, inbox, "jkn")[0] == "empty_file"


def test_html_saved_as_xlsx(conn, contract, inbox):
    path = inbox / "bansos" / "2025-03" / "export.xlsx"
    path.parent.mkdir(parents=True)
    path.write_text("<html><body><table><tr><td>NIK</td></tr></table></body></html>")
    code, message = rejected(conn, contract, inbox, "bansos")
    assert code == "not_a_valid_xlsx"
    assert "HTML" in message


def test_xlsx_saved_as_csv(conn, contract, inbox, tmp_path: Path):
    source = write_xlsx(tmp_path / "a.xlsx", {"S": [JKN_HEADER, list("123456")]})
    target = inbox / "jkn" / "2025-03" / "a.csv"
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    assert rejected(conn, contract, inbox, "jkn")[0] == "not_a_valid_csv"


def test_truncated_csv_short_last_record(conn, contract, inbox):
    write_csv(
        inbox / "dukcapil" / "2025-03" / "a.csv",
        [DUKCAPIL_HEADER, *dukcapil_rows(3), ["6171015708", "61"]],
        final_newline=False,
    )
    code, message = rejected(conn, contract, inbox, "dukcapil")
    assert code == "truncated" and "row 5" in message


def test_complete_csv_without_final_newline_is_fine(conn, contract, inbox):
    write_csv(
        inbox / "dukcapil" / "2025-03" / "a.csv",
        [DUKCAPIL_HEADER, *dukcapil_rows(3)],
        final_newline=False,
    )
    assert only(ingest(conn, contract, inbox, "dukcapil")).rows_received == 3


def test_truncated_csv_unterminated_quote(conn, contract, inbox):
    path = inbox / "dukcapil" / "2025-03" / "a.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        ",".join(DUKCAPIL_HEADER) + "\n1,2,\"MA'RUF,LAKI-LAKI,01-01-1980,HIDUP\n", "utf-8"
    )
    code, message = rejected(conn, contract, inbox, "dukcapil")
    assert code == "truncated" and "quote" in message


def test_truncated_xlsx(conn, contract, inbox, tmp_path: Path):
    source = write_xlsx(tmp_path / "a.xlsx", {"S": [BANSOS_HEADER, *bansos_rows(50)]})
    target = inbox / "bansos" / "2025-03" / "a.xlsx"
    target.parent.mkdir(parents=True)
    target.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    assert rejected(conn, contract, inbox, "bansos")[0] == "truncated"


def test_truncated_parquet(conn, contract, inbox, tmp_path: Path):
    source = tmp_path / "a.parquet"
    pq.write_table(pa.table({n: ["x"] * 100 for n in JKN_HEADER}), source)
    target = inbox / "jkn" / "2025-03" / "a.parquet"
    target.parent.mkdir(parents=True)
    target.write_bytes(source.read_bytes()[:-10])
    assert rejected(conn, contract, inbox, "jkn")[0] == "truncated"


def test_no_header_found(conn, contract, inbox):
    write_csv(inbox / "jkn" / "2025-03" / "a.csv", [["foo", "bar"], ["1", "2"]])
    code, message = rejected(conn, contract, inbox, "jkn")
    assert code == "no_header_found" and "jkn/2025-03/a.csv" in message


def test_unsupported_format(conn, contract, inbox):
    path = inbox / "jkn" / "2025-03" / "a.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"%PDF-1.4")
    assert rejected(conn, contract, inbox, "jkn")[0] == "unsupported_format"


@pytest.mark.parametrize("folder", ["2025-13", "maret", "202503", None])
def test_invalid_period_folder(conn, contract, inbox, folder):
    parts = ["jkn", folder, "a.csv"] if folder else ["jkn", "a.csv"]
    write_csv(inbox.joinpath(*parts), [JKN_HEADER, list("123456")], delimiter=";")
    code, message = rejected(conn, contract, inbox, "jkn")
    assert code == "invalid_period_folder" and "YYYY-MM" in message
    assert ingested(conn)[0]["period"] is None


def test_rejected_file_does_not_stop_the_others(conn, contract, inbox):
    write_csv(inbox / "bansos" / "2025-03" / "1_good.csv", [BANSOS_HEADER, *bansos_rows(2)])
    write_csv(inbox / "bansos" / "2025-03" / "2_bad.csv", [["NIK"], ["1"]])
    (inbox / "bansos" / "2025-03" / "3_html.xlsx").write_text("<html></html>")
    write_xlsx(
        inbox / "bansos" / "2025-04" / "4_good.xlsx", {"S": [BANSOS_HEADER, *bansos_rows(3)]}
    )
    report = ingest(conn, contract, inbox, "bansos")
    assert [(o.status, o.reason_code) for o in report.files] == [
        ("loaded", None),
        ("rejected", "missing_required_columns"),
        ("rejected", "not_a_valid_xlsx"),
        ("loaded", None),
    ]
    assert report.status_counts == {
        "loaded": 2,
        "rejected": 2,
        "duplicate_file": 0,
        "skipped": 0,
        "ignored": 0,
        "pending": 0,
    }
    assert report.rejection_reasons == {"missing_required_columns": 1, "not_a_valid_xlsx": 1}
    assert conn.execute("select count(*) from raw.bansos").fetchone()[0] == 5


class CountingConnection:
    """A DuckDB connection that counts the Arrow batches handed to it."""

    def __init__(self, conn):
        self._conn = conn
        self.registered = 0

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def register(self, name, table):
        self.registered += 1
        return self._conn.register(name, table)


def test_a_failure_mid_file_leaves_nothing(conn, contract, inbox, monkeypatch):
    """Rows already inserted from the first batches are rolled back when the file turns out truncated."""
    monkeypatch.setattr(readers, "BATCH_ROWS", 2)
    monkeypatch.setattr("orchestration.ingestion.loader.INSERT_ROWS", 2)
    write_csv(
        inbox / "dukcapil" / "2025-03" / "a.csv",
        [DUKCAPIL_HEADER, *dukcapil_rows(40), ["61", "62"]],
        final_newline=False,
    )
    counting = CountingConnection(conn)
    outcome = only(ingest_source(counting, contract["dukcapil"], inbox, now=NOW))
    assert outcome.reason_code == "truncated"
    assert counting.registered > 10  # many inserts happened before the end of the file was reached
    assert conn.execute("select count(*) from raw.dukcapil").fetchone()[0] == 0
    assert [f["status"] for f in ingested(conn)] == ["rejected"]


def test_unexpected_error_is_recorded_and_retried(conn, contract, inbox, monkeypatch):
    write_csv(inbox / "jkn" / "2025-03" / "a.csv", [JKN_HEADER, list("123456")], delimiter=";")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("orchestration.ingestion.loader.read_table", broken)
    outcome = only(ingest(conn, contract, inbox, "jkn"))
    assert (outcome.status, outcome.reason_code) == ("rejected", "read_error")
    assert "disk on fire" in outcome.message
    monkeypatch.undo()
    outcome = only(ingest(conn, contract, inbox, "jkn"))
    assert outcome.status == "loaded"
    assert [f["status"] for f in ingested(conn)] == ["loaded"]


def test_retry_rejected_after_the_contract_learns_an_alias(conn, inbox, tmp_path: Path):
    write_csv(
        inbox / "jkn" / "2025-03" / "a.csv", [["NO KARTU PESERTA", *JKN_HEADER[1:]], list("123456")]
    )
    assert only(ingest_source(conn, load_contract()["jkn"], inbox, now=NOW)).status == "rejected"
    assert only(ingest_source(conn, load_contract()["jkn"], inbox, now=NOW)).status == "skipped"
    raw = yaml.safe_load(CONTRACT_PATH.read_text())
    raw["sources"]["jkn"]["columns"][0]["aliases"].append("NO KARTU PESERTA")
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(raw))
    outcome = only(
        ingest_source(conn, load_contract(path)["jkn"], inbox, now=NOW, retry_rejected=True)
    )
    assert outcome.status == "loaded"
    assert [f["status"] for f in ingested(conn)] == ["loaded"]


# ------------------------------------------------------------------------------------------------ re-runs


def test_duplicate_file_recorded_once_adds_no_rows(conn, contract, inbox):
    first = write_csv(inbox / "bansos" / "2025-03" / "a.csv", [BANSOS_HEADER, *bansos_rows(3)])
    copy = inbox / "bansos" / "2025-04" / "kiriman_ulang.csv"
    copy.parent.mkdir(parents=True)
    shutil.copy(first, copy)
    report = ingest(conn, contract, inbox, "bansos")
    assert [o.status for o in report.files] == ["loaded", "duplicate_file"]
    duplicate = report.files[1]
    assert duplicate.duplicate_of == "bansos/2025-03/a.csv" and duplicate.rows_received == 0
    assert "bansos/2025-03/a.csv" in duplicate.message
    assert conn.execute("select count(*) from raw.bansos").fetchone()[0] == 3
    again = ingest(conn, contract, inbox, "bansos")
    assert [o.status for o in again.files] == ["skipped", "skipped"]
    assert [(f["status"], f["duplicate_of"]) for f in ingested(conn)] == [
        ("loaded", None),
        ("duplicate_file", "bansos/2025-03/a.csv"),
    ]


def test_idempotent_rerun(conn, contract, inbox):
    write_csv(inbox / "bansos" / "2025-03" / "a.csv", [BANSOS_HEADER, *bansos_rows(3)])
    write_csv(inbox / "bansos" / "2025-03" / "bad.csv", [["NIK"], ["1"]])
    write_csv(inbox / "jkn" / "x" / "a.csv", [JKN_HEADER, list("123456")])
    ingest_inbox(conn, inbox, contract, now=NOW)
    before = (
        conn.execute("select count(*) from raw.bansos").fetchone()[0],
        conn.execute("select count(*) from raw.ingested_files").fetchone()[0],
    )
    report = ingest_inbox(conn, inbox, contract, now=NOW)
    after = (
        conn.execute("select count(*) from raw.bansos").fetchone()[0],
        conn.execute("select count(*) from raw.ingested_files").fetchone()[0],
    )
    assert before == after == (3, 3)
    assert {o.status for o in report.files} == {"skipped"}
    assert report.rows_received == 0


def test_corrected_file_same_path_new_bytes_is_loaded(conn, contract, inbox):
    path = write_csv(inbox / "bansos" / "2025-03" / "a.csv", [BANSOS_HEADER, *bansos_rows(2)])
    ingest(conn, contract, inbox, "bansos")
    write_csv(path, [BANSOS_HEADER, *bansos_rows(3)])
    report = ingest(conn, contract, inbox, "bansos")
    assert only(report).status == "loaded"
    assert conn.execute(
        "select count(distinct _file_hash), count(*) from raw.bansos"
    ).fetchone() == (2, 5)


def test_hidden_and_lock_files_ignored(conn, contract, inbox):
    write_csv(inbox / "bansos" / "2025-03" / "a.csv", [BANSOS_HEADER, *bansos_rows(1)])
    for name in (".DS_Store", "~$tahap1.xlsx", "Thumbs.db"):
        (inbox / "bansos" / "2025-03" / name).write_bytes(b"\x00junk")
    (inbox / "bansos" / ".git").mkdir()
    (inbox / "bansos" / ".git" / "config").write_text("x")
    report = ingest(conn, contract, inbox, "bansos")
    assert sorted(o.source_file for o in report.ignored) == [
        "bansos/.git/config",
        "bansos/2025-03/.DS_Store",
        "bansos/2025-03/Thumbs.db",
        "bansos/2025-03/~$tahap1.xlsx",
    ]
    assert [o.status for o in report.files if o.status != "ignored"] == ["loaded"]
    assert len(ingested(conn)) == 1


def test_find_unknown_sources(contract, inbox):
    for name in ("bansos", "BANSOS", "posyandu", ".Trash"):
        (inbox / name).mkdir()
    (inbox / "readme.txt").write_text("x")
    assert [p.name for p in find_unknown_sources(inbox, contract)] == [
        "BANSOS",
        "posyandu",
        "readme.txt",
    ]
    assert find_unknown_sources(inbox / "missing", contract) == []


def test_files_outside_the_source_folders_are_recorded_rejected_once(conn, contract, inbox):
    write_csv(inbox / "dinas_baru" / "2025-03" / "data.csv", [BANSOS_HEADER, *bansos_rows(1)])
    write_csv(inbox / "dinas_baru" / "loose.csv", [BANSOS_HEADER])
    write_csv(inbox / "BANSOS" / "2025-03" / "a.csv", [BANSOS_HEADER, *bansos_rows(1)])
    (inbox / "readme.txt").write_text("x")
    (inbox / "dinas_baru" / "2025-03" / "~$data.xlsx").write_bytes(b"lock")
    write_csv(inbox / "bansos" / "2025-03" / "a.csv", [BANSOS_HEADER, *bansos_rows(1)])

    report = ingest_inbox(conn, inbox, contract, now=NOW)
    assert [o.source_file for o in report.unknown.ignored] == ["dinas_baru/2025-03/~$data.xlsx"]
    rows = {
        r["source_file"]: (r["source"], r["period"], r["status"], r["reason_code"])
        for r in ingested(conn)
        if r["source"] != "bansos"
    }
    assert rows == {
        "BANSOS/2025-03/a.csv": ("BANSOS", "2025-03", "rejected", "unknown_source"),
        "dinas_baru/2025-03/data.csv": ("dinas_baru", "2025-03", "rejected", "unknown_source"),
        "dinas_baru/loose.csv": ("dinas_baru", None, "rejected", "unknown_source"),
        "readme.txt": ("_inbox", None, "rejected", "misplaced_file"),
    }
    messages = {r["source_file"]: r["reason_message"] for r in ingested(conn)}
    assert "'dinas_baru', which is not a source of the contract;" in messages["dinas_baru/2025-03/data.csv"]
    assert "did you mean bansos/?" in messages["BANSOS/2025-03/a.csv"]
    assert messages["readme.txt"].startswith("readme.txt lies directly in the inbox")
    assert [r["status"] for r in ingested(conn, "bansos")] == ["loaded"]
    assert conn.execute("select count(*) from raw.bansos").fetchone() == (1,)

    again = ingest_unknown_entries(conn, inbox, contract, now=NOW)
    assert again.rejected == [] and len(again.skipped) == 4
    (inbox / "readme.txt").write_text("changed")
    assert [o.source_file for o in ingest_unknown_entries(conn, inbox, contract).rejected] == ["readme.txt"]
    assert len(ingested(conn)) == 6


def test_an_unknown_folder_added_to_the_contract_is_read_on_the_next_run(conn, contract, inbox):
    write_csv(inbox / "bansos_baru" / "2025-03" / "a.csv", [BANSOS_HEADER, *bansos_rows(2)])
    ingest_unknown_entries(conn, inbox, contract, now=NOW)
    assert [r["reason_code"] for r in ingested(conn, "bansos_baru")] == ["unknown_source"]
    spec = dataclasses.replace(contract["bansos"], name="bansos_baru")
    report = ingest_source(conn, spec, inbox, now=NOW)
    assert [o.status for o in report.files] == ["loaded"]
    assert [r["status"] for r in ingested(conn, "bansos_baru")] == ["loaded"]


def test_report_fields_for_the_dagster_asset(conn, contract, inbox):
    write_csv(inbox / "bansos" / "2025-03" / "a.csv", [BANSOS_HEADER, *bansos_rows(2)])
    report = ingest(conn, contract, inbox, "bansos")
    outcome = report.files[0]
    assert (outcome.source, outcome.source_file, outcome.period, outcome.status) == (
        "bansos",
        "bansos/2025-03/a.csv",
        "2025-03",
        "loaded",
    )
    assert outcome.path.is_absolute() and outcome.message and outcome.data_rows == 2
    metadata = report.metadata()
    assert metadata["files_loaded"] == 1 and metadata["rows_received"] == 2
    assert report.summary_lines() == [f"[bansos] loaded: {outcome.message}"]


def test_the_summary_lists_files_outside_the_source_folders(contract, inbox, tmp_path):
    from orchestration.summary import build_summary

    write_csv(inbox / "dinas_baru" / "2025-03" / "data.csv", [BANSOS_HEADER, *bansos_rows(1)])
    (inbox / "readme.txt").write_text("x")
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        ingest_inbox(connection, inbox, contract, now=NOW)
    summary = build_summary(warehouse)
    rejected = summary.split("Rejected files:\n", 1)[1].splitlines()
    assert [line.split(":", 1)[0] for line in rejected] == [
        "- [_inbox] readme.txt",
        "- [dinas_baru] dinas_baru/2025-03/data.csv",
    ]
