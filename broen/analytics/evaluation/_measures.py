"""Outcomes that exist only for participants (weight, BMI, HbA1c, WHO-5, smoking …).

There are no controls for these (measurements are taken in the programme), so they are
reported as change from baseline, labelled *uncontrolled*, with every denominator: referred,
started, measured at baseline, measured at follow-up (answered). A share such as "46 % smoke-free
at 6 months" is given with the number it is a share of, and beside it the share of all who
started (counting those not measured as not smoke-free, the conservative reading).

Baseline: the last value from 90 days before to 30 days after the index date. Follow-up at
month M: the value nearest to index + M months, within 45 days either side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd
from scipy import stats

BASELINE_BEFORE = timedelta(days=90)
BASELINE_AFTER = timedelta(days=30)
FOLLOW_UP_TOLERANCE = timedelta(days=45)
DAYS_PER_MONTH = 30.4375
BINARY = frozenset({"smoking"})


@dataclass(frozen=True)
class MeasureChange:
    measure: str
    month: int
    n_referred: int
    n_started: int
    n_baseline: int
    n_answered: int  # measured at baseline and at follow-up
    baseline_mean: float
    follow_up_mean: float
    change: float
    ci_low: float
    ci_high: float
    # Binary measures (smoking): the share free of it at follow-up among the answered, and
    # among all who started (not measured = not free).
    share_free_answered: float | None = None
    share_free_started: float | None = None


def measure_changes(
    values: pd.DataFrame,
    participants: pd.DataFrame,
    measures: tuple[str, ...],
    months: tuple[int, ...],
    n_referred: int,
    confidence: float = 0.95,
) -> list[MeasureChange]:
    """``values``: person_id, date, measure, value (measurements and questionnaire scores) for
    the participants; ``participants``: person_id and index_date (one row per participant)."""
    out: list[MeasureChange] = []
    if values.empty:
        return out
    joined = _offsets(values, participants)
    n_started = len(participants)
    for measure in measures:
        rows = joined[joined["measure"] == measure]
        if rows.empty:
            continue
        base = _baseline(rows)
        for month in months:
            follow = _follow_up(rows, month)
            both = pd.concat([base.rename("base"), follow.rename("follow")], axis=1).dropna()
            change = (both["follow"] - both["base"]).to_numpy(dtype=np.float64)
            low, high = _t_interval(change, confidence)
            free_answered = free_started = None
            if measure in BINARY and len(follow):
                free = int((follow == 0).sum())
                free_answered = free / len(follow)
                free_started = free / n_started if n_started else None
            out.append(
                MeasureChange(
                    measure=measure,
                    month=month,
                    n_referred=n_referred,
                    n_started=n_started,
                    n_baseline=int(base.size),
                    n_answered=len(both),
                    baseline_mean=float(both["base"].mean()) if len(both) else np.nan,
                    follow_up_mean=float(both["follow"].mean()) if len(both) else np.nan,
                    change=float(change.mean()) if change.size else np.nan,
                    ci_low=low,
                    ci_high=high,
                    share_free_answered=free_answered,
                    share_free_started=free_started,
                )
            )
    return out


def _offsets(values: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    joined = values.merge(participants[["person_id", "index_date"]], on="person_id")
    joined["date"] = pd.to_datetime(joined["date"])
    joined["index_date"] = pd.to_datetime(joined["index_date"])
    joined["offset"] = joined["date"] - joined["index_date"]
    return joined


def _baseline(rows: pd.DataFrame) -> pd.Series:
    """Per person, the last value from 90 days before to 30 days after the index date."""
    in_base = rows[(rows["offset"] >= -BASELINE_BEFORE) & (rows["offset"] <= BASELINE_AFTER)]
    return in_base.sort_values(["person_id", "date"]).groupby("person_id")["value"].last()


def _follow_up(rows: pd.DataFrame, month: int) -> pd.Series:
    """Per person, the value nearest to index + ``month`` months, within 45 days."""
    target = pd.Timedelta(days=month * DAYS_PER_MONTH)
    near = rows.assign(gap=(rows["offset"] - target).abs())
    near = near[near["gap"] <= FOLLOW_UP_TOLERANCE]
    return near.sort_values(["person_id", "gap", "date"]).groupby("person_id")["value"].first()


def paired_measures(
    values: pd.DataFrame, participants: pd.DataFrame, measure: str, month: int
) -> pd.DataFrame:
    """person_id, base, follow: the participants measured at baseline and at ``month``, with
    the same baseline and follow-up rules as :func:`measure_changes`."""
    if values.empty:
        return pd.DataFrame({"person_id": [], "base": [], "follow": []})
    rows = _offsets(values, participants)
    rows = rows[rows["measure"] == measure]
    both = pd.concat(
        [_baseline(rows).rename("base"), _follow_up(rows, month).rename("follow")], axis=1
    ).dropna()
    return both.rename_axis("person_id").reset_index()


def _t_interval(change: np.ndarray, confidence: float) -> tuple[float, float]:
    """The t interval of a mean change (paired values; n below 2 gives no interval)."""
    n = change.size
    if n < 2:
        return np.nan, np.nan
    half = stats.t.ppf((1 + confidence) / 2, n - 1) * change.std(ddof=1) / np.sqrt(n)
    mean = float(change.mean())
    return mean - float(half), mean + float(half)
