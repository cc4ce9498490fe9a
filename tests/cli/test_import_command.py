"""The CLI over the importer: output, exit codes, the warehouse option and its variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from broen.cli import cli
from tests.warehouse.helpers import persons_csv, write


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_import_prints_the_reconciliation_and_where_the_report_is(
    runner: CliRunner, tmp_path: Path
) -> None:
    persons_csv(tmp_path / "x", "a1,1960-01-01,F,360", "a2,1960-01-01,X,360")
    result = runner.invoke(
        cli, ["import", str(tmp_path / "x"), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    assert result.exit_code == 0, result.output
    assert "Rows read 2 = accepted 1 + rejected 1: reconciles" in result.output
    assert "enum.value 1" in result.output
    assert "import-reports" in result.output


def test_strict_import_exits_3_when_rows_were_quarantined(
    runner: CliRunner, tmp_path: Path
) -> None:
    persons_csv(tmp_path / "x", "a1,1960-01-01,F,360", "a2,1960-01-01,X,360")
    args = ["import", str(tmp_path / "x"), "--warehouse", str(tmp_path / "w.duckdb"), "--strict"]
    assert runner.invoke(cli, args).exit_code == 3


def test_a_user_error_is_one_sentence_and_exit_1_without_traceback(
    runner: CliRunner, tmp_path: Path
) -> None:
    write(tmp_path / "x", "transfers.csv", "person_id,week,state\n")
    result = runner.invoke(
        cli, ["import", str(tmp_path / "x"), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    assert result.exit_code == 1
    assert "Error: The extract in" in result.output
    assert "Traceback" not in result.output


def test_the_warehouse_can_be_chosen_by_environment_variable(
    runner: CliRunner, tmp_path: Path
) -> None:
    persons_csv(tmp_path / "x")
    env = {"BROEN_WAREHOUSE": str(tmp_path / "env.duckdb")}
    assert runner.invoke(cli, ["import", str(tmp_path / "x")], env=env).exit_code == 0
    result = runner.invoke(cli, ["warehouse", "info"], env=env)
    assert result.exit_code == 0, result.output
    assert "persons" in result.output
    assert (tmp_path / "env.duckdb").exists()


def test_warehouse_info_without_a_warehouse_says_what_to_do(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["warehouse", "info", "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "run 'broen import' first" in result.output


def test_quarantine_lists_rows_with_rule_and_reason(runner: CliRunner, tmp_path: Path) -> None:
    persons_csv(tmp_path / "x", "a1,1960-01-01,F,360", "a2,1960-02-30,M,360")
    wh = str(tmp_path / "w.duckdb")
    runner.invoke(cli, ["import", str(tmp_path / "x"), "--warehouse", wh])
    result = runner.invoke(
        cli, ["warehouse", "quarantine", "--warehouse", wh, "--rule", "type.date"]
    )
    assert result.exit_code == 0, result.output
    assert "1960-02-30" in result.output
    assert "type.date" in result.output


def test_the_danish_dialect_flags_are_accepted(runner: CliRunner, tmp_path: Path) -> None:
    header = "person_id;birth_date;sex;municipality\n"
    write(tmp_path / "x", "persons.csv", header + "a1;1960-01-01;F;360\n", encoding="cp1252")
    args = ["import", str(tmp_path / "x"), "--warehouse", str(tmp_path / "w.duckdb")]
    result = runner.invoke(cli, [*args, "--encoding", "cp1252", "--sep", ";", "--decimal", ","])
    assert result.exit_code == 0, result.output


def test_an_unknown_encoding_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    persons_csv(tmp_path / "x")
    args = ["import", str(tmp_path / "x"), "--warehouse", str(tmp_path / "w.duckdb")]
    result = runner.invoke(cli, [*args, "--encoding", "latin-9"])
    assert result.exit_code == 1
    assert "Unknown encoding" in result.output


@pytest.mark.parametrize(
    "command", [[], ["import"], ["warehouse"], ["warehouse", "info"], ["warehouse", "quarantine"],
                ["synth"], ["pseudonymise"], ["keygen"], ["demo"]],
)  # fmt: skip
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
