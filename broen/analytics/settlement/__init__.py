"""Outcome contracts: declarative payment-by-results settled against the evaluation engine's
counterfactual, per payer, with caps, guards and an audit trail to the øre.

    contract = load_contract("et-liv-i-balance.yaml")
    settlement = apply_rules(contract, "year-1", effects)   # effects by metric id
"""

from broen.analytics.settlement._dryrun_report import dryrun_document, write_dryrun
from broen.analytics.settlement._indigo import export_indigo
from broen.analytics.settlement._load import (
    ContractError,
    contract_schema,
    load_contract,
    shipped_contracts,
)
from broen.analytics.settlement._model import Contract
from broen.analytics.settlement._money import format_kr, pro_rata
from broen.analytics.settlement._rules import (
    Effect,
    PeriodSettlement,
    RuleLine,
    SettlementError,
    apply_rules,
)
from broen.analytics.settlement._settle import SettlementRun, contract_config
from broen.analytics.settlement._simulate import DryRun, simulate_contract
from broen.analytics.settlement._statement import settle_contract, statement_document

__all__ = [
    "Contract",
    "ContractError",
    "DryRun",
    "Effect",
    "PeriodSettlement",
    "RuleLine",
    "SettlementError",
    "SettlementRun",
    "apply_rules",
    "contract_config",
    "contract_schema",
    "dryrun_document",
    "export_indigo",
    "format_kr",
    "load_contract",
    "pro_rata",
    "settle_contract",
    "shipped_contracts",
    "simulate_contract",
    "statement_document",
    "write_dryrun",
]
