"""A small contract to vary: one region paying for bed days, one municipality paying for its
own costs, the investor paid, an evaluator validating. Tests replace the parts they test."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent, indent

import pytest

from broen.analytics.settlement import Contract, load_contract

BASE = """\
format: broen-outcome-contract/1
id: test-contract
title: Test
version: 1
currency: DKK
parties:
  region: {name: Region Sjælland, roles: [payer]}
  kommune: {name: Lolland Kommune, roles: [payer]}
  fond: {name: Den Sociale Kapitalfond, roles: [investor]}
  evaluator: {name: Evaluator, roles: [validator]}
cohort:
  programme: et-liv-i-balance
  intention_to_treat: true
  cohorts:
    - {id: c1, first: 2022-01, last: 2022-12}
counterfactual:
  evaluation: et-liv-i-balance
metrics:
  bed-days: {outcome: bed_days, direction: decrease, unit: sengedage}
  municipal-cost: {outcome: cost_payer_municipality, direction: decrease, unit: kr.}
  emergency: {outcome: emergency_visits, direction: decrease, unit: skadestuebesøg}
  weeks: {outcome: weeks_self_supporting, direction: increase, unit: uger}
  completed: {outcome: completed, kind: participant, direction: increase, unit: forløb}
periods:
  year-1: {window: [0, 11], end: 2023-12-31}
rules:
{rules}
{extra}
"""


def rule(
    rule_id: str = "region-bed-days",
    amount: str = "{base: first_krone, price: 4000, share: 0.5}",
    payer: str = "region",
    outcome: str = "bed-days",
) -> str:
    return dedent(
        f"""\
        - id: {rule_id}
          payer: {payer}
          recipient: fond
          who: all
          outcome: {outcome}
          amount: {amount}
          evidence: {{source: LPR via the warehouse, validator: evaluator}}
          timing: {{periods: [year-1], days_after_period: 90}}
        """
    )


@pytest.fixture
def write_contract(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(*rules: str, extra: str = "", name: str = "contract.yaml") -> Path:
        text = BASE.replace("{rules}", indent("".join(rules or (rule(),)), "  ")).replace(
            "{extra}", extra
        )
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def contract_of(write_contract):  # type: ignore[no-untyped-def]
    def build(*rules: str, extra: str = "") -> Contract:
        return load_contract(write_contract(*rules, extra=extra))

    return build
