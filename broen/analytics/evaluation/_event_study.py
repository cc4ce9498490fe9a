"""A staggered-adoption event study: Callaway & Sant'Anna (2021) ATT(g, t), not-yet-treated
comparison group, aggregated to event time. The cross-check for the matched DiD.

Why not a two-way fixed-effects regression: with staggered adoption and effects that vary by
cohort or grow with time since treatment, TWFE compares late adopters with early adopters that
are already treated and weights some cells negatively, so it is biased even without noise
(Goodman-Bacon 2021; Sun & Abraham 2021). Here every comparison is a clean 2x2 DiD.

Estimator (unconditional: no covariates, the outcome-regression and IPW variants coincide)::

    ATT(g, t) = mean over units of cohort g of (Y_t - Y_b)
              - mean over comparison units of (Y_t - Y_b)

- ``g`` is the cohort (first treated period), ``t`` the period, ``e = t - g`` the event time.
- Base period ``b``: ``g - 1`` for ``t >= g`` (the long difference). For pre-periods ``t < g``
  the default ``base_period="varying"`` uses ``b = t - 1`` (short placebo differences, the
  default of the R package ``did``); ``"universal"`` uses ``b = g - 1`` for every cell, so event
  time -1 is the reference and is reported as exactly 0 (standard error 0).
- Comparison units (``control_group="not_yet_treated"``, default): never-treated units and units
  whose cohort is later than both ``t`` and ``b`` (untreated in both periods), excluding cohort
  ``g``. With ``"never_treated"`` only the never-treated. A cell without a treated or a
  comparison unit observed in both ``t`` and ``b`` is dropped and counted
  (:attr:`EventStudy.dropped_cells_`). No anticipation.
- Unbalanced panels: a unit enters a cell when it is observed in both ``t`` and ``b``.

Cohort convention (``cohort`` column, constant within a unit, whole numbers in the period's
units): null (NaN/None/NA) means never treated; so does ``0`` as long as 0 is not inside the
observed period range (the R ``did`` convention; inside the range 0 is ambiguous and is refused).
A cohort after the last observed period is untreated throughout the sample and counts as never
treated. Units treated in or before the first observed period have no pre-period and are
dropped (counted in :attr:`EventStudy.n_always_treated_`).

Aggregation (weights ``p_g`` = cohort g's share of the units, as ``did::aggte``):

- event time ``e``: ``sum_g p_g ATT(g, g+e) / sum_g p_g`` over the cohorts with a cell at ``e``;
- overall: the same weights over all cells with ``0 <= e <= last_month``; on a balanced panel
  this is the ATT averaged over treated unit-periods of the window;
- :meth:`EventStudy.att_window` ``(first, last)``: the SUM of the event-time ATTs over event
  times ``first..last`` (the effect per treated unit accumulated over the window, the convention
  of the matched DiD). Every event time of the window must be estimated.

Inference: influence functions per unit (including the estimation of the weights ``p_g``) and
a seeded multiplier bootstrap with Mammen weights, one draw per unit shared by all event times,
so window sums are bootstrapped jointly and units are the clusters (serial correlation within a
unit is allowed). Standard error = interquartile range of the bootstrap draws / 1.349 (robust,
as ``did``), interval = estimate +- z * se (pointwise). ``n_bootstrap=0`` gives the analytic
standard error from the influence functions instead.

Only aggregates are kept on the fitted object, never unit rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from broen.analytics.evaluation._did import Estimate

FloatArray = npt.NDArray[np.float64]

BasePeriod = Literal["varying", "universal"]
ControlGroup = Literal["not_yet_treated", "never_treated"]

_MAX_CELLS = 500_000_000  # units x periods of the wide outcome matrix
_BOOT_CHUNK = 20_000_000  # multiplier draws held in memory at once
_IQR_NORMAL = NormalDist().inv_cdf(0.75) - NormalDist().inv_cdf(0.25)


@dataclass(frozen=True)
class _Panel:
    """The outcome as periods x units, the units sorted by cohort (never treated last), so
    that a cohort and every "cohort later than m" comparison group are contiguous slices."""

    values: FloatArray  # periods x units, NaN where not observed
    cohort: FloatArray  # per unit, ascending; inf = never treated within the sample
    first_period: int
    n_always_treated: int


class EventStudy:
    """Callaway & Sant'Anna event study for staggered adoption (see the module docstring).

    ``first_month``/``last_month``: the event times (period minus cohort) estimated and
    reported, inclusive. ``base_period``: ``"varying"`` (default) or ``"universal"``.
    ``control_group``: ``"not_yet_treated"`` (default) or ``"never_treated"``.
    ``n_bootstrap`` multiplier-bootstrap draws (0 = analytic standard errors), seeded by
    ``random_state``; ``confidence`` the level of the pointwise intervals. Periods are any
    consecutive whole numbers (a running month index such as ``year * 12 + month - 1``).

    Fitted attributes (aggregates only):

    - ``by_event_time_``: DataFrame ``event_time, att, se, ci_low, ci_high, n_units`` (treated
      units in the event time's cells), one row per estimated event time;
    - ``overall_att_``: :class:`Estimate` of the ATT over the cells with ``0 <= e <=
      last_month`` (None if there is none); ``att_window(first, last)``: the window's sum;
    - ``att_gt_``: DataFrame ``cohort, period, event_time, base_period, att, n_treated,
      n_control`` (point estimates of the cells, no intervals);
    - ``dropped_cells_`` (``cohort, period, event_time, reason``), ``n_dropped_cells_``;
    - ``n_units_``, ``n_treated_units_``, ``n_never_treated_``, ``n_always_treated_``
      (dropped), ``cohorts_``.

    No covariates: parallel trends must hold unconditionally between each cohort and its
    comparison units (use it on matched or otherwise comparable populations).
    """

    def __init__(
        self,
        *,
        first_month: int = -24,
        last_month: int = 23,
        base_period: BasePeriod = "varying",
        control_group: ControlGroup = "not_yet_treated",
        n_bootstrap: int = 999,
        confidence: float = 0.95,
        random_state: int = 0,
    ) -> None:
        self.first_month = first_month
        self.last_month = last_month
        self.base_period = base_period
        self.control_group = control_group
        self.n_bootstrap = n_bootstrap
        self.confidence = confidence
        self.random_state = random_state

    def fit(
        self,
        frame: pd.DataFrame,
        *,
        unit: str,
        time: str,
        cohort: str,
        outcome: str,
    ) -> EventStudy:
        """Estimate ATT(g, t) and its aggregates from a long panel (one row per unit and
        period). Returns self."""
        self._check_parameters()
        panel = _prepare(frame, unit, time, cohort, outcome)
        n_periods, n_units = panel.values.shape
        if n_units == 0:
            raise ValueError("no unit is left after dropping the units treated from the start")
        finite = np.isfinite(panel.cohort)
        cohorts = np.unique(panel.cohort[finite])
        cohort_index = np.full(n_units, -1, dtype=np.int64)
        cohort_index[finite] = np.searchsorted(cohorts, panel.cohort[finite])
        start = np.searchsorted(panel.cohort, cohorts, side="left")
        stop = np.searchsorted(panel.cohort, cohorts, side="right")
        cohort_sizes = stop - start
        share = cohort_sizes / n_units
        never_start = int(np.searchsorted(panel.cohort, np.inf, side="left"))

        event_times = np.arange(self.first_month, self.last_month + 1, dtype=np.int64)
        n_aggregates = event_times.size + 1  # one row per event time, then the overall ATT
        overall = event_times.size
        weighted_if = np.zeros((n_aggregates, n_units))
        weight_sum = np.zeros(n_aggregates)
        weighted_att = np.zeros(n_aggregates)
        treated_count = np.zeros(n_aggregates, dtype=np.int64)
        reference_units = np.zeros(event_times.size, dtype=np.int64)
        members: list[list[tuple[int, float]]] = [[] for _ in range(n_aggregates)]
        cells: list[dict[str, Any]] = []
        dropped: list[dict[str, Any]] = []
        last_period = panel.first_period + n_periods - 1

        for k, g in enumerate(cohorts.astype(np.int64).tolist()):
            lo, hi = int(start[k]), int(stop[k])
            for t in range(max(panel.first_period, g + self.first_month), last_period + 1):
                e = t - g
                if e > self.last_month:
                    break
                j = e - self.first_month
                b = g - 1 if (t >= g or self.base_period == "universal") else t - 1
                if b < panel.first_period:
                    continue
                if t == b:  # the universal reference period: zero by construction
                    reference_units[j] += cohort_sizes[k]
                    continue
                row_t = panel.values[t - panel.first_period]
                row_b = panel.values[b - panel.first_period]
                # comparison units: cohort later than both t and b (or never treated), the
                # slice [c0, n_units) of the sorted units, without cohort g itself
                if self.control_group == "never_treated":
                    c0 = never_start
                else:
                    c0 = int(np.searchsorted(panel.cohort, max(t, b), side="right"))
                change_t = row_t[lo:hi] - row_b[lo:hi]
                seen_t = np.isfinite(change_t)
                change_c = row_t[c0:] - row_b[c0:]
                seen_c = np.isfinite(change_c)
                if lo >= c0:
                    seen_c[lo - c0 : hi - c0] = False
                n_t, n_c = int(seen_t.sum()), int(seen_c.sum())
                if n_t == 0 or n_c == 0:
                    reason = "no treated unit observed" if n_t == 0 else "no comparison unit"
                    dropped.append({"cohort": g, "period": t, "event_time": e, "reason": reason})
                    continue
                dev_t = np.where(seen_t, change_t, 0.0)
                dev_c = np.where(seen_c, change_c, 0.0)
                mean_t = float(dev_t.sum()) / n_t
                mean_c = float(dev_c.sum()) / n_c
                att = mean_t - mean_c
                # influence function of the cell, scaled so that att - truth ~ mean_i IF_i
                dev_t = np.where(seen_t, change_t - mean_t, 0.0) * (n_units / n_t)
                dev_c = np.where(seen_c, change_c - mean_c, 0.0) * (-n_units / n_c)
                cells.append(
                    {
                        "cohort": g,
                        "period": t,
                        "event_time": e,
                        "base_period": b,
                        "att": att,
                        "n_treated": n_t,
                        "n_control": n_c,
                    }
                )
                for row in (j, overall) if e >= 0 else (j,):
                    weighted_if[row, lo:hi] += share[k] * dev_t
                    weighted_if[row, c0:] += share[k] * dev_c
                    weight_sum[row] += share[k]
                    weighted_att[row] += share[k] * att
                    treated_count[row] += n_t
                    members[row].append((k, att))

        if not cells:
            raise ValueError(
                "no ATT(g, t) cell could be estimated: check the event window, the cohorts and "
                "that a comparison group exists"
            )
        estimated = weight_sum > 0
        point = np.where(estimated, weighted_att / np.where(estimated, weight_sum, 1.0), np.nan)
        influence_agg = weighted_if  # completed in place, row by row
        for agg in np.flatnonzero(estimated).tolist():
            # The aggregate's influence function: the weighted cells' plus the estimation of
            # the cohort shares p_g, which reduces to 1{G_i in S} sum_c (ATT_c - theta) / P.
            per_cohort = np.zeros(cohorts.size)
            for member, att in members[agg]:
                per_cohort[member] += att - point[agg]
            share_term = np.where(cohort_index >= 0, per_cohort[cohort_index], 0.0)
            influence_agg[agg] += share_term
            influence_agg[agg] /= weight_sum[agg]

        if self.n_bootstrap > 0:
            draws = _multiplier_draws(influence_agg, self.n_bootstrap, self.random_state)
            self._draws: FloatArray | None = draws
            self._cov: FloatArray | None = None
        else:
            self._draws = None
            self._cov = influence_agg @ influence_agg.T / float(n_units) ** 2

        self._event_times = event_times
        self._point = point
        self._estimated = estimated
        self._reference = reference_units > 0
        self._cohort_counts: dict[tuple[int, int], int] = {
            (c["cohort"], c["event_time"]): c["n_treated"] for c in cells
        }

        rows = []
        for pos, event_time in enumerate(event_times.tolist()):
            if self._reference[pos]:
                rows.append(
                    {
                        "event_time": event_time,
                        "att": 0.0,
                        "se": 0.0,
                        "ci_low": 0.0,
                        "ci_high": 0.0,
                        "n_units": int(reference_units[pos]),
                    }
                )
            elif estimated[pos]:
                est = self._estimate(np.eye(1, n_aggregates, pos)[0], int(treated_count[pos]))
                rows.append(
                    {
                        "event_time": event_time,
                        "att": est.value,
                        "se": est.se,
                        "ci_low": est.ci_low,
                        "ci_high": est.ci_high,
                        "n_units": int(treated_count[pos]),
                    }
                )
        self.by_event_time_ = pd.DataFrame(
            rows, columns=["event_time", "att", "se", "ci_low", "ci_high", "n_units"]
        )
        self.att_gt_ = pd.DataFrame(
            cells,
            columns=[
                "cohort",
                "period",
                "event_time",
                "base_period",
                "att",
                "n_treated",
                "n_control",
            ],
        )
        self.dropped_cells_ = pd.DataFrame(
            dropped, columns=["cohort", "period", "event_time", "reason"]
        )
        self.n_dropped_cells_ = len(dropped)
        self.n_always_treated_ = panel.n_always_treated
        self.n_units_ = n_units
        self.n_treated_units_ = int(finite.sum())
        self.n_never_treated_ = n_units - self.n_treated_units_
        self.cohorts_ = [int(g) for g in cohorts]
        if estimated[overall]:
            self.overall_att_: Estimate | None = self._estimate(
                np.eye(1, n_aggregates, overall)[0], self._window_units(0, self.last_month)
            )
        else:
            self.overall_att_ = None
        return self

    def att_window(self, first: int, last: int) -> Estimate:
        """The SUM over event times ``first..last`` (inclusive) of the event-time ATTs, with a
        joint bootstrap interval. ``Estimate.n`` = treated units contributing (exact on a
        balanced panel: per cohort the largest count of its units in one cell of the window)."""
        self._check_fitted()
        if first > last:
            raise ValueError(f"the window {first}..{last} is empty")
        if first < self.first_month or last > self.last_month:
            raise ValueError(
                f"the window {first}..{last} lies outside the event times "
                f"{self.first_month}..{self.last_month} that were estimated"
            )
        j = self._event_times - self.first_month
        inside = (self._event_times >= first) & (self._event_times <= last)
        missing = inside & ~self._estimated[:-1] & ~self._reference
        if missing.any():
            times = ", ".join(str(int(e)) for e in self._event_times[missing])
            raise ValueError(f"the event times {times} of the window could not be estimated")
        weights = np.zeros(self._point.size)
        weights[j[inside & self._estimated[:-1]]] = 1.0
        return self._estimate(weights, self._window_units(first, last))

    def summary(self) -> dict[str, Any]:
        """The results as plain JSON-ready values (aggregates only)."""
        self._check_fitted()
        overall = self.overall_att_
        return {
            "method": "callaway_santanna",
            "control_group": self.control_group,
            "base_period": self.base_period,
            "confidence": self.confidence,
            "n_bootstrap": self.n_bootstrap,
            "n_units": self.n_units_,
            "n_treated_units": self.n_treated_units_,
            "n_never_treated": self.n_never_treated_,
            "n_always_treated_dropped": self.n_always_treated_,
            "n_dropped_cells": self.n_dropped_cells_,
            "cohorts": self.cohorts_,
            "overall_att": None
            if overall is None
            else {
                "att": overall.value,
                "ci_low": overall.ci_low,
                "ci_high": overall.ci_high,
                "se": overall.se,
                "n": overall.n,
            },
            "by_event_time": self.by_event_time_.to_dict(orient="records"),
        }

    # -- internals --------------------------------------------------------------------------

    def _check_parameters(self) -> None:
        if self.first_month > self.last_month:
            raise ValueError(
                f"first_month ({self.first_month}) must not exceed last_month ({self.last_month})"
            )
        if self.base_period not in ("varying", "universal"):
            raise ValueError(
                f"base_period must be 'varying' or 'universal', not {self.base_period!r}"
            )
        if self.control_group not in ("not_yet_treated", "never_treated"):
            raise ValueError(
                "control_group must be 'not_yet_treated' or 'never_treated', "
                f"not {self.control_group!r}"
            )
        if self.n_bootstrap < 0:
            raise ValueError("n_bootstrap must be 0 (analytic standard errors) or more")
        if not 0.0 < self.confidence < 1.0:
            raise ValueError("confidence must lie strictly between 0 and 1")

    def _check_fitted(self) -> None:
        if not hasattr(self, "by_event_time_"):
            raise ValueError("call fit() first")

    def _estimate(self, weights: FloatArray, n: int) -> Estimate:
        """The linear combination ``weights`` of the aggregates (event times, then overall)."""
        used = weights != 0
        value = float(np.dot(weights[used], self._point[used]))
        if self._draws is not None:
            combined = self._draws @ weights
            q25, q75 = np.quantile(combined, [0.25, 0.75])
            se = float((q75 - q25) / _IQR_NORMAL)
        else:
            assert self._cov is not None
            variance = float(weights @ self._cov @ weights)
            se = float(np.sqrt(max(variance, 0.0)))
        z = NormalDist().inv_cdf(0.5 + self.confidence / 2.0)
        return Estimate(value, value - z * se, value + z * se, se, n)

    def _window_units(self, first: int, last: int) -> int:
        best: dict[int, int] = {}
        for (g, e), n in self._cohort_counts.items():
            if first <= e <= last:
                best[g] = max(best.get(g, 0), n)
        return sum(best.values())


def _multiplier_draws(influence: FloatArray, n_bootstrap: int, seed: int) -> FloatArray:
    """Bootstrap deviations (draws x aggregates) from ``influence`` (aggregates x units):
    ``mean_i xi_i * influence_i`` with Mammen's two-point weights (mean 0, variance 1), one
    weight per unit shared by all aggregates, in chunks of draws to bound memory."""
    n_units = influence.shape[1]
    rng = np.random.default_rng(seed)
    root5 = np.sqrt(5.0)
    low, high = (1.0 - root5) / 2.0, (1.0 + root5) / 2.0
    p_low = (root5 + 1.0) / (2.0 * root5)
    out = np.empty((n_bootstrap, influence.shape[0]))
    step = max(1, _BOOT_CHUNK // max(n_units, 1))
    for start in range(0, n_bootstrap, step):
        stop = min(start + step, n_bootstrap)
        xi = np.where(rng.random((stop - start, n_units)) < p_low, low, high)
        out[start:stop] = xi @ influence.T / n_units
    return out


def _prepare(frame: pd.DataFrame, unit: str, time: str, cohort: str, outcome: str) -> _Panel:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError("frame must be a pandas DataFrame")
    missing = [c for c in (unit, time, cohort, outcome) if c not in frame.columns]
    if missing:
        raise ValueError(f"the table has no column {', '.join(missing)}")
    if len(frame) == 0:
        raise ValueError("the table has no rows")
    if frame[unit].isna().any():
        raise ValueError(f"the unit column {unit} has missing values")
    periods = _whole_numbers(frame[time], time, allow_null=False).astype(np.int64)
    cohort_values = _whole_numbers(frame[cohort], cohort, allow_null=True)
    values = _numeric(frame[outcome], outcome)
    if not np.isfinite(values).all():
        raise ValueError(
            f"the outcome column {outcome} has missing or infinite values: drop those rows "
            "(an unbalanced panel is allowed)"
        )
    try:  # sorted ids: the bootstrap draws do not depend on the order of the rows
        codes, uniques = pd.factorize(frame[unit], sort=True)
    except TypeError:  # ids of mixed types
        codes, uniques = pd.factorize(frame[unit], sort=False)
    codes = np.asarray(codes, dtype=np.int64)
    n_units = len(uniques)
    first, last = int(periods.min()), int(periods.max())
    n_periods = last - first + 1
    if n_units * n_periods > _MAX_CELLS:
        raise ValueError(
            f"{n_units} units x {n_periods} periods is too large: are the periods consecutive "
            "whole numbers (months as a running index)?"
        )
    position = codes * n_periods + (periods - first)
    if (np.bincount(position, minlength=n_units * n_periods) > 1).any():
        raise ValueError(f"a unit has more than one row for the same {time}")

    per_unit = np.full(n_units, np.nan)
    per_unit[codes] = cohort_values
    # Constant within unit: every row must carry its unit's value (NaN compares as equal).
    stored = per_unit[codes]
    same = (stored == cohort_values) | (np.isnan(stored) & np.isnan(cohort_values))
    if not same.all():
        raise ValueError(f"the cohort column {cohort} is not constant within each unit")
    if (per_unit == 0).any() and first <= 0 <= last:
        raise ValueError(
            f"cohort 0 is ambiguous because period 0 is observed: mark never-treated units "
            f"with a missing {cohort}"
        )
    never = np.isnan(per_unit) | (per_unit == 0) | (per_unit > last)
    per_unit[never] = np.inf
    always = per_unit <= first
    wide = np.full((n_units, n_periods), np.nan)
    wide.reshape(-1)[position] = values
    kept = np.flatnonzero(~always)
    order = kept[np.argsort(per_unit[kept], kind="stable")]
    return _Panel(
        values=np.ascontiguousarray(wide[order].T),
        cohort=per_unit[order],
        first_period=first,
        n_always_treated=int(always.sum()),
    )


def _numeric(column: pd.Series, name: str) -> FloatArray:
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        raise ValueError(f"the column {name} must be numeric")
    return np.asarray(column.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)


def _whole_numbers(column: pd.Series, name: str, *, allow_null: bool) -> FloatArray:
    """The column as floats, checked to hold whole numbers (and no nulls unless allowed)."""
    values = _numeric(column, name)
    null = np.isnan(values)
    if null.any() and not allow_null:
        raise ValueError(f"the column {name} has missing values")
    present = values[~null]
    if not np.isfinite(present).all() or (present != np.round(present)).any():
        raise ValueError(f"the column {name} must hold whole numbers (periods as integers)")
    return values
