"""Build a cohort in the warehouse (DuckDB) and list the cohorts built."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from broen.analytics._exceptions import WarehouseError
from broen.analytics._source import DuckDBSource
from broen.analytics._sql import transaction
from broen.analytics._warehouse import connect, default_warehouse_path
from broen.analytics.cohort._definitions import find_definition
from broen.analytics.cohort._evaluate import AttritionStep, CohortResult, evaluate_cohort
from broen.analytics.cohort._model import CohortDefinition, IndexRule


@dataclass(frozen=True)
class CohortReport:
    """What ``broen cohort build`` shows: the cohort's size and its attrition."""

    name: str
    title: str
    definition_file: str
    definition_sha256: str
    index_rule: str
    built_at: datetime
    n_persons: int
    n_rows: int
    attrition: tuple[AttritionStep, ...]
    warnings: tuple[str, ...] = ()  # where the data do not cover the definition (not stored)


@dataclass(frozen=True)
class CohortInfo:
    name: str
    title: str
    definition_file: str
    index_rule: str
    built_at: datetime
    n_persons: int
    n_rows: int


def build_cohort(
    definition: CohortDefinition | str | Path,
    warehouse: Path | None = None,
    *,
    index: IndexRule | None = None,
) -> CohortReport:
    """Evaluate a definition on the warehouse and store members and attrition, replacing an
    earlier build of the same cohort in one transaction. ``index`` overrides the index rule
    (e.g. a programme's inclusion dates instead of monthly dates)."""
    if not isinstance(definition, CohortDefinition):
        definition = find_definition(definition)
    if index is not None:
        definition = replace(definition, index=index)
    with _existing(warehouse) as con, DuckDBSource(con, prefix="_broen_cohort") as source:
        result = evaluate_cohort(definition, source)
        built_at = datetime.now().replace(microsecond=0)
        _store(con, result, built_at)
    return CohortReport(
        name=definition.name,
        title=definition.title,
        definition_file=definition.source,
        definition_sha256=definition.sha256,
        index_rule=definition.index.describe(),
        built_at=built_at,
        n_persons=result.n_persons,
        n_rows=result.n_rows,
        attrition=result.attrition,
        warnings=result.warnings,
    )


def _store(con: duckdb.DuckDBPyConnection, result: CohortResult, built_at: datetime) -> None:
    d = result.definition
    con.register("_broen_members", result.members.to_native())
    try:
        with transaction(con):
            for table in ("cohorts", "cohort_members", "cohort_attrition"):
                con.execute(f"DELETE FROM {table} WHERE cohort = ?", [d.name])
            con.execute(
                "INSERT INTO cohort_members SELECT ?, person_id, index_date FROM _broen_members "
                "ORDER BY person_id, index_date",
                [d.name],
            )
            con.executemany(
                "INSERT INTO cohort_attrition VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        d.name,
                        s.step,
                        s.criterion,
                        s.persons_before,
                        s.persons_kept,
                        s.persons_removed,
                        s.rows_before,
                        s.rows_kept,
                        s.rows_removed,
                        s.note or None,
                    ]
                    for s in result.attrition
                ],
            )
            con.execute(
                "INSERT INTO cohorts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    d.name,
                    d.title,
                    d.source,
                    d.sha256,
                    d.index.describe(),
                    built_at,
                    result.n_persons,
                    result.n_rows,
                ],
            )
    finally:
        con.unregister("_broen_members")


def _existing(warehouse: Path | None) -> Any:
    path = Path(warehouse) if warehouse is not None else default_warehouse_path()
    if not path.exists():
        raise WarehouseError(f"There is no warehouse at {path}: run 'broen import' first.")
    return connect(path)


def list_cohorts(warehouse: Path | None = None) -> list[CohortInfo]:
    with _existing(warehouse) as con:
        rows = con.execute(
            "SELECT cohort, coalesce(title, ''), coalesce(definition_file, ''), index_rule, "
            "built_at, n_persons, n_rows FROM cohorts ORDER BY cohort"
        ).fetchall()
    return [CohortInfo(*r) for r in rows]


def cohort_members(name: str, warehouse: Path | None = None) -> list[tuple[str, date]]:
    with _existing(warehouse) as con:
        rows = con.execute(
            "SELECT person_id, index_date FROM cohort_members WHERE cohort = ? ORDER BY ALL",
            [name],
        ).fetchall()
    return [(str(p), d) for p, d in rows]


def cohort_attrition(name: str, warehouse: Path | None = None) -> list[AttritionStep]:
    with _existing(warehouse) as con:
        rows = con.execute(
            "SELECT step, criterion, persons_before, persons_kept, persons_removed, rows_before, "
            "rows_kept, rows_removed, coalesce(note, '') FROM cohort_attrition WHERE cohort = ? "
            "ORDER BY step",
            [name],
        ).fetchall()
    return [AttritionStep(*r) for r in rows]
