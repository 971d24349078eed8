"""Registers: DTSEN families and members (Dinas Sosial), the Dukcapil population register, and the kelurahan
verification minutes."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from tkpkd_synth.benefits import BP, PBI_APBD, PBI_APBN, PBPU, PPU
from tkpkd_synth.dates import NO_DATE, month_name, years_between
from tkpkd_synth.names import officer_names
from tkpkd_synth.population import (
    CHILD,
    CHILD_IN_LAW,
    FEMALE,
    GRANDCHILD,
    HEAD,
    HELPER,
    OTHER,
    PARENT,
    SPOUSE,
    representatives_on,
)
from tkpkd_synth.randomness import stream
from tkpkd_synth.sources.common import logical_file, ordered, slug
from tkpkd_synth.tables import LogicalFile
from tkpkd_synth.welfare import LAYAK, MENINGGAL, PINDAH, TIDAK_DITEMUKAN, TIDAK_LAYAK, USULAN_BARU
from tkpkd_synth.world import World

_NOTES = {
    LAYAK: ("", "", "Masih memenuhi kriteria", "Kondisi rumah belum berubah"),
    TIDAK_LAYAK: ("Sudah bekerja tetap", "Rumah sudah permanen", "Memiliki kendaraan roda empat", "Usaha berkembang"),
    PINDAH: ("Pindah ke Kubu Raya", "Pindah ke Mempawah", "Pindah luar kota", "Ikut anak pindah domisili"),
    MENINGGAL: ("Meninggal dunia, anggota tunggal", "Meninggal dunia"),
    TIDAK_DITEMUKAN: ("Alamat tidak ditemukan", "Rumah kosong", "Tidak dikenal ketua RT"),
    USULAN_BARU: ("Keluarga baru, belum terdaftar DTSEN", "Pendatang, KK baru", "Usulan warga melalui RT"),
}


def build(world: World) -> Iterator[LogicalFile]:
    lags = _RegisterLags(world)
    for s, t in enumerate(world.registry.snapshot_indices):
        listed, listed_family, relationship = _dtsen_members(world, lags, s, t)
        yield _dtsen_keluarga(world, s, t, listed_family)
        yield _dtsen_individu(world, s, t, listed, listed_family, relationship)
    for t in world.registry.snapshot_indices:
        yield from _dukcapil(world, lags, t)
    yield from _verifikasi(world)


class _RegisterLags:
    """Registers learn of births and deaths late, each person with their own delay."""

    def __init__(self, world: World) -> None:
        rng = stream(world.seed, "register-lags")
        n = len(world.population.persons)
        self.dtsen_birth = rng.integers(30, 200, n)
        self.dtsen_death = rng.integers(60, 300, n)
        self.dukcapil_birth = rng.integers(7, 120, n)
        self.dukcapil_death = rng.integers(0, 90, n)


def _dtsen_members(world: World, lags: _RegisterLags, s: int, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who DTSEN lists in snapshot s, under which family and with which relationship."""
    persons = world.population.persons
    in_dtsen = world.registry.in_dtsen[s]
    day = world.window.period_last_day(t)
    current = persons.family_on(day)
    # A child who married out stays on the parents' DTSEN card until the new family is registered.
    stale = (persons.switch_on <= day) & ~in_dtsen[current] & in_dtsen[persons.family]
    family = np.where(stale, persons.family, current)
    listed = (persons.since <= day) & in_dtsen[family] & (persons.died_on + lags.dtsen_death > day) \
        & ((persons.mother < 0) | (persons.birth + lags.dtsen_birth <= day))
    relationship = np.where(stale, persons.relationship, persons.relationship_on(day))
    chosen = np.flatnonzero(listed)
    return chosen, family[chosen], relationship[chosen]


def _dtsen_keluarga(world: World, s: int, t: int, member_family: np.ndarray) -> LogicalFile:
    families, registry, geography = world.population.families, world.registry, world.geography
    day = world.window.period_last_day(t)
    rows = np.flatnonzero(registry.in_dtsen[s])
    kk = families.listed_kk_on(rows, day)
    order = ordered(families.kelurahan[rows], families.rw[rows], families.rt[rows], kk)
    rows, kk = rows[order], kk[order]
    head = representatives_on(world.population, day)[rows]
    members = np.bincount(member_family, minlength=len(families))[rows]
    housing = {column: codes[rows].astype(np.int64) for column, codes in families.housing.items()}
    values = {
        "nomor_kartu_keluarga": kk,
        "kode_kecamatan": geography.kecamatan_array("bps_code")[families.kelurahan[rows]],
        "kecamatan": geography.kecamatan_array("name")[families.kelurahan[rows]],
        "kelurahan_desa": families.kelurahan[rows].astype(np.int64),
        "rw": families.rw[rows].astype(np.int64),
        "rt": families.rt[rows].astype(np.int64),
        "alamat": world.addresses_upper[rows],
        "jumlah_anggota_keluarga": members.astype(np.int64),
        "nama_kepala_keluarga": world.names_upper[head],
        "desil_nasional": registry.desil[s][rows].astype(np.int64),
        "desil_kabupaten_kota": registry.desil_kab[s][rows].astype(np.int64),
        "status_kepemilikan_rumah": housing["status_kepemilikan_rumah"],
        "luas_lantai": families.floor_area[rows],
        **{column: housing[column] for column in (
            "jenis_lantai_terluas", "jenis_dinding_terluas", "jenis_atap_terluas", "sumber_air_minum_utama",
            "fasilitas_bab", "jenis_kloset", "pembuangan_akhir_tinja", "sumber_penerangan_utama",
            "bahan_bakar_utama_memasak")},
    }
    period = world.window.periods[t]
    return logical_file(world, "dtsen_keluarga", t, f"DTSEN_KELUARGA_6171_{period}.csv", values,
                        person=np.full(len(rows), -1), family=rows, kk=kk)


def _dtsen_individu(world: World, s: int, t: int, listed: np.ndarray, family: np.ndarray,
                    relationship: np.ndarray) -> LogicalFile:
    persons, families = world.population.persons, world.population.families
    day = world.window.period_last_day(t)
    kk = families.listed_kk_on(family, day)
    order = ordered(families.kelurahan[family], families.rw[family], families.rt[family], kk,
                    relationship, persons.birth[listed])
    listed, family, relationship, kk = listed[order], family[order], relationship[order], kk[order]
    age = years_between(persons.birth[listed], day)
    placed = _placed_by(world, day)[listed]
    working = ((age >= 15) & (age < 65) & persons.works[listed]) | placed
    school_until = persons.school_until[listed]
    school = np.select([(age < 7) | (school_until == 0), age < school_until], [0, 1], default=2)
    values = {
        "nomor_induk_kependudukan": persons.nik[listed],
        "nomor_kartu_keluarga": kk,
        "nama": world.names_upper[listed],
        "tanggal_lahir": persons.birth[listed],
        "jenis_kelamin": persons.sex[listed].astype(np.int64),
        "status_hubungan_keluarga": relationship.astype(np.int64),
        "status_bekerja": np.where(working, 1, 2),
        "penyakit_kronis": persons.chronic[listed].astype(np.int64),
        "disabilitas": persons.disability[listed].astype(np.int64),
        "partisipasi_sekolah": school.astype(np.int64),
        "jaminan_kesehatan": _insurance_bitmask(world, s, listed),
    }
    period = world.window.periods[t]
    return logical_file(world, "dtsen_individu", t, f"DTSEN_INDIVIDU_6171_{period}.csv", values,
                        person=listed, family=family, kk=kk)


def _placed_by(world: World, day: int) -> np.ndarray:
    """People who found work or started a business after training, by `day`."""
    trainings = world.interventions.trainings
    placed = np.zeros(len(world.population.persons), dtype=bool)
    done = trainings[(trainings["placement"] >= 0) & (trainings["placement"] <= day)]
    placed[done["person"].to_numpy(np.int64)] = True
    return placed


def _insurance_bitmask(world: World, s: int, listed: np.ndarray) -> np.ndarray:
    """jaminan_kesehatan as DTSEN records it: a sum of bits (1 PBI, 2 mandiri, 4 employer, 8 Jamkesda, 16 private)."""
    jkn = world.benefits.jkn[s]
    rng = stream(world.seed, "insurance-bits", s)
    segment = jkn.segment[listed]
    bits = np.select([np.isin(segment, (PBI_APBN, PBI_APBD)), np.isin(segment, (PBPU, BP)), segment == PPU], [1, 2, 4], 0)
    draw = rng.random(len(listed))
    bits = bits + np.where((bits == 0) & (draw < 0.1), 8, 0) + np.where((bits == 4) & (draw > 0.85), 16, 0)
    return np.where(rng.random(len(listed)) < 0.01, 99, bits).astype(np.int64)


_HBKEL = {HEAD: "KEPALA KELUARGA", CHILD: "ANAK", CHILD_IN_LAW: "MENANTU", GRANDCHILD: "CUCU", HELPER: "PEMBANTU",
          OTHER: "FAMILI LAIN"}


def _dukcapil(world: World, lags: _RegisterLags, t: int) -> Iterator[LogicalFile]:
    persons, families, geography = world.population.persons, world.population.families, world.geography
    day = world.window.period_last_day(t)
    registered = (persons.since <= day) & ((persons.mother < 0) | (persons.birth + lags.dukcapil_birth <= day))
    family = persons.family_on(day)
    # A KK is reissued on the death certificate, so the late head is recorded dead by then; the dead keep the
    # number of the KK they died in, the survivors carry the new one.
    late_head = (families.head[family] == np.arange(len(persons))) & (families.reissued_on[family] <= day)
    dead = (persons.died_on + lags.dukcapil_death <= day) | late_head
    moved = persons.moved_on <= day
    kk = families.kk_on(family, np.minimum(day, persons.died_on))
    relationship = persons.relationship_on(day)
    hbkel = np.array([_HBKEL.get(r, "") for r in range(9)], dtype=object)[relationship]
    hbkel[relationship == SPOUSE] = np.where(persons.sex[relationship == SPOUSE] == FEMALE, "ISTRI", "SUAMI")
    hbkel[relationship == PARENT] = np.where(persons.nik[relationship == PARENT] % 2 == 0, "ORANG TUA", "MERTUA")
    status = np.where(dead, "MATI", np.where(moved, "PINDAH", "HIDUP")).astype(object)
    kecamatan = world.family_kecamatan[family]
    period = world.window.periods[t]
    for number, name in ((k.number, k.name) for k in geography.kecamatan):
        rows = np.flatnonzero(registered & (kecamatan == number))
        f = family[rows]
        rows = rows[ordered(families.kelurahan[f], families.rw[f], families.rt[f], kk[rows], relationship[rows])]
        f = family[rows]
        values = {
            "NIK": persons.nik[rows],
            "NO_KK": kk[rows],
            "NAMA_LGKP": world.names_upper[rows],
            "JENIS_KLMIN": np.where(persons.sex[rows] == FEMALE, "PEREMPUAN", "LAKI-LAKI").astype(object),
            "TMPT_LHR": persons.birthplace[rows],
            "TGL_LHR": persons.birth[rows],
            "NO_PROP": np.full(len(rows), 61),
            "NO_KAB": np.full(len(rows), 71),
            "NO_KEC": np.full(len(rows), number),
            "NO_KEL": geography.kelurahan_array("number")[families.kelurahan[f]].astype(np.int64),
            "NAMA_KEL": families.kelurahan[f].astype(np.int64),
            "NO_RW": families.rw[f].astype(np.int64),
            "NO_RT": families.rt[f].astype(np.int64),
            "ALAMAT": world.addresses_upper[f],
            "STAT_HBKEL": hbkel[rows],
            "STATUS": status[rows],
            "TGL_MATI": np.where(status[rows] == "MATI", persons.died_on[rows], NO_DATE),
        }
        yield logical_file(world, "dukcapil", t, f"SIAK_6171{number:02d}_{slug(name)}_{period.replace('-', '')}.csv",
                           values, person=rows, family=f, kk=kk[rows])


def _verifikasi(world: World) -> Iterator[LogicalFile]:
    families, geography = world.population.families, world.geography
    persons = world.population.persons
    verifications = world.registry.verifications
    rng = stream(world.seed, "verifikasi")
    officers = officer_names(rng, 3 * len(geography.kelurahan)).reshape(len(geography.kelurahan), 3)
    for t in sorted(verifications["period"].unique()):
        in_round = verifications[verifications["period"] == t]
        family_all = in_round["family"].to_numpy(np.int64)
        kelurahan_of = families.kelurahan[family_all]
        for k in np.unique(kelurahan_of):
            chosen = in_round[kelurahan_of == k]
            family = chosen["family"].to_numpy(np.int64)
            person = chosen["person"].to_numpy(np.int64)
            order = ordered(families.rw[family], families.rt[family], world.names_upper[person])
            family, person, chosen = family[order], person[order], chosen.iloc[order]
            outcome = chosen["outcome"].to_numpy(object)
            # the minutes verify DTSEN's list, under the number DTSEN has
            kk = families.listed_kk_on(family, chosen["day"].to_numpy(np.int64))
            n = len(family)
            notes = np.array([_NOTES[o][rng.integers(0, len(_NOTES[o]))] for o in outcome], dtype=object)
            kelurahan = geography.kelurahan[k]
            values = {
                "NO": np.arange(1, n + 1),
                "NO KK": kk,
                "NIK KEPALA KELUARGA": persons.nik[person],
                "NAMA KEPALA KELUARGA": persons.name[person],
                "RT": families.rt[family].astype(np.int64),
                "RW": families.rw[family].astype(np.int64),
                "HASIL VERIFIKASI": outcome,
                "TANGGAL VERIFIKASI": chosen["day"].to_numpy(np.int64),
                "PETUGAS": officers[k][rng.integers(0, 3, n)],
                "KETERANGAN": notes,
            }
            # A few kelurahan add a KELURAHAN column; the title block names it either way.
            if rng.random() < 0.3:
                values["KELURAHAN"] = np.full(n, k, dtype=np.int64)
            period = world.window.periods[t]
            title = ["BERITA ACARA HASIL MUSYAWARAH KELURAHAN", "KELURAHAN : {kelurahan}"]
            if rng.random() < 0.6:
                title.append(f"KECAMATAN : {kelurahan.kecamatan.name}")
            title.append(f"PERIODE : {month_name(period)}")
            yield logical_file(world, "verifikasi_kelurahan", int(t), f"BA_MUSKEL_{slug(kelurahan.apart)}_{period}.xlsx",
                               values, person=person, family=family, kk=kk, title=tuple(title), kelurahan=int(k))
