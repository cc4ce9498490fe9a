"""Batches say what they do (issue 9, section 3): older extracts, extract.json, repeated rows."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from broen.analytics import ExtractError, import_extract
from tests.warehouse.helpers import persons_csv, snapshot, write

TODAY = date(2026, 11, 23)


def _extract(root: Path, start: str, end: str, *, fee: str = "100") -> Path:
    persons_csv(root)
    write(root, "primary_care.csv", f"person_id,date,provider,fee_dkk\na1,2021-03-01,gp,{fee}\n")
    write(root, "extract.json", json.dumps({"period_start": start, "period_end": end}))
    return root


def _batches(warehouse: Path) -> list[tuple[str, date, date]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "SELECT source, period_start, period_end FROM batches ORDER BY ALL"
        ).fetchall()


def test_an_older_extract_of_a_source_is_refused_naming_both_periods(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    newer = _extract(tmp_path / "a" / "region", "2016-01-01", "2023-12-31")
    import_extract(newer, warehouse=warehouse, today=TODAY)
    before = snapshot(warehouse)
    older = _extract(tmp_path / "b" / "region", "2016-01-01", "2022-12-31", fee="90")
    with pytest.raises(
        ExtractError, match=r"2016-01-01 to 2022-12-31.*2016-01-01 to 2023-12-31.*--allow-older"
    ):
        import_extract(older, warehouse=warehouse, today=TODAY)
    assert snapshot(warehouse) == before
    report = import_extract(older, warehouse=warehouse, today=TODAY, allow_older=True)
    assert report.replaced_batch is not None
    assert _batches(warehouse) == [("region", date(2016, 1, 1), date(2022, 12, 31))]


def test_a_newer_or_equal_period_replaces_without_a_flag(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    import_extract(
        _extract(tmp_path / "a" / "region", "2016-01-01", "2022-12-31"), warehouse=warehouse
    )
    import_extract(
        _extract(tmp_path / "b" / "region", "2016-01-01", "2023-12-31", fee="90"),
        warehouse=warehouse,
    )
    assert _batches(warehouse) == [("region", date(2016, 1, 1), date(2023, 12, 31))]


def test_a_corrected_extract_json_alone_is_a_new_batch(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    root = _extract(tmp_path / "region", "2016-01-01", "2023-12-31")
    first = import_extract(root, warehouse=warehouse, today=TODAY)
    write(
        root, "extract.json", json.dumps({"period_start": "2016-01-01", "period_end": "2024-06-30"})
    )
    second = import_extract(root, warehouse=warehouse, today=TODAY)
    assert second.status == "imported"
    assert second.extract_sha256 != first.extract_sha256
    assert _batches(warehouse) == [("region", date(2016, 1, 1), date(2024, 6, 30))]


def test_the_same_extract_from_another_directory_stops_instead_of_doubling(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "w.duckdb"
    first = _extract(tmp_path / "region", "2016-01-01", "2023-12-31")
    import_extract(first, warehouse=warehouse, today=TODAY)
    before = snapshot(warehouse)
    copy = tmp_path / "copy-of-region"
    shutil.copytree(first, copy)
    # A changed fee: not byte-identical, so not "unchanged", but its persons repeat.
    write(copy, "primary_care.csv", "person_id,date,provider,fee_dkk\na1,2021-03-01,gp,100.0\n")
    with pytest.raises(
        ExtractError, match=r"repeats rows .* 2 persons.*--source 'region'.*--new-source"
    ) as caught:
        import_extract(copy, warehouse=warehouse, today=TODAY)
    assert "1 primary_care" in str(caught.value)  # 100.0 is the same value as 100
    assert snapshot(warehouse) == before
    # Said to be a replacement: the batch of that source is replaced, nothing doubles.
    import_extract(copy, warehouse=warehouse, today=TODAY, source="region")
    assert [b[0] for b in _batches(warehouse)] == ["region"]


def test_a_different_source_with_the_same_rows_needs_new_source(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    region = tmp_path / "region"
    persons_csv(region)
    import_extract(region, warehouse=warehouse, today=TODAY)
    municipality = tmp_path / "municipality"
    persons_csv(municipality)
    write(
        municipality,
        "municipal_services.csv",
        "person_id,service,start_date,units,unit,cost_dkk\na1,home_care,2021-01-01,2,hours,800\n",
    )
    with pytest.raises(ExtractError, match="--new-source"):
        import_extract(municipality, warehouse=warehouse, today=TODAY)
    import_extract(municipality, warehouse=warehouse, today=TODAY, new_source=True)
    assert {b[0] for b in _batches(warehouse)} == {"region", "municipality"}


def test_sources_without_common_rows_sit_side_by_side_without_a_flag(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    a, b = tmp_path / "a", tmp_path / "b"
    persons_csv(a, "a1,1960-01-01,F,360")
    persons_csv(b, "b1,1960-01-01,F,360")
    import_extract(a, warehouse=warehouse, today=TODAY)
    import_extract(b, warehouse=warehouse, today=TODAY)
    assert len(_batches(warehouse)) == 2
