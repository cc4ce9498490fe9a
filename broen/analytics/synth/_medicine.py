"""Dispensed prescriptions (LMDB-like) by condition, with realistic ATC codes.

Prices per package and dispensing intervals are assumptions (typical Danish pharmacy prices,
2020 level). The regional subsidy is a share of the cost, never above it.
"""

from __future__ import annotations

import numpy as np

from ._calendar import BoolArray, IntArray, Period
from ._draw import active_grid, month_grid, monthly_events
from ._population import Persons
from ._rows import Col, Rows, both, concat

# condition: [(ATC, share of patients, DKK per package, dispensings per month)]
REGIMENS: dict[str, list[tuple[str, float, float, float]]] = {
    "diabetes": [
        ("A10BA02", 0.85, 60, 0.35),
        ("A10BJ06", 0.20, 950, 0.9),
        ("A10AE04", 0.15, 550, 0.4),
        ("A10BH01", 0.15, 400, 0.33),
        ("A10BK01", 0.30, 480, 0.33),
        ("C10AA05", 0.70, 40, 0.33),
    ],
    "copd": [
        ("R03AK06", 0.5, 420, 0.33),
        ("R03BB04", 0.5, 450, 0.33),
        ("R03AC02", 0.7, 120, 0.2),
        ("H02AB06", 0.3, 30, 0.08),
    ],
    "ihd": [
        ("C07AB07", 0.7, 50, 0.33),
        ("C10AA05", 0.85, 40, 0.33),
        ("B01AC06", 0.7, 30, 0.25),
        ("B01AC24", 0.1, 600, 0.33),
        ("C09AA05", 0.4, 50, 0.33),
    ],
    "hypertension": [
        ("C09AA05", 0.35, 50, 0.33),
        ("C08CA01", 0.45, 40, 0.33),
        ("C09CA01", 0.35, 60, 0.33),
        ("C03CA01", 0.12, 60, 0.3),
    ],
    "mental": [
        ("N06AB04", 0.3, 40, 0.33),
        ("N06AB10", 0.25, 60, 0.33),
        ("N06AB06", 0.25, 50, 0.33),
        ("N05AH04", 0.25, 150, 0.33),
        ("N05AH03", 0.12, 120, 0.33),
        ("N05CF01", 0.2, 50, 0.2),
    ],
    "substance": [
        ("N07BB01", 0.3, 250, 0.25),
        ("N05BA02", 0.3, 80, 0.1),
        ("N07BC02", 0.08, 300, 0.5),
    ],
    "dementia": [("N06DA02", 0.6, 150, 0.33), ("N06DX01", 0.3, 200, 0.33)],
    "cancer": [
        ("L02BA01", 0.2, 200, 0.33),
        ("L02BG04", 0.2, 150, 0.33),
        ("A04AA01", 0.3, 150, 0.2),
    ],
}
# Occasional drugs for everyone: (ATC, DKK per package, dispensings per person-month for adults)
GENERAL = [
    ("J01CE02", 60, 0.02),
    ("J01CA04", 70, 0.01),
    ("J01CA08", 70, 0.008),
    ("N02BE01", 50, 0.03),
    ("M01AE01", 40, 0.015),
    ("R06AX27", 90, 0.012),
    ("D07AC01", 110, 0.01),
    ("S01AA01", 60, 0.006),
]
# Long-term drugs not tied to a modelled condition: (ATC, share, DKK, per month, from age).
# Calibrated so that the population's retail medicine cost lands near the Danish level of
# about 2,000 DKK per person-year (older populations such as Lolland's somewhat above).
LONG_TERM = [
    ("A02BC02", 0.15, 80, 0.25, 40.0),
    ("N02AX02", 0.05, 100, 0.2, 50.0),
    ("C10AA05", 0.18, 40, 0.33, 50.0),
    ("C09CA01", 0.12, 60, 0.33, 50.0),
    ("B01AF02", 0.08, 750, 0.33, 65.0),
    ("R03BA02", 0.05, 320, 0.2, 18.0),
    ("R03AK06", 0.03, 420, 0.25, 18.0),
    ("M05BA04", 0.06, 70, 0.25, 60.0),
    ("A12AX", 0.12, 90, 0.25, 65.0),
    ("S01ED51", 0.03, 220, 0.33, 60.0),
    ("N06AB04", 0.06, 40, 0.33, 18.0),
    ("N06BA04", 0.015, 520, 1.0, 18.0),
    ("N02AA05", 0.02, 320, 0.33, 50.0),
    ("L04AX03", 0.01, 250, 0.33, 30.0),
    ("G04CA02", 0.08, 90, 0.33, 60.0),
    ("B01AF01", 0.05, 700, 0.33, 65.0),
    ("R03AL03", 0.02, 520, 0.33, 50.0),
    ("N03AX16", 0.04, 220, 0.33, 30.0),
    ("G04BD08", 0.03, 260, 0.33, 60.0),
    ("N05AX12", 0.01, 320, 0.33, 18.0),
    ("N03AX14", 0.01, 340, 0.33, 18.0),
    ("C01DA02", 0.03, 120, 0.25, 65.0),
]
PROGRAMME_ATC = ("A10BJ06", "N07BA03")
ATCS = tuple(
    sorted(
        {a for regs in REGIMENS.values() for a, *_ in regs}
        | {a for a, *_ in GENERAL}
        | {"H03AA01", "G03AA07", "B01AF02"}
        | {a for a, *_ in LONG_TERM}
        | set(PROGRAMME_ATC)
    )
)
A = {atc: i for i, atc in enumerate(ATCS)}


def rx_rows(
    p: IntArray,
    day: IntArray,
    atc: IntArray,
    packages: IntArray,
    cost: np.ndarray,
    subsidy: np.ndarray,
    w1: BoolArray,
    w0: BoolArray,
) -> Rows:
    cost = np.round(cost, 2)
    return Rows(
        {
            "person_id": Col(p, "person"),
            "dispensing_date": Col(day, "date"),
            "atc": Col(atc, "cat", ATCS),
            "packages": Col(packages.astype(np.float64), "float"),
            "cost_dkk": Col(cost, "float"),
            "subsidy_dkk": Col(np.minimum(np.round(subsidy, 2), cost), "float"),
        },
        w1,
        w0,
    )


def _drug(
    rng: np.random.Generator,
    persons: Persons,
    period: Period,
    grid: np.ndarray,
    who: IntArray,
    atc: str,
    price: float,
    rate: float,
    subsidy: tuple[float, float],
) -> Rows:
    p, day = monthly_events(rng, np.where(grid[who], rate, 0.0), persons, period, rows=who)
    k = p.size
    packages = 1 + (rng.random(k) < 0.2)
    cost = packages * price * np.exp(0.1 * rng.standard_normal(k))
    share = rng.uniform(*subsidy, k)
    return rx_rows(p, day, np.full(k, A[atc]), packages, cost, cost * share, both(k), both(k))


def prescriptions(rng: np.random.Generator, persons: Persons, period: Period) -> Rows:
    alive, age = month_grid(persons, period)
    parts = []
    for cond, regimen in REGIMENS.items():
        grid = alive & active_grid(persons, period, cond)
        if cond == "hypertension":  # anticoagulants and diuretics for the older ones
            regimen = [*regimen, ("B01AF02", 0.25, 650, 0.5)]
        patients = np.flatnonzero(grid.any(axis=1))
        for atc, share, price, rate in regimen:
            who = patients[rng.random(patients.size) < share]
            parts.append(_drug(rng, persons, period, grid, who, atc, price, rate, (0.5, 0.85)))
    adult = alive & (age >= 18)
    for atc, price, rate in GENERAL:
        r = np.where(adult, rate * (1 + 0.02 * np.clip(age - 40, 0, 50)), 0.0)
        parts.append(_general(rng, persons, period, r, atc, price))
    for atc, share, price, rate, min_age in LONG_TERM:
        who = np.flatnonzero(rng.random(persons.n) < share)
        grid = alive & (age >= min_age)
        parts.append(_drug(rng, persons, period, grid, who, atc, price, rate, (0.3, 0.8)))
    thyroid = np.flatnonzero(rng.random(persons.n) < np.where(persons.sex == 0, 0.06, 0.015))
    parts.append(_drug(rng, persons, period, adult, thyroid, "H03AA01", 60, 0.33, (0.4, 0.8)))
    pill = np.flatnonzero((persons.sex == 0) & (rng.random(persons.n) < 0.25))
    young_f = alive & (age >= 16) & (age < 45)
    parts.append(_drug(rng, persons, period, young_f, pill, "G03AA07", 80, 0.25, (0.0, 0.0)))
    return concat(parts)


def _general(
    rng: np.random.Generator,
    persons: Persons,
    period: Period,
    rate: np.ndarray,
    atc: str,
    price: float,
) -> Rows:
    p, day = monthly_events(rng, rate, persons, period)
    k = p.size
    packages = np.ones(k, dtype=np.int64)
    cost = price * np.exp(0.15 * rng.standard_normal(k))
    return rx_rows(
        p, day, np.full(k, A[atc]), packages, cost, cost * rng.uniform(0, 0.5, k), both(k), both(k)
    )
