"""Importing an extract into the warehouse: stage, validate, load, quarantine, in one transaction.

Rows that break a rule go to the ``quarantine`` table with the rule and a message; every other
row loads with exactly the values in the file. A problem that makes the extract unreadable (a
missing file or column, a file that cannot be parsed, an ambiguous decimal mark) or that the
user must decide on (CPR numbers, an older extract, rows already in another batch) stops the
import and rolls back, leaving the warehouse as it was.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from broen.analytics._batch_checks import (
    find_overlap,
    refuse_cpr_numbers,
    refuse_older,
    refuse_overlap,
)
from broen.analytics._contract import CONTRACT_VERSION, TABLES, Table
from broen.analytics._extract import DialectOptions, Extract, open_extract
from broen.analytics._sql import literal, quote, transaction
from broen.analytics._staging import (
    FileColumns,
    FileReport,
    create_staging,
    file_columns,
    stage_file,
)
from broen.analytics._validation import (
    CheckContext,
    checked_select,
    checks_for,
    typed,
    value_select,
)
from broen.analytics._warehouse import (
    connect,
    default_warehouse_path,
    event_period,
    mark_dirty,
)

Progress = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    """What an import did, file by file: rows read = rows accepted + rows rejected."""

    status: str  # "imported" or "unchanged"
    batch_id: str
    source: str
    extract_sha256: str
    warehouse: str
    imported_at: str
    period_start: str | None
    period_end: str | None
    replaced_batch: str | None = None
    files: list[FileReport] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    report_file: str | None = None  # where the JSON report was written
    report_error: str | None = None  # why it could not be (the batch is committed all the same)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def reconciles(self) -> bool:
        return all(f.reconciles for f in self.files)

    def rule_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.files:
            for rule, n in f.rules.items():
                counts[rule] = counts.get(rule, 0) + n
        return dict(sorted(counts.items()))

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["rows_read"] = self.rows_read
        out["rows_accepted"] = self.rows_accepted
        out["rows_rejected"] = self.rows_rejected
        out["reconciles"] = self.reconciles
        out["rules"] = self.rule_counts()
        return out


@dataclass(frozen=True)
class Consent:
    """What the user has allowed an import to do that it otherwise refuses."""

    allow_cpr: bool = False  # person_ids shaped like CPR numbers may be stored
    allow_older: bool = False  # an extract ending before the batch it replaces may replace it
    new_source: bool = False  # rows identical to another source's batch are not a repeat


def import_extract(
    source_dir: Path,
    *,
    warehouse: Path | None = None,
    options: DialectOptions | None = None,
    source: str | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    allow_cpr: bool = False,
    allow_older: bool = False,
    new_source: bool = False,
) -> ImportReport:
    """Import the extract in ``source_dir`` into the warehouse as one batch.

    The JSON report is written to ``import-reports/`` beside the warehouse after the commit; if
    that fails the batch stays committed and ``report_error`` says why.
    """
    consent = Consent(allow_cpr=allow_cpr, allow_older=allow_older, new_source=new_source)
    extract = open_extract(Path(source_dir), options=options, source=source)
    headers = {f.relpath: file_columns(f, TABLES[f.table]) for f in extract.all_files()}
    warehouse = Path(warehouse) if warehouse is not None else default_warehouse_path()
    now = datetime.now().replace(microsecond=0)
    sha = extract.sha256
    with connect(warehouse) as con:
        existing = con.execute(
            "SELECT batch_id, imported_at FROM batches WHERE extract_sha256 = ?", [sha]
        ).fetchone()
        if existing:
            return ImportReport(
                status="unchanged",
                batch_id=existing[0],
                source=extract.source,
                extract_sha256=sha,
                warehouse=str(warehouse),
                imported_at=str(existing[1]),
                period_start=_iso(extract.period_start),
                period_end=_iso(extract.period_end),
                ignored_files=extract.ignored,
            )
        old = con.execute(
            "SELECT batch_id FROM batches WHERE source = ? ORDER BY imported_at DESC LIMIT 1",
            [extract.source],
        ).fetchone()
        report = ImportReport(
            status="imported",
            batch_id=f"{_slug(extract.source)}-{now:%Y%m%dT%H%M%S}-{sha[:8]}",
            source=extract.source,
            extract_sha256=sha,
            warehouse=str(warehouse),
            imported_at=now.isoformat(),
            period_start=_iso(extract.period_start),
            period_end=_iso(extract.period_end),
            replaced_batch=old[0] if old else None,
            ignored_files=extract.ignored,
        )
        ctx = CheckContext(today=today or date.today(), period_start=extract.period_start)
        try:
            with transaction(con):
                _load(con, extract, headers, report, ctx, consent, progress)
        finally:
            _drop_temporary_tables(con)
    _write_report(report, warehouse.parent / "import-reports" / f"{report.batch_id}.json")
    return report


def _drop_temporary_tables(con: duckdb.DuckDBPyConnection) -> None:
    try:
        for name in ("stg", "checked", "ref_persons", "ref_contacts"):
            con.execute(f"DROP TABLE IF EXISTS temp.{name}")
    except duckdb.Error:
        pass  # an invalidated database (see _sql.transaction) drops its temporary tables anyway


def _write_report(report: ImportReport, path: Path) -> None:
    text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        report.report_error = f"{path}: {err.strerror or err}"
        return
    report.report_file = str(path)


def _load(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    headers: dict[str, FileColumns],
    report: ImportReport,
    ctx: CheckContext,
    consent: Consent,
    progress: Progress | None,
) -> None:
    old = report.replaced_batch or ""
    total = len(extract.all_files())
    done = 0
    for name, table in TABLES.items():
        if name == "hospital_diagnoses":
            _make_ref_contacts(con, report.batch_id, old)
        files = extract.files.get(name, [])
        if files:
            file_reports = [FileReport(table=name, file=f.relpath, format=f.format) for f in files]
            create_staging(con, table)
            comma_files = tuple(
                file_no
                for file_no, (f, r) in enumerate(zip(files, file_reports, strict=True))
                if stage_file(con, table, file_no, f, headers[f.relpath], r, report.batch_id)
            )
            refuse_cpr_numbers(con, table, str(extract.root), consent.allow_cpr)
            table_ctx = dataclasses.replace(ctx, comma_files=comma_files)
            _validate_and_load(con, table, file_reports, report.batch_id, table_ctx)
            report.files.extend(file_reports)
            done += len(files)
            if progress:
                progress(name, done, total)
        if name == "persons":
            _make_ref_persons(con, report.batch_id, old)
    start, end, period_source = extract.period_start, extract.period_end, "extract.json"
    if start is None or end is None:
        lo, hi = event_period(con, report.batch_id)
        start, end, period_source = start or lo, end or hi, "events"
    if old and not consent.allow_older:
        row = con.execute(
            "SELECT period_start, period_end FROM batches WHERE batch_id = ?", [old]
        ).fetchall()[0]
        refuse_older(extract.source, (start, end), old, (row[0], row[1]))
    if not consent.new_source:
        refuse_overlap(find_overlap(con, report.batch_id, old), extract.source)
    # The panel rebuilds the persons of the new batch and of the batch it replaces.
    mark_dirty(con, [report.batch_id, old] if old else [report.batch_id])
    if old:
        for name in [*TABLES, "quarantine", "batch_files", "batches"]:
            con.execute(f"DELETE FROM {quote(name)} WHERE batch_id = ?", [old])
    con.execute(
        "INSERT INTO batches (batch_id, source, extract_sha256, imported_at, period_start, "
        "period_end, description, contract_version, rows_read, rows_accepted, rows_rejected, "
        "period_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report.batch_id,
            report.source,
            report.extract_sha256,
            report.imported_at,
            start,
            end,
            extract.description,
            CONTRACT_VERSION,
            report.rows_read,
            report.rows_accepted,
            report.rows_rejected,
            period_source,
        ],
    )
    by_path = {f.relpath: f for f in extract.all_files()}
    for f in report.files:
        con.execute(
            "INSERT INTO batch_files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report.batch_id,
                f.table,
                f.file,
                by_path[f.file].sha256,
                f.format,
                f.rows_read,
                f.rows_accepted,
                f.rows_rejected,
            ],
        )


def _validate_and_load(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    reports: list[FileReport],
    batch_id: str,
    ctx: CheckContext,
) -> None:
    checks = checks_for(table, ctx)
    con.execute(f"CREATE OR REPLACE TEMP TABLE checked AS {checked_select(table, 'stg', checks)}")
    typed_cols = ", ".join(typed(c, ctx) for c in table.columns)
    con.execute(
        f"INSERT INTO {quote(table.name)} SELECT {typed_cols}, {literal(batch_id)} "
        "FROM stg s ANTI JOIN checked USING (_file_no, _row)"
    )
    lookup = ", ".join(
        f"({i}, {literal(ch.rule)}, {literal(ch.column) if ch.column else 'NULL'}, "
        f"{literal(ch.message)})"
        for i, ch in enumerate(checks, start=1)
    )
    raw = (
        "to_json(struct_pack("
        + ", ".join(f"{quote(c.name)} := s.{quote(c.name)}" for c in table.columns)
        + "))"
    )
    con.execute(
        f"""
        INSERT INTO quarantine
        SELECT {literal(batch_id)}, {literal(table.name)}, s._file, s._row, l.rule, l.col,
               {value_select(checks)}, l.message, CAST({raw} AS VARCHAR)
        FROM stg s
        JOIN checked c USING (_file_no, _row)
        JOIN (VALUES {lookup}) l(id, rule, col, message) ON l.id = c._check
        """
    )
    for file_no, n in con.execute("SELECT _file_no, count(*) FROM stg GROUP BY ALL").fetchall():
        reports[file_no].rows_read += n
        reports[file_no].rows_accepted += n
    for file_no, check, n in con.execute(
        "SELECT _file_no, _check, count(*) FROM checked GROUP BY ALL"
    ).fetchall():
        report = reports[file_no]
        rule = checks[check - 1].rule
        report.rows_accepted -= n
        report.rows_rejected += n
        report.rules[rule] = report.rules.get(rule, 0) + n
    for report in reports:
        report.rules = dict(sorted(report.rules.items()))


def _make_ref_persons(con: duckdb.DuckDBPyConnection, batch_id: str, old: str) -> None:
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE ref_persons AS
        SELECT person_id,
               arg_max(birth_date, batch_id = ?) AS birth_date,
               arg_max(death_date, batch_id = ?) AS death_date
        FROM persons WHERE batch_id <> ? GROUP BY person_id
        """,
        [batch_id, batch_id, old],
    )


def _make_ref_contacts(con: duckdb.DuckDBPyConnection, batch_id: str, old: str) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ref_contacts AS SELECT DISTINCT contact_id "
        "FROM hospital_contacts WHERE batch_id <> ?",
        [old],
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "extract"
