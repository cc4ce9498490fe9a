"""Primary care (Sygesikring-like): GP, practising specialists, physiotherapy, psychology, dentists.

GP contacts are the only primary-care events a programme changes (``gp_rate``); they are drawn in
two worlds by thinning. Fees per service are assumptions near the 2020 fee schedule levels.
"""

from __future__ import annotations

import numpy as np

from ._calendar import BoolArray, IntArray, Period
from ._draw import active_grid, month_grid, monthly_events, two_world_events
from ._enrol import Enrolment
from ._population import Persons
from ._rows import Col, Rows, both, cat, concat, pick

PROVIDER = ("gp", "specialist", "physiotherapist", "psychologist", "dentist", "other")
SPECIALTY = ("80", "04", "05", "07", "08", "15", "18", "24")
SERVICE = ("0101", "0201", "0105", "0111", "0120")
# GP contact types: service code, fee DKK, share (home visits only from age 75).
GP_TYPES = ((0, 150.0, 0.55), (1, 27.0, 0.25), (2, 50.0, 0.15), (3, 420.0, 0.05))
GP_EXTRA = {
    "diabetes": 0.20,
    "copd": 0.15,
    "ihd": 0.12,
    "mental": 0.25,
    "substance": 0.15,
    "hypertension": 0.08,
    "dementia": 0.15,
    "cancer": 0.25,
}


def _rows(
    p: IntArray,
    day: IntArray,
    provider: int,
    specialty: IntArray,
    service: IntArray,
    fee: np.ndarray,
    w1: BoolArray,
    w0: BoolArray,
) -> Rows:
    k = p.size
    return Rows(
        {
            "person_id": Col(p, "person"),
            "date": Col(day, "date"),
            "provider": cat(np.full(k, provider, np.int64), PROVIDER),
            "specialty": cat(specialty, SPECIALTY),
            "service_code": cat(service, SERVICE),
            "services": Col(np.ones(k, dtype=np.int64), "int"),
            "fee_dkk": Col(np.round(fee, 2), "float"),
        },
        w1,
        w0,
    )


def _gp_rows(
    rng: np.random.Generator,
    persons: Persons,
    p: IntArray,
    day: IntArray,
    w1: BoolArray,
    w0: BoolArray,
) -> Rows:
    k = p.size
    age = (day - persons.birth[p]) / 365.25
    kind = pick(rng, k, [t[2] for t in GP_TYPES])
    kind = np.where((kind == 3) & (age < 75), 0, kind)
    fee = np.array([t[1] for t in GP_TYPES])[kind]
    return _rows(p, day, 0, np.zeros(k, np.int64), kind, fee, w1, w0)


def primary_care(
    rng: np.random.Generator,
    persons: Persons,
    period: Period,
    enrol: Enrolment,
    acute_person: IntArray,
    acute_end_day: IntArray,
    acute_w1: BoolArray,
    acute_w0: BoolArray,
) -> Rows:
    alive, age = month_grid(persons, period)
    female_young = ((persons.sex == 0)[:, None] & (age >= 18) & (age < 50)) * 0.15
    rate = 0.6 * (0.6 + 0.6 * np.exp(0.025 * (age - 50))) * (1 + female_young)
    for cond, extra in GP_EXTRA.items():
        rate = rate + extra * active_grid(persons, period, cond)
    rate = np.where(alive, rate * np.sqrt(persons.frailty)[:, None], 0.0)
    p, day, w1, w0 = two_world_events(rng, rate, enrol.gp_mult, enrol, persons, period)
    parts = [_gp_rows(rng, persons, p, day, w1, w0)]

    # GP follow-up after acute hospital contacts (belongs to the contact's world).
    follow = rng.random(acute_person.size) < 0.4
    fp = acute_person[follow]
    fday = acute_end_day[follow] + rng.integers(3, 15, fp.size)
    ok = (fday < persons.exit[fp]) & (fday <= period.end_day)
    parts.append(
        _gp_rows(rng, persons, fp[ok], fday[ok], acute_w1[follow][ok], acute_w0[follow][ok])
    )

    adult = alive & (age >= 18)
    spec_rate = np.where(adult, 0.03 * (0.5 + np.exp(0.03 * (age - 60))), 0.0)
    p, day = monthly_events(rng, spec_rate, persons, period)
    spec = 1 + pick(rng, p.size, [0.25, 0.05, 0.12, 0.18, 0.3, 0.1])
    fee = rng.uniform(450, 900, p.size)
    parts.append(
        _rows(
            p, day, 1, spec, pick(rng, p.size, [0.4, 0, 0, 0, 0.6]), fee, both(p.size), both(p.size)
        )
    )

    mental = active_grid(persons, period, "mental") & adult
    p, day = monthly_events(rng, np.where(mental, 0.05, 0.0), persons, period)
    parts.append(
        _rows(
            p,
            day,
            1,
            np.full(p.size, 7),
            np.full(p.size, 4),
            rng.uniform(600, 1_100, p.size),
            both(p.size),
            both(p.size),
        )
    )
    p, day = monthly_events(rng, np.where(mental, 0.06, 0.0), persons, period)
    none = np.full(p.size, -1)
    parts.append(
        _rows(p, day, 3, none, none, rng.uniform(950, 1_150, p.size), both(p.size), both(p.size))
    )

    copd = active_grid(persons, period, "copd")
    physio = np.where(adult, 0.02 + 0.02 * (age >= 65) + 0.08 * copd, 0.0)
    p, day = monthly_events(rng, physio, persons, period)
    none = np.full(p.size, -1)
    parts.append(
        _rows(p, day, 2, none, none, rng.uniform(250, 320, p.size), both(p.size), both(p.size))
    )
    p, day = monthly_events(rng, np.where(adult, 0.06, 0.0), persons, period)
    none = np.full(p.size, -1)
    parts.append(
        _rows(p, day, 4, none, none, rng.uniform(250, 600, p.size), both(p.size), both(p.size))
    )
    return concat(parts)
