"""The warehouse schema: created and versioned by migrations; a newer warehouse is refused."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from broen.analytics import TABLES, WarehouseError, connect
from broen.analytics._migrations import capabilities, schema_steps

LATEST = {c.name: c.latest for c in capabilities()}
STEPS = sum(LATEST.values())


def test_a_new_warehouse_gets_every_contract_table_and_the_current_version(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert schema_steps(con) == LATEST
    assert set(TABLES) <= names
    assert {"batches", "batch_files", "quarantine", "schema_migrations"} <= names


def test_contract_tables_have_the_contract_columns_in_order(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        for name, table in TABLES.items():
            cols = [r[0] for r in con.execute(f'DESCRIBE "{name}"').fetchall()]
            assert cols == [*table.column_names, "batch_id"]


def test_opening_again_applies_nothing(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb"):
        pass
    with connect(tmp_path / "w.duckdb") as con:
        rows = con.execute("SELECT count(*) FROM schema_steps").fetchone()
        legacy = con.execute("SELECT count(*) FROM schema_migrations").fetchone()
    assert rows == (STEPS,)
    assert legacy == (1,)  # only the guard against a Broen from before capabilities


@pytest.mark.parametrize(
    "step", [("panel", LATEST["panel"] + 1), ("a_future_capability", 1)], ids=str
)
@pytest.mark.parametrize("read_only", [False, True])
def test_a_warehouse_from_a_newer_broen_is_refused(
    tmp_path: Path, step: tuple[str, int], read_only: bool
) -> None:
    with connect(tmp_path / "w.duckdb"):
        pass
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("INSERT INTO schema_steps VALUES (?, ?, 'future', now())", list(step))
    with (
        pytest.raises(WarehouseError, match="upgrade Broen"),
        connect(tmp_path / "w.duckdb", read_only=read_only),
    ):
        pass


def test_reading_a_missing_warehouse_says_to_import_first(tmp_path: Path) -> None:
    with (
        pytest.raises(WarehouseError, match="broen import"),
        connect(tmp_path / "none.duckdb", read_only=True),
    ):
        pass
