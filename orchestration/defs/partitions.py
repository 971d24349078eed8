"""Reporting periods as Dagster partitions: one partition per calendar month `YYYY-MM`.

An agency delivers for a period (`<inbox>/<source>/<YYYY-MM>/`), and the per-period facts and reports describe one
period each, so both are partitioned by this one definition. The first partition is `TKPKD_FIRST_PERIOD` (the
earliest period the warehouse serves); the last is the current month, so a snapshot delivered before the month ends
still has a partition. docs/design.md ("Partitions") says which assets are partitioned and why.

A range of periods runs as one run (a single-run backfill): a run is tagged with the first and last period of its
range, the way Dagster's own backfills tag them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import dagster as dg

from orchestration.settings import first_period

PERIOD_FORMAT = "%Y-%m"
PERIOD_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# The tags Dagster sets on a run of a partition range (dagster._core.storage.tags).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

PERIODS = dg.MonthlyPartitionsDefinition(
    start_date=first_period(), fmt=PERIOD_FORMAT, end_offset=1
)
# Per-period work over a range of periods is one run: each step rebuilds its periods in one pass, and the
# unpartitioned steps between them (staging, identity, dimensions) run once instead of once per period.
ONE_RUN_PER_RANGE = dg.BackfillPolicy.single_run()


def is_period(text: str) -> bool:
    return bool(PERIOD_PATTERN.match(text))


def periods_of(context: dg.AssetExecutionContext) -> list[str]:
    """The periods a partitioned step covers: its one partition, or every partition of its range."""
    return PERIODS.get_partition_keys_in_range(context.partition_key_range)


def range_tags(periods: Iterable[str]) -> dict[str, str]:
    """Tags that make a run cover every partition from the first to the last of `periods`."""
    ordered = sorted(periods)
    if not ordered:
        raise ValueError("a run needs at least one period")
    return {RANGE_START_TAG: ordered[0], RANGE_END_TAG: ordered[-1]}


def known_periods() -> list[str]:
    """Every partition key up to the current month."""
    return PERIODS.get_partition_keys()


def delivered_periods(location: str) -> list[str]:
    """The served periods the inbox (a local folder or an fsspec URL) holds files of, in order
    (`<inbox>/<source>/<YYYY-MM>/<file>`)."""
    from orchestration.inbox import list_inbox

    served = set(known_periods())
    return sorted({file.parts[1] for file in list_inbox(location) if len(file.parts) > 2 and file.parts[1] in served})
