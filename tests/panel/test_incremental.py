"""Incremental rebuilds equal full rebuilds: after a batch is replaced, after a second source
arrives with overlapping persons, and after a batch that widens the period."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from broen.analytics import import_extract
from broen.analytics.panel import build_panel

from .extract import write_panel_extract
from .helpers import differences, panel_cells


def _full_copy(warehouse: Path, tmp: Path) -> Path:
    copy = tmp / f"full-{warehouse.stem}.duckdb"
    shutil.copy(warehouse, copy)
    report = build_panel(copy, full=True)
    assert report.mode == "full"
    return copy


def test_incremental_equals_full_after_replacing_and_adding_batches(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    first = write_panel_extract(tmp_path / "a1", persons=40, seed=11, source="region")
    import_extract(first.root, warehouse=warehouse)
    assert build_panel(warehouse).mode == "full"

    # A newer extract of the same source replaces its batch: other events, some persons gone.
    second = write_panel_extract(tmp_path / "a2", persons=30, seed=12, source="region")
    import_extract(second.root, warehouse=warehouse)
    report = build_panel(warehouse)
    assert report.mode == "incremental"
    assert 0 < report.persons_rebuilt <= 47
    assert differences(panel_cells(warehouse), panel_cells(_full_copy(warehouse, tmp_path))) == []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ids = {r[0] for r in con.execute("SELECT DISTINCT person_id FROM panel").fetchall()}
    assert "p0035" not in ids  # only in the replaced batch

    # A second source with persons of its own and, under the same ids, newer attributes of
    # persons of the first (other birth, death and moving dates) and more events for them.
    other = write_panel_extract(
        tmp_path / "b", persons=20, seed=13, source="kommune", special=False
    )
    import_extract(other.root, warehouse=warehouse)
    report = build_panel(warehouse)
    assert report.mode == "incremental"
    assert report.persons_rebuilt == 20
    assert differences(panel_cells(warehouse), panel_cells(_full_copy(warehouse, tmp_path))) == []
    assert build_panel(warehouse).mode == "unchanged"


def test_a_batch_that_widens_the_period_rebuilds_everything(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    import_extract(write_panel_extract(tmp_path / "a", persons=10).root, warehouse=warehouse)
    build_panel(warehouse)
    wider = write_panel_extract(
        tmp_path / "b", persons=5, seed=3, source="later", special=False, prefix="q",
        period=(date(2019, 1, 1), date(2022, 6, 30)),
    )  # fmt: skip
    import_extract(wider.root, warehouse=warehouse)
    report = build_panel(warehouse)
    assert report.mode == "full"
    assert "period" in report.reason
    assert report.period_end == date(2022, 6, 30)


def test_a_build_in_person_ranges_equals_one_in_one_piece(
    tmp_path: Path, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from broen.analytics.panel import _build

    warehouse = tmp_path / "w.duckdb"
    shutil.copy(built, warehouse)
    monkeypatch.setattr(_build, "CHUNK_PERSONS", 13)
    assert build_panel(warehouse, full=True).mode == "full"
    assert differences(panel_cells(warehouse), panel_cells(built)) == []
