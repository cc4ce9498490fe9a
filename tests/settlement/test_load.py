"""Contract files: the schema and the rules across fields, each error on its line with the fix."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from broen.analytics.settlement import ContractError, contract_schema, load_contract
from tests.settlement.conftest import BASE, rule


def _errors(path: Path) -> list[str]:
    with pytest.raises(ContractError) as caught:
        load_contract(path)
    return caught.value.errors


def _line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(text)


def test_the_published_schema_is_valid() -> None:
    Draft202012Validator.check_schema(contract_schema())
    shipped = Path("docs/contract-v1.schema.json")
    assert json.loads(shipped.read_text()) == contract_schema(), "docs copy out of date"


def test_a_valid_contract(write_contract) -> None:  # type: ignore[no-untyped-def]
    path = write_contract()
    contract = load_contract(path)
    assert contract.id == "test-contract" and contract.version == 1
    (r,) = contract.rules
    assert (r.payer, r.recipient, r.who, r.outcome) == ("region", "fond", ("c1",), "bed-days")
    assert r.amount.price == Decimal("4000") and r.amount.share == Decimal("0.5")
    assert r.line == _line_of(path, "- id: region-bed-days")
    assert contract.periods["year-1"].cohorts == ("c1",)
    assert len(contract.sha256) == 64


def test_an_incomplete_rule_is_rejected(write_contract) -> None:  # type: ignore[no-untyped-def]
    """Each of the seven elements of a payment rule is required."""
    for element in ("payer", "recipient", "who", "outcome", "evidence", "timing", "amount"):
        text = rule()
        kept = "\n".join(x for x in text.splitlines() if not x.strip().startswith(element + ":"))
        path = write_contract(kept + "\n")
        errors = _errors(path)
        assert any(f"'{element}' is missing" in e for e in errors), (element, errors)
        line = _line_of(path, "- id: region-bed-days")
        assert any(e.startswith(f"{path}:{line}:") for e in errors), errors


def test_errors_name_line_and_fix(write_contract) -> None:  # type: ignore[no-untyped-def]
    path = write_contract(
        rule(amount="{base: first_krone, price: 4000, threshold: {relative: 0.05, noise: 0.1}}"),
        rule("r2", "{base: flat, price: 1}", "fond"),
        extra="bogus: 1",
    )
    errors = _errors(path)
    text = "\n".join(errors)
    assert "give exactly one of relative, absolute or noise" in text
    assert (
        f":{_line_of(path, 'base: flat')}: rules.1.amount.base: 'flat' is not allowed; use one of"
        in text
    )
    assert f":{_line_of(path, 'bogus')}:" in text and "the keys known here are" in text


def test_references_and_roles(write_contract) -> None:  # type: ignore[no-untyped-def]
    path = write_contract(
        rule("a", payer="fond"),  # an investor, not a payer
        rule("b", outcome="nope"),
        rule("c", amount="{base: rate_card, price: 10}"),  # bed days are not a participant outcome
        extra="guards:\n  - {id: g, metric: emergency, tolerance: 0.1, rules: [zzz]}",
    )
    text = "\n".join(_errors(path))
    assert "'fond' is not a party with the role payer" in text
    assert "unknown metric 'nope'" in text
    assert "a participant outcome is paid by base: rate_card" in text
    assert "unknown rule 'zzz'" in text


def test_unknown_panel_metric(tmp_path: Path) -> None:
    text = (
        BASE.replace("outcome: bed_days,", "outcome: bed_dayz,")
        .replace("{rules}", "  " + rule().replace("\n", "\n  "))
        .replace("{extra}", "")
    )
    path = tmp_path / "c.yaml"
    path.write_text(text)
    (error,) = _errors(path)
    assert f":{_line_of(path, 'bed_dayz')}: 'bed_dayz' is not a panel metric" in error


def test_versions_need_amendments(write_contract) -> None:  # type: ignore[no-untyped-def]
    path = write_contract(extra="")
    path.write_text(path.read_text().replace("version: 1", "version: 2"))
    assert "needs one amendment for each of versions 2" in "\n".join(_errors(path))
    path.write_text(
        path.read_text() + "amendments:\n  - {version: 2, date: 2024-03-01, reason: Lower intake, "
        "change: cohort 2 dropped}\n"
    )
    contract = load_contract(path)
    assert contract.version == 2 and contract.amendments[0].reason == "Lower intake"


def test_the_hash_follows_the_content(write_contract) -> None:  # type: ignore[no-untyped-def]
    path = write_contract()
    first = load_contract(path).sha256
    assert load_contract(path).sha256 == first
    path.write_text(path.read_text().replace("price: 4000", "price: 4001"))
    assert load_contract(path).sha256 != first


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("a: [1, 2", "not valid YAML"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "c.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    assert message in _errors(path)[0]
    with pytest.raises(ContractError, match="Cannot read"):
        load_contract(tmp_path / "missing.yaml")


def test_a_rate_card_pays_for_five_or_more(write_contract) -> None:  # type: ignore[no-untyped-def]
    path = write_contract(rule("card", "{base: rate_card, price: 5000}", outcome="completed"))
    assert "give threshold: {absolute: 5} or more" in "\n".join(_errors(path))


@pytest.mark.parametrize("name", ["et-liv-i-balance", "peterborough-style"])
def test_the_shipped_examples_are_valid(name: str) -> None:
    from broen.analytics.settlement import shipped_contracts

    assert name in shipped_contracts()
    contract = load_contract(name)
    assert contract.illustrative  # their terms are made up, and say so
    assert all(r.evidence.validator in contract.parties for r in contract.rules)
