"""Evaluate criteria: each takes the current (person_id, index_date) rows and returns the rows
that satisfy it. Written once on narwhals LazyFrames, so it runs on DuckDB and on Spark."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

import narwhals as nw

from broen.analytics._source import Frame, Source
from broen.analytics.cohort import _events as ev
from broen.analytics.cohort._errors import CohortError
from broen.analytics.cohort._model import (
    Age,
    AllOf,
    AnyOf,
    Atc,
    Attribute,
    Criterion,
    Diagnosis,
    Measurement,
    NotOf,
    Sectors,
    ServiceUse,
    TransferState,
)

KEYS = list(ev.KEYS)
PANEL_HINT = "build the panel first: broen panel build"


@dataclass
class Context:
    source: Source
    _weeks: Frame | None = field(default=None, repr=False)

    @property
    def weeks(self) -> Frame:
        if self._weeks is None:
            self._weeks = self.source.materialise(ev.iso_weeks(self.source))
        return self._weeks

    def persons(self, *columns: str) -> Frame:
        return self.source.table("persons").select("person_id", *columns)


def evaluate(criterion: Criterion, base: Frame, ctx: Context) -> Frame:
    """The rows of ``base`` (person_id, index_date) that meet ``criterion``."""
    return EVALUATORS[type(criterion)](criterion, base, ctx)


def alive_and_resident(base: Frame, ctx: Context) -> Frame:
    index = nw.col("index_date")
    born = nw.col("birth_date") <= index
    # Alive on the date of death, as in CPR and in the panel; gone on the moving-out day.
    alive = nw.col("death_date").is_null() | (nw.col("death_date") >= index)
    resident = nw.col("moved_out_date").is_null() | (nw.col("moved_out_date") > index)
    persons = ctx.persons("birth_date", "death_date", "moved_out_date")
    return base.join(persons, on="person_id").filter(born & alive & resident).select(*KEYS)


def _all(c: AllOf, base: Frame, ctx: Context) -> Frame:
    return reduce(lambda rows, child: evaluate(child, rows, ctx), c.criteria, base)


def _any(c: AnyOf, base: Frame, ctx: Context) -> Frame:
    return ev.any_frame([evaluate(child, base, ctx) for child in c.criteria])


def _not(c: NotOf, base: Frame, ctx: Context) -> Frame:
    return base.join(evaluate(c.criterion, base, ctx), on=KEYS, how="anti")


def _age(c: Age, base: Frame, ctx: Context) -> Frame:
    rows = base.join(ctx.persons("birth_date"), on="person_id").with_columns(
        ev.age_expr().alias("_age")
    )
    if c.min is not None:
        rows = rows.filter(nw.col("_age") >= c.min)
    if c.max is not None:
        rows = rows.filter(nw.col("_age") <= c.max)
    return rows.select(*KEYS)


def _attribute(c: Attribute, base: Frame, ctx: Context) -> Frame:
    rows = base.join(ctx.persons(c.column), on="person_id")
    return rows.filter(nw.col(c.column).is_in(list(c.values))).select(*KEYS)


def _at_least(rows: Frame, column: str, minimum: float) -> Frame:
    return rows.filter(nw.col(column) >= minimum).select(*KEYS)


def _diagnosis(c: Diagnosis, base: Frame, ctx: Context) -> Frame:
    events = ev.with_index(ev.diagnoses(ctx.source, c.where, c.prefixes), base)
    counted = (
        events.filter(ev.in_window(c.window))
        .group_by(*KEYS)
        .agg(nw.col("contact_id").n_unique().alias("_n"))
    )
    return _at_least(counted, "_n", c.min_contacts)


def _atc(c: Atc, base: Frame, ctx: Context) -> Frame:
    events = ev.with_index(ev.dispensings(ctx.source, c.prefixes), base)
    counted = events.filter(ev.in_window(c.window)).group_by(*KEYS).agg(nw.len().alias("_n"))
    return _at_least(counted, "_n", c.min_dispensings)


def _compare(c: Measurement, column: str) -> nw.Expr:
    value = nw.col(column)
    return {
        "above": value > c.value,
        "at_least": value >= c.value,
        "below": value < c.value,
        "at_most": value <= c.value,
        "equals": value == c.value,
    }[c.op]


def measured(c: Measurement, base: Frame, ctx: Context) -> Frame:
    """Rows with at least one measurement of the kind in the window."""
    return ev.keys(_measurements(c, base, ctx))


def _measurements(c: Measurement, base: Frame, ctx: Context) -> Frame:
    table = ctx.source.table("measurements").filter(nw.col("kind") == c.kind)
    events = table.select("person_id", nw.col("date").cast(nw.Date), "value")
    return ev.with_index(events, base).filter(ev.in_window(c.window))


def _measurement(c: Measurement, base: Frame, ctx: Context) -> Frame:
    rows = _measurements(c, base, ctx)
    if c.use == "latest":
        last = rows.group_by(*KEYS).agg(nw.col("date").max())
        rows = (
            rows.join(last, on=[*KEYS, "date"], how="inner")
            .group_by(*KEYS)
            .agg(nw.col("value").mean())  # several on the latest day: their mean
        )
    met = ev.keys(rows.filter(_compare(c, "value")))
    if c.missing == "include":
        return ev.any_frame([met, base.join(ev.keys(rows), on=KEYS, how="anti")])
    return met


def _bounded(c: ServiceUse, totals: Frame, base: Frame) -> Frame:
    """Rows whose total is within [min, max]; a row without events has total 0."""
    ok = nw.lit(value=True)
    if c.min is not None:
        ok = ok & (nw.col("_total") >= c.min)
    if c.max is not None:
        ok = ok & (nw.col("_total") <= c.max)
    zero_ok = (c.min is None or c.min <= 0) and (c.max is None or c.max >= 0)
    if zero_ok:
        return base.join(totals.filter(~ok).select(*KEYS), on=KEYS, how="anti")
    return totals.filter(ok).select(*KEYS)


def _service_use(c: ServiceUse, base: Frame, ctx: Context) -> Frame:
    if c.source == "raw":
        events = ev.with_index(ev.raw_metric(ctx.source, c.metric), base)
        totals = (
            events.filter(ev.in_window(c.window))
            .group_by(*KEYS)
            .agg(nw.col("weight").sum().alias("_total"))
        )
        return _bounded(c, totals, base)
    check_panel(ctx.source, c.metric)
    # A panel month counts when its last day lies in the window: whole months only, never a
    # month that runs past the index date, and a look-back of 12m is 12 months on any index day.
    month_end = nw.col("month").dt.offset_by("1mo").dt.offset_by("-1d").cast(nw.Date)
    panel = ctx.source.table("panel").select(
        "person_id", month_end.alias("_month_end"), nw.col(c.metric).alias("_v")
    )
    rows = ev.with_index(panel, base)
    months = ev.in_window(c.window, "_month_end")
    totals = (
        rows.filter(months)
        .group_by(*KEYS)
        .agg(nw.col("_v").cast(nw.Float64).fill_null(0.0).sum().alias("_total"))
    )
    return _bounded(c, totals, base)


def check_panel(source: Source, metric: str | None = None) -> None:
    if not source.has_table("panel") or not len(source.table("panel").head(1).collect()):
        raise CohortError(
            "This definition uses panel metrics, but the warehouse has no person-month panel: "
            f"{PANEL_HINT}."
        )
    if metric is not None and metric not in source.columns("panel"):
        raise CohortError(
            f"The panel has no column '{metric}': check the metric name, or rebuild the panel "
            "with a newer Broen (broen panel build)."
        )


def _sectors(c: Sectors, base: Frame, ctx: Context) -> Frame:
    events = ev.with_index(ev.sector_events(ctx.source, c.sectors, ctx.weeks), base)
    counted = (
        events.filter(ev.in_window(c.window, "date", "end"))
        .group_by(*KEYS)
        .agg(nw.col("sector").n_unique().alias("_n"))
    )
    return _at_least(counted, "_n", c.min)


def _transfer_state(c: TransferState, base: Frame, ctx: Context) -> Frame:
    weeks = ev.with_index(ev.transfer_weeks(ctx.source, c.states, ctx.weeks), base)
    if c.window is None:
        index = nw.col("index_date")
        return ev.keys(weeks.filter((nw.col("monday") <= index) & (nw.col("sunday") >= index)))
    counted = (
        weeks.filter(ev.in_window(c.window, "thursday"))
        .group_by(*KEYS)
        .agg(nw.col("week").n_unique().alias("_n"))
    )
    return _at_least(counted, "_n", c.min_weeks)


EVALUATORS: dict[type[Any], Callable[[Any, Frame, Context], Frame]] = {
    AllOf: _all,
    AnyOf: _any,
    NotOf: _not,
    Age: _age,
    Attribute: _attribute,
    Diagnosis: _diagnosis,
    Atc: _atc,
    Measurement: _measurement,
    ServiceUse: _service_use,
    Sectors: _sectors,
    TransferState: _transfer_state,
}


def uses_panel(criteria: tuple[Criterion, ...]) -> bool:
    for c in criteria:
        if isinstance(c, ServiceUse) and c.source == "panel":
            return True
        if isinstance(c, AllOf | AnyOf) and uses_panel(c.criteria):
            return True
        if isinstance(c, NotOf) and uses_panel((c.criterion,)):
            return True
    return False
