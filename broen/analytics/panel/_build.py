"""``build_panel``: decide full or incremental, run an engine, store and reconcile, in one
transaction.

The panel is rebuilt in full when nothing was built yet, when asked (``full=True``), or when
what every row depends on changed: the period, the payer mapping or the pipeline version.
Otherwise only the persons that imports marked in ``panel_dirty`` are rebuilt: their rows are
deleted and recomputed from all their raw rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyarrow as pa

from broen.analytics._exceptions import ConfigurationError, WarehouseError
from broen.analytics._sql import quote, transaction
from broen.analytics._warehouse import connect, default_warehouse_path, has_table
from broen.analytics.panel._calendar import Period
from broen.analytics.panel._columns import create_stored_sql
from broen.analytics.panel._engines import (
    PERSON_INDEX,
    SOURCE_COLUMNS,
    Job,
    number_persons,
    person_chunks,
    run_duckdb,
    run_spark,
    staging_dir,
)
from broen.analytics.panel._payers import Payers, load_payers
from broen.analytics.panel._reconcile import Excluded, reconcile
from broen.analytics.panel._view import BASE, view_sql

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import SparkSession

# 2: the totals and payer columns are computed by the view panel; 3: the day of death is a
# resident day (an older panel lacks it, so a version change rebuilds in full)
PIPELINE_VERSION = 3
CHUNK_PERSONS = 50_000  # persons per DuckDB query in a full build
STAGING = "panel_next"  # the rows being built; swapped or merged into panel_base at the end
Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")
Progress = Callable[[str, int, int], None]


@dataclass
class PanelBuildReport:
    """What a build did. ``mode`` is ``full``, ``incremental`` or ``unchanged``."""

    mode: str
    reason: str
    engine: str
    warehouse: str
    period_start: date
    period_end: date
    months: int
    persons_rebuilt: int = 0
    rows_written: int = 0
    panel_rows: int = 0
    panel_persons: int = 0
    seconds: float = 0.0
    payers: str = ""
    excluded: list[Excluded] = field(default_factory=list)


def build_panel(
    warehouse: Path | None = None,
    *,
    engine: Engine = "duckdb",
    full: bool = False,
    payers: Path | Payers | None = None,
    progress: Progress | None = None,
    spark: SparkSession | None = None,
) -> PanelBuildReport:
    """Build (or bring up to date) the person-month panel in the warehouse.

    ``engine="spark"`` runs the pipeline on ``spark`` or, if None, on a session from
    :func:`broen.analytics.panel.spark_session` that is stopped afterwards."""
    if engine not in ENGINES:
        raise ConfigurationError(f"Unknown engine {engine!r}: use duckdb or spark.")
    mapping = payers if isinstance(payers, Payers) else load_payers(payers)
    warehouse = Path(warehouse) if warehouse is not None else default_warehouse_path()
    if not warehouse.exists():
        raise WarehouseError(f"There is no warehouse at {warehouse}: run 'broen import' first.")
    started = time.perf_counter()
    step = progress or (lambda stage, done, total: None)
    with connect(warehouse) as con:
        period, ranks = _batches(con, warehouse)
        mode, reason = _mode(con, period, mapping, full)
        report = PanelBuildReport(
            mode=mode,
            reason=reason,
            engine=engine,
            warehouse=str(warehouse),
            period_start=period.start,
            period_end=period.end,
            months=len(period.months),
            payers=mapping.source,
        )
        if mode != "unchanged":
            _run(con, Job(period, ranks, mapping), engine, spark, warehouse, report, step)
        report.panel_rows, report.panel_persons = _counts(con)
    report.seconds = time.perf_counter() - started
    return report


def _run(
    con: duckdb.DuckDBPyConnection,
    job: Job,
    engine: Engine,
    spark: SparkSession | None,
    warehouse: Path,
    report: PanelBuildReport,
    step: Progress,
) -> None:
    incremental = report.mode == "incremental"
    scope = "(SELECT DISTINCT person_id FROM panel_dirty)"
    row = con.execute(f"SELECT count(*) FROM {scope if incremental else 'persons'}").fetchall()
    report.persons_rebuilt = int(row[0][0])
    started = time.perf_counter()
    con.execute(f"DROP TABLE IF EXISTS {quote(STAGING)}")
    # A full build's staging table becomes panel_base; an incremental build's few rows are
    # copied into it, so they are staged in memory rather than written to disk twice.
    con.execute(create_stored_sql(STAGING, temporary=incremental))
    if incremental:
        # The rows of the persons to rebuild, copied once: the engine and the reconciliation
        # read these instead of scanning the whole tables again.
        for name, columns in SOURCE_COLUMNS.items():
            cols = ", ".join(quote(c) for c in columns)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {quote(f'panel_scope_{name}')} AS SELECT {cols} "
                f"FROM {quote(name)} WHERE person_id IN {scope}"
            )
        job = replace(
            job, sources={**job.sources, **{n: f"panel_scope_{n}" for n in SOURCE_COLUMNS}}
        )
    try:
        number_persons(con, job.sources["persons"])
        _compute(con, job, engine, spark, warehouse, step, incremental)
        rows = con.execute(f"SELECT count(*) FROM {quote(STAGING)}").fetchall()
        report.rows_written = int(rows[0][0])
        step("reconciling with the raw rows and storing", 3, 4)
        con.execute(view_sql(job.payers, STAGING, f"{STAGING}_view", temporary=True))
        report.excluded = reconcile(con, job.sources, f"{STAGING}_view")
        with transaction(con):
            if incremental:
                con.execute(f"DELETE FROM {quote(BASE)} WHERE person_id IN {scope}")
                con.execute(f"INSERT INTO {quote(BASE)} SELECT * FROM {quote(STAGING)}")
                con.execute(f"DROP TABLE {quote(STAGING)}")
            else:
                con.execute(f"DROP TABLE IF EXISTS {quote(BASE)}")
                con.execute(f"ALTER TABLE {quote(STAGING)} RENAME TO {quote(BASE)}")
            con.execute(view_sql(job.payers))
            con.execute("DELETE FROM panel_dirty")
            con.execute(
                "INSERT INTO panel_builds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    datetime.now(),
                    report.mode,
                    engine,
                    job.period.start,
                    job.period.end,
                    job.payers.source,
                    job.payers.fingerprint,
                    PIPELINE_VERSION,
                    report.persons_rebuilt,
                    report.rows_written,
                    time.perf_counter() - started,
                ],
            )
            step("committing", 4, 4)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {quote(PERSON_INDEX)}")
        con.execute(f"DROP VIEW IF EXISTS {quote(f'{STAGING}_view')}")
        con.execute(f"DROP TABLE IF EXISTS {quote(STAGING)}")
        for name in SOURCE_COLUMNS:
            con.execute(f"DROP TABLE IF EXISTS {quote(f'panel_scope_{name}')}")


def _compute(
    con: duckdb.DuckDBPyConnection,
    job: Job,
    engine: Engine,
    spark: SparkSession | None,
    warehouse: Path,
    step: Progress,
    incremental: bool,
) -> None:
    """Fill the staging table with the rows to store (committed chunk by chunk; the panel
    itself changes only in the final transaction)."""
    if engine == "spark":
        step("computing on spark", 2, 4)
        with staging_dir(warehouse) as staging:
            if spark is not None:
                run_spark(con, job, STAGING, spark, staging)
                return
            from broen.analytics._spark import spark_session

            with spark_session() as own:
                run_spark(con, job, STAGING, own, staging)
        return
    if incremental:
        step("computing on duckdb", 2, 4)
        run_duckdb(con, job, STAGING)
        return
    # Persons in id ranges keep every hash table in memory (and the warehouse's row groups,
    # loaded in extract order, are mostly skipped by the range filter).
    chunks = person_chunks(con, CHUNK_PERSONS)
    for i, (lo, hi) in enumerate(chunks, start=1):
        step(f"computing on duckdb, persons part {i} of {len(chunks)}", 2, 4)
        run_duckdb(con, job, STAGING, lo, hi)


def _batches(con: duckdb.DuckDBPyConnection, warehouse: Path) -> tuple[Period, pa.Table]:
    rows = con.execute(
        "SELECT batch_id, period_start, period_end FROM batches ORDER BY imported_at, batch_id"
    ).fetchall()
    if not rows:
        raise WarehouseError(f"The warehouse {warehouse} holds no batches: run 'broen import'.")
    starts = [r[1] for r in rows if r[1] is not None]
    ends = [r[2] for r in rows if r[2] is not None]
    if not starts or not ends:
        raise WarehouseError(
            f"The batches in {warehouse} have no period and no events: import an extract with "
            "extract.json or with events."
        )
    ranks = pa.table(
        {
            "batch_id": pa.array([r[0] for r in rows], pa.string()),
            "batch_rank": pa.array(range(len(rows)), pa.int64()),
        }
    )
    return Period.of(min(starts), max(ends)), ranks


def _mode(
    con: duckdb.DuckDBPyConnection, period: Period, payers: Payers, full: bool
) -> tuple[str, str]:
    builds = con.execute(
        "SELECT period_start, period_end, payers_fingerprint, pipeline_version "
        "FROM panel_builds ORDER BY built_at DESC LIMIT 1"
    ).fetchall()
    last = builds[0] if builds else None
    if full:
        return "full", "asked for a full build"
    if last is None:
        return "full", "no panel was built yet"
    if (last[0], last[1]) != (period.start, period.end):
        return "full", (
            f"the period changed from {last[0]}..{last[1]} to {period.start}..{period.end}"
        )
    if last[2] != payers.fingerprint:
        return "full", "the payer mapping changed"
    if last[3] != PIPELINE_VERSION:
        return "full", "this Broen computes the panel differently"
    dirty = con.execute("SELECT count(*) FROM panel_dirty").fetchall()[0]
    if not dirty or not dirty[0]:
        return "unchanged", "no batch arrived since the last build"
    return "incremental", "new or replaced batches since the last build"


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    if not has_table(con, BASE):
        return 0, 0
    sql = f"SELECT count(*), count(DISTINCT person_id) FROM {quote(BASE)}"
    row = con.execute(sql).fetchall()[0]
    return (int(row[0]), int(row[1])) if row else (0, 0)
