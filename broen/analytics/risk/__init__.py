"""Risk stratification for early detection and outreach (issue 3, part 4).

    build_features   the (person, index month) feature table, Narwhals lazy (DuckDB or Spark)
    RiskModel        scikit-learn-style estimator: fit on early index months, validate on later
                     ones against ranking by last year's cost; aggregates only
    fit_risk         warehouse → fitted model + HTML/PNG/JSON report
    score_risk       warehouse + fitted model → pseudonymised outreach list with reasons
    save_model, load_model
                     model files in skops with an explicit trust list: nothing in them runs

See docs/risk.md.
"""

from broen.analytics.risk._design import REASON_GROUPS, ReasonGroup
from broen.analytics.risk._features import (
    DIAGNOSIS_GROUPS,
    HISTORY,
    HORIZON,
    build_features,
    index_grid,
    month_label,
    numeric_features,
    parse_month,
)
from broen.analytics.risk._metrics import (
    CalibrationBin,
    Metrics,
    calibration_bins,
    capture,
    evaluate,
    recalibration,
    roc_auc,
)
from broen.analytics.risk._model import MODELS, TARGETS, RiskModel, outcome
from broen.analytics.risk._persist import (
    MODEL_FORMAT,
    TRUSTED_TYPES,
    ModelInfo,
    load_model,
    read_model_info,
    save_model,
)
from broen.analytics.risk._workflow import (
    DEFAULT_RISK_DIR,
    FitResult,
    ScoreResult,
    cohort_members,
    fit_risk,
    load_features,
    panel_months,
    score_risk,
)

__all__ = [
    "DEFAULT_RISK_DIR",
    "DIAGNOSIS_GROUPS",
    "HISTORY",
    "HORIZON",
    "MODELS",
    "MODEL_FORMAT",
    "REASON_GROUPS",
    "TARGETS",
    "TRUSTED_TYPES",
    "CalibrationBin",
    "FitResult",
    "Metrics",
    "ModelInfo",
    "ReasonGroup",
    "RiskModel",
    "ScoreResult",
    "build_features",
    "calibration_bins",
    "capture",
    "cohort_members",
    "evaluate",
    "fit_risk",
    "index_grid",
    "load_features",
    "load_model",
    "month_label",
    "numeric_features",
    "outcome",
    "panel_months",
    "parse_month",
    "read_model_info",
    "recalibration",
    "roc_auc",
    "save_model",
    "score_risk",
]
