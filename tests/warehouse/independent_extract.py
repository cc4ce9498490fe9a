"""An extract in contract v1 written by a generator that shares no code with Broen.

It writes rows with the standard library only (``csv``, ``random``, ``datetime``) from the text
of the contract, so the importer is tested against another writer's reading of the format. Bad
rows are appended by hand, each breaking exactly one rule and listed with the rule id the
importer must report; ``expected_rejects`` is the answer key.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

COLUMNS = {
    "persons": [
        "person_id", "birth_date", "sex", "municipality", "education", "origin",
        "lives_alone", "death_date", "moved_out_date",
    ],
    "hospital_contacts": [
        "contact_id", "person_id", "start", "end", "priority", "setting",
        "primary_diagnosis", "psychiatric", "cost_dkk",
    ],
    "hospital_diagnoses": ["contact_id", "diagnosis", "kind"],
    "primary_care": [
        "person_id", "date", "provider", "specialty", "service_code", "services", "fee_dkk",
    ],
    "prescriptions": [
        "person_id", "dispensing_date", "atc", "packages", "cost_dkk", "subsidy_dkk",
    ],
    "municipal_services": [
        "person_id", "service", "start_date", "end_date", "units", "unit", "cost_dkk",
    ],
    "transfers": ["person_id", "week", "state", "code", "amount_dkk"],
    "programme_episodes": [
        "episode_id", "person_id", "programme", "referral_date", "referral_source",
        "start_date", "end_date", "status", "end_reason", "stratum",
    ],
    "measurements": ["person_id", "date", "kind", "value"],
    "questionnaire_responses": ["person_id", "date", "instrument", "item", "value"],
}  # fmt: skip

HOSPITAL_ACUTE = "Hændelse medfører ophør"  # a Danish FSIII label: tests æ, ø in cp1252


@dataclass
class IndependentExtract:
    root: Path
    rows: dict[str, int]  # rows written per table
    expected_rejects: set[tuple[str, int, str]] = field(default_factory=set)  # (table, row, rule)


def _d(x: date) -> str:
    return x.isoformat()


def _dt(x: datetime) -> str:
    return x.strftime("%Y-%m-%dT%H:%M")


def write_independent_extract(
    root: Path,
    *,
    persons: int = 150,
    seed: int = 7,
    danish_dialect: bool = False,
    with_bad_rows: bool = True,
) -> IndependentExtract:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "extract.json").write_text(
        json.dumps({"period_start": "2019-01-01", "period_end": "2023-12-31", "description": "x"})
    )
    tables: dict[str, list[list[object]]] = {name: [] for name in COLUMNS}
    people = []
    for i in range(persons):
        pid = f"ind{i:05d}"
        birth = date(1935, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
        death = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 1800)) if i % 13 == 0 else None
        people.append((pid, birth, death))
        tables["persons"].append(
            [
                pid, _d(birth), rng.choice("FM"), rng.choice([360, 376]),
                rng.choice(["basic", "vocational", "medium_higher", ""]),
                rng.choice(["danish", "western", "non_western"]),
                rng.choice(["true", "false", ""]), _d(death) if death else "", "",
            ]
        )  # fmt: skip
    contact_no = 0
    for pid, birth, death in people:
        last = min(death or date(2023, 12, 31), date(2023, 12, 31))
        first = max(birth, date(2019, 1, 1))
        if last <= first + timedelta(days=10):
            continue

        def day() -> date:
            return first + timedelta(days=rng.randrange(0, (last - first).days - 5))  # noqa: B023

        for _ in range(rng.randrange(0, 3)):
            contact_no += 1
            start = datetime.combine(day(), datetime.min.time()) + timedelta(
                hours=rng.randrange(24)
            )
            stay = timedelta(days=rng.randrange(0, 4), hours=rng.randrange(1, 12))
            cid = f"k{contact_no:06d}"
            tables["hospital_contacts"].append(
                [
                    cid, pid, _dt(start), _dt(start + stay), rng.choice(["acute", "planned"]),
                    rng.choice(["inpatient", "outpatient", "emergency"]),
                    rng.choice(["DE110", "DJ449", "DI219", "DF200"]), rng.choice(["", "false"]),
                    rng.randrange(500, 60000) + 0.5,
                ]
            )  # fmt: skip
            tables["hospital_diagnoses"].append([cid, "DE669", "B"])
        for _ in range(rng.randrange(0, 4)):
            tables["primary_care"].append(
                [pid, _d(day()), "gp", "80", "0101", rng.randrange(1, 3), 148.25]
            )
        for _ in range(rng.randrange(0, 3)):
            cost = rng.randrange(50, 3000) + 0.75
            tables["prescriptions"].append(
                [pid, _d(day()), rng.choice(["A10BA02", "R03AK06", "N06AB04"]), 1, cost, cost / 2]
            )
        if rng.random() < 0.2:
            s = day()
            tables["municipal_services"].append(
                [pid, "home_care", _d(s), _d(s + timedelta(days=13)), 10, "hours", 4500.0]
            )
        if rng.random() < 0.3:
            monday = first + timedelta(days=7 - first.weekday())
            for w in range(rng.randrange(1, 6)):
                iso = (monday + timedelta(weeks=w)).isocalendar()
                if monday + timedelta(weeks=w) > last:
                    break
                tables["transfers"].append(
                    [pid, f"{iso.year}-W{iso.week:02d}", "cash_benefit", "", 3100.0]
                )
        if rng.random() < 0.1:
            ref = day()
            tables["programme_episodes"].append(
                [
                    f"e{pid}", pid, "sammen-om-min-vej", _d(ref), "A14",
                    _d(ref + timedelta(days=3)),
                    _d(ref + timedelta(days=90)), "dropped_out", HOSPITAL_ACUTE, "2",
                ]
            )  # fmt: skip
            tables["measurements"].append([pid, _d(ref), "weight_kg", 104.5])
            tables["questionnaire_responses"].append([pid, _d(ref), "who5", "score", 48])

    expected: set[tuple[str, int, str]] = set()
    if with_bad_rows:
        _append_bad_rows(tables, expected)
    extract = IndependentExtract(root, {k: len(v) for k, v in tables.items()}, expected)
    for name, rows in tables.items():
        _write_csv(root / f"{name}.csv", COLUMNS[name], rows, danish_dialect)
    return extract


def _append_bad_rows(
    tables: dict[str, list[list[object]]], expected: set[tuple[str, int, str]]
) -> None:
    def bad(table: str, rule: str, row: list[object]) -> None:
        tables[table].append(row)
        expected.add((table, len(tables[table]), rule))

    alive = "ind00001"  # ind00000 is dead (i % 13 == 0); ind00001 is alive
    dead = "ind00000"
    bad("persons", "type.date", ["badp1", "1960-02-30", "F", 360, "", "", "", "", ""])
    bad("persons", "enum.value", ["badp2", "1960-01-01", "K", 360, "", "", "", "", ""])
    bad("persons", "code.municipality", ["badp3", "1960-01-01", "M", 340_0, "", "", "", "", ""])
    bad("persons", "required.missing", ["badp4", "", "M", 360, "", "", "", "", ""])
    bad(
        "persons",
        "date.death_before_birth",
        ["badp5", "1960-01-01", "M", 360, "", "", "", "1959-01-01", ""],
    )
    bad(
        "hospital_contacts",
        "date.end_before_start",
        [
            "badk1",
            alive,
            "2021-05-02T10:00",
            "2021-05-01T10:00",
            "acute",
            "inpatient",
            "DE110",
            "",
            100,
        ],
    )
    bad(
        "hospital_contacts",
        "code.sks_diagnosis",
        [
            "badk2",
            alive,
            "2021-05-02T10:00",
            "2021-05-03T10:00",
            "acute",
            "inpatient",
            "E11",
            "",
            100,
        ],
    )
    bad(
        "hospital_contacts",
        "ref.person",
        [
            "badk3",
            "nobody",
            "2021-05-02T10:00",
            "2021-05-03T10:00",
            "acute",
            "inpatient",
            "DE110",
            "",
            100,
        ],
    )
    bad(
        "hospital_contacts",
        "type.bool",
        [
            "badk4",
            alive,
            "2021-05-02T10:00",
            "2021-05-03T10:00",
            "acute",
            "inpatient",
            "DE110",
            "ja",
            100,
        ],
    )
    bad("hospital_diagnoses", "ref.contact", ["no-such-contact", "DE110", "A"])
    bad("primary_care", "range.negative", [alive, "2021-03-03", "gp", "80", "0101", 1, -148.25])
    bad("primary_care", "date.in_future", [alive, "2098-03-03", "gp", "80", "0101", 1, 148.25])
    bad("primary_care", "code.service_code", [alive, "2021-03-03", "gp", "80", "101", 1, 148.25])
    bad(
        "prescriptions",
        "range.subsidy_above_cost",
        [alive, "2021-03-03", "A10BA02", 1, 100.5, 200.25],
    )
    bad("prescriptions", "code.atc", [alive, "2021-03-03", "A10B2", 1, 100.5, 50.25])
    bad("prescriptions", "date.after_death", [dead, "2024-06-01", "A10BA02", 1, 100.5, 50.25])
    bad("municipal_services", "enum.value", [alive, "meals", "2021-03-03", "", 1, "visits", 80.0])
    bad("transfers", "code.iso_week", [alive, "2021-W53", "cash_benefit", "", 3100.0])
    bad("transfers", "type.number", [alive, "2021-W10", "cash_benefit", "", "3100 kr"])
    bad(
        "programme_episodes",
        "cond.end_reason_required",
        [
            "bade1",
            alive,
            "rygestop",
            "2021-01-01",
            "A9",
            "2021-01-05",
            "2021-02-01",
            "dropped_out",
            "",
            "",
        ],
    )
    bad(
        "programme_episodes",
        "code.referral_source",
        ["bade2", alive, "rygestop", "2021-01-01", "A16", "", "", "referred", "", ""],
    )
    bad("measurements", "range.measurement", [alive, "2021-01-01", "weight_kg", 1040.5])
    bad("questionnaire_responses", "range.questionnaire", [alive, "2021-01-01", "who5", "q1", 7])
    # Two rows sharing a key with different content: both are rejected.
    bad("persons", "key.duplicate", ["dupp", "1950-01-01", "M", 376, "", "", "", "", ""])
    bad("persons", "key.duplicate", ["dupp", "1951-01-01", "M", 376, "", "", "", "", ""])
    # An exact copy: the first stays, the copy is rejected.
    tables["measurements"].append([alive, "2021-01-02", "bmi", 36.5])
    bad("measurements", "row.duplicate", [alive, "2021-01-02", "bmi", 36.5])
    # fmt: on


def _write_csv(path: Path, header: list[str], rows: list[list[object]], danish: bool) -> None:
    def text(value: object) -> str:
        if isinstance(value, float):
            s = repr(value)
            return s.replace(".", ",") if danish else s
        return "" if value is None else str(value)

    encoding, sep = ("cp1252", ";") if danish else ("utf-8", ",")
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=sep, lineterminator="\r\n" if danish else "\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([text(v) for v in row])
