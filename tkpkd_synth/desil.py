"""Welfare score and desil.

Each family has a latent welfare score `z` (standard-normal-ish; higher is better off). Desil boundaries are fixed
once from the initial population so that a few percent of Pontianak families are desil 1 and about a quarter are
desil 1-4 (a city is better off than the national distribution the desil refers to). Later changes in `z` then move
families between desil, which is what the DTSEN updates and the impact report see.
"""

from __future__ import annotations

import numpy as np

# Share of the city's families at or below each desil 1..9 (desil 10 takes the rest).
CUMULATIVE_SHARES = (0.04, 0.10, 0.17, 0.25, 0.34, 0.45, 0.57, 0.70, 0.84)
POOR_MAX_DESIL = 4


def thresholds_from(z: np.ndarray) -> np.ndarray:
    return np.quantile(z, CUMULATIVE_SHARES)


def desil_of(z: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    return (np.searchsorted(thresholds, z, side="right") + 1).astype(np.int8)


def poverty_weight(z: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """0 (comfortable) .. 1 (extreme poor), smooth around the desil-4 boundary: drives housing, size, health."""
    return 1.0 / (1.0 + np.exp((z - thresholds[POOR_MAX_DESIL - 1]) / 0.45))
