"""Outcomes of matched units by month relative to their index month, and what ends observation.

Both take a few tens of thousands of units (participants and their matched controls) and return
small tables to Python: :func:`outcome_rows` the panel values month by month,
:func:`unit_status` the months in which a unit dies, moves out, starts the programme (a control)
or leaves the extract period, so that the estimator can tell zero use from no observation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import narwhals as nw
import pyarrow as pa

from broen.analytics._exceptions import ConfigurationError, WarehouseError
from broen.analytics.evaluation._window_pass import (
    MI,
    PERSON,
    check_entry,
    latest_persons,
    month_number,
    month_of,
    month_start,
    programme_entries,
)

if TYPE_CHECKING:
    from broen.analytics.cohort import Source

Frame = nw.LazyFrame[Any]


def _units(source: Source, units: pa.Table) -> tuple[Frame, list[int]]:
    """The units on the engine with their index month's number; and the distinct numbers."""
    if units.num_rows == 0:
        raise ValueError("there are no units")
    days = units.column("index_month").to_pylist()
    numbers = [month_number(d) for d in days]
    data = pa.table(
        {
            "unit_id": units.column("unit_id"),
            PERSON: units.column(PERSON).cast(pa.string()),
            "index_month": pa.array([month_start(m) for m in numbers], pa.date32()),
            "_index": pa.array(numbers, pa.int64()),
        }
    )
    return source.rows(data), sorted(set(numbers))


def outcome_rows(
    source: Source, units: pa.Table, metrics: Sequence[str], first: int = -24, last: int = 23
) -> pa.Table:
    """The panel values of ``metrics`` for each unit in the months ``first..last`` relative to
    its index month (``rel_month`` 0 is the index month, -1 the month before).

    ``units`` has ``unit_id``, ``person_id`` and ``index_month`` (a date; its month counts). One
    row per unit and month *with a panel row* (the person alive and resident at least one day of
    the month, in the extract period): ``unit_id``, ``person_id``, ``index_month``,
    ``rel_month`` and the metrics, sorted by unit and month. A missing month is not zero use:
    :func:`unit_status` says why it is missing."""
    if first > last:
        raise ValueError(f"the first relative month ({first}) is after the last ({last})")
    if not source.has_table("panel"):
        raise WarehouseError(
            "The outcomes come from the panel: build it first with broen panel build."
        )
    absent = [m for m in metrics if m not in source.columns("panel")]
    if absent:
        raise ConfigurationError(f"The panel has no column {', '.join(absent)}.")
    frame, numbers = _units(source, units)
    people = frame.select(PERSON).unique()
    panel = (
        source.table("panel")
        .with_columns(month_of("month").alias(MI))
        .filter((nw.col(MI) >= numbers[0] + first) & (nw.col(MI) <= numbers[-1] + last))
        .join(people, on=PERSON, how="semi")
        .select(PERSON, MI, *metrics)
    )
    rel = (nw.col(MI) - nw.col("_index")).cast(nw.Int64())
    rows = (
        frame.join(panel, on=PERSON, how="inner")
        .with_columns(rel.alias("rel_month"))
        .filter((nw.col("rel_month") >= first) & (nw.col("rel_month") <= last))
        .select("unit_id", PERSON, "index_month", "rel_month", *metrics)
    )
    table = rows.collect(backend="pyarrow").to_arrow()
    return table.sort_by([("unit_id", "ascending"), ("rel_month", "ascending")])


def unit_status(
    source: Source,
    units: pa.Table,
    programme: str,
    period_end: date | None = None,
    entry: str = "start_date",
) -> pa.Table:
    """What ends or interrupts each unit's observation, as months relative to its index month.

    One row per unit with ``unit_id``, ``person_id``, ``index_month`` and:

    - ``death_month`` / ``death_rel``: the month of ``persons.death_date``. The person is alive
      (and has a panel row) in it; every later month is *zero use*, not missing.
    - ``moved_out_month`` / ``moved_out_rel``: the month of ``moved_out_date`` when the person
      moved out before dying (a moving-out date on or after the death date changes nothing, as in
      the panel). That month's panel row holds only the days before the moving day and later
      months are not observed: censor from ``moved_out_rel``.
    - ``next_start_month`` / ``next_start_rel``: the first month after the index month in which
      the person starts ``programme`` (an episode's ``start_date``; with
      ``entry="referral_date"`` the month it is referred, when the offer is the treatment). A
      control who starts is no longer a control: censor from ``next_start_rel`` (that month is
      partly treated).
    - ``last_month`` / ``last_rel``: the last month of the extract period (``period_end``, by
      default the source's period): later months are not observed.
    - ``zero_from_rel``: ``death_rel + 1``, the first month of zero use (null: no death).
    - ``censor_rel``: the first relative month that is not fully observed, the least of
      ``moved_out_rel``, ``next_start_rel`` and ``last_rel + 1`` (null: none of them).

    So a month after the index month without a panel row is zero use from ``zero_from_rel`` on
    (when that is before ``censor_rel``) and unobserved from ``censor_rel`` on. Months before
    the index month are not affected (a control's look-back is complete by selection).
    Missing dates give nulls. Persons not in ``persons`` get nulls throughout.
    """
    check_entry(entry)
    if period_end is None:
        period_end = source.period()[1]
    frame, _ = _units(source, units)
    people = latest_persons(source).select(PERSON, "death_date", "moved_out_date")
    death, moved = nw.col("death_date"), nw.col("moved_out_date")
    people = people.select(
        PERSON,
        month_of("death_date").alias("_death"),
        nw.when(death.is_null() | (moved < death)).then(month_of("moved_out_date")).alias("_moved"),
    )
    rows = frame.join(people, on=PERSON, how="left")
    if source.has_table("programme_episodes"):
        starts = programme_entries(source, programme, entry)
        later = (
            frame.select("unit_id", PERSON, "_index")
            .join(starts, on=PERSON, how="inner")
            .filter(nw.col("_s") > nw.col("_index"))
            .group_by("unit_id")
            .agg(nw.col("_s").min().alias("_next"))
        )
        rows = rows.join(later, on="unit_id", how="left")
    else:
        rows = rows.with_columns(_next=nw.lit(None, dtype=nw.Int64()))
    last = month_number(period_end) if period_end is not None else None
    rows = rows.with_columns(_last=nw.lit(last, dtype=nw.Int64()))
    table = (
        rows.select(
            "unit_id", PERSON, "index_month", "_index", "_death", "_moved", "_next", "_last"
        )
        .collect(backend="pyarrow")
        .to_arrow()
    )
    return _status_table(table.sort_by([("unit_id", "ascending")]))


def _status_table(table: pa.Table) -> pa.Table:
    """Month numbers into first-of-month dates and relative months (in Python: a few tens of
    thousands of rows)."""
    index = table.column("_index").to_pylist()
    out: dict[str, pa.Array | pa.ChunkedArray] = {
        "unit_id": table.column("unit_id"),
        PERSON: table.column(PERSON),
        "index_month": table.column("index_month"),
    }
    rel: dict[str, list[int | None]] = {}
    for name, column in (
        ("death", "_death"),
        ("moved_out", "_moved"),
        ("next_start", "_next"),
        ("last", "_last"),
    ):
        numbers = table.column(column).to_pylist()
        out[f"{name}_month"] = pa.array(
            [None if n is None else month_start(n) for n in numbers], pa.date32()
        )
        rel[name] = [None if n is None else n - i for n, i in zip(numbers, index, strict=True)]
        out[f"{name}_rel"] = pa.array(rel[name], pa.int64())
    censor: list[int | None] = []
    for moved, start, last in zip(rel["moved_out"], rel["next_start"], rel["last"], strict=True):
        ends = [v for v in (moved, start, None if last is None else last + 1) if v is not None]
        censor.append(min(ends) if ends else None)
    out["zero_from_rel"] = pa.array(
        [None if d is None else d + 1 for d in rel["death"]], pa.int64()
    )
    out["censor_rel"] = pa.array(censor, pa.int64())
    return pa.table(out)
