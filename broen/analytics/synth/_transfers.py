"""Weekly public transfers (DREAM-like): one state per person-week, painted from spells.

Spells are painted onto a person-by-week matrix in increasing priority, so a higher-priority
state overwrites a lower one in the same week, as DREAM keeps one code per week. Weekly amounts
are 2020 levels (assumptions near the statutory rates) indexed by 2% a year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from broen.analytics._contract import TRANSFER_STATES

from ._calendar import DAYS_PER_YEAR, NEVER, BoolArray, IntArray, Period, day_of, thursday_of
from ._enrol import Enrolment
from ._population import Persons
from ._rows import Col, Rows, cat

S = {name: i for i, name in enumerate(TRANSFER_STATES)}
PAINT_ORDER = [
    S[s]
    for s in (
        "education",
        "parental_leave",
        "unemployment",
        "cash_benefit",
        "other_benefit",
        "sickness_benefit",
        "flexjob",
        "disability_pension",
        "retirement",
    )
]
# DREAM codes where the research notes give them (section 2, marked uncertain there).
CODES = ("890", "783", "651", "881")
STATE_CODE = np.array([-1, 0, -1, -1, 1, 2, 3, -1, -1])
# Weekly amount in DKK, 2020 level, by state (assumption: statutory maximum rates).
AMOUNT = np.array([4_350.0, 4_350.0, 2_750.0, 2_400.0, 4_300.0, 1_450.0, 4_350.0, 4_100.0, 3_900.0])
SUPPORTED = (S["unemployment"], S["sickness_benefit"], S["cash_benefit"])


@dataclass
class Spells:
    person: IntArray
    state: IntArray
    start: IntArray  # first week index
    end0: IntArray  # week index after the last week, world without the programme
    end1: IntArray  # same, world with
    w1: BoolArray
    w0: BoolArray


def pension_age(birth: IntArray) -> npt.NDArray[np.float64]:
    """State pension age by birth date (approximate Danish rules for these cohorts)."""
    return np.select(
        [birth < day_of("1954-07-01"), birth < day_of("1955-01-01"), birth < day_of("1963-01-01")],
        [65.0, 65.5, 66.0],
        67.0,
    )


class _Builder:
    def __init__(self, period: Period) -> None:
        self.period = period
        self.parts: list[tuple[IntArray, int, IntArray, IntArray, BoolArray, BoolArray]] = []

    def week(self, day: IntArray) -> IntArray:
        thu = thursday_of(np.clip(day, -(10**6), 10**6).astype(np.int64))
        return np.searchsorted(self.period.weeks, thu).astype(np.int64)

    def add(
        self,
        person: IntArray,
        state: str,
        start_day: IntArray,
        end_day: IntArray,
        w1: BoolArray | None = None,
        w0: BoolArray | None = None,
    ) -> None:
        ok = end_day > start_day
        k = int(ok.sum())
        self.parts.append(
            (
                person[ok],
                S[state],
                self.week(start_day[ok]),
                self.week(end_day[ok]),
                np.ones(k, bool) if w1 is None else w1[ok],
                np.ones(k, bool) if w0 is None else w0[ok],
            )
        )

    def spells(self) -> Spells:
        person = np.concatenate([p[0] for p in self.parts])
        state = np.concatenate([np.full(p[0].size, p[1]) for p in self.parts])
        start = np.concatenate([p[2] for p in self.parts])
        end = np.concatenate([p[3] for p in self.parts])
        w1 = np.concatenate([p[4] for p in self.parts])
        w0 = np.concatenate([p[5] for p in self.parts])
        return Spells(person, state, start, end, end.copy(), w1, w0)


def _years(rng: np.random.Generator, n: int, rate: npt.NDArray[np.float64]) -> IntArray:
    """Days until an event at ``rate`` per year."""
    return np.floor(rng.exponential(1.0, n) / np.maximum(rate, 1e-12) * DAYS_PER_YEAR).astype(
        np.int64
    )


def make_spells(
    rng: np.random.Generator,
    persons: Persons,
    period: Period,
    adm_person: IntArray,
    adm_day: IntArray,
    adm_w1: BoolArray,
    adm_w0: BoolArray,
) -> Spells:
    n = persons.n
    b = _Builder(period)
    start = period.start_day
    everyone = np.arange(n)
    birth = persons.birth
    age0 = (start - birth) / DAYS_PER_YEAR
    pens = birth + np.floor(pension_age(birth) * DAYS_PER_YEAR).astype(np.int64)
    end = np.minimum(persons.exit, period.end_day + 7)
    has = {c: persons.onset[c] < NEVER for c in persons.onset}
    es = persons.edu_score
    d = persons.depriv
    at18 = birth + int(18 * DAYS_PER_YEAR)
    wk = 7.0

    b.add(everyone, "retirement", np.where(rng.random(n) < 0.97, pens, NEVER), end)

    # Disability pension and flexjob: prevalent at start and incident, until pension age.
    risk = np.exp(
        0.9 * es
        + 0.6 * d
        + 1.6 * has["mental"]
        + 1.0 * has["substance"]
        + 0.6 * has["copd"]
        + 0.4 * has["ihd"]
        + 0.3 * has["diabetes"]
        + 0.5 * np.log(persons.frailty)
        + 0.05 * np.clip(age0 - 50, -30, 15)
    )
    working = (age0 >= 18) & (age0 < 65)
    p_dis = np.minimum(0.10 * risk / np.mean(risk[working]) if working.any() else risk, 0.8)
    dis_prev = working & (rng.random(n) < p_dis)
    dis_inc = start + _years(rng, n, 0.006 * risk / max(float(np.mean(risk)), 1e-9))
    dis = np.where(dis_prev, start - 1, np.maximum(dis_inc, at18))
    b.add(everyone, "disability_pension", dis, np.minimum(pens, end))
    flex_prev = working & ~dis_prev & (rng.random(n) < np.minimum(0.5 * p_dis, 0.3))
    flex = np.where(flex_prev, start - 1, np.maximum(start + _years(rng, n, 0.002 * risk), at18))
    flex = np.where(flex < dis, flex, NEVER)
    b.add(everyone, "flexjob", flex, np.minimum(np.minimum(pens, dis), end))

    # Cash benefit: strong social gradient.
    cash_risk = np.exp(
        1.2 * es
        + 0.8 * d
        + 1.0 * has["mental"]
        + 1.2 * has["substance"]
        + 0.8 * (persons.origin == 2)
        - 0.04 * np.clip(age0 - 30, 0, 35)
    )
    base = cash_risk / max(float(np.mean(cash_risk[working])) if working.any() else 1.0, 1e-9)
    prev = working & (rng.random(n) < np.minimum(0.06 * base, 0.7))
    s1 = np.where(prev, start - rng.integers(0, 700, n), start + _years(rng, n, 0.045 * base))
    s1 = np.maximum(s1, at18)
    e1 = s1 + np.floor(rng.exponential(80 * wk, n)).astype(np.int64) + 7
    b.add(everyone, "cash_benefit", s1, np.minimum(np.minimum(e1, pens), end))

    # Unemployment insurance: up to two spells.
    u_rate = 0.12 * np.exp(0.3 * es)
    s1 = np.where(
        working & (rng.random(n) < 0.03),
        start - rng.integers(0, 100, n),
        start + _years(rng, n, u_rate),
    )
    s1 = np.maximum(s1, at18)
    e1 = s1 + np.floor(rng.exponential(16 * wk, n)).astype(np.int64) + 7
    s2 = e1 + _years(rng, n, u_rate)
    e2 = s2 + np.floor(rng.exponential(16 * wk, n)).astype(np.int64) + 7
    for s, e in ((s1, e1), (s2, e2)):
        b.add(everyone, "unemployment", s, np.minimum(np.minimum(e, pens), end))

    # Sickness benefit: background spells and after acute admissions of 18-64-year-olds.
    s_rate = 0.10 * np.where(has["mental"], 2.0, 1.0)
    s1 = np.maximum(start + _years(rng, n, s_rate), at18)
    e1 = s1 + np.floor(rng.exponential(10 * wk, n)).astype(np.int64) + 7
    b.add(everyone, "sickness_benefit", s1, np.minimum(np.minimum(e1, pens), end))
    k = adm_person.size
    age = (adm_day - birth[adm_person]) / DAYS_PER_YEAR
    sick = (age >= 18) & (age < 64) & (rng.random(k) < 0.35)
    e = adm_day + np.floor(rng.exponential(7 * wk, k)).astype(np.int64) + 7
    e = np.minimum(np.minimum(e, pens[adm_person]), end[adm_person])
    b.add(adm_person[sick], "sickness_benefit", adm_day[sick], e[sick], adm_w1[sick], adm_w0[sick])

    # Student grants (SU) between youth education and the end of higher education.
    fe = persons.final_edu
    su_from = np.where(fe == 1, 18.0, 20.0)
    su_to = np.select([fe == 1, fe == 3, fe == 4, fe == 5], [19.5, 22.5, 24.5, 26.0], 0.0)
    su = (su_to > 0) & (rng.random(n) < 0.85)
    s = birth + np.floor(su_from * DAYS_PER_YEAR).astype(np.int64)
    e = birth + np.floor(su_to * DAYS_PER_YEAR).astype(np.int64)
    b.add(everyone[su], "education", s[su], np.minimum(e, end)[su])

    # Parental leave: mothers 22-42 (46 weeks), fathers 22-45 (8 weeks), up to two each.
    female = persons.sex == 0
    lo = birth + int(22 * DAYS_PER_YEAR)
    hi = birth + np.where(female, int(42 * DAYS_PER_YEAR), int(45 * DAYS_PER_YEAR))
    rate = np.where(female, 0.055, 0.05)
    length = np.where(female, 46, 8) * 7
    s = np.maximum(start, lo) + _years(rng, n, rate)
    for _ in range(2):
        ok = s < hi
        b.add(everyone[ok], "parental_leave", s[ok], np.minimum(s + length, end)[ok])
        s = s + length + _years(rng, n, rate)

    # Other benefits: voluntary early retirement (efterløn) from 62, and resource courses.
    early = (birth < day_of("1959-01-01")) & (rng.random(n) < np.where(es > 0.3, 0.2, 0.12))
    s = birth + int(62 * DAYS_PER_YEAR)
    b.add(everyone[early], "other_benefit", s[early], np.minimum(pens, end)[early])
    res = (has["mental"] | has["substance"]) & (rng.random(n) < 0.15)
    s = np.maximum(start + _years(rng, n, np.full(n, 0.1)), at18)
    b.add(everyone[res], "other_benefit", s[res], np.minimum(np.minimum(s + 280, pens), end)[res])
    return b.spells()


def apply_effect(spells: Spells, enrol: Enrolment, period: Period) -> None:
    """Shorten the rest of benefit spells after the start date in the world with the programme."""
    start = enrol.start[spells.person]
    mult = enrol.support_mult[spells.person]
    first = np.searchsorted(period.weeks, np.minimum(start, NEVER - 10) + 3)  # Monday >= start
    cut = np.maximum(spells.start, first)
    affected = np.isin(spells.state, SUPPORTED) & (mult != 1.0) & (spells.end0 > cut)
    short = cut + np.round((spells.end0 - cut) * mult).astype(np.int64)
    spells.end1 = np.where(affected, short, spells.end0)


def paint(
    spells: Spells, rows: IntArray, n_rows: int, n_weeks: int, world: int
) -> npt.NDArray[np.int8]:
    """State matrix (0 = no transfer, else state + 1) for persons mapped by ``rows`` (-1 = skip)."""
    m = np.zeros((n_rows, n_weeks), dtype=np.int8)
    r = rows[spells.person]
    end = spells.end1 if world == 1 else spells.end0
    present = (spells.w1 if world == 1 else spells.w0) & (r >= 0)
    for state in PAINT_ORDER:
        sel = np.flatnonzero(present & (spells.state == state))
        s = np.clip(spells.start[sel], 0, n_weeks)
        e = np.clip(end[sel], 0, n_weeks)
        ln = np.maximum(e - s, 0)
        if ln.sum() == 0:
            continue
        rr = np.repeat(r[sel], ln)
        first = np.repeat(np.cumsum(ln) - ln, ln)
        ww = np.repeat(s, ln) + (np.arange(rr.size) - first)
        m[rr, ww] = state + 1
    return m


def valid_weeks(persons: Persons, period: Period, who: IntArray) -> BoolArray:
    """Weeks in which a person can have a transfer: 16+ on the Monday, and the Thursday (the day
    that places a week in a month) on or before the day of death, on which a person is alive as
    in CPR, and before moving out."""
    thu = period.weeks[None, :]
    age16 = persons.birth[who, None] + int(16 * DAYS_PER_YEAR)
    return (thu - 3 >= age16) & (thu <= persons.death[who, None]) & (thu < persons.moved[who, None])


def amounts(
    persons: Persons, period: Period, who: IntArray, week: IntArray, state: IntArray
) -> npt.NDArray[np.float64]:
    """Weekly amount for (person, week index, state index)."""
    thu = period.weeks[week]
    year = thu.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    amount = AMOUNT[state] * 1.02 ** (year - 2020)
    alone = persons.alone[who]
    amount = np.where(
        state == S["retirement"], np.where(alone, 4_700.0, 3_500.0) * 1.02 ** (year - 2020), amount
    )
    young = (thu - persons.birth[who]) / DAYS_PER_YEAR < 30
    amount = np.where((state == S["cash_benefit"]) & young, amount * 0.6, amount)
    out: npt.NDArray[np.float64] = np.round(amount).astype(np.float64)
    return out


def transfer_rows(
    persons: Persons, period: Period, spells: Spells, week_labels: tuple[str, ...]
) -> Rows:
    n, w = persons.n, period.weeks.size
    m = paint(spells, np.arange(n), n, w, world=1)
    m[~valid_weeks(persons, period, np.arange(n))] = 0
    p, week = np.nonzero(m)
    state = m[p, week].astype(np.int64) - 1
    k = p.size
    ones = np.ones(k, bool)
    return Rows(
        {
            "person_id": Col(p.astype(np.int64), "person"),
            "week": Col(week.astype(np.int64), "cat", week_labels),
            "state": cat(state, TRANSFER_STATES),
            "code": cat(STATE_CODE[state], CODES),
            "amount_dkk": Col(amounts(persons, period, p, week, state), "float"),
        },
        ones,
        ones,
    )
