"""The panel's period and its small calendar tables, built in Python for every engine.

Dates become whole numbers early so that no engine-specific date arithmetic is needed: a day is
its proleptic Gregorian ordinal (``date.toordinal()``, 1 January of year 1 = 1) and a month is
``year * 12 + month - 1``. The calendar tables are tiny (months, month spans, ISO weeks) and are
joined to the events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def month_end(index: int) -> date:
    return month_start(index + 1) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Whole calendar months, ``first_month`` to ``last_month`` (month indexes), inclusive."""

    first_month: int
    last_month: int

    @classmethod
    def of(cls, start: date, end: date) -> Period:
        return cls(month_index(start), month_index(end))

    @property
    def start(self) -> date:
        return month_start(self.first_month)

    @property
    def end(self) -> date:
        return month_end(self.last_month)

    @property
    def first_day(self) -> int:
        return self.start.toordinal()

    @property
    def last_day(self) -> int:
        return self.end.toordinal()

    @property
    def months(self) -> range:
        return range(self.first_month, self.last_month + 1)


def months_table(period: Period) -> pa.Table:
    """One row per panel month: ``mi``, ``month`` (its first day), first and last day ordinal."""
    months = list(period.months)
    return pa.table(
        {
            "mi": pa.array(months, pa.int64()),
            "month": pa.array([month_start(m) for m in months], pa.date32()),
            "m_first": pa.array([month_start(m).toordinal() for m in months], pa.int64()),
            "m_last": pa.array([month_end(m).toordinal() for m in months], pa.int64()),
        }
    )


def spans_table(period: Period) -> pa.Table:
    """Pairs (``mi_from``, ``mi``) with ``mi_from <= mi``, both panel months, and ``mi``'s
    first day (``month``) and first and last day ordinals.

    Joining a span on the month it starts in and keeping ``mi <= month it ends in`` gives one row
    per month the span touches, without any date arithmetic in the engine."""
    frm: list[int] = []
    to: list[int] = []
    for a in period.months:
        for b in range(a, period.last_month + 1):
            frm.append(a)
            to.append(b)
    return pa.table(
        {
            "mi_from": pa.array(frm, pa.int64()),
            "mi": pa.array(to, pa.int64()),
            "month": pa.array([month_start(m) for m in to], pa.date32()),
            "m_first": pa.array([month_start(m).toordinal() for m in to], pa.int64()),
            "m_last": pa.array([month_end(m).toordinal() for m in to], pa.int64()),
        }
    )


def weeks_table(period: Period) -> pa.Table:
    """ISO weeks whose Thursday lies in the period: ``week`` (``YYYY-Www``), Thursday, month."""
    day = period.start
    day += timedelta(days=(3 - day.weekday()) % 7)  # the first Thursday
    weeks: list[str] = []
    thursdays: list[int] = []
    months: list[int] = []
    while day <= period.end:
        iso = day.isocalendar()
        weeks.append(f"{iso.year}-W{iso.week:02d}")
        thursdays.append(day.toordinal())
        months.append(month_index(day))
        day += timedelta(days=7)
    return pa.table(
        {
            "week": pa.array(weeks, pa.string()),
            "thursday": pa.array(thursdays, pa.int64()),
            "mi": pa.array(months, pa.int64()),
        }
    )
