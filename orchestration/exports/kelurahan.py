"""The lurah's workbook: one XLSX per kelurahan with its verification backlog, extreme-poor case list, verification
progress and the coverage of each basic need by RT, for the newest period.

RESTRICTED: the workbook holds names, NIK, KK numbers and addresses (from `pii.case_list` and
`pii.family_identities`), read from the restricted warehouse file. It goes to the lurah and the officers who visit,
never to a public folder.

Layout: `<folder>/<kelurahan slug>/daftar_kasus_<kelurahan slug>_<YYYY-MM>.xlsx`. The folder is named after the
kelurahan (`sungaijawi-dalam`), which is what staff look for; a workbook of an older period in the same folder is
removed when a newer one is written, so the folder always holds the current worklist. Only the newest period is
exported: the worklist is what the lurah acts on now, and past periods stay in the warehouse.

Formatted for people: Indonesian headers and need names, a title with the kelurahan and period, the header row
frozen and filterable, column widths set, NIK and KK numbers as text (16 digits are more than Excel's 15-digit
numbers keep), counts and dates as numbers and dates, every sheet laid out for A4 paper (`set_print_layout`).

The update loop. The backlog sheet is the first sheet and a verification form in the contract's
`verifikasi_kelurahan` layout (`form_columns`: the contract's columns, order and header spelling, read from
sources.yaml; the kelurahan in the title block as the contract's title field). The staff fill HASIL VERIFIKASI
(a drop-down of the six results) and TANGGAL VERIFIKASI after the musyawarah and drop the workbook into
`<inbox>/verifikasi_kelurahan/<YYYY-MM>/`; the loader reads a workbook's sheet named DATA, else its first sheet, so
the form is ingested by the same contract-driven loader as any verification file. Choices:
- Privacy: the form carries what the backlog carried (KK number, name, address, RT/RW); the head's NIK column of
  the layout stays blank (optional in the contract, the verification is keyed by the KK number) but is a text
  cell, so a NIK typed in is not turned into a number.
- Reference columns (ALAMAT, KELAS KEMISKINAN, ...) sit right of the contract's columns under headers the contract
  does not know: ingestion keeps them in `_extra` and reads nothing from them.
- The formula guard touches no key: KK numbers are digits, RT and RW numbers, dates dates; only a name beginning
  with a formula character would come back behind its `'`.
- A row left unfilled is quarantined for its missing HASIL VERIFIKASI and returns in the kelurahan's feedback
  workbook: nothing is dropped or guessed, so the form asks the staff to delete the rows they did not verify.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from orchestration.contract import load_contract
from orchestration.exports.common import (
    STAGING_FOLDER,
    XLSX_OPTIONS,
    atomic_file,
    fit_row_height,
    guard_formula,
    records,
    remove_stale,
    set_print_layout,
    sweep_debris,
)

NEED_LABELS = {
    "pangan": "Pangan",
    "rumah": "Rumah Layak",
    "air": "Air Bersih",
    "sanitasi": "Sanitasi",
    "jaminan_sosial": "Jaminan Sosial",
    "kesehatan": "Kesehatan",
}
VERIFICATION_LABELS = {
    "LAYAK": "Layak",
    "TIDAK_LAYAK": "Tidak Layak",
    "PINDAH": "Pindah",
    "MENINGGAL": "Meninggal",
    "TIDAK_DITEMUKAN": "Tidak Ditemukan",
    "USULAN_BARU": "Usulan Baru",
}
REGISTRY_STATUS_LABELS = {"verified": "Terverifikasi", "unverified": "Belum diverifikasi"}
POVERTY_CLASS_LABELS = {"ekstrem": "Miskin Ekstrem", "miskin": "Miskin"}
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

CASES_SHEET = "Daftar Kasus Ekstrem"
BACKLOG_SHEET = "Tunggakan Verifikasi"
PROGRESS_SHEET = "Kemajuan Verifikasi"
COVERAGE_SHEET = "Cakupan Kebutuhan per RT"
CONFIDENTIAL_NOTE = (
    "RAHASIA - berisi data pribadi (nama, NIK, nomor KK, alamat). Hanya untuk petugas kelurahan dan OPD yang "
    "menangani; jangan disebarluaskan."
)


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    style: str = "text"  # text, identifier (text that stays text when retyped), number, date, percent


@dataclass(frozen=True)
class KelurahanWorkbook:
    kelurahan_code: str
    kelurahan_name: str
    period: str
    path: Path
    cases: int
    backlog: int


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def period_label(period: str) -> str:
    year, month = period.split("-")
    return f"{period} ({MONTHS[int(month) - 1]} {year})"


def newest_period(connection: duckdb.DuckDBPyConnection) -> str | None:
    return connection.execute("select max(period) from main.rpt_verification_progress").fetchone()[
        0
    ]


def _needs_text(row: dict[str, Any]) -> str:
    return ", ".join(label for need, label in NEED_LABELS.items() if row[f"unmet_{need}"])


def _agencies_text(row: dict[str, Any]) -> str:
    return "; ".join(
        f"{label}: {row[f'agency_{need}']}"
        for need, label in NEED_LABELS.items()
        if row[f"unmet_{need}"]
    )


# Widths are kept narrow (long text wraps onto more lines) so that the sheet, fitted to the width of A4 landscape,
# is not shrunk to an unreadable size.
CASE_COLUMNS = (
    Column("No", 4, "number"),
    Column("Nama Kepala Keluarga", 22),
    Column("NIK Kepala Keluarga", 18, "identifier"),
    Column("Nomor KK", 18, "identifier"),
    Column("Alamat", 28),
    Column("RW", 4, "number"),
    Column("RT", 4, "number"),
    Column("Desil Nasional", 9, "number"),
    Column("Jumlah Anggota", 8, "number"),
    Column("Status Verifikasi", 13),
    Column("Tanggal Verifikasi Terakhir", 11, "date"),
    Column("Jumlah Kebutuhan Belum Terpenuhi", 10, "number"),
    Column("Kebutuhan Dasar Belum Terpenuhi", 26),
    Column("Instansi Penanggung Jawab", 40),
)


def case_rows(
    connection: duckdb.DuckDBPyConnection, kelurahan_code: str, period: str
) -> list[list[Any]]:
    cases = records(
        connection,
        "select * from pii.case_list where period = ? and kelurahan_code = ? "
        "order by rw nulls last, rt nulls last, unmet_count desc, head_of_family_name, family_key",
        [period, kelurahan_code],
    )
    return [
        [
            number,
            case["head_of_family_name"],
            case["head_of_family_nik"],
            case["kk_number"],
            case["address"],
            case["rw"],
            case["rt"],
            case["desil_nasional"],
            case["member_count"],
            REGISTRY_STATUS_LABELS.get(case["registry_status"], case["registry_status"]),
            case["latest_verification_date"],
            case["unmet_count"],
            _needs_text(case),
            _agencies_text(case),
        ]
        for number, case in enumerate(cases, start=1)
    ]


# The backlog sheet is the kelurahan's verification form: the layout of the contract's `verifikasi_kelurahan`, so the
# filled sheet goes back into the inbox as a verification file. Widths and cell styles of its columns; which columns,
# in which order and under which header come from the contract.
VERIFICATION_SOURCE = "verifikasi_kelurahan"
FORM_TITLE = "BERITA ACARA HASIL MUSYAWARAH KELURAHAN"
FORM_LAYOUT = {
    "no": (4, "number"),
    "no_kk": (18, "identifier"),
    "nik_kepala_keluarga": (18, "identifier"),
    "nama_kepala_keluarga": (22, "text"),
    "rt": (4, "number"),
    "rw": (4, "number"),
    "hasil_verifikasi": (15, "text"),
    "tanggal_verifikasi": (12, "date"),
    "petugas": (16, "text"),
    "keterangan": (20, "text"),
}
# To the right of the contract's columns, what the officers need for the visit; headers the contract does not know,
# so ingestion keeps them in `_extra` and reads nothing from them.
FORM_REFERENCE_COLUMNS = {
    "alamat": Column("ALAMAT", 28),
    "kelas_kemiskinan": Column("KELAS KEMISKINAN", 11),
    "desil_nasional": Column("DESIL NASIONAL", 9, "number"),
    "tgl_verifikasi_sebelumnya": Column("TGL VERIFIKASI SEBELUMNYA", 12, "date"),
    "hasil_sebelumnya": Column("HASIL SEBELUMNYA", 12),
}
# With the title, the three heading lines, the confidential note and the count, these keep the header within rows
# 3-10, where the contract puts it.
FORM_INSTRUCTIONS = (
    (
        "Setelah musyawarah, isi HASIL VERIFIKASI (pilih dari daftar) dan TANGGAL VERIFIKASI setiap keluarga yang "
        "diverifikasi; tulis keluarga usulan baru di bawah. Kolom ALAMAT sampai HASIL SEBELUMNYA hanya keterangan."
    ),
    (
        "Hapus baris yang belum diverifikasi (baris tanpa hasil dikembalikan sebagai umpan balik), lalu kirim file "
        f"ini ke inbox {VERIFICATION_SOURCE}/<tahun-bulan musyawarah>/."
    ),
)
# Rows below the listed families where the drop-down and the date check still apply: for new families (Usulan Baru).
FORM_BLANK_ROWS = 20


def form_columns() -> dict[str, Column]:
    """The form's columns by key: the contract's columns of verifikasi_kelurahan in its order, headed as the
    contract writes them (`NO KK`), but those the title block supplies (KELURAHAN) and the combined `RT/RW` the
    loader also accepts (the form has RT and RW); then the reference columns."""
    spec = load_contract()[VERIFICATION_SOURCE]
    not_on_form = {*spec.title_fields, *([spec.rt_rw_combined.column] if spec.rt_rw_combined else [])}
    contract_columns = {
        column.name: Column(column.name.replace("_", " ").upper(), *FORM_LAYOUT.get(column.name, (16, "text")))
        for column in spec.columns
        if column.name not in not_on_form
    }
    return {**contract_columns, **FORM_REFERENCE_COLUMNS}


def backlog_rows(
    connection: duckdb.DuckDBPyConnection, kelurahan_code: str, period: str
) -> list[list[Any]]:
    """Poor families of the kelurahan whose newest verification is not within the verification window ending with
    `period` (dbt var verification_window_months, 6 months), as rows of the verification form (`form_columns`),
    HASIL VERIFIKASI and TANGGAL VERIFIKASI left to fill.

    The complement of rpt_verification_progress.verified_families among its poor_families, by the same rule: poor
    (ekstrem or miskin) as of the period, in the kelurahan of the registry address, verified when the newest
    verification is dated from window_start to window_end. Extreme-poor families first, then those never verified
    or verified longest ago. The head of family's NIK is left blank: the verification is keyed by the KK number, and
    this sheet never carried NIKs (the case list carries those of the extreme-poor).
    """
    backlog = records(
        connection,
        """
        select
            identities.head_of_family_name,
            identities.kk_number,
            identities.address,
            region.rw,
            region.rt,
            families.poverty_class,
            families.desil_nasional,
            families.latest_verification_date,
            families.latest_verification_outcome
        from main.fct_family_month as families
        inner join main.rpt_verification_progress as progress
            on progress.period = families.period
            and progress.kelurahan_code = families.kelurahan_code
        left join pii.family_identities as identities
            on identities.family_key = families.family_key
        left join main.dim_region as region
            on region.region_key = families.region_key
        where families.period = ?
            and families.kelurahan_code = ?
            and families.poverty_class in ('ekstrem', 'miskin')
            and not coalesce(
                families.latest_verification_date between progress.window_start and progress.window_end, false
            )
        order by
            case families.poverty_class when 'ekstrem' then 0 else 1 end,
            families.latest_verification_date nulls first,
            region.rw nulls last,
            region.rt nulls last,
            identities.head_of_family_name,
            families.family_key
        """,
        [period, kelurahan_code],
    )
    keys = list(form_columns())
    return [_form_row(number, family, keys) for number, family in enumerate(backlog, start=1)]


def _form_row(number: int, family: dict[str, Any], keys: Sequence[str]) -> list[Any]:
    values = {
        "no": number,
        "no_kk": family["kk_number"],
        "nama_kepala_keluarga": family["head_of_family_name"],
        "rt": family["rt"],
        "rw": family["rw"],
        "alamat": family["address"],
        "kelas_kemiskinan": POVERTY_CLASS_LABELS[family["poverty_class"]],
        "desil_nasional": family["desil_nasional"],
        "tgl_verifikasi_sebelumnya": family["latest_verification_date"],
        "hasil_sebelumnya": VERIFICATION_LABELS.get(family["latest_verification_outcome"], "Belum pernah"),
    }
    return [values.get(key) for key in keys]


def add_form_inputs(sheet, header_row: int, keys: Sequence[str], families: int) -> None:
    """The drop-down of HASIL VERIFIKASI (the six results) and the date check of TANGGAL VERIFIKASI, on the rows of
    the listed families and the blank rows below them."""
    first, last = header_row + 1, header_row + families + FORM_BLANK_ROWS
    result, date = keys.index("hasil_verifikasi"), keys.index("tanggal_verifikasi")
    sheet.data_validation(
        first, result, last, result,
        {
            "validate": "list",
            "source": list(VERIFICATION_LABELS.values()),
            "input_title": "Hasil verifikasi",
            "input_message": "Pilih hasil musyawarah dari daftar.",
            "error_title": "Hasil tidak dikenal",
            "error_message": "Pilih salah satu: " + ", ".join(VERIFICATION_LABELS.values()) + ".",
        },
    )
    sheet.data_validation(
        first, date, last, date,
        {
            "validate": "date",
            "criteria": ">=",
            "value": dt.date(2000, 1, 1),
            # A date typed as text (`19 Desember 2025`) is still read by ingestion: warn, do not refuse.
            "error_type": "warning",
            "input_title": "Tanggal verifikasi",
            "input_message": "Tanggal musyawarah, hari-bulan-tahun (19-12-2025).",
            "error_title": "Bukan tanggal",
            "error_message": "Tulis tanggal sebagai hari-bulan-tahun, misalnya 19-12-2025.",
        },
    )


PROGRESS_COLUMNS = (
    Column("Periode", 10),
    Column("Awal Jendela 6 Bulan", 14, "date"),
    Column("Keluarga Miskin", 12, "number"),
    Column("Keluarga Miskin Ekstrem", 12, "number"),
    Column("Terverifikasi 6 Bulan Terakhir", 14, "number"),
    Column("Persentase Terverifikasi", 13, "percent"),
    Column("Jumlah Verifikasi", 12, "number"),
    *(Column(f"Hasil: {label}", 12, "number") for label in VERIFICATION_LABELS.values()),
)


def progress_rows(
    connection: duckdb.DuckDBPyConnection, kelurahan_code: str, period: str
) -> list[list[Any]]:
    progress = records(
        connection,
        "select * from main.rpt_verification_progress where kelurahan_code = ? and period <= ? order by period",
        [kelurahan_code, period],
    )
    return [
        [
            row["period"],
            row["window_start"],
            row["poor_families"],
            row["ekstrem_families"],
            row["verified_families"],
            row["share_verified"],
            row["verifications"],
            *(row[f"verifications_{outcome.lower()}"] for outcome in VERIFICATION_LABELS),
        ]
        for row in progress
    ]


COVERAGE_COLUMNS = (
    Column("RW", 6, "number"),
    Column("RT", 6, "number"),
    Column("Keluarga Miskin Ekstrem", 12, "number"),
    *(
        column
        for label in NEED_LABELS.values()
        for column in (
            Column(f"{label}: Membutuhkan", 13, "number"),
            Column(f"{label}: Belum Terpenuhi", 13, "number"),
            Column(f"{label}: Cakupan", 11, "percent"),
        )
    ),
)


def coverage_rows(
    connection: duckdb.DuckDBPyConnection, kelurahan_code: str, period: str
) -> list[list[Any]]:
    """One row per RT with extreme-poor families (rpt_basic_needs_coverage, level rt), then the kelurahan total."""
    coverage = records(
        connection,
        "select region_level, rw, rt, need, ekstrem_families, need_families, unmet_families, coverage "
        "from main.rpt_basic_needs_coverage where period = ? and kelurahan_code = ? "
        "and region_level in ('rt', 'kelurahan')",
        [period, kelurahan_code],
    )
    by_region: dict[tuple, dict[str, dict[str, Any]]] = {}
    for row in coverage:
        region = (row["region_level"] != "rt", row["rw"], row["rt"])
        by_region.setdefault(region, {})[row["need"]] = row
    rows = []
    for (is_total, rw, rt), needs in sorted(
        by_region.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2] or 0)
    ):
        any_need = next(iter(needs.values()))
        rows.append(
            [
                "Total kelurahan" if is_total else rw,
                None if is_total else rt,
                any_need["ekstrem_families"],
                *(
                    value
                    for need in NEED_LABELS
                    for value in (
                        (needs.get(need) or {}).get("need_families"),
                        (needs.get(need) or {}).get("unmet_families"),
                        (needs.get(need) or {}).get("coverage"),
                    )
                ),
            ]
        )
    return rows


def write_verification_form(
    writer: _Writer, kelurahan: dict[str, str], period: str, backlog: Sequence[Sequence[Any]]
) -> None:
    """The backlog sheet as a verification form: the contract's title block (`KELURAHAN : <name>`, read back by
    ingestion), the families to verify, the drop-down and the date check."""
    columns = form_columns()
    sheet, header_row = writer.sheet(
        BACKLOG_SHEET,
        FORM_TITLE,
        [
            (
                f"{len(backlog)} keluarga miskin (ekstrem dan miskin) yang belum diverifikasi dalam 6 bulan "
                "terakhir; keluarga miskin ekstrem didahulukan, lalu yang paling lama belum diverifikasi."
            ),
            *FORM_INSTRUCTIONS,
        ],
        tuple(columns.values()),
        backlog,
        confidential=True,
        heading=[
            f"KELURAHAN : {kelurahan['kelurahan_name']}",
            f"KECAMATAN : {kelurahan['kecamatan_name']}",
            f"PERIODE : {period_label(period)}",
        ],
    )
    add_form_inputs(sheet, header_row, list(columns), len(backlog))


class _Writer:
    """Sheets with a title block, one frozen and filterable header row, set widths and typed cells."""

    def __init__(self, workbook) -> None:
        self.workbook = workbook
        self.styles = {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "heading": workbook.add_format({"bold": True}),
            "note": workbook.add_format({"italic": True, "font_color": "#555555"}),
            "confidential": workbook.add_format({"bold": True, "font_color": "#B00020"}),
            "header": workbook.add_format(
                {
                    "bold": True,
                    "text_wrap": True,
                    "valign": "top",
                    "bg_color": "#DDEBF7",
                    "border": 1,
                }
            ),
            "text": workbook.add_format({"valign": "top", "text_wrap": True}),
            # A NIK or KK number typed into the cell stays text (a number cell keeps only 15 digits, M1).
            "identifier": workbook.add_format({"valign": "top", "num_format": "@"}),
            "number": workbook.add_format({"valign": "top", "num_format": "#,##0"}),
            "date": workbook.add_format({"valign": "top", "num_format": "dd-mm-yyyy"}),
            "percent": workbook.add_format({"valign": "top", "num_format": "0.0%"}),
        }

    def sheet(
        self,
        name: str,
        title: str,
        notes: Sequence[str],
        columns: Sequence[Column],
        rows,
        *,
        confidential: bool,
        heading: Sequence[str] = (),
    ) -> tuple[Any, int]:
        """Write the sheet: the title, the `heading` lines (`KELURAHAN : ...`), the confidential note, the notes, a
        blank row, the header and the rows; return the worksheet and its header row (0-based)."""
        sheet = self.workbook.add_worksheet(name)
        sheet.write_string(0, 0, title, self.styles["title"])
        lines = [
            *((line, "heading") for line in heading),
            *([(CONFIDENTIAL_NOTE, "confidential")] if confidential else []),
            *((line, "note") for line in notes),
        ]
        for offset, (line, style) in enumerate(lines, start=1):
            sheet.write_string(offset, 0, line, self.styles[style])
        header_row = len(lines) + 2
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
            sheet.write_string(header_row, index, column.header, self.styles["header"])
        for row_offset, row in enumerate(rows, start=header_row + 1):
            for index, (column, value) in enumerate(zip(columns, row, strict=True)):
                style = self.styles[column.style]
                if value is None:
                    sheet.write_blank(row_offset, index, None, style)
                elif isinstance(value, str):
                    text_style = "identifier" if column.style == "identifier" else "text"
                    sheet.write_string(row_offset, index, guard_formula(value), self.styles[text_style])
                elif isinstance(value, dt.date):
                    sheet.write_datetime(row_offset, index, value, style)
                else:
                    sheet.write_number(row_offset, index, value, style)
            fit_row_height(
                sheet,
                row_offset,
                [value if column.style == "text" else None for column, value in zip(columns, row, strict=True)],
                [column.width for column in columns],
            )
        sheet.freeze_panes(header_row + 1, 0)
        sheet.autofilter(header_row, 0, header_row + max(len(rows), 1), len(columns) - 1)
        set_print_layout(
            sheet, header_row, [column.header for column in columns], [column.width for column in columns]
        )
        return sheet, header_row


def write_workbook(
    connection: duckdb.DuckDBPyConnection, kelurahan: dict[str, str], period: str, folder: Path
) -> KelurahanWorkbook:
    import xlsxwriter

    code, name = kelurahan["kelurahan_code"], kelurahan["kelurahan_name"]
    place = f"Kelurahan {name}, Kecamatan {kelurahan['kecamatan_name']}"
    when = f"Periode {period_label(period)}"
    cases = case_rows(connection, code, period)
    backlog = backlog_rows(connection, code, period)
    progress = progress_rows(connection, code, period)
    coverage = coverage_rows(connection, code, period)
    target = folder / slug(name) / f"daftar_kasus_{slug(name)}_{period}.xlsx"
    # Staged outside the lurah's folder, so a crash cannot leave a truncated restricted workbook there.
    with atomic_file(target, folder / STAGING_FOLDER) as staging:
        workbook = xlsxwriter.Workbook(str(staging), {"remove_timezone": True, **XLSX_OPTIONS})
        workbook.set_properties(
            {
                "title": f"Daftar kasus miskin ekstrem {place} {period}",
                "author": "TKPKD Kota Pontianak",
                "comments": CONFIDENTIAL_NOTE,
            }
        )
        writer = _Writer(workbook)
        write_verification_form(writer, kelurahan, period, backlog)
        writer.sheet(
            CASES_SHEET,
            f"Daftar Kasus Keluarga Miskin Ekstrem - {place} - {when}",
            [
                f"{len(cases)} keluarga miskin ekstrem (desil nasional 1). Kebutuhan dasar belum terpenuhi per "
                "akhir periode, dengan instansi penanggung jawab masing-masing."
                if cases
                else "Tidak ada keluarga miskin ekstrem pada periode ini."
            ],
            CASE_COLUMNS,
            cases,
            confidential=True,
        )
        writer.sheet(
            PROGRESS_SHEET,
            f"Kemajuan Verifikasi - {place} - sampai {when}",
            [
                (
                    "Keluarga miskin yang verifikasi terakhirnya dalam 6 bulan terakhir, dan hasil verifikasi dalam "
                    "jendela 6 bulan itu."
                )
            ],
            PROGRESS_COLUMNS,
            progress,
            confidential=False,
        )
        writer.sheet(
            COVERAGE_SHEET,
            f"Cakupan Kebutuhan Dasar Keluarga Miskin Ekstrem per RT - {place} - {when}",
            [
                (
                    "RT yang memiliki keluarga miskin ekstrem. Cakupan = keluarga yang kebutuhannya terpenuhi / "
                    "keluarga yang membutuhkan."
                )
            ],
            COVERAGE_COLUMNS,
            coverage,
            confidential=False,
        )
        workbook.close()
    remove_stale(target.parent, "daftar_kasus_*.xlsx", [target])
    return KelurahanWorkbook(code, name, period, target, len(cases), len(backlog))


def export_kelurahan_workbooks(
    connection: duckdb.DuckDBPyConnection, folder: Path, period: str | None = None
) -> list[KelurahanWorkbook]:
    """Write the workbook of every kelurahan of dim_region for `period` (default: the newest)."""
    period = period or newest_period(connection)
    if period is None:
        return []
    kelurahan = records(
        connection,
        "select distinct kecamatan_name, kelurahan_code, kelurahan_name from main.dim_region "
        "where kelurahan_code is not null order by kelurahan_code",
        [],
    )
    slugs = [slug(row["kelurahan_name"]) for row in kelurahan]
    clashes = sorted({name for name in slugs if slugs.count(name) > 1})
    if clashes:
        raise ValueError(f"kelurahan whose names give the same folder: {clashes}")
    sweep_debris(folder)
    return [write_workbook(connection, row, period, folder) for row in kelurahan]
