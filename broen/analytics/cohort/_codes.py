"""Code patterns and windows in definitions: SKS diagnosis prefixes, ATC prefixes, look-back
windows. Each parser takes a YAML node and raises an error on that node's line."""

from __future__ import annotations

import re

from broen.analytics.cohort._model import Offset, Window
from broen.analytics.cohort._yaml import Node

# A diagnosis prefix: D + chapter letter, optionally followed by the ICD-10 category digits and
# SKS subdivisions (DF, DF2, DF20, DF200, DE110A).
DIAGNOSIS_PREFIX = re.compile(r"D[A-Z](?:[0-9]{1,2}|[0-9]{2}[0-9A-Z]{1,4})?")
# An ATC prefix is a whole level: A, A10, A10B, A10BA, A10BA02.
ATC_PREFIX = re.compile(r"[A-Z](?:[0-9]{2}(?:[A-Z](?:[A-Z](?:[0-9]{2})?)?)?)?")
ATC_LEVELS = "A (anatomical group), A10, A10B, A10BA or A10BA02"
_RANGE = re.compile(r"(D[A-Z])([0-9]{2})\s*-\s*(D[A-Z])([0-9]{2})")
_OFFSET = re.compile(r"([+-]?)([0-9]+)\s*([dmy])")


def diagnosis_prefixes(node: Node) -> tuple[str, ...]:
    """SKS diagnosis prefixes; ``DI20-DI25`` expands to DI20, DI21, ..., DI25."""
    out: list[str] = []
    for item in _strings(node, "diagnosis prefix"):
        code = item.value()
        if not isinstance(code, str):
            raise item.error(f"{code!r} is not a diagnosis code", "write it as text, e.g. DE11")
        code = code.strip()
        rng = _RANGE.fullmatch(code)
        if rng:
            chapter, low, chapter2, high = rng.groups()
            if chapter != chapter2 or int(low) > int(high):
                raise item.error(
                    f"'{code}' is not a range of diagnosis categories",
                    "give both ends in the same chapter, low first, e.g. DI20-DI25",
                )
            out.extend(f"{chapter}{n:02d}" for n in range(int(low), int(high) + 1))
            continue
        if not DIAGNOSIS_PREFIX.fullmatch(code):
            raise item.error(f"'{code}' is not an SKS diagnosis prefix", _diagnosis_fix(code))
        out.append(code)
    return tuple(dict.fromkeys(out))


def _diagnosis_fix(code: str) -> str:
    upper = code.upper().replace(".", "")
    if upper != code and DIAGNOSIS_PREFIX.fullmatch(upper):
        return f"write '{upper}' (SKS codes are upper case without dots)"
    if re.fullmatch(r"[A-Z][0-9]{2}[0-9A-Z]{0,4}", upper):
        return f"SKS diagnosis codes are ICD-10 with a leading D: write 'D{upper}'"
    return "write D, the ICD-10 chapter letter and digits, e.g. DE11 or DI20-DI25"


def atc_prefixes(node: Node) -> tuple[str, ...]:
    out: list[str] = []
    for item in _strings(node, "ATC prefix"):
        code = item.value()
        if not isinstance(code, str):
            raise item.error(f"{code!r} is not an ATC code", "write it as text, e.g. A10B")
        code = code.strip()
        if not ATC_PREFIX.fullmatch(code):
            upper = code.upper()
            fix = (
                f"write '{upper}' (ATC codes are upper case)"
                if upper != code and ATC_PREFIX.fullmatch(upper)
                else f"an ATC prefix is a whole ATC level: {ATC_LEVELS}"
            )
            raise item.error(f"'{code}' is not an ATC prefix", fix)
        out.append(code)
    return tuple(dict.fromkeys(out))


def _strings(node: Node, what: str) -> list[Node]:
    items = node.sequence()
    if not items:
        raise node.error(f"the list of {what}es is empty", f"give at least one {what}")
    return items


WINDOW_HELP = (
    "write a look-back such as 365d, 12m or 5y, 'all' for all history, or [start, end] "
    "such as [-365d, -1d] (days d, months m, years y; 0 is the index date)"
)


def parse_offset(node: Node, text: object) -> Offset:
    if isinstance(text, bool):
        raise node.error(f"{text!r} is not a window bound", WINDOW_HELP)
    if isinstance(text, int):
        return Offset(text, "d")
    match = _OFFSET.fullmatch(str(text).strip())
    if not match:
        raise node.error(f"'{text}' is not a window bound", WINDOW_HELP)
    sign, amount, unit = match.groups()
    n = int(amount) * (-1 if sign == "-" else 1)
    if unit == "y":
        return Offset(n * 12, "m")
    return Offset(n, "d" if unit == "d" else "m")


def parse_window(node: Node) -> Window:
    """A look-back window. Criteria may not look past the index date (no future information)."""
    value = node.value()
    if isinstance(value, str) and value.strip() == "all":
        return Window(None, Offset(0, "d"))
    if isinstance(value, list):
        if len(value) != 2:
            raise node.error(f"a window has two ends, not {len(value)}", WINDOW_HELP)
        lo, hi = parse_offset(node, value[0]), parse_offset(node, value[1])
    elif isinstance(value, str | int) and not isinstance(value, bool):
        if isinstance(value, int) or value.strip().startswith(("-", "+")):
            fix = f"write {abs(value)}d" if isinstance(value, int) else WINDOW_HELP
            raise node.error(
                f"'{value}' is ambiguous as a look-back window", fix + " for a look-back"
            )
        span = parse_offset(node, value)
        if span.amount == 0:
            raise node.error("a look-back of length 0 is empty", "use [0d, 0d] for the index day")
        lo, hi = Offset(-span.amount, span.unit), Offset(0, span.unit)
    else:
        raise node.error(f"{value!r} is not a window", WINDOW_HELP)
    if hi.amount > 0:
        raise node.error(
            f"the window ends {hi.text()} after the index date, but criteria may only look "
            "back (selecting on what happens after the index date uses the future)",
            f"end the window at 0, e.g. [{lo.amount}{lo.unit}, 0{lo.unit}]",
        )
    if lo.approx_days > hi.approx_days:
        raise node.error(
            f"the window starts ({lo.text()}) after it ends ({hi.text()})",
            f"swap the ends: [{hi.amount}{hi.unit}, {lo.amount}{lo.unit}]",
        )
    return Window(lo, hi)
