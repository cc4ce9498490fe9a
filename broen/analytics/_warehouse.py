"""The register warehouse: one DuckDB file with the contract tables, batches and quarantine,
and the tables of the capabilities built on them (cohorts, the panel, ...).

The schema is versioned per capability (``broen.analytics._migrations``): each capability
declares its own migration steps, ``schema_steps`` records every step applied, and opening a
warehouse applies the missing ones in one transaction. A warehouse written by a newer Broen is
refused rather than guessed at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from broen.analytics._contract import TABLES
from broen.analytics._exceptions import WarehouseError
from broen.analytics._migrations import migrate, pending, schema_steps
from broen.analytics._sql import has_table as has_table
from broen.analytics._sql import quote

DEFAULT_WAREHOUSE = Path("broen-data") / "warehouse.duckdb"
WAREHOUSE_ENV = "BROEN_WAREHOUSE"
MEMORY_ENV = "BROEN_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "6GB"  # DuckDB spills to <warehouse>.tmp beyond this


def default_warehouse_path() -> Path:
    """``$BROEN_WAREHOUSE`` if set, else ``broen-data/warehouse.duckdb``."""
    return Path(os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE)


# Event dates per table, for a batch without a period (contract: "Without the file, the period
# runs from the first to the last event date in the extract"). Transfers count by their Thursday.
EVENT_DATES: dict[str, tuple[str, ...]] = {
    "hospital_contacts": ("start", "end"),
    "primary_care": ("date",),
    "prescriptions": ("dispensing_date",),
    "municipal_services": ("start_date", "end_date"),
    "programme_episodes": ("referral_date", "start_date", "end_date"),
    "measurements": ("date",),
    "questionnaire_responses": ("date",),
}


def event_period(con: duckdb.DuckDBPyConnection, batch_id: str) -> tuple[date | None, date | None]:
    """The first and last event date of a batch (None, None when it has no events)."""
    parts = [
        f"SELECT min(CAST({quote(c)} AS DATE)) AS lo, max(CAST({quote(c)} AS DATE)) AS hi "
        f"FROM {quote(t)} WHERE batch_id = $batch"
        for t, cols in EVENT_DATES.items()
        for c in cols
    ]
    row = con.execute(
        f"SELECT min(lo), max(hi) FROM ({' UNION ALL '.join(parts)})", {"batch": batch_id}
    ).fetchone()
    lo, hi = (row[0], row[1]) if row else (None, None)
    weeks = con.execute(
        "SELECT min(week), max(week) FROM transfers WHERE batch_id = ?", [batch_id]
    ).fetchone()
    for week in weeks or ():
        if week:
            thursday = date.fromisocalendar(int(week[:4]), int(week[6:8]), 4)
            lo = thursday if lo is None else min(lo, thursday)
            hi = thursday if hi is None else max(hi, thursday)
    return lo, hi


def mark_dirty(con: duckdb.DuckDBPyConnection, batch_ids: Sequence[str]) -> None:
    """Record the persons a batch touches (any row of any table) as needing a panel rebuild."""
    tables = [t for t in TABLES.values() if t.person_column]
    union = " UNION ".join(
        f"SELECT person_id FROM {quote(t.name)} WHERE list_contains($batches, batch_id)"
        for t in tables
    )
    con.execute(
        f"INSERT INTO panel_dirty SELECT person_id, current_timestamp FROM ({union})",
        {"batches": list(batch_ids)},
    )


# No Broen command makes a network call: DuckDB must never fetch an extension by itself (it
# would, e.g., to open a SQLite file). Every connection Broen makes uses these settings.
OFFLINE: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "preserve_insertion_order": False,
}
_DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def _refuse_foreign_file(path: Path) -> None:
    """A file that exists but is not a DuckDB database (e.g. SQLite) is refused by its header."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as err:
        raise WarehouseError(f"Cannot read the warehouse {path}: {err.strerror}.") from err
    if head[8:12] != _DUCKDB_MAGIC:
        kind = "a SQLite database" if head.startswith(b"SQLite format 3") else "not a DuckDB file"
        raise WarehouseError(
            f"{path} is {kind}, not a Broen warehouse: give the path of a DuckDB warehouse file "
            "or of a new file."
        )


@contextmanager
def connect(
    path: Path | None = None, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open (and, unless read-only, create and migrate) the warehouse at ``path``."""
    path = Path(path) if path is not None else default_warehouse_path()
    if read_only and not path.exists():
        raise WarehouseError(f"There is no warehouse at {path}: run 'broen import' first.")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    memory = os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_LIMIT
    if path.exists() and not path.is_file():
        raise WarehouseError(f"The warehouse {path} is a directory: give the path of a file.")
    _refuse_foreign_file(path)
    try:
        con = duckdb.connect(
            str(path), read_only=read_only, config={**OFFLINE, "memory_limit": memory}
        )
    except duckdb.Error as err:
        raise WarehouseError(
            f"Cannot open the warehouse {path}: {str(err).splitlines()[0]}"
        ) from err
    try:
        if read_only:
            missing = pending(con)
            if missing:
                raise WarehouseError(
                    f"The warehouse {path} lacks the schema steps {', '.join(missing)} of this "
                    "Broen: open it once for writing (e.g. 'broen import') to migrate."
                )
        else:
            migrate(con)
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class BatchInfo:
    batch_id: str
    source: str
    imported_at: datetime
    period_start: object
    period_end: object
    rows_read: int
    rows_accepted: int
    rows_rejected: int


@dataclass(frozen=True)
class WarehouseInfo:
    """What ``broen warehouse info`` shows: schema, tables, counts, batches and quarantine
    counts. ``schema``: per capability, the last migration step applied."""

    path: Path
    schema: dict[str, int]
    table_rows: dict[str, int]
    batches: list[BatchInfo]
    quarantine: dict[tuple[str, str], int]  # (table, rule) -> rows

    @property
    def schema_version(self) -> int:
        """The migration steps applied, over all capabilities."""
        return sum(self.schema.values())


def warehouse_info(path: Path | None = None) -> WarehouseInfo:
    path = Path(path) if path is not None else default_warehouse_path()
    with connect(path, read_only=True) as con:
        counts = {}
        for name in TABLES:
            row = con.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()
            counts[name] = int(row[0]) if row else 0
        batches = [
            BatchInfo(*r)
            for r in con.execute(
                "SELECT batch_id, source, imported_at, period_start, period_end, rows_read, "
                "rows_accepted, rows_rejected FROM batches ORDER BY imported_at"
            ).fetchall()
        ]
        quarantine = {
            (t, r): int(n)
            for t, r, n in con.execute(
                "SELECT table_name, rule, count(*) FROM quarantine GROUP BY ALL ORDER BY ALL"
            ).fetchall()
        }
        return WarehouseInfo(path, schema_steps(con), counts, batches, quarantine)


@dataclass(frozen=True)
class QuarantinedRow:
    batch_id: str
    table: str
    file: str
    row: int
    rule: str
    column: str | None
    value: str | None
    message: str


def quarantined_rows(
    path: Path | None = None,
    *,
    table: str | None = None,
    rule: str | None = None,
    limit: int = 20,
) -> list[QuarantinedRow]:
    """The first ``limit`` quarantined rows, optionally of one table and one rule."""
    with connect(path, read_only=True) as con:
        rows = con.execute(
            """
            SELECT batch_id, table_name, file, "row", rule, "column", value, message
            FROM quarantine
            WHERE (? IS NULL OR table_name = ?) AND (? IS NULL OR rule = ?)
            ORDER BY batch_id, table_name, file, "row"
            LIMIT ?
            """,
            [table, table, rule, rule, limit],
        ).fetchall()
    return [QuarantinedRow(*r) for r in rows]
