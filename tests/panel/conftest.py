"""Shared fixtures: the panel test extract, a warehouse with its panel, one Spark session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from broen.analytics import import_extract
from broen.analytics.panel import build_panel

from .extract import PanelExtract, write_panel_extract

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def panel_extract(tmp_path_factory: pytest.TempPathFactory) -> PanelExtract:
    return write_panel_extract(tmp_path_factory.mktemp("panel") / "extract", persons=150)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, panel_extract: PanelExtract) -> Path:
    """A warehouse with the panel extract imported and its panel built on DuckDB."""
    warehouse = tmp_path_factory.mktemp("built") / "w.duckdb"
    report = import_extract(panel_extract.root, warehouse=warehouse)
    assert report.rows_rejected == 0, report.rule_counts()
    build_panel(warehouse)
    return warehouse


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    pytest.importorskip("pyspark")
    from broen.analytics.panel import start_spark

    session = start_spark()
    yield session
    session.stop()
