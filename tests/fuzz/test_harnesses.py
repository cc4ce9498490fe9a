"""The fuzz harnesses run on their seed inputs, so that they cannot rot between fuzz runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.harness import Workspace, csv_one_input, parquet_one_input
from tests.fuzz.seeds import csv_seeds, parquet_seeds


@pytest.mark.parametrize("seed", csv_seeds(), ids=lambda s: f"csv-{s[:12]!r}")
def test_the_csv_harness_runs_on_its_seeds(tmp_path: Path, seed: bytes) -> None:
    csv_one_input(seed, Workspace(tmp_path))


@pytest.mark.parametrize("seed", parquet_seeds(), ids=lambda s: f"parquet-{len(s)}")
def test_the_parquet_harness_runs_on_its_seeds(tmp_path: Path, seed: bytes) -> None:
    parquet_one_input(seed, Workspace(tmp_path))
    parquet_one_input(seed[: len(seed) // 2], Workspace(tmp_path))  # cut short: ExtractError


def test_the_harness_checks_bite(tmp_path: Path) -> None:
    """A harness that never fails would pass too: its reconciliation check must fail on a lie."""
    from tests.fuzz import harness

    seed = csv_seeds()[0]
    ws = Workspace(tmp_path)
    original = harness.check_reconciles

    def lying(report, warehouse):  # type: ignore[no-untyped-def]
        report.files[0].rows_accepted += 1
        original(report, warehouse)

    harness.check_reconciles = lying
    try:
        with pytest.raises(AssertionError):
            csv_one_input(seed, ws)
    finally:
        harness.check_reconciles = original


REGRESSIONS = Path(__file__).parent / "regressions"


def test_a_damaged_footer_that_breaks_duckdb_is_one_error_and_harms_nothing(
    tmp_path: Path,
) -> None:
    """The crash the Parquet fuzzer found (its CPR-shaped text overwritten): DuckDB 2.0 fails on
    this file with an internal error that invalidates its database instance. The importer reads
    Parquet in a scratch instance, so the import ends in one ExtractError, the warehouse is as
    it was, and the same process imports on."""
    from datetime import date

    import duckdb

    from broen.analytics import ExtractError, import_extract
    from tests.warehouse.helpers import persons_csv, snapshot

    damaged = (REGRESSIONS / "parquet-damaged-footer.bin").read_bytes()
    with pytest.raises(duckdb.Error, match="INTERNAL"):  # the file still breaks DuckDB itself
        duckdb.connect().execute(
            f"SELECT * FROM read_parquet('{REGRESSIONS / 'parquet-damaged-footer.bin'}')"
        ).fetchall()
    warehouse = tmp_path / "w.duckdb"
    good = tmp_path / "good"
    persons_csv(good)
    import_extract(good, warehouse=warehouse, today=date(2026, 11, 23))
    before = snapshot(warehouse)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "persons.parquet").write_bytes(damaged)
    with pytest.raises(ExtractError, match=r"persons.parquet cannot be read as Parquet"):
        import_extract(bad, warehouse=warehouse, today=date(2026, 11, 23), source="good")
    assert snapshot(warehouse) == before
    other = tmp_path / "other"
    persons_csv(other, "b1,1960-01-01,F,360")
    assert import_extract(other, warehouse=warehouse, today=date(2026, 11, 23)).rows_accepted == 1
    parquet_one_input(damaged, Workspace(tmp_path / "harness"))
