"""Batches: the same extract twice adds nothing; a newer extract of a source replaces its batch;
sources live side by side and link through persons."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from broen.analytics import import_extract, warehouse_info
from tests.warehouse.helpers import persons_csv, snapshot, write


def _count(warehouse: Path, table: str) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    return int(row[0]) if row else 0


def test_importing_the_same_extract_twice_adds_nothing(tmp_path: Path) -> None:
    root = tmp_path / "region"
    persons_csv(root)
    warehouse = tmp_path / "w.duckdb"
    first = import_extract(root, warehouse=warehouse)
    before = snapshot(warehouse)
    again = import_extract(root, warehouse=warehouse)
    assert again.status == "unchanged"
    assert again.batch_id == first.batch_id
    assert snapshot(warehouse) == before


def test_a_newer_extract_of_the_same_source_replaces_its_batch(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    root = tmp_path / "region"
    persons_csv(root, "a1,1960-01-01,F,360", "a2,1960-01-01,X,360")
    first = import_extract(root, warehouse=warehouse)
    persons_csv(root, "a1,1960-01-01,F,360", "a2,1960-01-01,M,360", "a3,1961-01-01,M,376")
    second = import_extract(root, warehouse=warehouse)
    assert second.replaced_batch == first.batch_id
    assert _count(warehouse, "persons") == 3
    assert _count(warehouse, "quarantine") == 0
    info = warehouse_info(warehouse)
    assert [b.batch_id for b in info.batches] == [second.batch_id]


def test_two_sources_sit_side_by_side_and_link_through_persons(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    region = tmp_path / "region"
    persons_csv(region)
    import_extract(region, warehouse=warehouse)
    municipality = tmp_path / "municipality"
    write(municipality, "extract.json", json.dumps({"source": "lolland-fsiii"}))
    persons_csv(municipality, "m1,1950-01-01,F,360")
    write(municipality, "municipal_services.csv",
          "person_id,service,start_date,units,unit,cost_dkk\n"
          "a1,home_care,2021-01-01,2,hours,900\nm1,home_care,2021-01-01,2,hours,900\n")  # fmt: skip
    report = import_extract(municipality, warehouse=warehouse)
    assert report.source == "lolland-fsiii"
    assert report.rows_rejected == 0  # a1 comes from the region's extract
    assert len(warehouse_info(warehouse).batches) == 2


def test_the_import_report_is_written_as_json_beside_the_warehouse(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root, "a1,1960-01-01,F,360", "a2,bad,F,360")
    warehouse = tmp_path / "data" / "w.duckdb"
    report = import_extract(root, warehouse=warehouse)
    saved = json.loads(
        (warehouse.parent / "import-reports" / f"{report.batch_id}.json").read_text()
    )
    assert saved["rows_read"] == 2
    assert saved["rows_accepted"] == 1
    assert saved["rules"] == {"type.date": 1}
    assert saved["reconciles"] is True


def test_warehouse_info_counts_tables_batches_and_quarantine(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root, "a1,1960-01-01,F,360", "a2,bad,F,360")
    warehouse = tmp_path / "w.duckdb"
    import_extract(root, warehouse=warehouse)
    info = warehouse_info(warehouse)
    assert info.table_rows["persons"] == 1
    assert info.quarantine == {("persons", "type.date"): 1}
    assert info.batches[0].rows_read == 2
