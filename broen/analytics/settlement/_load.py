"""Reading a contract: YAML → the published JSON Schema → the rules across fields → a
:class:`Contract`. Every error names the file, the line and the fix; all errors are reported
at once (at most ``MAX_ERRORS``), so a contract is mended in one pass."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from broen.analytics._exceptions import ConfigurationError
from broen.analytics.settlement._checks import Path_, cross_checks, is_money
from broen.analytics.settlement._model import (
    Amendment,
    Amount,
    Blend,
    Cohort,
    Contract,
    Evidence,
    Guard,
    Indexation,
    Metric,
    Outliers,
    Party,
    Period,
    Rule,
    Threshold,
    Tier,
    Timing,
    Tranche,
)

MAX_ERRORS = 20
DEFAULT_BLEND = {"estimator": "matched_did", "weight": 1}


class ContractError(ConfigurationError):
    """The contract file is invalid; ``errors`` holds each ``file:line: message`` line."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@cache
def contract_schema() -> dict[str, Any]:
    """The published JSON Schema of contract files (format 1)."""
    text = resources.files("broen.analytics.settlement").joinpath("schema/contract-v1.json")
    schema: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return schema


CONTRACTS = Path(__file__).with_name("contracts")


def shipped_contracts() -> list[str]:
    """The ids of the example contracts that ship with Broen."""
    return sorted(p.stem for p in CONTRACTS.glob("*.yaml"))


def load_contract(path: Path | str) -> Contract:
    """The contract in ``path`` (a file, or the id of a shipped example), validated;
    :class:`ContractError` lists what is wrong."""
    path = Path(path)
    if not path.exists() and str(path) in shipped_contracts():
        path = CONTRACTS / f"{path}.yaml"
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ContractError([f"Cannot read the contract {path}: {err.strerror}."]) from err
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ContractError([f"{path}: not UTF-8 text (byte {err.start + 1})."]) from err
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ContractError([f"{path}{where}: not valid YAML."]) from err
    if root is None:
        raise ContractError([f"{path}: the file is empty."])
    lines: dict[Path_, int] = {}
    data = _plain(root, (), lines)
    found = sorted(
        (
            (_line(lines, _where(e)), _message(e))
            for e in Draft202012Validator(contract_schema()).iter_errors(data)
        ),
    )
    errors = [f"{path}:{line}: {message}" for line, message in found]
    if not errors:
        errors = [
            f"{path}:{_line(lines, where)}: {message}" for where, message in cross_checks(data)
        ]
    if errors:
        extra = len(errors) - MAX_ERRORS
        shown = errors[:MAX_ERRORS] + ([f"… and {extra} more."] if extra > 0 else [])
        raise ContractError(shown)
    return _build(data, lines, str(path), hashlib.sha256(raw).hexdigest())


def _plain(node: yaml.Node, where: Path_, lines: dict[Path_, int]) -> Any:
    """The node as JSON-like data (dates as ISO strings, mapping keys as strings), noting the
    line of every value under its path."""
    lines[where] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key, value in node.value:
            name = str(_scalar(key))
            lines[(*where, name)] = key.start_mark.line + 1
            out[name] = _plain(value, (*where, name), lines)
            lines[(*where, name)] = key.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*where, i), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    value = yaml.SafeLoader("").construct_object(node, deep=True)
    if isinstance(value, date):
        return value.isoformat()[:10]
    return value


def _where(error: ValidationError) -> Path_:
    """Where the error is: an unknown key at its own line, anything else at its value's."""
    where = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = [k for k in error.instance if k not in known]
        if extra:
            return (*where, extra[0])
    return where


def _line(lines: dict[Path_, int], where: Path_) -> int:
    while where not in lines and where:
        where = where[:-1]
    return lines.get(where, 1)


def _message(error: ValidationError) -> str:
    """The schema's complaint in words, with the fix."""
    where = ".".join(str(p) for p in error.absolute_path) or "the contract"
    v = error.validator
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    hint = schema.get("description", "")
    if v == "required":
        missing = str(error.message).split("'")[1]
        return f"{where}: '{missing}' is missing; add it ({_required_hint(missing)})."
    if v == "additionalProperties":
        known = ", ".join(sorted(schema.get("properties", {})))
        return f"{where}: {error.message}; the keys known here are {known}."
    if v == "enum":
        allowed = ", ".join(str(x) for x in schema.get("enum", []))
        return f"{where}: {error.instance!r} is not allowed; use one of {allowed}."
    if v == "const":
        fix = hint or f"write {schema.get('const')!r}"
        return f"{where}: {error.instance!r} is not allowed; {fix}."
    if v in ("maxProperties", "minProperties") and "threshold" in where:
        return f"{where}: give exactly one of relative, absolute or noise."
    if v == "oneOf" and where == "indexation":
        return "indexation: give either rate (a yearly rate) or index (a value per year), not both."
    if v == "pattern":
        return f"{where}: {error.instance!r} is not valid: {hint or 'see the schema'}."
    if v == "type":
        wanted = TYPE_NAMES.get(str(schema.get("type")), str(schema.get("type")))
        got = TYPE_NAMES.get(_json_type(error.instance), _json_type(error.instance))
        suffix = f" ({hint})" if hint and error.absolute_path else ""
        return f"{where}: expected {wanted} here, not {got}{suffix}."
    suffix = f" ({hint})" if hint else ""
    return f"{where}: {error.message}{suffix}."


TYPE_NAMES = {
    "object": "a mapping of 'key: value' lines",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing",
}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "null"


def _required_hint(key: str) -> str:
    hints = {
        "payer": "the party id of who pays",
        "recipient": "the party id of who is paid",
        "who": "the cohort ids the rule pays for, or all",
        "outcome": "the metric id it pays for",
        "amount": "base, price and the rest of how much",
        "evidence": "source and validator",
        "timing": "periods and days_after_period",
        "format": "format: broen-outcome-contract/1",
    }
    return hints.get(key, "see docs/contracts.md")


def _dec(value: Any) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def _build(data: dict[str, Any], lines: dict[Path_, int], source: str, sha: str) -> Contract:
    cohort = data["cohort"]
    cohorts = {
        c["id"]: Cohort(c["id"], _month(c["first"]), _month(c["last"])) for c in cohort["cohorts"]
    }
    metrics = {
        mid: Metric(
            id=mid,
            outcome=m["outcome"],
            kind=m.get("kind", "counterfactual"),
            direction=m["direction"],
            unit=m["unit"],
            money=is_money(m["outcome"]),
            change=_dec(m["change"]) if "change" in m else None,
            month=m.get("month"),
        )
        for mid, m in data["metrics"].items()
    }
    periods = {
        pid: Period(
            id=pid,
            window=(p["window"][0], p["window"][1]),
            cohorts=tuple(p.get("cohorts", list(cohorts))),
            end=date.fromisoformat(p["end"]),
            index_year=p.get("index_year"),
            trues_up=tuple(p.get("trues_up", [])),
        )
        for pid, p in data["periods"].items()
    }
    rules = tuple(
        _rule(r, list(cohorts), lines.get(("rules", i), 0)) for i, r in enumerate(data["rules"])
    )
    caps = data.get("caps", {})
    ix = data.get("indexation")
    outliers = data.get("outliers", {"method": "none"})
    return Contract(
        id=data["id"],
        title=data["title"],
        version=data["version"],
        illustrative=bool(data.get("illustrative", False)),
        currency=data["currency"],
        parties={
            pid: Party(pid, p["name"], tuple(p["roles"])) for pid, p in data["parties"].items()
        },
        programme=cohort["programme"],
        index=cohort.get("index", "start_date"),
        cohorts=cohorts,
        evaluation=data["counterfactual"]["evaluation"],
        blend=tuple(
            Blend(b["estimator"], _dec(b["weight"]))
            for b in data["counterfactual"].get(
                "blend", [{"estimator": "matched_did", "weight": 1}]
            )
        ),
        metrics=metrics,
        periods=periods,
        rules=rules,
        guards=tuple(
            Guard(
                id=g["id"],
                metric=g["metric"],
                evidence=g.get("evidence", "point"),
                tolerance=_dec(g["tolerance"]),
                rules=tuple(g.get("rules", [])),
            )
            for g in data.get("guards", [])
        ),
        payer_caps={k: _dec(v) for k, v in caps.get("payers", {}).items()},
        total_cap=_dec(caps["total"]) if "total" in caps else None,
        clawback=bool(data.get("clawback", False)),
        outliers=Outliers(outliers["method"], _dec(outliers.get("percentile", 99))),
        indexation=None
        if ix is None
        else Indexation(
            base_year=ix["base_year"],
            index={int(k): _dec(v) for k, v in ix.get("index", {}).items()},
            rate=_dec(ix["rate"]) if "rate" in ix else None,
        ),
        tranches=tuple(
            Tranche(
                id=t["id"],
                investor=t["investor"],
                kind=t["kind"],
                amount=_dec(t["amount"]),
                rate=_dec(t.get("rate", 0)),
                drawn=date.fromisoformat(t["drawn"]) if "drawn" in t else None,
                share=_dec(t.get("share", 1)),
            )
            for t in data.get("investors", {}).get("tranches", [])
        ),
        amendments=tuple(
            Amendment(a["version"], date.fromisoformat(a["date"]), a["reason"], a["change"])
            for a in data.get("amendments", [])
        ),
        termination=data.get("termination", "none"),
        source=source,
        sha256=sha,
    )


def _rule(r: dict[str, Any], cohorts: list[str], line: int) -> Rule:
    a = r["amount"]
    (kind, value), *_ = (a.get("threshold") or {"none": 0}).items()
    return Rule(
        id=r["id"],
        payer=r["payer"],
        recipient=r["recipient"],
        who=tuple(cohorts if r["who"] == "all" else r["who"]),
        outcome=r["outcome"],
        amount=Amount(
            base=a["base"],
            threshold=Threshold(kind, _dec(value)),
            price=_dec(a.get("price", 1)),
            share=_dec(a.get("share", 1)),
            tiers=tuple(Tier(_dec(t["at_least"]), _dec(t["price"])) for t in a.get("tiers", [])),
            cap=_dec(a["cap"]) if "cap" in a else None,
            floor=_dec(a.get("floor", 0)),
            per_person_cap=_dec(a["per_person_cap"]) if "per_person_cap" in a else None,
        ),
        evidence=Evidence(r["evidence"]["source"], r["evidence"]["validator"]),
        timing=Timing(tuple(r["timing"]["periods"]), r["timing"]["days_after_period"]),
        line=line,
    )
