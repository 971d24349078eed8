"""Families and people of a synthetic Pontianak, with their demography over the reporting window.

Everyone who will ever appear is created up front (people alive at the start, babies born in the window, spouses
and families who arrive), so that NIK and KK numbers are unique across the whole run and every later stage only
asks "what is true on day d". Family membership changes at most once per person: an adult child who marries out
leaves for a new family with a new KK on `switch_on`.

A family's KK number can also change while the family stays the same: when the head dies, Dukcapil issues the
survivors a new KK with a new number (Permendagri 108/2019 lists "penggantian kepala keluarga" under penerbitan KK
baru; a KK number is not inherited). Registers that copy KK numbers from Dukcapil (DTSEN, programme lists) learn
the new number months later (`reissue_listed_on`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from itertools import pairwise

import numpy as np

from tkpkd_synth.dates import NO_DATE, Window, years_between
from tkpkd_synth.desil import poverty_weight, thresholds_from
from tkpkd_synth.geography import (
    PLACES,
    PONTIANAK_BIRTHPLACE,
    PONTIANAK_CODE,
    Geography,
    NeighbourhoodLayout,
    addresses,
)
from tkpkd_synth.identifiers import kk_numbers, niks, nokas
from tkpkd_synth.names import ETHNICITIES, ETHNICITY_SHARES, family_clans, person_names
from tkpkd_synth.randomness import at_least, categorical, categorical_rows, mix_by_poverty, stream

HEAD, SPOUSE, CHILD, CHILD_IN_LAW, GRANDCHILD, PARENT, HELPER, OTHER = 1, 2, 3, 4, 5, 6, 7, 8
INITIAL, SPLIT, ARRIVED = 0, 1, 2
MALE, FEMALE = 1, 2

# Household size 1..8 for poor and better-off families: poor households are larger. Mean about 3.5 persons, which
# gives Pontianak's ~690,000 people in ~195,000 families.
_SIZE_POOR = (8, 14, 21, 23, 16, 9, 5, 4)
_SIZE_RICH = (12, 20, 26, 22, 11, 5.5, 2.2, 1.3)

# Regsosek codes (contract): poor and better-off distributions, blended by each family's poverty weight.
HOUSING_CODES = {
    "status_kepemilikan_rumah": ((55, 25, 15, 1, 4), (75, 15, 5, 4, 1)),
    # Pontianak's riverside houses stand on stilts: wooden floors and walls are common among the poor.
    "jenis_lantai_terluas": ((0, 10, 1, 5, 50, 20, 5, 6, 3), (8, 65, 3, 7, 12, 5, 0, 0, 0)),
    "jenis_dinding_terluas": ((25, 3, 55, 5, 3, 4, 5), (80, 2, 17, 0.5, 0.2, 0.1, 0.2)),
    "jenis_atap_terluas": ((1, 2, 70, 12, 5, 2, 7, 1), (15, 10, 55, 15, 5, 0, 0, 0)),
    # Rainwater (10) and refill water (2) are how much of Pontianak drinks.
    "sumber_air_minum_utama": ((3, 30, 20, 3, 2, 8, 1, 2, 6, 22, 3), (25, 45, 22, 3, 1, 1, 0, 0, 0, 3, 0)),
    "fasilitas_bab": ((55, 12, 8, 6, 3, 16), (95, 3, 1, 0.5, 0.3, 0.2)),
    "jenis_kloset": ((60, 15, 10, 15), (97, 2, 0.5, 0.5)),
    # Many riverside toilets drain straight into the parit (3).
    "pembuangan_akhir_tinja": ((45, 2, 35, 8, 3, 7), (88, 4, 6, 1, 0.5, 0.5)),
    "sumber_penerangan_utama": ((80, 15, 3, 2), (99, 0.8, 0.1, 0.1)),
    "bahan_bakar_utama_memasak": ((1, 2, 1, 85, 0, 0, 3, 0, 1, 5, 1, 1), (5, 10, 30, 50, 1, 0.2, 0.5, 0, 0, 0.1, 0.1, 3)),
}

# Chronic conditions 1-9 (penyakit_kronis); 3 stands for tuberculosis, which puskesmas treat monthly.
CHRONIC_TB = 3
_CHRONIC_WEIGHTS = (38, 20, 5, 10, 8, 5, 4, 3, 7)

# Annual rates of demographic events.
FAMILY_MOVE_RATE = 0.02
SPLIT_RATE = 0.05
ARRIVAL_RATE = 0.015
# Share of families who report their head's death and get a new KK, 2 weeks to 5 months after the death; the
# registers copying Dukcapil write the new number 4 to 10 months after that.
REISSUE_SHARE = 0.8
REISSUE_DELAY_DAYS = (14, 150)
REISSUE_LISTING_LAG_DAYS = (120, 300)
_FERTILITY = ((17, 0.06), (20, 0.15), (25, 0.17), (30, 0.14), (35, 0.08), (40, 0.025), (45, 0.0))


@dataclass
class Families:
    kk: np.ndarray
    kelurahan: np.ndarray
    rw: np.ndarray
    rt: np.ndarray
    address: np.ndarray
    since: np.ndarray        # the day the family exists in Pontianak (KK issue); before the window for most
    origin: np.ndarray       # INITIAL, SPLIT or ARRIVED
    moved_on: np.ndarray     # the day the whole family left the city, or NO_DATE
    z0: np.ndarray           # welfare score at the window start (or at formation)
    ethnicity: np.ndarray
    clan: np.ndarray
    head: np.ndarray         # person index of the head
    floor_area: np.ndarray   # luas_lantai, m²
    reissued_kk: np.ndarray  # the KK number issued after the head died, or 0
    reissued_on: np.ndarray  # the day Dukcapil issued it, or NO_DATE
    reissue_listed_on: np.ndarray  # the day registers copying Dukcapil start writing it, or NO_DATE
    housing: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.kk)

    def kk_on(self, family: np.ndarray, day: int | np.ndarray) -> np.ndarray:
        """The family's KK number in Dukcapil, the issuer, on `day`."""
        return np.where(self.reissued_on[family] <= day, self.reissued_kk[family], self.kk[family])

    def listed_kk_on(self, family: np.ndarray, day: int | np.ndarray) -> np.ndarray:
        """The family's KK number as registers and lists that copy Dukcapil late write it on `day`."""
        return np.where(self.reissue_listed_on[family] <= day, self.reissued_kk[family], self.kk[family])


@dataclass
class Persons:
    nik: np.ndarray
    name: np.ndarray
    sex: np.ndarray
    birth: np.ndarray
    since: np.ndarray        # birth or arrival day; before the window for people already here
    family: np.ndarray       # first family
    relationship: np.ndarray  # in the first family
    new_family: np.ndarray   # family after switch_on, or -1
    new_relationship: np.ndarray
    switch_on: np.ndarray
    died_on: np.ndarray
    moved_on: np.ndarray
    mother: np.ndarray       # for babies born in the window, the mother's person index; else -1
    birthplace: np.ndarray
    chronic: np.ndarray      # penyakit_kronis 0-9
    disability: np.ndarray   # 0/1
    works: np.ndarray        # bool: has work when of working age
    school_until: np.ndarray  # age at which schooling stopped (0: never went)
    noka: np.ndarray         # BPJS card number, used when the person is a JKN member

    def __len__(self) -> int:
        return len(self.nik)

    def family_on(self, day: int | np.ndarray) -> np.ndarray:
        return np.where(self.switch_on <= day, self.new_family, self.family)

    def relationship_on(self, day: int | np.ndarray) -> np.ndarray:
        return np.where(self.switch_on <= day, self.new_relationship, self.relationship)

    def present_on(self, day: int) -> np.ndarray:
        """Born or arrived, alive, and still living in the city."""
        return (self.since <= day) & (self.died_on > day) & (self.moved_on > day)


@dataclass
class Population:
    families: Families
    persons: Persons
    layout: NeighbourhoodLayout
    thresholds: np.ndarray   # desil boundaries on the welfare score
    initial_families: int


def _concat(blocks: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {key: np.concatenate([block[key] for block in blocks]) for key in blocks[0]}


def build_population(seed: int, window: Window, geography: Geography, family_count: int) -> Population:
    rng = stream(seed, "population")
    start, end = window.first_day, window.last_day

    # --- initial families ---------------------------------------------------------------------------------
    kelurahan = categorical(rng, family_count, geography.sizes).astype(np.int16)
    z0 = rng.normal(0.0, 1.0, family_count) + geography.welfare_shifts[kelurahan]
    thresholds = thresholds_from(z0)
    layout = NeighbourhoodLayout.plan(rng, np.bincount(kelurahan, minlength=len(geography.kelurahan)))
    families = _new_families(rng, geography, layout, thresholds, kelurahan, z0,
                             since=rng.integers(start - 15 * 365, start - 30, family_count),
                             origin=np.full(family_count, INITIAL, dtype=np.int8),
                             ethnicity=categorical(rng, family_count, ETHNICITY_SHARES).astype(np.int8))
    initial = _initial_members(rng, families, thresholds, start)

    # --- the window's demography --------------------------------------------------------------------------
    years = window.years
    poverty = poverty_weight(families["z0"], thresholds)
    poor_family = poverty > 0.5
    family_size = np.bincount(initial["family"], minlength=family_count)
    early_days = max(1, window.days // 3)
    moved = rng.random(family_count) < 1 - np.exp(-FAMILY_MOVE_RATE * years)
    families["moved_on"][moved] = rng.integers(start, end + 1, moved.sum())
    # Even the tiny scale needs a poor family that moves away and a poor person living alone who dies early in
    # the window, so that verification files can report `Pindah` and `Meninggal`.
    early_move = at_least(rng, moved & poor_family, poor_family, 2) & ~moved
    families["moved_on"][early_move] = rng.integers(start, start + early_days, early_move.sum())

    age = years_between(initial["birth"], start)
    hazard = 0.0007 * np.exp(0.09 * (age - 30)) * (1 + 0.5 * poverty[initial["family"]])
    hazard = np.where(age == 0, 0.01, hazard)
    dies = at_least(rng, rng.random(len(age)) < 1 - np.exp(-hazard * years), np.ones(len(age), bool), 3)
    initial["died_on"][dies] = rng.integers(start, end + 1, dies.sum())
    alone = (family_size[initial["family"]] == 1) & poor_family[initial["family"]]
    early_death = at_least(rng, dies & alone, alone, 1) & ~dies
    # In the first month, so the first verification round already finds the house empty.
    initial["died_on"][early_death] = rng.integers(start, start + 28, early_death.sum())

    blocks = [initial]
    family_blocks = [families]
    next_person = len(initial["birth"])
    next_family = family_count

    # Adult children marry out: a new family with a new KK, sometimes with a spouse who moves in from elsewhere.
    eligible = (initial["relationship"] == CHILD) & (age >= 22) & (age <= 36) & (family_size[initial["family"]] >= 3)
    splits = np.flatnonzero(at_least(rng, rng.random(len(age)) < 1 - np.exp(-SPLIT_RATE * years), eligible, 2))
    switch = rng.integers(start, end + 1, len(splits))
    parent_family = initial["family"][splits]
    keep = (switch < initial["died_on"][splits]) & (switch < families["moved_on"][parent_family])
    splits, switch, parent_family = splits[keep], switch[keep], parent_family[keep]
    if len(splits):
        same_place = rng.random(len(splits)) < 0.7
        new_kelurahan = np.where(same_place, families["kelurahan"][parent_family],
                                 categorical(rng, len(splits), geography.sizes)).astype(np.int16)
        new_z = families["z0"][parent_family] - 0.3 + rng.normal(0, 0.5, len(splits))
        split_families = _new_families(rng, geography, layout, thresholds, new_kelurahan, new_z, since=switch,
                                       origin=np.full(len(splits), SPLIT, dtype=np.int8),
                                       ethnicity=families["ethnicity"][parent_family])
        split_families["clan"] = families["clan"][parent_family]
        split_ids = np.arange(next_family, next_family + len(splits))
        split_families["head"] = splits
        initial["new_family"][splits] = split_ids
        initial["new_relationship"][splits] = HEAD
        initial["switch_on"][splits] = switch
        family_blocks.append(split_families)
        with_spouse = rng.random(len(splits)) < 0.5
        spouse_sex = np.where(initial["sex"][splits] == MALE, FEMALE, MALE)[with_spouse]
        spouse_age = (age[splits][with_spouse] + rng.integers(-4, 5, with_spouse.sum())).clip(19)
        spouses = _people(len(spouse_sex), family=split_ids[with_spouse], relationship=SPOUSE, sex=spouse_sex,
                          birth=start - spouse_age * 365 - rng.integers(0, 365, len(spouse_sex)),
                          since=switch[with_spouse])
        blocks.append(spouses)
        next_person += len(spouse_sex)
        next_family += len(splits)

    # Families arrive from elsewhere in Kalbar or Indonesia.
    arrivals = max(2, int(rng.poisson(ARRIVAL_RATE * family_count * years)))
    arrival_day = rng.integers(start, end + 1, arrivals)
    arrived = _new_families(rng, geography, layout, thresholds,
                            categorical(rng, arrivals, geography.sizes).astype(np.int16),
                            rng.normal(-0.15, 1.0, arrivals), since=arrival_day,
                            origin=np.full(arrivals, ARRIVED, dtype=np.int8),
                            ethnicity=categorical(rng, arrivals, ETHNICITY_SHARES).astype(np.int8))
    arrived_members = _arrived_members(rng, arrived, start, first_id=next_family, first_person=next_person)
    family_blocks.append(arrived)
    blocks.append(arrived_members)

    families = _concat(family_blocks)
    people = _concat(blocks)
    babies = _births(rng, people, families, start, end)
    people = _concat([people, babies])
    people["moved_on"] = _moves_of_members(people, families)
    population = _finish(rng, geography, layout, thresholds, families, people, family_count, start)
    _reissue_kks(stream(seed, "kk-reissue"), population, geography, start, end)
    return population


def _new_families(rng, geography, layout, thresholds, kelurahan, z0, since, origin, ethnicity) -> dict[str, np.ndarray]:
    n = len(kelurahan)
    poverty = poverty_weight(z0, thresholds)
    rw, rt = layout.place(rng, kelurahan)
    housing = {column: mix_by_poverty(rng, poverty, poor, rich).astype(np.int8) for column, (poor, rich) in HOUSING_CODES.items()}
    # Regsosek records whole square metres, sometimes with a half.
    floor_area = np.round(np.exp(rng.normal(np.log(28 + 62 * (1 - poverty)), 0.35)) * 2) / 2
    return {
        "kk": np.zeros(n, dtype=np.int64),
        "kelurahan": kelurahan,
        "rw": rw,
        "rt": rt,
        "address": addresses(rng, geography.kecamatan_numbers[kelurahan], poverty),
        "since": np.asarray(since, dtype=np.int64),
        "origin": origin,
        "moved_on": np.full(n, NO_DATE, dtype=np.int64),
        "z0": z0,
        "ethnicity": ethnicity,
        "clan": family_clans(rng, ethnicity),
        "head": np.full(n, -1, dtype=np.int64),
        "floor_area": floor_area.clip(9, 400),
        **{f"housing:{k}": v for k, v in housing.items()},
    }


def _people(n: int, *, family, relationship, sex, birth, since, mother=None) -> dict[str, np.ndarray]:
    def full(value, dtype):
        return np.full(n, value, dtype=dtype)

    return {
        "sex": np.asarray(sex, dtype=np.int8),
        "birth": np.asarray(birth, dtype=np.int64),
        "since": np.broadcast_to(np.asarray(since, dtype=np.int64), (n,)).copy(),
        "family": np.asarray(family, dtype=np.int64),
        "relationship": np.broadcast_to(np.asarray(relationship, dtype=np.int8), (n,)).copy(),
        "new_family": full(-1, np.int64),
        "new_relationship": full(0, np.int8),
        "switch_on": full(NO_DATE, np.int64),
        "died_on": full(NO_DATE, np.int64),
        "mother": full(-1, np.int64) if mother is None else np.asarray(mother, dtype=np.int64),
    }


def _initial_members(rng, families, thresholds, start) -> dict[str, np.ndarray]:
    n_families = len(families["kk"])
    poverty = poverty_weight(families["z0"], thresholds)
    size = mix_by_poverty(rng, poverty, _SIZE_POOR, _SIZE_RICH)
    family = np.repeat(np.arange(n_families), size)
    position = np.arange(len(family)) - np.repeat(np.cumsum(size) - size, size)
    n = len(family)

    has_spouse = (size >= 2) & (rng.random(n_families) < 0.86)
    single = size == 1
    female_head = rng.random(n_families) < np.where(single | ~has_spouse, 0.45, 0.04)
    head_age = np.where(single,
                        np.where(rng.random(n_families) < 0.4, rng.integers(21, 36, n_families), rng.integers(55, 88, n_families)),
                        rng.normal(45, 11, n_families).clip(21, 88)).astype(np.int64)
    spouse_age = (head_age + np.where(female_head, 3, -3) + rng.normal(0, 4, n_families)).clip(18, 95).astype(np.int64)
    mother_age = np.where(female_head, head_age, np.where(has_spouse, spouse_age, head_age - 3))

    kind = categorical_rows(rng, np.tile([86, 5, 4, 2, 2, 1], (n, 1)).astype(float))
    other_kinds = np.array([CHILD, GRANDCHILD, PARENT, CHILD_IN_LAW, OTHER, HELPER], dtype=np.int8)[kind]
    # Only better-off households employ a live-in helper.
    other_kinds = np.where((other_kinds == HELPER) & (poverty[family] > 0.2), CHILD, other_kinds)
    relationship = np.where(position == 0, HEAD, np.where((position == 1) & has_spouse[family], SPOUSE, other_kinds)).astype(np.int8)

    f_head_age, f_mother_age = head_age[family], mother_age[family]
    u = rng.random(n)
    age = np.select(
        [relationship == HEAD, relationship == SPOUSE, relationship == CHILD, relationship == GRANDCHILD,
         relationship == PARENT, relationship == CHILD_IN_LAW, relationship == HELPER],
        [f_head_age, spouse_age[family], u * np.clip(f_mother_age - 18, 0, 35), u * np.clip(f_head_age - 40, 0, 15),
         (f_head_age + 22 + u * 10).clip(max=96), 20 + u * 20, 18 + u * 37],
        default=5 + u * 65,
    ).astype(np.int64)
    sex = np.where(rng.random(n) < 0.5, MALE, FEMALE)
    sex = np.where(relationship == HEAD, np.where(female_head[family], FEMALE, MALE), sex)
    sex = np.where(relationship == SPOUSE, np.where(female_head[family], MALE, FEMALE), sex)
    sex = np.where((relationship == HELPER) & (rng.random(n) < 0.8), FEMALE, sex)
    birth = start - age * 365 - rng.integers(0, 365, n) - age // 4

    families["head"][:] = np.flatnonzero(position == 0)
    return _people(n, family=family, relationship=relationship, sex=sex, birth=birth, since=start - 10_000)


def _arrived_members(rng, families, start, first_id, first_person) -> dict[str, np.ndarray]:
    n_families = len(families["kk"])
    size = 1 + categorical(rng, n_families, (30, 25, 20, 15, 10))
    family = np.repeat(np.arange(first_id, first_id + n_families), size)
    position = np.arange(len(family)) - np.repeat(np.cumsum(size) - size, size)
    n = len(family)
    head_age = rng.integers(22, 51, n_families)[family - first_id]
    relationship = np.where(position == 0, HEAD, np.where(position == 1, SPOUSE, CHILD)).astype(np.int8)
    female_head = (rng.random(n_families) < 0.12)[family - first_id]
    sex = np.where(rng.random(n) < 0.5, MALE, FEMALE)
    sex = np.where(relationship == HEAD, np.where(female_head, FEMALE, MALE), sex)
    sex = np.where(relationship == SPOUSE, np.where(female_head, MALE, FEMALE), sex)
    age = np.select([relationship == HEAD, relationship == SPOUSE],
                    [head_age, (head_age - 3 + rng.integers(-3, 4, n)).clip(18)],
                    default=rng.random(n) * (head_age - 20).clip(0)).astype(np.int64)
    families["head"][:] = first_person + np.flatnonzero(position == 0)
    return _people(n, family=family, relationship=relationship, sex=sex,
                   birth=start - age * 365 - rng.integers(0, 365, n), since=families["since"][family - first_id])


def _moves_of_members(people, families) -> np.ndarray:
    """A family's move takes along the members still in it and alive on that day."""
    move = families["moved_on"][people["family"]]
    still_member = people["switch_on"] > move
    return np.where(still_member & (people["died_on"] > move), move, NO_DATE)


def _births(rng, people, families, start, end) -> dict[str, np.ndarray]:
    mother_age = years_between(people["birth"], start)
    rate = np.zeros(len(mother_age))
    for (low, value), (high, _) in pairwise(_FERTILITY):
        rate[(mother_age >= low) & (mother_age < high)] = value
    eligible = (people["sex"] == FEMALE) & np.isin(people["relationship"], (HEAD, SPOUSE)) & (rate > 0)
    exposure_from = np.maximum(people["since"], start)
    years = np.clip(end - exposure_from, 0, None) / 365.25
    mothers = np.flatnonzero(at_least(rng, rng.random(len(rate)) < 1 - np.exp(-rate * years), eligible & (years > 0.1), 3))
    day = exposure_from[mothers] + (rng.random(len(mothers)) * (end - exposure_from[mothers])).astype(np.int64)
    family = people["family"][mothers]
    alive = (day < people["died_on"][mothers]) & (day < families["moved_on"][family]) & (day < people["switch_on"][mothers])
    mothers, day, family = mothers[alive], day[alive], family[alive]
    n = len(mothers)
    return _people(n, family=family, relationship=CHILD, sex=np.where(rng.random(n) < 0.51, MALE, FEMALE),
                   birth=day, since=day, mother=mothers)


def _finish(rng, geography, layout, thresholds, families, people, initial_count, start) -> Population:
    n = len(people["birth"])
    family_poverty = poverty_weight(families["z0"], thresholds)
    family = people["family"]
    poverty = family_poverty[family]
    age = years_between(people["birth"], start).clip(0)
    kecamatan = geography.kecamatan_numbers[families["kelurahan"]]

    # Where a person was first registered: NIK area and TMPT_LHR go together. Babies born here are Pontianak's.
    ethnicity = families["ethnicity"][family]
    migrant_heavy = np.isin(ethnicity, [ETHNICITIES.index("bugis"), ETHNICITIES.index("madurese")])
    local_share = np.where(age < 18, 0.9, np.where(migrant_heavy, 0.45, 0.7))
    local_share = np.where(families["origin"][family] == ARRIVED, 0.15, local_share)
    local_share = np.where(people["since"] == people["birth"], 1.0, local_share)
    local = rng.random(n) < local_share
    affinity = np.array([[p.weight * (4.0 if e in p.ethnicities else 1.0) for p in PLACES] for e in ETHNICITIES])
    place = categorical_rows(rng, affinity[ethnicity])
    place_code = np.array([p.code for p in PLACES])[place]
    place_kecamatan = 1 + (rng.random(n) * np.array([p.kecamatan_count for p in PLACES])[place]).astype(np.int64)
    own_kecamatan = np.where(rng.random(n) < 0.8, kecamatan[family], rng.integers(1, 7, n))
    area = np.where(local, PONTIANAK_CODE * 100 + own_kecamatan, place_code * 100 + place_kecamatan)
    birthplace = np.where(local, PONTIANAK_BIRTHPLACE, np.array([p.name for p in PLACES], dtype=object)[place]).astype(object)

    chronic_risk = (0.02 + 0.0065 * np.clip(age - 30, 0, None)).clip(max=0.4) * (1 + 0.3 * poverty)
    chronic = np.where(rng.random(n) < chronic_risk, 1 + categorical(rng, n, _CHRONIC_WEIGHTS), 0).astype(np.int8)
    disability = (rng.random(n) < (0.018 + 0.0015 * np.clip(age - 40, 0, None)) * (1 + 0.5 * poverty)).astype(np.int8)
    relationship = people["relationship"]
    work_share = np.select([(relationship == HEAD) & (people["sex"] == MALE), relationship == HEAD, relationship == SPOUSE],
                           [0.9, 0.65, 0.4], default=0.5) * (1 - 0.25 * poverty)
    works = rng.random(n) < work_share
    school_until = np.where(rng.random(n) < poverty, rng.integers(12, 20, n), rng.integers(17, 24, n))
    school_until = np.where((age >= 55) & (rng.random(n) < 0.3 * poverty), 0, school_until)

    clan = families["clan"][family]
    names = person_names(rng, ethnicity, people["sex"], age, clan, poverty)
    nik = niks(rng, area, people["birth"], people["sex"] == FEMALE)
    kk_area = PONTIANAK_CODE * 100 + kecamatan
    families["kk"] = kk_numbers(rng, kk_area, families["since"])
    families["reissued_kk"] = np.zeros(len(families["kk"]), dtype=np.int64)
    families["reissued_on"] = np.full(len(families["kk"]), NO_DATE, dtype=np.int64)
    families["reissue_listed_on"] = np.full(len(families["kk"]), NO_DATE, dtype=np.int64)

    persons = Persons(
        nik=nik, name=names, sex=people["sex"], birth=people["birth"], since=people["since"], family=family,
        relationship=relationship, new_family=people["new_family"], new_relationship=people["new_relationship"],
        switch_on=people["switch_on"], died_on=people["died_on"], moved_on=people["moved_on"],
        mother=people["mother"], birthplace=birthplace, chronic=chronic, disability=disability, works=works,
        school_until=school_until.astype(np.int8), noka=nokas(rng, n),
    )
    housing = {key.split(":", 1)[1]: value for key, value in families.items() if key.startswith("housing:")}
    family_fields = {f.name for f in fields(Families)} - {"housing"}
    return Population(
        families=Families(**{k: families[k] for k in family_fields}, housing=housing),
        persons=persons, layout=layout, thresholds=thresholds, initial_families=initial_count,
    )


def _reissue_kks(rng, population: Population, geography: Geography, start: int, end: int) -> None:
    """A new KK number for families whose head died in the window, where an adult member lives on in the city."""
    families, persons = population.families, population.persons
    n = len(families)
    delay = rng.integers(*REISSUE_DELAY_DAYS, n)
    poor = poverty_weight(families.z0, population.thresholds) > 0.5
    eligible = _reissue_eligible(population, delay, start, end)
    # Even the tiny scale needs poor families (so in DTSEN and on payout lists) whose KK is reissued early enough
    # for a later Dukcapil snapshot to show it: where too few heads died, a few more die early in the window.
    early = persons.died_on[families.head] + delay <= start + 2 * (end - start) // 3
    missing = 2 - int((eligible & poor & early).sum())
    if missing > 0:
        head = families.head
        mothers = np.unique(persons.mother[persons.mother >= 0])
        candidates = np.flatnonzero(poor & (persons.died_on[head] == NO_DATE) & (persons.new_family[head] < 0)
                                    & ~np.isin(head, mothers) & (families.moved_on == NO_DATE)
                                    & (families.since < start) & _adult_survivor(population, np.full(n, start)))
        dying = rng.choice(candidates, size=min(missing, len(candidates)), replace=False)
        persons.died_on[head[dying]] = rng.integers(start, start + (end - start) // 3, len(dying))
        eligible = _reissue_eligible(population, delay, start, end)
        early = persons.died_on[families.head] + delay <= start + 2 * (end - start) // 3
    reissued_on = persons.died_on[families.head] + delay
    chosen = eligible & (rng.random(n) < REISSUE_SHARE)
    chosen = np.flatnonzero(chosen | at_least(rng, chosen, eligible & poor & early, 2))
    area = PONTIANAK_CODE * 100 + geography.kecamatan_numbers[families.kelurahan[chosen]]
    families.reissued_kk[chosen] = kk_numbers(rng, area, reissued_on[chosen], issued=families.kk)
    families.reissued_on[chosen] = reissued_on[chosen]
    families.reissue_listed_on[chosen] = reissued_on[chosen] + rng.integers(*REISSUE_LISTING_LAG_DAYS, len(chosen))


def _adult_survivor(population: Population, day: np.ndarray) -> np.ndarray:
    """Per family, whether a member other than the head is an adult alive and in the family on the family's `day`."""
    families, persons = population.families, population.persons
    survivor = np.zeros(len(families), dtype=bool)
    for family, member in ((persons.family, persons.switch_on > day[persons.family]),
                           (persons.new_family, (persons.new_family >= 0) & (persons.switch_on <= day[persons.new_family]))):
        on = day[family]
        alive = member & (persons.since <= on) & (persons.died_on > on) & (years_between(persons.birth, on) >= 17)
        alive &= np.arange(len(persons)) != families.head[family]
        survivor[family[alive]] = True
    return survivor


def _reissue_eligible(population: Population, delay: np.ndarray, start: int, end: int) -> np.ndarray:
    families, persons = population.families, population.persons
    head_died = persons.died_on[families.head]
    return ((head_died >= start) & (head_died + delay <= end) & (families.moved_on > head_died + delay)
            & _adult_survivor(population, head_died))


def alive_members_on(population: Population, day: int) -> np.ndarray:
    """Per family, how many members are alive and born (moved-away members still count: they moved together)."""
    persons = population.persons
    alive = (persons.since <= day) & (persons.died_on > day)
    return np.bincount(persons.family_on(day)[alive], minlength=len(population.families))


def representatives_on(population: Population, day: int) -> np.ndarray:
    """Per family, the person a register names as its head on `day`: the head while alive, else the next member
    by relationship (a widow takes over), else the late head (whose death ends the family)."""
    persons = population.persons
    alive = np.flatnonzero((persons.since <= day) & (persons.died_on > day))
    family = persons.family_on(day)[alive]
    order = np.lexsort((persons.birth[alive], persons.relationship_on(day)[alive], family))
    family_sorted = family[order]
    first = np.r_[True, family_sorted[1:] != family_sorted[:-1]]
    result = population.families.head.copy()
    result[family_sorted[first]] = alive[order][first]
    return result
