"""From matched sets and their panel rows to effects: outcome matrices, DiD per metric and
window, the pre-index placebo, the naive before/after, the minimum detectable effect, subgroups.

Units are numbered 0..U-1; ``set_of[u]`` is the matched set, ``treated[u]`` marks the set's
participant. Values are arranged as units x months (``first``..``last`` relative to the index
month). How a month without a panel row enters (see ``outcome_matrix``): after death it is zero
use; after moving away, after the extract's end, and for a control from the month it starts the
programme itself, it is unobserved (NaN) and the set's comparison leaves that month to the
remaining controls (or drops the set from that month when none is left).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from broen.analytics.evaluation._did import (
    DiDResult,
    Estimate,
    _nanmean,
    before_after,
    bootstrap_counts,
    matched_did,
    set_differences,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

POWER = 0.8  # the minimum detectable effect at 80 % power, two-sided 5 % (as OHDSI's MDRR)


@dataclass(frozen=True)
class UnitStatus:
    """Per unit, in months relative to its index month: the first month with zero use (the
    month after death), and the first unobserved month (moving away, the programme started by a
    control, the extract's end); ``None``-like values are a large number."""

    zero_from: IntArray
    censored_from: IntArray


def outcome_matrix(
    rows: pd.DataFrame,
    metric: str,
    n_units: int,
    first: int,
    last: int,
    status: UnitStatus,
) -> FloatArray:
    """Units x months of ``metric`` from long panel rows (unit_id, rel_month, metric): a month
    with a row has its value; without a row it is 0 from ``zero_from`` on (after death) and
    NaN before that (not resident); from ``censored_from`` on every month is NaN."""
    n_months = last - first + 1
    out = np.full((n_units, n_months), np.nan)
    rel = np.arange(first, last + 1)
    dead = rel[None, :] >= status.zero_from[:, None]
    out[dead] = 0.0
    unit = rows["unit_id"].to_numpy(dtype=np.int64)
    month = rows["rel_month"].to_numpy(dtype=np.int64) - first
    inside = (month >= 0) & (month < n_months)
    out[unit[inside], month[inside]] = rows[metric].to_numpy(dtype=np.float64)[inside]
    # Censoring wins over death: the only censoring that can follow a death is the extract's
    # end (moving out after death is ignored, the dead start nothing), and beyond it the dead
    # are as unobserved as the living; zero use for them alone would select on the outcome.
    out[rel[None, :] >= status.censored_from[:, None]] = np.nan
    return out


def limit_outliers(values: FloatArray, policy: Any) -> FloatArray:
    """``values`` (units x months) under an outlier policy (``_config.Outliers``): values above
    the ``percentile`` of all observed values capped at it (``winsorise``), or their units made
    unobserved in every month (``truncate``). The percentile is over every unit and month, so
    the same threshold holds for participants and controls."""
    if policy.method == "none":
        return values
    observed = values[np.isfinite(values)]
    if observed.size == 0:
        return values
    limit = float(np.percentile(observed, policy.percentile))
    if policy.method == "winsorise":
        return np.where(np.isfinite(values), np.minimum(values, limit), np.nan)
    if policy.method == "truncate":
        above = (np.where(np.isfinite(values), values, -np.inf) > limit).any(axis=1)
        out = values.copy()
        out[above, :] = np.nan
        return out
    raise ValueError(f"unknown outlier method {policy.method!r}")


@dataclass(frozen=True)
class Replication:
    """Redraws of the matched sets for a dry run of an outcome contract: for each share of the
    sets (1.0: as recruited; 0.6: a recruitment shortfall to 60 %), ``draws`` samples of that
    many sets drawn with replacement. The draws are the same for every metric and window, so
    one draw is one possible programme."""

    shares: tuple[float, ...] = (1.0,)
    draws: int = 200
    seed: int = 0


def replication_counts(n_sets: int, replication: Replication) -> dict[float, FloatArray]:
    """Per share: draws x sets, how often each set is drawn (round(share x sets) in all)."""
    rng = np.random.default_rng(replication.seed)
    out: dict[float, FloatArray] = {}
    for share in replication.shares:
        size = max(1, round(share * n_sets))
        drawn = rng.multinomial(size, np.full(n_sets, 1.0 / n_sets), size=replication.draws)
        out[share] = drawn.astype(np.float64)
    return out


def replicate_windows(
    values: FloatArray,
    set_of: IntArray,
    treated: BoolArray,
    n_sets: int,
    months: Sequence[int],
    baseline: tuple[int, int],
    windows: Sequence[tuple[int, int]],
    counts: dict[float, FloatArray],
) -> dict[float, dict[tuple[int, int], FloatArray]]:
    """Per share and window: the window's DiD estimate in each draw (the estimator of
    :func:`~broen.analytics.evaluation._did.matched_did` on the drawn sets): aggregates only."""
    _, _, diff = set_differences(values, set_of, treated, n_sets)
    month_arr = np.asarray(months)
    base_cols = (month_arr >= baseline[0]) & (month_arr <= baseline[1])
    did = diff - _nanmean(np.where(base_cols, diff, np.nan), axis=1)[:, None]
    observed = np.isfinite(did)
    filled = np.where(observed, did, 0.0)
    out: dict[float, dict[tuple[int, int], FloatArray]] = {}
    for share, c in counts.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            by_month = (c @ filled) / (c @ observed.astype(np.float64))
        out[share] = {
            w: by_month[:, (month_arr >= w[0]) & (month_arr <= w[1])].sum(axis=1) for w in windows
        }
    return out


@dataclass(frozen=True)
class MetricEffect:
    """All estimates of one metric (aggregates only)."""

    metric: str
    did: DiDResult
    placebo: Estimate
    naive: Estimate
    mde: dict[tuple[int, int], float]


def metric_effect(
    values: FloatArray,
    set_of: IntArray,
    treated: BoolArray,
    n_sets: int,
    months: Sequence[int],
    baseline: tuple[int, int],
    windows: Sequence[tuple[int, int]],
    counts: FloatArray | Sequence[FloatArray],
    naive_values: FloatArray,
    naive_counts: FloatArray,
    confidence: float,
    metric: str,
) -> MetricEffect:
    """The DiD, the placebo (months -12..-1 against -24..-13 as if the index were at -12), the
    naive before/after of all participants (``naive_values``: participants x months) and the
    minimum detectable effect per window, (z_(1-alpha/2) + z_power) x SE."""
    participant, controls, diff = set_differences(values, set_of, treated, n_sets)
    did = matched_did(diff, participant, controls, months, baseline, windows, counts, confidence)
    first = int(min(months))
    placebo_base = (first, first + 11)
    placebo_window = (first + 12, min(-1, first + 23))
    placebo = matched_did(
        diff,
        participant,
        controls,
        months,
        placebo_base,
        [placebo_window],
        counts,
        confidence,
        by_month=False,
    ).windows[placebo_window]
    last = int(max(months))
    naive = before_after(naive_values, months, (first, -1), (0, last), naive_counts, confidence)
    z = stats.norm.ppf(1 - (1 - confidence) / 2) + stats.norm.ppf(POWER)
    mde = {w: float(z * e.se) for w, e in did.windows.items()}
    return MetricEffect(metric, did, placebo, naive, mde)


def subgroup_effect(
    values: FloatArray,
    set_of: IntArray,
    treated: BoolArray,
    sets: BoolArray,
    months: Sequence[int],
    baseline: tuple[int, int],
    window: tuple[int, int],
    n_bootstrap: int,
    seed: int,
    confidence: float,
    clusters: IntArray | None = None,
) -> Estimate:
    """The window effect among the sets marked in ``sets`` (a subgroup of participants), with
    its own bootstrap over those sets (over their ``clusters`` of the whole design, when
    given: sets that share a person are drawn together)."""
    keep_units = sets[set_of]
    renumber = np.cumsum(sets) - 1
    sub_set_of = renumber[set_of[keep_units]]
    n_sub = int(sets.sum())
    participant, controls, diff = set_differences(
        values[keep_units], sub_set_of, treated[keep_units], n_sub
    )
    sub_clusters = None
    if clusters is not None:
        _, sub_clusters = np.unique(np.asarray(clusters)[sets], return_inverse=True)
    counts = [bootstrap_counts(n_sub, n_bootstrap, seed, sub_clusters)]
    if sub_clusters is not None and n_sub and int(sub_clusters.max()) + 1 < n_sub:
        counts.append(bootstrap_counts(n_sub, n_bootstrap, seed + 2))  # see _did._widest
    return matched_did(
        diff, participant, controls, months, baseline, [window], counts, confidence, by_month=False
    ).windows[window]


def agree(a: Estimate, b: Estimate) -> bool:
    """Two estimates agree when each lies within the other's interval or the intervals
    overlap; an estimate without an interval agrees with nothing."""
    if not all(np.isfinite([a.ci_low, a.ci_high, b.ci_low, b.ci_high])):
        return False
    return bool(a.ci_low <= b.ci_high and b.ci_low <= a.ci_high)
