"""Helpers shared by the source builders."""

from __future__ import annotations

import re

import numpy as np

from tkpkd_synth.tables import SOURCES, LogicalFile
from tkpkd_synth.world import World


def logical_file(world: World, source: str, period_index: int, name: str, values: dict[str, np.ndarray],
                 person: np.ndarray, family: np.ndarray, kk: np.ndarray | None = None, **options) -> LogicalFile:
    """A logical file whose truth columns follow from the row's person and family: the true NIK, and as true KK
    the number the row writes for its family (`kk`; the family's first number where the file writes none)."""
    persons, families = world.population.persons, world.population.families
    person = np.asarray(person, dtype=np.int64)
    family = np.asarray(family, dtype=np.int64)
    if kk is None:
        kk = families.kk[family.clip(0)]
    return LogicalFile(
        source=SOURCES[source], period=world.window.periods[period_index], name=name, values=values,
        person=person, family=family,
        nik_true=np.where(person >= 0, persons.nik[person.clip(0)], 0),
        kk_true=np.where(family >= 0, kk, 0),
        **options,
    )


def slug(text: str) -> str:
    """File-name friendly: `Sungai Jawi Dalam` -> `SUNGAI_JAWI_DALAM`."""
    return re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").upper()


def ordered(*keys: np.ndarray) -> np.ndarray:
    """Row order by several keys, the first one most significant (np.lexsort wants it last)."""
    return np.lexsort(tuple(reversed(keys)))
