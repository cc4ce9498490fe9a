"""The settlement statement: ``settlement.json`` (every payer) and one printable HTML statement
per payer, each krone traced from the estimate to the amount due.

Amounts are whole øre (``*_ore``) and kroner as exact decimal strings; nothing is a float but
the estimates. Apart from ``generated_at`` the document depends only on the contract, the
warehouse's batches and the code: two runs give the same bytes.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from broen.analytics._privacy import SMALL_CELL, is_suppressed, suppress
from broen.analytics._report import (
    check_language,
    format_count,
    format_number,
    format_percent,
    render,
    write_report,
)
from broen.analytics.settlement._ledger import read_ledger, record
from broen.analytics.settlement._model import Contract
from broen.analytics.settlement._money import format_kr, kroner
from broen.analytics.settlement._settle import Progress, SettlementRun, settle
from broen.analytics.settlement._texts import TEXTS
from broen.analytics.settlement._waterfall import (
    contract_start,
    ledger_payments,
    run_waterfall,
    waterfall_document,
)

FORMAT = "broen-settlement-statement/1"


def statement_document(run: SettlementRun) -> dict[str, Any]:
    c, s, p = run.contract, run.settlement, run.period
    ev = run.evaluation
    # counts of persons: 1-4 shown as "<5", as everywhere aggregates leave Broen
    flow = {step.key: _count(step.n) for step in ev.design.flow}
    rules = {r.id: r for r in c.rules}
    lines: list[dict[str, Any]] = []
    for line in s.lines:
        rule = rules[line.rule]
        before = run.paid_before.get(line.rule, 0)
        lines.append(
            {
                "rule": line.rule,
                "payer": line.payer,
                "recipient": line.recipient,
                "metric": line.metric,
                "outcome": c.metrics[line.metric].outcome,
                "unit": c.metrics[line.metric].unit,
                "base": rule.amount.base,
                "n": line.n,
                "avoided": _count(int(line.avoided))
                if rule.amount.base == "rate_card"
                else str(line.avoided),
                "avoided_interval": [str(line.avoided_low), str(line.avoided_high)]
                if rule.amount.base != "rate_card"
                else [],
                "counterfactual": str(line.counterfactual),
                "relative_effect": None if line.relative is None else str(line.relative),
                "threshold": str(line.threshold),
                "threshold_rule": [rule.amount.threshold.kind, str(rule.amount.threshold.value)],
                "threshold_met": line.threshold_met,
                "base_units": str(line.base),
                "unit_price": str(line.unit_price),
                "before_caps_ore": line.before_caps,
                "after_rule_caps_ore": line.after_rule_caps,
                "withheld_by": list(line.withheld_by),
                "after_payer_cap_ore": line.after_payer_cap,
                "entitlement_ore": line.amount,
                "paid_before_ore": before,
                "due_ore": run.due[line.rule],
                "due": str(kroner(run.due[line.rule])),
                "due_date": (p.end + timedelta(days=rule.timing.days_after_period)).isoformat(),
                "evidence": {"source": rule.evidence.source, "validator": rule.evidence.validator},
                "contract_line": rule.line,
                "trace": [
                    {"step": t.key, "value": t.value, "detail": t.detail} for t in line.steps
                ],
            }
        )
    payers = []
    for total in s.payers:
        own = [x for x in lines if x["payer"] == total.payer]
        payers.append(
            {
                "payer": total.payer,
                "name": c.parties[total.payer].name,
                "before_cap_ore": total.before_cap,
                "cap_ore": total.cap,
                "after_cap_ore": total.after_cap,
                "entitlement_ore": total.amount,
                "paid_before_ore": sum(run.paid_before.get(x["rule"], 0) for x in own),
                "due_ore": sum(run.due[x["rule"]] for x in own),
            }
        )
    effects = {
        mid: {
            "n": e.n,
            "att": e.att,
            "ci_low": e.ci_low,
            "ci_high": e.ci_high,
            "se": e.se,
            "counterfactual": e.counterfactual,
            "confidence": e.confidence,
            "achieved": e.achieved,
        }
        for mid, e in run.effects.items()
    }
    return {
        "format": FORMAT,
        "contract": {
            "id": c.id,
            "title": c.title,
            "version": c.version,
            "sha256": c.sha256,
            "illustrative": c.illustrative,
            "parties": {pid: party.name for pid, party in c.parties.items()},
            "amendments": [
                {"version": a.version, "date": a.date.isoformat(), "reason": a.reason}
                for a in c.amendments
            ],
        },
        "period": {
            "id": p.id,
            "window": list(p.window),
            "cohorts": list(run.cohorts),
            "end": p.end.isoformat(),
            "trues_up": list(p.trues_up),
        },
        "status": run.status,
        "terminated_on": run.terminated_on.isoformat() if run.terminated_on else None,
        "reproducibility": {
            "code_version": run.code_version,
            "contract_sha256": c.sha256,
            "warehouse_batches_sha256": run.warehouse_sha256,
            "batches": list(run.batches),
            "bootstrap_seed": ev.config.bootstrap.seed,
            "bootstrap_replicates": ev.config.bootstrap.replicates,
        },
        "evaluation": {
            "programme": c.programme,
            "index": c.index,
            "flow": flow,
            "gates": [{"gate": g.key, "passed": g.passed} for g in ev.gates],
            "gates_passed": all(g.passed for g in ev.gates),
            "effects": effects,
            "report": "evaluation/report.html",
        },
        "index_factor": str(s.index_factor),
        "guards": [
            {
                "guard": g.guard,
                "metric": g.metric,
                "moved": str(g.moved),
                "moved_interval": [str(g.moved_low), str(g.moved_high)],
                "tolerance": str(g.tolerance),
                "withheld": g.withheld,
                "rules": list(g.rules),
            }
            for g in s.guards
        ],
        "lines": lines,
        "payers": payers,
        "total": {
            "before_cap_ore": s.total_before_cap,
            "cap_ore": s.total_cap,
            "entitlement_ore": s.total,
            "due_ore": sum(run.due.values()),
        },
        "small_cell": SMALL_CELL,
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }


def settle_contract(
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
) -> tuple[SettlementRun, dict[str, Any]]:
    """``broen settle``: settle the period, write its statement to
    ``out_dir/<period>-<status>/`` and only then record it in ``out_dir/ledger.json``."""
    run = settle(
        contract,
        period_id,
        out_dir,
        status=status,
        warehouse=warehouse,
        engine=engine,
        terminated_on=terminated_on,
        language=language,
        progress=progress,
    )
    document = statement_document(run)
    write_statement(run, document, language)
    record(Path(out_dir), contract, run.entry())
    if contract.tranches:  # the investors' position after every statement recorded so far
        entries = read_ledger(Path(out_dir), contract)
        waterfall = run_waterfall(
            contract.tranches, ledger_payments(contract, entries), contract_start(contract)
        )
        write_report(
            Path(out_dir) / "investors.json",
            json.dumps(waterfall_document(contract, waterfall), indent=1, ensure_ascii=False)
            + "\n",
        )
    return run, document


def write_statement(run: SettlementRun, document: dict[str, Any], language: str = "da") -> Path:
    """``settlement.json`` and ``statement-<payer>.html`` in the run's folder; returns the
    folder."""
    check_language(language)
    folder = run.folder
    folder.mkdir(parents=True, exist_ok=True)
    write_report(
        folder / "settlement.json", json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    )
    for payer in document["payers"]:
        html = render(
            "settlement_statement.html",
            translations=TEXTS,
            language=language,
            **_context(document, payer, language),
        )
        write_report(folder / f"statement-{payer['payer']}.html", html)
    return folder


def _context(doc: dict[str, Any], payer: dict[str, Any], language: str) -> dict[str, Any]:
    t = TEXTS.translator(language)

    def kr(ore: int | None) -> str:
        return "–" if ore is None else format_kr(ore, language)

    def num(text: str | float | None, decimals: int = 2) -> str:
        return "–" if text is None else format_number(float(text), language, decimals)

    def people(n: int | str) -> str:  # a count of persons, "<5" already suppressed
        return n if isinstance(n, str) else format_count(n, language)

    parties = doc["contract"]["parties"]
    effects = doc["evaluation"]["effects"]
    cards = []
    for x in (x for x in doc["lines"] if x["payer"] == payer["payer"]):
        e, unit = effects[x["metric"]], x["unit"]
        rows: list[tuple[str, str, str]] = []
        if x["base"] == "rate_card":
            rows.append((t("row.achieved"), people(x["avoided"]), t("row.achieved_how", n=x["n"])))
        else:
            level = round(100 * float(e["confidence"]))
            rows.append(
                (
                    t("row.estimate"),
                    f"{num(e['att'])} {unit}",
                    t(
                        "row.estimate_how",
                        level=level,
                        low=num(e["ci_low"]),
                        high=num(e["ci_high"]),
                        n=x["n"],
                    ),
                )
            )
            low, high = x["avoided_interval"]
            rows.append(
                (
                    t("row.avoided"),
                    f"{num(x['avoided'])} {unit}",
                    t("row.avoided_how", low=num(low), high=num(high), unit=unit),
                )
            )
            relative = x["relative_effect"]
            rows.append(
                (
                    t("row.counterfactual"),
                    f"{num(x['counterfactual'])} {unit}",
                    t(
                        "row.counterfactual_how",
                        relative="–"
                        if relative is None
                        else format_percent(float(relative), language),
                    ),
                )
            )
        met = t("row.threshold_met") if x["threshold_met"] else t("row.threshold_not_met")
        kind, value = x["threshold_rule"]
        rule_text = t(f"threshold.{kind}", value=_share(value, language))
        rows.append((t("row.threshold"), f"{num(x['threshold'])} {unit}", f"{rule_text}: {met}"))
        rows.append((t("row.base"), f"{num(x['base_units'])} {unit}", t(f"base.{x['base']}")))
        rows.append(
            (t("row.unit_price"), f"{num(x['unit_price'], 4)} kr.", t("row.unit_price_how"))
        )
        rows.append((t("row.before_caps"), kr(x["before_caps_ore"]), ""))
        rows.append((t("row.after_rule_caps"), kr(x["after_rule_caps_ore"]), ""))
        if x["withheld_by"]:
            rows.append((t("row.withheld"), kr(0), ", ".join(x["withheld_by"])))
        rows.append((t("row.after_payer_cap"), kr(x["after_payer_cap_ore"]), ""))
        rows.append((t("row.entitlement"), kr(x["entitlement_ore"]), ""))
        rows.append((t("row.paid_before"), kr(x["paid_before_ore"]), ""))
        rows.append((t("row.due"), kr(x["due_ore"]), ""))
        cards.append(
            {
                "rule": x["rule"],
                "intro": t(
                    "rule.intro",
                    payer=parties.get(x["payer"], x["payer"]),
                    recipient=parties.get(x["recipient"], x["recipient"]),
                    outcome=x["outcome"],
                    metric=x["metric"],
                    source=x["evidence"]["source"],
                    validator=parties.get(x["evidence"]["validator"], x["evidence"]["validator"]),
                    due_date=x["due_date"],
                    line=x["contract_line"],
                ),
                "rows": rows,
            }
        )
    due = payer["due_ore"]
    kind = (
        "summary.topup"
        if payer["paid_before_ore"] and due > 0
        else ("summary.clawback" if due < 0 else "")
    )
    failed = [g["gate"] for g in doc["evaluation"]["gates"] if not g["passed"]]
    flow = doc["evaluation"]["flow"]
    return {
        "doc": doc,
        "payer": payer,
        "cards": cards,
        "kr": kr,
        "due_kind": kind,
        "failed_gates": failed,
        "started": people(flow.get("in_cohorts", flow.get("started", 0))),
        "matched": people(flow.get("matched", 0)),
    }


def _count(n: int) -> int | str:
    """A count of persons as it may leave Broen: ``"<5"`` for 1 to 4."""
    return suppress(n) if is_suppressed(n) else n


def _share(value: str, language: str) -> str:
    """A threshold's value: a share as a percentage, else the number."""
    x = float(value)
    return format_percent(x, language) if 0 < x < 1 else format_number(x, language, 2)
