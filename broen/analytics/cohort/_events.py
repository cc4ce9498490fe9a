"""Event frames from the contract tables, engine-agnostic (narwhals expressions only).

Every frame has ``person_id`` and a ``date`` (a DATE); interval events also have ``end``.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import reduce

import narwhals as nw
import pyarrow as pa

from broen.analytics._source import Frame, Source
from broen.analytics.cohort._metrics import SECTORS, SOCIAL_TRANSFER_STATES
from broen.analytics.cohort._model import Offset, Window

KEYS = ("person_id", "index_date")


def starts_with_any(column: str, prefixes: tuple[str, ...]) -> nw.Expr:
    return reduce(lambda a, b: a | b, (nw.col(column).str.starts_with(p) for p in prefixes))


def shifted(column: str, offset: Offset) -> nw.Expr:
    """``column`` (a DATE) moved by ``offset``: calendar months, or days."""
    if offset.amount == 0:
        return nw.col(column)
    unit = "mo" if offset.unit == "m" else "d"
    return nw.col(column).dt.offset_by(f"{offset.amount}{unit}").cast(nw.Date)


def in_window(window: Window, start: str = "date", end: str | None = None) -> nw.Expr:
    """Events (or intervals start..end) that touch the window around ``index_date``."""
    end = end or start
    cond = nw.col(start) <= shifted("index_date", window.end)
    if window.start is not None:
        cond = cond & (nw.col(end) >= shifted("index_date", window.start))
    return cond


def with_index(events: Frame, base: Frame) -> Frame:
    """Each event paired with each index date of its person."""
    return base.join(events, on="person_id", how="inner")


def diagnoses(source: Source, where: str, prefixes: tuple[str, ...]) -> Frame:
    """(person_id, date, contact_id) of hospital contacts with a matching diagnosis."""
    contacts = source.table("hospital_contacts").select(
        "contact_id", "person_id", nw.col("start").cast(nw.Date).alias("date")
    )
    primary = source.table("hospital_contacts").select(
        "contact_id", nw.col("primary_diagnosis").alias("code")
    )
    kinds = ["A"] if where == "primary" else ["A", "B"]
    extra = (
        source.table("hospital_diagnoses")
        .filter(nw.col("kind").is_in(kinds))
        .select("contact_id", nw.col("diagnosis").alias("code"))
    )
    codes = nw.concat([primary, extra]).filter(starts_with_any("code", prefixes))
    matched = codes.select("contact_id").unique()
    return contacts.join(matched, on="contact_id", how="inner")


def dispensings(source: Source, prefixes: tuple[str, ...]) -> Frame:
    return (
        source.table("prescriptions")
        .filter(starts_with_any("atc", prefixes))
        .select("person_id", nw.col("dispensing_date").cast(nw.Date).alias("date"))
    )


def raw_metric(source: Source, metric: str) -> Frame:
    """(person_id, date, weight) for a raw service-use metric (see _metrics.RAW_METRICS)."""
    hospital = {
        "acute_admissions": (nw.col("priority") == "acute") & (nw.col("setting") == "inpatient"),
        "emergency_visits": nw.col("setting") == "emergency",
        "acute_contacts": nw.col("priority") == "acute",
        "admissions": nw.col("setting") == "inpatient",
        "outpatient_visits": nw.col("setting") == "outpatient",
        "hospital_contacts": nw.lit(value=True),
        "psychiatric_contacts": nw.col("psychiatric").fill_null(value=False),
    }
    providers = {"gp_contacts": ["gp"], "specialist_contacts": ["specialist"]}
    one = nw.lit(1.0).cast(nw.Float64).alias("weight")
    if metric in hospital:
        return (
            source.table("hospital_contacts")
            .filter(hospital[metric])
            .select("person_id", nw.col("start").cast(nw.Date).alias("date"), one)
        )
    if metric in providers or metric == "primary_care_contacts":
        table = source.table("primary_care")
        if metric in providers:
            table = table.filter(nw.col("provider").is_in(providers[metric]))
        weight = nw.col("services").fill_null(1).cast(nw.Float64).alias("weight")
        return table.select("person_id", nw.col("date").cast(nw.Date), weight)
    if metric == "dispensings":
        return source.table("prescriptions").select(
            "person_id", nw.col("dispensing_date").cast(nw.Date).alias("date"), one
        )
    if metric == "municipal_services":
        return source.table("municipal_services").select(
            "person_id", nw.col("start_date").cast(nw.Date).alias("date"), one
        )
    raise KeyError(metric)


def iso_weeks(source: Source, first_year: int = 1990, last_year: int = 2045) -> Frame:
    """(week 'YYYY-Www', monday, sunday, thursday) for every ISO week of the years."""
    weeks, mondays = [], []
    monday = date.fromisocalendar(first_year, 1, 1)
    while monday.isocalendar()[0] <= last_year:
        year, week, _ = monday.isocalendar()
        weeks.append(f"{year}-W{week:02d}")
        mondays.append(monday)
        monday += timedelta(days=7)
    data = pa.table(
        {
            "week": pa.array(weeks, pa.string()),
            "monday": pa.array(mondays, pa.date32()),
            "thursday": pa.array([m + timedelta(days=3) for m in mondays], pa.date32()),
            "sunday": pa.array([m + timedelta(days=6) for m in mondays], pa.date32()),
        }
    )
    return source.rows(data)


def transfer_weeks(source: Source, states: tuple[str, ...], weeks: Frame) -> Frame:
    return (
        source.table("transfers")
        .filter(nw.col("state").is_in(list(states)))
        .select("person_id", "week")
        .join(weeks, on="week", how="inner")
    )


def sector_events(source: Source, sectors: tuple[str, ...], weeks: Frame) -> Frame:
    """(person_id, sector, date, end): contacts by sector; municipal services are intervals."""
    parts: list[Frame] = []

    def point(frame: Frame, column: str, sector: str) -> Frame:
        day = nw.col(column).cast(nw.Date)
        return frame.select(
            "person_id", nw.lit(sector).alias("sector"), day.alias("date"), day.alias("end")
        )

    if "hospital" in sectors:
        parts.append(point(source.table("hospital_contacts"), "start", "hospital"))
    if "gp" in sectors:
        gp = source.table("primary_care").filter(nw.col("provider") == "gp")
        parts.append(point(gp, "date", "gp"))
    if "other_primary_care" in sectors:
        other = source.table("primary_care").filter(nw.col("provider") != "gp")
        parts.append(point(other, "date", "other_primary_care"))
    if "medicine" in sectors:
        parts.append(point(source.table("prescriptions"), "dispensing_date", "medicine"))
    if "municipal_care" in sectors:
        start = nw.col("start_date").cast(nw.Date)
        parts.append(
            source.table("municipal_services").select(
                "person_id",
                nw.lit("municipal_care").alias("sector"),
                start.alias("date"),
                nw.col("end_date").cast(nw.Date).fill_null(start).alias("end"),
            )
        )
    if "transfers" in sectors:
        social = transfer_weeks(source, SOCIAL_TRANSFER_STATES, weeks)
        parts.append(point(social, "thursday", "transfers"))
    assert set(sectors) <= set(SECTORS)
    return nw.concat(parts).unique()


def keys(frame: Frame) -> Frame:
    return frame.select(*KEYS).unique()


def age_expr() -> nw.Expr:
    """Completed years at the index date (birthdays on 29 February count on 1 March)."""
    born_later_in_year = (nw.col("index_date").dt.month() * 100 + nw.col("index_date").dt.day()) < (
        nw.col("birth_date").dt.month() * 100 + nw.col("birth_date").dt.day()
    )
    years = nw.col("index_date").dt.year() - nw.col("birth_date").dt.year()
    return years - born_later_in_year.cast(nw.Int64)


def date_rows(source: Source, days: list[date]) -> Frame:
    return source.rows(pa.table({"index_date": pa.array(days, pa.date32())}))


def any_frame(frames: list[Frame]) -> Frame:
    return nw.concat(frames).unique() if len(frames) > 1 else frames[0]
