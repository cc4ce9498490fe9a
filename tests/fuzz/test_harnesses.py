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
