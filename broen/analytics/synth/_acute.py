"""Acute hospital episodes (self-exciting) and programme referral, month by month.

Each person has a monthly hazard of an acute episode (emergency visit, acute admission or acute
outpatient contact) that depends on age, conditions, education and a personal frailty, and that
jumps after each episode and decays over the following months (a discrete Hawkes process): crises
cluster, then pass by themselves. Referral to "Sammen om min vej" follows such a spike, so a naive
before/after comparison of its participants shows regression to the mean.

Two worlds are simulated together with common random numbers: candidate episodes are drawn at
the larger of the two worlds' hazards, and each candidate belongs to a world when its uniform
mark falls under that world's hazard (thinning). Before a participant's start date both worlds
are identical; after it, the world with the programme multiplies the hazard by the programme's
effect and has its own excitation state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._calendar import DAYS_PER_YEAR, NEVER, BoolArray, IntArray, Period
from ._config import ProgrammeEffects
from ._enrol import ELIB, RYG, SOMV, Enrolment, choose_source, recruitment_window, refer
from ._population import Persons

BASE_RATE = 0.011  # acute episodes per person-month at the reference profile (calibrated)
JUMP = 1.6  # excitation added per episode
DECAY = 0.55  # excitation kept from one month to the next
CAP = 1.2  # maximum hazard per month
BURN_IN = 12  # months simulated before the period to start the excitation in equilibrium
CONDITION_MULT = {
    "diabetes": 1.4,
    "copd": 2.0,
    "ihd": 1.7,
    "mental": 1.9,
    "substance": 2.8,
    "hypertension": 1.1,
    "dementia": 1.8,
    "cancer": 2.0,
}


@dataclass
class AcuteEpisodes:
    person: IntArray
    day: IntArray
    w1: BoolArray  # in the world with the programme (the extract)
    w0: BoolArray  # in the world without


def age_factor(age: IntArray | np.ndarray) -> np.ndarray:
    return 0.5 + np.exp(0.05 * (age - 65.0)) + 1.0 * (age < 2)


def simulate_acute(
    rng: np.random.Generator, persons: Persons, period: Period, effects: ProgrammeEffects
) -> tuple[AcuteEpisodes, Enrolment]:
    n = persons.n
    enrol = Enrolment.empty(n)
    e0 = np.zeros(n)
    e1 = np.zeros(n)
    recent = np.zeros((3, n), dtype=np.int64)  # episodes (world without) in the last 3 months
    bounds = period.month_bounds(-BURN_IN, period.n_months + BURN_IN + 1)
    static = persons.frailty * np.exp(0.15 * persons.edu_score + 0.1 * persons.depriv)
    exit_day = persons.exit
    rec_lo, rec_hi = recruitment_window(period)
    lolland_guld = (persons.muni == 360) | (persons.muni == 376)
    social = (persons.edu_score > 0.5) & persons.alone
    out_p: list[IntArray] = []
    out_d: list[IntArray] = []
    out_w1: list[BoolArray] = []
    out_w0: list[BoolArray] = []
    idx_all = np.arange(n)
    for i in range(period.n_months + BURN_IN):
        t = i - BURN_IN
        m0, m1 = int(bounds[i]), int(bounds[i + 1])
        age = (m0 - persons.birth) / DAYS_PER_YEAR
        mult = static * age_factor(age)
        for cond, f in CONDITION_MULT.items():
            mult = np.where(persons.onset[cond] <= m0, mult * f, mult)
        alive = (persons.birth < m1) & (exit_day > m0)
        base = np.where(alive, BASE_RATE * mult, 0.0)
        lam0 = np.minimum(base * (1 + e0), CAP)
        lam1 = np.minimum(base * (1 + e1), CAP)
        lamc = np.maximum(lam0, lam1 * np.maximum(enrol.acute_mult, 1.0))
        k = rng.poisson(lamc)
        who = np.repeat(idx_all, k)
        day = m0 + np.floor(rng.random(who.size) * (m1 - m0)).astype(np.int64)
        v = rng.random(who.size) * lamc[who]
        eff = np.where(enrol.active(who, day), enrol.acute_mult[who], 1.0)
        valid = (day >= persons.birth[who]) & (day < exit_day[who])
        w0 = valid & (v < lam0[who])
        w1 = valid & (v < lam1[who] * eff)
        c0 = np.bincount(who[w0], minlength=n)
        e0 = e0 * DECAY + JUMP * c0
        e1 = e1 * DECAY + JUMP * np.bincount(who[w1], minlength=n)
        recent[i % 3] = c0
        if t < 0:
            continue
        keep = w0 | w1
        out_p.append(who[keep])
        out_d.append(day[keep])
        out_w1.append(w1[keep])
        out_w0.append(w0[keep])
        if rec_lo <= t < rec_hi:
            _referrals(
                rng,
                persons,
                period,
                effects,
                enrol,
                t,
                m0,
                m1,
                bounds[i + 2],
                recent,
                who[w0],
                day[w0],
                lolland_guld,
                social,
            )
    episodes = AcuteEpisodes(
        np.concatenate(out_p) if out_p else np.zeros(0, np.int64),
        np.concatenate(out_d) if out_d else np.zeros(0, np.int64),
        np.concatenate(out_w1) if out_w1 else np.zeros(0, bool),
        np.concatenate(out_w0) if out_w0 else np.zeros(0, bool),
    )
    return episodes, enrol


def _referrals(
    rng: np.random.Generator,
    persons: Persons,
    period: Period,
    effects: ProgrammeEffects,
    enrol: Enrolment,
    t: int,
    m0: int,
    m1: int,
    m2: int,
    recent: IntArray,
    ep_person: IntArray,
    ep_day: IntArray,
    lolland_guld: BoolArray,
    social: BoolArray,
) -> None:
    n = persons.n
    free = (enrol.prog < 0) & (persons.exit > m1) & (persons.birth < m0)
    age = (m0 - persons.birth) / DAYS_PER_YEAR
    has = {c: persons.onset[c] <= m0 for c in persons.onset}
    last3 = recent.sum(axis=0)
    this_month = np.bincount(ep_person, minlength=n)

    # Sammen om min vej: 18-70, Lolland/Guldborgsund, chronic/mental/social problems, frequent
    # acute use (2+ acute episodes in 3 months); not dementia/cancer. Referred next month.
    problems = has["diabetes"] | has["copd"] | has["ihd"] | has["mental"] | has["substance"]
    somv = (
        free
        & lolland_guld
        & (age >= 18)
        & (age <= 70)
        & (problems | social)
        & ~has["dementia"]
        & ~has["cancer"]
        & (last3 >= 2)
        & (this_month >= 1)
    )
    p = 0.05 * effects.sammen_om_min_vej.reach
    who = np.flatnonzero(somv & (rng.random(n) < p))
    if who.size:
        day = m1 + np.floor(rng.random(who.size) * (m2 - m1)).astype(np.int64)
        src = choose_source(
            rng, np.array([14, 12, 13, 9, 3]), np.array([30, 30, 15, 20, 5.0]), who.size
        )
        src = np.where((src == 13) & ~(has["mental"][who] | has["substance"][who]), 12, src)
        refer(rng, enrol, persons, period, effects, SOMV, who, day, src)
        free[who] = False

    # Et Liv i Balance: Lolland, 30-59, BMI > 35 and at least one comorbidity.
    comorbid = problems | has["hypertension"]
    bmi = np.nan_to_num(persons.bmi, nan=0.0)
    elib = free & (persons.muni == 360) & (age >= 30) & (age < 60) & (bmi > 35) & comorbid
    hosp = (last3 > 0) & elib
    p_elib = 0.006 * np.where(hosp, 4.0, 1.0) * effects.et_liv_i_balance.reach
    who = np.flatnonzero(elib & (rng.random(n) < p_elib))
    if who.size:
        day = m1 + np.floor(rng.random(who.size) * (m2 - m1)).astype(np.int64)
        gp_src = choose_source(rng, np.array([9, 1]), np.array([0.9, 0.1]), who.size)
        h_src = choose_source(rng, np.array([12, 11]), np.array([0.7, 0.3]), who.size)
        refer(
            rng, enrol, persons, period, effects, ELIB, who, day, np.where(hosp[who], h_src, gp_src)
        )
        free[who] = False

    # Smoking cessation: Very Brief Advice at an acute hospital contact (referral that day) or
    # by the GP (any day of the month).
    smokers = free & persons.smoker & (age >= 18)
    first = np.full(n, NEVER, dtype=np.int64)
    np.minimum.at(first, ep_person, ep_day)
    reach = effects.rygestop.reach
    hosp_ref = smokers & (first < NEVER) & (rng.random(n) < 0.06 * reach)
    gp_ref = smokers & ~hosp_ref & (rng.random(n) < 0.0015 * reach)
    who = np.flatnonzero(hosp_ref | gp_ref)
    if who.size:
        gp_day = m0 + np.floor(rng.random(who.size) * (m1 - m0)).astype(np.int64)
        day = np.where(hosp_ref[who], first[who], gp_day)
        h_src = choose_source(
            rng, np.array([12, 14, 11, 13]), np.array([40, 30, 20, 10.0]), who.size
        )
        refer(
            rng, enrol, persons, period, effects, RYG, who, day, np.where(hosp_ref[who], h_src, 9)
        )
