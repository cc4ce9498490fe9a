"""The investors' side: outcome payments distributed down a waterfall of tranches, and each
investor's cash flows, XIRR (pyxirr), multiple on invested capital and INDIGO repayment class.

Each payment, on its date, pays in the tranches' order:

- ``fee``: what is left of the fee (a manager's or intermediary's fixed sum; no capital);
- ``loan``: interest accrued on the outstanding principal (simple, ``rate`` a year, actual/365
  from the drawdown or the last payment), then principal;
- ``residual``: ``share`` of whatever is left (a first-loss or equity tranche's upside; the rest
  stays with the provider).

All in whole øre; each payment is used up exactly (what no tranche takes stays with the
provider). Capital goes in at each tranche's drawdown date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from broen.analytics.settlement._ledger import Entry
from broen.analytics.settlement._model import Contract, Tranche
from broen.analytics.settlement._money import to_ore


@dataclass
class _State:
    tranche: Tranche
    principal: int  # øre outstanding (loan) or fee left (fee)
    accrued_from: date | None
    interest_paid: int = 0
    principal_paid: int = 0
    residual_paid: int = 0


@dataclass(frozen=True)
class TrancheResult:
    tranche: str
    investor: str
    kind: str
    committed: int  # øre
    interest_paid: int
    principal_paid: int
    residual_paid: int
    outstanding: int  # principal (or fee) not repaid

    @property
    def received(self) -> int:
        return self.interest_paid + self.principal_paid + self.residual_paid


@dataclass(frozen=True)
class InvestorResult:
    investor: str
    invested: int  # øre of capital in (loans and residual tranches)
    received: int
    flows: list[tuple[date, int]] = field(default_factory=list)  # − in, + out, by date
    xirr: float | None = None  # None when undefined (nothing back, or no capital)
    moic: float | None = None
    repayment: str = "none"  # INDIGO investor_repayment


@dataclass(frozen=True)
class Waterfall:
    tranches: tuple[TrancheResult, ...]
    investors: tuple[InvestorResult, ...]
    to_provider: int  # øre no tranche took
    paid_in: int
    clawback_owed: int  # øre of clawbacks no later payment covered (owed by the recipient)


def run_waterfall(
    tranches: Sequence[Tranche], payments: Sequence[tuple[date, int]], start: date
) -> Waterfall:
    """Distribute ``payments`` (date, øre) down ``tranches``; ``start`` is the drawdown date of
    tranches without one. A negative payment (a clawback) is owed back by the recipient and
    taken out of the next payments before anything is distributed; what no later payment
    covers is reported as ``clawback_owed``."""
    states = [
        _State(t, to_ore(t.amount), (t.drawn or start) if t.kind == "loan" else None)
        for t in tranches
    ]
    received: dict[tuple[str, date], int] = {}

    def pay(s: _State, day: date, ore: int) -> None:
        key = (s.tranche.investor, day)
        received[key] = received.get(key, 0) + ore

    to_provider = 0
    owed = 0
    for day, amount in sorted(payments):
        cash = amount - owed
        owed = max(-cash, 0)
        cash = max(cash, 0)
        for s in states:
            t = s.tranche
            if t.kind == "fee":
                take = min(cash, s.principal)
                s.principal -= take
                s.principal_paid += take
            elif t.kind == "loan":
                interest = _interest(s.principal, t.rate, s.accrued_from or day, day)
                paid_interest = min(cash, interest)
                s.interest_paid += paid_interest
                repay = min(cash - paid_interest, s.principal)
                s.principal -= repay
                s.principal_paid += repay
                take = paid_interest + repay
                # simple interest: what a payment could not cover keeps accruing from the
                # last date it was paid in full
                if paid_interest == interest:
                    s.accrued_from = day
            else:
                continue
            cash -= take
            pay(s, day, take)
        for s in states:
            if s.tranche.kind == "residual" and cash > 0:
                take = int((Decimal(cash) * s.tranche.share).to_integral_value(ROUND_FLOOR))
                s.residual_paid += take
                cash -= take
                pay(s, day, take)
        to_provider += cash
    results = tuple(
        TrancheResult(
            tranche=s.tranche.id,
            investor=s.tranche.investor,
            kind=s.tranche.kind,
            committed=to_ore(s.tranche.amount),
            interest_paid=s.interest_paid,
            principal_paid=s.principal_paid,
            residual_paid=s.residual_paid,
            outstanding=s.principal if s.tranche.kind != "residual" else 0,
        )
        for s in states
    )
    return Waterfall(
        tranches=results,
        investors=tuple(_investors(tranches, received, start)),
        to_provider=to_provider,
        paid_in=sum(a for _, a in payments),
        clawback_owed=owed,
    )


def _interest(principal: int, rate: Decimal, since: date, until: date) -> int:
    days = max((until - since).days, 0)
    return int((Decimal(principal) * rate * days / 365).to_integral_value(ROUND_FLOOR))


def _investors(
    tranches: Sequence[Tranche], received: dict[tuple[str, date], int], start: date
) -> list[InvestorResult]:
    from pyxirr import InvalidPaymentsError, xirr

    out = []
    for investor in dict.fromkeys(t.investor for t in tranches):
        flows: dict[date, int] = {}
        invested = 0
        for t in tranches:
            if t.investor == investor and t.kind != "fee":
                day = t.drawn or start
                flows[day] = flows.get(day, 0) - to_ore(t.amount)
                invested += to_ore(t.amount)
        back = 0
        for (who, day), ore in received.items():
            if who == investor and ore:
                flows[day] = flows.get(day, 0) + ore
                back += ore
        dated = sorted(flows.items())
        rate: float | None = None
        if invested and back:
            try:
                value = xirr([d for d, _ in dated], [a / 100 for _, a in dated])
                rate = None if value is None else float(value)
            except InvalidPaymentsError:
                rate = None
        out.append(
            InvestorResult(
                investor=investor,
                invested=invested,
                received=back,
                flows=dated,
                xirr=rate,
                moic=back / invested if invested else None,
                repayment=_repayment(invested, back),
            )
        )
    return out


def _repayment(invested: int, received: int) -> str:
    """INDIGO's investor_repayment class; within one krone counts as the principal exactly."""
    if invested == 0:
        return "no capital"  # a fee tranche: nothing to repay
    if received == 0:
        return "none"
    if received < invested - 100:
        return "some"
    if received <= invested + 100:
        return "principal only"
    return "principal + return"


def ledger_payments(contract: Contract, entries: Sequence[Entry]) -> list[tuple[date, int]]:
    """The outcome payments the ledger made due, by due date (a period's end plus each rule's
    days), summed per date: what flows into the waterfall."""
    rules = {r.id: r for r in contract.rules}
    by_day: dict[date, int] = {}
    for e in entries:
        end = contract.periods[e.period].end
        for rule, ore in e.due.items():
            if rule in rules and ore:
                day = end + timedelta(days=rules[rule].timing.days_after_period)
                by_day[day] = by_day.get(day, 0) + ore
    return sorted(by_day.items())


def contract_start(contract: Contract) -> date:
    """The default drawdown date: the first month of the first cohort."""
    return min(c.first for c in contract.cohorts.values())


def waterfall_document(contract: Contract, waterfall: Waterfall) -> dict[str, Any]:
    """The waterfall as JSON: per tranche and per investor, in øre, with XIRR and MOIC."""
    return {
        "paid_in_ore": waterfall.paid_in,
        "to_provider_ore": waterfall.to_provider,
        "clawback_owed_ore": waterfall.clawback_owed,
        "tranches": [
            {
                "tranche": t.tranche,
                "investor": t.investor,
                "kind": t.kind,
                "committed_ore": t.committed,
                "interest_paid_ore": t.interest_paid,
                "principal_paid_ore": t.principal_paid,
                "residual_paid_ore": t.residual_paid,
                "outstanding_ore": t.outstanding,
            }
            for t in waterfall.tranches
        ],
        "investors": [
            {
                "investor": i.investor,
                "name": contract.parties[i.investor].name,
                "invested_ore": i.invested,
                "received_ore": i.received,
                "loss_ore": max(i.invested - i.received, 0),
                "xirr": None if i.xirr is None else round(i.xirr, 6),
                "moic": None if i.moic is None else round(i.moic, 6),
                "investor_repayment": i.repayment,
                "flows": [{"date": d.isoformat(), "ore": a} for d, a in i.flows],
            }
            for i in waterfall.investors
        ],
    }
