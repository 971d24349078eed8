"""Named random streams and vectorised draws.

Each part of the generator draws from its own stream, seeded from the run's seed and the part's name. Adding a
draw to one part then leaves every other part's data unchanged, which keeps diffs between versions readable.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, *names: str | int) -> np.random.Generator:
    keys = [zlib.crc32(str(name).encode("utf-8")) for name in names]
    return np.random.default_rng([seed, *keys])


def categorical(rng: np.random.Generator, n: int, probabilities) -> np.ndarray:
    """`n` draws of category indices 0..k-1 with the given (unnormalised) probabilities."""
    p = np.asarray(probabilities, dtype=float)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").clip(0, len(p) - 1)


def categorical_rows(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One draw per row of a (n, k) matrix of (unnormalised) probabilities."""
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative /= cumulative[:, -1:]
    draws = rng.random(len(probabilities))[:, None]
    return (draws > cumulative).sum(axis=1).clip(0, probabilities.shape[1] - 1)


def mix_by_poverty(rng: np.random.Generator, poverty: np.ndarray, poor: list[float], rich: list[float]) -> np.ndarray:
    """Category codes (1-based) drawn from a blend of a poor and a rich distribution.

    `poverty` in [0, 1] is each family's weight on the poor distribution, so housing, water and sanitation codes
    follow the family's welfare smoothly instead of jumping at a desil boundary.
    """
    poor_p = np.asarray(poor, dtype=float) / np.sum(poor)
    rich_p = np.asarray(rich, dtype=float) / np.sum(rich)
    blended = poverty[:, None] * poor_p[None, :] + (1 - poverty[:, None]) * rich_p[None, :]
    return categorical_rows(rng, blended) + 1


def at_least(rng: np.random.Generator, chosen: np.ndarray, eligible: np.ndarray, minimum: int) -> np.ndarray:
    """Top up a boolean selection with random eligible items until it holds `minimum` of them.

    The tiny test scale has so few families that rare events (a death, a KUR loan) might not happen at all; the
    tests need every kind of record to exist, so rare draws are topped up rather than left to chance.
    """
    chosen = chosen & eligible
    missing = minimum - int(chosen.sum())
    if missing > 0:
        candidates = np.flatnonzero(eligible & ~chosen)
        if len(candidates):
            chosen = chosen.copy()
            chosen[rng.choice(candidates, size=min(missing, len(candidates)), replace=False)] = True
    return chosen


def unique_random_integers(rng: np.random.Generator, n: int, low: int, high: int) -> np.ndarray:
    """`n` distinct integers in [low, high), in random order, without materialising the whole range."""
    values = np.unique(rng.integers(low, high, size=int(n * 1.1) + 16))
    while len(values) < n:
        values = np.unique(np.concatenate([values, rng.integers(low, high, size=n)]))
    return rng.permutation(values)[:n]


def group_rank(keys: np.ndarray) -> np.ndarray:
    """0-based position of each item among the items sharing its key, in array order."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1]
    group_of_sorted = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(keys)]))
    ranks_sorted = np.arange(len(keys)) - starts[group_of_sorted]
    ranks = np.empty(len(keys), dtype=np.int64)
    ranks[order] = ranks_sorted
    return ranks
