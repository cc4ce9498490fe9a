"""Build a cohort on any source: index dates, then the criteria in order, with attrition.

Attrition follows OHDSI's convention: one row per step, in the order of the definition, with the
count before the step, the count it kept and the count it removed (before = kept + removed, and
each step starts from the previous step's kept). The first steps are the index dates and the
implicit "alive and resident at the index date". Counts are given both as distinct persons and
as (person, index date) rows; they differ only when a person has several index dates (monthly or
programme index).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import narwhals as nw

from broen.analytics._source import Frame, Source
from broen.analytics.cohort import _events as ev
from broen.analytics.cohort._coverage import coverage_warnings
from broen.analytics.cohort._criteria import (
    KEYS,
    Context,
    alive_and_resident,
    check_panel,
    evaluate,
    measured,
    uses_panel,
)
from broen.analytics.cohort._errors import CohortError
from broen.analytics.cohort._model import (
    CohortDefinition,
    FixedIndex,
    IndexRule,
    Measurement,
    MonthlyIndex,
    ProgrammeIndex,
)


@dataclass(frozen=True)
class AttritionStep:
    step: int
    criterion: str
    persons_before: int
    persons_kept: int
    persons_removed: int
    rows_before: int
    rows_kept: int
    rows_removed: int
    note: str = ""


@dataclass(frozen=True)
class CohortResult:
    """``members`` holds (person_id, index_date), materialised on the source's engine;
    ``warnings`` says where the data do not cover what the definition asks (index dates outside
    the extract period, look-backs before its start), one sentence each."""

    definition: CohortDefinition
    members: Frame
    attrition: tuple[AttritionStep, ...]
    warnings: tuple[str, ...] = ()

    @property
    def n_persons(self) -> int:
        return self.attrition[-1].persons_kept

    @property
    def n_rows(self) -> int:
        return self.attrition[-1].rows_kept


def counts(frame: Frame) -> tuple[int, int]:
    """(distinct persons, rows)."""
    out = frame.select(
        nw.col("person_id").n_unique().alias("persons"), nw.len().alias("rows")
    ).collect()
    row = out.rows()[0]
    return int(row[0] or 0), int(row[1] or 0)


def evaluate_cohort(definition: CohortDefinition, source: Source) -> CohortResult:
    if uses_panel(definition.inclusion + definition.exclusion):
        check_panel(source)
    ctx = Context(source)
    steps: list[AttritionStep] = []
    current = source.materialise(index_dates(definition.index, source))
    persons, rows = counts(current)
    days = current.select("index_date").unique().collect()["index_date"].to_list()
    warnings = coverage_warnings(definition, days, source.period())
    steps.append(
        AttritionStep(
            0, f"index dates: {definition.index.describe()}", persons, persons, 0, rows, rows, 0
        )
    )

    def step(text: str, kept: Frame, note: str = "") -> Frame:
        kept = source.materialise(kept)
        last = steps[-1]
        persons, rows = counts(kept)
        steps.append(
            AttritionStep(
                len(steps),
                text,
                last.persons_kept,
                persons,
                last.persons_kept - persons,
                last.rows_kept,
                rows,
                last.rows_kept - rows,
                note,
            )
        )
        return kept

    current = step("alive and resident at the index date", alive_and_resident(current, ctx))
    for criterion in definition.inclusion:
        note = _unmeasured_note(criterion, current, ctx)
        current = step(criterion.text, evaluate(criterion, current, ctx), note)
    for criterion in definition.exclusion:
        removed = evaluate(criterion, current, ctx)
        current = step(f"exclude: {criterion.text}", current.join(removed, on=KEYS, how="anti"))
    if definition.index.first_only:
        first = current.group_by("person_id").agg(nw.col("index_date").min())
        current = step("first qualifying index date per person", first.select(*KEYS))
    return CohortResult(definition, current, tuple(steps), warnings)


def _unmeasured_note(criterion: object, base: Frame, ctx: Context) -> str:
    if not isinstance(criterion, Measurement) or criterion.missing != "include":
        return ""
    persons, rows = counts(base.join(measured(criterion, base, ctx), on=KEYS, how="anti"))
    return f"{persons} persons ({rows} rows) kept without a {criterion.kind} measurement"


def index_dates(rule: IndexRule, source: Source) -> Frame:
    persons = source.table("persons").select("person_id")
    if isinstance(rule, FixedIndex):
        day = _period_day(rule.date, source) if isinstance(rule.date, str) else rule.date
        return persons.join(ev.date_rows(source, [day]), how="cross")
    if isinstance(rule, MonthlyIndex):
        first = _month_start(rule.start, source)
        last = _month_start(rule.end, source)
        months = []
        while first <= last:
            months.append(first)
            first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        if not months:
            raise CohortError(f"The monthly index has no months ({rule.start} to {rule.end}).")
        return persons.join(ev.date_rows(source, months), how="cross")
    assert isinstance(rule, ProgrammeIndex)
    episodes = source.table("programme_episodes").filter(
        (nw.col("programme") == rule.programme) & ~nw.col(rule.date_column).is_null()
    )
    if rule.referral_sources:
        episodes = episodes.filter(nw.col("referral_source").is_in(list(rule.referral_sources)))
    if rule.statuses:
        episodes = episodes.filter(nw.col("status").is_in(list(rule.statuses)))
    index = nw.col(rule.date_column).cast(nw.Date).alias("index_date")
    return episodes.select("person_id", index).unique()


def _period_day(bound: str, source: Source) -> date:
    start, end = source.period()
    day = start if bound == "period_start" else end
    if day is None:
        raise CohortError(
            f"The index uses {bound}, but the warehouse has no extract period: import an "
            "extract with extract.json, or give a date in the definition."
        )
    return day


def _month_start(value: str, source: Source) -> date:
    if value in ("period_start", "period_end"):
        day = _period_day(value, source)
        return date(day.year, day.month, 1)
    year, month = value.split("-")
    return date(int(year), int(month), 1)
