"""Property-based tests of the Parquet path against the same reference.

Parquet columns are native (date32, int32/int64, float64, bool, timestamp) or strings; a string
column is read by the CSV cell rules with decimal mark '.', so padding, null-like tokens and junk
reach the same checks as in CSV. Rows read = accepted + rejected, accepted rows equal the
reference's, rejected rows carry the reference's rule, unknown columns never reach the warehouse.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from broen.analytics import ExtractError
from tests.warehouse.properties_check import (
    assert_imports_as_expected,
    assert_one_sentence,
    outcome,
    run_import,
    workdir,
)
from tests.warehouse.properties_settings import profile
from tests.warehouse.properties_strategies import Extract, ParquetFile, parquet_extracts


@profile(scale=0.7)
@given(extract=parquet_extracts())
def test_a_parquet_extract_loads_as_the_reference_reads_it(
    tmp_path: Path, extract: Extract
) -> None:
    expected = outcome(extract)
    assume(expected.ambiguous is None)
    with workdir(tmp_path) as workspace:
        assert_imports_as_expected(extract, expected, workspace)


@profile(scale=0.5)
@given(extract=parquet_extracts(), cut=st.floats(0, 1, exclude_max=True), seed=st.integers())
def test_a_damaged_parquet_file_is_a_fatal_error(
    tmp_path: Path, extract: Extract, cut: float, seed: int
) -> None:
    """persons.parquet cut short, or with bytes overwritten: ExtractError, nothing loaded."""
    persons = extract.files[0]
    assert isinstance(persons, ParquetFile)
    with workdir(tmp_path) as workspace:
        pq.write_table(persons.arrow(), workspace / "whole.parquet")
        data = bytearray((workspace / "whole.parquet").read_bytes())
        if seed % 2:
            data = data[: int(len(data) * cut)]  # a file cut short
        else:
            rng = random.Random(seed)
            for _ in range(1 + rng.randrange(16)):  # a few bytes of the footer or pages
                data[rng.randrange(len(data))] ^= 1 + rng.randrange(255)
        persons.data = bytes(data)
        try:
            pq.read_table(pa.BufferReader(persons.data))
        except Exception:
            pass
        else:
            assume(False)  # the damage left a readable file (a changed byte in a value)
        with pytest.raises(ExtractError) as caught:
            run_import(extract, workspace / "extract", workspace / "w.duckdb")
        assert_one_sentence(str(caught.value))
        assert "persons.parquet" in str(caught.value)
