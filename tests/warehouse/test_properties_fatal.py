"""Property-based tests: a fatal problem stops the import and leaves the warehouse as it was.

Each example starts from a warehouse that already holds an extract of the same source (a
successful import would replace it), generates an extract with one fatal problem
(``properties_strategies.FATAL_KINDS``) in one of its files, and checks that the import raises
ExtractError with one sentence that names what to fix, and that every table, the warehouse file
and the import reports are exactly as before.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broen.analytics import TABLES, ExtractError, import_extract
from tests.warehouse.independent_extract import write_independent_extract
from tests.warehouse.properties_check import (
    SOURCE,
    assert_imports_as_expected,
    assert_one_sentence,
    dump,
    outcome,
    run_import,
    workdir,
)
from tests.warehouse.properties_model import cpr_shaped
from tests.warehouse.properties_settings import profile
from tests.warehouse.properties_strategies import (
    TODAY,
    CsvFile,
    Dialect,
    Extract,
    fatal_extracts,
)
from tests.warehouse.reference_csv import (
    ReferenceFatal,
    decode,
    detect_separator,
    normalise_name,
    parse_records,
)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding one imported extract of SOURCE; copied for every example."""
    root = tmp_path_factory.mktemp("loaded")
    extract = write_independent_extract(root / "first", persons=20)
    warehouse = root / "w.duckdb"
    report = import_extract(extract.root, warehouse=warehouse, source=SOURCE, today=TODAY)
    assert report.rows_accepted > 0
    return warehouse


def _copy(loaded: Path, workspace: Path) -> Path:
    warehouse = workspace / "w.duckdb"
    shutil.copyfile(loaded, warehouse)
    shutil.copytree(loaded.parent / "import-reports", workspace / "import-reports")
    return warehouse


def _state(warehouse: Path) -> tuple[dict[str, list[str]], bytes, list[str]]:
    reports = sorted(p.name for p in (warehouse.parent / "import-reports").iterdir())
    return dump(warehouse), warehouse.read_bytes(), reports


@profile()
@given(case=fatal_extracts())
def test_a_fatal_problem_leaves_the_warehouse_as_it_was(
    tmp_path: Path, loaded: Path, case: tuple[Extract, str]
) -> None:
    extract, kind = case
    expected = outcome(extract)
    assert expected.fatal, f"the generator meant {kind}, the reference sees no fatal problem"
    with workdir(tmp_path) as workspace:
        warehouse = _copy(loaded, workspace)
        before = _state(warehouse)
        with pytest.raises(ExtractError) as caught:
            run_import(extract, workspace / "extract", warehouse)
        message = str(caught.value)
        after = _state(warehouse)
        assert after[0] == before[0], "a table changed"
        assert after[2] == before[2], "an import report was written"
        assert after[1] == before[1], "the warehouse file changed"
    assert_one_sentence(message)
    if len(expected.fatal) == 1:
        assert_names_what_to_fix(message, expected.fatal[0].kind, extract)


def assert_names_what_to_fix(message: str, kind: str, extract: Extract) -> None:
    if kind == "separator":
        assert "--sep" in message, f"a separator tie, but --sep is not named in: {message}"
    elif kind == "decimal":
        assert "--decimal" in message, f"both marks, but --decimal is not named in: {message}"
    elif kind == "duplicate_header":
        for name in _duplicate_names(extract):
            assert name in message, f"{name!r} not named in: {message}"
    elif kind == "missing_column":
        missing = _missing(extract)
        assert any(c in message for c in missing), f"{missing} missing, not named in: {message}"
    if kind in ("separator", "decimal", "duplicate_header", "missing_column", "utf16", "empty"):
        names = [f.name for f in extract.files]
        assert any(name in message for name in names), f"no file named in: {message}"


def _header_of(f: CsvFile, extract: Extract) -> list[str]:
    text = decode(f.data, extract.options.encoding)
    return parse_records(text, extract.options.sep or detect_separator(text))[0].fields


def _duplicate_names(extract: Extract) -> list[str]:
    """The two header names, as written (trimmed), that are equal once normalised."""
    for f in extract.files:
        assert isinstance(f, CsvFile)
        try:
            header = _header_of(f, extract)
        except ReferenceFatal:
            continue
        seen: dict[str, str] = {}
        for name in header:
            key = normalise_name(name)
            if key in seen:
                return [seen[key].strip(), name.strip()]
            seen[key] = name
    return []


def _missing(extract: Extract) -> list[str]:
    """The required columns some file lacks."""
    out = []
    for f in extract.files:
        assert isinstance(f, CsvFile)
        try:
            header = {normalise_name(h) for h in _header_of(f, extract)}
        except ReferenceFatal:
            continue
        out += [c.name for c in TABLES[f.table].columns if c.required and c.name not in header]
    return out


# --- CPR-shaped person ids ----------------------------------------------------------------------

DAY_MONTH = st.tuples(st.integers(1, 31), st.integers(1, 12)).filter(
    lambda dm: dm[0] <= (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[dm[1] - 1]
)


@st.composite
def cpr_like_ids(draw: st.DrawFn) -> str:
    """Ten digits, with a hyphen or not, whose day and month exist or not."""
    if draw(st.booleans()):
        day, month = draw(DAY_MONTH)
    else:
        day, month = draw(st.sampled_from([(32, 1), (0, 5), (30, 2), (15, 13), (15, 0), (31, 4)]))
    rest = draw(st.text("0123456789", min_size=6, max_size=6))
    hyphen = "-" if draw(st.booleans()) else ""
    return f"{day:02d}{month:02d}{rest[:2]}{hyphen}{rest[2:]}"


@profile(scale=0.5)
@given(
    pid=cpr_like_ids(), form=st.sampled_from(["{}", " {} ", '"{}"', '" {}\t"']), allow=st.booleans()
)
def test_a_cpr_shaped_person_id_is_refused_unless_allowed(
    tmp_path: Path, loaded: Path, pid: str, form: str, allow: bool
) -> None:
    """DDMMYY-SSSS or ten digits with a day and month that exist: refused unless allowed."""
    written = form.format(pid)
    text = (
        f"person_id,birth_date,sex,municipality\na1,1960-01-01,F,360\n{written},1970-01-01,M,376\n"
    )
    dialect = Dialect("utf-8", ",", ".", True, "\n", "minimal", False, True, "none")
    extract = Extract([CsvFile("persons", "persons.csv", text.encode(), dialect, [])])
    extract.allow_cpr = allow
    expected = outcome(extract)
    assert bool(expected.fatal) == (cpr_shaped(pid) and not allow)
    with workdir(tmp_path) as workspace:
        if expected.fatal:
            warehouse = _copy(loaded, workspace)
            before = _state(warehouse)
            with pytest.raises(ExtractError) as caught:
                run_import(extract, workspace / "extract", warehouse)
            assert _state(warehouse) == before
            assert_one_sentence(str(caught.value))
            assert pid not in str(caught.value), "the message repeats the CPR number"
        else:
            assert_imports_as_expected(extract, expected, workspace)
