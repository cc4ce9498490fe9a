"""RiskModel: an estimator in the scikit-learn style for next-year risk, with its validation.

``RiskModel(...).fit(features)`` splits the feature table by index month, trains on the early
months, validates on the later ones against a cost-ranking baseline and keeps aggregates only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from broen.analytics._exceptions import ConfigurationError
from broen.analytics.risk._attribution import group_shapley
from broen.analytics.risk._design import (
    design_matrix,
    design_names,
    group_indices,
    label,
    municipalities,
    reference_values,
)
from broen.analytics.risk._features import (
    HORIZON,
    OUTCOME_ADMISSIONS,
    OUTCOME_COST,
    month_label,
    parse_month,
)
from broen.analytics.risk._metrics import (
    Metrics,
    calibration_bins,
    capture,
    count,
    evaluate,
    roc_auc,
)
from broen.analytics.risk._names import MODELS, TARGETS, ModelKind, Target

TOP_COST_SHARE = 0.05
FloatArray = npt.NDArray[np.float64]


def _signed_log1p(x: FloatArray) -> FloatArray:
    return np.asarray(np.sign(x) * np.log1p(np.abs(x)), dtype=np.float64)


def outcome(frame: pd.DataFrame, target: str) -> tuple[FloatArray, FloatArray]:
    """``(y, amount)``: the binary target and the amount that capture is measured on.

    ``acute_admission``: any acute admission in the 12 months after the index month; amount =
    the number of acute admissions. ``top5_cost``: total cost of the next 12 months above the
    95th percentile among the population of the same index month; amount = that cost.
    """
    if target == "acute_admission":
        amount = frame[OUTCOME_ADMISSIONS].to_numpy(dtype=np.float64)
        return (amount > 0).astype(np.float64), amount
    cost = frame[OUTCOME_COST].to_numpy(dtype=np.float64)
    cutoff = frame.groupby("index_month")[OUTCOME_COST].transform(
        lambda s: np.quantile(s.to_numpy(), 1 - TOP_COST_SHARE)
    )
    return (cost > cutoff.to_numpy()).astype(np.float64), cost


class RiskModel(BaseEstimator):  # type: ignore[misc]
    """Predicts next-year risk for a person at an index month, validated over time.

    Parameters
    ----------
    target : "acute_admission" or "top5_cost"
        Any acute admission (acute inpatient contact) in the 12 months after the index month,
        or being in the top 5 % of total cost in those months.
    model : "hist_gradient_boosting" or "logistic"
        Gradient-boosted trees (scikit-learn ``HistGradientBoostingClassifier``), or an
        L2-penalised logistic regression on signed ``log1p`` of the features, standardised.
    test_from : "YYYY-MM" or None
        First index month of the test set. Training uses index months up to 12 months before
        it, so every training outcome window ends before the test period starts. Default: 12
        months before the last index month in the table.
    random_state : int or None
        Seeds the estimator and the orders drawn for the reasons.
    max_iter, learning_rate, min_samples_leaf, l2_regularization : gradient boosting settings.
    C : inverse penalty of the logistic regression.
    reason_permutations : int
        Orders of the reason groups averaged over for each person's reasons (Shapley values;
        all orders when there are no more than this).

    Attributes
    ----------
    feature_names_ : list of str — design columns.
    train_months_, test_months_ : list of "YYYY-MM" index months.
    n_train_, n_test_ : int — person-months in training and test.
    prevalence_ : float — share of test person-months with the outcome.
    auc_, brier_, calibration_slope_, calibration_intercept_ : float — on the test set.
    calibration_ : list of CalibrationBin — observed vs mean predicted in deciles of risk.
    capture_ : dict — share of next-year ``capture_of_`` held by the top 1 %, 5 %, 10 %.
    metrics_, baseline_ : Metrics — the model, and ranking by last-12-month ``cost_total``
        (calibration via a one-variable logistic regression on ``log1p(cost)`` fitted on the
        training months).
    reference_ : array — the "typical person" (medians, most common categories) used for
        reasons. estimator_ : the fitted scikit-learn estimator.

    The fitted object holds aggregates only: no person rows, no identifiers.
    """

    def __init__(
        self,
        target: Target = "acute_admission",
        model: ModelKind = "hist_gradient_boosting",
        test_from: str | None = None,
        random_state: int | None = 0,
        max_iter: int = 100,
        learning_rate: float = 0.1,
        min_samples_leaf: int = 100,
        l2_regularization: float = 1.0,
        C: float = 1.0,
        reason_permutations: int = 64,
    ) -> None:
        self.target = target
        self.model = model
        self.test_from = test_from
        self.random_state = random_state
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.C = C
        self.reason_permutations = reason_permutations

    # -- fitting -----------------------------------------------------------------------------

    def _estimator(self) -> HistGradientBoostingClassifier | Pipeline:
        if self.model == "hist_gradient_boosting":
            return HistGradientBoostingClassifier(
                max_iter=self.max_iter,
                learning_rate=self.learning_rate,
                min_samples_leaf=self.min_samples_leaf,
                l2_regularization=self.l2_regularization,
                early_stopping=False,
                random_state=self.random_state,
            )
        return make_pipeline(
            FunctionTransformer(_signed_log1p),
            StandardScaler(),
            LogisticRegression(C=self.C, max_iter=5000),
        )

    def split(self, features: pd.DataFrame) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """Boolean masks ``(train, test)`` over the rows of ``features``.

        Test: index months from ``test_from``. Train: index months at most ``test_from - 12``,
        so that no training outcome window reaches into the test period."""
        months = np.sort(features["index_month"].unique())
        if months.size == 0:
            raise ConfigurationError("The feature table is empty: no one to train on.")
        first_test = (
            int(months[-1]) - HORIZON if self.test_from is None else parse_month(self.test_from)
        )
        month = features["index_month"].to_numpy()
        test = month >= first_test
        train = month <= first_test - HORIZON
        if not train.any() or not test.any():
            raise ConfigurationError(
                f"Cannot split at {month_label(first_test)}: training needs index months up to "
                f"{month_label(first_test - HORIZON)} and testing from {month_label(first_test)}; "
                f"the table has {month_label(int(months[0]))} to {month_label(int(months[-1]))}."
            )
        return train, test

    def fit(self, features: pd.DataFrame) -> RiskModel:
        """Train on the early index months of ``features`` and validate on the later ones.

        ``features`` is a feature table with outcomes (:func:`build_features`); every row must
        have a complete 12-month outcome window."""
        if self.target not in TARGETS:
            raise ConfigurationError(f"Unknown target {self.target!r}: use one of {TARGETS}.")
        if self.model not in MODELS:
            raise ConfigurationError(f"Unknown model {self.model!r}: use one of {MODELS}.")
        train, test = self.split(features)
        y, amount = outcome(features, self.target)
        if len(np.unique(y[train])) < 2 or len(np.unique(y[test])) < 2:
            raise ConfigurationError(
                "Both the training and the test months need persons with and without the outcome."
            )
        codes = municipalities(features.loc[train])
        x = design_matrix(features, codes)
        estimator = self._estimator().fit(x[train], y[train])
        risk = estimator.predict_proba(x[test])[:, 1]
        group = features["index_month"].to_numpy()[test]
        self.metrics_ = evaluate(y[test], risk, amount[test], group)

        cost = features["cost_total_12m"].to_numpy(dtype=np.float64)
        base = LogisticRegression(C=np.inf).fit(np.log1p(cost[train])[:, None], y[train])
        base_risk = base.predict_proba(np.log1p(cost[test])[:, None])[:, 1]
        recal = evaluate(y[test], base_risk, amount[test], group)
        self.baseline_ = Metrics(
            auc=roc_auc(y[test], cost[test]),
            calibration_intercept=recal.calibration_intercept,
            calibration_slope=recal.calibration_slope,
            calibration=tuple(calibration_bins(y[test], base_risk)),
            capture=capture(amount[test], cost[test], group),
            brier=recal.brier,
        )
        self.baseline_coef_ = (float(base.intercept_[0]), float(base.coef_[0, 0]))

        names = design_names(codes)
        self.estimator_ = estimator
        self.municipalities_ = codes
        self.feature_names_ = names
        self.groups_ = group_indices(names)
        self.reference_ = reference_values(x[train], self.groups_)
        months = features["index_month"].to_numpy()
        self.train_months_ = [month_label(int(m)) for m in np.unique(months[train])]
        self.test_months_ = [month_label(int(m)) for m in np.unique(months[test])]
        self.n_train_ = int(train.sum())
        self.n_test_ = int(test.sum())
        self.prevalence_ = float(y[test].mean())
        self.capture_of_ = "acute_admissions" if self.target == "acute_admission" else "cost_total"
        self.auc_ = self.metrics_.auc
        self.brier_ = self.metrics_.brier
        self.calibration_ = list(self.metrics_.calibration)
        self.calibration_slope_ = self.metrics_.calibration_slope
        self.calibration_intercept_ = self.metrics_.calibration_intercept
        self.capture_ = dict(self.metrics_.capture)
        return self

    # -- using a fitted model ----------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "estimator_"):
            raise NotFittedError("This RiskModel is not fitted yet: call fit(features) first.")

    def predict_risk(self, features: pd.DataFrame) -> FloatArray:
        """Predicted probability of the target for each row of a feature table."""
        self._check_fitted()
        return self._risk_of(design_matrix(features, self.municipalities_))

    def _risk_of(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Predicted probability of the target for each row of a design matrix."""
        return np.asarray(self.estimator_.predict_proba(x)[:, 1], dtype=np.float64)

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        """Per row and reason group: the group's share of the row's predicted risk minus the
        typical person's (:attr:`reference_`), as a Shapley value over the groups. Positive =
        raises the risk; each row sums to its risk minus the typical person's risk."""
        self._check_fitted()
        values = group_shapley(
            self._risk_of,
            design_matrix(features, self.municipalities_),
            self.reference_,
            self.groups_,
            permutations=self.reason_permutations,
            random_state=self.random_state,
        )
        return pd.DataFrame(values, index=features.index, columns=list(self.groups_))

    def reasons(
        self, features: pd.DataFrame, top: int = 3, language: str = "da"
    ) -> list[list[str]]:
        """The ``top`` reason groups that raise each row's risk most, as plain labels with the
        size of the contribution in percentage points, e.g. ``"Akutte indlæggelser (+12.3 pp)"``.
        Groups that do not raise the risk are not listed."""
        contrib = self.contributions(features)
        out = []
        for row in contrib.itertuples(index=False):
            ranked = sorted(zip(contrib.columns, row, strict=True), key=lambda kv: -kv[1])
            out.append(
                [
                    f"{label(name, language)} (+{100 * value:.1f} pp)"
                    for name, value in ranked[:top]
                    if value > 0.0005
                ]
            )
        return out

    # -- reporting ---------------------------------------------------------------------------

    def summary(self) -> pd.DataFrame:
        """Model and baseline side by side: AUC, calibration, Brier score, capture."""
        self._check_fitted()
        rows: dict[str, dict[str, float]] = {}
        for column, m in (("model", self.metrics_), ("baseline: last-year cost", self.baseline_)):
            rows[column] = {
                "AUC": m.auc,
                "calibration slope": m.calibration_slope,
                "calibration intercept": m.calibration_intercept,
                "Brier score": m.brier,
                **{f"captured by top {k}": v for k, v in m.capture.items()},
            }
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        self._check_fitted()
        return {
            "target": self.target,
            "model": self.model,
            "capture_of": self.capture_of_,
            "train_months": self.train_months_,
            "test_months": self.test_months_,
            "n_train": count(self.n_train_),
            "n_test": count(self.n_test_),
            "prevalence": self.prevalence_,
            "metrics": self.metrics_.to_dict(),
            "baseline": {"ranking": "cost_total_12m", **self.baseline_.to_dict()},
            "params": self.get_params(),
        }
