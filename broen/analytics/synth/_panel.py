"""Panel metrics of contract v1 for a set of persons and the months of a period.

These follow the contract's definitions exactly: a cost covering several days is spread evenly
over its calendar days, first and last included; bed days are the nights of an inpatient stay,
each counted in the month of the evening it begins; admissions and emergency visits count in the
month they start; a week belongs to the month of its Thursday. The ground truth uses them on
both worlds of every participant.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ._calendar import FloatArray, IntArray

Matrix = npt.NDArray[np.float64]


def _month(bounds: IntArray, day: IntArray) -> IntArray:
    return np.searchsorted(bounds, day, side="right").astype(np.int64) - 1


def spread(
    person: IntArray, first: IntArray, last: IntArray, amount: FloatArray, n: int, bounds: IntArray
) -> Matrix:
    """Sum of ``amount`` spread evenly over the days ``first..last`` (inclusive), by month.

    ``bounds`` are the n_months + 1 month-start days; days outside them are dropped."""
    n_months = bounds.size - 1
    out = np.zeros(n * n_months)
    if person.size == 0:
        return out.reshape(n, n_months)
    per_day = amount / (last - first + 1)
    s = np.maximum(first, bounds[0])
    e = np.minimum(last, bounds[-1] - 1)
    ok = e >= s
    person, s, e, per_day = person[ok], s[ok], e[ok], per_day[ok]
    ms, me = _month(bounds, s), _month(bounds, e)
    k = me - ms + 1
    row = np.repeat(np.arange(s.size), k)
    month = np.repeat(ms, k) + (np.arange(row.size) - np.repeat(np.cumsum(k) - k, k))
    lo = np.maximum(s[row], bounds[month])
    hi = np.minimum(e[row], bounds[month + 1] - 1)
    out += np.bincount(
        person[row] * n_months + month, weights=per_day[row] * (hi - lo + 1), minlength=n * n_months
    )
    return out.reshape(n, n_months)


def count(
    person: IntArray, day: IntArray, n: int, bounds: IntArray, weight: FloatArray | None = None
) -> Matrix:
    """Number (or sum of ``weight``) of events by the month of their day."""
    n_months = bounds.size - 1
    m = _month(bounds, day)
    ok = (m >= 0) & (m < n_months)
    w = None if weight is None else weight[ok].astype(np.float64)
    flat = np.bincount(person[ok] * n_months + m[ok], weights=w, minlength=n * n_months)
    return flat.astype(np.float64).reshape(n, n_months)


def nights(
    person: IntArray, start_day: IntArray, end_day: IntArray, n: int, bounds: IntArray
) -> Matrix:
    """Inpatient nights: evenings start_day .. end_day - 1, each in its own month."""
    ones = np.ones(person.size)
    has = end_day > start_day
    # A night is one unit on each of the days start..end-1, so spread (last - first + 1) units.
    return spread(
        person[has],
        start_day[has],
        end_day[has] - 1,
        (end_day - start_day)[has] * ones[has],
        n,
        bounds,
    )


def weekly(values: Matrix, thursdays: IntArray, bounds: IntArray) -> Matrix:
    """Sum a (person, week) matrix into months by each week's Thursday."""
    n_months = bounds.size - 1
    m = _month(bounds, thursdays)
    out = np.zeros((values.shape[0], n_months))
    ok = (m >= 0) & (m < n_months)
    for j in np.flatnonzero(ok):  # loop over weeks (~470), vectorised over persons
        out[:, m[j]] += values[:, j]
    return out
