"""The window pass behind the covariates: persons, comorbidity events, packed running sums.

Everything here is narwhals on lazy frames and runs on DuckDB and Spark (see ``_candidates.py``
for the design and ``_lanes.py`` for the packing). Months are numbered ``year * 12 + month - 1``
so that the engines do integer arithmetic only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import reduce
from typing import TYPE_CHECKING, Any

import narwhals as nw
import pyarrow as pa

from broen.analytics._exceptions import ConfigurationError, WarehouseError
from broen.analytics.evaluation import _lanes
from broen.analytics.evaluation._covariates import (
    CATEGORIES,
    CRISIS_METRICS,
    CovariateSpec,
    flag_columns,
    labour_columns,
    person_columns,
    trajectory_columns,
)

if TYPE_CHECKING:
    from broen.analytics.cohort import Source

Frame = nw.LazyFrame[Any]
PERSON = "person_id"
MI = "_mi"  # month number: year * 12 + month - 1
INT = nw.Int64()


def month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_start(number: int) -> date:
    return date(number // 12, number % 12 + 1, 1)


def month_of(column: str) -> nw.Expr:
    """The month number of a date (or timestamp) column."""
    c = nw.col(column)
    return c.dt.year().cast(INT) * 12 + c.dt.month().cast(INT) - 1


def check_entry(entry: str) -> None:
    """The date that makes a person a participant: ``start_date`` or ``referral_date``."""
    if entry not in ("start_date", "referral_date"):
        raise ValueError(f"the entry date must be start_date or referral_date, not {entry!r}")


def programme_entries(source: Source, programme: str, entry: str = "start_date") -> Frame:
    """person_id, _s: the month number of each of a person's entries into ``programme``: an
    episode's ``start_date``, or with ``entry="referral_date"`` its referral (the offer is the
    treatment when the evaluation's index is the referral)."""
    check_entry(entry)
    return (
        source.table("programme_episodes")
        .filter((nw.col("programme") == programme) & ~nw.col(entry).is_null())
        .select(PERSON, month_of(entry).alias("_s"))
    )


def int_lit(value: int) -> nw.Expr:
    return nw.lit(value, dtype=INT)


def _indicator(condition: nw.Expr) -> nw.Expr:
    """1 where ``condition`` holds, else 0 (also where it is null), as Int8."""
    return nw.when(condition).then(int_lit(1)).otherwise(int_lit(0)).cast(nw.Int8())


# --- persons -------------------------------------------------------------------------------


def latest_persons(source: Source) -> Frame:
    """The ``persons`` rows, one per person: from the newest batch that has the person, as the
    panel takes them (a person is unique within a batch, contract v1)."""
    table = source.table("persons")
    if "batch_id" not in source.columns("persons"):
        return table
    ranked = table.join(_batch_ranks(source), on="batch_id", how="left").with_columns(
        nw.col("_rank").fill_null(-1)
    )
    top = ranked.group_by(PERSON).agg(nw.col("_rank").max())
    return ranked.join(top, on=[PERSON, "_rank"], how="semi").drop("_rank")


def persons(source: Source) -> Frame:
    """One row per person (:func:`latest_persons`) with the strata columns and the 0/1
    attribute columns of ``CATEGORIES``."""
    table = latest_persons(source)
    dummies: list[nw.Expr] = []
    for attribute, levels in CATEGORIES.items():
        known = [_indicator(nw.col(attribute) == value) for _, value in levels]
        dummies += [
            d.alias(f"{attribute}_{suffix}") for d, (suffix, _) in zip(known, levels, strict=True)
        ]
        total = reduce(lambda a, b: a + b, [d.cast(INT) for d in known])
        dummies.append((int_lit(1) - total).cast(nw.Int8()).alias(f"{attribute}_unknown"))
    birth = nw.col("birth_date")
    return table.select(
        PERSON,
        month_of("birth_date").alias("_birth_mi"),
        _indicator(birth.dt.day() > 1).alias("_birth_late"),
        nw.col("sex").fill_null("unknown").alias("sex"),
        nw.col("municipality").cast(INT).alias("municipality"),
        *dummies,
    )


def _batch_ranks(source: Source) -> Frame:
    """batch_id -> rank by import time (newest highest); by batch id without ``batches``."""
    if source.has_table("batches"):
        batches = source.table("batches").select("batch_id", "imported_at").collect()
        rows = sorted(batches.rows(), key=lambda r: (r[1], r[0]))
        ids = [r[0] for r in rows]
    else:
        ids = sorted(source.table("persons").select("batch_id").unique().collect()["batch_id"])
    data = pa.table(
        {"batch_id": pa.array(ids, pa.string()), "_rank": pa.array(range(len(ids)), pa.int64())}
    )
    return source.rows(data)


# --- comorbidity events --------------------------------------------------------------------


def _starts_with_any(column: str, prefixes: Iterable[str]) -> nw.Expr:
    return reduce(lambda a, b: a | b, [nw.col(column).str.starts_with(p) for p in prefixes])


def flag_inputs(spec: CovariateSpec) -> list[tuple[str, int]]:
    """(grid column, look-back months) of each flag's diagnosis and drug part."""
    out: list[tuple[str, int]] = []
    for f in spec.flags:
        if f.diagnoses:
            out.append((f"_dx_{f.name}", spec.diagnosis_months))
        if f.atc:
            out.append((f"_atc_{f.name}", spec.atc_months))
    return out


PersonRange = tuple[str | None, str | None]
"""Person ids from the first (included) to the second (excluded); None: no bound."""


def in_range(persons: PersonRange) -> nw.Expr:
    low, high = persons
    condition = nw.lit(value=True)
    if low is not None:
        condition = condition & (nw.col(PERSON) >= low)
    if high is not None:
        condition = condition & (nw.col(PERSON) < high)
    return condition


def flag_events(
    source: Source,
    spec: CovariateSpec,
    first: int,
    last: int,
    people: Frame | None = None,
    persons: PersonRange = (None, None),
) -> Frame | None:
    """(person_id, _mi, one 0/1 column per flag part): a matching diagnosis or dispensing in
    that month, for months ``first..last``, of the persons of ``people`` (if given) in the
    range ``persons``. None when the spec has no flags."""
    columns = [c for c, _ in flag_inputs(spec)]
    if not columns:
        return None

    def of_people(frame: Frame) -> Frame:
        if persons != (None, None):
            frame = frame.filter(in_range(persons))
        return frame if people is None else frame.join(people, on=PERSON, how="semi")

    parts: list[Frame] = []
    dx = [f for f in spec.flags if f.diagnoses]
    if dx and source.has_table("hospital_contacts"):
        contacts = of_people(source.table("hospital_contacts"))
        # Secondary diagnoses of other persons drop out at the join with ``contacts`` below.
        codes = contacts.select("contact_id", nw.col("primary_diagnosis").alias("_code"))
        if source.has_table("hospital_diagnoses"):
            extra = source.table("hospital_diagnoses").select(
                "contact_id", nw.col("diagnosis").alias("_code")
            )
            codes = nw.concat([codes, extra])
        prefixes = [p for f in dx for p in f.diagnoses]
        matched = codes.filter(_starts_with_any("_code", prefixes)).join(
            contacts.select("contact_id", PERSON, month_of("start").alias(MI)), on="contact_id"
        )
        flags = {f"_dx_{f.name}": _starts_with_any("_code", f.diagnoses) for f in dx}
        parts.append(_flag_rows(matched, flags, columns))
    atc = [f for f in spec.flags if f.atc]
    if atc and source.has_table("prescriptions"):
        prescriptions = of_people(source.table("prescriptions")).select(
            PERSON, nw.col("atc").alias("_code"), month_of("dispensing_date").alias(MI)
        )
        prefixes = [p for f in atc for p in f.atc]
        matched = prescriptions.filter(_starts_with_any("_code", prefixes))
        flags = {f"_atc_{f.name}": _starts_with_any("_code", f.atc) for f in atc}
        parts.append(_flag_rows(matched, flags, columns))
    if not parts:
        return None
    events = nw.concat(parts) if len(parts) > 1 else parts[0]
    events = events.filter((nw.col(MI) >= first) & (nw.col(MI) <= last))
    return events.group_by(PERSON, MI).agg(*[nw.col(c).max() for c in columns])


def _flag_rows(events: Frame, flags: dict[str, nw.Expr], columns: list[str]) -> Frame:
    values = [
        (_indicator(flags[c]) if c in flags else nw.lit(0, dtype=nw.Int8())).alias(c)
        for c in columns
    ]
    return events.select(PERSON, MI, *values)


# --- the window pass -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Input:
    name: str
    expr: nw.Expr  # per grid row: a non-negative integer
    windows: tuple[tuple[int, int], ...]  # (first, last) months read, relative to the row
    bound: int | None  # the largest value a row can have, if known; else measured


def _amount(column: str, money: bool) -> nw.Expr:
    value = nw.col(column).fill_null(0)
    if money:  # whole kroner (each month rounded), so that sums are exact integers everywhere
        return (value.cast(nw.Float64()) + 0.5).floor().cast(INT)
    return value.cast(INT)


def _sum_of(columns: Iterable[str]) -> nw.Expr:
    return reduce(lambda a, b: a + b, [nw.col(c).fill_null(0).cast(INT) for c in columns])


def panel_inputs(spec: CovariateSpec) -> tuple[str, ...]:
    """The panel columns the covariates read."""
    labour = [c for _, cols in spec.labour_groups for c in cols]
    return tuple(dict.fromkeys([*spec.metrics, *CRISIS_METRICS, *labour]))


def _last(months: int) -> tuple[tuple[int, int], ...]:
    """The window of the ``months`` months before the row (none for 0)."""
    return ((-months, -1),) if months > 0 else ()


def _inputs(spec: CovariateSpec, money: set[str]) -> list[_Input]:
    items = [_Input(f"_x_{m}", _amount(m, m in money), spec.windows, None) for m in spec.metrics]
    items.append(_Input("_x_crisis", _sum_of(CRISIS_METRICS), _last(spec.crisis_months), None))
    items += [
        _Input(f"_x_lab_{name}", _sum_of(cols), _last(spec.labour_months), None)
        for name, cols in spec.labour_groups
    ]
    items.append(_Input("_x_real", nw.col("_real").cast(INT), _last(spec.lookback_months), 1))
    items += [
        _Input(f"_x{c}", nw.col(c).fill_null(0).cast(INT), _last(months), 1)
        for c, months in flag_inputs(spec)
    ]
    return [i for i in items if i.windows]


def check_panel(source: Source, spec: CovariateSpec) -> set[str]:
    """The money columns among the inputs; an error if the panel or a column is missing."""
    if not source.has_table("panel"):
        raise WarehouseError(
            "The evaluation needs the person-month panel: build it first with broen panel build."
        )
    schema = source.table("panel").collect_schema()
    missing = [c for c in panel_inputs(spec) if c not in schema]
    if missing:
        raise ConfigurationError(
            f"The panel has no column {', '.join(missing)}: check the covariate metrics, or "
            "rebuild the panel with this version of Broen (broen panel build --full)."
        )
    return {c for c in panel_inputs(spec) if not schema[c].is_integer()}


@dataclass(frozen=True)
class Windowed:
    """The grid after the window pass: per person-month the lagged running sums, ready to be
    cut to index months and unpacked by :func:`feature_exprs`."""

    rows: Frame
    layout: _lanes.Layout
    pre: Frame | None  # person_id, _pre<flag column>: latest event month before the grid
    money: set[str]
    start: Frame  # person_id, _first: the person's first month in the grid


def window_pass(
    source: Source,
    grid: Frame,
    spec: CovariateSpec,
    first: int,
    last: int,
    money: set[str],
    *,
    lookback: bool = True,
    people: Frame | None = None,
    persons: PersonRange = (None, None),
) -> Windowed:
    """``grid`` has person_id, _mi, _real (1 for a panel row) and the panel inputs, for the
    months ``first..last``, contiguous per person. ``lookback``: count the panel rows of the
    look-back months (``full_lookback``), needed where the grid has months without a row.
    ``people``: the grid's persons when they are few (events are read for them only);
    ``persons``: the range of person ids the grid is cut to."""
    items = [i for i in _inputs(spec, money) if lookback or i.name != "_x_real"]
    # The lane widths need the largest value of each panel input: one aggregate of the grid
    # (before the events are joined to it, which the maxima do not need).
    measured = [i for i in items if i.bound is None]
    maxima = grid.select(*[i.expr.max().alias(i.name) for i in measured]).collect().rows()[0]
    bound = {i.name: int(v or 0) for i, v in zip(measured, maxima, strict=True)}
    earliest = first - max(spec.diagnosis_months, spec.atc_months)
    events = flag_events(source, spec, earliest, last, people, persons)
    pre = None
    start = grid.group_by(PERSON).agg(nw.col(MI).min().alias("_first"))
    if events is not None:
        earlier = events.join(start, on=PERSON, how="inner").filter(nw.col(MI) < nw.col("_first"))
        pre = earlier.group_by(PERSON).agg(
            *[
                nw.when(nw.col(c) > 0).then(nw.col(MI)).max().alias(f"_pre{c}")
                for c, _ in flag_inputs(spec)
            ]
        )
        grid = grid.join(events, on=[PERSON, MI], how="left")
    else:
        grid = grid.with_columns(
            *[nw.lit(0, dtype=nw.Int8()).alias(c) for c, _ in flag_inputs(spec)]
        )
    grid = grid.select(PERSON, MI, "_real", *[i.expr.alias(i.name) for i in items])
    layout = _lanes.plan(
        [_lanes.LaneInput(i.name, bound.get(i.name, i.bound or 0), i.windows) for i in items],
        rows=last - first + 1,
    )
    packed = list(layout.offsets)
    frame = grid.select(PERSON, MI, "_real", *[layout.packed(c) for c in packed])
    frame = frame.with_columns(
        *[nw.col(c).cum_sum().over(PERSON, order_by=MI).cast(INT).alias(f"{c}_c") for c in packed]
    )

    def lag(column: str, offset: int) -> nw.Expr:
        running = f"{column}_c"
        if offset == 1:  # the running sum one row back is this row's minus this row's value
            return (nw.col(running) - nw.col(column)).alias(_lanes.lagged(column, 1))
        value = nw.col(running).shift(offset).over(PERSON, order_by=MI).fill_null(0)
        return value.alias(_lanes.lagged(column, offset))

    frame = frame.select(
        PERSON, MI, "_real", *[lag(c, d) for c in packed for d in layout.offsets[c]]
    )
    return Windowed(frame, layout, pre, money, start)


def _quotient(value: nw.Expr, divisor: int) -> nw.Expr:
    """``value // divisor`` for non-negative integers (narwhals' floor division emulates
    Python's signs with a costly expression)."""
    return ((value - value % divisor) / float(divisor)).cast(INT)


def feature_exprs(w: Windowed, spec: CovariateSpec, *, status: bool = False) -> list[nw.Expr]:
    """The strata and covariates of a windowed row joined to ``persons`` and ``_pre*``; with
    ``status``, also ``full_lookback`` and ``resident`` (a window pass with ``lookback``)."""
    layout = w.layout
    mi = nw.col(MI)
    months = mi - nw.col("_birth_mi") - nw.col("_birth_late").cast(INT)
    age = _quotient(nw.max_horizontal(months, int_lit(0)), 12)
    band = spec.age_band_years
    out: list[nw.Expr] = [
        (age - age % band).alias("age_band"),
        age.alias("age"),
    ]
    out += [nw.col(c) for c in person_columns() if c != "age"]
    names = iter(trajectory_columns(spec))
    for metric in spec.metrics:
        for first, last in spec.windows:
            value = _lanes.window_sum(layout, f"_x_{metric}", first, last)
            if metric in w.money:
                value = value.cast(nw.Float64())
            out.append(value.alias(next(names)))
    crisis = (
        _lanes.window_any(layout, "_x_crisis", -spec.crisis_months, -1)
        if spec.crisis_months
        else nw.lit(value=False)
    )
    out.append(_indicator(crisis).alias("recent_crisis"))
    for (name, _), column in zip(spec.labour_groups, labour_columns(spec), strict=True):
        weeks = (
            _lanes.window_sum(layout, f"_x_lab_{name}", -spec.labour_months, -1)
            if spec.labour_months
            else int_lit(0)
        )
        out.append(weeks.alias(column))
    for f, column in zip(spec.flags, flag_columns(spec), strict=True):
        parts = []
        for kind, months_back in (("dx", spec.diagnosis_months), ("atc", spec.atc_months)):
            c = f"_{kind}_{f.name}"
            if f"_x{c}" in layout.lanes:
                parts.append(_lanes.window_any(layout, f"_x{c}", -months_back, -1))
                if w.pre is not None:
                    parts.append(nw.col(f"_pre{c}").fill_null(-1) >= mi - months_back)
        flag = reduce(lambda a, b: a | b, parts) if parts else nw.lit(value=False)
        out.append(_indicator(flag).alias(column))
    if status:
        out.append(full_lookback(w, spec).alias("full_lookback"))
        out.append((nw.col("_real") == 1).alias("resident"))
    return out


def full_lookback(w: Windowed, spec: CovariateSpec) -> nw.Expr:
    """A panel row in each of the look-back months before the row's month."""
    if not spec.lookback_months:
        return nw.lit(value=True)
    months = _lanes.window_sum(w.layout, "_x_real", -spec.lookback_months, -1)
    return months == spec.lookback_months


def differences(rows: Frame, w: Windowed) -> Frame:
    """The window values of the packed columns, without the lags they come from."""
    lags = {_lanes.lagged(c, d) for c, offsets in w.layout.offsets.items() for d in offsets}
    keep = [c for c in rows.collect_schema().names() if c not in lags]
    values = [_lanes.difference(c, x) for c, ws in w.layout.windows.items() for x in ws]
    rows = rows.with_columns(w.layout.differences()).select(*keep, *values)
    return rows.with_columns(w.layout.remainders())


def with_persons(rows: Frame, w: Windowed, source: Source) -> Frame:
    people = persons(source)
    if w.pre is not None:  # person-level first: one join of the many rows, not two
        people = people.join(w.pre, on=PERSON, how="left")
    return rows.join(people, on=PERSON, how="inner")
