"""The settlement ledger of a contract: one entry per (period, status) statement, with each
rule's entitlement and what was due. A statement nets what earlier statements paid:

- a period that ``trues_up`` earlier periods (cumulative windows) includes their outcomes, so
  what each of them has become due so far is deducted (the final statement of each if there is
  one, else its provisional one);
- a final statement deducts the provisional statement of the same period (the true-up).

Running a statement again replaces its entry and nets the same earlier entries, so the same
data give the same statement (idempotent). The ledger is written atomically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broen.analytics._report import write_report
from broen.analytics.settlement._model import Contract
from broen.analytics.settlement._rules import SettlementError

LEDGER = "ledger.json"
FORMAT = "broen-settlement-ledger/1"


@dataclass(frozen=True)
class Entry:
    period: str
    status: str  # provisional | final
    folder: str
    contract_version: int
    contract_sha256: str
    entitlement: dict[str, int]  # rule -> øre
    due: dict[str, int]  # rule -> øre (negative: paid back)


def read_ledger(folder: Path, contract: Contract) -> list[Entry]:
    path = Path(folder) / LEDGER
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise SettlementError(f"{path}: not a readable settlement ledger ({err})") from err
    if data.get("format") != FORMAT or data.get("contract") != contract.id:
        raise SettlementError(
            f"{path}: the ledger of another contract ({data.get('contract')!r}); settle "
            f"{contract.id} into its own folder"
        )
    return [Entry(**e) for e in data["entries"]]


def paid_before(
    entries: list[Entry], contract: Contract, period: str, status: str
) -> dict[str, int]:
    """Per rule, what earlier statements made due that this one's entitlement includes: all
    statements of the periods it trues up (directly or through them), and for a final
    statement its own period's provisional one. Netted per account (payer, recipient and
    metric), so that a pooled rule nets what an early per-cohort rule paid (Peterborough)."""
    account = {r.id: (r.payer, r.recipient, r.outcome) for r in contract.rules}
    earlier = [e for e in entries if e.period in _trued_up(contract, period)]
    if status == "final":
        earlier += [e for e in entries if e.period == period and e.status == "provisional"]
    paid: dict[tuple[str, str, str], int] = {}
    for e in earlier:
        for rule, ore in e.due.items():
            if rule in account:
                paid[account[rule]] = paid.get(account[rule], 0) + ore
    return {rule: paid[key] for rule, key in account.items() if key in paid}


def _trued_up(contract: Contract, period: str) -> list[str]:
    seen: list[str] = []
    todo = list(contract.periods[period].trues_up)
    while todo:
        q = todo.pop(0)
        if q not in seen and q != period:
            seen.append(q)
            todo.extend(contract.periods[q].trues_up)
    return seen


def record(folder: Path, contract: Contract, entry: Entry) -> Path:
    """Add or replace the entry of (period, status) and write the ledger."""
    entries = [
        e
        for e in read_ledger(folder, contract)
        if (e.period, e.status) != (entry.period, entry.status)
    ]
    entries.append(entry)
    entries.sort(key=lambda e: (e.period, e.status != "provisional"))
    data: dict[str, Any] = {
        "format": FORMAT,
        "contract": contract.id,
        "entries": [e.__dict__ for e in entries],
    }
    return write_report(Path(folder) / LEDGER, json.dumps(data, indent=1) + "\n")
