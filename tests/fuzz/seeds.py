"""Seed inputs for the fuzz harnesses, built when needed (nothing binary in the repository)."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.fuzz.harness import EVENT_TABLES
from tests.warehouse.helpers import cpr_shaped

CPR = cpr_shaped(1, 1, 60, 1234)  # built here: the repository holds no CPR-shaped literal

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example-extract"


def _flag(table: str, encoding: int = 0, sep: int = 0, decimal: int = 0) -> bytes:
    """The first byte of a CSV input (see harness.split_csv_input)."""
    low = encoding + 3 * sep + 15 * decimal
    if table == "persons":
        return bytes([low])
    index = EVENT_TABLES.index(table)
    for value in range(128, 256):
        if value % len(EVENT_TABLES) == index:
            return bytes([value])
    raise AssertionError(table)


def csv_seeds() -> list[bytes]:
    persons = (EXAMPLE / "persons.csv").read_bytes()
    danish = (
        "person_id;birth_date;sex;municipality;lives_alone\r\n"
        'ø1;1960-01-01;F;360,0;true\r\n"æ;2";1970-06-30;M;376;0\r\n'
    ).encode("cp1252")
    quoted = (
        '\ufeff"Person_ID"|" Birth_Date "|SEX|municipality|cpr\r'
        f'"a""1"|1960-01-01|F|360|"{CPR}"\r'
        '"two\nlines"|1970-06-30|M|+376|"x"\r'
        'cut|1970-06-30|M|376|"open'
    ).encode()
    tabbed = (
        b"person_id\tbirth_date\tsex\tmunicipality\n a1 \t1960-01-01\tF\t 360 \n\nNA\tNA\tNA\tNA\n"
    )
    seeds = [
        _flag("persons") + persons,
        _flag("persons", encoding=2, sep=2, decimal=2) + danish,
        _flag("persons") + danish,
        _flag("persons") + quoted,
        _flag("persons", sep=3) + tabbed,
        _flag("persons") + b"",
        _flag("persons") + b"\xff\xfep\x00",
    ]
    for table in EVENT_TABLES:
        seeds.append(_flag(table) + (EXAMPLE / f"{table}.csv").read_bytes())
    return seeds


def parquet_seeds() -> list[bytes]:
    typed = pa.table(
        {
            "person_id": ["a1", "a2", " a3 ", None],
            "birth_date": pa.array([date(1960, 1, 1), date(1970, 6, 30), None, None]),
            "sex": ["F", "M", "NA", ""],
            "municipality": pa.array([360, 376, 2**40, None], pa.int64()),
            "lives_alone": [True, None, False, True],
            "death_date": pa.array([None, date(2023, 1, 1), None, None], pa.date32()),
            "cpr": [CPR, None, "x", "y"],
        }
    )
    strings = pa.table(
        {
            "person_id": ["b1", "b2"],
            "birth_date": ["1960-01-01", "1960-02-30"],
            "sex": ["F", "M"],
            "municipality": ["360.0", "376,0"],
            "moved_out_date": pa.array([datetime(2021, 1, 1), None], pa.timestamp("us")),
        }
    )
    out = []
    for table, kwargs in [
        (typed, {}),
        (typed, {"compression": "zstd"}),
        (typed, {"compression": "none", "use_dictionary": False}),
        (strings, {"row_group_size": 1}),
        (strings, {"compression": "gzip", "version": "1.0"}),
    ]:
        buffer = io.BytesIO()
        pq.write_table(table, buffer, **kwargs)  # type: ignore[arg-type]
        out.append(buffer.getvalue())
    return out


def write_corpus(directory: Path, seeds: list[bytes]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(seeds):
        (directory / f"seed-{i:02d}").write_bytes(seed)
    return directory
