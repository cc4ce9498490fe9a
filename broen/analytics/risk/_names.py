"""The names of the risk package that need no scikit-learn: targets, model kinds, the folder."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

Target = Literal["acute_admission", "top5_cost"]
ModelKind = Literal["hist_gradient_boosting", "logistic"]
TARGETS: tuple[str, ...] = ("acute_admission", "top5_cost")
MODELS: tuple[str, ...] = ("hist_gradient_boosting", "logistic")
DEFAULT_RISK_DIR = Path("broen-data") / "risk"
