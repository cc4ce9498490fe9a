"""The candidates a matching can use: a linear pass over all of them, before any sorting.

Greedy matching without replacement in a stratum with ``k`` participants takes at most
``ratio * k`` controls, so whenever a participant looks for its nearest free control, at least one
of its ``ratio * k`` nearest candidates on each side (in logit order) is still free: the matching
never looks further. Nor does it take a control beyond the caliper (and one further away on the
same side is further still). The pool below keeps every candidate that is among those nearest
and within the caliper of some participant of its stratum, found without sorting the candidates
(which at 50 M rows cost most of the time): each candidate falls in a bucket (stratum, slice of
the logit axis), one ``bincount`` counts them, and each participant keeps the range of buckets
that holds its ``ratio * k`` nearest on each side and reaches its caliper. Buckets only cut at a
logit value (the bucket is a monotone function of the logit), so a range of buckets is a range
of the sorted order, and the pool is a superset of what the matching can reach: the matching on
the pool forms the same pairs as on all candidates, it only has fewer to sort (about 1 M of 50 M
at the issue's scale).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

CHUNK = 1 << 22  # candidates per block, so that the temporaries stay small
_LUT_SPAN = 1 << 22  # strata spanning fewer integers are looked up in a table
_FILL = 4  # candidates per bucket, on average
_MAX_BUCKETS = 1 << 26  # all strata together
_EPS = float(np.finfo(np.float64).eps)


def candidate_pool(
    t_s: IntArray,
    t_x: FloatArray,
    c_s: IntArray,
    c_x: FloatArray,
    *,
    ratio: int,
    limit: float,
    buckets: int | None = None,
) -> tuple[IntArray, BoolArray]:
    """(indices of the candidates the matching may use, in ascending order; for each participant,
    whether its stratum holds any candidate). ``limit`` is the caliper (``inf`` for none);
    ``buckets`` (per stratum) is for the tests, by default about 4 candidates per bucket."""
    strata = np.unique(t_s)
    n_strata = int(strata.size)
    if n_strata == 0 or c_s.size == 0:
        return np.empty(0, np.int64), np.zeros(t_s.size, dtype=bool)
    t_code = np.searchsorted(strata, t_s)
    if buckets is None:
        buckets = int(np.clip(c_s.size // (_FILL * n_strata), 4, 1 << 16))
    per = int(max(1, min(buckets, _MAX_BUCKETS // (n_strata + 1) - 2))) + 2  # + 2 overflow
    total = (n_strata + 1) * per  # stratum n_strata: candidates of strata without participants
    code_of = _stratum_codes(strata, c_s)
    axis = _Axis(t_x, c_x, limit, per - 2)

    cell = np.empty(c_s.size, dtype=np.intp)  # each candidate's bucket
    for start in range(0, c_s.size, CHUNK):
        block = slice(start, start + CHUNK)
        code = code_of(c_s[block])
        code *= per
        code += axis.bucket(c_x[block])
        cell[block] = code
    counts = np.bincount(cell, minlength=total)

    # Per participant, the buckets [lo, hi) holding its ratio * k nearest on each side.
    before = np.zeros(total + 1, dtype=np.int64)
    np.cumsum(counts, out=before[1:])
    reach = ratio * np.bincount(t_code, minlength=n_strata)[t_code]
    first = t_code.astype(np.int64) * per
    own = first + axis.bucket(t_x)
    lo = np.maximum(np.searchsorted(before, before[own] - reach, side="right") - 1, first)
    hi = np.minimum(np.searchsorted(before, before[own + 1] + reach, side="left"), first + per)
    if np.isfinite(limit):
        # Widened by a few rounding errors, so that every pair with a computed distance within
        # the caliper lies inside (the distances are rounded; the buckets must not cut them).
        wide = limit + 8 * _EPS * (np.abs(t_x) + limit)
        lo = np.maximum(lo, first + axis.bucket(t_x - wide))
        hi = np.minimum(hi, first + axis.bucket(t_x + wide) + 1)
    some = lo < hi
    edges = np.bincount(lo[some], minlength=total + 1) - np.bincount(hi[some], minlength=total + 1)
    keep = np.cumsum(edges[:-1]) > 0

    pool = [np.flatnonzero(keep[cell[s : s + CHUNK]]) + s for s in range(0, c_s.size, CHUNK)]
    has_candidate = counts[: n_strata * per].reshape(n_strata, per).sum(axis=1) > 0
    return np.concatenate(pool), has_candidate[t_code]


def _stratum_codes(strata: IntArray, c_s: IntArray) -> Callable[[IntArray], IntArray]:
    """Maps strata to their position in ``strata`` (sorted, distinct), the others to its size:
    a table when the strata span few integers (codes from a factorisation do), else a search."""
    low = min(int(strata[0]), int(c_s.min()))
    high = max(int(strata[-1]), int(c_s.max()))
    if high - low < _LUT_SPAN:
        table = np.full(high - low + 1, strata.size, dtype=np.int64)
        table[strata - low] = np.arange(strata.size)
        return lambda s: np.take(table, s - low if low else s)

    def search(s: IntArray) -> IntArray:
        at = np.minimum(np.searchsorted(strata, s), strata.size - 1)
        return np.where(strata[at] == s, at, strata.size)

    return search


class _Axis:
    """Slices of the logit axis: ``bucket(x)`` is 0 below ``low``, ``size + 1`` from ``high`` on
    and ``1 + floor((x - low) * scale)`` between, a non-decreasing function of ``x``."""

    def __init__(self, t_x: FloatArray, c_x: FloatArray, limit: float, size: int) -> None:
        if np.isfinite(limit):
            low, high = float(t_x.min()) - 2 * limit, float(t_x.max()) + 2 * limit
        else:
            low = min(float(t_x.min()), float(c_x.min()))
            high = max(float(t_x.max()), float(c_x.max()))
        scale = size / (high - low) if high > low else 0.0
        if not 0 < scale < np.inf:  # one value, or a span that overflows: a single slice
            low, scale = 0.0, 0.0
        self.low, self.scale, self.size = low, scale, size

    def bucket(self, x: FloatArray) -> IntArray:
        if self.scale == 0:
            return np.ones(x.size, dtype=np.int64)
        v = x - self.low
        v *= self.scale
        np.floor(v, out=v)
        np.clip(v, -1, self.size, out=v)
        v += 1
        return v.astype(np.int64)
