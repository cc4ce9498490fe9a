"""Programme data: episodes, measurements, questionnaire answers, and the programme's own
sessions and medicine (rows that exist only in the world with the programme)."""

from __future__ import annotations

import numpy as np

from broen.analytics._contract import REFERRAL_SOURCES

from ._calendar import IntArray, Period
from ._config import PROGRAMMES, ProgrammeEffects
from ._enrol import ELIB, END_REASONS, RYG, SOMV, STATUS, Enrolment
from ._medicine import A, rx_rows
from ._municipal import HOURS, OTHER, PREVENTION, SESSIONS, ms_rows, split_months
from ._population import Persons
from ._rows import Col, Rows, cat, concat

KINDS = (
    "weight_kg",
    "height_cm",
    "bmi",
    "systolic_bp",
    "diastolic_bp",
    "hba1c_mmol_mol",
    "smoking",
)
INSTRUMENTS = ("who5", "self_rated_health", "life_satisfaction")
ITEMS = ("1", "2", "3", "4", "5", "score")


def episodes(enrol: Enrolment, period: Period, chunk: int) -> Rows:
    who = np.flatnonzero(enrol.prog >= 0)
    k = who.size
    start = enrol.start[who]
    visible = start <= period.end_day
    end = enrol.end[who]
    ones = np.ones(k, bool)
    return Rows(
        {
            "episode_id": Col(np.arange(k, dtype=np.int64), "id", prefix=f"e{chunk:04d}-"),
            "person_id": Col(who, "person"),
            "programme": cat(enrol.prog[who], PROGRAMMES),
            "referral_date": Col(enrol.referral[who], "date"),
            "referral_source": cat(enrol.source[who] - 1, REFERRAL_SOURCES),
            "start_date": Col(start, "date", valid=visible),
            "end_date": Col(end, "date", valid=end <= period.end_day),
            "status": cat(enrol.status[who], STATUS),
            "end_reason": cat(enrol.end_reason[who], END_REASONS),
            "stratum": cat(enrol.stratum[who] - 1, ("1", "2", "3")),
        },
        ones,
        ones,
    )


def _visits(
    enrol: Enrolment, persons: Persons, period: Period, prog: int, offsets: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """(person, visit number, day) of visits at ``start + offsets`` within the course."""
    who = np.flatnonzero((enrol.prog == prog) & (enrol.start <= period.end_day))
    p = np.repeat(who, offsets.size)
    j = np.tile(np.arange(offsets.size), who.size)
    day = enrol.start[p] + offsets[j]
    last = np.minimum(np.minimum(enrol.course_end[p], persons.exit[p] - 1), period.end_day)
    ok = day <= last
    return p[ok], j[ok], day[ok]


def _meas(p: IntArray, day: IntArray, kind: int, value: np.ndarray) -> Rows:
    k = p.size
    ones = np.ones(k, bool)
    return Rows(
        {
            "person_id": Col(p, "person"),
            "date": Col(day, "date"),
            "kind": cat(np.full(k, kind, np.int64), KINDS),
            "value": Col(np.round(value, 1), "float"),
        },
        ones,
        ones,
    )


def _quest(p: IntArray, day: IntArray, instrument: int, item: int, value: np.ndarray) -> Rows:
    k = p.size
    ones = np.ones(k, bool)
    return Rows(
        {
            "person_id": Col(p, "person"),
            "date": Col(day, "date"),
            "instrument": cat(np.full(k, instrument, np.int64), INSTRUMENTS),
            "item": cat(np.full(k, item, np.int64), ITEMS),
            "value": Col(value.astype(np.float64), "float"),
        },
        ones,
        ones,
    )


def _only_with(rows: Rows) -> Rows:
    rows.w0 = np.zeros(rows.n, bool)
    return rows


def programme_rows(
    rng: np.random.Generator,
    persons: Persons,
    enrol: Enrolment,
    period: Period,
    effects: ProgrammeEffects,
) -> tuple[Rows, Rows, Rows, Rows]:
    """(measurements, questionnaire_responses, municipal sessions, programme medicine)."""
    meas: list[Rows] = []
    quest: list[Rows] = []
    sessions: list[Rows] = []
    medicine: list[Rows] = []
    n = persons.n
    height = np.where(persons.sex == 1, 179.0, 166.0) + 7 * rng.standard_normal(n)
    diabetic = persons.onset["diabetes"] < 10**7

    # Et Liv i Balance: monthly consultations for two years.
    e = effects.et_liv_i_balance
    p, j, day = _visits(enrol, persons, period, ELIB, np.arange(24) * 30 + rng.integers(0, 4, 24))
    k = p.size
    weight0 = np.nan_to_num(persons.bmi, nan=36.0)[p] * (height[p] / 100) ** 2
    loss = 0.12 * (1 - np.exp(-j / 5.0))
    weight = weight0 * (1 - loss) + rng.normal(0, 1.0, k)
    meas.append(_meas(p, day, 0, weight))
    meas.append(_meas(p, day, 2, weight / (height[p] / 100) ** 2))
    first = j == 0
    meas.append(_meas(p[first], day[first], 1, height[p][first]))
    meas.append(_meas(p, day, 3, 146 - 8 * (1 - np.exp(-j / 6.0)) + rng.normal(0, 10, k)))
    meas.append(_meas(p, day, 4, 91 - 4 * (1 - np.exp(-j / 6.0)) + rng.normal(0, 7, k)))
    hb = diabetic[p] & (j % 3 == 0)
    meas.append(
        _meas(
            p[hb], day[hb], 5, 58 - 8 * (1 - np.exp(-j[hb] / 4.0)) + rng.normal(0, 5, int(hb.sum()))
        )
    )
    q = j % 3 == 0
    items = np.clip(
        np.round(2.3 + 0.8 * (1 - np.exp(-j[q] / 6.0)) + rng.normal(0, 1.0, (5, int(q.sum())))),
        0,
        5,
    )
    for i in range(5):
        quest.append(_quest(p[q], day[q], 0, i, items[i]))
    quest.append(_quest(p[q], day[q], 0, 5, items.sum(axis=0) * 4))
    ones = np.ones(k)
    sessions.append(
        ms_rows(
            p,
            PREVENTION,
            day,
            None,
            ones,
            SESSIONS,
            ones * e.session_cost_dkk,
            np.ones(k, bool),
            np.zeros(k, bool),
        )
    )
    medicine.append(
        _only_with(
            rx_rows(
                p,
                day,
                np.full(k, A["A10BJ06"]),
                np.ones(k, np.int64),
                ones * e.medicine_cost_dkk_month,
                np.zeros(k),
                np.ones(k, bool),
                np.ones(k, bool),
            )
        )
    )

    # Sammen om min vej: questions every three months; monthly coordination.
    e = effects.sammen_om_min_vej
    p, j, day = _visits(enrol, persons, period, SOMV, np.arange(5) * 91)
    k = p.size
    srh = np.clip(np.round(1.8 + 0.25 * j + rng.normal(0, 0.8, k)), 1, 5)
    quest.append(_quest(p, day, 1, 5, srh))
    ls = np.clip(np.round(4.0 + 0.5 * j + rng.normal(0, 1.8, k)), 0, 10)
    quest.append(_quest(p, day, 2, 5, ls))
    who = np.flatnonzero((enrol.prog == SOMV) & (enrol.start <= period.end_day))
    last = np.minimum(enrol.course_end[who], persons.exit[who] - 1)
    _, cp, rs, re = split_months(who, enrol.start[who], last, period)
    frac = (re - rs + 1) / 30.0
    sessions.append(
        ms_rows(
            cp,
            OTHER,
            rs,
            re,
            np.round(4 * frac * 2) / 2 + 0.5,
            HOURS,
            e.coordination_cost_dkk_month * frac,
            np.ones(cp.size, bool),
            np.zeros(cp.size, bool),
        )
    )

    # Rygestop: five meetings over six weeks; smoking status at start, end and 6 months.
    e = effects.rygestop
    p, j, day = _visits(enrol, persons, period, RYG, np.array([0, 7, 14, 28, 41]))
    k = p.size
    ones = np.ones(k)
    sessions.append(
        ms_rows(
            p,
            PREVENTION,
            day,
            None,
            ones,
            SESSIONS,
            ones * e.session_cost_dkk,
            np.ones(k, bool),
            np.zeros(k, bool),
        )
    )
    who = np.flatnonzero((enrol.prog == RYG) & (enrol.start <= period.end_day))
    s = enrol.start[who]
    meas.append(_meas(who, s, 6, np.ones(who.size)))
    completed = enrol.status[who] == STATUS.index("completed")
    quit_end = rng.random(who.size) < 0.55
    end_day = enrol.course_end[who]
    ok = completed & (end_day <= period.end_day)
    meas.append(_meas(who[ok], end_day[ok], 6, (~quit_end[ok]).astype(np.float64)))
    fu = s + 182
    followed = rng.random(who.size) < np.where(completed, 0.78, 0.4)
    quit6 = rng.random(who.size) < np.where(completed & quit_end, 0.55, 0.12)
    ok = followed & (fu <= period.end_day) & (fu < persons.exit[who])
    meas.append(_meas(who[ok], fu[ok], 6, (~quit6[ok]).astype(np.float64)))
    vare = rng.random(who.size) < 0.5
    for offset in (0, 30):
        d = s + offset
        ok = vare & (d <= period.end_day) & (d < persons.exit[who])
        m = int(ok.sum())
        medicine.append(
            _only_with(
                rx_rows(
                    who[ok],
                    d[ok],
                    np.full(m, A["N07BA03"]),
                    np.ones(m, np.int64),
                    np.full(m, e.medicine_cost_dkk_month),
                    np.zeros(m),
                    np.ones(m, bool),
                    np.ones(m, bool),
                )
            )
        )
    return concat(meas), concat(quest), concat(sessions), concat(medicine)
