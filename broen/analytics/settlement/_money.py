"""Money to the øre: amounts are whole øre (int) once a rule has priced them, so that sums, caps
and pro-rata shares add up exactly; effects and prices are Decimals before that."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

ORE = Decimal("0.01")
UNITS = Decimal("0.0001")  # effects in units (bed days, kroner) are kept to 4 decimals


def to_decimal(value: float, quantum: Decimal = UNITS) -> Decimal:
    """A float estimate as a Decimal rounded (half up) to ``quantum``: the same float gives the
    same Decimal on every machine (``repr`` is the shortest exact round trip)."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value}")
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def to_ore(kroner: Decimal) -> int:
    """Kroner rounded half up to whole øre."""
    return int((kroner / ORE).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def kroner(ore: int) -> Decimal:
    return (Decimal(ore) * ORE).quantize(ORE)


def pro_rata(amounts: Sequence[int], total: int) -> list[int]:
    """``amounts`` (øre, none negative) scaled down to sum to exactly ``total`` when they sum to
    more: each gets total × amount / sum rounded down, and the øre left over go one each to the
    largest remainders (ties: the earlier amount). Unchanged when they fit."""
    if total < 0 or any(a < 0 for a in amounts):
        raise ValueError("pro_rata takes amounts and a total of at least 0 øre")
    whole = sum(amounts)
    if whole <= total:
        return list(amounts)
    shares = [divmod(a * total, whole) for a in amounts]
    out = [q for q, _ in shares]
    left = total - sum(out)
    order = sorted(range(len(amounts)), key=lambda i: (-shares[i][1], i))
    for i in order[:left]:
        out[i] += 1
    return out


def format_kr(ore: int, language: str = "da") -> str:
    """``1.234.567,89 kr.`` (Danish) or ``DKK 1,234,567.89``."""
    sign = "-" if ore < 0 else ""
    whole, part = divmod(abs(ore), 100)
    if language == "da":
        return f"{sign}{whole:,}".replace(",", ".") + f",{part:02d} kr."
    return f"{sign}DKK {whole:,}.{part:02d}"
