"""An outcome contract as data: the parties, the cohort, the metrics, the payment rules and the
caps, as :func:`load_contract` reads them from YAML (validated against the published JSON
Schema, ``schema/contract-v1.json``).

Amounts of money are :class:`~decimal.Decimal` kroner (exact: a contract's terms are never
floats); effects are the evaluation engine's estimates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Base = Literal["first_krone", "excess", "lower_bound", "tiers", "rate_card"]
Direction = Literal["decrease", "increase"]
ROLES = ("payer", "investor", "provider", "validator", "outcome_funder")


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Amendment:
    version: int
    date: date
    reason: str
    change: str


@dataclass(frozen=True)
class Cohort:
    """Participants whose index month lies in [first, last] (months as ``date`` of the 1st)."""

    id: str
    first: date
    last: date


@dataclass(frozen=True)
class Metric:
    """An outcome the contract pays for or guards: a panel metric estimated against the
    counterfactual, or a participant outcome counted among the participants (``participant``:
    e.g. completed the course), which a rate card prices without a comparison."""

    id: str
    outcome: str
    kind: Literal["counterfactual", "participant"]
    direction: Direction
    unit: str  # what one unit is, e.g. "sengedag", "kr.", "forløb"
    money: bool  # kroner: the price is the share of each krone saved
    # A participant measure (weight_kg, hba1c_mmol_mol…): a participant counts who changed by
    # ``change`` (relative, −0.05 = 5 % less) or more in the metric's direction by ``month``.
    change: Decimal | None = None
    month: int | None = None


@dataclass(frozen=True)
class Threshold:
    """The minimum effect before anything is paid: a share of the counterfactual
    (``relative``, Peterborough's 7.5 %), a number of units (``absolute``), or the effect that
    noise alone would exceed with probability ``noise`` (one-sided: MSSP's minimum savings
    rate, derived from the estimate's standard error and so from the sample size)."""

    kind: Literal["none", "relative", "absolute", "noise"]
    value: Decimal = Decimal(0)


@dataclass(frozen=True)
class Tier:
    """From a relative effect of ``at_least`` (0.10 = 10 % of the counterfactual) on, each unit
    avoided is paid ``price`` (Massachusetts' bed-day levels)."""

    at_least: Decimal
    price: Decimal


@dataclass(frozen=True)
class Amount:
    base: Base
    threshold: Threshold = Threshold("none")
    price: Decimal = Decimal(1)  # per unit (for money metrics: per krone, before the share)
    share: Decimal = Decimal(1)  # share of the saving passed on
    tiers: tuple[Tier, ...] = ()
    cap: Decimal | None = None
    floor: Decimal = Decimal(0)  # the least paid once the threshold is met
    per_person_cap: Decimal | None = None  # times the persons of the period's cohort


@dataclass(frozen=True)
class Timing:
    periods: tuple[str, ...]
    days_after_period: int


@dataclass(frozen=True)
class Evidence:
    source: str
    validator: str  # party id


@dataclass(frozen=True)
class Rule:
    """One payment rule with the seven elements a payment rule needs (GO Lab): who pays
    (``payer``), how much (``amount``), to whom (``recipient``), for whom (``who``: cohort ids),
    for what (``outcome``: a metric id), on what evidence, and when (``timing``)."""

    id: str
    payer: str
    recipient: str
    who: tuple[str, ...]
    outcome: str
    amount: Amount
    evidence: Evidence
    timing: Timing
    line: int = 0


@dataclass(frozen=True)
class Guard:
    """Payment is withheld when ``metric`` moves the wrong way: the point estimate beyond
    ``tolerance`` (a share of the counterfactual), or (``evidence: significant``) the whole
    interval beyond it."""

    id: str
    metric: str
    evidence: Literal["point", "significant"]
    tolerance: Decimal
    rules: tuple[str, ...]  # the rules it withholds; all when empty


@dataclass(frozen=True)
class Period:
    id: str
    window: tuple[int, int]  # months since the index month, inclusive
    cohorts: tuple[str, ...]
    end: date  # when the period's outcomes are complete
    index_year: int | None = None  # the price index year (default: the year of ``end``)
    # Earlier periods whose payments this one's entitlement includes: it pays the difference.
    trues_up: tuple[str, ...] = ()


@dataclass(frozen=True)
class Indexation:
    """Prices are stated in ``base_year`` kroner and paid in the period's year: multiplied by
    index[year] / index[base_year], or by (1 + rate) per year."""

    base_year: int
    index: dict[int, Decimal] = field(default_factory=dict)
    rate: Decimal | None = None


@dataclass(frozen=True)
class Outliers:
    method: Literal["none", "winsorise", "truncate"] = "none"
    percentile: Decimal = Decimal(99)


@dataclass(frozen=True)
class Blend:
    estimator: Literal["matched_did", "event_study"]
    weight: Decimal


@dataclass(frozen=True)
class Tranche:
    """A tranche of the investors' capital stack, paid in ``rank`` order from the outcome
    payments: ``fee`` (a fixed sum), ``principal`` then ``return`` at ``rate`` a year, or
    ``residual`` (the rest, e.g. a first-loss grant's share)."""

    id: str
    investor: str
    kind: Literal["fee", "loan", "residual"]
    amount: Decimal  # committed capital (fee: the fee)
    rate: Decimal = Decimal(0)  # yearly return on the principal, simple
    drawn: date | None = None
    share: Decimal = Decimal(1)  # residual: the share of what is left


@dataclass(frozen=True)
class Contract:
    id: str
    title: str
    version: int
    illustrative: bool
    currency: str
    parties: dict[str, Party]
    programme: str
    index: Literal["start_date", "referral_date"]
    cohorts: dict[str, Cohort]
    evaluation: str  # evaluation config: a shipped programme id or a path
    blend: tuple[Blend, ...]
    metrics: dict[str, Metric]
    periods: dict[str, Period]
    rules: tuple[Rule, ...]
    guards: tuple[Guard, ...]
    payer_caps: dict[str, Decimal]
    total_cap: Decimal | None
    clawback: bool
    outliers: Outliers
    indexation: Indexation | None
    tranches: tuple[Tranche, ...]
    amendments: tuple[Amendment, ...]
    termination: Literal["completed_cohorts", "none"]
    source: str = ""
    sha256: str = ""  # of the file's bytes: the content a settlement ran on
