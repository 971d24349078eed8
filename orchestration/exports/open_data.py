"""Open-data CSVs of the aggregate reports, safe for a Satu Data portal.

Which reports: only those whose rows are aggregates (region, programme, sector, source); the family-level reports
(`rpt_extreme_poverty_cases`, `rpt_left_behind`) never become open data, and left-behind families are published as
their counts per kota, kecamatan and kelurahan (`rpt_left_behind_by_region`). Of `rpt_basic_needs_coverage` only the
kota, kecamatan and kelurahan rows are published: RW and RT rows describe a handful of neighbours each and stay in
the restricted kelurahan workbooks.

The suppression rule (statistical disclosure control):

1. Primary: a count of families, persons or deliveries between 1 and 4 is suppressed. 0 and counts of 5 or more
   are published (a 0 says that nobody is in a group, which discloses nothing about a person).
2. Complementary: where published cells add up to another published cell (a kecamatan is the sum of its kelurahan,
   the kota the sum of its kecamatan; within a row, e.g. `need_families = met_families + unmet_families`), a single
   suppressed cell could be recovered by subtraction. Until no such sum has exactly one suppressed cell, the
   smallest positive published part of it is suppressed too (or its total, when no part can be).
3. Derived values: a share, rate, mean or rupiah amount computed from a suppressed count is suppressed; a share of
   a group total (a sector's share of a category) is suppressed in every row of the group when one row's part is,
   since published shares would give the total back; a `difference` row of rpt_impact loses every value that is
   suppressed in one of the rows it is the difference of.

A suppressed cell is written empty, and the row's `suppressed_columns` names every suppressed column, so an empty
cell that means "suppressed" is told apart from one that means "not applicable" (NULL), and numeric columns stay
numeric for spreadsheet and portal tools.

Every column of a published report must be classified below (key, count, derived, plain or dropped): a column
added to a report later stops the export until someone decides how to publish it, instead of leaking by default.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.exports.common import atomic_file, guard_formula, remove_stale, sweep_debris
from orchestration.publishing import full_descriptions

SUPPRESSION_THRESHOLD = 5
SUPPRESSED_COLUMNS = "suppressed_columns"
SHARE_DECIMALS = 6


class OpenDataRefused(RuntimeError):
    """A report has a column nobody has classified for publication."""


@dataclass(frozen=True)
class OpenDataReport:
    table: str
    keys: tuple[str, ...]
    # Counts of families, persons or deliveries: suppressed when between 1 and SUPPRESSION_THRESHOLD - 1.
    counts: tuple[str, ...]
    # Column -> the columns it is computed from (suppressed when any of them is).
    derived: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Neither a count of people nor computed from one: counts of files or of data rows, dates, codes.
    plain: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    where: str = "true"
    # (total, parts): within one row, total = sum(parts).
    row_sums: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Rows of region levels kota, kecamatan, kelurahan that add up, within the same values of these columns.
    hierarchy_within: tuple[str, ...] = ()
    # Share column -> (the columns of its group, the part it is a share of).
    group_shares: Mapping[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    # (group columns, label column, label): a row that is the difference of the other rows of its group.
    difference_rows: tuple[tuple[str, ...], str, str] | None = None
    # For the data dictionary: what the reader should know beyond the table's description (what is left out, why).
    note: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.keys, *self.counts, *self.derived, *self.plain)


_REGION_KEYS = ("kecamatan_code", "kecamatan_name", "kelurahan_code", "kelurahan_name")
_OUTCOMES = ("layak", "tidak_layak", "pindah", "meninggal", "tidak_ditemukan", "usulan_baru")

REPORTS: tuple[OpenDataReport, ...] = (
    OpenDataReport(
        table="rpt_basic_needs_coverage",
        keys=(
            "period",
            "region_level",
            "region_code",
            "region_name",
            *_REGION_KEYS,
            "need",
            "responsible_agency",
            "responsible_agency_code",
        ),
        counts=("ekstrem_families", "need_families", "met_families", "unmet_families"),
        derived={"coverage": ("met_families", "need_families")},
        dropped=("region_key", "rw", "rt"),
        where="region_level in ('kota', 'kecamatan', 'kelurahan')",
        row_sums=(("need_families", ("met_families", "unmet_families")),),
        hierarchy_within=("period", "need"),
    ),
    OpenDataReport(
        table="rpt_verification_progress",
        keys=("period", "window_start", "window_end", *_REGION_KEYS),
        counts=(
            "poor_families",
            "verified_families",
            "verifications",
            *(f"verifications_{outcome}" for outcome in _OUTCOMES),
        ),
        derived={"share_verified": ("verified_families", "poor_families")},
        # The same number as the kelurahan rows of rpt_basic_needs_coverage, where the region sums may suppress it
        # as a complementary cell: published here it would give that cell back.
        dropped=("ekstrem_families",),
        row_sums=(("verifications", tuple(f"verifications_{outcome}" for outcome in _OUTCOMES)),),
    ),
    OpenDataReport(
        table="rpt_left_behind_by_region",
        keys=("period", "region_level", "region_code", "region_name", *_REGION_KEYS),
        counts=("left_behind_families", "never_assisted_families", "assisted_before_window_families"),
        # ekstrem_families is rpt_basic_needs_coverage's count, where the region sums may suppress it as a
        # complementary cell: published here, or through the share (left_behind / share), it would give that cell back.
        dropped=("ekstrem_families", "left_behind_share"),
        row_sums=(
            ("left_behind_families", ("never_assisted_families", "assisted_before_window_families")),
        ),
        hierarchy_within=("period",),
        note=(
            "The number of extreme-poor families per region, and so the share left behind, is not repeated here: "
            "it is `ekstrem_families` of rpt_basic_needs_coverage.csv (the same families, suppressed by that file's "
            "own rule). Where both numbers are published, the share left behind is left_behind_families / "
            "ekstrem_families."
        ),
    ),
    OpenDataReport(
        table="rpt_empowerment_pathway",
        keys=("period", *_REGION_KEYS),
        counts=(
            "working_age_members",
            "trained",
            "trained_with_business",
            "trained_with_business_and_credit",
            "pathway_complete",
            "trained_working",
        ),
        derived={
            "trained_rate": ("trained", "working_age_members"),
            "business_rate": ("trained_with_business", "trained"),
            "credit_rate": ("trained_with_business_and_credit", "trained_with_business"),
            "working_rate": ("pathway_complete", "trained_with_business_and_credit"),
            "trained_working_rate": ("trained_working", "trained"),
        },
    ),
    OpenDataReport(
        table="rpt_targeting",
        keys=(
            "period",
            "program_code",
            "program_name",
            "category",
            "kind",
            "basic_need",
            "max_desil",
            "recipient_window_start",
            "recipient_window_end",
        ),
        counts=(
            "recipient_families",
            "deliveries",
            "recipient_families_proposed",
            "inclusion_error_families",
            "inclusion_not_in_registry_families",
            "inclusion_inactive_families",
            "inclusion_above_max_desil_families",
            "inclusion_graduated_families",
            "inclusion_dead_recipient_families",
            "eligible_families",
            "eligible_recipient_families",
            "excluded_eligible_families",
            "deliveries_to_dead_recipients",
        ),
        derived={
            "amount_idr": ("deliveries", "recipient_families"),
            "inclusion_error": (
                "inclusion_error_families",
                "recipient_families",
                "recipient_families_proposed",
            ),
            "exclusion_error": ("excluded_eligible_families", "eligible_families"),
            "amount_idr_to_dead_recipients": ("deliveries_to_dead_recipients",),
        },
        dropped=("program_key",),
        row_sums=(
            ("eligible_families", ("eligible_recipient_families", "excluded_eligible_families")),
        ),
    ),
    OpenDataReport(
        table="rpt_partner_contribution",
        keys=("period", "pentahelix_sector", "category"),
        counts=("families_reached", "persons_reached", "deliveries", "deliveries_without_family"),
        derived={
            "amount_idr": ("deliveries", "families_reached", "persons_reached"),
            "amount_share_of_category": ("amount_idr",),
            "delivery_share_of_category": ("deliveries",),
        },
        # Agencies and partners are organisations, not people.
        plain=("agencies",),
        group_shares={
            "amount_share_of_category": (("period", "category"), "amount_idr"),
            "delivery_share_of_category": (("period", "category"), "deliveries"),
        },
    ),
    OpenDataReport(
        table="rpt_impact",
        keys=("baseline_period", "evaluation_period", "category", "intervention_group"),
        counts=(
            "poor_families_at_baseline",
            "followed_families",
            "lost_families",
            "better_desil_families",
            "graduated_families",
        ),
        derived={
            "better_desil_share": ("better_desil_families", "followed_families"),
            "graduated_share": ("graduated_families", "followed_families"),
            "mean_unmet_change": ("followed_families",),
            "mean_desil_change": ("followed_families",),
        },
        row_sums=(("poor_families_at_baseline", ("followed_families", "lost_families")),),
        difference_rows=(
            ("baseline_period", "evaluation_period", "category"),
            "intervention_group",
            "difference",
        ),
    ),
    OpenDataReport(
        table="rpt_data_quality",
        keys=("source", "period"),
        counts=(),
        # Files and rows of agency deliveries, not people.
        plain=(
            "files_received",
            "files_loaded",
            "files_rejected",
            "files_duplicate",
            "rejection_reasons",
            "rows_received",
            "rows_accepted",
            "rows_quarantined",
            "non_data_rows",
            "quarantined_by_reason",
            "quarantined_share",
            "valid_nik_share",
            "person_rows",
            "share_found_in_dukcapil",
            "share_resolved_by_linkage",
            "share_unresolved",
            "share_found_in_registry",
            "duplicates_removed",
            "last_delivery_period_end",
            "days_since_last_delivery",
            "days_overdue",
        ),
    ),
)


@dataclass(frozen=True)
class OpenDataFile:
    table: str
    path: Path
    rows: int
    suppressed_cells: int


Cell = tuple[int, str]


def _is_small(value: object) -> bool:
    return isinstance(value, int | float) and 0 < value < SUPPRESSION_THRESHOLD


def _hierarchy_sums(
    report: OpenDataReport, rows: Sequence[Mapping[str, object]]
) -> list[tuple[Cell, ...]]:
    """kota = sum of its kecamatan, each kecamatan = sum of its kelurahan, for every count column."""
    groups: dict[tuple, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, row in enumerate(rows):
        group = tuple(row[column] for column in report.hierarchy_within)
        level = row["region_level"]
        if level == "kota":
            groups[group]["kota"].append(index)
        elif level == "kecamatan":
            groups[group]["kecamatan"].append(index)
            groups[group][f"parent:{row['kecamatan_code']}"].append(index)
        elif level == "kelurahan":
            groups[group][f"children:{row['kecamatan_code']}"].append(index)
    sums: list[tuple[int, list[int]]] = []
    for members in groups.values():
        for kota in members.get("kota", []):
            sums.append((kota, members.get("kecamatan", [])))
        for key, parents in members.items():
            if key.startswith("parent:"):
                children = members.get("children:" + key.removeprefix("parent:"), [])
                sums.extend((parent, children) for parent in parents)
    return [
        ((total, column), *((part, column) for part in parts))
        for total, parts in sums
        if parts
        for column in report.counts
    ]


def _sums(report: OpenDataReport, rows: Sequence[Mapping[str, object]]) -> list[tuple[Cell, ...]]:
    sums = [
        ((index, total), *((index, part) for part in parts))
        for index in range(len(rows))
        for total, parts in report.row_sums
    ]
    if report.hierarchy_within:
        sums.extend(_hierarchy_sums(report, rows))
    # A sum with an unknown (NULL) cell cannot be used to recover anything.
    return [
        cells for cells in sums if all(rows[index][column] is not None for index, column in cells)
    ]


def suppress(report: OpenDataReport, rows: Sequence[Mapping[str, object]]) -> list[set[str]]:
    """The suppressed columns of each row, by the rule in the module docstring."""
    suppressed: set[Cell] = {
        (index, column)
        for index, row in enumerate(rows)
        for column in report.counts
        if _is_small(row[column])
    }
    sums = _sums(report, rows)
    changed = True
    while changed:
        changed = False
        for total, *parts in sums:
            if sum(cell in suppressed for cell in (total, *parts)) != 1:
                continue
            candidates = [
                cell for cell in parts if cell not in suppressed and rows[cell[0]][cell[1]] > 0
            ]
            if not candidates and total not in suppressed and rows[total[0]][total[1]] > 0:
                candidates = [total]
            if candidates:
                suppressed.add(min(candidates, key=lambda cell: rows[cell[0]][cell[1]]))
                changed = True
    for index in range(len(rows)):
        # Derived columns may derive from each other (a share of a derived amount): settle in declaration order.
        for column, sources in report.derived.items():
            if any((index, source) in suppressed for source in sources):
                suppressed.add((index, column))
    for share, (group_columns, part) in report.group_shares.items():
        groups: dict[tuple, list[int]] = defaultdict(list)
        for index, row in enumerate(rows):
            groups[tuple(row[column] for column in group_columns)].append(index)
        for members in groups.values():
            if any((index, part) in suppressed for index in members):
                suppressed.update((index, share) for index in members)
    if report.difference_rows:
        group_columns, label_column, label = report.difference_rows
        groups = defaultdict(list)
        for index, row in enumerate(rows):
            groups[tuple(row[column] for column in group_columns)].append(index)
        for members in groups.values():
            differences = [index for index in members if rows[index][label_column] == label]
            others = [index for index in members if rows[index][label_column] != label]
            for column in (*report.counts, *report.derived):
                if any((index, column) in suppressed for index in others):
                    suppressed.update((index, column) for index in differences)
    by_row: list[set[str]] = [set() for _ in rows]
    for index, column in suppressed:
        by_row[index].add(column)
    return by_row


def _format(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, SHARE_DECIMALS)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return guard_formula(value)


def _check_classified(report: OpenDataReport, columns: Sequence[str]) -> None:
    declared = {*report.columns, *report.dropped}
    unclassified = [column for column in columns if column not in declared]
    missing = [column for column in declared if column not in columns]
    if unclassified or missing:
        raise OpenDataRefused(
            f"{report.table}: columns not classified for open data: {unclassified or 'none'}; "
            f"classified but absent: {missing or 'none'} (see orchestration/exports/open_data.py)"
        )


def _read(connection: duckdb.DuckDBPyConnection, report: OpenDataReport) -> list[dict[str, object]]:
    cursor = connection.execute(f'select * from "{report.table}" limit 0')
    _check_classified(report, [description[0] for description in cursor.description])
    selected = ", ".join(f'"{column}"' for column in report.columns)
    order = ", ".join(f'"{column}"' for column in report.keys)
    cursor = connection.execute(
        f'select {selected} from "{report.table}" where {report.where} order by {order}'
    )
    return [dict(zip(report.columns, row, strict=True)) for row in cursor.fetchall()]


def write_report(
    connection: duckdb.DuckDBPyConnection, report: OpenDataReport, folder: Path
) -> OpenDataFile:
    rows = _read(connection, report)
    suppressed = suppress(report, rows)
    path = folder / f"{report.table}.csv"
    with atomic_file(path) as staging, staging.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*report.columns, SUPPRESSED_COLUMNS])
        for row, hidden in zip(rows, suppressed, strict=True):
            writer.writerow(
                [
                    *(
                        "" if column in hidden else _format(row[column])
                        for column in report.columns
                    ),
                    " ".join(column for column in report.columns if column in hidden),
                ]
            )
    return OpenDataFile(report.table, path, len(rows), sum(len(hidden) for hidden in suppressed))


def _data_dictionary(connection: duckdb.DuckDBPyConnection, written: Sequence[OpenDataFile]) -> str:
    lines = [
        "# Data terbuka TKPKD Kota Pontianak / TKPKD Kota Pontianak open data",
        "",
        "Aggregates of the poverty-reduction warehouse, one CSV per report (UTF-8, comma-separated, header row).",
        f"Counts of families, persons or deliveries from 1 to {SUPPRESSION_THRESHOLD - 1} are suppressed, and so",
        "is any cell that would let one be recovered by subtraction, and any share, mean or rupiah amount computed",
        "from a suppressed count. A suppressed cell is empty and its column is named in `suppressed_columns`;",
        "an empty cell not named there means not applicable (for example a share whose denominator is 0).",
        "",
    ]
    for file in written:
        # The full texts: the analytics file's comments hold only their first sentences.
        descriptions = full_descriptions(connection, file.table)
        report = next(report for report in REPORTS if report.table == file.table)
        lines += [f"## {file.path.name}", "", descriptions.get(None, ""), ""]
        if report.note:
            lines += [report.note, ""]
        lines += [f"- `{column}`: {descriptions.get(column, '')}" for column in report.columns]
        lines += [
            f"- `{SUPPRESSED_COLUMNS}`: the columns suppressed in this row, space-separated.",
            "",
        ]
    return "\n".join(lines)


def export_open_data(connection: duckdb.DuckDBPyConnection, folder: Path) -> list[OpenDataFile]:
    """Write every aggregate report of `connection` (the analytics file) as a suppressed CSV into `folder`."""
    sweep_debris(folder)
    written = [write_report(connection, report, folder) for report in REPORTS]
    with atomic_file(folder / "README.md") as staging:
        staging.write_text(_data_dictionary(connection, written), encoding="utf-8")
    remove_stale(folder, "*.csv", [file.path for file in written])
    return written
