"""MatchingEstimator against datasets with published or exactly known answers.

NHEFS (Hernán & Robins, *What If*, ch. 12-13): quitting smoking raised weight gain by 3.4 kg
(IP weighting, 95% CI 2.4-4.5), 3.5 kg by standardisation; the naive difference is 2.5 kg.
ACIC 2016 (via causallib): ten instances with the true SATT from the potential outcomes.
LaLonde / Dehejia-Wahba (via causaldata): the NSW treated against CPS controls should land on
the experimental benchmark, $1,794, where the naive difference is -$8,498.
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


def _lalonde() -> tuple[pd.DataFrame, list[str]]:
    """NSW treated + CPS-1 controls with Dehejia & Wahba's indicators of no earnings."""
    frame = oracles.load_lalonde_cps()
    frame["u74"] = (frame["re74"] == 0).astype(np.int64)
    frame["u75"] = (frame["re75"] == 0).astype(np.int64)
    return frame, [*oracles.LALONDE_COVARIATES, "u74", "u75"]


def test_lalonde_cps_lands_on_the_experimental_benchmark() -> None:
    frame, covariates = _lalonde()
    est = MatchingEstimator(random_state=0).fit(
        frame, treatment="treat", outcome="re78", covariates=covariates
    )
    benchmark = oracles.LALONDE_EXPERIMENTAL  # 1,794 (SE 671) from the experiment itself
    # Measured (1:5, caliper 0.2), these 10 covariates: boosting 1,830 (515-3,280), linear 1,525
    # (261-2,880), none 1,514 (259-2,848); 174 of 185 treated matched (11 outside the caliper)
    # to 508 controls, AUC 0.974; max |SMD| after 0.13 (u75; the rest <= 0.08), 2.43 before
    # (black). Boosting with random_state 0-9: 1,741-1,897, at most 103 from the benchmark.
    # Without u74/u75 (the 8 covariates): boosting 1,890 (685-3,207), linear 1,299 (144-2,568),
    # none 1,223 (2-2,465), 185 matched to 517 controls, AUC 0.971, max |SMD| 0.13 (hisp); but
    # 45% of the matched controls had no 1974 earnings against 71% of the treated (SMD of u74
    # 0.66), and boosting with random_state 0-9 ranges 1,888-2,069 (up to 275 off). So u74/u75.
    # Tolerance 300: about 3x the worst error over seeds 0-9, under half the bootstrap SE (700).
    assert est.ci_low_ < benchmark < est.ci_high_
    assert abs(est.att_ - benchmark) < 300
    assert est.naive_ == pytest.approx(oracles.LALONDE_NAIVE_CPS, abs=0.01)
    assert abs(est.att_ - benchmark) < abs(est.naive_ - benchmark) / 20
    assert est.n_matched_ >= 170
    assert max(abs(b.smd_before) for b in est.balance_) > 2
    assert max(abs(b.smd_after) for b in est.balance_) < 0.15


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
