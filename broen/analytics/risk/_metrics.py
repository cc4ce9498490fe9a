"""Validation metrics for risk scores: discrimination, calibration and capture.

All functions take plain arrays and return numbers or small aggregate tables; none keeps a
reference to its input. Where scikit-learn computes the same thing, it does: the AUC
(``roc_auc_score``) and the Brier score (``brier_score_loss``); what it does not offer is
computed here.

- :func:`roc_auc` — the area under the ROC curve (``sklearn.metrics.roc_auc_score``): the
  probability that a random person with the outcome has a higher score than a random person
  without it, ties counting one half (the Mann-Whitney statistic with mid-ranks).
- :func:`recalibration` — the logistic recalibration ``logit P(y=1) = a + b·logit(p)`` fitted by
  Newton-Raphson. The slope ``b`` is 1 for a well-calibrated model; ``b < 1`` means the
  predictions are too extreme (typical of over-fitting), ``b > 1`` too timid. ``a`` (with ``b``
  fitted) shifts the whole curve.
- :func:`calibration_bins` — observed outcome rate against mean predicted risk in groups of equal
  size (deciles of predicted risk by default): the calibration plot. Not
  ``sklearn.calibration.calibration_curve``, whose bins differ (see the function).
- :func:`brier` — the mean squared difference between risk and outcome
  (``sklearn.metrics.brier_score_loss``).
- :func:`capture` — the share of all next-year events (e.g. acute admissions) that fall on the
  persons ranked in the top 1 %, 5 %, 10 %. Ranking is done within each population (index
  month); ties at the cut-off count fractionally (the expected share under random tie-breaking).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score

from broen.analytics._privacy import is_suppressed, suppress

FloatArray = npt.NDArray[np.float64]
CAPTURE_SHARES: tuple[float, ...] = (0.01, 0.05, 0.10)
_EPS = 1e-12


def _as_float(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64).ravel()


def roc_auc(y: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Area under the ROC curve of ``score`` for the binary outcome ``y`` (0/1).

    A score need not be a probability (the baseline ranks by cost); NaN is refused."""
    yy = _as_float(y)
    ss = _as_float(score)
    if yy.shape != ss.shape:
        raise ValueError("y and score must have the same length")
    n_pos = float(yy.sum())
    if n_pos == 0 or n_pos == yy.size:
        raise ValueError("the AUC needs both persons with and without the outcome")
    return float(roc_auc_score(yy, ss))


def brier(y: npt.ArrayLike, p: npt.ArrayLike) -> float:
    """Mean of ``(p - y)²`` for the binary outcome ``y`` (0/1) and the risks ``p`` (in [0, 1])."""
    yy = _as_float(y)
    pp = _as_float(p)
    if yy.shape != pp.shape:
        raise ValueError("y and p must have the same length")
    return float(brier_score_loss(yy, pp, pos_label=1.0))


def logit(p: npt.ArrayLike) -> FloatArray:
    pp = np.clip(_as_float(p), 1e-9, 1 - 1e-9)
    return np.asarray(np.log(pp / (1 - pp)), dtype=np.float64)


def recalibration(y: npt.ArrayLike, p: npt.ArrayLike, max_iter: int = 100) -> tuple[float, float]:
    """``(intercept, slope)`` of the logistic regression of ``y`` on ``logit(p)``."""
    yy = _as_float(y)
    x = logit(p)
    design = np.column_stack([np.ones_like(x), x])
    beta = np.array([0.0, 1.0])
    for _ in range(max_iter):
        eta = design @ beta
        mu = 1 / (1 + np.exp(-eta))
        w = np.maximum(mu * (1 - mu), _EPS)
        gradient = design.T @ (yy - mu)
        hessian = design.T @ (design * w[:, None])
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    return float(beta[0]), float(beta[1])


@dataclass(frozen=True)
class CalibrationBin:
    """One group of the calibration plot: ``n`` persons, their mean predicted risk and the
    share who had the outcome."""

    n: int
    predicted: float
    observed: float


def calibration_bins(y: npt.ArrayLike, p: npt.ArrayLike, bins: int = 10) -> list[CalibrationBin]:
    """Observed rate against mean predicted risk in ``bins`` groups of (nearly) equal size,
    ordered by predicted risk."""
    # Not sklearn.calibration.calibration_curve(strategy="quantile"): it puts the bin edges at
    # interpolated percentiles of p and bins each prediction by value, so tied predictions (the
    # rule for trees, and for the baseline's many persons without cost) always share a bin: bins
    # then differ in size, and one may be empty and dropped. When n is not a multiple of
    # ``bins`` its groups also differ from equal-size ones. And it returns no counts, which the
    # report shows (suppressed when small). On distinct predictions with n a multiple of
    # ``bins`` both give the same bins (tests/risk/test_metrics.py).
    yy = _as_float(y)
    pp = _as_float(p)
    order = np.argsort(pp, kind="stable")
    out = []
    for part in np.array_split(order, min(bins, max(pp.size, 1))):
        if part.size:
            out.append(
                CalibrationBin(int(part.size), float(pp[part].mean()), float(yy[part].mean()))
            )
    return out


def _top_share_one(amount: FloatArray, score: FloatArray, share: float) -> tuple[float, float]:
    """(captured amount, total amount) for the top ``share`` of one population."""
    n = score.size
    slots = share * n
    order = np.argsort(-score, kind="stable")
    s_sorted = score[order]
    a_sorted = amount[order]
    k = math.ceil(slots - 1e-9)
    if k <= 0:
        return 0.0, float(amount.sum())
    threshold = s_sorted[k - 1]
    above = s_sorted > threshold
    tied = s_sorted == threshold
    remaining = slots - float(above.sum())
    captured = float(a_sorted[above].sum()) + remaining / float(tied.sum()) * float(
        a_sorted[tied].sum()
    )
    return captured, float(amount.sum())


def capture(
    amount: npt.ArrayLike,
    score: npt.ArrayLike,
    group: npt.ArrayLike | None = None,
    shares: Sequence[float] = CAPTURE_SHARES,
) -> dict[str, float]:
    """Share of the total ``amount`` held by the ``shares`` of persons with the highest score.

    ``amount`` is what is to be captured (next-year acute admissions, or cost); ``group`` the
    population each person is ranked in (index month); the top ``share`` of a group is
    ``share × n`` persons, with persons tied at the cut-off counted fractionally. Keys are
    ``"1%"``, ``"5%"``, ``"10%"``.
    """
    aa = _as_float(amount)
    ss = _as_float(score)
    gg = np.zeros(aa.size) if group is None else np.asarray(group).ravel()
    out: dict[str, float] = {}
    for share in shares:
        captured = total = 0.0
        for g in pd.unique(gg):
            mask = gg == g
            c, t = _top_share_one(aa[mask], ss[mask], share)
            captured += c
            total += t
        out[f"{share * 100:g}%"] = captured / total if total > 0 else float("nan")
    return out


def count(n: int) -> int | str:
    """A count of persons for a file that leaves Broen: the number, or ``"<5"``."""
    return suppress(n) if is_suppressed(n) else n


@dataclass(frozen=True)
class Metrics:
    """The validation metrics of one score on the test set (aggregates only)."""

    auc: float
    calibration_intercept: float
    calibration_slope: float
    calibration: tuple[CalibrationBin, ...]
    capture: dict[str, float]
    brier: float

    def to_dict(self) -> dict[str, object]:
        return {
            "auc": self.auc,
            "calibration_intercept": self.calibration_intercept,
            "calibration_slope": self.calibration_slope,
            "brier": self.brier,
            "capture": dict(self.capture),
            "calibration": [
                {"n": count(b.n), "predicted": b.predicted, "observed": b.observed}
                for b in self.calibration
            ],
        }


def evaluate(
    y: npt.ArrayLike,
    p: npt.ArrayLike,
    amount: npt.ArrayLike,
    group: npt.ArrayLike | None = None,
    bins: int = 10,
) -> Metrics:
    """AUC, calibration (bins, intercept, slope), Brier score and capture of ``amount``."""
    yy = _as_float(y)
    pp = _as_float(p)
    intercept, slope = recalibration(yy, pp)
    return Metrics(
        auc=roc_auc(yy, pp),
        calibration_intercept=intercept,
        calibration_slope=slope,
        calibration=tuple(calibration_bins(yy, pp, bins)),
        capture=capture(amount, pp, group),
        brier=brier(yy, pp),
    )
