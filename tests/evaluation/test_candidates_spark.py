"""One code path, two engines: candidates, participants, the target group, the helpers and the
outcomes computed on Spark equal those computed on DuckDB, on the same small warehouse."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from broen.analytics.cohort import DuckDBSource, SparkSource, parse_definition
from broen.analytics.evaluation._candidates import candidate_features, participant_features
from broen.analytics.evaluation._covariates import CovariateSpec, covariate_columns
from broen.analytics.evaluation._outcomes import outcome_rows, unit_status
from broen.analytics.evaluation._population import (
    collect,
    sample_keys,
    score,
    summarise,
    target_group,
)

from .conftest import PROGRAMME
from .test_candidates import MONTHS, TARGET

pytestmark = pytest.mark.slow

TABLES = [
    "batches", "persons", "hospital_contacts", "hospital_diagnoses", "primary_care",
    "prescriptions", "municipal_services", "transfers", "programme_episodes", "measurements",
    "panel",
]  # fmt: skip


@pytest.fixture(scope="module")
def engines(candidates_warehouse: Path, spark: Any) -> Iterator[tuple[DuckDBSource, SparkSource]]:
    con = duckdb.connect(str(candidates_warehouse), read_only=True)
    tables = {name: spark.createDataFrame(con.table(name).to_arrow_table()) for name in TABLES}
    period = con.execute("SELECT min(period_start), max(period_end) FROM batches").fetchall()[0]
    yield DuckDBSource(con), SparkSource(spark, tables, period=period)
    con.close()


def _table(frame: Any) -> pa.Table:
    return collect(frame, frame.collect_schema().names())


def _same(left: pa.Table, right: pa.Table) -> None:
    """Equal column names and values (types may differ between engines)."""
    assert left.column_names == right.column_names
    assert left.num_rows == right.num_rows
    for name in left.column_names:
        assert left[name].to_pylist() == right[name].to_pylist(), name


def test_candidates_and_participants(engines: tuple[DuckDBSource, SparkSource]) -> None:
    duck, spark = engines
    spec = CovariateSpec()
    on_duck = _table(candidate_features(duck, MONTHS, spec, PROGRAMME))
    on_spark = _table(candidate_features(spark, MONTHS, spec, PROGRAMME))
    assert on_duck.num_rows > 1000
    _same(on_spark, on_duck)
    units = pa.table(
        {
            "unit_id": list(range(6)),
            "person_id": ["a", "c", "i", "f", "r05", "nobody"],
            "index_month": [date(2021, 6, 15), date(2021, 6, 1), date(2021, 3, 1)] * 2,
        }
    )
    _same(
        _table(participant_features(spark, units, spec)),
        _table(participant_features(duck, units, spec)),
    )
    quarter = CovariateSpec(period="quarter", municipality_stratum=True, lookback_months=3)
    months = [date(2019, 5, 1), date(2022, 2, 1)]
    _same(
        _table(candidate_features(spark, months, quarter, PROGRAMME)),
        _table(candidate_features(duck, months, quarter, PROGRAMME)),
    )


def test_target_group_and_helpers(engines: tuple[DuckDBSource, SparkSource]) -> None:
    duck, spark = engines
    definition = parse_definition(TARGET, "target.yaml")
    months = [date(2021, 3, 1), date(2021, 6, 1), date(2022, 1, 1)]
    targets = [target_group(s, definition, months) for s in (duck, spark)]
    assert sorted(targets[0].collect().rows()) == sorted(targets[1].collect().rows())
    frames = [
        candidate_features(s, months, None, PROGRAMME, target=t)
        for s, t in zip((duck, spark), targets, strict=True)
    ]
    _same(_table(frames[1]), _table(frames[0]))
    columns = list(covariate_columns(CovariateSpec()))
    moments = [summarise(f, columns) for f in frames]
    for c in columns:
        for a, b in zip(moments[0][c], moments[1][c], strict=True):
            assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), c
    terms = {"age": 0.1, "cost_total_m1": -0.001, "flag_diabetes": 0.7}
    means = dict.fromkeys(terms, 1.0)
    scales = dict.fromkeys(terms, 2.0)
    logits = [
        collect(score(f, 0.5, terms, means, scales), ["person_id", "index_month", "logit"])
        for f in frames
    ]
    assert logits[0]["person_id"].equals(logits[1]["person_id"])
    for a, b in zip(logits[0]["logit"].to_pylist(), logits[1]["logit"].to_pylist(), strict=True):
        assert math.isclose(a, b, rel_tol=1e-12)
    samples = [sample_keys(s, f, 40, seed=11) for s, f in zip((duck, spark), frames, strict=True)]
    _same(samples[1], samples[0])
    assert samples[0].num_rows == 40


def test_outcomes(engines: tuple[DuckDBSource, SparkSource]) -> None:
    duck, spark = engines
    units = pa.table(
        {
            "unit_id": [1, 2, 3, 4],
            "person_id": ["a", "c", "h", "r07"],
            "index_month": [date(2021, 6, 1), date(2021, 3, 1), date(2021, 6, 1), date(2022, 1, 1)],
        }
    )
    metrics = ["cost_total", "bed_days", "weeks_self_supporting"]
    _same(outcome_rows(spark, units, metrics), outcome_rows(duck, units, metrics))
    _same(unit_status(spark, units, PROGRAMME), unit_status(duck, units, PROGRAMME))
