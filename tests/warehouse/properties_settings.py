"""Hypothesis profiles for the property suite, chosen by ``BROEN_HYPOTHESIS_PROFILE``.

``short`` (the default, part of ``make test``) runs a few dozen examples per property with a fixed
seed (``derandomize``): the same examples on every run and every machine, so CI cannot flake.
``long`` (``make test-long``) draws thousands of fresh random examples per property; a failure
prints its minimal example and a ``@reproduce_failure`` blob to replay it. ``triage`` draws
fresh examples without shrinking, to see quickly which kinds of failure there are. No profile
keeps an example database, so no ``.hypothesis/`` directory is written.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

PROFILE_ENV = "BROEN_HYPOTHESIS_PROFILE"

_COMMON = {
    "deadline": None,  # an import into DuckDB takes 0.1-1 s; a deadline would only flake
    "database": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,  # each example makes its own directory below
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}
settings.register_profile("short", max_examples=30, derandomize=True, **_COMMON)
settings.register_profile("long", max_examples=3000, derandomize=False, **_COMMON)
# Triage: many fresh examples, no shrinking - to see every kind of failure quickly.
settings.register_profile(
    "triage", max_examples=300, derandomize=False, phases=[Phase.generate], **_COMMON
)


def profile(scale: float = 1.0) -> settings:
    """The chosen profile, with ``max_examples`` scaled for a slower or cheaper property."""
    chosen = settings.get_profile(os.environ.get(PROFILE_ENV, "short"))
    return settings(chosen, max_examples=max(1, round(chosen.max_examples * scale)))
