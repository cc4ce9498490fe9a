"""Many small window sums from a few 64-bit running sums ("lanes"), in one window pass.

Every covariate of risk-set matching is a sum over a span of months before the index month, and
the sum over months ``-a..-b`` of a person's contiguous monthly rows is the difference of the
running sum ``b`` rows back and the one ``a + 1`` rows back. A window function costs the engine
per column (each running sum and each lag is one more pass over the sorted rows), and there are
dozens of sums (labour-market weeks, admissions, comorbidity events…).

Packing is linear: if a packed column is ``sum(value_i * 2**shift_i)`` on every row, its running
sum is ``sum(running_i * 2**shift_i)`` and the difference of two running sums is
``sum(window_i * 2**shift_i)``, exactly, whatever the lanes' running sums grow to (carries
between lanes cancel in the difference). A lane only has to hold the *window* sums read from
its column: then the window value of each lane is read back from the packed difference with
``%``. Inputs that need the same lags share a column, so one running sum and one lag per offset
serve them all.

Bounds: every running sum stays below 2**62 (``LIMIT``), so it is an exact 64-bit integer on
every engine (Spark raises on overflow); a lane's width holds its largest value times the
longest window of its column; a lane's value is divided out through a double only as
``value * 2**shift`` with ``value < 2**53``, which is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

import narwhals as nw

LIMIT = 1 << 62
NEW_COLUMN_COST = 3  # a running sum costs the engine about as much as three lags
INT = nw.Int64()


@dataclass(frozen=True)
class LaneInput:
    """A per-row non-negative integer column ``name`` of at most ``max_value``, read as window
    sums over the given ``(first, last)`` row offsets (``first <= last <= -1``)."""

    name: str
    max_value: int
    windows: tuple[tuple[int, int], ...]

    @property
    def offsets(self) -> frozenset[int]:
        return frozenset(
            {-last for _, last in self.windows} | {1 - first for first, _ in self.windows}
        )

    @property
    def span(self) -> int:
        return max(last - first + 1 for first, last in self.windows)


@dataclass(frozen=True)
class Lane:
    name: str
    column: str
    shift: int
    bits: int
    top: bool  # the highest lane of its column: nothing above it to cut off
    windows: tuple[tuple[int, int], ...]  # the windows it is read over


@dataclass(frozen=True)
class Layout:
    lanes: dict[str, Lane]
    offsets: dict[str, tuple[int, ...]]  # packed column -> the lags it is read at
    windows: dict[str, tuple[tuple[int, int], ...]]  # packed column -> the windows read

    def differences(self) -> list[nw.Expr]:
        """Each packed column's window values (differences of two lagged running sums), as
        columns, so that the lanes sharing one are read from one computed value."""
        return [
            (nw.col(lagged(c, -last)) - nw.col(lagged(c, 1 - first))).alias(
                difference(c, (first, last))
            )
            for c, windows in self.windows.items()
            for first, last in windows
        ]

    def remainders(self) -> list[nw.Expr]:
        """``difference % 2**bit`` at each lane boundary read (after :meth:`differences`):
        the lanes below a boundary, shared by the lanes on either side of it."""
        return [
            (nw.col(difference(c, w)) % _lit(1 << bit)).alias(_remainder(c, w, bit))
            for (c, w), bits in self._boundaries().items()
            for bit in bits
        ]

    def _boundaries(self) -> dict[tuple[str, tuple[int, int]], list[int]]:
        out: dict[tuple[str, tuple[int, int]], set[int]] = {}
        for lane in self.lanes.values():
            for window in lane.windows:
                bits = out.setdefault((lane.column, window), set())
                if lane.shift:
                    bits.add(lane.shift)
                if not lane.top:
                    bits.add(lane.shift + lane.bits)
        return {key: sorted(bits) for key, bits in out.items()}

    def packed(self, column: str) -> nw.Expr:
        """The packed value of ``column`` on a row, from its lanes' input columns."""
        parts = [
            nw.col(lane.name).cast(INT) * _lit(1 << lane.shift)
            if lane.shift
            else nw.col(lane.name).cast(INT)
            for lane in self.lanes.values()
            if lane.column == column
        ]
        return reduce(lambda a, b: a + b, parts).alias(column)


def _lit(value: int) -> nw.Expr:
    return nw.lit(value, dtype=INT)


@dataclass
class _Column:
    items: list[LaneInput]
    offsets: set[int]
    span: int

    def widths(self, items: list[LaneInput], span: int) -> list[int] | None:
        """Lane widths if ``items`` fit one column with windows up to ``span`` rows."""
        widths = [max(1, (i.max_value * span).bit_length()) for i in items]
        if sum(widths) > 62:
            return None
        return widths

    def fits(self, items: list[LaneInput], span: int, rows: int) -> list[int] | None:
        widths = self.widths(items, span)
        if widths is None:
            return None
        shift, bound = 0, 0
        for item, width in zip(items, widths, strict=True):
            bound += item.max_value * rows << shift
            shift += width
        return widths if bound < LIMIT else None


def plan(inputs: Sequence[LaneInput], rows: int, prefix: str = "_pk") -> Layout:
    """Pack ``inputs`` (of persons with at most ``rows`` rows each) into as few lags and running
    sums as a greedy placement finds; the same inputs give the same layout on every engine."""
    columns: list[_Column] = []
    for item in sorted(inputs, key=lambda i: -len(i.offsets)):
        if _Column([item], set(item.offsets), item.span).fits([item], item.span, rows) is None:
            raise ValueError(
                f"{item.name}: values up to {item.max_value} over {rows} months do not fit a "
                "64-bit running sum; a panel value is implausibly large"
            )
        best: _Column | None = None
        best_cost = len(item.offsets) + NEW_COLUMN_COST
        for column in columns:
            span = max(column.span, item.span)
            if column.fits([*column.items, item], span, rows) is None:
                continue
            cost = len(column.offsets | item.offsets) - len(column.offsets)
            if cost < best_cost:
                best, best_cost = column, cost
        if best is None:
            columns.append(_Column([item], set(item.offsets), item.span))
        else:
            best.items.append(item)
            best.offsets |= item.offsets
            best.span = max(best.span, item.span)
    lanes: dict[str, Lane] = {}
    offsets: dict[str, tuple[int, ...]] = {}
    windows: dict[str, tuple[tuple[int, int], ...]] = {}
    for index, column in enumerate(columns):
        name = f"{prefix}{index}"
        widths = column.fits(column.items, column.span, rows)
        assert widths is not None
        shift = 0
        for position, (item, width) in enumerate(zip(column.items, widths, strict=True)):
            top = position == len(widths) - 1
            lanes[item.name] = Lane(item.name, name, shift, width, top, item.windows)
            shift += width
        offsets[name] = tuple(sorted(column.offsets))
        windows[name] = tuple(sorted({w for i in column.items for w in i.windows}))
    return Layout(lanes, offsets, windows)


def lagged(column: str, offset: int) -> str:
    """The name of ``column`` (a running sum) ``offset`` rows back."""
    return f"{column}_l{offset}"


def difference(column: str, window: tuple[int, int]) -> str:
    """The name of ``column``'s window value over ``window`` (see :meth:`Layout.differences`)."""
    return f"{column}_w{-window[0]}_{-window[1]}"


def _remainder(column: str, window: tuple[int, int], bit: int) -> str:
    return f"{difference(column, window)}_r{bit}"


def _below(lane: Lane, window: tuple[int, int], bit: int) -> nw.Expr:
    """The window value of ``lane``'s column cut to its lanes below ``bit``."""
    if bit == lane.shift + lane.bits and lane.top:
        return nw.col(difference(lane.column, window))
    return nw.col(_remainder(lane.column, window, bit))


def window_sum(layout: Layout, name: str, first: int, last: int) -> nw.Expr:
    """The sum of input ``name`` over the rows ``first..last`` relative to the current row
    (read from the columns of :meth:`Layout.differences` and :meth:`Layout.remainders`)."""
    lane = layout.lanes[name]
    upper = _below(lane, (first, last), lane.shift + lane.bits)
    if not lane.shift:
        return upper
    lower = _below(lane, (first, last), lane.shift)
    return ((upper - lower) / float(1 << lane.shift)).cast(INT)


def window_any(layout: Layout, name: str, first: int, last: int) -> nw.Expr:
    """Whether input ``name`` is positive somewhere in the rows ``first..last``."""
    lane = layout.lanes[name]
    return _below(lane, (first, last), lane.shift + lane.bits) >= _lit(1 << lane.shift)
