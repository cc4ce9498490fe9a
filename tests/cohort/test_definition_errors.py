"""Errors in definitions name the file and line, say what is wrong and suggest a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from broen.analytics import BroenError
from broen.analytics.cohort import (
    CohortDefinitionError,
    CohortError,
    find_definition,
    load_definition,
)
from broen.analytics.cohort import parse_definition as parse

HEAD = "name: t\nindex:\n  fixed: 2021-06-01\ninclusion:\n"  # criteria start on line 5


@pytest.mark.parametrize(
    ("text", "line", "message", "fix"),
    [
        # unknown fields, with the closest name
        (HEAD + "  - diagnosis: {prefxies: [DE11], window: 12m}\n", 5,
         "unknown field 'prefxies' in diagnosis", "did you mean 'prefixes'?"),
        (HEAD + "  - sex: F\n  - diagnose: {prefixes: [DE11], window: 12m}\n", 6,
         "unknown criterion 'diagnose'", "did you mean 'diagnosis'?"),
        ("name: t\nindexx:\n  fixed: 2021-06-01\ninclusion:\n  - sex: F\n", 2,
         "unknown field 'indexx' in the cohort definition", "did you mean 'index'?"),
        (HEAD + "  - sex: F\n    age: {min: 3}\n", 5,
         "exactly one kind, found sex, age", "wrap them in 'all:' or 'any:'"),
        (HEAD + "  - atc: {prefixes: [A10], window: 12m, window: 6m}\n", 5,
         "'window' is given twice", "keep one"),
        # code patterns
        (HEAD + "  - diagnosis:\n      prefixes: [DE11, E66]\n      window: 12m\n", 6,
         "'E66' is not an SKS diagnosis prefix", "write 'DE66'"),
        (HEAD + "  - diagnosis: {prefixes: [de11], window: 12m}\n", 5,
         "'de11' is not an SKS diagnosis prefix", "write 'DE11'"),
        (HEAD + "  - diagnosis: {prefixes: [DI25-DI20], window: 12m}\n", 5,
         "not a range", "low first, e.g. DI20-DI25"),
        (HEAD + "  - atc: {prefixes: [A1], window: 12m}\n", 5,
         "'A1' is not an ATC prefix", "whole ATC level: A (anatomical group), A10"),
        (HEAD + "  - atc: {prefixes: [a10b], window: 12m}\n", 5,
         "'a10b' is not an ATC prefix", "write 'A10B'"),
        # impossible windows
        (HEAD + "  - atc: {prefixes: [A10], window: [-30d, 30d]}\n", 5,
         "ends 30 days after the index date", "end the window at 0, e.g. [-30d, 0d]"),
        (HEAD + "  - atc: {prefixes: [A10], window: [-30d, -60d]}\n", 5,
         "starts (-30 days) after it ends (-60 days)", "[-60d, -30d]"),
        (HEAD + "  - atc: {prefixes: [A10], window: 365}\n", 5,
         "'365' is ambiguous", "write 365d"),
        (HEAD + "  - atc: {prefixes: [A10], window: 12 months}\n", 5,
         "'12 months' is not a window bound", "365d, 12m or 5y"),
        (HEAD + "  - atc: {prefixes: [A10]}\n", 5, "'window' is missing", "window: 12m"),
        ("name: t\nindex:\n  monthly: {from: 2022-01, to: 2021-01}\ninclusion:\n  - sex: F\n", 3,
         "the months end (2021-01) before they start (2022-01)", "swap"),
        # values
        (HEAD + "  - age: {min: 70, max: 18}\n", 5, "age max 18 is below min 70",
         "{min: 18, max: 70}"),
        (HEAD + "  - sex: K\n", 5, "'K' is not a valid sex", "F, M"),
        (HEAD + "  - education: [short]\n", 5, "'short' is not a valid education",
         "short_higher"),
        (HEAD + "  - municipality: [360, 999]\n", 5, "999 is not a DST municipality code",
         "360 (Lolland)"),
        (HEAD + "  - transfer_state: {states: [sickness_benefits], at: index}\n", 5,
         "not a valid transfer state", "did you mean 'sickness_benefit'?"),
        (HEAD + "  - measurement: {kind: bmii, above: 35, window: 2y}\n", 5,
         "not a valid measurement kind", "did you mean 'bmi'?"),
        (HEAD + "  - measurement: {kind: bmi, window: 2y}\n", 5,
         "exactly one comparison", "'above: 35' for BMI > 35"),
        (HEAD + "  - service_use: {metric: acute_admission, min: 3, window: 12m}\n", 5,
         "unknown service-use metric 'acute_admission'", "did you mean 'acute_admissions'?"),
        ("name: Et Liv\nindex:\n  fixed: 2021-06-01\ninclusion:\n  - sex: F\n", 1,
         "'Et Liv' is not a cohort name", "et-liv-i-balance"),
        ("name: t\nindex:\n  fixed: 2021-13-01\ninclusion:\n  - sex: F\n", 3,
         "'2021-13-01' cannot be read", "YYYY-MM-DD"),
        # YAML itself
        (HEAD + "  - measurement: {kind: bmi, above: >35, window: 2y}\n", 5,
         "not valid YAML", "quote values that start with a special character such as '>'"),
        ("name: t\nindex:\n  fixed: 2021-06-01\n", 1, "the definition has no 'inclusion'",
         "add 'inclusion:'"),
    ],
)  # fmt: skip
def test_errors_name_the_line_and_a_fix(text: str, line: int, message: str, fix: str) -> None:
    with pytest.raises(CohortDefinitionError) as info:
        parse(text, "def.yaml")
    err = info.value
    assert isinstance(err, BroenError)
    assert (err.path, err.line) == ("def.yaml", line), str(err)
    assert message in err.message, str(err)
    assert fix in err.fix, str(err)
    assert str(err).startswith(f"def.yaml:{line}: ") and " — " in str(err)


def test_a_definition_file_reports_its_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(HEAD + "  - sex: X\n", encoding="utf-8")
    with pytest.raises(CohortDefinitionError, match=r"mine\.yaml:5: 'X' is not a valid sex"):
        load_definition(path)


def test_an_unknown_name_suggests_a_shipped_definition() -> None:
    with pytest.raises(CohortError, match="did you mean 'et-liv-i-balance'"):
        find_definition("et-liv-i-balanse")
