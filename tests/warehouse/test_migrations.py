"""Migrations per capability: an old warehouse (one version number for everything) is upgraded
with its data, a failed migration leaves the warehouse as it was, and a new capability adds its
tables by registering its steps."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from broen.analytics import WarehouseError, connect, warehouse_info
from broen.analytics import _migrations as migrations
from broen.analytics._migrations import Capability, Step, capabilities
from tests.warehouse.legacy_schema import APPLIED_AT, OLD_MIGRATIONS, old_warehouse

LATEST = {"import": 2, "cohort": 1, "panel": 2}
BATCH = (
    "INSERT INTO batches (batch_id, source, extract_sha256, imported_at, period_start, "
    "period_end, contract_version, rows_read, rows_accepted, rows_rejected) "
    "VALUES (?, 'region', 'sha', TIMESTAMP '2024-02-01 10:00', ?, ?, 1, 2, 2, 0)"
)


def snapshot(path: Path) -> dict[str, Any]:
    """Every table and view of the warehouse with its columns and rows."""
    with duckdb.connect(str(path), read_only=True) as con:
        kinds = con.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_schema = 'main' ORDER BY ALL"
        ).fetchall()
        out: dict[str, Any] = {"kinds": kinds}
        for name, _ in kinds:
            columns = [r[0] for r in con.execute(f'DESCRIBE "{name}"').fetchall()]
            out[name] = (columns, con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall())
        return out


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _fill_version_4(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(BATCH, ["b1", date(2020, 1, 1), date(2022, 12, 31)])
        con.execute("UPDATE batches SET period_source = 'extract.json'")
        con.execute(
            "INSERT INTO persons (person_id, birth_date, sex, batch_id) VALUES "
            "('p1', DATE '1950-01-01', 'F', 'b1'), ('p2', DATE '1960-01-01', 'M', 'b1')"
        )
        con.execute("INSERT INTO cohort_members VALUES ('c', 'p1', DATE '2021-01-01')")
        con.execute(
            "INSERT INTO cohorts VALUES ('c', 'C', 'c.yaml', 'sha', 'fixed', "
            "TIMESTAMP '2024-02-02 10:00', 1, 1)"
        )
        con.execute("INSERT INTO panel_dirty VALUES ('p2', TIMESTAMP '2024-02-03 10:00')")
        con.execute("CREATE TABLE panel_base AS SELECT 'p1' AS person_id, 3.5 AS cost")
        con.execute("CREATE VIEW panel AS SELECT * FROM panel_base")


def test_the_old_schema_replayed_is_the_schema_a_new_warehouse_gets(tmp_path: Path) -> None:
    old_warehouse(tmp_path / "old.duckdb", 4)
    with connect(tmp_path / "new.duckdb"):
        pass
    old, new = snapshot(tmp_path / "old.duckdb"), snapshot(tmp_path / "new.duckdb")
    tables = {name for name, _ in new["kinds"]} - {"schema_steps", "schema_migrations"}
    assert tables == {name for name, _ in old["kinds"]} - {"schema_migrations"}
    assert all(old[name][0] == new[name][0] for name in tables)


def test_an_old_warehouse_at_version_4_is_upgraded_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    old_warehouse(path, 4)
    _fill_version_4(path)
    before = snapshot(path)

    with connect(path) as con:
        assert migrations.migrate(con) == []  # everything was applied on opening
    after = snapshot(path)

    assert {k: v for k, v in after.items() if k not in ("kinds", "schema_steps")} == {
        **{k: v for k, v in before.items() if k != "kinds"},
        "schema_migrations": (
            before["schema_migrations"][0],
            [
                *before["schema_migrations"][1],
                (5, migrations.LEGACY_GUARD_NOTE, after["schema_migrations"][1][-1][2]),
            ],
        ),
    }
    # Every step is recorded with the time its old version was applied: nothing ran again.
    steps = _rows(path, "SELECT capability, step, applied_at FROM schema_steps ORDER BY ALL")
    assert steps == [
        ("cohort", 1, APPLIED_AT[2]),
        ("import", 1, APPLIED_AT[1]),
        ("import", 2, APPLIED_AT[3]),
        ("panel", 1, APPLIED_AT[3]),
        ("panel", 2, APPLIED_AT[4]),
    ]
    assert warehouse_info(path).schema == LATEST
    # A Broen from before capabilities now reads version 5 and refuses ("upgrade Broen").
    assert _rows(path, "SELECT max(version) FROM schema_migrations") == [(5,)]
    assert len(OLD_MIGRATIONS) == migrations.LEGACY_LAST < 5


def test_an_old_warehouse_at_version_1_gets_the_later_steps(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    old_warehouse(path, 1)
    with duckdb.connect(str(path)) as con:
        con.execute(BATCH, ["dated", date(2020, 1, 1), date(2020, 12, 31)])
        con.execute(BATCH, ["undated", None, None])
        con.execute(
            "INSERT INTO prescriptions (person_id, dispensing_date, batch_id) VALUES "
            "('p1', DATE '2021-03-05', 'undated'), ('p1', DATE '2022-07-01', 'undated')"
        )
    before = snapshot(path)

    with connect(path):
        pass

    periods = _rows(
        path, "SELECT batch_id, period_start, period_end, period_source FROM batches ORDER BY 1"
    )
    assert periods == [
        ("dated", date(2020, 1, 1), date(2020, 12, 31), "extract.json"),
        ("undated", date(2021, 3, 5), date(2022, 7, 1), "events"),
    ]
    after = snapshot(path)
    assert after["prescriptions"] == before["prescriptions"]
    assert {"cohorts", "cohort_members", "panel_dirty", "panel_builds"} <= set(after)
    steps = _rows(path, "SELECT capability, step, applied_at FROM schema_steps ORDER BY ALL")
    assert [(c, s) for c, s, _ in steps] == [
        ("cohort", 1),
        ("import", 1),
        ("import", 2),
        ("panel", 1),
        ("panel", 2),
    ]
    assert ("import", 1, APPLIED_AT[1]) in steps
    assert all(t is not None and t > APPLIED_AT[4] for c, s, t in steps if (c, s) != ("import", 1))


def test_an_old_warehouse_at_version_3_loses_its_old_panel_table(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    old_warehouse(path, 3)
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE panel (person_id VARCHAR)")
    with connect(path):
        pass
    assert "panel" not in snapshot(path)
    assert warehouse_info(path).schema == LATEST


def test_an_old_warehouse_is_read_without_migrating_when_it_lacks_no_table(
    tmp_path: Path,
) -> None:
    complete, behind = tmp_path / "complete.duckdb", tmp_path / "behind.duckdb"
    old_warehouse(complete, 4)
    old_warehouse(behind, 3)
    with connect(complete, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM batches").fetchall() == [(0,)]
    assert "schema_steps" not in snapshot(complete)  # read, not changed
    with (
        pytest.raises(WarehouseError, match=r"panel 2 .*open it once for writing"),
        connect(behind, read_only=True),
    ):
        pass


def test_an_old_warehouse_of_an_unknown_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    old_warehouse(path, 4)
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO schema_migrations VALUES (5, 'from the future', now())")
    before = snapshot(path)
    with pytest.raises(WarehouseError, match="upgrade Broen"), connect(path):
        pass
    assert snapshot(path) == before


def _with(monkeypatch: pytest.MonkeyPatch, *extra: Capability) -> None:
    registered = capabilities()
    monkeypatch.setattr(migrations, "capabilities", lambda: (*registered, *extra))


def _create_then_fail(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE half_done AS SELECT 1 AS x")
    con.execute("INSERT INTO persons (person_id, batch_id) VALUES ('intruder', 'b')")
    raise RuntimeError("step failed")


BROKEN = Capability("broken", (Step(1, "creates a table, then fails", _create_then_fail),))


def test_a_failed_migration_leaves_an_old_warehouse_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.duckdb"
    old_warehouse(path, 1)
    with duckdb.connect(str(path)) as con:
        con.execute(BATCH, ["undated", None, None])
    before = snapshot(path)
    _with(monkeypatch, BROKEN)

    with pytest.raises(RuntimeError, match="step failed"), connect(path):
        pass

    assert snapshot(path) == before  # no schema_steps, no period_source, no cohorts, no rows
    monkeypatch.undo()
    with connect(path):
        pass
    assert warehouse_info(path).schema == LATEST


def test_a_failed_step_of_a_new_capability_leaves_a_current_warehouse_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.duckdb"
    with connect(path):
        pass
    before = snapshot(path)
    first = Step(1, "a table", lambda con: con.execute("CREATE TABLE later_a (x INTEGER)"))
    _with(monkeypatch, Capability("later", (first, Step(2, "fails", _create_then_fail))))

    with pytest.raises(RuntimeError, match="step failed"), connect(path):
        pass

    assert snapshot(path) == before


def test_a_new_capability_adds_its_tables_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.duckdb"
    with connect(path):
        pass
    calls: list[int] = []

    def first(con: duckdb.DuckDBPyConnection) -> None:
        calls.append(1)
        con.execute("CREATE TABLE later_runs (run_id VARCHAR PRIMARY KEY)")

    def second(con: duckdb.DuckDBPyConnection) -> None:
        calls.append(2)
        con.execute("ALTER TABLE later_runs ADD COLUMN started_at TIMESTAMP")

    _with(monkeypatch, Capability("later", (Step(1, "runs", first), Step(2, "start", second))))
    with connect(path) as con:
        assert migrations.migrate(con) == []
        con.execute("INSERT INTO later_runs VALUES ('r1', TIMESTAMP '2024-05-01 00:00')")
    with connect(path):
        pass

    assert calls == [1, 2]
    assert warehouse_info(path).schema == {**LATEST, "later": 2}
    assert _rows(path, "SELECT * FROM later_runs") == [("r1", datetime(2024, 5, 1))]
    monkeypatch.undo()  # a Broen without the capability refuses the warehouse
    with pytest.raises(WarehouseError, match=r"later step 1, later step 2.*upgrade Broen"):
        warehouse_info(path)


def test_the_registry_maps_every_old_version_and_numbers_steps() -> None:
    known = capabilities()
    assert {c.name: c.latest for c in known} == LATEST
    legacy = {s.legacy for c in known for s in c.steps} - {None}
    assert legacy == {v for v, _, _ in OLD_MIGRATIONS}
    with pytest.raises(ValueError, match="numbered"):
        Capability("bad", (Step(2, "two", lambda con: None),))


def test_the_warehouse_module_does_not_import_the_capabilities() -> None:
    code = (
        "import sys, broen.analytics._warehouse\n"
        "loaded = [m for m in sys.modules if m.startswith('broen.') and (m.endswith('_schema')"
        " or '.panel' in m or '.cohort' in m)]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
