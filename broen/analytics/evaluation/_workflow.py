"""``broen evaluate``: from a warehouse and a programme to ``effects.json`` and ``report.html``.

The design (``_design``) matches; this module gathers the matched units' panel months, computes
every estimate (``_estimates``), the cross-check, the gates, the participant-only measures and
subgroups, and writes the outputs. With ``strict=True`` a failed gate withholds the estimates:
``effects.json`` then holds the design and the gates only, and the caller exits with
:data:`EXIT_GATES_FAILED`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from broen.analytics.evaluation._config import EvaluationConfig, load_config
from broen.analytics.evaluation._design import Design, build_design, covariate_spec
from broen.analytics.evaluation._did import Estimate, bootstrap_counts, person_clusters
from broen.analytics.evaluation._engine import open_source
from broen.analytics.evaluation._estimates import (
    MetricEffect,
    Replication,
    UnitStatus,
    limit_outliers,
    metric_effect,
    outcome_matrix,
    replicate_windows,
    replication_counts,
    subgroup_effect,
)
from broen.analytics.evaluation._event_study import EventStudy
from broen.analytics.evaluation._gates import Gate, evaluate_gates
from broen.analytics.evaluation._measures import MeasureChange, measure_changes, paired_measures
from broen.analytics.evaluation._outcomes import outcome_rows, unit_status
from broen.analytics.evaluation._participants import months_between

EXIT_GATES_FAILED = 3
FAR = 10_000  # "never" as a relative month
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Evaluation:
    """Everything the effect document and the report are made of (aggregates only, apart from
    the in-memory design, which is never written)."""

    config: EvaluationConfig
    design: Design
    period: tuple[date, date]
    effects: dict[str, MetricEffect]
    negative_controls: dict[str, MetricEffect]
    event_study: dict[str, Estimate]
    gates: list[Gate]
    subgroups: list[dict[str, Any]]
    measures: list[MeasureChange]
    n_referred: int
    withheld: bool
    # With a Replication: per metric, share of the sets and window, the estimate in each draw
    # (aggregates only), and the number of sets drawn per share.
    replicates: dict[str, dict[float, dict[tuple[int, int], np.ndarray]]] = field(
        default_factory=dict
    )
    replicate_sets: dict[float, int] = field(default_factory=dict)


def evaluate(
    programme: str,
    *,
    config: Path | EvaluationConfig | None = None,
    warehouse: Path | None = None,
    engine: str = "duckdb",
    strict: bool = False,
    index: str | None = None,
    progress: Progress | None = None,
    replication: Replication | None = None,
) -> Evaluation:
    """Evaluate ``programme`` on the warehouse (``engine``: duckdb or spark); ``index``
    (``start_date`` or ``referral_date``) overrides the config's index date. ``config``: a
    config file, a config built in code (e.g. an outcome contract's), or None for the
    programme's shipped config."""
    if isinstance(config, EvaluationConfig):
        cfg = replace(config, programme=programme, index=index or config.index)
    else:
        cfg = load_config(config, programme, index=index)
    with open_source(warehouse, engine) as source:
        return evaluate_source(
            source, cfg, strict=strict, progress=progress, replication=replication
        )


def evaluate_source(
    source: Any,
    config: EvaluationConfig,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    replication: Replication | None = None,
) -> Evaluation:
    """Evaluate on any :class:`~broen.analytics.Source` (DuckDB or Spark); with a
    ``replication``, also the window estimates of redrawn matched sets (a contract's dry run)."""
    say = progress or (lambda _: None)
    spec = covariate_spec(config)
    say("matching")
    design = build_design(source, config, spec)
    period = source.period()
    o, b = config.outcomes, config.bootstrap
    months = list(range(o.first_month, o.last_month + 1))
    metrics = list(dict.fromkeys([*o.metrics, *o.negative_controls]))
    say("outcomes")
    units = design.units
    rows = outcome_rows(
        source, _keys(units), metrics, first=o.first_month, last=o.last_month
    ).to_pandas()
    status = _status(source, units, config.programme, period[1], config.index)
    n_sets = int(units["set_id"].max()) + 1
    set_of = units["set_id"].to_numpy(dtype=np.int64)
    treated = units["treated"].to_numpy(dtype=bool)
    # Sets that share a person (a control reused at another index month, a participant's
    # second course) are resampled together.
    clusters = person_clusters(set_of, units["person_id"].to_numpy())
    counts: Any = bootstrap_counts(n_sets, b.replicates, b.seed, clusters)
    if (
        n_sets and int(clusters.max()) + 1 < n_sets
    ):  # shared persons: also the sets drawn alone (_widest)
        counts = (counts, bootstrap_counts(n_sets, b.replicates, b.seed + 2))

    # The naive before/after uses every analysable participant, matched or not.
    naive_units = design.participants[["person_id", "index_month"]].copy()
    naive_units.insert(0, "unit_id", np.arange(len(naive_units), dtype=np.int64))
    naive_rows = outcome_rows(
        source, _keys(naive_units), metrics, first=o.first_month, last=o.last_month
    ).to_pandas()
    naive_status = _status(
        source, naive_units.assign(treated=True), config.programme, period[1], config.index
    )
    naive_counts = bootstrap_counts(
        len(naive_units),
        b.replicates,
        b.seed + 1,
        person_clusters(np.arange(len(naive_units)), naive_units["person_id"].to_numpy()),
    )

    say("estimates")
    replica = replication_counts(n_sets, replication) if replication else {}
    replicates: dict[str, dict[float, dict[tuple[int, int], np.ndarray]]] = {}
    effects: dict[str, MetricEffect] = {}
    values_of: dict[str, np.ndarray] = {}
    for metric in metrics:
        values = outcome_matrix(rows, metric, len(units), o.first_month, o.last_month, status)
        naive = outcome_matrix(
            naive_rows, metric, len(naive_units), o.first_month, o.last_month, naive_status
        )
        values, naive = (
            limit_outliers(values, config.outliers),
            limit_outliers(naive, config.outliers),
        )
        values_of[metric] = values
        if replica:
            replicates[metric] = replicate_windows(
                values, set_of, treated, n_sets, months, o.baseline, o.windows, replica
            )
        effects[metric] = metric_effect(
            values,
            set_of,
            treated,
            n_sets,
            months,
            o.baseline,
            o.windows,
            counts,
            naive,
            naive_counts,
            b.confidence,
            metric,
        )
    negative = {m: effects[m] for m in o.negative_controls}
    main = main_window(config)
    gates = evaluate_gates(
        config.gates,
        design.balance,
        design.overlap.equipoise,
        (n_sets / len(design.participants)) if len(design.participants) else 0.0,
        {m: e.placebo for m, e in effects.items() if m in o.metrics},
        {m: e.did.windows[main] for m, e in negative.items()},
    )
    withheld = strict and not all(g.passed for g in gates)
    say("cross-check")
    cross = {} if withheld else _event_study(source, design, config, main, period)
    say("subgroups")
    subgroups = [] if withheld else _subgroups(design, config, values_of, main, clusters)
    measures = [] if withheld else _measures(source, design, config)
    return Evaluation(
        config=config,
        design=design,
        period=(period[0], period[1]),
        effects={m: e for m, e in effects.items() if m in o.metrics},
        negative_controls=negative,
        event_study=cross,
        gates=gates,
        subgroups=subgroups,
        measures=measures,
        n_referred=design.flow[0].n,
        withheld=withheld,
        replicates=replicates,
        replicate_sets={share: int(c[0].sum()) for share, c in replica.items()},
    )


def main_window(config: EvaluationConfig) -> tuple[int, int]:
    """The window the gates and the event-study cross-check read: months 0..last_month when the
    config has it (the default 0-23), else its last window."""
    o = config.outcomes
    return (0, o.last_month) if (0, o.last_month) in o.windows else o.windows[-1]


def _keys(units: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(
        units[["unit_id", "person_id", "index_month"]], preserve_index=False
    )


def _status(
    source: Any, units: pd.DataFrame, programme: str, end: date, entry: str = "start_date"
) -> UnitStatus:
    """Zero use after death; censored after moving, after the extract's end, and (controls
    only: a participant's second course is part of its follow-up) from entering the
    programme (starting it; being referred, when the referral is the index)."""
    table = unit_status(source, _keys(units), programme, end, entry=entry)
    table = table.to_pandas().set_index("unit_id")
    table = table.loc[units["unit_id"]]

    def rel(column: str) -> np.ndarray:
        out: np.ndarray = table[column].fillna(FAR).to_numpy(dtype=np.int64)
        return out

    started = np.where(units["treated"].to_numpy(dtype=bool), FAR, rel("next_start_rel"))
    censored = np.minimum.reduce([rel("moved_out_rel"), started, rel("last_rel") + 1])
    return UnitStatus(zero_from=rel("zero_from_rel"), censored_from=censored)


BASE_BEFORE_CRISIS = 12  # the cross-check's base month: 13 months before the start


def _event_study(
    source: Any,
    design: Design,
    config: EvaluationConfig,
    window: tuple[int, int],
    period: tuple[date, date],
) -> dict[str, Estimate]:
    """The participants alone, in calendar time, with not-yet-started participants as
    controls (Callaway & Sant'Anna): an estimator with other assumptions, as a cross-check.

    Its base period is moved 12 months back (each cohort is declared treated 12 months before
    its start, and event times are read 12 months later): citizens start right after a crisis,
    so the month before the start is the crisis itself, and a base there would credit the
    programme with the crisis passing (regression to the mean). A unit is a control only while
    it is more than 12 months from its own start, which costs controls, never validity."""
    o, b = config.outcomes, config.bootstrap
    parts = design.participants[["person_id", "index_month"]].copy()
    parts.insert(0, "unit_id", np.arange(len(parts), dtype=np.int64))
    start = period[0].replace(day=1)
    first = -max(months_between(start, m) for m in parts["index_month"])
    last = max(months_between(m, period[1]) for m in parts["index_month"])
    rows = outcome_rows(source, _keys(parts), list(o.metrics), first=first, last=last).to_pandas()
    index_number = parts["index_month"].map(lambda m: months_between(start, m)).to_numpy()
    rows["period"] = rows["rel_month"].to_numpy() + index_number[rows["unit_id"].to_numpy()]
    rows["cohort"] = index_number[rows["unit_id"].to_numpy()] - BASE_BEFORE_CRISIS
    out: dict[str, Estimate] = {}
    for metric in o.metrics:
        try:
            study = EventStudy(
                first_month=o.first_month + BASE_BEFORE_CRISIS,
                last_month=o.last_month + BASE_BEFORE_CRISIS,
                n_bootstrap=b.replicates,
                random_state=b.seed,
                confidence=b.confidence,
            ).fit(rows, unit="unit_id", time="period", cohort="cohort", outcome=metric)
            out[metric] = study.att_window(
                window[0] + BASE_BEFORE_CRISIS, window[1] + BASE_BEFORE_CRISIS
            )
        except ValueError:
            continue  # too few cohorts or not-yet-started controls for this window
    return out


def _subgroups(
    design: Design,
    config: EvaluationConfig,
    values_of: dict[str, np.ndarray],
    window: tuple[int, int],
    clusters: np.ndarray,
) -> list[dict[str, Any]]:
    o, b = config.outcomes, config.bootstrap
    units = design.units
    set_of = units["set_id"].to_numpy(dtype=np.int64)
    treated = units["treated"].to_numpy(dtype=bool)
    months = list(range(o.first_month, o.last_month + 1))
    lookup = design.participants.set_index("unit_id")
    members = units[units["treated"]].sort_values("set_id")
    attrs = lookup.loc[members["source_unit"]]
    out: list[dict[str, Any]] = []
    for variable in config.subgroups:
        levels = _levels(attrs, variable, config)
        if levels is None:
            continue
        for level in sorted(levels.dropna().unique(), key=str):
            sets = (levels == level).to_numpy()
            entry: dict[str, Any] = {
                "variable": variable,
                "level": str(level),
                "n_treated": int(sets.sum()),
                "estimates": {},
            }
            if sets.sum() >= 2:
                for metric in o.metrics:
                    est = subgroup_effect(
                        values_of[metric],
                        set_of,
                        treated,
                        sets,
                        months,
                        o.baseline,
                        window,
                        b.replicates,
                        b.seed,
                        b.confidence,
                        clusters,
                    )
                    entry["estimates"][metric] = est
            out.append(entry)
    return out


def _levels(attrs: pd.DataFrame, variable: str, config: EvaluationConfig) -> pd.Series | None:
    if variable == "education":
        cols = [c for c in attrs.columns if c.startswith("education_")]
        return attrs[cols].idxmax(axis=1).str.removeprefix("education_").reset_index(drop=True)
    if variable == "sex":
        return attrs["sex"].reset_index(drop=True)
    if variable == "age_band":
        return attrs["age_band"].astype(str).reset_index(drop=True)
    if variable == "stratum":
        return attrs["stratum"].fillna("unknown").astype(str).reset_index(drop=True)
    if variable == "referral_source":
        return attrs["referral_source"].fillna("unknown").astype(str).reset_index(drop=True)
    if variable == "municipality" and "municipality" in attrs.columns:
        return attrs["municipality"].astype(str).reset_index(drop=True)
    return None


def _measures(source: Any, design: Design, config: EvaluationConfig) -> list[MeasureChange]:
    """Measurements and questionnaire scores of the analysable participants."""
    parts = design.participants
    values = _measure_values(source, parts)
    index = parts[["person_id", "index_date"]]
    return measure_changes(
        values,
        index,
        config.outcomes.measures,
        config.outcomes.measure_months,
        design.flow[0].n,
        config.bootstrap.confidence,
    )


def _measure_values(source: Any, participants: pd.DataFrame) -> pd.DataFrame:
    """person_id, date, measure, value: the participants' measurements and questionnaire
    scores."""
    import narwhals as nw

    people = source.rows(pa.table({"person_id": pa.array(participants["person_id"].astype(str))}))
    frames = []
    if source.has_table("measurements"):
        frames.append(
            source.table("measurements")
            .join(people, on="person_id", how="semi")
            .select("person_id", "date", nw.col("kind").alias("measure"), "value")
            .collect("pyarrow")
            .to_pandas()
        )
    if source.has_table("questionnaire_responses"):
        frames.append(
            source.table("questionnaire_responses")
            .filter(nw.col("item") == "score")
            .join(people, on="person_id", how="semi")
            .select("person_id", "date", nw.col("instrument").alias("measure"), "value")
            .collect("pyarrow")
            .to_pandas()
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def measure_pairs(
    warehouse: Path | None,
    participants: pd.DataFrame,
    measure: str,
    month: int,
    engine: str = "duckdb",
) -> pd.DataFrame:
    """person_id, base, follow: each of ``participants`` (person_id, index_date) measured at
    baseline and about ``month`` months after the index date (the rules of the participant
    measures in the report). In memory only: for counting those who reached a target (an
    outcome contract's rate card), never written."""
    with open_source(warehouse, engine) as source:
        values = _measure_values(source, participants)
    return paired_measures(values, participants[["person_id", "index_date"]], measure, month)
