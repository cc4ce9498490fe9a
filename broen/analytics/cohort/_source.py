"""Where a cohort's data come from: the few engine-specific operations, behind one interface.

The criteria are written once against narwhals LazyFrames. A source only hands out the tables,
builds small frames from Python values (months, ISO weeks), materialises intermediate results
(so that attrition steps are not recomputed) and reports the extract period. ``DuckDBSource``
reads the warehouse; ``SparkSource`` wraps Spark DataFrames with the same table names.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any, Protocol

import narwhals as nw
import pyarrow as pa

from broen.analytics._sql import quote
from broen.analytics._warehouse import has_table

Frame = nw.LazyFrame[Any]


def _lazy(native: Any) -> Frame:
    frame: Frame = nw.from_native(native).lazy()
    return frame


class Source(Protocol):
    def has_table(self, name: str) -> bool: ...

    def columns(self, name: str) -> list[str]: ...

    def table(self, name: str) -> Frame: ...

    def rows(self, data: pa.Table) -> Frame: ...

    def materialise(self, frame: Frame) -> Frame: ...

    def period(self) -> tuple[date | None, date | None]: ...


class DuckDBSource:
    """The warehouse's tables on an open DuckDB connection."""

    _counter = itertools.count()

    def __init__(self, con: Any) -> None:
        self.con = con
        self._temp: list[str] = []
        # DuckDB refuses register() while an earlier execute() has unfetched rows (e.g. a
        # fetchone() elsewhere); a finished statement clears that state.
        con.execute("SELECT 1").fetchall()

    def has_table(self, name: str) -> bool:
        return has_table(self.con, name)  # tables and views (the panel is a view)

    def columns(self, name: str) -> list[str]:
        return [r[0] for r in self.con.execute(f"DESCRIBE {quote(name)}").fetchall()]

    def table(self, name: str) -> Frame:
        return _lazy(self.con.table(quote(name)))

    def rows(self, data: pa.Table) -> Frame:
        return _lazy(self.con.from_arrow(data))

    def materialise(self, frame: Frame) -> Frame:
        name = f"_broen_cohort_{next(self._counter)}"
        view = name + "_v"
        self.con.register(view, frame.to_native())
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {view}")
        finally:
            self.con.unregister(view)
        self._temp.append(name)
        return _lazy(self.con.table(name))

    def period(self) -> tuple[date | None, date | None]:
        rows = self.con.execute("SELECT min(period_start), max(period_end) FROM batches").fetchall()
        return rows[0][0], rows[0][1]

    def drop_temporary(self) -> None:
        for name in self._temp:
            self.con.execute(f"DROP TABLE IF EXISTS temp.{name}")
        self._temp.clear()


class SparkSource:
    """Spark DataFrames named like the warehouse tables (``persons``, ``hospital_contacts``…)."""

    def __init__(
        self,
        spark: Any,
        tables: dict[str, Any],
        period: tuple[date | None, date | None] = (None, None),
    ) -> None:
        self.spark = spark
        self.tables = tables
        self._period = period

    def has_table(self, name: str) -> bool:
        return name in self.tables

    def columns(self, name: str) -> list[str]:
        return list(self.tables[name].columns)

    def table(self, name: str) -> Frame:
        return _lazy(self.tables[name])

    def rows(self, data: pa.Table) -> Frame:
        return _lazy(self.spark.createDataFrame(data))

    def materialise(self, frame: Frame) -> Frame:
        return _lazy(frame.to_native().localCheckpoint())

    def period(self) -> tuple[date | None, date | None]:
        return self._period
