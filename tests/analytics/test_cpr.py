"""CPR checks. The repository holds no CPR numbers: every number is made at run time.

The helpers here (``make_cpr`` and friends) are shared with the pseudonymisation tests. The 7th
digit is chosen from a hand-written copy of the century table, not from broen's code:

    born 1858-1899: 5-8      born 1900-1936: 0-3      born 1937-1999: 0-4, 9
    born 2000-2036: 4-9      born 2037-2057: 5-8
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from broen.analytics._cpr import (
    CprCheck,
    century,
    check_cpr,
    contains_cpr,
    is_cpr_shaped,
    mask_cprs,
    mod11_ok,
    normalise_cpr,
    parse_cpr,
)

WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def seventh_digits(year: int) -> tuple[int, ...]:
    if 1858 <= year <= 1899:
        return (5, 6, 7, 8)
    if 1900 <= year <= 1936:
        return (0, 1, 2, 3)
    if 1937 <= year <= 1999:
        return (0, 1, 2, 3, 4, 9)
    if 2000 <= year <= 2036:
        return (4, 5, 6, 7, 8, 9)
    if 2037 <= year <= 2057:
        return (5, 6, 7, 8)
    raise ValueError(f"no CPR numbers for {year}")


def make_cpr(
    born: date, seq: int, sex: str, *, seventh: int | None = None, hyphen: bool = True
) -> str:
    """A CPR number for ``born``: ``seq`` (0-99) gives digits 8-9, ``sex`` the last digit."""
    digit7 = seventh_digits(born.year)[0] if seventh is None else seventh
    last = (seq % 5) * 2 + (1 if sex == "M" else 0)
    return raw_cpr(born.day, born.month, born.year % 100, f"{digit7}{seq:02d}{last}", hyphen)


def raw_cpr(day: int, month: int, yy: int, serial: str, hyphen: bool = True) -> str:
    """Any DDMMYY-SSSS string, valid or not."""
    return f"{day:02d}{month:02d}{yy:02d}{'-' if hyphen else ''}{serial}"


def with_mod11(prefix9: str, passing: bool) -> str | None:
    """Ten digits starting with ``prefix9`` that pass (or fail) the modulus-11 check."""
    partial = sum(w * int(d) for w, d in zip(WEIGHTS, prefix9, strict=False))
    for last in range(10):
        if ((partial + last) % 11 == 0) == passing:
            return prefix9 + str(last)
    return None


def random_cprs(rng: random.Random, n: int, *, hyphen: bool = True) -> list[str]:
    """``n`` different valid CPR numbers of people born 1930-2020."""
    out: set[str] = set()
    start = date(1930, 1, 1)
    while len(out) < n:
        born = start + timedelta(days=rng.randrange(91 * 365))
        digit7 = rng.choice(seventh_digits(born.year))
        cpr = make_cpr(born, rng.randrange(100), rng.choice("FM"), seventh=digit7, hyphen=hyphen)
        out.add(cpr)
    return sorted(out)


# --- the century rule, hand-computed from the table ------------------------------------------


@pytest.mark.parametrize(
    ("seventh", "yy", "expected"),
    [
        (0, 0, 1900),
        (1, 36, 1900),
        (2, 58, 1900),
        (3, 99, 1900),
        (4, 0, 2000),
        (4, 36, 2000),
        (4, 37, 1900),
        (4, 99, 1900),
        (9, 36, 2000),
        (9, 37, 1900),
        (5, 0, 2000),
        (5, 57, 2000),
        (5, 58, 1800),
        (6, 70, 1800),
        (7, 99, 1800),
        (8, 57, 2000),
        (8, 58, 1800),
    ],
)
def test_century_table(seventh: int, yy: int, expected: int) -> None:
    assert century(seventh, yy) == expected


@pytest.mark.parametrize(
    ("born", "seventh"),
    [
        (date(1994, 5, 17), 0),  # 0-3: 1900s
        (date(1994, 5, 17), 3),
        (date(1910, 1, 1), 2),
        (date(2010, 8, 3), 4),  # 4 and YY 10 <= 36: 2000s
        (date(1960, 8, 3), 4),  # 4 and YY 60 > 36: 1900s
        (date(2036, 12, 31), 9),
        (date(1937, 1, 1), 9),
        (date(1870, 6, 9), 5),  # 5 and YY 70 > 57: 1800s
        (date(1858, 1, 1), 8),
        (date(2057, 12, 31), 6),  # 6 and YY 57 <= 57: 2000s
        (date(2001, 2, 3), 7),
    ],
)
def test_birth_date_follows_the_century_rule(born: date, seventh: int) -> None:
    info = parse_cpr(make_cpr(born, 12, "F", seventh=seventh))
    assert info is not None
    assert info.birth_date == born


def test_random_cprs_give_their_birth_date_and_sex() -> None:
    rng = random.Random(20240611)
    start = date(1858, 1, 1)
    for _ in range(2000):
        born = start + timedelta(days=rng.randrange((date(2057, 12, 31) - start).days + 1))
        sex = rng.choice("FM")
        seventh = rng.choice(seventh_digits(born.year))
        cpr = make_cpr(born, rng.randrange(100), sex, seventh=seventh, hyphen=rng.random() < 0.5)
        check = check_cpr(cpr)
        assert check.problem is None, (born, seventh)
        assert check.info is not None
        assert check.info.birth_date == born
        assert check.info.sex == sex
        assert check.info.digits == cpr.replace("-", "")


def test_hyphen_and_whitespace_do_not_matter() -> None:
    with_hyphen = make_cpr(date(1975, 3, 14), 41, "M")
    without = with_hyphen.replace("-", "")
    assert len(without) == 10
    assert parse_cpr(with_hyphen) == parse_cpr(without) == parse_cpr(f"  {without} \t")
    assert normalise_cpr(with_hyphen) == normalise_cpr(f" {with_hyphen} ") == without


def test_sex_is_the_parity_of_the_last_digit() -> None:
    born = date(1982, 11, 2)
    for last in range(10):
        info = parse_cpr(raw_cpr(born.day, born.month, 82, f"20{last}{last}"))
        assert info is not None
        assert info.sex == ("M" if last % 2 else "F")


# --- problems ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "month"),
    [(30, 2), (31, 4), (32, 1), (0, 5), (15, 0), (15, 13), (99, 99)],
)
def test_impossible_day_and_month_is_a_date_problem(day: int, month: int) -> None:
    for seventh in (0, 4, 5, 9):
        check = check_cpr(raw_cpr(day, month, 90, f"{seventh}123"))
        assert check.problem == "date"
        assert check.info is None
        assert not check.valid
        assert check.mod11_ok is not None  # the flag is still known


def test_29_february_depends_on_the_century() -> None:
    # YY 00 with 7th digit 0-3 is 1900, not a leap year: the date exists in no such century.
    assert check_cpr(raw_cpr(29, 2, 0, "2345")).problem == "century"
    # with 4-9 it is 2000, a leap year
    info = parse_cpr(raw_cpr(29, 2, 0, "4345"))
    assert info is not None
    assert info.birth_date == date(2000, 2, 29)
    # 1800s: YY 96 with 7th digit 5-8 is 1896, a leap year; YY 00 cannot be 1800 (5-8 give 2000)
    info = parse_cpr(raw_cpr(29, 2, 96, "6345"))
    assert info is not None
    assert info.birth_date == date(1896, 2, 29)
    # 29 February 1897 (YY 97 > 57, digit 7) does not exist; 1997 (digit 1) neither
    assert check_cpr(raw_cpr(29, 2, 97, "7345")).problem == "century"
    assert check_cpr(raw_cpr(29, 2, 97, "1345")).problem == "century"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1" * 9,
        "1" * 11,
        "12345-67890",
        "1234567-890",
        "123456--7890",
        "123456 7890",
        "abcdefghij",
        "12345678x0",
        "\u0661" * 10,  # Arabic-Indic digits are digits to str.isdigit, not to a CPR
        "1" * 6 + "-" + "1" * 4 + "-",
    ],
)
def test_format_problems(text: str) -> None:
    assert check_cpr(text) == CprCheck(problem="format")
    assert not is_cpr_shaped(text)
    assert normalise_cpr(text) is None
    assert parse_cpr(text) is None


def test_cpr_shaped_says_nothing_about_the_date() -> None:
    impossible = raw_cpr(30, 2, 90, "1234")
    assert is_cpr_shaped(impossible)
    assert is_cpr_shaped(impossible.replace("-", ""))
    assert check_cpr(impossible).problem == "date"


# --- modulus 11: a flag, never a rejection ----------------------------------------------------


def test_mod11_pass_and_fail_are_both_valid() -> None:
    rng = random.Random(7)
    for _ in range(200):
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 60))
        prefix = raw_cpr(born.day, born.month, born.year % 100, "", hyphen=False)
        prefix += f"{rng.choice(seventh_digits(born.year))}{rng.randrange(100):02d}"
        for passing in (True, False):
            cpr = with_mod11(prefix, passing)
            if cpr is None:
                continue
            assert mod11_ok(cpr) is passing
            check = check_cpr(cpr)
            assert check.valid, "a failed modulus-11 check must not reject a CPR number"
            assert check.info is not None
            assert check.info.mod11_ok is passing
            assert check.mod11_ok is passing


def test_mod11_uses_the_documented_weights() -> None:
    # weights 4,3,2,7,6,5,4,3,2,1: a single 1 in position i contributes weight i
    for i, weight in enumerate(WEIGHTS):
        digits = "0" * i + "1" + "0" * (9 - i)
        assert mod11_ok(digits) is (weight % 11 == 0)
    assert mod11_ok("0" * 10)


def test_the_number_is_not_in_the_repr() -> None:
    cpr = make_cpr(date(1968, 7, 21), 55, "M")
    check = check_cpr(cpr)
    for text in (repr(check), str(check), repr(check.info)):
        assert cpr.replace("-", "") not in text
        assert cpr not in text


def test_contains_cpr_finds_valid_numbers_inside_text() -> None:
    cpr = make_cpr(date(1958, 9, 30), 3, "F")
    assert contains_cpr(cpr)
    assert contains_cpr(f"mother: {cpr}, see file")
    assert contains_cpr(f"ref{digits_of(cpr)}.")
    assert not contains_cpr(f"9{digits_of(cpr)}")  # part of a longer number
    assert not contains_cpr(raw_cpr(30, 2, 58, "1234"))  # not a valid date
    assert not contains_cpr("2023-01-01")
    assert not contains_cpr("")


def digits_of(cpr: str) -> str:
    return cpr.replace("-", "")


def test_mask_cprs_hides_valid_numbers_only() -> None:
    cpr = make_cpr(date(2003, 4, 5), 8, "M", seventh=4)
    impossible = raw_cpr(31, 4, 80, "1234")
    assert mask_cprs(f"a {cpr} b {impossible}") == f"a <CPR> b {impossible}"
