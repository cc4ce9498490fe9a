"""The engine seam: DuckDBSource and SparkSource read, build and materialise frames alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import narwhals as nw
import pyarrow as pa
import pytest

import broen.analytics
import broen.analytics.cohort
from broen.analytics import DuckDBSource, Source, SparkSource


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE persons (person_id VARCHAR, birth_date DATE, sex VARCHAR)")
    con.execute(
        "INSERT INTO persons VALUES ('a', DATE '1950-01-02', 'F'), ('b', DATE '1960-03-04', 'M'),"
        " ('c', DATE '1970-05-06', 'F')"
    )
    con.execute("CREATE TABLE batches (period_start DATE, period_end DATE)")
    con.execute("INSERT INTO batches VALUES (DATE '2020-01-01', DATE '2022-12-31')")
    return con


def _rows(frame: Any) -> list[tuple[Any, ...]]:
    return sorted(frame.collect().rows())


def _temporary(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    return {r[0] for r in rows}


DAYS = pa.table({"index_date": pa.array([date(2021, 1, 1), date(2021, 2, 1)], pa.date32())})


def test_the_cohort_package_re_exports_the_library_seam() -> None:
    assert broen.analytics.cohort.Source is Source
    assert broen.analytics.cohort.DuckDBSource is DuckDBSource
    assert broen.analytics.cohort.SparkSource is SparkSource
    assert {"Source", "DuckDBSource", "SparkSource"} <= set(broen.analytics.__all__)


def test_duckdb_tables_columns_and_period() -> None:
    source = DuckDBSource(_warehouse())
    assert source.has_table("persons")
    assert not source.has_table("nothing")
    assert source.columns("persons") == ["person_id", "birth_date", "sex"]
    assert _rows(source.table("persons", ["sex", "person_id"])) == [
        ("F", "a"),
        ("F", "c"),
        ("M", "b"),
    ]
    assert source.table("persons").collect_schema().names() == ["person_id", "birth_date", "sex"]
    assert source.period() == (date(2020, 1, 1), date(2022, 12, 31))
    with pytest.raises(ValueError, match="non-empty"):
        source.table("persons", [])


def test_duckdb_tables_can_be_redirected_to_a_subset() -> None:
    con = _warehouse()
    con.execute("CREATE TEMP TABLE some_persons AS SELECT * FROM persons WHERE sex = 'F'")
    source = DuckDBSource(con, tables={"persons": "some_persons", "gone": "no_such_table"})
    assert source.has_table("persons")
    assert not source.has_table("gone")
    assert source.columns("persons") == ["person_id", "birth_date", "sex"]
    assert _rows(source.table("persons", ["person_id"])) == [("a",), ("c",)]


def test_duckdb_rows_keep_their_types_also_when_empty() -> None:
    source = DuckDBSource(_warehouse())
    frame = source.rows(DAYS)
    assert _rows(frame) == [(date(2021, 1, 1),), (date(2021, 2, 1),)]
    empty = source.rows(DAYS.slice(0, 0))
    assert _rows(empty) == []
    assert empty.collect_schema()["index_date"] == nw.Date()
    assert _rows(frame.join(source.table("persons", ["person_id"]), how="cross")) == [
        (d, p) for d in (date(2021, 1, 1), date(2021, 2, 1)) for p in "abc"
    ]
    with pytest.raises(TypeError, match=r"pyarrow\.Table"):
        source.rows([1, 2])  # type: ignore[arg-type]


def test_duckdb_materialise_computes_once_and_reads_the_stored_result() -> None:
    con = _warehouse()
    source = DuckDBSource(con)
    women = source.table("persons").filter(nw.col("sex") == "F").select("person_id")
    stored = source.materialise(women)
    con.execute("DELETE FROM persons")  # the stored result no longer depends on its input
    assert _rows(stored) == [("a",), ("c",)]
    assert _rows(women) == []
    # A materialised frame can be materialised again and combined with other frames.
    again = source.materialise(stored.join(source.rows(DAYS), how="cross"))
    assert len(_rows(again)) == 4
    with pytest.raises(TypeError, match="DuckDB frame"):
        source.materialise(nw.from_native(pa.table({"a": [1]})).lazy())


def test_duckdb_names_are_reachable_from_sql_and_never_hide_a_table() -> None:
    con = _warehouse()
    with DuckDBSource(con) as source:
        source.materialise(source.table("persons").filter(nw.col("sex") == "F"), name="it's")
        source.rows(DAYS, name="index dates")
        assert con.execute('SELECT count(*) FROM "it\'s"').fetchall() == [(2,)]
        assert con.execute('SELECT count(*) FROM "index dates"').fetchall() == [(2,)]
        with pytest.raises(ValueError, match="warehouse table"):
            source.rows(DAYS, name="persons")
    assert _temporary(con) == set()  # the with block dropped them
    assert con.execute("SELECT count(*) FROM persons").fetchall() == [(3,)]


def test_duckdb_sources_on_one_connection_do_not_collide_and_drop_only_their_own() -> None:
    con = _warehouse()
    first, second = DuckDBSource(con), DuckDBSource(con)
    a = first.materialise(first.table("persons").filter(nw.col("sex") == "F"))
    b = second.materialise(second.table("persons").filter(nw.col("sex") == "M"))
    assert len(_temporary(con)) == 2
    first.drop_temporary()
    assert len(_temporary(con)) == 1
    assert _rows(b.select("person_id")) == [("b",)]
    with pytest.raises(duckdb.Error):
        _rows(a)
    second.drop_temporary()
    assert _temporary(con) == set()


def test_duckdb_a_result_left_unread_does_not_block_the_source() -> None:
    con = _warehouse()
    source = DuckDBSource(con)
    con.execute("SELECT * FROM persons").fetchone()  # a result left unfinished
    frame = source.rows(DAYS)
    con.execute("SELECT * FROM persons").fetchone()
    stored = source.materialise(frame)
    con.execute("SELECT * FROM persons").fetchone()
    assert len(_rows(source.table("persons"))) == 3
    assert len(_rows(stored)) == 2


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    from broen.analytics._spark import spark_session

    small = {"spark.sql.shuffle.partitions": "1", "spark.sql.adaptive.enabled": "false"}
    with spark_session("local[1]", small) as session:
        yield session


@pytest.mark.slow
def test_spark_source_reads_parquet_and_behaves_like_duckdb(spark: Any, tmp_path: Path) -> None:
    con = _warehouse()
    path = tmp_path / "persons.parquet"
    con.execute(f"COPY persons TO '{path}' (FORMAT parquet)")
    period = (date(2020, 1, 1), date(2022, 12, 31))
    sources: list[Source] = [
        DuckDBSource(con),
        SparkSource.from_parquet(spark, {"persons": path}, period=period),
    ]
    results = []
    for source in sources:
        assert source.has_table("persons") and not source.has_table("nothing")
        assert source.columns("persons") == ["person_id", "birth_date", "sex"]
        assert source.period() == period
        women = source.table("persons", ["person_id", "sex"]).filter(nw.col("sex") == "F")
        stored = source.materialise(women.select("person_id"), name="women")
        days = source.rows(DAYS)
        empty = source.rows(DAYS.slice(0, 0))
        assert empty.collect_schema()["index_date"] == nw.Date()
        assert _rows(empty) == []
        results.append(_rows(stored.join(days, how="cross")))
        source.drop_temporary()
    assert results[0] == results[1]
    assert len(results[0]) == 4
    assert "women" not in {t.name for t in spark.catalog.listTables()}
    with pytest.raises(TypeError, match="Spark frame"):
        sources[1].materialise(sources[0].table("persons"))


@pytest.mark.slow
def test_spark_source_named_results_are_temporary_views(spark: Any) -> None:
    frame = spark.createDataFrame(pa.table({"person_id": ["a", "b"], "sex": ["F", "M"]}))
    with SparkSource(spark, {"persons": frame}) as source:
        source.materialise(source.table("persons").filter(nw.col("sex") == "F"), name="women")
        source.rows(DAYS, name="days")
        assert spark.sql("SELECT count(*) AS n FROM women CROSS JOIN days").first()["n"] == 2
    names = {t.name for t in spark.catalog.listTables()}
    assert not {"women", "days"} & names
