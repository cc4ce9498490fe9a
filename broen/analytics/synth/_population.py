"""Persons: demography, education, chronic disease onset, death and moving out.

One call makes one chunk: the residents at period start (``n`` of them) plus the children born
to the chunk during the period. All arrays are indexed by the chunk-local person index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from broen.analytics._contract import EDUCATION_LEVELS

from ._calendar import DAYS_PER_YEAR, NEVER, BoolArray, FloatArray, IntArray, Period
from ._config import AREA_PROFILE, DEFAULT_PROFILE

CONDITIONS = (
    "diabetes",
    "copd",
    "ihd",
    "mental",
    "substance",
    "hypertension",
    "dementia",
    "cancer",
)

# Share by 10-year age band 0-9 .. 90-99, about 2020: Denmark and Lolland (assumption from DST
# FOLK1A levels as remembered; Lolland's median age about 50).
AGE_NATIONAL = np.array([10.8, 11.5, 13.4, 11.9, 13.1, 13.7, 11.6, 9.6, 3.6, 0.8])
AGE_LOLLAND = np.array([8.0, 10.0, 9.5, 9.0, 11.5, 15.5, 15.0, 14.0, 6.2, 1.3])

# Highest completed education of adults (order of EDUCATION_LEVELS), national vs Lolland.
EDU_NATIONAL = np.array([24.0, 9.0, 33.0, 5.0, 17.0, 10.0, 2.0])
EDU_LOLLAND = np.array([34.0, 5.0, 40.0, 4.0, 12.0, 3.0, 2.0])
# Social-gradient score by education: short education -> higher risk.
EDU_SCORE = np.array([1.0, 0.2, 0.4, 0.0, -0.4, -0.7, 0.6])
EDU_FINISH_AGE = np.array([16.0, 19.0, 21.0, 22.0, 24.0, 26.0, 16.0])
ORIGIN_NATIONAL = np.array([86.0, 5.5, 8.5])
ORIGIN_LOLLAND = np.array([91.0, 3.5, 5.5])

# condition: (prevalence among adults at period start, incidence per person-year among adults,
#             log-odds per 10 years of age around 55, log-odds per education score unit,
#             log-odds male, minimum age)
CONDITION_SPEC: dict[str, tuple[float, float, float, float, float, float]] = {
    "diabetes": (0.08, 0.006, 0.45, 0.5, 0.25, 25.0),
    "copd": (0.05, 0.004, 0.65, 0.8, 0.0, 35.0),
    "ihd": (0.045, 0.004, 0.75, 0.4, 0.6, 35.0),
    "mental": (0.06, 0.004, -0.1, 0.5, -0.2, 16.0),
    "substance": (0.02, 0.0015, -0.05, 0.8, 0.8, 18.0),
    "hypertension": (0.20, 0.012, 0.8, 0.2, 0.1, 30.0),
    "dementia": (0.012, 0.002, 1.8, 0.3, -0.1, 60.0),
    "cancer": (0.03, 0.006, 0.6, 0.1, 0.1, 25.0),
}
# Mortality hazard ratios per condition (assumption, typical register-study magnitudes).
MORTALITY_HR = {
    "diabetes": 1.6,
    "copd": 2.3,
    "ihd": 1.7,
    "mental": 1.8,
    "substance": 3.0,
    "hypertension": 1.1,
    "dementia": 3.0,
    "cancer": 3.0,
}
GOMPERTZ_B = 0.1
GOMPERTZ_A = {0: 1.45e-5, 1: 2.1e-5}  # by sex (0 F, 1 M): e0 about 83 F / 79 M nationally
MORTALITY_NORMALISER = 2.6  # mean multiplier of the national population (assumption)


@dataclass
class Persons:
    pid: IntArray  # global person number (person_id = "p" + 8 digits)
    birth: IntArray
    sex: IntArray  # 0 F, 1 M
    muni: IntArray
    edu: IntArray  # index into EDUCATION_LEVELS, -1 = null (children)
    final_edu: IntArray  # eventual highest education (drives student spells)
    origin: IntArray  # index into ORIGINS
    alone: BoolArray
    bmi: FloatArray  # nan for children
    smoker: BoolArray
    frailty: FloatArray  # individual multiplier on use, mean 1
    edu_score: FloatArray
    depriv: FloatArray
    onset: dict[str, IntArray]  # day of onset; NEVER = never in the period
    death: IntArray  # NEVER = alive at period end
    moved: IntArray  # NEVER = did not move out
    born_in_period: BoolArray

    @property
    def n(self) -> int:
        return int(self.pid.size)

    @property
    def exit(self) -> IntArray:
        """First day on which the person is no longer alive and resident."""
        return np.minimum(self.death, self.moved)

    def age_at(self, day: IntArray | int) -> FloatArray:
        return (np.asarray(day) - self.birth) / DAYS_PER_YEAR

    def has(self, condition: str, day: IntArray | int) -> BoolArray:
        return self.onset[condition] <= day


def _sigmoid(x: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-x))


def _calibrate(lp: FloatArray, target: float) -> float:
    """Intercept a with mean(sigmoid(a + lp)) == target (bisection)."""
    lo, hi = -20.0, 10.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if float(np.mean(_sigmoid(mid + lp))) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _categorical(rng: np.random.Generator, weights: FloatArray) -> IntArray:
    """One draw per row of a (n, k) weight matrix."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(weights.shape[0]) * cum[:, -1]
    out: IntArray = np.minimum((cum < u[:, None]).sum(axis=1), weights.shape[1] - 1)
    return out.astype(np.int64)


def make_persons(
    rng: np.random.Generator,
    n: int,
    municipalities: Sequence[int],
    weights: Sequence[float],
    period: Period,
    first_pid: int,
    first_birth_pid: int,
) -> Persons:
    start = period.start_day
    years = period.n_days / DAYS_PER_YEAR
    w = np.asarray(weights, dtype=np.float64)
    muni_res = np.asarray(municipalities, dtype=np.int64)[
        rng.choice(len(municipalities), size=n, p=w / w.sum())
    ]
    prof = np.array([AREA_PROFILE.get(int(m), DEFAULT_PROFILE) for m in municipalities])
    order = np.argsort(np.asarray(municipalities))
    idx = order[np.searchsorted(np.asarray(municipalities)[order], muni_res)]
    oldness, depriv_res = prof[idx, 0], prof[idx, 1]

    # Age at period start (0..99), birth date.
    band_w = (
        AGE_NATIONAL[None, :] * (1 - oldness[:, None]) + AGE_LOLLAND[None, :] * oldness[:, None]
    )
    band = _categorical(rng, band_w)
    age0 = band * 10 + rng.random(n) * 10
    birth_res = start - np.floor(age0 * DAYS_PER_YEAR).astype(np.int64) - 1

    # Births during the period: crude birth rate 7-10 per 1000 (assumption; Lolland is low).
    cbr = 0.0075 + 0.0025 * (1 - float(np.mean(oldness)))
    n_b = int(rng.poisson(n * cbr * years))
    mother = rng.integers(0, n, size=n_b) if n > 0 else np.zeros(0, dtype=np.int64)
    birth_b = start + rng.integers(0, period.n_days, size=n_b)

    total = n + n_b
    pid = np.concatenate(
        [first_pid + np.arange(n, dtype=np.int64), first_birth_pid + np.arange(n_b, dtype=np.int64)]
    )
    birth = np.concatenate([birth_res, birth_b]).astype(np.int64)
    muni = np.concatenate([muni_res, muni_res[mother]])
    depriv = np.concatenate([depriv_res, depriv_res[mother]])
    born = np.concatenate([np.zeros(n, bool), np.ones(n_b, bool)])
    sex = (rng.random(total) < 0.5).astype(np.int64)
    ref_day = np.where(born, birth, start)
    age = (ref_day - birth) / DAYS_PER_YEAR  # age when entering the extract

    # Origin, education.
    ow = (
        ORIGIN_NATIONAL[None, :] * (1 - depriv[:, None]) + ORIGIN_LOLLAND[None, :] * depriv[:, None]
    )
    origin = _categorical(rng, ow)
    origin[n:] = origin[mother]
    ew = EDU_NATIONAL[None, :] * (1 - depriv[:, None]) + EDU_LOLLAND[None, :] * depriv[:, None]
    cohort = np.clip(age - 50, -30, 40)
    ew[:, 0] *= np.exp(0.02 * cohort)  # older cohorts: more basic schooling only
    ew[:, 5] *= np.exp(-0.015 * cohort)
    ew[:, 4] *= np.exp(-0.01 * cohort)
    ew[:, 6] *= np.where(origin == 2, 12.0, 1.0)
    final_edu = _categorical(rng, ew)
    edu = final_edu.copy()
    studying = age < EDU_FINISH_AGE[final_edu]
    edu[studying] = np.where(age[studying] >= 19, 1, 0)
    edu[age < 16] = -1
    edu_score = EDU_SCORE[np.maximum(final_edu, 0)] + 0.3 * (origin == 2)

    z = rng.standard_normal(total)  # shared latent health/social disadvantage
    adult = age >= 18
    alone_p = np.where(
        adult, 0.18 + 0.1 * depriv + 0.35 * np.clip((age - 65) / 25, 0, 1) + 0.05 * edu_score, 0.0
    )
    alone = rng.random(total) < np.clip(alone_p + 0.05 * z, 0, 0.9)

    # BMI of adults (log-normal); calibrated so that about 7.5% have BMI >= 35.
    lp_bmi = 0.035 * edu_score + 0.02 * depriv + 0.0025 * np.clip(age - 20, 0, 45) + 0.03 * z
    e_bmi = rng.standard_normal(total) * 0.16
    target_bmi = np.log(35.0)
    lo, hi = 2.5, 4.0
    for _ in range(40):
        mid = (lo + hi) / 2
        share = float(np.mean((mid + lp_bmi + e_bmi)[adult] >= target_bmi)) if adult.any() else 0
        lo, hi = (mid, hi) if share < 0.075 else (lo, mid)
    bmi = np.where(adult, np.exp((lo + hi) / 2 + lp_bmi + e_bmi), np.nan)

    lp_smoke = 0.8 * edu_score + 0.3 * depriv + 0.3 * z - 0.02 * np.clip(age - 50, 0, 40)
    a_s = _calibrate(lp_smoke[adult], 0.19) if adult.any() else 0.0
    smoker = adult & (rng.random(total) < _sigmoid(a_s + lp_smoke))

    frailty = rng.gamma(1.5, 1 / 1.5, size=total) * np.exp(0.25 * z - 0.03125)

    # Chronic conditions: prevalent at period start and incident during the period.
    onset: dict[str, IntArray] = {}
    for cond, (prev, inc, age_b, edu_b, male_b, min_age) in CONDITION_SPEC.items():
        lp = age_b * (age - 55) / 10 + edu_b * edu_score + male_b * sex + 0.5 * z + 0.3 * depriv
        if cond == "diabetes":
            lp = lp + 0.09 * np.nan_to_num(bmi - 27.0)
        if cond == "substance":
            lp = lp - 0.04 * np.abs(age - 45)
        eligible = age >= min_age
        a = _calibrate(lp[eligible & adult], prev) if (eligible & adult).any() else 0.0
        p = np.where(eligible, _sigmoid(a + lp), 0.0)
        prevalent = (rng.random(total) < p) & ~born
        rate = inc * p / prev  # higher-risk people also have higher incidence
        t = rng.exponential(1.0, total) / np.maximum(rate, 1e-9)
        day = np.where(
            prevalent,
            start - 1 - rng.integers(0, 3650, total),
            ref_day + np.floor(t * DAYS_PER_YEAR).astype(np.int64),
        )
        day = np.where(prevalent | (day <= period.end_day) & (rate > 0), day, NEVER)
        onset[cond] = day.astype(np.int64)

    # Death: Gompertz hazard, conditional on being alive at entry.
    log_m = 0.25 * edu_score + 0.1 * depriv + 0.3 * z
    for cond, hr in MORTALITY_HR.items():
        log_m = log_m + np.log(hr) * (onset[cond] < NEVER)
    mult = np.exp(log_m) / MORTALITY_NORMALISER
    a_sex = np.where(sex == 1, GOMPERTZ_A[1], GOMPERTZ_A[0])
    e = rng.exponential(1.0, total)
    t_death = np.log1p(GOMPERTZ_B * e / (a_sex * mult * np.exp(GOMPERTZ_B * age))) / GOMPERTZ_B
    death = ref_day + np.floor(t_death * DAYS_PER_YEAR).astype(np.int64) + 1
    death = np.where(death <= period.end_day, death, NEVER)

    # Moving out of the area: about 2-3% a year, more for young adults (assumption).
    move_rate = np.select(
        [age < 18, age < 25, age < 35, age < 50, age < 67], [0.03, 0.10, 0.06, 0.025, 0.015], 0.01
    )
    t_move = rng.exponential(1.0, total) / move_rate
    moved = ref_day + np.floor(t_move * DAYS_PER_YEAR).astype(np.int64) + 1
    moved = np.where((moved <= period.end_day) & (moved < death), moved, NEVER)

    exit_day = np.minimum(death, moved)
    for cond in CONDITIONS:  # no onset after leaving
        onset[cond] = np.where(onset[cond] < exit_day, onset[cond], NEVER)

    return Persons(
        pid=pid,
        birth=birth,
        sex=sex,
        muni=muni,
        edu=edu,
        final_edu=final_edu,
        origin=origin,
        alone=alone,
        bmi=bmi,
        smoker=smoker,
        frailty=frailty,
        edu_score=edu_score,
        depriv=depriv,
        onset=onset,
        death=death.astype(np.int64),
        moved=moved.astype(np.int64),
        born_in_period=born,
    )


def education_labels(edu: IntArray) -> list[str | None]:
    return [EDUCATION_LEVELS[e] if e >= 0 else None for e in edu.tolist()]
