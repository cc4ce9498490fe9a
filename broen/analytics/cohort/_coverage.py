"""Does the data cover what a definition asks for? Warnings, not errors.

A cohort can still be built when its index dates lie outside the period the warehouse covers
(the batches' ``period_start`` to ``period_end``), or when a look-back window reaches before the
start of the data, but its counts then mean less than they seem to: a look-back sees less
history than it asks for, and after the end of the data deaths and moves are unknown. The
build returns one sentence per problem; the caller shows them (the library never prints).

``all`` windows ask for whatever history there is and are not warned about. Month offsets are
calendar offsets clamped to the month's end, as in the criteria (31 March − 1 month = 28/29 Feb).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from broen.analytics.cohort._model import (
    AllOf,
    AnyOf,
    CohortDefinition,
    Criterion,
    NotOf,
    Offset,
)


def shift(day: date, offset: Offset) -> date:
    """``day`` moved by ``offset`` (days, or calendar months clamped to the month's end)."""
    if offset.unit == "d":
        return day + timedelta(days=offset.amount)
    year, month = divmod(day.year * 12 + day.month - 1 + offset.amount, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def coverage_warnings(
    definition: CohortDefinition,
    index_dates: Sequence[date],
    period: tuple[date | None, date | None],
) -> tuple[str, ...]:
    """Warnings for ``index_dates`` (the distinct index dates of a build) outside ``period``,
    and for look-back windows that reach before its start. No period known: no warnings."""
    first, last = period
    dates = sorted(set(index_dates))
    if first is None or last is None or not dates:
        return ()
    out: list[str] = []
    before = [d for d in dates if d < first]
    after = [d for d in dates if d > last]
    where = _where(definition, definition.index.line)
    if before:
        out.append(
            _sentence(
                where,
                f"{_which(before, len(dates))} before the data start on {first}: the warehouse "
                "holds nothing before that day, so look-backs there see nothing.",
            )
        )
    if after:
        out.append(
            _sentence(
                where,
                f"{_which(after, len(dates))} after the data end on {last}: deaths, moves and "
                "events after that day are not in the warehouse.",
            )
        )
    inside = [d for d in dates if first <= d <= last]
    for start, lines in _look_backs(definition).items():
        short = [d for d in inside if shift(d, start) < first]
        if not short:
            continue
        head = f"a look-back of {Offset(-start.amount, start.unit).text()}"
        if shift(last, start) < first:
            text = (
                f"{head} is longer than the data ({first} to {last}): no index date sees the "
                "whole window."
            )
        else:
            they = "it sees" if len(lines) == 1 else "they see"
            text = (
                f"{head} reaches before the data start on {first} at "
                f"{_which(short, len(inside), verb=False)}: there {they} less history than "
                "asked for."
            )
        out.append(_sentence(_lines(definition, lines), text))
    return tuple(out)


def _look_backs(definition: CohortDefinition) -> dict[Offset, list[int]]:
    """The lines of the criteria by where their window starts (``all`` windows left out): one
    warning per look-back, however many criteria share it."""
    out: dict[Offset, list[int]] = {}
    for criterion in _criteria(definition.inclusion + definition.exclusion):
        start = getattr(getattr(criterion, "window", None), "start", None)
        if isinstance(start, Offset):
            out.setdefault(start, []).append(criterion.line)
    return out


def _criteria(criteria: Sequence[Criterion]) -> Iterator[Criterion]:
    """Every criterion, nested ones included, in the order written."""
    for c in criteria:
        yield c
        if isinstance(c, AllOf | AnyOf):
            yield from _criteria(c.criteria)
        elif isinstance(c, NotOf):
            yield from _criteria((c.criterion,))


def _where(definition: CohortDefinition, line: int) -> str:
    return f"{definition.source}:{line}: " if definition.source and line else ""


def _lines(definition: CohortDefinition, lines: list[int]) -> str:
    """``"def.yaml:5: "``, or ``"def.yaml, lines 5, 9 and 12: "`` for several criteria."""
    if len(lines) == 1:
        return _where(definition, lines[0])
    if not definition.source:
        return ""
    numbers = ", ".join(str(n) for n in lines[:-1]) + f" and {lines[-1]}"
    return f"{definition.source}, lines {numbers}: "


def _sentence(where: str, text: str) -> str:
    """``where`` (``file:line: ``) and ``text``; capitalised when there is no ``where``, as in
    the definition errors."""
    return f"{where}{text}" if where else text[0].upper() + text[1:]


def _which(dates: Sequence[date], total: int, *, verb: bool = True) -> str:
    """``"3 of 60 index dates (2018-10-01 to 2018-12-01) lie"`` and its variants."""
    span = f"{dates[0]}" if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    if total == 1:
        text, lie = f"the index date {span}", "lies"
    elif len(dates) == total:
        text, lie = f"all {total} index dates ({span})", "lie"
    else:
        text = f"{len(dates)} of {total} index dates ({span})"
        lie = "lies" if len(dates) == 1 else "lie"
    return f"{text} {lie}" if verb else text
