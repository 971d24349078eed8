"""The backlog sheet of the lurah's workbook is a verification form in the contract's `verifikasi_kelurahan` layout:
its header maps onto the contract's columns, HASIL VERIFIKASI has a drop-down of the six results, and the filled
form reads back through the ingestion reader with the kelurahan, KK numbers and dates it was given."""

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
import yaml

from orchestration.contract import CONTRACT_PATH, load_contract, normalise_header
from orchestration.exports.common import XLSX_OPTIONS
from orchestration.exports.kelurahan import (
    BACKLOG_SHEET,
    FORM_REFERENCE_COLUMNS,
    VERIFICATION_SOURCE,
    _form_row,
    _Writer,
    form_columns,
    write_verification_form,
)
from orchestration.ingestion.readers import read_table
from tests.serving.test_print_layout import assert_prints_on_a4, header_row

SEEDS = Path(__file__).parents[2] / "dbt_project" / "seeds"
KELURAHAN = {"kelurahan_code": "61.71.03.1002", "kelurahan_name": "Sungaijawi Dalam", "kecamatan_name": "Pontianak Kota"}
HOSTILE_NAME = "=HYPERLINK(\"http://x.example\",\"klik\")"


def _family(kk_number: str, name: str, **values):
    return {
        "kk_number": kk_number,
        "head_of_family_name": name,
        "address": "JL. TANJUNG RAYA 2 GG. AMAN NO. 7",
        "rw": 3,
        "rt": 5,
        "poverty_class": "ekstrem",
        "desil_nasional": 1,
        "latest_verification_date": None,
        "latest_verification_outcome": None,
        **values,
    }


@pytest.fixture
def form(tmp_path) -> Path:
    keys = list(form_columns())
    families = [
        _family("6171030101200001", "SITI AMINAH"),
        _family("6171030101200002", HOSTILE_NAME, poverty_class="miskin", desil_nasional=3,
                latest_verification_date=dt.date(2024, 11, 2), latest_verification_outcome="LAYAK"),
        _family("6171030101200003", "BUDI SANTOSO"),
    ]
    path = tmp_path / "daftar_kasus_sungaijawi-dalam_2025-12.xlsx"
    workbook = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    write_verification_form(
        _Writer(workbook), KELURAHAN, "2025-12", [_form_row(n, f, keys) for n, f in enumerate(families, start=1)]
    )
    workbook.close()
    return path


def _contract_columns() -> list[str]:
    """The columns sources.yaml lists for the source, as written there, but those its title block supplies."""
    source = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))["sources"][VERIFICATION_SOURCE]
    return [column["name"] for column in source["columns"] if column["name"] not in source["title_fields"]]


def test_the_form_header_is_the_contracts_layout_then_reference_columns_it_ignores(form):
    spec = load_contract()[VERIFICATION_SOURCE]
    sheet = openpyxl.load_workbook(form)[BACKLOG_SHEET]
    headers = [cell.value for cell in sheet[header_row(sheet)]]
    expected = _contract_columns()
    assert expected[:3] == ["no", "no_kk", "nik_kepala_keluarga"] and "rt_rw" not in expected
    assert [spec.alias_index.get(normalise_header(header)) for header in headers[: len(expected)]] == expected
    # The contract's own spelling (`NO KK`, `HASIL VERIFIKASI`), and every required column but the title's.
    assert headers[1] == "NO KK" and "HASIL VERIFIKASI" in headers
    assert set(spec.required_columns) - set(spec.title_fields) <= set(expected)
    reference = headers[len(expected):]
    assert reference == [column.header for column in FORM_REFERENCE_COLUMNS.values()]
    assert [spec.alias_index.get(normalise_header(header)) for header in reference] == [None] * len(reference)
    # The title block names the kelurahan the way ingestion reads it (the contract's title field).
    title = [sheet.cell(row, 1).value for row in range(1, header_row(sheet))]
    assert "KELURAHAN : Sungaijawi Dalam" in title and any(line and line.startswith("PERIODE :") for line in title)
    assert header_row(sheet) <= 10
    assert_prints_on_a4(form)


def test_hasil_verifikasi_has_a_drop_down_of_the_six_results_and_the_date_is_checked(form):
    sheet = openpyxl.load_workbook(form)[BACKLOG_SHEET]
    row = header_row(sheet)
    headers = [cell.value for cell in sheet[row]]
    result_column = openpyxl.utils.get_column_letter(headers.index("HASIL VERIFIKASI") + 1)
    date_column = openpyxl.utils.get_column_letter(headers.index("TANGGAL VERIFIKASI") + 1)
    validations = {validation.type: validation for validation in sheet.data_validations.dataValidation}

    drop_down = validations["list"]
    choices = drop_down.formula1.strip('"').split(",")
    with (SEEDS / "ref_codes.csv").open(encoding="utf-8") as handle:
        codes = {line["code"] for line in csv.DictReader(handle) if line["code_list"] == "hasil_verifikasi"}
    # Each choice is read back as one of the seed's codes (`Tidak Layak` -> TIDAK_LAYAK), and all six are offered.
    assert sorted(normalise_header(choice).upper() for choice in choices) == sorted(codes) and len(codes) == 6
    assert f"{result_column}{row + 1}" in drop_down.sqref and f"{result_column}{row + 3}" in drop_down.sqref
    # Below the listed families, rows for new proposals (Usulan Baru) get the drop-down too.
    assert f"{result_column}{row + 4}" in drop_down.sqref
    assert drop_down.showErrorMessage

    date_check = validations["date"]
    assert f"{date_column}{row + 1}" in date_check.sqref


def test_the_filled_form_reads_back_with_its_kelurahan_keys_and_dates(form, tmp_path):
    book = openpyxl.load_workbook(form)
    sheet = book[BACKLOG_SHEET]
    row = header_row(sheet)
    headers = [cell.value for cell in sheet[row]]
    column = {header: index + 1 for index, header in enumerate(headers)}
    for offset, result in ((1, "Tidak Layak"), (2, "Layak"), (3, "Pindah")):
        sheet.cell(row + offset, column["HASIL VERIFIKASI"], result)
        sheet.cell(row + offset, column["TANGGAL VERIFIKASI"], dt.datetime(2026, 1, 15))
    filled = tmp_path / "filled.xlsx"
    book.save(filled)

    table = read_table(filled, load_contract()[VERIFICATION_SOURCE])
    assert table.title_values == {"kelurahan": "Sungaijawi Dalam"}
    assert not table.mapping.duplicates
    rows = [values for batch in table.batches for values in batch.rows]
    at = table.mapping.canonical
    assert [values[at["no_kk"]] for values in rows] == ["6171030101200001", "6171030101200002", "6171030101200003"]
    assert [values[at["hasil_verifikasi"]] for values in rows] == ["Tidak Layak", "Layak", "Pindah"]
    assert {values[at["tanggal_verifikasi"]] for values in rows} == {"2026-01-15"}
    assert [values[at["rt"]] for values in rows] == ["5.0"] * 3
    # The formula guard quotes a hostile name, never a key: KK numbers, RT and RW are digits and numbers.
    assert rows[1][at["nama_kepala_keluarga"]] == "'" + HOSTILE_NAME
    assert rows[0][at["nik_kepala_keluarga"]] is None
