"""Ground truth: known effects, exact zeros before the start, panel-metric arithmetic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from broen.analytics.synth import PROGRAMMES, ProgrammeEffects, SynthResult
from broen.analytics.synth._calendar import Period, day_of
from broen.analytics.synth._panel import count, nights, spread, weekly
from broen.analytics.synth._truth import METRICS

from .conftest import REACH, make


def _truth(result: SynthResult) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(result.ground_truth_json.read_text("utf-8"))
    return doc


def test_document_shape(extract: SynthResult) -> None:
    doc = _truth(extract)
    assert doc["seed"] == 7
    assert "months 0..23" in doc["definition"]
    assert set(doc["effects"]) == set(PROGRAMMES)
    assert doc["effects"]["sammen-om-min-vej"]["acute_hazard"] == 0.75
    for programme in PROGRAMMES:
        entry = doc["programmes"][programme]
        assert entry["n_treated"] > 0, programme
        assert set(entry["metrics"]) == set(METRICS)
        by_month = entry["metrics"]["cost_total"]["by_month"]
        assert list(by_month) == [str(m) for m in range(-24, 24)]


def test_months_before_start_are_exactly_zero(extract: SynthResult) -> None:
    for programme, entry in _truth(extract)["programmes"].items():
        for metric, values in entry["metrics"].items():
            before = [values["by_month"][str(m)] for m in range(-24, 0)]
            assert before == [0.0] * 24, (programme, metric)
            # The two worlds are the same person-months before the start, not just on average.
            for m in range(-24, 0):
                w1 = values["mean_with_by_month"][str(m)]
                assert w1 == values["mean_without_by_month"][str(m)], (programme, metric, m)


def test_effects_have_the_configured_sign(extract: SynthResult) -> None:
    p = _truth(extract)["programmes"]

    def att(programme: str, metric: str) -> float:
        value: float = p[programme]["metrics"][metric]["att_total_0_23"]
        return value

    somv, elib, ryg = "sammen-om-min-vej", "et-liv-i-balance", "rygestop"
    assert att(somv, "acute_admissions") < 0
    assert att(somv, "emergency_visits") < 0
    assert att(somv, "cost_hospital_acute") < 0
    assert att(somv, "gp_contacts") > 0
    assert att(somv, "cost_municipal") > 0
    assert att(somv, "weeks_self_supporting") >= 0
    assert att(somv, "transfer_dkk") <= 0
    assert att(somv, "cost_hospital_planned") == 0
    assert att(elib, "cost_medicine") > 0
    assert att(elib, "cost_municipal") > 0
    assert att(elib, "cost_hospital_acute") <= 0
    assert att(elib, "gp_contacts") == 0
    for metric in ("acute_admissions", "bed_days", "cost_hospital_acute", "gp_contacts"):
        assert att(ryg, metric) == 0, metric
    assert att(ryg, "cost_municipal") > 0
    # cost_total is the sum of its parts.
    for programme in PROGRAMMES:
        parts = sum(
            att(programme, m) for m in METRICS if m.startswith("cost_") and m != "cost_total"
        )
        assert abs(att(programme, "cost_total") - parts) < 1e-6 * max(1.0, abs(parts))


def test_zero_effects_give_zero_ground_truth(tmp_path: Path) -> None:
    result = make(tmp_path / "zero", persons=2_500, effects=ProgrammeEffects.none(reach=REACH))
    doc = _truth(result)
    assert sum(e["n_treated"] for e in doc["programmes"].values()) > 0
    for entry in doc["programmes"].values():
        for values in entry["metrics"].values():
            assert values["att_total_0_23"] == 0.0
            assert set(values["by_month"].values()) == {0.0}


def test_regression_to_the_mean_without_the_programme(extract: SynthResult) -> None:
    """Referral follows a crisis: acute costs fall after the start even without the programme."""
    m = _truth(extract)["programmes"]["sammen-om-min-vej"]["metrics"]["cost_hospital_acute"]
    without = m["mean_without_by_month"]
    before = np.mean([without[str(k)] for k in (-3, -2, -1)])
    after = np.mean([without[str(k)] for k in range(3, 12)])
    assert before > 2 * after


# Hand-built cases for the panel arithmetic of contract v1 (months of 2020).
PERIOD = Period.of("2020-01", "2020-12")
B = PERIOD.bounds


def _one(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def test_bed_days_counted_in_the_month_of_the_evening() -> None:
    p = _one([0])
    out = nights(p, _one([day_of("2020-01-30")]), _one([day_of("2020-02-03")]), 1, B)
    assert out[0, 0] == 2 and out[0, 1] == 2 and out.sum() == 4
    same_day = nights(p, _one([day_of("2020-03-05")]), _one([day_of("2020-03-05")]), 1, B)
    assert same_day.sum() == 0


def test_cost_spread_evenly_over_calendar_days() -> None:
    p = _one([0, 0])
    first = _one([day_of("2020-01-27"), day_of("2020-06-15")])
    last = _one([day_of("2020-02-05"), day_of("2020-06-15")])  # 10 days; one single day
    out = spread(p, first, last, np.array([1000.0, 80.0]), 1, B)
    assert out[0, 0] == 500.0 and out[0, 1] == 500.0
    assert out[0, 5] == 80.0
    assert out.sum() == 1080.0
    # A stay from 30 January to 3 February costs 5 days, 2 of them in January.
    stay = spread(
        _one([0]),
        _one([day_of("2020-01-30")]),
        _one([day_of("2020-02-03")]),
        np.array([5000.0]),
        1,
        B,
    )
    assert stay[0, 0] == 2000.0 and stay[0, 1] == 3000.0


def test_counts_by_start_month_and_outside_period_dropped() -> None:
    p = _one([0, 0, 1])
    days = _one([day_of("2020-01-31"), day_of("2021-01-01"), day_of("2020-12-31")])
    out = count(p, days, 2, B)
    assert out[0, 0] == 1 and out[0].sum() == 1 and out[1, 11] == 1


def test_week_belongs_to_the_month_of_its_thursday() -> None:
    # 2020-W05 runs Monday 27 January .. Sunday 2 February; its Thursday is 30 January.
    # 2020-W18 runs Monday 27 April .. Sunday 3 May; its Thursday is 30 April.
    # 2020-W27 runs Monday 29 June .. Sunday 5 July; its Thursday is 2 July.
    thursdays = _one([day_of("2020-01-30"), day_of("2020-04-30"), day_of("2020-07-02")])
    out = weekly(np.array([[1.0, 10.0, 100.0]]), thursdays, B)
    assert out[0, 0] == 1.0 and out[0, 3] == 10.0 and out[0, 6] == 100.0
    assert out.sum() == 111.0
    assert PERIOD.weeks[0] == day_of("2020-01-02")  # 2020-W01's Thursday is in January
