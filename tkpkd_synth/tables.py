"""The 14 agency sources as the contract describes them, and the logical file a source builder hands to rendering.

A `LogicalFile` holds clean, typed values (identifiers as integers, dates as day numbers, kelurahan as indices)
plus the truth of every row (person, family, true NIK and KK). Rendering turns the values into the text and cells
an agency would deliver, injecting defects on the way; nothing upstream of rendering knows about formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

import numpy as np

from tkpkd_synth.dates import DMY_DASH, DMY_SLASH, EXCEL_DATE, ISO


class Role(Enum):
    NIK = "nik"
    KK = "kk"
    NOKA = "noka"          # 13-digit BPJS number, kept as text
    NAME = "name"
    TEXT = "text"          # free text: addresses, notes, business names
    CODE = "code"          # a value from a fixed list: statuses, sectors, Regsosek codes written as words
    INT = "int"            # counts and numeric codes (desil, Regsosek codes, TAHUN_ANGGARAN)
    DECIMAL = "decimal"    # luas_lantai
    MONEY = "money"
    DATE = "date"
    RT = "rt"
    RW = "rw"
    KELURAHAN = "kelurahan"
    PROGRAM = "program"    # bansos PROGRAM
    TAHAP = "tahap"        # bansos TAHAP: the payout round, `TAHAP n YYYY` or `BULAN m YYYY`, spelled per file
    ROW_NUMBER = "row_number"  # the NO column


@dataclass(frozen=True)
class Column:
    header: str            # as the contract writes it
    role: Role
    required: bool = False


@dataclass(frozen=True)
class SourceSpec:
    code: str
    format: str                                  # csv or xlsx
    columns: tuple[Column, ...]
    delimiter: str = ","
    encoding: str = "utf-8"
    line_terminator: str = "\n"
    date_style: str = ISO                        # the native spelling of dates (XLSX: real date cells)
    # An invalid NIK quarantines the row (`invalid_nik`) when the NIK is in the natural key or nothing else says
    # whose row it is; rtlh, sanitasi and verifikasi keep the row (person unresolved) because NO KK identifies it.
    person_key: bool = False
    family_key: bool = False                     # the row's KK is in the natural key: an invalid KK quarantines it
    system_export: bool = False                  # produced by a national system: few hand-typing defects
    excel_touched: bool = False                  # a CSV that passed through Excel: NIK as 6.17101E+15
    upper_headers: bool = False
    rt_rw_combinable: bool = False               # a hand-made sheet that may write RT/RW in one column
    free_layout: bool = False                    # a hand-made sheet that may have title rows, a DATA sheet, totals
    correction: tuple[str, dict[str, str]] | None = None  # column a corrected file fixes: true value -> wrong value
    can_be_duplicated: bool = False              # may be delivered twice under another name

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)


def _columns(*specs: tuple) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


R = Role
SOURCES: dict[str, SourceSpec] = {
    spec.code: spec
    for spec in (
        SourceSpec(
            "dtsen_keluarga", "csv", delimiter="|", system_export=True, family_key=True,
            columns=_columns(
                ("nomor_kartu_keluarga", R.KK, True), ("kode_kecamatan", R.CODE, True), ("kecamatan", R.CODE),
                ("kelurahan_desa", R.KELURAHAN, True), ("rw", R.RW, True), ("rt", R.RT, True), ("alamat", R.TEXT),
                ("jumlah_anggota_keluarga", R.INT), ("nama_kepala_keluarga", R.NAME), ("desil_nasional", R.INT, True),
                ("desil_kabupaten_kota", R.INT), ("status_kepemilikan_rumah", R.INT), ("luas_lantai", R.DECIMAL),
                ("jenis_lantai_terluas", R.INT), ("jenis_dinding_terluas", R.INT), ("jenis_atap_terluas", R.INT),
                ("sumber_air_minum_utama", R.INT), ("fasilitas_bab", R.INT), ("jenis_kloset", R.INT),
                ("pembuangan_akhir_tinja", R.INT), ("sumber_penerangan_utama", R.INT), ("bahan_bakar_utama_memasak", R.INT),
            ),
        ),
        SourceSpec(
            "dtsen_individu", "csv", delimiter="|", system_export=True, person_key=True,
            columns=_columns(
                ("nomor_induk_kependudukan", R.NIK, True), ("nomor_kartu_keluarga", R.KK, True), ("nama", R.NAME, True),
                ("tanggal_lahir", R.DATE, True), ("jenis_kelamin", R.INT, True), ("status_hubungan_keluarga", R.INT),
                ("status_bekerja", R.INT), ("penyakit_kronis", R.INT), ("disabilitas", R.INT),
                ("partisipasi_sekolah", R.INT), ("jaminan_kesehatan", R.INT),
            ),
        ),
        SourceSpec(
            "dukcapil", "csv", encoding="cp1252", line_terminator="\r\n", date_style=DMY_DASH, system_export=True,
            person_key=True, upper_headers=True,
            columns=_columns(
                ("NIK", R.NIK, True), ("NO_KK", R.KK, True), ("NAMA_LGKP", R.NAME, True), ("JENIS_KLMIN", R.CODE, True),
                ("TMPT_LHR", R.CODE), ("TGL_LHR", R.DATE, True), ("NO_PROP", R.INT), ("NO_KAB", R.INT), ("NO_KEC", R.INT),
                ("NO_KEL", R.INT), ("NAMA_KEL", R.KELURAHAN), ("NO_RW", R.RW), ("NO_RT", R.RT), ("ALAMAT", R.TEXT),
                ("STAT_HBKEL", R.CODE), ("STATUS", R.CODE, True), ("TGL_MATI", R.DATE),
            ),
        ),
        SourceSpec(
            "verifikasi_kelurahan", "xlsx", date_style=EXCEL_DATE, family_key=True, rt_rw_combinable=True,
            correction=("HASIL VERIFIKASI", {"Layak": "Tidak Layak", "Tidak Layak": "Layak"}), can_be_duplicated=True,
            columns=_columns(
                ("NO", R.ROW_NUMBER), ("NO KK", R.KK, True), ("NIK KEPALA KELUARGA", R.NIK),
                ("NAMA KEPALA KELUARGA", R.NAME), ("RT", R.RT, True), ("RW", R.RW, True),
                ("HASIL VERIFIKASI", R.CODE, True), ("TANGGAL VERIFIKASI", R.DATE, True), ("PETUGAS", R.NAME),
                ("KETERANGAN", R.TEXT),
                # Not in every file: the kelurahan otherwise comes from the title block.
                ("KELURAHAN", R.KELURAHAN),
            ),
        ),
        SourceSpec(
            "bansos", "xlsx", date_style=EXCEL_DATE, person_key=True,
            correction=("STATUS", {"SALUR": "GAGAL"}), can_be_duplicated=True,
            columns=_columns(
                ("NO", R.ROW_NUMBER), ("NIK", R.NIK, True), ("NO_KK", R.KK), ("NAMA_PENERIMA", R.NAME, True),
                ("ALAMAT", R.TEXT), ("KELURAHAN", R.KELURAHAN), ("PROGRAM", R.PROGRAM, True), ("TAHAP", R.TAHAP, True),
                ("NILAI", R.MONEY, True), ("TANGGAL_SALUR", R.DATE, True), ("STATUS", R.CODE, True),
            ),
        ),
        SourceSpec(
            "jkn", "csv", delimiter=";", date_style=DMY_SLASH, system_export=True, person_key=True,
            correction=("STATUS_PESERTA", {"AKTIF": "NONAKTIF", "NONAKTIF": "AKTIF"}),
            columns=_columns(
                ("NOKA", R.NOKA, True), ("NIK", R.NIK, True), ("NAMA", R.NAME), ("TGL_LAHIR", R.DATE),
                ("SEGMEN", R.CODE, True), ("STATUS_PESERTA", R.CODE, True), ("TMT", R.DATE, True), ("KELAS", R.INT),
            ),
        ),
        SourceSpec(
            "layanan_kesehatan", "csv", person_key=True, excel_touched=True, can_be_duplicated=True,
            columns=_columns(
                ("nik", R.NIK, True), ("nama", R.NAME), ("tanggal_layanan", R.DATE, True), ("puskesmas", R.CODE),
                ("jenis_layanan", R.CODE, True), ("status_gizi", R.CODE),
            ),
        ),
        SourceSpec(
            "rtlh", "xlsx", date_style=EXCEL_DATE, family_key=True, rt_rw_combinable=True, free_layout=True,
            columns=_columns(
                ("NIK_KEPALA_KELUARGA", R.NIK, True), ("NO_KK", R.KK, True), ("NAMA", R.NAME), ("ALAMAT", R.TEXT),
                ("RT", R.RT), ("RW", R.RW), ("KELURAHAN", R.KELURAHAN, True), ("STATUS_RUMAH", R.CODE, True),
                ("KEGIATAN", R.CODE), ("SUMBER_DANA", R.CODE), ("TAHUN_ANGGARAN", R.INT), ("NILAI_BANTUAN", R.MONEY),
                ("TANGGAL_SELESAI", R.DATE), ("PROGRES_FISIK", R.INT),
            ),
        ),
        SourceSpec(
            "air_bersih", "csv", person_key=True, excel_touched=True,
            columns=_columns(
                ("no_sambungan", R.CODE, True), ("nik_pelanggan", R.NIK, True), ("nama_pelanggan", R.NAME),
                ("alamat", R.TEXT), ("kelurahan", R.KELURAHAN, True), ("golongan", R.CODE), ("program", R.CODE),
                ("tanggal_pasang", R.DATE, True), ("status", R.CODE, True),
            ),
        ),
        SourceSpec(
            "sanitasi", "xlsx", date_style=EXCEL_DATE, family_key=True, rt_rw_combinable=True, free_layout=True,
            columns=_columns(
                ("NIK", R.NIK, True), ("NO_KK", R.KK, True), ("NAMA", R.NAME), ("KELURAHAN", R.KELURAHAN, True),
                ("RT", R.RT), ("RW", R.RW), ("JENIS_BANTUAN", R.CODE, True), ("SUMBER_DANA", R.CODE),
                ("TANGGAL_SELESAI", R.DATE), ("STATUS", R.CODE, True),
            ),
        ),
        SourceSpec(
            "pelatihan", "csv", person_key=True, excel_touched=True,
            correction=("status_kelulusan", {"LULUS": "TIDAK LULUS"}), can_be_duplicated=True,
            columns=_columns(
                ("nik", R.NIK, True), ("nama", R.NAME), ("jenis_kelamin", R.CODE), ("nama_pelatihan", R.TEXT, True),
                ("kejuruan", R.CODE), ("penyelenggara", R.TEXT), ("tanggal_mulai", R.DATE, True),
                ("tanggal_selesai", R.DATE), ("status_kelulusan", R.CODE, True), ("status_setelah_pelatihan", R.CODE),
                ("tanggal_penempatan", R.DATE),
            ),
        ),
        SourceSpec(
            "umkm", "csv", person_key=True, excel_touched=True,
            columns=_columns(
                ("nik_pemilik", R.NIK, True), ("nama_pemilik", R.NAME), ("nama_usaha", R.TEXT, True), ("nib", R.CODE),
                ("sektor", R.CODE), ("omzet_per_bulan", R.MONEY), ("tanggal_terdaftar", R.DATE, True),
                ("pendampingan", R.CODE), ("tanggal_pendampingan", R.DATE),
            ),
        ),
        SourceSpec(
            "kur", "csv", person_key=True, excel_touched=True, can_be_duplicated=True,
            columns=_columns(
                ("nik_debitur", R.NIK, True), ("nama_debitur", R.NAME), ("bank", R.CODE, True), ("skema", R.CODE, True),
                ("plafon", R.MONEY, True), ("tanggal_akad", R.DATE, True), ("jangka_waktu_bulan", R.INT),
                ("kolektibilitas", R.INT),
            ),
        ),
        SourceSpec(
            "mitra", "xlsx", date_style=EXCEL_DATE, person_key=True, free_layout=True, can_be_duplicated=True,
            columns=_columns(
                ("NAMA_LEMBAGA", R.TEXT, True), ("SEKTOR", R.CODE, True), ("NAMA_PROGRAM", R.TEXT, True),
                ("KATEGORI", R.CODE, True), ("NIK_PENERIMA", R.NIK, True), ("NO_KK", R.KK), ("NAMA_PENERIMA", R.NAME),
                ("KELURAHAN", R.KELURAHAN), ("NILAI", R.MONEY), ("TANGGAL", R.DATE, True),
            ),
        ),
    )
}


@dataclass
class LogicalFile:
    """One delivery before rendering: clean typed values per contract column and the truth of each row."""

    source: SourceSpec
    period: str
    name: str
    values: dict[str, np.ndarray]
    person: np.ndarray               # true person index, -1 where the row is not about a person
    family: np.ndarray               # true family index of the row's KK (or of the person on the event day)
    nik_true: np.ndarray             # the true NIK of the row's person (0: none)
    kk_true: np.ndarray              # the true KK of the row's family (0: none)
    title: tuple[str, ...] = ()      # a title block the contract prescribes; `{kelurahan}` is spelled at rendering
    kelurahan: int = -1              # verifikasi: the kelurahan the title names
    total_label: str | None = None   # the label of a total row the contract prescribes (bansos: JUMLAH)
    mtime_offset_days: float = 0.0   # delivery later than the period's usual day (corrections, re-sends)
    defects: tuple[str, ...] = ()    # file-level defect codes decided before rendering
    row_defects: dict[str, np.ndarray] = field(default_factory=dict)  # row-level codes decided before rendering

    def __len__(self) -> int:
        return len(self.person)

    def take(self, rows: np.ndarray, **changes) -> LogicalFile:
        """A file of some of the rows; `changes` override other fields (name, defects, row_defects, ...)."""
        subset = {
            "values": {k: v[rows] for k, v in self.values.items()},
            "person": self.person[rows], "family": self.family[rows],
            "nik_true": self.nik_true[rows], "kk_true": self.kk_true[rows],
            "row_defects": {k: v[rows] for k, v in self.row_defects.items()},
        }
        return replace(self, **{**subset, **changes})
