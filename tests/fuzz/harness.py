"""What the fuzz harnesses do with one input. No atheris here: pytest runs these on seeds.

Properties under fuzz, for an extract built around the fuzzed bytes:

- no exception escapes ``import_extract`` other than a BroenError (ExtractError, ...): anything
  else is a bug shown to the user as a traceback;
- when the import succeeds, it reconciles: per file rows read = accepted + rejected, and the
  warehouse holds exactly the accepted rows of the batch in each table and the rejected ones in
  the quarantine;
- (CSV) when the import succeeds, the reference reader (tests/warehouse/reference_csv.py) can
  read the file too - it is not one the specification calls fatal - and counts the same records.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import duckdb

from broen.analytics import BroenError, DialectOptions, ImportReport, import_extract
from tests.warehouse.reference_csv import (
    ReferenceFatal,
    decode,
    detect_separator,
    map_header,
    parse_records,
)

TODAY = date(2026, 11, 23)
SOURCE = "fuzz"
GOOD_PERSONS = b"person_id,birth_date,sex,municipality\na1,1960-01-01,F,360\na2,1970-06-30,M,376\n"
ENCODINGS = (None, "utf-8", "cp1252")
SEPARATORS = (None, ",", ";", "\t", "|")
DECIMALS = (None, ".", ",")
EVENT_TABLES = ("primary_care", "hospital_contacts", "measurements", "transfers")

# Known crashes to look past while they are open, by name (run.py --ignore NAME): a fuzz run
# otherwise stops at the first crash and keeps finding the same one.
# None is open. The one found so far (a damaged Parquet footer made DuckDB raise an internal
# error that invalidated the warehouse's database) was fixed by reading Parquet in a scratch
# DuckDB instance; test_harnesses.py replays a damaged Parquet file to keep it fixed.
KNOWN_CRASHES: dict[str, tuple[type[BaseException], ...]] = {}
IGNORED: tuple[type[BaseException], ...] = tuple(
    e
    for name in os.environ.get("BROEN_FUZZ_IGNORE", "").split(",")
    if name
    for e in KNOWN_CRASHES[name]
)


class Workspace:
    """One directory per process: the extract (rewritten per input) and one warehouse."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="broen-fuzz-"))
        self.extract = self.root / "extract"
        self.warehouse = self.root / "w.duckdb"

    def fresh_extract(self) -> Path:
        shutil.rmtree(self.extract, ignore_errors=True)
        self.extract.mkdir(parents=True)
        return self.extract


_WORKSPACE: Workspace | None = None


def workspace() -> Workspace:
    global _WORKSPACE
    if _WORKSPACE is None:
        _WORKSPACE = Workspace()
    return _WORKSPACE


def split_csv_input(data: bytes) -> tuple[DialectOptions | None, str, bytes]:
    """The first byte chooses the options and the table; the rest is the file."""
    flags, body = (data[0], data[1:]) if data else (0, b"")
    encoding = ENCODINGS[flags % 3]
    sep = SEPARATORS[(flags // 3) % 5]
    decimal = DECIMALS[(flags // 15) % 3]
    table = "persons" if flags < 128 else EVENT_TABLES[flags % len(EVENT_TABLES)]
    options = None
    if encoding or sep or decimal:
        options = DialectOptions(encoding=encoding, sep=sep, decimal=decimal)
    return options, table, body


def csv_one_input(data: bytes, ws: Workspace | None = None) -> None:
    ws = ws or workspace()
    options, table, body = split_csv_input(data)
    root = ws.fresh_extract()
    if table != "persons":
        (root / "persons.csv").write_bytes(GOOD_PERSONS)
    (root / f"{table}.csv").write_bytes(body)
    try:
        report = import_extract(
            root, warehouse=ws.warehouse, options=options, source=SOURCE, today=TODAY
        )
    except (BroenError, *IGNORED):
        return
    check_reconciles(report, ws.warehouse)
    check_against_reference(report, table, body, options)


def parquet_one_input(data: bytes, ws: Workspace | None = None) -> None:
    ws = ws or workspace()
    root = ws.fresh_extract()
    (root / "persons.parquet").write_bytes(data)
    try:
        report = import_extract(root, warehouse=ws.warehouse, source=SOURCE, today=TODAY)
    except (BroenError, *IGNORED):
        return
    check_reconciles(report, ws.warehouse)


def check_reconciles(report: ImportReport, warehouse: Path) -> None:
    if report.status != "imported":  # the same bytes again: "Nothing to do"
        return
    for f in report.files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected, f
    assert report.reconciles
    accepted: dict[str, int] = {}
    for f in report.files:
        accepted[f.table] = accepted.get(f.table, 0) + f.rows_accepted
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, n in accepted.items():
            (count,) = con.execute(  # type: ignore[misc]
                f'SELECT count(*) FROM "{table}" WHERE batch_id = ?', [report.batch_id]
            ).fetchone()
            assert count == n, f"{table}: {count} rows in the warehouse, {n} accepted"
        (rejected,) = con.execute(  # type: ignore[misc]
            "SELECT count(*) FROM quarantine WHERE batch_id = ?", [report.batch_id]
        ).fetchone()
        assert rejected == report.rows_rejected, (rejected, report.rows_rejected)


def check_against_reference(
    report: ImportReport, table: str, body: bytes, options: DialectOptions | None
) -> None:
    """The import succeeded: the reference must read the file as well, with as many records."""
    if report.status != "imported":
        return
    try:
        text = decode(body, options.encoding if options else None)
        sep = (options.sep if options else None) or detect_separator(text)
        records = parse_records(text, sep)
        if not records:
            raise ReferenceFatal("missing_column", "no header")
        map_header(table, records[0].fields)
    except ReferenceFatal as fatal:
        raise AssertionError(f"imported a file the specification calls fatal: {fatal}") from None
    (read,) = [f.rows_read for f in report.files if f.table == table]
    assert read == len(records) - 1, f"{read} rows read, the reference reads {len(records) - 1}"
