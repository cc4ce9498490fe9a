"""The gates (broen.analytics.evaluation._gates): each passes or fails at its threshold, on
hand-made diagnostics, and a failed gate marks the estimates it touches."""

from __future__ import annotations

import math

import pytest

from broen.analytics.evaluation import BalanceRow, Estimate
from broen.analytics.evaluation._config import Gates
from broen.analytics.evaluation._gates import ALL, Gate, evaluate_gates, flags_for

NAN = math.nan
ZERO_IN = Estimate(10.0, -5.0, 25.0, 7.0, 40)  # the interval holds zero
ABOVE = Estimate(30.0, 2.0, 58.0, 14.0, 40)  # the interval lies above zero
BELOW = Estimate(-30.0, -58.0, -0.5, 14.0, 40)
TOUCHING = Estimate(20.0, 0.0, 40.0, 10.0, 40)  # zero is the interval's edge: consistent
NO_INTERVAL = Estimate(3.0, NAN, NAN, NAN, 40)
NO_SETS = Estimate(0.0, 0.0, 0.0, 0.0, 0)  # an empty window: a sum of nothing


def row(covariate: str, smd_after: float) -> BalanceRow:
    return BalanceRow(covariate, 0.5, 0.4, 0.5, 0.3, smd_after)


def gates_of(
    smd: dict[str, float] | None = None,
    equipoise: float = 0.5,
    matched_share: float = 0.95,
    placebo: dict[str, Estimate] | None = None,
    negative: dict[str, Estimate] | None = None,
    config: Gates | None = None,
) -> dict[str, Gate]:
    balance = [row(c, v) for c, v in (smd or {"age": 0.0}).items()]
    out = evaluate_gates(
        config or Gates(),
        balance,
        equipoise,
        matched_share,
        placebo if placebo is not None else {"cost_total": ZERO_IN},
        negative if negative is not None else {"cost_pc_dentist": ZERO_IN},
    )
    return {g.key: g for g in out}


def test_all_gates_pass_in_the_reports_order() -> None:
    out = evaluate_gates(
        Gates(), [row("age", 0.01)], 0.5, 0.9, {"cost_total": ZERO_IN}, {"x": ZERO_IN}
    )
    assert [g.key for g in out] == [
        "balance",
        "equipoise",
        "matched_share",
        "placebo",
        "negative_controls",
    ]
    assert all(g.passed for g in out)
    assert all(not flags_for(m, out) for m in ("cost_total", "bed_days"))


@pytest.mark.parametrize(
    ("smd", "passed"),
    [
        (0.0999, True),
        (-0.0999, True),
        (0.1, False),  # OHDSI: every |SMD| *below* 0.1
        (-0.1, False),
        (0.1001, False),
        (-0.35, False),
        (math.inf, False),  # a constant covariate whose means differ
        (NAN, False),
    ],
)
def test_balance_at_its_threshold(smd: float, passed: bool) -> None:
    gate = gates_of({"age": 0.02, "cost_total_m1": smd, "sex": -0.05})["balance"]
    assert gate.passed is passed
    assert gate.threshold == 0.1
    assert gate.failing == (() if passed else ("cost_total_m1",))
    assert gate.affects == (ALL,)
    if passed:
        assert gate.value == pytest.approx(0.0999)  # the worst |SMD|
    elif math.isfinite(smd):
        assert gate.value == pytest.approx(abs(smd))
    else:
        assert gate.value == math.inf


def test_balance_lists_every_failing_covariate_and_the_worst() -> None:
    gate = gates_of({"b": 0.12, "a": -0.3, "c": 0.05})["balance"]
    assert (gate.passed, gate.failing, gate.value) == (False, ("a", "b"), 0.3)
    loose = gates_of({"b": 0.12, "a": -0.3}, config=Gates(max_abs_smd=0.31))["balance"]
    assert loose.passed and loose.failing == ()


@pytest.mark.parametrize(
    ("equipoise", "passed"),
    [(0.2, True), (0.19999, False), (0.0, False), (1.0, True), (NAN, False)],
)
def test_equipoise_at_its_threshold(equipoise: float, passed: bool) -> None:
    gate = gates_of(equipoise=equipoise)["equipoise"]
    assert (gate.passed, gate.threshold, gate.affects) == (passed, 0.2, (ALL,))


@pytest.mark.parametrize(
    ("share", "passed"), [(0.8, True), (0.79999, False), (1.0, True), (0.0, False), (NAN, False)]
)
def test_matched_share_at_its_threshold(share: float, passed: bool) -> None:
    gate = gates_of(matched_share=share)["matched_share"]
    assert (gate.passed, gate.threshold, gate.affects) == (passed, 0.8, (ALL,))


def test_thresholds_come_from_the_config() -> None:
    config = Gates(min_equipoise=0.5, min_matched_share=0.95)
    gates = gates_of(equipoise=0.49, matched_share=0.96, config=config)
    assert not gates["equipoise"].passed and gates["equipoise"].threshold == 0.5
    assert gates["matched_share"].passed and gates["matched_share"].threshold == 0.95


@pytest.mark.parametrize(
    ("estimate", "consistent"),
    [
        (ZERO_IN, True),
        (TOUCHING, True),
        (ABOVE, False),
        (BELOW, False),
        (NO_INTERVAL, False),  # no interval: not shown to be consistent with zero
        (NO_SETS, False),  # no matched set behind it: its [0, 0] interval says nothing
    ],
    ids=["zero inside", "zero at the edge", "above", "below", "no interval", "no sets"],
)
def test_placebo_and_negative_controls_consistent_with_zero(
    estimate: Estimate, consistent: bool
) -> None:
    gates = gates_of(
        placebo={"cost_total": ZERO_IN, "bed_days": estimate},
        negative={"cost_pc_dentist": ZERO_IN, "cost_hospital_planned": estimate},
    )
    placebo, negative = gates["placebo"], gates["negative_controls"]
    assert placebo.passed is consistent and negative.passed is consistent
    if consistent:
        assert (placebo.failing, placebo.affects, placebo.value) == ((), (), 0.0)
        assert (negative.failing, negative.affects) == ((), ())
    else:
        # A placebo failure touches its own metric; a negative control failure, everything.
        assert (placebo.failing, placebo.affects, placebo.value) == (
            ("bed_days",),
            ("bed_days",),
            1.0,
        )
        assert (negative.failing, negative.affects) == (("cost_hospital_planned",), (ALL,))


def test_placebo_and_negative_control_gates_can_be_switched_off() -> None:
    config = Gates(placebo=False, negative_controls=False)
    gates = gates_of(placebo={"x": ABOVE}, negative={"y": ABOVE}, config=config)
    assert set(gates) == {"balance", "equipoise", "matched_share"}


def test_failed_gates_mark_the_estimates_they_touch() -> None:
    gates = list(
        gates_of(
            placebo={"cost_total": ZERO_IN, "bed_days": ABOVE, "gp_contacts": BELOW},
            negative={"cost_pc_dentist": ZERO_IN},
        ).values()
    )
    assert flags_for("bed_days", gates) == ["placebo"]
    assert flags_for("gp_contacts", gates) == ["placebo"]
    assert flags_for("cost_total", gates) == []
    # balance fails too: it touches every metric, in the report's order of the gates
    gates = list(
        gates_of(
            {"age": 0.4},
            equipoise=0.1,
            placebo={"cost_total": ZERO_IN, "bed_days": ABOVE},
            negative={"cost_pc_dentist": BELOW},
        ).values()
    )
    assert flags_for("bed_days", gates) == ["balance", "equipoise", "placebo", "negative_controls"]
    assert flags_for("cost_total", gates) == ["balance", "equipoise", "negative_controls"]
    assert flags_for("acute_admissions", gates) == ["balance", "equipoise", "negative_controls"]
