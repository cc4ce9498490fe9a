"""The public surface of broen.analytics is what __all__ lists, and nothing grows by accident
(the httpx habit). ruff keeps __all__ sorted (RUF022)."""

from __future__ import annotations

import broen.analytics


def test_all_is_sorted_and_complete() -> None:
    public = {
        name
        for name in dir(broen.analytics)
        if not name.startswith("_") and name not in {"annotations", "synth"}
    }
    assert len(set(broen.analytics.__all__)) == len(broen.analytics.__all__)
    assert set(broen.analytics.__all__) == public
