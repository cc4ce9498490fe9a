"""Fatal problems stop the import with one clear message and leave the warehouse as it was."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from broen.analytics import DialectOptions, ExtractError, import_extract
from tests.warehouse.helpers import persons_csv, snapshot, write
from tests.warehouse.independent_extract import write_independent_extract


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    """A warehouse that already holds one imported extract."""
    extract = write_independent_extract(tmp_path / "first", persons=60)
    warehouse = tmp_path / "w.duckdb"
    import_extract(extract.root, warehouse=warehouse)
    return warehouse


def test_a_damaged_parquet_part_mid_import_leaves_the_warehouse_unchanged(
    tmp_path: Path, loaded: Path
) -> None:
    before = snapshot(loaded)
    # A newer extract of the same source: would replace the first batch if it got through.
    extract = write_independent_extract(tmp_path / "second", persons=80, seed=8)
    (extract.root / "transfers.csv").unlink()
    parts = extract.root / "transfers"
    parts.mkdir()
    good = pa.table({"person_id": ["ind00001"], "week": ["2020-W10"], "state": ["education"]})
    pq.write_table(good, parts / "part-00000.parquet")
    (parts / "part-00001.parquet").write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")

    with pytest.raises(ExtractError, match=r"part-00001\.parquet"):
        import_extract(extract.root, warehouse=loaded, source="first")

    assert snapshot(loaded) == before


def test_an_unreadable_file_found_late_rolls_back_the_tables_already_loaded(
    tmp_path: Path, loaded: Path
) -> None:
    before = snapshot(loaded)
    extract = write_independent_extract(tmp_path / "second", persons=80, seed=8)
    # questionnaire_responses is loaded last; by then every other table is in the transaction.
    # Its footer (the schema) is intact, so the damage shows only when the data pages are read.
    (extract.root / "questionnaire_responses.csv").unlink()
    n = 50_000
    table = pa.table(
        {
            "person_id": [f"ind{i % 80:05d}" for i in range(n)],
            "date": ["2021-01-01"] * n,
            "instrument": ["who5"] * n,
            "item": [f"q{i}" for i in range(n)],
            "value": [str(i % 5) for i in range(n)],
        }
    )
    path = extract.root / "questionnaire_responses.parquet"
    pq.write_table(table, path, compression="zstd")
    data = bytearray(path.read_bytes())
    for i in range(200, len(data) // 2):
        data[i] = (data[i] * 7 + 3) % 256
    path.write_bytes(bytes(data))
    assert pq.read_schema(path).names == table.column_names

    with pytest.raises(ExtractError, match=r"questionnaire_responses\.parquet"):
        import_extract(extract.root, warehouse=loaded)

    assert snapshot(loaded) == before


def test_a_missing_persons_file_is_fatal(tmp_path: Path, loaded: Path) -> None:
    before = snapshot(loaded)
    write(tmp_path / "x", "transfers.csv", "person_id,week,state\na1,2020-W01,education\n")
    with pytest.raises(ExtractError, match="no persons table"):
        import_extract(tmp_path / "x", warehouse=loaded)
    assert snapshot(loaded) == before


def test_a_missing_required_column_is_fatal_and_named(tmp_path: Path, loaded: Path) -> None:
    before = snapshot(loaded)
    persons_csv(tmp_path / "x")
    write(tmp_path / "x", "prescriptions.csv", "person_id,atc,cost_dkk\na1,A10BA02,10\n")
    with pytest.raises(ExtractError, match="lacks the required column dispensing_date"):
        import_extract(tmp_path / "x", warehouse=loaded)
    assert snapshot(loaded) == before


def test_a_table_name_with_a_typo_is_fatal_with_a_suggestion(tmp_path: Path) -> None:
    persons_csv(tmp_path / "x")
    write(tmp_path / "x", "hospital_contact.csv", "contact_id\n")
    with pytest.raises(ExtractError, match="did you mean hospital_contacts"):
        import_extract(tmp_path / "x", warehouse=tmp_path / "w.duckdb")
    assert not (tmp_path / "w.duckdb").exists()


def test_unrelated_files_are_listed_and_ignored(tmp_path: Path) -> None:
    persons_csv(tmp_path / "x")
    write(tmp_path / "x", "notes.txt", "delivered by the region\n")
    write(tmp_path / "x", "ground_truth.json", "{}")
    write(tmp_path / "x", "budget_2024.csv", "a,b\n1,2\n")
    report = import_extract(tmp_path / "x", warehouse=tmp_path / "w.duckdb")
    assert sorted(report.ignored_files) == ["budget_2024.csv", "ground_truth.json", "notes.txt"]
    assert report.rows_accepted == 2


def test_a_table_given_twice_is_fatal(tmp_path: Path) -> None:
    persons_csv(tmp_path / "x")
    pq.write_table(pa.table({"person_id": ["a"]}), tmp_path / "x" / "persons.parquet")
    with pytest.raises(ExtractError, match="more than once"):
        import_extract(tmp_path / "x", warehouse=tmp_path / "w.duckdb")


def test_cp1252_bytes_in_a_file_declared_utf8_are_refused(tmp_path: Path) -> None:
    write(tmp_path / "x", "persons.csv", "person_id,birth_date,sex,municipality,education\n"
          "a1,1960-01-01,F,360,Ærø\n", encoding="cp1252")  # fmt: skip
    with pytest.raises(ExtractError, match=r"not valid UTF-8.*--encoding cp1252"):
        import_extract(
            tmp_path / "x",
            warehouse=tmp_path / "w.duckdb",
            options=DialectOptions(encoding="utf-8"),
        )


def test_utf8_declared_as_cp1252_is_refused_instead_of_garbled(tmp_path: Path) -> None:
    persons_csv(tmp_path / "x", "å1,1960-01-01,F,360")
    with pytest.raises(ExtractError, match="UTF-8, not Windows-1252"):
        import_extract(
            tmp_path / "x",
            warehouse=tmp_path / "w.duckdb",
            options=DialectOptions(encoding="cp1252"),
        )


def test_a_file_in_neither_encoding_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    with (root / "persons.csv").open("ab") as fh:
        fh.write(b"a\x81,1960-01-01,F,360\n")
    with pytest.raises(ExtractError, match="neither UTF-8 nor Windows-1252"):
        import_extract(root, warehouse=tmp_path / "w.duckdb")


def test_a_bad_extract_json_is_fatal(tmp_path: Path) -> None:
    persons_csv(tmp_path / "x")
    write(tmp_path / "x", "extract.json", '{"period_start": "2020-13-01"}')
    with pytest.raises(ExtractError, match="period_start"):
        import_extract(tmp_path / "x", warehouse=tmp_path / "w.duckdb")
