"""Plausibility of the simulated city at the small scale (built in memory, nothing written)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tkpkd_synth.dates import Window
from tkpkd_synth.generator import SCALES
from tkpkd_synth.population import MALE
from tkpkd_synth.world import World, build_world


@pytest.fixture(scope="module")
def small() -> World:
    return build_world(42, Window.ending("2025-12", 12), SCALES["small"])


def test_desil_distribution_is_plausible(small):
    registry = small.registry
    desil = registry.desil[0][registry.in_dtsen[0]]
    shares = np.bincount(desil, minlength=11)[1:] / len(desil)
    assert 0.02 <= shares[0] <= 0.08, "a few percent extreme poor"
    assert 0.18 <= shares[:4].sum() <= 0.32, "about a quarter in desil 1-4"
    assert shares[5:].sum() > 0.5
    changed = (registry.desil[-1] != registry.desil[0]) & registry.in_dtsen[0] & registry.in_dtsen[-1]
    assert 0.05 < changed.sum() / registry.in_dtsen[0].sum() < 0.5


def test_people_and_families_are_plausible(small):
    persons, families = small.population.persons, small.population.families
    at_start = persons.since < small.window.first_day
    size = np.bincount(persons.family[at_start], minlength=len(families))[families.origin == 0]
    assert 3.0 < size.mean() < 4.0 and size.min() >= 1 and size.max() <= 8
    assert 0.05 < (persons.chronic > 0).mean() < 0.11
    assert 0.015 < persons.disability.mean() < 0.05
    assert 0.45 < (persons.sex == MALE).mean() < 0.55
    assert (persons.died_on < 10**7).any() and (persons.moved_on < 10**7).any() and (persons.mother >= 0).any()
    kk_of_person = families.kk[persons.family]
    assert (kk_of_person // 10**10 // 100 == 6171).all(), "every KK is issued in Pontianak"
    local = persons.nik // 10**10 // 100 == 6171
    assert 0.6 < local.mean() < 0.95 and (persons.nik // 10**12 != 61).any(), "some NIKs come from other provinces"


def test_targeting_is_mostly_right_but_not_perfect(small):
    payouts = small.benefits.payouts
    registry, persons = small.registry, small.population.persons
    salur = payouts[payouts["status"] == "SALUR"]
    desil = registry.desil[0][salur["family"]]
    assert ((desil >= 1) & (desil <= 4)).mean() > 0.8, "mostly the poor"
    assert (desil > 4).any(), "some inclusion error"
    assert (persons.died_on[salur["person"]] < salur["day"]).any(), "payouts to people who had died"
    left_behind = np.flatnonzero(registry.left_behind)
    assert len(left_behind)
    reached = pd.concat([payouts["family"], small.benefits.health["family"], small.benefits.partner["family"]])
    assert not np.isin(left_behind, reached.to_numpy()).any()
    for s in range(len(registry.snapshot_indices)):
        jkn = small.benefits.jkn[s]
        assert not (jkn.listed & np.isin(persons.family, left_behind)).any()


def test_interventions_improve_desil_more_often(small):
    registry, interventions = small.registry, small.interventions
    trainings = interventions.trainings
    helped = np.zeros(len(small.population.families), dtype=bool)
    helped[trainings.loc[trainings["placement"] >= 0, "family"]] = True
    helped[interventions.renovations["family"]] = True
    helped[interventions.loans["family"]] = True
    poor = registry.in_dtsen[0] & (registry.desil[0] <= 4) & registry.in_dtsen[-1]
    better = registry.z[-1] - registry.z[0] > 0.2
    assert better[poor & helped].mean() > better[poor & ~helped].mean()


def test_rt_and_rw_follow_the_family_count(small):
    layout = small.population.layout
    families = small.population.initial_families
    assert layout.rt_count >= 3 * layout.rw_count
    assert families / layout.rt_count < 100
