"""Reading the CSV files of an extract as batches of text, with one record grammar on every path.

The grammar is RFC 4180 in its strict form: a field is quoted from its first character to a
closing quote that the separator or the end of the record must follow, and ``""`` inside quotes is
one quote; a quote inside an unquoted field is a plain character. A record whose closing quote is
followed by other text, a quote still open at the end of the file (a file cut inside a quoted
field) and a record with another number of fields than the header are *malformed*: they are
counted and returned for quarantine, and the reader goes on with the next line. Completely empty
lines are skipped and not counted; data records are numbered from 1 in the order read.

Python's csv module in strict mode is the judge of that grammar. pyarrow reads the same records
much faster, but it is lenient about quotes, and with line breaks inside quoted values it can cut a
``\r\n`` in two at a block boundary; so it reads only files in which it cannot differ: a file
without any quote character, or one that a strict pass (no values kept, C speed) found free of
quote errors and of records spanning lines, in which case the strict pass also gives the record
numbers of the malformed records that pyarrow skips. Every other file, and any file where
pyarrow's count disagrees with the strict pass, is read by the csv module alone (``careful``,
via :class:`RereadCsv`), so which path reads a file never changes a value. No cell is turned
into null here: every value is kept as its text, empty cells as ``""``.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

# A field has no size limit (the csv module's default of 128 KiB raises on a long cell).
csv.field_size_limit(sys.maxsize)

ReadMode = Literal["fast", "scanned", "careful"]
_SHOWN = 500  # characters of a malformed record kept for the quarantine


@dataclass(frozen=True)
class MalformedRow:
    """A record that breaks the grammar: wrong field count (``fields``) or a quote error."""

    row: int
    fields: int | None
    problem: str
    text: str | None


@dataclass(frozen=True)
class CsvChunk:
    """Rows of a CSV file as strings, with their 1-based record numbers in ``_row``."""

    batch: pa.RecordBatch
    malformed: tuple[MalformedRow, ...] = ()


class RereadCsv(Exception):
    """The file must be read again from its start in ``mode``; rows already returned are void."""

    def __init__(self, mode: ReadMode) -> None:
        super().__init__(mode)
        self.mode = mode


def header_names(path: Path, encoding: str, sep: str) -> list[str]:
    """The header's column names as written (only a BOM removed)."""
    # utf-8-sig: a byte-order mark is not part of the first name, which may be quoted.
    text_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    with path.open("r", encoding=text_encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=sep, strict=True)
        try:
            return next(reader)
        except (StopIteration, csv.Error):
            return []


def read_csv_chunks(
    path: Path,
    names: list[str],
    *,
    encoding: str,
    sep: str,
    mode: ReadMode,
    block_size: int = 1 << 24,
    batch_rows: int = 100_000,
) -> Iterator[CsvChunk]:
    """Stream a CSV file (after its header) as string batches; see the module docstring.

    ``fast`` trusts pyarrow until it meets a malformed record (then :class:`RereadCsv` asks for
    ``scanned``); ``scanned`` runs the strict pass first; ``careful`` reads with the csv module.
    """
    width = len(names)
    if mode == "careful":
        yield from _read_carefully(path, names, encoding, sep, batch_rows)
        return
    malformed: list[MalformedRow] | None = None
    if mode == "scanned":
        malformed, lenient_would_differ, total = _scan(path, width, encoding, sep)
        if lenient_would_differ:
            yield from _read_carefully(path, names, encoding, sep, batch_rows)
            return
        yield from _read_with_arrow(path, names, encoding, sep, (malformed, total), block_size)
        return
    yield from _read_with_arrow(path, names, encoding, sep, None, block_size)


def _records(
    path: Path, encoding: str, sep: str, spans: list[bool] | None = None
) -> Iterator[list[str] | csv.Error]:
    """Every data record's fields, or the error of a record that breaks the grammar.

    ``spans`` (if given) gets True appended once a record is seen to span several lines."""
    with path.open("r", encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=sep, strict=True)
        try:
            next(reader)
        except (StopIteration, csv.Error):
            return
        line = reader.line_num
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                yield err
                line = reader.line_num
                continue
            if spans is not None and reader.line_num - line > 1 and not spans:
                spans.append(True)
            line = reader.line_num
            if fields:
                yield fields


def _malformed(record: int, item: list[str] | csv.Error, width: int, sep: str) -> MalformedRow:
    if isinstance(item, csv.Error):
        return MalformedRow(record, None, f"not valid CSV: {item}", None)
    problem = f"{len(item)} fields where the header has {width}"
    return MalformedRow(record, len(item), problem, sep.join(item)[:_SHOWN])


def _scan(path: Path, width: int, encoding: str, sep: str) -> tuple[list[MalformedRow], bool, int]:
    """The malformed records of a file, whether pyarrow could read it differently (a quote
    error, or a record spanning lines), and the number of records."""
    malformed: list[MalformedRow] = []
    quote_errors = False
    spans: list[bool] = []
    record = 0
    for record, item in enumerate(_records(path, encoding, sep, spans), start=1):
        if isinstance(item, csv.Error):
            quote_errors = True
            malformed.append(_malformed(record, item, width, sep))
        elif len(item) != width:
            malformed.append(_malformed(record, item, width, sep))
    return malformed, quote_errors or bool(spans), record


def _read_carefully(
    path: Path, names: list[str], encoding: str, sep: str, batch_rows: int
) -> Iterator[CsvChunk]:
    width = len(names)
    columns: list[list[str]] = [[] for _ in names]
    rows: list[int] = []
    malformed: list[MalformedRow] = []
    for record, item in enumerate(_records(path, encoding, sep), start=1):
        if isinstance(item, csv.Error) or len(item) != width:
            malformed.append(_malformed(record, item, width, sep))
            continue
        rows.append(record)
        for column, value in zip(columns, item, strict=True):
            column.append(value)
        if len(rows) >= batch_rows:
            yield _chunk(names, columns, rows, malformed)
            columns, rows, malformed = [[] for _ in names], [], []
    if rows or malformed:
        yield _chunk(names, columns, rows, malformed)


def _chunk(
    names: list[str], columns: list[list[str]], rows: list[int], bad: list[MalformedRow]
) -> CsvChunk:
    arrays = [pa.array(c, type=pa.string()) for c in columns]
    arrays.append(pa.array(rows, type=pa.int64()))
    return CsvChunk(pa.RecordBatch.from_arrays(arrays, names=[*names, "_row"]), tuple(bad))


def _read_with_arrow(
    path: Path,
    names: list[str],
    encoding: str,
    sep: str,
    scanned: tuple[list[MalformedRow], int] | None,
    block_size: int,
) -> Iterator[CsvChunk]:
    """pyarrow's reading; ``scanned`` is the strict pass's malformed records and record count."""
    malformed, total = scanned if scanned is not None else (None, 0)
    skipped = 0

    def on_invalid(row: object) -> str:
        nonlocal skipped
        skipped += 1
        return "skip"

    # Good record i (0-based) is preceded by the malformed records m_j with m_j - 1 - j <= i.
    known = malformed or []
    thresholds = np.array([m.row - 1 - j for j, m in enumerate(known)], dtype=np.int64)
    reader_options = pacsv.ReadOptions(
        encoding=encoding, block_size=block_size, column_names=names, skip_rows=1
    )
    # No record spans lines here (see the module docstring), so a line break ends a record.
    parse_options = pacsv.ParseOptions(
        delimiter=sep, newlines_in_values=False, invalid_row_handler=on_invalid
    )
    convert_options = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names},
        null_values=[],
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        check_utf8=True,
    )
    good = 0
    try:
        reader = pacsv.open_csv(
            path,
            read_options=reader_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
        for batch in reader:
            if malformed is None and skipped:
                raise RereadCsv("scanned")
            index = np.arange(good, good + batch.num_rows, dtype=np.int64)
            rows = index + 1 + np.searchsorted(thresholds, index, side="right")
            good += batch.num_rows
            yield CsvChunk(batch.append_column("_row", pa.array(rows, type=pa.int64())))
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        # A record larger than a block, or a byte sequence pyarrow refuses: the csv module
        # reads every size and reports what it cannot decode.
        raise RereadCsv("careful") from err
    if malformed is None:
        if skipped:
            raise RereadCsv("scanned")
        return
    if skipped != len(malformed) or good + len(malformed) != total:
        raise RereadCsv("careful")
    if malformed:
        empty = [pa.array([], type=pa.string()) for _ in names]
        batch = pa.RecordBatch.from_arrays(
            [*empty, pa.array([], type=pa.int64())], names=[*names, "_row"]
        )
        yield CsvChunk(batch, tuple(malformed))
