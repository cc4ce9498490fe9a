"""Checking Danish CPR numbers (personnummer) without rejecting valid ones.

A CPR number is ``DDMMYY-SSSS``: the birth date, then a four-digit sequence number whose first
digit (the 7th digit of the number) together with ``YY`` gives the century, and whose last digit
gives the sex (odd = male, even = female):

    7th digit   YY 00-36     YY 37-57     YY 58-99
    0-3         1900s        1900s        1900s
    4, 9        2000s        1900s        1900s
    5-8         2000s        2000s        1800s

The old modulus-11 check (weights 4,3,2,7,6,5,4,3,2,1; the weighted sum divisible by 11) was
abandoned in 2007 when the sequence numbers ran out, so valid CPR numbers issued since then fail
it. It is reported as a warning (``mod11_ok``), never as a reason to reject a number.

Problems, as codes for reports:

    format    not 10 digits with an optional hyphen after the 6th
    date      no such day and month in any year (e.g. 30 February, month 13)
    century   the date does not exist in the century the 7th digit gives (29 February in a
              year that is not a leap year, e.g. 290200 with 7th digit 0-3: 1900)

Nothing here logs or stores the number itself; :class:`CprInfo` keeps it out of its ``repr``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

CprProblem = Literal["format", "date", "century"]
CPR_PROBLEMS: tuple[CprProblem, ...] = ("format", "date", "century")
MOD11_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)

# ASCII digits only: \d would also accept e.g. Arabic-Indic digits.
_CPR_SHAPE = re.compile(r"[0-9]{6}-?[0-9]{4}")
# A CPR-shaped token inside a longer text (not part of a longer run of digits).
_CPR_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])")
# A pre-filter for the same in Arrow (RE2 has no look-behind): confirm with contains_cpr.
CPR_IN_TEXT_PATTERN = r"(^|[^0-9])[0-9]{6}-?[0-9]{4}([^0-9]|$)"


@dataclass(frozen=True)
class CprInfo:
    """What a CPR number says. ``digits`` is the normalised number: 10 digits, no hyphen."""

    digits: str = field(repr=False)
    birth_date: date
    sex: Literal["F", "M"]
    mod11_ok: bool


@dataclass(frozen=True)
class CprCheck:
    """The outcome of :func:`check_cpr`: either ``info`` or a ``problem``.

    ``mod11_ok`` is known for every CPR-shaped value (also those with a date problem) and is
    ``None`` for values that are not CPR-shaped.
    """

    problem: CprProblem | None
    info: CprInfo | None = None
    mod11_ok: bool | None = None

    @property
    def valid(self) -> bool:
        return self.problem is None


def normalise_cpr(text: str) -> str | None:
    """The 10 digits of a CPR-shaped value (surrounding whitespace and the hyphen removed).

    ``None`` when the value is not CPR-shaped.
    """
    stripped = text.strip()
    if not _CPR_SHAPE.fullmatch(stripped):
        return None
    return stripped.replace("-", "")


def is_cpr_shaped(text: str) -> bool:
    """Whether ``text`` is 10 digits with an optional hyphen after the 6th (whitespace around
    is allowed). Says nothing about whether the date is real: see :func:`check_cpr`."""
    return normalise_cpr(text) is not None


def century(seventh_digit: int, yy: int) -> int:
    """The century (1800, 1900 or 2000) of a CPR number's birth year, by the rule table."""
    if not (0 <= seventh_digit <= 9 and 0 <= yy <= 99):
        raise ValueError("seventh_digit must be 0-9 and yy 0-99")
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


def mod11_ok(digits: str) -> bool:
    """Whether 10 digits pass the old modulus-11 check. Failing it is not an error."""
    return sum(w * int(d) for w, d in zip(MOD11_WEIGHTS, digits, strict=True)) % 11 == 0


def check_cpr(text: str) -> CprCheck:
    """Check a CPR number: format, date and century; the modulus-11 result is only a flag."""
    digits = normalise_cpr(text)
    if digits is None:
        return CprCheck(problem="format")
    ok11 = mod11_ok(digits)
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    # 2000 is a leap year, so a day and month that exist in no year fail here.
    try:
        date(2000, month, day)
    except ValueError:
        return CprCheck(problem="date", mod11_ok=ok11)
    year = century(int(digits[6]), yy) + yy
    try:
        born = date(year, month, day)
    except ValueError:
        return CprCheck(problem="century", mod11_ok=ok11)
    sex: Literal["F", "M"] = "M" if int(digits[9]) % 2 else "F"
    return CprCheck(problem=None, info=CprInfo(digits, born, sex, ok11), mod11_ok=ok11)


def parse_cpr(text: str) -> CprInfo | None:
    """The birth date, sex and modulus-11 flag of a valid CPR number; ``None`` if it is not.

    Use :func:`check_cpr` to learn why a number is not valid.
    """
    return check_cpr(text).info


def contains_cpr(text: str) -> bool:
    """Whether ``text`` holds a valid CPR number, alone or inside other text ("mor 0101...")."""
    return len(text) >= 10 and any(check_cpr(m.group()).valid for m in _CPR_IN_TEXT.finditer(text))


def mask_cprs(text: str) -> str:
    """``text`` with every valid CPR number in it replaced by ``<CPR>`` (for messages)."""
    return _CPR_IN_TEXT.sub(lambda m: "<CPR>" if check_cpr(m.group()).valid else m.group(), text)
