"""Nearest-neighbour matching on the propensity logit within exact strata, without replacement.

The matching is vectorised over participants: no distance matrix, no Python loop over units.
Each pass gives every participant at most one more control (pass ``r`` finds the ``r``-th
control, as MatchIt does for 1:k). Within a pass, rounds of proposals run until nothing
changes: every participant still looking proposes to its nearest *available* control of its
stratum (a sorted array and ``searchsorted``, so O(n log n)); a control proposed to by several
participants goes to the nearest of them (ties to the lower index) and the others propose again
in the next round. The nearest available control only moves away as controls are taken, so a
participant whose nearest available control lies outside the caliper is done for that pass.

The passes run on a pool of the candidates (``_matching_pool``): one linear pass over all of
them keeps those within the caliper and among the ``ratio * k`` nearest on either side of some
participant of their stratum (``k`` participants there), which are all the matching can reach,
so the pairs are the same as on every candidate. With fine strata that is a few percent of them
(about 0.9 M of 50 M at the issue's scale), and only those are sorted.

Why this order and not "treated in data order" (MatchIt's default): the result must not depend
on the order of rows in an extract, and the mutual-nearest rule gives each control to the
participant it fits best, which is what greedy matching by distance aims at.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from broen.analytics.evaluation._matching_pool import candidate_pool

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

NO_CANDIDATE = "no_candidate_in_stratum"
OUTSIDE_CALIPER = "outside_caliper"


@dataclass(frozen=True)
class Matches:
    """Matched sets: ``treated[i]`` (a row index of the treated units) with ``control[i]`` (a
    row index of the candidate controls), ``distance[i]`` on the logit scale. ``unmatched`` holds
    each participant that got no control, with the reason."""

    treated: IntArray
    control: IntArray
    distance: FloatArray
    n_treated: int
    no_candidate: IntArray  # participants whose stratum holds no candidate at all
    outside_caliper: IntArray  # candidates exist, none free within the caliper

    @property
    def matched_treated(self) -> IntArray:
        return np.unique(self.treated)

    def controls_per_treated(self) -> IntArray:
        """Number of controls of each treated unit (0 for the unmatched), by treated index."""
        return np.bincount(self.treated, minlength=self.n_treated).astype(np.int64)


def match(
    treated_stratum: npt.ArrayLike,
    treated_logit: npt.ArrayLike,
    control_stratum: npt.ArrayLike,
    control_logit: npt.ArrayLike,
    *,
    ratio: int = 5,
    caliper: float | None = None,
) -> Matches:
    """Match each treated unit to up to ``ratio`` controls of the same stratum, nearest on the
    logit, each control used at most once; pairs further apart than ``caliper`` (logit units)
    are not formed. Strata are integers; the logits must be finite."""
    t_s, t_x, c_s, c_x, limit = checked_arrays(
        treated_stratum, treated_logit, control_stratum, control_logit, ratio, caliper
    )
    pool, has_candidate = candidate_pool(t_s, t_x, c_s, c_x, ratio=ratio, limit=limit)
    treated, control = _pairs(t_s, t_x, c_s[pool], c_x[pool], has_candidate, ratio, limit)
    return matches(treated, pool[control], t_x, c_x, has_candidate)


def checked_arrays(
    treated_stratum: npt.ArrayLike,
    treated_logit: npt.ArrayLike,
    control_stratum: npt.ArrayLike,
    control_logit: npt.ArrayLike,
    ratio: int,
    caliper: float | None,
) -> tuple[IntArray, FloatArray, IntArray, FloatArray, float]:
    """The strata and logits as arrays, checked, and the caliper as a limit (``inf``: none)."""
    t_s = np.asarray(treated_stratum, dtype=np.int64)
    t_x = np.asarray(treated_logit, dtype=np.float64)
    c_s = np.asarray(control_stratum, dtype=np.int64)
    c_x = np.asarray(control_logit, dtype=np.float64)
    if t_s.shape != t_x.shape or c_s.shape != c_x.shape or t_s.ndim != 1 or c_s.ndim != 1:
        raise ValueError("strata and logits must be one-dimensional arrays of equal length")
    if not (np.isfinite(t_x).all() and np.isfinite(c_x).all()):
        raise ValueError("the propensity logits must be finite numbers")
    if ratio < 1:
        raise ValueError(f"ratio must be at least 1, not {ratio}")
    if caliper is not None and not caliper > 0:
        raise ValueError(f"the caliper must be positive, not {caliper}")
    return t_s, t_x, c_s, c_x, np.inf if caliper is None else float(caliper)


def matches(
    treated: IntArray,
    control: IntArray,
    t_x: FloatArray,
    c_x: FloatArray,
    has_candidate: BoolArray,
) -> Matches:
    """The pairs as :class:`Matches`, sorted by participant then logit distance, with the
    reasons of the participants left without a control."""
    distance = np.abs(t_x[treated] - c_x[control])
    by = np.lexsort((distance, treated))
    matched = np.zeros(t_x.size, dtype=bool)
    matched[treated] = True
    return Matches(
        treated=treated[by],
        control=control[by],
        distance=distance[by],
        n_treated=int(t_x.size),
        no_candidate=np.flatnonzero(~has_candidate),
        outside_caliper=np.flatnonzero(has_candidate & ~matched),
    )


def _pairs(
    t_s: IntArray,
    t_x: FloatArray,
    c_s: IntArray,
    c_x: FloatArray,
    has_candidate: BoolArray,
    ratio: int,
    limit: float,
) -> tuple[IntArray, IntArray]:
    """The matched (treated, control) pairs, by passes of rounds, on the candidates given (all
    of them, or a pool of ``candidate_pool``: the same pairs)."""
    keys = _Keys(t_s, t_x, c_s, c_x)
    # Only controls within reach of some participant of their stratum can ever be chosen.
    t_order = np.argsort(keys.treated, kind="stable")
    _, reach = keys.nearest(keys.treated[t_order], t_x[t_order], keys.control, c_x)
    pool = np.flatnonzero(reach <= limit)
    order = pool[np.argsort(keys.control[pool], kind="stable")]

    pairs_t: list[IntArray] = []
    pairs_c: list[IntArray] = []
    available = np.ones(order.size, dtype=bool)
    active = np.flatnonzero(has_candidate)
    for _ in range(ratio):
        t_idx, pos = _one_pass(keys, t_x, c_x, order, available, active, limit)
        if t_idx.size == 0:
            break
        available[pos] = False
        pairs_t.append(t_idx)
        pairs_c.append(order[pos])
        active = np.sort(t_idx)  # who found none in this pass finds none in the next
    treated = np.concatenate(pairs_t) if pairs_t else np.empty(0, np.int64)
    control = np.concatenate(pairs_c) if pairs_c else np.empty(0, np.int64)
    return treated, control


class _Keys:
    """Exact integer keys (stratum, rank of the logit) for treated units and controls: sorting
    by key sorts by stratum, then logit, and one ``searchsorted`` finds a unit's neighbours in
    its own stratum without mixing strata or losing precision (a float key would)."""

    def __init__(self, t_s: IntArray, t_x: FloatArray, c_s: IntArray, c_x: FloatArray) -> None:
        ranks = np.unique(np.concatenate([t_x, c_x]), return_inverse=True)[1].astype(np.int64)
        strata = np.unique(np.concatenate([t_s, c_s]), return_inverse=True)[1].astype(np.int64)
        self.width = np.int64(ranks.max() + 2) if ranks.size else np.int64(2)
        keys = strata * self.width + ranks
        self.treated: IntArray = keys[: t_s.size]
        self.control: IntArray = keys[t_s.size :]

    def nearest(
        self, sorted_keys: IntArray, sorted_x: FloatArray, keys: IntArray, x: FloatArray
    ) -> tuple[IntArray, FloatArray]:
        """For each query (``keys``, ``x``): the position of the nearest element of the same
        stratum in the sorted arrays (-1 if none) and its distance on the logit."""
        pos = np.searchsorted(sorted_keys, keys)
        best = np.full(keys.size, -1, dtype=np.int64)
        best_d = np.full(keys.size, np.inf)
        stratum = keys // self.width
        for side in (pos - 1, pos):
            ok = (side >= 0) & (side < sorted_keys.size)
            j = np.where(ok, side, 0)
            d = np.abs(sorted_x[j] - x)
            better = ok & (sorted_keys[j] // self.width == stratum) & (d < best_d)
            best = np.where(better, j, best)
            best_d = np.where(better, d, best_d)
        return best, best_d


def _one_pass(
    keys: _Keys,
    t_x: FloatArray,
    c_x: FloatArray,
    order: IntArray,
    available: BoolArray,
    active: IntArray,
    limit: float,
) -> tuple[IntArray, IntArray]:
    """One control for each active treated unit where possible: (treated index, position in
    ``order``) pairs, chosen by rounds of proposals to the nearest available control."""
    got_t: list[IntArray] = []
    got_pos: list[IntArray] = []
    free = available.copy()
    seeking = active
    while seeking.size:
        free_pos = np.flatnonzero(free)
        if free_pos.size == 0:
            break
        members = order[free_pos]
        best, best_d = keys.nearest(
            keys.control[members], c_x[members], keys.treated[seeking], t_x[seeking]
        )
        proposing = (best >= 0) & (best_d <= limit)
        if not proposing.any():
            break
        who, target, dist = seeking[proposing], free_pos[best[proposing]], best_d[proposing]
        # Each proposed control accepts its nearest proposer (ties: the lower treated index).
        rank = np.lexsort((who, dist, target))
        first = np.ones(rank.size, dtype=bool)
        first[1:] = target[rank][1:] != target[rank][:-1]
        win = rank[first]
        got_t.append(who[win])
        got_pos.append(target[win])
        free[target[win]] = False
        seeking = np.setdiff1d(who, who[win], assume_unique=True)
    if not got_t:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(got_t), np.concatenate(got_pos)
