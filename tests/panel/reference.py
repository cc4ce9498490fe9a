"""An independent reference panel: plain Python loops over the raw CSV rows, day by day.

Written from the text of the rules (contract v1 "Panel metrics, version 1" and docs/panel.md),
sharing no code with broen.analytics.panel: every day of a span is visited, every night and
every Thursday. Slow, and obviously right. Persons in several extracts take the attributes of
the last extract given; events of all extracts count.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

Cells = dict[tuple[str, str], dict[str, float]]  # (person_id, "YYYY-MM") -> metric -> value


def _date(text: str) -> date:
    return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)


def _rows(root: Path, table: str) -> list[dict[str, str]]:
    path = root / f"{table}.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def reference_panel(roots: list[Path], period: tuple[date, date]) -> Cells:
    p0, p1 = period
    persons: dict[str, dict[str, str]] = {}
    for root in roots:
        for row in _rows(root, "persons"):
            persons[row["person_id"]] = row
    resident: dict[str, tuple[date, date]] = {}
    for pid, row in persons.items():
        first = max(p0, _date(row["birth_date"]))
        # Alive on the day of death (as in CPR); not resident on the day of moving out, unless
        # death came first (moving out on the death day or later changes nothing).
        death = _date(row["death_date"]) if row["death_date"] else None
        moved = _date(row["moved_out_date"]) if row["moved_out_date"] else None
        last = p1
        if death is not None:
            last = min(last, death)
        if moved is not None and (death is None or moved < death):
            last = min(last, moved - timedelta(days=1))
        if last >= first:
            resident[pid] = (first, last)

    def is_resident(pid: str, day: date) -> bool:
        span = resident.get(pid)
        return span is not None and span[0] <= day <= span[1]

    cells: Cells = defaultdict(lambda: defaultdict(float))

    def add(pid: str, day: date, metric: str, value: float) -> None:
        cells[pid, f"{day:%Y-%m}"][metric] += value

    for pid, (first, last) in resident.items():
        birth = _date(persons[pid]["birth_date"])
        for day in _days(first, last):
            key = (pid, f"{day:%Y-%m}")
            cells[key]["days_resident"] += 1
            first_of_month = day.replace(day=1)
            cells[key]["age"] = max(0, _age(birth, first_of_month))
    events: list[tuple[str, str, dict[str, str]]] = [
        (root.name, table, row)
        for root in roots
        for table in (
            "hospital_contacts", "primary_care", "prescriptions", "municipal_services",
        )
        for row in _rows(root, table)
    ]  # fmt: skip
    for _, table, row in events:
        pid = row["person_id"]
        if table == "hospital_contacts":
            start, end = _date(row["start"]), _date(row["end"])
            days = _days(start, end)
            cost = float(row["cost_dkk"])
            psy = row["psychiatric"] == "true"
            kind = f"cost_hospital_{row['priority']}_{row['setting']}"
            for day in days:
                if is_resident(pid, day):
                    add(pid, day, kind, cost / len(days))
                    add(pid, day, f"cost_hospital_{row['priority']}", cost / len(days))
                    add(pid, day, "cost_total", cost / len(days))
                    if psy:
                        add(pid, day, "cost_hospital_psychiatric", cost / len(days))
            if row["setting"] == "inpatient":
                for night in days[:-1]:
                    if is_resident(pid, night):
                        add(pid, night, "bed_days", 1)
                        if psy:
                            add(pid, night, "bed_days_psychiatric", 1)
            if is_resident(pid, start):
                counter = {
                    ("acute", "inpatient"): "acute_admissions",
                    ("planned", "inpatient"): "planned_admissions",
                }.get((row["priority"], row["setting"]))
                if row["setting"] == "outpatient":
                    counter = "outpatient_visits"
                if row["setting"] == "emergency":
                    counter = "emergency_visits"
                assert counter is not None
                add(pid, start, counter, 1)
        elif table == "primary_care":
            day = _date(row["date"])
            if is_resident(pid, day):
                fee, n = float(row["fee_dkk"]), float(row["services"] or 1)
                add(pid, day, f"cost_pc_{row['provider']}", fee)
                add(pid, day, "cost_primary_care", fee)
                add(pid, day, "cost_total", fee)
                add(pid, day, f"services_{row['provider']}", n)
                if row["provider"] == "gp":
                    add(pid, day, "gp_contacts", n)
        elif table == "prescriptions":
            day = _date(row["dispensing_date"])
            if is_resident(pid, day):
                add(pid, day, "cost_medicine", float(row["cost_dkk"]))
                add(pid, day, "cost_total", float(row["cost_dkk"]))
                add(pid, day, "medicine_subsidy_dkk", float(row["subsidy_dkk"] or 0))
                add(pid, day, "dispensings", 1)
        else:
            start = _date(row["start_date"])
            end = _date(row["end_date"]) if row["end_date"] else start
            days = _days(start, end)
            cost = float(row["cost_dkk"])
            for day in days:
                if is_resident(pid, day):
                    add(pid, day, f"cost_municipal_{row['service']}", cost / len(days))
                    add(pid, day, "cost_municipal", cost / len(days))
                    add(pid, day, "cost_total", cost / len(days))
    on_transfer: dict[tuple[str, date], str] = {}
    for root in roots:
        for row in _rows(root, "transfers"):
            pid = row["person_id"]
            thursday = date.fromisocalendar(int(row["week"][:4]), int(row["week"][6:]), 4)
            on_transfer[pid, thursday] = row["state"]
            if is_resident(pid, thursday):
                amount = float(row["amount_dkk"] or 0)
                add(pid, thursday, f"weeks_{row['state']}", 1)
                add(pid, thursday, f"transfer_dkk_{row['state']}", amount)
                add(pid, thursday, "transfer_dkk", amount)
    for pid, (first, last) in resident.items():
        birth = _date(persons[pid]["birth_date"])
        for day in _days(first, last):
            if day.isoweekday() != 4 or not 16 <= _age(birth, day) <= 64:
                continue
            if on_transfer.get((pid, day)) in (None, "education", "parental_leave"):
                add(pid, day, "weeks_self_supporting", 1)
    return cells


def totals_by_year(cells: Cells) -> dict[tuple[str, int], float]:
    out: dict[tuple[str, int], float] = defaultdict(float)
    for (_, month), metrics in cells.items():
        for metric, value in metrics.items():
            out[metric, int(month[:4])] += value
    return out
