"""The contract in the INDIGO data standard (GO Lab, Oxford): outcome metrics, pricings, payment
commitments, outcome payments (planned and actual), results and investments, with INDIGO's
field names and value wrappers (``{"value": …}``), so that the contract can be published to the
impact-bond database or read by tools that speak INDIGO.

Field names and codelist values follow ``schema/project.json`` of
INDIGO-Initiative/indigo-data-standard (after release 3.1.1, with outcome payment plans); the
subset written here is pinned in ``schema/indigo-project-subset.json`` and every export is
validated against it. Organisations are referenced by the contract's party ids (INDIGO gives its
own ``INDIGO-ORG-`` ids when a project is entered into its database). Amounts in kroner.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from broen.analytics._report import write_report
from broen.analytics.settlement._ledger import Entry, read_ledger
from broen.analytics.settlement._model import Contract
from broen.analytics.settlement._money import kroner
from broen.analytics.settlement._waterfall import (
    Waterfall,
    contract_start,
    ledger_payments,
    run_waterfall,
)

REPAYMENT = {  # our class -> INDIGO's investor_repayment (its spelling, "principle" included)
    "none": "No repayment (no principle or return)",
    "some": "Some repayment (but below value of principle)",
    "principal only": "Principal repaid (but no net return)",
    "principal + return": "Principal + positive financial returns",
}
VALIDATION = {
    "counterfactual": "Quasi-experimental study",
    "participant": "Simple ex-post verification",
}
ROLE = {
    "payer": "Government/Public Sector/Public Bank",
    "investor": "Impact Investor",
}


def _v(value: Any) -> dict[str, Any]:
    return {"value": value}


def _money(ore: int, currency: str) -> dict[str, Any]:
    return {"currency": _v(currency), "amount": _v(float(kroner(ore)))}


def _period(first: str, last: str) -> dict[str, Any]:
    return {"start_date": _v(first), "end_date": _v(last)}


@cache
def indigo_subset_schema() -> dict[str, Any]:
    text = resources.files("broen.analytics.settlement").joinpath(
        "schema/indigo-project-subset.json"
    )
    schema: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return schema


def indigo_document(
    contract: Contract,
    entries: Sequence[Entry] = (),
    results: Sequence[dict[str, Any]] = (),
    waterfall: Waterfall | None = None,
    planned: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The contract as an INDIGO project: ``entries`` (the ledger) give the actual payments,
    ``results`` (settlement.json documents) the results, ``waterfall`` the investors'
    repayment, ``planned`` (rule -> øre, e.g. a dry run's median) the planned payments."""
    c = contract
    cur = c.currency
    start = contract_start(c).isoformat()
    end = max(p.end for p in c.periods.values()).isoformat()
    paid_metrics = list(dict.fromkeys(r.outcome for r in c.rules))
    rules = {r.id: r for r in c.rules}
    source = {"source_ids": "contract", "status": "PUBLIC"}
    doc: dict[str, Any] = {
        "status": "PUBLIC",
        "name": _v(c.title),
        "sources": [
            {
                "id": "contract",
                "name": _v(f"{c.title}, contract version {c.version} (SHA-256 {c.sha256})"),
                "type": _v("Contract"),
                "status": "PUBLIC",
                "notes": "Illustrative terms" if c.illustrative else "",
            }
        ],
        "outcome_metrics": [
            {
                "id": mid,
                "definition": _v(
                    f"{c.metrics[mid].outcome}: {c.metrics[mid].direction} ({c.metrics[mid].unit})"
                ),
                "target_population": _v(f"Participants of {c.programme} (intention to treat)"),
                "unit_type_of_targeted_service_users_or_beneficiaries": _v("Individual"),
                "outcome_validation_method": _v(VALIDATION[c.metrics[mid].kind]),
                "data_source_for_outcome_validation": _v(
                    "; ".join(dict.fromkeys(r.evidence.source for r in c.rules if r.outcome == mid))
                ),
                "policy_sector": _v("Health"),
                **source,
            }
            for mid in paid_metrics
        ],
        "outcome_pricings": [
            {
                "outcome_metric_id": _v(r.outcome),
                "currency": _v(cur),
                "price_per_unit": {"amount": _v(float(r.amount.price * r.amount.share))},
                **(
                    {"maximum_price_if_all_targets_achieved": {"amount": _v(str(r.amount.cap))}}
                    if r.amount.cap is not None
                    else {}
                ),
                "contracted_increases_to_outcome_pricing": _v(_indexation(c)),
                "price_description": _v(_price_text(r)),
                **source,
            }
            for r in c.rules
        ],
        "outcome_payment_commitments": [
            {
                "organisation_id": _v(payer),
                "organisation_role_category": _v(ROLE["payer"]),
                **(
                    {"maximum_potential_outcome_payment": _money(int(cap * 100), cur)}
                    if (cap := c.payer_caps.get(payer)) is not None
                    else {}
                ),
                "result_type": _v("Overall"),
                "period": _period(start, end),
                "total_outcome_payments": _money(
                    sum(
                        ore
                        for e in entries
                        for rule, ore in e.due.items()
                        if rule in rules and rules[rule].payer == payer
                    ),
                    cur,
                ),
                **(
                    {
                        "alterations": {
                            "description": _v(
                                "; ".join(
                                    f"v{a.version} {a.date}: {a.change}" for a in c.amendments
                                )
                            ),
                            "reason": _v("; ".join(a.reason for a in c.amendments)),
                        }
                    }
                    if c.amendments
                    else {}
                ),
                **source,
            }
            for payer in dict.fromkeys(r.payer for r in c.rules)
        ],
        "outcome_payments": _payments(c, entries, planned or {}),
        "results": [_result(c, r) for r in results],
        "investments": _investments(c, waterfall),
    }
    if planned:
        doc["outcome_payment_plans"] = [{"id": _v("plan"), "period": _period(start, end), **source}]
    return doc


def _amendments(c: Contract) -> str:
    return "; ".join(f"v{a.version} {a.date}: {a.change}" for a in c.amendments)


def _investment_type(kinds: set[str]) -> str:
    if kinds == {"loan"}:
        return "Debt"
    return "Equity" if kinds == {"residual"} else "Combination"


def _indexation(c: Contract) -> str:
    ix = c.indexation
    if ix is None:
        return "None"
    if ix.rate is not None:
        return f"Prices in {ix.base_year} DKK, indexed by {ix.rate:%} a year"
    return f"Prices in {ix.base_year} DKK, indexed by the index {dict(sorted(ix.index.items()))}"


def _price_text(rule: Any) -> str:
    a = rule.amount
    threshold = (
        "no threshold"
        if a.threshold.kind == "none"
        else (f"threshold {a.threshold.kind} {a.threshold.value}")
    )
    return (
        f"{rule.id}: base {a.base}, {threshold}, price {a.price} DKK × share {a.share}; "
        f"paid by {rule.payer} to {rule.recipient}"
    )


def _payments(c: Contract, entries: Sequence[Entry], planned: dict[str, int]) -> list[Any]:
    rules = {r.id: r for r in c.rules}
    out: list[dict[str, Any]] = []
    for rule_id, ore in planned.items():
        r = rules[rule_id]
        first = min(c.periods[p].end for p in r.timing.periods)
        last = max(c.periods[p].end for p in r.timing.periods)
        out.append(_payment(c, r, ore, first.isoformat(), last.isoformat(), "Planned", "plan"))
    for e in entries:
        period = c.periods[e.period]
        for rule_id, ore in e.due.items():
            if rule_id in rules:
                r = rules[rule_id]
                day = period.end + timedelta(days=r.timing.days_after_period)
                out.append(
                    _payment(c, r, ore, period.end.isoformat(), day.isoformat(), "Actual", None)
                )
    return out


def _payment(
    c: Contract, r: Any, ore: int, first: str, last: str, kind: str, plan: str | None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "outcome_metric_id": _v(r.outcome),
        "period": _period(first, last),
        "payer_organisation_id": _v(r.payer),
        "recipient_organisation_id": _v(r.recipient),
        "type": _v(kind),
        "money": _money(ore, c.currency),
        "source_ids": "contract",
        "status": "PUBLIC",
    }
    if plan is not None:
        item["outcome_payment_plan_id"] = _v(plan)
    return item


def _result(c: Contract, doc: dict[str, Any]) -> dict[str, Any]:
    """One result per settlement statement (all its lines), at project level."""
    period = doc["period"]
    achieved = "; ".join(
        f"{x['metric']}: {x['avoided']} {x['unit']}"
        + (
            f" (interval {x['avoided_interval'][0]} to {x['avoided_interval'][1]})"
            if x["avoided_interval"]
            else ""
        )
        for x in doc["lines"]
    )
    flow = doc["evaluation"]["flow"]
    validators = sorted({x["evidence"]["validator"] for x in doc["lines"]})
    return {
        "result_level": _v("Project level"),
        "result_type": _v("Final" if doc["status"] == "final" else "Interim"),
        "period": _period(contract_start(c).isoformat(), period["end"]),
        "outcomes_achieved": _v(achieved),
        **(
            {"number_engaged_in_impact_bond": _v(engaged)}
            if isinstance(engaged := flow.get("in_cohorts", flow.get("started", 0)), int)
            else {}
        ),
        "outcomes_validator_organisation_ids": _v(",".join(validators)),
        "source_ids": "contract",
        "status": "PUBLIC",
    }


def _investments(c: Contract, waterfall: Waterfall | None) -> list[dict[str, Any]]:
    out = []
    repaid = {i.investor: i for i in waterfall.investors} if waterfall else {}
    for n, investor in enumerate(dict.fromkeys(t.investor for t in c.tranches), start=1):
        own = [t for t in c.tranches if t.investor == investor and t.kind != "fee"]
        if not own:
            continue
        kinds = {t.kind for t in own}
        item: dict[str, Any] = {
            "id": f"investment{n}",
            "organisation_id": _v(investor),
            "organisation_role_category": _v(ROLE["investor"]),
            "investment_commitment": {
                "currency": _v(c.currency),
                "amount": {"exact": _v(float(sum(t.amount for t in own)))},
            },
            "maximum_potential_loss": _v("100%"),
            "investment_type": _v(
                "Debt"
                if kinds == {"loan"}
                else "Equity"
                if kinds == {"residual"}
                else "Combination"
            ),
            "source_ids": "contract",
            "status": "PUBLIC",
        }
        if investor in repaid and repaid[investor].repayment in REPAYMENT:
            item["investor_repayment"] = _v(REPAYMENT[repaid[investor].repayment])
        out.append(item)
    return out


def check_indigo(document: dict[str, Any]) -> None:
    """Raise ValueError naming every field that the pinned INDIGO subset does not know."""
    from jsonschema import Draft7Validator

    errors = sorted(
        Draft7Validator(indigo_subset_schema()).iter_errors(document),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if errors:
        raise ValueError(
            "not INDIGO: "
            + "; ".join(
                f"{'.'.join(map(str, e.absolute_path)) or 'root'}: {e.message}" for e in errors[:10]
            )
        )


def export_indigo(
    contract: Contract, settlements: Path | None = None, out: Path | None = None
) -> dict[str, Any]:
    """The INDIGO document of ``contract``, with the actual payments, results and investor
    repayment of the statements in ``settlements`` (a ``broen settle --out`` folder), checked
    against the pinned subset; written to ``out`` (atomically) when given."""
    entries: list[Entry] = []
    results: list[dict[str, Any]] = []
    waterfall = None
    if settlements is not None:
        entries = read_ledger(settlements, contract)
        for e in entries:
            statement = Path(settlements) / e.folder / "settlement.json"
            results.append(json.loads(statement.read_text(encoding="utf-8")))
        if contract.tranches:
            waterfall = run_waterfall(
                contract.tranches, ledger_payments(contract, entries), contract_start(contract)
            )
    document = indigo_document(contract, entries, results, waterfall)
    check_indigo(document)
    if out is not None:
        write_report(Path(out), json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return document
