"""Acceptance: an extract from a different writer imports with exact reconciliation, and every
bad row in it is quarantined with the rule id the answer key names, in both CSV dialects."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from broen.analytics import DialectOptions, import_extract
from tests.warehouse.independent_extract import write_independent_extract


@pytest.mark.parametrize("danish", [False, True], ids=["utf8-comma", "danish-cp1252-semicolon"])
def test_independent_extract_reconciles_and_quarantines_exactly_the_bad_rows(
    tmp_path: Path, danish: bool
) -> None:
    extract = write_independent_extract(tmp_path / "extract", danish_dialect=danish)
    warehouse = tmp_path / "w.duckdb"

    report = import_extract(extract.root, warehouse=warehouse)

    assert report.status == "imported"
    assert report.reconciles
    by_table = {f.table: f for f in report.files}
    for table, written in extract.rows.items():
        assert by_table[table].rows_read == written, table
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = set(con.execute('SELECT table_name, "row", rule FROM quarantine').fetchall())
        assert got == extract.expected_rejects
        for table, written in extract.rows.items():
            rejected = sum(1 for t, _, _ in extract.expected_rejects if t == table)
            (count,) = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # type: ignore[misc]
            assert count == written - rejected, table
        assert report.rows_rejected == len(extract.expected_rejects)


def test_danish_dialect_values_arrive_intact(tmp_path: Path) -> None:
    extract = write_independent_extract(tmp_path / "x", danish_dialect=True, with_bad_rows=False)
    warehouse = tmp_path / "w.duckdb"
    import_extract(extract.root, warehouse=warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reasons = {
            r[0] for r in con.execute("SELECT end_reason FROM programme_episodes").fetchall()
        }
        fees = {r[0] for r in con.execute("SELECT fee_dkk FROM primary_care").fetchall()}
    assert reasons == {"Hændelse medfører ophør"}
    assert fees == {148.25}


def test_the_danish_dialect_can_be_given_by_flags(tmp_path: Path) -> None:
    extract = write_independent_extract(tmp_path / "x", danish_dialect=True)
    options = DialectOptions(encoding="cp1252", sep=";", decimal=",")
    report = import_extract(extract.root, warehouse=tmp_path / "w.duckdb", options=options)
    assert report.reconciles
    assert report.rows_rejected == len(extract.expected_rejects)


def test_both_dialects_load_the_same_rows(tmp_path: Path) -> None:
    plain = write_independent_extract(tmp_path / "a", danish_dialect=False)
    danish = write_independent_extract(tmp_path / "b", danish_dialect=True)
    import_extract(plain.root, warehouse=tmp_path / "a.duckdb")
    import_extract(danish.root, warehouse=tmp_path / "b.duckdb")
    for table in ("persons", "hospital_contacts", "prescriptions", "transfers", "measurements"):
        with duckdb.connect(str(tmp_path / "a.duckdb"), read_only=True) as con:
            a = con.execute(f'SELECT * EXCLUDE (batch_id) FROM "{table}" ORDER BY ALL').fetchall()
        with duckdb.connect(str(tmp_path / "b.duckdb"), read_only=True) as con:
            b = con.execute(f'SELECT * EXCLUDE (batch_id) FROM "{table}" ORDER BY ALL').fetchall()
        assert a == b, table
        assert a, table
