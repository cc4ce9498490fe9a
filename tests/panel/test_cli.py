"""``broen panel build``: full, then nothing to do, errors as one sentence."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import broen.cli._panel  # noqa: F401  (registers the panel commands)
from broen.analytics import import_extract
from broen.cli import cli

from .extract import PanelExtract


def test_panel_build_prints_a_summary(tmp_path: Path, panel_extract: PanelExtract) -> None:
    warehouse = tmp_path / "w.duckdb"
    import_extract(panel_extract.root, warehouse=warehouse)
    runner = CliRunner()
    result = runner.invoke(cli, ["panel", "build", "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "Full build on duckdb (no panel was built yet)" in result.output
    assert "person-months written" in result.output
    assert "excluded" in result.output
    again = runner.invoke(cli, ["panel", "build", "--warehouse", str(warehouse)])
    assert again.exit_code == 0
    assert "Nothing to do" in again.output
    full = runner.invoke(cli, ["panel", "build", "--warehouse", str(warehouse), "--full"])
    assert "Full build on duckdb (asked for a full build)" in full.output


def test_errors_are_one_sentence(tmp_path: Path, panel_extract: PanelExtract) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["panel", "build", "--warehouse", str(tmp_path / "no.duckdb")])
    assert missing.exit_code == 1
    assert "There is no warehouse" in missing.output
    warehouse = tmp_path / "w.duckdb"
    import_extract(panel_extract.root, warehouse=warehouse)
    bad = tmp_path / "payers.yaml"
    bad.write_text("costs:\n  pc_gp: {region: 0.5}\n")
    result = runner.invoke(
        cli, ["panel", "build", "--warehouse", str(warehouse), "--payers", str(bad)]
    )
    assert result.exit_code == 1
    assert "line 2" in result.output and "Traceback" not in result.output
