"""Outcomes by relative month and the end of observation (broen.analytics.evaluation._outcomes),
on the candidates extract of tests/evaluation/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from broen.analytics._exceptions import ConfigurationError
from broen.analytics.cohort import DuckDBSource
from broen.analytics.evaluation._outcomes import outcome_rows, unit_status

from .conftest import PROGRAMME

UNITS = pa.table(
    {
        "unit_id": [1, 2, 3, 4, 5, 6, 7],
        "person_id": ["a", "c", "d", "h", "j", "k", "nobody"],
        "index_month": [
            date(2021, 6, 15),  # a: the participant
            date(2021, 3, 1),  # c: dies 20 April 2021
            date(2021, 3, 1),  # d: moves out 1 May 2021
            date(2021, 6, 1),  # h: a control who starts on 1 September 2021
            date(2021, 3, 1),  # j: moves out 15 June 2021
            date(2021, 5, 1),  # k: dies 1 June 2021, the day also recorded as moving out
            date(2021, 5, 1),  # not in persons
        ],
    }
)


@pytest.fixture(scope="module")
def source(candidates_warehouse: Path) -> Iterator[DuckDBSource]:
    con = duckdb.connect(str(candidates_warehouse), read_only=True)
    yield DuckDBSource(con)
    con.close()


def test_outcome_rows(source: DuckDBSource) -> None:
    table = outcome_rows(source, UNITS, ["cost_total", "acute_admissions"])
    assert table.column_names == [
        "unit_id", "person_id", "index_month", "rel_month", "cost_total", "acute_admissions",
    ]  # fmt: skip
    rows = {(r["unit_id"], r["rel_month"]): r for r in table.to_pylist()}
    a = [r for (u, _), r in rows.items() if u == 1]
    assert [r["rel_month"] for r in a] == list(range(-24, 24))  # resident all 48 months
    assert a[0]["index_month"] == date(2021, 6, 1)
    assert rows[(1, -1)]["cost_total"] == pytest.approx(3100.0)  # May 2021
    assert rows[(1, -1)]["acute_admissions"] == 1
    assert rows[(1, -9)]["cost_total"] == pytest.approx(4000.0)  # September 2020
    # c dies in April 2021 (rel 1); the panel starts in January 2019 (rel -26 for March 2021)
    assert sorted(r for u, r in rows if u == 2) == list(range(-24, 2))
    assert sorted(r for u, r in rows if u == 3) == list(range(-24, 2))  # d: to April
    assert sorted(r for u, r in rows if u == 5) == list(range(-24, 4))  # j: to June
    assert not [u for u, _ in rows if u == 7]
    short = outcome_rows(source, UNITS, ["cost_total"], first=-2, last=1)
    assert sorted(set(short["rel_month"].to_pylist())) == [-2, -1, 0, 1]
    with pytest.raises(ConfigurationError, match="no column bogus"):
        outcome_rows(source, UNITS, ["bogus"])
    with pytest.raises(ValueError, match="after the last"):
        outcome_rows(source, UNITS, ["cost_total"], first=3, last=2)


def test_unit_status(source: DuckDBSource) -> None:
    table = unit_status(source, UNITS, PROGRAMME, date(2023, 12, 31))
    rows = {r["unit_id"]: r for r in table.to_pylist()}
    a, c, d, h, j, k, nobody = (rows[u] for u in range(1, 8))
    # a's own start is in the index month, not after it
    assert (a["next_start_month"], a["next_start_rel"], a["death_rel"]) == (None, None, None)
    assert (a["last_month"], a["last_rel"], a["censor_rel"]) == (date(2023, 12, 1), 30, 31)
    assert (c["death_month"], c["death_rel"], c["moved_out_rel"]) == (date(2021, 4, 1), 1, None)
    assert (c["zero_from_rel"], c["censor_rel"]) == (2, 34)  # death is zero use, not censoring
    assert (d["moved_out_month"], d["moved_out_rel"], d["censor_rel"]) == (date(2021, 5, 1), 2, 2)
    assert (h["next_start_month"], h["next_start_rel"], h["censor_rel"]) == (date(2021, 9, 1), 3, 3)
    assert (j["moved_out_rel"], j["censor_rel"]) == (3, 3)
    assert (k["death_rel"], k["moved_out_rel"], k["moved_out_month"]) == (1, None, None)
    assert (nobody["death_rel"], nobody["moved_out_rel"], nobody["last_rel"]) == (None, None, 31)
    assert table.column_names == [
        "unit_id", "person_id", "index_month", "death_month", "death_rel", "moved_out_month",
        "moved_out_rel", "next_start_month", "next_start_rel", "last_month", "last_rel",
        "zero_from_rel", "censor_rel",
    ]  # fmt: skip
    # Without a period end, the source's period is used.
    assert unit_status(source, UNITS, PROGRAMME).equals(table)
