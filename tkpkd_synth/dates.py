"""Days as integers, the reporting window, and the date spellings agencies use.

Every date in the generator is an integer day number (days since 1970-01-01) so that whole populations can be
compared and shifted with numpy. `NO_DATE` stands for "never" (not dead, not moved): it is far in the future so
`died_on <= day` is simply false, and small enough that adding a few hundred days cannot overflow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np

EPOCH = dt.date(1970, 1, 1)
NO_DATE = 10_000_000
# Excel's day 0 is 1899-12-30 (it keeps Lotus' phantom 1900-02-29), so a day number converts by a fixed offset.
EXCEL_EPOCH_OFFSET = 25_569

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
# Abbreviations as typed in Indonesian offices: `Agt` and `Des`, not the English `Aug` and `Dec`.
MONTHS_ID_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des")

# Date spellings. A source has one native style; the others are M7 variants of it.
ISO = "iso"                      # 2025-12-19
DMY_DASH = "dmy_dash"            # 19-12-2025
DMY_SLASH = "dmy_slash"          # 19/12/2025
LONG_MONTH = "long_month"        # 19 Desember 2025
SHORT_MONTH = "short_month"      # 19 Des 2025
TEXT_STYLES = (ISO, DMY_DASH, DMY_SLASH, LONG_MONTH, SHORT_MONTH)
EXCEL_DATE = "excel_date"        # an XLSX cell holding a serial number with a date format (a real Excel date)
EXCEL_SERIAL = "excel_serial"    # an XLSX numeric cell without a date format: the reader sees 46010.0

_TABLE_FIRST = dt.date(1900, 1, 1)
_TABLE_LAST = dt.date(2040, 12, 31)


def day_of(date: dt.date) -> int:
    return (date - EPOCH).days


def date_of(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def parse_period(period: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in period.split("-"))
    except ValueError as error:
        raise ValueError(f"A period is written YYYY-MM, not {period!r}") from error
    if not 1 <= month <= 12 or len(period) != 7:
        raise ValueError(f"A period is written YYYY-MM, not {period!r}")
    return year, month


@dataclass(frozen=True)
class Window:
    """The reporting months the generator delivers files for, oldest first."""

    periods: tuple[str, ...]

    @classmethod
    def ending(cls, end_period: str, count: int) -> Window:
        if count < 1:
            raise ValueError("At least one period is needed")
        year, month = parse_period(end_period)
        index = year * 12 + month - 1
        return cls(tuple(f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)))

    def __len__(self) -> int:
        return len(self.periods)

    @property
    def first_day(self) -> int:
        return self.period_first_day(0)

    @property
    def last_day(self) -> int:
        return self.period_last_day(len(self.periods) - 1)

    @property
    def days(self) -> int:
        return self.last_day - self.first_day + 1

    @property
    def years(self) -> float:
        return self.days / 365.25

    def year_month(self, index: int) -> tuple[int, int]:
        return parse_period(self.periods[index])

    def period_first_day(self, index: int) -> int:
        year, month = self.year_month(index)
        return day_of(dt.date(year, month, 1))

    def period_last_day(self, index: int) -> int:
        year, month = self.year_month(index)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return day_of(following) - 1

    def period_index_of_days(self, days: np.ndarray) -> np.ndarray:
        """The window index of each day's month (may be negative or past the end for days outside the window)."""
        starts = np.array([self.period_first_day(i) for i in range(len(self))] + [self.last_day + 1])
        return np.searchsorted(starts, days, side="right") - 1

    @property
    def snapshot_indices(self) -> tuple[int, ...]:
        """DTSEN, Dukcapil, JKN, PDAM and UMKM snapshots: the first month, then every quarter's last month."""
        quarter_ends = [i for i in range(len(self)) if self.year_month(i)[1] % 3 == 0]
        return tuple(sorted({0, *quarter_ends}))

    @property
    def verification_indices(self) -> tuple[int, ...]:
        """Musyawarah kelurahan rounds: the middle month of each quarter (Feb, May, Aug, Nov)."""
        rounds = tuple(i for i in range(len(self)) if self.year_month(i)[1] % 3 == 2)
        return rounds or (len(self) - 1,)


@cache
def _day_table() -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    first = day_of(_TABLE_FIRST)
    days = np.arange(first, day_of(_TABLE_LAST) + 1)
    calendar = days.astype("datetime64[D]")
    years = calendar.astype("datetime64[Y]").astype(int) + 1970
    months = calendar.astype("datetime64[M]").astype(int) % 12 + 1
    day_numbers = (calendar - calendar.astype("datetime64[M]")).astype(int) + 1
    return first, years, months, day_numbers


@cache
def _style_table(style: str) -> np.ndarray:
    _, years, months, day_numbers = _day_table()
    yyyy = np.strings.zfill(years.astype(str), 4)
    mm = np.strings.zfill(months.astype(str), 2)
    dd = np.strings.zfill(day_numbers.astype(str), 2)
    d = day_numbers.astype(str)
    add = np.strings.add
    if style == ISO:
        text = add(add(add(add(yyyy, "-"), mm), "-"), dd)
    elif style in (DMY_DASH, DMY_SLASH):
        separator = "-" if style == DMY_DASH else "/"
        text = add(add(add(add(dd, separator), mm), separator), yyyy)
    elif style in (LONG_MONTH, SHORT_MONTH):
        names = np.array(MONTHS_ID if style == LONG_MONTH else MONTHS_ID_SHORT)[months - 1]
        text = add(add(add(add(d, " "), names), " "), yyyy)
    else:
        raise ValueError(f"Unknown date style {style!r}")
    return text.astype(object)


def format_days(days: np.ndarray, style: str) -> np.ndarray:
    """Day numbers as text in one style; `NO_DATE` becomes an empty string. Vectorised by table look-up."""
    days = np.asarray(days, dtype=np.int64)
    table = _style_table(style)
    first = _day_table()[0]
    out = np.full(days.shape, "", dtype=object)
    present = days != NO_DATE
    out[present] = table[days[present] - first]
    return out


def ddmmyy(days: np.ndarray, add_forty: np.ndarray | bool = False) -> np.ndarray:
    """The DDMMYY block of NIK and KK numbers as an integer; NIK adds 40 to the day for women."""
    _, years, months, day_numbers = _day_table()
    index = np.asarray(days, dtype=np.int64) - _day_table()[0]
    day_part = day_numbers[index] + np.where(add_forty, 40, 0)
    return day_part * 10_000 + months[index] * 100 + years[index] % 100


def years_between(earlier: np.ndarray, later: np.ndarray | int) -> np.ndarray:
    """Whole years of age: good to a day or so, which is all the generator needs."""
    return ((np.asarray(later, dtype=np.int64) - np.asarray(earlier, dtype=np.int64)) / 365.2425).astype(np.int64)


def month_name(period: str) -> str:
    year, month = parse_period(period)
    return f"{MONTHS_ID[month - 1].upper()} {year}"
