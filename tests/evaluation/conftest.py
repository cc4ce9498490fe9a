"""Fixtures of the evaluation tests.

``candidates_extract`` / ``candidates_warehouse``: a small contract-v1 extract for the candidate
and outcome tests (period 2019-01 .. 2023-12), imported with its panel built on DuckDB. The named
persons a..k are hand-made (comments say what each is for); persons r00.. are random (seeded),
so that the tests can compare the engine's covariates with a plain-Python reference over every
row. ``spark``: one small local Spark session for the whole test run.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

PERIOD = (date(2019, 1, 1), date(2023, 12, 31))
PROGRAMME = "prog"

COLUMNS = {
    "persons": [
        "person_id", "birth_date", "sex", "municipality", "education", "origin", "lives_alone",
        "death_date", "moved_out_date",
    ],
    "hospital_contacts": [
        "contact_id", "person_id", "start", "end", "priority", "setting", "primary_diagnosis",
        "psychiatric", "cost_dkk",
    ],
    "hospital_diagnoses": ["contact_id", "diagnosis", "kind"],
    "primary_care": ["person_id", "date", "provider", "services", "fee_dkk"],
    "prescriptions": ["person_id", "dispensing_date", "atc", "cost_dkk"],
    "municipal_services": [
        "person_id", "service", "start_date", "end_date", "units", "unit", "cost_dkk",
    ],
    "transfers": ["person_id", "week", "state", "amount_dkk"],
    "programme_episodes": [
        "episode_id", "person_id", "programme", "referral_date", "start_date", "status",
    ],
}  # fmt: skip

PERSONS = [
    # a: the participant of 2021-06 (starts 15 June 2021) with hand-computed covariates
    ["a", "1970-05-10", "F", 360, "basic", "danish", "true", "", ""],
    # b: a control throughout; a hypertension diagnosis before the period (August 2018), an
    # acute COPD admission in the index month 2021-06, an antidepressant in June 2020
    ["b", "1980-01-01", "M", 376, "long_higher", "western", "false", "", ""],
    # c: dies 20 April 2021: a candidate in April, not in May
    ["c", "1960-03-01", "F", 360, "", "", "", "2021-04-20", ""],
    # d: moves out 1 May 2021 (no resident day in May): a candidate in April, not in May
    ["d", "1975-07-07", "M", 360, "vocational", "non_western", "true", "", "2021-05-01"],
    # e: a secondary (B) diagnosis of mental illness; a GLP-1 agonist in January 2021
    ["e", "2000-07-01", "F", 360, "upper_secondary", "danish", "false", "", ""],
    # f: started the programme in November 2020: never a candidate from then on
    ["f", "1965-02-28", "M", 360, "unknown", "danish", "true", "", ""],
    # g: starts on 30 June 2021: a candidate in May 2021, a participant (not a control) in June
    ["g", "1990-10-10", "F", 360, "medium_higher", "danish", "false", "", ""],
    # h: starts on 1 September 2021 (and declined an earlier referral): a candidate until August
    ["h", "1985-12-31", "M", 360, "short_higher", "western", "true", "", ""],
    # i: born in November 2019: the first index month with 24 months of look-back is 2021-11
    ["i", "2019-11-10", "F", 360, "", "", "", "", ""],
    # j: moves out 15 June 2021: resident in part of June, so a candidate in June, not July
    ["j", "1955-06-15", "M", 376, "basic", "non_western", "false", "", "2021-06-15"],
    # k: dies on 1 June 2021, the day recorded as moving out (death came first): alive on one
    # day of June, so a candidate in June; the moving out changes nothing
    ["k", "1962-02-01", "F", 360, "basic", "danish", "true", "2021-06-01", "2021-06-01"],
]
HOSPITAL = [
    ["c1", "a", "2021-05-10T10:00", "2021-05-12T09:00", "acute", "inpatient", "DE110", "", 3000],
    ["c2", "a", "2021-03-15T20:00", "2021-03-15T23:00", "acute", "emergency", "DR074", "", 500],
    ["c3", "a", "2020-09-01T08:00", "2020-09-04T12:00", "acute", "inpatient", "DI219", "", 4000],
    ["c4", "a", "2019-08-20T09:00", "2019-08-20T10:00", "planned", "outpatient", "DM545", "", 800],
    ["c5", "b", "2018-08-10T09:00", "2018-08-10T10:00", "planned", "outpatient", "DI109", "", 700],
    ["c6", "b", "2021-06-10T09:00", "2021-06-11T09:00", "acute", "inpatient", "DJ441", "", 2000],
    ["c7", "e", "2020-02-05T09:00", "2020-02-05T11:00", "acute", "emergency", "DS720", "", 600],
    ["c8", "d", "2021-04-02T09:00", "2021-04-02T11:00", "acute", "emergency", "DS000", "", 100],
]  # fmt: skip
DIAGNOSES = [["c7", "DF321", "B"]]
PRIMARY_CARE = [["a", "2021-04-05", "gp", 1, 150]]
PRESCRIPTIONS = [
    ["a", "2021-05-20", "A10BA02", 100],
    ["b", "2020-06-10", "N06AB04", 90],
    ["e", "2021-01-15", "A10BJ06", 1200],
]
MUNICIPAL = [["a", "home_care", "2020-12-15", "2021-01-14", 10, "hours", 3100]]
TRANSFERS = [
    ["a", "2021-W10", "sickness_benefit", 3000],  # Thursday 11 March 2021
    ["a", "2021-W11", "sickness_benefit", 3000],  # Thursday 18 March 2021
    ["a", "2020-W30", "unemployment", 2000],  # Thursday 23 July 2020
    ["a", "2021-W22", "unemployment", 2000],  # Thursday 3 June 2021: the index month
    ["b", "2020-W50", "flexjob", 1000],  # Thursday 10 December 2020
    ["b", "2021-W05", "disability_pension", 1000],  # Thursday 4 February 2021
]
EPISODES = [
    ["e1", "a", PROGRAMME, "2021-05-01", "2021-06-15", "enrolled"],
    ["e2", "f", PROGRAMME, "2020-10-01", "2020-11-03", "completed"],
    ["e3", "g", PROGRAMME, "2021-06-01", "2021-06-30", "enrolled"],
    ["e4", "h", PROGRAMME, "2021-08-01", "2021-09-01", "enrolled"],
    ["e5", "h", PROGRAMME, "2021-02-01", "", "declined"],
    ["e6", "b", "other", "2021-02-01", "2021-03-01", "enrolled"],
]
DX_CODES = ["DE110", "DE66", "DI109", "DI219", "DI500", "DI639", "DF321", "DF100", "DC509",
            "DM545", "DJ449", "DS720", "DK700", "DZ000"]  # fmt: skip
ATC_CODES = ["A10BA02", "A10BJ06", "R03AK06", "C01DA02", "C09AA02", "N05AH03", "N06AB04",
             "N07BA01", "M01AE01", "A08AA10", "B01AC06"]  # fmt: skip
STATES = ["unemployment", "sickness_benefit", "cash_benefit", "flexjob", "disability_pension",
          "education", "parental_leave", "retirement", "other_benefit"]  # fmt: skip


@dataclass(frozen=True)
class CandidatesExtract:
    root: Path
    tables: dict[str, list[list[Any]]]


def _random_persons(tables: dict[str, list[list[Any]]], n: int, seed: int) -> None:
    rng = random.Random(seed)
    p0, p1 = PERIOD
    ids = 0
    for i in range(n):
        pid = f"r{i:02d}"
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 82))
        death = moved = None
        if rng.random() < 0.15:
            death = p0 + timedelta(days=rng.randrange(0, (p1 - p0).days))
            death = max(death, birth + timedelta(days=1))
        elif rng.random() < 0.1:
            moved = p0 + timedelta(days=rng.randrange(0, (p1 - p0).days))
            moved = max(moved, birth + timedelta(days=1))
        tables["persons"].append(
            [pid, birth.isoformat(), rng.choice("FM"), rng.choice([360, 376]),
             rng.choice(["basic", "vocational", "long_higher", "unknown", ""]),
             rng.choice(["danish", "western", "non_western", ""]),
             rng.choice(["true", "false", ""]), death.isoformat() if death else "",
             moved.isoformat() if moved else ""]
        )  # fmt: skip
        lo = max(birth, p0 - timedelta(days=700))
        hi = min(death or p1, p1)
        if hi <= lo:
            continue

        def day() -> date:
            return lo + timedelta(days=rng.randrange(0, (hi - lo).days + 1))  # noqa: B023

        for _ in range(rng.randrange(0, 7)):
            ids += 1
            start = datetime.combine(day(), datetime.min.time()) + timedelta(hours=8)
            end = start + timedelta(days=rng.randrange(0, 5), hours=2)
            if death is not None and end.date() > death:
                end = datetime.combine(death, datetime.min.time()) + timedelta(hours=23)
            if end < start:
                end = start
            contact = f"rk{ids:04d}"
            tables["hospital_contacts"].append(
                [contact, pid, start.strftime("%Y-%m-%dT%H:%M"), end.strftime("%Y-%m-%dT%H:%M"),
                 rng.choice(["acute", "planned"]),
                 rng.choice(["inpatient", "outpatient", "emergency"]), rng.choice(DX_CODES),
                 "false", round(rng.uniform(100, 30000), 2)]
            )  # fmt: skip
            if rng.random() < 0.3:
                tables["hospital_diagnoses"].append([contact, rng.choice(DX_CODES), "B"])
        for _ in range(rng.randrange(0, 8)):
            tables["prescriptions"].append(
                [pid, day().isoformat(), rng.choice(ATC_CODES), round(rng.uniform(20, 900), 2)]
            )
        for _ in range(rng.randrange(0, 4)):
            tables["primary_care"].append(
                [pid, day().isoformat(), "gp", rng.choice([1, 2]), round(rng.uniform(50, 400), 2)]
            )
        if rng.random() < 0.6:
            weeks: set[str] = set()
            for _ in range(rng.randrange(1, 5)):
                monday = day() - timedelta(days=day().weekday())
                state = rng.choice(STATES)
                for w in range(rng.randrange(1, 20)):
                    thursday = monday + timedelta(weeks=w, days=3)
                    if thursday > hi or thursday < lo:
                        break
                    iso = thursday.isocalendar()
                    key = f"{iso.year}-W{iso.week:02d}"
                    if key not in weeks:
                        weeks.add(key)
                        tables["transfers"].append([pid, key, state, 1000])
        if rng.random() < 0.15:
            start = p0 + timedelta(days=rng.randrange(500, (p1 - p0).days))
            if start <= hi:
                ids += 1
                tables["programme_episodes"].append(
                    [f"re{ids}", pid, PROGRAMME, (start - timedelta(days=20)).isoformat(),
                     start.isoformat(), "enrolled"]
                )  # fmt: skip


def write_candidates_extract(root: Path, *, persons: int = 60, seed: int = 7) -> CandidatesExtract:
    root.mkdir(parents=True, exist_ok=True)
    (root / "extract.json").write_text(
        json.dumps({"period_start": PERIOD[0].isoformat(), "period_end": PERIOD[1].isoformat()})
    )
    tables: dict[str, list[list[Any]]] = {
        "persons": [list(r) for r in PERSONS],
        "hospital_contacts": [list(r) for r in HOSPITAL],
        "hospital_diagnoses": [list(r) for r in DIAGNOSES],
        "primary_care": [list(r) for r in PRIMARY_CARE],
        "prescriptions": [list(r) for r in PRESCRIPTIONS],
        "municipal_services": [list(r) for r in MUNICIPAL],
        "transfers": [list(r) for r in TRANSFERS],
        "programme_episodes": [list(r) for r in EPISODES],
    }
    _random_persons(tables, persons, seed)
    for name, rows in tables.items():
        with (root / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS[name])
            writer.writerows(rows)
    return CandidatesExtract(root, tables)


@pytest.fixture(scope="session")
def candidates_extract(tmp_path_factory: pytest.TempPathFactory) -> CandidatesExtract:
    return write_candidates_extract(tmp_path_factory.mktemp("candidates") / "extract")


@pytest.fixture(scope="session")
def candidates_warehouse(
    tmp_path_factory: pytest.TempPathFactory, candidates_extract: CandidatesExtract
) -> Path:
    """The candidates extract imported, with its panel built on DuckDB. Open it read-only."""
    from broen.analytics import import_extract
    from broen.analytics.panel import build_panel

    warehouse = tmp_path_factory.mktemp("candidates_wh") / "w.duckdb"
    report = import_extract(candidates_extract.root, warehouse=warehouse)
    assert report.rows_rejected == 0, report.rule_counts()
    build_panel(warehouse)
    return warehouse


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A small local Spark session shared by the evaluation tests (mark them slow)."""
    pytest.importorskip("pyspark")
    from broen.analytics.panel import spark_session

    small = {"spark.sql.shuffle.partitions": "2", "spark.sql.adaptive.enabled": "false"}
    with spark_session("local[2]", small) as session:
        yield session
