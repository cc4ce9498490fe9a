"""Metrics pinned to hand-computed cases, to scikit-learn, to the implementation before
scikit-learn computed them and to a known data-generating model."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from broen.analytics._privacy import suppress
from broen.analytics.risk import (
    brier,
    calibration_bins,
    capture,
    evaluate,
    recalibration,
    roc_auc,
)

# A fixed small example: 20 persons in two index months of 10, 7 with the outcome, with ties.
Y = np.array([0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0], dtype=float)
P = np.array(
    [
        *(0.05, 0.10, 0.80, 0.20, 0.35, 0.60, 0.35, 0.15, 0.90, 0.25),
        *(0.05, 0.45, 0.30, 0.10, 0.40, 0.70, 0.20, 0.50, 0.35, 0.15),
    ]
)
AMOUNT = np.array([0, 0, 2, 0, 1, 3, 0, 0, 1, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 0], dtype=float)
GROUP = np.repeat([1, 2], 10)


def _previous_auc(y: np.ndarray, score: np.ndarray) -> float:
    """The AUC as Broen computed it before scikit-learn: Mann-Whitney with mid-ranks."""
    n_pos = float(y.sum())
    n_neg = float(y.size - n_pos)
    ranks = pd.Series(score).rank(method="average").to_numpy()
    return (float(ranks[y == 1].sum()) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def _previous_brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def test_the_fixed_example_is_pinned() -> None:
    metrics = evaluate(Y, P, AMOUNT, GROUP, bins=4)
    # 7 x 13 = 91 pairs: 84 ordered right, 2 tied (a half each).
    assert abs(metrics.auc - 85 / 91) <= 1e-12
    assert abs(metrics.auc - _previous_auc(Y, P)) <= 1e-12
    # The squared differences sum to 913/400 over 20 persons.
    assert abs(metrics.brier - 913 / 8000) <= 1e-12
    assert abs(metrics.brier - _previous_brier(Y, P)) <= 1e-12
    # Not from scikit-learn: computed as before (Newton-Raphson; its values before, to 1e-9).
    assert abs(metrics.calibration_intercept - 0.9943050642365922) <= 1e-9
    assert abs(metrics.calibration_slope - 2.9015962924542755) <= 1e-9
    bins = [(b.n, b.predicted, b.observed) for b in metrics.calibration]
    npt.assert_allclose(
        np.array(bins),
        [[5, 0.09, 0.0], [5, 0.22, 0.0], [5, 0.38, 0.6], [5, 0.70, 0.8]],
        rtol=0,
        atol=1e-12,
    )
    # Top 10 % of each month is one person: 1 + 2 of 11 admissions; 5 %: half of them.
    assert metrics.capture == {
        "1%": pytest.approx(0.3 / 11, abs=1e-12),
        "5%": pytest.approx(1.5 / 11, abs=1e-12),
        "10%": pytest.approx(3 / 11, abs=1e-12),
    }


@pytest.mark.parametrize("seed", range(5))
def test_auc_and_brier_equal_the_previous_implementation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = np.round(rng.beta(1, 6, 3_000), 2)  # many ties
    y = (rng.random(3_000) < p).astype(float)
    assert abs(roc_auc(y, p) - _previous_auc(y, p)) <= 1e-12
    assert abs(brier(y, p) - _previous_brier(y, p)) <= 1e-12
    cost = np.round(rng.gamma(0.3, 20_000, 3_000) * (rng.random(3_000) < 0.4))  # a baseline
    assert abs(roc_auc(y, cost) - _previous_auc(y, cost)) <= 1e-12


def test_auc_and_brier_refuse_what_they_cannot_compute() -> None:
    with pytest.raises(ValueError):
        roc_auc([0, 1, 1], [0.2, np.nan, 0.4])
    with pytest.raises(ValueError):
        brier([0, 1], [0.2, 1.5])  # not a probability
    with pytest.raises(ValueError, match="same length"):
        brier([0, 1], [0.2])


def test_calibration_bins_are_sklearns_quantile_bins_only_without_ties() -> None:
    rng = np.random.default_rng(7)
    p = rng.random(1_000)  # distinct predictions, n a multiple of the bins
    y = (rng.random(1_000) < p).astype(float)
    observed, predicted = calibration_curve(y, p, n_bins=10, strategy="quantile")
    ours = calibration_bins(y, p)
    npt.assert_allclose([b.observed for b in ours], observed, rtol=0, atol=1e-12)
    npt.assert_allclose([b.predicted for b in ours], predicted, rtol=0, atol=1e-12)
    # With ties (here: 60 % of the persons at the lowest risk) sklearn's bins merge; ours keep
    # ten groups of equal size.
    tied = np.where(p < 0.6, 0.01, p)
    observed, _ = calibration_curve(y, tied, n_bins=10, strategy="quantile")
    assert len(observed) < 10
    assert [b.n for b in calibration_bins(y, tied)] == [100] * 10


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
