"""Shapley values of column groups (the reasons per person), against hand-computed values and an
independent implementation of the subset formula."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from broen.analytics.risk import _attribution
from broen.analytics.risk._attribution import group_orders, group_shapley


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def nonlinear(rows: np.ndarray) -> np.ndarray:
    """A risk-like function with interactions between the columns."""
    return sigmoid(0.8 * rows[:, 0] * rows[:, 1] - 0.5 * rows[:, 2] + 0.3 * rows[:, 3] ** 2)


def subset_formula(f, x, r, groups):  # type: ignore[no-untyped-def]
    """Shapley values by the textbook sum over subsets (independent of the module's orders)."""
    names = list(groups)
    n = len(names)
    out = np.zeros((x.shape[0], n))
    for g, name in enumerate(names):
        others = [h for h in range(n) if h != g]
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in itertools.combinations(others, size):
                without = np.broadcast_to(r, x.shape).copy()
                for h in subset:
                    without[:, groups[names[h]]] = x[:, groups[names[h]]]
                with_g = without.copy()
                with_g[:, groups[name]] = x[:, groups[name]]
                out[:, g] += weight * (f(with_g) - f(without))
    return out


def test_two_groups_share_an_interaction_equally() -> None:
    # f = x0 * x1 against the origin: each group's Shapley value is half the product.
    x = np.array([[2.0, 3.0], [-1.0, 4.0]])
    values = group_shapley(lambda a: a[:, 0] * a[:, 1], x, np.zeros(2), {"a": [0], "b": [1]})
    assert values == pytest.approx(np.array([[3.0, 3.0], [-2.0, -2.0]]))


def test_groups_carrying_the_same_signal_share_it() -> None:
    # Risk is high when either group is high: switching one back to typical changes nothing
    # (each would look unimportant), but Shapley gives each half of the difference.
    def either(a: np.ndarray) -> np.ndarray:
        return np.where(np.maximum(a[:, 0], a[:, 1]) > 1, 0.9, 0.1)

    values = group_shapley(either, np.array([[5.0, 5.0]]), np.zeros(2), {"a": [0], "b": [1]})
    assert values == pytest.approx(np.array([[0.4, 0.4]]))


def test_an_additive_function_gives_each_group_its_own_effect_even_when_sampled() -> None:
    rng = np.random.default_rng(3)
    weights = rng.normal(size=12)
    x, r = rng.normal(size=(7, 12)), rng.normal(size=12)
    groups = {f"g{i}": [2 * i, 2 * i + 1] for i in range(6)}  # 720 orders > 16: sampled
    values = group_shapley(lambda a: a @ weights, x, r, groups, permutations=16)
    expected = np.column_stack([(x[:, idx] - r[idx]) @ weights[idx] for idx in groups.values()])
    assert values == pytest.approx(expected)


def test_all_orders_equal_the_subset_formula() -> None:
    rng = np.random.default_rng(5)
    x, r = rng.normal(size=(9, 4)), rng.normal(size=4)
    groups = {"a": [0], "b": [1], "c": [2], "d": [3]}  # 24 orders <= 64: all are used
    values = group_shapley(nonlinear, x, r, groups, permutations=64)
    assert values == pytest.approx(subset_formula(nonlinear, x, r, groups), abs=1e-12)


def test_sampled_values_add_up_and_approach_the_exact_ones() -> None:
    rng = np.random.default_rng(7)
    x, r = rng.normal(size=(20, 4)), rng.normal(size=4)
    groups = {"a": [0], "b": [1], "c": [2], "d": [3]}
    exact = subset_formula(nonlinear, x, r, groups)
    sampled = group_shapley(nonlinear, x, r, groups, permutations=10, random_state=1)
    # Efficiency holds for every set of orders: each row sums to f(x) - f(r).
    assert sampled.sum(axis=1) == pytest.approx(nonlinear(x) - nonlinear(r[None, :])[0])
    assert np.abs(sampled - exact).max() < 0.05
    assert not np.allclose(sampled, exact)  # really sampled (10 of 24 orders)


def test_batches_of_predictions_give_the_same_values(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    x, r = rng.normal(size=(5, 4)), rng.normal(size=4)
    groups = {"a": [0], "b": [1], "c": [2, 3]}
    whole = group_shapley(nonlinear, x, r, groups)
    monkeypatch.setattr(_attribution, "MAX_ROWS_PER_CALL", 7)  # one row, one order per call
    assert group_shapley(nonlinear, x, r, groups) == pytest.approx(whole)


def test_orders_are_antithetic_pairs_seeded_and_validated() -> None:
    orders = group_orders(6, 10, random_state=2)
    assert len(orders) == 10
    for i in range(0, 10, 2):
        assert orders[i + 1] == orders[i][::-1]
        assert sorted(orders[i]) == list(range(6))
    assert orders == group_orders(6, 10, random_state=2)
    assert len(group_orders(3, 64, random_state=None)) == 6  # all orders
    with pytest.raises(ValueError, match="at least 1"):
        group_orders(3, 0, random_state=0)


def test_no_rows_or_no_groups_give_empty_values() -> None:
    assert group_shapley(nonlinear, np.zeros((0, 4)), np.zeros(4), {"a": [0]}).shape == (0, 1)
    assert group_shapley(nonlinear, np.ones((2, 4)), np.zeros(4), {}).shape == (2, 0)
