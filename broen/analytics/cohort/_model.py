"""Cohort definitions as frozen dataclasses: the index date rule and the criteria.

Every criterion keeps the line of the definition file it came from and can describe itself in
one line; that text is what the attrition table shows unless the definition gives a ``label``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from typing import Literal

Unit = Literal["d", "m"]
PeriodBound = Literal["period_start", "period_end"]
MeasurementOp = Literal["above", "at_least", "below", "at_most", "equals"]
OP_SYMBOLS: dict[str, str] = {
    "above": ">",
    "at_least": "≥",
    "below": "<",
    "at_most": "≤",
    "equals": "=",
}


@dataclass(frozen=True)
class Offset:
    """A signed distance from the index date in days or calendar months."""

    amount: int
    unit: Unit

    @property
    def approx_days(self) -> float:
        return self.amount * (30.4375 if self.unit == "m" else 1.0)

    def text(self) -> str:
        word = {"d": "day", "m": "month"}[self.unit]
        return f"{self.amount} {word}{'' if abs(self.amount) == 1 else 's'}"


@dataclass(frozen=True)
class Window:
    """Events dated from ``index + start`` to ``index + end``, both ends included.

    ``start=None`` means all history. A panel month (monthly metrics) counts when its last day
    lies in the window, so only whole months before the index date count.
    """

    start: Offset | None
    end: Offset

    def describe(self) -> str:
        if self.start is None:
            return (
                "ever before the index date" if self.end.amount == 0 else f"up to {self.end.text()}"
            )
        if self.end.amount == 0 and self.start.unit == self.end.unit:
            return f"in the {abs(self.start.amount)} {_unit_word(self.start)} before the index date"
        return f"from {self.start.text()} to {self.end.text()} relative to the index date"


def _unit_word(offset: Offset) -> str:
    word = {"d": "day", "m": "month"}[offset.unit]
    return word if abs(offset.amount) == 1 else word + "s"


@dataclass(frozen=True, kw_only=True)
class Criterion(ABC):
    line: int = 0
    label: str | None = None

    @abstractmethod
    def describe(self) -> str: ...

    @property
    def text(self) -> str:
        return self.label or self.describe()


@dataclass(frozen=True, kw_only=True)
class Age(Criterion):
    min: int | None = None
    max: int | None = None

    def describe(self) -> str:
        if self.min is not None and self.max is not None:
            return f"age {self.min}–{self.max} at index"
        if self.min is not None:
            return f"age {self.min} or older at index"
        return f"age {self.max} or younger at index"


@dataclass(frozen=True, kw_only=True)
class Attribute(Criterion):
    """A column of ``persons`` (sex, municipality, education, origin, lives_alone) in a set."""

    column: str
    values: tuple[str | int | bool, ...]

    def describe(self) -> str:
        return f"{self.column} in {', '.join(str(v) for v in self.values)}"


@dataclass(frozen=True, kw_only=True)
class Diagnosis(Criterion):
    prefixes: tuple[str, ...]
    where: Literal["primary", "any"] = "any"
    window: Window
    min_contacts: int = 1

    def describe(self) -> str:
        kind = "primary diagnosis" if self.where == "primary" else "diagnosis (A or B)"
        times = "" if self.min_contacts == 1 else f" on at least {self.min_contacts} contacts"
        return f"{kind} {_codes(self.prefixes)}{times} {self.window.describe()}"


@dataclass(frozen=True, kw_only=True)
class Atc(Criterion):
    prefixes: tuple[str, ...]
    window: Window
    min_dispensings: int = 1

    def describe(self) -> str:
        times = "" if self.min_dispensings == 1 else f" at least {self.min_dispensings} times"
        return f"drug ATC {_codes(self.prefixes)} dispensed{times} {self.window.describe()}"


@dataclass(frozen=True, kw_only=True)
class Measurement(Criterion):
    kind: str
    op: MeasurementOp
    value: float
    window: Window
    use: Literal["latest", "any"] = "latest"
    missing: Literal["exclude", "include"] = "exclude"

    def describe(self) -> str:
        which = "latest " if self.use == "latest" else "any "
        text = f"{which}{self.kind} {OP_SYMBOLS[self.op]} {self.value:g} {self.window.describe()}"
        if self.missing == "include":
            text += " (persons never measured in the window are kept)"
        return text


@dataclass(frozen=True, kw_only=True)
class ServiceUse(Criterion):
    metric: str
    source: Literal["raw", "panel"]
    window: Window
    min: float | None = None
    max: float | None = None

    def describe(self) -> str:
        bounds = []
        if self.min is not None:
            bounds.append(f"at least {self.min:g}")
        if self.max is not None:
            bounds.append(f"at most {self.max:g}")
        where = " (panel)" if self.source == "panel" else ""
        return f"{' and '.join(bounds)} {self.metric}{where} {self.window.describe()}"


@dataclass(frozen=True, kw_only=True)
class Sectors(Criterion):
    min: int
    window: Window
    sectors: tuple[str, ...]

    def describe(self) -> str:
        return (
            f"contacts in at least {self.min} of {len(self.sectors)} sectors "
            f"{self.window.describe()}"
        )


@dataclass(frozen=True, kw_only=True)
class TransferState(Criterion):
    states: tuple[str, ...]
    window: Window | None = None  # None: the ISO week that contains the index date
    min_weeks: int = 1

    def describe(self) -> str:
        states = ", ".join(self.states)
        if self.window is None:
            return f"on {states} in the week of the index date"
        weeks = "" if self.min_weeks == 1 else f" for at least {self.min_weeks} weeks"
        return f"on {states}{weeks} {self.window.describe()}"


@dataclass(frozen=True, kw_only=True)
class AllOf(Criterion):
    criteria: tuple[Criterion, ...]

    def describe(self) -> str:
        return "all of: " + "; ".join(f"({c.text})" for c in self.criteria)


@dataclass(frozen=True, kw_only=True)
class AnyOf(Criterion):
    criteria: tuple[Criterion, ...]

    def describe(self) -> str:
        return "any of: " + "; ".join(f"({c.text})" for c in self.criteria)


@dataclass(frozen=True, kw_only=True)
class NotOf(Criterion):
    criterion: Criterion

    def describe(self) -> str:
        return f"not ({self.criterion.text})"


def _codes(prefixes: tuple[str, ...]) -> str:
    shown = ", ".join(prefixes[:8])
    return shown + (f" … ({len(prefixes)} prefixes)" if len(prefixes) > 8 else "")


@dataclass(frozen=True, kw_only=True)
class IndexRule(ABC):
    line: int = 0
    first_only: bool = False

    @abstractmethod
    def describe(self) -> str: ...


@dataclass(frozen=True, kw_only=True)
class FixedIndex(IndexRule):
    date: date | PeriodBound

    def describe(self) -> str:
        return f"index date {self.date}"


@dataclass(frozen=True, kw_only=True)
class MonthlyIndex(IndexRule):
    start: str | PeriodBound  # YYYY-MM
    end: str | PeriodBound

    def describe(self) -> str:
        first = ", first qualifying month per person" if self.first_only else ""
        return f"first day of each month {self.start} to {self.end}{first}"


@dataclass(frozen=True, kw_only=True)
class ProgrammeIndex(IndexRule):
    programme: str
    date_column: Literal["start_date", "referral_date"] = "start_date"
    referral_sources: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def describe(self) -> str:
        extra = ""
        if self.referral_sources:
            extra += f", referred by {', '.join(self.referral_sources)}"
        if self.statuses:
            extra += f", status {', '.join(self.statuses)}"
        first = ", first per person" if self.first_only else ""
        return f"{self.date_column} of programme {self.programme}{extra}{first}"


@dataclass(frozen=True)
class CohortDefinition:
    name: str
    index: IndexRule
    inclusion: tuple[Criterion, ...]
    exclusion: tuple[Criterion, ...] = ()
    title: str = ""
    description: str = ""
    source: str = ""  # the file it was read from
    sha256: str = ""  # of the file's text
