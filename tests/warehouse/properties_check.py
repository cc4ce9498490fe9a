"""Import a generated extract and hold the warehouse to what the reference expects."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pytest

from broen.analytics import TABLES, ExtractError, ImportReport, import_extract
from tests.warehouse.properties_model import Expected, counter_of, expected_outcome
from tests.warehouse.properties_strategies import SECRET, TODAY, Extract

SOURCE = "prop"  # every import of the suite is of this source: a new one would replace the last


@contextmanager
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A fresh directory per Hypothesis example (tmp_path is shared by all of them)."""
    path = Path(tempfile.mkdtemp(dir=tmp_path))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def dump(warehouse: Path) -> dict[str, list[str]]:
    """Every table of the warehouse, every row, as sorted reprs: equal means same content."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {
            name: sorted(repr(row) for row in con.execute(f'SELECT * FROM "{name}"').fetchall())
            for name in sorted(names)
        }


def run_import(extract: Extract, root: Path, warehouse: Path) -> ImportReport:
    kwargs = {"allow_cpr": True} if extract.allow_cpr else {}
    return import_extract(
        extract.write(root),
        warehouse=warehouse,
        options=extract.options.dialect_options(),
        source=SOURCE,
        today=TODAY,
        **kwargs,  # type: ignore[arg-type]
    )


def assert_imports_as_expected(extract: Extract, expected: Expected, workspace: Path) -> None:
    """Import ``extract`` into a new warehouse; compare report, tables and quarantine."""
    root, warehouse = workspace / "extract", workspace / "w.duckdb"
    if expected.fatal:
        with pytest.raises(ExtractError) as caught:
            run_import(extract, root, warehouse)
        assert_one_sentence(str(caught.value))
        if warehouse.exists():
            contents = dump(warehouse)
            assert all(not contents[t] for t in (*TABLES, "batches", "quarantine")), contents
        return
    report = run_import(extract, root, warehouse)
    assert report.status == "imported"
    by_name = {f.file: f for f in report.files}
    for ef in expected.files:
        fr = by_name.get(ef.name)
        assert fr is not None, f"{ef.name} missing from the report {sorted(by_name)}"
        assert fr.rows_read == fr.rows_accepted + fr.rows_rejected, fr
        got = (fr.rows_read, fr.rows_accepted, fr.rows_rejected)
        want = (ef.rows_read, len(ef.accepted), len(ef.rejected))
        assert got == want, f"{ef.name}: (read, accepted, rejected) {got}, expected {want}"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in {ef.table for ef in expected.files}:
            columns = ", ".join(f'"{c}"' for c in TABLES[table].column_names)
            actual = con.execute(f'SELECT {columns} FROM "{table}"').fetchall()
            want_rows = counter_of(expected.accepted(table))
            got_rows = counter_of(actual)
            assert got_rows == want_rows, (
                f"{table}: accepted rows differ from the reference\n"
                f"  only in the warehouse: {sorted((got_rows - want_rows).elements())}\n"
                f"  only in the reference: {sorted((want_rows - got_rows).elements())}"
            )
            batches = con.execute(f'SELECT DISTINCT batch_id FROM "{table}"').fetchall()
            assert batches in ([], [(report.batch_id,)])
        quarantine = con.execute(
            'SELECT table_name, file, "row", rule, "column", value, raw FROM quarantine'
        ).fetchall()
    got_q = {(t, f, n, rule) for t, f, n, rule, *_ in quarantine}
    assert len(got_q) == len(quarantine), "a row is in the quarantine twice"
    want_q = expected.quarantine()
    assert got_q == want_q, (
        "quarantine differs from the reference\n"
        f"  only in the warehouse: {sorted(got_q - want_q)}\n"
        f"  only in the reference: {sorted(want_q - got_q)}"
    )
    assert_no_unknown_column_content(warehouse, quarantine)


def assert_no_unknown_column_content(warehouse: Path, quarantine: list[tuple[Any, ...]]) -> None:
    """Unknown columns reach no table: not their cells (marked with SECRET), not their names."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            for row in con.execute(f'SELECT * FROM "{name}"').fetchall():
                for value in row:
                    assert not (isinstance(value, str) and SECRET in value), (name, row)
    for table, _file, _row, _rule, column, _value, raw in quarantine:
        known = TABLES[table].column_names
        assert column is None or column in known, f"quarantine names the column {column!r}"
        if raw is None:
            continue
        try:
            parsed = json.loads(raw)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            assert set(parsed) <= set(known), f"quarantine raw holds {set(parsed) - set(known)}"


def assert_one_sentence(message: str) -> None:
    assert message.strip(), "an empty error message"
    assert "\n" not in message.strip(), f"not one sentence: {message!r}"
    assert "Traceback" not in message


def outcome(extract: Extract) -> Expected:
    return expected_outcome(extract)
