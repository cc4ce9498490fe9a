"""Risk stratification on a warehouse: fit and validate a model, and score a population.

This module is the glue: it opens the warehouse, hands its tables to the engine-agnostic
feature code as Narwhals lazy frames (through a :class:`~broen.analytics._source.Source`: a
warehouse connection is read with ``DuckDBSource``, and the functions taking a connection take
any source, e.g. a ``SparkSource``) and collects the result to pandas for scikit-learn.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import duckdb
import narwhals as nw
import pandas as pd

from broen.analytics._cpr import is_cpr_shaped
from broen.analytics._exceptions import ConfigurationError, WarehouseError
from broen.analytics._paths import path_in
from broen.analytics._privacy import PrivacyError
from broen.analytics._report import check_language
from broen.analytics._source import DuckDBSource, Source
from broen.analytics._warehouse import connect
from broen.analytics.risk._features import (
    HISTORY,
    build_features,
    index_grid,
    month_label,
    month_number,
    parse_month,
)
from broen.analytics.risk._model import RiskModel
from broen.analytics.risk._names import DEFAULT_RISK_DIR, TARGETS, ModelKind, Target
from broen.analytics.risk._persist import load_model, save_model
from broen.analytics.risk._report import write_report

REASONS = 3
Tables: TypeAlias = duckdb.DuckDBPyConnection | Source  # a warehouse connection, or any source


def _source(con: Tables) -> Source:
    return DuckDBSource(con) if isinstance(con, duckdb.DuckDBPyConnection) else con


def panel_months(con: Tables) -> tuple[int, int]:
    """First and last month number of the panel."""
    source = _source(con)
    if not source.has_table("panel"):
        raise WarehouseError(
            "The warehouse has no person-month panel (table 'panel'): build the panel first."
        )
    bounds = (
        source.table("panel")
        .select(first=month_number(nw.col("month")).min(), last=month_number(nw.col("month")).max())
        .collect()
        .to_dict(as_series=False)
    )
    if bounds["first"][0] is None:
        raise WarehouseError("The panel is empty: import an extract and build the panel.")
    return int(bounds["first"][0]), int(bounds["last"][0])


def cohort_members(con: Tables, cohort: str, month: int | None = None) -> nw.LazyFrame[Any]:
    """Person ids in ``cohort`` (with an index date in or before ``month``), as a lazy frame."""
    source = _source(con)
    if not source.has_table("cohort_members"):
        raise WarehouseError(
            f"Cannot restrict to cohort {cohort!r}: the warehouse has no cohorts "
            "(table 'cohort_members'). Define the cohort first."
        )
    members = source.table("cohort_members")
    names = members.select("cohort").unique().collect().to_dict(as_series=False)["cohort"]
    if cohort not in names:
        known = ", ".join(sorted(str(n) for n in names)) or "none"
        raise ConfigurationError(f"There is no cohort {cohort!r} (cohorts: {known}).")
    chosen = members.filter(nw.col("cohort") == cohort)
    if month is not None:
        chosen = chosen.filter(month_number(nw.col("index_date")) <= month)
    return chosen.select("person_id").unique()


def load_features(
    con: Tables,
    index_months: Sequence[int] | None = None,
    *,
    step: int = 6,
    outcomes: bool = True,
    min_age: int = 18,
    cohort: str | None = None,
) -> pd.DataFrame:
    """The feature table of the warehouse's panel, collected to pandas.

    Default index months: every ``step`` months with a full history and outcome window."""
    source = _source(con)
    first, last = panel_months(source)
    months = list(index_months) if index_months is not None else index_grid(first, last, step)
    lazy = build_features(
        source.table("panel"),
        source.table("persons"),
        source.table("hospital_contacts"),
        source.table("hospital_diagnoses"),
        months,
        outcomes=outcomes,
        min_age=min_age,
    )
    if cohort is not None:
        lazy = lazy.join(cohort_members(source, cohort, max(months)), on="person_id", how="semi")
    frame: pd.DataFrame = lazy.collect(backend="pandas").to_native()
    return frame


@dataclass(frozen=True)
class FitResult:
    model: RiskModel
    model_path: Path
    report_path: Path
    plot_path: Path
    metrics_path: Path


def model_path(out_dir: Path, target: str) -> Path:
    """``<out_dir>/model-<target>.skops``; an unknown target is refused before any path use."""
    if target not in TARGETS:
        raise ConfigurationError(f"Unknown target {target!r}: use one of {', '.join(TARGETS)}.")
    return path_in(out_dir, target, prefix="model-", suffix=".skops")


def fit_risk(
    warehouse: Path | None = None,
    *,
    target: Target = "acute_admission",
    model: ModelKind = "hist_gradient_boosting",
    test_from: str | None = None,
    out_dir: Path | None = None,
    random_state: int | None = 0,
    step: int = 6,
    min_age: int = 18,
    language: str = "da",
) -> FitResult:
    """Build the feature table, fit and validate a :class:`RiskModel`, write the report
    (HTML, PNG, JSON; the HTML and the plot in ``language``, "da" or "en") and the fitted
    model (aggregates only) to ``out_dir``."""
    check_language(language)
    out_dir = out_dir if out_dir is not None else DEFAULT_RISK_DIR
    with connect(warehouse, read_only=True) as con:
        features = load_features(con, step=step, min_age=min_age)
    if features.empty:
        raise ConfigurationError(
            "No one to train on: the panel needs at least 36 months (24 of history, 12 of "
            f"outcome) with persons aged {min_age} or more."
        )
    fitted = RiskModel(
        target=target, model=model, test_from=test_from, random_state=random_state
    ).fit(features)
    del features
    plot_path, report_path, metrics_path = write_report(fitted, out_dir, f"risk-{target}", language)
    path = save_model(fitted, model_path(out_dir, target), min_age=min_age)
    return FitResult(fitted, path, report_path, plot_path, metrics_path)


@dataclass(frozen=True)
class ScoreResult:
    month: str
    cohort: str | None
    population: int  # persons scored (a count of persons: suppress when shown)
    listed: int
    out: Path
    target: str


def score_risk(
    warehouse: Path | None = None,
    *,
    month: str,
    model_file: Path | None = None,
    target: Target = "acute_admission",
    cohort: str | None = None,
    top: int = 100,
    out: Path | None = None,
    language: str = "da",
) -> ScoreResult:
    """Rank the population at ``month`` by predicted risk and write the ``top`` persons as a
    pseudonymised outreach list (CSV: person_id, rank, risk, reason_1..3)."""
    if top < 1:
        raise ConfigurationError("--top must be at least 1.")
    model, min_age = load_model(model_file or model_path(DEFAULT_RISK_DIR, target))
    t = parse_month(month)
    with connect(warehouse, read_only=True) as con:
        first, last = panel_months(con)
        if not first + HISTORY - 1 <= t <= last:
            raise ConfigurationError(
                f"Cannot score at {month}: the panel runs {month_label(first)} to "
                f"{month_label(last)} and a score needs {HISTORY} months of history, so the "
                f"month must lie in {month_label(first + HISTORY - 1)} to {month_label(last)}."
            )
        features = load_features(con, [t], outcomes=False, min_age=min_age, cohort=cohort)
    if features.empty:
        raise ConfigurationError(
            f"No one to score at {month}" + (f" in {cohort!r}." if cohort else ".")
        )
    ids = features["person_id"].astype(str)
    if any(is_cpr_shaped(i) for i in ids):
        raise PrivacyError(
            "Refusing to write an outreach list: the warehouse holds CPR-shaped person ids. "
            "Pseudonymise the extract ('broen pseudonymise') and import it again."
        )
    features = features.assign(risk=model.predict_risk(features))
    ranked = features.sort_values(["risk", "person_id"], ascending=[False, True]).head(top)
    reasons = model.reasons(ranked, top=REASONS, language=language)
    if out is None:
        name = f"{model.target}-{month_label(t)}"
        out = path_in(DEFAULT_RISK_DIR, name, prefix="outreach-", suffix=".csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["person_id", "rank", "risk", *(f"reason_{i + 1}" for i in range(REASONS))])
        for rank, (pid, risk, why) in enumerate(
            zip(ranked["person_id"], ranked["risk"], reasons, strict=True), start=1
        ):
            writer.writerow([pid, rank, f"{risk:.4f}", *why, *([""] * (REASONS - len(why)))])
    return ScoreResult(month, cohort, len(features), len(ranked), out, model.target)
