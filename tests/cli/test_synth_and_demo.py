"""`broen synth` and `broen demo` on a small population: the quick-start path works end to end,
and runs again into its own folder without touching anyone else's."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from broen.cli import cli


def test_demo_generates_imports_and_says_where_the_results_are(tmp_path: Path) -> None:
    workdir = tmp_path / "demo"
    args = ["demo", "--workdir", str(workdir), "--persons", "1500"]
    result = CliRunner().invoke(cli, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "rejected 0: reconciles" in result.output
    for step in ("person-month panel", "Cohort type-2-diabetes", "baseline: last-year"):
        assert step in result.output
    assert "6. Does it work?" in result.output
    for programme in ("et-liv-i-balance", "sammen-om-min-vej"):  # evaluated, or told why not
        report = workdir / "evaluation" / programme / "report.html"
        assert report.exists() or f"{programme} was not evaluated:" in result.output
    assert f"Warehouse:     {workdir / 'warehouse.duckdb'}" in result.output
    assert (workdir / "warehouse.duckdb").exists()
    truth = json.loads((workdir / "extract" / "ground_truth.json").read_text())
    assert set(truth["programmes"]) >= {"et-liv-i-balance", "sammen-om-min-vej", "rygestop"}

    again = CliRunner().invoke(cli, args, env={"COLUMNS": "200"})  # its own folder is replaced
    assert again.exit_code == 0, again.output
    assert len(list((workdir / "import-reports").iterdir())) == 1


def test_demo_refuses_a_folder_that_holds_other_files(tmp_path: Path) -> None:
    (tmp_path / "warehouse.duckdb").write_text("a real warehouse, say")
    result = CliRunner().invoke(cli, ["demo", "--workdir", str(tmp_path), "--persons", "100"])
    assert result.exit_code == 1
    assert "does not hold an earlier demo run" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["warehouse.duckdb"]


def test_synth_with_faults_then_import_quarantines_exactly_the_manifest(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "x"
    args = ["synth", "--out", str(out), "--persons", "300", "--faults", "--format", "csv"]
    result = runner.invoke(cli, [*args, "--start", "2019-01", "--end", "2021-12", "--seed", "3"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "faults.json").read_text())
    report = tmp_path / "report.json"
    wh = str(tmp_path / "w.duckdb")
    result = runner.invoke(cli, ["import", str(out), "--warehouse", wh, "--report", str(report)])
    assert result.exit_code == 0, result.output
    saved = json.loads(report.read_text())
    assert saved["reconciles"] is True
    assert saved["rows_rejected"] == len(manifest["rows"])
    expected: dict[str, int] = {}
    for row in manifest["rows"]:
        expected[row["rule"]] = expected.get(row["rule"], 0) + 1
    assert saved["rules"] == dict(sorted(expected.items()))


def test_synth_rejects_a_bad_month(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["synth", "--out", str(tmp_path / "x"), "--start", "2016-13"])
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output
