"""The payment rules applied to effect estimates: every krone traced from the estimate through
threshold, base, price, caps and guards to the amount.

Per rule r on metric m, for a period's cohort of N participants (effects per participant over
the period's window, as the evaluation engine estimates them):

    avoided      Δ = −att·N for a metric that should fall (+att·N for one that should rise),
                 with its interval [L, U] from the estimate's interval
    counterfactual C = (what the participants would have had without the programme)·N
    threshold    T = θ·C (relative), θ (absolute units), or z₁₋α·se·N (noise: the effect that
                 noise alone exceeds with probability α); met when Δ ≥ T and Δ > 0
    base         first_krone: Δ · excess: Δ − T · lower_bound: max(L, 0) · tiers: Δ at the price
                 of the highest tier whose relative effect Δ / C reaches · rate_card: the number
                 of participants with the outcome (no counterfactual)
    unit price   price · share · index factor
    amount       base · unit price, rounded to the øre; at least the floor once the threshold is
                 met, at most the cap and per-person cap · N; 0 when a guard withholds it
    then         each payer's cap (the payer's rules scaled down pro rata) and the total cap
                 (the payers scaled down pro rata), in whole øre that add up exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from statistics import NormalDist

from broen.analytics._exceptions import BroenError
from broen.analytics._privacy import SMALL_CELL
from broen.analytics.settlement._model import Contract, Guard, Metric, Period, Rule
from broen.analytics.settlement._money import UNITS, kroner, pro_rata, to_decimal, to_ore

FACTOR = Decimal("0.000001")


class SettlementError(BroenError):
    """The contract cannot be settled as asked (says which part and why)."""


@dataclass(frozen=True)
class Effect:
    """The estimate of one metric over one period's window for the period's cohort. ``att``,
    ``ci_low``, ``ci_high``, ``se`` and ``counterfactual`` are per participant, summed over
    the window's months, in the metric's unit; ``achieved`` counts the participants with a
    participant outcome (rate cards)."""

    metric: str
    n: int
    att: float = 0.0
    ci_low: float = 0.0
    ci_high: float = 0.0
    se: float = 0.0
    counterfactual: float = 0.0
    confidence: float = 0.95
    achieved: int | None = None


@dataclass(frozen=True)
class Step:
    """One line of a rule's trace: what (``key``), the value, and how it came about."""

    key: str
    value: str
    detail: str = ""


@dataclass(frozen=True)
class RuleLine:
    rule: str
    payer: str
    recipient: str
    metric: str
    n: int
    avoided: Decimal  # Δ, units (for a rate card: participants with the outcome)
    avoided_low: Decimal
    avoided_high: Decimal
    counterfactual: Decimal
    relative: Decimal | None  # Δ / C
    threshold: Decimal
    threshold_met: bool
    base: Decimal
    unit_price: Decimal
    before_caps: int  # øre
    after_rule_caps: int
    withheld_by: tuple[str, ...]
    after_payer_cap: int
    amount: int  # øre, after every cap: the entitlement of the period
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class GuardResult:
    guard: str
    metric: str
    moved: Decimal  # the share of the counterfactual by which the metric moved the wrong way
    moved_low: Decimal
    moved_high: Decimal
    tolerance: Decimal
    withheld: bool
    rules: tuple[str, ...]


@dataclass(frozen=True)
class PayerTotal:
    payer: str
    before_cap: int
    cap: int | None
    after_cap: int
    amount: int  # after the total cap


@dataclass(frozen=True)
class PeriodSettlement:
    period: str
    index_factor: Decimal
    lines: tuple[RuleLine, ...]
    guards: tuple[GuardResult, ...]
    payers: tuple[PayerTotal, ...]
    total_before_cap: int
    total_cap: int | None
    total: int


def index_factor(contract: Contract, period: Period) -> Decimal:
    """Prices in the base year's kroner → the period's year (1 without indexation)."""
    ix = contract.indexation
    if ix is None:
        return Decimal(1)
    year = period.index_year or period.end.year
    if ix.rate is not None:
        factor = (1 + ix.rate) ** (year - ix.base_year)
    else:
        if year not in ix.index or ix.base_year not in ix.index:
            raise SettlementError(
                f"indexation: no index for {year if year not in ix.index else ix.base_year}; "
                "add it to indexation.index"
            )
        factor = ix.index[year] / ix.index[ix.base_year]
    return Decimal(factor).quantize(FACTOR)


def apply_rules(
    contract: Contract, period_id: str, effects: Mapping[str, Effect]
) -> PeriodSettlement:
    """The period's entitlement per rule, payer and in total (``effects`` by metric id)."""
    period = contract.periods[period_id]
    factor = index_factor(contract, period)
    rules = [r for r in contract.rules if period_id in r.timing.periods]
    guards = tuple(
        _guard(g, contract.metrics[g.metric], _effect(effects, g.metric)) for g in contract.guards
    )
    withheld: dict[str, list[str]] = {}
    for g in guards:
        if g.withheld:
            for rule in g.rules or tuple(r.id for r in rules):
                withheld.setdefault(rule, []).append(g.guard)
    lines = [
        _rule_line(r, contract.metrics[r.outcome], _effect(effects, r.outcome), factor, withheld)
        for r in rules
    ]
    # Each payer's cap scales its rules down pro rata; the total cap then scales the payers.
    payers = list(dict.fromkeys(line.payer for line in lines))
    after_payer: dict[str, int] = {}
    totals = []
    for payer in payers:
        own = [i for i, line in enumerate(lines) if line.payer == payer]
        cap = contract.payer_caps.get(payer)
        scaled = pro_rata(
            [lines[i].after_rule_caps for i in own],
            to_ore(cap * factor) if cap is not None else sum(lines[i].after_rule_caps for i in own),
        )
        for i, value in zip(own, scaled, strict=True):
            after_payer[lines[i].rule] = value
        totals.append((payer, sum(lines[i].after_rule_caps for i in own), cap, sum(scaled)))
    total_cap = to_ore(contract.total_cap * factor) if contract.total_cap is not None else None
    payer_amounts = [t[3] for t in totals]
    capped = pro_rata(payer_amounts, total_cap if total_cap is not None else sum(payer_amounts))
    final: dict[str, int] = {}
    for (payer, *_), amount in zip(totals, capped, strict=True):
        own_rules = [line.rule for line in lines if line.payer == payer]
        scaled = pro_rata([after_payer[r] for r in own_rules], amount)
        final.update(zip(own_rules, scaled, strict=True))
    out_lines = tuple(_finish(line, after_payer[line.rule], final[line.rule]) for line in lines)
    return PeriodSettlement(
        period=period_id,
        index_factor=factor,
        lines=out_lines,
        guards=guards,
        payers=tuple(
            PayerTotal(
                payer=payer,
                before_cap=before,
                cap=to_ore(cap * factor) if cap is not None else None,
                after_cap=after,
                amount=amount,
            )
            for (payer, before, cap, after), amount in zip(totals, capped, strict=True)
        ),
        total_before_cap=sum(payer_amounts),
        total_cap=total_cap,
        total=sum(capped),
    )


def _effect(effects: Mapping[str, Effect], metric: str) -> Effect:
    if metric not in effects:
        raise SettlementError(f"no estimate of metric '{metric}' for this period")
    effect = effects[metric]
    if effect.n < SMALL_CELL:
        raise SettlementError(
            f"metric '{metric}': {effect.n} participants in the period's cohort, fewer than "
            f"{SMALL_CELL}; a settlement on so few would show a person's outcome"
        )
    return effect


def _signed(metric: Metric) -> int:
    """+1 when a fall is the improvement (costs, admissions), −1 when a rise is (weeks in work)."""
    return 1 if metric.direction == "decrease" else -1


def _units(value: float, n: int) -> Decimal:
    return (to_decimal(value) * n).quantize(UNITS)


def _improvement(metric: Metric, effect: Effect) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """Δ, L, U (units of improvement for the cohort) and the counterfactual C."""
    s, n = _signed(metric), effect.n
    att, low, high = _units(effect.att, n), _units(effect.ci_low, n), _units(effect.ci_high, n)
    if s == 1:
        delta, lower, upper = -att, -high, -low
    else:
        delta, lower, upper = att, low, high
    return delta, lower, upper, _units(effect.counterfactual, n)


def _guard(guard: Guard, metric: Metric, effect: Effect) -> GuardResult:
    delta, lower, upper, cf = _improvement(metric, effect)
    if cf <= 0:
        raise SettlementError(
            f"guard '{guard.id}': the counterfactual of '{metric.id}' is {cf}; a guard needs a "
            "positive level to measure a change against"
        )
    moved, moved_low, moved_high = (
        (-x / cf).quantize(FACTOR) for x in (delta, upper, lower)
    )  # worsening: −improvement; its interval runs from −U to −L
    beyond = moved_low if guard.evidence == "significant" else moved
    return GuardResult(
        guard=guard.id,
        metric=metric.id,
        moved=moved,
        moved_low=moved_low,
        moved_high=moved_high,
        tolerance=guard.tolerance,
        withheld=beyond > guard.tolerance,
        rules=guard.rules,
    )


def _rule_line(
    rule: Rule,
    metric: Metric,
    effect: Effect,
    factor: Decimal,
    withheld: Mapping[str, list[str]],
) -> RuleLine:
    a = rule.amount
    steps: list[Step] = []
    n = effect.n
    if a.base == "rate_card":
        if effect.achieved is None:
            raise SettlementError(f"rule '{rule.id}': no count of '{metric.id}' for a rate card")
        delta = lower = upper = Decimal(effect.achieved)
        cf, relative = Decimal(0), None
        steps.append(Step("achieved", str(delta), f"participants with {metric.outcome}, of {n}"))
    else:
        delta, lower, upper, cf = _improvement(metric, effect)
        relative = (delta / cf).quantize(FACTOR) if cf > 0 else None
        steps.append(
            Step(
                "estimate",
                f"{to_decimal(effect.att)}",
                f"per participant over the window, {effect.confidence:.0%} interval "
                f"{to_decimal(effect.ci_low)} to {to_decimal(effect.ci_high)}, N = {n}",
            )
        )
        steps.append(Step("avoided", str(delta), f"interval {lower} to {upper} ({metric.unit})"))
        steps.append(Step("counterfactual", str(cf), f"relative effect {relative}"))
    threshold = _threshold(rule, cf, effect, steps)
    met = delta > 0 and delta >= threshold
    steps.append(Step("threshold", str(threshold), "met" if met else "not met"))
    price = a.price
    if not met:
        base = Decimal(0)
    elif a.base == "excess":
        base = delta - threshold
    elif a.base == "lower_bound":
        base = max(lower, Decimal(0))
    elif a.base == "tiers":
        reached = [t for t in a.tiers if relative is not None and relative >= t.at_least]
        base = delta if reached else Decimal(0)
        price = reached[-1].price if reached else Decimal(0)
        steps.append(
            Step(
                "tier",
                str(reached[-1].at_least) if reached else "none",
                f"price {price} per {metric.unit}",
            )
        )
    else:  # first_krone, rate_card
        base = delta
    steps.append(Step("base", str(base), a.base))
    unit_price = (price * a.share * factor).quantize(FACTOR)
    steps.append(Step("unit_price", str(unit_price), f"{price} × share {a.share} × index {factor}"))
    before = to_ore(base * unit_price)
    steps.append(Step("before_caps", str(kroner(before)), "base × unit price"))
    amount = before
    if met and a.floor > 0 and amount < to_ore(a.floor * factor):
        amount = to_ore(a.floor * factor)
        steps.append(Step("floor", str(kroner(amount)), "raised to the floor"))
    if a.cap is not None and amount > to_ore(a.cap * factor):
        amount = to_ore(a.cap * factor)
        steps.append(Step("cap", str(kroner(amount)), "cut to the rule's cap"))
    if a.per_person_cap is not None and amount > to_ore(a.per_person_cap * factor * n):
        amount = to_ore(a.per_person_cap * factor * n)
        steps.append(Step("per_person_cap", str(kroner(amount)), f"cap per person × {n}"))
    guards = tuple(withheld.get(rule.id, ()))
    if guards:
        amount = 0
        steps.append(Step("withheld", "0.00", "guard: " + ", ".join(guards)))
    return RuleLine(
        rule=rule.id,
        payer=rule.payer,
        recipient=rule.recipient,
        metric=metric.id,
        n=n,
        avoided=delta,
        avoided_low=lower,
        avoided_high=upper,
        counterfactual=cf,
        relative=relative,
        threshold=threshold,
        threshold_met=met,
        base=base,
        unit_price=unit_price,
        before_caps=before,
        after_rule_caps=amount,
        withheld_by=guards,
        after_payer_cap=amount,
        amount=amount,
        steps=tuple(steps),
    )


def _threshold(rule: Rule, cf: Decimal, effect: Effect, steps: list[Step]) -> Decimal:
    t = rule.amount.threshold
    if t.kind == "relative":
        return (t.value * cf).quantize(UNITS)
    if t.kind == "absolute":
        return t.value
    if t.kind == "noise":
        z = Decimal(repr(NormalDist().inv_cdf(1 - float(t.value)))).quantize(FACTOR)
        se = _units(effect.se, effect.n)
        steps.append(Step("noise", str(z), f"z for one-sided {t.value}, SE of the total {se}"))
        return (z * se).quantize(UNITS)
    return Decimal(0)


def _finish(line: RuleLine, after_payer: int, amount: int) -> RuleLine:
    steps = list(line.steps)
    if after_payer != line.after_rule_caps:
        steps.append(Step("payer_cap", str(kroner(after_payer)), "scaled to the payer's cap"))
    if amount != after_payer:
        steps.append(Step("total_cap", str(kroner(amount)), "scaled to the total cap"))
    steps.append(Step("amount", str(kroner(amount)), ""))
    return replace(line, after_payer_cap=after_payer, amount=amount, steps=tuple(steps))
