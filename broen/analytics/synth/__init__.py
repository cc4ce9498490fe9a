"""Synthetic population generator (``broen synth``): a realistic register extract in contract v1
for Lolland/Guldborgsund-like municipalities, with programmes whose true effects are known."""

from __future__ import annotations

from ._config import POPULATION_2020, PROGRAMMES, ProgrammeEffect, ProgrammeEffects
from ._generate import SynthResult, generate_extract

__all__ = [
    "POPULATION_2020",
    "PROGRAMMES",
    "ProgrammeEffect",
    "ProgrammeEffects",
    "SynthResult",
    "generate_extract",
]
