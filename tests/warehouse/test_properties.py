"""Property-based tests of the CSV importer against an independent reference reader.

For every generated extract (see ``properties_strategies``) the importer must agree with
``reference_csv`` + ``properties_model``: rows read = accepted + rejected per file; each accepted
row equals the reference's typed record; each rejected row is in the quarantine with the
reference's rule; no content of an unknown column reaches the warehouse; and a fatal problem
raises ExtractError. The profile (short by default, long for ``make test-long``) is chosen by
``BROEN_HYPOTHESIS_PROFILE``; see docs/testing.md.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

from tests.warehouse.helpers import cpr_shaped
from tests.warehouse.properties_check import assert_imports_as_expected, outcome, workdir
from tests.warehouse.properties_settings import profile
from tests.warehouse.properties_strategies import (
    SECRET,
    CsvFile,
    Dialect,
    Extract,
    extracts,
    quote,
)


@profile()
@given(extract=extracts())
def test_a_csv_extract_loads_as_the_reference_reads_it(tmp_path: Path, extract: Extract) -> None:
    expected = outcome(extract)
    assume(expected.ambiguous is None)
    with workdir(tmp_path) as workspace:
        assert_imports_as_expected(extract, expected, workspace)


@profile(scale=0.5)
@given(extract=extracts(tables=()))
def test_a_persons_file_alone_loads_as_the_reference_reads_it(
    tmp_path: Path, extract: Extract
) -> None:
    """The same with persons only: more examples spent on its integer, date and bool cells."""
    expected = outcome(extract)
    assume(expected.ambiguous is None)
    with workdir(tmp_path) as workspace:
        assert_imports_as_expected(extract, expected, workspace)


CPR_COLUMN_VALUES = st.sampled_from(
    [
        cpr_shaped(1, 1, 60, 1234),
        cpr_shaped(1, 1, 60, 1234, hyphen=False),
        f" {cpr_shaped(31, 12, 99, 4321)} ",
        f"CPR {cpr_shaped(1, 1, 60, 1234, hyphen=False)}",
    ]
)


@profile(scale=0.3)
@given(
    value=CPR_COLUMN_VALUES,
    name=st.sampled_from(["cpr", "CPR", " Cpr ", "cpr_nr", "personnummer"]),
    sep=st.sampled_from([",", ";", "|", "\t"]),
    quoted=st.booleans(),
)
def test_a_cpr_number_in_an_unknown_column_is_ignored_and_never_stored(
    tmp_path: Path, value: str, name: str, sep: str, quoted: bool
) -> None:
    """Unknown columns are not read: a CPR number in one neither stops the import nor is kept."""
    cell = quote(SECRET + value) if quoted else SECRET + value
    header = sep.join(["person_id", name, "birth_date", "sex", "municipality"])
    lines = [header, sep.join(["a1", cell, "1960-01-01", "F", "360"])]
    data = ("\n".join(lines) + "\n").encode()
    dialect = Dialect("utf-8", sep, ".", True, "\n", "minimal", False, True, "none")
    extract = Extract([CsvFile("persons", "persons.csv", data, dialect, [name])])
    expected = outcome(extract)
    assert not expected.fatal and len(expected.accepted("persons")) == 1
    with workdir(tmp_path) as workspace:
        assert_imports_as_expected(extract, expected, workspace)
