"""The matching peers of ``benchmarks/matching.py``: causalml and psmpy, called as their users
would call them, on the propensity logits Broen matches on.

Both are installed by the ``bench`` dependency group (``make bench``); neither is copied here.
Each function takes the same four arrays as ``broen.analytics.evaluation.match`` (strata and
logits of the treated units and of the candidates) and returns the pairs as two index arrays
(treated row, candidate row), so that the benchmark checks and scores every matcher alike.

Exact strata: causalml matches within groups with ``NearestNeighborMatch.match_by_group``, which
is ``data.groupby(col).apply(self.match)``; psmpy has no strata, so a user loops over them. Both
loops below skip the strata without a treated unit or without a candidate (which costs the peers
nothing they need). The caliper is the same absolute width on the logit for all matchers:

- causalml turns its ``caliper`` into ``caliper * np.std(data[score_cols].values)`` over the
  frame it is given (treated and controls of one stratum), so each stratum gets
  ``caliper = width / np.std(logits of that stratum)``, which gives back ``width`` exactly. That
  is why the loop calls ``match`` per stratum instead of ``match_by_group`` (one caliper for all
  groups, which would give each stratum a different width);
- psmpy's ``kdtree_matched(caliper=...)`` compares the caliper with the distance on the matcher
  column itself, so it gets ``width``.

psmpy fits its own propensity model (``logistic_ps``, liblinear in balanced folds); every
matcher here matches on the same logits instead, so the wrapper sets ``predicted_data`` (the
frame ``logistic_ps`` would leave, with the id, the treatment and ``propensity_logit``) and calls
``kdtree_matched``. psmpy matches 1:1 with a caliper (``kdtree_matched_12n`` matches 1:n but has
no caliper), so it is compared at ratio 1.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import pandas as pd

IntArray = npt.NDArray[np.int64]
Pairs = tuple[IntArray, IntArray]


def _frame(
    t_s: npt.NDArray[np.int64],
    t_x: npt.NDArray[np.float64],
    c_s: npt.NDArray[np.int64],
    c_x: npt.NDArray[np.float64],
) -> pd.DataFrame:
    """Treated rows first (labels 0..n_t-1), then the candidates (labels n_t..)."""
    n_t, n_c = t_s.size, c_s.size
    return pd.DataFrame(
        {
            "stratum": np.concatenate([t_s, c_s]),
            "treatment": np.concatenate([np.ones(n_t, np.int64), np.zeros(n_c, np.int64)]),
            "score": np.concatenate([t_x, c_x]),
        }
    )


def _strata(frame: pd.DataFrame) -> pd.api.typing.DataFrameGroupBy:
    """The strata holding both a treated unit and a candidate."""
    counts = frame.groupby("stratum")["treatment"].agg(["sum", "size"])
    both = counts.index[(counts["sum"] > 0) & (counts["sum"] < counts["size"])]
    return frame[frame["stratum"].isin(both)].groupby("stratum", sort=False)


def _pairs(a: list[np.ndarray], b: list[np.ndarray], n_t: int) -> Pairs:
    """Labels of the frame to (treated row, candidate row); a pair may be given either way."""
    x = np.concatenate(a).astype(np.int64) if a else np.empty(0, np.int64)
    y = np.concatenate(b).astype(np.int64) if b else np.empty(0, np.int64)
    treated, control = np.minimum(x, y), np.maximum(x, y)
    return treated, control - n_t


def causalml_match(
    t_s: npt.NDArray[np.int64],
    t_x: npt.NDArray[np.float64],
    c_s: npt.NDArray[np.int64],
    c_x: npt.NDArray[np.float64],
    *,
    ratio: int,
    caliper: float,
    seed: int = 0,
) -> Pairs:
    """causalml ``NearestNeighborMatch(replace=False, ratio=ratio)`` in each stratum: a loop
    over the treated units (shuffled, its default), each scanning the unmatched controls of its
    stratum with pandas."""
    from causalml.match import NearestNeighborMatch

    warnings.simplefilter("ignore")  # SettingWithCopyWarning from inside causalml
    frame = _frame(t_s, t_x, c_s, c_x)
    a: list[np.ndarray] = []
    b: list[np.ndarray] = []
    for _, group in _strata(frame):
        sd = float(np.std(group["score"].to_numpy()))
        matcher = NearestNeighborMatch(
            caliper=caliper / sd if sd > 0 else 1.0,
            replace=False,
            ratio=ratio,
            random_state=seed,
        )
        matcher.match(data=group, treatment_col="treatment", score_cols=["score"])
        found = matcher.matched_indexes_
        if len(found):
            a.append(found["from"].to_numpy())
            b.append(found["to"].to_numpy())
    return _pairs(a, b, t_s.size)


def psmpy_match(
    t_s: npt.NDArray[np.int64],
    t_x: npt.NDArray[np.float64],
    c_s: npt.NDArray[np.int64],
    c_x: npt.NDArray[np.float64],
    *,
    caliper: float,
) -> Pairs:
    """psmpy ``PsmPy(...).kdtree_matched(matcher="propensity_logit", replacement=False,
    caliper=caliper)`` in each stratum (1:1): a KD-tree query of *every* distance between the
    smaller and the larger group, then a Python loop over the smaller group.

    psmpy matches the smaller group to the larger one: in a stratum with more treated units than
    candidates it matches the candidates, and the pairs are turned round here. With one unit on
    each side its code fails (``indexes[:, 1]`` of a one-column array); the wrapper then pairs
    the two itself if they lie within the caliper, as psmpy would have."""
    from psmpy import PsmPy

    warnings.simplefilter("ignore")  # "Some values do not have a match", SettingWithCopy
    frame = _frame(t_s, t_x, c_s, c_x).rename(columns={"score": "propensity_logit"})
    frame["id"] = np.arange(len(frame), dtype=np.int64)
    a: list[np.ndarray] = []
    b: list[np.ndarray] = []
    for _, group in _strata(frame):
        data = group[["id", "treatment", "propensity_logit"]].reset_index(drop=True)
        if len(data) == 2:
            x = data["propensity_logit"].to_numpy()
            if abs(x[0] - x[1]) <= caliper:
                a.append(data["id"].to_numpy()[:1])
                b.append(data["id"].to_numpy()[1:])
            continue
        psm = PsmPy(data, treatment="treatment", indx="id")
        psm.predicted_data = data  # the scores all matchers share, instead of logistic_ps()
        psm.kdtree_matched(
            matcher="propensity_logit", replacement=False, caliper=caliper, drop_unmatched=True
        )
        found = psm.matched_ids
        if len(found):
            a.append(found["id"].to_numpy())
            b.append(found["matched_ID"].to_numpy())
    return _pairs(a, b, t_s.size)


PEERS = {
    "causalml": causalml_match,
    "psmpy": psmpy_match,
}
