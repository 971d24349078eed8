"""NIK, KK and NOKA numbers with the structure of the real ones.

NIK: 6-digit area of first registration (province, regency, kecamatan) + DDMMYY birth date, with 40 added to the
day for women + a 4-digit serial among people registered in the same area with the same date.
KK: the issuing kecamatan's 6-digit area + DDMMYY issue date + a 4-digit serial. A reissued KK (the head died) is
a new number of the same structure, issued on the reissue date.
"""

from __future__ import annotations

import numpy as np

from tkpkd_synth.dates import ddmmyy
from tkpkd_synth.randomness import group_rank, unique_random_integers


def _serialised(rng: np.random.Generator, prefixes: np.ndarray, issued: np.ndarray | None = None) -> np.ndarray:
    """prefix * 10^4 + a serial unique within the prefix.

    Registers hand out 0001, 0002, ... per area and date, in registration order (array order here, so newborns
    get later serials); each block starts where registrations of people outside this population left off, or
    after the last of the `issued` numbers with the same prefix.
    """
    ranks = group_rank(prefixes)
    unique_prefixes, inverse = np.unique(prefixes, return_inverse=True)
    offsets = rng.integers(1, 40, size=len(unique_prefixes))
    if issued is not None and len(issued):
        issued = np.sort(np.asarray(issued, dtype=np.int64))
        last = np.searchsorted(issued, (unique_prefixes + 1) * 10_000) - 1
        same_prefix = (last >= 0) & (issued[last.clip(0)] // 10_000 == unique_prefixes)
        offsets = np.where(same_prefix, issued[last.clip(0)] % 10_000 + offsets, offsets)
    offsets = offsets[inverse]
    serial = offsets + ranks
    if serial.max(initial=0) > 9999:
        raise ValueError("More than 9,999 registrations share one area and date: the population is too dense")
    return prefixes * 10_000 + serial


def niks(rng: np.random.Generator, area: np.ndarray, birth_day: np.ndarray, female: np.ndarray) -> np.ndarray:
    return _serialised(rng, area.astype(np.int64) * 1_000_000 + ddmmyy(birth_day, female))


def kk_numbers(rng: np.random.Generator, area: np.ndarray, issue_day: np.ndarray,
               issued: np.ndarray | None = None) -> np.ndarray:
    """KK numbers issued in `area` on `issue_day`, never one of the numbers already `issued`."""
    return _serialised(rng, area.astype(np.int64) * 1_000_000 + ddmmyy(issue_day), issued)


def nokas(rng: np.random.Generator, n: int) -> np.ndarray:
    """BPJS card numbers: 13 digits, the ones for this city starting 000 (kept as integers; format with zfill)."""
    return unique_random_integers(rng, n, 10**8, 10**10)


def zero_padded(numbers: np.ndarray, width: int) -> np.ndarray:
    """Integers as zero-padded text (an object array of str)."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if not len(numbers):
        return np.zeros(0, dtype=object)
    if numbers.min() >= 10 ** (width - 1):
        # NIK and KK numbers never start with 0: no padding needed, and padding costs more than formatting.
        return numbers.astype(str).astype(object)
    return np.char.zfill(numbers.astype(str), width).astype(object)


def as_text(numbers: np.ndarray, width: int = 16) -> np.ndarray:
    """Identifiers as zero-padded text; 0 (no identifier) becomes an empty string."""
    text = zero_padded(numbers, width)
    text[np.asarray(numbers) == 0] = ""
    return text
