"""The (person, index month) feature table, written once against Narwhals' lazy API.

Every step is a Narwhals ``LazyFrame`` expression (filter, concat, group-by with conditional
sums, joins), so the same code runs on DuckDB (``nw.from_native(con.table("panel"))``) and on
Spark (``nw.from_native(spark_df)``). Nothing here is engine-specific SQL; the table is only
collected at the end, to pandas, for scikit-learn.

Months are numbered ``year * 12 + month - 1`` so that month arithmetic is integer arithmetic on
every engine. For an index month ``t`` (the last month whose data the score may use):

- the person is in the population at ``t`` if the panel has a row for ``t`` (alive and resident)
  and is at least ``min_age`` years old then;
- features use the panel months ``t-23 .. t`` (24 months) and ``t-11 .. t`` (12 months), the
  contact dates of ``t-23 .. t`` for diagnoses, and the persons table;
- outcomes use the months ``t+1 .. t+12``: the number of acute admissions and the total cost.
  Months after death or moving out have no panel row and add nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import narwhals as nw

from broen.analytics._exceptions import ConfigurationError

HISTORY = 24  # months of history the features look back over, the index month included
HORIZON = 12  # months of outcome after the index month
NO_ADMISSION = HISTORY + 1  # months since last acute admission when there was none in 24 months

# Panel metrics summed over the past 12 and the past 24 months.
SUMMED: tuple[str, ...] = (
    "acute_admissions",
    "emergency_visits",
    "bed_days",
    "bed_days_psychiatric",
    "planned_admissions",
    "outpatient_visits",
    "gp_contacts",
    "dispensings",
    "cost_total",
    "cost_hospital_acute",
    "cost_hospital_planned",
    "cost_hospital_psychiatric",
    "cost_primary_care",
    "cost_medicine",
    "cost_municipal",
    "cost_municipal_home_care",
    "cost_municipal_home_nursing",
    "cost_municipal_nursing_home",
    "cost_municipal_rehabilitation",
    "weeks_sickness_benefit",
    "weeks_cash_benefit",
    "weeks_unemployment",
    "weeks_flexjob",
    "weeks_disability_pension",
)
# Metrics whose trend (last 6 months minus the 6 months before) is a feature.
TRENDED: tuple[str, ...] = ("acute_admissions", "emergency_visits", "gp_contacts", "cost_total")

# Chronic disease groups: SKS diagnosis codes (D + ICD-10) starting with any of the prefixes,
# as primary diagnosis of a hospital contact or as an extra (A or B) diagnosis of it, on a
# contact that started in the 24 months up to the index month.
DIAGNOSIS_GROUPS: dict[str, tuple[str, ...]] = {
    "diabetes": ("DE10", "DE11", "DE12", "DE13", "DE14"),
    "copd": ("DJ44",),
    "ischaemic_heart_disease": ("DI20", "DI21", "DI22", "DI23", "DI24", "DI25"),
    "heart_failure": ("DI50",),
    "mental_disorder": ("DF2", "DF3", "DF4"),
    "substance_use": ("DF1",),
    "dementia": ("DF00", "DF01", "DF02", "DF03", "DG30"),
    "cancer": ("DC",),
}

PERSON_COLUMNS: tuple[str, ...] = ("sex", "education", "lives_alone", "municipality")
OUTCOME_ADMISSIONS = "outcome_acute_admissions"
OUTCOME_COST = "outcome_cost_total"


def numeric_features() -> list[str]:
    """Names of the numeric feature columns of the table, in order."""
    names = ["age", "months_observed", "months_since_acute_admission"]
    for metric in SUMMED:
        names += [f"{metric}_12m", f"{metric}_24m"]
    names += [f"{metric}_trend" for metric in TRENDED]
    names += [f"dx_{group}" for group in DIAGNOSIS_GROUPS]
    return names


def month_number(expr: nw.Expr) -> nw.Expr:
    """``year * 12 + month - 1`` of a date or datetime column."""
    return expr.dt.year().cast(nw.Int64) * 12 + expr.dt.month().cast(nw.Int64) - 1


def parse_month(text: str) -> int:
    """``"2023-06"`` → month number."""
    try:
        year, month = (int(part) for part in text.split("-"))
    except ValueError:
        raise ConfigurationError(f"{text!r} is not a month in the form YYYY-MM.") from None
    if not 1 <= month <= 12:
        raise ConfigurationError(f"{text!r} is not a month in the form YYYY-MM.")
    return year * 12 + month - 1


def month_label(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def month_date(number: int) -> date:
    return date(number // 12, number % 12 + 1, 1)


def index_grid(first: int, last: int, step: int = 6) -> list[int]:
    """Index months with a full 24-month history and a complete 12-month outcome window in the
    panel months ``first .. last``: every ``step`` months, counted back from the last one."""
    if step < 1:
        raise ConfigurationError("The step between index months must be at least 1.")
    top = last - HORIZON
    bottom = first + HISTORY - 1
    return sorted(range(top, bottom - 1, -step))


def _window(rel: nw.Expr, lo: int, hi: int, value: nw.Expr) -> nw.Expr:
    return nw.when(rel.is_between(lo, hi)).then(value).otherwise(0).sum()


def _aggregations(outcomes: bool) -> list[nw.Expr]:
    rel = nw.col("rel")
    past = rel <= 0
    aggs = [
        nw.when(rel == 0).then(1).otherwise(0).sum().alias("_now"),
        nw.when(rel == 0).then(nw.col("age")).max().alias("age"),
        nw.when(past).then(1).otherwise(0).sum().alias("months_observed"),
        (-nw.when(past & (nw.col("acute_admissions") > 0)).then(rel).max()).alias(
            "months_since_acute_admission"
        ),
    ]
    for metric in SUMMED:
        value = nw.col(metric)
        aggs.append(_window(rel, -11, 0, value).alias(f"{metric}_12m"))
        aggs.append(_window(rel, -(HISTORY - 1), 0, value).alias(f"{metric}_24m"))
    for metric in TRENDED:
        value = nw.col(metric)
        aggs.append(
            (_window(rel, -5, 0, value) - _window(rel, -11, -6, value)).alias(f"{metric}_trend")
        )
    if outcomes:
        aggs.append(_window(rel, 1, HORIZON, nw.col("acute_admissions")).alias(OUTCOME_ADMISSIONS))
        aggs.append(_window(rel, 1, HORIZON, nw.col("cost_total")).alias(OUTCOME_COST))
    return aggs


def _diagnosis_flags(
    contacts: nw.LazyFrame[Any], diagnoses: nw.LazyFrame[Any] | None, index_months: Sequence[int]
) -> nw.LazyFrame[Any]:
    visits = contacts.select(
        "person_id", m=month_number(nw.col("start")), code=nw.col("primary_diagnosis")
    )
    codes = visits
    if diagnoses is not None:
        extra = diagnoses.select("contact_id", code=nw.col("diagnosis")).join(
            contacts.select("contact_id", "person_id", m=month_number(nw.col("start"))),
            on="contact_id",
            how="inner",
        )
        codes = nw.concat([visits, extra.select("person_id", "m", "code")], how="vertical")
    flags = [
        nw.any_horizontal(
            *(nw.col("code").str.starts_with(prefix) for prefix in prefixes), ignore_nulls=True
        )
        .cast(nw.Int64)
        .max()
        .alias(f"dx_{group}")
        for group, prefixes in DIAGNOSIS_GROUPS.items()
    ]
    by_month = codes.group_by("person_id", "m").agg(*flags)
    parts = [
        by_month.filter(nw.col("m").is_between(t - HISTORY + 1, t)).with_columns(
            index_month=nw.lit(t, nw.Int64)
        )
        for t in index_months
    ]
    names = [f"dx_{group}" for group in DIAGNOSIS_GROUPS]
    return (
        nw.concat(parts, how="vertical")
        .group_by("person_id", "index_month")
        .agg(*(nw.col(n).max() for n in names))
    )


def _float_columns(outcomes: bool) -> list[str]:
    names = [f"{m}_{w}" for m in SUMMED for w in ("12m", "24m")]
    names += [f"{m}_trend" for m in TRENDED]
    return names + ([OUTCOME_ADMISSIONS, OUTCOME_COST] if outcomes else [])


def build_features(
    panel: nw.LazyFrame[Any],
    persons: nw.LazyFrame[Any],
    contacts: nw.LazyFrame[Any],
    diagnoses: nw.LazyFrame[Any] | None,
    index_months: Sequence[int],
    *,
    outcomes: bool = True,
    min_age: int = 18,
) -> nw.LazyFrame[Any]:
    """The feature table: one row per person in the population at each index month.

    Columns: ``person_id``, ``index_month`` (month number), the numeric features
    (:func:`numeric_features`), ``sex``, ``education``, ``lives_alone``, ``municipality`` and,
    with ``outcomes``, ``outcome_acute_admissions`` and ``outcome_cost_total`` over the 12
    months after the index month.
    """
    if not index_months:
        raise ConfigurationError("No index months: the panel period is too short.")
    reach = HORIZON if outcomes else 0
    needed = sorted({"acute_admissions", "cost_total", *SUMMED})
    rows = panel.select(
        "person_id",
        "age",
        *(nw.col(c).cast(nw.Float64).round(2) for c in needed),
        m=month_number(nw.col("month")),
    )
    parts = [
        rows.filter(nw.col("m").is_between(t - HISTORY + 1, t + reach)).with_columns(
            index_month=nw.lit(t, nw.Int64), rel=nw.col("m") - t
        )
        for t in index_months
    ]
    table = (
        nw.concat(parts, how="vertical")
        .group_by("person_id", "index_month")
        .agg(*_aggregations(outcomes))
        .filter((nw.col("_now") > 0) & (nw.col("age") >= min_age))
        .drop("_now")
        .with_columns(nw.col("months_since_acute_admission").fill_null(NO_ADMISSION))
        # Parallel engines add floating-point numbers in no fixed order. The monthly values are
        # rounded to øre before summing (below), so the exact sums have two decimals and
        # rounding the sums to øre gives the same table (and model) on every run and engine.
        .with_columns(*(nw.col(c).round(2) for c in _float_columns(outcomes)))
    )
    people = persons.select("person_id", *PERSON_COLUMNS).unique(subset=["person_id"], keep="any")
    flags = _diagnosis_flags(contacts, diagnoses, index_months)
    names = [f"dx_{group}" for group in DIAGNOSIS_GROUPS]
    return (
        table.join(people, on="person_id", how="left")
        .join(flags, on=["person_id", "index_month"], how="left")
        .with_columns(*(nw.col(n).fill_null(0).cast(nw.Float64) for n in names))
        .sort("index_month", "person_id")
    )
