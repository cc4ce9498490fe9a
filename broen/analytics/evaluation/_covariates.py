"""What the risk-set matching matches on: the covariate specification and its column names.

A participant's index month is the month of the programme's ``start_date``; a control candidate
gets the same index month (risk-set matching: the research notes, evaluation anchors §5). Every
covariate is measured strictly *before* the index month, in whole calendar months: month ``-1``
is the month before the index month. The index month itself is left out because it can hold
events after the start date, which the programme may already have changed.

:class:`CovariateSpec` holds every choice, with defaults; :func:`covariate_columns` and
:func:`stratum_columns` give the column names a spec produces, in a fixed order. The frames are
built in ``_candidates.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from broen.analytics._contract import EDUCATION_LEVELS, ORIGINS

Window = tuple[int, int]
"""``(first, last)`` months relative to the index month, both included: ``(-6, -4)`` is the
fourth to the sixth month before the index month."""


def code_range(chapter: str, low: int, high: int) -> tuple[str, ...]:
    """The prefixes of the categories ``chapter`` + ``low`` .. ``high`` (two digits), with whole
    decades written as one prefix: ``code_range("DC", 0, 97)`` is DC0 … DC8, DC90 … DC97."""
    out: list[str] = []
    n = low
    while n <= high:
        if n % 10 == 0 and n + 9 <= high:
            out.append(f"{chapter}{n // 10}")
            n += 10
        else:
            out.append(f"{chapter}{n:02d}")
            n += 1
    return tuple(out)


@dataclass(frozen=True)
class ComorbidityFlag:
    """A named condition: SKS diagnosis prefixes (a hospital contact's primary diagnosis or any
    of its ``hospital_diagnoses``, A or B) and/or ATC prefixes (a dispensing). The flag is 1 when
    either is found in its look-back (:class:`CovariateSpec` ``diagnosis_months``/``atc_months``).
    """

    name: str
    diagnoses: tuple[str, ...] = ()
    atc: tuple[str, ...] = ()


DEFAULT_FLAGS: tuple[ComorbidityFlag, ...] = (
    ComorbidityFlag("diabetes", code_range("DE", 10, 14), ("A10",)),
    ComorbidityFlag("copd_asthma", ("DJ44", "DJ45"), ("R03",)),
    ComorbidityFlag("ischaemic_heart_disease", code_range("DI", 20, 25), ("C01D",)),
    ComorbidityFlag("heart_failure", ("DI50",)),
    ComorbidityFlag("hypertension", code_range("DI", 10, 15), ("C02", "C03", "C07", "C08", "C09")),
    ComorbidityFlag("stroke", (*code_range("DI", 60, 64), "DI69")),
    ComorbidityFlag("mental_illness", ("DF2", "DF3", "DF4"), ("N05A", "N06A")),
    ComorbidityFlag("substance_abuse", ("DF1", "DK70"), ("N07B",)),
    ComorbidityFlag("cancer", code_range("DC", 0, 97)),
    ComorbidityFlag("obesity", ("DE66",), ("A08", "A10BJ")),
    ComorbidityFlag("musculoskeletal", code_range("DM", 40, 54), ("M01A",)),
)
"""The default conditions. Drug prefixes catch conditions treated outside hospital; a GLP-1
agonist (A10BJ) counts both as diabetes (A10) and as obesity treatment (semaglutide is both
Ozempic and Wegovy)."""

DEFAULT_METRICS: tuple[str, ...] = (
    "cost_total",
    "cost_hospital_acute",
    "acute_admissions",
    "bed_days",
    "weeks_self_supporting",
    "cost_primary_care",
    "cost_municipal",
)
DEFAULT_WINDOWS: tuple[Window, ...] = (
    (-1, -1),
    (-2, -2),
    (-3, -3),
    (-6, -4),
    (-12, -7),
    (-24, -13),
)

DEFAULT_LABOUR: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("self_supporting", ("weeks_self_supporting",)),
    ("unemployment", ("weeks_unemployment",)),
    ("sickness_benefit", ("weeks_sickness_benefit",)),
    ("cash_benefit", ("weeks_cash_benefit",)),
    ("flexjob_disability", ("weeks_flexjob", "weeks_disability_pension")),
    ("retirement", ("weeks_retirement",)),
    ("other", ("weeks_other_benefit",)),
)
"""Labour-market groups of the panel's ``weeks_<state>`` columns. Self-supporting is the
panel's ``weeks_self_supporting`` (no transfer, education or parental leave, as DREAM research
groups them; counted at ages 16-64), so education and parental leave are not a group of their
own. Flexjob and disability pension are both permanent reduced work capacity."""

CATEGORIES: dict[str, tuple[tuple[str, str | bool | None], ...]] = {
    "sex": (("f", "F"), ("m", "M")),
    "education": tuple((level, level) for level in EDUCATION_LEVELS if level != "unknown"),
    "origin": tuple((level, level) for level in ORIGINS),
    "lives_alone": (("yes", True), ("no", False)),
}
"""Person attributes as 0/1 columns ``<attribute>_<level>``; each also has ``_unknown`` (a
missing value, and for education the contract's own ``unknown``), so that the columns of every
row sum to 1 and a missing value is a level of its own rather than a dropped row."""

CRISIS_METRICS = ("acute_admissions", "emergency_visits")


@dataclass(frozen=True)
class CovariateSpec:
    """The covariates and exact strata of risk-set matching.

    Defaults, and why:

    - ``age_band_years=5``: exact strata on 5-year age bands; narrower bands leave participants
      of sparse ages without candidates, and ``age`` is also a matching covariate within a band.
    - ``period="month"``: candidates are drawn in the participant's own calendar month anyway
      (risk sets), so the month stratum costs nothing; ``"quarter"`` pools three index months
      into one stratum (``stratum_period`` is then the first day of the quarter).
    - ``municipality_stratum=False``: contract v1 has the municipality at the start of the
      extract only, and a two-municipality programme would halve the candidates; ``municipality``
      is returned as a column either way.
    - ``lookback_months=24``: a candidate must be alive and resident in each of the 24 months
      before the index month (and in it), so that every trajectory window is observed. Index
      months earlier than the period start + 24 months therefore have no eligible candidates.
    - ``metrics`` and ``windows``: the monthly trajectory before the index month (months -1, -2,
      -3, -4..-6, -7..-12, -13..-24), so that a participant included right after an acute spike
      is matched to controls with the same spike (regression to the mean, anchors §5).
    - ``crisis_months=3``: ``recent_crisis`` is 1 after any acute admission or emergency visit
      in months -3..-1.
    - ``labour_months=12``: weeks in each labour-market group over months -12..-1.
    - ``diagnosis_months=60`` and ``atc_months=12``: a comorbidity flag is 1 after a matching
      diagnosis in the 5 years (60 months) or a matching dispensing in the 12 months before the
      index month.
    """

    age_band_years: int = 5
    period: Literal["month", "quarter"] = "month"
    municipality_stratum: bool = False
    lookback_months: int = 24
    metrics: tuple[str, ...] = DEFAULT_METRICS
    windows: tuple[Window, ...] = DEFAULT_WINDOWS
    crisis_months: int = 3
    labour_months: int = 12
    labour_groups: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_LABOUR
    flags: tuple[ComorbidityFlag, ...] = field(default=DEFAULT_FLAGS)
    diagnosis_months: int = 60
    atc_months: int = 12

    def __post_init__(self) -> None:
        if self.age_band_years < 1:
            raise ValueError(f"age_band_years must be at least 1, not {self.age_band_years}")
        if self.period not in ("month", "quarter"):
            raise ValueError(f"period must be 'month' or 'quarter', not {self.period!r}")
        for name in ("lookback_months", "crisis_months", "labour_months"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        for name in ("diagnosis_months", "atc_months"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        for first, last in self.windows:
            if not first <= last <= -1:
                raise ValueError(
                    f"the window ({first}, {last}) must end before the index month: "
                    "write (first, last) with first <= last <= -1, e.g. (-6, -4)"
                )
        names = [f.name for f in self.flags]
        if len(set(names)) != len(names) or len(set(self.metrics)) != len(self.metrics):
            raise ValueError("flag names and metrics must be unique")

    @property
    def depth(self) -> int:
        """The furthest month before the index month that any covariate reads (windows, crisis,
        labour market, look-back); flags read further, from the event tables."""
        deepest = [self.lookback_months, self.crisis_months, self.labour_months]
        deepest += [-first for first, _ in self.windows]
        return max(deepest)


def window_suffix(window: Window) -> str:
    """``m1`` for (-1, -1), ``m4_6`` for (-6, -4)."""
    first, last = window
    return f"m{-last}" if first == last else f"m{-last}_{-first}"


def stratum_columns(spec: CovariateSpec) -> tuple[str, ...]:
    """The exact-stratum columns. A stratum id is not computed in the engine (an id numbered
    on one engine need not match another's); number the distinct combinations in Python, e.g.
    in sorted order."""
    base = ("stratum_period", "sex", "age_band")
    return (*base, "municipality") if spec.municipality_stratum else base


def person_columns() -> tuple[str, ...]:
    out = ["age"]
    for attribute, levels in CATEGORIES.items():
        out += [f"{attribute}_{suffix}" for suffix, _ in levels]
        out.append(f"{attribute}_unknown")
    return tuple(out)


def trajectory_columns(spec: CovariateSpec) -> tuple[str, ...]:
    return tuple(f"{m}_{window_suffix(w)}" for m in spec.metrics for w in spec.windows)


def labour_columns(spec: CovariateSpec) -> tuple[str, ...]:
    return tuple(f"weeks_{name}_{spec.labour_months}m" for name, _ in spec.labour_groups)


def flag_columns(spec: CovariateSpec) -> tuple[str, ...]:
    return tuple(f"flag_{f.name}" for f in spec.flags)


def covariate_columns(spec: CovariateSpec) -> tuple[str, ...]:
    """Every numeric covariate column, in output order: person attributes, trajectory windows,
    ``recent_crisis``, labour-market weeks, comorbidity flags.

    The 0/1 levels of an attribute sum to 1, and the self-supporting weeks of the last 12
    months equal the sum of its trajectory windows there: drop one level per attribute (and
    mind such sums) before an unpenalised regression."""
    return (
        *person_columns(),
        *trajectory_columns(spec),
        "recent_crisis",
        *labour_columns(spec),
        *flag_columns(spec),
    )
