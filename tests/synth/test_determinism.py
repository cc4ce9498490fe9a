"""Same seed and chunk size give identical output; the API refuses bad arguments."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from broen.analytics import ConfigurationError
from broen.analytics.synth import POPULATION_2020, generate_extract
from broen.analytics.synth._arguments import population

from .conftest import make


def _files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def test_same_seed_same_files(tmp_path: Path) -> None:
    a = make(tmp_path / "a", persons=1_200, chunk_persons=500)
    b = make(tmp_path / "b", persons=1_200, chunk_persons=500)
    assert _files(a.out_dir) == _files(b.out_dir)
    for rel in _files(a.out_dir):
        assert filecmp.cmp(a.out_dir / rel, b.out_dir / rel, shallow=False), rel
    c = make(tmp_path / "c", persons=1_200, chunk_persons=500, seed=8)
    assert not filecmp.cmp(
        a.out_dir / "persons/part-00000.parquet",
        c.out_dir / "persons/part-00000.parquet",
        shallow=False,
    )


def test_chunk_size_changes_draws_not_scale(tmp_path: Path) -> None:
    """Documented: output depends on the chunk size (one RNG stream per chunk); sizes agree."""
    a = make(tmp_path / "a", persons=2_000, chunk_persons=2_000)
    b = make(tmp_path / "b", persons=2_000, chunk_persons=700)
    assert len(list((b.out_dir / "persons").glob("*.parquet"))) == 3
    for table in ("persons", "hospital_contacts", "primary_care", "transfers"):
        assert abs(a.counts[table] - b.counts[table]) < 0.15 * a.counts[table], table


def test_rewrite_removes_old_parts(tmp_path: Path) -> None:
    make(tmp_path / "x", persons=900, chunk_persons=300)
    result = make(tmp_path / "x", persons=900, chunk_persons=900, overwrite=True)
    assert len(list((result.out_dir / "persons").glob("*.parquet"))) == 1


def test_real_population_and_arguments(tmp_path: Path) -> None:
    total, weights = population([360, 376], None)
    assert total == 41_105 + 60_722 and weights == [41_105.0, 60_722.0]
    region = [253, 259, 265, 269, 306, 316, 320, 326, 329, 330, 336, 340, 350, 360, 370, 376, 390]
    assert sorted(POPULATION_2020) == region
    assert 800_000 < sum(POPULATION_2020.values()) < 880_000
    with pytest.raises(ConfigurationError, match="999 is not a DST municipality code"):
        generate_extract(tmp_path, persons=10, municipalities=[999])
    with pytest.raises(ConfigurationError, match=r"101 \(København\): give --persons"):
        generate_extract(tmp_path, municipalities=[101])
    with pytest.raises(ConfigurationError, match="before today"):
        generate_extract(tmp_path, persons=10, start="2020-01", end="2999-12")
    with pytest.raises(ConfigurationError, match="start month 2020-05 is after the end month"):
        generate_extract(tmp_path, persons=10, start="2020-05", end="2020-01")
    with pytest.raises(ConfigurationError, match="like 2016-01"):
        generate_extract(tmp_path, persons=10, start="2020-1")
    with pytest.raises(ConfigurationError, match="seed"):
        generate_extract(tmp_path, persons=10, seed=-1)
    assert not any(tmp_path.iterdir())  # refused before anything was written
