"""`manage.py check --deploy` under a production-like environment."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BROEN_")}
    clean.pop("DATABASE_URL", None)
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "broen.web.settings",
            "BROEN_SECRET_KEY": secrets.token_urlsafe(50),
            "BROEN_ALLOWED_HOSTS": "broen.kommune.dk",
            "BROEN_DATA_DIR": str(tmp_path / "data"),
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_configuration_passes_deploy_checks(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path, BROEN_HSTS_SECONDS="31536000", BROEN_HSTS_PRELOAD="true")
    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.slow
def test_hsts_is_the_only_decision_left_to_the_operator(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path)
    assert result.returncode != 0
    assert re.findall(r"\((\w+\.[EW]\d+)\)", result.stderr) == ["security.W004"]
