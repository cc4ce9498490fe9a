"""The propensity score: regularised logistic regression on standardised covariates.

Fitted with scikit-learn. The model is kept as an intercept and one coefficient per covariate
on the original scale's standardisation (mean and scale), so that the population-sized engine
can score every candidate as a linear expression without the candidates leaving the engine.

When the controls are subsampled for fitting (case-control sampling, as OHDSI does above
250,000 persons), only the intercept is biased, by log(sampling fraction); matching on the logit
within strata and a caliper in standard deviations of the logit do not depend on a constant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

FloatArray = npt.NDArray[np.float64]

# A constant column has no information; scaling by 1 keeps it at zero after centring.
_MIN_SCALE = 1e-12


@dataclass(frozen=True)
class PropensityModel:
    """``logit = intercept + sum(coef * (f(x) - mean) / scale)`` over ``columns``, where f is
    ``log(1 + x)`` for the columns in ``log1p`` (skewed money and counts: on the raw scale a
    few outliers would decide the score) and the identity otherwise."""

    columns: tuple[str, ...]
    intercept: float
    coefficients: FloatArray
    means: FloatArray
    scales: FloatArray
    auc: float  # c statistic on the fitting data: near 1 means little overlap
    log1p: tuple[str, ...] = ()

    def logit(self, x: npt.ArrayLike) -> FloatArray:
        z = _transform(np.asarray(x, dtype=np.float64), self.columns, self.log1p) - self.means
        z = z / self.scales
        out: FloatArray = self.intercept + z @ self.coefficients
        return out

    def as_terms(self) -> dict[str, tuple[float, float, float]]:
        """Per column: (coefficient, mean, scale), for scoring in the engine."""
        return {
            c: (float(b), float(m), float(s))
            for c, b, m, s in zip(
                self.columns, self.coefficients, self.means, self.scales, strict=True
            )
        }


def fit_propensity(
    x: npt.ArrayLike,
    treated: npt.ArrayLike,
    columns: tuple[str, ...] | list[str],
    *,
    penalty: float | None = 1.0,
    control_weight: float | FloatArray = 1.0,
    max_iter: int = 1000,
    log1p: tuple[str, ...] = (),
) -> PropensityModel:
    """Fit the propensity model. ``penalty`` is the inverse L2 strength ``C`` of scikit-learn on
    standardised covariates (1.0 shrinks little with thousands of units, and keeps the fit
    defined when a covariate separates the groups); ``None`` chooses it by 5-fold
    cross-validated log-loss over a grid, as OHDSI tunes its prior: with few participants and
    many covariates an unpenalised score chases noise, and matching on it balances the
    covariates that matter worse. ``control_weight`` re-weights subsampled controls
    (1 / sampling fraction) so the intercept is that of the full population; an array (one
    weight per unit, read for the controls) weighs each control on its own."""
    xa = np.asarray(x, dtype=np.float64)
    ta = np.asarray(treated, dtype=bool)
    if xa.ndim != 2 or xa.shape[0] != ta.size or xa.shape[1] != len(columns):
        raise ValueError("x must be a (units x covariates) matrix matching treated and columns")
    if not np.isfinite(xa).all():
        bad = [c for i, c in enumerate(columns) if not np.isfinite(xa[:, i]).all()]
        raise ValueError(f"covariates with missing or infinite values: {', '.join(bad)}")
    if ta.all() or not ta.any():
        raise ValueError("the propensity model needs both treated units and controls")
    xa = _transform(xa, tuple(columns), log1p)
    means = xa.mean(axis=0)
    scales = xa.std(axis=0)
    scales = np.where(scales < _MIN_SCALE, 1.0, scales)
    z = (xa - means) / scales
    weights = np.where(ta, 1.0, control_weight)
    strength = _cross_validated(z, ta, weights, max_iter) if penalty is None else penalty
    model = LogisticRegression(C=strength, max_iter=max_iter)
    model.fit(z, ta, sample_weight=weights)
    logit = model.decision_function(z)
    return PropensityModel(
        columns=tuple(columns),
        intercept=float(model.intercept_[0]),
        coefficients=np.asarray(model.coef_[0], dtype=np.float64),
        means=means,
        scales=scales,
        auc=float(roc_auc_score(ta, logit, sample_weight=weights)),
        log1p=tuple(c for c in columns if c in log1p),
    )


def _transform(x: FloatArray, columns: tuple[str, ...], log1p: tuple[str, ...]) -> FloatArray:
    if not log1p:
        return x
    out = x.copy()
    for i, c in enumerate(columns):
        if c in log1p:
            out[:, i] = np.log1p(np.maximum(out[:, i], 0.0))
    return out


GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def _cross_validated(
    z: FloatArray, treated: npt.NDArray[np.bool_], weights: FloatArray, max_iter: int
) -> float:
    """The C of ``GRID`` with the least weighted log-loss in 5 stratified folds."""
    from sklearn.metrics import log_loss
    from sklearn.model_selection import StratifiedKFold

    folds = min(5, int(treated.sum()), int((~treated).sum()))
    if folds < 2:
        return 1.0
    losses = np.zeros(len(GRID))
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in split.split(z, treated):
        for i, c in enumerate(GRID):
            model = LogisticRegression(C=c, max_iter=max_iter)
            model.fit(z[train], treated[train], sample_weight=weights[train])
            p = model.predict_proba(z[test])[:, 1]
            losses[i] += log_loss(treated[test], p, sample_weight=weights[test], labels=[0, 1])
    return float(GRID[int(np.argmin(losses))])


def preference_score(logit: npt.ArrayLike, treated_share: float) -> FloatArray:
    """OHDSI's preference score: the propensity with the effect of the groups' sizes removed
    (Walker et al. 2013), so that 0.5 means "as likely either way"."""
    x = np.asarray(logit, dtype=np.float64)
    p = float(treated_share)
    if not 0.0 < p < 1.0:
        raise ValueError("the treated share must lie strictly between 0 and 1")
    out: FloatArray = 1.0 / (1.0 + np.exp(-(x - np.log(p / (1.0 - p)))))
    return out


def equipoise(
    preference: npt.ArrayLike,
    low: float = 0.3,
    high: float = 0.7,
    weights: npt.ArrayLike | None = None,
) -> float:
    """The share of units (weighted, when ``weights`` are given) with a preference score in
    [low, high] (OHDSI: > 0.2 passes)."""
    ps = np.asarray(preference, dtype=np.float64)
    w = np.ones(ps.size) if weights is None else np.asarray(weights, dtype=np.float64)
    total = float(w.sum())
    return float(w[(ps >= low) & (ps <= high)].sum() / total) if ps.size and total > 0 else 0.0


@dataclass(frozen=True)
class MatchedOverlap:
    """How well a propensity model refitted on the matched sample tells participants from
    their controls: its c statistic (0.5: not at all), each group's preference scores and the
    controls' weights (1/k within a set of k controls, so that both groups weigh the same)."""

    auc: float
    participants: FloatArray
    controls: FloatArray
    control_weights: FloatArray

    @property
    def equipoise(self) -> float:
        """The smaller of the two groups' shares in the equipoise zone (controls weighted)."""
        controls = equipoise(self.controls, weights=self.control_weights)
        return min(equipoise(self.participants), controls)


def matched_overlap(
    x_treated: npt.ArrayLike,
    x_controls: npt.ArrayLike,
    control_weights: npt.ArrayLike,
    model: PropensityModel,
    penalty: float | None = None,
) -> MatchedOverlap:
    """Refit ``model``'s covariates on the matched participants against their controls, with
    the controls weighted so that the groups weigh the same; the preference score of that fit
    is its propensity (the groups are equal in weight). The penalty is cross-validated by
    default: a few hundred sets and dozens of covariates would otherwise fit noise and read
    as separation that is not there."""
    xt = np.asarray(x_treated, dtype=np.float64)
    xc = np.asarray(x_controls, dtype=np.float64)
    w = np.asarray(control_weights, dtype=np.float64)
    if w.shape != (xc.shape[0],):
        raise ValueError("control_weights must hold one weight per control")
    if xt.shape[0] == 0 or xc.shape[0] == 0:
        raise ValueError("the matched sample needs participants and controls")
    w = w * (xt.shape[0] / w.sum())
    treated = np.r_[np.ones(xt.shape[0], bool), np.zeros(xc.shape[0], bool)]
    refit = fit_propensity(
        np.vstack([xt, xc]),
        treated,
        model.columns,
        penalty=penalty,
        control_weight=np.r_[np.ones(xt.shape[0]), w],
        log1p=model.log1p,
    )
    return MatchedOverlap(
        auc=refit.auc,
        participants=preference_score(refit.logit(xt), 0.5),
        controls=preference_score(refit.logit(xc), 0.5),
        control_weights=w,
    )
