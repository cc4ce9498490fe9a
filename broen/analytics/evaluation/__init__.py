"""Evaluation: does a programme work, for whom, by how much (``broen evaluate``, ``broen
estimate``).

Risk-set matching of participants to controls from the population (exact strata, a propensity
score, a caliper, 1:k without replacement), difference-in-differences month by month on the
matched sets with a bootstrap over sets, diagnostics and gates in the manner of OHDSI
CohortMethod. The matching core also works on a plain table (:class:`MatchingEstimator`).
"""

from __future__ import annotations

from broen.analytics.evaluation._balance import BalanceRow, Moments, balance_table
from broen.analytics.evaluation._config import (
    MEASURES,
    EvaluationConfig,
    Outliers,
    load_config,
    shipped_config,
)
from broen.analytics.evaluation._did import Estimate
from broen.analytics.evaluation._effects import effects_document
from broen.analytics.evaluation._estimates import Replication
from broen.analytics.evaluation._estimator import MatchingEstimator
from broen.analytics.evaluation._event_study import EventStudy
from broen.analytics.evaluation._matching import Matches, match
from broen.analytics.evaluation._outputs import EvaluationOutput, evaluate_programme
from broen.analytics.evaluation._propensity import (
    PropensityModel,
    equipoise,
    fit_propensity,
    preference_score,
)
from broen.analytics.evaluation._table import EvaluationError, estimate_table, read_table
from broen.analytics.evaluation._workflow import (
    EXIT_GATES_FAILED,
    Evaluation,
    evaluate,
    main_window,
    measure_pairs,
)

__all__ = [
    "EXIT_GATES_FAILED",
    "MEASURES",
    "BalanceRow",
    "Estimate",
    "Evaluation",
    "EvaluationConfig",
    "EvaluationError",
    "EvaluationOutput",
    "EventStudy",
    "Matches",
    "MatchingEstimator",
    "Moments",
    "Outliers",
    "PropensityModel",
    "Replication",
    "balance_table",
    "effects_document",
    "equipoise",
    "estimate_table",
    "evaluate",
    "evaluate_programme",
    "fit_propensity",
    "load_config",
    "main_window",
    "match",
    "measure_pairs",
    "preference_score",
    "read_table",
    "shipped_config",
]
