"""Narwhals expressions shared by the panel pipeline: integer dates and conditional sums.

Only operations that both lazy backends (DuckDB and Spark) implement are used: ``dt.year``,
``dt.month``, ``dt.day``, ``dt.date``, integer arithmetic with ``//`` and ``%``, ``when``,
``min_horizontal``/``max_horizontal``, ``is_in``, ``fill_null`` and ``cast``.
"""

from __future__ import annotations

import narwhals as nw


def lit(value: int) -> nw.Expr:
    return nw.lit(value, dtype=nw.Int64())


def ordinal(year: nw.Expr, month: nw.Expr, day: nw.Expr) -> nw.Expr:
    """``date(year, month, day).toordinal()``; a day past the month's end rolls over (29
    February in a common year is 1 March), which is how a birthday on 29 February falls."""
    y = year - 1
    days_before_year = y * 365 + y // 4 - y // 100 + y // 400
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days_before_month = (
        (month * 367 - 362) // 12
        - nw.when(month > 2).then(lit(2)).otherwise(lit(0))
        + nw.when((month > 2) & leap).then(lit(1)).otherwise(lit(0))
    )
    return (days_before_year + days_before_month + day).cast(nw.Int64())


def date_ordinal(column: str, years: int = 0) -> nw.Expr:
    """The ordinal of a date (or timestamp) column, optionally ``years`` later (birthdays)."""
    c = nw.col(column)
    year = c.dt.year().cast(nw.Int64())
    return ordinal(year + years, c.dt.month().cast(nw.Int64()), c.dt.day().cast(nw.Int64()))


def date_month(column: str) -> nw.Expr:
    """The month index ``year * 12 + month - 1`` of a date (or timestamp) column."""
    c = nw.col(column)
    return (c.dt.year().cast(nw.Int64()) * 12 + c.dt.month().cast(nw.Int64()) - 1).cast(nw.Int64())


def week_thursday(column: str) -> nw.Expr:
    """The ordinal of the Thursday of an ISO week ``YYYY-Www`` (computed, not joined: a join
    would let the optimizer pair every person with every week before filtering)."""
    week = nw.col(column)
    year = week.str.slice(0, 4).cast(nw.Int64())
    number = week.str.slice(6, 2).cast(nw.Int64())
    jan4 = ordinal(year, lit(1), lit(4))  # 4 January is always in week 1
    monday = jan4 - (jan4 - 1) % 7  # ordinal 1 (1 January of year 1) was a Monday
    return (monday + (number - 1) * 7 + 3).cast(nw.Int64())


def least(*exprs: nw.Expr) -> nw.Expr:
    return nw.min_horizontal(*exprs)


def greatest(*exprs: nw.Expr) -> nw.Expr:
    return nw.max_horizontal(*exprs)


def sum_if(condition: nw.Expr, value: nw.Expr | float = 1.0) -> nw.Expr:
    """``sum(value if condition else 0)`` as an aggregation."""
    v = value if isinstance(value, nw.Expr) else nw.lit(value, dtype=nw.Float64())
    return nw.when(condition).then(v).otherwise(nw.lit(0.0, dtype=nw.Float64())).sum()
