"""Drawing events from person-by-month rate matrices, and two-world thinning."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ._calendar import DAYS_PER_YEAR, BoolArray, FloatArray, IntArray, Period
from ._enrol import Enrolment
from ._population import Persons


def month_grid(persons: Persons, period: Period) -> tuple[BoolArray, FloatArray]:
    """(alive and resident at some time in the month, age at its start) per person-month."""
    b = period.bounds
    alive = (persons.birth[:, None] < b[1:][None, :]) & (persons.exit[:, None] > b[:-1][None, :])
    age = (b[:-1][None, :] - persons.birth[:, None]) / DAYS_PER_YEAR
    return alive, age


def active_grid(persons: Persons, period: Period, condition: str) -> BoolArray:
    onset = persons.onset[condition]
    return onset[:, None] <= period.bounds[:-1][None, :]


def monthly_events(
    rng: np.random.Generator,
    rate: npt.NDArray[np.float64],
    persons: Persons,
    period: Period,
    rows: IntArray | None = None,
) -> tuple[IntArray, IntArray]:
    """Poisson events per person-month at ``rate``; uniform day in the month; only while the
    person is born, alive and resident. Returns (person, day) sorted by person. With ``rows``,
    ``rate`` has one row per listed person."""
    count = rng.poisson(rate)
    pp, mm = np.nonzero(count)
    reps = count[pp, mm]
    p = np.repeat(pp if rows is None else rows[pp], reps).astype(np.int64)
    month = np.repeat(mm, reps)
    length = np.diff(period.bounds)
    day = period.bounds[month] + np.floor(rng.random(p.size) * length[month]).astype(np.int64)
    ok = (day >= persons.birth[p]) & (day < persons.exit[p])
    return p[ok], day[ok]


def two_world_events(
    rng: np.random.Generator,
    rate: npt.NDArray[np.float64],
    mult: FloatArray,
    enrol: Enrolment,
    persons: Persons,
    period: Period,
) -> tuple[IntArray, IntArray, BoolArray, BoolArray]:
    """Events whose rate is multiplied by ``mult[person]`` while the programme effect is active.

    Candidates are drawn at ``rate * max(mult, 1)`` from the month of the start date on, and
    thinned with one uniform per candidate: common random numbers for both worlds.
    """
    start_month = period.month_of(np.minimum(enrol.start, period.end_day + 1))
    boost = np.maximum(mult, 1.0)
    late = np.arange(period.n_months)[None, :] >= start_month[:, None]
    cand_mult = np.where(late & (boost[:, None] > 1), boost[:, None], 1.0)
    p, day = monthly_events(rng, rate * cand_mult, persons, period)
    v = rng.random(p.size) * cand_mult[p, period.month_of(day)]
    eff = np.where(enrol.active(p, day), mult[p], 1.0)
    return p, day, v < eff, v < 1.0
