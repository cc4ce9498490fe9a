"""Tests of the test oracle: the reference reader must itself read CSV right.

Its record grammar is checked against Python's ``csv`` module in strict mode (a second,
well-known implementation of the same grammar) on random text, and its value parsing on worked
examples from the specification. These tests are cheap: no warehouse is involved.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.warehouse.properties_settings import profile
from tests.warehouse.reference_csv import (
    RawRecord,
    ReferenceFatal,
    TypeProblem,
    decide_decimal,
    decode,
    detect_separator,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_integer,
    parse_number,
    parse_records,
)

CSV_TEXT = st.lists(st.sampled_from([",", ";", '"', "\n", "\r", "\r\n", "a", "b", " ", "é"])).map(
    "".join
)


def python_csv(text: str, sep: str) -> tuple[list[list[str]], bool]:
    """Records by the csv module (strict), up to its first error; True if it stopped there."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    records = []
    try:
        for record in reader:
            if record:  # the csv module reads an empty line as []
                records.append(record)
    except csv.Error:
        return records, True
    return records, False


@profile(scale=20)
@given(text=CSV_TEXT, sep=st.sampled_from([",", ";"]))
def test_the_reference_grammar_agrees_with_the_csv_module(text: str, sep: str) -> None:
    expected, stopped = python_csv(text, sep)
    records = parse_records(text, sep)
    good = [r.fields for r in records[: len(expected)]]
    assert good == expected
    assert not any(r.quote_error for r in records[: len(expected)])
    if stopped:
        assert records[len(expected)].quote_error
    else:
        assert len(records) == len(expected)


@pytest.mark.parametrize(
    ("text", "records"),
    [
        ('a,"b,c"\n', [RawRecord(["a", "b,c"])]),
        ('a,"say ""hi"""\r\n', [RawRecord(["a", 'say "hi"'])]),
        ('a,"two\nlines"\rb,c', [RawRecord(["a", "two\nlines"]), RawRecord(["b", "c"])]),
        ('a,b"c\n', [RawRecord(["a", 'b"c'])]),  # a quote inside an unquoted field is literal
        ("a,b\n\n\r\n\rc,d\n", [RawRecord(["a", "b"]), RawRecord(["c", "d"])]),  # empty lines
        (" \n", [RawRecord([" "])]),  # a line of spaces is not empty
        ('""\n', [RawRecord([""])]),
        ("a,\n", [RawRecord(["a", ""])]),
        ('a,"b"x,c\nd,e\n', [RawRecord(["a", "b"], True), RawRecord(["d", "e"])]),
        ('a,"b" \n', [RawRecord(["a", "b"], True)]),
        ('a,"cut her', [RawRecord(["a", "cut her"], True)]),
        (' "a",b\n', [RawRecord([' "a"', "b"])]),  # not quoted: it starts with a space
    ],
)
def test_the_reference_grammar_on_worked_examples(text: str, records: list[RawRecord]) -> None:
    assert parse_records(text, ",") == records


def test_decoding() -> None:
    assert decode("ø".encode()) == "ø"
    assert decode(b"\xef\xbb\xbfa") == "a"
    assert decode("ø".encode("cp1252")) == "ø"
    with pytest.raises(ReferenceFatal):
        decode(b"")
    with pytest.raises(ReferenceFatal):
        decode("a".encode("utf-16"))
    with pytest.raises(ReferenceFatal):
        decode("ø".encode("cp1252"), "utf-8")
    with pytest.raises(ReferenceFatal):
        decode("ø".encode(), "cp1252")
    assert decode(b"abc", "cp1252") == "abc"


def test_separator_detection() -> None:
    assert detect_separator("a;b;c,d\n1,2,3,4,5,6") == ";"  # the header line only
    assert detect_separator("a\tb\r1,2,3") == "\t"
    with pytest.raises(ReferenceFatal):
        detect_separator("a,b;c\n")


def test_decimal_decision() -> None:
    assert decide_decimal(["1.5", None, "2"], ",") == "."
    assert decide_decimal(["1,5"], ",") == ","
    assert decide_decimal(["1"], ";") == ","
    assert decide_decimal(["1"], "|") == "."
    with pytest.raises(ReferenceFatal):
        decide_decimal(["1.5", "2,5"], ";")


@pytest.mark.parametrize(
    ("text", "mark", "value"),
    [
        ("0", ".", 0.0), ("-0", ".", -0.0), ("1e308", ".", 1e308), ("1,5", ",", 1.5),
        (".5", ".", 0.5), ("5.", ".", 5.0), ("+1E+3", ".", 1000.0), ("1e-400", ".", 0.0),
        ("9" * 300, ".", float("9" * 300)),
    ],
)  # fmt: skip
def test_numbers(text: str, mark: str, value: float) -> None:
    assert repr(parse_number(text, mark)) == repr(value)


@pytest.mark.parametrize(
    "text",
    ["1e309", "nan", "inf", "1_000", "１２", "1.5", "1 000", "", ".", "e5", "1,2,3", "0x1A"],
)
def test_not_numbers(text: str) -> None:
    with pytest.raises(TypeProblem):
        parse_number(text, ",")


@profile(scale=10)
@given(value=st.floats(allow_nan=False, allow_infinity=False), mark=st.sampled_from(".,"))
def test_a_double_survives_the_number_rule(value: float, mark: str) -> None:
    text = repr(value).replace(".", mark)
    assert repr(parse_number(text, mark)) == repr(value)
    assert parse_number(text, mark) == float(Decimal(text.replace(mark, ".")))


@pytest.mark.parametrize(
    ("text", "mark", "value"),
    [("360", ".", 360), ("+7", ".", 7), ("-0", ".", 0), ("12.0", ".", 12), ("12,000", ",", 12),
     (str(2**63 - 1), ".", 2**63 - 1), (str(-(2**63)), ".", -(2**63)), ("0" * 30 + "7", ".", 7)],
)  # fmt: skip
def test_integers(text: str, mark: str, value: int) -> None:
    assert parse_integer(text, mark) == value


@pytest.mark.parametrize(
    "text", [str(2**63), str(-(2**63) - 1), "12.5", "12.", "1e3", "５", "1_0", "12,0", "NA"]
)
def test_not_integers(text: str) -> None:
    with pytest.raises(TypeProblem):
        parse_integer(text, ".")


def test_dates_datetimes_and_bools() -> None:
    assert parse_date("2020-02-29") == date(2020, 2, 29)
    for bad in ("2021-02-29", "2021-2-3", "20210203", "2021-02-03T00:00"):
        with pytest.raises(TypeProblem):
            parse_date(bad)
    assert parse_datetime("2021-03-04 10:05") == datetime(2021, 3, 4, 10, 5)
    assert parse_datetime("2021-03-04T10:05:06.5") == datetime(2021, 3, 4, 10, 5, 6, 500000)
    assert parse_datetime("2021-03-04") == datetime(2021, 3, 4)
    for bad in ("2021-03-04T24:00", "2021-03-04T10:00Z", "2021-03-04t10:00", "2021-03-04T10"):
        with pytest.raises(TypeProblem):
            parse_datetime(bad)
    assert parse_bool("TRUE") is True
    assert parse_bool("0") is False
    for bad in ("yes", "1.0", "ｔrue", "NA"):
        with pytest.raises(TypeProblem):
            parse_bool(bad)
