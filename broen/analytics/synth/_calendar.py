"""Days, months and ISO weeks as integer arrays.

Every date inside the generator is an ``int64`` count of days since 1970-01-01 (a Thursday), so
numpy can do all arithmetic without datetime objects. Months are indexed from the first month of
the extract's period (month 0); ISO weeks are represented by the day number of their Thursday.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DAYS_PER_YEAR = 365.25
NEVER = 10**7  # a day far beyond any period (year ~29000): "does not happen"


def day_of(iso: str) -> int:
    """Day number of an ISO date ``YYYY-MM-DD``."""
    return int(np.datetime64(iso, "D").astype(np.int64))


def iso_of(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def month_starts(first_month: str, n_months: int) -> IntArray:
    """Day numbers of the first day of ``n_months + 1`` consecutive months from ``YYYY-MM``."""
    months = np.datetime64(first_month, "M") + np.arange(n_months + 1)
    return months.astype("datetime64[D]").astype(np.int64)


def months_between(start: str, end: str) -> int:
    """Number of calendar months from ``start`` to ``end`` inclusive (both ``YYYY-MM``)."""
    return int((np.datetime64(end, "M") - np.datetime64(start, "M")).astype(np.int64)) + 1


def thursday_of(day: IntArray) -> IntArray:
    """The Thursday of the ISO week containing each day (Monday = first day of the week)."""
    weekday = (day + 3) % 7  # Monday 0 .. Sunday 6; day 0 (1970-01-01) is a Thursday
    return day - weekday + 3


def iso_week_labels(thursdays: IntArray) -> list[str]:
    """``YYYY-Www`` labels for ISO weeks given by their Thursday's day number."""
    dates = thursdays.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]")
    doy = (dates - years.astype("datetime64[D]")).astype(np.int64)
    week = doy // 7 + 1
    year = years.astype(np.int64) + 1970
    return [f"{y:04d}-W{w:02d}" for y, w in zip(year.tolist(), week.tolist(), strict=True)]


@dataclass(frozen=True)
class Period:
    """The extract's period: whole months from ``first_month`` to ``last_month``."""

    first_month: str  # YYYY-MM
    last_month: str  # YYYY-MM
    n_months: int
    bounds: IntArray  # n_months + 1 month-start days; bounds[-1] is the day after the period
    weeks: IntArray  # Thursdays of the ISO weeks whose Thursday lies inside the period

    @classmethod
    def of(cls, start: str, end: str) -> Period:
        n = months_between(start, end)
        if n < 1:
            raise ValueError(f"period end {end} is before its start {start}")
        bounds = month_starts(start, n)
        first_thu = thursday_of(np.array([bounds[0]], dtype=np.int64))[0]
        if first_thu < bounds[0]:
            first_thu += 7
        weeks = np.arange(first_thu, bounds[-1], 7, dtype=np.int64)
        return cls(start, end, n, bounds, weeks)

    @property
    def start_day(self) -> int:
        return int(self.bounds[0])

    @property
    def end_day(self) -> int:
        """The last day of the period (inclusive)."""
        return int(self.bounds[-1]) - 1

    @property
    def n_days(self) -> int:
        return int(self.bounds[-1] - self.bounds[0])

    def month_of(self, day: IntArray) -> IntArray:
        """Month index of each day (-1 before the period, n_months after it)."""
        return np.searchsorted(self.bounds, day, side="right").astype(np.int64) - 1

    def month_bounds(self, first: int, n: int) -> IntArray:
        """Month-start days for months ``first .. first + n`` (may lie outside the period)."""
        return month_starts(_shift_month(self.first_month, first), n)


def _shift_month(month: str, k: int) -> str:
    return str(np.datetime64(month, "M") + k)
