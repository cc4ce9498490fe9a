"""The columns of the person-month panel: names, SQL types and groups, declared once.

Money is DOUBLE (DKK). Every count (admissions, visits, bed days, services, dispensings, weeks)
is INTEGER: counts of one month are small whole numbers, and bed days are whole nights.

The table ``panel_base`` stores ``STORED_COLUMNS``; the view ``panel`` adds the
``DERIVED_COLUMNS`` (totals, ``gp_contacts`` and the payer columns), which are sums of stored
columns: computing them on reading costs less than writing 13 more columns of 78 million rows.
"""

from __future__ import annotations

from broen.analytics._contract import (
    MUNICIPAL_SERVICES,
    PANEL_METRICS_V1,
    PRIORITIES,
    PROVIDERS,
    SETTINGS,
)
from broen.analytics._contract import TRANSFER_STATES as _STATES
from broen.analytics._sql import quote

TRANSFER_STATES: tuple[str, ...] = _STATES
COST_PAYERS = ("region", "municipality", "state", "citizen")
TRANSFER_PAYERS = ("municipality", "state")

KEY_COLUMNS = ("person_id", "month")
PERSON_COLUMNS = ("age", "days_resident")

# The twelve metrics of contract v1 ("Panel metrics, version 1"), in the contract's order.
V1_METRICS = PANEL_METRICS_V1

HOSPITAL_SPLITS = tuple(f"cost_hospital_{p}_{s}" for p in PRIORITIES for s in SETTINGS)
HOSPITAL_EXTRA = (
    "cost_hospital_psychiatric",
    "bed_days_psychiatric",
    "planned_admissions",
    "outpatient_visits",
)
PRIMARY_COST = tuple(f"cost_pc_{p}" for p in PROVIDERS)
PRIMARY_SERVICES = tuple(f"services_{p}" for p in PROVIDERS)
MUNICIPAL_COST = tuple(f"cost_municipal_{s}" for s in MUNICIPAL_SERVICES)
MEDICINE_EXTRA = ("medicine_subsidy_dkk", "dispensings")
TRANSFER_WEEKS = tuple(f"weeks_{s}" for s in TRANSFER_STATES)
TRANSFER_DKK = tuple(f"transfer_dkk_{s}" for s in TRANSFER_STATES)
PAYER_COST = tuple(f"cost_payer_{p}" for p in COST_PAYERS)
PAYER_TRANSFER = tuple(f"transfer_payer_{p}" for p in TRANSFER_PAYERS)

PANEL_COLUMNS: tuple[str, ...] = (
    *KEY_COLUMNS,
    *PERSON_COLUMNS,
    *V1_METRICS,
    *HOSPITAL_SPLITS,
    *HOSPITAL_EXTRA,
    *PRIMARY_COST,
    *PRIMARY_SERVICES,
    *MUNICIPAL_COST,
    *MEDICINE_EXTRA,
    *TRANSFER_WEEKS,
    *TRANSFER_DKK,
    *PAYER_COST,
    *PAYER_TRANSFER,
)

COUNT_COLUMNS = frozenset(
    {
        "acute_admissions",
        "bed_days",
        "emergency_visits",
        "gp_contacts",
        "weeks_self_supporting",
        "bed_days_psychiatric",
        "planned_admissions",
        "outpatient_visits",
        "dispensings",
        *PRIMARY_SERVICES,
        *TRANSFER_WEEKS,
    }
)
METRIC_COLUMNS: tuple[str, ...] = PANEL_COLUMNS[4:]


def sql_type(column: str) -> str:
    """The warehouse type of a panel column."""
    if column == "person_id":
        return "VARCHAR"
    if column == "month":
        return "DATE"
    if column in PERSON_COLUMNS:
        return "INTEGER"
    return "INTEGER" if column in COUNT_COLUMNS else "DOUBLE"


DERIVED_COLUMNS = frozenset(
    {
        "cost_total",
        "cost_hospital_acute",
        "cost_hospital_planned",
        "cost_primary_care",
        "cost_municipal",
        "gp_contacts",
        "transfer_dkk",
        *PAYER_COST,
        *PAYER_TRANSFER,
    }
)
STORED_COLUMNS: tuple[str, ...] = tuple(c for c in PANEL_COLUMNS if c not in DERIVED_COLUMNS)


def create_stored_sql(name: str, *, temporary: bool = False) -> str:
    """``CREATE [TEMP] TABLE name`` with the stored columns of the panel."""
    cols = ",\n    ".join(f"{quote(c)} {sql_type(c)}" for c in STORED_COLUMNS)
    temp = "TEMP " if temporary else ""
    return f"CREATE {temp}TABLE {quote(name)} (\n    {cols}\n)"
