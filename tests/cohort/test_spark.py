"""The same definitions on Spark give the same cohorts as on DuckDB (one code path, narwhals)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from broen.analytics._spark import spark_session
from broen.analytics.cohort import (
    DuckDBSource,
    SparkSource,
    evaluate_cohort,
    parse_definition,
)
from tests.cohort.helpers import TABLES, definition, make_warehouse

DEFINITIONS = {
    "fixed": definition(
        "inclusion:\n"
        "  - age: {min: 18, max: 70}\n"
        "  - any:\n"
        "      - diagnosis: {prefixes: [DE11, DI10-DI15], where: any, window: 5y}\n"
        "      - atc: {prefixes: [A10BA], window: 12m, min_dispensings: 2}\n"
        "      - transfer_state: {states: [sickness_benefit], at: index}\n"
        "  - measurement: {kind: bmi, above: 35, window: 2y, missing: include}\n"
        "  - sectors: {min: 2, window: 12m}\n"
        "  - service_use: {metric: cost_total, min: 100, window: 12m}\n"
        "exclusion:\n"
        "  - not: {service_use: {metric: acute_admissions, min: 1, window: 12m}}\n"
    ),
    "monthly": definition(
        "inclusion:\n"
        "  - transfer_state: {states: [sickness_benefit], window: 12m, min_weeks: 2}\n"
        "  - sex: F\n",
        index="monthly: {from: 2020-01, to: period_end, first_only: true}",
    ),
    "programme": definition(
        "inclusion:\n  - lives_alone: true\n",
        index="programme: {id: rygestop, date: referral_date}",
    ),
}


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    small = {"spark.sql.shuffle.partitions": "1", "spark.sql.adaptive.enabled": "false"}
    with spark_session("local[1]", small) as session:
        yield session


@pytest.mark.slow
def test_spark_and_duckdb_build_the_same_cohorts(spark: Any, tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "w.duckdb", panel=True)
    with duckdb.connect(str(warehouse)) as con:
        tables = {
            name: spark.createDataFrame(con.table(name).to_arrow_table())
            for name in [*TABLES, "panel"]
        }
        period = con.execute("SELECT min(period_start), max(period_end) FROM batches").fetchall()[0]
        spark_source = SparkSource(spark, tables, period=period)
        duck_source = DuckDBSource(con)
        for name, text in DEFINITIONS.items():
            d = parse_definition(text, f"{name}.yaml")
            on_duckdb = evaluate_cohort(d, duck_source)
            on_spark = evaluate_cohort(d, spark_source)
            duck_rows = set(on_duckdb.members.collect().rows())
            spark_rows = set(on_spark.members.collect().rows())
            assert duck_rows, name
            assert spark_rows == duck_rows, name
            assert on_spark.attrition == on_duckdb.attrition, name
