"""One pipeline, two engines: the panel built on Spark equals the DuckDB panel cell by cell,
in a full build and in an incremental one."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from broen.analytics import import_extract
from broen.analytics.panel import build_panel

from .extract import PanelExtract, write_panel_extract
from .helpers import differences, panel_cells

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.slow


def test_spark_and_duckdb_panels_are_identical(
    tmp_path: Path, built: Path, panel_extract: PanelExtract, spark: SparkSession
) -> None:
    warehouse = tmp_path / "spark.duckdb"
    import_extract(panel_extract.root, warehouse=warehouse)
    report = build_panel(warehouse, engine="spark", spark=spark)
    assert report.mode == "full"
    assert report.engine == "spark"
    assert report.rows_written > 1000
    assert differences(panel_cells(warehouse), panel_cells(built)) == []

    # An incremental build on Spark equals one on DuckDB.
    twin = tmp_path / "duckdb.duckdb"
    shutil.copy(warehouse, twin)
    extra = write_panel_extract(tmp_path / "b", persons=15, seed=21, source="b", special=False)
    for target in (warehouse, twin):
        import_extract(extra.root, warehouse=target)
    assert build_panel(warehouse, engine="spark", spark=spark).mode == "incremental"
    assert build_panel(twin).mode == "incremental"
    assert differences(panel_cells(warehouse), panel_cells(twin)) == []
