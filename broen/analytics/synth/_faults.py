"""Fault injection: extra bad rows, each breaking exactly one validation rule.

Faulty rows are inserted at random positions into the first chunk's tables (all columns are
strings in faults mode, so any value is representable). They refer to two extra, valid anchor
persons (one alive, one who died early in the period) or to ids that do not exist, so no clean
row is ever rejected because of them: persons faults are extra persons without events, contact
faults are extra contacts without diagnoses. Key duplicates are pairs of extra rows (both are
rejected); row duplicates are an extra valid row and a later exact copy (only the copy is).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from broen.analytics._contract import TABLES

from ._calendar import Period, iso_of, iso_week_labels, thursday_of

Row = dict[str, str | None]
Adder = Callable[..., int]


@dataclass
class Injection:
    table: str
    row: Row
    rule: str | None  # None = a valid extra row
    after: int | None = None  # index (in this table's injection list) it must follow


def _week(day: int) -> str:
    return iso_week_labels(thursday_of(np.array([day], dtype=np.int64)))[0]


def plan(period: Period, municipality: int) -> list[Injection]:
    d0 = period.start_day + 100
    d = iso_of(d0)
    d10 = iso_of(d0 + 10)
    alive, dead = "pz0000001", "pz0000002"
    death = period.start_day + 45
    before = "1939-06-01"  # before the dead anchor's birth (1940-03-02)
    after = iso_of(death + 20)
    future = "2099-03-10"
    out: list[Injection] = []

    def add(table: str, rule: str | None, values: Row, after_idx: int | None = None) -> int:
        out.append(Injection(table, values, rule, after_idx))
        return len([i for i in out if i.table == table]) - 1

    # Persons: two valid anchors, then faulty extra persons.
    base: Row = {
        "person_id": alive,
        "birth_date": "1960-05-17",
        "sex": "F",
        "municipality": str(municipality),
        "education": "vocational",
        "origin": "danish",
        "lives_alone": "false",
        "death_date": None,
        "moved_out_date": None,
    }
    a_idx = add("persons", None, base)
    add(
        "persons",
        None,
        {
            **base,
            "person_id": dead,
            "birth_date": "1940-03-02",
            "sex": "M",
            "death_date": iso_of(death),
        },
    )
    bad: dict[str, Row] = {
        "required.missing": {"sex": None},
        "type.integer": {"municipality": "36O"},
        "type.date": {"birth_date": "1975-02-30"},
        "type.bool": {"lives_alone": "maybe"},
        "enum.value": {"sex": "X"},
        "code.municipality": {"municipality": "999"},
        "range.birth_date": {"birth_date": "1890-01-01"},
        "date.death_before_birth": {"birth_date": "1950-01-01", "death_date": "1949-12-01"},
        "date.in_future": {"moved_out_date": "2099-01-01"},
    }
    for i, (rule, change) in enumerate(bad.items()):
        add("persons", rule, {**base, "person_id": f"pz00000{10 + i:02d}", **change})
    add("persons", "key.duplicate", {**base, "person_id": "pz0000050"})
    add("persons", "key.duplicate", {**base, "person_id": "pz0000050", "sex": "M"})
    add("persons", "row.duplicate", base, a_idx)

    # Hospital contacts: one valid extra contact (with a diagnosis), faulty extra contacts.
    hc: Row = {
        "contact_id": "cz-0000000",
        "person_id": alive,
        "start": f"{d}T10:00:00",
        "end": f"{d}T12:30:00",
        "priority": "planned",
        "setting": "outpatient",
        "primary_diagnosis": "DZ039",
        "psychiatric": "false",
        "cost_dkk": "1800",
    }
    h_idx = add("hospital_contacts", None, hc)
    bad = {
        "required.missing": {"cost_dkk": None},
        "type.number": {"cost_dkk": "abc"},
        "type.datetime": {"start": "2020-02-30T10:00:00"},
        "type.bool": {"psychiatric": "maybe"},
        "enum.value": {"priority": "urgent"},
        "code.sks_diagnosis": {"primary_diagnosis": "E119"},
        "range.negative": {"cost_dkk": "-500"},
        "date.end_before_start": {"end": f"{d}T08:00:00"},
        "date.in_future": {"start": f"{future}T10:00:00", "end": f"{future}T12:00:00"},
        "date.before_birth": {
            "person_id": dead,
            "start": f"{before}T10:00:00",
            "end": f"{before}T11:00:00",
        },
        "date.after_death": {
            "person_id": dead,
            "start": f"{after}T10:00:00",
            "end": f"{after}T11:00:00",
        },
        "ref.person": {"person_id": "pz9999999"},
    }
    for i, (rule, change) in enumerate(bad.items()):
        add("hospital_contacts", rule, {**hc, "contact_id": f"cz-00000{10 + i:02d}", **change})
    add("hospital_contacts", "key.duplicate", {**hc, "contact_id": "cz-0000090"})
    add(
        "hospital_contacts",
        "key.duplicate",
        {**hc, "contact_id": "cz-0000090", "cost_dkk": "900"},
    )
    add("hospital_contacts", "row.duplicate", hc, h_idx)

    dg: Row = {"contact_id": "cz-0000000", "diagnosis": "DZ039", "kind": "A"}
    g_idx = add("hospital_diagnoses", None, dg)
    add("hospital_diagnoses", "required.missing", {**dg, "diagnosis": None})
    add("hospital_diagnoses", "enum.value", {**dg, "diagnosis": "DE119", "kind": "C"})
    add("hospital_diagnoses", "code.sks_diagnosis", {**dg, "diagnosis": "I10", "kind": "B"})
    add("hospital_diagnoses", "ref.contact", {**dg, "contact_id": "cz-9999999"})
    add("hospital_diagnoses", "row.duplicate", dg, g_idx)

    def common(col: str) -> dict[str, Row]:
        return {
            "date.in_future": {col: future},
            "date.before_birth": {"person_id": dead, col: before},
            "date.after_death": {"person_id": dead, col: after},
            "ref.person": {"person_id": "pz9999999"},
        }

    _simple(
        add,
        "primary_care",
        {
            "person_id": alive,
            "date": d,
            "provider": "gp",
            "specialty": "80",
            "service_code": "0101",
            "services": "1",
            "fee_dkk": "150",
        },
        {
            "required.missing": {"fee_dkk": None},
            "type.integer": {"services": "1.5"},
            "type.number": {"fee_dkk": "abc"},
            "type.date": {"date": "2020-13-01"},
            "enum.value": {"provider": "nurse"},
            "code.specialty": {"specialty": "8"},
            "code.service_code": {"service_code": "01A1"},
            "range.negative": {"fee_dkk": "-150"},
            **common("date"),
        },
        "date",
    )
    _simple(
        add,
        "prescriptions",
        {
            "person_id": alive,
            "dispensing_date": d,
            "atc": "A10BA02",
            "packages": "1",
            "cost_dkk": "60",
            "subsidy_dkk": "30",
        },
        {
            "required.missing": {"atc": None},
            "type.number": {"packages": "x"},
            "type.date": {"dispensing_date": "2020-02-30"},
            "code.atc": {"atc": "A10B2"},
            "range.negative": {"cost_dkk": "-60", "subsidy_dkk": None},
            "range.subsidy_above_cost": {"subsidy_dkk": "80"},
            **common("dispensing_date"),
        },
        "dispensing_date",
    )
    _simple(
        add,
        "municipal_services",
        {
            "person_id": alive,
            "service": "home_care",
            "start_date": d,
            "end_date": d10,
            "units": "5",
            "unit": "hours",
            "cost_dkk": "2250",
        },
        {
            "required.missing": {"units": None},
            "type.number": {"cost_dkk": "abc"},
            "type.date": {"start_date": "2020-02-30"},
            "enum.value": {"service": "meals"},
            "range.negative": {"units": "-3"},
            "date.end_before_start": {"end_date": iso_of(d0 - 5)},
            "date.in_future": {"start_date": future, "end_date": "2099-03-20"},
            "date.before_birth": {
                "person_id": dead,
                "start_date": before,
                "end_date": "1939-06-05",
            },
            "date.after_death": {"person_id": dead, "start_date": after, "end_date": after},
            "ref.person": {"person_id": "pz9999999"},
        },
        "start_date",
        "end_date",
    )

    # Transfers: every row needs its own (person, week) key.
    tr: Row = {
        "person_id": alive,
        "week": _week(d0),
        "state": "unemployment",
        "code": None,
        "amount_dkk": "4350",
    }
    t_idx = add("transfers", None, tr)
    bad_t: dict[str, Row] = {
        "required.missing": {"state": None},
        "type.number": {"amount_dkk": "abc"},
        "enum.value": {"state": "holiday"},
        "code.iso_week": {"week": "2021-W54"},
        "range.negative": {"amount_dkk": "-100"},
        "date.in_future": {"week": "2099-W10"},
        "date.before_birth": {"person_id": dead, "week": "1939-W22"},
        "date.after_death": {"person_id": dead, "week": _week(death + 14)},
        "ref.person": {"person_id": "pz9999999"},
    }
    for i, (rule, change) in enumerate(bad_t.items()):
        add("transfers", rule, {**tr, "week": _week(d0 + 7 * (i + 1)), **change})
    add("transfers", "code.iso_week", {**tr, "week": "2021-W53"})
    add("transfers", "key.duplicate", {**tr, "week": _week(d0 + 7 * 30)})
    add("transfers", "key.duplicate", {**tr, "week": _week(d0 + 7 * 30), "state": "flexjob"})
    add("transfers", "row.duplicate", tr, t_idx)

    ep: Row = {
        "episode_id": "ez-0000000",
        "person_id": alive,
        "programme": "rygestop",
        "referral_date": d,
        "referral_source": "A9",
        "start_date": iso_of(d0 + 14),
        "end_date": iso_of(d0 + 56),
        "status": "completed",
        "end_reason": None,
        "stratum": None,
    }
    e_idx = add("programme_episodes", None, ep)
    referred: Row = {"start_date": None, "end_date": None, "status": "referred"}
    bad = {
        "required.missing": {"status": None},
        "type.date": {"referral_date": "2020-02-30"},
        "enum.value": {"status": "paused"},
        "code.referral_source": {"referral_source": "A16"},
        "code.programme": {"programme": "Et Liv"},
        "code.end_reason": {"status": "dropped_out", "end_reason": "ingen grund"},
        "date.in_future": {"referral_date": future, **referred},
        "date.before_birth": {"person_id": dead, "referral_date": before, **referred},
        "date.after_death": {"person_id": dead, "referral_date": after, **referred},
        "cond.end_reason_required": {"status": "dropped_out"},
        "date.end_before_start": {"end_date": iso_of(d0 + 7)},
        "cond.start_date_required": {"start_date": None, "end_date": None},
        "ref.person": {"person_id": "pz9999999"},
    }
    for i, (rule, change) in enumerate(bad.items()):
        add("programme_episodes", rule, {**ep, "episode_id": f"ez-00000{10 + i:02d}", **change})
    add("programme_episodes", "key.duplicate", {**ep, "episode_id": "ez-0000090"})
    add(
        "programme_episodes",
        "key.duplicate",
        {**ep, "episode_id": "ez-0000090", "programme": "et-liv-i-balance"},
    )
    add("programme_episodes", "row.duplicate", ep, e_idx)

    _simple(
        add,
        "measurements",
        {"person_id": alive, "date": d, "kind": "weight_kg", "value": "80.5"},
        {
            "required.missing": {"value": None},
            "type.number": {"value": "heavy"},
            "type.date": {"date": "2020-02-30"},
            "enum.value": {"kind": "iq"},
            "range.measurement": {"value": "900"},
            **common("date"),
        },
        "date",
    )
    _simple(
        add,
        "questionnaire_responses",
        {"person_id": alive, "date": d, "instrument": "who5", "item": "1", "value": "3"},
        {
            "required.missing": {"item": None},
            "type.number": {"value": "three"},
            "type.date": {"date": "2020-02-30"},
            "range.questionnaire": {"value": "7"},
            **common("date"),
        },
        "date",
    )
    return out


def _simple(add: Adder, table: str, base: Row, bad: dict[str, Row], *date_cols: str) -> None:
    """A valid row, one faulty variant per rule (each on its own date), and a row duplicate."""
    first = add(table, None, base)
    for i, (rule, change) in enumerate(bad.items()):
        row = {**base, **change}
        if not any(c in change for c in date_cols):
            for c in date_cols:
                if base[c] is not None:
                    row[c] = _shift(base[c], i + 1)
        add(table, rule, row)
    add(table, "row.duplicate", base, first)


def _shift(iso: str | None, days: int) -> str:
    assert iso is not None
    return str(np.datetime64(iso, "D") + days)


def inject(
    rng: np.random.Generator, tables: dict[str, pa.Table], period: Period, municipality: int
) -> tuple[dict[str, pa.Table], list[tuple[str, int, str]]]:
    """Insert the planned rows; return new tables and (table, 0-based row index, rule)."""
    injections = plan(period, municipality)
    out: dict[str, pa.Table] = {}
    manifest: list[tuple[str, int, str]] = []
    for name, table in tables.items():
        mine = [i for i in injections if i.table == name]
        if not mine:
            out[name] = table
            continue
        n = table.num_rows
        slots = rng.integers(0, n + 1, size=len(mine))
        for j, inj in enumerate(mine):
            if inj.after is not None:
                slots[j] = max(slots[j], slots[inj.after])
        columns = TABLES[name].column_names
        extra = pa.table(
            {c: pa.array([inj.row.get(c) for inj in mine], pa.string()) for c in columns}
        )
        combined = pa.concat_tables([table.select(list(columns)), extra])
        slot = np.concatenate([np.arange(n), slots])
        is_clean = np.concatenate([np.ones(n, np.int64), np.zeros(len(mine), np.int64)])
        seq = np.concatenate([np.zeros(n, np.int64), np.arange(len(mine))])
        # Injected rows go before the clean row of their slot; ties keep their planned order.
        order = np.lexsort((seq, is_clean, slot))
        out[name] = combined.take(pa.array(order))
        position = np.empty(order.size, dtype=np.int64)
        position[order] = np.arange(order.size)
        for j, inj in enumerate(mine):
            if inj.rule is not None:
                manifest.append((name, int(position[n + j]), inj.rule))
    return out, manifest
