"""Replacing the person identifiers of an extract with keyed pseudonyms.

Every ``person_id`` in every table file is replaced by ``"p" + 20 hex digits`` of
HMAC-SHA256(key, domain prefix + normalised identifier). A CPR-shaped identifier is normalised
to its 10 digits, so ``DDMMYY-SSSS`` and ``DDMMYYSSSS`` give the same pseudonym; any other
identifier is used as written, without surrounding whitespace. The same key gives the same
pseudonyms in every extract, so extracts pseudonymised with it still link; another key gives
unrelated pseudonyms, and without the key a pseudonym cannot be traced back.

Collisions: a pseudonym keeps 80 bits, so among n distinct persons the chance that any two
share a pseudonym is below n² / 2⁸¹: about 4·10⁻¹¹ for 10 million persons (every CPR number
ever issued). A collision would still be detected and stop the run.

All other values are written back unchanged: CSV files in their own dialect (encoding, BOM,
separator, line ending; the text of each field is copied, so decimal commas stay), Parquet
files with the same schema and row groups. ``extract.json`` is copied; any other file is not
(it may hold identifiers) and is listed in the report. The output appears all at once: it is
written into a hidden sibling directory that is renamed at the end.

The key never appears in output, messages or the report; the report carries a fingerprint
(an HMAC of a constant) so two runs can be seen to have used the same key.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from broen.analytics._contract import TABLES
from broen.analytics._cpr import (
    CPR_IN_TEXT_PATTERN,
    CPR_PROBLEMS,
    check_cpr,
    contains_cpr,
    mask_cprs,
    normalise_cpr,
)
from broen.analytics._exceptions import BroenError, ConfigurationError, ExtractError, KeyFileError
from broen.analytics._extract import DialectOptions, SourceFile, open_extract
from broen.analytics._keys import KEY_BYTES, key_file_warnings, key_fingerprint

PSEUDONYM_HEX_DIGITS = 20  # 80 bits
MAX_EXAMPLES = 20
_DOMAIN = b"broen/person_id/v1\x00"
# Digits, hyphens and spaces only, 9-11 digits: meant to be a CPR number but is not one.
_NEAR_CPR = re.compile(r"[0-9 -]+")
_CODECS = {"UNCOMPRESSED": "none", "LZ4_RAW": "lz4"}


@dataclass
class ProblemExample:
    """Where a CPR-shaped identifier with a problem is: file and 1-based data row, no value."""

    file: str
    row: int
    problem: str


@dataclass
class FilePseudonymisation:
    """What was done to one table file."""

    file: str
    table: str
    format: str
    rows: int = 0
    identifiers_replaced: int = 0
    blank: int = 0
    distinct_persons: int = 0
    cpr_shaped: int = 0
    problems: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CPR_PROBLEMS, 0))
    mod11_warnings: int = 0
    malformed_rows: int = 0
    cpr_in_other_columns: dict[str, int] = field(default_factory=dict)


@dataclass
class PseudonymisationReport:
    """The outcome of :func:`pseudonymise_extract`; ``to_dict()`` gives it as JSON data."""

    source_dir: str
    out_dir: str
    key_fingerprint: str
    files: list[FilePseudonymisation] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)
    not_copied: list[str] = field(default_factory=list)
    distinct_persons: int = 0
    examples: list[ProblemExample] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def identifiers_replaced(self) -> int:
        return sum(f.identifiers_replaced for f in self.files)

    @property
    def problems(self) -> dict[str, int]:
        return {p: sum(f.problems[p] for f in self.files) for p in CPR_PROBLEMS}

    @property
    def mod11_warnings(self) -> int:
        return sum(f.mod11_warnings for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["totals"] = {
            "rows": sum(f.rows for f in self.files),
            "identifiers_replaced": self.identifiers_replaced,
            "cpr_shaped": sum(f.cpr_shaped for f in self.files),
            "problems": self.problems,
            "mod11_warnings": self.mod11_warnings,
        }
        return out


class _Pseudonymiser:
    """Maps raw identifiers to (pseudonym, kind); remembers each to be fast and to see collisions.

    ``kind`` is "other", "cpr", "mod11" (a valid CPR failing modulus 11) or a problem code.
    """

    def __init__(self, key: bytes) -> None:
        self._base = hmac.new(key, _DOMAIN, hashlib.sha256)
        self._cache: dict[str, tuple[str, str] | None] = {}
        self._owner: dict[str, str] = {}

    @property
    def persons(self) -> int:
        return len(self._owner)

    def map(self, raw: str) -> tuple[str, str] | None:
        if raw in self._cache:
            return self._cache[raw]
        result = self._map(raw)
        self._cache[raw] = result
        return result

    def _map(self, raw: str) -> tuple[str, str] | None:
        digits = normalise_cpr(raw)
        kind: str
        if digits is not None:
            norm, check = digits, check_cpr(digits)
            kind = check.problem or ("cpr" if check.mod11_ok else "mod11")
        else:
            norm = raw.strip()
            if not norm:
                return None
            near = _NEAR_CPR.fullmatch(norm) and 9 <= sum(c.isdigit() for c in norm) <= 11
            kind = "format" if near else "other"
        mac = self._base.copy()
        mac.update(norm.encode("utf-8"))
        pseudonym = "p" + mac.hexdigest()[:PSEUDONYM_HEX_DIGITS]
        if self._owner.setdefault(pseudonym, norm) != norm:
            raise BroenError(
                "Two different identifiers got the same pseudonym (an 80-bit collision, "
                "extremely unlikely): pseudonymise again with a new key."
            )
        return pseudonym, kind


class _Tally:
    """Counts for one file, and the report's shared list of examples."""

    def __init__(self, result: FilePseudonymisation, examples: list[ProblemExample]) -> None:
        self.result = result
        self.examples = examples
        self.persons: set[str] = set()

    def add(self, mapped: tuple[str, str] | None, n: int, first_row: int) -> None:
        res = self.result
        if mapped is None:
            res.blank += n
            return
        pseudonym, kind = mapped
        self.persons.add(pseudonym)
        res.identifiers_replaced += n
        if kind in ("cpr", "mod11", "date", "century"):
            res.cpr_shaped += n
        if kind == "mod11":
            res.mod11_warnings += n
        elif kind in res.problems:
            res.problems[kind] += n
            if len(self.examples) < MAX_EXAMPLES:
                self.examples.append(ProblemExample(res.file, first_row, kind))

    def other_column(self, name: str, n: int) -> None:
        if n:
            counts = self.result.cpr_in_other_columns
            counts[name] = counts.get(name, 0) + n


def pseudonymise_extract(
    source_dir: Path,
    out_dir: Path,
    *,
    key: bytes,
    options: DialectOptions | None = None,
    key_file: Path | None = None,
) -> PseudonymisationReport:
    """Write a copy of the extract in ``source_dir`` to ``out_dir`` with person_id pseudonymised.

    ``out_dir`` must not exist or be empty, and must lie outside ``source_dir``. ``key_file``,
    if given, is the file the key came from; the report warns if others can read it.
    """
    if len(key) < KEY_BYTES:
        raise KeyFileError(f"The key is too short: it must be at least {KEY_BYTES} random bytes.")
    source, out = Path(source_dir).resolve(), Path(out_dir).resolve()
    if out == source or source in out.parents:
        raise ConfigurationError(
            f"{out_dir} is inside the extract directory {source_dir}: write the pseudonymised "
            "copy to a directory outside it."
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConfigurationError(
            f"{out_dir} already exists and is not an empty directory: give a new directory."
        )
    extract = open_extract(source, options=options)
    report = PseudonymisationReport(str(source), str(out), key_fingerprint(key))
    if key_file is not None:
        report.warnings.extend(key_file_warnings(key_file))
    pseudonymiser = _Pseudonymiser(key)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    except OSError as err:
        raise BroenError(f"Cannot create {out_dir}: {err.strerror}.") from None
    try:
        for src in extract.all_files():
            dest = tmp / src.relpath
            dest.parent.mkdir(parents=True, exist_ok=True)
            res = FilePseudonymisation(src.relpath, src.table, src.format)
            tally = _Tally(res, report.examples)
            column = TABLES[src.table].person_column
            if src.format == "csv":
                _pseudonymise_csv(src, dest, column, pseudonymiser, tally)
            else:
                _pseudonymise_parquet(src, dest, column, pseudonymiser, tally)
            res.distinct_persons = len(tally.persons)
            report.files.append(res)
        if (source / "extract.json").is_file():
            shutil.copyfile(source / "extract.json", tmp / "extract.json")
            report.copied.append("extract.json")
            if contains_cpr((source / "extract.json").read_text(encoding="utf-8-sig")):
                report.warnings.append(
                    "extract.json holds something that looks like a CPR number and was copied "
                    "as it is: remove it before sharing the output."
                )
        os.replace(tmp, out)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BroenError(f"Cannot pseudonymise the extract into {out_dir}: {err}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.distinct_persons = pseudonymiser.persons
    kept = {f.relpath for f in extract.all_files()} | {"extract.json"}
    report.not_copied = sorted(
        mask_cprs(p.relative_to(source).as_posix())  # a file may be named after a person
        for p in source.rglob("*")
        if p.is_file() and p.relative_to(source).as_posix() not in kept
    )
    report.warnings.extend(_warnings(report))
    return report


def _warnings(report: PseudonymisationReport) -> list[str]:
    out: list[str] = []
    problems = report.problems
    if sum(problems.values()):
        detail = ", ".join(f"{p}: {n}" for p, n in problems.items() if n)
        out.append(
            f"{sum(problems.values())} identifiers look like CPR numbers but are not valid "
            f"({detail}). They were pseudonymised as written, so they may not link to the same "
            "person written correctly elsewhere."
        )
    if report.mod11_warnings:
        out.append(
            f"{report.mod11_warnings} valid CPR numbers fail the old modulus-11 check; that is "
            "expected for numbers issued since 2007 and is not an error."
        )
    for f in report.files:
        for column, n in f.cpr_in_other_columns.items():
            out.append(
                f"{f.file}: {n} values in column {column} look like CPR numbers and were NOT "
                "pseudonymised: remove or replace them before sharing the output."
            )
    if report.not_copied:
        out.append(
            f"{len(report.not_copied)} files are not tables of the extract format and were not "
            f"copied: {', '.join(report.not_copied)}."
        )
    return out


def _line_ending(path: Path) -> tuple[str, bool]:
    """The line terminator of the file's first line, and whether the file ends with one."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
        size = fh.seek(0, os.SEEK_END)
        if size:
            fh.seek(-1, os.SEEK_END)
        ends = bool(size) and fh.read(1) in (b"\n", b"\r")
    at = head.find(b"\n")
    if at < 0:
        return ("\r" if b"\r" in head else "\n"), ends
    return ("\r\n" if head[at - 1 : at] == b"\r" else "\n"), ends


def _pseudonymise_csv(
    src: SourceFile, dest: Path, column: str | None, ps: _Pseudonymiser, tally: _Tally
) -> None:
    dialect = src.dialect
    assert dialect is not None
    encoding = "utf-8-sig" if dialect.bom else dialect.encoding
    terminator, ends_with_newline = _line_ending(src.path)
    with (
        src.path.open("r", encoding=encoding, newline="") as fin,
        dest.open("w", encoding=encoding, newline="") as fout,
    ):
        reader = csv.reader(fin, delimiter=dialect.sep)
        sep = dialect.sep

        def write(fields: list[str]) -> None:
            fout.write(sep.join(_quoted(v, sep) for v in fields) if fields != [""] else '""')
            fout.write(terminator)

        try:
            header = next(reader, None)
            if header is None:
                raise ExtractError(f"{src.relpath} is empty: it needs at least a header row.")
            names = [h.strip() for h in header]
            targets = {i for i, n in enumerate(names) if column is not None and n == column}
            if column is not None and not targets:
                raise ExtractError(f"{src.relpath} has no {column} column.")
            write(header)
            counts: dict[int, int] = {}
            row = 0
            for fields in reader:
                if fields and fields != [""]:
                    row += 1
                    tally.result.malformed_rows += int(len(fields) != len(names))
                    for i, value in enumerate(fields):
                        if i in targets:
                            mapped = ps.map(value)
                            tally.add(mapped, 1, row)
                            if mapped is not None:
                                fields[i] = mapped[0]
                        elif contains_cpr(value):
                            counts[i] = counts.get(i, 0) + 1
                write(fields)
        except csv.Error as err:
            raise ExtractError(
                f"{src.relpath} cannot be read as CSV near line {reader.line_num}: {err}."
            ) from None
    tally.result.rows = row
    for i, n in sorted(counts.items()):
        tally.other_column(names[i] if i < len(names) else f"field {i + 1}", n)
    if not ends_with_newline:
        with dest.open("rb+") as fh:
            fh.seek(0, os.SEEK_END)
            fh.truncate(fh.tell() - len(terminator))


def _quoted(value: str, sep: str) -> str:
    """A field as written: quoted only if it holds the separator, a quote or a line break.

    (csv.writer decides by the line terminator: with LF endings it leaves a lone CR bare.)
    """
    if sep in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _is_text(t.value_type)
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def _compression(pf: pq.ParquetFile) -> str:
    """The codec of the file's first column chunk (files rarely mix codecs)."""
    if pf.metadata.num_row_groups == 0 or pf.metadata.row_group(0).num_columns == 0:
        return "snappy"
    codec = str(pf.metadata.row_group(0).column(0).compression)
    return _CODECS.get(codec, codec.lower())


def _pseudonymise_parquet(
    src: SourceFile, dest: Path, column: str | None, ps: _Pseudonymiser, tally: _Tally
) -> None:
    try:
        pf = pq.ParquetFile(src.path)
    except (pa.ArrowException, OSError) as err:
        raise ExtractError(f"{src.relpath} cannot be read as Parquet: {err}") from None
    schema = pf.schema_arrow
    target = -1
    if column is not None:
        if schema.names.count(column) != 1:
            raise ExtractError(f"{src.relpath} must have exactly one {column} column.")
        target = schema.get_field_index(column)
        if not _is_text(schema.field(target).type):
            raise ExtractError(
                f"{src.relpath}: {column} is stored as {schema.field(target).type}, but the "
                "format says string; write it as text (CPR numbers keep their leading zero)."
            )
    offset = 0
    with pq.ParquetWriter(dest, schema, compression=_compression(pf)) as writer:
        for group in range(pf.num_row_groups):
            table = pf.read_row_group(group)
            if target >= 0:
                new = _replace(table.column(target), ps, tally, offset)
                new = pc.cast(new, schema.field(target).type)
                table = table.set_column(target, schema.field(target), new)
            for i, fld in enumerate(schema):
                if i != target and _is_text(fld.type):
                    tally.other_column(fld.name, _count_cpr(table.column(i)))
            writer.write_table(table, row_group_size=max(table.num_rows, 1))
            offset += table.num_rows
    tally.result.rows = offset


def _replace(column: pa.ChunkedArray, ps: _Pseudonymiser, tally: _Tally, offset: int) -> pa.Array:
    values = pc.cast(column, pa.string()).combine_chunks()
    encoded = values.dictionary_encode()
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    counts = np.bincount(indices[indices >= 0], minlength=len(encoded.dictionary))
    replaced: list[str | None] = []
    for k, raw in enumerate(encoded.dictionary.to_pylist()):
        mapped = ps.map(raw)
        first = 0  # the row of an example: only looked up while examples are wanted
        if mapped and mapped[1] in CPR_PROBLEMS and len(tally.examples) < MAX_EXAMPLES:
            first = int(np.argmax(indices == k))
        tally.add(mapped, int(counts[k]), offset + first + 1)
        replaced.append(raw if mapped is None else mapped[0])
    return pa.array(replaced, type=pa.string()).take(encoded.indices)


def _count_cpr(column: pa.ChunkedArray) -> int:
    values = pc.cast(column, pa.string())
    shaped = values.filter(pc.match_substring_regex(values, CPR_IN_TEXT_PATTERN))
    return sum(1 for v in shaped.to_pylist() if v is not None and contains_cpr(v))
