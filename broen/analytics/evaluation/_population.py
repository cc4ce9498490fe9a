"""The target group at each index month, and the few things Python takes from the candidates.

The candidate frame (``candidate_features``) is population-sized and stays in the engine. Python
gets only what the matching needs: one aggregate row of means and variances
(:func:`summarise`), a reproducible sample of keys (:func:`sample_keys`), the propensity logit
computed in the engine (:func:`score`), and tables of chosen columns (:func:`collect`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import reduce
from typing import TYPE_CHECKING, Any

import narwhals as nw
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from broen.analytics.cohort import CohortDefinition, MonthlyIndex, evaluate_cohort
from broen.analytics.evaluation._window_pass import PERSON, month_number, month_start

if TYPE_CHECKING:
    from broen.analytics.cohort import Source

Frame = nw.LazyFrame[Any]
KEYS = (PERSON, "index_month")
SORT_KEYS = ("unit_id", PERSON, "index_month", "month", "rel_month")


def target_group(source: Source, definition: CohortDefinition, months: Iterable[date]) -> Frame:
    """(person_id, month): the persons who meet ``definition`` at the first day of each of
    ``months`` (dates, taken as their month), materialised on the source's engine.

    The definition's index rule is replaced by a monthly index without ``first_only``: a person
    is in the target group in every month in which they qualify (risk sets), whatever the
    definition says about first qualifying months or programme dates. The cohort package has no
    index of a given set of months, so the definition is evaluated for every month from the
    first to the last of ``months`` and the result cut to ``months``.
    """
    days = sorted({month_start(month_number(d)) for d in months})
    if not days:
        raise ValueError("target_group needs at least one month")
    index = MonthlyIndex(start=f"{days[0]:%Y-%m}", end=f"{days[-1]:%Y-%m}", first_only=False)
    result = evaluate_cohort(dataclasses.replace(definition, index=index), source)
    wanted = source.rows(pa.table({"month": pa.array(days, pa.date32())}))
    members = result.members.select(PERSON, nw.col("index_date").cast(nw.Date()).alias("month"))
    return source.materialise(members.join(wanted, on="month", how="semi"))


def summarise(
    frame: Frame | Sequence[Frame], columns: Sequence[str]
) -> dict[str, tuple[int, float, float]]:
    """Per column: (non-null count, mean, population variance), in one aggregate query (per
    frame, when given the frames of consecutive person ranges, whose moments are then pooled).
    These are the moments of standardised mean differences (``Moments``: variance with divisor
    n). A column without values has mean and variance NaN.

    On ``candidate_features`` the query is a whole window pass (as long as scoring). For the
    SMD before matching, the moments of a sample of some 20,000 rows (:func:`sample_keys`,
    ``participant_features``) are within about 0.01 standard deviations of these."""
    if not columns:
        return {}
    if not isinstance(frame, nw.LazyFrame):
        parts = [summarise(f, columns) for f in frame]
        return {c: _pooled([p[c] for p in parts]) for c in columns}
    aggregates: list[nw.Expr] = []
    for i, c in enumerate(columns):
        value = nw.col(c).cast(nw.Float64())
        aggregates += [
            value.count().alias(f"n{i}"),
            value.mean().alias(f"m{i}"),
            value.var(ddof=0).alias(f"v{i}"),
        ]
    row = frame.select(*aggregates).collect().rows(named=True)[0]

    def number(value: Any) -> float:
        return math.nan if value is None else float(value)

    return {
        c: (int(row[f"n{i}"] or 0), number(row[f"m{i}"]), number(row[f"v{i}"]))
        for i, c in enumerate(columns)
    }


def _pooled(parts: Sequence[tuple[int, float, float]]) -> tuple[int, float, float]:
    """The moments of the union of groups from each group's (n, mean, population variance)."""
    groups = [(n, m, v) for n, m, v in parts if n > 0]
    n = sum(g[0] for g in groups)
    if not n:
        return (0, math.nan, math.nan)
    mean = sum(g[0] * g[1] for g in groups) / n
    squares = sum(g[0] * (g[2] + (g[1] - mean) ** 2) for g in groups)
    return (n, mean, squares / n)


def sample_keys(source: Source, frame: Frame, n: int, seed: int) -> pa.Table:
    """A simple random sample of ``n`` rows of ``frame`` without replacement, as their keys
    (person_id, index_month), sorted; all rows when the frame has fewer. The same on every
    engine for the same rows.

    How: the frame's keys are stored once in the engine; Python receives the number of rows of
    each person, sorts the persons by id, and draws ``n`` row positions with numpy's
    ``default_rng(seed)``; a position is a person and the k-th of their index months in
    ascending order, which the engine looks up. Only the counts per person and the sample cross
    to Python. Sample from ``candidate_keys`` (the rows of ``candidate_features`` without their
    covariates: no window pass), and pass the keys to ``participant_features`` for the sample's
    covariates.
    """
    if n < 0:
        raise ValueError(f"the sample size must not be negative, not {n}")
    keys = source.materialise(frame.select(*KEYS))
    counts = keys.group_by(PERSON).agg(nw.len().alias("_n")).collect("pyarrow").to_arrow()
    counts = counts.sort_by(PERSON)
    per_person = np.asarray(counts.column("_n").to_numpy(), dtype=np.int64)
    total = int(per_person.sum())
    if n >= total:
        return _sorted(keys.collect("pyarrow").to_arrow(), KEYS)
    positions = np.sort(np.random.default_rng(seed).choice(total, size=n, replace=False))
    ends = np.cumsum(per_person)
    owner = np.searchsorted(ends, positions, side="right")
    rank = positions - (ends[owner] - per_person[owner]) + 1
    chosen = pa.table(
        {
            PERSON: pc.take(counts.column(PERSON), pa.array(owner)),
            "_k": pa.array(rank, pa.int64()),
        }
    )
    ranked = keys.with_columns(
        _k=nw.col("index_month").rank("ordinal").over(PERSON).cast(nw.Int64())
    )
    picked = ranked.join(source.rows(chosen), on=[PERSON, "_k"], how="inner").select(*KEYS)
    return _sorted(picked.collect("pyarrow").to_arrow(), KEYS)


def restrict(source: Source, frame: Frame, keys: pa.Table) -> Frame:
    """The rows of ``frame`` whose key columns (the columns of ``keys``) are in ``keys``."""
    return frame.join(source.rows(keys), on=list(keys.column_names), how="semi")


def score(
    frame: Frame,
    intercept: float,
    coefficients: Mapping[str, float],
    means: Mapping[str, float],
    scales: Mapping[str, float],
    log1p: Iterable[str] = (),
) -> Frame:
    """``frame`` with ``logit = intercept + sum(coefficient * (f(x) - mean) / scale)``, the
    linear predictor of a propensity model on standardised covariates, computed in the engine
    (e.g. from ``PropensityModel.as_terms()``); f is ``log(1 + max(x, 0))`` for the columns in
    ``log1p`` and the identity otherwise."""
    logged = set(log1p)
    terms = [nw.lit(float(intercept), dtype=nw.Float64())]
    for column, coefficient in coefficients.items():
        scale = float(scales[column]) or 1.0
        value = nw.col(column).cast(nw.Float64())
        if column in logged:
            value = (nw.when(value > 0).then(value).otherwise(0.0) + 1.0).log()
        terms.append((value - float(means[column])) * (float(coefficient) / scale))
    return frame.with_columns(reduce(lambda a, b: a + b, terms).alias("logit"))


def collect(frame: Frame | Sequence[Frame], columns: Sequence[str]) -> pa.Table:
    """The chosen columns of ``frame`` (or of several frames, one after the other) as a pyarrow
    table, sorted by whichever of unit_id, person_id, index_month, month and rel_month it has
    (so both engines give the same table). Use it for what is small: sampled or matched rows,
    strata and logits."""
    frames = [frame] if isinstance(frame, nw.LazyFrame) else list(frame)
    tables = [f.select(*columns).collect("pyarrow").to_arrow() for f in frames]
    table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    return _sorted(table, SORT_KEYS)


def _sorted(table: pa.Table, keys: Iterable[str]) -> pa.Table:
    present = [(k, "ascending") for k in keys if k in table.column_names]
    return table.sort_by(present) if present else table
