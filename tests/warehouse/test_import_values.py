"""An accepted value is exactly the value in the file (issue 9, section 1), on every path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from broen.analytics import DialectOptions, ExtractError, import_extract
from tests.warehouse.helpers import persons_csv, quarantine, snapshot, write

TODAY = date(2026, 11, 23)
NULL_LIKE = ["NA", "NULL", "N/A", "#N/A", "nan", "NaN", "None", "-", "null"]


def _import(root: Path, tmp_path: Path, **kwargs: object) -> Path:
    warehouse = tmp_path / "w.duckdb"
    report = import_extract(root, warehouse=warehouse, today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert report.reconciles
    return warehouse


def _rows(warehouse: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("with_malformed_row", [False, True])
@pytest.mark.parametrize("quoted", [False, True])
def test_null_like_tokens_are_values_on_every_reading_path(
    tmp_path: Path, with_malformed_row: bool, quoted: bool
) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    q = '"' if quoted else ""
    fees = [f"a1,2021-01-{i + 1:02d},gp,{q}{t}{q}" for i, t in enumerate(NULL_LIKE)]
    codes = [f"a1,2021-W{i + 1:02d},unemployment,{q}{t}{q},100" for i, t in enumerate(NULL_LIKE)]
    if with_malformed_row:
        fees.insert(3, "a1,2021-02-01,gp,1,2,3")
        codes.insert(3, "a1,2021-W30")
    write(root, "primary_care.csv", "person_id,date,provider,fee_dkk\n" + "\n".join(fees) + "\n")
    write(root, "transfers.csv", "person_id,week,state,code,amount_dkk\n" + "\n".join(codes) + "\n")
    warehouse = _import(root, tmp_path)
    rules = {(r[0], r[3]) for r in quarantine(warehouse)}
    assert ("primary_care", "type.number") in rules
    assert _rows(warehouse, "SELECT count(*) FROM primary_care") == [(0,)]
    # In a text column every token is kept as written, never turned into null.
    stored = _rows(warehouse, "SELECT code FROM transfers ORDER BY week")
    assert [r[0] for r in stored] == NULL_LIKE


def test_numbers_beyond_64_bits_are_type_errors_and_the_edges_load_exactly(
    tmp_path: Path,
) -> None:
    root = tmp_path / "x"
    persons_csv(root, "a1,1960-01-01,F,360", "a2,1960-01-01,F,99999999999999999999")
    write(
        root,
        "primary_care.csv",
        "person_id,date,provider,services,fee_dkk\n"
        "a1,2021-01-01,gp,9223372036854775807,1\n"
        "a1,2021-01-02,gp,9223372036854775808,1\n"
        "a1,2021-01-03,gp,9007199254740993,1\n"
        "a1,2021-01-04,gp,3.0,1\n"
        "a1,2021-01-05,gp,.5,1\n"
        "a1,2021-01-06,gp,1_000,1\n"
        "a1,2021-01-07,gp,1,1e309\n"
        "a1,2021-01-08,gp,1,0.1\n",
    )
    warehouse = _import(root, tmp_path)
    got = _rows(warehouse, "SELECT date, services, fee_dkk FROM primary_care ORDER BY date")
    assert [(r[0].day, r[1], r[2]) for r in got] == [
        (1, 9223372036854775807, 1.0),
        (3, 9007199254740993, 1.0),  # exactly: not through a double
        (4, 3, 1.0),
        (8, 1, 0.1),
    ]
    rejected = {(r[0], r[2], r[3]) for r in quarantine(warehouse)}
    assert rejected == {
        ("persons", 2, "type.integer"),
        ("primary_care", 2, "type.integer"),
        ("primary_care", 5, "type.integer"),
        ("primary_care", 6, "type.integer"),
        ("primary_care", 7, "type.number"),
    }


def _semicolon_file(root: Path, *fees: str) -> None:
    persons_csv(root)
    body = "".join(f"a1;2021-01-{i + 1:02d};gp;{fee}\n" for i, fee in enumerate(fees))
    write(root, "primary_care.csv", "person_id;date;provider;fee_dkk\n" + body)


def test_a_semicolon_file_with_decimal_points_keeps_its_values(tmp_path: Path) -> None:
    root = tmp_path / "x"
    _semicolon_file(root, "312.45", "7", "0.5")
    warehouse = tmp_path / "w.duckdb"
    report = import_extract(root, warehouse=warehouse, today=TODAY)
    fees = _rows(warehouse, "SELECT fee_dkk FROM primary_care ORDER BY date")
    assert [r[0] for r in fees] == [312.45, 7.0, 0.5]
    [pc] = [f for f in report.files if f.table == "primary_care"]
    assert pc.dialect is not None
    assert "sep ';' (detected)" in pc.dialect
    assert "decimal '.' (from the data)" in pc.dialect


def test_a_semicolon_file_with_decimal_commas_is_read_with_commas(tmp_path: Path) -> None:
    root = tmp_path / "x"
    _semicolon_file(root, '"312,45"', "7", "0,5")
    warehouse = _import(root, tmp_path)
    fees = _rows(warehouse, "SELECT fee_dkk FROM primary_care ORDER BY date")
    assert [r[0] for r in fees] == [312.45, 7.0, 0.5]


def test_a_file_with_both_decimal_marks_stops_and_names_the_flag(tmp_path: Path) -> None:
    root = tmp_path / "x"
    _semicolon_file(root, "312.45", "12,5")
    warehouse = tmp_path / "w.duckdb"
    with pytest.raises(ExtractError, match=r"--decimal.*'312\.45'|'312\.45'.*--decimal"):
        import_extract(root, warehouse=warehouse, today=TODAY)
    report = import_extract(
        root, warehouse=warehouse, today=TODAY, options=DialectOptions(decimal=",")
    )
    assert report.rows_accepted == 3  # 2 persons + 12,5
    [(row, rule)] = [(r[2], r[3]) for r in quarantine(warehouse)]
    assert (row, rule) == (1, "type.number")


def test_a_separator_that_cannot_be_told_stops_and_names_the_flag(tmp_path: Path) -> None:
    root = tmp_path / "x"
    write(root, "persons.csv", "person_id;birth_date,sex;municipality,education\n")
    with pytest.raises(ExtractError, match="--sep"):
        import_extract(root, warehouse=tmp_path / "w.duckdb", today=TODAY)


def test_header_names_equal_but_for_case_or_space_are_fatal_and_both_named(
    tmp_path: Path,
) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    write(
        root,
        "primary_care.csv",
        "person_id,date,provider,COST_DKK,fee_dkk, Fee_DKK \na1,2021-01-01,gp,1,2,3\n",
    )
    with pytest.raises(ExtractError, match=r"'fee_dkk'.*' Fee_DKK '"):
        import_extract(root, warehouse=tmp_path / "w.duckdb", today=TODAY)


@pytest.mark.parametrize("ending", ["", "\n", "\r\n"])
def test_a_file_cut_inside_a_quoted_last_field_is_malformed(tmp_path: Path, ending: str) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    write(
        root,
        "programme_episodes.csv",
        "episode_id,person_id,programme,referral_date,status,stratum\n"
        "e1,a1,rygestop,2021-01-01,referred,1\n"
        f'e2,a1,rygestop,2021-01-02,referred,"2{ending}',
    )
    warehouse = _import(root, tmp_path)
    assert _rows(warehouse, "SELECT episode_id FROM programme_episodes") == [("e1",)]
    assert [(r[2], r[3]) for r in quarantine(warehouse)] == [(2, "row.malformed")]


def test_a_text_after_a_closing_quote_makes_the_row_malformed(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    write(
        root,
        "programme_episodes.csv",
        "episode_id,person_id,programme,referral_date,status,stratum\n"
        'e1,a1,rygestop,2021-01-01,referred,"1"x\n'
        "e2,a1,rygestop,2021-01-02,referred,2\n",
    )
    warehouse = _import(root, tmp_path)
    assert _rows(warehouse, "SELECT episode_id FROM programme_episodes") == [("e2",)]
    assert [(r[2], r[3]) for r in quarantine(warehouse)] == [(1, "row.malformed")]


@pytest.mark.parametrize("size", [200_000, 20_000_000])
def test_a_long_cell_after_a_malformed_row_loads_exactly(tmp_path: Path, size: int) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    long = "y" * size
    write(
        root,
        "programme_episodes.csv",
        "episode_id,person_id,programme,referral_date,status,stratum\n"
        "e1,a1,rygestop,2021-01-01\n"
        f'e2,a1,rygestop,2021-01-02,referred,"{long}"\n'
        f"e3,a1,rygestop,2021-01-03,referred,{long}\n",
    )
    warehouse = _import(root, tmp_path)
    got = _rows(warehouse, "SELECT episode_id, length(stratum) FROM programme_episodes ORDER BY 1")
    assert got == [("e2", size), ("e3", size)]
    assert [(r[2], r[3]) for r in quarantine(warehouse)] == [(1, "row.malformed")]


def test_surrounding_spaces_are_not_part_of_a_value_but_inner_ones_are(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    write(
        root,
        "programme_episodes.csv",
        "episode_id,person_id,programme,referral_date,status,stratum\n"
        'e1 , a1,rygestop,\t2021-01-01,referred," a  b "\n',
    )
    warehouse = _import(root, tmp_path)
    assert _rows(warehouse, "SELECT episode_id, stratum FROM programme_episodes") == [
        ("e1", "a  b")
    ]


def test_utf16_and_empty_files_say_what_they_are(tmp_path: Path) -> None:
    root = tmp_path / "x"
    text = "person_id,birth_date,sex,municipality\na1,1960-01-01,F,360\n"
    write(root, "persons.csv", text, encoding="utf-16")
    with pytest.raises(ExtractError, match="UTF-16"):
        import_extract(root, warehouse=tmp_path / "w.duckdb", today=TODAY)
    write(root, "persons.csv", text, encoding="utf-16-le")  # no BOM
    with pytest.raises(ExtractError, match="UTF-16"):
        import_extract(root, warehouse=tmp_path / "w.duckdb", today=TODAY)
    write(root, "persons.csv", "")
    with pytest.raises(ExtractError, match=r"empty \(0 bytes\)"):
        import_extract(root, warehouse=tmp_path / "w.duckdb", today=TODAY)


def test_a_fatal_value_problem_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    good = tmp_path / "good"
    persons_csv(good)
    import_extract(good, warehouse=warehouse, today=TODAY)
    before = snapshot(warehouse)
    bad = tmp_path / "good2"
    _semicolon_file(bad, "312.45", "12,5")
    with pytest.raises(ExtractError):
        import_extract(bad, warehouse=warehouse, today=TODAY, source="good")
    assert snapshot(warehouse) == before


def test_parquet_values_keep_their_type_and_non_finite_numbers_are_rejected(
    tmp_path: Path,
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path / "x"
    persons_csv(root)
    table = pa.table(
        {
            "person_id": ["a1"] * 6,
            "date": [date(2021, 1, d) for d in range(1, 7)],
            "provider": ["gp"] * 6,
            "services": pa.array([9223372036854775807, 1, 1, 1, 1, None], type=pa.int64()),
            "fee_dkk": [0.1, float("nan"), float("inf"), 1e-300, 312.45, 5.0],
            "specialty": ["80", "NA", "80", "80", "80", None],
        }
    )
    pq.write_table(table, root / "primary_care.parquet")
    warehouse = _import(root, tmp_path)
    got = _rows(warehouse, "SELECT day(date), services, fee_dkk FROM primary_care ORDER BY date")
    assert got == [(1, 9223372036854775807, 0.1), (4, 1, 1e-300), (5, 1, 312.45), (6, None, 5.0)]
    rejected = sorted((r[2], r[3]) for r in quarantine(warehouse))
    assert rejected == [(2, "type.number"), (3, "type.number")]


def test_zero_bytes_in_a_utf8_cell_are_a_value_not_utf16(tmp_path: Path) -> None:
    # Found by the long property run: a cell of zero bytes was taken for UTF-16.
    root = tmp_path / "x"
    persons_csv(root)
    write(
        root,
        "programme_episodes.csv",
        "episode_id,person_id,programme,referral_date,status,stratum\n"
        f"e1,a1,rygestop,2021-01-01,referred,{chr(0) * 3000}\n",
    )
    warehouse = _import(root, tmp_path)
    assert _rows(warehouse, "SELECT length(stratum) FROM programme_episodes") == [(3000,)]
