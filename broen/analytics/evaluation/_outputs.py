"""The files of an evaluation: ``effects.json`` and ``report.html`` in one folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broen.analytics._report import check_language, write_report
from broen.analytics.evaluation._config import EvaluationConfig
from broen.analytics.evaluation._effects import effects_document
from broen.analytics.evaluation._estimates import Replication
from broen.analytics.evaluation._workflow import Evaluation, Progress, evaluate


@dataclass(frozen=True)
class EvaluationOutput:
    evaluation: Evaluation
    document: dict[str, Any]
    effects_path: Path
    report_path: Path


def evaluate_programme(
    programme: str,
    out_dir: Path,
    *,
    config: Path | EvaluationConfig | None = None,
    warehouse: Path | None = None,
    engine: str = "duckdb",
    strict: bool = False,
    language: str = "da",
    index: str | None = None,
    progress: Progress | None = None,
    replication: Replication | None = None,
) -> EvaluationOutput:
    """Evaluate ``programme`` and write ``out_dir/effects.json`` and ``out_dir/report.html``
    (each written whole or not at all). ``index`` (``start_date`` or ``referral_date``)
    overrides the config's index date."""
    check_language(language)
    result = evaluate(
        programme,
        config=config,
        warehouse=warehouse,
        engine=engine,
        strict=strict,
        index=index,
        progress=progress,
        replication=replication,
    )
    document = effects_document(result)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    effects = write_report(
        out_dir / "effects.json", json.dumps(document, indent=1, allow_nan=False) + "\n"
    )
    from broen.analytics.evaluation._report import write_effect_report  # matplotlib, Jinja2

    report = write_effect_report(document, out_dir / "report.html", language)
    return EvaluationOutput(result, document, effects, report)
