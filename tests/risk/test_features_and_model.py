"""The feature table on a hand-built person, the time split, the baseline, and that a fitted
model holds aggregates only."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io  # type: ignore[import-untyped]

from broen.analytics import ConfigurationError, connect
from broen.analytics.risk import (
    HORIZON,
    RiskModel,
    capture,
    index_grid,
    load_features,
    numeric_features,
    outcome,
    parse_month,
    roc_auc,
)
from broen.analytics.risk._design import design_names, group_indices
from tests.risk.conftest import HAND_PERSON, build_panel


@pytest.fixture(scope="module")
def features(synth_warehouse: Path) -> pd.DataFrame:
    with connect(synth_warehouse, read_only=True) as con:
        return load_features(con)


@pytest.fixture(scope="module")
def fitted(features: pd.DataFrame) -> RiskModel:
    return RiskModel(random_state=0).fit(features)


def test_index_grid_has_full_history_and_outcome() -> None:
    first, last = parse_month("2016-01"), parse_month("2021-12")
    grid = index_grid(first, last, step=6)
    assert grid[-1] == last - HORIZON
    assert grid[0] >= first + 23
    assert all(b - a == 6 for a, b in itertools.pairwise(grid))


def test_features_of_a_hand_built_person(hand_warehouse: Path) -> None:
    build_panel(hand_warehouse)
    months = [parse_month("2019-06"), parse_month("2020-06")]
    with connect(hand_warehouse, read_only=True) as con:
        table = load_features(con, months)
    rows = table[table["person_id"] == HAND_PERSON].set_index("index_month")
    before, after = rows.loc[months[0]], rows.loc[months[1]]
    # Index 2019-06: the January 2020 admission lies in the outcome window (2019-07..2020-06).
    assert before["outcome_acute_admissions"] == 1
    assert before["acute_admissions_24m"] == 0
    assert before["months_since_acute_admission"] == 25  # none in the 24 months
    assert before["dx_copd"] == 1  # the planned outpatient visit in May 2019, DJ449
    assert before["dx_diabetes"] == 0
    # Index 2020-06: admitted in January (5 months before), 4 bed days, COPD + diabetes (B).
    assert after["acute_admissions_12m"] == 1
    assert after["months_since_acute_admission"] == 5
    assert after["bed_days_12m"] == 4
    assert after["emergency_visits_12m"] == 1
    assert after["cost_hospital_acute_12m"] == pytest.approx(7_500)
    assert after["gp_contacts_12m"] == 3
    assert after["dx_copd"] == 1 and after["dx_diabetes"] == 1 and after["dx_substance_use"] == 1
    assert after["dx_cancer"] == 0
    assert after["weeks_sickness_benefit_12m"] == 2
    assert after["acute_admissions_trend"] == 1  # 1 in 2020-01..06, 0 in 2019-07..12
    assert after["outcome_acute_admissions"] == 0
    assert after["age"] == 48
    assert after["sex"] == "M" and after["education"] == "basic"


def test_time_split_has_no_leakage(features: pd.DataFrame, fitted: RiskModel) -> None:
    train_months = [parse_month(m) for m in fitted.train_months_]
    test_months = [parse_month(m) for m in fitted.test_months_]
    # Test index months strictly after train, and every training outcome window
    # (t+1..t+12) ends before the first test index month's outcome window starts.
    assert max(train_months) < min(test_months)
    assert max(train_months) + HORIZON <= min(test_months)
    train, test = RiskModel(test_from="2019-06").split(features)
    assert not (train & test).any()
    assert features.loc[train, "index_month"].max() <= parse_month("2019-06") - HORIZON
    assert features.loc[test, "index_month"].min() >= parse_month("2019-06")
    assert fitted.n_train_ + fitted.n_test_ <= len(features)


def test_split_that_leaves_no_training_months_is_refused(features: pd.DataFrame) -> None:
    with pytest.raises(ConfigurationError, match="Cannot split"):
        RiskModel(test_from="2017-06").fit(features)


def test_baseline_ranks_by_last_year_cost(features: pd.DataFrame, fitted: RiskModel) -> None:
    _, test = fitted.split(features)
    y, amount = outcome(features, "acute_admission")
    cost = features["cost_total_12m"].to_numpy()
    assert fitted.baseline_.auc == pytest.approx(roc_auc(y[test], cost[test]))
    expected = capture(amount[test], cost[test], features["index_month"].to_numpy()[test])
    assert fitted.baseline_.capture == pytest.approx(expected)
    assert fitted.baseline_coef_[1] > 0  # more cost last year, more risk
    assert 0.5 < fitted.baseline_.auc < fitted.auc_ + 0.05


def test_model_validates_and_reports(fitted: RiskModel) -> None:
    assert fitted.auc_ > 0.7
    assert 0.6 < fitted.calibration_slope_ < 1.4
    assert set(fitted.capture_) == {"1%", "5%", "10%"}
    assert fitted.capture_["1%"] <= fitted.capture_["5%"] <= fitted.capture_["10%"]
    summary = fitted.summary()
    assert list(summary.columns) == ["model", "baseline: last-year cost"]
    assert summary.loc["AUC", "model"] == pytest.approx(fitted.auc_)


def test_fitted_model_holds_no_person_ids(features: pd.DataFrame, fitted: RiskModel) -> None:
    blob = skops.io.dumps(fitted)  # the model file's content, uncompressed
    ids = features["person_id"].unique()
    assert len(ids) > 100
    assert not [i for i in ids if i.encode() in blob]
    assert not any(isinstance(v, pd.DataFrame) for v in vars(fitted).values())
    assert len(blob) < 2_000_000


def test_top5_cost_target_and_logistic_model(features: pd.DataFrame) -> None:
    y, _amount = outcome(features, "top5_cost")
    for month in features["index_month"].unique():
        share = y[features["index_month"].to_numpy() == month].mean()
        assert share == pytest.approx(0.05, abs=0.01)
    model = RiskModel(target="top5_cost", model="logistic").fit(features)
    assert model.capture_of_ == "cost_total"
    assert model.auc_ > 0.7


def test_reasons_name_groups_that_raise_risk(features: pd.DataFrame, fitted: RiskModel) -> None:
    last = features[features["index_month"] == features["index_month"].max()]
    top = last.assign(risk=fitted.predict_risk(last)).nlargest(20, "risk")
    reasons = fitted.reasons(top, top=3)
    assert len(reasons) == 20
    assert all(1 <= len(r) <= 3 for r in reasons)
    assert all("pp)" in text for r in reasons for text in r)
    contributions = fitted.contributions(top)
    assert (contributions.max(axis=1) > 0).all()
    # Shapley values add up: each person's contributions are their risk minus the typical
    # person's.
    typical = fitted.estimator_.predict_proba(fitted.reference_[None, :])[0, 1]
    assert contributions.sum(axis=1).to_numpy() == pytest.approx(top["risk"] - typical)
    english = fitted.reasons(top.head(1), language="en")[0]
    assert english and all(text[0].isupper() for text in english)


def test_every_design_column_has_one_reason_group() -> None:
    names = design_names([360, 376])
    groups = group_indices(names)
    assert sorted(i for idx in groups.values() for i in idx) == list(range(len(names)))
    assert len(numeric_features()) < len(names)


def test_unfitted_model_refuses_to_predict(features: pd.DataFrame) -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        RiskModel().predict_risk(features.head())
    with pytest.raises(ConfigurationError, match="Unknown target"):
        RiskModel(target="nonsense").fit(features)  # type: ignore[arg-type]


def test_refit_is_reproducible(features: pd.DataFrame, fitted: RiskModel) -> None:
    again = RiskModel(random_state=0).fit(features)
    assert again.auc_ == fitted.auc_
    sample = features.head(50)
    np.testing.assert_array_equal(again.predict_risk(sample), fitted.predict_risk(sample))
