"""Evaluation: does a programme work, for whom, by how much (``broen evaluate``, ``broen
estimate``).

Risk-set matching of participants to controls from the population (exact strata, a propensity
score, a caliper, 1:k without replacement), difference-in-differences month by month on the
matched sets with a bootstrap over sets, diagnostics and gates in the manner of OHDSI
CohortMethod. The matching core also works on a plain table (:class:`MatchingEstimator`).
"""

from __future__ import annotations

from broen.analytics.evaluation._balance import BalanceRow, Moments, balance_table
from broen.analytics.evaluation._did import Estimate
from broen.analytics.evaluation._estimator import MatchingEstimator
from broen.analytics.evaluation._matching import Matches, match
from broen.analytics.evaluation._propensity import (
    PropensityModel,
    equipoise,
    fit_propensity,
    preference_score,
)
from broen.analytics.evaluation._table import EvaluationError, estimate_table, read_table

__all__ = [
    "BalanceRow",
    "Estimate",
    "EvaluationError",
    "Matches",
    "MatchingEstimator",
    "Moments",
    "PropensityModel",
    "balance_table",
    "equipoise",
    "estimate_table",
    "fit_propensity",
    "match",
    "preference_score",
    "read_table",
]
