"""The register warehouse: one DuckDB file with the contract tables, batches and quarantine.

The schema is versioned: ``schema_migrations`` records every migration applied, and opening a
warehouse applies the missing ones in one transaction. A warehouse written by a newer Broen is
refused rather than guessed at.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from broen.analytics._contract import TABLES, Column, Table
from broen.analytics._exceptions import WarehouseError
from broen.analytics._sql import quote, transaction

DEFAULT_WAREHOUSE = Path("broen-data") / "warehouse.duckdb"
WAREHOUSE_ENV = "BROEN_WAREHOUSE"
MEMORY_ENV = "BROEN_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "6GB"  # DuckDB spills to <warehouse>.tmp beyond this

SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "bool": "BOOLEAN",
    "week": "VARCHAR",
}


def default_warehouse_path() -> Path:
    """``$BROEN_WAREHOUSE`` if set, else ``broen-data/warehouse.duckdb``."""
    return Path(os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE)


def sql_type(column: Column) -> str:
    return "INTEGER" if column.name == "municipality" else SQL_TYPES[column.type]


def _create_contract_table(table: Table) -> str:
    cols = ",\n    ".join(f"{quote(c.name)} {sql_type(c)}" for c in table.columns)
    return f"CREATE TABLE {quote(table.name)} (\n    {cols},\n    batch_id VARCHAR NOT NULL\n)"


def _migration_1(con: duckdb.DuckDBPyConnection) -> None:
    for table in TABLES.values():
        con.execute(_create_contract_table(table))
    con.execute(
        """
        CREATE TABLE batches (
            batch_id VARCHAR PRIMARY KEY,
            source VARCHAR NOT NULL,
            extract_sha256 VARCHAR NOT NULL,
            imported_at TIMESTAMP NOT NULL,
            period_start DATE,
            period_end DATE,
            description VARCHAR,
            contract_version INTEGER NOT NULL,
            rows_read BIGINT NOT NULL,
            rows_accepted BIGINT NOT NULL,
            rows_rejected BIGINT NOT NULL
        )"""
    )
    con.execute(
        """
        CREATE TABLE batch_files (
            batch_id VARCHAR NOT NULL,
            table_name VARCHAR NOT NULL,
            file VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            format VARCHAR NOT NULL,
            rows_read BIGINT NOT NULL,
            rows_accepted BIGINT NOT NULL,
            rows_rejected BIGINT NOT NULL
        )"""
    )
    con.execute(
        """
        CREATE TABLE quarantine (
            batch_id VARCHAR NOT NULL,
            table_name VARCHAR NOT NULL,
            file VARCHAR NOT NULL,
            "row" BIGINT NOT NULL,
            rule VARCHAR NOT NULL,
            "column" VARCHAR,
            value VARCHAR,
            message VARCHAR NOT NULL,
            raw VARCHAR
        )"""
    )


def _migration_cohorts(con: duckdb.DuckDBPyConnection) -> None:
    """Cohorts built from definitions (broen.analytics.cohort): members and attrition."""
    con.execute(
        """
        CREATE TABLE cohorts (
            cohort VARCHAR PRIMARY KEY,
            title VARCHAR,
            definition_file VARCHAR,
            definition_sha256 VARCHAR NOT NULL,
            index_rule VARCHAR NOT NULL,
            built_at TIMESTAMP NOT NULL,
            n_persons BIGINT NOT NULL,
            n_rows BIGINT NOT NULL
        )"""
    )
    con.execute(
        "CREATE TABLE cohort_members (cohort VARCHAR NOT NULL, person_id VARCHAR NOT NULL, "
        "index_date DATE NOT NULL)"
    )
    con.execute(
        """
        CREATE TABLE cohort_attrition (
            cohort VARCHAR NOT NULL,
            step INTEGER NOT NULL,
            criterion VARCHAR NOT NULL,
            persons_before BIGINT NOT NULL,
            persons_kept BIGINT NOT NULL,
            persons_removed BIGINT NOT NULL,
            rows_before BIGINT NOT NULL,
            rows_kept BIGINT NOT NULL,
            rows_removed BIGINT NOT NULL,
            note VARCHAR
        )"""
    )


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


def _migration_panel(con: duckdb.DuckDBPyConnection) -> None:
    """The person-month panel's dirty persons and builds; the period source of batches
    (extract.json or the events). The panel itself is written by its builds."""
    con.execute("ALTER TABLE batches ADD COLUMN period_source VARCHAR")
    con.execute(
        "UPDATE batches SET period_source = 'extract.json' "
        "WHERE period_start IS NOT NULL AND period_end IS NOT NULL"
    )
    rows = con.execute(
        "SELECT batch_id, period_start, period_end FROM batches WHERE period_source IS NULL"
    ).fetchall()
    for batch_id, start, end in rows:
        lo, hi = event_period(con, batch_id)
        con.execute(
            "UPDATE batches SET period_start = ?, period_end = ?, period_source = 'events' "
            "WHERE batch_id = ?",
            [start or lo, end or hi, batch_id],
        )
    con.execute("CREATE TABLE panel_dirty (person_id VARCHAR NOT NULL, marked_at TIMESTAMP)")
    con.execute(
        """
        CREATE TABLE panel_builds (
            built_at TIMESTAMP NOT NULL,
            mode VARCHAR NOT NULL,
            engine VARCHAR NOT NULL,
            period_start DATE NOT NULL,
            period_end DATE NOT NULL,
            payers VARCHAR NOT NULL,
            payers_fingerprint VARCHAR NOT NULL,
            pipeline_version INTEGER NOT NULL,
            persons BIGINT NOT NULL,
            rows_written BIGINT NOT NULL,
            seconds DOUBLE NOT NULL
        )"""
    )


def _migration_panel_view(con: duckdb.DuckDBPyConnection) -> None:
    """Builds of panel pipeline version 2 store ``panel_base`` and expose the view ``panel``:
    the table ``panel`` of version 1 goes, and the next build is a full one."""
    con.execute("DROP TABLE IF EXISTS panel")


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "contract v1 tables, batches, batch files, quarantine", _migration_1),
    Migration(2, "cohorts, cohort members and cohort attrition", _migration_cohorts),
    Migration(
        3, "person-month panel, dirty persons, panel builds, batch period source", _migration_panel
    ),
    Migration(4, "the panel as a view over panel_base", _migration_panel_view),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the warehouse holds a table or view ``name`` (temporary ones do not count)."""
    # fetchall, not fetchone: DuckDB 2 refuses register() while a result is left unfinished.
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
        "AND table_schema = 'main' AND table_catalog = current_database()",
        [name],
    ).fetchall()
    return bool(rows[0][0])


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    if not has_table(con, "schema_migrations"):
        return 0
    (version,) = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[
        0
    ]
    return int(version)


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations this warehouse lacks, all in one transaction."""
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise WarehouseError(
            f"The warehouse has schema version {current}, newer than this Broen knows "
            f"({SCHEMA_VERSION}): upgrade Broen."
        )
    pending = [m for m in MIGRATIONS if m.version > current]
    if not pending:
        return []
    with transaction(con):
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
        )
        for m in pending:
            m.apply(con)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [m.version, m.description, datetime.now()],
            )
    return [m.version for m in pending]


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
            version = schema_version(con)
            if version != SCHEMA_VERSION:
                raise WarehouseError(
                    f"The warehouse {path} has schema version {version}, this Broen uses "
                    f"{SCHEMA_VERSION}: open it once for writing (e.g. 'broen import') to migrate."
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
    """What ``broen warehouse info`` shows: tables, counts, batches and quarantine counts."""

    path: Path
    schema_version: int
    table_rows: dict[str, int]
    batches: list[BatchInfo]
    quarantine: dict[tuple[str, str], int]  # (table, rule) -> rows


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
        return WarehouseInfo(path, schema_version(con), counts, batches, quarantine)


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
