"""Small-cell suppression for aggregates that leave Broen.

Every count of persons shown in a report, a table or a file is passed through :func:`suppress`:
a count of fewer than ``k`` persons (default 5) is shown as ``"<5"``, so that nobody can be
singled out from a published aggregate. Zero is shown as ``"0"``: an empty cell reveals nothing
about a person.
"""

from __future__ import annotations

from broen.analytics._exceptions import BroenError

SMALL_CELL = 5


class PrivacyError(BroenError):
    """Broen refuses to write or show something that would expose a person."""


def suppress(n: int, k: int = SMALL_CELL) -> str:
    """``n`` formatted with thousands separators, or ``"<k"`` when ``0 < n < k``."""
    if n < 0:
        raise ValueError(f"a count of persons cannot be negative: {n}")
    if 0 < n < k:
        return f"<{k}"
    return f"{n:,}"


def is_suppressed(n: int, k: int = SMALL_CELL) -> bool:
    """True when a count of ``n`` persons must not be shown."""
    return 0 < n < k
