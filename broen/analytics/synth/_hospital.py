"""Hospital contacts (LPR-like) and their diagnoses.

Acute contacts come from the simulated acute episodes (``_acute``); planned contacts are drawn
month by month from condition-specific rates and are the same in both worlds. Costs are
DRG/DAGS-like levels in DKK (assumptions, see docs/synthetic-data.md); psychiatry is priced per
bed day, as in the research notes (section 1).
"""

from __future__ import annotations

import numpy as np

from ._acute import AcuteEpisodes
from ._calendar import DAYS_PER_YEAR, BoolArray, IntArray, Period
from ._population import Persons
from ._rows import Col, Rows, both, cat, concat

DIAG = (
    # chronic-condition codes (also used as B diagnoses)
    "DE119",
    "DJ449",
    "DI259",
    "DF329",
    "DF102",
    "DI109",
    "DF009",
    "DC509",
    "DE660",
    "DZ720",
    # acute somatic by condition
    "DE116",
    "DE111",
    "DJ441",
    "DI219",
    "DI200",
    "DK703",
    "DF100",
    "DG309",
    "DC349",
    "DC189",
    # psychiatric
    "DF322",
    "DF200",
    "DF411",
    "DF431",
    "DF603",
    "DF112",
    # general acute
    "DR074",
    "DS720",
    "DJ189",
    "DN390",
    "DR104",
    "DS525",
    "DA099",
    "DR559",
    "DZ039",
    "DS099",
    "DI489",
    "DI509",
    # general planned
    "DM169",
    "DM171",
    "DH251",
    "DK409",
    "DN209",
    "DL409",
    "DG473",
    "DM545",
    "DC619",
)
D = {code: i for i, code in enumerate(DIAG)}
# B-diagnosis code per condition (order of the ``conds`` list below) + obesity + smoking.
B_CONDS = ("diabetes", "copd", "ihd", "mental", "substance", "hypertension", "dementia", "cancer")
B_CODES = np.array([D[c] for c in DIAG[:8]])
ACUTE_BY_COND = {
    "diabetes": ["DE116", "DE111", "DE119"],
    "copd": ["DJ441", "DJ441", "DJ449"],
    "ihd": ["DI219", "DI200", "DI259"],
    "substance": ["DK703", "DF100", "DF100"],
    "dementia": ["DG309", "DF009", "DG309"],
    "cancer": ["DC349", "DC189", "DC509"],
}
PSYCH_MENTAL = ["DF322", "DF200", "DF411", "DF431", "DF603", "DF329"]
PSYCH_SUBST = ["DF102", "DF100", "DF112"]
GENERAL_ACUTE = [
    "DR074",
    "DJ189",
    "DN390",
    "DR104",
    "DS525",
    "DA099",
    "DR559",
    "DZ039",
    "DS099",
    "DI489",
    "DI509",
    "DS720",
]
GENERAL_PLANNED = [
    "DM169",
    "DM171",
    "DH251",
    "DK409",
    "DN209",
    "DL409",
    "DG473",
    "DM545",
    "DZ039",
    "DR104",
]
PRIORITY = ("acute", "planned")
SETTING = ("inpatient", "outpatient", "emergency")
INPATIENT, OUTPATIENT, EMERGENCY = 0, 1, 2

# Planned outpatient contacts per person-month by active condition (assumption), with the
# diagnosis codes used and whether the contact is psychiatric.
PLANNED = {
    "diabetes": (0.10, ["DE119", "DE116"], False),
    "copd": (0.07, ["DJ449"], False),
    "ihd": (0.09, ["DI259", "DI200"], False),
    "mental": (0.22, ["DF329", "DF200", "DF411", "DF603"], True),
    "substance": (0.10, ["DF102", "DF112"], True),
    "dementia": (0.05, ["DF009", "DG309"], False),
    "cancer": (0.45, ["DC509", "DC349", "DC189", "DC619"], False),
}


def _codes(rng: np.random.Generator, k: int, codes: list[str]) -> IntArray:
    return np.array([D[c] for c in codes], dtype=np.int64)[rng.integers(0, len(codes), size=k)]


def _rows(
    person: IntArray,
    start: IntArray,
    end: IntArray,
    priority: int,
    setting: IntArray,
    diag: IntArray,
    psych: BoolArray,
    cost: np.ndarray,
    w1: BoolArray,
    w0: BoolArray,
) -> Rows:
    k = person.size
    return Rows(
        {
            "person_id": Col(person, "person"),
            "start": Col(start, "datetime"),
            "end": Col(end, "datetime"),
            "priority": cat(np.full(k, priority, np.int64), PRIORITY),
            "setting": cat(setting, SETTING),
            "primary_diagnosis": cat(diag, DIAG),
            "psychiatric": Col(psych, "bool"),
            "cost_dkk": Col(np.round(cost), "float"),
        },
        w1,
        w0,
    )


def acute_contacts(
    rng: np.random.Generator, persons: Persons, ep: AcuteEpisodes, period: Period
) -> Rows:
    k = ep.person.size
    p, day = ep.person, ep.day
    age = (day - persons.birth[p]) / DAYS_PER_YEAR
    has = {c: persons.onset[c][p] <= day for c in persons.onset}
    psy_cond = has["mental"] | has["substance"]
    psych = psy_cond & (rng.random(k) < 0.35)
    u = rng.random(k)
    p_in = np.where(psych, 0.45, 0.28 + 0.32 * np.clip((age - 40) / 50, 0, 1))
    setting = np.where(
        u < p_in, INPATIENT, np.where(u < p_in + (1 - p_in) * 0.78, EMERGENCY, OUTPATIENT)
    )

    # Diagnosis: psychiatric, condition-related somatic, or a general acute reason.
    diag = _codes(rng, k, GENERAL_ACUTE)
    old = age >= 75
    diag = np.where(old & (rng.random(k) < 0.12), D["DS720"], diag)
    conds = list(ACUTE_BY_COND)
    keys = rng.random((k, len(conds))) * np.stack([has[c] for c in conds], axis=1)
    chosen = np.argmax(keys, axis=1)
    related = (keys.max(axis=1) > 0) & (rng.random(k) < 0.55)
    cond_code = np.zeros(k, dtype=np.int64)
    for j, c in enumerate(conds):
        m = chosen == j
        cond_code[m] = _codes(rng, int(m.sum()), ACUTE_BY_COND[c])
    diag = np.where(related, cond_code, diag)
    use_subst = has["substance"] & (~has["mental"] | (rng.random(k) < 0.5))
    psy_code = np.where(use_subst, _codes(rng, k, PSYCH_SUBST), _codes(rng, k, PSYCH_MENTAL))
    diag = np.where(psych, psy_code, diag)

    hour = np.where(rng.random(k) < 0.8, rng.integers(7, 24, k), rng.integers(0, 7, k))
    start = day * 86400 + hour * 3600 + rng.integers(0, 60, k) * 60
    los = np.where(
        psych,
        np.exp(np.log(9.0) + 0.9 * rng.standard_normal(k)),
        np.exp(np.log(2.5) + 0.8 * rng.standard_normal(k)) * (1 + np.clip(age - 60, 0, 40) / 60),
    )
    nights = np.where(rng.random(k) < 0.15, 0, np.maximum(1, np.round(los))).astype(np.int64)
    discharge = (day + nights) * 86400 + rng.integers(9, 17, k) * 3600
    same_day = start + rng.integers(6 * 3600, 12 * 3600, k)
    end = np.where(setting == INPATIENT, np.where(nights == 0, same_day, discharge), 0)
    end = np.where(setting == EMERGENCY, start + rng.integers(2 * 3600, 8 * 3600, k), end)
    end = np.where(setting == OUTPATIENT, start + rng.integers(3600, 3 * 3600, k), end)
    end = _cap_end(end, start, p, persons, period)

    nights_real = end // 86400 - day
    somatic_in = np.exp(np.log(30_000) + 0.45 * rng.standard_normal(k)) + 2_500 * np.maximum(
        nights_real - 5, 0
    )
    cost = np.select(
        [
            psych & (setting == INPATIENT),
            setting == INPATIENT,
            psych,
            setting == EMERGENCY,
        ],
        [
            5_500 * np.maximum(nights_real, 1) * rng.uniform(0.95, 1.05, k),
            somatic_in,
            rng.uniform(1_800, 2_800, k),
            rng.uniform(2_000, 4_000, k),
        ],
        rng.uniform(1_500, 3_000, k),
    )
    return _rows(p, start, end, 0, setting, diag, psych, cost, ep.w1, ep.w0)


def _cap_end(
    end: IntArray, start: IntArray, p: IntArray, persons: Persons, period: Period
) -> IntArray:
    """No stay beyond death, moving out or the end of the period."""
    limit = np.minimum(persons.exit[p] * 86400 + 12 * 3600, (period.end_day + 1) * 86400 - 60)
    return np.maximum(np.minimum(end, limit), start)


def planned_contacts(rng: np.random.Generator, persons: Persons, period: Period) -> Rows:
    bounds = period.bounds
    m0 = bounds[:-1][None, :]
    length = np.diff(bounds)
    alive = (persons.birth[:, None] < bounds[1:][None, :]) & (persons.exit[:, None] > m0)
    age = (m0 - persons.birth[:, None]) / DAYS_PER_YEAR
    general = 0.06 * (0.5 + np.exp(0.04 * (age - 60))) * persons.frailty[:, None] ** 0.5
    sources: list[tuple[np.ndarray, list[str], bool, bool]] = [
        (np.where(alive, general, 0.0), GENERAL_PLANNED, False, False),
        (
            np.where(alive & (age >= 18), 0.005 * (0.3 + np.exp(0.04 * (age - 60))), 0.0),
            GENERAL_PLANNED[:5],
            False,
            True,
        ),
    ]
    for cond, (rate, codes, psy) in PLANNED.items():
        active = alive & (persons.onset[cond][:, None] <= m0)
        sources.append((np.where(active, rate, 0.0), codes, psy, False))
        if cond in ("cancer", "ihd"):
            sources.append(
                (np.where(active, 0.02 if cond == "cancer" else 0.006, 0.0), codes, False, True)
            )
    parts = []
    for src_rate, codes, psy, inpatient in sources:
        count = rng.poisson(src_rate)
        pp, mm = np.nonzero(count)
        reps = count[pp, mm]
        p = np.repeat(pp, reps).astype(np.int64)
        month = np.repeat(mm, reps)
        day = bounds[month] + np.floor(rng.random(p.size) * length[month]).astype(np.int64)
        ok = (day >= persons.birth[p]) & (day < persons.exit[p])
        p, day = p[ok], day[ok]
        k = p.size
        start = day * 86400 + rng.integers(8, 15, k) * 3600 + rng.integers(0, 4, k) * 900
        if inpatient:
            nights = rng.integers(1, 5, k)
            end = (day + nights) * 86400 + rng.integers(9, 15, k) * 3600
            cost = np.exp(np.log(45_000) + 0.5 * rng.standard_normal(k))
            setting = np.full(k, INPATIENT)
        else:
            end = start + rng.integers(20, 91, k) * 60
            cancer = codes[0] == "DC509"
            cost = rng.uniform(5_000, 15_000, k) if cancer else rng.uniform(1_500, 3_000, k)
            setting = np.full(k, OUTPATIENT)
        end = _cap_end(end, start, p, persons, period)
        parts.append(
            _rows(
                p,
                start,
                end,
                1,
                setting,
                _codes(rng, k, codes),
                np.full(k, psy),
                cost,
                both(k),
                both(k),
            )
        )
    return concat(parts)


def contacts_and_diagnoses(
    rng: np.random.Generator,
    persons: Persons,
    ep: AcuteEpisodes,
    period: Period,
    chunk: int,
) -> tuple[Rows, Rows]:
    """All hospital contacts of the chunk, sorted by person and start, and their diagnoses."""
    rows = concat(
        [acute_contacts(rng, persons, ep, period), planned_contacts(rng, persons, period)]
    )
    order = np.lexsort((rows.col("start"), rows.col("person_id")))
    rows = rows.take(order)
    k = rows.n
    rows.cols = {
        "contact_id": Col(np.arange(k, dtype=np.int64), "id", prefix=f"c{chunk:04d}-"),
        **rows.cols,
    }
    p = rows.col("person_id").astype(np.int64)
    day = rows.col("start").astype(np.int64) // 86400
    primary = rows.col("primary_diagnosis").astype(np.int64)
    setting = rows.col("setting").astype(np.int64)

    has_a = rng.random(k) < np.where(setting == INPATIENT, 0.8, 0.5)
    cid = [np.flatnonzero(has_a)]
    code = [primary[has_a]]
    kind = [np.zeros(int(has_a.sum()), dtype=np.int64)]
    extra = [(B_CODES[j], persons.onset[c][p] <= day) for j, c in enumerate(B_CONDS)] + [
        (D["DE660"], np.nan_to_num(persons.bmi[p]) >= 35),
        (D["DZ720"], persons.smoker[p]),
    ]
    for b_code, active in extra:
        m = has_a & active & (primary != b_code) & (rng.random(k) < 0.6)
        cid.append(np.flatnonzero(m))
        code.append(np.full(int(m.sum()), b_code, dtype=np.int64))
        kind.append(np.ones(int(m.sum()), dtype=np.int64))
    c_all = np.concatenate(cid)
    order = np.argsort(c_all, kind="stable")
    c_all = c_all[order]
    diag = Rows(
        {
            "contact_id": Col(c_all, "id", prefix=f"c{chunk:04d}-"),
            "diagnosis": cat(np.concatenate(code)[order], DIAG),
            "kind": cat(np.concatenate(kind)[order], ("A", "B")),
        },
        rows.w1[c_all],
        rows.w0[c_all],
    )
    return rows, diag
