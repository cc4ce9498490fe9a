"""The warehouse schema, capability by capability: who creates which tables, and what was applied.

Each capability (the import, cohorts, the panel, ...) owns its tables and declares how to create
and change them in its own schema module, as a :class:`Capability`: a name and its ordered
:class:`Step`s. ``CAPABILITY_MODULES`` lists those modules, in the order they migrate (a step may
use the tables of the capabilities listed before its own). They are imported when a warehouse is
opened, not when this module is, so that the warehouse module never imports the packages that
use it. docs/warehouse.md says how a capability adds its tables.

Bookkeeping: ``schema_steps`` holds one row per step applied (capability, step, description,
time). Opening a warehouse applies the missing steps, all in one transaction: a step that fails
leaves the warehouse as it was. A warehouse with a step or a capability this Broen does not know
was written by a newer Broen and is refused.

Before capabilities, ``schema_migrations`` numbered every migration 1..4 across the whole
warehouse. A warehouse that has only that table is upgraded: each old version counts as the steps
that declare it as their ``legacy`` version (the old version 3 created the panel's tables and
the batches' period source, now steps of two capabilities), and the missing steps are applied.
``schema_migrations`` stays, with one more version (``LEGACY_GUARD``), so that a Broen from
before capabilities refuses the warehouse as newer than it knows instead of using it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import duckdb

from broen.analytics._exceptions import WarehouseError
from broen.analytics._sql import has_table, quote, transaction

# The schema modules, each with a ``SCHEMA`` Capability, in migration order.
CAPABILITY_MODULES: tuple[str, ...] = (
    "broen.analytics._import_schema",
    "broen.analytics.cohort._schema",
    "broen.analytics.panel._schema",
)
STEPS_TABLE = "schema_steps"
LEGACY_TABLE = "schema_migrations"
LEGACY_LAST = 4  # the last version numbered across the warehouse
LEGACY_GUARD = LEGACY_LAST + 1  # makes a Broen from before capabilities refuse the warehouse
LEGACY_GUARD_NOTE = "later migrations are recorded per capability in schema_steps"


@dataclass(frozen=True)
class Step:
    """One change of a capability's tables. ``apply`` runs inside the migration's transaction
    and must not commit. ``legacy``: the version of ``schema_migrations`` that applied this
    step before capabilities (None for every step added since)."""

    number: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]
    legacy: int | None = None


@dataclass(frozen=True)
class Capability:
    """A part of Broen that owns warehouse tables: its name and its steps, numbered 1, 2, ...
    A step, once released, never changes: a change of the tables is a new step."""

    name: str
    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        numbers = [s.number for s in self.steps]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"the steps of {self.name!r} are not numbered 1..n: {numbers}")

    @property
    def latest(self) -> int:
        return len(self.steps)


def capabilities() -> tuple[Capability, ...]:
    """The registered capabilities, in migration order (their modules imported now)."""
    found = tuple(importlib.import_module(m).SCHEMA for m in CAPABILITY_MODULES)
    names = [c.name for c in found]
    if len(set(names)) != len(names):
        raise ValueError(f"capability names are not unique: {names}")
    return found


def _legacy_versions(con: duckdb.DuckDBPyConnection) -> dict[int, datetime | None]:
    if not has_table(con, LEGACY_TABLE):
        return {}
    rows = con.execute(f"SELECT version, applied_at FROM {quote(LEGACY_TABLE)}").fetchall()
    return {int(v): t for v, t in rows}


def applied(
    con: duckdb.DuckDBPyConnection, known: tuple[Capability, ...]
) -> dict[tuple[str, int], datetime | None]:
    """The steps applied to the warehouse, with the time each was applied.

    A warehouse from before capabilities is read through the steps' legacy versions."""
    if has_table(con, STEPS_TABLE):
        sql = f"SELECT capability, step, applied_at FROM {quote(STEPS_TABLE)}"
        rows = con.execute(sql).fetchall()
        return {(str(c), int(s)): t for c, s, t in rows}
    versions = _legacy_versions(con)
    newer = sorted(v for v in versions if v > LEGACY_LAST)
    if newer:
        raise WarehouseError(
            f"The warehouse has schema version {newer[-1]}, newer than this Broen knows "
            f"({LEGACY_LAST}): upgrade Broen."
        )
    return {
        (c.name, s.number): versions[s.legacy]
        for c in known
        for s in c.steps
        if s.legacy is not None and s.legacy in versions
    }


def _missing(
    known: tuple[Capability, ...], done: Mapping[tuple[str, int], object]
) -> list[tuple[Capability, Step]]:
    return [(c, s) for c in known for s in c.steps if (c.name, s.number) not in done]


def _refuse_newer(done: Mapping[tuple[str, int], object], known: tuple[Capability, ...]) -> None:
    latest = {c.name: c.latest for c in known}
    unknown = sorted(f"{name} step {step}" for name, step in done if step > latest.get(name, 0))
    if unknown:
        raise WarehouseError(
            f"The warehouse has schema steps this Broen does not know ({', '.join(unknown)}): "
            "it was written by a newer Broen; upgrade Broen."
        )


def pending(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The steps this warehouse lacks, as ``"capability step"``; refuses a newer warehouse."""
    known = capabilities()
    done = applied(con, known)
    _refuse_newer(done, known)
    return [f"{c.name} {s.number}" for c, s in _missing(known, done)]


def schema_steps(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per capability, the last step applied (legacy warehouses read through their versions)."""
    known = capabilities()
    order = {c.name: i for i, c in enumerate(known)}
    out: dict[str, int] = {}  # in migration order, then capabilities this Broen does not know
    for name, step in sorted(applied(con, known), key=lambda k: (order.get(k[0], len(order)), k)):
        out[name] = step
    return out


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the steps this warehouse lacks, all in one transaction; the steps applied."""
    known = capabilities()
    done = applied(con, known)
    _refuse_newer(done, known)
    todo = _missing(known, done)
    bookkeeping = has_table(con, STEPS_TABLE)
    if bookkeeping and not todo:
        return []
    with transaction(con):
        if not bookkeeping:
            _start_bookkeeping(con, known, done)
        for capability, step in todo:
            step.apply(con)
            con.execute(
                f"INSERT INTO {quote(STEPS_TABLE)} VALUES (?, ?, ?, ?)",
                [capability.name, step.number, step.description, datetime.now()],
            )
    return [f"{c.name} {s.number}" for c, s in todo]


def _start_bookkeeping(
    con: duckdb.DuckDBPyConnection,
    known: tuple[Capability, ...],
    done: dict[tuple[str, int], datetime | None],
) -> None:
    """Create ``schema_steps`` with the steps a legacy warehouse had, and guard it from a Broen
    before capabilities."""
    con.execute(
        f"""
        CREATE TABLE {quote(STEPS_TABLE)} (
            capability VARCHAR NOT NULL,
            step INTEGER NOT NULL,
            description VARCHAR,
            applied_at TIMESTAMP,
            PRIMARY KEY (capability, step)
        )"""
    )
    for c in known:
        for s in c.steps:
            if (c.name, s.number) in done:
                con.execute(
                    f"INSERT INTO {quote(STEPS_TABLE)} VALUES (?, ?, ?, ?)",
                    [c.name, s.number, s.description, done[c.name, s.number]],
                )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {quote(LEGACY_TABLE)} "
        "(version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
    )
    con.execute(
        f"INSERT INTO {quote(LEGACY_TABLE)} VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [LEGACY_GUARD, LEGACY_GUARD_NOTE, datetime.now()],
    )
