"""The engine an evaluation runs on: the warehouse's DuckDB, or Spark on an export of it.

On Spark the tables an evaluation reads are exported from the warehouse to Parquet (DuckDB's
``COPY``) into a scratch folder next to the warehouse, read by a :class:`SparkSource`, and the
folder is removed afterwards. The population-sized steps then run on Spark; the matching and
estimation run in memory on what they return, as on DuckDB.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from broen.analytics._source import DuckDBSource, SparkSource
from broen.analytics._sql import literal, quote
from broen.analytics._warehouse import connect, default_warehouse_path

ENGINES = ("duckdb", "spark")
TABLES = (
    "batches",
    "persons",
    "panel",
    "hospital_contacts",
    "hospital_diagnoses",
    "prescriptions",
    "programme_episodes",
    "measurements",
    "questionnaire_responses",
)


@contextmanager
def open_source(warehouse: Path | None, engine: str = "duckdb") -> Iterator[Any]:
    """A source over the warehouse on ``engine``; temporary tables are dropped at the end."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    with connect(warehouse, read_only=True) as con:
        duck = DuckDBSource(con)
        if engine == "duckdb":
            with duck:
                yield duck
            return
        from broen.analytics._spark import spark_session

        path = Path(warehouse) if warehouse is not None else default_warehouse_path()
        staging = Path(tempfile.mkdtemp(prefix=".evaluation-staging-", dir=path.parent))
        try:
            files: dict[str, Path] = {}
            for name in TABLES:
                if duck.has_table(name):
                    files[name] = staging / f"{name}.parquet"
                    target = literal(str(files[name]))
                    con.execute(f"COPY (SELECT * FROM {quote(name)}) TO {target} (FORMAT parquet)")
            with (
                spark_session() as spark,
                SparkSource.from_parquet(spark, files, period=duck.period()) as source,
            ):
                yield source
        finally:
            shutil.rmtree(staging, ignore_errors=True)
