"""The payer mapping: which share of each cost goes to region, municipality, state or citizen.

The defaults ship as ``payers.yaml`` next to this module; a user file (``--payers FILE``) is
merged over them category by category. Validation names the file and line of every problem.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import yaml

from broen.analytics._contract import MUNICIPAL_SERVICES, PROVIDERS
from broen.analytics._exceptions import ConfigurationError
from broen.analytics.panel._columns import COST_PAYERS, TRANSFER_PAYERS, TRANSFER_STATES

DEFAULT_PAYERS_FILE = Path(__file__).with_name("payers.yaml")

# Cost categories: a partition of cost_total, each the sum of these panel columns (a leading
# "-" subtracts).
COST_CATEGORIES: dict[str, tuple[str, ...]] = {
    "hospital_inpatient": ("cost_hospital_acute_inpatient", "cost_hospital_planned_inpatient"),
    "hospital_outpatient": ("cost_hospital_acute_outpatient", "cost_hospital_planned_outpatient"),
    "hospital_emergency": ("cost_hospital_acute_emergency", "cost_hospital_planned_emergency"),
    **{f"pc_{p}": (f"cost_pc_{p}",) for p in PROVIDERS},
    "medicine_subsidy": ("medicine_subsidy_dkk",),
    "medicine_copayment": ("cost_medicine", "-medicine_subsidy_dkk"),
    **{f"municipal_{s}": (f"cost_municipal_{s}",) for s in MUNICIPAL_SERVICES},
}
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Payers:
    """Shares per category and payer; every category's shares sum to 1."""

    costs: dict[str, dict[str, float]]
    transfers: dict[str, dict[str, float]]
    source: str

    @property
    def fingerprint(self) -> str:
        text = json.dumps({"costs": self.costs, "transfers": self.transfers}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def cost_share(self, category: str, payer: str) -> float:
        return self.costs[category].get(payer, 0.0)

    def transfer_share(self, state: str, payer: str) -> float:
        return self.transfers[state].get(payer, 0.0)


def load_payers(path: Path | None = None) -> Payers:
    """The default mapping, with the categories of ``path`` (if given) replacing the defaults."""
    costs, transfers = _read(DEFAULT_PAYERS_FILE)
    missing = sorted(set(COST_CATEGORIES) - set(costs)) + sorted(
        set(TRANSFER_STATES) - set(transfers)
    )
    if missing:  # pragma: no cover - guards the shipped file
        raise ConfigurationError(f"{DEFAULT_PAYERS_FILE} lacks {', '.join(missing)}.")
    if path is not None:
        user_costs, user_transfers = _read(Path(path))
        costs.update(user_costs)
        transfers.update(user_transfers)
    return Payers(costs, transfers, str(path or DEFAULT_PAYERS_FILE))


Shares = dict[str, dict[str, float]]


def _read(path: Path) -> tuple[Shares, Shares]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigurationError(f"Cannot read the payer file {path}: {err.strerror}.") from err
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise ConfigurationError(f"{path}{where}: not valid YAML.") from err
    if root is None:
        return {}, {}
    top = _mapping(path, root, "the file")
    costs: Shares = {}
    transfers: Shares = {}
    for key, value in top.items():
        name = str(key.value)
        if name == "version":
            if str(value.value) != "1":
                _fail(path, value, f"version {value.value} is unknown; use version: 1")
        elif name == "costs":
            costs = _shares(path, value, set(COST_CATEGORIES), COST_PAYERS, "cost category")
        elif name == "transfers":
            transfers = _shares(path, value, set(TRANSFER_STATES), TRANSFER_PAYERS, "state")
        else:
            _fail(path, key, f"unknown key {name!r}; expected version, costs or transfers")
    return costs, transfers


def _shares(
    path: Path, node: yaml.Node, known: set[str], payers: tuple[str, ...], what: str
) -> Shares:
    out: Shares = {}
    for key, value in _mapping(path, node, "costs/transfers").items():
        category = str(key.value)
        if category not in known:
            _fail(path, key, f"unknown {what} {category!r}; known: {', '.join(sorted(known))}")
        shares: dict[str, float] = {}
        for pkey, pvalue in _mapping(path, value, category).items():
            payer = str(pkey.value)
            if payer not in payers:
                _fail(path, pkey, f"{category}: unknown payer {payer!r}; use {', '.join(payers)}")
            try:
                share = float(pvalue.value)
            except (TypeError, ValueError):
                _fail(path, pvalue, f"{category}.{payer}: {pvalue.value!r} is not a number")
            if not 0.0 <= share <= 1.0:
                _fail(path, pvalue, f"{category}.{payer}: a share must lie between 0 and 1")
            shares[payer] = share
        total = sum(shares.values())
        if abs(total - 1.0) > TOLERANCE:
            _fail(path, key, f"the shares of {category} sum to {total:g}, not 1")
        out[category] = shares
    return out


def _mapping(path: Path, node: yaml.Node, what: str) -> dict[yaml.ScalarNode, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        _fail(path, node, f"{what} must be a mapping of names to values")
    out: dict[yaml.ScalarNode, yaml.Node] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            _fail(path, key, "keys must be plain names")
        out[key] = value
    return out


def _fail(path: Path, node: yaml.Node, message: str) -> NoReturn:
    raise ConfigurationError(f"{path}, line {node.start_mark.line + 1}: {message}.")
