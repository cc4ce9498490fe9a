"""Matched-set difference-in-differences: hand-computed sets, censoring, the bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from broen.analytics.evaluation._did import (
    before_after,
    bootstrap_counts,
    matched_did,
    person_clusters,
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


def test_sets_sharing_a_person_are_one_cluster() -> None:
    # Sets 0 and 1 share control "a"; set 3 is a second course of set 1's participant "q";
    # sets 2 and 4 share nobody.
    set_of = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    person = ["p", "a", "q", "a", "r", "d", "q", "c", "s", "e"]
    clusters = person_clusters(set_of, person)
    assert clusters.shape == (5,)
    assert clusters[0] == clusters[1] == clusters[3]
    assert len({clusters[0], clusters[2], clusters[4]}) == 3
    assert sorted(set(clusters.tolist())) == [0, 1, 2]
    assert person_clusters([], []).size == 0


def test_a_cluster_is_drawn_as_a_whole() -> None:
    clusters = np.array([0, 0, 1, 2, 2, 2])
    counts = bootstrap_counts(6, 500, seed=3, clusters=clusters)
    assert counts.shape == (500, 6)
    np.testing.assert_array_equal(counts[:, 0], counts[:, 1])
    np.testing.assert_array_equal(counts[:, 3], counts[:, 5])
    # Three clusters are drawn per replicate: the sets' counts add up to the drawn clusters'.
    per_cluster = counts[:, [0, 2, 3]]
    assert (per_cluster.sum(axis=1) == 3).all()
    with pytest.raises(ValueError, match="one cluster number per set"):
        bootstrap_counts(6, 10, seed=0, clusters=np.array([0, 1]))


def test_shared_controls_widen_the_interval_to_the_true_spread() -> None:
    # 200 sets with one control each; the controls are 40 persons, each serving 5 sets (risk-set
    # matching reuses a person at other index months). A control person's change after the
    # index (SD 3) enters 5 sets at once, so the estimate's true SD is sqrt(1/200 + 9/40) =
    # 0.48; resampling the sets as if independent sees about sqrt(10/200) = 0.22.
    rng = np.random.default_rng(11)
    n_sets, n_persons = 200, 40
    set_of = np.r_[np.arange(n_sets), np.arange(n_sets)]
    treated = np.r_[np.ones(n_sets, bool), np.zeros(n_sets, bool)]
    control_person = np.arange(n_sets) % n_persons
    person = np.r_[np.arange(n_sets) + 1000, control_person]
    clusters = person_clusters(set_of, person)
    assert clusters.max() + 1 == n_persons
    estimates, se_sets, se_clusters = [], [], []
    for draw in range(60):
        change = rng.normal(0, 3, n_persons)[control_person]
        values = np.zeros((2 * n_sets, 2))
        values[:n_sets, 1] = rng.normal(0, 1, n_sets)
        values[n_sets:, 1] = change
        p, c, d = set_differences(values, set_of, treated, n_sets)
        by_sets, by_clusters = (
            matched_did(d, p, c, [-1, 0], (-1, -1), [(0, 0)], counts, by_month=False).windows[
                (0, 0)
            ]
            for counts in (
                bootstrap_counts(n_sets, 199, seed=draw),
                bootstrap_counts(n_sets, 199, seed=draw, clusters=clusters),
            )
        )
        estimates.append(by_sets.value)
        se_sets.append(by_sets.se)
        se_clusters.append(by_clusters.se)
    true_sd = float(np.std(estimates, ddof=1))
    assert 0.35 < true_sd < 0.62
    assert float(np.mean(se_sets)) < 0.6 * true_sd
    assert 0.75 * true_sd < float(np.mean(se_clusters)) < 1.25 * true_sd


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
