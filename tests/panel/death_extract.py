"""A hand-built extract with events on the day of death, for issue 9 section 5.

Every person dies (or moves out) inside the period 2020-2021, with events on the last day
that counts. Amounts are round so that the expected panel cells can be worked out by hand
(tests/panel/test_death_day.py). No event's span crosses a year, so the raw rows' totals per
calendar year are plain sums by the year of the event.

- ``hosp0521``, born 1960, dies Thursday 21 May 2020 in hospital: a fatal acute stay 18-21 May,
  a nursing home from 22 April to the death day, home nursing, a GP visit and a dispensing on
  the death day, no transfers (the death Thursday counts as self-supporting).
- ``first0301``, born 1950, dies Monday 1 March 2021: an acute admission and an emergency visit
  that start on the death day, a planned stay from 26 February ending on it, a GP visit on it.
- ``week1119``, born 1980, dies Thursday 19 November 2020: sickness benefit in 2020-W46 and in
  2020-W47, the week whose Thursday is the death day.
- ``tue1013``, born 1970, dies Tuesday 13 October 2020: unemployment in 2020-W41.
- ``moves0810``, born 1975, moves out Monday 10 August 2020 and dies Tuesday 15 September
  2020: a GP visit on 9 August, the last resident day.
- ``same0617``, born 1945, moves out and dies on Thursday 17 June 2021 (the same date): a
  dispensing and retirement in 2021-W24 on that day. Death came first: the day counts.

``after_death=True`` adds rows the importer accepts but the panel leaves out, which the build
report must count as excluded: for ``tue1013`` unemployment in 2020-W42 (Monday 12 October, the
day before death; Thursday 15 October, after it) and an acute stay from 11 October 20:00 to 14
October 01:00 (one day after death); for ``moves0810`` a GP visit on the death day, after
moving out.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .extract import COLUMNS

PERIOD = (date(2020, 1, 1), date(2021, 12, 31))
PERSONS = [
    ["hosp0521", "1960-03-10", "F", 360, "2020-05-21", ""],
    ["first0301", "1950-01-01", "M", 360, "2021-03-01", ""],
    ["week1119", "1980-06-01", "F", 360, "2020-11-19", ""],
    ["tue1013", "1970-01-01", "M", 360, "2020-10-13", ""],
    ["moves0810", "1975-05-05", "F", 360, "2020-09-15", "2020-08-10"],
    ["same0617", "1945-02-02", "M", 360, "2021-06-17", "2021-06-17"],
]
HOSPITAL = [
    ["d1", "hosp0521", "2020-05-18T09:00", "2020-05-21T16:00", "acute", "inpatient", "DI219",
     "false", 4000.0],
    ["d2", "first0301", "2021-03-01T03:00", "2021-03-01T22:00", "acute", "inpatient", "DI219",
     "", 1500.0],
    ["d3", "first0301", "2021-03-01T00:30", "2021-03-01T02:00", "acute", "emergency", "DI219",
     "", 800.0],
    ["d4", "first0301", "2021-02-26T10:00", "2021-03-01T12:00", "planned", "inpatient",
     "DI219", "", 2000.0],
]  # fmt: skip
PRIMARY_CARE = [
    ["hosp0521", "2020-05-21", "gp", 2, 300.0],
    ["first0301", "2021-03-01", "gp", "", 210.0],
    ["moves0810", "2020-08-09", "gp", 1, 150.0],
]
PRESCRIPTIONS = [
    ["hosp0521", "2020-05-21", "N06AB04", 500.0, 200.0],
    ["same0617", "2021-06-17", "N06AB04", 120.0, ""],
]
MUNICIPAL = [
    ["hosp0521", "nursing_home", "2020-04-22", "2020-05-21", 30, "days", 3000.0],
    ["hosp0521", "home_nursing", "2020-05-21", "", 1, "visits", 250.0],
]
TRANSFERS = [
    ["week1119", "2020-W46", "sickness_benefit", 3500.0],
    ["week1119", "2020-W47", "sickness_benefit", 3500.0],
    ["tue1013", "2020-W41", "unemployment", 2000.0],
    ["same0617", "2021-W24", "retirement", 4700.0],
]
AFTER_DEATH = {
    "hospital_contacts": [
        ["d5", "tue1013", "2020-10-11T20:00", "2020-10-14T01:00", "acute", "inpatient", "DI219",
         "", 4000.0],
    ],
    "primary_care": [["moves0810", "2020-09-15", "gp", 1, 150.0]],
    "transfers": [["tue1013", "2020-W42", "unemployment", 2000.0]],
}  # fmt: skip


@dataclass(frozen=True)
class DeathExtract:
    root: Path
    tables: dict[str, list[list[object]]]


def write_death_extract(root: Path, *, after_death: bool = False) -> DeathExtract:
    root.mkdir(parents=True, exist_ok=True)
    (root / "extract.json").write_text(
        json.dumps(
            {"period_start": PERIOD[0].isoformat(), "period_end": PERIOD[1].isoformat(),
             "source": "death-day"}
        )
    )  # fmt: skip
    tables: dict[str, list[list[object]]] = {
        "persons": PERSONS,
        "hospital_contacts": HOSPITAL,
        "primary_care": PRIMARY_CARE,
        "prescriptions": PRESCRIPTIONS,
        "municipal_services": MUNICIPAL,
        "transfers": TRANSFERS,
    }
    if after_death:
        tables = {name: rows + AFTER_DEATH.get(name, []) for name, rows in tables.items()}
    for name, rows in tables.items():
        with (root / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS[name])
            writer.writerows(rows)
    return DeathExtract(root, tables)
