"""Nothing leaks into the warehouse (issue 9, section 2): unknown columns, CPR numbers, network."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import duckdb
import pytest

from broen.analytics import ExtractError, WarehouseError, connect, import_extract
from tests.warehouse.helpers import cpr_shaped, persons_csv, snapshot, write

TODAY = date(2026, 11, 23)
# Shaped like a CPR number (a real day and month) but generated for the test, never a person's.
CPR_SHAPED = cpr_shaped(1, 1, 90, 1234, hyphen=False)


def _dump(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return repr([con.execute(f'SELECT * FROM "{n}"').fetchall() for n in names])


def test_an_ignored_column_never_reaches_the_warehouse_not_even_the_quarantine(
    tmp_path: Path,
) -> None:
    root = tmp_path / "x"
    write(
        root,
        "persons.csv",
        "person_id,cpr,birth_date,sex,municipality\n"
        f"a1,{CPR_SHAPED},1960-01-01,F,360\n"
        f"a2,{CPR_SHAPED[:-1]}5,1960-01-01,X,360\n"  # a rule broken: enum.value
        f"a3,{CPR_SHAPED[:-1]}7,1960-01-01,F,360,extra\n",  # malformed
    )
    warehouse = tmp_path / "w.duckdb"
    report = import_extract(root, warehouse=warehouse, today=TODAY)
    assert report.rows_rejected == 2
    assert report.files[0].ignored_columns == ["cpr"]
    dump = _dump(warehouse)
    assert CPR_SHAPED[:6] not in dump
    with duckdb.connect(str(warehouse), read_only=True) as con:
        malformed = con.execute(
            "SELECT value, message, raw FROM quarantine WHERE rule = 'row.malformed'"
        ).fetchall()
    assert malformed == [("6", "6 fields where the header has 5", None)]


def test_a_malformed_row_keeps_its_text_when_the_file_has_only_contract_columns(
    tmp_path: Path,
) -> None:
    root = tmp_path / "x"
    persons_csv(root, "a1,1960-01-01,F,360", "a2,1960-01-01,F")
    warehouse = tmp_path / "w.duckdb"
    import_extract(root, warehouse=warehouse, today=TODAY)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        raw = con.execute("SELECT raw FROM quarantine").fetchall()
    assert raw == [("a2,1960-01-01,F",)]


@pytest.mark.parametrize(
    "person_id", [CPR_SHAPED, cpr_shaped(1, 1, 90, 1234), cpr_shaped(29, 2, 0, 1234)]
)
def test_cpr_shaped_person_ids_are_refused_unless_allowed(tmp_path: Path, person_id: str) -> None:
    root = tmp_path / "x"
    persons_csv(root, f"{person_id},1990-01-01,F,360", "a2,1960-01-01,F,360")
    warehouse = tmp_path / "w.duckdb"
    with pytest.raises(ExtractError, match=r"1 person_id value in persons look like CPR.*"):
        import_extract(root, warehouse=warehouse, today=TODAY)
    with pytest.raises(ExtractError, match=r"broen pseudonymise .* --allow-cpr"):
        import_extract(root, warehouse=warehouse, today=TODAY)
    report = import_extract(root, warehouse=warehouse, today=TODAY, allow_cpr=True)
    assert report.rows_accepted == 2


def test_cpr_shaped_ids_in_an_event_table_are_refused_too(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    write(
        root, "primary_care.csv", f"person_id,date,provider,fee_dkk\n{CPR_SHAPED},2021-01-01,gp,1\n"
    )
    with pytest.raises(ExtractError, match="in primary_care look like CPR"):
        import_extract(root, warehouse=tmp_path / "w.duckdb", today=TODAY)


@pytest.mark.parametrize(
    "person_id",
    [
        cpr_shaped(32, 1, 90, 1234, hyphen=False),  # no 32nd day
        cpr_shaped(1, 13, 90, 1234, hyphen=False),  # no 13th month
        cpr_shaped(1, 1, 90, 1234, hyphen=False) + "5",  # eleven digits
        "a" + cpr_shaped(1, 1, 90, 1234, hyphen=False)[1:],
    ],
)
def test_ids_that_only_resemble_cpr_numbers_are_accepted(tmp_path: Path, person_id: str) -> None:
    root = tmp_path / "x"
    persons_csv(root, f"{person_id},1990-01-01,F,360")
    report = import_extract(root, warehouse=tmp_path / "w.duckdb", today=TODAY)
    assert report.rows_accepted == 1


def test_a_sqlite_file_is_refused_as_a_warehouse_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    before = path.read_bytes()
    root = tmp_path / "x"
    persons_csv(root)
    with pytest.raises(WarehouseError, match="SQLite database, not a Broen warehouse"):
        import_extract(root, warehouse=path, today=TODAY)
    assert path.read_bytes() == before


def test_every_warehouse_connection_refuses_to_fetch_extensions(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        settings = dict(
            con.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('autoinstall_known_extensions', 'autoload_known_extensions')"
            ).fetchall()
        )
        assert settings == {
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
        }
        # A function of an extension that is not loaded fails instead of being fetched.
        with pytest.raises(duckdb.Error):
            con.execute("SELECT * FROM sqlite_scan('x.db', 't')")


def test_a_directory_given_as_warehouse_is_one_sentence(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    with pytest.raises(WarehouseError, match="is a directory"):
        import_extract(root, warehouse=tmp_path, today=TODAY)


def test_refusals_leave_the_warehouse_as_it_was(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    root = tmp_path / "x"
    persons_csv(root)
    import_extract(root, warehouse=warehouse, today=TODAY)
    before = snapshot(warehouse)
    persons_csv(root, "a1,1960-01-01,F,360", f"{CPR_SHAPED},1990-01-01,F,360")
    with pytest.raises(ExtractError):
        import_extract(root, warehouse=warehouse, today=TODAY)
    assert snapshot(warehouse) == before
