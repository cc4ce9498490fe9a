"""Where the data come from: the few engine-specific operations, behind one interface.

The analyses (the person-month panel, cohorts, the risk features) are written once against
narwhals LazyFrames. A :class:`Source` is all they ask of an engine:

- ``table(name, columns=None)``: a table (or view) as a lazy frame, optionally only some columns;
  ``has_table(name)`` and ``columns(name)`` ask before reading;
- ``rows(data)``: a frame on the engine holding a ``pyarrow.Table`` built in Python (calendar
  months, ISO weeks, batch ranks);
- ``materialise(frame)``: compute a frame once and return a frame that reads the result, so that
  a result used several times is not recomputed (and the engine knows its size);
- ``period()``: the extract period (first and last day), ``(None, None)`` when unknown;
- ``drop_temporary()``: drop what ``rows`` and ``materialise`` stored (also at the end of a
  ``with`` block).

``rows`` and ``materialise`` may be given a ``name``: the stored result is then also reachable
by that name from the engine's SQL (a DuckDB temporary table, a Spark temporary view). Without a
name the source picks one that no other source on the connection uses.

:class:`DuckDBSource` reads the warehouse on an open DuckDB connection; :class:`SparkSource` wraps
Spark DataFrames named like the warehouse tables (``persons``, ``hospital_contacts``…), e.g. read
from Parquet files (:meth:`SparkSource.from_parquet`). Frames of one source are only ever
combined with frames of the same source.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence
from datetime import date
from types import TracebackType
from typing import Any, Protocol, Self

import narwhals as nw
import pyarrow as pa

from broen.analytics._sql import quote
from broen.analytics._warehouse import has_table

Frame = nw.LazyFrame[Any]
Period = tuple[date | None, date | None]


def _lazy(native: Any) -> Frame:
    frame: Frame = nw.from_native(native).lazy()
    return frame


def _column_list(columns: Sequence[str]) -> list[str]:
    if isinstance(columns, str) or not columns:
        raise ValueError("columns must be a non-empty sequence of column names")
    return list(columns)


class Source(Protocol):
    """An engine's tables and the few operations the analyses need of it (module docstring)."""

    def has_table(self, name: str) -> bool: ...

    def columns(self, name: str) -> list[str]: ...

    def table(self, name: str, columns: Sequence[str] | None = None) -> Frame: ...

    def rows(self, data: pa.Table, name: str | None = None) -> Frame: ...

    def materialise(self, frame: Frame, name: str | None = None) -> Frame: ...

    def period(self) -> Period: ...

    def drop_temporary(self) -> None: ...


class DuckDBSource:
    """The warehouse's tables on an open DuckDB connection.

    ``tables`` maps a table name to the table (or temporary table) to read instead, e.g.
    ``{"persons": "scope_persons"}`` to run an analysis on a subset. ``rows`` and ``materialise``
    store their results in temporary tables (named ``<prefix>_<n>`` unless named by the caller)
    that live on the connection until :meth:`drop_temporary`; a name that is a warehouse table
    is refused, as the temporary table would hide it. The source runs statements on the
    connection: a result of ``execute()`` left unread is discarded (DuckDB refuses other work
    on the connection while one is pending). Like the connection, a source is for one thread.
    """

    _counter = itertools.count()

    def __init__(
        self, con: Any, *, tables: Mapping[str, str] | None = None, prefix: str = "_broen_tmp"
    ) -> None:
        self.con = con
        self.tables = dict(tables or {})
        self.prefix = prefix
        self._temp: list[str] = []
        self._settle()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.drop_temporary()

    def _settle(self) -> None:
        # DuckDB refuses register() and new relations while an earlier execute() has unfetched
        # rows (e.g. a fetchone() elsewhere); a finished statement clears that state.
        self.con.execute("SELECT 1").fetchall()

    def _resolve(self, name: str) -> str:
        return self.tables.get(name, name)

    def has_table(self, name: str) -> bool:
        if name in self.tables:  # a redirection may point at a temporary table
            rows = self.con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
                "AND table_catalog IN (current_database(), 'temp')",
                [self.tables[name]],
            ).fetchall()
            return bool(rows[0][0])
        return has_table(self.con, name)  # tables and views (the panel is a view)

    def columns(self, name: str) -> list[str]:
        rows = self.con.execute(f"DESCRIBE {quote(self._resolve(name))}").fetchall()
        return [r[0] for r in rows]

    def table(self, name: str, columns: Sequence[str] | None = None) -> Frame:
        self._settle()
        if columns is None:
            return _lazy(self.con.table(quote(self._resolve(name))))
        cols = ", ".join(quote(c) for c in _column_list(columns))
        return _lazy(self.con.sql(f"SELECT {cols} FROM {quote(self._resolve(name))}"))

    def rows(self, data: pa.Table, name: str | None = None) -> Frame:
        """``data`` copied into a temporary table (its types kept, also when it is empty)."""
        if not isinstance(data, pa.Table):
            raise TypeError(f"rows() takes a pyarrow.Table, not {type(data).__name__}")
        return self._store(data, name)

    def materialise(self, frame: Frame, name: str | None = None) -> Frame:
        """The result of ``frame`` (a frame of this connection) in a temporary table."""
        if not frame.implementation.is_duckdb():
            raise TypeError(
                f"DuckDBSource.materialise() takes a DuckDB frame, not {frame.implementation}"
            )
        return self._store(frame.to_native(), name)

    def _store(self, native: Any, name: str | None) -> Frame:
        table = self._temporary(name)
        view = f"{table}_input"
        self._settle()
        self.con.register(view, native)
        try:
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {quote(table)} AS SELECT * FROM {quote(view)}"
            )
        finally:
            self.con.unregister(view)
        return _lazy(self.con.table(quote(table)))

    def _temporary(self, name: str | None) -> str:
        if name is None:
            name = f"{self.prefix}_{next(self._counter)}"
        elif has_table(self.con, name):
            raise ValueError(
                f"{name!r} is a warehouse table: a temporary table of that name would hide it"
            )
        if name not in self._temp:
            self._temp.append(name)
        return name

    def period(self) -> Period:
        rows = self.con.execute("SELECT min(period_start), max(period_end) FROM batches").fetchall()
        return rows[0][0], rows[0][1]

    def drop_temporary(self) -> None:
        for name in self._temp:
            self.con.execute(f"DROP TABLE IF EXISTS temp.main.{quote(name)}")
        self._temp.clear()


class SparkSource:
    """Spark DataFrames named like the warehouse tables (``persons``, ``hospital_contacts``…).

    ``rows`` builds a DataFrame from the Arrow table on the driver (meant for what Python holds
    anyway: calendars, ranks; population-sized data should come from ``table``).
    ``materialise`` checkpoints locally (``DataFrame.localCheckpoint``, eager): the result is
    computed once and kept in the executors' block stores without its lineage, so a lost
    executor fails the job instead of recomputing it. A ``name`` registers a temporary view.
    """

    def __init__(
        self,
        spark: Any,
        tables: Mapping[str, Any],
        period: Period = (None, None),
    ) -> None:
        self.spark = spark
        self.tables = dict(tables)
        self._period = period
        self._views: list[str] = []

    @classmethod
    def from_parquet(
        cls,
        spark: Any,
        paths: Mapping[str, str | os.PathLike[str]],
        period: Period = (None, None),
    ) -> SparkSource:
        """Each table read from its Parquet file or directory."""
        tables = {name: spark.read.parquet(os.fspath(path)) for name, path in paths.items()}
        return cls(spark, tables, period)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.drop_temporary()

    def has_table(self, name: str) -> bool:
        return name in self.tables

    def columns(self, name: str) -> list[str]:
        return list(self.tables[name].columns)

    def table(self, name: str, columns: Sequence[str] | None = None) -> Frame:
        frame = _lazy(self.tables[name])
        return frame if columns is None else frame.select(*_column_list(columns))

    def rows(self, data: pa.Table, name: str | None = None) -> Frame:
        if not isinstance(data, pa.Table):
            raise TypeError(f"rows() takes a pyarrow.Table, not {type(data).__name__}")
        return self._named(self.spark.createDataFrame(data), name)

    def materialise(self, frame: Frame, name: str | None = None) -> Frame:
        kind = frame.implementation
        if not (kind.is_pyspark() or kind.is_pyspark_connect()):
            raise TypeError(f"SparkSource.materialise() takes a Spark frame, not {kind}")
        return self._named(frame.to_native().localCheckpoint(), name)

    def _named(self, native: Any, name: str | None) -> Frame:
        if name is not None:
            native.createOrReplaceTempView(name)
            if name not in self._views:
                self._views.append(name)
        return _lazy(native)

    def period(self) -> Period:
        return self._period

    def drop_temporary(self) -> None:
        for name in self._views:
            self.spark.catalog.dropTempView(name)
        self._views.clear()
