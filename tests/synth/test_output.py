"""The output folder: refused when it holds anything, unless overwrite; then only the generator's
own files are replaced; and a run that fails leaves the folder as it was."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from broen.analytics import ConfigurationError
from broen.analytics.synth import generate_extract
from broen.analytics.synth._arguments import period
from broen.analytics.synth._output import own_files

SMALL = {"persons": 60, "start": "2019-01", "end": "2019-06"}


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_folder_with_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    with pytest.raises(ConfigurationError, match=r"is not empty: .* --force"):
        generate_extract(out, **SMALL)  # type: ignore[arg-type]
    assert _snapshot(out) == {"notes.txt": b"my notes"}


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    result = generate_extract(tmp_path / "out", **SMALL)  # type: ignore[arg-type]
    assert result.extract_json.is_file()
    assert not list(result.out_dir.glob(".broen-synth-*"))  # no staging folder left behind


def test_overwrite_replaces_only_the_generators_files(tmp_path: Path) -> None:
    out = tmp_path / "x"
    first = generate_extract(out, file_format="csv", faults=True, **SMALL)  # type: ignore[arg-type]
    assert first.faults_json is not None
    (out / "README.md").write_text("keep me")
    (out / "persons").mkdir()
    (out / "persons" / "codebook.txt").write_text("keep me too")
    result = generate_extract(out, overwrite=True, **SMALL)  # type: ignore[arg-type]
    assert (out / "README.md").read_text() == "keep me"
    assert (out / "persons" / "codebook.txt").read_text() == "keep me too"
    assert not (out / "persons.csv").exists()  # the old format's tables are gone
    assert not (out / "faults.json").exists() and result.faults_json is None
    assert (out / "persons" / "part-00000.parquet").is_file()
    names = {p.relative_to(out).as_posix() for p in own_files(out)}
    assert names >= {"extract.json", "ground_truth.json", "persons/part-00000.parquet"}
    assert "persons/codebook.txt" not in names and "README.md" not in names


def test_a_run_that_fails_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "x"
    generate_extract(out, **SMALL)  # type: ignore[arg-type]
    before = _snapshot(out)

    def interrupted(stage: str, done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate_extract(out, overwrite=True, progress=interrupted, **SMALL)  # type: ignore[arg-type]
    assert _snapshot(out) == before
    assert not list(out.glob(".broen-synth-*"))
    new = tmp_path / "new" / "deeper"
    with pytest.raises(KeyboardInterrupt):
        generate_extract(new, progress=interrupted, **SMALL)  # type: ignore[arg-type]
    assert not (tmp_path / "new").exists()  # folders it created are removed again


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    with pytest.raises(ConfigurationError, match="is a file"):
        generate_extract(tmp_path / "f", overwrite=True, **SMALL)  # type: ignore[arg-type]


def test_the_period_must_end_before_today_and_says_which_end_to_give() -> None:
    with pytest.raises(ConfigurationError, match="give --end 2025-12 or earlier"):
        period("2020-01", "2026-01", today=date(2026, 1, 31))
    assert period("2020-01", "2025-12", today=date(2026, 1, 1)).n_months == 72
