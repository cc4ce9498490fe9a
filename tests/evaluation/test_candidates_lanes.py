"""Packed running sums (broen.analytics.evaluation._lanes): window sums read from packed lanes
equal plain sums, also when the lanes' running sums carry into each other, at the bounds."""

from __future__ import annotations

import duckdb
import narwhals as nw
import numpy as np
import pyarrow as pa
import pytest

from broen.analytics.evaluation._lanes import (
    LIMIT,
    LaneInput,
    lagged,
    plan,
    window_any,
    window_sum,
)


def _frame(con: duckdb.DuckDBPyConnection, data: dict[str, np.ndarray]) -> nw.LazyFrame:  # type: ignore[type-arg]
    return nw.from_native(con.from_arrow(pa.table(data))).lazy()


def _windows_on_duckdb(
    inputs: list[LaneInput], values: dict[str, np.ndarray], persons: np.ndarray, rows: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    layout = plan(inputs, rows=rows)
    con = duckdb.connect()
    months = np.concatenate([np.arange(rows)] * (len(persons) // rows))
    frame = _frame(con, {"p": persons, "m": months, **values})
    packed = list(layout.offsets)
    frame = frame.select("p", "m", *[layout.packed(c) for c in packed])
    frame = frame.with_columns(
        *[nw.col(c).cum_sum().over("p", order_by="m").cast(nw.Int64()) for c in packed]
    )
    frame = frame.select(
        "p",
        "m",
        *[
            nw.col(c).shift(d).over("p", order_by="m").fill_null(0).alias(lagged(c, d))
            for c in packed
            for d in layout.offsets[c]
        ],
    ).with_columns(layout.differences())
    frame = frame.with_columns(layout.remainders())
    sums = {
        f"{i.name}{w}": window_sum(layout, i.name, *w).alias(f"{i.name}{w}")
        for i in inputs
        for w in i.windows
    }
    anys = {
        f"{i.name}{w}": window_any(layout, i.name, *w).alias(f"any{i.name}{w}")
        for i in inputs
        for w in i.windows
    }
    out = frame.select("p", "m", *sums.values(), *anys.values()).sort("p", "m").collect()
    table = out.to_arrow()
    return (
        {k: table[k].to_numpy() for k in sums},
        {k: table[f"any{k}"].to_numpy() for k in anys},
    )


def _expected(x: np.ndarray, rows: int, first: int, last: int) -> np.ndarray:
    """The plain window sums, person by person (each has ``rows`` rows)."""
    out = np.zeros_like(x)
    for start in range(0, len(x), rows):
        person = x[start : start + rows]
        for t in range(rows):
            lo, hi = max(0, t + first), t + last
            out[start + t] = person[lo : hi + 1].sum() if hi >= 0 else 0
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_window_sums_from_packed_lanes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, people = 40, 25
    persons = np.repeat([f"p{i:02d}" for i in range(people)], rows)
    maxima = {"money": 5_000_000, "count": 31, "flag": 1, "weeks": 5, "big": 2_000_000_000}
    values = {
        name: rng.integers(0, top + 1, size=rows * people) * (rng.random(rows * people) < 0.4)
        for name, top in maxima.items()
    }
    # the largest value everywhere for one person: every lane at its bound
    for name, top in maxima.items():
        values[name][:rows] = top
    windows = {
        "money": ((-1, -1), (-2, -2), (-6, -4), (-12, -7), (-24, -13)),
        "count": ((-1, -1), (-6, -4), (-24, -13)),
        "flag": ((-30, -1),),
        "weeks": ((-12, -1),),
        "big": ((-3, -1),),
    }
    inputs = [LaneInput(n, maxima[n], windows[n]) for n in maxima]
    layout = plan(inputs, rows=rows)
    assert len(layout.offsets) < len(inputs)  # some lanes share a column
    sums, anys = _windows_on_duckdb(inputs, values, persons, rows)
    for item in inputs:
        for w in item.windows:
            want = _expected(values[item.name].astype(np.int64), rows, *w)
            np.testing.assert_array_equal(sums[f"{item.name}{w}"], want, err_msg=f"{item.name}{w}")
            np.testing.assert_array_equal(anys[f"{item.name}{w}"], want > 0)


def test_plan_respects_the_bounds() -> None:
    many = [LaneInput(f"f{i}", 1, ((-60, -1),)) for i in range(30)]
    layout = plan(many, rows=120)
    columns: dict[str, int] = {}
    for lane in layout.lanes.values():
        assert lane.bits == 6  # sums over 60 rows of 0/1
        columns[lane.column] = max(columns.get(lane.column, 0), lane.shift + lane.bits)
    assert all(bits <= 62 for bits in columns.values())
    for column in columns:  # the running sums stay below 2**62
        bound = sum(
            1 * 120 << lane.shift for lane in layout.lanes.values() if lane.column == column
        )
        assert bound < LIMIT
    with pytest.raises(ValueError, match="implausibly large"):
        plan([LaneInput("x", 2**60, ((-1, -1),))], rows=100)
    assert plan([LaneInput("x", 0, ((-1, -1),))], rows=10).lanes["x"].bits == 1
