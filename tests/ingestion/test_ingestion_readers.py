"""Readers: encoding, delimiter, sheet and header detection; how cells become text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingestion_helpers import BANSOS_HEADER, DUKCAPIL_HEADER, JKN_HEADER, write_csv, write_xlsx

from orchestration.ingestion import FileRejected, detect_delimiter, read_table


def all_rows(table) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    for batch in table.batches:
        if batch.table is not None:
            rows.extend([list(r.values()) for r in batch.table.to_pylist()])
        else:
            rows.extend(batch.rows)
    return rows


@pytest.mark.parametrize("mode", ["fast", "strict"])
def test_pipe_utf8(tmp_path: Path, contract, mode):
    path = write_csv(
        tmp_path / "individu.csv",
        [
            [
                "nomor_induk_kependudukan",
                "nomor_kartu_keluarga",
                "nama",
                "tanggal_lahir",
                "jenis_kelamin",
            ],
            ["6171015708450001", "6171010101010001", "Ma’ruf Amin", "1980-01-01", "1"],
        ],
        delimiter="|",
    )
    table = read_table(path, contract["dtsen_individu"], mode=mode)
    assert (table.encoding, table.delimiter, table.header_row) == ("utf-8", "|", 1)
    assert all_rows(table) == [
        ["6171015708450001", "6171010101010001", "Ma’ruf Amin", "1980-01-01", "1"]
    ]


def test_semicolon(tmp_path: Path, contract):
    path = write_csv(
        tmp_path / "jkn.csv",
        [
            JKN_HEADER,
            ["0001234567890", "6171015708450001", "SITI, S.Pd", "PBI APBN", "AKTIF", "01-01-2024"],
        ],
        delimiter=";",
    )
    table = read_table(path, contract["jkn"])
    assert table.delimiter == ";"
    assert all_rows(table)[0][2] == "SITI, S.Pd"


@pytest.mark.parametrize("mode", ["fast", "strict"])
def test_comma_windows_1252(tmp_path: Path, contract, mode):
    path = write_csv(
        tmp_path / "siak.csv",
        [
            DUKCAPIL_HEADER,
            ["6171015708450001", "6171010101010001", "MA’RUF", "LAKI-LAKI", "01-01-1980", "HIDUP"],
        ],
        encoding="cp1252",
        newline="\r\n",
    )
    assert b"\x92" in path.read_bytes()  # the curly apostrophe as Windows-1252 writes it
    table = read_table(path, contract["dukcapil"], mode=mode)
    assert (table.encoding, table.delimiter) == ("cp1252", ",")
    assert all_rows(table)[0][2] == "MA’RUF"


@pytest.mark.parametrize("mode", ["fast", "strict"])
def test_utf8_bom_is_removed(tmp_path: Path, contract, mode):
    path = write_csv(
        tmp_path / "siak.csv", [DUKCAPIL_HEADER, ["1", "2", "A", "B", "C", "D"]], bom=True
    )
    table = read_table(path, contract["dukcapil"], mode=mode)
    assert table.encoding == "utf-8-sig"
    assert table.mapping.canonical["nik"] == 0
    assert all_rows(table)[0][0] == "1"


def test_tab_delimited(tmp_path: Path, contract):
    path = write_csv(
        tmp_path / "jkn.csv", [JKN_HEADER, ["1", "2", "3", "4", "5", "6"]], delimiter="\t"
    )
    assert read_table(path, contract["jkn"]).delimiter == "\t"


def test_delimiter_detection_ignores_quoted_delimiters():
    sample = 'nik,alamat,nama\n1,"Jl. A; Gg. B; No. 3",X\n'
    assert detect_delimiter(sample) == ","
    assert detect_delimiter("a|b|c\n1|2,5|3\n") == "|"
    assert detect_delimiter("a;b;c\n1;2,5;3,1\n") == ";"


def test_csv_text_kept_as_is(tmp_path: Path, contract):
    path = tmp_path / "jkn.csv"
    path.write_text(
        ";".join(JKN_HEADER) + '\n 0001 ;"6171 0157 0845 0001";"A ""B""\nC";PBI APBN;AKTIF; \n',
        "utf-8",
    )
    rows = all_rows(read_table(path, contract["jkn"]))
    assert rows == [[" 0001 ", "6171 0157 0845 0001", 'A "B"\nC', "PBI APBN", "AKTIF", " "]]


def test_csv_with_title_rows(tmp_path: Path, contract):
    path = write_csv(
        tmp_path / "bansos.csv",
        [
            ["DAFTAR PENERIMA BANSOS"],
            ["KELURAHAN : BANSIR LAUT"],
            [],
            BANSOS_HEADER,
            ["1", "6171015708450001", "", "A", "PKH", "1", "750000", "2025-03-19", "SALUR"],
        ],
    )
    table = read_table(path, contract["bansos"])
    assert table.header_row == 4
    assert table.title_lines == ["DAFTAR PENERIMA BANSOS", "KELURAHAN : BANSIR LAUT"]
    assert [b.first_row_number for b in table.batches] == [5]


@pytest.mark.parametrize("header_row", [3, 5, 8, 10])
def test_xlsx_title_block_and_header_row(tmp_path: Path, contract, header_row):
    title = [
        ["BERITA ACARA HASIL MUSYAWARAH KELURAHAN"],
        ["KELURAHAN : SUNGAI JAWI DALAM"],
        ["PERIODE", ":", "NOVEMBER 2025"],
    ]
    blank_rows = [[] for _ in range(header_row - 1 - len(title))] if header_row > 3 else []
    rows = (
        (title[: header_row - 1] if header_row == 3 else title)
        + blank_rows
        + [
            [
                "NO",
                "NO KK",
                "NIK KEPALA KELUARGA",
                "RT",
                "RW",
                "HASIL VERIFIKASI",
                "TANGGAL VERIFIKASI",
            ],
            [1, "6171010101010001", "6171015708450001", 3, 5, "Layak", dt.date(2025, 11, 20)],
        ]
    )
    path = write_xlsx(tmp_path / "verif.xlsx", {"Sheet1": rows})
    table = read_table(path, contract["verifikasi_kelurahan"])
    assert table.header_row == header_row
    assert table.title_values == {"kelurahan": "SUNGAI JAWI DALAM"}
    batches = list(table.batches)
    assert batches[0].first_row_number == header_row + 1
    assert batches[0].rows[0] == [
        "1.0",
        "6171010101010001",
        "6171015708450001",
        "3.0",
        "5.0",
        "Layak",
        "2025-11-20",
    ]


def test_xlsx_row_numbers_when_data_starts_right_and_below(tmp_path: Path, contract):
    path = write_xlsx(
        tmp_path / "bansos.xlsx",
        {
            "Sheet1": [
                [None, None] + BANSOS_HEADER,
                [None, None, 1, "6171015708450001", None, "A", "PKH", 1, 1, "x", "SALUR"],
            ]
        },
        start_row=2,
    )
    table = read_table(path, contract["bansos"])
    assert table.header_row == 3
    assert table.column_offset == 2 and table.column_label(0) == "C"
    assert [b.first_row_number for b in table.batches] == [4]


def test_xlsx_sheet_named_data_is_chosen(tmp_path: Path, contract):
    path = write_xlsx(
        tmp_path / "bansos.xlsx",
        {
            "Rekap": [["RINGKASAN"], ["NIK", "JUMLAH"]],
            "data": [BANSOS_HEADER, [1, "6171015708450001"]],
        },
    )
    table = read_table(path, contract["bansos"])
    assert table.sheet == "data"
    assert table.header_row == 1


def test_xlsx_first_sheet_without_data_sheet(tmp_path: Path, contract):
    path = write_xlsx(tmp_path / "bansos.xlsx", {"Tahap 1": [BANSOS_HEADER], "Tahap 2": [["x"]]})
    with pytest.raises(FileRejected, match="no rows below it"):  # header only
        read_table(path, contract["bansos"])
    path = write_xlsx(
        tmp_path / "bansos2.xlsx", {"Tahap 1": [BANSOS_HEADER, [1]], "Tahap 2": [["x"]]}
    )
    assert read_table(path, contract["bansos"]).sheet == "Tahap 1"


def test_xlsx_cell_rendering(tmp_path: Path, contract):
    path = write_xlsx(
        tmp_path / "bansos.xlsx",
        {
            "DATA": [
                BANSOS_HEADER + ["LUNAS"],
                [
                    1,
                    6171015708450000,
                    6.17101e15,
                    " Siti ",
                    "PKH",
                    2,
                    1500000.5,
                    dt.date(2025, 12, 19),
                    "SALUR",
                    True,
                ],
                [
                    2,
                    "'6171015708450001",
                    None,
                    "B",
                    "PKH",
                    "2",
                    "Rp 1.500.000",
                    dt.datetime(2025, 12, 19, 10, 30),
                    46010,
                    False,
                ],
            ]
        },
    )
    rows = all_rows(read_table(path, contract["bansos"]))
    assert rows[0] == [
        "1.0",
        "6171015708450000.0",
        "6171010000000000.0",
        " Siti ",
        "PKH",
        "2.0",
        "1500000.5",
        "2025-12-19",
        "SALUR",
        "TRUE",
    ]
    assert rows[1] == [
        "2.0",
        "'6171015708450001",
        None,
        "B",
        "PKH",
        "2",
        "Rp 1.500.000",
        "2025-12-19 10:30:00",
        "46010.0",
        "FALSE",
    ]


def test_parquet_all_columns_as_text(tmp_path: Path, contract):
    path = tmp_path / "jkn.parquet"
    pq.write_table(
        pa.table(
            {
                "NOKA": ["0001234567890", None],
                "NIK": pa.array([6171015708450001, 6171015708450002], pa.int64()),
                "SEGMEN": ["PBI APBN", "PBPU"],
                "STATUS_PESERTA": ["AKTIF", "NONAKTIF"],
                "TMT": pa.array([dt.date(2024, 1, 1), dt.date(2024, 2, 1)]),
                "KELAS": pa.array([3.0, None]),
                "AKTIF": pa.array([True, False]),
                "UPDATED": pa.array([dt.datetime(2024, 1, 1, 7, 0), None]),
            }
        ),
        path,
    )
    table = read_table(path, contract["jkn"])
    assert (table.format, table.header_row) == ("parquet", 1)
    batches = list(table.batches)
    assert batches[0].first_row_number == 2
    assert batches[0].table.to_pylist()[0] == {
        "c0": "0001234567890",
        "c1": "6171015708450001",
        "c2": "PBI APBN",
        "c3": "AKTIF",
        "c4": "2024-01-01",
        "c5": "3.0",
        "c6": "TRUE",
        "c7": "2024-01-01 07:00:00",
    }


def test_xlsx_merged_cells_are_empty_but_the_first(tmp_path: Path, contract):
    import xlsxwriter

    path = tmp_path / "rtlh.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.merge_range(0, 0, 0, 5, "DATA RUMAH TIDAK LAYAK HUNI")
    header = ["NIK_KEPALA_KELUARGA", "NO_KK", "NAMA", "KELURAHAN", "STATUS_RUMAH", "KEGIATAN"]
    sheet.write_row(1, 0, header)
    sheet.write_row(2, 0, ["6171015708450001", "6171010101010001", "A"])
    sheet.write_row(3, 0, ["6171015708450002", "6171010101010002", "B"])
    sheet.merge_range(2, 3, 3, 3, "BANSIR LAUT")  # one kelurahan cell spanning two rows
    sheet.write_column(2, 4, ["RTLH", "RTLH"])
    workbook.close()
    table = read_table(path, contract["rtlh"])
    assert table.header_row == 2 and table.title_lines == ["DATA RUMAH TIDAK LAYAK HUNI"]
    rows = all_rows(table)
    assert [row[3] for row in rows] == ["BANSIR LAUT", None]
