"""Matching on prognostic covariates within the propensity caliper (Rubin & Thomas 2000).

The propensity score balances covariates on average, not control by control: among candidates
with a participant's score, the most numerous kind wins the nearest-neighbour draw. When a
programme selects on something the registers only half see (BMI, say), the candidates at a
participant's score are mostly people who got there another way, often through a heavy hospital
history; matched on the score alone, a participant without a crisis then gets controls in the
middle of one, and their regression to the mean reads as an effect. So within the caliper and
the exact strata, each participant takes the controls nearest on the pre-index trajectory of the
outcomes (a standardised Euclidean distance, i.e. Mahalanobis with a diagonal covariance, on
log1p values), the covariates the difference-in-differences rests on.

Vectorised as ``_matching``: per participant the ``window`` candidates nearest on the logit on
each side within the caliper (from the sorted candidate pool, so no all-pairs distances) are its
possible controls; passes of rounds of proposals then give each participant up to ``ratio``
controls without replacement, each control going to the proposer nearest to it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from broen.analytics.evaluation._matching import Matches, _Keys, checked_arrays, matches
from broen.analytics.evaluation._matching_pool import candidate_pool

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

WINDOW = 50  # candidates per side on the logit: 10 per control at 1:5


def match_on_features(
    treated_stratum: npt.ArrayLike,
    treated_logit: npt.ArrayLike,
    treated_features: npt.ArrayLike,
    control_stratum: npt.ArrayLike,
    control_logit: npt.ArrayLike,
    control_features: npt.ArrayLike,
    *,
    ratio: int = 5,
    caliper: float | None = None,
    window: int = WINDOW,
) -> Matches:
    """Match each treated unit to up to ``ratio`` controls of its stratum within ``caliper`` on
    the logit, nearest on the features (columns standardised by their standard deviation over
    the treated units and the reachable candidates), each control used at most once.
    ``Matches.distance`` holds the logit distance of each pair."""
    t_s, t_x, c_s, c_x, limit = checked_arrays(
        treated_stratum, treated_logit, control_stratum, control_logit, ratio, caliper
    )
    t_f, c_f = _matrix(treated_features), _matrix(control_features)
    if t_f.shape[0] != t_s.size or c_f.shape[0] != c_s.size:
        raise ValueError("one row of features per unit")
    if t_f.shape[1] != c_f.shape[1]:
        raise ValueError("treated and control features must have the same columns")
    if not (np.isfinite(t_f).all() and np.isfinite(c_f).all()):
        raise ValueError("the matching features must be finite numbers")
    if window < ratio:
        raise ValueError(f"the window ({window}) must be at least the ratio ({ratio})")
    # The pool keeps each participant's window nearest on each side (window >= ratio).
    pool, has_candidate = candidate_pool(t_s, t_x, c_s, c_x, ratio=window, limit=limit)
    pair_t, pair_c = _pairs_in_reach(t_s, t_x, c_s[pool], c_x[pool], window, limit)
    pair_c = pool[pair_c]
    scale = _scale(np.vstack([t_f, c_f[np.unique(pair_c)]]))
    diff = (t_f[pair_t] - c_f[pair_c]) / scale
    distance = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    treated, control = _greedy(pair_t, pair_c, distance, t_s.size, ratio)
    return matches(treated, control, t_x, c_x, has_candidate)


def matching_pool(
    treated_stratum: npt.ArrayLike,
    treated_logit: npt.ArrayLike,
    control_stratum: npt.ArrayLike,
    control_logit: npt.ArrayLike,
    *,
    caliper: float | None = None,
    window: int = WINDOW,
) -> IntArray:
    """The indices (ascending) of the controls that :func:`match_on_features` can use: each
    treated unit's ``window`` nearest on either side of its logit in its stratum, within the
    caliper; at most ``2 * window`` per treated unit. Matching on these alone gives the same
    matches, so only their features need to be fetched."""
    t_s, t_x, c_s, c_x, limit = checked_arrays(
        treated_stratum, treated_logit, control_stratum, control_logit, window, caliper
    )
    pool, _ = candidate_pool(t_s, t_x, c_s, c_x, ratio=window, limit=limit)
    _, pair_c = _pairs_in_reach(t_s, t_x, c_s[pool], c_x[pool], window, limit)
    out: IntArray = pool[np.unique(pair_c)]
    return out


def _matrix(values: npt.ArrayLike) -> FloatArray:
    out = np.asarray(values, dtype=np.float64)
    return out.reshape(-1, 1) if out.ndim == 1 else out


def _scale(features: FloatArray) -> FloatArray:
    sd = features.std(axis=0) if features.size else np.ones(features.shape[1])
    return np.where(sd > 0, sd, 1.0)  # a constant column adds nothing to any distance


def _pairs_in_reach(
    t_s: IntArray, t_x: FloatArray, c_s: IntArray, c_x: FloatArray, window: int, limit: float
) -> tuple[IntArray, IntArray]:
    """(treated, candidate) pairs: each treated unit's ``window`` nearest candidates on either
    side in its stratum, within ``limit`` on the logit."""
    if c_s.size == 0 or t_s.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    keys = _Keys(t_s, t_x, c_s, c_x)
    order = np.argsort(keys.control, kind="stable")
    sorted_keys, sorted_x = keys.control[order], c_x[order]
    pos = np.searchsorted(sorted_keys, keys.treated)
    offsets = np.arange(-window, window)
    at = pos[:, None] + offsets[None, :]
    inside = (at >= 0) & (at < order.size)
    at = np.where(inside, at, 0)
    stratum = keys.treated // keys.width
    ok = inside & (sorted_keys[at] // keys.width == stratum[:, None])
    ok &= np.abs(sorted_x[at] - t_x[:, None]) <= limit
    rows, cols = np.nonzero(ok)
    return rows.astype(np.int64), order[at[rows, cols]].astype(np.int64)


def _greedy(
    pair_t: IntArray, pair_c: IntArray, distance: FloatArray, n_treated: int, ratio: int
) -> tuple[IntArray, IntArray]:
    """Up to ``ratio`` controls per treated unit, without replacement: in each pass every
    treated unit still looking proposes to its nearest free control, a control proposed to by
    several goes to the nearest of them (ties: the lower index), the others propose again."""
    by = np.lexsort((pair_c, distance, pair_t))  # per treated unit, nearest first
    pair_t, pair_c, distance = pair_t[by], pair_c[by], distance[by]
    n_controls = int(pair_c.max()) + 1 if pair_c.size else 0
    taken = np.zeros(n_controls, dtype=bool)
    got_t: list[IntArray] = []
    got_c: list[IntArray] = []
    active = np.zeros(n_treated, dtype=bool)
    active[pair_t] = True
    for _ in range(ratio):
        seeking = active.copy()
        found = np.zeros(n_treated, dtype=bool)
        while seeking.any():
            usable = seeking[pair_t] & ~taken[pair_c]
            idx = np.flatnonzero(usable)
            if idx.size == 0:
                break
            first = np.ones(idx.size, dtype=bool)  # each seeker's nearest free control
            first[1:] = pair_t[idx][1:] != pair_t[idx][:-1]
            prop = idx[first]
            # Each control accepts its nearest proposer.
            rank = np.lexsort((pair_t[prop], distance[prop], pair_c[prop]))
            win = np.ones(rank.size, dtype=bool)
            win[1:] = pair_c[prop][rank][1:] != pair_c[prop][rank][:-1]
            accepted = prop[rank[win]]
            taken[pair_c[accepted]] = True
            got_t.append(pair_t[accepted])
            got_c.append(pair_c[accepted])
            found[pair_t[accepted]] = True
            seeking[pair_t[prop]] = False
            seeking[pair_t[prop[~np.isin(prop, accepted)]]] = True
        active &= found  # who found none in this pass finds none in the next
    if not got_t:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(got_t), np.concatenate(got_c)
