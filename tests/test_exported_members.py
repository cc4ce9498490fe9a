"""The public surface of broen.analytics is what __all__ lists, and nothing grows by accident
(the httpx habit). ruff keeps __all__ sorted (RUF022)."""

from __future__ import annotations

from types import ModuleType

import broen.analytics


def test_all_is_sorted_and_complete() -> None:
    # Subpackages (synth, cohort, ...) are namespaces with their own __all__, not members.
    public = {
        name
        for name in dir(broen.analytics)
        if not name.startswith("_")
        and name != "annotations"
        and not isinstance(getattr(broen.analytics, name), ModuleType)
    }
    assert len(set(broen.analytics.__all__)) == len(broen.analytics.__all__)
    assert set(broen.analytics.__all__) == public
