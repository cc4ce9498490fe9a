"""The validation rules of the importer: one id per rule, with what it checks.

A row that breaks any rule goes to quarantine with the first rule it broke (in the order below)
and a message naming the column and the value. Rule ids are stable: reports, tests and the fault
manifest of ``broen synth --faults`` refer to them.
"""

from __future__ import annotations

RULES: dict[str, str] = {
    # The shape of a row
    "row.malformed": "a different number of fields than the header",
    # Values of one cell
    "required.missing": "a required column is empty",
    "type.integer": "not a whole number",
    "type.number": "not a number",
    "type.date": "not a date in the form YYYY-MM-DD",
    "type.datetime": "not a date-time in the form YYYY-MM-DDTHH:MM[:SS]",
    "type.bool": "not true/false",
    "enum.value": "not one of the allowed values",
    "code.sks_diagnosis": "not an SKS diagnosis code (D + ICD-10, e.g. DE110)",
    "code.atc": "not an ATC code (1-7 characters, e.g. A10BJ06)",
    "code.iso_week": "not an ISO week YYYY-Www that exists in that year",
    "code.referral_source": "not an FSIII referral source A1..A15",
    "code.municipality": "not a DST municipality code",
    "code.specialty": "not a 2-digit specialty code",
    "code.service_code": "not a 4-digit service code",
    "code.programme": "not a programme id (lower case letters, digits, - and _)",
    "code.end_reason": "not an FSIII reason for ending (UUID or Danish label)",
    "range.negative": "a negative amount or count",
    "range.subsidy_above_cost": "subsidy larger than the cost",
    "range.measurement": "outside the plausible range for the kind of measurement",
    "range.questionnaire": "outside the range of the instrument",
    "range.birth_date": "birth date after the day of import or over 120 years before the extract",
    # Dates within a row and against the person
    "date.end_before_start": "ends before it starts",
    "date.in_future": "dated after the day of import",
    "date.before_birth": "dated before the person was born",
    "date.after_death": "dated after the person died",
    "date.death_before_birth": "death date before birth date",
    # Conditions between columns
    "cond.end_reason_required": "status dropped_out needs an end_reason",
    "cond.start_date_required": "status enrolled or completed needs a start_date",
    # Between rows and tables
    "ref.person": "person_id is not in persons",
    "ref.contact": "contact_id is not in hospital_contacts",
    "key.duplicate": "another row has the same key with different content",
    "row.duplicate": "an exact copy of an earlier row",
}

RULE_ORDER: dict[str, int] = {rule: i for i, rule in enumerate(RULES)}
