"""A reference reader for contract-v1 CSV files, written for the tests from the specification.

It shares no code with Broen's reader (no ``csv`` module, no pyarrow, nothing from
``broen.analytics._extract`` or ``_validation``): the property suite compares what the importer
loads with what this reader says the bytes mean. It is meant to be read next to the
specification, one step per function:

1. :func:`decode` - bytes to text: UTF-8 (optional BOM) if valid, else Windows-1252.
2. :func:`detect_separator` - the most frequent of ``,`` ``;`` tab ``|`` in the header line.
3. :func:`parse_records` - a strict RFC 4180 state machine: records, and which are malformed.
4. :func:`decide_decimal` - the file's decimal mark from its number and integer cells.
5. :func:`parse_cell` - one cell to a typed value, or the ``type.*`` rule it breaks.

:func:`read_csv` strings them together for one file of one table. Rules beyond the types
(required, enum, codes, ranges, dates, references) are applied by ``properties_model``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from broen.analytics import RULES, TABLES

SEPARATORS = (",", ";", "\t", "|")
CELL_WHITESPACE = " \t"  # only ASCII spaces and tabs are stripped from a cell


class ReferenceFatal(Exception):
    """The file cannot be imported: the importer must raise ExtractError.

    ``kind`` says why, for the assertions on the message: ``empty``, ``utf16``, ``encoding``,
    ``separator``, ``decimal``, ``duplicate_header``, ``missing_column``.
    """

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


# --- 1. Encoding -----------------------------------------------------------------------------


def decode(data: bytes, declared: str | None = None) -> str:
    """The text of a CSV file, without its byte-order mark."""
    if not data:
        raise ReferenceFatal("empty", "0-byte file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReferenceFatal("utf16", "UTF-16 byte-order mark")
    as_utf8 = _utf8_or_none(data)
    encoding = (declared or "").lower().replace("_", "-")
    if encoding in ("utf-8", "utf8"):
        if as_utf8 is None:
            raise ReferenceFatal("encoding", "declared UTF-8 but is not")
        return as_utf8
    if encoding in ("cp1252", "windows-1252"):
        if as_utf8 is not None and not data.isascii():
            # UTF-8 with non-ASCII read as cp1252 would store mojibake (docs/data-format.md).
            raise ReferenceFatal("encoding", "declared cp1252 but is UTF-8")
        return _cp1252(data)
    if encoding:
        raise ValueError(f"the reference knows no encoding {declared!r}")
    return as_utf8 if as_utf8 is not None else _cp1252(data)


def _utf8_or_none(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    return text.removeprefix("\ufeff")


def _cp1252(data: bytes) -> str:
    try:
        return data.decode("cp1252", errors="strict")
    except UnicodeDecodeError as err:  # 0x81 0x8D 0x8F 0x90 0x9D are undefined in cp1252
        raise ReferenceFatal("encoding", "not UTF-8 and not Windows-1252") from err


# --- 2. Separator ----------------------------------------------------------------------------


def header_line(text: str) -> str:
    """The first physical line (up to the first CR or LF)."""
    end = len(text)
    for terminator in ("\r", "\n"):
        at = text.find(terminator)
        if at != -1:
            end = min(end, at)
    return text[:end]


def detect_separator(text: str) -> str:
    line = header_line(text)
    counts = {sep: line.count(sep) for sep in SEPARATORS}
    best = max(counts.values())
    winners = [sep for sep, n in counts.items() if n == best]
    if len(winners) > 1:
        raise ReferenceFatal("separator", f"tie between {winners!r} in the header line")
    return winners[0]


# --- 3. Records ------------------------------------------------------------------------------


@dataclass
class RawRecord:
    fields: list[str]
    quote_error: bool = False  # a closing quote followed by text, or a quote open at the end


def _end_of_line(text: str, i: int) -> int:
    """The index after the line terminator at ``i`` (CR LF counts as one)."""
    if text[i] == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
        return i + 2
    return i + 1


def parse_records(text: str, sep: str) -> list[RawRecord]:
    """Every record of the text (the header is the first), by the strict RFC 4180 grammar.

    Completely empty lines are skipped. After a quote error the reader goes on at the next
    physical line.
    """
    records: list[RawRecord] = []
    n = len(text)
    i = 0
    while i < n:
        if text[i] in "\r\n":  # a completely empty line
            i = _end_of_line(text, i)
            continue
        fields: list[str] = []
        quote_error = False
        while True:  # one field per turn
            if i < n and text[i] == '"':
                i += 1
                chars: list[str] = []
                closed = False
                while i < n:
                    if text[i] == '"':
                        if i + 1 < n and text[i + 1] == '"':
                            chars.append('"')
                            i += 2
                            continue
                        i += 1
                        closed = True
                        break
                    chars.append(text[i])
                    i += 1
                fields.append("".join(chars))
                if not closed:  # the file ends inside the quotes
                    quote_error = True
                    break
                if i >= n:
                    break
                if text[i] == sep:
                    i += 1
                    continue
                if text[i] in "\r\n":
                    i = _end_of_line(text, i)
                    break
                quote_error = True  # text after the closing quote: skip to the next line
                while i < n and text[i] not in "\r\n":
                    i += 1
                if i < n:
                    i = _end_of_line(text, i)
                break
            start = i
            while i < n and text[i] != sep and text[i] not in "\r\n":
                i += 1
            fields.append(text[start:i])
            if i < n and text[i] == sep:
                i += 1
                continue
            if i < n:
                i = _end_of_line(text, i)
            break
        records.append(RawRecord(fields, quote_error))
    return records


# --- 4. Cells and the decimal mark ------------------------------------------------------------


def clean(cell: str) -> str | None:
    """A cell without surrounding spaces and tabs; an empty cell is null (None)."""
    stripped = cell.strip(CELL_WHITESPACE)
    return stripped or None


def decide_decimal(cells: Iterable[str | None], sep: str) -> str:
    """The decimal mark of a file from the (cleaned) cells of its number and integer columns."""
    dot = comma = False
    for cell in cells:
        if cell is None:
            continue
        dot = dot or "." in cell
        comma = comma or "," in cell
    if dot and comma:
        raise ReferenceFatal("decimal", "both '.' and ',' in number cells")
    if dot:
        return "."
    if comma:
        return ","
    return "," if sep == ";" else "."


def _number_pattern(mark: str) -> re.Pattern[str]:
    d = re.escape(mark)
    return re.compile(rf"[+-]?([0-9]+|[0-9]+{d}[0-9]*|{d}[0-9]+)([eE][+-]?[0-9]+)?")


_NUMBER = {mark: _number_pattern(mark) for mark in (".", ",")}
_INTEGER = {mark: re.compile(rf"([+-]?[0-9]+)(?:{re.escape(mark)}0+)?") for mark in (".", ",")}
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?"
)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class TypeProblem(Exception):
    """A cell that does not have its column's type; ``rule`` is the ``type.*`` rule id."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def parse_number(text: str, mark: str) -> float:
    if not _NUMBER[mark].fullmatch(text):
        raise TypeProblem("type.number")
    value = float(text.replace(mark, "."))
    if not math.isfinite(value):
        raise TypeProblem("type.number")
    return value


def parse_integer(text: str, mark: str) -> int:
    match = _INTEGER[mark].fullmatch(text)
    if not match:
        raise TypeProblem("type.integer")
    value = int(match.group(1))  # ASCII digits only (the pattern saw to that): exact
    if not INT64_MIN <= value <= INT64_MAX:
        raise TypeProblem("type.integer")
    return value


def parse_date(text: str) -> date:
    match = _DATE.fullmatch(text)
    if not match:
        raise TypeProblem("type.date")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as err:
        raise TypeProblem("type.date") from err


def parse_datetime(text: str) -> datetime:
    """``YYYY-MM-DD[T ]HH:MM[:SS[.fraction]]``; fractions beyond microseconds are not generated.

    A date alone means midnight: docs/data-format.md says so and
    tests/warehouse/test_import_rows.py holds the importer to it, although the contract's
    pattern has no such form.
    """
    if _DATE.fullmatch(text):
        midnight = parse_date(text)
        return datetime(midnight.year, midnight.month, midnight.day)
    match = _DATETIME.fullmatch(text)
    if not match:
        raise TypeProblem("type.datetime")
    year, month, day, hour, minute, second, fraction = match.groups()
    if fraction is not None and len(fraction) > 6:
        raise ValueError("the reference does not say what a fraction beyond microseconds means")
    micro = int((fraction or "").ljust(6, "0"))
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro
        )
    except ValueError as err:
        raise TypeProblem("type.datetime") from err


def parse_bool(text: str) -> bool:
    lowered = text.lower() if text.isascii() else text
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise TypeProblem("type.bool")


def parse_cell(text: str, column_type: str, mark: str) -> object:
    """A cleaned, non-null cell as the value the warehouse must hold."""
    if column_type == "number":
        return parse_number(text, mark)
    if column_type == "integer":
        return parse_integer(text, mark)
    if column_type == "date":
        return parse_date(text)
    if column_type == "datetime":
        return parse_datetime(text)
    if column_type == "bool":
        return parse_bool(text)
    return text  # string, week: the stripped text as it is


# --- 5. A whole file --------------------------------------------------------------------------


BAD = object()  # the value of a cell that breaks its column's type rule


@dataclass
class ReferenceRow:
    """One data record, numbered from 1: its typed values and the rules it breaks so far."""

    number: int
    values: dict[str, object] | None  # column -> value (None = null) or BAD; None if malformed
    problems: list[tuple[str, str | None]] = field(default_factory=list)  # (rule, column)


@dataclass
class ReferenceFile:
    table: str
    separator: str
    decimal: str
    header: list[str]
    mapping: dict[int, str]  # header position -> contract column
    rows: list[ReferenceRow] = field(default_factory=list)
    # True when counting the cells of malformed records too would change the decimal mark:
    # the specification does not say whether they count, so a test cannot expect either.
    decimal_ambiguous: bool = False


def normalise_name(name: str) -> str:
    return name.strip().lower()


def map_header(table: str, header: Sequence[str]) -> dict[int, str]:
    """Header position -> contract column; unknown names are left out."""
    spec = TABLES[table]
    seen: dict[str, str] = {}
    mapping: dict[int, str] = {}
    for position, name in enumerate(header):
        key = normalise_name(name)
        if key in seen:
            raise ReferenceFatal("duplicate_header", f"{seen[key]!r} and {name!r}")
        seen[key] = name
        if key in spec.column_names:
            mapping[position] = key
    for column in spec.columns:
        if column.required and column.name not in mapping.values():
            raise ReferenceFatal("missing_column", column.name)
    return mapping


def read_csv(
    data: bytes,
    table: str,
    *,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
) -> ReferenceFile:
    """What the importer must make of one CSV file, up to the type rules."""
    text = decode(data, encoding)
    separator = sep or detect_separator(text)
    records = parse_records(text, separator)
    if not records:
        raise ReferenceFatal("missing_column", "no header")
    header = records[0].fields
    mapping = map_header(table, header)
    spec = TABLES[table]
    types = {c.name: c.type for c in spec.columns}
    numeric = [p for p, name in mapping.items() if types[name] in ("number", "integer")]
    data_records = records[1:]

    def well_formed(record: RawRecord) -> bool:
        return not record.quote_error and len(record.fields) == len(header)

    mark = decimal
    ambiguous = False
    if mark is None:
        cells = [clean(r.fields[p]) for r in data_records if well_formed(r) for p in numeric]
        mark = decide_decimal(cells, separator)
        every = [clean(r.fields[p]) for r in data_records for p in numeric if p < len(r.fields)]
        try:
            ambiguous = decide_decimal(every, separator) != mark
        except ReferenceFatal:
            ambiguous = True
    out = ReferenceFile(table, separator, mark, header, mapping, decimal_ambiguous=ambiguous)
    for number, record in enumerate(data_records, start=1):
        if not well_formed(record):
            out.rows.append(ReferenceRow(number, None, [("row.malformed", None)]))
            continue
        row = ReferenceRow(number, {c.name: None for c in spec.columns})
        for position, name in mapping.items():
            cell = clean(record.fields[position])
            if cell is None:
                continue
            try:
                row.values[name] = parse_cell(cell, types[name], mark)  # type: ignore[index]
            except TypeProblem as problem:
                row.values[name] = BAD  # type: ignore[index]
                row.problems.append((problem.rule, name))
        out.rows.append(row)
    return out


RULE_ORDER = {rule: i for i, rule in enumerate(RULES)}


def first_rule(problems: Iterable[tuple[str, str | None]]) -> tuple[str, str | None]:
    """The rule a row is reported with: the first of its problems in the order of RULES."""
    return min(problems, key=lambda problem: RULE_ORDER[problem[0]])


def convert_string_cell(text: str | None, column_type: str) -> object:
    """A Parquet string cell by the same cell rules (decimal mark '.'); may raise TypeProblem."""
    if text is None:
        return None
    cell = clean(text)
    return None if cell is None else parse_cell(cell, column_type, ".")
