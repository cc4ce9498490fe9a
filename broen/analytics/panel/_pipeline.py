"""The person-month panel as one lazy Narwhals pipeline: written once, run by DuckDB or Spark.

Rules (docs/panel.md has the full text):

- A person is resident from ``max(period start, birth_date)`` to the day of death, included
  (a person is alive on the date of death, as in CPR), or to the day before moving out,
  whichever comes first: the moving-out day is not counted, and a moving-out date on or after
  the death date changes nothing. A person-month exists when at least one of its days is
  resident.
- A cost covering several days is spread evenly over its calendar days, first and last included;
  only the resident days of the panel keep their share.
- Bed days are the nights of an inpatient stay: the night starting on day ``d`` (``start <= d <
  end``) counts in ``d``'s month, when the person is resident on ``d`` (so the night that begins
  on the death day counts; a stay ending on the death day has none).
- Admissions and visits count in the month their contact starts (on a resident day).
- A week counts in the month of its Thursday, when the person is resident on that Thursday.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import narwhals as nw

from broen.analytics._contract import (
    MUNICIPAL_SERVICES,
    PRIORITIES,
    PROVIDERS,
    SELF_SUPPORTING_STATES,
    SETTINGS,
)
from broen.analytics.panel._calendar import Period
from broen.analytics.panel._columns import COUNT_COLUMNS, STORED_COLUMNS, TRANSFER_STATES
from broen.analytics.panel._exprs import (
    date_month,
    date_ordinal,
    greatest,
    least,
    lit,
    sum_if,
    week_thursday,
)

KEY = ["k"]  # pidx * 65536 + month index: one integer joins and groups fastest
RESIDENT_DATES = ("first_date", "death_day", "end_date")  # what ``_resident_on`` reads
Frame = nw.LazyFrame[Any]


@dataclass(frozen=True)
class Inputs:
    """The warehouse tables and calendar tables the pipeline reads, as lazy frames of one
    engine. ``persons_from``/``persons_to`` limit the build to a range of person ids
    (``persons_to`` excluded)."""

    persons: Frame
    person_index: Frame  # person_id, pidx (0, 1, ... in id order): numbers the join key
    batch_ranks: Frame  # batch_id, batch_rank (higher = newer)
    hospital_contacts: Frame
    primary_care: Frame
    prescriptions: Frame
    municipal_services: Frame
    transfers: Frame
    spans: Frame
    weeks: Frame
    persons_from: str | None = None
    persons_to: str | None = None


def _same(frame: Frame) -> Frame:
    return frame


def panel_frame(
    inputs: Inputs, period: Period, materialise: Callable[[Frame], Frame] = _same
) -> Frame:
    """The stored panel rows (``STORED_COLUMNS``) for the persons of ``inputs``.

    ``materialise`` may store an intermediate frame (the residents, the person-months) and
    return a frame reading it: an engine's execution hint, not a change of logic."""
    res = materialise(residents(inputs, period))
    panel = materialise(skeleton(res, inputs.spans))
    parts = [
        hospital(_scoped(inputs.hospital_contacts, inputs), res, inputs.spans),
        primary_care(_scoped(inputs.primary_care, inputs), res, period),
        prescriptions(_scoped(inputs.prescriptions, inputs), res, period),
        municipal(_scoped(inputs.municipal_services, inputs), res, inputs.spans),
        transfers(_scoped(inputs.transfers, inputs), res, inputs.weeks),
    ]
    for part in parts:
        panel = panel.join(part, on=KEY, how="left")
    return finish(panel)


def _scoped(frame: Frame, inputs: Inputs) -> Frame:
    if inputs.persons_from is not None:
        frame = frame.filter(nw.col("person_id") >= inputs.persons_from)
    if inputs.persons_to is not None:
        frame = frame.filter(nw.col("person_id") < inputs.persons_to)
    return frame


def residents(inputs: Inputs, period: Period) -> Frame:
    """One row per person with at least one resident day in the period (newest batch wins)."""
    p0, p1 = period.first_day, period.last_day
    persons = _scoped(inputs.persons, inputs).join(inputs.batch_ranks, on="batch_id")
    death, moved = nw.col("death_date"), nw.col("moved_out_date")
    never = nw.lit(date.max, dtype=nw.Date())
    persons = persons.with_columns(
        _top=nw.col("batch_rank").max().over("person_id"),
        exit_date=nw.min_horizontal(death, moved),
        # Moving out on or after the death date ends nothing: death ended residence first.
        moved=nw.when(death.is_null() | (moved < death)).then(moved),
    ).filter(nw.col("batch_rank") == nw.col("_top"))
    persons = persons.with_columns(
        birth_ord=date_ordinal("birth_date"),
        birth_mi=date_month("birth_date"),
        birth_late=(nw.col("birth_date").dt.day() > 1),
        death_ord=date_ordinal("death_date").fill_null(p1),
        moved_ord=date_ordinal("moved").fill_null(p1 + 1),
        exit_mi=date_month("exit_date").fill_null(period.last_month),
        w16=date_ordinal("birth_date", 16),
        w65=date_ordinal("birth_date", 65),
    )
    persons = persons.with_columns(
        rs=greatest(nw.col("birth_ord"), lit(p0)),
        # Alive on the death day (as in CPR), gone on the moving-out day.
        re=least(nw.col("death_ord"), nw.col("moved_ord") - 1, lit(p1)),
        rs_mi=nw.when(nw.col("birth_ord") > p0)
        .then(nw.col("birth_mi"))
        .otherwise(lit(period.first_month)),
        re_mi=least(nw.col("exit_mi"), lit(period.last_month)),
        first_date=greatest(nw.col("birth_date"), nw.lit(period.start, dtype=nw.Date())),
        death_day=death.fill_null(never),
        end_date=least(
            nw.col("moved").fill_null(never), nw.lit(date.fromordinal(p1 + 1), dtype=nw.Date())
        ),
    ).filter(nw.col("re") >= nw.col("rs"))
    # The index comes numbered from the warehouse: numbering here would need a window over all
    # persons, which Spark runs in one partition.
    return persons.join(inputs.person_index, on="person_id").select(
        "person_id",
        "pidx",
        "birth_mi",
        "birth_late",
        "rs",
        "re",
        "rs_mi",
        "re_mi",
        "w16",
        "w65",
        "first_date",
        "death_day",
        "end_date",
    )


def skeleton(res: Frame, spans: Frame) -> Frame:
    """Person-months with age, resident days and the Thursdays that can count as
    self-supporting (resident, aged 16-64)."""
    frame = (
        res.join(spans, left_on="rs_mi", right_on="mi_from")
        .filter(nw.col("mi") <= nw.col("re_mi"))
        .with_columns(
            days_resident=least(nw.col("re"), nw.col("m_last"))
            - greatest(nw.col("rs"), nw.col("m_first"))
            + 1
        )
        .filter(nw.col("days_resident") >= 1)
    )
    months_lived = (
        nw.col("mi")
        - nw.col("birth_mi")
        - nw.when(nw.col("birth_late")).then(lit(1)).otherwise(lit(0))
    )
    first = greatest(nw.col("rs"), nw.col("m_first"), nw.col("w16"))
    last = least(nw.col("re"), nw.col("m_last"), nw.col("w65") - 1)
    thursdays = (last + 3) // 7 - (first + 2) // 7  # Thursdays in first..last (ordinal % 7 == 4)
    return frame.with_columns(
        age=greatest(months_lived, lit(0)) // 12,
        _ss_base=greatest(thursdays, lit(0)),
    ).select("person_id", "month", _key(), "age", "days_resident", "_ss_base")


def _key() -> nw.Expr:
    return (nw.col("pidx").cast(nw.Int64()) * 65536 + nw.col("mi")).alias("k")


def _spread(events: Frame, res: Frame, spans: Frame) -> Frame:
    """One row per event and month its resident days touch, with ``days`` in that month.

    ``events`` has ``person_id``, ``s``/``e`` (first/last day ordinal) and ``s_mi``/``e_mi``."""
    frame = (
        events.join(res.select("person_id", "pidx", "rs", "re", "rs_mi"), on="person_id")
        .with_columns(cs=greatest(nw.col("s"), nw.col("rs")), ce=least(nw.col("e"), nw.col("re")))
        .filter(nw.col("ce") >= nw.col("cs"))
        .with_columns(
            from_mi=nw.when(nw.col("s") >= nw.col("rs"))
            .then(nw.col("s_mi"))
            .otherwise(nw.col("rs_mi"))
        )
        .join(spans.drop("month"), left_on="from_mi", right_on="mi_from")
        .filter(nw.col("mi") <= nw.col("e_mi"))
        .with_columns(
            days=least(nw.col("ce"), nw.col("m_last"))
            - greatest(nw.col("cs"), nw.col("m_first"))
            + 1
        )
        .filter(nw.col("days") >= 1)
    )
    return frame.with_columns(
        _key(),
        share=nw.col("days").cast(nw.Float64())
        / (nw.col("e") - nw.col("s") + 1).cast(nw.Float64()),
    )


def hospital(contacts: Frame, res: Frame, spans: Frame) -> Frame:
    events = contacts.select(
        "person_id",
        "priority",
        "setting",
        "cost_dkk",
        s=date_ordinal("start"),
        e=date_ordinal("end"),
        s_mi=date_month("start"),
        e_mi=date_month("end"),
        psy=nw.col("psychiatric").fill_null(False),
    )
    frame = _spread(events, res, spans).with_columns(
        part=nw.col("cost_dkk") * nw.col("share"),
        nights=greatest(
            least(nw.col("e") - 1, nw.col("re"), nw.col("m_last"))
            - greatest(nw.col("s"), nw.col("rs"), nw.col("m_first"))
            + 1,
            lit(0),
        ).cast(nw.Float64()),
        starts=(nw.col("s") >= nw.col("m_first"))
        & (nw.col("s") <= nw.col("m_last"))
        & (nw.col("s") >= nw.col("rs")),
    )
    priority, setting, psy = nw.col("priority"), nw.col("setting"), nw.col("psy")
    inpatient, starts = setting == "inpatient", nw.col("starts")
    part, nights = nw.col("part"), nw.col("nights")
    return frame.group_by(*KEY).agg(
        *[
            sum_if((priority == p) & (setting == s), part).alias(f"cost_hospital_{p}_{s}")
            for p in PRIORITIES
            for s in SETTINGS
        ],
        sum_if(psy, part).alias("cost_hospital_psychiatric"),
        sum_if(inpatient, nights).alias("bed_days"),
        sum_if(inpatient & psy, nights).alias("bed_days_psychiatric"),
        sum_if(starts & inpatient & (priority == "acute")).alias("acute_admissions"),
        sum_if(starts & inpatient & (priority == "planned")).alias("planned_admissions"),
        sum_if(starts & (setting == "outpatient")).alias("outpatient_visits"),
        sum_if(starts & (setting == "emergency")).alias("emergency_visits"),
    )


def _resident_on(column: str) -> nw.Expr:
    """The date ``column`` is a resident day: from the first one to the death day, included,
    and before moving out and the period's end (``end_date``, excluded). Dates are compared as
    dates here: the point events need no ordinals."""
    day = nw.col(column)
    return (day >= nw.col("first_date")) & (day <= nw.col("death_day")) & (day < nw.col("end_date"))


def primary_care(rows: Frame, res: Frame, period: Period) -> Frame:
    frame = (
        rows.select("person_id", "date", "provider", "services", "fee_dkk")
        .join(res.select("person_id", "pidx", *RESIDENT_DATES), on="person_id")
        .filter(_resident_on("date"))
        .with_columns(mi=date_month("date"), n=nw.col("services").fill_null(1))
        .with_columns(_key())
    )
    provider, fee, n = nw.col("provider"), nw.col("fee_dkk"), nw.col("n")
    return frame.group_by(*KEY).agg(
        *[sum_if(provider == p, fee).alias(f"cost_pc_{p}") for p in PROVIDERS],
        *[sum_if(provider == p, n).alias(f"services_{p}") for p in PROVIDERS],
    )


def prescriptions(rows: Frame, res: Frame, period: Period) -> Frame:
    frame = (
        rows.select("person_id", "dispensing_date", "cost_dkk", "subsidy_dkk")
        .join(res.select("person_id", "pidx", *RESIDENT_DATES), on="person_id")
        .filter(_resident_on("dispensing_date"))
        .with_columns(mi=date_month("dispensing_date"))
        .with_columns(_key())
    )
    return frame.group_by(*KEY).agg(
        nw.col("cost_dkk").sum().alias("cost_medicine"),
        nw.col("subsidy_dkk").fill_null(0.0).sum().alias("medicine_subsidy_dkk"),
        nw.col("cost_dkk").count().cast(nw.Float64()).alias("dispensings"),
    )


def municipal(rows: Frame, res: Frame, spans: Frame) -> Frame:
    s, s_mi = date_ordinal("start_date"), date_month("start_date")
    events = rows.select(
        "person_id",
        "service",
        "cost_dkk",
        s=s,
        e=date_ordinal("end_date").fill_null(s),
        s_mi=s_mi,
        e_mi=date_month("end_date").fill_null(s_mi),
    )
    frame = _spread(events, res, spans).with_columns(part=nw.col("cost_dkk") * nw.col("share"))
    service, part = nw.col("service"), nw.col("part")
    return frame.group_by(*KEY).agg(
        sum_if(service == v, part).alias(f"cost_municipal_{v}") for v in MUNICIPAL_SERVICES
    )


def transfers(rows: Frame, res: Frame, weeks: Frame) -> Frame:
    frame = (
        rows.select("person_id", "week", "state", "amount_dkk", thursday=week_thursday("week"))
        .join(weeks.select("week", "mi"), on="week")  # the weeks of the period, their month
        .join(res.select("person_id", "pidx", "rs", "re", "w16", "w65"), on="person_id")
        .filter((nw.col("thursday") >= nw.col("rs")) & (nw.col("thursday") <= nw.col("re")))
        .with_columns(
            amount=nw.col("amount_dkk").fill_null(0.0),
            k=_key(),
            counts=~nw.col("state").is_in(SELF_SUPPORTING_STATES)
            & (nw.col("thursday") >= nw.col("w16"))
            & (nw.col("thursday") < nw.col("w65")),
        )
    )
    state, amount = nw.col("state"), nw.col("amount")
    return frame.group_by(*KEY).agg(
        *[sum_if(state == s).alias(f"weeks_{s}") for s in TRANSFER_STATES],
        *[sum_if(state == s, amount).alias(f"transfer_dkk_{s}") for s in TRANSFER_STATES],
        sum_if(nw.col("counts")).alias("_weeks_supported"),
    )


def finish(panel: Frame) -> Frame:
    """Fill the months without events with zeros; the stored columns, typed.

    The totals and payer columns are computed by the view ``panel`` (``_view``)."""
    base = {*KEY, "person_id", "month", "age", "days_resident", "_ss_base"}
    produced = [c for c in panel.collect_schema().names() if c not in base]
    # CASE rather than fill_null (COALESCE): DuckDB evaluates it faster on 50 columns.
    panel = panel.with_columns(
        nw.when(nw.col(c).is_null()).then(nw.lit(0.0)).otherwise(nw.col(c)).alias(c)
        for c in produced
    )
    panel = panel.with_columns(
        weeks_self_supporting=nw.col("_ss_base") - nw.col("_weeks_supported")
    )
    return panel.select(
        nw.col(c).cast(_dtype(c)) if c not in ("person_id", "month") else nw.col(c)
        for c in STORED_COLUMNS
    )


def _dtype(column: str) -> nw.dtypes.DType:
    if column in ("age", "days_resident") or column in COUNT_COLUMNS:
        return nw.Int32()
    return nw.Float64()
