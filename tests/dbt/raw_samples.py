"""Hand-made raw rows for every source: a few good rows and one of each defect the staging layer must classify.

Used by test_dbt_project.py (and handy for developing models: `python tests/dbt/raw_samples.py /tmp/raw.duckdb`).
Identifiers are synthetic: NIK 6171 01 DD MM YY SSSS with a plausible birth date.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from raw_warehouse_builder import RawWarehouse

NIK_A = "6171015708850001"  # woman born 17-08-1985 (day 57 = 17 + 40)
NIK_B = "6171011203900002"  # man born 12-03-1990
NIK_C = "6171034101950003"  # woman born 01-01-1995
NIK_OUT_OF_PROVINCE = "3273011203900004"  # Bandung: valid, people move
NIK_BAD_MONTH = "6171011213900005"  # month 13
KK_1 = "6171010101250001"
KK_2 = "6171010101250002"
KK_3 = "6171010101250003"


def load_samples(warehouse: RawWarehouse) -> None:
    w = warehouse
    w.add_file(
        "dtsen_keluarga",
        "2025-11",
        "dtsen_keluarga_2025_11.csv",
        [
            {
                "nomor_kartu_keluarga": KK_1,
                "kode_kecamatan": "6171010",
                "kecamatan": "PONTIANAK SELATAN",
                "kelurahan_desa": "Parit Tokaya",
                "rw": "005",
                "rt": "003",
                "desil_nasional": "1",
                "jumlah_anggota_keluarga": "4",
                "luas_lantai": "24,5",
                "jenis_lantai_terluas": "8",
                "jenis_atap_terluas": "3",
                "sumber_air_minum_utama": "9",
            },
            {
                "nomor_kartu_keluarga": "6.17101E+15",
                "kode_kecamatan": "6171010",
                "kelurahan_desa": "Parit Tokaya",
                "rw": "5",
                "rt": "3",
                "desil_nasional": "2",
            },
            {
                "nomor_kartu_keluarga": KK_2,
                "kode_kecamatan": "6171030",
                "kelurahan_desa": "Sei. Jawi Dlm",
                "rt_rw": "003/005",
                "desil_nasional": "2",
                "jenis_lantai_terluas": "99",
            },
            {
                "nomor_kartu_keluarga": KK_3,
                "kode_kecamatan": "6171010",
                "kelurahan_desa": "Sei. Jawi Dlm",
                "rt_rw": "003/005",
                "desil_nasional": "2",
            },
            {
                "nomor_kartu_keluarga": "6171010101250004",
                "kode_kecamatan": "9999999",
                "kelurahan_desa": "Akcaya",
                "rt": "1",
                "rw": "1",
                "desil_nasional": "3",
            },
            {"_non_data_reason": "empty_row"},
        ],
    )
    # a correction of the same period: replaces KK_1 (RT 3 -> RT 4)
    w.add_file(
        "dtsen_keluarga",
        "2025-11",
        "dtsen_keluarga_2025_11_koreksi.csv",
        [
            {
                "nomor_kartu_keluarga": KK_1,
                "kode_kecamatan": "6171010",
                "kelurahan_desa": "PARITTOKAYA",
                "rw": "005",
                "rt": "RT 04",
                "desil_nasional": "1",
            },
        ],
    )
    # the next snapshot: KK_1 again, a separate row of its own period
    w.add_file(
        "dtsen_keluarga",
        "2025-12",
        "dtsen_keluarga_2025_12.csv",
        [
            {
                "nomor_kartu_keluarga": KK_1,
                "kode_kecamatan": "6171010",
                "kelurahan_desa": "Parittokaya",
                "rw": "5",
                "rt": "4",
                "desil_nasional": "2",
            },
        ],
    )
    w.add_file(
        "dtsen_individu",
        "2025-11",
        "dtsen_individu_2025_11.csv",
        [
            {
                "nomor_induk_kependudukan": NIK_A,
                "nomor_kartu_keluarga": KK_1,
                "nama": "SITI AMINAH",
                "tanggal_lahir": "17-08-1985",
                "jenis_kelamin": "2",
                "penyakit_kronis": "0",
                "disabilitas": "1",
                "jaminan_kesehatan": "5",
            },
            {
                "nomor_induk_kependudukan": NIK_B,
                "nomor_kartu_keluarga": "6171010101250000.0",
                "nama": "BUDI",
                "tanggal_lahir": "12 Maret 1990",
                "jenis_kelamin": "1",
            },
            {
                "nomor_induk_kependudukan": NIK_BAD_MONTH,
                "nomor_kartu_keluarga": KK_1,
                "nama": "X",
                "tanggal_lahir": "1990-03-12",
                "jenis_kelamin": "1",
            },
            {
                "nomor_induk_kependudukan": NIK_C,
                "nomor_kartu_keluarga": KK_2,
                "nama": "RINA",
                "tanggal_lahir": "31-02-1995",
                "jenis_kelamin": "2",
            },
        ],
    )
    w.add_file(
        "dukcapil",
        "2025-11",
        "dukcapil_2025_11.csv",
        [
            {
                "nik": NIK_A,
                "no_kk": KK_1,
                "nama_lgkp": "SITI AMINAH",
                "jenis_klmin": "PEREMPUAN",
                "tgl_lhr": "17-08-1985",
                "no_prop": "61",
                "no_kab": "71",
                "no_kec": "1",
                "no_kel": "1004",
                "no_rw": "5",
                "no_rt": "3",
                "status": "HIDUP",
            },
            {
                "nik": NIK_B,
                "no_kk": KK_1,
                "nama_lgkp": "BUDI",
                "jenis_klmin": "LAKI-LAKI",
                "tgl_lhr": "12-03-1990",
                "nama_kel": "Kota Baru",
                "status": "MATI",
                "tgl_mati": "02-11-2025",
            },
            {
                "nik": "6.17101E+15",
                "no_kk": KK_1,
                "nama_lgkp": "Y",
                "jenis_klmin": "LAKI-LAKI",
                "tgl_lhr": "12-03-1990",
                "status": "HIDUP",
            },
            {
                "nik": NIK_OUT_OF_PROVINCE,
                "no_kk": KK_2,
                "nama_lgkp": "Z",
                "jenis_klmin": "LAKI-LAKI",
                "tgl_lhr": "12-03-1990",
                "nama_kel": "Atlantis",
                "status": "PINDAH",
            },
        ],
    )
    w.add_file(
        "verifikasi_kelurahan",
        "2025-11",
        "BA_parittokaya.xlsx",
        [
            {
                "no": "1",
                "no_kk": KK_1,
                "nik_kepala_keluarga": NIK_A,
                "rt": "3",
                "rw": "5",
                "hasil_verifikasi": "Layak",
                "tanggal_verifikasi": "2025-11-20 00:00:00",
                "kelurahan": "PARIT TOKAYA",
            },
            {
                "no": "2",
                "no_kk": "6171010101259999",
                "nik_kepala_keluarga": "6171015708850000.0",
                "rt": "3",
                "rw": "5",
                "hasil_verifikasi": "Usulan Baru",
                "tanggal_verifikasi": "20 Nopember 2025",
                "kelurahan": "PARIT TOKAYA",
            },
            {
                "no": "3",
                "no_kk": "6.17101E+15",
                "rt": "3",
                "rw": "5",
                "hasil_verifikasi": "Layak",
                "tanggal_verifikasi": "2025-11-20",
                "kelurahan": "PARIT TOKAYA",
            },
            {
                "no": "4",
                "no_kk": KK_2,
                "rt": "3",
                "rw": "5",
                "hasil_verifikasi": "Mampu",
                "tanggal_verifikasi": "2025-11-20",
                "kelurahan": "PARIT TOKAYA",
            },
        ],
        first_row_number=6,
    )
    w.add_file(
        "verifikasi_kelurahan",
        "2025-11",
        "BA_entah.xlsx",
        [
            {
                "no": "1",
                "no_kk": KK_3,
                "rt_rw": "003/005",
                "hasil_verifikasi": "Tidak Layak",
                "tanggal_verifikasi": "46000",
                "kelurahan": "Kampung Entah",
            },
        ],
        first_row_number=6,
    )
    w.add_file(
        "bansos",
        "2025-11",
        "bansos_tahap4.xlsx",
        [
            {
                "no": "1",
                "nik": NIK_A,
                "no_kk": KK_1,
                "nama_penerima": "SITI AMINAH",
                "kelurahan": "Parit Tokaya",
                "program": "PKH",
                "tahap": "4",
                "nilai": "750000.0",
                "tanggal_salur": "2025-11-10",
                "status": "SALUR",
            },
            {
                "no": "2",
                "nik": NIK_A,
                "nama_penerima": "SITI AMINAH",
                "program": "Sembako",
                "tahap": "Tahap IV",
                "nilai": "Rp 1.500.000",
                "tanggal_salur": "19 Desember 2025",
                "status": "Salur",
            },
            {
                "no": "3",
                "nik": "6171015708850000.0",
                "nama_penerima": "A",
                "program": "PKH",
                "tahap": "4",
                "nilai": "750000",
                "tanggal_salur": "2025-11-10",
                "status": "SALUR",
            },
            {
                "no": "4",
                "nik": NIK_BAD_MONTH,
                "nama_penerima": "B",
                "program": "PKH",
                "tahap": "4",
                "nilai": "750000",
                "tanggal_salur": "2025-11-10",
                "status": "SALUR",
            },
            {
                "no": "5",
                "nik": NIK_B,
                "nama_penerima": "BUDI",
                "program": "BANSOS XYZ",
                "tahap": "4",
                "nilai": "750000",
                "tanggal_salur": "2025-11-10",
                "status": "SALUR",
            },
            {
                "no": "6",
                "nik": NIK_C,
                "nama_penerima": "RINA",
                "kelurahan": "Atlantis",
                "program": "BLT",
                "tahap": "4",
                "nilai": "1.500.000,00",
                "tanggal_salur": "10/11/2025",
                "status": "GAGAL",
            },
            {"nama_penerima": "JUMLAH", "nilai": "4.500.000", "_non_data_reason": "total_row"},
        ],
        first_row_number=5,
    )
    # a later delivery corrects NIK_A's PKH tahap 4 (amount): the newest file wins, across periods
    w.add_file(
        "bansos",
        "2025-12",
        "bansos_tahap4_koreksi.xlsx",
        [
            {
                "no": "1",
                "nik": NIK_A,
                "no_kk": KK_1,
                "nama_penerima": "SITI AMINAH",
                "program": "P K H",
                "tahap": "4",
                "nilai": "Rp 800.000",
                "tanggal_salur": "2025-11-10",
                "status": "SALUR",
            },
        ],
        first_row_number=5,
    )
    # TAHAP is a label written in many forms (`Bulan 12` and `Desember` are one round), never refused for its form;
    # a NILAI far beyond any real payout is out_of_range, and staging goes on.
    w.add_file(
        "bansos",
        "2025-12",
        "bansos_pangan_desember.xlsx",
        [
            {
                "nik": NIK_B,
                "nama_penerima": "BUDI",
                "program": "BANSOS PANGAN APBD",
                "tahap": "Bulan 12",
                "nilai": "200000",
                "tanggal_salur": "2025-12-05",
                "status": "SALUR",
            },
            {
                "nik": NIK_B,
                "nama_penerima": "BUDI",
                "program": "BANSOS PANGAN APBD",
                "tahap": "Desember",
                "nilai": "200000",
                "tanggal_salur": "2025-12-05",
                "status": "SALUR",
            },
            {
                "nik": NIK_C,
                "nama_penerima": "RINA",
                "program": "PKH",
                "tahap": "TAHAP II",
                "nilai": "Rp 750.000",
                "tanggal_salur": "2025-12-05",
                "status": "SALUR",
            },
            {
                "nik": NIK_C,
                "nama_penerima": "RINA",
                "program": "PKH",
                "tahap": "Tahap 1 2025",
                "nilai": "99999999999999999999",
                "tanggal_salur": "2025-12-05",
                "status": "SALUR",
            },
        ],
        first_row_number=12,  # a longer title block than the other bansos files
    )
    w.add_file(
        "jkn",
        "2025-11",
        "jkn_2025_11.csv",
        [
            {
                "noka": "0001234567890",
                "nik": NIK_A,
                "segmen": "PBI APBN",
                "status_peserta": "AKTIF",
                "tmt": "2020-01-01",
                "kelas": "III",
            },
            {
                "noka": "0001234567891",
                "nik": NIK_B,
                "segmen": "pbpu",
                "status_peserta": "NONAKTIF",
                "tmt": "01-01-2021",
            },
            {
                "noka": "000123456789",
                "nik": NIK_C,
                "segmen": "PBI APBD",
                "status_peserta": "AKTIF",
                "tmt": "2020-01-01",
            },
            {
                "noka": "0001234567893",
                "nik": NIK_C,
                "segmen": "JAMKESDA LAMA",
                "status_peserta": "AKTIF",
                "tmt": "2020-01-01",
            },
        ],
    )
    w.add_file(
        "layanan_kesehatan",
        "2025-11",
        "layanan_2025_11.csv",
        [
            {
                "nik": NIK_A,
                "tanggal_layanan": "2025-11-03",
                "jenis_layanan": "PEMERIKSAAN_UMUM",
                "puskesmas": "Puskesmas Kota",
            },
            {
                "nik": NIK_A,
                "tanggal_layanan": "2025-11-03",
                "jenis_layanan": "PEMERIKSAAN_UMUM",
                "puskesmas": "Puskesmas Kota",
            },
            {"nik": NIK_C, "tanggal_layanan": "2025-11-03", "jenis_layanan": "PIJAT"},
        ],
    )
    w.add_file(
        "rtlh",
        "2025-11",
        "rtlh_2025.xlsx",
        [
            {
                "nik_kepala_keluarga": NIK_A,
                "no_kk": KK_1,
                "kelurahan": "Parit Tokaya",
                "status_rumah": "RTLH",
                "kegiatan": "BSPS",
                "sumber_dana": "APBN",
                "tahun_anggaran": "2025",
                "nilai_bantuan": "Rp 20.000.000",
                "tanggal_selesai": "46010",
                "progres_fisik": "100",
            },
            {
                "nik_kepala_keluarga": "6171011213900005",
                "no_kk": KK_2,
                "kelurahan": "Sei Jawi Dalam",
                "rt_rw": "003/005",
                "status_rumah": "RTLH",
                "kegiatan": "Bedah Rumah APBD",
                "tahun_anggaran": "2025.0",
            },
            {
                "nik_kepala_keluarga": NIK_C,
                "no_kk": KK_3,
                "kelurahan": "Parit Tokaya",
                "status_rumah": "RTLH",
                "kegiatan": "RENOVASI SENDIRI",
            },
            {
                "nik_kepala_keluarga": NIK_C,
                "no_kk": KK_3,
                "kelurahan": "Parit Tokaya",
                "status_rumah": "RTLH",
            },
        ],
    )
    w.add_file(
        "air_bersih",
        "2025-11",
        "pdam_2025_11.csv",
        [
            {
                "no_sambungan": "01-0001",
                "nik_pelanggan": NIK_A,
                "kelurahan": "Parit Tokaya",
                "golongan": "RUMAH_TANGGA_MBR",
                "program": "HIBAH_MBR",
                "tanggal_pasang": "2025-10-01",
                "status": "AKTIF",
            },
            {
                "no_sambungan": "01-0002",
                "nik_pelanggan": "6.17101E+15",
                "kelurahan": "Kota Baru",
                "program": "REGULER",
                "tanggal_pasang": "2024-01-01",
                "status": "AKTIF",
            },
            {
                "no_sambungan": "01-0003",
                "nik_pelanggan": NIK_B,
                "kelurahan": "Atlantis",
                "tanggal_pasang": "2024-01-01",
                "status": "AKTIF",
            },
        ],
    )
    w.add_file(
        "sanitasi",
        "2025-11",
        "sanitasi_2025.xlsx",
        [
            {
                "nik": NIK_A,
                "no_kk": KK_1,
                "kelurahan": "Parit Tokaya",
                "jenis_bantuan": "Tangki Septik Individual",
                "tanggal_selesai": "2025-11-15",
                "status": "SELESAI",
            },
            {
                "nik": NIK_C,
                "no_kk": "617101010125",
                "kelurahan": "Parit Tokaya",
                "jenis_bantuan": "JAMBAN_SEHAT",
                "status": "PROSES",
            },
        ],
    )
    w.add_file(
        "pelatihan",
        "2025-11",
        "pelatihan_blk.csv",
        [
            {
                "nik": NIK_C,
                "nama_pelatihan": "Menjahit Dasar",
                "kejuruan": "Menjahit",
                "tanggal_mulai": "2025-09-01",
                "status_kelulusan": "LULUS",
                "status_setelah_pelatihan": "WIRAUSAHA",
                "jenis_kelamin": "P",
            },
            {
                "nik": NIK_B,
                "nama_pelatihan": "Las",
                "tanggal_mulai": "2025-09-01",
                "status_kelulusan": "GAGAL",
            },
        ],
    )
    w.add_file(
        "umkm",
        "2025-11",
        "umkm.csv",
        [
            {
                "nik_pemilik": NIK_C,
                "nama_usaha": "Jahit Rina",
                "nib": "1234567890123",
                "omzet_per_bulan": "Rp 3.000.000",
                "tanggal_terdaftar": "2025-10-01",
                "pendampingan": "PENDAMPINGAN",
                "sektor": "FASHION",
            },
            {"nik_pemilik": NIK_B, "nama_usaha": " ", "tanggal_terdaftar": "2025-10-01"},
            # far beyond any turnover (issue 12: this failed every source's staging step); optional, so only a warning
            {
                "nik_pemilik": NIK_A,
                "nama_usaha": "Warung Siti",
                "omzet_per_bulan": "99999999999999999999",
                "tanggal_terdaftar": "2025-10-01",
            },
        ],
    )
    w.add_file(
        "kur",
        "2025-11",
        "kur_sikp.csv",
        [
            {
                "nik_debitur": NIK_C,
                "bank": "Bank BRI",
                "skema": "MIKRO",
                "plafon": "25.000.000",
                "tanggal_akad": "2025-11-01",
                "kolektibilitas": "1",
            },
            {
                "nik_debitur": NIK_B,
                "bank": "BANK GAIB",
                "skema": "MIKRO",
                "plafon": "25.000.000",
                "tanggal_akad": "2025-11-01",
            },
            {
                "nik_debitur": NIK_A,
                "bank": "BNI",
                "skema": "MIKRO",
                "plafon": "4811e452",
                "tanggal_akad": "2025-11-01",
            },
        ],
    )
    w.add_file(
        "mitra",
        "2025-11",
        "mitra_baznas.xlsx",
        [
            {
                "nama_lembaga": "BAZNAS Kota Pontianak",
                "sektor": "KOMUNITAS",
                "nama_program": "Paket Sembako Peduli",
                "kategori": "PANGAN",
                "nik_penerima": NIK_A,
                "nilai": "Rp 250.000",
                "tanggal": "2025-11-05",
            },
            {
                "nama_lembaga": "PT Contoh",
                "sektor": "DUNIA USAHA",
                "nama_program": "Beasiswa",
                "kategori": "BEASISWA",
                "nik_penerima": NIK_C,
                "tanggal": "2025-11-05",
            },
        ],
    )
    w.add_rejected_file(
        "bansos",
        "2025-11",
        "bansos_rusak.xlsx",
        "not_a_valid_xlsx",
        "bansos/2025-11/bansos_rusak.xlsx is not a valid XLSX file.",
    )


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.unlink(missing_ok=True)
    load_samples(RawWarehouse(target, clock=datetime(2025, 12, 1, 8, 0, 0)))
    print(f"wrote {target}")
