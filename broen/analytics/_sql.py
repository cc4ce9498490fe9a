"""Small SQL helpers for DuckDB: quoting names and literals, a transaction block, and whether a
table exists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import duckdb


def quote(name: str) -> str:
    """A quoted identifier: ``a"b`` -> ``"a""b"``."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A string literal: ``it's`` -> ``'it''s'``."""
    return "'" + value.replace("'", "''") + "'"


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one transaction: committed when it ends, rolled back when it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        # DuckDB invalidates a database after an internal error and then refuses even the
        # rollback; nothing was committed, and the error that matters is the first one.
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the database holds a table or view ``name`` (temporary ones do not count)."""
    # fetchall, not fetchone: DuckDB 2 refuses register() while a result is left unfinished.
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
        "AND table_schema = 'main' AND table_catalog = current_database()",
        [name],
    ).fetchall()
    return bool(rows[0][0])
