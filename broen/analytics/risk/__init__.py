"""Risk stratification for early detection and outreach (issue 3, part 4).

    build_features   the (person, index month) feature table, Narwhals lazy (DuckDB or Spark)
    RiskModel        scikit-learn-style estimator: fit on early index months, validate on later
                     ones against ranking by last year's cost; aggregates only
    fit_risk         warehouse → fitted model + HTML/PNG/JSON report
    score_risk       warehouse + fitted model → pseudonymised outreach list with reasons
    save_model, load_model
                     model files in skops with an explicit trust list: nothing in them runs

See docs/risk.md. The package loads scikit-learn only when one of its estimators, functions or
types is first used (PEP 562), so that a command that does not use risk starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from broen.analytics.risk._names import DEFAULT_RISK_DIR, MODELS, TARGETS

if TYPE_CHECKING:
    from broen.analytics.risk._design import (
        REASON_GROUPS,
        ReasonGroup,
    )
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
        brier,
        calibration_bins,
        capture,
        evaluate,
        recalibration,
        roc_auc,
    )
    from broen.analytics.risk._model import (
        RiskModel,
        outcome,
    )
    from broen.analytics.risk._persist import (
        MODEL_FORMAT,
        TRUSTED_TYPES,
        ModelInfo,
        load_model,
        read_model_info,
        save_model,
    )
    from broen.analytics.risk._workflow import (
        FitResult,
        ScoreResult,
        cohort_members,
        fit_risk,
        load_features,
        panel_months,
        score_risk,
    )

_LAZY: dict[str, str] = {
    "CalibrationBin": "broen.analytics.risk._metrics",
    "DIAGNOSIS_GROUPS": "broen.analytics.risk._features",
    "FitResult": "broen.analytics.risk._workflow",
    "HISTORY": "broen.analytics.risk._features",
    "HORIZON": "broen.analytics.risk._features",
    "MODEL_FORMAT": "broen.analytics.risk._persist",
    "Metrics": "broen.analytics.risk._metrics",
    "ModelInfo": "broen.analytics.risk._persist",
    "REASON_GROUPS": "broen.analytics.risk._design",
    "ReasonGroup": "broen.analytics.risk._design",
    "RiskModel": "broen.analytics.risk._model",
    "ScoreResult": "broen.analytics.risk._workflow",
    "TRUSTED_TYPES": "broen.analytics.risk._persist",
    "brier": "broen.analytics.risk._metrics",
    "build_features": "broen.analytics.risk._features",
    "calibration_bins": "broen.analytics.risk._metrics",
    "capture": "broen.analytics.risk._metrics",
    "cohort_members": "broen.analytics.risk._workflow",
    "evaluate": "broen.analytics.risk._metrics",
    "fit_risk": "broen.analytics.risk._workflow",
    "index_grid": "broen.analytics.risk._features",
    "load_features": "broen.analytics.risk._workflow",
    "load_model": "broen.analytics.risk._persist",
    "month_label": "broen.analytics.risk._features",
    "numeric_features": "broen.analytics.risk._features",
    "outcome": "broen.analytics.risk._model",
    "panel_months": "broen.analytics.risk._workflow",
    "parse_month": "broen.analytics.risk._features",
    "read_model_info": "broen.analytics.risk._persist",
    "recalibration": "broen.analytics.risk._metrics",
    "roc_auc": "broen.analytics.risk._metrics",
    "save_model": "broen.analytics.risk._persist",
    "score_risk": "broen.analytics.risk._workflow",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
    "brier",
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
