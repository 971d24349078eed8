"""Freshness of an agency source: has the period that should have arrived by now been delivered?

This is about the data period delivered, not about when an asset was last materialised (a re-run of an old file
would look fresh): Dagster's `FreshnessPolicy` answers the other question (docs/design.md, "Freshness").

The rule, from the source's `cadence` in `orchestration/contract/sources.yaml`:
- a cadence delivers the periods ending in its months: monthly every month, quarterly 03/06/09/12, semester
  06/12, yearly 12;
- period P is due on the delivery deadline day (`TKPKD_DELIVERY_DEADLINE_DAY`, the 10th by default) of the month
  after P: 2025-03 is due 2025-04-10;
- the expected period as of a date is the newest cadence period whose due date is on or before that date;
- `on_time` when the newest delivered period is at or after the expected one; `late` when it is older, and the
  days overdue count from the due date of the oldest period still missing (how long the agency has been behind);
  `never_delivered` when nothing was delivered, counted from the expected period's due date (there is no start
  to count from); `no_cadence` when the contract agrees no schedule (never overdue).

Pure functions; the Dagster checks and the data-quality report call them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestration.contract import SourceSpec

from orchestration.settings import number_from_env

__all__ = [
    "CADENCE_MONTHS",
    "DEFAULT_DELIVERY_DEADLINE_DAY",
    "Freshness",
    "dbt_vars",
    "delivery_deadline_day",
    "due_date",
    "evaluate",
    "expected_period",
    "months_per_period",
    "next_cadence_period",
]

DEFAULT_DELIVERY_DEADLINE_DAY = 10

# The months whose end closes a period of each cadence (the contract's CADENCES).
CADENCE_MONTHS: dict[str, tuple[int, ...]] = {
    "monthly": tuple(range(1, 13)),
    "quarterly": (3, 6, 9, 12),
    "semester": (6, 12),
    "yearly": (12,),
}

ON_TIME, LATE, NEVER_DELIVERED, NO_CADENCE = "on_time", "late", "never_delivered", "no_cadence"


@dataclass(frozen=True)
class Freshness:
    cadence: str | None
    last_delivered_period: str | None
    expected_period: str | None
    due_date: date | None  # of the expected period
    days_overdue: int
    status: str  # on_time | late | never_delivered | no_cadence

    @property
    def is_overdue(self) -> bool:
        return self.status in (LATE, NEVER_DELIVERED)

    def describe(self) -> str:
        """One line for a person: what was due, what arrived."""
        if self.status == NO_CADENCE:
            return "no agreed cadence: never late"
        due = f"{self.expected_period} ({self.cadence}) was due {self.due_date:%Y-%m-%d}"
        if self.status == NEVER_DELIVERED:
            return f"never delivered; {due}: {self.days_overdue} days overdue"
        if self.status == LATE:
            return f"last delivered {self.last_delivered_period}; {due}: {self.days_overdue} days overdue"
        return f"on time: {self.last_delivered_period} delivered, {due}"


def months_per_period(cadence: str | None) -> int | None:
    """A cadence as the length of its periods in months (its periods end in the months divisible by it), the form
    rpt_data_quality's SQL takes (macros/reports/days_overdue.sql); None for no cadence."""
    if cadence is None:
        return None
    months = _months(cadence)
    step = 12 // len(months)
    if months != tuple(range(step, 13, step)):
        raise ValueError(f"cadence {cadence!r}: months {months} are not evenly spaced")
    return step


def dbt_vars(contract: Mapping[str, SourceSpec], deadline_day: int) -> dict[str, object]:
    """The dbt vars rpt_data_quality's days_overdue needs: each source's cadence from the contract, as months per
    period, and the deadline day."""
    return {
        "tkpkd_months_per_period": {code: months_per_period(spec.cadence) for code, spec in contract.items()},
        "tkpkd_delivery_deadline_day": deadline_day,
    }


def delivery_deadline_day() -> int:
    """The agencies' delivery deadline day of the month, `TKPKD_DELIVERY_DEADLINE_DAY` (1 to 27, default 10)."""
    return int(number_from_env("TKPKD_DELIVERY_DEADLINE_DAY", DEFAULT_DELIVERY_DEADLINE_DAY, 1, 27))


def _split(period: str) -> tuple[int, int]:
    year, month = period.split("-")
    return int(year), int(month)


def _period(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _months(cadence: str) -> tuple[int, ...]:
    try:
        return CADENCE_MONTHS[cadence]
    except KeyError:
        raise ValueError(
            f"unknown cadence {cadence!r}; known: {', '.join(CADENCE_MONTHS)}"
        ) from None


def due_date(period: str, deadline_day: int) -> date:
    """The day period `YYYY-MM` must be delivered by: the deadline day of the following month."""
    year, month = _split(period)
    return date(year + month // 12, month % 12 + 1, deadline_day)


def expected_period(cadence: str, as_of: date, deadline_day: int) -> str:
    """The newest period of the cadence that is due on or before `as_of`."""
    months = _months(cadence)
    # The period closing the month before `as_of` is the newest that can be due; walk back to one that is.
    year, month = (as_of.year, as_of.month - 1) if as_of.month > 1 else (as_of.year - 1, 12)
    while month not in months or due_date(_period(year, month), deadline_day) > as_of:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return _period(year, month)


def next_cadence_period(cadence: str, period: str) -> str:
    """The first period of the cadence after `period` (which need not itself be a cadence period)."""
    months = _months(cadence)
    year, month = _split(period)
    while True:
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        if month in months:
            return _period(year, month)


def evaluate(
    cadence: str | None, last_delivered_period: str | None, as_of: date, deadline_day: int
) -> Freshness:
    """Freshness of one source as of a date, from the newest period it delivered (None: never delivered)."""
    if cadence is None:
        return Freshness(None, last_delivered_period, None, None, 0, NO_CADENCE)
    expected = expected_period(cadence, as_of, deadline_day)
    expected_due = due_date(expected, deadline_day)
    if last_delivered_period is None:
        days = (as_of - expected_due).days
        return Freshness(cadence, None, expected, expected_due, days, NEVER_DELIVERED)
    if last_delivered_period >= expected:
        return Freshness(cadence, last_delivered_period, expected, expected_due, 0, ON_TIME)
    oldest_missing = next_cadence_period(cadence, last_delivered_period)
    days = (as_of - due_date(oldest_missing, deadline_day)).days
    return Freshness(cadence, last_delivered_period, expected, expected_due, days, LATE)
