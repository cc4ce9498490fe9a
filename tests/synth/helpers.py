"""Reading a synthetic extract back with DuckDB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from broen.analytics._contract import TABLES


def connect(out_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per table of the extract (parquet parts or CSV)."""
    con = duckdb.connect()
    for name in TABLES:
        parts = out_dir / name
        csv = out_dir / f"{name}.csv"
        if parts.is_dir():
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{parts}/*.parquet')")
        elif csv.exists():
            read = f"read_csv('{csv}', header=true, all_varchar=true)"
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {read}")
    return con


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]
