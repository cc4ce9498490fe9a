"""Importing an extract into the warehouse: stage, validate, load, quarantine, in one transaction.

Rows that break a rule go to the ``quarantine`` table with the rule and a message; every other
row loads. A problem that makes the extract unreadable (a missing file or column, a file that
cannot be parsed) stops the import and rolls back, leaving the warehouse as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from broen.analytics._contract import CONTRACT_VERSION, TABLES, Table
from broen.analytics._exceptions import ExtractError
from broen.analytics._extract import (
    DialectOptions,
    Extract,
    SourceFile,
    csv_header,
    open_extract,
    read_csv_chunks,
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
    quote,
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class FileColumns:
    """The columns of one file: all names as written, and contract column -> file column."""

    names: list[str]
    mapping: dict[str, str]

    @property
    def ignored(self) -> list[str]:
        used = set(self.mapping.values())
        return [n for n in self.names if n not in used]


@dataclass
class FileReport:
    table: str
    file: str
    format: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rules: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return (
            self.rows_read
            == self.rows_accepted + self.rows_rejected
            == self.rows_accepted + sum(self.rules.values())
        )


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


def import_extract(
    source_dir: Path,
    *,
    warehouse: Path | None = None,
    options: DialectOptions | None = None,
    source: str | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the extract in ``source_dir`` into the warehouse as one batch."""
    extract = open_extract(Path(source_dir), options=options, source=source)
    headers = {f.relpath: _check_columns(f) for f in extract.all_files()}
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
        con.execute("BEGIN TRANSACTION")
        try:
            _load(con, extract, headers, report, ctx, progress)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            for name in ("stg", "checked", "ref_persons", "ref_contacts"):
                con.execute(f"DROP TABLE IF EXISTS temp.{name}")
    reports_dir = warehouse.parent / "import-reports"
    reports_dir.mkdir(parents=True, exist_ok=True)
    (reports_dir / f"{report.batch_id}.json").write_text(
        json.dumps(report.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return report


def _load(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    headers: dict[str, FileColumns],
    report: ImportReport,
    ctx: CheckContext,
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
            _stage(con, table, files, headers, file_reports, report.batch_id)
            _validate_and_load(con, table, file_reports, report.batch_id, ctx)
            report.files.extend(file_reports)
            done += len(files)
            if progress:
                progress(name, done, total)
        if name == "persons":
            _make_ref_persons(con, report.batch_id, old)
    # The panel rebuilds the persons of the new batch and of the batch it replaces.
    mark_dirty(con, [report.batch_id, old] if old else [report.batch_id])
    start, end, period_source = extract.period_start, extract.period_end, "extract.json"
    if start is None or end is None:
        lo, hi = event_period(con, report.batch_id)
        start, end, period_source = start or lo, end or hi, "events"
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


def _check_columns(source: SourceFile) -> FileColumns:
    """Map each contract column to the file's column name; fail on a missing required one."""
    if source.format == "csv":
        names = csv_header(source)
    else:
        try:
            names = list(pq.read_schema(source.path).names)
        except Exception as err:  # pyarrow raises several types for a damaged file
            raise ExtractError(
                f"{source.relpath} cannot be read as Parquet: {str(err).splitlines()[0]}"
            ) from err
    by_norm = {n.strip().lower(): n for n in names}
    table = TABLES[source.table]
    missing = [c.name for c in table.columns if c.required and c.name not in by_norm]
    if missing:
        raise ExtractError(
            f"{source.relpath} lacks the required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (contract v1, table {table.name})."
        )
    mapping = {c.name: by_norm[c.name] for c in table.columns if c.name in by_norm}
    return FileColumns(names=names, mapping=mapping)


def _stage(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[SourceFile],
    headers: dict[str, FileColumns],
    reports: list[FileReport],
    batch_id: str,
) -> None:
    cols = ", ".join(f"{quote(c.name)} VARCHAR" for c in table.columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE stg ({cols}, _file_no INTEGER, _file VARCHAR, _row BIGINT)"
    )
    for file_no, (source, report) in enumerate(zip(files, reports, strict=True)):
        columns = headers[source.relpath]
        mapping = columns.mapping
        report.ignored_columns = columns.ignored
        decimal_comma = source.dialect is not None and source.dialect.decimal == ","
        select = []
        for c in table.columns:
            if c.name not in mapping:
                select.append("NULL")
                continue
            expr = f"NULLIF(trim(CAST(src.{quote(mapping[c.name])} AS VARCHAR)), '')"
            if decimal_comma and c.type in ("number", "integer"):
                expr = f"replace(replace({expr}, '.', ''), ',', '.')"
            select.append(expr)
        select_sql = ", ".join(select)
        meta = f"{file_no}, {_lit(source.relpath)}"
        try:
            if source.format == "parquet":
                con.execute(
                    f"INSERT INTO stg SELECT {select_sql}, {meta}, src.file_row_number + 1 "
                    f"FROM read_parquet({_lit(str(source.path))}, file_row_number = true) src"
                )
            else:
                for chunk in read_csv_chunks(source):
                    con.register("src_batch", chunk.batch)
                    con.execute(
                        f"INSERT INTO stg SELECT {select_sql}, {meta}, src._row FROM src_batch src"
                    )
                    con.unregister("src_batch")
                    for bad in chunk.malformed:
                        con.execute(
                            "INSERT INTO quarantine VALUES (?, ?, ?, ?, 'row.malformed', NULL, "
                            "?, ?, ?)",
                            [
                                batch_id,
                                table.name,
                                source.relpath,
                                bad.row,
                                str(bad.fields),
                                f"{bad.fields} fields where the header has {len(columns.names)}",
                                bad.text,
                            ],
                        )
                        report.rows_read += 1
                        report.rows_rejected += 1
                        report.rules["row.malformed"] = report.rules.get("row.malformed", 0) + 1
        except duckdb.Error as err:
            raise ExtractError(
                f"{source.relpath} cannot be read: {str(err).splitlines()[0]}"
            ) from err


def _validate_and_load(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    reports: list[FileReport],
    batch_id: str,
    ctx: CheckContext,
) -> None:
    checks = checks_for(table, ctx)
    con.execute(f"CREATE OR REPLACE TEMP TABLE checked AS {checked_select(table, 'stg', checks)}")
    typed_cols = ", ".join(typed(c) for c in table.columns)
    con.execute(
        f"INSERT INTO {quote(table.name)} SELECT {typed_cols}, {_lit(batch_id)} "
        "FROM stg s ANTI JOIN checked USING (_file_no, _row)"
    )
    lookup = ", ".join(
        f"({i}, {_lit(ch.rule)}, {_lit(ch.column) if ch.column else 'NULL'}, {_lit(ch.message)})"
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
        SELECT {_lit(batch_id)}, {_lit(table.name)}, s._file, s._row, l.rule, l.col,
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


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "extract"
