"""A small hand-made warehouse with known answers, and helpers to build definitions on it.

Rows are inserted straight into a fresh warehouse (the importer is tested elsewhere). The
extract period is 2019-01-01 .. 2023-12-31; most tests use the fixed index date 2021-06-01
(a Tuesday in ISO week 2021-W22, 31 May .. 6 June).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from broen.analytics import connect
from broen.analytics.cohort import build_cohort, cohort_attrition, parse_definition

INDEX = "2021-06-01"

PERSONS = [
    # person_id, birth_date, sex, municipality, education, origin, lives_alone, death, moved_out
    ("p1", "1970-05-10", "F", 360, "basic", "danish", True, None, None),
    ("p2", "1990-01-01", "M", 376, "long_higher", "western", False, None, None),
    ("p3", "1950-12-31", "F", 360, "vocational", "danish", True, "2020-06-01", None),
    ("p4", "2010-03-01", "M", 376, None, None, None, None, None),
    ("p5", "1980-02-29", "F", 400, "medium_higher", "non_western", False, None, "2021-01-01"),
    ("p6", "1991-06-01", "M", 360, "vocational", "danish", True, None, None),  # 30 on the index
    ("p7", "1991-06-02", "F", 360, "basic", "danish", False, None, None),  # 29 on the index
    ("p8", "2022-01-01", "M", 360, None, None, None, None, None),  # born after the index
]
ALIVE = {"p1", "p2", "p4", "p6", "p7"}  # alive, born and resident on 2021-06-01

HOSPITAL_CONTACTS = [
    # contact_id, person_id, start, end, priority, setting, primary diagnosis, psychiatric, cost
    ("c1", "p1", "2021-01-10", "2021-01-12", "acute", "inpatient", "DE110", False, 30000),
    ("c2", "p2", "2021-03-01", "2021-03-01", "planned", "outpatient", "DI109", False, 2000),
    ("c3", "p6", "2019-01-05", "2019-01-05", "acute", "emergency", "DE119", False, 3000),
    ("c4", "p7", "2021-06-02", "2021-06-03", "acute", "inpatient", "DE110", False, 25000),
    ("c5", "p1", "2021-03-03", "2021-03-05", "acute", "inpatient", "DJ441", False, 30000),
    ("c6", "p1", "2020-07-01", "2020-07-02", "acute", "inpatient", "DF322", True, 9000),
    ("c7", "p2", "2021-05-01", "2021-05-02", "acute", "inpatient", "DS720", False, 40000),
    ("c8", "p2", "2020-01-01", "2020-01-02", "acute", "inpatient", "DS720", False, 40000),
    ("c9", "p7", "2020-05-01", "2020-05-01", "acute", "emergency", "DC509", False, 2000),
]  # fmt: skip
HOSPITAL_DIAGNOSES = [
    ("c2", "DI109", "A"),
    ("c2", "DE119", "B"),
    ("c5", "DE110", "B"),
]
PRIMARY_CARE = [
    # person_id, date, provider, specialty, service_code, services, fee
    ("p1", "2021-02-01", "gp", "80", "0101", 2, 300),
    ("p1", "2021-04-01", "gp", "80", "0101", 1, 150),
    ("p2", "2021-02-01", "gp", "80", "0101", 1, 150),
    ("p2", "2021-02-02", "physiotherapist", None, None, 1, 300),
    ("p6", "2020-01-01", "gp", "80", "0201", None, 27),
]
PRESCRIPTIONS = [
    # person_id, dispensing_date, atc, packages, cost, subsidy
    ("p1", "2021-02-01", "A10BA02", 1, 60, 40),
    ("p1", "2021-05-01", "A10BA02", 1, 60, 40),
    ("p2", "2021-02-01", "A10BA02", 1, 60, 40),
    ("p6", "2019-02-01", "A10BJ06", 1, 950, 500),
    ("p6", "2021-05-31", "R03AK06", 1, 400, 300),
]
MUNICIPAL_SERVICES = [
    # person_id, service, start, end, units, unit, cost
    ("p2", "home_care", "2019-01-01", "2020-12-31", 100, "hours", 45000),
    ("p7", "home_care", "2021-05-01", None, 2, "hours", 900),
]
TRANSFERS = [
    # person_id, week, state, code, amount
    ("p2", "2021-W22", "sickness_benefit", "890", 4350),
    ("p1", "2021-W21", "sickness_benefit", "890", 4350),
    ("p1", "2021-W20", "sickness_benefit", "890", 4350),
    ("p6", "2021-W22", "retirement", None, 4700),
    ("p7", "2021-W22", "education", "651", 1450),
]
MEASUREMENTS = [
    # person_id, date, kind, value
    ("p1", "2021-01-01", "bmi", 36.0),
    ("p1", "2021-05-01", "bmi", 34.0),
    ("p2", "2020-09-01", "bmi", 40.0),
    ("p7", "2018-01-01", "bmi", 41.0),  # outside a 2-year window
]
SOMV, STOP = "sammen-om-min-vej", "rygestop"
PROGRAMME_EPISODES = [
    # episode_id, person_id, programme, referral, source, start, end, status, end_reason, stratum
    ("e1", "p1", SOMV, "2021-04-10", "A12", "2021-05-01", None, "enrolled", None, "2"),
    ("e2", "p2", SOMV, "2021-04-20", "A9", None, None, "declined", None, None),
    ("e3", "p6", STOP, "2021-02-01", "A11", "2021-02-10", "2021-03-20", "completed", None, None),
    ("e4", "p6", "rygestop", "2022-02-01", "A9", None, None, "referred", None, None),
    ("e5", "p3", "rygestop", "2021-02-01", "A11", None, None, "referred", None, None),
]  # fmt: skip

TABLES: dict[str, list[tuple[Any, ...]]] = {
    "persons": PERSONS,
    "hospital_contacts": HOSPITAL_CONTACTS,
    "hospital_diagnoses": HOSPITAL_DIAGNOSES,
    "primary_care": PRIMARY_CARE,
    "prescriptions": PRESCRIPTIONS,
    "municipal_services": MUNICIPAL_SERVICES,
    "transfers": TRANSFERS,
    "measurements": MEASUREMENTS,
    "programme_episodes": PROGRAMME_EPISODES,
}

PANEL = [
    # person_id, month, acute_admissions, cost_total
    ("p1", "2020-05-01", 0, 9000.0),  # 13 months before the index month: outside 12m
    ("p1", "2020-06-01", 0, 100.0),
    ("p1", "2021-05-01", 1, 600.0),
    ("p1", "2021-06-01", 0, 50000.0),  # the index month itself: outside
    ("p2", "2021-05-01", 1, 2000.0),
    ("p6", "2021-01-01", 0, 10.0),
]


def make_warehouse(path: Path, *, panel: bool = False) -> Path:
    with connect(path) as con:
        con.execute(
            "INSERT INTO batches (batch_id, source, extract_sha256, imported_at, period_start, "
            "period_end, description, contract_version, rows_read, rows_accepted, "
            "rows_rejected) VALUES ('b1', 'test', 'x', now(), DATE '2019-01-01', "
            "DATE '2023-12-31', 'hand-made', 1, 0, 0, 0)"
        )
        for table, rows in TABLES.items():
            marks = ", ".join("?" * (len(rows[0]) + 1))
            con.executemany(f'INSERT INTO "{table}" VALUES ({marks})', [[*r, "b1"] for r in rows])
        if panel:
            con.execute(
                "CREATE OR REPLACE TABLE panel (person_id VARCHAR, month DATE, "
                "acute_admissions BIGINT, cost_total DOUBLE)"
            )
            con.executemany("INSERT INTO panel VALUES (?, ?, ?, ?)", PANEL)
    return path


def definition(body: str, *, index: str = f"fixed: {INDEX}", name: str = "t") -> str:
    return f"name: {name}\nindex:\n  {index}\n{body}"


def members(warehouse: Path, body: str, **kwargs: str) -> set[str]:
    """The person ids of a one-off definition built on the warehouse."""
    return {p for p, _ in member_rows(warehouse, body, **kwargs)}


def member_rows(warehouse: Path, body: str, **kwargs: str) -> set[tuple[str, date]]:
    d = parse_definition(definition(body, **kwargs), "test.yaml")
    build_cohort(d, warehouse)
    with connect(warehouse) as con:
        rows = con.execute(
            "SELECT person_id, index_date FROM cohort_members WHERE cohort = ?", [d.name]
        ).fetchall()
    return {(str(p), i) for p, i in rows}


def attrition(warehouse: Path, name: str = "t") -> list[Any]:
    return cohort_attrition(name, warehouse)
