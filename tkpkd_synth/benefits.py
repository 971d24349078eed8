"""Benefits that follow the registry without changing welfare: bansos payouts, JKN membership, puskesmas
services, and partner (pentahelix) donations.

Targeting reads the DTSEN snapshot agencies had at the time, so its errors are the registry's errors plus the
programmes' own: lists are slow to drop families that graduated, a few non-poor families are enrolled, payouts go
on for recipients who died, and the left-behind families are reached by nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tkpkd_synth.dates import Window, years_between
from tkpkd_synth.desil import POOR_MAX_DESIL, poverty_weight
from tkpkd_synth.interventions import house_need, sanitation_need, water_need
from tkpkd_synth.population import (
    CHRONIC_TB,
    FEMALE,
    SPOUSE,
    Population,
    alive_members_on,
    representatives_on,
)
from tkpkd_synth.randomness import at_least, categorical, stream
from tkpkd_synth.welfare import Registry


@dataclass(frozen=True)
class BansosProgram:
    code: str                 # the canonical PROGRAM spelling
    months: tuple[int, ...]   # calendar months with a payout
    max_desil: int
    coverage: float           # share of eligible families enrolled at the start
    per_quarter: bool         # rounds are counted in the year (TAHAP n), else named by calendar month (BULAN n)


BANSOS_PROGRAMS = (
    BansosProgram("PKH", (2, 5, 8, 11), 3, 0.6, True),
    BansosProgram("BPNT", (3, 6, 9, 12), POOR_MAX_DESIL, 0.65, True),
    BansosProgram("BANSOS PANGAN APBD", tuple(range(1, 13)), 2, 0.3, False),
    BansosProgram("BLT", (4, 10), POOR_MAX_DESIL, 0.5, True),
)
ATENSI = "ATENSI"
_FLAT_VALUES = {"BPNT": 600_000, "BANSOS PANGAN APBD": 200_000, "BLT": 600_000}

JKN_SEGMENTS = ("", "PBI APBN", "PBI APBD", "PBPU", "PPU", "BP")
NONE, PBI_APBN, PBI_APBD, PBPU, PPU, BP = range(6)


@dataclass(frozen=True)
class PartnerProgram:
    lembaga: str
    sektor: str
    name: str
    kategori: str
    months: tuple[int, ...]
    per_100k_families: float
    value: tuple[int, int]
    target: str               # "poor", "house", "water", "sanitation", "child", "adult", "anyone"


_ALL_MONTHS = tuple(range(1, 13))
PARTNER_PROGRAMS = (
    PartnerProgram("BAZNAS Kota Pontianak", "PEMERINTAH", "Paket Sembako Mustahik", "PANGAN", _ALL_MONTHS, 400, (150_000, 250_000), "poor"),
    PartnerProgram("BAZNAS Kota Pontianak", "PEMERINTAH", "Bedah Rumah Mustahik", "PERUMAHAN", (6, 9), 30, (15_000_000, 25_000_000), "house"),
    PartnerProgram("BAZNAS Kota Pontianak", "PEMERINTAH", "Modal Usaha Mustahik", "MODAL_USAHA", (4, 10), 100, (1_000_000, 3_000_000), "poor"),
    PartnerProgram("Dinas Sosial Provinsi Kalimantan Barat", "PEMERINTAH", "Bantuan Iuran JKN Mandiri", "JAMINAN_SOSIAL", (1, 7), 150, (252_000, 252_000), "poor"),
    PartnerProgram("Universitas Tanjungpura", "AKADEMISI", "KKN Tematik Jamban Sehat", "SANITASI", (7, 8), 40, (2_500_000, 4_000_000), "sanitation"),
    PartnerProgram("Politeknik Negeri Pontianak", "AKADEMISI", "Pelatihan Servis Elektronik Rumah Tangga", "PELATIHAN", (5, 11), 60, (750_000, 750_000), "adult"),
    PartnerProgram("Universitas Muhammadiyah Pontianak", "AKADEMISI", "Pemeriksaan Kesehatan Gratis", "KESEHATAN", (3, 9), 150, (100_000, 150_000), "anyone"),
    PartnerProgram("IAIN Pontianak", "AKADEMISI", "Beasiswa Anak Keluarga Prasejahtera", "PENDIDIKAN", (7,), 80, (1_500_000, 3_000_000), "child"),
    PartnerProgram("Bank Kalbar", "DUNIA_USAHA", "CSR Bedah Rumah Bank Kalbar", "PERUMAHAN", (8, 11), 20, (20_000_000, 30_000_000), "house"),
    PartnerProgram("PT Pertamina Patra Niaga Regional Kalimantan", "DUNIA_USAHA", "Sumur Bor dan Penampungan Air Hujan", "AIR_BERSIH", (5, 9), 40, (3_000_000, 6_000_000), "water"),
    PartnerProgram("BRI Cabang Pontianak", "DUNIA_USAHA", "BRI Peduli Sembako", "PANGAN", (3, 12), 200, (200_000, 300_000), "poor"),
    PartnerProgram("PT Telkom Indonesia Witel Kalbar", "DUNIA_USAHA", "Pelatihan Digital UMKM", "PELATIHAN", (6,), 60, (500_000, 500_000), "adult"),
    PartnerProgram("Pontianak Post", "MEDIA", "Pontianak Post Peduli", "PANGAN", (4,), 100, (150_000, 250_000), "poor"),
    PartnerProgram("Tribun Pontianak", "MEDIA", "Tribun Peduli Kesehatan", "KESEHATAN", (10,), 60, (200_000, 500_000), "anyone"),
    PartnerProgram("RRI Pontianak", "MEDIA", "RRI Berbagi Modal Usaha", "MODAL_USAHA", (8,), 30, (1_000_000, 2_000_000), "poor"),
    PartnerProgram("Dompet Dhuafa Kalimantan Barat", "KOMUNITAS", "Tebar Sembako", "PANGAN", (3, 6, 9, 12), 250, (150_000, 200_000), "poor"),
    PartnerProgram("Dompet Dhuafa Kalimantan Barat", "KOMUNITAS", "Sumur Wakaf", "AIR_BERSIH", (2, 8), 30, (4_000_000, 8_000_000), "water"),
    PartnerProgram("Rumah Zakat Pontianak", "KOMUNITAS", "Sanitasi Sehat Keluarga", "SANITASI", (4, 10), 30, (2_000_000, 3_500_000), "sanitation"),
    PartnerProgram("LAZISMU Kota Pontianak", "KOMUNITAS", "Bantuan Iuran BPJS Kesehatan", "JAMINAN_SOSIAL", (1, 4, 7, 10), 100, (126_000, 126_000), "poor"),
    PartnerProgram("Yayasan Bhakti Suci", "KOMUNITAS", "Bakti Sosial Kesehatan", "KESEHATAN", (2, 8), 150, (100_000, 200_000), "anyone"),
    PartnerProgram("TP PKK Kota Pontianak", "KOMUNITAS", "Pelatihan Menjahit PKK", "PELATIHAN", (3, 9), 40, (600_000, 600_000), "adult"),
    PartnerProgram("Komunitas Pontianak Berbagi", "KOMUNITAS", "Beasiswa Anak Pesisir", "PENDIDIKAN", (1, 7), 40, (1_000_000, 1_000_000), "child"),
    PartnerProgram("Komunitas Pontianak Berbagi", "KOMUNITAS", "Nasi Kotak Jumat Berkah", "PANGAN", _ALL_MONTHS, 300, (25_000, 25_000), "anyone"),
)



@dataclass
class JknSnapshot:
    """Every person's JKN membership at one snapshot; `listed` marks who the BPJS extract for the city holds."""

    segment: np.ndarray   # index into JKN_SEGMENTS (0: no membership)
    active: np.ndarray
    tmt: np.ndarray
    kelas: np.ndarray
    listed: np.ndarray


@dataclass
class Benefits:
    payouts: pd.DataFrame           # program, tahap (`TAHAP n YYYY` or `BULAN m YYYY`), period, day, family, person, value, status
    jkn: list[JknSnapshot]          # per DTSEN snapshot
    health: pd.DataFrame            # period, day, person, family, service, status_gizi
    partner: pd.DataFrame           # program (index into PARTNER_PROGRAMS), period, day, family, person, value


def distribute(seed: int, window: Window, population: Population, registry: Registry) -> Benefits:
    context = _Context(window, population, registry)
    return Benefits(
        payouts=_payouts(stream(seed, "bansos"), context),
        jkn=_jkn(stream(seed, "jkn"), context),
        health=_health(stream(seed, "health"), context),
        partner=_partners(stream(seed, "mitra"), context),
    )


class _Context:
    """Shared per-month look-ups, computed once: who represents each family, and what DTSEN says."""

    def __init__(self, window: Window, population: Population, registry: Registry) -> None:
        self.window, self.population, self.registry = window, population, registry
        self._representatives: dict[int, np.ndarray] = {}

    def representatives(self, t: int) -> np.ndarray:
        if t not in self._representatives:
            self._representatives[t] = representatives_on(self.population, self.window.period_first_day(t))
        return self._representatives[t]

    def dtsen(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        s = self.registry.snapshot_of_period(t)
        return self.registry.in_dtsen[s], self.registry.desil[s]

    def poor(self, t: int) -> np.ndarray:
        in_dtsen, desil = self.dtsen(t)
        return in_dtsen & (desil >= 1) & (desil <= POOR_MAX_DESIL)


def _payouts(rng: np.random.Generator, context: _Context) -> pd.DataFrame:
    window, population, registry = context.window, context.population, context.registry
    families, persons = population.families, population.persons
    n = len(families)
    frames = []
    spouse = np.full(n, -1)
    is_spouse = np.flatnonzero(persons.relationship == SPOUSE)
    spouse[persons.family[is_spouse]] = is_spouse
    # A share of payout lists keep paying a recipient who died: the bank does not know.
    pays_the_dead = rng.random(n) < 0.5
    for program in BANSOS_PROGRAMS:
        enrolled = np.zeros(n, dtype=bool)
        recipient = np.full(n, -1)
        started = False
        for t in range(len(window)):
            year, month = window.year_month(t)
            if month not in program.months:
                continue
            first, last = window.period_first_day(t), window.period_last_day(t)
            in_dtsen, desil = context.dtsen(t)
            eligible = in_dtsen & (desil >= 1) & (desil <= program.max_desil) & ~registry.left_behind & (families.since <= first)
            value = np.full(n, _FLAT_VALUES.get(program.code, 0), dtype=np.int64)
            if program.code == "PKH":
                value = _pkh_values(population, first)
                eligible &= value > 0
            fresh_rate = program.coverage if not started else 0.04
            keep = enrolled & (eligible | (rng.random(n) < 0.5))
            new = eligible & ~enrolled & (rng.random(n) < fresh_rate)
            near_poor = in_dtsen & (desil > program.max_desil) & (desil <= 7) & ~registry.left_behind
            mistaken = near_poor & ~enrolled & (rng.random(n) < (0.01 if not started else 0.002))
            joining = new | mistaken
            enrolled = keep | joining
            started = True
            representative = context.representatives(t)
            female_spouse = (spouse >= 0) & (persons.sex[spouse.clip(0)] == FEMALE) & (persons.died_on[spouse.clip(0)] > first)
            recipient[joining] = np.where(female_spouse, spouse, representative)[joining]
            paid = np.flatnonzero(enrolled & (recipient >= 0))
            person = recipient[paid]
            dead = persons.died_on[person] <= last
            moved = families.moved_on[paid] <= last
            listed = ~dead | pays_the_dead[paid]
            paid, person, dead, moved = paid[listed], person[listed], dead[listed], moved[listed]
            status = np.array(["SALUR", "GAGAL", "RETUR"], dtype=object)[categorical(rng, len(paid), (93, 5, 2))]
            status[moved] = np.where(rng.random(moved.sum()) < 0.7, "RETUR", "GAGAL")
            tahap = f"TAHAP {program.months.index(month) + 1} {year}" if program.per_quarter else f"BULAN {month} {year}"
            tranche_days = np.sort(rng.integers(first, last + 1, 3))
            frames.append(pd.DataFrame({
                "program": program.code, "tahap": tahap, "period": t,
                "day": tranche_days[rng.integers(0, 3, len(paid))], "family": paid, "person": person,
                "value": value[paid], "status": status,
            }))
    frames.append(_atensi(rng, context))
    return pd.concat(frames, ignore_index=True)


def _pkh_values(population: Population, day: int) -> np.ndarray:
    """PKH pays per component per quarter: young children, school children by level, elderly, severe disability;
    at most four components per family."""
    persons = population.persons
    present = persons.present_on(day)
    age = years_between(persons.birth, day)
    component = np.select(
        [age <= 6, (age >= 7) & (age <= 12), (age >= 13) & (age <= 15), (age >= 16) & (age <= 18), age >= 70, persons.disability == 1],
        [750_000, 225_000, 375_000, 500_000, 600_000, 600_000], default=0)
    family = persons.family_on(day)[present]
    component = component[present]
    order = np.lexsort((-component, family))
    family, component = family[order], component[order]
    rank = np.arange(len(family)) - np.searchsorted(family, family)
    total = np.bincount(family[rank < 4], weights=component[rank < 4], minlength=len(population.families))
    return total.astype(np.int64)


def _atensi(rng: np.random.Generator, context: _Context) -> pd.DataFrame:
    window, population, registry = context.window, context.population, context.registry
    persons = population.persons
    helped = np.zeros(len(persons), dtype=bool)
    frames = []
    for t in range(len(window)):
        year, month = window.year_month(t)
        first, last = window.period_first_day(t), window.period_last_day(t)
        in_dtsen, desil = context.dtsen(t)
        family = persons.family_on(first)
        age = years_between(persons.birth, first)
        needy = in_dtsen[family] & (desil[family] >= 1) & (desil[family] <= 3) & ~registry.left_behind[family]
        eligible = persons.present_on(first) & needy & ((persons.disability == 1) | (age >= 70)) & ~helped
        chosen = np.flatnonzero(at_least(rng, eligible & (rng.random(len(persons)) < 0.02), eligible, 1 if t == 0 else 0))
        helped[chosen] = True
        frames.append(pd.DataFrame({
            "program": ATENSI, "tahap": f"BULAN {month} {year}", "period": t,
            "day": rng.integers(first, last + 1, len(chosen)), "family": family[chosen], "person": chosen,
            "value": rng.integers(20, 51, len(chosen)) * 50_000, "status": "SALUR",
        }))
    return pd.concat(frames, ignore_index=True)


def _jkn(rng: np.random.Generator, context: _Context) -> list[JknSnapshot]:
    """Membership per JKN snapshot (the DTSEN snapshot months): segment, active flag, TMT and class per person."""
    window, population, registry = context.window, context.population, context.registry
    persons, families = population.persons, population.families
    n_persons = len(persons)
    start = window.first_day
    in_dtsen, desil = registry.in_dtsen[0], registry.desil[0]
    poor = in_dtsen & (desil >= 1) & (desil <= POOR_MAX_DESIL)
    near = in_dtsen & (desil >= 5) & (desil <= 6)
    family_segment = np.select(
        [registry.left_behind, poor, near],
        [np.zeros(len(families), dtype=np.int64), categorical(rng, len(families), (10, 70, 15, 5, 0, 0)),
         categorical(rng, len(families), (15, 20, 15, 25, 25, 0))],
        default=categorical(rng, len(families), (12, 5, 0, 30, 50, 3)))
    segment = family_segment[persons.family]
    segment = np.where(rng.random(n_persons) < 0.05, NONE, segment)
    segment = np.where(registry.left_behind[persons.family], NONE, segment)
    # Only the people already here have a card at the start; babies and newcomers join later.
    segment = np.where(persons.since <= start, segment, NONE)
    inactive_share = np.select([segment == PBPU, np.isin(segment, (PBI_APBN, PBI_APBD)), segment == PPU], [0.25, 0.04, 0.03], 0.0)
    active = rng.random(n_persons) >= inactive_share
    earliest = np.maximum(persons.birth, start - 11 * 365)
    tmt = earliest + (rng.random(n_persons) * (start - 30 - earliest).clip(1)).astype(np.int64)
    kelas = np.select([np.isin(segment, (PBI_APBN, PBI_APBD)), segment == PBPU, segment == PPU],
                      [np.full(n_persons, 3), 1 + categorical(rng, n_persons, (20, 30, 50)), 1 + categorical(rng, n_persons, (50, 50))],
                      default=1)
    dropped = np.zeros(n_persons, dtype=bool)
    snapshots = []
    for s, t in enumerate(registry.snapshot_indices):
        first, last = window.period_first_day(t), window.period_last_day(t)
        if s > 0:
            newcomers = (persons.since > window.period_last_day(registry.snapshot_indices[s - 1])) & (persons.since <= last)
            family_now = persons.family_on(last)
            family_pbi = np.isin(family_segment[family_now], (PBI_APBN, PBI_APBD))
            babies = newcomers & (persons.mother >= 0)
            join = newcomers & ~registry.left_behind[family_now]
            segment[join & babies & family_pbi] = family_segment[family_now][join & babies & family_pbi]
            mandiri = join & ~(babies & family_pbi) & (rng.random(n_persons) < 0.4)
            segment[mandiri] = PBPU
            tmt[join] = persons.since[join] + rng.integers(7, 60, n_persons)[join]
            active[join] = True
            kelas[join] = 3
            # The city enrols poor residents without a working card into PBI APBD (its UHC drive).
            poor_now = context.poor(t)[family_now] & ~registry.left_behind[family_now]
            uncovered = poor_now & persons.present_on(first) & ((segment == NONE) | ~active)
            enrol = uncovered & (rng.random(n_persons) < 0.2)
            segment[enrol], active[enrol], kelas[enrol] = PBI_APBD, True, 3
            tmt[enrol] = rng.integers(first - 60, last + 1, enrol.sum())
            pbpu = segment == PBPU
            lapse = pbpu & active & (rng.random(n_persons) < 0.05)
            resume = pbpu & ~active & (rng.random(n_persons) < 0.1)
            active[lapse], active[resume] = False, True
            # Deaths reach BPJS late: a dead PBI member often stays active for a while.
            dead = persons.died_on <= first
            active[dead & (rng.random(n_persons) < 0.4)] = False
            dropped |= (persons.moved_on <= first) & (rng.random(n_persons) < 0.6)
        family_now = persons.family_on(last)
        in_s, desil_s = registry.in_dtsen[s], registry.desil[s]
        relevant = np.isin(segment, (PBI_APBN, PBI_APBD)) | (in_s[family_now] & (desil_s[family_now] >= 1) & (desil_s[family_now] <= 6))
        listed = (segment != NONE) & relevant & ~dropped & (persons.since <= last) & (tmt <= last)
        snapshots.append(JknSnapshot(segment.copy(), active.copy(), tmt.copy(), kelas.copy(), listed))
    return snapshots


def _health(rng: np.random.Generator, context: _Context) -> pd.DataFrame:
    window, population, registry = context.window, context.population, context.registry
    persons = population.persons
    n = len(persons)
    poverty = poverty_weight(population.families.z0, population.thresholds)[persons.family]
    gizi_draw = rng.random(n)
    stunting = 0.14 + 0.14 * poverty
    status_gizi = np.select([gizi_draw < stunting, gizi_draw < stunting + 0.04, gizi_draw < stunting + 0.10],
                            ["STUNTING", "WASTING", "UNDERWEIGHT"], "NORMAL").astype(object)
    frames = []
    for t in range(len(window)):
        month = window.year_month(t)[1]
        first, last = window.period_first_day(t), window.period_last_day(t)
        family = persons.family_on(first)
        present = persons.present_on(first) & ~registry.left_behind[family]
        age_days = first - persons.birth
        draw = rng.random(n)
        # February and August are the national weighing months: nearly every toddler is weighed.
        weighing = 0.85 if month in (2, 8) else 0.15 + 0.1 * poverty
        rules = {
            "PEMERIKSAAN_BALITA": present & (age_days < 5 * 365) & (draw < weighing),
            "IMUNISASI": present & (((age_days < 365) & (draw < 0.5)) | ((age_days >= 365) & (age_days < 730) & (draw < 0.1))),
            "PENGOBATAN_PTM": present & (persons.chronic > 0) & (persons.chronic != CHRONIC_TB) & (draw < 0.35),
            "PENGOBATAN_TB": present & (persons.chronic == CHRONIC_TB) & (draw < 0.8),
            "PEMERIKSAAN_UMUM": present & (draw > 0.992),
        }
        babies = np.flatnonzero(persons.mother >= 0)
        mothers, due = persons.mother[babies], persons.birth[babies]
        expecting = (due - 270 <= last) & (due > first) & (rng.random(len(babies)) < 0.6)
        expecting &= ~registry.left_behind[persons.family_on(first)[mothers]] & (persons.died_on[mothers] > last)
        rules["ANC"] = np.zeros(n, dtype=bool)
        rules["ANC"][mothers[expecting]] = True
        for service, chosen in rules.items():
            who = np.flatnonzero(chosen)
            frames.append(pd.DataFrame({
                "period": t, "day": rng.integers(first, last + 1, len(who)), "person": who,
                "family": family[who], "service": service,
                "status_gizi": status_gizi[who] if service == "PEMERIKSAAN_BALITA" else "",
            }))
        born = np.flatnonzero((persons.mother >= 0) & (persons.birth >= first) & (persons.birth <= last))
        born = born[~registry.left_behind[persons.family[born]] & (rng.random(len(born)) < 0.85)]
        frames.append(pd.DataFrame({"period": t, "day": persons.birth[born], "person": persons.mother[born],
                                    "family": persons.family[born], "service": "PERSALINAN", "status_gizi": ""}))
    health = pd.concat(frames, ignore_index=True)
    return health.sort_values(["period", "day", "person", "service"], kind="stable", ignore_index=True)


def _partners(rng: np.random.Generator, context: _Context) -> pd.DataFrame:
    window, population, registry = context.window, context.population, context.registry
    persons, families = population.persons, population.families
    scale = population.initial_families / 100_000
    started = np.zeros(len(PARTNER_PROGRAMS), dtype=bool)
    frames = []
    for t in range(len(window)):
        month = window.year_month(t)[1]
        first, last = window.period_first_day(t), window.period_last_day(t)
        members = alive_members_on(population, first)
        family_present = (families.since <= first) & (families.moved_on > last) & (members > 0) & ~registry.left_behind
        poor = context.poor(t)
        needs = {"house": house_need(population, members), "water": water_need(population),
                 "sanitation": sanitation_need(population)}
        representative = context.representatives(t)
        age = years_between(persons.birth, first)
        person_present = persons.present_on(first) & family_present[persons.family_on(first)]
        for index, program in enumerate(PARTNER_PROGRAMS):
            if month not in program.months:
                continue
            count = int(rng.poisson(program.per_100k_families * scale))
            count = max(count, 0 if started[index] else 1)
            if program.target in ("child", "adult"):
                low, high = (7, 18) if program.target == "child" else (18, 45)
                pool = np.flatnonzero(person_present & (age >= low) & (age <= high))
                weight = np.where(poor[persons.family_on(first)[pool]], 4.0, 1.0)
            elif program.target == "anyone":
                pool = np.flatnonzero(person_present)
                weight = np.where(poor[persons.family_on(first)[pool]], 2.0, 1.0)
            else:
                eligible = family_present & needs.get(program.target, poor)
                if not eligible.any():
                    eligible = family_present & poor
                pool = np.flatnonzero(eligible)
                weight = np.where(poor[pool], 4.0, 1.0)
            count = min(count, len(pool))
            if not count:
                continue
            started[index] = True
            chosen = rng.choice(pool, size=count, replace=False, p=weight / weight.sum())
            if program.target in ("child", "adult", "anyone"):
                person, family = chosen, persons.family_on(first)[chosen]
            else:
                person, family = representative[chosen], chosen
            low, high = program.value
            value = low + (rng.integers(0, (high - low) // 50_000 + 1, count) * 50_000 if high > low else 0)
            # Community events happen on one or two days, not spread over the month.
            event_days = np.sort(rng.integers(first, last + 1, 2))
            frames.append(pd.DataFrame({"program": index, "period": t, "day": event_days[rng.integers(0, 2, count)],
                                        "family": family, "person": person, "value": value}))
    columns = ["program", "period", "day", "family", "person", "value"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

