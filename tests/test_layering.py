"""Import rule: broen.analytics (and broen itself) never pull in Django."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["broen", "broen.analytics"])
def test_module_does_not_import_django(module: str) -> None:
    code = f"import {module}, sys; assert 'django' not in sys.modules, 'django was imported'"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_the_cli_uses_only_the_public_surface_of_the_library() -> None:
    """broen.cli is a thin shell: it imports broen.analytics and its packages, never a private
    module (``_name``) of them."""
    import ast
    from pathlib import Path

    cli = Path(__file__).parents[1] / "broen" / "cli"
    private = []
    for path in sorted(cli.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[:2] == ["broen", "analytics"] and any(p.startswith("_") for p in parts):
                    private.append(f"{path.name}: {name}")
    assert private == []
