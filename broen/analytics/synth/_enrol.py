"""Referral to programmes and what happens after: decline, start, drop-out, completion.

Selection is by register-visible characteristics only (age, municipality, diagnoses, BMI,
smoking, recent acute hospital use, education), evaluated month by month inside the hospital
simulation loop (``_acute``) so that referral follows the person's own history. A person is
referred to at most one programme, so "without the programme" means "without any programme".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from broen.analytics._contract import FSIII_END_REASONS

from ._calendar import NEVER, BoolArray, FloatArray, IntArray, Period
from ._config import PROGRAMMES, ProgrammeEffects
from ._population import Persons

ELIB, SOMV, RYG = 0, 1, 2
STATUS = ("referred", "declined", "enrolled", "completed", "dropped_out")
END_REASONS = tuple(FSIII_END_REASONS)
# Drop-out reasons (index into END_REASONS) and weights (assumption).
DROPOUT_REASONS = np.array([2, 3, 4, 5, 6, 7, 8])
DROPOUT_WEIGHTS = np.array([0.30, 0.15, 0.05, 0.05, 0.05, 0.10, 0.30])
NO_FURTHER_NEED = 1  # "Ikke yderligere behov (fagperson-vurderet)"
ACTIVE_OPT_OUT = 2
EVENT_ENDS = 7  # "Hændelse medfører ophør"

# programme: (course length in days, P(decline), P(never reached), P(drop out of course),
#             days from referral to start: low, high)
COURSE: dict[int, tuple[int, float, float, float, int, int]] = {
    ELIB: (730, 0.20, 0.05, 0.25, 14, 60),
    SOMV: (365, 0.15, 0.05, 0.20, 7, 35),
    RYG: (42, 0.30, 0.25, 0.25, 7, 28),
}


@dataclass
class Enrolment:
    prog: IntArray  # -1 = never referred
    referral: IntArray
    source: IntArray  # FSIII referral source number (9 = A9), 0 = null
    start: IntArray  # NEVER = did not start
    end: IntArray  # NEVER = no end date in the extract
    status: IntArray  # index into STATUS
    end_reason: IntArray  # index into END_REASONS, -1 = null
    stratum: IntArray  # 0 = null, else 1..3
    course_end: IntArray  # planned or actual end of the course (may lie after the period)
    effect_end: IntArray  # the effect is active on days start <= d < effect_end
    acute_mult: FloatArray
    gp_mult: FloatArray
    support_mult: FloatArray

    @classmethod
    def empty(cls, n: int) -> Enrolment:
        def full(v: int) -> IntArray:
            return np.full(n, v, dtype=np.int64)

        return cls(
            full(-1),
            full(NEVER),
            full(0),
            full(NEVER),
            full(NEVER),
            full(0),
            full(-1),
            full(0),
            full(NEVER),
            full(NEVER),
            np.ones(n),
            np.ones(n),
            np.ones(n),
        )

    def started(self, period: Period) -> BoolArray:
        """Participants with a start_date inside the period."""
        return self.start <= period.end_day

    def active(self, person: IntArray, day: IntArray) -> BoolArray:
        """Is the programme's effect active for each (person, day)?"""
        return (day >= self.start[person]) & (day < self.effect_end[person])


def recruitment_window(period: Period) -> tuple[int, int]:
    """Months in which referrals happen: leave up to 24 months before and after."""
    margin = min(24, period.n_months // 4)
    return margin, period.n_months - margin


def refer(
    rng: np.random.Generator,
    enrol: Enrolment,
    persons: Persons,
    period: Period,
    effects: ProgrammeEffects,
    prog: int,
    who: IntArray,
    referral_day: IntArray,
    source: IntArray,
) -> None:
    """Record referrals of ``who`` to ``prog`` and decide what happens next."""
    keep = referral_day < persons.exit[who]
    who, referral_day, source = who[keep], referral_day[keep], source[keep]
    k = who.size
    if k == 0:
        return
    length, p_decline, p_unreached, p_drop, lag_lo, lag_hi = COURSE[prog]
    effect = effects.of(PROGRAMMES[prog])
    disadvantaged = persons.edu_score[who] > 0.5
    u = rng.random(k)
    p_dec = p_decline * np.where(disadvantaged, 1.3, 1.0)
    declined = u < p_dec
    unreached = ~declined & (u < p_dec + p_unreached)
    start = referral_day + rng.integers(lag_lo, lag_hi + 1, size=k)
    starts = ~declined & ~unreached & (start < persons.exit[who])
    dropout = starts & (rng.random(k) < p_drop * np.where(disadvantaged, 1.4, 1.0))
    drop_day = start + np.floor(rng.random(k) * length).astype(np.int64) + 1
    course_end = np.where(dropout, drop_day, start + length)
    reason_u = rng.random(k)
    reason = DROPOUT_REASONS[
        np.minimum(
            np.searchsorted(np.cumsum(DROPOUT_WEIGHTS), reason_u * DROPOUT_WEIGHTS.sum()),
            DROPOUT_REASONS.size - 1,
        )
    ]

    # Death or moving out during the course ends it ("Hændelse medfører ophør").
    leaves = starts & (persons.exit[who] <= course_end)
    dropout = dropout | leaves
    course_end = np.where(leaves, np.maximum(persons.exit[who] - 1, start), course_end)
    reason = np.where(leaves, EVENT_ENDS, reason)

    end_day = period.end_day
    visible_start = starts & (start <= end_day)
    ended = visible_start & (course_end <= end_day)
    status = np.where(declined, 1, 0)
    status = np.where(visible_start, 2, status)
    status = np.where(ended & ~dropout, 3, status)
    status = np.where(ended & dropout, 4, status)
    end_reason = np.full(k, -1, dtype=np.int64)
    end_reason = np.where(status == 4, reason, end_reason)
    end_reason = np.where((status == 3) & (reason_u < 0.6), NO_FURTHER_NEED, end_reason)
    end_reason = np.where((status == 1) & (reason_u < 0.5), ACTIVE_OPT_OUT, end_reason)

    n_cond = sum(persons.onset[c][who] <= referral_day for c in ("diabetes", "copd", "ihd"))
    psych = (persons.onset["mental"][who] <= referral_day) | (
        persons.onset["substance"][who] <= referral_day
    )
    stratum = 1 + (n_cond >= 2) + (psych | (disadvantaged & persons.alone[who]))

    enrol.prog[who] = prog
    enrol.referral[who] = referral_day
    enrol.source[who] = source
    enrol.status[who] = status
    enrol.start[who] = np.where(starts, start, NEVER)  # may lie after the period
    enrol.end[who] = np.where(ended, course_end, NEVER)
    enrol.end_reason[who] = end_reason
    enrol.stratum[who] = np.where(declined | ~starts, 0, stratum)
    enrol.course_end[who] = np.where(starts, course_end, NEVER)
    enrol.effect_end[who] = np.where(starts & dropout, course_end, NEVER)
    enrol.acute_mult[who] = np.where(starts, effect.acute_hazard, 1.0)
    enrol.gp_mult[who] = np.where(starts, effect.gp_rate, 1.0)
    enrol.support_mult[who] = np.where(starts, effect.self_support, 1.0)


def choose_source(
    rng: np.random.Generator, codes: IntArray, weights: FloatArray, k: int
) -> IntArray:
    cum = np.cumsum(weights) / np.sum(weights)
    return codes[np.minimum(np.searchsorted(cum, rng.random(k)), codes.size - 1)]
