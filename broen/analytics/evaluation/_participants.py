"""Who is evaluated: a programme's participants, their index months and the cohort flow.

Intention to treat: with ``index: start_date`` every episode with a start date is a
participant, drop-outs included; with ``index: referral_date`` every referral is (the offer,
including those who declined), which avoids selecting on who agreed to start. A person with
several episodes is evaluated once, from the first (a second course is part of the first's
follow-up). The index month is the month of that date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from broen.analytics.evaluation._table import EvaluationError

EPISODE_COLUMNS = (
    "episode_id",
    "person_id",
    "programme",
    "referral_date",
    "referral_source",
    "start_date",
    "status",
    "stratum",
)


@dataclass(frozen=True)
class FlowStep:
    """One step of the cohort flow, as a steering group reads it (persons, not episodes)."""

    key: str
    n: int


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def load_participants(
    source: Any,
    programme: str,
    index: str,
    period: tuple[date, date],
    lookback_months: int,
    cohorts: tuple[tuple[date, date], ...] = (),
) -> tuple[pd.DataFrame, list[FlowStep]]:
    """The participants (one row per person: ``unit_id``, ``person_id``, ``index_month``,
    ``referral_source``, ``stratum``, ``status``) and the flow from referral to the units that
    can be analysed (index month with the look-back inside the period). ``cohorts``: ranges of
    index months (first and last, inclusive) outside which a participant is left out (an
    outcome contract's cohorts)."""
    if not source.has_table("programme_episodes"):
        raise EvaluationError(
            "The warehouse has no programme_episodes: import an extract with that table."
        )
    present = set(source.columns("programme_episodes"))
    columns = [c for c in EPISODE_COLUMNS if c in present]
    frame = source.table("programme_episodes").select(columns)
    episodes = frame.filter(nw.col("programme") == programme).collect().to_pandas()
    for missing in set(EPISODE_COLUMNS) - present:
        episodes[missing] = None
    if episodes.empty:
        known = sorted(
            source.table("programme_episodes")
            .select("programme")
            .unique()
            .collect()
            .to_pandas()["programme"]
            .dropna()
        )
        listed = ", ".join(known) if known else "none"
        raise EvaluationError(
            f"No episodes of programme {programme!r} in the warehouse; programmes there: {listed}."
        )
    flow = [FlowStep("referred", int(episodes["person_id"].nunique()))]
    if index == "start_date":
        episodes = episodes[episodes["start_date"].notna()]
        flow.append(FlowStep("started", int(episodes["person_id"].nunique())))
    episodes = episodes[episodes[index].notna()].copy()
    episodes["index_date"] = pd.to_datetime(episodes[index]).dt.date
    episodes = episodes.sort_values(["person_id", "index_date", "episode_id"], kind="stable")
    first = episodes.drop_duplicates("person_id", keep="first").copy()
    first["index_month"] = first["index_date"].map(month_start)
    if cohorts:
        chosen = np.zeros(len(first), dtype=bool)
        for low, high in cohorts:
            chosen |= (first["index_month"] >= month_start(low)).to_numpy() & (
                first["index_month"] <= month_start(high)
            ).to_numpy()
        first = first[chosen]
        flow.append(FlowStep("in_cohorts", int(first["person_id"].nunique())))
    start, end = month_start(period[0]), month_start(period[1])
    earliest = add_months(start, lookback_months)
    inside = (first["index_month"] >= earliest) & (first["index_month"] <= end)
    flow.append(FlowStep("index_with_lookback_in_period", int(inside.sum())))
    units = first[inside].reset_index(drop=True)
    units.insert(0, "unit_id", range(len(units)))
    keep = ["unit_id", "person_id", "index_date", "index_month", "referral_source", "stratum"]
    keep.append("status")
    return units[keep], flow
