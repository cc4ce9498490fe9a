"""MatchingEstimator against datasets with published or exactly known answers.

NHEFS (Hernán & Robins, *What If*, ch. 12-13): quitting smoking raised weight gain by 3.4 kg
(IP weighting, 95% CI 2.4-4.5), 3.5 kg by standardisation; the naive difference is 2.5 kg.
ACIC 2016 (via causallib): ten instances with the true SATT from the potential outcomes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from broen.analytics.evaluation import MatchingEstimator
from tests.evaluation import oracles


def _nhefs() -> tuple[pd.DataFrame, list[str]]:
    frame = oracles.load_nhefs()
    design = pd.get_dummies(
        frame, columns=list(oracles.NHEFS_CATEGORICAL), drop_first=True, dtype=float
    )
    for name in oracles.NHEFS_SQUARED:
        design[f"{name}_sq"] = design[name].astype(float) ** 2
    covariates = [c for c in design.columns if c not in ("seqn", "qsmk", "wt82_71")]
    return design, covariates


@pytest.mark.parametrize("adjust", ["boosting", "linear"])
def test_nhefs_lands_on_the_published_effect(adjust: str) -> None:
    frame, covariates = _nhefs()
    est = MatchingEstimator(adjust=adjust, random_state=0).fit(
        frame, treatment="qsmk", outcome="wt82_71", covariates=covariates
    )
    # Published: 3.4 kg (2.4-4.5). Measured (1:5, caliper 0.2): boosting 3.60 (2.65-4.68),
    # linear 3.43 (2.50-4.41), 388 of 403 quitters matched.
    assert est.ci_low_ < oracles.NHEFS_IPW < est.ci_high_
    assert abs(est.att_ - oracles.NHEFS_IPW) < 0.25
    assert abs(est.naive_ - oracles.NHEFS_NAIVE) < 0.01
    assert est.n_matched_ >= 380
    assert max(abs(b.smd_after) for b in est.balance_) < 0.1


ACIC_RESULTS: dict[int, float] = {}


@pytest.mark.slow
@pytest.mark.parametrize("instance", range(1, 11))
def test_acic_2016_interval_covers_the_true_satt(instance: int) -> None:
    frame, truth = oracles.load_acic(instance)
    covariates = [c for c in frame.columns if c.startswith("x_")]
    est = MatchingEstimator(random_state=0).fit(
        frame, treatment="treatment", outcome="outcome", covariates=covariates
    )
    # Measured: all ten intervals cover; the largest error is 0.17 (instance 4), RMSE 0.07.
    # Without the bias correction the RMSE is 0.57 and five of ten intervals miss.
    assert est.ci_low_ < truth < est.ci_high_
    assert abs(est.att_ - truth) < 0.25
    assert abs(est.att_ - truth) < abs(est.naive_ - truth)


def test_without_bias_correction_acic_misses() -> None:
    # The reason for the default: on instance 9 matching alone is 1.0 off the truth.
    frame, truth = oracles.load_acic(9)
    covariates = [c for c in frame.columns if c.startswith("x_")]
    raw = MatchingEstimator(adjust="none", n_bootstrap=200).fit(
        frame, treatment="treatment", outcome="outcome", covariates=covariates
    )
    assert not raw.ci_low_ < truth < raw.ci_high_
    assert np.isfinite(raw.att_)
