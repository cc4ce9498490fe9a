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
