"""Shapley values of groups of columns against one reference row: the reasons per person.

For a person ``x``, a reference row ``r`` (the typical person) and groups of columns, the value
of a coalition ``S`` of groups is ``predict(x on the columns of S, r elsewhere)``. A group's
Shapley value is its marginal effect averaged over the orders in which the groups can be
switched from ``r`` to ``x``. The values add up exactly to ``predict(x) - predict(r)``, and two
groups that carry the same signal (say last year's acute admissions and last year's total
cost) share the credit instead of each looking unimportant when the other stays high.

All orders are used when there are at most ``permutations`` of them; otherwise orders are drawn
in antithetic pairs (an order and its reverse), which makes the estimate exact for two groups
and for any sum of per-group effects, and lowers the variance otherwise.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Predict = Callable[[FloatArray], FloatArray]
MAX_ROWS_PER_CALL = 200_000  # rows passed to ``predict`` at once (memory: rows x columns)


def group_orders(n_groups: int, permutations: int, random_state: int | None) -> list[list[int]]:
    """Every order of ``n_groups`` groups if there are at most ``permutations``, else
    ``permutations`` (rounded up to even) orders drawn in antithetic pairs."""
    if permutations < 1:
        raise ValueError("permutations must be at least 1")
    if math.factorial(n_groups) <= permutations:
        return [list(order) for order in itertools.permutations(range(n_groups))]
    rng = np.random.default_rng(random_state)
    orders: list[list[int]] = []
    while len(orders) < permutations:
        order = [int(g) for g in rng.permutation(n_groups)]
        orders += [order, order[::-1]]
    return orders


def group_shapley(
    predict: Predict,
    x: FloatArray,
    reference: FloatArray,
    groups: Mapping[str, Sequence[int]],
    *,
    permutations: int = 64,
    random_state: int | None = 0,
) -> FloatArray:
    """Shapley values, shape (rows of ``x``, groups), of ``predict`` for each row of ``x``
    against ``reference``; ``groups`` maps a group name to its column indices (disjoint).
    Each row's values sum to ``predict(x) - predict(reference)``."""
    names = list(groups)
    orders = group_orders(len(names), permutations, random_state)
    values = np.zeros((x.shape[0], len(names)))
    if x.shape[0] == 0 or not names:
        return values
    steps = len(names) + 1  # the reference, then one group switched at a time
    block = max(1, MAX_ROWS_PER_CALL // steps)  # rows of x per block: memory stays bounded
    columns = [list(groups[n]) for n in names]
    for lo in range(0, x.shape[0], block):
        values[lo : lo + block] = _summed_gains(
            predict, x[lo : lo + block], reference, columns, orders
        )
    return values / len(orders)


def _summed_gains(
    predict: Predict,
    x: FloatArray,
    reference: FloatArray,
    columns: list[list[int]],
    orders: list[list[int]],
) -> FloatArray:
    """Per row of ``x`` and group: the risk gained when switching that group, summed over
    ``orders``."""
    n_rows, steps = x.shape[0], len(columns) + 1
    summed = np.zeros((n_rows, len(columns)))
    per_call = max(1, MAX_ROWS_PER_CALL // (steps * n_rows))
    for start in range(0, len(orders), per_call):
        batch = orders[start : start + per_call]
        # One matrix for the batch: for each order, the rows at each step of switching.
        stacked = np.empty((len(batch), steps, n_rows, x.shape[1]))
        for i, order in enumerate(batch):
            current = np.broadcast_to(reference, x.shape).copy()
            stacked[i, 0] = current
            for step, g in enumerate(order, start=1):
                current[:, columns[g]] = x[:, columns[g]]
                stacked[i, step] = current
        risk = predict(stacked.reshape(-1, x.shape[1])).reshape(len(batch), steps, n_rows)
        for i, order in enumerate(batch):
            summed[:, order] += np.diff(risk[i], axis=0).T  # gains in the order's sequence
    return summed
