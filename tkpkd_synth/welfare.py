"""Month by month: families' true welfare, the DTSEN registry's view of it, and the lurah's verification rounds.

The registry lags and errs the way the real one does: DTSEN re-assesses only some families each quarter (those the
kelurahan verified, new proposals, and a random share), its measurement is noisy, and families that moved or died
linger until someone reports them. Verification outcomes follow the truth on the day of the musyawarah, and feed
the next DTSEN snapshot. Empowerment interventions (jobs after training, business support, renovations) raise a
family's welfare a little later, so DTSEN desil improve more often for families that were reached.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tkpkd_synth.dates import NO_DATE, Window
from tkpkd_synth.desil import POOR_MAX_DESIL, desil_of
from tkpkd_synth.interventions import EmpowermentPlanner, Interventions, RegistryView
from tkpkd_synth.population import Population, alive_members_on, representatives_on
from tkpkd_synth.randomness import at_least, stream

LAYAK, TIDAK_LAYAK, PINDAH, MENINGGAL, TIDAK_DITEMUKAN, USULAN_BARU = (
    "Layak", "Tidak Layak", "Pindah", "Meninggal", "Tidak Ditemukan", "Usulan Baru",
)
INACTIVE_OUTCOMES = (PINDAH, MENINGGAL, TIDAK_DITEMUKAN)

MONTHLY_DRIFT = 0.004            # slow economic growth
MONTHLY_NOISE = 0.06             # life happens: about 0.2 of a standard deviation over a year
MEASUREMENT_NOISE = 0.2          # DTSEN's proxy-means test is a noisy measurement of welfare
LEFT_BEHIND_SHARE = 0.15         # of DTSEN desil-1 families: reached by no programme at all (exclusion error)
RANDOM_REASSESSMENT = 0.10       # share of registry families DTSEN re-ranks each quarter without a trigger
KELURAHAN_TURNOUT = 0.85         # share of kelurahan that hold a musyawarah in a given round
VERIFIED_SHARE = 0.4             # of a kelurahan's poor registry families, verified per round
PROPOSAL_SHARE = 0.5             # of poor families missing from DTSEN, proposed per round


@dataclass
class Registry:
    snapshot_indices: tuple[int, ...]   # window indices of the DTSEN snapshots
    in_dtsen: np.ndarray                # bool [snapshot, family]
    desil: np.ndarray                   # int8 [snapshot, family], 0 where not in DTSEN
    desil_kab: np.ndarray               # int8 [snapshot, family]
    z: np.ndarray                       # float32 [period, family]: true welfare at the end of each month
    verifications: pd.DataFrame         # family, person, period, day, outcome, round
    left_behind: np.ndarray             # bool [family]
    thresholds: np.ndarray

    def snapshot_of_period(self, period_index: int) -> int:
        """The newest snapshot at or before a period (the first one for periods before it)."""
        return max(0, int(np.searchsorted(self.snapshot_indices, period_index, side="right")) - 1)

    def true_desil(self, period_index: int) -> np.ndarray:
        return desil_of(self.z[period_index], self.thresholds)


def simulate(seed: int, window: Window, population: Population) -> tuple[Registry, Interventions]:
    rng = stream(seed, "welfare")
    families, thresholds = population.families, population.thresholds
    n_families, n_periods = len(families), len(window)
    snapshots, rounds = window.snapshot_indices, set(window.verification_indices)

    z = np.empty((n_periods, n_families), dtype=np.float32)
    boost = np.zeros((n_periods + 1, n_families), dtype=np.float32)
    in_dtsen = np.zeros((len(snapshots), n_families), dtype=bool)
    desil = np.zeros((len(snapshots), n_families), dtype=np.int8)
    desil_kab = np.zeros((len(snapshots), n_families), dtype=np.int8)
    recorded = np.full(n_families, np.nan)
    proposed_on = np.full(n_families, -1)            # round of the family's Usulan Baru, -1 if never proposed
    last_verified_day = np.full(n_families, -10**7)
    reported_gone = np.zeros(n_families, dtype=bool)  # reported Pindah, Meninggal or Tidak Ditemukan already
    outcomes = pd.Series(dtype=object)                # family -> latest outcome since the previous snapshot
    verification_frames: list[pd.DataFrame] = []
    left_behind = np.zeros(n_families, dtype=bool)
    planner = EmpowermentPlanner(seed, window, population)
    z_now = families.z0.astype(np.float64)

    for t in range(n_periods):
        if t > 0:
            z_now = z_now + MONTHLY_DRIFT + rng.normal(0, MONTHLY_NOISE, n_families) + boost[t]
        z[t] = z_now
        day_end = window.period_last_day(t)

        if t in snapshots:
            s = snapshots.index(t)
            if s == 0:
                initial_desil = desil_of(z_now, thresholds)
                p_in = np.where(initial_desil <= 5, 0.97, 0.88)
                member = (families.since <= day_end) & (families.origin == 0) & (rng.random(n_families) < p_in)
                reassess = member
            else:
                member, reassess = _registry_changes(rng, population, in_dtsen[s - 1], outcomes, proposed_on, day_end)
            recorded[reassess] = z_now[reassess] + rng.normal(0, MEASUREMENT_NOISE, reassess.sum())
            # DTSEN mostly follows the kelurahan when it says a family is no longer poor.
            graduated = outcomes.index[outcomes == TIDAK_LAYAK].to_numpy(dtype=np.int64)
            lifted = graduated[rng.random(len(graduated)) < 0.6]
            floor = thresholds[POOR_MAX_DESIL - 1] + rng.uniform(0.02, 0.4, len(lifted))
            recorded[lifted] = np.maximum(recorded[lifted], floor)
            in_dtsen[s] = member
            desil[s] = np.where(member, desil_of(np.nan_to_num(recorded), thresholds), 0)
            desil_kab[s] = _city_deciles(recorded, member)
            outcomes = pd.Series(dtype=object)
            if s == 0:
                extreme = member & (desil[0] == 1)
                left_behind = at_least(rng, extreme & (rng.random(n_families) < LEFT_BEHIND_SHARE), extreme, 1)

        latest = max(0, _snapshot_before(snapshots, t))
        if t in rounds:
            frame = _verify(rng, window, population, t, z_now, thresholds, in_dtsen[latest], desil[latest],
                            proposed_on, last_verified_day, reported_gone, round_index=len(verification_frames))
            verification_frames.append(frame)
            outcomes = pd.concat([outcomes[~outcomes.index.isin(frame["family"])],
                                  pd.Series(frame["outcome"].to_numpy(), index=frame["family"].to_numpy(), dtype=object)])

        view = RegistryView(desil=desil[latest], in_dtsen=in_dtsen[latest], left_behind=left_behind,
                            z=z_now, thresholds=thresholds)
        for family, month, amount in planner.plan_month(t, view):
            inside = month <= n_periods
            np.add.at(boost, (month[inside], family[inside]), amount[inside])

    verifications = _cover_outcomes(pd.concat(verification_frames, ignore_index=True), population, z[-1])
    registry = Registry(snapshots, in_dtsen, desil, desil_kab, z, verifications, left_behind, thresholds)
    return registry, planner.result()


def _registry_changes(rng, population, previous, outcomes, proposed_on, day_end) -> tuple[np.ndarray, np.ndarray]:
    """Who is in the next DTSEN snapshot, and whom DTSEN re-ranks for it."""
    families = population.families
    n = len(families)
    reported_gone = np.zeros(n, dtype=bool)
    reported_gone[outcomes.index[outcomes.isin(INACTIVE_OUTCOMES)].to_numpy(dtype=np.int64)] = True
    verified = np.zeros(n, dtype=bool)
    verified[outcomes.index.to_numpy(dtype=np.int64)] = True
    alive = alive_members_on(population, day_end) > 0
    removed = (reported_gone & (rng.random(n) < 0.85)) \
        | ((families.moved_on <= day_end) & (rng.random(n) < 0.25)) \
        | (~alive & (rng.random(n) < 0.5))
    pending = (proposed_on >= 0) & ~previous
    # Usulan Baru usually enter at the next update; other new families register themselves now and then.
    added = (pending & (rng.random(n) < 0.75)) \
        | ((families.since <= day_end) & ~previous & (families.origin != 0) & alive & (rng.random(n) < 0.05))
    member = (previous & ~removed) | added
    # DTSEN processes only part of what kelurahan send in before the next update.
    reassess = member & (added | (verified & (rng.random(n) < 0.5)) | (rng.random(n) < RANDOM_REASSESSMENT))
    return member, reassess


def _snapshot_before(snapshots: tuple[int, ...], t: int) -> int:
    return int(np.searchsorted(snapshots, t, side="right")) - 1


def _city_deciles(recorded: np.ndarray, member: np.ndarray) -> np.ndarray:
    """desil_kabupaten_kota: the decile of the family's recorded welfare among the city's registry families."""
    result = np.zeros(len(recorded), dtype=np.int8)
    members = np.flatnonzero(member)
    if len(members):
        ranks = np.argsort(np.argsort(recorded[members], kind="stable"), kind="stable")
        result[members] = (ranks * 10 // len(members) + 1).astype(np.int8)
    return result


def _verify(rng, window, population, t, z_now, thresholds, in_dtsen, desil, proposed_on, last_verified_day,
            reported_gone, round_index) -> pd.DataFrame:
    """One musyawarah round: each participating kelurahan verifies part of its poor registry families and proposes
    poor families the registry misses. Outcomes follow the truth on the day of the meeting."""
    families = population.families
    n = len(families)
    first, last = window.period_first_day(t), window.period_last_day(t)
    n_kelurahan = int(families.kelurahan.max()) + 1
    turnout = at_least(rng, rng.random(n_kelurahan) < KELURAHAN_TURNOUT, np.ones(n_kelurahan, bool), 1)
    # One meeting day per kelurahan; a few kelurahan spread verification over a second day.
    meeting = rng.integers(first + 3, last - 2, n_kelurahan)
    second_day = np.minimum(meeting + rng.integers(1, 4, n_kelurahan), last)
    day = np.where(rng.random(n) < 0.15, second_day[families.kelurahan], meeting[families.kelurahan])

    present_family = (families.since <= day)
    due = last_verified_day < day - 180
    candidates = in_dtsen & (desil >= 1) & (desil <= POOR_MAX_DESIL) & turnout[families.kelurahan] & due
    verified = at_least(rng, candidates & (rng.random(n) < VERIFIED_SHARE), candidates, 1)
    true_desil = desil_of(z_now, thresholds)
    alive = alive_members_on(population, last) > 0
    # The lurah knows who moved away or died: registry families that are gone are brought to the next meeting,
    # however recently they were verified, unless they were already reported gone.
    last_death = _last_death_days(population)
    gone = (families.moved_on <= day) | (~alive & (last_death <= day))
    verified |= in_dtsen & gone & ~reported_gone
    outside = ~in_dtsen & present_family & (families.moved_on > day) & alive & (proposed_on < 0)
    missing = outside & (true_desil <= 3)
    proposals = missing & turnout[families.kelurahan] & (rng.random(n) < PROPOSAL_SHARE)
    # Every run shows at least one Usulan Baru: a tiny city may have to propose a near-poor family.
    if (proposed_on < 0).all():
        proposals = at_least(rng, proposals, missing if missing.any() else outside & (true_desil <= 5), 1)

    chosen = np.flatnonzero(verified | proposals)
    d = day[chosen]
    draw = rng.random(len(chosen))
    moved = families.moved_on[chosen] <= d
    alive_on_day = alive[chosen] | (last_death[chosen] > d)
    better_off = true_desil[chosen] > POOR_MAX_DESIL
    outcome = np.select(
        [proposals[chosen], moved & (draw < 0.8), moved, ~alive_on_day, draw < 0.02,
         better_off & (draw < 0.92), ~better_off & (draw > 0.97)],
        [USULAN_BARU, PINDAH, TIDAK_DITEMUKAN, MENINGGAL, TIDAK_DITEMUKAN, TIDAK_LAYAK, TIDAK_LAYAK],
        default=LAYAK,
    )
    proposed_on[chosen[outcome == USULAN_BARU]] = round_index
    reported_gone[chosen[np.isin(outcome, INACTIVE_OUTCOMES)]] = True
    last_verified_day[chosen] = d
    person = representatives_on(population, last)[chosen]
    return pd.DataFrame({"family": chosen, "person": person, "period": t, "day": d, "outcome": outcome,
                         "round": round_index}).sort_values(["day", "family"], kind="stable", ignore_index=True)


def _last_death_days(population: Population) -> np.ndarray:
    """Per family, the day its last member died (meaningful only for families with nobody left alive)."""
    persons = population.persons
    last = np.full(len(population.families), -10**7)
    dead = persons.died_on < NO_DATE
    np.maximum.at(last, persons.family[dead], persons.died_on[dead])
    return last


def _cover_outcomes(frame: pd.DataFrame, population: Population, z_last: np.ndarray) -> pd.DataFrame:
    """Small runs must still show every HASIL VERIFIKASI the contract knows: where one never came up, relabel the
    most plausible row (a moved family found empty, the best-off confirmed family)."""
    frame = frame.copy()
    seen = set(frame["outcome"])
    family = frame["family"].to_numpy(np.int64)
    if PINDAH not in seen:
        moved = np.flatnonzero((frame["outcome"] == TIDAK_DITEMUKAN).to_numpy()
                               & (population.families.moved_on[family] <= frame["day"].to_numpy()))
        if len(moved):
            frame.loc[moved[0], "outcome"] = PINDAH
    layak = np.flatnonzero((frame["outcome"] == LAYAK).to_numpy())
    if TIDAK_LAYAK not in seen and len(layak):
        frame.loc[layak[np.argmax(z_last[family[layak]])], "outcome"] = TIDAK_LAYAK
        layak = np.flatnonzero((frame["outcome"] == LAYAK).to_numpy())
    if TIDAK_DITEMUKAN not in seen and len(layak) > 1:
        frame.loc[layak[-1], "outcome"] = TIDAK_DITEMUKAN
    return frame
