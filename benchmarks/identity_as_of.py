"""Benchmark: what linking each period's rows against "the people known by then" would cost, beside the linkage as it
is (every row against the people known in any period), on a built warehouse.

    .venv/bin/python benchmarks/identity_as_of.py data/warehouse/tkpkd.duckdb --truth data/ground_truth
    .venv/bin/python benchmarks/identity_as_of.py WAREHOUSE --truth TRUTH --windows 0,2,5

Identity resolution would be incremental and still equal a full rebuild only if a row's link depended on nothing
delivered after some bound: a row of period P linked against the reference of the periods up to P + window months
(the settling window). Then a new month re-links only the rows of its own `window + 1` newest periods. This measures,
per window, from int_person_records and with the production linkage (orchestration.identity.linkage):
- the seconds of linking every period that way, and of the re-linking a new month would do (the newest periods);
- how many rows' outcomes (link or reason) differ from today's linkage;
- with `--truth` (the generator's ground truth of the same inbox): links made, right, precision and recall, as
  `tkpkd score-identity` counts them for the rows that need linkage.
The baseline, today's linkage, runs in the same process. Figures are printed, never asserted (docs/benchmarks.md,
"Identity resolution as of each period").
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.identity.linkage import RECORD_COLUMNS_SQL, REFERENCE_COLUMNS_SQL, link


@dataclass(frozen=True)
class Figures:
    label: str
    seconds: float
    new_month_seconds: float
    decisions: pd.DataFrame


def read_sides(connection: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows to resolve and the distinct descriptions of known people, each with its `_period`, as the linkage
    model reads them."""
    records = connection.sql(
        f"select _period, {RECORD_COLUMNS_SQL} from intermediate.int_person_records where needs_linkage"
    ).df()
    reference = connection.sql(
        f"select distinct _period, {REFERENCE_COLUMNS_SQL} from intermediate.int_person_records"
        " where not needs_linkage"
    ).df()
    return records, reference


def horizon(period: str, window: int) -> str:
    """The last period (`YYYY-MM`) whose people a row of `period` is linked against."""
    return str(pd.Period(period, freq="M") + window)


def as_of_decisions(records: pd.DataFrame, reference: pd.DataFrame, window: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """Each period's rows linked against the reference of the periods up to `window` months after theirs; the
    decisions of every row, and the seconds each period's linking took."""
    parts, seconds = [], {}
    for period, rows in records.groupby("_period", sort=True):
        started = time.perf_counter()
        known = reference[reference["_period"] <= horizon(period, window)].drop(columns="_period").drop_duplicates()
        parts.append(link(rows.drop(columns="_period"), known).decisions)
        seconds[period] = time.perf_counter() - started
    return pd.concat(parts, ignore_index=True), seconds


def changed_outcomes(decisions: pd.DataFrame, baseline: pd.DataFrame) -> int:
    both = baseline.merge(decisions, on="record_id", suffixes=("_baseline", ""), validate="one_to_one")
    if len(both) != len(baseline) or len(both) != len(decisions):
        raise ValueError("the two linkages decided different rows")
    return int((
        (both["outcome"] != both["outcome_baseline"])
        | (both["linked_nik"].fillna("") != both["linked_nik_baseline"].fillna(""))
        | (both["unresolved_reason"].fillna("") != both["unresolved_reason_baseline"].fillna(""))
    ).sum())


def truth_scores(decisions: pd.DataFrame, connection: duckdb.DuckDBPyConnection, truth: Path) -> dict[str, float]:
    """Links made and right among the rows to resolve, precision and recall (rows with a true person)."""
    rows = connection.sql(
        f"select path || '#' || cast(row_number as varchar) as record_id, person_id"
        f" from read_parquet('{truth / 'rows.parquet'}')"
    ).df()
    people = connection.sql(
        f"select distinct nik as linked_nik, person_id as linked_person from read_parquet('{truth / 'persons.parquet'}')"
    ).df()
    scored = decisions.merge(rows, on="record_id", how="left").merge(people, on="linked_nik", how="left")
    made = scored[scored["outcome"] != "unresolved"]
    right = int((made["linked_person"] == made["person_id"]).sum())
    with_truth = int(scored["person_id"].notna().sum())
    return {
        "links": len(made),
        "right": right,
        "precision": right / len(made) if len(made) else float("nan"),
        "recall": right / with_truth if with_truth else float("nan"),
    }


def measure(records: pd.DataFrame, reference: pd.DataFrame, windows: list[int]) -> list[Figures]:
    started = time.perf_counter()
    baseline = link(records.drop(columns="_period"), reference.drop(columns="_period").drop_duplicates()).decisions
    seconds = time.perf_counter() - started
    # a new month under today's linkage links every row again
    figures = [Figures("every period's people (today)", seconds, seconds, baseline)]
    for window in windows:
        decisions, per_period = as_of_decisions(records, reference, window)
        newest = sorted(per_period)[-(window + 1):]
        figures.append(Figures(
            f"known by P + {window} month(s)", sum(per_period.values()), sum(per_period[p] for p in newest), decisions
        ))
    return figures


def table(figures: list[Figures], scores: list[dict[str, float]] | None) -> str:
    baseline = figures[0].decisions
    header = ["reference of a row of period P", "all periods s", "a new month s", "outcomes changed"]
    if scores:
        header += ["links", "right", "precision", "recall"]
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    for index, figure in enumerate(figures):
        cells = [figure.label, f"{figure.seconds:.1f}", f"{figure.new_month_seconds:.1f}",
                 str(changed_outcomes(figure.decisions, baseline))]
        if scores:
            score = scores[index]
            cells += [str(score["links"]), str(score["right"]), f"{score['precision']:.4f}", f"{score['recall']:.4f}"]
        lines.append(" | ".join(cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path, help="a built warehouse (tkpkd.duckdb); opened read-only")
    parser.add_argument("--truth", type=Path, help="the generator's ground truth of the warehouse's inbox")
    parser.add_argument("--windows", default="0,2", help="settling windows in months, comma-separated (default 0,2)")
    args = parser.parse_args()
    windows = [int(window) for window in args.windows.split(",")]
    with duckdb.connect(str(args.warehouse), read_only=True) as connection:
        records, reference = read_sides(connection)
        print(f"{len(records):,} rows to resolve in {records['_period'].nunique()} periods; "
              f"{len(reference):,} descriptions of known people by period")
        figures = measure(records, reference, windows)
        scores = [truth_scores(f.decisions, connection, args.truth) for f in figures] if args.truth else None
    print(table(figures, scores))


if __name__ == "__main__":
    main()
