"""The build report's reconciliation: what the raw rows hold against what the panel holds.

For each source the raw total (over the persons built) is compared with the panel's total over
the same persons. The difference is the part of events that fell outside the panel: before the
period, after it, before birth, after the day of death (which is a resident day), on or after
the day of moving out. Nothing is dropped silently: every excluded krone, contact, night,
service, dispensing and week is counted here. An extract whose events (every day of a span; a
week's Thursday) lie in the period, on or after birth, on or before death and before moving out
has nothing excluded.
Computed with plain SQL on the warehouse, independently of the engine that built the panel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from broen.analytics._sql import quote
from broen.analytics.panel._columns import PRIMARY_SERVICES, TRANSFER_WEEKS

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Excluded:
    """``raw`` in the source rows, ``in_panel`` in the panel; ``excluded = raw - in_panel``."""

    source: str
    measure: str
    raw: float
    in_panel: float

    @property
    def excluded(self) -> float:
        return self.raw - self.in_panel


# (source, measure, SQL over the raw table, SQL over the panel)
CHECKS: tuple[tuple[str, str, str, str], ...] = (
    ("hospital_contacts", "contacts", "count(*)",
     "sum(acute_admissions + planned_admissions + outpatient_visits + emergency_visits)"),
    ("hospital_contacts", "DKK", "sum(cost_dkk)",
     "sum(cost_hospital_acute + cost_hospital_planned)"),
    ("hospital_contacts", "bed days",
     "sum(CASE WHEN setting = 'inpatient' THEN date_diff('day', CAST(start AS DATE), "
     "CAST(\"end\" AS DATE)) ELSE 0 END)", "sum(bed_days)"),
    ("primary_care", "services", "sum(coalesce(services, 1))",
     f"sum({' + '.join(PRIMARY_SERVICES)})"),
    ("primary_care", "DKK", "sum(fee_dkk)", "sum(cost_primary_care)"),
    ("prescriptions", "dispensings", "count(*)", "sum(dispensings)"),
    ("prescriptions", "DKK", "sum(cost_dkk)", "sum(cost_medicine)"),
    ("municipal_services", "DKK", "sum(cost_dkk)", "sum(cost_municipal)"),
    ("transfers", "weeks", "count(*)",
     f"sum({' + '.join(TRANSFER_WEEKS)})"),
    ("transfers", "DKK", "sum(amount_dkk)", "sum(transfer_dkk)"),
)  # fmt: skip


def reconcile(
    con: duckdb.DuckDBPyConnection, sources: Mapping[str, str], panel_table: str
) -> list[Excluded]:
    """Raw totals of the tables ``sources`` (source -> table holding the rows of the persons
    built) against the totals of the table ``panel_table`` (their new panel rows)."""
    raw: dict[tuple[str, str], float] = {}
    for source in sorted({c[0] for c in CHECKS}):
        checks = [c for c in CHECKS if c[0] == source]
        select = ", ".join(f"coalesce({c[2]}, 0)" for c in checks)
        row = con.execute(f"SELECT {select} FROM {quote(sources[source])}").fetchall()[0] or ()
        raw.update({(c[0], c[1]): float(v) for c, v in zip(checks, row, strict=True)})
    select = ", ".join(f"coalesce({c[3]}, 0)" for c in CHECKS)
    row = con.execute(f"SELECT {select} FROM {quote(panel_table)}").fetchall()[0] or ()
    panel = {(c[0], c[1]): float(v) for c, v in zip(CHECKS, row, strict=True)}
    return [Excluded(c[0], c[1], raw[c[0], c[1]], panel[c[0], c[1]]) for c in CHECKS]
