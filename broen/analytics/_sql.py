"""Small SQL helpers for DuckDB: quoting names and literals, and a transaction block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
