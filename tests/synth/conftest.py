"""Small synthetic extracts shared by the synth tests (generated once per test session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from broen.analytics.synth import ProgrammeEffects, SynthResult, generate_extract

PERSONS = 4_000
START, END = "2017-01", "2022-12"
# More referrals than in the real programmes, so that small populations have participants.
REACH = 8.0


def make(out: Path, **kwargs: object) -> SynthResult:
    options: dict[str, object] = {
        "persons": PERSONS,
        "start": START,
        "end": END,
        "seed": 7,
        "chunk_persons": 2_000,
        "effects": ProgrammeEffects().with_reach(REACH),
    }
    options.update(kwargs)
    return generate_extract(out, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def extract(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return make(tmp_path_factory.mktemp("synth") / "extract")


@pytest.fixture(scope="session")
def faulty_csv(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return make(
        tmp_path_factory.mktemp("synth") / "faulty_csv",
        faults=True,
        file_format="csv",
        persons=1_500,
    )


@pytest.fixture(scope="session")
def faulty_parquet(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return make(tmp_path_factory.mktemp("synth") / "faulty_parquet", faults=True, persons=1_500)
