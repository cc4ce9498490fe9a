"""Control candidates and participants with their covariates at the index month, in the engine.

Risk-set matching needs, for every calendar month in which someone starts the programme, every
person who could have been a control then: in the target group, alive and resident, with the
look-back the covariates need, and not (yet) a participant. At 840,000 persons and 60 index
months that is some 50 million (person, month) rows with 79 covariates: the frame stays in the
engine. Python gets aggregates (``summarise``), a sample of keys (``sample_keys`` of
:func:`candidate_keys`), the propensity logit of each row (``score``, all in
``_population.py``), and the covariates of the few rows it samples or matches
(:func:`participant_features`, which computes exactly the same covariates for given pairs).

How the covariates are computed, once for both engines (narwhals, DuckDB and Spark):

- A *grid* of person-months: the panel rows from 25 months before the first index month (one
  row per month of a person's residence, so each person's rows are contiguous months), or for
  participants a dense person × month grid joined to the panel (a month without a panel row
  counts zero use and as not resident).
- Comorbidity events (diagnoses, dispensings) are put on the grid as 0/1 per flag and month;
  those before a person's first grid month are kept per person as the month of the latest one.
- Each window sum is the difference of two running sums read some rows back (lags); the many
  small sums share packed 64-bit columns (``_lanes.py``), so one sort of the grid, five running
  sums and about twenty lags serve all of them. No join pairs a month with its look-back
  months, and nothing loops over persons in Python.
- Only then are the rows cut to the index months and, for candidates, to the eligible ones
  (a join with each person's first grid month: contiguous rows need no window for the
  look-back); the covariates are unpacked on those rows only.

The result is lazy: each query on it (``summarise``, ``score``…) computes it again, which costs
less than storing 50 million rows of 79 columns (some 35 GB). Count and sample with
:func:`candidate_keys` (no covariates); ``source.materialise`` the features only when they fit
(a region's target group, or a Spark cluster with room: ``_design.STORE_BYTES``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import narwhals as nw
import pyarrow as pa

from broen.analytics.evaluation._covariates import (
    CovariateSpec,
    covariate_columns,
    stratum_columns,
)
from broen.analytics.evaluation._window_pass import (
    MI,
    PERSON,
    PersonRange,
    check_panel,
    differences,
    feature_exprs,
    in_range,
    int_lit,
    month_number,
    month_of,
    month_start,
    panel_inputs,
    programme_entries,
    window_pass,
    with_persons,
)

if TYPE_CHECKING:
    from broen.analytics.cohort import Source

Frame = nw.LazyFrame[Any]


def _month_rows(source: Source, months: list[int], spec: CovariateSpec) -> Frame:
    def period(mi: int) -> date:
        if spec.period == "quarter":
            mi -= mi % 3
        return month_start(mi)

    data = pa.table(
        {
            "index_month": pa.array([month_start(m) for m in months], pa.date32()),
            MI: pa.array(months, pa.int64()),
            "stratum_period": pa.array([period(m) for m in months], pa.date32()),
        }
    )
    return source.rows(data)


def _panel_grid(source: Source, spec: CovariateSpec, first: int, last: int) -> Frame:
    panel = source.table("panel").with_columns(month_of("month").alias(MI))
    panel = panel.filter((nw.col(MI) >= first) & (nw.col(MI) <= last))
    return panel.select(PERSON, MI, *panel_inputs(spec)).with_columns(_real=int_lit(1))


def programme_starts(source: Source, programme: str, entry: str = "start_date") -> Frame:
    """person_id, _start: the month number of each person's first entry into ``programme``
    (:func:`programme_entries`)."""
    entries = programme_entries(source, programme, entry)
    return entries.group_by(PERSON).agg(nw.col("_s").min().alias("_start"))


def target_keys(target: Frame) -> Frame:
    """(person_id, _mi) of a target-group frame (person_id, month)."""
    return target.select(PERSON, month_of("month").alias(MI)).unique()


def output_columns(spec: CovariateSpec) -> list[str]:
    strata = list(stratum_columns(spec))
    extra = [] if spec.municipality_stratum else ["municipality"]
    return [*strata, *extra, *covariate_columns(spec)]


def _eligible(
    source: Source,
    rows: Frame,
    start: Frame,
    months: Frame,
    spec: CovariateSpec,
    programme: str | None,
    keys: Frame | None,
    entry: str = "start_date",
) -> Frame:
    """The ``rows`` (panel-grid rows of persons, with ``_mi``) of the candidates: in an index
    month (``months``), with a panel row in each look-back month, not started, in the target.

    A person's panel rows are contiguous months (one span of residence), so a row in the index
    month and a first month at least ``lookback_months`` earlier mean a row in every month
    between: a join, not a window."""
    rows = rows.join(months, on=MI, how="inner").join(start, on=PERSON, how="inner")
    rows = rows.filter(nw.col("_first") <= nw.col(MI) - spec.lookback_months).drop("_first")
    if keys is not None:
        rows = rows.join(keys, on=[PERSON, MI], how="semi")
    if programme is not None and source.has_table("programme_episodes"):
        rows = rows.join(programme_starts(source, programme, entry), on=PERSON, how="left")
        rows = rows.filter(nw.col("_start").is_null() | (nw.col("_start") > nw.col(MI)))
        rows = rows.drop("_start")
    return rows


def person_ranges(source: Source, persons_per_range: int = 100_000) -> list[PersonRange]:
    """Consecutive ranges of person ids with about ``persons_per_range`` persons each, covering
    every id: for :func:`candidate_features` in parts of bounded memory on DuckDB.

    Why: the window pass sorts and holds every grid row of its persons (some 75 rows of 120
    bytes per person); 100,000 persons need about 1.7 GB, while the 840,000 of a region in one
    query exceed a 6 GB limit and spill to disk, several times slower. Spark distributes the
    rows itself: use one range there."""
    if persons_per_range < 1:
        raise ValueError("persons_per_range must be at least 1")
    ids = source.table("persons").select(PERSON).unique().collect("pyarrow").to_arrow()
    ordered = ids.column(PERSON).drop_null().to_pylist()
    ordered.sort()
    cuts: list[str | None] = [
        ordered[i] for i in range(persons_per_range, len(ordered), persons_per_range)
    ]
    bounds = [None, *cuts, None]
    return list(pairwise(bounds))


def _grid(
    source: Source,
    index_months: Iterable[date],
    spec: CovariateSpec,
    target: Frame | None,
    persons: PersonRange = (None, None),
) -> tuple[list[int], Frame, Frame | None]:
    months = sorted({month_number(d) for d in index_months})
    if not months:
        raise ValueError("the candidates need at least one index month")
    grid = _panel_grid(source, spec, months[0] - spec.depth - 1, months[-1])
    if persons != (None, None):
        grid = grid.filter(in_range(persons))
    keys = target_keys(target) if target is not None else None
    if keys is not None:
        grid = grid.join(keys.select(PERSON).unique(), on=PERSON, how="semi")
    return months, grid, keys


def candidate_keys(
    source: Source,
    index_months: Iterable[date],
    spec: CovariateSpec | None = None,
    programme: str | None = None,
    *,
    target: Frame | None = None,
    entry: str = "start_date",
) -> Frame:
    """(person_id, index_month) of exactly the rows of :func:`candidate_features`, without
    computing any covariate (no window pass): cheap to count and to sample from
    (``sample_keys``)."""
    spec = spec or CovariateSpec()
    check_panel(source, spec)
    months, grid, keys = _grid(source, index_months, spec, target)
    start = grid.group_by(PERSON).agg(nw.col(MI).min().alias("_first"))
    rows = _eligible(
        source, grid, start, _month_rows(source, months, spec), spec, programme, keys, entry
    )
    return rows.select(PERSON, "index_month")


def candidate_features(
    source: Source,
    index_months: Iterable[date],
    spec: CovariateSpec | None = None,
    programme: str | None = None,
    *,
    target: Frame | None = None,
    persons: PersonRange = (None, None),
    entry: str = "start_date",
) -> Frame:
    """The control candidates of each index month with their strata and covariates (lazy).

    One row per (person_id, index_month) with ``index_month`` in ``index_months`` (dates, taken
    as their month) where the person

    - has a panel row in the index month and in each of the ``spec.lookback_months`` months
      before it (alive and resident all that time: the panel has a row per month of residence);
    - has not started ``programme``: a ``programme_episodes`` row of it with a ``start_date``
      before the index month or within it excludes the person from that month on (a start in the
      index month makes the person a participant of that month, not a control); with
      ``entry="referral_date"``, has not been referred to it (the offer is the treatment);
    - is in ``target`` in that month, when given (a frame of person_id and month, the first day
      of a month, e.g. :func:`target_group`).

    Columns: ``person_id``, ``index_month``, the strata (:func:`stratum_columns`),
    ``municipality``, and :func:`covariate_columns` (all numeric, none null).

    ``persons`` cuts the candidates to a range of person ids (:func:`person_ranges`): the
    frames of consecutive ranges together are the whole frame, each computed in bounded memory
    (``summarise`` and ``collect`` take a list of them).
    """
    spec = spec or CovariateSpec()
    money = check_panel(source, spec)
    months, grid, keys = _grid(source, index_months, spec, target, persons)
    people = None if keys is None else keys.select(PERSON).unique()
    first, last = months[0] - spec.depth - 1, months[-1]
    w = window_pass(
        source, grid, spec, first, last, money, lookback=False, people=people, persons=persons
    )
    rows = _eligible(
        source, w.rows, w.start, _month_rows(source, months, spec), spec, programme, keys, entry
    )
    rows = with_persons(differences(rows, w), w, source).with_columns(feature_exprs(w, spec))
    return rows.select(PERSON, "index_month", *output_columns(spec))


def participant_features(
    source: Source,
    participants: pa.Table,
    spec: CovariateSpec | None = None,
    *,
    target: Frame | None = None,
) -> Frame:
    """The covariates of given (person, index month) pairs, computed as for the candidates but
    without their filters, so that the caller can say why a participant cannot be matched.

    ``participants`` has ``unit_id``, ``person_id`` and ``index_month`` (a date; its month
    counts). One row per unit, with ``unit_id``, ``person_id``, ``index_month``, the strata,
    ``municipality``, the covariates, and

    - ``resident``: a panel row in the index month (alive and resident then);
    - ``full_lookback``: a panel row in each of the ``spec.lookback_months`` months before;
    - ``in_target`` (only when ``target`` is given): in the target group that month.

    Months without a panel row (before birth or the extract period, after death or moving out)
    count zero use. A unit whose person is not in ``persons`` is left out. The same function
    gives the covariates of sampled or matched candidates: pass their (person, month) pairs.
    """
    spec = spec or CovariateSpec()
    money = check_panel(source, spec)
    days = participants.column("index_month").to_pylist()
    units = pa.table(
        {
            "unit_id": participants.column("unit_id"),
            PERSON: participants.column(PERSON).cast(pa.string()),
            MI: pa.array([month_number(d) for d in days], pa.int64()),
            "index_month": pa.array([month_start(month_number(d)) for d in days], pa.date32()),
        }
    )
    if units.num_rows == 0:
        raise ValueError("participant_features needs at least one participant")
    numbers = units.column(MI).to_pylist()
    first, last = min(numbers) - spec.depth - 1, max(numbers)
    unit_rows = source.rows(units)
    people = unit_rows.select(PERSON).unique()
    calendar = source.rows(pa.table({MI: pa.array(range(first, last + 1), pa.int64())}))
    panel = _panel_grid(source, spec, first, last).join(people, on=PERSON, how="semi")
    grid = people.join(calendar, how="cross").join(panel, on=[PERSON, MI], how="left")
    grid = grid.with_columns(nw.col("_real").fill_null(0))
    w = window_pass(source, grid, spec, first, last, money, people=people)
    periods = _month_rows(source, sorted(set(numbers)), spec).select(MI, "stratum_period")
    rows = unit_rows.join(w.rows, on=[PERSON, MI], how="inner").join(periods, on=MI, how="left")
    rows = with_persons(differences(rows, w), w, source).with_columns(
        feature_exprs(w, spec, status=True)
    )
    status = ["resident", "full_lookback"]
    if target is not None:
        marks = target_keys(target).with_columns(_in=int_lit(1))
        rows = rows.join(marks, on=[PERSON, MI], how="left").with_columns(
            in_target=~nw.col("_in").is_null()
        )
        status.append("in_target")
    return rows.select("unit_id", PERSON, "index_month", *output_columns(spec), *status)
