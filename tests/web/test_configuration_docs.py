"""Every variable settings.py reads is documented and has an example (healthchecks habit)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _variables() -> list[str]:
    source = (REPO / "broen/web/settings.py").read_text(encoding="utf-8")
    return sorted(set(re.findall(r'\benv_\w+\(\s*"([A-Z][A-Z0-9_]*)"', source)))


def test_settings_read_the_expected_variables() -> None:
    names = _variables()
    assert "BROEN_SECRET_KEY" in names
    assert "DATABASE_URL" in names
    assert all(name.startswith("BROEN_") or name == "DATABASE_URL" for name in names)


def test_every_variable_has_a_heading_in_docs() -> None:
    docs = (REPO / "docs/configuration.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (\S+)$", docs, flags=re.MULTILINE))
    assert [name for name in _variables() if name not in headings] == []


def test_every_variable_is_in_env_example() -> None:
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert [name for name in _variables() if name not in listed] == []
