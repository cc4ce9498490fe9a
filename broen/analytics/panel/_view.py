"""The view ``panel``: the stored columns of ``panel_base`` and the columns computed from them.

The totals (``cost_total``, ``cost_hospital_acute``, …), ``gp_contacts`` and the payer columns
are sums of stored columns: computed on reading, they cost a few additions per row, where
storing them meant writing 13 more columns of every person-month. The payer shares are
constants of the view, which every build rewrites (a new payer mapping means a full build).
"""

from __future__ import annotations

from broen.analytics._sql import quote
from broen.analytics.panel._columns import (
    COST_PAYERS,
    HOSPITAL_SPLITS,
    MUNICIPAL_COST,
    PANEL_COLUMNS,
    PRIMARY_COST,
    TRANSFER_DKK,
    TRANSFER_PAYERS,
    TRANSFER_STATES,
    sql_type,
)
from broen.analytics.panel._payers import COST_CATEGORIES, Payers

BASE = "panel_base"
VIEW = "panel"


def _sum(columns: list[str] | tuple[str, ...]) -> str:
    """A row-wise sum, left to right (one order of adding for every reader)."""
    return "(" + " + ".join(quote(c) for c in columns) + ")"


def _weighted(terms: list[tuple[float, str]]) -> str:
    if not terms:
        return "0.0"
    return "(" + " + ".join(quote(c) if w == 1.0 else f"{quote(c)} * {w!r}" for w, c in terms) + ")"


def derived_sql(payers: Payers) -> dict[str, str]:
    """Each computed column as SQL over the stored columns."""
    acute = _sum([c for c in HOSPITAL_SPLITS if "_acute_" in c])
    planned = _sum([c for c in HOSPITAL_SPLITS if "_planned_" in c])
    primary, municipal = _sum(PRIMARY_COST), _sum(MUNICIPAL_COST)
    out = {
        "cost_total": f'({acute} + {planned} + {primary} + "cost_medicine" + {municipal})',
        "cost_hospital_acute": acute,
        "cost_hospital_planned": planned,
        "cost_primary_care": primary,
        "cost_municipal": municipal,
        "gp_contacts": '"services_gp"',
        "transfer_dkk": _sum(TRANSFER_DKK),
    }
    for payer in COST_PAYERS:
        terms: list[tuple[float, str]] = []
        for category, columns in COST_CATEGORIES.items():
            share = payers.cost_share(category, payer)
            if share:
                terms += [(-share, c[1:]) if c.startswith("-") else (share, c) for c in columns]
        out[f"cost_payer_{payer}"] = _weighted(terms)
    for payer in TRANSFER_PAYERS:
        shares = [(payers.transfer_share(s, payer), f"transfer_dkk_{s}") for s in TRANSFER_STATES]
        out[f"transfer_payer_{payer}"] = _weighted([(w, c) for w, c in shares if w])
    return out


def view_sql(payers: Payers, base: str = BASE, name: str = VIEW, temporary: bool = False) -> str:
    """``CREATE OR REPLACE VIEW name``: ``PANEL_COLUMNS`` in order over the table ``base``."""
    derived = derived_sql(payers)
    columns = [
        f"CAST({derived[c]} AS {sql_type(c)}) AS {quote(c)}" if c in derived else quote(c)
        for c in PANEL_COLUMNS
    ]
    kind = "TEMP VIEW" if temporary else "VIEW"
    select = ", ".join(columns)
    return f"CREATE OR REPLACE {kind} {quote(name)} AS SELECT {select} FROM {quote(base)}"
