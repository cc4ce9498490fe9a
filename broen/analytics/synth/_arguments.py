"""Checking ``generate_extract``'s arguments before anything is written.

Each refusal is a :class:`ConfigurationError` whose message is one sentence that says what to
do; the CLI prints it as it is, so the option names (``--persons``) are named alongside.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from broen.analytics._exceptions import ConfigurationError
from broen.analytics._municipalities import MUNICIPALITIES, municipality_name

from ._calendar import Period, day_of, iso_of
from ._config import POPULATION_2020

_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def _listed(codes: Sequence[int]) -> str:
    return ", ".join(str(c) for c in codes)


def population(municipalities: Sequence[int], persons: int | None) -> tuple[int, list[float]]:
    """The number of persons and the weight of each municipality (its population)."""
    if not municipalities:
        raise ConfigurationError("Give at least one municipality code, e.g. 360 (Lolland).")
    unknown = [m for m in municipalities if m not in MUNICIPALITIES]
    if unknown:
        what = (
            "is not a DST municipality code"
            if len(unknown) == 1
            else "are not DST municipality codes"
        )
        raise ConfigurationError(
            f"{_listed(unknown)} {what}: give municipality codes such as 360 (Lolland) or 376 "
            "(Guldborgsund)."
        )
    if persons is None:
        missing = [m for m in municipalities if m not in POPULATION_2020]
        if missing:
            named = ", ".join(f"{m} ({municipality_name(m)})" for m in missing)
            which = "municipality" if len(missing) == 1 else "municipalities"
            raise ConfigurationError(f"No population figure for {which} {named}: give --persons.")
        weights = [float(POPULATION_2020[m]) for m in municipalities]
        return int(sum(weights)), weights
    if persons < 1:
        raise ConfigurationError(f"Give at least 1 person (--persons), not {persons}.")
    return persons, [float(POPULATION_2020.get(m, 40_000)) for m in municipalities]


def period(start: str, end: str, *, today: date | None = None) -> Period:
    """Whole months from ``start`` to ``end``, ending before today (the generator draws no
    future events)."""
    for name, month in (("start", start), ("end", end)):
        if not isinstance(month, str) or not _MONTH.fullmatch(month):
            raise ConfigurationError(f"The {name} month {month!r} is not a month like 2016-01.")
    if start > end:  # YYYY-MM strings sort as months
        raise ConfigurationError(
            f"The start month {start} is after the end month {end}: give --start on or before "
            "--end."
        )
    result = Period.of(start, end)
    today = today or date.today()
    if result.end_day >= day_of(today.isoformat()):
        last = f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"
        raise ConfigurationError(
            f"The period must end before today, but it ends {iso_of(result.end_day)}: give "
            f"--end {last} or earlier."
        )
    return result


def check_seed(seed: int) -> None:
    if seed < 0:
        raise ConfigurationError(f"The seed must be 0 or more, not {seed}.")
