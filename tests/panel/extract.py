"""A contract v1 extract for panel tests, written with the standard library only.

It shares no code with Broen (nor with tests/warehouse/independent_extract.py) and is built to
hit the panel's rules: stays across month, year and period boundaries, costs spread over many
days, weeks whose Monday and Thursday fall in different months, births, deaths and moves inside
the period, birthdays on 29 February, events on the day of death and after moving out, every
priority, setting, provider, service and transfer state. Every row is valid: nothing is
quarantined, so the reference can read the files as they are.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

PERIOD = (date(2019, 1, 1), date(2021, 12, 31))
COLUMNS = {
    "persons": ["person_id", "birth_date", "sex", "municipality", "death_date", "moved_out_date"],
    "hospital_contacts": [
        "contact_id", "person_id", "start", "end", "priority", "setting", "primary_diagnosis",
        "psychiatric", "cost_dkk",
    ],
    "primary_care": ["person_id", "date", "provider", "services", "fee_dkk"],
    "prescriptions": ["person_id", "dispensing_date", "atc", "cost_dkk", "subsidy_dkk"],
    "municipal_services": [
        "person_id", "service", "start_date", "end_date", "units", "unit", "cost_dkk",
    ],
    "transfers": ["person_id", "week", "state", "amount_dkk"],
}  # fmt: skip
PROVIDERS = ["gp", "specialist", "physiotherapist", "psychologist", "dentist", "other"]
SERVICES = ["home_care", "home_nursing", "rehabilitation", "prevention", "nursing_home", "other"]
STATES = [
    "unemployment", "sickness_benefit", "cash_benefit", "flexjob", "disability_pension",
    "education", "parental_leave", "retirement", "other_benefit",
]  # fmt: skip

# Hand-made persons: (id, birth, death, moved out); events for them are added below.
SPECIAL = [
    ("stay0130", date(1970, 5, 5), None, None),  # inpatient 30 January to 3 February
    ("leap1956", date(1956, 2, 29), None, None),  # turns 65 on 1 March 2021
    ("leap2004", date(2004, 2, 29), None, None),  # turns 16 on 29 February 2020
    ("born2020", date(2020, 3, 17), None, None),  # born inside the period
    ("late2022", date(2022, 3, 1), None, None),  # born after the period: no panel rows
    ("dies0301", date(1940, 1, 1), date(2020, 3, 1), None),  # dies on the 1st of a month
    ("moves0715", date(1980, 8, 1), None, date(2020, 7, 15)),
]


@dataclass
class PanelExtract:
    root: Path
    rows: dict[str, int]


def _d(x: date) -> str:
    return x.isoformat()


def write_panel_extract(
    root: Path, *, persons: int = 60, seed: int = 1, source: str = "panel-test",
    prefix: str = "p", special: bool = True, period: tuple[date, date] = PERIOD,
) -> PanelExtract:  # fmt: skip
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    p0, p1 = period
    (root / "extract.json").write_text(
        json.dumps({"period_start": _d(p0), "period_end": _d(p1), "source": source})
    )
    tables: dict[str, list[list[object]]] = {name: [] for name in COLUMNS}
    people: list[tuple[str, date, date | None, date | None]] = []
    if special:
        people += SPECIAL
    for i in range(persons):
        birth = date(1935, 1, 1) + timedelta(days=rng.randrange(0, 365 * 86))
        death = moved = None
        if rng.random() < 0.15:
            death = p0 + timedelta(days=rng.randrange(0, (p1 - p0).days + 200))
            death = max(death, birth + timedelta(days=1))
        if rng.random() < 0.1:
            moved = p0 + timedelta(days=rng.randrange(0, (p1 - p0).days))
            moved = max(moved, birth + timedelta(days=1))
            if death is not None and moved >= death:
                moved = None
        people.append((f"{prefix}{i:04d}", birth, death, moved))
    for pid, birth, death, moved in people:
        tables["persons"].append(
            [pid, _d(birth), rng.choice("FM"), 360, _d(death) if death else "",
             _d(moved) if moved else ""]
        )  # fmt: skip
    counter = [0]
    taken: dict[str, set[str]] = {}

    def contact(pid: str, start: datetime, end: datetime, priority: str, setting: str) -> None:
        counter[0] += 1
        tables["hospital_contacts"].append(
            [f"{prefix}k{counter[0]:05d}", pid, start.strftime("%Y-%m-%dT%H:%M"),
             end.strftime("%Y-%m-%dT%H:%M"), priority, setting, "DF200",
             rng.choice(["", "true", "false"]), round(rng.uniform(300, 90000), 2)]
        )  # fmt: skip

    for pid, birth, death, moved in people:
        lo = max(birth, p0 - timedelta(days=90))
        hi = min(death or date(2022, 3, 1), p1 + timedelta(days=60))  # events on death day
        if moved and rng.random() < 0.5:
            hi = min(hi, moved + timedelta(days=40))  # some events after moving out
        if hi <= lo:
            continue

        def day() -> date:
            return lo + timedelta(days=rng.randrange(0, (hi - lo).days + 1))  # noqa: B023

        for _ in range(rng.randrange(0, 6)):
            start = datetime.combine(day(), datetime.min.time()) + timedelta(
                hours=rng.randrange(24)
            )
            long = rng.random() < 0.2
            stay = timedelta(days=rng.randrange(20, 75) if long else rng.randrange(0, 4))
            end = start + stay + timedelta(hours=rng.randrange(0, 5))
            contact(pid, start, end, rng.choice(["acute", "planned"]),
                    rng.choice(["inpatient", "outpatient", "emergency"]))  # fmt: skip
        for _ in range(rng.randrange(0, 8)):
            services = rng.choice(["", 1, 2, 3])
            tables["primary_care"].append(
                [pid, _d(day()), rng.choice(PROVIDERS), services, round(rng.uniform(50, 900), 2)]
            )
        for _ in range(rng.randrange(0, 6)):
            cost = round(rng.uniform(20, 4000), 2)
            subsidy = rng.choice(["", round(cost * rng.random(), 2)])
            tables["prescriptions"].append([pid, _d(day()), "N06AB04", cost, subsidy])
        for _ in range(rng.randrange(0, 3)):
            s = day()
            end_date = "" if rng.random() < 0.3 else _d(s + timedelta(days=rng.randrange(0, 200)))
            tables["municipal_services"].append(
                [pid, rng.choice(SERVICES), _d(s), end_date, rng.randrange(1, 40), "hours",
                 round(rng.uniform(100, 60000), 2)]
            )  # fmt: skip
        if rng.random() < 0.6:
            first = max(birth + timedelta(days=7), p0 - timedelta(days=30))
            last = min((death or p1 + timedelta(days=30)) - timedelta(days=7), p1 + timedelta(30))
            if last > first:
                monday = first + timedelta(days=7 - first.weekday())
                weeks = taken.setdefault(pid, set())
                for _ in range(rng.randrange(1, 4)):
                    run_start = monday + timedelta(weeks=rng.randrange(0, 150))
                    state = rng.choice(STATES)
                    for w in range(rng.randrange(1, 30)):
                        wk = run_start + timedelta(weeks=w)
                        iso = wk.isocalendar()
                        key = f"{iso.year}-W{iso.week:02d}"
                        if wk > last or key in weeks:
                            break
                        weeks.add(key)
                        amount = rng.choice(["", round(rng.uniform(500, 5000), 2)])
                        tables["transfers"].append([pid, key, state, amount])
    if special:
        contact("stay0130", datetime(2020, 1, 30, 14), datetime(2020, 2, 3, 10), "acute",
                "inpatient")  # fmt: skip
        # 2020-W05 runs Monday 27 January to Sunday 2 February: its Thursday is in January;
        # 2020-W18 starts in April with its Thursday on 30 April; 2020-W53 exists.
        special_weeks = [("leap1956", w) for w in ("2020-W05", "2020-W18", "2020-W53", "2021-W09")]
        for pid, week in [*special_weeks, ("leap2004", "2020-W09")]:
            if week not in taken.get(pid, set()):
                tables["transfers"].append([pid, week, "cash_benefit", 1000.0])
        tables["primary_care"].append(["dies0301", "2020-03-01", "gp", 1, 150.0])
        tables["primary_care"].append(["moves0715", "2020-07-20", "gp", 1, 150.0])
    for name, rows in tables.items():
        with (root / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS[name])
            writer.writerows(rows)
    return PanelExtract(root, {k: len(v) for k, v in tables.items()})
