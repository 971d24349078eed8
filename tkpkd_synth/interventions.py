"""Interventions that change a family's welfare: training and jobs, business registration, support and credit,
house renovation, sanitation, and subsidised water connections.

They are planned month by month inside the welfare simulation because they depend on the registry of the moment
(agencies target DTSEN desil 1-4) and in turn lift the family's welfare a few months later. Targeting is mostly
right: most places go to poor registry families, some to others, and the left-behind families get nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from tkpkd_synth.dates import Window, day_of, years_between
from tkpkd_synth.desil import POOR_MAX_DESIL
from tkpkd_synth.geography import load_geography
from tkpkd_synth.population import SPOUSE, Population, alive_members_on, representatives_on
from tkpkd_synth.randomness import categorical, stream, unique_random_integers

# Yearly volumes per initial family, from Pontianak's order of magnitude (about 3,000 trainees, 1,200 renovated
# houses, 1,000 sanitation grants and 1,200 subsidised water connections a year for ~195,000 families).
TRAINEES_PER_FAMILY = 0.015
RENOVATIONS_PER_FAMILY = 0.006
SANITATION_PER_FAMILY = 0.005
HIBAH_PER_FAMILY = 0.006
NEW_BUSINESSES_PER_FAMILY = 0.018
INITIAL_BUSINESS_SHARE = 0.06

# Welfare lifts (in standard deviations of the welfare score) once an intervention has taken effect.
LIFT = {"BEKERJA": 0.5, "WIRAUSAHA": 0.35, "support": 0.2, "kur": 0.2, "renovation": 0.1, "sanitation": 0.05, "water": 0.05}


@dataclass(frozen=True)
class Course:
    kejuruan: str
    title: str
    providers: tuple[str, ...]
    days: int
    sector: str          # the UMKM sector a graduate who starts a business lands in


COURSES = (
    Course("MENJAHIT", "Pelatihan Menjahit Pakaian", ("BLK Pontianak", "LPK Busana Khatulistiwa"), 30, "FASHION"),
    Course("TATA_BOGA", "Pelatihan Pengolahan Makanan Khas Pontianak", ("BLK Pontianak", "Politeknik Negeri Pontianak"), 20, "KULINER"),
    Course("TATA_BOGA", "Pelatihan Barista dan Kedai Kopi", ("LPK Kopi Khatulistiwa", "BLK Pontianak"), 14, "KULINER"),
    Course("LAS", "Pelatihan Las Listrik SMAW", ("BLK Pontianak",), 40, "JASA"),
    Course("OTOMOTIF", "Pelatihan Servis Sepeda Motor", ("BLK Pontianak", "LPK Otomotif Borneo"), 35, "JASA"),
    Course("TIK", "Pelatihan Operator Komputer dan Pemasaran Digital", ("Universitas Tanjungpura", "LPK Digital Kalbar"), 21, "JASA"),
    Course("TATA_RIAS", "Pelatihan Tata Rias Pengantin", ("LPK Salon Anggrek", "BLK Pontianak"), 25, "JASA"),
    Course("PERTANIAN", "Pelatihan Budidaya Lidah Buaya", ("Universitas Muhammadiyah Pontianak", "Politeknik Negeri Pontianak"), 14, "PERTANIAN"),
    Course("KERAJINAN", "Pelatihan Kerajinan Tenun Corak Insang", ("Dekranasda Kota Pontianak",), 21, "KERAJINAN"),
)
SECTORS = ("KULINER", "PERDAGANGAN", "FASHION", "JASA", "KERAJINAN", "PERTANIAN", "LAINNYA")
_SECTOR_WEIGHTS = (40, 25, 8, 12, 5, 4, 6)
_BUSINESS_TEMPLATES = {
    "KULINER": ("Warung Makan {}", "Kedai Kopi {}", "Bubur Pedas {}", "Kue Bingke {}", "Choi Pan {}", "Catering {}"),
    "PERDAGANGAN": ("Toko Kelontong {}", "Warung Sembako {}", "Toko {} Jaya", "Agen Gas {}"),
    "FASHION": ("Jahit {}", "Butik {}", "Konveksi {}"),
    "JASA": ("Bengkel {}", "Salon {}", "Laundry {}", "Servis HP {}", "Las {}"),
    "KERAJINAN": ("Kerajinan Manik {}", "Tenun {}", "Anyaman {}"),
    "PERTANIAN": ("Kebun Lidah Buaya {}", "Ternak Lele {}", "Sayur Hidroponik {}"),
    "LAINNYA": ("Usaha {}", "{} Mandiri"),
}
_TITLES = {"H.", "Hj.", "Drs.", "Dra.", "Uray", "Utin", "Syarif", "Syarifah", "Andi", "Moh.", "Abd."}
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")

BANKS = ("BRI", "BANK KALBAR", "BNI", "MANDIRI", "BSI")
_BANK_WEIGHTS = (40, 20, 15, 15, 10)
RENOVATION_KINDS = (("BSPS", "APBN"), ("BEDAH RUMAH APBD", "APBD"), ("CSR", "CSR"))


@dataclass
class RegistryView:
    """What agencies see this month: the newest DTSEN snapshot, plus the simulation's hidden truths."""

    desil: np.ndarray
    in_dtsen: np.ndarray
    left_behind: np.ndarray
    z: np.ndarray
    thresholds: np.ndarray

    @property
    def poor(self) -> np.ndarray:
        return self.in_dtsen & (self.desil >= 1) & (self.desil <= POOR_MAX_DESIL) & ~self.left_behind


@dataclass
class Interventions:
    trainings: pd.DataFrame      # person, family, course, cohort_name, provider, start, end, result, after, placement
    businesses: pd.DataFrame     # person, family, name, nib, sector, omzet, registered, support, support_day
    loans: pd.DataFrame          # person, family, bank, scheme, plafon, akad, tenor, kolektibilitas
    house_surveys: pd.DataFrame  # family, person, day, status
    renovations: pd.DataFrame    # family, person, kegiatan, sumber_dana, year, value, start, finish
    sanitation: pd.DataFrame     # family, person, jenis, sumber_dana, start, finish
    connections: pd.DataFrame    # number, family, person, golongan, program, installed


def house_need(population: Population, members: np.ndarray) -> np.ndarray:
    """warehouse.md's need_rumah: a poor floor, wall or roof, or less than 7.2 m² per person."""
    h = population.families.housing
    crowded = population.families.floor_area / np.maximum(members, 1) < 7.2
    return np.isin(h["jenis_lantai_terluas"], (7, 8)) | np.isin(h["jenis_dinding_terluas"], (4, 5, 6, 7)) \
        | np.isin(h["jenis_atap_terluas"], (6, 7, 8)) | crowded


def sanitation_need(population: Population) -> np.ndarray:
    h = population.families.housing
    return np.isin(h["fasilitas_bab"], (4, 5, 6)) | (h["jenis_kloset"] != 1) | ~np.isin(h["pembuangan_akhir_tinja"], (1, 2))


def water_need(population: Population) -> np.ndarray:
    return np.isin(population.families.housing["sumber_air_minum_utama"], (6, 8, 9, 11))


class EmpowermentPlanner:
    def __init__(self, seed: int, window: Window, population: Population) -> None:
        self.rng = stream(seed, "interventions")
        self.window = window
        self.population = population
        n0 = population.initial_families
        self.n0 = n0
        months = len(window)
        self.training_counts = self.rng.poisson(TRAINEES_PER_FAMILY * n0 / 12, months)
        if self.training_counts.sum() < 3:
            self.training_counts[self.rng.integers(0, months)] += 3
        self.trained = np.zeros(len(population.persons), dtype=bool)
        self.cohort_numbers: dict[tuple[int, int], int] = {}
        self.spouse = self._spouses()
        self.trainings: list[dict] = []
        self.businesses: list[dict] = [self._initial_businesses()]
        self.loans: list[dict] = []
        self.borrowers: set[int] = set()
        self.surveys: list[dict] = []
        self.renovations: list[dict] = []
        self.sanitation: list[dict] = []
        self.connections: list[dict] = [self._initial_connections()]
        self.connected = np.zeros(len(population.families), dtype=bool)
        self.connected[self.connections[0]["family"]] = True
        self.supported_count = 0
        self.hibah_count = 0

    # --- set-up ---------------------------------------------------------------------------------------------
    def _spouses(self) -> np.ndarray:
        persons = self.population.persons
        spouse = np.full(len(self.population.families), -1)
        is_spouse = np.flatnonzero(persons.relationship == SPOUSE)
        spouse[persons.family[is_spouse]] = is_spouse
        return spouse

    def _initial_businesses(self) -> dict:
        rng, population = self.rng, self.population
        families = population.families
        start = self.window.first_day
        initial = np.flatnonzero((families.origin == 0) & (rng.random(len(families)) < INITIAL_BUSINESS_SHARE))
        owner = np.where((self.spouse[initial] >= 0) & (rng.random(len(initial)) < 0.4), self.spouse[initial], families.head[initial])
        keep = population.persons.died_on[owner] > start
        initial, owner = initial[keep], owner[keep]
        n = len(owner)
        support = np.array(["TIDAK", "PELATIHAN_WIRAUSAHA", "PENDAMPINGAN"], dtype=object)[categorical(rng, n, (75, 15, 10))]
        registered = rng.integers(start - 7 * 365, start - 30, n)
        support_day = np.where(support == "TIDAK", -1, registered + rng.integers(30, 400, n)).clip(max=start - 1)
        return self._business_rows(initial, owner, registered, support, support_day)

    def _business_rows(self, family, owner, registered, support=None, support_day=None, sector=None) -> dict:
        rng, n = self.rng, len(owner)
        if sector is None:
            sector = np.array(SECTORS, dtype=object)[categorical(rng, n, _SECTOR_WEIGHTS)]
        poverty = 1.0 / (1.0 + np.exp(self.population.families.z0[family]))
        omzet = (np.exp(rng.normal(np.log(3_000_000 + 20_000_000 * (1 - poverty)), 0.6, n)) // 50_000 * 50_000).astype(np.int64)
        has_nib = rng.random(n) < 0.45 + 0.4 * (1 - poverty)
        names = self.population.persons.name[owner]
        business = np.empty(n, dtype=object)
        template_pick = rng.integers(0, 100, n)
        for i in range(n):
            templates = _BUSINESS_TEMPLATES[sector[i]]
            business[i] = templates[template_pick[i] % len(templates)].format(_first_name(names[i]))
        return {
            "person": owner.astype(np.int64), "family": family.astype(np.int64), "name": business,
            "has_nib": has_nib, "sector": sector, "omzet": omzet, "registered": registered.astype(np.int64),
            "support": np.full(n, "TIDAK", dtype=object) if support is None else support,
            "support_day": np.full(n, -1, dtype=np.int64) if support_day is None else support_day.astype(np.int64),
        }

    def _initial_connections(self) -> dict:
        rng, families = self.rng, self.population.families
        start = self.window.first_day
        water = families.housing["sumber_air_minum_utama"]
        # Families drinking bottled or refill water often still have a PDAM tap for everything else.
        connected = (families.since < start) & ((water == 3) | (np.isin(water, (1, 2)) & (rng.random(len(families)) < 0.5)))
        family = np.flatnonzero(connected)
        poverty = 1.0 / (1.0 + np.exp(families.z0[family]))
        golongan = np.where(poverty > 0.5, "RUMAH_TANGGA_A", "RUMAH_TANGGA_B").astype(object)
        draw = rng.random(len(family))
        golongan[draw < 0.03] = "NIAGA"
        golongan[(draw >= 0.03) & (draw < 0.04)] = "SOSIAL_UMUM"
        return {"family": family, "person": families.head[family], "golongan": golongan,
                "program": np.full(len(family), "REGULER", dtype=object),
                "installed": np.maximum(families.since[family], start - rng.integers(60, 20 * 365, len(family)))}

    # --- monthly planning -----------------------------------------------------------------------------------
    def plan_month(self, t: int, view: RegistryView):
        """Plan month t's interventions; yield (families, effect month index, welfare lift) for the simulation."""
        yield from self._train(t, view)
        self._register_businesses(t)
        yield from self._support_businesses(t, view)
        yield from self._lend(t, view)
        if t == 0 or self.window.year_month(t)[1] == 1:
            yield from self._housing_programmes(t, view)
        yield from self._connect_water(t, view)

    def _month_of(self, days: np.ndarray) -> np.ndarray:
        return self.window.period_index_of_days(days)

    def _train(self, t, view):
        rng, persons = self.rng, self.population.persons
        count = int(self.training_counts[t])
        first, last = self.window.period_first_day(t), self.window.period_last_day(t)
        if not count:
            return
        family_now = persons.family_on(first)
        age = years_between(persons.birth, first)
        eligible = persons.present_on(first) & (age >= 18) & (age <= 45) & ~self.trained & ~view.left_behind[family_now]
        candidates = np.flatnonzero(eligible)
        if not len(candidates):
            return
        weight = np.where(view.poor[family_now[candidates]], 6.0, 1.0)
        chosen = rng.choice(candidates, size=min(count, len(candidates)), replace=False, p=weight / weight.sum())
        self.trained[chosen] = True
        n = len(chosen)
        cohorts = max(1, -(-n // 12))
        course = rng.integers(0, len(COURSES), cohorts)
        cohort_start = rng.integers(first, max(first + 1, last - 3), cohorts)
        year = self.window.year_month(t)[0]
        cohort_names, providers = [], []
        for c in course:
            number = self.cohort_numbers.get((int(c), year), 0) + 1
            self.cohort_numbers[(int(c), year)] = number
            cohort_names.append(f"{COURSES[c].title} Angkatan {_ROMAN[min(number, len(_ROMAN)) - 1]} Tahun {year}")
            providers.append(COURSES[c].providers[rng.integers(0, len(COURSES[c].providers))])
        member_of = rng.integers(0, cohorts, n)
        start = cohort_start[member_of]
        end = start + np.array([COURSES[c].days for c in course])[member_of]
        result = np.array(["LULUS", "TIDAK LULUS", "MENGUNDURKAN DIRI"], dtype=object)[categorical(rng, n, (85, 7, 8))]
        after = np.array(["BEKERJA", "WIRAUSAHA", "BELUM BEKERJA", ""], dtype=object)[categorical(rng, n, (25, 20, 45, 10))]
        after[result != "LULUS"] = ""
        placed = np.isin(after, ("BEKERJA", "WIRAUSAHA"))
        placement = np.where(placed, end + rng.integers(14, 120, n), -1)
        family = family_now[chosen]
        self.trainings.append({
            "person": chosen, "family": family, "course": course[member_of],
            "cohort_name": np.array(cohort_names, dtype=object)[member_of],
            "provider": np.array(providers, dtype=object)[member_of],
            "start": start, "end": end, "result": result, "after": after, "placement": placement,
        })
        yield family[placed], self._month_of(placement[placed]), np.array([LIFT[a] for a in after[placed]], dtype=np.float32)
        opens = (after == "WIRAUSAHA") & (rng.random(n) < 0.7)
        if opens.any():
            sector = np.array([COURSES[c].sector for c in course[member_of][opens]], dtype=object)
            registered = placement[opens] + rng.integers(0, 45, opens.sum())
            self.businesses.append(self._business_rows(family[opens], chosen[opens], registered, sector=sector))

    def _register_businesses(self, t) -> None:
        """Businesses registered without a programme behind them."""
        rng, persons = self.rng, self.population.persons
        first, last = self.window.period_first_day(t), self.window.period_last_day(t)
        organic = rng.poisson(NEW_BUSINESSES_PER_FAMILY * self.n0 / 12)
        age = years_between(persons.birth, first)
        adults = np.flatnonzero(persons.present_on(first) & (age >= 20) & (age <= 60))
        if organic and len(adults):
            owners = rng.choice(adults, size=min(organic, len(adults)), replace=False)
            family = persons.family_on(first)[owners]
            self.businesses.append(self._business_rows(family, owners, rng.integers(first, last + 1, len(owners))))

    def _support_businesses(self, t, view):
        rng = self.rng
        first, last = self.window.period_first_day(t), self.window.period_last_day(t)
        registered = np.concatenate([b["registered"] for b in self.businesses])
        support = np.concatenate([b["support"] for b in self.businesses])
        family = np.concatenate([b["family"] for b in self.businesses])
        owner = np.concatenate([b["person"] for b in self.businesses])
        open_ = (registered < first) & (support == "TIDAK") & self.population.persons.present_on(first)[owner] & ~view.left_behind[family]
        p = np.where(view.poor[family], 0.015, 0.003)
        chosen = open_ & (rng.random(len(p)) < p)
        if t == len(self.window) - 1 and not self.supported_count and not chosen.any() and open_.any():
            chosen[rng.choice(np.flatnonzero(open_))] = True
        if not chosen.any():
            return
        kind = np.array(["PELATIHAN_WIRAUSAHA", "PENDAMPINGAN"], dtype=object)[rng.integers(0, 2, chosen.sum())]
        days = rng.integers(first, last + 1, chosen.sum())
        self._set_business_support(np.flatnonzero(chosen), kind, days)
        self.supported_count += int(chosen.sum())
        lifted = view.poor[family[chosen]]
        yield family[chosen][lifted], np.full(lifted.sum(), t + 1), np.full(lifted.sum(), LIFT["support"], dtype=np.float32)

    def _set_business_support(self, flat_index, kind, days) -> None:
        offsets = np.cumsum([0] + [len(b["person"]) for b in self.businesses])
        for block, (low, high) in enumerate(pairwise(offsets)):
            inside = (flat_index >= low) & (flat_index < high)
            self.businesses[block]["support"][flat_index[inside] - low] = kind[inside]
            self.businesses[block]["support_day"][flat_index[inside] - low] = days[inside]

    def _lend(self, t, view):
        rng = self.rng
        first, last = self.window.period_first_day(t), self.window.period_last_day(t)
        registered = np.concatenate([b["registered"] for b in self.businesses])
        family = np.concatenate([b["family"] for b in self.businesses])
        owner = np.concatenate([b["person"] for b in self.businesses])
        open_ = (registered < first) & self.population.persons.present_on(first)[owner] & ~view.left_behind[family] \
            & ~np.isin(owner, list(self.borrowers))
        # Banks lend more readily to better-off owners.
        p = np.where(view.poor[family], 0.004, 0.006)
        chosen = open_ & (rng.random(len(p)) < p)
        if t == len(self.window) - 1 and len(self.borrowers) + chosen.sum() < 2 and open_.any():
            extra = rng.choice(np.flatnonzero(open_ & ~chosen), size=min(2, int((open_ & ~chosen).sum())), replace=False)
            chosen[extra] = True
        if not chosen.any():
            return
        idx = np.flatnonzero(chosen)
        _, first_of_owner = np.unique(owner[idx], return_index=True)
        idx = idx[np.sort(first_of_owner)]
        n = len(idx)
        scheme = np.array(["SUPER_MIKRO", "MIKRO", "KECIL"], dtype=object)[categorical(rng, n, (60, 35, 5))]
        plafon = np.select([scheme == "SUPER_MIKRO", scheme == "MIKRO"],
                           [rng.integers(2, 11, n) * 1_000_000, rng.integers(3, 21, n) * 5_000_000],
                           default=rng.integers(21, 101, n) * 5_000_000)
        self.loans.append({
            "person": owner[idx], "family": family[idx],
            "bank": np.array(BANKS, dtype=object)[categorical(rng, n, _BANK_WEIGHTS)],
            "scheme": scheme, "plafon": plafon, "akad": rng.integers(first, last + 1, n),
            "tenor": np.array([12, 24, 36, 48, 60])[categorical(rng, n, (25, 35, 25, 8, 7))],
            "kolektibilitas": 1 + categorical(rng, n, (88, 6, 2, 1, 3)),
        })
        self.borrowers.update(owner[idx].tolist())
        lifted = view.poor[family[idx]]
        yield family[idx][lifted], np.full(lifted.sum(), t + 1), np.full(lifted.sum(), LIFT["kur"], dtype=np.float32)

    def _housing_programmes(self, t, view):
        """The programme year starts: survey houses, pick renovations and sanitation grants for the year."""
        rng, population = self.rng, self.population
        families = population.families
        first, last = self.window.period_first_day(t), self.window.period_last_day(t)
        year = self.window.year_month(t)[0]
        survey_day = rng.integers(first, last + 1)
        members = alive_members_on(population, survey_day)
        present = (families.since <= survey_day) & (families.moved_on > survey_day) & (members > 0) & ~view.left_behind
        representative = representatives_on(population, survey_day)
        need = house_need(population, members)
        n = len(families)
        listed_desil = view.in_dtsen & (view.desil >= 1)
        surveyed_need = present & need & listed_desil & (view.desil <= 5) & (rng.random(n) < 0.8)
        surveyed_fine = present & ~need & view.poor & (rng.random(n) < 0.05)
        surveyed = np.flatnonzero(surveyed_need | surveyed_fine)
        status = np.where(need[surveyed] & (rng.random(len(surveyed)) < 0.95), "RTLH", "LAYAK").astype(object)
        self.surveys.append({"family": surveyed, "person": representative[surveyed],
                             "day": np.full(len(surveyed), survey_day), "status": status, "year": np.full(len(surveyed), year)})

        rtlh = surveyed[status == "RTLH"]
        count = min(len(rtlh), max(2, int(rng.poisson(RENOVATIONS_PER_FAMILY * self.n0))))
        if count:
            weight = np.where(view.poor[rtlh], 5.0, 1.0)
            chosen = rng.choice(rtlh, size=count, replace=False, p=weight / weight.sum())
            kind = categorical(rng, count, (50, 35, 15))
            value = np.select([kind == 0, kind == 1], [np.full(count, 20_000_000), rng.integers(50, 71, count) * 500_000],
                              default=rng.integers(30, 61, count) * 500_000)
            funding = np.array([RENOVATION_KINDS[k][1] for k in kind], dtype=object)
            funding[(kind == 2) & (rng.random(count) < 0.3)] = "BAZNAS"
            start = np.maximum(_day_in_year(rng, year, 4, 7, count), survey_day + 30 + rng.integers(0, 60, count))
            finish = start + rng.integers(60, 150, count)
            self.renovations.append({
                "family": chosen, "person": representative[chosen],
                "kegiatan": np.array([RENOVATION_KINDS[k][0] for k in kind], dtype=object),
                "sumber_dana": funding, "year": np.full(count, year), "value": value, "start": start, "finish": finish,
            })
            yield chosen, self._month_of(finish), np.full(count, LIFT["renovation"], dtype=np.float32)

        candidates = np.flatnonzero(present & sanitation_need(population) & view.poor)
        count = min(len(candidates), max(2, int(rng.poisson(SANITATION_PER_FAMILY * self.n0))))
        if count:
            chosen = rng.choice(candidates, size=count, replace=False)
            h = families.housing
            to_river = np.isin(h["pembuangan_akhir_tinja"][chosen], (3, 5)) & (rng.random(count) < 0.35)
            no_toilet = np.isin(h["fasilitas_bab"][chosen], (4, 5, 6)) | (h["jenis_kloset"][chosen] != 1)
            jenis = np.where(to_river, "SAMBUNGAN_IPAL_KOMUNAL",
                             np.where(no_toilet & (rng.random(count) < 0.5), "JAMBAN_SEHAT", "TANGKI_SEPTIK_INDIVIDUAL")).astype(object)
            start = np.maximum(_day_in_year(rng, year, 3, 8, count), survey_day + 14)
            finish = start + rng.integers(30, 100, count)
            self.sanitation.append({
                "family": chosen, "person": representative[chosen], "jenis": jenis,
                "sumber_dana": np.array(["APBD", "DAK", "CSR", "BAZNAS"], dtype=object)[categorical(rng, count, (45, 30, 15, 10))],
                "start": start, "finish": finish,
            })
            yield chosen, self._month_of(finish), np.full(count, LIFT["sanitation"], dtype=np.float32)

    def _connect_water(self, t, view):
        rng, population = self.rng, self.population
        families = population.families
        first, last = self.window.period_first_day(t), self.window.period_last_day(t)
        count = int(rng.poisson(HIBAH_PER_FAMILY * self.n0 / 12))
        if t == len(self.window) - 1:
            count = max(count, 2 - self.hibah_count)
        head_alive = population.persons.died_on[families.head] > last
        candidates = np.flatnonzero(water_need(population) & view.poor & ~self.connected & head_alive
                                    & (families.since <= first) & (families.moved_on > last))
        count = min(count, len(candidates))
        if not count:
            return
        chosen = rng.choice(candidates, size=count, replace=False)
        self.connected[chosen] = True
        self.hibah_count += count
        installed = rng.integers(first, last + 1, count)
        self.connections.append({"family": chosen, "person": families.head[chosen],
                                 "golongan": np.full(count, "RUMAH_TANGGA_MBR", dtype=object),
                                 "program": np.full(count, "HIBAH_MBR", dtype=object), "installed": installed})
        yield chosen, self._month_of(installed) + 1, np.full(count, LIFT["water"], dtype=np.float32)

    # --- results --------------------------------------------------------------------------------------------
    def result(self) -> Interventions:
        def frame(blocks: list[dict], columns: list[str]) -> pd.DataFrame:
            if not blocks:
                return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
            return pd.concat([pd.DataFrame(b) for b in blocks], ignore_index=True)[columns]

        businesses = frame(self.businesses, ["person", "family", "name", "has_nib", "sector", "omzet", "registered",
                                             "support", "support_day"])
        nib = unique_random_integers(self.rng, len(businesses), 10**12, 10**13 - 1)
        businesses["nib"] = np.where(businesses.pop("has_nib").to_numpy(bool), nib, 0)
        connections = frame(self.connections, ["family", "person", "golongan", "program", "installed"])
        kecamatan = self.population.families.kelurahan[connections["family"].to_numpy(np.int64)]
        numbers = unique_random_integers(self.rng, len(connections), 10**7, 10**8)
        connections.insert(0, "number", (load_geography().kecamatan_numbers[kecamatan] * 10**8 + numbers).astype(np.int64))
        return Interventions(
            trainings=frame(self.trainings, ["person", "family", "course", "cohort_name", "provider", "start", "end",
                                             "result", "after", "placement"]),
            businesses=businesses,
            loans=frame(self.loans, ["person", "family", "bank", "scheme", "plafon", "akad", "tenor", "kolektibilitas"]),
            house_surveys=frame(self.surveys, ["family", "person", "day", "status", "year"]),
            renovations=frame(self.renovations, ["family", "person", "kegiatan", "sumber_dana", "year", "value", "start", "finish"]),
            sanitation=frame(self.sanitation, ["family", "person", "jenis", "sumber_dana", "start", "finish"]),
            connections=connections,
        )



def _day_in_year(rng, year: int, first_month: int, last_month: int, n: int) -> np.ndarray:
    low = day_of(dt.date(year, first_month, 1))
    high = day_of(dt.date(year, last_month, 28))
    return rng.integers(low, high + 1, n)


def _first_name(name: str) -> str:
    """The name a business is called by: the first word that is not a title (`Hj. Siti Aisyah` -> `Siti`)."""
    for word in name.split(", ")[0].split():
        if word not in _TITLES:
            return word
    return name.split()[0]
