"""Assistance and services: bansos payouts, JKN membership, puskesmas services, RTLH, PDAM water, sanitation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np

from tkpkd_synth.benefits import JKN_SEGMENTS
from tkpkd_synth.dates import NO_DATE, day_of
from tkpkd_synth.identifiers import zero_padded
from tkpkd_synth.randomness import categorical, stream
from tkpkd_synth.sources.common import logical_file, ordered, slug
from tkpkd_synth.tables import LogicalFile
from tkpkd_synth.world import World

_TRANCHE_REPORT_MONTHS = (3, 6, 9, 12)


def build_bansos(world: World) -> Iterator[LogicalFile]:
    payouts = world.benefits.payouts
    families = world.population.families
    payouts = payouts.drop_duplicates(["program", "tahap", "person"])
    for (t, program, tahap), rows in payouts.groupby(["period", "program", "tahap"], sort=True):
        family = rows["family"].to_numpy(np.int64)
        person = rows["person"].to_numpy(np.int64)
        order = ordered(families.kelurahan[family], world.names_upper[person])
        rows, family, person = rows.iloc[order], family[order], person[order]
        n = len(rows)
        # payout lists are drawn from DTSEN and copy its KK numbers, late
        kk = families.listed_kk_on(family, rows["day"].to_numpy(np.int64))
        values = {
            "NO": np.arange(1, n + 1),
            "NIK": world.population.persons.nik[person],
            "NO_KK": kk,
            "NAMA_PENERIMA": world.names_upper[person],
            "ALAMAT": world.addresses_upper[family],
            "KELURAHAN": families.kelurahan[family].astype(np.int64),
            "PROGRAM": rows["program"].to_numpy(object),
            "TAHAP": rows["tahap"].to_numpy(object),
            "NILAI": rows["value"].to_numpy(np.int64),
            "TANGGAL_SALUR": rows["day"].to_numpy(np.int64),
            "STATUS": rows["status"].to_numpy(object),
        }
        title = ("DAFTAR PENYALURAN BANTUAN SOSIAL", f"PROGRAM : {program} {tahap}", "DINAS SOSIAL KOTA PONTIANAK")
        yield logical_file(world, "bansos", int(t), f"PENYALURAN_{slug(program)}_{slug(tahap)}.xlsx", values,
                           person=person, family=family, kk=kk, title=title, total_label="JUMLAH")


def build_jkn(world: World) -> Iterator[LogicalFile]:
    persons = world.population.persons
    for s, t in enumerate(world.registry.snapshot_indices):
        jkn = world.benefits.jkn[s]
        day = world.window.period_last_day(t)
        rows = np.flatnonzero(jkn.listed)
        rows = rows[np.argsort(persons.noka[rows], kind="stable")]
        values = {
            "NOKA": persons.noka[rows],
            "NIK": persons.nik[rows],
            "NAMA": world.names_upper[rows],
            "TGL_LAHIR": persons.birth[rows],
            "SEGMEN": np.array(JKN_SEGMENTS, dtype=object)[jkn.segment[rows]],
            "STATUS_PESERTA": np.where(jkn.active[rows], "AKTIF", "NONAKTIF").astype(object),
            "TMT": jkn.tmt[rows],
            "KELAS": jkn.kelas[rows].astype(np.int64),
        }
        period = world.window.periods[t]
        yield logical_file(world, "jkn", t, f"peserta_jkn_6171_{period.replace('-', '')}.csv", values,
                           person=rows, family=persons.family_on(day)[rows])


def build_layanan_kesehatan(world: World) -> Iterator[LogicalFile]:
    persons, families, geography = world.population.persons, world.population.families, world.geography
    health = world.benefits.health
    puskesmas = geography.kelurahan_array("puskesmas")
    for t, month in health.groupby("period", sort=True):
        family_all = month["family"].to_numpy(np.int64)
        kecamatan_of = world.family_kecamatan[family_all]
        for kecamatan in geography.kecamatan:
            rows = month[kecamatan_of == kecamatan.number]
            if rows.empty:
                continue
            family = rows["family"].to_numpy(np.int64)
            person = rows["person"].to_numpy(np.int64)
            values = {
                "nik": persons.nik[person],
                "nama": persons.name[person],
                "tanggal_layanan": rows["day"].to_numpy(np.int64),
                "puskesmas": puskesmas[families.kelurahan[family]],
                "jenis_layanan": rows["service"].to_numpy(object),
                "status_gizi": rows["status_gizi"].to_numpy(object),
            }
            period = world.window.periods[int(t)]
            yield logical_file(world, "layanan_kesehatan", int(t), f"layanan_{slug(kecamatan.name).lower()}_{period}.csv",
                               values, person=person, family=family)


def _report_periods(world: World) -> list[int]:
    """Quarterly progress reports (March, June, September, December) and one at the window's end."""
    window = world.window
    return sorted({i for i in range(len(window)) if window.year_month(i)[1] in _TRANCHE_REPORT_MONTHS} | {len(window) - 1})


def _household_values(world: World, family: np.ndarray, person: np.ndarray) -> dict[str, np.ndarray]:
    families = world.population.families
    return {
        "NAMA": world.population.persons.name[person],
        "ALAMAT": families.address[family],
        "RT": families.rt[family].astype(np.int64),
        "RW": families.rw[family].astype(np.int64),
        "KELURAHAN": families.kelurahan[family].astype(np.int64),
    }


def build_rtlh(world: World) -> Iterator[LogicalFile]:
    families, persons = world.population.families, world.population.persons
    window = world.window
    surveys = world.interventions.house_surveys
    renovations = world.interventions.renovations
    files: list[tuple[int, int, LogicalFile]] = []
    for year, survey in surveys.groupby("year", sort=True):
        family = survey["family"].to_numpy(np.int64)
        person = survey["person"].to_numpy(np.int64)
        order = ordered(families.kelurahan[family], families.rw[family], families.rt[family])
        family, person = family[order], person[order]
        n = len(family)
        t = int(window.period_index_of_days(np.array([survey["day"].iloc[0]]))[0])
        # programme files keep the KK number of the family's proposal, copied from DTSEN
        kk = families.listed_kk_on(family, survey["day"].to_numpy(np.int64)[order])
        values = {
            "NIK_KEPALA_KELUARGA": persons.nik[person], "NO_KK": kk,
            **_household_values(world, family, person),
            "STATUS_RUMAH": survey["status"].to_numpy(object)[order],
            "KEGIATAN": np.full(n, "", dtype=object), "SUMBER_DANA": np.full(n, "", dtype=object),
            "TAHUN_ANGGARAN": np.full(n, int(year)), "NILAI_BANTUAN": np.full(n, -1),
            "TANGGAL_SELESAI": np.full(n, NO_DATE), "PROGRES_FISIK": np.full(n, -1),
        }
        files.append((t, 0, logical_file(world, "rtlh", t, f"DATA_SURVEI_RTLH_{year}.xlsx", values, person=person,
                                         family=family, kk=kk)))
    for t in _report_periods(world):
        day = window.period_last_day(t)
        year, month = window.year_month(t)
        started = renovations[(renovations["year"] == year) & (renovations["start"] <= day)]
        if started.empty:
            continue
        family = started["family"].to_numpy(np.int64)
        person = started["person"].to_numpy(np.int64)
        start, finish = started["start"].to_numpy(np.int64), started["finish"].to_numpy(np.int64)
        finished = finish <= day
        progress = np.where(finished, 100, (np.clip((day - start) / (finish - start), 0, 0.95) * 20).astype(int) * 5)
        kk = families.listed_kk_on(family, start)
        values = {
            "NIK_KEPALA_KELUARGA": persons.nik[person], "NO_KK": kk,
            **_household_values(world, family, person),
            "STATUS_RUMAH": np.where(finished, "LAYAK", "RTLH").astype(object),
            "KEGIATAN": started["kegiatan"].to_numpy(object), "SUMBER_DANA": started["sumber_dana"].to_numpy(object),
            "TAHUN_ANGGARAN": started["year"].to_numpy(np.int64), "NILAI_BANTUAN": started["value"].to_numpy(np.int64),
            "TANGGAL_SELESAI": np.where(finished, finish, NO_DATE), "PROGRES_FISIK": progress.astype(np.int64),
        }
        quarter = (month - 1) // 3 + 1
        files.append((t, 1, logical_file(world, "rtlh", t, f"PROGRES_BEDAH_RUMAH_TW{quarter}_{year}.xlsx", values,
                                         person=person, family=family, kk=kk)))
    for _, _, logical in sorted(files, key=lambda item: (item[0], item[1])):
        yield logical


def build_air_bersih(world: World) -> Iterator[LogicalFile]:
    persons, families = world.population.persons, world.population.families
    connections = world.interventions.connections
    rng = stream(world.seed, "pdam-status")
    n = len(connections)
    installed = connections["installed"].to_numpy(np.int64)
    family = connections["family"].to_numpy(np.int64)
    poor = 1.0 / (1.0 + np.exp(families.z0[family])) > 0.5
    status = np.array(["AKTIF", "TUTUP_SEMENTARA", "PUTUS"], dtype=object)[categorical(rng, n, (92, 5, 3))]
    previous_day = -NO_DATE
    for s, t in enumerate(world.registry.snapshot_indices):
        day = world.window.period_last_day(t)
        if s > 0:
            draw = rng.random(n)
            active, paused = status == "AKTIF", status == "TUTUP_SEMENTARA"
            status = np.where(active & (draw < np.where(poor, 0.05, 0.03)), "TUTUP_SEMENTARA", status)
            status = np.where(paused & (draw < 0.4), "AKTIF", np.where(paused & (draw > 0.85), "PUTUS", status))
            status = np.where((families.moved_on[family] <= day) & (rng.random(n) < 0.5), "PUTUS", status).astype(object)
        # A connection installed since the last snapshot is active, whatever older ones went through.
        status[(installed > previous_day) & (installed <= day)] = "AKTIF"
        previous_day = day
        rows = np.flatnonzero(installed <= day)
        rows = rows[np.argsort(connections["number"].to_numpy(np.int64)[rows], kind="stable")]
        person = connections["person"].to_numpy(np.int64)[rows]
        values = {
            "no_sambungan": zero_padded(connections["number"].to_numpy(np.int64)[rows], 10),
            "nik_pelanggan": persons.nik[person],
            "nama_pelanggan": world.names_upper[person],
            "alamat": families.address[family[rows]],
            "kelurahan": families.kelurahan[family[rows]].astype(np.int64),
            "golongan": connections["golongan"].to_numpy(object)[rows],
            "program": connections["program"].to_numpy(object)[rows],
            "tanggal_pasang": installed[rows],
            "status": status[rows],
        }
        period = world.window.periods[t]
        yield logical_file(world, "air_bersih", t, f"pelanggan_pdam_{period.replace('-', '')}.csv", values,
                           person=person, family=family[rows])


def build_sanitasi(world: World) -> Iterator[LogicalFile]:
    families, persons = world.population.families, world.population.persons
    grants = world.interventions.sanitation
    for t in _report_periods(world):
        day = world.window.period_last_day(t)
        year, month = world.window.year_month(t)
        # The year's report lists grants begun so far and those from last year that finished only this year.
        year_start = day_of(dt.date(year, 1, 1))
        started = grants[(grants["start"] <= day) & (grants["finish"] >= year_start)]
        if started.empty:
            continue
        family = started["family"].to_numpy(np.int64)
        person = started["person"].to_numpy(np.int64)
        finish = started["finish"].to_numpy(np.int64)
        done = finish <= day
        household = _household_values(world, family, person)
        kk = families.listed_kk_on(family, started["start"].to_numpy(np.int64))
        values = {
            "NIK": persons.nik[person], "NO_KK": kk, "NAMA": household["NAMA"],
            "KELURAHAN": household["KELURAHAN"], "RT": household["RT"], "RW": household["RW"],
            "JENIS_BANTUAN": started["jenis"].to_numpy(object), "SUMBER_DANA": started["sumber_dana"].to_numpy(object),
            "TANGGAL_SELESAI": np.where(done, finish, NO_DATE),
            "STATUS": np.where(done, "SELESAI", "PROSES").astype(object),
        }
        quarter = (month - 1) // 3 + 1
        yield logical_file(world, "sanitasi", t, f"LAPORAN_SANITASI_TW{quarter}_{year}.xlsx", values,
                           person=person, family=family, kk=kk)
