"""Matching on the pre-index trajectory within the propensity caliper (_matching_features)."""

from __future__ import annotations

import numpy as np
import pytest

from broen.analytics.evaluation._matching import match
from broen.analytics.evaluation._matching_features import match_on_features, matching_pool


def test_the_control_with_the_same_history_wins_over_the_nearer_score() -> None:
    # One participant without a crisis; two candidates within the caliper: one a hair nearer on
    # the score but in the middle of a crisis, one a little further with the same quiet history.
    t_x, t_f = [0.0], [[0.0, 0.0]]
    c_x, c_f = [0.01, 0.05], [[9.0, 9.0], [0.0, 0.1]]
    on_score = match([0], t_x, [0, 0], c_x, ratio=1, caliper=0.2)
    on_history = match_on_features([0], t_x, t_f, [0, 0], c_x, c_f, ratio=1, caliper=0.2)
    assert on_score.control.tolist() == [0]
    assert on_history.control.tolist() == [1]
    assert on_history.distance.tolist() == pytest.approx([0.05])  # the logit distance


def test_the_caliper_and_the_strata_still_bind() -> None:
    t_x, t_f = [0.0], [[0.0]]
    c_s, c_x, c_f = [0, 0, 1], [0.5, 0.1, 0.0], [[0.0], [5.0], [0.0]]
    found = match_on_features([0], t_x, t_f, c_s, c_x, c_f, ratio=2, caliper=0.2)
    assert found.control.tolist() == [1]  # the identical history is outside the caliper
    lonely = match_on_features([2], t_x, t_f, c_s, c_x, c_f, ratio=2, caliper=0.2)
    assert lonely.no_candidate.tolist() == [0] and lonely.treated.size == 0
    far = match_on_features([0], [3.0], t_f, c_s, c_x, c_f, ratio=2, caliper=0.2)
    assert far.outside_caliper.tolist() == [0] and far.no_candidate.size == 0


def test_a_contested_control_goes_to_the_participant_it_resembles_most() -> None:
    # Both participants like control 0 best; participant 1 resembles it more and gets it,
    # participant 0 takes its second choice.
    t_f = [[1.0], [0.1]]
    c_f = [[0.0], [1.5], [8.0]]
    found = match_on_features(
        [0, 0], [0.0, 0.0], t_f, [0, 0, 0], [0.0, 0.0, 0.0], c_f, ratio=1, caliper=1.0
    )
    assert dict(zip(found.treated.tolist(), found.control.tolist(), strict=True)) == {0: 1, 1: 0}


@pytest.mark.parametrize("seed", range(12))
def test_random_problems_keep_every_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_t, n_c, ratio, caliper = 30, 200, 3, 0.3
    t_s, c_s = rng.integers(0, 4, n_t), rng.integers(0, 5, n_c)
    t_x, c_x = rng.normal(0.5, 1, n_t), rng.normal(0, 1, n_c)
    t_f, c_f = rng.normal(size=(n_t, 3)), rng.normal(size=(n_c, 3))
    found = match_on_features(t_s, t_x, t_f, c_s, c_x, c_f, ratio=ratio, caliper=caliper)
    assert np.unique(found.control).size == found.control.size  # without replacement
    assert (t_s[found.treated] == c_s[found.control]).all()
    assert (np.abs(t_x[found.treated] - c_x[found.control]) <= caliper).all()
    assert found.controls_per_treated().max() <= ratio
    # Maximal: a participant left short has no free candidate of its stratum within reach
    # (the window of 50 per side is not binding at this size).
    taken = np.zeros(n_c, dtype=bool)
    taken[found.control] = True
    for t in np.flatnonzero(found.controls_per_treated() < ratio):
        reach = (c_s == t_s[t]) & (np.abs(c_x - t_x[t]) <= caliper) & ~taken
        assert not reach.any()
    # The reasons partition the unmatched.
    unmatched = set(found.no_candidate.tolist()) | set(found.outside_caliper.tolist())
    assert unmatched == set(range(n_t)) - set(found.treated.tolist())


@pytest.mark.parametrize("seed", range(6))
def test_the_pool_alone_gives_the_same_matches(seed: int) -> None:
    # Many candidates per participant, so that the window (here 4 per side) binds: the pool
    # holds each participant's 4 nearest on either side, and matching on the pool alone (all
    # that the evaluation fetches features for) gives exactly the matches on everyone.
    rng = np.random.default_rng(seed)
    n_t, n_c, window = 40, 3000, 4
    t_s, c_s = rng.integers(0, 3, n_t), rng.integers(0, 3, n_c)
    t_x, c_x = rng.normal(0.3, 1, n_t), rng.normal(0, 1, n_c)
    t_f, c_f = rng.normal(size=(n_t, 2)), rng.normal(size=(n_c, 2))
    pool = matching_pool(t_s, t_x, c_s, c_x, caliper=0.5, window=window)
    assert (np.diff(pool) > 0).all() and pool.size <= 2 * window * n_t
    for t in range(n_t):  # the nearest on either side are in the pool
        same = np.flatnonzero((c_s == t_s[t]) & (np.abs(c_x - t_x[t]) <= 0.5))
        below = same[c_x[same] <= t_x[t]]
        above = same[c_x[same] > t_x[t]]
        nearest = [
            *below[np.argsort(-c_x[below])][:window],
            *above[np.argsort(c_x[above])][:window],
        ]
        assert set(nearest) <= set(pool.tolist())
    kwargs = {"ratio": 3, "caliper": 0.5, "window": window}
    full = match_on_features(t_s, t_x, t_f, c_s, c_x, c_f, **kwargs)
    sub = match_on_features(t_s, t_x, t_f, c_s[pool], c_x[pool], c_f[pool], **kwargs)
    assert full.treated.tolist() == sub.treated.tolist()
    assert full.control.tolist() == pool[sub.control].tolist()


def test_a_single_participant_gets_its_nearest_histories() -> None:
    rng = np.random.default_rng(7)
    c_f = rng.normal(size=(100, 4))
    t_f = rng.normal(size=(1, 4))
    c_x = rng.normal(0, 0.01, 100)
    found = match_on_features([0], [0.0], t_f, np.zeros(100), c_x, c_f, ratio=5, caliper=1.0)
    scale = np.vstack([t_f, c_f]).std(axis=0)
    expected = np.argsort((((c_f - t_f) / scale) ** 2).sum(axis=1))[:5]
    assert sorted(found.control.tolist()) == sorted(expected.tolist())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ratio": 0}, "ratio"),
        ({"caliper": 0.0}, "caliper"),
        ({"window": 2, "ratio": 3}, "window"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        match_on_features([0], [0.0], [[0.0]], [0], [0.0], [[0.0]], **kwargs)  # type: ignore[arg-type]


def test_missing_features_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        match_on_features([0], [0.0], [[np.nan]], [0], [0.0], [[0.0]])
    with pytest.raises(ValueError, match="same columns"):
        match_on_features([0], [0.0], [[0.0, 1.0]], [0], [0.0], [[0.0]])


def test_the_history_strata_follow_the_covariate_spec() -> None:
    from broen.analytics.evaluation._covariates import CovariateSpec
    from broen.analytics.evaluation._design import history_strata

    assert history_strata(CovariateSpec()) == {
        "history_crisis": ("recent_crisis",),
        "history_admission": (
            "acute_admissions_m4_6",
            "acute_admissions_m7_12",
            "acute_admissions_m13_24",
        ),
    }
    # No crisis indicator and no admission trajectory: no history strata.
    bare = CovariateSpec(crisis_months=0, metrics=("cost_total",))
    assert history_strata(bare) == {}
    # A six-month crisis: only windows wholly before it count as earlier admissions.
    long_crisis = history_strata(CovariateSpec(crisis_months=6))
    assert long_crisis["history_admission"] == ("acute_admissions_m7_12", "acute_admissions_m13_24")


def test_participants_are_told_whether_their_stratum_has_candidates() -> None:
    """Without a FutureWarning from pandas (warnings are errors in the suite)."""
    import pandas as pd

    from broen.analytics.evaluation._design import _in_populated_strata

    rows = pd.DataFrame({"sex": ["f", "m", "m"], "band": [1, 1, 2]})
    populated = pd.DataFrame({"sex": ["m"], "band": [1]})
    strata = ["sex", "band"]
    assert _in_populated_strata(rows, populated, strata).tolist() == [False, True, False]
    assert _in_populated_strata(rows, populated.iloc[:0], strata).tolist() == [False] * 3
