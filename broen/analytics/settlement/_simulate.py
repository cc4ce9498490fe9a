"""``broen contract simulate``: the dry run before signing ("prøvehandling").

The contract's evaluation runs once per group of periods with the same cohorts, on historic or
synthetic data, with a :class:`~broen.analytics.evaluation.Replication`: the matched sets are
redrawn (with replacement, as many as recruited or a share of them for a recruitment shortfall),
and each draw gives each window's estimate. For a true effect θ (a relative improvement of
every paid metric; guard metrics at no change), a draw's estimate is recentred on it:

    estimate = draw − estimate on all sets + θ-effect,   θ-effect = ∓θ · counterfactual level

with the standard error scaled to the drawn number of sets (se · √(n / n_drawn)) and a normal
interval. Participant outcomes (rate cards) are drawn binomially at the observed rate. Each
draw is settled by the contract's rules period by period (the ledger's netting, clawback as
the contract says), and the payments run down the investors' waterfall. What comes out:
payments per payer and investor returns over the draws, the probability of paying for no
effect and of not paying for a real one. Aggregates only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from statistics import NormalDist

import numpy as np

from broen.analytics.evaluation import Evaluation, Replication, evaluate
from broen.analytics.settlement._ledger import Entry, paid_before
from broen.analytics.settlement._model import Contract
from broen.analytics.settlement._rules import Effect, SettlementError, apply_rules
from broen.analytics.settlement._settle import contract_config, period_effects
from broen.analytics.settlement._waterfall import contract_start, run_waterfall

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ScenarioResult:
    """One true effect and recruitment share over all draws (øre per draw)."""

    effect: float
    share: float
    participants: int  # matched participants per draw (the first period's)
    payers: dict[str, np.ndarray]
    total: np.ndarray
    on_effect: np.ndarray  # what the rules on effects paid (all but rate cards)
    rule_paid: dict[str, float]  # share of draws in which the rule paid anything, net
    investors: dict[str, dict[str, np.ndarray]]  # investor -> received, xirr, moic
    invested: dict[str, int]


@dataclass(frozen=True)
class DryRun:
    contract: Contract
    draws: int
    seed: int
    scenarios: tuple[ScenarioResult, ...]
    allowed: dict[str, float | None]  # rule -> the share of draws its threshold lets pay at 0
    evaluations: dict[str, Evaluation]  # period -> the evaluation it rests on


def allowed_share(contract: Contract, rule_id: str, confidence: float) -> float | None:
    """How often a rule may pay when the programme has no effect, by its own terms: a noise
    threshold's α, the lower bound's (1 − confidence) / 2, one half with no threshold (any
    estimate below zero is an 'improvement'); None where it depends on the data (a relative or
    absolute threshold) or on no comparison (a rate card)."""
    rule = next(r for r in contract.rules if r.id == rule_id)
    a = rule.amount
    if a.base == "rate_card":
        return None
    if a.base == "lower_bound":
        return (1 - confidence) / 2
    if a.threshold.kind == "noise":
        return float(a.threshold.value)
    if a.threshold.kind == "none":
        return 0.5
    return None


def simulate_contract(
    contract: Contract,
    *,
    warehouse: Path | None = None,
    engine: str = "duckdb",
    effects: Sequence[float] = (0.0, 0.05, 0.10, 0.20),
    shares: Sequence[float] = (1.0, 0.75, 0.5),
    draws: int = 200,
    seed: int = 0,
    progress: Progress | None = None,
) -> DryRun:
    if draws < 10:
        raise SettlementError("a dry run needs at least 10 draws")
    if any(not 0 < s <= 1 for s in shares):
        raise SettlementError("recruitment shares must lie in (0, 1]")
    say = progress or (lambda _: None)
    replication = Replication(shares=tuple(shares), draws=draws, seed=seed)
    evaluations: dict[str, Evaluation] = {}
    groups: dict[tuple[str, ...], list[str]] = {}
    for pid, period in contract.periods.items():
        groups.setdefault(period.cohorts, []).append(pid)
    for cohorts, pids in groups.items():
        say(f"evaluating cohorts {', '.join(cohorts)}")
        config, _ = contract_config(contract, pids[0])
        windows = tuple(
            dict.fromkeys([*config.outcomes.windows, *(contract.periods[p].window for p in pids)])
        )
        last = max(config.outcomes.last_month, *(w[1] for w in windows))
        config = replace(
            config, outcomes=replace(config.outcomes, windows=windows, last_month=last)
        )
        evaluation = evaluate(
            contract.programme,
            config=config,
            warehouse=warehouse,
            engine=engine,
            replication=replication,
        )
        for p in pids:
            evaluations[p] = evaluation
    base = {
        p: period_effects(contract, contract.periods[p], e, warehouse, engine)
        for p, e in evaluations.items()
    }
    order = _period_order(contract)
    rng = np.random.default_rng(seed)
    scenarios = []
    for share in shares:
        for theta in effects:
            say(f"settling {draws} draws: effect {theta:.0%}, recruitment {share:.0%}")
            scenarios.append(
                _scenario(contract, evaluations, base, order, theta, share, draws, rng)
            )
    confidence = next(iter(evaluations.values())).config.bootstrap.confidence
    return DryRun(
        contract=contract,
        draws=draws,
        seed=seed,
        scenarios=tuple(scenarios),
        allowed={r.id: allowed_share(contract, r.id, confidence) for r in contract.rules},
        evaluations=evaluations,
    )


def _period_order(contract: Contract) -> list[str]:
    """Periods so that each comes after the periods it trues up."""
    done: list[str] = []
    while len(done) < len(contract.periods):
        for pid, p in contract.periods.items():
            if pid not in done and all(q in done for q in p.trues_up):
                done.append(pid)
                break
        else:
            raise SettlementError("the periods' trues_up form a cycle")
    return done


def _scenario(
    contract: Contract,
    evaluations: dict[str, Evaluation],
    base: dict[str, dict[str, Effect]],
    order: list[str],
    theta: float,
    share: float,
    draws: int,
    rng: np.random.Generator,
) -> ScenarioResult:
    paid_metrics = {r.outcome for r in contract.rules}
    rules = {r.id: r for r in contract.rules}
    payers = list(dict.fromkeys(r.payer for r in contract.rules))
    by_payer = {p: np.zeros(draws, dtype=np.int64) for p in payers}
    rule_total = {r.id: np.zeros(draws, dtype=np.int64) for r in contract.rules}
    investors = list(dict.fromkeys(t.investor for t in contract.tranches))
    received = {i: np.zeros(draws) for i in investors}
    xirr = {i: np.full(draws, np.nan) for i in investors}
    moic = {i: np.full(draws, np.nan) for i in investors}
    invested: dict[str, int] = {}
    rates = {
        (p, mid): (e.achieved or 0) / e.n
        for p, effs in base.items()
        for mid, e in effs.items()
        if e.achieved is not None and e.n
    }
    first = evaluations[order[0]]
    z_of: dict[float, float] = {}  # the normal quantile of each confidence level
    participants = first.replicate_sets.get(share, 0)
    for d in range(draws):
        entries: list[Entry] = []
        payments: dict[date, int] = {}
        for pid in order:
            period = contract.periods[pid]
            ev = evaluations[pid]
            n_drawn = ev.replicate_sets[share]
            effects = {}
            for mid, e in base[pid].items():
                metric = contract.metrics[mid]
                if metric.kind == "participant":
                    n = max(1, round(share * e.n))
                    achieved = int(rng.binomial(n, rates.get((pid, mid), 0.0)))
                    effects[mid] = replace(e, n=n, achieved=achieved)
                    continue
                drawn = float(ev.replicates[metric.outcome][share][period.window][d])
                sign = -1.0 if metric.direction == "decrease" else 1.0
                target = sign * theta * e.counterfactual if mid in paid_metrics else 0.0
                att = drawn - e.att + target if np.isfinite(drawn) else 0.0
                se = e.se * float(np.sqrt(e.n / max(n_drawn, 1)))
                if e.confidence not in z_of:
                    z_of[e.confidence] = NormalDist().inv_cdf((1 + e.confidence) / 2)
                z = z_of[e.confidence]
                effects[mid] = replace(
                    e, n=n_drawn, att=att, ci_low=att - z * se, ci_high=att + z * se, se=se
                )
            try:
                result = apply_rules(contract, pid, effects)
            except SettlementError:
                continue  # too few participants drawn: nothing can be settled
            before = paid_before(entries, contract, pid, "final")
            due = {}
            for line in result.lines:
                net = line.amount - before.get(line.rule, 0)
                due[line.rule] = net if net >= 0 or contract.clawback else 0
            entries.append(Entry(pid, "final", pid, contract.version, contract.sha256, {}, due))
            for line in result.lines:
                ore = due[line.rule]
                by_payer[line.payer][d] += ore
                rule_total[line.rule][d] += ore
                day = period.end + timedelta(days=rules[line.rule].timing.days_after_period)
                payments[day] = payments.get(day, 0) + ore
        if contract.tranches:
            w = run_waterfall(contract.tranches, sorted(payments.items()), contract_start(contract))
            for inv in w.investors:
                invested[inv.investor] = inv.invested
                received[inv.investor][d] = inv.received
                xirr[inv.investor][d] = np.nan if inv.xirr is None else inv.xirr
                moic[inv.investor][d] = np.nan if inv.moic is None else inv.moic
    total = sum(by_payer.values(), np.zeros(draws, dtype=np.int64))
    card = {r.id for r in contract.rules if r.amount.base == "rate_card"}
    on_effect = sum(
        (v for r, v in rule_total.items() if r not in card), np.zeros(draws, dtype=np.int64)
    )
    return ScenarioResult(
        effect=theta,
        share=share,
        participants=participants,
        payers=by_payer,
        total=total,
        on_effect=on_effect,
        rule_paid={r: float(np.mean(v > 0)) for r, v in rule_total.items()},
        investors={
            i: {"received": received[i], "xirr": xirr[i], "moic": moic[i]} for i in investors
        },
        invested=invested,
    )
