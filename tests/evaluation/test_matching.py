"""The matching core: strata, caliper, no reuse, maximality, order independence, scale."""

from __future__ import annotations

import numpy as np
import pytest

from broen.analytics.evaluation import match


def _random(seed: int, n_t: int = 60, n_c: int = 400, strata: int = 3):
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, strata, n_t),
        rng.normal(0.3, 1.0, n_t),
        rng.integers(0, strata, n_c),
        rng.normal(0.0, 1.0, n_c),
    )


def test_hand_computed_pairs() -> None:
    # Stratum 0: treated at 0.0 and 1.0; controls at 0.1, 0.9, 0.95, 3.0. Stratum 1: treated
    # at 5.0, its only control is in stratum 0 (no candidate).
    found = match([0, 0, 1], [0.0, 1.0, 5.0], [0, 0, 0, 0], [0.1, 0.9, 0.95, 3.0], ratio=2)
    pairs = sorted(zip(found.treated.tolist(), found.control.tolist(), strict=True))
    # Pass 1: 0 -> 0.1, 1 -> 0.95 (nearest); pass 2: 1 -> 0.9, 0 -> 3.0 (the only one left).
    assert pairs == [(0, 0), (0, 3), (1, 1), (1, 2)]
    assert found.no_candidate.tolist() == [2]
    assert found.outside_caliper.tolist() == []
    capped = match(
        [0, 0, 1], [0.0, 1.0, 5.0], [0, 0, 0, 0], [0.1, 0.9, 0.95, 3.0], ratio=2, caliper=0.5
    )
    assert sorted(zip(capped.treated.tolist(), capped.control.tolist(), strict=True)) == [
        (0, 0),
        (1, 1),
        (1, 2),
    ]


def test_contested_control_goes_to_the_nearest_participant() -> None:
    # Both treated want the control at 0.5; the one at 0.45 is nearer, the other gets 2.0.
    found = match([0, 0], [0.0, 0.45], [0, 0], [0.5, 2.0], ratio=1)
    assert dict(zip(found.treated.tolist(), found.control.tolist(), strict=True)) == {1: 0, 0: 1}


@pytest.mark.parametrize("seed", range(8))
def test_invariants(seed: int) -> None:
    t_s, t_x, c_s, c_x = _random(seed)
    caliper = 0.15
    found = match(t_s, t_x, c_s, c_x, ratio=3, caliper=caliper)
    assert np.unique(found.control).size == found.control.size  # without replacement
    assert (t_s[found.treated] == c_s[found.control]).all()  # exact strata
    assert (found.distance <= caliper).all()
    assert (found.controls_per_treated() <= 3).all()
    # Maximal: a participant with fewer than 3 controls has no free control within the caliper
    # of its stratum left (greedy matching cannot have missed one).
    free = np.setdiff1d(np.arange(c_s.size), found.control)
    short = np.flatnonzero(found.controls_per_treated() < 3)
    for i in short:
        near = free[(c_s[free] == t_s[i]) & (np.abs(c_x[free] - t_x[i]) <= caliper)]
        assert near.size == 0
    assert set(found.outside_caliper) | set(found.no_candidate) | set(found.matched_treated) == set(
        range(t_s.size)
    )


def test_result_does_not_depend_on_row_order() -> None:
    t_s, t_x, c_s, c_x = _random(11)
    found = match(t_s, t_x, c_s, c_x, ratio=2, caliper=0.3)
    rng = np.random.default_rng(0)
    pt, pc = rng.permutation(t_s.size), rng.permutation(c_s.size)
    shuffled = match(t_s[pt], t_x[pt], c_s[pc], c_x[pc], ratio=2, caliper=0.3)
    original = {(int(a), int(b)) for a, b in zip(found.treated, found.control, strict=True)}
    mapped = {
        (int(pt[a]), int(pc[b])) for a, b in zip(shuffled.treated, shuffled.control, strict=True)
    }
    assert mapped == original


def test_quality_close_to_the_nearest_available() -> None:
    # With plenty of controls every participant gets its k nearest (no competition).
    rng = np.random.default_rng(5)
    t_x = np.array([-3.0, 0.0, 3.0])
    c_x = rng.normal(0.0, 2.0, 3000)
    found = match(np.zeros(3, int), t_x, np.zeros(3000, int), c_x, ratio=4)
    for i in range(3):
        expected = np.sort(np.argsort(np.abs(c_x - t_x[i]))[:4])
        assert np.sort(found.control[found.treated == i]).tolist() == expected.tolist()


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="finite"):
        match([0], [np.nan], [0], [0.0])
    with pytest.raises(ValueError, match="ratio"):
        match([0], [0.0], [0], [0.0], ratio=0)
    with pytest.raises(ValueError, match="caliper"):
        match([0], [0.0], [0], [0.0], caliper=0.0)
    with pytest.raises(ValueError, match="equal length"):
        match([0, 1], [0.0], [0], [0.0])
    empty = match([0, 0], [0.0, 1.0], [], [])
    assert empty.treated.size == 0 and empty.no_candidate.tolist() == [0, 1]


def test_many_strata_and_units_without_a_loop_over_participants() -> None:
    # 20,000 participants, 400,000 candidates, 500 strata: seconds, not minutes.
    rng = np.random.default_rng(2)
    t_s, c_s = rng.integers(0, 500, 20_000), rng.integers(0, 500, 400_000)
    found = match(
        t_s, rng.normal(0.5, 1, 20_000), c_s, rng.normal(0, 1, 400_000), ratio=5, caliper=0.2
    )
    assert found.matched_treated.size > 19_000
    assert np.unique(found.control).size == found.control.size
