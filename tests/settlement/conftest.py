"""A small contract to vary: one region paying for bed days, one municipality paying for its
own costs, the investor paid, an evaluator validating. Tests replace the parts they test."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent, indent

import pytest

from broen.analytics import import_extract
from broen.analytics.panel import build_panel
from broen.analytics.settlement import Contract, load_contract
from broen.analytics.synth import ProgrammeEffects, generate_extract

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


EVALUATION = """\
version: 1
programme: rygestop
matching: {period: quarter, municipality: false, age_band_years: 10, max_fit_controls: 20000}
outcomes:
  metrics: [bed_days, acute_admissions, emergency_visits]
  negative_controls: [cost_pc_dentist]
bootstrap: {replicates: 99, seed: 3}
"""

CONTRACT = """\
format: broen-outcome-contract/1
id: rygestop-test
title: Rygestop, testkontrakt
version: 1
illustrative: true
currency: DKK
parties:
  region: {name: Region Sjælland, roles: [payer]}
  kommune: {name: Lolland Kommune, roles: [payer]}
  fond: {name: Fonden, roles: [investor]}
  evaluator: {name: Evaluator, roles: [validator]}
cohort:
  programme: rygestop
  intention_to_treat: true
  cohorts:
    - {id: early, first: 2017-01, last: 2018-12}
    - {id: late, first: 2019-01, last: 2020-12}
counterfactual:
  evaluation: rygestop.yaml
metrics:
  bed-days: {outcome: bed_days, direction: decrease, unit: sengedage}
  emergency: {outcome: emergency_visits, direction: decrease, unit: besøg}
  completed: {outcome: completed, kind: participant, direction: increase, unit: forløb}
  smoke-free:
    {outcome: smoking, kind: participant, direction: decrease, change: -1, month: 6, unit: røgfri}
periods:
  year-1: {window: [0, 11], end: 2021-12-31}
  year-2: {window: [0, 23], end: 2022-12-31, trues_up: [year-1]}
rules:
  - id: region-bed-days
    payer: region
    recipient: fond
    who: all
    outcome: bed-days
    amount: {base: first_krone, price: 4000, share: 0.5}
    evidence: {source: LPR, validator: evaluator}
    timing: {periods: [year-1, year-2], days_after_period: 90}
  - id: kommune-completion
    payer: kommune
    recipient: fond
    who: all
    outcome: completed
    amount: {base: rate_card, price: 1000, threshold: {absolute: 5}}
    evidence: {source: FSIII, validator: evaluator}
    timing: {periods: [year-1, year-2], days_after_period: 30}
  - id: kommune-smoke-free
    payer: kommune
    recipient: fond
    who: all
    outcome: smoke-free
    amount: {base: rate_card, price: 500, threshold: {absolute: 5}}
    evidence: {source: FSIII, validator: evaluator}
    timing: {periods: [year-2], days_after_period: 30}
guards:
  - {id: g, metric: emergency, tolerance: 0.5, evidence: significant}
clawback: true
termination: completed_cohorts
investors:
  tranches:
    - {id: loan, investor: fond, kind: loan, amount: 100000, rate: 0.05, drawn: 2017-01-01}
    - {id: rest, investor: fond, kind: residual, amount: 20000, share: 0.8}
"""


@dataclass(frozen=True)
class World:
    warehouse: Path
    contract: Path


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("settle")
    generate_extract(
        root / "extract",
        persons=3000,
        start="2016-01",
        end="2022-12",
        seed=5,
        effects=ProgrammeEffects().with_reach(15.0),
    )
    warehouse = root / "w.duckdb"
    import_extract(root / "extract", warehouse=warehouse)
    build_panel(warehouse)
    (root / "rygestop.yaml").write_text(EVALUATION)
    contract = root / "contract.yaml"
    contract.write_text(CONTRACT)
    return World(warehouse, contract)
