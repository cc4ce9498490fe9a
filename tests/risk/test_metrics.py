"""Metrics pinned to hand-computed cases, to scikit-learn and to a known data-generating model."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from broen.analytics._privacy import suppress
from broen.analytics.risk import calibration_bins, capture, evaluate, recalibration, roc_auc


def test_auc_hand_computed() -> None:
    # 2 positives x 2 negatives = 4 pairs; 3 ordered right: 3/4.
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    # A tie between a positive and a negative counts one half: (0.5 + 1 + 1 + 1) / 4.
    assert roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) == pytest.approx(0.875)
    assert roc_auc([1, 0], [0.9, 0.1]) == 1.0
    assert roc_auc([1, 0], [0.1, 0.9]) == 0.0


def test_auc_equals_sklearn_with_ties() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 5_000)
    score = np.round(rng.normal(size=5_000) + 0.7 * y, 1)  # many ties
    npt.assert_allclose(roc_auc(y, score), roc_auc_score(y, score), rtol=1e-12)


def test_auc_needs_both_classes() -> None:
    with pytest.raises(ValueError, match="both"):
        roc_auc([1, 1], [0.2, 0.3])


def _simulate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    p = 1 / (1 + np.exp(-(-2.0 + 1.2 * x)))
    return p, (rng.random(n) < p).astype(float)


def test_calibration_slope_is_one_for_the_true_model() -> None:
    p, y = _simulate(200_000, 1)
    intercept, slope = recalibration(y, p)
    assert slope == pytest.approx(1.0, abs=0.03)
    assert intercept == pytest.approx(0.0, abs=0.03)
    for b in calibration_bins(y, p):
        assert b.observed == pytest.approx(b.predicted, abs=0.01)


def test_calibration_slope_matches_an_unpenalised_logistic_fit() -> None:
    p, y = _simulate(20_000, 2)
    p_shrunk = 1 / (1 + np.exp(-(0.5 * np.log(p / (1 - p)))))  # too timid: slope 2
    intercept, slope = recalibration(y, p_shrunk)
    reference = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(
        np.log(p_shrunk / (1 - p_shrunk))[:, None], y
    )
    npt.assert_allclose(
        [intercept, slope], [reference.intercept_[0], reference.coef_[0, 0]], rtol=1e-4
    )
    assert slope == pytest.approx(2.0, abs=0.15)


def test_calibration_slope_below_one_for_an_overfit_model() -> None:
    rng = np.random.default_rng(5)
    n_train, n_test, noise = 300, 20_000, 60
    x = rng.normal(size=(n_train + n_test, 1 + noise))
    p = 1 / (1 + np.exp(-(-1.0 + 1.0 * x[:, 0])))
    y = (rng.random(n_train + n_test) < p).astype(float)
    overfit = LogisticRegression(C=1e6, max_iter=10_000).fit(x[:n_train], y[:n_train])
    predicted = overfit.predict_proba(x[n_train:])[:, 1]
    _, slope = recalibration(y[n_train:], predicted)
    assert slope < 0.7


def test_capture_hand_computed() -> None:
    # 20 persons; admissions next year: the top-scored person has 3, the second 1, and one
    # low-scored person has 4 (total 8). Top 5 % = 1 person: 3/8. Top 10 % = 2: 4/8.
    score = np.arange(20, 0, -1, dtype=float)
    amount = np.zeros(20)
    amount[[0, 1, 15]] = [3, 1, 4]
    out = capture(amount, score, shares=(0.05, 0.10, 0.5))
    assert out == {
        "5%": pytest.approx(3 / 8),
        "10%": pytest.approx(4 / 8),
        "50%": pytest.approx(4 / 8),
    }


def test_capture_counts_ties_at_the_cut_off_fractionally() -> None:
    # 10 persons, top 10 % = 1 slot shared by two tied persons with 2 and 0 admissions: 1 of 4.
    score = np.array([5, 5, 1, 1, 1, 1, 1, 1, 1, 0], dtype=float)
    amount = np.array([2, 0, 0, 0, 0, 0, 0, 0, 0, 2], dtype=float)
    assert capture(amount, score, shares=(0.10,))["10%"] == pytest.approx(0.25)


def test_capture_ranks_within_each_group() -> None:
    # Two index months of 10 persons; the top 10 % of each holds one admission of two.
    score = np.array([9, 1, 1, 1, 1, 1, 1, 1, 1, 1] * 2, dtype=float) * np.repeat([1, 100], 10)
    amount = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0] * 2, dtype=float)
    group = np.repeat([1, 2], 10)
    assert capture(amount, score, group, shares=(0.10,))["10%"] == pytest.approx(0.5)
    # Ranked as one population, the second month takes both slots: its first person (1) and
    # 1/9 of its nine tied persons, one of whom has an admission: (1 + 1/9) / 4.
    assert capture(amount, score, None, shares=(0.10,))["10%"] == pytest.approx((1 + 1 / 9) / 4)


def test_evaluate_holds_aggregates_only() -> None:
    p, y = _simulate(1_000, 4)
    metrics = evaluate(y, p, y)
    assert len(metrics.calibration) == 10
    assert sum(b.n for b in metrics.calibration) == 1_000
    assert set(metrics.capture) == {"1%", "5%", "10%"}


def test_suppress_small_cells() -> None:
    assert suppress(0) == "0"
    assert suppress(1) == "<5"
    assert suppress(4) == "<5"
    assert suppress(5) == "5"
    assert suppress(12_345) == "12,345"
    assert suppress(9, k=10) == "<10"
    with pytest.raises(ValueError):
        suppress(-1)
