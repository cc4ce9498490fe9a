"""A cohort whose index dates lie outside the data, or whose look-back reaches before its start,
is still built, and says so. The hand-made warehouse covers 2019-01-01 .. 2023-12-31."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner

from broen.analytics import connect
from broen.analytics.cohort import DuckDBSource, build_cohort, parse_definition
from broen.analytics.cohort import _events as ev
from broen.analytics.cohort._coverage import coverage_warnings, shift
from broen.analytics.cohort._model import Offset
from broen.cli import _cohort, cli  # noqa: F401  (_cohort registers 'broen cohort')
from broen.cli._render import console
from tests.cohort.helpers import definition, members

START, END = date(2019, 1, 1), date(2023, 12, 31)
HINT = "there it sees less history than asked for."


def _warnings(warehouse: Path, body: str, index: str) -> tuple[str, ...]:
    return build_cohort(
        parse_definition(definition(body, index=index), "t.yaml"), warehouse
    ).warnings


def test_a_cohort_inside_the_data_has_no_warnings(warehouse: Path) -> None:
    body = "inclusion:\n  - atc: {prefixes: [A10], window: 12m}\n"
    assert _warnings(warehouse, body, "fixed: 2021-06-01") == ()
    # 'all' asks for whatever history there is: no warning even at the first day
    everything = "inclusion:\n  - atc: {prefixes: [A10], window: all}\n"
    assert _warnings(warehouse, everything, "fixed: 2019-01-01") == ()


def test_an_index_date_before_the_data_warns_and_still_builds(warehouse: Path) -> None:
    body = "inclusion:\n  - age: {min: 0}\n"
    assert _warnings(warehouse, body, "fixed: 2018-06-01") == (
        "t.yaml:3: the index date 2018-06-01 lies before the data start on 2019-01-01: the "
        "warehouse holds nothing before that day, so look-backs there see nothing.",
    )
    # built all the same: p3 (died 2020), p5 (moved 2021) were alive; p8 was not born
    built = members(warehouse, body, index="fixed: 2018-06-01")
    assert built == {"p1", "p2", "p3", "p4", "p5", "p6", "p7"}


def test_an_index_date_after_the_data_warns(warehouse: Path) -> None:
    assert _warnings(warehouse, "inclusion:\n  - sex: F\n", "fixed: 2024-03-01") == (
        "t.yaml:3: the index date 2024-03-01 lies after the data end on 2023-12-31: deaths, "
        "moves and events after that day are not in the warehouse.",
    )


def test_a_look_back_longer_than_the_data_warns(warehouse: Path) -> None:
    # 5 years before 2023-12-31 is 2018-12-31, one day before the data start
    body = "inclusion:\n  - diagnosis: {prefixes: [DE11], window: 5y}\n"
    assert _warnings(warehouse, body, "fixed: 2021-06-01") == (
        "t.yaml:5: a look-back of 60 months is longer than the data (2019-01-01 to 2023-12-31): "
        "no index date sees the whole window.",
    )


def test_a_look_back_before_the_start_at_early_index_dates_warns(warehouse: Path) -> None:
    # monthly 2019-01 .. 2023-12: 60 dates; 12 months back reaches before 2019-01-01 for the
    # 12 dates of 2019
    body = "inclusion:\n  - atc: {prefixes: [A10], window: 12m}\n"
    assert _warnings(warehouse, body, "monthly: {from: period_start, to: period_end}") == (
        "t.yaml:5: a look-back of 12 months reaches before the data start on 2019-01-01 at 12 of "
        f"60 index dates (2019-01-01 to 2019-12-01): {HINT}",
    )


def test_nested_and_exclusion_criteria_are_checked(warehouse: Path) -> None:
    body = (
        "inclusion:\n"
        "  - any:\n"
        "      - diagnosis: {prefixes: [DE11], window: [-730d, -365d]}\n"
        "      - atc: {prefixes: [A10], window: all}\n"
        "exclusion:\n"
        "  - not:\n"
        "      atc: {prefixes: [R03], window: 30m}\n"
    )
    # 2018-11 .. 2021-02: 28 dates, 2 before the data. Of the 26 inside, 730 days back from
    # 2020-12-01 is 2018-12-02 (short), from 2021-01-01 it is 2019-01-02 (whole): 24 short.
    # 30 months back from 2021-02-01 is 2018-08-01: all 26 short, though the data are longer.
    assert _warnings(warehouse, body, "monthly: {from: 2018-11, to: 2021-02}") == (
        "t.yaml:3: 2 of 28 index dates (2018-11-01 to 2018-12-01) lie before the data start on "
        "2019-01-01: the warehouse holds nothing before that day, so look-backs there see "
        "nothing.",
        "t.yaml:6: a look-back of 730 days reaches before the data start on 2019-01-01 at 24 of "
        f"26 index dates (2019-01-01 to 2020-12-01): {HINT}",
        "t.yaml:10: a look-back of 30 months reaches before the data start on 2019-01-01 at all "
        f"26 index dates (2019-01-01 to 2021-02-01): {HINT}",
    )


def test_criteria_with_the_same_look_back_share_one_warning(warehouse: Path) -> None:
    body = (
        "inclusion:\n"
        "  - atc: {prefixes: [A10], window: 12m}\n"
        "  - diagnosis: {prefixes: [DE11], window: 1y}\n"
        "exclusion:\n"
        "  - atc: {prefixes: [R03], window: 12m}\n"
    )
    assert _warnings(warehouse, body, "fixed: 2019-06-01") == (
        "t.yaml, lines 5, 6 and 8: a look-back of 12 months reaches before the data start on "
        "2019-01-01 at the index date 2019-06-01: there they see less history than asked for.",
    )
    d = parse_definition(definition(body, index="fixed: 2019-06-01"), "")  # no file: no lines
    assert coverage_warnings(d, [date(2019, 6, 1)], (START, END))[0].startswith(
        "A look-back of 12 months reaches"
    )


def test_no_known_period_gives_no_warnings() -> None:
    d = parse_definition(definition("inclusion:\n  - atc: {prefixes: [A10], window: 5y}\n"), "t")
    assert coverage_warnings(d, [date(1990, 1, 1)], (None, None)) == ()
    assert coverage_warnings(d, [], (START, END)) == ()


def test_shift_moves_by_calendar_months_like_the_criteria(warehouse: Path) -> None:
    assert shift(date(2024, 3, 31), Offset(-1, "m")) == date(2024, 2, 29)
    assert shift(date(2021, 3, 31), Offset(-13, "m")) == date(2020, 2, 29)
    assert shift(date(2021, 1, 1), Offset(-730, "d")) == date(2019, 1, 2)
    days = [date(2024, 3, 31), date(2021, 3, 31), date(2020, 1, 31), date(2019, 12, 31)]
    offsets = [Offset(-1, "m"), Offset(-13, "m"), Offset(-60, "m"), Offset(-730, "d")]
    with connect(warehouse) as con:
        source = DuckDBSource(con)
        frame = source.rows(pa.table({"index_date": days}))
        shifted = [ev.shifted("index_date", o).alias(str(i)) for i, o in enumerate(offsets)]
        engine = frame.select(*shifted).collect().rows()
    assert [list(row) for row in engine] == [[shift(d, o) for o in offsets] for d in days]


@pytest.fixture
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 400)


@pytest.mark.usefixtures("_wide_console")
def test_the_cli_prints_the_warnings(warehouse: Path, tmp_path: Path) -> None:
    path = tmp_path / "[v2]" / "def.yaml"  # brackets, which rich would take for markup
    path.parent.mkdir()
    body = "inclusion:\n  - label: '[A10] drugs'\n    atc: {prefixes: [A10], window: 12m}\n"
    path.write_text(definition(body, index="fixed: 2019-06-01", name="early"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["cohort", "build", str(path), "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "Cohort early: attrition" in result.output
    assert "[A10] drugs" in result.output  # the attrition table shows a label as written
    assert (
        f"Warning: {path}:5: a look-back of 12 months reaches before the data start on "
        f"2019-01-01 at the index date 2019-06-01: {HINT}"
    ) in result.output
