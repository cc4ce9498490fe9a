"""``broen cohort build | check | list`` through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

# _cohort registers ``broen cohort`` (until broen.cli imports it)
from broen.cli import _cohort, cli
from broen.cli._render import console
from tests.cohort.helpers import definition


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Criterion texts stay on one line, so the tests can look for them."""
    monkeypatch.setattr(console, "width", 220)


def _write(tmp_path: Path, body: str, **kwargs: str) -> Path:
    path = tmp_path / "def.yaml"
    path.write_text(definition(body, name="cli-test", **kwargs), encoding="utf-8")
    return path


def test_build_prints_the_attrition(warehouse: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "inclusion:\n  - sex: F\nexclusion:\n  - municipality: [376]\n")
    result = CliRunner().invoke(cli, ["cohort", "build", str(path), "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "Cohort cli-test: attrition" in result.output
    assert "alive and resident at the index date" in result.output
    assert "exclude: municipality in 376" in result.output
    assert "Cohort cli-test: 2 persons" in result.output
    listed = CliRunner().invoke(cli, ["cohort", "list", "--warehouse", str(warehouse)])
    assert listed.exit_code == 0, listed.output
    assert "cli-test" in listed.output and "et-liv-i-balance" in listed.output


def test_build_shows_rows_and_danish_numbers_for_a_monthly_index(
    warehouse: Path, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "inclusion:\n  - age: {min: 0}\n",
        index="monthly: {from: period_start, to: period_end}",
    )
    result = CliRunner().invoke(cli, ["cohort", "build", str(path), "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "rows kept" in result.output
    assert "person-index rows" in result.output
    assert "100,0 %" in result.output  # everyone is alive and resident at some index date
    assert "480" in result.output  # 8 persons x 60 months
    assert _cohort._n(1_234_567) == "1.234.567"


def test_build_with_a_programme_index(warehouse: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["cohort", "build", "rygestop-vba", "--warehouse", str(warehouse),
         "--programme", "rygestop", "--programme-date", "referral_date"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "referral_date of programme rygestop" in result.output


def test_check_validates_without_a_warehouse(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["cohort", "check", "sammen-om-min-vej"])
    assert result.exit_code == 0, result.output
    assert "OK sammen-om-min-vej" in result.output
    assert "exclude (line" in result.output


def test_check_reports_the_line_and_a_fix(tmp_path: Path) -> None:
    path = _write(tmp_path, "inclusion:\n  - diagnosis: {prefixes: [E11], window: 12m}\n")
    result = CliRunner().invoke(cli, ["cohort", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:5: 'E11' is not an SKS diagnosis prefix" in result.output
    assert "— SKS diagnosis codes are ICD-10 with a leading D: write 'DE11'" in result.output


def test_build_on_a_missing_warehouse_says_to_import_first(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["cohort", "build", "type-2-diabetes", "--warehouse", str(tmp_path / "none.duckdb")]
    )
    assert result.exit_code == 1
    assert "broen import" in result.output
    assert not (tmp_path / "none.duckdb").exists()
