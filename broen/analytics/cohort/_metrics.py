"""Service-use metrics and sectors that criteria can count.

Raw metrics are counted from the contract tables by event date, with day-exact windows. Panel
metrics are summed over the months of the person-month panel (``broen panel build``); any
numeric panel column can be used with ``source: panel``.
"""

from __future__ import annotations

from broen.analytics._contract import PANEL_METRICS_V1

# name: what is counted (documentation; the expressions are in _events.py)
RAW_METRICS: dict[str, str] = {
    "acute_admissions": "hospital contacts with priority acute and setting inpatient",
    "emergency_visits": "hospital contacts with setting emergency",
    "acute_contacts": "hospital contacts with priority acute (any setting)",
    "admissions": "hospital contacts with setting inpatient (acute or planned)",
    "outpatient_visits": "hospital contacts with setting outpatient",
    "hospital_contacts": "all hospital contacts",
    "psychiatric_contacts": "hospital contacts marked psychiatric",
    "gp_contacts": "primary-care services from provider gp (sum of services)",
    "specialist_contacts": "primary-care services from provider specialist (sum of services)",
    "primary_care_contacts": "primary-care services from any provider (sum of services)",
    "dispensings": "prescription dispensings (rows)",
    "municipal_services": "municipal service rows starting in the window",
}

# The panel metrics of contract v1 (data-contract.md, "Panel metrics, version 1").
PANEL_METRICS: tuple[str, ...] = PANEL_METRICS_V1

# Sectors for "contacts in at least N sectors": where the person met the system.
SECTOR_MEANING: dict[str, str] = {
    "hospital": "any hospital contact (hospital_contacts start)",
    "gp": "a general-practice service (primary_care provider gp)",
    "other_primary_care": "a practising specialist, physiotherapist, psychologist, dentist or "
    "other primary-care provider",
    "medicine": "a prescription dispensed at a pharmacy",
    "municipal_care": "a municipal service (home care, nursing, rehabilitation, prevention, "
    "nursing home, other) running in the window",
    "transfers": "a week on a job-centre or social benefit (unemployment, sickness benefit, cash "
    "benefit, flexjob, disability pension, other benefit); education, parental leave and "
    "retirement do not count",
}
SECTORS: tuple[str, ...] = tuple(SECTOR_MEANING)
SOCIAL_TRANSFER_STATES: tuple[str, ...] = (
    "unemployment",
    "sickness_benefit",
    "cash_benefit",
    "flexjob",
    "disability_pension",
    "other_benefit",
)
