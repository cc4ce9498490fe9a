"""Numbers as a reader of the report's language expects them.

Danish: ``12.345,6`` (thousands separator ``.``, decimal comma); English: ``12,345.6``. A share is
shown as a percentage with a space before the sign (``12,3 %``, ``12.3 %``). A count of persons
follows Broen's small-cell rule (:mod:`broen.analytics._privacy`): ``0 < n < 5`` is shown as
``<5``, zero as ``0``.
"""

from __future__ import annotations

import math
import numbers

from broen.analytics._privacy import SMALL_CELL, is_suppressed, suppress
from broen.analytics._report._translations import check_language

MISSING = "–"  # a value that is not a number (NaN, e.g. a metric that cannot be computed)
_DANISH = str.maketrans(",.", ".,")


def _real(value: object, what: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a number, not {type(value).__name__} {value!r}")
    return value  # type: ignore[return-value]  # a numbers.Real: float, int or numpy scalar


def format_number(
    value: float, language: str = "da", decimals: int = 0, *, sign: bool = False
) -> str:
    """``value`` rounded to ``decimals`` with the language's separators; ``sign``: a ``+``
    before positive numbers (for differences). NaN is shown as ``–``."""
    check_language(language)
    number = _real(value, "format_number's value")
    plus = "+" if sign else ""
    if isinstance(number, numbers.Integral) and decimals == 0:
        text = f"{int(number):{plus},}"
    else:
        x = float(number)
        if math.isnan(x):
            return MISSING
        if math.isinf(x):
            return ("-" if x < 0 else plus) + "∞"
        if round(x, decimals) == 0:
            x = 0.0  # no "-0,0"
        text = f"{x:{plus},.{decimals}f}"
    return text.translate(_DANISH) if language == "da" else text


def format_percent(
    share: float, language: str = "da", decimals: int = 1, *, sign: bool = False
) -> str:
    """A share (0.123) as a percentage: ``12,3 %`` (Danish), ``12.3 %`` (English)."""
    value = 100 * float(_real(share, "format_percent's share"))
    return f"{format_number(value, language, decimals, sign=sign)} %"


def format_count(n: int, language: str = "da", k: int = SMALL_CELL) -> str:
    """A count of persons: ``<5`` when ``0 < n < k`` (see ``_privacy.suppress``), else the
    number with the language's thousands separator. A negative or fractional count is an
    error."""
    check_language(language)
    number = _real(n, "a count of persons")
    if not float(number).is_integer():
        raise ValueError(f"a count of persons must be a whole number: {n!r}")
    count = int(number)
    text = suppress(count, k)  # refuses a negative count
    return text if is_suppressed(count, k) else format_number(count, language)
