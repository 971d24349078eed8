"""Empowerment and partners: training, the UMKM registry, KUR loans, and pentahelix partner programmes."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from tkpkd_synth.benefits import PARTNER_PROGRAMS
from tkpkd_synth.dates import NO_DATE
from tkpkd_synth.interventions import COURSES
from tkpkd_synth.population import FEMALE
from tkpkd_synth.sources.common import logical_file, ordered, slug
from tkpkd_synth.tables import LogicalFile
from tkpkd_synth.world import World

# Training results reach the inbox about a week after the course ends.
_REPORT_DELAY_DAYS = 7


def build_pelatihan(world: World) -> Iterator[LogicalFile]:
    persons = world.population.persons
    window = world.window
    trainings = world.interventions.trainings
    end = trainings["end"].to_numpy(np.int64)
    report_period = window.period_index_of_days(end + _REPORT_DELAY_DAYS).clip(max=len(window) - 1)
    reportable = end <= window.last_day
    for t in range(len(window)):
        chosen = trainings[reportable & (report_period == t)]
        if chosen.empty:
            continue
        period_end = window.period_last_day(t)
        person = chosen["person"].to_numpy(np.int64)
        placement = chosen["placement"].to_numpy(np.int64)
        after = chosen["after"].to_numpy(object)
        # A placement later than the report is not known yet: the column stays empty.
        known = (placement < 0) | (placement <= period_end)
        reported_after = np.where(known, after, "").astype(object)
        order = ordered(chosen["start"].to_numpy(np.int64), chosen["course"].to_numpy(np.int64), person)
        values = {
            "nik": persons.nik[person],
            "nama": persons.name[person],
            "jenis_kelamin": np.where(persons.sex[person] == FEMALE, "P", "L").astype(object),
            "nama_pelatihan": chosen["cohort_name"].to_numpy(object),
            "kejuruan": np.array([COURSES[c].kejuruan for c in chosen["course"]], dtype=object),
            "penyelenggara": chosen["provider"].to_numpy(object),
            "tanggal_mulai": chosen["start"].to_numpy(np.int64),
            "tanggal_selesai": end[chosen.index.to_numpy()],
            "status_kelulusan": chosen["result"].to_numpy(object),
            "status_setelah_pelatihan": reported_after,
            "tanggal_penempatan": np.where(known & (placement >= 0), placement, NO_DATE),
        }
        values = {k: v[order] for k, v in values.items()}
        period = window.periods[t]
        yield logical_file(world, "pelatihan", t, f"peserta_pelatihan_{period}.csv", values,
                           person=person[order], family=chosen["family"].to_numpy(np.int64)[order])


def build_umkm(world: World) -> Iterator[LogicalFile]:
    persons = world.population.persons
    businesses = world.interventions.businesses.drop_duplicates(["person", "name"])
    for t in world.registry.snapshot_indices:
        day = world.window.period_last_day(t)
        listed = businesses[businesses["registered"] <= day].sort_values(["registered", "person"], kind="stable")
        person = listed["person"].to_numpy(np.int64)
        support_day = listed["support_day"].to_numpy(np.int64)
        supported = (support_day >= 0) & (support_day <= day)
        nib = listed["nib"].to_numpy(np.int64)
        values = {
            "nik_pemilik": persons.nik[person],
            "nama_pemilik": persons.name[person],
            "nama_usaha": listed["name"].to_numpy(object),
            "nib": np.where(nib > 0, nib.astype(str), "").astype(object),
            "sektor": listed["sector"].to_numpy(object),
            "omzet_per_bulan": listed["omzet"].to_numpy(np.int64),
            "tanggal_terdaftar": listed["registered"].to_numpy(np.int64),
            "pendampingan": np.where(supported, listed["support"].to_numpy(object), "TIDAK").astype(object),
            "tanggal_pendampingan": np.where(supported, support_day, NO_DATE),
        }
        period = world.window.periods[t]
        yield logical_file(world, "umkm", t, f"umkm_terdaftar_{period}.csv", values,
                           person=person, family=persons.family_on(day)[person])


def build_kur(world: World) -> Iterator[LogicalFile]:
    persons = world.population.persons
    loans = world.interventions.loans
    months = world.window.period_index_of_days(loans["akad"].to_numpy(np.int64))
    for t in range(len(world.window)):
        chosen = loans[months == t].sort_values(["akad", "person"], kind="stable")
        if chosen.empty:
            continue
        person = chosen["person"].to_numpy(np.int64)
        values = {
            "nik_debitur": persons.nik[person],
            "nama_debitur": world.names_upper[person],
            "bank": chosen["bank"].to_numpy(object),
            "skema": chosen["scheme"].to_numpy(object),
            "plafon": chosen["plafon"].to_numpy(np.int64),
            "tanggal_akad": chosen["akad"].to_numpy(np.int64),
            "jangka_waktu_bulan": chosen["tenor"].to_numpy(np.int64),
            "kolektibilitas": chosen["kolektibilitas"].to_numpy(np.int64),
        }
        period = world.window.periods[t]
        yield logical_file(world, "kur", t, f"realisasi_kur_{period}.csv", values,
                           person=person, family=chosen["family"].to_numpy(np.int64))


def build_mitra(world: World) -> Iterator[LogicalFile]:
    persons, families = world.population.persons, world.population.families
    partner = world.benefits.partner
    lembaga = np.array([p.lembaga for p in PARTNER_PROGRAMS], dtype=object)
    partner = partner.assign(lembaga=lembaga[partner["program"].to_numpy(np.int64)])
    for (t, name), rows in partner.groupby(["period", "lembaga"], sort=True):
        program_index = rows["program"].to_numpy(np.int64)
        person = rows["person"].to_numpy(np.int64)
        family = rows["family"].to_numpy(np.int64)
        order = ordered(rows["day"].to_numpy(np.int64), program_index, families.kelurahan[family], person)
        program_index, person, family, rows = program_index[order], person[order], family[order], rows.iloc[order]
        programs = [PARTNER_PROGRAMS[i] for i in program_index]
        # partners take their recipients from the registers' lists, KK numbers included
        kk = families.listed_kk_on(family, rows["day"].to_numpy(np.int64))
        values = {
            "NAMA_LEMBAGA": np.full(len(rows), name, dtype=object),
            "SEKTOR": np.array([p.sektor for p in programs], dtype=object),
            "NAMA_PROGRAM": np.array([p.name for p in programs], dtype=object),
            "KATEGORI": np.array([p.kategori for p in programs], dtype=object),
            "NIK_PENERIMA": persons.nik[person],
            "NO_KK": kk,
            "NAMA_PENERIMA": persons.name[person],
            "KELURAHAN": families.kelurahan[family].astype(np.int64),
            "NILAI": rows["value"].to_numpy(np.int64),
            "TANGGAL": rows["day"].to_numpy(np.int64),
        }
        period = world.window.periods[int(t)]
        yield logical_file(world, "mitra", int(t), f"{slug(name).lower()}_{period}.xlsx", values,
                           person=person, family=family, kk=kk)
