"""YAML with line numbers: definition files are read as node trees, so that every error can name
the line it is about. Plain values are built with PyYAML's safe constructor."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from broen.analytics.cohort._errors import CohortDefinitionError


@dataclass(frozen=True)
class Node:
    """A YAML node with the file it came from; ``line`` is 1-based."""

    path: str
    raw: yaml.Node

    @property
    def line(self) -> int:
        return int(self.raw.start_mark.line) + 1

    def error(self, message: str, fix: str) -> CohortDefinitionError:
        return CohortDefinitionError(self.path, self.line, message, fix)

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.raw, yaml.MappingNode)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.raw, yaml.SequenceNode)

    def value(self) -> Any:
        """The plain Python value (scalars, lists, dicts) of this node."""
        try:
            return yaml.constructor.SafeConstructor().construct_object(self.raw, deep=True)
        except (ValueError, yaml.YAMLError) as err:
            raise self.error(
                f"'{getattr(self.raw, 'value', '')}' cannot be read ({err})",
                "check the value; dates are YYYY-MM-DD",
            ) from None

    def items(self) -> Iterator[tuple[str, Node, Node]]:
        """(key, key node, value node) of a mapping; duplicate keys are an error."""
        if not isinstance(self.raw, yaml.MappingNode):
            raise self.error("expected a mapping of 'key: value' lines here", "indent the keys")
        seen: set[str] = set()
        for k, v in self.raw.value:
            key_node = Node(self.path, k)
            key = key_node.value()
            if not isinstance(key, str):
                raise key_node.error(f"the key {key!r} is not a name", "use a word as the key")
            if key in seen:
                raise key_node.error(f"'{key}' is given twice", "keep one of them")
            seen.add(key)
            yield key, key_node, Node(self.path, v)

    def mapping(self, allowed: Iterable[str], what: str, noun: str = "field") -> dict[str, Node]:
        """The value nodes of a mapping whose keys must be among ``allowed``."""
        allowed = tuple(allowed)
        out: dict[str, Node] = {}
        for key, key_node, value in self.items():
            if key not in allowed:
                raise key_node.error(
                    f"unknown {noun} '{key}' in {what}", suggest(key, allowed, "use one of")
                )
            out[key] = value
        return out

    def sequence(self) -> list[Node]:
        """The items of a list; a single value is read as a list of one."""
        if isinstance(self.raw, yaml.SequenceNode):
            return [Node(self.path, n) for n in self.raw.value]
        return [self]


def suggest(word: str, choices: Iterable[str], prefix: str = "use one of") -> str:
    """'did you mean X?' when a choice is close, else the list of choices."""
    choices = [str(c) for c in choices]
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"{prefix}: {', '.join(choices)}"


def load(text: str, path: Path | str) -> Node:
    """Parse a definition's text into a node tree; YAML syntax errors keep their line."""
    try:
        raw = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = int(mark.line) + 1 if mark is not None else 1
        problem = (err.problem or "invalid YAML").strip()
        raise CohortDefinitionError(
            path,
            line,
            f"this is not valid YAML ({problem})",
            "check the indentation, and quote values that start with a special character "
            "such as '>', '*', '&' or '@'",
        ) from None
    if raw is None:
        raise CohortDefinitionError(
            path, 1, "the definition is empty", "start from docs/cohorts.md"
        )
    return Node(str(path), raw)
