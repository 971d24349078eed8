"""Everything true about the synthetic city, before any file is written."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from tkpkd_synth.benefits import Benefits, distribute
from tkpkd_synth.dates import Window
from tkpkd_synth.geography import Geography, load_geography
from tkpkd_synth.interventions import Interventions
from tkpkd_synth.population import Population, build_population
from tkpkd_synth.welfare import Registry, simulate


@dataclass
class World:
    seed: int
    window: Window
    geography: Geography
    population: Population
    registry: Registry
    interventions: Interventions
    benefits: Benefits

    @cached_property
    def names_upper(self) -> np.ndarray:
        """Registers (SIAK, SIKS-NG, bank lists) write names in capitals."""
        return np.array([name.upper() for name in self.population.persons.name], dtype=object)

    @cached_property
    def addresses_upper(self) -> np.ndarray:
        return np.array([address.upper() for address in self.population.families.address], dtype=object)

    @cached_property
    def family_kecamatan(self) -> np.ndarray:
        """Per family, the CC number (1..6) of its kecamatan."""
        return self.geography.kecamatan_numbers[self.population.families.kelurahan]


def build_world(seed: int, window: Window, families: int) -> World:
    geography = load_geography()
    population = build_population(seed, window, geography, families)
    registry, interventions = simulate(seed, window, population)
    benefits = distribute(seed, window, population, registry)
    return World(seed, window, geography, population, registry, interventions, benefits)
