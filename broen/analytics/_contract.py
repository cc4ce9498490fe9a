"""The register extract format, version 1 ("contract v1"), as data.

One declaration per table: its columns with type, requiredness and allowed values, and its key.
The importer, the validator, the synthetic generator and the documentation all read these
declarations, so the format is written down once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["string", "integer", "number", "date", "datetime", "bool", "week"]

CONTRACT_VERSION = 1

EDUCATION_LEVELS = (
    "basic",
    "upper_secondary",
    "vocational",
    "short_higher",
    "medium_higher",
    "long_higher",
    "unknown",
)
ORIGINS = ("danish", "western", "non_western")
PRIORITIES = ("acute", "planned")
SETTINGS = ("inpatient", "outpatient", "emergency")
PROVIDERS = ("gp", "specialist", "physiotherapist", "psychologist", "dentist", "other")
MUNICIPAL_SERVICES = (
    "home_care",
    "home_nursing",
    "rehabilitation",
    "prevention",
    "nursing_home",
    "other",
)
SERVICE_UNITS = ("hours", "visits", "days", "sessions")
TRANSFER_STATES = (
    "unemployment",
    "sickness_benefit",
    "cash_benefit",
    "flexjob",
    "disability_pension",
    "education",
    "parental_leave",
    "retirement",
    "other_benefit",
)
# DREAM research groups these with "no transfer" as self-supporting (contract v1, panel metrics).
SELF_SUPPORTING_STATES = ("education", "parental_leave")
EPISODE_STATUSES = ("referred", "declined", "enrolled", "completed", "dropped_out")
MEASUREMENT_KINDS = (
    "weight_kg",
    "height_cm",
    "bmi",
    "waist_cm",
    "systolic_bp",
    "diastolic_bp",
    "hba1c_mmol_mol",
    "smoking",
)
# Plausible ranges, inclusive. Values outside are measurement or unit errors, not people.
MEASUREMENT_RANGES: dict[str, tuple[float, float]] = {
    "weight_kg": (25.0, 350.0),
    "height_cm": (100.0, 230.0),
    "bmi": (12.0, 90.0),
    "waist_cm": (40.0, 250.0),
    "systolic_bp": (60.0, 280.0),
    "diastolic_bp": (30.0, 180.0),
    "hba1c_mmol_mol": (15.0, 200.0),
    "smoking": (0.0, 1.0),
}
# Known questionnaire instruments: plausible range of an item and of the total score.
QUESTIONNAIRE_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "who5": {"item": (0, 5), "score": (0, 100)},
    "epds": {"item": (0, 3), "score": (0, 30)},
    "self_rated_health": {"item": (1, 5), "score": (1, 5)},
    "life_satisfaction": {"item": (0, 10), "score": (0, 10)},
}
REFERRAL_SOURCES = tuple(f"A{i}" for i in range(1, 16))
# "Panel metrics, version 1": the names every panel exposes, in the contract's order.
PANEL_METRICS_V1 = (
    "cost_total",
    "cost_hospital_acute",
    "cost_hospital_planned",
    "cost_primary_care",
    "cost_medicine",
    "cost_municipal",
    "acute_admissions",
    "bed_days",
    "emergency_visits",
    "gp_contacts",
    "transfer_dkk",
    "weeks_self_supporting",
)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None  # a regular expression the whole value must match
    pattern_rule: str | None = None  # the rule id reported when the pattern fails
    minimum: float | None = None  # inclusive lower bound for numbers (rule range.negative at 0)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required_table: bool = False
    person_column: str | None = "person_id"
    date_columns: tuple[str, ...] = field(default_factory=tuple)  # checked against birth/death

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


SKS_DIAGNOSIS = r"D[A-Z][0-9]{2}[0-9A-Z]{0,4}"
ATC = r"[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?"
ISO_WEEK = r"[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])"

PERSONS = Table(
    name="persons",
    required_table=True,
    key=("person_id",),
    columns=(
        Column("person_id", "string", required=True),
        Column("birth_date", "date", required=True),
        Column("sex", "string", required=True, allowed=("F", "M")),
        Column("municipality", "integer", required=True),
        Column("education", "string", allowed=EDUCATION_LEVELS),
        Column("origin", "string", allowed=ORIGINS),
        Column("lives_alone", "bool"),
        Column("death_date", "date"),
        Column("moved_out_date", "date"),
    ),
)

HOSPITAL_CONTACTS = Table(
    name="hospital_contacts",
    key=("contact_id",),
    date_columns=("start",),
    columns=(
        Column("contact_id", "string", required=True),
        Column("person_id", "string", required=True),
        Column("start", "datetime", required=True),
        Column("end", "datetime", required=True),
        Column("priority", "string", required=True, allowed=PRIORITIES),
        Column("setting", "string", required=True, allowed=SETTINGS),
        Column(
            "primary_diagnosis",
            "string",
            required=True,
            pattern=SKS_DIAGNOSIS,
            pattern_rule="code.sks_diagnosis",
        ),
        Column("psychiatric", "bool"),
        Column("cost_dkk", "number", required=True, minimum=0),
    ),
)

HOSPITAL_DIAGNOSES = Table(
    name="hospital_diagnoses",
    person_column=None,
    columns=(
        Column("contact_id", "string", required=True),
        Column(
            "diagnosis",
            "string",
            required=True,
            pattern=SKS_DIAGNOSIS,
            pattern_rule="code.sks_diagnosis",
        ),
        Column("kind", "string", required=True, allowed=("A", "B")),
    ),
)

PRIMARY_CARE = Table(
    name="primary_care",
    date_columns=("date",),
    columns=(
        Column("person_id", "string", required=True),
        Column("date", "date", required=True),
        Column("provider", "string", required=True, allowed=PROVIDERS),
        Column("specialty", "string", pattern=r"[0-9]{2}", pattern_rule="code.specialty"),
        Column("service_code", "string", pattern=r"[0-9]{4}", pattern_rule="code.service_code"),
        Column("services", "integer", minimum=0),
        Column("fee_dkk", "number", required=True, minimum=0),
    ),
)

PRESCRIPTIONS = Table(
    name="prescriptions",
    date_columns=("dispensing_date",),
    columns=(
        Column("person_id", "string", required=True),
        Column("dispensing_date", "date", required=True),
        Column("atc", "string", required=True, pattern=ATC, pattern_rule="code.atc"),
        Column("packages", "number", minimum=0),
        Column("cost_dkk", "number", required=True, minimum=0),
        Column("subsidy_dkk", "number", minimum=0),
    ),
)

MUNICIPAL_SERVICES_TABLE = Table(
    name="municipal_services",
    date_columns=("start_date",),
    columns=(
        Column("person_id", "string", required=True),
        Column("service", "string", required=True, allowed=MUNICIPAL_SERVICES),
        Column("start_date", "date", required=True),
        Column("end_date", "date"),
        Column("units", "number", required=True, minimum=0),
        Column("unit", "string", required=True, allowed=SERVICE_UNITS),
        Column("cost_dkk", "number", required=True, minimum=0),
    ),
)

TRANSFERS = Table(
    name="transfers",
    key=("person_id", "week"),
    date_columns=("week",),
    columns=(
        Column("person_id", "string", required=True),
        Column("week", "week", required=True, pattern=ISO_WEEK, pattern_rule="code.iso_week"),
        Column("state", "string", required=True, allowed=TRANSFER_STATES),
        Column("code", "string"),
        Column("amount_dkk", "number", minimum=0),
    ),
)

PROGRAMME_EPISODES = Table(
    name="programme_episodes",
    key=("episode_id",),
    date_columns=("referral_date",),
    columns=(
        Column("episode_id", "string", required=True),
        Column("person_id", "string", required=True),
        Column(
            "programme",
            "string",
            required=True,
            pattern=r"[a-z0-9][a-z0-9_-]*",
            pattern_rule="code.programme",
        ),
        Column("referral_date", "date", required=True),
        Column(
            "referral_source",
            "string",
            allowed=REFERRAL_SOURCES,
            pattern_rule="code.referral_source",
        ),
        Column("start_date", "date"),
        Column("end_date", "date"),
        Column("status", "string", required=True, allowed=EPISODE_STATUSES),
        Column("end_reason", "string"),
        Column("stratum", "string"),
    ),
)

MEASUREMENTS = Table(
    name="measurements",
    date_columns=("date",),
    columns=(
        Column("person_id", "string", required=True),
        Column("date", "date", required=True),
        Column("kind", "string", required=True, allowed=MEASUREMENT_KINDS),
        Column("value", "number", required=True),
    ),
)

QUESTIONNAIRE_RESPONSES = Table(
    name="questionnaire_responses",
    date_columns=("date",),
    columns=(
        Column("person_id", "string", required=True),
        Column("date", "date", required=True),
        Column("instrument", "string", required=True),
        Column("item", "string", required=True),
        Column("value", "number", required=True),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        PERSONS,
        HOSPITAL_CONTACTS,
        HOSPITAL_DIAGNOSES,
        PRIMARY_CARE,
        PRESCRIPTIONS,
        MUNICIPAL_SERVICES_TABLE,
        TRANSFERS,
        PROGRAMME_EPISODES,
        MEASUREMENTS,
        QUESTIONNAIRE_RESPONSES,
    )
}

# FSIII "Begrundelse for indsatsophør" (shared by §119 and §140): UUID -> Danish label.
# end_reason accepts the UUID or the label (case-insensitive).
FSIII_END_REASONS: dict[str, str] = {
    "4bbf6d6a-a1c6-41c2-b8c1-7352b7378adf": "Ikke yderligere behov (borger-vurderet)",
    "a63b6aa6-7d56-4e67-a5b3-d73f6d262af5": "Ikke yderligere behov (fagperson-vurderet)",
    "3a5a72b7-addf-4857-b80c-04e4246e3072": "Aktivt fravalg",
    "0cd5734d-b663-47c6-a3da-6b14a937d144": "Aktivt fravalg pga. anden sygdom",
    "f8436c2e-af1c-44fe-939d-473b518dd01d": "Aktivt fravalg pga. økonomi ifm. transport",
    "8371b769-4bfb-4ac8-b130-d91c54784a56": "Aktivt fravalg pga. logistik ifm. transport",
    "a3f2bd01-078b-486e-81be-797d192ad7bd": "Aktivt fravalg pga. anden træning",
    "82e99421-31da-4915-96ed-168ccfa1d20c": "Hændelse medfører ophør",
    "ef491570-7884-4acd-bcf7-43d6b2c64762": "Borger har ikke henvendt sig eller er udeblevet",
}
