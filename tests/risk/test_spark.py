"""The risk feature table is one code path (Narwhals): Spark gives the same table as DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import narwhals as nw
import pandas as pd
import pytest

from broen.analytics._spark import spark_session
from broen.analytics.risk import build_features, parse_month
from tests.risk.conftest import build_panel

TABLES = ("panel", "persons", "hospital_contacts", "hospital_diagnoses")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    small = {"spark.sql.shuffle.partitions": "1", "spark.sql.adaptive.enabled": "false"}
    with spark_session("local[1]", small) as session:
        yield session


def _features(frames: dict[str, Any]) -> pd.DataFrame:
    months = [parse_month("2019-12"), parse_month("2020-06")]
    lazy = build_features(*(nw.from_native(frames[t]) for t in TABLES), months)
    table: pd.DataFrame = lazy.collect(backend="pandas").to_native()
    return table.sort_values(["index_month", "person_id"]).reset_index(drop=True)


@pytest.mark.slow
def test_spark_and_duckdb_build_the_same_features(spark: Any, hand_warehouse: Path) -> None:
    build_panel(hand_warehouse)
    with duckdb.connect(str(hand_warehouse), read_only=True) as con:
        on_duckdb = _features({t: con.table(t) for t in TABLES})
        on_spark = _features(
            {t: spark.createDataFrame(con.table(t).to_arrow_table()) for t in TABLES}
        )
    assert len(on_duckdb) == 4  # two persons at two index months
    assert list(on_spark.columns) == list(on_duckdb.columns)
    for column in on_duckdb.columns:
        left, right = on_duckdb[column], on_spark[column]
        if pd.api.types.is_numeric_dtype(left):
            assert left.astype(float).tolist() == pytest.approx(right.astype(float).tolist())
        else:
            assert left.astype(str).tolist() == right.astype(str).tolist(), column
