"""Reading the panel back for comparisons."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb

from broen.analytics.panel import PANEL_COLUMNS

Row = dict[str, object]


def panel_cells(warehouse: Path) -> dict[tuple[str, str], Row]:
    """Every panel row by (person_id, "YYYY-MM")."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("SELECT * FROM panel").fetchall()
    return {(r[0], f"{r[1]:%Y-%m}"): dict(zip(PANEL_COLUMNS, r, strict=True)) for r in rows}


def same(a: object, b: object) -> bool:
    """Equal; money within 1e-9 relative (sums of spread costs depend on the adding order)."""
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


def differences(x: dict[tuple[str, str], Row], y: dict[tuple[str, str], Row]) -> list[str]:
    out = [f"only in first: {k}" for k in x.keys() - y.keys()]
    out += [f"only in second: {k}" for k in y.keys() - x.keys()]
    for key in x.keys() & y.keys():
        for column in PANEL_COLUMNS:
            if not same(x[key][column], y[key][column]):
                out.append(f"{key} {column}: {x[key][column]!r} != {y[key][column]!r}")
    return sorted(out)
