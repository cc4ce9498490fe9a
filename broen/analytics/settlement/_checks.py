"""The rules of a contract that its JSON Schema cannot say: references between its parts,
the parties' roles, orders, sums, and what a settlement needs to be safe (a rate card pays for
five persons or more). Each yields (path in the document, message with the fix)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from broen.analytics._privacy import SMALL_CELL
from broen.analytics.evaluation import MEASURES
from broen.analytics.panel import PANEL_COLUMNS

PARTICIPANT_OUTCOMES = ("completed", *MEASURES, "diastolic_bp")
MONEY_PREFIXES = ("cost_", "transfer_dkk")
Path_ = tuple[str | int, ...]


def cross_checks(data: dict[str, Any]) -> Iterator[tuple[Path_, str]]:
    """What the schema cannot say: references between parts, roles, orders and sums."""
    parties = data["parties"]
    roles = {pid: set(p["roles"]) for pid, p in parties.items()}
    cohorts = [c["id"] for c in data["cohort"]["cohorts"]]
    metrics, periods = data["metrics"], data["periods"]
    if len(set(cohorts)) != len(cohorts):
        yield ("cohort", "cohorts"), "cohort ids must be unique."
    for i, c in enumerate(data["cohort"]["cohorts"]):
        if c["first"] > c["last"]:
            yield ("cohort", "cohorts", i), f"cohort '{c['id']}' ends before it starts."
    for mid, m in metrics.items():
        kind = m.get("kind", "counterfactual")
        if kind == "counterfactual" and m["outcome"] not in PANEL_COLUMNS[2:]:
            yield (
                ("metrics", mid, "outcome"),
                (
                    f"'{m['outcome']}' is not a panel metric; use one of bed_days, "
                    "acute_admissions, cost_payer_region… (docs/panel.md)."
                ),
            )
        if kind == "participant" and m["outcome"] not in PARTICIPANT_OUTCOMES:
            yield (
                ("metrics", mid, "outcome"),
                (
                    f"'{m['outcome']}' is not a participant outcome; use one of "
                    f"{', '.join(PARTICIPANT_OUTCOMES)}."
                ),
            )
        measure = kind == "participant" and m["outcome"] != "completed"
        if measure and ("change" not in m or "month" not in m):
            yield (
                ("metrics", mid),
                (
                    "a participant measure needs the change a participant must reach and when, "
                    f"e.g. change: -0.05 and month: 12 for 5 % less {m['outcome']} after a year."
                ),
            )
        if not measure and ("change" in m or "month" in m):
            yield ("metrics", mid), "change and month belong to participant measures only."
    for pid, p in periods.items():
        first, last = p["window"]
        if first > last:
            yield ("periods", pid, "window"), "the window's first month comes after its last."
        for c in p.get("cohorts", []):
            if c not in cohorts:
                yield ("periods", pid, "cohorts"), f"unknown cohort '{c}'."
        for q in p.get("trues_up", []):
            if q not in periods or q == pid:
                yield ("periods", pid, "trues_up"), f"'{q}' is not another period."
    rule_ids = [r["id"] for r in data["rules"]]
    accounts: dict[tuple[str, str, str, str], str] = {}
    for i, r in enumerate(data["rules"]):
        for p in r["timing"]["periods"]:
            key = (r["payer"], r["recipient"], r["outcome"], p)
            if key in accounts:
                yield (
                    ("rules", i),
                    (
                        f"rules '{accounts[key]}' and '{r['id']}' both pay {r['payer']} → "
                        f"{r['recipient']} for '{r['outcome']}' in period '{p}': one account, one "
                        "rule per period (merge them, or pay them in different periods)."
                    ),
                )
            accounts[key] = r["id"]
    if len(set(rule_ids)) != len(rule_ids):
        yield ("rules",), "rule ids must be unique."
    for i, r in enumerate(data["rules"]):
        yield from _rule_checks(r, ("rules", i), roles, cohorts, metrics, periods)
    for i, g in enumerate(data.get("guards", [])):
        if g["metric"] not in metrics:
            yield ("guards", i, "metric"), f"unknown metric '{g['metric']}'; define it in metrics."
        elif metrics[g["metric"]].get("kind", "counterfactual") != "counterfactual":
            yield ("guards", i, "metric"), "a guard needs a metric with a counterfactual."
        for rid in g.get("rules", []):
            if rid not in rule_ids:
                yield ("guards", i, "rules"), f"unknown rule '{rid}'."
    for payer in data.get("caps", {}).get("payers", {}):
        if "payer" not in roles.get(payer, set()):
            yield ("caps", "payers", payer), f"'{payer}' is not a party with the role payer."
    yield from _version_checks(data)
    blend = data["counterfactual"].get("blend", [])
    if blend and abs(sum(b["weight"] for b in blend) - 1) > 1e-9:
        yield ("counterfactual", "blend"), "the blend's weights must add up to 1."
    for i, t in enumerate(data.get("investors", {}).get("tranches", [])):
        if "investor" not in roles.get(t["investor"], set()):
            yield (
                ("investors", "tranches", i, "investor"),
                (f"'{t['investor']}' is not a party with the role investor."),
            )


def _rule_checks(
    r: dict[str, Any],
    where: Path_,
    roles: dict[str, set[str]],
    cohorts: list[str],
    metrics: dict[str, Any],
    periods: dict[str, Any],
) -> Iterator[tuple[Path_, str]]:
    if "payer" not in roles.get(r["payer"], set()):
        yield (*where, "payer"), f"'{r['payer']}' is not a party with the role payer."
    if r["recipient"] not in roles:
        yield (*where, "recipient"), f"'{r['recipient']}' is not a party."
    if "validator" not in roles.get(r["evidence"]["validator"], set()):
        yield (
            (*where, "evidence", "validator"),
            (f"'{r['evidence']['validator']}' is not a party with the role validator."),
        )
    for c in [] if r["who"] == "all" else r["who"]:
        if c not in cohorts:
            yield (*where, "who"), f"unknown cohort '{c}'."
    for p in r["timing"]["periods"]:
        if p not in periods:
            yield (*where, "timing", "periods"), f"unknown period '{p}'."
        elif r["who"] != "all":
            left_out = [c for c in periods[p].get("cohorts", cohorts) if c not in r["who"]]
            if left_out:
                yield (
                    (*where, "who"),
                    (
                        f"the rule pays in period '{p}', which settles cohort "
                        f"{', '.join(left_out)} that who leaves out; add it, or pay in "
                        "another period."
                    ),
                )
    metric = metrics.get(r["outcome"])
    if metric is None:
        yield (*where, "outcome"), f"unknown metric '{r['outcome']}'; define it in metrics."
        return
    amount = r["amount"]
    participant = metric.get("kind", "counterfactual") == "participant"
    if participant != (amount["base"] == "rate_card"):
        yield (
            (*where, "amount", "base"),
            (
                "a participant outcome is paid by base: rate_card, and rate_card pays only "
                "participant outcomes."
            ),
        )
    if amount["base"] == "tiers":
        ats = [t["at_least"] for t in amount.get("tiers", [])]
        if not ats:
            yield (*where, "amount"), "base: tiers needs tiers: [{at_least, price}, …]."
        elif ats != sorted(set(ats)):
            yield (*where, "amount", "tiers"), "tiers must rise: each at_least above the last."
    elif "tiers" in amount:
        yield (*where, "amount", "tiers"), "tiers are used only with base: tiers."
    if amount["base"] != "tiers" and "price" not in amount and not is_money(metric["outcome"]):
        yield (
            (*where, "amount"),
            (
                f"'price' is missing: kroner per {metric['unit']} (only a money metric is priced "
                "at 1 kr. per krone by default)."
            ),
        )
    if amount.get("threshold", {}).get("relative") is not None and participant:
        yield (*where, "amount", "threshold"), "a rate card has no counterfactual: use absolute."
    elif participant and amount.get("threshold", {}).get("absolute", 0) < SMALL_CELL:
        # the amount is the count times the price: a count under 5 would be readable from it
        yield (
            (*where, "amount"),
            (
                f"a rate card pays per person: give threshold: {{absolute: {SMALL_CELL}}} or more, "
                f"so that no payment reveals fewer than {SMALL_CELL} persons."
            ),
        )


def _version_checks(data: dict[str, Any]) -> Iterator[tuple[Path_, str]]:
    amendments = data.get("amendments", [])
    versions = [a["version"] for a in amendments]
    expected = list(range(2, data["version"] + 1))
    if versions != expected:
        yield (
            ("amendments",) if amendments else ("version",),
            (
                f"version {data['version']} needs one amendment for each of versions "
                f"{', '.join(map(str, expected)) or '(none)'}, in order, each with a reason "
                "and a date."
            ),
        )
    dates = [a["date"] for a in amendments]
    if dates != sorted(dates):
        yield ("amendments",), "the amendments' dates must follow their versions."


def is_money(outcome: str) -> bool:
    return outcome.startswith(MONEY_PREFIXES)
