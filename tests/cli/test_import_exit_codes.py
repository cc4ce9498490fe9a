"""`broen import`: the exit code tells the truth about what was committed (issue 9, section 4)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from click.testing import CliRunner

from broen.cli import cli
from tests.warehouse.helpers import cpr_shaped, persons_csv, write

CPR = cpr_shaped(1, 1, 90, 1234, hyphen=False)


def _batches(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM batches").fetchall()[0][0])


def test_a_blocked_report_directory_beside_the_warehouse_exits_4_with_the_batch_committed(
    tmp_path: Path,
) -> None:
    persons_csv(tmp_path / "x")
    (tmp_path / "import-reports").write_text("a file where the report directory would go")
    warehouse = tmp_path / "w.duckdb"
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "x"), "--warehouse", str(warehouse)])
    assert result.exit_code == 4, result.output
    assert "import-reports" in result.output
    assert _batches(warehouse) == 1


def test_a_report_path_that_cannot_be_written_exits_4_with_the_batch_committed(
    tmp_path: Path,
) -> None:
    persons_csv(tmp_path / "x")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    warehouse = tmp_path / "w.duckdb"
    args = ["import", str(tmp_path / "x"), "--warehouse", str(warehouse)]
    result = CliRunner().invoke(cli, [*args, "--report", str(blocker / "report.json")])
    assert result.exit_code == 4, result.output
    assert "was imported and committed, but the report could not be written" in result.output
    assert "Traceback" not in result.output
    assert _batches(warehouse) == 1
    # The same extract again is "nothing to do"; a blocked report path is then exit 1.
    again = CliRunner().invoke(cli, [*args, "--report", str(blocker / "report.json")])
    assert again.exit_code == 1
    assert _batches(warehouse) == 1


def test_the_refusal_flags_are_passed_to_the_import(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root, f"{CPR},1990-01-01,F,360")
    warehouse = tmp_path / "w.duckdb"
    args = ["import", str(root), "--warehouse", str(warehouse)]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1
    assert "--allow-cpr" in refused.output
    assert not warehouse.exists() or _batches(warehouse) == 0
    assert CliRunner().invoke(cli, [*args, "--allow-cpr"]).exit_code == 0
    copy = tmp_path / "y"
    persons_csv(copy, f"{CPR},1990-01-01,F,360")
    write(copy, "extract.json", '{"description": "a copy"}')
    repeat = CliRunner().invoke(
        cli, ["import", str(copy), "--warehouse", str(warehouse), "--allow-cpr"]
    )
    assert repeat.exit_code == 1
    assert "--new-source" in repeat.output
    ok = CliRunner().invoke(
        cli, ["import", str(copy), "--warehouse", str(warehouse), "--allow-cpr", "--new-source"]
    )
    assert ok.exit_code == 0, ok.output


def test_the_dialect_of_each_csv_file_is_printed(tmp_path: Path) -> None:
    root = tmp_path / "x"
    write(root, "persons.csv", "person_id;birth_date;sex;municipality\na1;1960-01-01;F;360\n")
    result = CliRunner().invoke(
        cli, ["import", str(root), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    assert result.exit_code == 0, result.output
    assert "persons.csv: read as utf-8 (detected), sep ';' (detected)" in result.output
