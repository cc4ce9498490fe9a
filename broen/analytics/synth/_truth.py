"""Ground truth: the programme's true effect on the panel metrics of its participants.

For every participant with a start date, both worlds are simulated with common random numbers
(see ``_acute`` and ``_draw``); the panel metrics of contract v1 are computed in each world month
by month, and the difference (with - without) is averaged over participants by month relative to
the start month (month 0). Participants are included when months 0..23 all lie inside the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from broen.analytics._contract import PANEL_METRICS_V1, TRANSFER_STATES

from ._calendar import DAYS_PER_YEAR, IntArray, Period
from ._config import PROGRAMMES, ProgrammeEffects
from ._enrol import Enrolment
from ._panel import Matrix, count, nights, spread, weekly
from ._population import Persons
from ._rows import Rows
from ._transfers import Spells, amounts, paint, valid_weeks

METRICS = PANEL_METRICS_V1
FIRST, LAST = -24, 23
N_REL = LAST - FIRST + 1
SELF_SUPPORTING = (
    TRANSFER_STATES.index("education") + 1,
    TRANSFER_STATES.index("parental_leave") + 1,
)
DEFINITION = (
    "Participants with a start_date whose months 0..23 (month 0 = month of start_date) all lie "
    "inside the period. For each, both worlds (with and without the programme) are simulated with "
    "common random numbers; att = mean over participants of (with - without) of the contract v1 "
    "panel metric; by_month averages over the participants for whom that month lies inside the "
    "period; att_total_0_23 is the mean of the sum over months 0..23."
)


@dataclass
class Tables:
    """The chunk's rows with world flags (before aggregation for the extract)."""

    hospital: Rows
    primary: Rows
    medicine: Rows
    municipal: Rows
    spells: Spells


def _select(rows: Rows, tmap: IntArray, world: int) -> tuple[Rows, IntArray]:
    person = rows.col("person_id").astype(np.int64)
    flag = rows.w1 if world == 1 else rows.w0
    sel = flag & (tmap[person] >= 0)
    sub = rows.take(sel)
    return sub, tmap[person[sel]]


def world_metrics(
    tables: Tables, persons: Persons, period: Period, who: IntArray, world: int
) -> dict[str, Matrix]:
    """Panel metrics (persons ``who`` x months of the period) in one world."""
    n = who.size
    b = period.bounds
    tmap = np.full(persons.n, -1, dtype=np.int64)
    tmap[who] = np.arange(n)
    out: dict[str, Matrix] = {}

    h, hp = _select(tables.hospital, tmap, world)
    s_day = h.col("start").astype(np.int64) // 86400
    e_day = h.col("end").astype(np.int64) // 86400
    cost = h.col("cost_dkk").astype(np.float64)
    acute = h.col("priority") == 0
    setting = h.col("setting")
    inpatient = setting == 0
    out["cost_hospital_acute"] = spread(hp[acute], s_day[acute], e_day[acute], cost[acute], n, b)
    out["cost_hospital_planned"] = spread(
        hp[~acute], s_day[~acute], e_day[~acute], cost[~acute], n, b
    )
    out["acute_admissions"] = count(hp[acute & inpatient], s_day[acute & inpatient], n, b)
    out["bed_days"] = nights(hp[inpatient], s_day[inpatient], e_day[inpatient], n, b)
    out["emergency_visits"] = count(hp[setting == 2], s_day[setting == 2], n, b)

    pc, pp = _select(tables.primary, tmap, world)
    day = pc.col("date").astype(np.int64)
    out["cost_primary_care"] = spread(pp, day, day, pc.col("fee_dkk").astype(np.float64), n, b)
    gp = pc.col("provider") == 0
    out["gp_contacts"] = count(pp[gp], day[gp], n, b, pc.col("services")[gp].astype(np.float64))

    rx, rp = _select(tables.medicine, tmap, world)
    day = rx.col("dispensing_date").astype(np.int64)
    out["cost_medicine"] = spread(rp, day, day, rx.col("cost_dkk").astype(np.float64), n, b)

    ms, mp = _select(tables.municipal, tmap, world)
    first = ms.col("start_date").astype(np.int64)
    end_col = ms.cols["end_date"]
    has_end = np.ones(ms.n, bool) if end_col.valid is None else end_col.valid
    last = np.where(has_end, end_col.values.astype(np.int64), first)
    out["cost_municipal"] = spread(mp, first, last, ms.col("cost_dkk").astype(np.float64), n, b)

    state = paint(tables.spells, tmap, n, period.weeks.size, world)
    valid = valid_weeks(persons, period, who)
    state[~valid] = 0
    r, w = np.nonzero(state)
    amount = np.zeros(state.shape)
    amount[r, w] = amounts(persons, period, who[r], w, state[r, w].astype(np.int64) - 1)
    out["transfer_dkk"] = weekly(amount, period.weeks, b)
    thu = period.weeks[None, :]
    age = (thu - persons.birth[who, None]) / DAYS_PER_YEAR
    counted = (
        (age >= 16)
        & (age < 65)
        & (thu <= persons.death[who, None])  # alive on the day of death, as in CPR
        & (thu < persons.moved[who, None])
        & (thu >= persons.birth[who, None])
    )
    supporting = (state == 0) | np.isin(state, SELF_SUPPORTING)
    out["weeks_self_supporting"] = weekly(
        (counted & supporting).astype(np.float64), period.weeks, b
    )

    out["cost_total"] = (
        out["cost_hospital_acute"]
        + out["cost_hospital_planned"]
        + out["cost_primary_care"]
        + out["cost_medicine"]
        + out["cost_municipal"]
    )
    return out


@dataclass
class GroundTruth:
    n: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROGRAMMES, 0))
    diff: dict[str, np.ndarray] = field(default_factory=dict)
    with_: dict[str, np.ndarray] = field(default_factory=dict)
    without: dict[str, np.ndarray] = field(default_factory=dict)
    month_n: dict[str, np.ndarray] = field(default_factory=dict)
    total: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for p in PROGRAMMES:
            self.diff[p] = np.zeros((len(METRICS), N_REL))
            self.with_[p] = np.zeros((len(METRICS), N_REL))
            self.without[p] = np.zeros((len(METRICS), N_REL))
            self.month_n[p] = np.zeros(N_REL)
            self.total[p] = np.zeros(len(METRICS))

    def add(self, tables: Tables, persons: Persons, enrol: Enrolment, period: Period) -> None:
        start_month = period.month_of(np.minimum(enrol.start, period.end_day + 1))
        included = enrol.started(period) & (start_month + LAST <= period.n_months - 1)
        who = np.flatnonzero(included)
        if who.size == 0:
            return
        m1 = world_metrics(tables, persons, period, who, 1)
        m0 = world_metrics(tables, persons, period, who, 0)
        sm = start_month[who]
        rel = np.arange(period.n_months)[None, :] - sm[:, None]
        inside = (rel >= FIRST) & (rel <= LAST)
        before = rel < 0
        ii, tt = np.nonzero(inside)
        r = rel[ii, tt] - FIRST
        prog = enrol.prog[who]
        for k, metric in enumerate(METRICS):
            d = m1[metric] - m0[metric]
            if np.any(d[before] != 0):
                raise AssertionError(f"ground truth: {metric} differs before the start month")
            for g, name in enumerate(PROGRAMMES):
                sel = prog[ii] == g
                self.diff[name][k] += np.bincount(r[sel], weights=d[ii, tt][sel], minlength=N_REL)
                self.with_[name][k] += np.bincount(
                    r[sel], weights=m1[metric][ii, tt][sel], minlength=N_REL
                )
                self.without[name][k] += np.bincount(
                    r[sel], weights=m0[metric][ii, tt][sel], minlength=N_REL
                )
                after = sel & (r >= -FIRST)
                self.total[name][k] += float(d[ii, tt][after].sum())
        for g, name in enumerate(PROGRAMMES):
            self.n[name] += int((prog == g).sum())
            sel = prog[ii] == g
            self.month_n[name] += np.bincount(r[sel], minlength=N_REL)

    def to_json(self, seed: int, effects: ProgrammeEffects) -> dict[str, Any]:
        progs: dict[str, Any] = {}
        for name in PROGRAMMES:
            n = self.n[name]
            denom = np.maximum(self.month_n[name], 1)
            metrics: dict[str, Any] = {}
            for k, metric in enumerate(METRICS):
                metrics[metric] = {
                    "att_total_0_23": float(self.total[name][k] / n) if n else 0.0,
                    "by_month": _by_month(self.diff[name][k], denom),
                    "mean_with_by_month": _by_month(self.with_[name][k], denom),
                    "mean_without_by_month": _by_month(self.without[name][k], denom),
                }
            progs[name] = {"n_treated": n, "metrics": metrics}
        return {
            "seed": seed,
            "definition": DEFINITION,
            "effects": effects.to_dict(),
            "programmes": progs,
        }


def _by_month(total: np.ndarray, denom: np.ndarray) -> dict[str, float]:
    return {str(FIRST + i): float(total[i] / denom[i]) for i in range(N_REL)}
