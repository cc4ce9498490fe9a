"""Shipped cohort definitions (``definitions/*.yaml``) and finding a definition by name or path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from broen.analytics.cohort._errors import CohortError
from broen.analytics.cohort._model import CohortDefinition
from broen.analytics.cohort._parse import load_definition, parse_definition
from broen.analytics.cohort._yaml import suggest

_PACKAGE = "broen.analytics.cohort"


def shipped_definitions() -> dict[str, str]:
    """Shipped definition names and their file names."""
    folder = resources.files(_PACKAGE) / "definitions"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    return {name.removesuffix(".yaml"): name for name in names}


def shipped_text(name: str) -> str:
    return (resources.files(_PACKAGE) / "definitions" / f"{name}.yaml").read_text("utf-8")


def find_definition(name_or_path: str | Path) -> CohortDefinition:
    """A definition file, or a shipped definition by its name (e.g. ``et-liv-i-balance``)."""
    path = Path(name_or_path)
    if path.is_file():
        return load_definition(path)
    shipped = shipped_definitions()
    name = str(name_or_path).removesuffix(".yaml")
    if name in shipped:
        return parse_definition(shipped_text(name), f"<shipped>/{shipped[name]}")
    raise CohortError(
        f"There is no definition file '{name_or_path}' and no shipped definition of that name: "
        + suggest(name, shipped, "give a path to a YAML file, or one of")
    )
