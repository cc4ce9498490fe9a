"""Equipoise of the matched comparison: a propensity model refitted on participants against
their matched controls, as the equipoise gate reads it."""

from __future__ import annotations

import numpy as np
import pytest

from broen.analytics.evaluation import fit_propensity
from broen.analytics.evaluation._propensity import matched_overlap

COLUMNS = ("age", "admissions")


def _population_model(rng: np.random.Generator):
    x = _group(rng, 50, 4000)
    treated = rng.random(4000) < 0.1
    return fit_propensity(x, treated, COLUMNS, log1p=("admissions",))


def _group(rng: np.random.Generator, mean_age: float, n: int) -> np.ndarray:
    return np.c_[rng.normal(mean_age, 10, n), rng.poisson(1.0, n)]


def test_controls_drawn_like_the_participants_are_in_equipoise() -> None:
    rng = np.random.default_rng(1)
    model = _population_model(rng)
    xt, xc = _group(rng, 50, 300), _group(rng, 50, 1500)
    overlap = matched_overlap(xt, xc, np.full(1500, 0.2), model)
    assert overlap.auc < 0.6
    assert overlap.equipoise > 0.9
    # Controls are weighted so that the two groups weigh the same.
    assert overlap.control_weights.sum() == pytest.approx(300)


def test_controls_unlike_the_participants_fail_equipoise() -> None:
    # After "matching", the controls are 3 SD older: a model tells them apart.
    rng = np.random.default_rng(2)
    model = _population_model(rng)
    xt, xc = _group(rng, 35, 300), _group(rng, 65, 1500)
    overlap = matched_overlap(xt, xc, np.full(1500, 0.2), model)
    assert overlap.auc > 0.9
    assert overlap.equipoise < 0.1


def test_control_weights_are_checked_and_rescaled() -> None:
    rng = np.random.default_rng(3)
    model = _population_model(rng)
    xt, xc = _group(rng, 50, 200), _group(rng, 50, 400)
    even = matched_overlap(xt, xc, np.ones(400), model)
    assert even.control_weights.sum() == pytest.approx(200)
    with pytest.raises(ValueError, match="one weight per control"):
        matched_overlap(xt, xc, np.ones(3), model)
    with pytest.raises(ValueError, match="participants and controls"):
        matched_overlap(xt[:0], xc, np.ones(400), model)
