"""``broen settle``: a period of a contract settled on the warehouse.

The contract's evaluation config runs with the contract's cohorts, index, metrics, window and
outlier policy (the evaluation's effects.json and report.html are kept beside the statement as
its evidence); the rules turn the estimates into amounts; the ledger nets what was paid before.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from broen import __version__
from broen.analytics._warehouse import connect
from broen.analytics.evaluation import (
    Estimate,
    Evaluation,
    EvaluationConfig,
    Outliers,
    evaluate_programme,
    load_config,
    main_window,
    measure_pairs,
    shipped_config,
)
from broen.analytics.settlement._ledger import Entry, paid_before, read_ledger
from broen.analytics.settlement._model import Contract, Metric, Period
from broen.analytics.settlement._rules import Effect, PeriodSettlement, SettlementError, apply_rules

STATUSES = ("provisional", "final")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class SettlementRun:
    """What a settlement run produced: the rules' result, what each rule was paid before and
    is due now, the evaluation it rests on, and the facts that make it reproducible."""

    contract: Contract
    period: Period
    status: str
    settlement: PeriodSettlement
    paid_before: dict[str, int]
    due: dict[str, int]
    evaluation: Evaluation
    effects: dict[str, Effect]
    cohorts: tuple[str, ...]
    terminated_on: date | None
    warehouse_sha256: str
    batches: tuple[str, ...]
    code_version: str
    folder: Path

    def entry(self) -> Entry:
        """The ledger entry of this statement."""
        return Entry(
            period=self.period.id,
            status=self.status,
            folder=self.folder.name,
            contract_version=self.contract.version,
            contract_sha256=self.contract.sha256,
            entitlement={line.rule: line.amount for line in self.settlement.lines},
            due=self.due,
        )


def contract_config(
    contract: Contract, period_id: str, terminated_on: date | None = None
) -> tuple[EvaluationConfig, tuple[str, ...]]:
    """The evaluation config a period runs (and the cohorts it settles): the contract's named
    config with its cohorts' index months, its index, the metrics its rules and guards need,
    the period's window and the outlier policy."""
    period = contract.periods[period_id]
    cohorts = _cohorts(contract, period, terminated_on)
    base = load_config(_config_path(contract), contract.programme)
    counterfactual = [m for m in contract.metrics.values() if m.kind == "counterfactual"]
    outcomes = [m.outcome for m in counterfactual]
    windows = tuple(dict.fromkeys([*base.outcomes.windows, period.window]))
    last = max(base.outcomes.last_month, period.window[1])
    config = replace(
        base,
        index=contract.index,
        outcomes=replace(
            base.outcomes,
            metrics=tuple(dict.fromkeys(outcomes)) or base.outcomes.metrics,
            windows=tuple(w for w in windows if w[1] <= last),
            last_month=last,
        ),
        cohorts=tuple((contract.cohorts[c].first, contract.cohorts[c].last) for c in cohorts),
        outliers=Outliers(contract.outliers.method, float(contract.outliers.percentile)),
    )
    return config, cohorts


def _config_path(contract: Contract) -> Path | None:
    name = contract.evaluation
    if shipped_config(name) is not None:
        return shipped_config(name)
    path = Path(name)
    if not path.is_absolute() and contract.source:
        path = Path(contract.source).parent / path
    if not path.is_file():
        raise SettlementError(
            f"counterfactual.evaluation: '{name}' is neither a shipped evaluation config nor a "
            f"file ({path})"
        )
    return path


def _cohorts(contract: Contract, period: Period, terminated_on: date | None) -> tuple[str, ...]:
    """The period's cohorts; after an early termination, those whose every participant's
    window had ended by the termination date (the contract must provide for it)."""
    if terminated_on is None:
        return period.cohorts
    if contract.termination != "completed_cohorts":
        raise SettlementError(
            "the contract has no termination clause (termination: completed_cohorts); a "
            "partial settlement needs one"
        )
    done = []
    for c in period.cohorts:
        last = contract.cohorts[c].last
        ends = _add_months(last, period.window[1] + 1)  # the month after the last window month
        if ends <= terminated_on.replace(day=1):
            done.append(c)
    if not done:
        raise SettlementError(
            f"no cohort of period '{period.id}' completed its window by {terminated_on}"
        )
    return tuple(done)


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def period_effects(
    contract: Contract,
    period: Period,
    evaluation: Evaluation,
    warehouse: Path | None = None,
    engine: str = "duckdb",
) -> dict[str, Effect]:
    """Per metric id, the estimate over the period's window: the blend of the contract's
    estimators (weighted; the interval bounds and SE weighted too, i.e. as if the estimators
    were perfectly correlated: never narrower than the truth allows), the counterfactual
    level, and for participant outcomes the count among the analysable participants."""
    out: dict[str, Effect] = {}
    confidence = evaluation.config.bootstrap.confidence
    participants = evaluation.design.participants
    for mid, metric in contract.metrics.items():
        if metric.kind == "participant":
            achieved = _achieved(metric, participants, warehouse, engine)
            out[mid] = Effect(mid, n=len(participants), achieved=achieved, confidence=confidence)
            continue
        effect = evaluation.effects.get(metric.outcome) or evaluation.negative_controls.get(
            metric.outcome
        )
        if effect is None:
            raise SettlementError(f"the evaluation has no estimate of {metric.outcome}")
        did = effect.did
        estimates: list[tuple[Decimal, Estimate]] = []
        for blend in contract.blend:
            if blend.estimator == "matched_did":
                estimates.append((blend.weight, did.windows[period.window]))
            else:
                cross = evaluation.event_study.get(metric.outcome)
                main = main_window(evaluation.config)
                if cross is None or main != period.window:
                    raise SettlementError(
                        f"the event study estimates {metric.outcome} over the window {main} "
                        f"only{'' if cross else ' (not at all here)'}, not over period "
                        f"'{period.id}' {period.window}: blend it only into that window"
                    )
                estimates.append((blend.weight, cross))
        w = [float(x) for x, _ in estimates]
        value = sum(wi * e.value for wi, (_, e) in zip(w, estimates, strict=True))
        months = (did.months >= period.window[0]) & (did.months <= period.window[1])
        level = float(np.nansum(did.participant_mean[months])) - value
        out[mid] = Effect(
            metric=mid,
            n=int(did.windows[period.window].n),
            att=value,
            ci_low=sum(wi * e.ci_low for wi, (_, e) in zip(w, estimates, strict=True)),
            ci_high=sum(wi * e.ci_high for wi, (_, e) in zip(w, estimates, strict=True)),
            se=sum(wi * e.se for wi, (_, e) in zip(w, estimates, strict=True)),
            counterfactual=level,
            confidence=confidence,
        )
    return out


def _achieved(metric: Metric, participants: Any, warehouse: Path | None, engine: str) -> int:
    """Participants with the outcome: a completed course (its status), or a measure changed
    by ``metric.change`` or more in the metric's direction by ``metric.month`` (those not
    measured then do not count: the conservative reading)."""
    if metric.outcome == "completed":
        status = participants.get("status")
        return int((status == "completed").sum()) if status is not None else 0
    if metric.change is None or metric.month is None:
        raise SettlementError(f"metric '{metric.id}': a participant measure needs change and month")
    pairs = measure_pairs(warehouse, participants, metric.outcome, metric.month, engine)
    pairs = pairs[pairs["base"] > 0]
    relative = pairs["follow"] / pairs["base"] - 1
    target = float(metric.change)
    reached = relative <= target if metric.direction == "decrease" else relative >= target
    return int(reached.sum())


def warehouse_fingerprint(warehouse: Path | None) -> tuple[str, tuple[str, ...]]:
    """A hash of the warehouse's batches (their ids and their extracts' SHA-256) and the ids:
    the data a settlement used. A new batch changes it; the same batches give the same."""
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "SELECT batch_id, extract_sha256 FROM batches ORDER BY batch_id"
        ).fetchall()
    text = "\n".join(f"{b}\t{s}" for b, s in rows)
    return hashlib.sha256(text.encode()).hexdigest(), tuple(b for b, _ in rows)


def code_version() -> str:
    """The package version, and the git commit when Broen runs from a checkout."""
    root = Path(__file__).resolve().parents[3]
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{__version__}+{commit}" if commit else __version__


def settle(
    contract: Contract,
    period_id: str,
    out_dir: Path,
    *,
    status: str = "provisional",
    warehouse: Path | None = None,
    engine: str = "duckdb",
    terminated_on: date | None = None,
    language: str = "da",
    progress: Progress | None = None,
) -> SettlementRun:
    """Settle ``period_id`` of ``contract``: evaluate (the evaluation's files go to the
    statement's folder), apply the rules, and net what the ledger in ``out_dir`` says was paid
    before. The statement and the ledger entry are written by :func:`settle_contract`."""
    if period_id not in contract.periods:
        raise SettlementError(
            f"unknown period '{period_id}'; the contract's periods: {', '.join(contract.periods)}"
        )
    if status not in STATUSES:
        raise SettlementError(f"status must be provisional or final, not {status!r}")
    period = contract.periods[period_id]
    config, cohorts = contract_config(contract, period_id, terminated_on)
    out_dir = Path(out_dir)
    entries = read_ledger(out_dir, contract)
    folder = out_dir / f"{period_id}-{status}"
    output = evaluate_programme(
        contract.programme,
        folder / "evaluation",
        config=config,
        warehouse=warehouse,
        engine=engine,
        language=language,
        progress=progress,
    )
    effects = period_effects(contract, period, output.evaluation, warehouse, engine)
    settlement = apply_rules(contract, period_id, effects)
    before = paid_before(entries, contract, period_id, status)
    due = {}
    for line in settlement.lines:
        net = line.amount - before.get(line.rule, 0)
        due[line.rule] = net if net >= 0 or contract.clawback else 0
    sha, batches = warehouse_fingerprint(warehouse)
    run = SettlementRun(
        contract=contract,
        period=period,
        status=status,
        settlement=settlement,
        paid_before=before,
        due=due,
        evaluation=output.evaluation,
        effects=effects,
        cohorts=cohorts,
        terminated_on=terminated_on,
        warehouse_sha256=sha,
        batches=batches,
        code_version=code_version(),
        folder=folder,
    )
    return run
