"""The CLI over pseudonymisation: a key is required, and the key never reaches the output."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from broen.cli import cli
from tests.warehouse.helpers import persons_csv


def test_keygen_then_pseudonymise_replaces_ids_and_never_prints_the_key(tmp_path: Path) -> None:
    runner = CliRunner()
    key = tmp_path / "secret.key"
    assert runner.invoke(cli, ["keygen", str(key)]).exit_code == 0
    persons_csv(tmp_path / "x")
    out = tmp_path / "out"
    result = runner.invoke(
        cli, ["pseudonymise", str(tmp_path / "x"), str(out), "--key-file", str(key)]
    )
    assert result.exit_code == 0, result.output
    assert "Distinct persons: 2" in result.output
    secret = key.read_text().strip()
    assert secret not in result.output
    text = (out / "persons.csv").read_text()
    assert "a1," not in text
    assert text.count("\np") == 2


def test_pseudonymise_refuses_to_run_without_a_key_file(tmp_path: Path) -> None:
    persons_csv(tmp_path / "x")
    runner = CliRunner()
    result = runner.invoke(cli, ["pseudonymise", str(tmp_path / "x"), str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "--key-file" in result.output
    missing = ["pseudonymise", str(tmp_path / "x"), str(tmp_path / "o"), "--key-file", "nope.key"]
    result = runner.invoke(cli, missing)
    assert result.exit_code == 1
    assert "There is no key file" in result.output
    assert not (tmp_path / "o").exists()


def test_keygen_never_overwrites_a_key(tmp_path: Path) -> None:
    runner = CliRunner()
    key = tmp_path / "k"
    runner.invoke(cli, ["keygen", str(key)])
    before = key.read_bytes()
    result = runner.invoke(cli, ["keygen", str(key)])
    assert result.exit_code == 1
    assert key.read_bytes() == before
