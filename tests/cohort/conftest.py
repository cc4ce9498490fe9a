from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cohort.helpers import make_warehouse


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_warehouse(tmp_path_factory.mktemp("cohort") / "template.duckdb", panel=True)


@pytest.fixture
def warehouse(_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the hand-made warehouse (with a small panel) for each test."""
    path = tmp_path / "w.duckdb"
    shutil.copy(_template, path)
    return path


@pytest.fixture
def warehouse_without_panel(tmp_path: Path) -> Path:
    return make_warehouse(tmp_path / "nopanel.duckdb")
