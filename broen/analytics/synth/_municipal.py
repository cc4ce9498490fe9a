"""Municipal services (FSIII-like): home care, home nursing, rehabilitation, nursing home,
prevention courses and social support ("other").

Long-term care concentrates in the last years of life, so home care and nursing home stays are
drawn backwards from the death date for people who die during the period, and with
age-dependent probabilities for the survivors. Ongoing services are written as one row per
calendar month. Unit prices are assumptions (2020 level): home care 450 DKK/hour, nursing home
1,800 DKK/day, home nursing 400 DKK/visit, rehabilitation 550 DKK/session.
"""

from __future__ import annotations

import numpy as np

from ._calendar import DAYS_PER_YEAR, NEVER, BoolArray, IntArray, Period
from ._population import Persons
from ._rows import Col, Rows, both, cat, concat

SERVICE = ("home_care", "home_nursing", "rehabilitation", "prevention", "nursing_home", "other")
UNIT = ("hours", "visits", "days", "sessions")
HOME_CARE, HOME_NURSING, REHAB, PREVENTION, NURSING_HOME, OTHER = range(6)
HOURS, VISITS, DAYS, SESSIONS = range(4)


def ms_rows(
    p: IntArray,
    service: int,
    start: IntArray,
    end: IntArray | None,
    units: np.ndarray,
    unit: int,
    cost: np.ndarray,
    w1: BoolArray,
    w0: BoolArray,
) -> Rows:
    k = p.size
    end_col = (
        Col(np.zeros(k, np.int64), "date", valid=np.zeros(k, bool))
        if end is None
        else Col(end, "date")
    )
    return Rows(
        {
            "person_id": Col(p, "person"),
            "service": cat(np.full(k, service, np.int64), SERVICE),
            "start_date": Col(start, "date"),
            "end_date": end_col,
            "units": Col(np.round(units, 2), "float"),
            "unit": cat(np.full(k, unit, np.int64), UNIT),
            "cost_dkk": Col(np.round(cost, 2), "float"),
        },
        w1,
        w0,
    )


def split_months(
    p: IntArray, start: IntArray, end: IntArray, period: Period
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Cut spells [start, end] (inclusive days, clipped to the period) into calendar months.

    Returns (spell index, person, row start, row end) for each month piece."""
    s = np.maximum(start, period.start_day)
    e = np.minimum(end, period.end_day)
    ok = np.flatnonzero(e >= s)
    s, e = s[ok], e[ok]
    ms, me = period.month_of(s), period.month_of(e)
    n = me - ms + 1
    spell = np.repeat(ok, n)
    first = np.repeat(np.cumsum(n) - n, n)
    month = np.repeat(ms, n) + (np.arange(spell.size) - first)
    rs = np.maximum(np.repeat(s, n), period.bounds[month])
    re = np.minimum(np.repeat(e, n), period.bounds[month + 1] - 1)
    return spell, p[spell], rs, re


def _long_term(
    rng: np.random.Generator, persons: Persons, period: Period
) -> tuple[IntArray, IntArray]:
    """Start days of home care and of nursing home (NEVER = none)."""
    n = persons.n
    died = persons.death < NEVER
    age_death = (persons.death - persons.birth) / DAYS_PER_YEAR
    age_end = (period.end_day - persons.birth) / DAYS_PER_YEAR
    dementia = persons.onset["dementia"] < NEVER
    u = rng.random(n)
    nh_dec = died & (age_death >= 75) & (u < np.minimum(0.35 * np.where(dementia, 2.2, 1.0), 0.9))
    nh_live = ~died & (age_end >= 80) & (u < np.where(dementia, 0.3, 0.04))
    nh = np.where(nh_dec, persons.death - rng.exponential(800, n).astype(np.int64) - 1, NEVER)
    nh = np.where(nh_live, period.end_day - rng.exponential(1000, n).astype(np.int64), nh)
    u = rng.random(n)
    hc_dec = died & (age_death >= 65) & (u < 0.55)
    p_live = np.select([age_end >= 90, age_end >= 80, age_end >= 67], [0.5, 0.3, 0.08], 0.0)
    hc_live = ~died & (u < p_live * np.where(dementia, 2.0, 1.0))
    hc = np.where(hc_dec, persons.death - rng.exponential(900, n).astype(np.int64) - 1, NEVER)
    hc = np.where(hc_live, period.end_day - rng.exponential(1200, n).astype(np.int64), hc)
    # Only from age 65 (home care) / 70 (nursing home); never before moving in.
    hc = np.where((hc - persons.birth) / DAYS_PER_YEAR >= 65, hc, NEVER)
    nh = np.where((nh - persons.birth) / DAYS_PER_YEAR >= 70, nh, NEVER)
    return hc, nh


def municipal_services(
    rng: np.random.Generator,
    persons: Persons,
    period: Period,
    disch_person: IntArray,
    disch_day: IntArray,
    disch_hip: BoolArray,
    disch_elective: BoolArray,
    disch_w1: BoolArray,
    disch_w0: BoolArray,
) -> Rows:
    """``disch_*``: somatic inpatient discharges (acute and planned) that can lead to services."""
    n = persons.n
    last = np.minimum(persons.exit - 1, period.end_day)
    hc, nh = _long_term(rng, persons, period)
    parts = []

    hours = np.minimum(np.exp(np.log(3.0) + 0.7 * rng.standard_normal(n)), 40.0)
    hours *= np.where(persons.onset["dementia"] < NEVER, 1.5, 1.0)
    spell, p, rs, re = split_months(np.arange(n), hc, np.minimum(last, nh - 1), period)
    units = np.maximum(np.round(hours[spell] * (re - rs + 1) / 7 * 4) / 4, 0.25)
    parts.append(
        ms_rows(p, HOME_CARE, rs, re, units, HOURS, units * 450, both(p.size), both(p.size))
    )

    spell, p, rs, re = split_months(np.arange(n), nh, last, period)
    days = (re - rs + 1).astype(np.float64)
    parts.append(
        ms_rows(p, NURSING_HOME, rs, re, days, DAYS, days * 1_800, both(p.size), both(p.size))
    )

    # Home nursing for people of 70+ with two or more chronic conditions.
    conds = np.sort(
        np.stack([persons.onset[c] for c in ("diabetes", "copd", "ihd", "dementia", "cancer")]),
        axis=0,
    )
    second = conds[1]
    chosen = (second < NEVER) & (rng.random(n) < 0.35)
    hn_start = np.where(chosen, np.maximum(second, persons.birth + 70 * 366), NEVER)
    spell, p, rs, re = split_months(np.arange(n), hn_start, last, period)
    visits = np.maximum(1, rng.poisson(4.0 * (re - rs + 1) / 30.0)).astype(np.float64)
    parts.append(
        ms_rows(p, HOME_NURSING, rs, re, visits, VISITS, visits * 400, both(p.size), both(p.size))
    )

    # After discharge: home nursing (70+) and rehabilitation (50+, most hip fractures).
    k = disch_person.size
    age = (disch_day - persons.birth[disch_person]) / DAYS_PER_YEAR
    lim = last[disch_person]
    hn = (age >= 70) & (rng.random(k) < 0.3)
    s = disch_day + 1
    e = np.minimum(s + rng.integers(14, 57, k), lim)
    ok = hn & (e >= s)
    v = np.maximum(1, np.round((e - s + 1) / 7 * 2)).astype(np.float64)
    parts.append(
        ms_rows(
            disch_person[ok],
            HOME_NURSING,
            s[ok],
            e[ok],
            v[ok],
            VISITS,
            v[ok] * 400,
            disch_w1[ok],
            disch_w0[ok],
        )
    )
    p_rehab = np.where(disch_hip, 0.9, np.where(disch_elective, 0.6, 0.18))
    rh = (age >= 50) & (rng.random(k) < p_rehab)
    s = disch_day + rng.integers(7, 22, k)
    e = np.minimum(s + rng.integers(28, 85, k), lim)
    ok = rh & (e >= s)
    sessions = rng.integers(8, 25, k).astype(np.float64)
    parts.append(
        ms_rows(
            disch_person[ok],
            REHAB,
            s[ok],
            e[ok],
            sessions[ok],
            SESSIONS,
            sessions[ok] * 550,
            disch_w1[ok],
            disch_w0[ok],
        )
    )

    # Patient education courses for chronic patients (same in both worlds).
    chronic = np.minimum.reduce([persons.onset[c] for c in ("diabetes", "copd", "ihd")])
    first = np.maximum(chronic, period.start_day)
    course = (chronic < NEVER) & (rng.random(n) < 0.15) & (first < last)
    s = first + np.floor(rng.random(n) * np.maximum(last - first, 1)).astype(np.int64)
    e = np.minimum(s + rng.integers(56, 85, n), last)
    ok = course & (e >= s)
    sessions = rng.integers(6, 13, n).astype(np.float64)
    idx = np.flatnonzero(ok)
    parts.append(
        ms_rows(
            idx,
            PREVENTION,
            s[ok],
            e[ok],
            sessions[ok],
            SESSIONS,
            sessions[ok] * 350,
            both(idx.size),
            both(idx.size),
        )
    )

    # Social-pedagogical support (serviceloven §85) for adults with mental illness or abuse.
    psych = np.minimum(persons.onset["mental"], persons.onset["substance"])
    support = (psych < NEVER) & (rng.random(n) < 0.25)
    adult = np.maximum(np.maximum(psych, persons.birth + 18 * 365 + 5), period.start_day)
    stop = np.minimum(last, persons.birth + 65 * 365)
    spell, p, rs, re = split_months(np.arange(n), np.where(support, adult, NEVER), stop, period)
    h = np.round(rng.uniform(4, 20, p.size) * (re - rs + 1) / 30.0 * 2) / 2
    h = np.maximum(h, 0.5)
    parts.append(ms_rows(p, OTHER, rs, re, h, HOURS, h * 480, both(p.size), both(p.size)))
    return concat(parts)
