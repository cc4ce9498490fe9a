"""Small helpers for warehouse tests: write tiny extracts, snapshot a warehouse's content."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

PERSONS_HEADER = "person_id,birth_date,sex,municipality"


def write(root: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_bytes(text.encode(encoding))
    return path


def persons_csv(root: Path, *rows: str) -> Path:
    body = rows or ("a1,1960-01-01,F,360", "a2,1970-06-30,M,376")
    return write(root, "persons.csv", PERSONS_HEADER + "\n" + "\n".join(body) + "\n")


def snapshot(warehouse: Path) -> dict[str, str]:
    """Every table of the warehouse as a hash of its sorted rows: equal means same content."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        out = {}
        for name in sorted(names):
            rows = con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall()
            out[name] = hashlib.sha256(repr(rows).encode()).hexdigest() + f":{len(rows)}"
        return out


def quarantine(warehouse: Path) -> list[tuple[str, str, int, str, str | None, str | None]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            'SELECT table_name, file, "row", rule, "column", value FROM quarantine ORDER BY ALL'
        ).fetchall()


def cpr_shaped(day: int, month: int, yy: int, serial: int, *, hyphen: bool = True) -> str:
    """A string shaped like a CPR number, built at test time: the repository holds none."""
    return f"{day:02d}{month:02d}{yy:02d}{'-' if hyphen else ''}{serial:04d}"
