"""``effects.json`` (broen.analytics.evaluation._effects): the fields of "Effect output" in
contract v1 with their types, and small cells: no count of 1-4 persons anywhere in the document,
no estimate resting on fewer than 5 participants, nothing that gives either back (a cohort total
beside the number of participants, a share beside its denominator).

The evaluations are hand-made (``evaluation``) so that every count is known: ``big`` has counts
of 5 or more except where a test plants a small one, ``tiny`` has 1-4 everywhere.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from broen.analytics.evaluation import Estimate, Evaluation, EvaluationConfig, effects_document
from broen.analytics.evaluation._balance import BalanceRow, few_persons
from broen.analytics.evaluation._config import Outcomes
from broen.analytics.evaluation._design import Design
from broen.analytics.evaluation._did import DiDResult
from broen.analytics.evaluation._effects import _histogram, count
from broen.analytics.evaluation._estimates import MetricEffect
from broen.analytics.evaluation._gates import ALL, Gate
from broen.analytics.evaluation._measures import MeasureChange
from broen.analytics.evaluation._participants import FlowStep
from broen.analytics.evaluation._propensity import MatchedOverlap

METRICS = ("cost_total", "bed_days", "cost_payer_region", "transfer_payer_state")
NEGATIVE = ("cost_hospital_planned", "cost_pc_dentist")
WINDOWS = ((0, 11), (12, 23), (0, 23))
MONTHS = np.arange(-24, 24)
COUNT_KEYS = {
    "n",
    "n_treated",
    "n_controls",
    "n_control_persons",
    "n_candidates",
    "n_referred",
    "n_started",
    "n_baseline",
    "n_answered",
}


def est(value: float, n: int) -> Estimate:
    return Estimate(value, value - 10.0, value + 10.0, 5.0, n)


def did(n_sets: int, window_n: dict[tuple[int, int], int] | None = None) -> DiDResult:
    """An effect of 1.5 per month; n_sets sets observed in every month but the last four, which
    only 3 sets reach (their index months lie near the extract's end)."""
    n_by_month = np.where(MONTHS >= 20, min(n_sets, 3), n_sets).astype(np.int64)
    return DiDResult(
        months=MONTHS,
        by_month=[est(1.5, int(n)) for n in n_by_month],
        windows={w: est(1.5 * (w[1] - w[0] + 1), (window_n or {}).get(w, n_sets)) for w in WINDOWS},
        participant_mean=np.full(MONTHS.size, 100.0),
        control_mean=np.full(MONTHS.size, 98.5),
        n_by_month=n_by_month,
    )


def effect(metric: str, n_sets: int, naive_n: int = 14, **window_n: int) -> MetricEffect:
    windows = {(0, 11): window_n.get("first", n_sets), (12, 23): window_n.get("second", n_sets)}
    return MetricEffect(
        metric=metric,
        did=did(n_sets, windows),
        placebo=est(0.5, n_sets),
        naive=est(-40.0, naive_n),  # all analysable participants, matched or not
        mde={w: 12.0 for w in WINDOWS},
    )


def evaluation(
    *,
    n_treated: int,
    control_persons: list[str],
    flow: list[int],
    n_candidates: int,
    unmatched: tuple[int, int],
    subgroups: list[tuple[str, str, int]],
    measures: list[MeasureChange],
    preference: tuple[list[float], list[float]],
    gates: list[Gate] | None = None,
    withheld: bool = False,
    small_cells: tuple[str, ...] = (),
) -> Evaluation:
    config = EvaluationConfig(
        programme="prog",
        title="A programme",
        outcomes=Outcomes(metrics=METRICS, negative_controls=NEGATIVE),
    )
    treated = pd.DataFrame(
        {"person_id": [f"t{i}" for i in range(n_treated)], "set_id": range(n_treated)}
    ).assign(treated=True)
    controls = pd.DataFrame(
        {
            "person_id": control_persons,
            "set_id": [i % n_treated for i in range(len(control_persons))],
        }
    ).assign(treated=False)
    units = pd.concat([treated, controls], ignore_index=True)
    units.insert(0, "unit_id", range(len(units)))
    units["index_month"] = date(2021, 6, 1)
    steps = ["referred", "started", "index_with_lookback_in_period", "resident_with_full_lookback"]
    design = Design(
        participants=units[units["treated"]].copy(),
        units=units,
        flow=[FlowStep(k, n) for k, n in zip([*steps, "matched"], flow, strict=True)],
        n_candidates=n_candidates,
        n_candidate_persons=n_candidates,
        model=SimpleNamespace(auc=0.71),  # type: ignore[arg-type]
        caliper=0.05,
        equipoise_population=0.04,
        preference={"participants": np.array(preference[0]), "controls": np.array(preference[1])},
        overlap=MatchedOverlap(
            auc=0.58,
            participants=np.array(preference[0]),
            controls=np.array(preference[1]),
            control_weights=np.ones(len(preference[1])),
        ),
        balance=[
            BalanceRow("age", 51.0, 47.0, 50.5, 0.4, 0.04),
            BalanceRow("flag_obesity", 0.5, 0.1, 0.45, 0.9, 0.08),
        ],
        unmatched={"no_candidate_in_stratum": unmatched[0], "outside_caliper": unmatched[1]},
        covariates=("age", "flag_obesity"),
        sample_weight=1.0,
        small_cells=small_cells,
    )
    n = n_treated
    return Evaluation(
        config=config,
        design=design,
        period=(date(2019, 1, 1), date(2023, 12, 31)),
        effects={m: effect(m, n, flow[3]) for m in METRICS},
        negative_controls={m: effect(m, n, flow[3]) for m in NEGATIVE},
        event_study={"cost_total": est(20.0, n), "bed_days": est(90.0, n)},
        gates=gates
        or [
            Gate("balance", True, 0.08, 0.1, (), (ALL,)),
            Gate("placebo", False, 1.0, 0.0, ("bed_days",), ("bed_days",)),
        ],
        subgroups=[
            {
                "variable": v,
                "level": level,
                "n_treated": k,
                "estimates": {m: est(3.0, k) for m in METRICS} if k >= 2 else {},
            }
            for v, level, k in subgroups
        ],
        measures=measures,
        n_referred=flow[0],
        withheld=withheld,
    )


def measure(
    name: str, month: int, counts: tuple[int, int, int, int], **extra: Any
) -> MeasureChange:
    referred, started, baseline, answered = counts
    return MeasureChange(
        name, month, referred, started, baseline, answered, 80.0, 77.0, -3.0, -5.0, -1.0, **extra
    )


def big() -> Evaluation:
    return evaluation(
        n_treated=12,
        control_persons=[f"c{i}" for i in range(30)],
        flow=[40, 20, 15, 14, 12],
        n_candidates=5000,
        unmatched=(2, 0),  # 2 of the 14 had no candidate in their stratum
        subgroups=[("sex", "F", 3), ("sex", "M", 9), ("age_band", "50", 12), ("stratum", "x", 0)],
        measures=[
            measure("who5", 6, (40, 14, 12, 9)),
            measure("bmi", 12, (40, 14, 6, 4)),  # 4 answered: the values withheld
            measure(
                "smoking", 6, (40, 14, 10, 8), share_free_answered=5 / 8, share_free_started=5 / 14
            ),
            measure(
                "smoking", 12, (40, 14, 10, 8), share_free_answered=3 / 8, share_free_started=3 / 14
            ),
        ],
        preference=([0.31] * 6 + [0.52] * 5 + [0.97], [0.12] * 40 + [0.33] * 20 + [0.5] * 9),
    )


def tiny() -> Evaluation:
    return evaluation(
        n_treated=3,
        control_persons=["c1", "c2", "c1", "c2"],
        flow=[4, 4, 3, 3, 3],
        n_candidates=4,
        unmatched=(1, 0),
        subgroups=[("sex", "F", 2), ("sex", "M", 1)],
        measures=[
            measure("who5", 6, (4, 3, 3, 2)),
            measure("smoking", 6, (4, 3, 3, 3), share_free_answered=1.0, share_free_started=1.0),
        ],
        preference=([0.2, 0.5, 0.8], [0.1, 0.4, 0.45, 0.9]),
    )


def leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from leaves(value, (*path, i))
    else:
        yield path, node


def small_counts(doc: dict[str, Any]) -> list[tuple[tuple[Any, ...], Any]]:
    """Every place in the document where a number 1-4 stands that could be a count of persons:
    integers anywhere except months, windows and the config echoed back; and every count field
    that is not "<5", 0 or at least 5."""
    found = []
    for path, value in leaves(doc):
        keys = [k for k in path if isinstance(k, str)]
        if keys[:1] == ["config"]:
            continue
        is_int = isinstance(value, int) and not isinstance(value, bool)
        shown = value in ("<5", 0) or (is_int and value >= 5)
        a_count = path[-1] in COUNT_KEYS or keys[:1] == ["unmatched"]
        if (is_int and 0 < value < 5 and keys[-1] not in ("month", "window")) or (
            a_count and not shown
        ):
            found.append((path, value))
    return found


@pytest.fixture(scope="module")
def big_doc() -> dict[str, Any]:
    return effects_document(big())


@pytest.fixture(scope="module")
def tiny_doc() -> dict[str, Any]:
    return effects_document(tiny())


def test_count() -> None:
    assert [count(n) for n in (0, 1, 2, 3, 4, 5, 6, 1000)] == [0, *["<5"] * 4, 5, 6, 1000]


def test_the_fields_of_effect_output(big_doc: dict[str, Any]) -> None:
    """Contract v1, "Effect output": programme, n_treated, n_controls, outcomes (metric, window,
    att, ci_low, ci_high, naive_before_after, by_month with month, att, ci_low, ci_high) and
    balance (covariate, smd_before, smd_after), with their JSON types."""
    doc = json.loads(json.dumps(big_doc, allow_nan=False))  # as written: strict JSON
    assert doc["programme"] == "prog"
    assert (doc["n_treated"], doc["n_controls"]) == (12, 30)
    assert len(doc["outcomes"]) == len(METRICS) * len(WINDOWS)
    for o in doc["outcomes"]:
        assert isinstance(o["metric"], str) and o["metric"] in METRICS
        assert isinstance(o["window"], list) and len(o["window"]) == 2
        assert all(isinstance(x, int) for x in o["window"])
        for key in ("att", "ci_low", "ci_high", "naive_before_after"):
            assert isinstance(o[key], float), (key, o)
        assert o["ci_low"] <= o["att"] <= o["ci_high"]
        assert [m["month"] for m in o["by_month"]] == list(range(-24, 24))
        for m in o["by_month"]:
            assert isinstance(m["month"], int)
            for key in ("att", "ci_low", "ci_high"):
                assert m[key] is None or isinstance(m[key], float)
    first = next(
        o for o in doc["outcomes"] if o["metric"] == "cost_total" and o["window"] == [0, 23]
    )
    assert (first["att"], first["ci_low"], first["ci_high"]) == (36.0, 26.0, 46.0)  # 1.5 x 24
    assert first["naive_before_after"] == -40.0
    assert first["by_month"][0] == {
        "month": -24,
        "att": 1.5,
        "ci_low": -8.5,
        "ci_high": 11.5,
        "n": 12,
        "mean_participants": 100.0,
        "mean_controls": 98.5,
    }
    assert doc["balance"][0] == {
        "covariate": "age",
        "smd_before": 0.4,
        "smd_after": 0.04,
        "mean_participants": 51.0,
        "mean_controls_before": 47.0,
        "mean_controls_after": 50.5,
    }
    assert all(isinstance(b["covariate"], str) for b in doc["balance"])
    assert all(isinstance(b[k], float) for b in doc["balance"] for k in ("smd_before", "smd_after"))
    # Beyond the contract: the gates, negative controls, subgroups and the payer split.
    assert [g["gate"] for g in doc["gates"]] == ["balance", "placebo"]
    assert doc["gates_passed"] is False and doc["estimates_withheld"] is False
    assert {(n["metric"], tuple(n["window"])) for n in doc["negative_controls"]} == {
        (m, w) for m in NEGATIVE for w in WINDOWS
    }
    assert all(n["consistent_with_zero"] is False for n in doc["negative_controls"])  # ±10 of 18
    assert [(p["payer"], p["kind"], p["window"]) for p in doc["payers"]] == [
        ("region", "cost", [0, 23]),
        ("state", "transfer", [0, 23]),
    ]
    assert doc["payers"][0]["total_dkk"] == 36.0 * 12
    assert (doc["payers"][0]["total_ci_low"], doc["payers"][0]["total_ci_high"]) == (312.0, 552.0)
    assert [(s["variable"], s["level"]) for s in doc["subgroups"]][:2] == [
        ("sex", "F"),
        ("sex", "M"),
    ]
    assert first["event_study"] == {
        "att": 20.0, "ci_low": 10.0, "ci_high": 30.0, "se": 5.0, "n": 12, "agrees": True,
    }  # fmt: skip


def test_a_failed_gate_flags_the_estimates_it_touches(big_doc: dict[str, Any]) -> None:
    flags = {(o["metric"], tuple(o["window"])): o["flags"] for o in big_doc["outcomes"]}
    assert all(flags[("bed_days", w)] == ["placebo"] for w in WINDOWS)
    assert all(flags[(m, w)] == [] for m in METRICS if m != "bed_days" for w in WINDOWS)
    touched_all = replace(big(), gates=[Gate("balance", False, 0.3, 0.1, ("age",), (ALL,))])
    doc = effects_document(touched_all)
    assert all(o["flags"] == ["balance"] for o in doc["outcomes"])


def test_no_count_of_one_to_four_anywhere(
    big_doc: dict[str, Any], tiny_doc: dict[str, Any]
) -> None:
    assert small_counts(big_doc) == []
    assert small_counts(tiny_doc) == []
    # and the walk does find one when it is there
    planted = json.loads(json.dumps(big_doc))
    planted["subgroups"][0]["n_treated"] = 3
    planted["outcomes"][0]["by_month"][5]["n"] = 2
    planted["unmatched"]["outside_caliper"] = 1.0  # a float is a count too
    assert small_counts(planted) == [
        (("unmatched", "outside_caliper"), 1.0),
        (("outcomes", 0, "by_month", 5, "n"), 2),
        (("subgroups", 0, "n_treated"), 3),
    ]


def test_small_counts_are_written_as_less_than_five(tiny_doc: dict[str, Any]) -> None:
    d = tiny_doc
    assert (d["n_treated"], d["n_controls"], d["n_control_persons"]) == ("<5", "<5", "<5")
    assert d["n_candidates"] == "<5"  # 4 candidate months: a count like any other
    assert [s["n"] for s in d["flow"]] == ["<5"] * 5
    assert d["unmatched"] == {"no_candidate_in_stratum": "<5", "outside_caliper": 0}


def test_flow_and_counts_of_five_or_more_are_shown(big_doc: dict[str, Any]) -> None:
    d = big_doc
    assert [s["n"] for s in d["flow"]] == [40, 20, 15, 14, 12]
    assert d["flow"][0]["step"] == "referred"
    assert (d["n_control_persons"], d["n_candidates"]) == (30, 5000)
    assert d["unmatched"] == {"no_candidate_in_stratum": "<5", "outside_caliper": 0}


def test_estimates_on_fewer_than_five_participants_are_withheld(tiny_doc: dict[str, Any]) -> None:
    suppressed = {"att": None, "ci_low": None, "ci_high": None, "se": None, "n": "<5",
                  "suppressed": True}  # fmt: skip
    for o in tiny_doc["outcomes"]:
        assert {k: o[k] for k in suppressed} == suppressed
        # nothing that gives the estimate back: total = att x participants, MDE = z x SE
        assert (o["total"], o["mde"], o["naive_before_after"]) == (None, None, None)
        assert (o["naive_ci_low"], o["naive_ci_high"]) == (None, None)
        assert {k: o["placebo"][k] for k in suppressed} == suppressed
        assert all(m["att"] is None and m["n"] == "<5" for m in o["by_month"])
        assert all(m["mean_participants"] is None for m in o["by_month"])
        if "event_study" in o:
            assert o["event_study"]["att"] is None
    for n in tiny_doc["negative_controls"]:
        assert n["att"] is None and n["n"] == "<5"
    for p in tiny_doc["payers"]:
        assert (p["att"], p["total_dkk"], p["total_ci_low"], p["total_ci_high"]) == (None,) * 4
    assert [(s["n_treated"], s["estimates"]) for s in tiny_doc["subgroups"]] == [
        ("<5", {}),
        ("<5", {}),
    ]


def test_months_reached_by_fewer_than_five_sets_are_withheld(big_doc: dict[str, Any]) -> None:
    o = big_doc["outcomes"][0]
    late = [m for m in o["by_month"] if m["month"] >= 20]
    assert late and all(
        (m["att"], m["ci_low"], m["n"], m["mean_participants"], m["mean_controls"])
        == (None, None, "<5", None, None)
        for m in late
    )
    assert all(m["att"] == 1.5 and m["n"] == 12 for m in o["by_month"] if m["month"] < 20)


def test_a_window_on_fewer_than_five_sets_withholds_its_total_and_mde() -> None:
    ev = big()
    ev.effects["cost_total"] = effect("cost_total", 12, first=4)
    ev.effects["cost_payer_region"] = effect("cost_payer_region", 12, first=4)
    ev.effects["cost_payer_region"].did.windows[(0, 23)] = est(36.0, 3)
    doc = effects_document(ev)
    o = next(o for o in doc["outcomes"] if o["metric"] == "cost_total" and o["window"] == [0, 11])
    assert (o["att"], o["n"], o["total"], o["mde"]) == (None, "<5", None, None)
    shown = next(
        o for o in doc["outcomes"] if o["metric"] == "cost_total" and o["window"] == [0, 23]
    )
    assert (shown["att"], shown["total"], shown["mde"]) == (36.0, 36.0 * 12, 12.0)
    region = next(p for p in doc["payers"] if p["payer"] == "region")
    assert (region["att"], region["total_dkk"], region["total_ci_low"]) == (None, None, None)


def test_subgroups(big_doc: dict[str, Any]) -> None:
    groups = {(s["variable"], s["level"]): s for s in big_doc["subgroups"]}
    assert groups[("sex", "F")]["n_treated"] == "<5" and groups[("sex", "F")]["estimates"] == {}
    male = groups[("sex", "M")]
    assert male["n_treated"] == 9 and male["window"] == [0, 23]
    assert male["estimates"]["cost_total"] == {
        "att": 3.0, "ci_low": -7.0, "ci_high": 13.0, "se": 5.0, "n": 9,
    }  # fmt: skip
    assert groups[("stratum", "x")]["n_treated"] == 0


def test_participant_measures_and_their_denominators(big_doc: dict[str, Any]) -> None:
    who5, bmi, smoke6, smoke12 = big_doc["participant_measures"]
    assert (who5["n_referred"], who5["n_started"], who5["n_baseline"], who5["n_answered"]) == (
        40,
        14,
        12,
        9,
    )
    assert (who5["change"], who5["ci_low"], who5["uncontrolled"]) == (-3.0, -5.0, True)
    # 4 measured at baseline and follow-up: the count is "<5" and every value is withheld
    assert bmi["n_answered"] == "<5" and bmi["n_baseline"] == 6
    assert all(
        bmi[k] is None for k in ("baseline_mean", "follow_up_mean", "change", "ci_low", "ci_high")
    )
    # 5 of 14 smoke-free: shown with the denominators
    assert (smoke6["share_free_started"], smoke6["share_free_answered"]) == (
        round(5 / 14, 6),
        0.625,
    )
    # 3 of 14: the share times the published 14 started is a count of 3 persons
    assert (smoke12["share_free_started"], smoke12["share_free_answered"]) == (None, None)
    assert smoke12["n_started"] == 14 and smoke12["change"] == -3.0


def test_participant_measures_of_a_tiny_programme(tiny_doc: dict[str, Any]) -> None:
    for row in tiny_doc["participant_measures"]:
        assert row["n_referred"] == row["n_started"] == row["n_baseline"] == "<5"
        assert row["change"] is None and row["share_free_started"] is None


def test_withheld_estimates_leave_design_and_gates_only() -> None:
    gates = [Gate("balance", False, 0.3, 0.1, ("age",), (ALL,))]
    doc = effects_document(replace(big(), gates=gates, withheld=True))
    assert doc["estimates_withheld"] is True and doc["gates_passed"] is False
    assert doc["outcomes"] == []
    assert not {"negative_controls", "payers", "subgroups", "participant_measures"} & set(doc)
    assert doc["gates"][0]["failing"] == ["age"] and doc["balance"]
    assert small_counts(doc) == []


# --- the preference-score histogram ------------------------------------------------------------


def bins_of(hist: dict[str, Any], n_t: int, n_c: int) -> list[tuple[int, int]]:
    """The persons per bin, back from the shares."""
    return [
        (round(a * n_t), round(b * n_c))
        for a, b in zip(hist["participants_share"], hist["controls_share"], strict=True)
    ]


def test_a_flag_held_by_one_to_four_withholds_the_means_that_reveal_it() -> None:
    ev = big()
    doc = effects_document(replace(ev, design=replace(ev.design, small_cells=("flag_obesity",))))
    rows = {b["covariate"]: b for b in doc["balance"]}
    flag = rows["flag_obesity"]
    assert flag["suppressed"] is True
    assert flag["mean_participants"] is None and flag["mean_controls_after"] is None
    # The SMD before matching with the candidates' mean would give the participants' mean back.
    assert flag["smd_before"] is None
    assert flag["smd_after"] == pytest.approx(0.08)  # the balance gate's figure stays
    assert flag["mean_controls_before"] == pytest.approx(0.1)
    assert "suppressed" not in rows["age"] and rows["age"]["mean_participants"] == 51.0


def test_few_persons_finds_the_means_that_reveal_one_to_four() -> None:
    x = np.zeros((20, 5))
    x[:3, 0] = 1.0  # a flag held by 3: revealed
    x[:6, 1] = 1.0  # held by 6: shown
    x[:17, 2] = 1.0  # held by all but 3: the 3 without it are revealed
    x[:2, 3] = [7.0, 2.0]  # a count that 2 persons hold: their total is revealed
    x[:, 4] = np.linspace(1.0, 2.0, 20)  # everyone non-zero, not a flag: shown
    np.testing.assert_array_equal(few_persons(x, 5), [True, False, True, True, False])
    assert not few_persons(np.zeros((10, 1)), 5)[0]  # nobody holds it: nothing to reveal


def test_histogram_bins_are_merged_until_each_holds_zero_or_five() -> None:
    # participants: 6 at 0.31, 5 at 0.52, 1 at 0.97; controls: 40 at 0.12, 20 at 0.33, 9 at 0.5
    t = np.array([0.31] * 6 + [0.52] * 5 + [0.97])
    c = np.array([0.12] * 40 + [0.33] * 20 + [0.5] * 9)
    hist = _histogram({"participants": t, "controls": c})
    assert len(hist["edges"]) == len(hist["participants_share"]) + 1
    assert hist["edges"][0] == 0.0 and hist["edges"][-1] == 1.0
    counts = bins_of(hist, t.size, c.size)
    assert all(n == 0 or n >= 5 for pair in counts for n in pair), counts
    assert sum(a for a, _ in counts) == 12 and sum(b for _, b in counts) == 69
    # The lone participant at 0.97 is merged down into the bin of the five at 0.52 (the bins
    # between hold nobody and cannot take it alone).
    assert counts[-1] == (6, 9)


def test_histogram_tail_that_does_not_fit_merges_back_far_enough() -> None:
    """Five participants and controls in the first bin, three participants in the last: the
    bins in between are empty, so the three must go back to the first bin, not stay alone
    (before the fix the last bin held the 3: 3/8 of the participants, beside n_treated)."""
    t = np.array([0.01] * 5 + [0.99] * 3)
    c = np.array([0.01] * 5)
    hist = _histogram({"participants": t, "controls": c})
    assert bins_of(hist, 8, 5) == [(8, 5)]
    assert hist["edges"] == [0.0, 1.0]


def test_histogram_of_fewer_than_five_is_one_bin() -> None:
    hist = _histogram({"participants": np.array([0.2, 0.6]), "controls": np.array([0.5])})
    assert hist == {"edges": [0.0, 1.0], "participants_share": [1.0], "controls_share": [1.0]}


def test_histogram_that_needs_no_merging() -> None:
    t = np.array([0.12] * 5 + [0.88] * 7)
    c = np.array([0.12] * 10 + [0.88] * 5)
    hist = _histogram({"participants": t, "controls": c}, bins=4)
    assert hist["edges"] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert bins_of(hist, 12, 15) == [(5, 10), (0, 0), (0, 0), (7, 5)]
    assert math.isclose(sum(hist["participants_share"]), 1.0)
