"""Hypothesis strategies that write contract-v1 extracts in many CSV dialects.

An extract holds ``persons.csv`` and, usually, ``primary_care.csv`` and ``hospital_contacts.csv``.
Every file draws its own dialect - encoding (UTF-8 with or without BOM, Windows-1252), separator,
decimal mark, quoting, line endings, blank lines, a final newline or none - unless the extract
declares it through ``DialectOptions``; then every CSV file uses the declared one. Cells come
padded with spaces and tabs, as null-like tokens (``NA``, ``NULL``, ...), as numbers at the edges of
their types, as long fields, with separators, quotes and newlines inside. Headers come renamed
(case, spaces), reordered, with unknown columns (``cpr``, ...) whose content must never reach the
warehouse. Rows are sometimes damaged: a wrong number of fields, a type error, a file cut inside
its last record, a closing quote followed by text.

What the importer must make of the bytes is not taken from here: ``reference_csv`` reads them
back independently. The strategies only keep the rules other than the ones under test satisfied
(dates after birth and before death, unique keys, valid codes), so the reference can stay small.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st

from broen.analytics import TABLES, DialectOptions
from tests.warehouse.helpers import cpr_shaped

TODAY = date(2026, 11, 23)
PERIOD_START = date(2016, 1, 1)
PERIOD_END = date(2023, 12, 31)
SEPARATORS = (",", ";", "\t", "|")
SECRET = "UNKNOWNCOL"  # every cell of an unknown column starts with it
NULL_LIKE = ("NA", "NULL", "N/A", "#N/A", "nan", "NaN", "None", "-", "null", "n/a", "NaT", "?")
PADDING = ("", "", "", " ", "  ", "\t", " \t ", "   ")
UNKNOWN_COLUMNS = ("cpr", "CPR_nr", "notes", "kommentar", "contact_id", "fee_dkk", "x")
MUNICIPALITIES = (360, 376, 101, 851, 411, 147)
DIAGNOSES = ("DE110", "DJ449", "DI219", "DF200")

# Characters that stress a CSV reader, drawn far more often than chance would.
SPECIAL_CP1252 = [",", ";", "\t", "|", '"', "\n", "\r", "\r\n", " ", "  ", "'", "\\", "#"]
SPECIAL_CP1252 += ["æ", "ø", "å", "Æ", "Ø", "Å", "é", "€", "…", "\xa0", "Ã", "©"]
SPECIAL_UNICODE = ["\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1e", "\x00", "\ufeff"]
SPECIAL_UNICODE += ["ß", "İ", "\u212a", "𝔘", "🙂", "e\u0301", "\u3000", "١", "５"]


def break_digit_runs(text: str) -> str:
    """No six digits in a row: a CPR-looking run is the subject of its own test."""
    return re.sub(r"(\d{5})(?=\d)", r"\1x", text)


# --- Dialects ---------------------------------------------------------------------------------


@dataclass
class Dialect:
    """How one CSV file is written."""

    encoding: str  # utf-8, utf-8-sig (with BOM) or cp1252
    sep: str
    decimal: str
    auto_decimal: bool  # the importer decides the mark: no cell may hold the other one
    line_ending: str  # \n, \r\n, \r or "mixed"
    quoting: str  # minimal, all or random
    blank_lines: bool
    final_newline: bool
    damage: str  # none, cut (inside the last record) or quote (text after a closing quote)

    @property
    def other_mark(self) -> str:
        return "," if self.decimal == "." else "."


@dataclass
class Options:
    encoding: str | None = None
    sep: str | None = None
    decimal: str | None = None

    def dialect_options(self) -> DialectOptions | None:
        if self.encoding is None and self.sep is None and self.decimal is None:
            return None
        return DialectOptions(encoding=self.encoding, sep=self.sep, decimal=self.decimal)


@dataclass
class CsvFile:
    table: str
    name: str
    data: bytes
    dialect: Dialect
    unknown_columns: list[str]


@dataclass
class ParquetFile:
    table: str
    name: str
    columns: dict[str, tuple[str, list[Any]]]  # name -> (arrow type or "string", values)
    unknown_columns: list[str]
    data: bytes | None = None  # set to damage the file; else written from columns

    def arrow(self) -> pa.Table:
        arrays = {}
        for name, (kind, values) in self.columns.items():
            arrays[name] = pa.array(values, type=ARROW_TYPES[kind])
        return pa.table(arrays)


ARROW_TYPES = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date32": pa.date32(),
    "timestamp": pa.timestamp("us"),
}


@dataclass
class Extract:
    files: list[CsvFile | ParquetFile]
    options: Options = field(default_factory=Options)
    allow_cpr: bool = False

    def write(self, root: Path) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        period = {"period_start": PERIOD_START.isoformat(), "period_end": PERIOD_END.isoformat()}
        (root / "extract.json").write_text(json.dumps(period))
        for f in self.files:
            if f.data is not None:
                (root / f.name).write_bytes(f.data)
            else:
                assert isinstance(f, ParquetFile)
                pq.write_table(f.arrow(), root / f.name)
        return root

    def __repr__(self) -> str:  # what Hypothesis prints for a failing example
        parts = [f"Extract(options={self.options!r}, allow_cpr={self.allow_cpr}"]
        for f in self.files:
            if isinstance(f, CsvFile):
                parts.append(f"  {f.name}: {f.dialect!r}\n    {f.data!r}")
            else:
                parts.append(f"  {f.name}: {f.columns!r} data={f.data!r}")
        return "\n".join(parts) + ")"


def rarely(draw: st.DrawFn, n: int) -> bool:
    """True about once in n draws; shrinks to False, so minimal examples lose what is rare."""
    return draw(st.integers(0, n - 1)) == n - 1


# --- Text -------------------------------------------------------------------------------------


def charset_codec(charset: str) -> str:
    return "cp1252" if charset == "cp1252" else "utf-8"


def texts(charset: str, max_size: int = 8) -> st.SearchStrategy[str]:
    specials = SPECIAL_CP1252 + ([] if charset == "cp1252" else SPECIAL_UNICODE)
    piece = st.one_of(st.sampled_from(specials), st.characters(codec=charset_codec(charset)))
    return st.lists(piece, max_size=max_size).map("".join).map(break_digit_runs)


@st.composite
def free_text(draw: st.DrawFn, charset: str, long_ok: bool = False) -> str:
    """Text for ids and unknown columns; rarely a long field of up to ~300 KB."""
    if long_ok and rarely(draw, 40):
        chunk = draw(texts(charset, max_size=6).filter(bool))
        return break_digit_runs(chunk * draw(st.integers(2_000, 300_000 // len(chunk) + 1)))
    return draw(texts(charset))


def padded(draw: st.DrawFn, text: str) -> str:
    return draw(st.sampled_from(PADDING)) + text + draw(st.sampled_from(PADDING))


# --- Cells ------------------------------------------------------------------------------------
# Each cell strategy draws a valid cell, or with bad=True one that breaks a rule (mostly its type).


def _mark_ok(text: str, d: Dialect) -> bool:
    return not d.auto_decimal or d.other_mark not in text


def _choose(draw: st.DrawFn, d: Dialect, candidates: list[str]) -> str:
    usable = [c for c in candidates if _mark_ok(c, d)]
    return draw(st.sampled_from(usable))


@st.composite
def number_cell(draw: st.DrawFn, d: Dialect, bad: bool = False) -> str:
    """A number >= 0, also at the edges of a double; bad: negative, infinite or not a number."""
    m, o = d.decimal, d.other_mark
    if bad:
        if rarely(draw, 4):
            return "-" + str(draw(st.integers(1, 10**6)))  # range.negative
        return _choose(
            draw,
            d,
            [
                "1e309", "-1e309", "1" + "0" * 309, "9" * 400, "NaN", "nan", "inf", "-inf",
                "Infinity", "1_000", "１２", "١٢", "0x1A", "1e", "e5", m, "+", "-", "1 000",
                f"1{m}2{m}3", "12abc", f"1e5{m}5", "--1", "+-1", "½", "²", "1d5", f"1{o}5",
                f"1{o}000{m}5", f"1{m}000{o}5", f"{m}e5", *NULL_LIKE,
            ],
        )  # fmt: skip
    kind = draw(st.sampled_from(["plain", "float", "edge"]))
    if kind == "plain":
        whole = draw(st.integers(0, 10**7))
        decimals = draw(st.text("0123456789", max_size=40))
        return f"{whole}{m}{decimals}" if decimals else str(whole)
    if kind == "float":
        value = draw(st.floats(min_value=0, allow_nan=False, allow_infinity=False))
        return repr(value).replace(".", m)
    return draw(
        st.sampled_from(
            [
                "0", "-0", "+0", f"-0{m}0", "1e308", "1E308", "-1e-400", "1e-400",
                f"1{m}7976931348623157e308", f"4{m}9e-324", f"{m}5", f"5{m}", f"00012{m}50",
                "9" * 300, "1" + "0" * 308, f"0{m}" + "0" * 50 + "1", "+1e+3", "2E-3",
                f"3{m}14159265358979323846264338327950288419716939937510", f"5{m}e3",
                "123456789012345678901234567890",  # > 2**63, still a fine double
            ]
        )
    )  # fmt: skip


BAD_INTEGERS = ["9223372036854775808", "-9223372036854775809", "9" * 40, "1e3", "５"]
BAD_INTEGERS += ["1_0", "0x10", " 5 5", "½", *NULL_LIKE]


@st.composite
def count_cell(draw: st.DrawFn, d: Dialect, bad: bool = False) -> str:
    """An integer >= 0 (services), also at the edge of 64 bits; bad: negative or not whole."""
    m, o = d.decimal, d.other_mark
    if bad:
        if rarely(draw, 4):
            return str(draw(st.integers(-(2**63), -1)))  # range.negative
        return _choose(draw, d, [*BAD_INTEGERS, f"5{m}5", f"5{m}", f"{m}0", f"5{o}0", f"5{m}01"])
    if draw(st.booleans()):
        return str(draw(st.integers(0, 2**63 - 1)))
    return draw(
        st.sampled_from(
            ["0", "-0", "+5", str(2**63 - 1), "0" * 30 + "7", f"5{m}0", f"5{m}" + "0" * 20]
        )
    )


@st.composite
def municipality_cell(draw: st.DrawFn, d: Dialect, bad: bool = False) -> str:
    m, o = d.decimal, d.other_mark
    code = draw(st.sampled_from(MUNICIPALITIES))
    if bad:
        if draw(st.booleans()):  # whole numbers, but not municipality codes
            unknown = ["999", "0", "-0", "1000", f"-{code}", str(2**63 - 1), str(-(2**63))]
            return draw(st.sampled_from(unknown))
        return _choose(draw, d, [*BAD_INTEGERS, f"{code}{m}5", f"{code}{m}", f"{code}{o}0"])
    return draw(
        st.sampled_from([str(code)] * 4 + [f"+{code}", f"0{code}", f"{code}{m}0", f"{code}{m}00"])
    )


BAD_DATES = ["2021-02-29", "2021-02-30", "2021-2-3", "20210203", "2021/02/03", "03-02-2021"]
BAD_DATES += ["2021-02-03T00:00", "２０２１-02-03", "2021-02-03x", "0000-01-01", "2021-13-01"]
BAD_DATES += ["2021-00-10", "+2021-02-03", "2021-02-03 00", *NULL_LIKE]


@st.composite
def date_cell(draw: st.DrawFn, value: date, bad: bool = False) -> str:
    return draw(st.sampled_from(BAD_DATES)) if bad else value.isoformat()


BAD_DATETIMES = ["2021-03-04T24:00", "2021-03-04T10:60", "2021-03-04T10:00:60", "2021-03-04T10"]
BAD_DATETIMES += ["2021-03-04T10:00Z", "2021-03-04T10:00+01:00", "2021-03-04t10:00"]
BAD_DATETIMES += ["2021-03-04T10:00:00.", "2021-03-04  10:00", "2021-3-4T10:00", *NULL_LIKE]
BAD_DATETIMES += ["2021-02-29T10:00", "2021-03-04T1:00", "2021-03-04T10:00:5", "20210304T1000"]


@st.composite
def datetime_cell(draw: st.DrawFn, value: datetime, bad: bool = False) -> str:
    if bad:
        return draw(st.sampled_from(BAD_DATETIMES))
    precision = draw(st.sampled_from(["minute", "second", "fraction", "fraction", "date"]))
    text = f"{value:%Y-%m-%d}"
    if precision == "date":  # a date alone: midnight (docs/data-format.md)
        return text
    text += draw(st.sampled_from("T ")) + f"{value:%H:%M}"
    if precision == "minute":
        return text
    text += f":{value:%S}"
    if precision == "second":
        return text
    return text + "." + f"{value.microsecond:06d}"[: draw(st.integers(1, 6))]


@st.composite
def bool_cell(draw: st.DrawFn, bad: bool = False) -> str:
    if bad:
        bad_bools = ["yes", "ja", "t", "f", "2", "1.0", "truee", "ｔrue", "tru", *NULL_LIKE]
        return draw(st.sampled_from(bad_bools))
    word = draw(st.sampled_from(["true", "false", "1", "0"]))
    return "".join(c.upper() if draw(st.booleans()) else c for c in word)


@st.composite
def enum_cell(draw: st.DrawFn, allowed: tuple[str, ...], bad: bool = False) -> str:
    if not bad:
        return draw(st.sampled_from(allowed))
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(st.sampled_from(NULL_LIKE))  # a value, so enum.value
    if kind == 1:
        return draw(st.sampled_from(["", " ", "\t"]))  # null: required.missing if required
    return draw(st.sampled_from(allowed)).swapcase()  # enums are case-sensitive


def optional(draw: st.DrawFn, cell: st.SearchStrategy[str], bad: bool) -> str:
    """An optional column's cell: sometimes empty (null), unless it is to be bad."""
    if not bad and draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(["", "", " ", "\t"]))
    return draw(cell)


# --- Rows -------------------------------------------------------------------------------------


def bad_columns(draw: st.DrawFn, columns: tuple[str, ...]) -> set[str]:
    """Most rows are clean; about one in three gets one or two bad cells."""
    if not rarely(draw, 3):
        return set()
    return set(draw(st.lists(st.sampled_from(columns), min_size=1, max_size=2)))


@dataclass
class Person:
    id_text: str  # as written in persons (before padding)
    birth: date
    death: date | None


@st.composite
def people(draw: st.DrawFn, charset: str, long_ok: bool, at_least: int = 1) -> list[Person]:
    n = draw(st.integers(at_least, 6))
    tokens = draw(st.lists(st.sampled_from(NULL_LIKE), max_size=n, unique=True))
    out = []
    for i in range(n):
        if i < len(tokens) and rarely(draw, 4):
            pid = tokens[i]  # a person called "NA": a value like any other
        else:
            pid = f"p{i}-" + draw(free_text(charset, long_ok=long_ok and i == 0))
        birth = draw(st.dates(date(1900, 1, 1), date(2000, 12, 31)))
        death = draw(st.one_of(st.none(), st.dates(date(2023, 1, 1), date(2023, 12, 31))))
        out.append(Person(pid, birth, death))
    return out


@st.composite
def person_row(draw: st.DrawFn, p: Person, d: Dialect) -> dict[str, str]:
    spec = TABLES["persons"]
    bad = bad_columns(draw, spec.column_names[1:])
    return {
        "person_id": p.id_text,
        "birth_date": draw(date_cell(p.birth, "birth_date" in bad)),
        "sex": draw(enum_cell(("F", "M"), "sex" in bad)),
        "municipality": draw(municipality_cell(d, "municipality" in bad)),
        "education": optional(
            draw,
            enum_cell(spec.column("education").allowed or (), "education" in bad),
            "education" in bad,
        ),
        "origin": optional(
            draw, enum_cell(spec.column("origin").allowed or (), "origin" in bad), "origin" in bad
        ),
        "lives_alone": optional(draw, bool_cell("lives_alone" in bad), "lives_alone" in bad),
        "death_date": (
            draw(date_cell(p.death or date(2023, 1, 1), "death_date" in bad))
            if p.death or "death_date" in bad
            else ""
        ),
        "moved_out_date": optional(
            draw, date_cell(date(2021, 6, 30), "moved_out_date" in bad), "moved_out_date" in bad
        ),
    }


def _person_ref(draw: st.DrawFn, persons: list[Person], k: int, bad: bool) -> str:
    if bad:
        return draw(st.sampled_from([f"nobody-{k}", "", " "]))  # ref.person, required.missing
    return draw(st.sampled_from(persons)).id_text


@st.composite
def primary_care_rows(draw: st.DrawFn, persons: list[Person], d: Dialect) -> list[dict[str, str]]:
    columns = TABLES["primary_care"].column_names
    days = draw(st.lists(st.dates(date(2019, 1, 1), date(2022, 12, 31)), max_size=6, unique=True))
    rows = []
    for k, day in enumerate(days):  # distinct dates: no two rows are copies of each other
        bad = bad_columns(draw, columns)
        provider = TABLES["primary_care"].column("provider").allowed or ()
        rows.append(
            {
                "person_id": _person_ref(draw, persons, k, "person_id" in bad),
                "date": draw(date_cell(day, "date" in bad)),
                "provider": draw(enum_cell(provider, "provider" in bad)),
                "specialty": draw(
                    st.sampled_from(["8", "80a"] if "specialty" in bad else ["", "80", "08"])
                ),
                "service_code": draw(
                    st.sampled_from(
                        ["01", "x101"] if "service_code" in bad else ["", "0101", "0120"]
                    )
                ),
                "services": optional(draw, count_cell(d, "services" in bad), "services" in bad),
                "fee_dkk": draw(number_cell(d, "fee_dkk" in bad)),
            }
        )
    return rows


@st.composite
def hospital_contact_rows(
    draw: st.DrawFn, persons: list[Person], d: Dialect, charset: str
) -> list[dict[str, str]]:
    columns = TABLES["hospital_contacts"].column_names[1:]
    n = draw(st.integers(0, 5))
    rows = []
    for k in range(n):
        bad = bad_columns(draw, columns)
        start = draw(st.datetimes(datetime(2019, 1, 1), datetime(2022, 12, 1)))
        end = start + timedelta(minutes=draw(st.integers(60, 4320)))
        if "end" in bad and draw(st.booleans()):
            start, end = end, start  # date.end_before_start
            bad.discard("end")
        rows.append(
            {
                "contact_id": f"k{k}-" + draw(free_text(charset)),
                "person_id": _person_ref(draw, persons, k, "person_id" in bad),
                "start": draw(datetime_cell(start, "start" in bad)),
                "end": draw(datetime_cell(end, "end" in bad)),
                "priority": draw(enum_cell(("acute", "planned"), "priority" in bad)),
                "setting": draw(
                    enum_cell(("inpatient", "outpatient", "emergency"), "setting" in bad)
                ),
                "primary_diagnosis": draw(
                    st.sampled_from(
                        ["E11", "DE11.0", "de110"] if "primary_diagnosis" in bad else DIAGNOSES
                    )
                ),
                "psychiatric": optional(
                    draw, bool_cell("psychiatric" in bad), "psychiatric" in bad
                ),
                "cost_dkk": draw(number_cell(d, "cost_dkk" in bad)),
            }
        )
    return rows


# --- Files ------------------------------------------------------------------------------------

FATAL_KINDS = (
    "duplicate_header",  # two header names equal after trimming and lower-casing
    "missing_column",  # a required column is not in the header
    "separator_tie",  # two separators equally frequent in the header line, no --sep
    "decimal_both",  # '.' and ',' in number cells of one file, no --decimal
    "utf16",  # a UTF-16 file
    "empty",  # a 0-byte file
    "encoding_mismatch",  # --encoding says one thing, the bytes another
    "cpr",  # a CPR-shaped person_id, without allow_cpr
)


@st.composite
def dialects(draw: st.DrawFn, options: Options, encoding: str) -> Dialect:
    decimal = options.decimal or draw(st.sampled_from(".,"))
    return Dialect(
        encoding=encoding,
        sep=options.sep or draw(st.sampled_from(SEPARATORS)),
        decimal=decimal,
        auto_decimal=options.decimal is None,
        line_ending=draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"])),
        quoting=draw(st.sampled_from(["minimal", "all", "random"])),
        blank_lines=rarely(draw, 5),
        final_newline=not rarely(draw, 4),
        damage=draw(st.sampled_from(["none", "none", "none", "none", "cut", "quote"])),
    )


def needs_quotes(text: str, sep: str) -> bool:
    return text.startswith('"') or sep in text or "\r" in text or "\n" in text


def quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _header_name(draw: st.DrawFn, name: str) -> str:
    style = draw(st.sampled_from(["as is", "as is", "upper", "title", "mixed"]))
    if style == "upper":
        name = name.upper()
    elif style == "title":
        name = name.title()
    elif style == "mixed":
        name = "".join(c.upper() if draw(st.booleans()) else c for c in name)
    return draw(st.sampled_from(["", "", " ", "  "])) + name + draw(st.sampled_from(["", " "]))


@dataclass
class Layout:
    """The columns of a file in the order written."""

    columns: list[str]  # per position: a contract column, or an unknown column's name
    header: list[str]  # as written
    unknown: list[str]


@st.composite
def layouts(draw: st.DrawFn, table: str, d: Dialect, fatal: str | None, tie_ok: bool) -> Layout:
    spec = TABLES[table]
    names = [c.name for c in spec.columns if c.required or draw(st.integers(0, 3)) > 0]
    unknown = draw(
        st.lists(
            st.sampled_from([u for u in UNKNOWN_COLUMNS if u not in spec.column_names]),
            max_size=2,
            unique_by=str.lower,
        )
    )
    if fatal == "missing_column":
        names.remove(draw(st.sampled_from([c.name for c in spec.columns if c.required])))
    if fatal == "encoding_mismatch":
        unknown.append("bemærkning")  # æ: not ASCII, so the encodings differ
    columns = list(draw(st.permutations(names + unknown)))
    header = [_header_name(draw, c) for c in columns]
    if fatal == "duplicate_header":
        at = draw(st.integers(0, len(columns) - 1))
        twin = columns[at].upper() if columns[at] != columns[at].upper() else columns[at].lower()
        twin = draw(st.sampled_from(["", " "])) + twin + draw(st.sampled_from(["", "  "]))
        where = draw(st.integers(0, len(columns)))
        columns.insert(where, columns[at])
        header.insert(where, twin)
    if fatal == "separator_tie" or (tie_ok and rarely(draw, 4)):
        # A header name holding another separator as often as the separator occurs: detection
        # cannot choose (fatal), unless --sep says which (tie_ok: the extract declares it).
        other = draw(st.sampled_from([s for s in SEPARATORS if s != d.sep]))
        name = "tie" + other * len(columns)  # len(columns) separators once it is added
        where = draw(st.integers(0, len(columns)))
        columns.insert(where, name)
        header.insert(where, name)
        unknown.append(name)
    return Layout(columns, header, unknown)


@st.composite
def unknown_cell(draw: st.DrawFn, charset: str, long_ok: bool) -> str:
    return SECRET + draw(free_text(charset, long_ok=long_ok))


def _render_field(draw: st.DrawFn, text: str, d: Dialect) -> str:
    if needs_quotes(text, d.sep):
        return quote(text)
    if d.quoting == "all" or (d.quoting == "random" and draw(st.booleans())):
        return quote(text)
    return text


def _terminator(draw: st.DrawFn, d: Dialect) -> str:
    if d.line_ending == "mixed":
        return draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return d.line_ending


@st.composite
def csv_file(
    draw: st.DrawFn,
    table: str,
    rows: list[dict[str, str]],
    d: Dialect,
    charset: str,
    fatal: str | None = None,
    tie_ok: bool = False,
) -> CsvFile:
    """One CSV file; ``fatal`` names a problem that must stop the import (FATAL_KINDS)."""
    layout = draw(layouts(table, d, fatal, tie_ok))
    if fatal == "separator_tie":  # the header line as it is: no quotes to argue about
        lines = [d.sep.join(quote(h) if needs_quotes(h, d.sep) else h for h in layout.header)]
    else:
        lines = [d.sep.join(_render_field(draw, h, d) for h in layout.header)]
    codec = {"cp1252": "cp1252", "utf-16": "utf-16"}.get(d.encoding, "utf-8")
    records: list[list[str]] = []
    for row in rows:
        cells = []
        for column in layout.columns:
            if column in row:
                # A cell the file's encoding cannot hold (a full-width digit in cp1252) gets "?".
                text = row[column].encode(codec, "replace").decode(codec)
                cells.append(padded(draw, text))
            else:
                cells.append(draw(unknown_cell(charset, long_ok=not records)))
        shape = "ok" if fatal else draw(st.sampled_from(["ok"] * 14 + ["few", "many"]))
        if shape == "few":
            cells = cells[: draw(st.integers(0, len(cells) - 1))] or ["   "]  # too few fields
        elif shape == "many":
            cells += ["extra"] * draw(st.integers(1, 2))  # too many
        records.append(cells)
    for cells in records:
        lines.append(d.sep.join(_render_field(draw, c, d) for c in cells))
    # The last record may be damaged: a closing quote followed by text (single-line records
    # only, so that numbering stays unambiguous), or the file is cut inside it (below).
    if d.damage == "quote" and records and not any("\r" in c or "\n" in c for c in records[-1]):
        cells = records[-1]
        at = draw(st.integers(0, len(cells) - 1))
        junk = draw(st.sampled_from(["x", " ", "abc", "\t"]))
        fields = [_render_field(draw, c, d) for c in cells]
        fields[at] = quote(cells[at]) + junk
        lines[-1] = d.sep.join(fields)
    text = ""
    last_start = 0  # where the last record begins, in characters
    for i, line in enumerate(lines):
        last_start = len(text)
        text += line
        if i < len(lines) - 1 or d.final_newline:
            text += _terminator(draw, d)
        if i > 0 and d.blank_lines and rarely(draw, 3):
            text += _terminator(draw, d)  # a completely empty line: skipped, not counted
    bom = b"\xef\xbb\xbf" if d.encoding == "utf-8-sig" else b""
    data = bom + text.encode(codec)  # Python's utf-16 codec writes its own byte-order mark
    if d.damage == "cut" and len(lines) > 1:
        # Cut the file inside its last record: at any byte, also inside a UTF-8 sequence.
        first = len(bom + text[:last_start].encode(codec)) + 1
        if first < len(data):
            data = data[: draw(st.integers(first, len(data) - 1))]
    if fatal == "empty":
        data = b""
    return CsvFile(table, f"{table}.csv", data, d, layout.unknown)


CPR_SHAPED = (
    cpr_shaped(1, 1, 60, 1234),
    cpr_shaped(1, 1, 60, 1234, hyphen=False),
    cpr_shaped(31, 12, 99, 4321),
    cpr_shaped(31, 12, 99, 1234, hyphen=False),
    cpr_shaped(15, 8, 75, 1),
)


@st.composite
def extracts(
    draw: st.DrawFn,
    tables: tuple[str, ...] = ("primary_care", "hospital_contacts"),
    fatal: str | None = None,
) -> Extract:
    """A whole CSV extract with its import options; ``fatal``: one problem that stops it."""
    declare = draw(st.sampled_from(["none", "none", "encoding", "sep", "decimal", "all"]))
    if fatal == "separator_tie" and declare in ("sep", "all"):
        declare = "none"
    if fatal == "decimal_both" and declare in ("decimal", "all"):
        declare = "none"
    if fatal == "encoding_mismatch":
        declare = "encoding"
    names = ["persons", *[t for t in tables if draw(st.integers(0, 4)) > 0]]
    target = "persons" if fatal in ("cpr", "decimal_both") else draw(st.sampled_from(names))
    if declare in ("encoding", "all"):
        family = draw(st.sampled_from(["utf-8", "cp1252"]))
        encodings = {
            t: family if family == "cp1252" else draw(st.sampled_from(["utf-8", "utf-8-sig"]))
            for t in names
        }
    else:
        encodings = {t: draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])) for t in names}
        family = None
    if fatal == "encoding_mismatch":
        encodings[target] = "utf-8" if family == "cp1252" else "cp1252"
    if fatal == "utf16":
        encodings[target] = "utf-16"
    options = Options(
        encoding=family,
        sep=draw(st.sampled_from(SEPARATORS)) if declare in ("sep", "all") else None,
        decimal=draw(st.sampled_from(".,")) if declare in ("decimal", "all") else None,
    )
    charset = "cp1252" if "cp1252" in encodings.values() else "utf-8"
    long_ok = rarely(draw, 6)
    persons = draw(people(charset, long_ok, at_least=2 if fatal == "decimal_both" else 1))
    files: list[CsvFile | ParquetFile] = []
    for table in names:
        d = draw(dialects(options, encodings[table]))
        file_fatal = fatal if table == target else None
        if file_fatal:
            d.damage = "none"
        if table == "persons":
            rows = [draw(person_row(p, d)) for p in persons]
            if file_fatal == "decimal_both":
                rows[0]["municipality"] = "360.0"
                rows[1]["municipality"] = "376,0"
            if file_fatal == "cpr":
                at = draw(st.integers(0, len(rows) - 1))
                rows[at]["person_id"] = draw(st.sampled_from(CPR_SHAPED))
        elif table == "primary_care":
            rows = draw(primary_care_rows(persons, d))
        else:
            rows = draw(hospital_contact_rows(persons, d, charset))
        tie_ok = options.sep is not None
        files.append(draw(csv_file(table, rows, d, charset, fatal=file_fatal, tie_ok=tie_ok)))
    return Extract(files, options)


@st.composite
def fatal_extracts(draw: st.DrawFn) -> tuple[Extract, str]:
    kind = draw(st.sampled_from(FATAL_KINDS))
    return draw(extracts(fatal=kind)), kind


# --- Parquet ----------------------------------------------------------------------------------

NATIVE_KINDS = {
    "date": ("date32",),
    "datetime": ("timestamp",),
    "integer": ("int64", "int32"),
    "number": ("float64",),
    "bool": ("bool",),
}
PARQUET_DIALECT = Dialect("utf-8", ",", ".", False, "\n", "minimal", False, True, "none")


def _native(text: str, column_type: str, kind: str) -> object:
    """The typed value of a generated cell for a native column (None if it has none)."""
    from tests.warehouse.reference_csv import TypeProblem, convert_string_cell

    try:
        value = convert_string_cell(text, column_type)
    except TypeProblem:
        return None
    if kind == "int32" and isinstance(value, int) and not -(2**31) <= value < 2**31:
        return None
    return value


@st.composite
def parquet_file(draw: st.DrawFn, table: str, rows: list[dict[str, str]]) -> ParquetFile:
    """A Parquet file: each column native (date32, int, float64, bool, timestamp) or string.

    String columns hold the generated cells as they are (padding, null-like tokens, junk) and
    are read by the cell rules with decimal mark '.'; native columns hold the typed value, or a
    null where the cell has none.
    """
    spec = TABLES[table]
    names = [c.name for c in spec.columns if c.required or draw(st.integers(0, 3)) > 0]
    columns: dict[str, tuple[str, list[Any]]] = {}
    for name in names:
        column_type = spec.column(name).type
        kinds = ("string", *NATIVE_KINDS.get(column_type, ()))
        kind = draw(st.sampled_from(kinds))
        texts_ = [padded(draw, row[name]) for row in rows]
        if kind == "string":
            columns[name] = (kind, texts_)
        else:
            columns[name] = (kind, [_native(t, column_type, kind) for t in texts_])
    unknown = draw(st.lists(st.sampled_from(["cpr", "notes"]), max_size=2, unique=True))
    for name in unknown:
        columns[name] = ("string", [draw(unknown_cell("utf-8", long_ok=False)) for _ in rows])
    order = draw(st.permutations(list(columns)))
    return ParquetFile(table, f"{table}.parquet", {n: columns[n] for n in order}, unknown)


@st.composite
def parquet_extracts(draw: st.DrawFn) -> Extract:
    """persons.parquet, with primary_care as Parquet or CSV and hospital_contacts as Parquet."""
    persons = draw(people("utf-8", long_ok=False))
    d = PARQUET_DIALECT
    files: list[CsvFile | ParquetFile] = [
        draw(parquet_file("persons", [draw(person_row(p, d)) for p in persons]))
    ]
    care = draw(st.sampled_from(["parquet", "csv", "none"]))
    if care != "none":
        rows = draw(primary_care_rows(persons, d))
        if care == "parquet":
            files.append(draw(parquet_file("primary_care", rows)))
        else:
            csv_dialect = draw(dialects(Options(), "utf-8"))
            files.append(draw(csv_file("primary_care", rows, csv_dialect, "utf-8")))
    if draw(st.booleans()):
        rows = draw(hospital_contact_rows(persons, d, "utf-8"))
        files.append(draw(parquet_file("hospital_contacts", rows)))
    return Extract(files)
