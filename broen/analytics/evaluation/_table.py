"""``broen estimate``: the matching estimator on a table file (CSV or Parquet).

The CSV dialect is read from the header line: ``,``, ``;`` or tab separates; with ``;`` the
decimal mark is a comma (the Danish spreadsheet export). Everything a user can get wrong (a
missing column, a non-numeric covariate, a treatment column that is not 0/1) ends in one
:class:`EvaluationError` sentence naming the file and the column.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from broen.analytics._exceptions import BroenError
from broen.analytics.evaluation._estimator import MatchingEstimator


class EvaluationError(BroenError):
    """An evaluation or estimate cannot be made as asked."""


def read_table(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame (numbers as numbers, empty cells as missing)."""
    path = Path(path)
    if path.suffix.lower() == ".parquet" or path.is_dir():
        try:
            return pq.read_table(path).to_pandas()
        except (pa.ArrowInvalid, OSError) as err:
            first = str(err).split(". ")[0].split("\n")[0].rstrip(".")
            raise EvaluationError(
                f"{path} is not a readable Parquet table ({first}): give a CSV file, a Parquet "
                "file or a folder of Parquet parts."
            ) from err
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        header = handle.readline()
    if not header.strip():
        raise EvaluationError(f"{path} is empty: a table needs a header row.")
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda s: counts[s])
    decimal = "," if sep == ";" else "."
    try:
        return pd.read_csv(path, sep=sep, decimal=decimal, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        raise EvaluationError(f"{path} is not a readable CSV table: {err}.") from err


def estimate_table(
    path: Path,
    *,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    **params: Any,
) -> MatchingEstimator:
    """Read ``path`` and fit a :class:`MatchingEstimator` with ``params`` (its parameters)."""
    frame = read_table(path)
    try:
        return MatchingEstimator(**params).fit(
            frame, treatment=treatment, outcome=outcome, covariates=covariates
        )
    except ValueError as err:
        raise EvaluationError(f"{path}: {err}.") from err
