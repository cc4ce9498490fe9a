"""Matched-set difference-in-differences: hand-computed sets, censoring, the bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from broen.analytics.evaluation._did import (
    before_after,
    bootstrap_counts,
    matched_did,
    set_differences,
)

MONTHS = [-2, -1, 0, 1]
NAN = np.nan


def _two_sets():
    # Set 0: participant 0, controls 1 and 2. Set 1: participant 3, control 4.
    values = np.array(
        [
            [10.0, 20.0, 5.0, 5.0],  # participant of set 0
            [10.0, 14.0, 8.0, 10.0],  # control
            [6.0, 14.0, NAN, 6.0],  # control, unobserved in month 0
            [0.0, 0.0, 3.0, 3.0],  # participant of set 1
            [1.0, 1.0, 1.0, NAN],  # control, censored from month 1
        ]
    )
    set_of = np.array([0, 0, 0, 1, 1])
    treated = np.array([True, False, False, True, False])
    return values, set_of, treated


def test_hand_computed_effects() -> None:
    values, set_of, treated = _two_sets()
    participant, controls, diff = set_differences(values, set_of, treated, 2)
    # Set 0 controls' mean: [8, 14, 8 (only control 1), 8]; d = [2, 6, -3, -3].
    np.testing.assert_allclose(controls[0], [8.0, 14.0, 8.0, 8.0])
    np.testing.assert_allclose(diff[0], [2.0, 6.0, -3.0, -3.0])
    # Set 1: d = [-1, -1, 2, NaN] (no control observed in month 1).
    np.testing.assert_allclose(diff[1], [-1.0, -1.0, 2.0, NAN])
    counts = bootstrap_counts(2, 200, seed=1)
    result = matched_did(diff, participant, controls, MONTHS, (-2, -1), [(0, 1)], counts)
    # Baselines: set 0 mean(2, 6) = 4, set 1 = -1. DiD: set 0 [-2, 2, -7, -7], set 1
    # [0, 0, 3, NaN]. Month effects: -1, 1, -2 (mean of -7 and 3), -7 (set 0 only).
    np.testing.assert_allclose([e.value for e in result.by_month], [-1.0, 1.0, -2.0, -7.0])
    assert [e.n for e in result.by_month] == [2, 2, 2, 1]
    window = result.windows[(0, 1)]
    assert window.value == pytest.approx(-9.0)
    assert window.ci_low <= window.value <= window.ci_high
    np.testing.assert_allclose(result.participant_mean, [5.0, 10.0, 4.0, 5.0])


def test_bootstrap_counts_are_reproducible_and_balanced() -> None:
    a, b = bootstrap_counts(50, 300, seed=7), bootstrap_counts(50, 300, seed=7)
    np.testing.assert_array_equal(a, b)
    assert (a.sum(axis=1) == 50).all()
    assert not np.array_equal(a, bootstrap_counts(50, 300, seed=8))


def test_interval_covers_a_known_effect() -> None:
    # 400 sets, true effect 3 per month from month 0 on, noise N(0, 2): the window 0..1 sum is 6.
    rng = np.random.default_rng(4)
    n, months = 400, np.arange(-3, 2)
    base = rng.normal(10, 3, (n, 1))
    participant = base + rng.normal(0, 2, (n, months.size)) + 3.0 * (months >= 0)
    control = base + rng.normal(0, 2, (n, months.size))
    values = np.vstack([participant, control])
    set_of = np.concatenate([np.arange(n), np.arange(n)])
    treated = np.arange(2 * n) < n
    p, c, d = set_differences(values, set_of, treated, n)
    result = matched_did(d, p, c, months, (-3, -1), [(0, 1)], bootstrap_counts(n, 999, 0))
    window = result.windows[(0, 1)]
    assert window.ci_low < 6.0 < window.ci_high
    assert window.ci_high - window.ci_low < 2.0


def test_naive_before_after_sees_regression_to_the_mean() -> None:
    # Participants spike in the month before the index month and return to normal: no effect,
    # but the naive after-minus-before is negative.
    participant = np.tile([5.0, 5.0, 50.0, 5.0, 5.0, 5.0], (30, 1))
    months = [-3, -2, -1, 0, 1, 2]
    naive = before_after(participant, months, (-3, -1), (0, 2), bootstrap_counts(30, 99, 0))
    assert naive.value == pytest.approx(15.0 - 60.0)


def test_baseline_and_window_must_be_analysed() -> None:
    values, set_of, treated = _two_sets()
    p, c, d = set_differences(values, set_of, treated, 2)
    counts = bootstrap_counts(2, 10, 0)
    with pytest.raises(ValueError, match="baseline"):
        matched_did(d, p, c, MONTHS, (-12, -5), [(0, 1)], counts)
    with pytest.raises(ValueError, match="window"):
        matched_did(d, p, c, MONTHS, (-2, -1), [(0, 5)], counts)
