"""Small value readers for definition fields; each raises on the value's own line."""

from __future__ import annotations

from typing import Any

from broen.analytics.cohort._codes import parse_window
from broen.analytics.cohort._model import Window
from broen.analytics.cohort._yaml import Node, suggest


def require(node: Node, spec: dict[str, Node], key: str, example: str) -> None:
    if key not in spec:
        raise node.error(f"'{key}' is missing", f"write e.g. {example}")


def window(node: Node, spec: dict[str, Node]) -> Window:
    if "window" not in spec:
        raise node.error("'window' is missing", "add e.g. 'window: 12m' (or 'all' for all history)")
    return parse_window(spec["window"])


def choice(node: Node, allowed: tuple[Any, ...], what: str = "value here") -> Any:
    value = node.value()
    if value not in allowed or isinstance(value, bool) != isinstance(allowed[0], bool):
        raise node.error(
            f"{value!r} is not a valid {what}", suggest(str(value), [str(a) for a in allowed])
        )
    return value


def choices(node: Node, allowed: tuple[Any, ...], what: str = "value here") -> tuple[Any, ...]:
    items = node.sequence()
    if not items:
        raise node.error(
            "the list is empty", f"give at least one of {', '.join(map(str, allowed))}"
        )
    return tuple(dict.fromkeys(choice(item, allowed, what) for item in items))


def boolean(node: Node) -> bool:
    value = node.value()
    if not isinstance(value, bool):
        raise node.error(f"{value!r} is not true or false", "write true or false")
    return value


def integer(node: Node, low: int, high: int) -> int:
    value = node.value()
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise node.error(
            f"{value!r} is not a whole number from {low} to {high}",
            f"write a number from {low} to {high}",
        )
    return value


def number(node: Node) -> float:
    value = node.value()
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise node.error(f"{value!r} is not a non-negative number", "write a number, e.g. 3")
    return float(value)


def plain_text(node: Node | None) -> str:
    if node is None:
        return ""
    value = node.value()
    if not isinstance(value, str):
        raise node.error(f"{value!r} is not text", "write it as text")
    return value.strip()
