"""Header normalisation, alias matching, header-row detection and title-block parsing."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from orchestration.contract import SourceSpec, normalise_header

__all__ = [
    "HEADER_SEARCH_ROWS",
    "HeaderMapping",
    "locate_header",
    "map_header",
    "normalise_header",
    "parse_title_block",
    "title_line",
]

# The header is looked for among the first rows of a sheet or CSV (title blocks run to about row 10).
HEADER_SEARCH_ROWS = 15

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_TITLE_KEY_VALUE = re.compile(r"^\s*([^:]{1,60}?)\s*:\s*(.*?)\s*$", re.DOTALL)


@dataclass(frozen=True)
class HeaderMapping:
    """How one file's header lines up with a source's canonical columns."""

    header: tuple[str, ...]  # header cells as text ('' for an empty cell)
    canonical: Mapping[
        str, int
    ]  # canonical column -> position in the file (first one when duplicated)
    extras: tuple[
        tuple[str, int], ...
    ]  # (header as in the file, position) for headers the contract does not know
    unnamed: tuple[int, ...]  # positions with an empty header cell
    duplicates: Mapping[str, tuple[int, ...]] = field(
        default_factory=dict
    )  # canonical -> 2+ positions

    @property
    def matched(self) -> int:
        return len(self.canonical)

    def position_names(self, positions: Sequence[int]) -> str:
        return ", ".join(repr(self.header[i].strip()) for i in positions)


def _canonical_for(cell: str, alias_index: Mapping[str, str]) -> str | None:
    key = normalise_header(cell)
    if not key:
        return None
    found = alias_index.get(key)
    if found is None and ("(" in cell or "[" in cell):
        # `NILAI (Rp)`, `NIK [16 digit]`: try again without the bracketed note.
        found = alias_index.get(normalise_header(_BRACKETED.sub(" ", cell)))
    return found


def map_header(header: Sequence[object], spec: SourceSpec) -> HeaderMapping:
    """Map a file's header cells to the source's canonical columns through the alias list."""
    alias_index = spec.alias_index
    cells = tuple("" if cell is None else str(cell) for cell in header)
    positions: dict[str, list[int]] = {}
    extras: list[tuple[str, int]] = []
    unnamed: list[int] = []
    for position, cell in enumerate(cells):
        if not normalise_header(cell):
            unnamed.append(position)
            continue
        canonical = _canonical_for(cell, alias_index)
        if canonical is None:
            extras.append((cell.strip(), position))
        else:
            positions.setdefault(canonical, []).append(position)
    return HeaderMapping(
        header=cells,
        canonical={name: found[0] for name, found in positions.items()},
        extras=tuple(extras),
        unnamed=tuple(unnamed),
        duplicates={name: tuple(found) for name, found in positions.items() if len(found) > 1},
    )


def missing_required(
    mapping: HeaderMapping, spec: SourceSpec, title_values: Mapping[str, str] | None = None
) -> list[str]:
    """Required canonical columns the file does not supply (a combined RT/RW and title fields count)."""
    title_values = title_values or {}
    missing = []
    combined = spec.rt_rw_combined
    for name in spec.required_columns:
        if name in mapping.canonical or name in title_values:
            continue
        if (
            combined is not None
            and name in (combined.rt, combined.rw)
            and combined.column in mapping.canonical
        ):
            continue
        missing.append(name)
    return missing


def _score(mapping: HeaderMapping, spec: SourceSpec) -> tuple[int, int]:
    required = len(spec.required_columns) - len(missing_required(mapping, spec))
    return required, mapping.matched


def locate_header(
    rows: Sequence[Sequence[object]], spec: SourceSpec
) -> tuple[int, HeaderMapping] | None:
    """The header among `rows` (the first rows of a file): the row matching the most required columns.

    Ties go to the row matching the most columns, then to the earliest. Returns (index in `rows`, mapping), or None
    when no row names any column of the source.
    """
    best: tuple[tuple[int, int], int, HeaderMapping] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not row:
            continue
        mapping = map_header(row, spec)
        if not mapping.matched:
            continue
        score = _score(mapping, spec)
        if best is None or score > best[0]:
            best = (score, index, mapping)
    if best is None:
        return None
    return best[1], best[2]


def title_line(row: Sequence[object]) -> str:
    """A title-block row as one line of text: its non-empty cells joined by single spaces."""
    return " ".join(str(cell).strip() for cell in row if cell is not None and str(cell).strip())


def parse_title_block(lines: Sequence[str]) -> dict[str, str]:
    """`KEY : VALUE` lines of a title block -> {normalised key: value}; the first occurrence of a key wins.

    `KELURAHAN : SUNGAI JAWI DALAM` -> {"kelurahan": "SUNGAI JAWI DALAM"}; lines without a colon are skipped.
    """
    values: dict[str, str] = {}
    for line in lines:
        match = _TITLE_KEY_VALUE.match(line)
        if not match:
            continue
        key = normalise_header(match.group(1))
        if key and key not in values:
            values[key] = match.group(2)
    return values


def title_field_values(
    title: Mapping[str, str], mapping: HeaderMapping, spec: SourceSpec
) -> dict[str, str]:
    """Canonical column -> value from the title block, for title fields the file has no column for."""
    values: dict[str, str] = {}
    for column, keys in spec.title_fields.items():
        if column in mapping.canonical:
            continue
        for key in keys:
            value = title.get(key)
            if value:
                values[column] = value
                break
    return values
