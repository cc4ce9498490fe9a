"""Finding and reading the files of an extract in contract v1.

An extract is a directory with one file per table (``<table>.csv``, ``<table>.parquet`` or
``<table>/part-*.parquet``) and an optional ``extract.json``. This module finds the table files,
detects the CSV dialect (UTF-8 with or without BOM, or the Danish spreadsheet dialect: ``;``,
decimal comma, Windows-1252), hashes the files and reads CSV files as batches of strings.
Problems that make an extract unreadable raise :class:`ExtractError` before anything is written.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pacsv

from broen.analytics._contract import TABLES
from broen.analytics._exceptions import ExtractError

FileFormat = Literal["csv", "parquet"]
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "cp1252": "cp1252", "windows-1252": "cp1252"}
_HASH_CHUNK = 1 << 22


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written. ``encoding`` is ``utf-8`` or ``cp1252``."""

    encoding: str = "utf-8"
    sep: str = ","
    decimal: str = "."
    bom: bool = False


@dataclass(frozen=True)
class DialectOptions:
    """What the user said about the CSV dialect; ``None`` means detect it."""

    encoding: str | None = None
    sep: str | None = None
    decimal: str | None = None

    def __post_init__(self) -> None:
        if self.encoding is not None and self.encoding.lower() not in ENCODINGS:
            raise ExtractError(
                f"Unknown encoding {self.encoding!r}: use utf-8 or cp1252 (Windows-1252)."
            )
        if self.sep is not None and self.sep not in (",", ";", "\t", "|"):
            raise ExtractError(f"Unknown separator {self.sep!r}: use ',', ';', '|' or a tab.")
        if self.decimal is not None and self.decimal not in (".", ","):
            raise ExtractError(f"Unknown decimal mark {self.decimal!r}: use '.' or ','.")


@dataclass(frozen=True)
class SourceFile:
    """One file holding (part of) a table."""

    table: str
    path: Path
    relpath: str
    format: FileFormat
    sha256: str
    size: int
    dialect: CsvDialect | None = None


@dataclass
class Extract:
    """The table files of an extract directory and what ``extract.json`` says about it."""

    root: Path
    files: dict[str, list[SourceFile]]
    ignored: list[str] = field(default_factory=list)
    period_start: date | None = None
    period_end: date | None = None
    description: str = ""
    source: str = ""

    @property
    def sha256(self) -> str:
        """A hash of every table file's path and content: the identity of the extract."""
        digest = hashlib.sha256()
        for table in sorted(self.files):
            for f in self.files[table]:
                digest.update(f"{f.relpath}\0{f.sha256}\n".encode())
        return digest.hexdigest()

    def all_files(self) -> list[SourceFile]:
        return [f for table in self.files for f in self.files[table]]


def open_extract(
    root: Path, *, options: DialectOptions | None = None, source: str | None = None
) -> Extract:
    """Find the table files in ``root``, hash them and detect their dialects."""
    options = options or DialectOptions()
    root = Path(root)
    if not root.is_dir():
        raise ExtractError(f"{root} is not a directory: give the directory that holds the extract.")
    metadata = _read_metadata(root)
    found: dict[str, list[tuple[Path, FileFormat]]] = {}
    ignored: list[str] = []
    for entry in sorted(root.iterdir()):
        name = entry.name
        if name.startswith(".") or name == "extract.json":
            continue
        if entry.is_dir():
            parts = sorted(entry.glob("part-*.parquet"))
            if entry.name in TABLES and parts:
                found.setdefault(entry.name, []).extend((p, "parquet") for p in parts)
            elif parts:
                _reject_near_miss(entry.name, f"{name}/")
                ignored.append(f"{name}/")
            else:
                ignored.append(f"{name}/")
            continue
        stem, suffix = entry.stem, entry.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            ignored.append(name)
            continue
        if stem not in TABLES:
            _reject_near_miss(stem, name)
            ignored.append(name)
            continue
        found.setdefault(stem, []).append((entry, "csv" if suffix == ".csv" else "parquet"))

    for table, paths in found.items():
        kinds = {p.name if p.parent == root else f"{p.parent.name}/" for p, _ in paths}
        if len(kinds) > 1:
            raise ExtractError(
                f"Table {table} is given more than once ({', '.join(sorted(kinds))}): "
                "keep one of the files."
            )
    if "persons" not in found:
        raise ExtractError(
            f"The extract in {root} has no persons table: persons.csv or persons.parquet "
            "is required."
        )
    files: dict[str, list[SourceFile]] = {}
    for table in TABLES:  # contract order: persons first
        for path, fmt in found.get(table, []):
            sha, size = _hash_file(path)
            dialect = _detect_dialect(path, options) if fmt == "csv" else None
            files.setdefault(table, []).append(
                SourceFile(
                    table=table,
                    path=path,
                    relpath=path.relative_to(root).as_posix(),
                    format=fmt,
                    sha256=sha,
                    size=size,
                    dialect=dialect,
                )
            )
    return Extract(
        root=root,
        files=files,
        ignored=ignored,
        period_start=_as_date(metadata.get("period_start")),
        period_end=_as_date(metadata.get("period_end")),
        description=str(metadata.get("description") or ""),
        source=source or str(metadata.get("source") or root.resolve().name),
    )


def _as_date(value: object) -> date | None:
    return value if isinstance(value, date) else None


def _reject_near_miss(name: str, shown: str) -> None:
    match = difflib.get_close_matches(name.lower(), list(TABLES), n=1, cutoff=0.75)
    if match:
        raise ExtractError(
            f"Unknown table file {shown}: did you mean {match[0]}? Rename it, or move it out "
            "of the extract directory."
        )


def _read_metadata(root: Path) -> dict[str, object]:
    path = root / "extract.json"
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ExtractError(f"extract.json is not valid JSON ({err}).") from err
    if not isinstance(raw, dict):
        raise ExtractError("extract.json must hold a JSON object with period_start, period_end.")
    out: dict[str, object] = dict(raw)
    for key in ("period_start", "period_end"):
        if raw.get(key) in (None, ""):
            out[key] = None
            continue
        try:
            out[key] = date.fromisoformat(str(raw[key]))
        except ValueError as err:
            raise ExtractError(
                f"extract.json: {key} {raw[key]!r} is not a date in the form YYYY-MM-DD."
            ) from err
    start, end = out.get("period_start"), out.get("period_end")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        raise ExtractError("extract.json: period_end is before period_start.")
    return out


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_HASH_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as err:
        raise ExtractError(f"Cannot read {path}: {err.strerror}.") from err
    return digest.hexdigest(), size


def _detect_dialect(path: Path, options: DialectOptions) -> CsvDialect:
    """Work out encoding, separator and decimal mark; refuse a file in the wrong encoding.

    The whole file is checked, so a stray Windows-1252 byte deep in a large file is found
    before any row is imported, and a UTF-8 file declared as cp1252 is refused instead of
    being turned into mojibake.
    """
    bom = False
    with path.open("rb") as fh:
        head = fh.read(3)
        bom = head == b"\xef\xbb\xbf"
    utf8_ok, has_non_ascii, bad_offset = _scan_utf8(path, skip=3 if bom else 0)
    declared = ENCODINGS[options.encoding.lower()] if options.encoding else None
    if declared == "utf-8" and not utf8_ok:
        raise ExtractError(
            f"{path.name} is not valid UTF-8 (first bad byte at offset {bad_offset}); if it is "
            "a Danish spreadsheet export, import it with --encoding cp1252."
        )
    if declared == "cp1252" and (bom or (utf8_ok and has_non_ascii)):
        raise ExtractError(
            f"{path.name} is UTF-8, not Windows-1252: reading it as cp1252 would garble æ, ø "
            "and å. Leave out --encoding or use --encoding utf-8."
        )
    encoding = declared or ("utf-8" if utf8_ok else "cp1252")
    if encoding == "cp1252":
        _check_cp1252(path)
    with path.open("rb") as fh:
        first_line = fh.readline().decode(encoding, errors="replace").lstrip("\ufeff")
    sep = options.sep or _guess_separator(first_line)
    decimal = options.decimal or ("," if sep == ";" else ".")
    if sep == decimal:
        raise ExtractError(f"{path.name}: the separator and the decimal mark are both {sep!r}.")
    return CsvDialect(encoding=encoding, sep=sep, decimal=decimal, bom=bom)


def _scan_utf8(path: Path, *, skip: int) -> tuple[bool, bool, int]:
    """Return (valid UTF-8, has non-ASCII bytes, offset of the first invalid byte)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    non_ascii = False
    with path.open("rb") as fh:
        fh.seek(skip)
        while chunk := fh.read(_HASH_CHUNK):
            if not non_ascii and not chunk.isascii():
                non_ascii = True
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                return False, True, skip + offset + err.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False, True, skip + offset
    return True, non_ascii, -1


def _check_cp1252(path: Path) -> None:
    # Five bytes have no character in Windows-1252; a file with them is in another encoding.
    with path.open("rb") as fh:
        offset = 0
        while chunk := fh.read(_HASH_CHUNK):
            for bad in (0x81, 0x8D, 0x8F, 0x90, 0x9D):
                at = chunk.find(bytes([bad]))
                if at >= 0:
                    raise ExtractError(
                        f"{path.name} is neither UTF-8 nor Windows-1252 (byte 0x{bad:02X} at "
                        f"offset {offset + at}): export it again as UTF-8."
                    )
            offset += len(chunk)


def _guess_separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] > 0 else ","


def csv_header(source: SourceFile) -> list[str]:
    """The column names of a CSV file, without surrounding spaces."""
    assert source.dialect is not None
    with source.path.open("r", encoding=source.dialect.encoding, newline="") as fh:
        line = fh.readline().lstrip("\ufeff").rstrip("\r\n")
    import csv

    names = next(csv.reader([line], delimiter=source.dialect.sep)) if line else []
    return [n.strip() for n in names]


@dataclass(frozen=True)
class MalformedRow:
    """A CSV record whose number of fields differs from the header's."""

    row: int
    fields: int
    text: str


@dataclass(frozen=True)
class CsvChunk:
    """Rows of a CSV file as strings, with their 1-based data-row numbers in ``_row``."""

    batch: pa.RecordBatch
    malformed: tuple[MalformedRow, ...] = ()


def read_csv_chunks(source: SourceFile, *, block_size: int = 1 << 24) -> Iterator[CsvChunk]:
    """Stream a CSV file as string batches; empty cells are null.

    Arrow parses the file in blocks. A record with the wrong number of fields cannot be placed
    by Arrow, so from the first such record on the file is read by Python's csv module, which
    counts records exactly; the malformed records are returned for quarantine.
    """
    dialect = source.dialect
    assert dialect is not None
    names = csv_header(source)
    if len(set(names)) != len(names) or "" in names:
        raise ExtractError(f"{source.relpath}: the header has empty or repeated column names.")
    invalid: list[str] = []

    def on_invalid(row: object) -> str:
        invalid.append(str(getattr(row, "text", "")))
        return "skip"

    read_options = pacsv.ReadOptions(
        encoding=dialect.encoding,
        block_size=block_size,
        column_names=names,
        skip_rows=1,
    )
    parse_options = pacsv.ParseOptions(
        delimiter=dialect.sep, newlines_in_values=True, invalid_row_handler=on_invalid
    )
    convert_options = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        check_utf8=True,
    )
    done = 0
    try:
        reader = pacsv.open_csv(
            source.path,
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
        for batch in reader:
            if invalid:
                break
            yield CsvChunk(_with_rows(batch, done))
            done += batch.num_rows
        else:
            return
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        raise ExtractError(f"{source.relpath} cannot be read as CSV: {_first_line(err)}") from err
    yield from _read_csv_slowly(source, names, skip_records=done)


def _with_rows(batch: pa.RecordBatch, offset: int) -> pa.RecordBatch:
    rows = pa.array(range(offset + 1, offset + batch.num_rows + 1), type=pa.int64())
    return batch.append_column("_row", rows)


def _read_csv_slowly(
    source: SourceFile, names: list[str], *, skip_records: int, batch_rows: int = 100_000
) -> Iterator[CsvChunk]:
    import csv

    assert source.dialect is not None
    width = len(names)
    columns: list[list[str | None]] = [[] for _ in names]
    rows: list[int] = []
    malformed: list[MalformedRow] = []
    record = 0
    with source.path.open("r", encoding=source.dialect.encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=source.dialect.sep)
        next(reader, None)
        for fields in reader:
            if not fields or fields == [""]:
                continue
            record += 1
            if record <= skip_records:
                continue
            if len(fields) != width:
                text = source.dialect.sep.join(fields)
                malformed.append(MalformedRow(record, len(fields), text[:500]))
            else:
                rows.append(record)
                for col, value in zip(columns, fields, strict=True):
                    col.append(value if value != "" else None)
            if len(rows) >= batch_rows:
                yield _chunk(names, columns, rows, malformed)
                columns, rows, malformed = [[] for _ in names], [], []
    if rows or malformed:
        yield _chunk(names, columns, rows, malformed)


def _chunk(
    names: list[str], columns: list[list[str | None]], rows: list[int], bad: list[MalformedRow]
) -> CsvChunk:
    arrays = [pa.array(c, type=pa.string()) for c in columns]
    arrays.append(pa.array(rows, type=pa.int64()))
    return CsvChunk(pa.RecordBatch.from_arrays(arrays, names=[*names, "_row"]), tuple(bad))


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
