"""Finding the files of an extract in contract v1 and working out how each CSV file is written.

An extract is a directory with one file per table (``<table>.csv``, ``<table>.parquet`` or
``<table>/part-*.parquet``) and an optional ``extract.json``. This module finds the table files,
hashes them (``extract.json`` included: a corrected period is a new extract) and detects each CSV
file's encoding (UTF-8 with or without BOM, else Windows-1252) and separator. The decimal mark is
decided later, from the file's numbers (see the importer), unless the user gives it. Problems that
make an extract unreadable raise :class:`ExtractError` before anything is written.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from broen.analytics._contract import TABLES
from broen.analytics._csv import header_names
from broen.analytics._exceptions import ExtractError

FileFormat = Literal["csv", "parquet"]
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "cp1252": "cp1252", "windows-1252": "cp1252"}
_HASH_CHUNK = 1 << 22


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written. ``encoding`` is ``utf-8`` or ``cp1252``; ``decimal`` is None
    until decided from the data; ``given`` names what the user declared."""

    encoding: str = "utf-8"
    sep: str = ","
    decimal: str | None = None
    bom: bool = False
    given: frozenset[str] = frozenset()

    def describe(self, decimal: str | None = None) -> str:
        """E.g. ``utf-8 (BOM), sep ';' (detected), decimal ',' (from the data)``."""
        mark = decimal or self.decimal

        def how(what: str, detected: str) -> str:
            return "given" if what in self.given else detected

        return (
            f"{self.encoding}{' (BOM)' if self.bom else ''} ({how('encoding', 'detected')}), "
            f"sep {_shown(self.sep)} ({how('sep', 'detected')}), "
            f"decimal {_shown(mark or '.')} ({how('decimal', 'from the data')})"
        )


def _shown(sep: str) -> str:
    return "tab" if sep == "\t" else repr(sep)


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
    has_quotes: bool = False  # a CSV file without '"' cannot break the quoting rules


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
    metadata_sha256: str = ""  # of extract.json's bytes, "" without one

    @property
    def sha256(self) -> str:
        """A hash of extract.json and every table file's path and content: the extract's
        identity, so that a corrected period alone is a new extract."""
        digest = hashlib.sha256()
        if self.metadata_sha256:
            digest.update(f"extract.json\0{self.metadata_sha256}\n".encode())
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
            sha, size, quotes = _hash_file(path)
            relpath = path.relative_to(root).as_posix()
            if size == 0:
                raise ExtractError(
                    f"{relpath} is empty (0 bytes): export the table again, or remove the file "
                    "if the extract has no such rows."
                )
            dialect = _detect_dialect(path, options) if fmt == "csv" else None
            files.setdefault(table, []).append(
                SourceFile(
                    table=table,
                    path=path,
                    relpath=relpath,
                    format=fmt,
                    sha256=sha,
                    size=size,
                    dialect=dialect,
                    has_quotes=quotes,
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
        metadata_sha256=_hash_file(meta)[0] if (meta := root / "extract.json").exists() else "",
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
        data = path.read_bytes()
        raw = json.loads(data.decode("utf-8-sig"))
    except OSError as err:
        raise ExtractError(f"Cannot read {path}: {err.strerror}.") from err
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


def _hash_file(path: Path) -> tuple[str, int, bool]:
    """The file's SHA-256, its size and whether it holds a double quote."""
    digest = hashlib.sha256()
    size = 0
    quotes = False
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_HASH_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                quotes = quotes or b'"' in chunk
    except OSError as err:
        raise ExtractError(f"Cannot read {path}: {err.strerror}.") from err
    return digest.hexdigest(), size, quotes


def _detect_dialect(path: Path, options: DialectOptions) -> CsvDialect:
    """Work out encoding and separator; refuse a file in the wrong encoding.

    The whole file is checked, so a stray Windows-1252 byte deep in a large file is found
    before any row is imported, and a UTF-8 file declared as cp1252 is refused instead of
    being turned into mojibake. The decimal mark is left to the data unless given.
    """
    with path.open("rb") as fh:
        head = fh.read(4096)
    _refuse_utf16(path, head)
    bom = head.startswith(b"\xef\xbb\xbf")
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
    sep = options.sep or _guess_separator(path, _first_line(path, encoding))
    given = frozenset(
        name
        for name, value in (
            ("encoding", options.encoding),
            ("sep", options.sep),
            ("decimal", options.decimal),
        )
        if value is not None
    )
    return CsvDialect(encoding=encoding, sep=sep, decimal=options.decimal, bom=bom, given=given)


def _first_line(path: Path, encoding: str) -> str:
    """The header line, ended by LF, CRLF or a lone CR (old Mac files)."""
    with path.open("r", encoding=encoding, errors="replace", newline=None) as fh:
        return fh.readline().lstrip("\ufeff")


def _refuse_utf16(path: Path, head: bytes) -> None:
    """UTF-16 text is ASCII letters with a zero byte beside each, on one side only: say so
    instead of failing later. (A UTF-8 file may hold zero bytes too, but not in that pattern.)"""
    even, odd = head[0::2], head[1::2]
    alternating = len(head) >= 8 and any(
        zeros.count(0) >= 0.4 * len(zeros) and others.count(0) <= 0.05 * len(others)
        for zeros, others in ((even, odd), (odd, even))
    )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or alternating:
        raise ExtractError(
            f"{path.name} is UTF-16 text (or not text at all), which the register extract format "
            "does not allow: save it again as CSV UTF-8 (in Excel: 'CSV UTF-8 (kommasepareret)')."
        )


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


def _guess_separator(path: Path, header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts.values())
    if best == 0:
        return ","
    winners = [sep for sep, n in counts.items() if n == best]
    if len(winners) > 1:
        shown = " and ".join(_shown(w) for w in winners)
        raise ExtractError(
            f"{path.name}: the header has as many {shown} as each other, so the separator "
            f"cannot be told: give it with --sep (e.g. --sep ';')."
        )
    return winners[0]


def csv_header(source: SourceFile) -> list[str]:
    """The column names of a CSV file as written (only a BOM removed)."""
    assert source.dialect is not None
    return header_names(source.path, source.dialect.encoding, source.dialect.sep)
