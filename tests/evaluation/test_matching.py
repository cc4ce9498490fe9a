"""The matching core: strata, caliper, no reuse, maximality, order independence, scale."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from broen.analytics.evaluation import match
from broen.analytics.evaluation._matching import _pairs
from broen.analytics.evaluation._matching_pool import candidate_pool

Array = npt.NDArray[Any]


def _random(
    seed: int, n_t: int = 60, n_c: int = 400, strata: int = 3
) -> tuple[Array, Array, Array, Array]:
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


# --- the optimised path against a plain reference -------------------------------------------


def _reference(
    t_s: Array, t_x: Array, c_s: Array, c_x: Array, ratio: int, caliper: float | None
) -> set[tuple[int, int]]:
    """The matching rule with loops over units: passes of rounds, each participant still looking
    proposes to its nearest free control of its stratum (the one just below its logit in
    (logit, index) order, or the one just above, which wins only if strictly nearer), within the
    caliper; a control takes its nearest proposer (ties: the lower index)."""
    limit = np.inf if caliper is None else caliper
    free = np.ones(len(c_s), dtype=bool)
    pairs: set[tuple[int, int]] = set()
    active = [i for i in range(len(t_s)) if (c_s == t_s[i]).any()]

    def nearest(i: int) -> tuple[int | None, float]:
        mine = np.flatnonzero(free & (c_s == t_s[i])).tolist()
        below = [j for j in mine if c_x[j] < t_x[i]]
        above = [j for j in mine if c_x[j] >= t_x[i]]
        pred = max(below, key=lambda j: (c_x[j], j), default=None)
        succ = min(above, key=lambda j: (c_x[j], j), default=None)
        d = {j: float(abs(c_x[j] - t_x[i])) for j in (pred, succ) if j is not None}
        if pred is not None and (succ is None or d[pred] <= d[succ]):
            return pred, d[pred]
        return (succ, d[succ]) if succ is not None else (None, np.inf)

    for _ in range(ratio):
        seeking, found = list(active), list[int]()
        while seeking:
            bids: dict[int, list[tuple[float, int]]] = {}
            for i in seeking:
                j, d = nearest(i)
                if j is not None and d <= limit:
                    bids.setdefault(j, []).append((d, i))
            winners = set()
            for j, offers in bids.items():
                _, i = min(offers)
                free[j] = False
                pairs.add((i, int(j)))
                winners.add(i)
            found += winners
            seeking = [i for offers in bids.values() for _, i in offers if i not in winners]
        if not found:
            break
        active = sorted(found)
    return pairs


def _tied(seed: int) -> tuple[Array, Array, Array, Array, int, float | None]:
    """Small problems full of ties: logits on a grid (dyadic: exact ties of distances; tenths:
    ties and near-ties), strata without candidates and candidates without participants, strata
    as small codes or as huge and negative integers."""
    rng = np.random.default_rng(seed)
    n_t, n_c, strata = rng.integers(1, 30), rng.integers(0, 160), rng.integers(1, 6)
    grid = 8.0 if seed % 2 else 10.0
    t_x = rng.integers(-12, 16, n_t) / grid
    c_x = rng.integers(-16, 12, n_c) / grid
    t_s = rng.integers(0, strata + 1, n_t)  # stratum ``strata``: no candidate
    c_s = rng.integers(-1, strata, n_c)  # stratum -1: no participant
    if seed % 3 == 0:
        t_s, c_s = t_s * 10**15 - 7, c_s * 10**15 - 7
    ratio = int(rng.integers(1, 5))
    # A caliper equal to a realised distance: pairs right on the boundary (rounded or exact).
    distances = np.abs(c_x[c_s == t_s[0]] - t_x[0])
    realised = float(rng.choice(distances)) if distances.size else 0.0
    caliper = (None, 0.25, 0.3, realised or 0.1)[seed % 4]
    return t_s, t_x, c_s, c_x, ratio, caliper


@pytest.mark.parametrize("seed", range(48))
def test_same_pairs_as_the_reference(seed: int) -> None:
    t_s, t_x, c_s, c_x, ratio, caliper = _tied(seed)
    expected = _reference(t_s, t_x, c_s, c_x, ratio, caliper)
    found = match(t_s, t_x, c_s, c_x, ratio=ratio, caliper=caliper)
    assert set(zip(found.treated.tolist(), found.control.tolist(), strict=True)) == expected
    has = np.isin(t_s, c_s)
    assert found.no_candidate.tolist() == np.flatnonzero(~has).tolist()
    matched = np.isin(np.arange(t_s.size), found.treated)
    assert found.outside_caliper.tolist() == np.flatnonzero(has & ~matched).tolist()


@pytest.mark.parametrize("seed", range(24))
@pytest.mark.parametrize("buckets", [1, 2, 3, 50])
def test_the_pool_keeps_every_pair(seed: int, buckets: int) -> None:
    # Whatever the slicing of the logit axis (one slice per stratum: no pruning but the
    # caliper's; fine slices: the tightest), the matching on the pool forms the same pairs as
    # on every candidate.
    t_s, t_x, c_s, c_x, ratio, caliper = _tied(seed)
    limit = np.inf if caliper is None else caliper
    everyone = _pairs(t_s, t_x, c_s, c_x, np.isin(t_s, c_s), ratio, limit)
    pool, has = candidate_pool(t_s, t_x, c_s, c_x, ratio=ratio, limit=limit, buckets=buckets)
    assert has.tolist() == np.isin(t_s, c_s).tolist()
    assert (np.diff(pool) > 0).all()
    treated, control = _pairs(t_s, t_x, c_s[pool], c_x[pool], has, ratio, limit)
    assert sorted(zip(treated.tolist(), pool[control].tolist(), strict=True)) == sorted(
        zip(everyone[0].tolist(), everyone[1].tolist(), strict=True)
    )


def test_the_pool_is_small_when_strata_are_fine() -> None:
    # 100 strata of 5 participants and about 10,000 candidates: each participant's 5 x 5
    # nearest on each side keep 2.5 % of the candidates (and the slices a little more), with or
    # without a caliper; the matching forms the same pairs as on every candidate.
    rng = np.random.default_rng(3)
    t_s, c_s = np.repeat(np.arange(100), 5), rng.integers(0, 100, 1_000_000)
    t_x, c_x = rng.normal(0.3, 0.5, t_s.size), rng.normal(0.0, 0.5, c_s.size)
    for limit in (0.1, np.inf):
        pool, _ = candidate_pool(t_s, t_x, c_s, c_x, ratio=5, limit=limit)
        assert pool.size < 0.05 * c_s.size
    found = match(t_s, t_x, c_s, c_x, ratio=5, caliper=0.1)
    treated, control = _pairs(t_s, t_x, c_s, c_x, np.isin(t_s, c_s), 5, 0.1)
    assert sorted(zip(found.treated.tolist(), found.control.tolist(), strict=True)) == sorted(
        zip(treated.tolist(), control.tolist(), strict=True)
    )


def test_extreme_logits() -> None:
    # A span of logits that overflows, and one value for all: a single slice, same pairs.
    t_x = np.array([-1e308, 0.0, 1e308])
    c_x = np.array([-1e308, -1.0, 1.0, 1e308, 5.0])
    found = match(np.zeros(3, int), t_x, np.zeros(5, int), c_x, ratio=2)
    assert set(zip(found.treated.tolist(), found.control.tolist(), strict=True)) == _reference(
        np.zeros(3, int), t_x, np.zeros(5, int), c_x, 2, None
    )
    same = match([0, 0], [1.0, 1.0], [0, 0, 0], [1.0, 1.0, 1.0], ratio=2, caliper=1e-9)
    assert sorted(zip(same.treated.tolist(), same.control.tolist(), strict=True)) == [
        (0, 0),
        (0, 2),
        (1, 1),
    ]
