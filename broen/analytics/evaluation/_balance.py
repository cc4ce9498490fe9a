"""Standardised mean differences before and after matching.

SMD = (mean of the treated - mean of the controls) / sqrt((var treated + var controls) / 2).
The denominator is taken from the groups *before* matching, for both columns (as cobalt does by
default), so that a change in SMD reflects a change in means only. After matching, each control
weighs 1 / (number of controls of its participant), the weights of the average effect on the
treated; a participant with fewer controls is not under-represented.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Moments:
    """Count, mean and variance of each covariate in one group (aggregates, no microdata)."""

    n: float
    mean: FloatArray
    variance: FloatArray

    @classmethod
    def of(cls, x: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> Moments:
        xa = np.asarray(x, dtype=np.float64)
        if xa.ndim == 1:
            xa = xa[:, None]
        w = np.ones(xa.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
        total = float(w.sum())
        if total <= 0:
            nan = np.full(xa.shape[1], np.nan)
            return cls(0.0, nan, nan)
        mean = (w[:, None] * xa).sum(axis=0) / total
        variance = (w[:, None] * (xa - mean) ** 2).sum(axis=0) / total
        return cls(total, mean, variance)


@dataclass(frozen=True)
class BalanceRow:
    covariate: str
    mean_treated: float
    mean_controls_before: float
    mean_controls_after: float
    smd_before: float
    smd_after: float


def smd(treated: Moments, controls: Moments, reference: tuple[Moments, Moments]) -> FloatArray:
    """SMD of ``treated`` against ``controls`` with the pooled SD of ``reference`` (the groups
    before matching). A covariate constant in both reference groups has SMD 0 when the means
    agree and is marked infinite when they do not."""
    pooled = np.sqrt((reference[0].variance + reference[1].variance) / 2.0)
    diff = treated.mean - controls.mean
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(pooled > 0, diff / np.where(pooled > 0, pooled, 1.0), 0.0)
    out = np.where((pooled == 0) & (np.abs(diff) > 1e-12), np.copysign(np.inf, diff), out)
    return np.asarray(out, dtype=np.float64)


def few_persons(x: npt.ArrayLike, small: int) -> npt.NDArray[np.bool_]:
    """Per column of ``x`` (units x covariates): would the group's mean reveal fewer than
    ``small`` persons? True when 1..small-1 units have a non-zero value (the mean times the
    count is their total), or, for a 0/1 column, 1..small-1 have a zero."""
    xa = np.asarray(x, dtype=np.float64)
    if xa.ndim == 1:
        xa = xa[:, None]
    nonzero = (xa != 0).sum(axis=0)
    zero = xa.shape[0] - nonzero
    binary = np.isin(xa, (0.0, 1.0)).all(axis=0)
    out: npt.NDArray[np.bool_] = ((nonzero > 0) & (nonzero < small)) | (
        binary & (zero > 0) & (zero < small)
    )
    return out


def balance_table(
    columns: list[str] | tuple[str, ...],
    treated_before: Moments,
    controls_before: Moments,
    treated_after: Moments,
    controls_after: Moments,
) -> list[BalanceRow]:
    """One row per covariate: means and SMD before and after matching."""
    reference = (treated_before, controls_before)
    before = smd(treated_before, controls_before, reference)
    after = smd(treated_after, controls_after, reference)
    return [
        BalanceRow(
            covariate=c,
            mean_treated=float(treated_after.mean[i]),
            mean_controls_before=float(controls_before.mean[i]),
            mean_controls_after=float(controls_after.mean[i]),
            smd_before=float(before[i]),
            smd_after=float(after[i]),
        )
        for i, c in enumerate(columns)
    ]
