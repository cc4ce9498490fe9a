"""The import's warehouse tables: the contract tables, batches, batch files and quarantine.

Registered in ``broen.analytics._migrations`` as the capability ``import`` (docs/warehouse.md).
"""

from __future__ import annotations

import duckdb

from broen.analytics._contract import TABLES, Column, Table
from broen.analytics._migrations import Capability, Step
from broen.analytics._sql import quote
from broen.analytics._warehouse import event_period

SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "bool": "BOOLEAN",
    "week": "VARCHAR",
}


def sql_type(column: Column) -> str:
    return "INTEGER" if column.name == "municipality" else SQL_TYPES[column.type]


def _create_contract_table(table: Table) -> str:
    cols = ",\n    ".join(f"{quote(c.name)} {sql_type(c)}" for c in table.columns)
    return f"CREATE TABLE {quote(table.name)} (\n    {cols},\n    batch_id VARCHAR NOT NULL\n)"


def _tables(con: duckdb.DuckDBPyConnection) -> None:
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


def _period_source(con: duckdb.DuckDBPyConnection) -> None:
    """Where a batch's period comes from (extract.json or the events); a batch without a
    period gets the first and last date of its events."""
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


SCHEMA = Capability(
    "import",
    (
        Step(1, "contract v1 tables, batches, batch files, quarantine", _tables, legacy=1),
        Step(2, "batch period source (extract.json or the events)", _period_source, legacy=3),
    ),
)
