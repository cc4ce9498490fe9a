"""The design of an evaluation: participants, risk-set candidates, propensity score, matching.

The candidates' covariates are computed in the engine by one window pass and stored there when
they fit in ``STORE_BYTES`` (a region's target group: 3.5 million rows, 2.5 GB); more (a
national population) are computed twice, for the sample and for the scoring, and never held.
What crosses from the engine to Python (the population never does):

1. the participants' covariates (one row each) and a random sample of candidate rows
   (``max_fit_controls``, default 50,000) with their covariates: the propensity model is
   fitted on these, the controls weighted by candidates / sample (case-control sampling), and
   the sample gives the candidates' means and variances for the balance table *before*
   matching;
2. for every candidate, only its keys, strata and logit, scored in the engine as a linear
   expression, and only where some participant of its stratum lies within the caliper;
3. with the trajectory distance, the trajectory of the candidates in the matching's pool
   (each participant's 50 nearest on either side of its logit: at most 100 per participant,
   however many are in reach);
4. the covariates of the matched controls (tens of thousands of rows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd
import pyarrow as pa

from broen.analytics._privacy import SMALL_CELL
from broen.analytics.cohort import find_definition
from broen.analytics.evaluation._balance import BalanceRow, Moments, balance_table, few_persons
from broen.analytics.evaluation._candidates import (
    candidate_features,
    candidate_keys,
    output_columns,
    participant_features,
)
from broen.analytics.evaluation._config import EvaluationConfig
from broen.analytics.evaluation._covariates import (
    CovariateSpec,
    covariate_columns,
    labour_columns,
    stratum_columns,
    trajectory_columns,
    window_suffix,
)
from broen.analytics.evaluation._matching import match
from broen.analytics.evaluation._matching_features import match_on_features, matching_pool
from broen.analytics.evaluation._participants import FlowStep, load_participants
from broen.analytics.evaluation._population import (
    KEYS,
    collect,
    restrict,
    sample_keys,
    score,
    target_group,
)
from broen.analytics.evaluation._propensity import (
    MatchedOverlap,
    PropensityModel,
    _transform,
    equipoise,
    fit_propensity,
    matched_overlap,
    preference_score,
)
from broen.analytics.evaluation._table import EvaluationError

PERSON = "person_id"


@dataclass(frozen=True)
class Design:
    """The matched design (unit rows stay in memory for the estimates, never in the output)."""

    participants: pd.DataFrame  # analysable participants: unit_id, person_id, index_month, …
    units: pd.DataFrame  # matched units: unit_id, person_id, index_month, set_id, treated
    flow: list[FlowStep]
    n_candidates: int
    n_candidate_persons: int
    model: PropensityModel
    caliper: float  # on the logit
    equipoise_population: float  # participants against all candidates (information)
    preference: dict[str, np.ndarray]  # preference scores of participants and sampled controls
    overlap: MatchedOverlap  # participants against their matched controls (the gate)
    balance: list[BalanceRow]
    unmatched: dict[str, int]
    covariates: tuple[str, ...]
    sample_weight: float
    # Covariates whose means would reveal fewer than 5 participants or controls.
    small_cells: tuple[str, ...] = ()


def covariate_spec(config: EvaluationConfig) -> CovariateSpec:
    """The covariate spec of the config: the matching section's strata, and the covariates
    section's plain values (look-back, crisis, labour and diagnosis windows)."""
    m = config.matching
    base = CovariateSpec(
        age_band_years=m.age_band_years,
        period=m.period,  # type: ignore[arg-type]
        municipality_stratum=m.municipality,
    )
    known = {"lookback_months", "crisis_months", "labour_months", "diagnosis_months", "atc_months"}
    unknown = sorted(set(config.covariates) - known)
    if unknown:
        raise EvaluationError(
            f"{config.source}: unknown covariates setting {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}."
        )
    values: dict[str, Any] = {k: int(v) for k, v in config.covariates.items()}
    try:
        return replace(base, **values)
    except (TypeError, ValueError) as err:
        raise EvaluationError(f"{config.source}: covariates: {err}.") from err


def build_design(source: Any, config: EvaluationConfig, spec: CovariateSpec) -> Design:
    period = source.period()
    if period[0] is None or period[1] is None:
        raise EvaluationError("The warehouse has no extract period: import an extract first.")
    participants, flow = load_participants(
        source, config.programme, config.index, period, spec.lookback_months, config.cohorts
    )
    if participants.empty:
        raise EvaluationError(
            f"No participant of {config.programme} has {spec.lookback_months} months of "
            "history inside the extract period before the index month."
        )
    months: list[date] = sorted(set(participants["index_month"]))
    target = None
    if config.target_group is not None:
        target = target_group(source, find_definition(config.target_group), months)
    covariates = covariate_columns(spec)
    strata = stratum_columns(spec)

    units = pa.Table.from_pandas(
        participants[["unit_id", PERSON, "index_month"]], preserve_index=False
    )
    feats = collect(
        participant_features(source, units, spec, target=target),
        ["unit_id", *strata, *covariates, "resident", "full_lookback"],
    ).to_pandas()
    participants = participants.merge(feats, on="unit_id", how="inner")
    ok = participants["resident"].astype(bool) & participants["full_lookback"].astype(bool)
    flow.append(FlowStep("resident_with_full_lookback", int(ok.sum())))
    participants = participants[ok].reset_index(drop=True)
    if participants.empty:
        raise EvaluationError("No participant was alive and resident through the look-back.")

    candidates, keys = _candidate_rows(source, months, spec, config, target)
    sample = sample_keys(source, keys, config.matching.max_fit_controls, seed=config.bootstrap.seed)
    counts = keys.select(PERSON).collect("pyarrow").to_arrow().column(PERSON)
    n_candidates, n_persons = len(counts), len(pa.compute.unique(counts))
    if n_candidates == 0:
        raise EvaluationError(
            "No control candidate: nobody in the target group was resident with full "
            "look-back in the participants' index months without having started the programme."
        )
    if candidates is not None:  # stored: the sample's covariates are a lookup
        # (with the keys, by which collect sorts: the order of the sample on every engine)
        sampled = collect(
            restrict(source, candidates, sample), [*KEYS, *strata, *covariates]
        ).to_pandas()
    else:
        sample_units = sample.append_column("unit_id", pa.array(range(sample.num_rows), pa.int64()))
        sampled = collect(
            participant_features(source, sample_units, spec), ["unit_id", *strata, *covariates]
        ).to_pandas()
    weight = n_candidates / max(len(sampled), 1)
    x_t = participants[list(covariates)].to_numpy(dtype=np.float64)
    x_c = sampled[list(covariates)].to_numpy(dtype=np.float64)
    model = fit_propensity(
        np.vstack([x_t, x_c]),
        np.r_[np.ones(len(x_t), bool), np.zeros(len(x_c), bool)],
        list(covariates),
        penalty=config.matching.penalty or None,
        control_weight=weight,
        log1p=(*trajectory_columns(spec), *labour_columns(spec)),
    )
    logit_t, logit_s = model.logit(x_t), model.logit(x_c)
    sd = _pooled_sd(logit_t, logit_s, weight)
    caliper = config.matching.caliper_sd * sd

    features = list(trajectory_columns(spec)) if config.matching.distance == "trajectory" else []
    history = history_strata(spec) if config.matching.exact_history else {}
    scored, populated, reachable = _candidates_in_reach(
        source,
        months,
        spec,
        config,
        target,
        model,
        participants,
        logit_t,
        caliper,
        features,
        history,
        candidates,
    )
    for name, columns in history.items():
        participants[name] = (participants[list(columns)].sum(axis=1) > 0).astype(np.int8)
    exact = [*strata, *history]
    all_strata = pd.concat([participants[exact], scored[exact]], ignore_index=True)
    ids = all_strata.astype(str).agg("\x1f".join, axis=1).factorize()[0]
    t_ids, c_ids = ids[: len(participants)], ids[len(participants) :]
    c_logit = scored["logit"].to_numpy(dtype=np.float64)
    ratio = config.matching.ratio
    if features:
        # Only the pool can be matched: its trajectories are all that leave the engine.
        pool = matching_pool(t_ids, logit_t, c_ids, c_logit, caliper=caliper)
        scored, c_ids, c_logit = (
            scored.iloc[pool].reset_index(drop=True),
            c_ids[pool],
            c_logit[pool],
        )
        found = match_on_features(
            t_ids,
            logit_t,
            _log_trajectory(participants, features),
            c_ids,
            c_logit,
            _log_trajectory(_pool_features(source, reachable, scored, features), features),
            ratio=ratio,
            caliper=caliper,
        )
    else:
        found = match(t_ids, logit_t, c_ids, c_logit, ratio=ratio, caliper=caliper)
    matched_t = np.unique(found.treated)
    if matched_t.size == 0:
        raise EvaluationError(
            f"None of the {len(participants)} participants could be matched: none has a "
            "control candidate in its stratum within the caliper "
            f"({config.matching.caliper_sd} SD of the logit); widen the caliper or loosen the "
            "exact-matching strata."
        )
    # The engine passed on only the candidates within some participant's caliper: a
    # participant whose stratum has candidates, none of them in reach, is outside the caliper.
    lonely = _in_populated_strata(participants.iloc[found.no_candidate], populated, exact)
    no_candidate = found.no_candidate[~lonely]
    outside_caliper = np.union1d(found.outside_caliper, found.no_candidate[lonely])
    flow.append(FlowStep("matched", int(matched_t.size)))
    units_frame = _matched_units(participants, scored, found, matched_t)

    controls = units_frame[~units_frame["treated"]]
    control_x = _control_covariates(source, candidates, controls, spec, covariates)
    per_set = controls.groupby("set_id")["unit_id"].transform("size").to_numpy()
    share = len(participants) / (len(participants) + n_candidates)
    balance = balance_table(
        covariates,
        Moments.of(x_t),
        Moments.of(x_c),
        Moments.of(x_t[matched_t]),
        Moments.of(control_x, 1.0 / per_set),
    )
    few = (
        few_persons(x_t, SMALL_CELL)
        | few_persons(x_t[matched_t], SMALL_CELL)
        | few_persons(control_x, SMALL_CELL)
    )
    pref_t = preference_score(logit_t, share)
    pref_c = preference_score(logit_s, share)
    return Design(
        participants=participants,
        units=units_frame,
        flow=flow,
        n_candidates=n_candidates,
        n_candidate_persons=int(n_persons),
        model=model,
        caliper=caliper,
        # Against the population the programme's target is by design unlike most of it (the
        # share is shown, not gated); the gate asks whether the comparison made is in equipoise.
        equipoise_population=min(equipoise(pref_t), equipoise(pref_c)),
        preference={"participants": pref_t, "controls": pref_c},
        overlap=matched_overlap(x_t[matched_t], control_x, 1.0 / per_set, model),
        balance=balance,
        unmatched={
            "no_candidate_in_stratum": int(no_candidate.size),
            "outside_caliper": int(outside_caliper.size),
        },
        covariates=tuple(covariates),
        sample_weight=weight,
        small_cells=tuple(c for c, small in zip(covariates, few, strict=True) if small),
    )


# Candidate rows whose covariates take at most this much memory are computed once and stored
# (a window pass saved: the propensity sample becomes a lookup); more are computed twice, for
# the sample and for the scoring, and never held (some 700 bytes a row: 50 million rows of a
# national target group would need 35 GB).
STORE_BYTES = 4 * 2**30


def _candidate_rows(
    source: Any, months: list[date], spec: CovariateSpec, config: EvaluationConfig, target: Any
) -> tuple[Any, Any]:
    """The candidates' features stored on the engine (or None when they would take more than
    ``STORE_BYTES``) and their keys (person_id, index_month), stored."""
    columns = len(output_columns(spec)) + 2
    if target is not None:  # the target rows in the index months bound the candidates
        bound = int(target.select(nw.len()).collect().item())
    else:
        days = source.rows(pa.table({"month": pa.array(sorted(months), pa.date32())}))
        panel = source.table("panel").join(days, on="month", how="semi")
        bound = int(panel.select(nw.len()).collect().item())
    if bound * columns * 8 > STORE_BYTES:
        keys = candidate_keys(
            source, months, spec, config.programme, target=target, entry=config.index
        )
        return None, source.materialise(keys)
    frame = candidate_features(
        source, months, spec, config.programme, target=target, entry=config.index
    )
    stored = source.materialise(frame)
    return stored, stored.select(PERSON, "index_month")


def _control_covariates(
    source: Any,
    stored: Any,
    controls: pd.DataFrame,
    spec: CovariateSpec,
    covariates: Sequence[str],
) -> np.ndarray:
    """The covariates of the matched controls, in their order: looked up among the stored
    candidates, or computed for them alone."""
    keys = controls[[PERSON, "index_month"]]
    if stored is not None:
        found = collect(
            restrict(
                source, stored, pa.Table.from_pandas(keys.drop_duplicates(), preserve_index=False)
            ),
            [PERSON, "index_month", *covariates],
        ).to_pandas()
        rows = keys.merge(found, on=[PERSON, "index_month"], how="left", validate="many_to_one")
    else:
        units = pa.Table.from_pandas(
            controls[["unit_id", PERSON, "index_month"]], preserve_index=False
        )
        rows = (
            collect(participant_features(source, units, spec), ["unit_id", *covariates])
            .to_pandas()
            .set_index("unit_id")
            .loc[controls["unit_id"]]
        )
    out: np.ndarray = rows[list(covariates)].to_numpy(dtype=np.float64)
    return out


def _pooled_sd(logit_t: np.ndarray, logit_s: np.ndarray, weight: float) -> float:
    """SD of the logit over participants and all candidates (the sample weighted up)."""
    values = np.r_[logit_t, logit_s]
    w = np.r_[np.ones(logit_t.size), np.full(logit_s.size, weight)]
    mean = float((w * values).sum() / w.sum())
    return float(np.sqrt((w * (values - mean) ** 2).sum() / w.sum()))


def _candidates_in_reach(
    source: Any,
    months: list[date],
    spec: CovariateSpec,
    config: EvaluationConfig,
    target: Any,
    model: PropensityModel,
    participants: pd.DataFrame,
    logit_t: np.ndarray,
    caliper: float,
    features: list[str],
    history: dict[str, tuple[str, ...]],
    stored: Any = None,
) -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    """Keys, strata and logit of the candidates that some participant of their stratum lies
    within the caliper of, scored and filtered in the engine; the strata that hold any
    candidate at all (to tell why a participant found no control); and the scored candidates
    with the matching ``features`` on the engine, for :func:`_pool_features`. ``stored``: the
    candidates' features when :func:`_candidate_rows` stored them (else computed here)."""
    strata = list(stratum_columns(spec))
    bounds = (
        participants[strata]
        .assign(_lo=logit_t - caliper, _hi=logit_t + caliper)
        .groupby(strata, dropna=False)
        .agg(_lo=("_lo", "min"), _hi=("_hi", "max"))
        .reset_index()
    )
    frame = stored
    if frame is None:
        frame = candidate_features(
            source, months, spec, config.programme, target=target, entry=config.index
        )
    terms = model.as_terms()
    scored = score(
        frame,
        model.intercept,
        {c: t[0] for c, t in terms.items()},
        {c: t[1] for c, t in terms.items()},
        {c: t[2] for c, t in terms.items()},
        log1p=model.log1p,
    )
    limits = source.rows(pa.Table.from_pandas(bounds, preserve_index=False))

    flags = [
        (nw.sum_horizontal(*columns) > 0).cast(nw.Int8()).alias(name)
        for name, columns in history.items()
    ]
    scored = scored.with_columns(*flags) if flags else scored
    keep = [PERSON, "index_month", *strata, *history, "logit"]
    scored = source.materialise(scored.select(*keep, *features))
    populated = (
        scored.join(limits.select(*strata), on=strata, how="semi")
        .select(*strata, *history)
        .unique()
        .collect("pyarrow")
        .to_pandas()
    )
    near = scored.join(limits, on=strata, how="inner").filter(
        (nw.col("logit") >= nw.col("_lo")) & (nw.col("logit") <= nw.col("_hi"))
    )
    return collect(near, keep).to_pandas(), populated, scored


def _pool_features(
    source: Any, reachable: Any, pool: pd.DataFrame, features: list[str]
) -> pd.DataFrame:
    """The ``features`` of the candidates in ``pool`` (rows with person_id and index_month),
    in the pool's order, from the scored candidates on the engine."""
    keys = pa.Table.from_pandas(
        pool[[PERSON, "index_month"]].assign(_row=np.arange(len(pool), dtype=np.int64)),
        preserve_index=False,
    )
    joined = reachable.join(source.rows(keys), on=[PERSON, "index_month"], how="inner")
    table = joined.select("_row", *features).collect("pyarrow").to_arrow().sort_by("_row")
    if table.num_rows != len(pool):
        raise RuntimeError("a candidate of the pool is missing or doubled on the engine")
    return table.to_pandas()


def history_strata(spec: CovariateSpec) -> dict[str, tuple[str, ...]]:
    """Exact strata on the acute history, each 1 when its columns sum to more than 0: a recent
    crisis (``recent_crisis``) and an acute admission before it (the ``acute_admissions``
    windows before the crisis months). A participant referred in a crisis regresses towards
    its usual level, and one with earlier admissions has a different course from one without:
    a propensity score balances them on average only, and a few unequal pairs among a few
    dozen participants read as an effect (regression to the mean) in either direction."""
    out: dict[str, tuple[str, ...]] = {}
    if spec.crisis_months > 0:
        out["history_crisis"] = ("recent_crisis",)
    if "acute_admissions" in spec.metrics:
        earlier = tuple(
            f"acute_admissions_{window_suffix(w)}"
            for w in spec.windows
            if w[1] < -spec.crisis_months
        )
        if earlier:
            out["history_admission"] = earlier
    return out


def _log_trajectory(frame: pd.DataFrame, features: list[str]) -> np.ndarray:
    """The trajectory on the log scale the propensity model uses for it."""
    return _transform(frame[features].to_numpy(dtype=np.float64), tuple(features), tuple(features))


def _in_populated_strata(
    rows: pd.DataFrame, populated: pd.DataFrame, strata: list[str]
) -> np.ndarray:
    """Per row of ``rows``: does its stratum hold any candidate?"""
    if rows.empty or populated.empty:
        return np.zeros(len(rows), dtype=bool)
    marked = populated.assign(_any=True)
    joined = rows[strata].merge(marked, on=strata, how="left")
    flags: np.ndarray = joined["_any"].notna().to_numpy(dtype=bool)
    return flags


def _matched_units(
    participants: pd.DataFrame, scored: pd.DataFrame, found: Any, matched_t: np.ndarray
) -> pd.DataFrame:
    """Matched sets as unit rows: each matched participant (set_id = its position among the
    matched) and its controls, numbered after the participants."""
    set_of_treated = np.full(len(participants), -1, dtype=np.int64)
    set_of_treated[matched_t] = np.arange(matched_t.size)
    treated_rows = participants.iloc[matched_t][[PERSON, "index_month"]].assign(
        set_id=np.arange(matched_t.size),
        treated=True,
        source_unit=participants["unit_id"].iloc[matched_t].to_numpy(),
    )
    control_rows = scored.iloc[found.control][[PERSON, "index_month"]].assign(
        set_id=set_of_treated[found.treated], treated=False, source_unit=-1
    )
    units = pd.concat([treated_rows, control_rows], ignore_index=True)
    units.insert(0, "unit_id", np.arange(len(units), dtype=np.int64))
    return units
