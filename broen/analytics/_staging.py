"""Staging the files of a table as text: header mapping, reading, decimal mark, malformed rows.

Every file of a table goes into the temporary table ``stg`` with all contract columns as text
(surrounding spaces and tabs removed; an empty cell is null, any other text is a value), its file
number and its record number. Only contract columns are staged: a column the contract does not
know never reaches the warehouse, and the raw text of a malformed record (which cannot be split
into columns) is kept only when the file has no such columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow.parquet as pq

from broen.analytics._contract import Table
from broen.analytics._csv import ReadMode, RereadCsv, read_csv_chunks
from broen.analytics._exceptions import ExtractError
from broen.analytics._extract import SourceFile, csv_header
from broen.analytics._sql import literal, quote
from broen.analytics._warehouse import OFFLINE


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
    dialect: str | None = None  # how a CSV file was read, e.g. "utf-8 (detected), sep ';' …"
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


def file_columns(source: SourceFile, table: Table) -> FileColumns:
    """Map each contract column to the file's column name; fail on a missing required one.

    Names are compared without case and surrounding spaces, so ``COST_DKK`` and ``cost_dkk`` are
    the same name, and a file that has both is refused rather than read from one of them.
    """
    if source.format == "csv":
        names = csv_header(source)
    else:
        try:
            names = list(pq.read_schema(source.path).names)
        except Exception as err:  # pyarrow raises several types for a damaged file
            raise ExtractError(
                f"{source.relpath} cannot be read as Parquet: {str(err).splitlines()[0]}"
            ) from err
    by_norm: dict[str, str] = {}
    for name in names:
        norm = name.strip().lower()
        if norm in by_norm:
            raise ExtractError(
                f"{source.relpath} has the column {norm!r} twice ({by_norm[norm]!r} and "
                f"{name!r}; names are compared without case and surrounding spaces): keep one."
            )
        if norm == "":
            raise ExtractError(f"{source.relpath}: the header has an empty column name.")
        by_norm[norm] = name
    missing = [c.name for c in table.columns if c.required and c.name not in by_norm]
    if missing:
        raise ExtractError(
            f"{source.relpath} lacks the required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (contract v1, table {table.name})."
        )
    mapping = {c.name: by_norm[c.name] for c in table.columns if c.name in by_norm}
    return FileColumns(names=names, mapping=mapping)


def create_staging(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    cols = ", ".join(f"{quote(c.name)} VARCHAR" for c in table.columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE stg ({cols}, _file_no INTEGER, _file VARCHAR, _row BIGINT)"
    )


def stage_file(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    file_no: int,
    source: SourceFile,
    columns: FileColumns,
    report: FileReport,
    batch_id: str,
) -> bool:
    """Stage one file into ``stg``; quarantine its malformed records. Returns whether the file
    is written with a decimal comma."""
    report.ignored_columns = columns.ignored
    # Each column named as in the contract: the Parquet path streams them by name.
    select = ", ".join(
        f"NULLIF(trim(CAST(src.{quote(columns.mapping[c.name])} AS VARCHAR), ' \t'), '') "
        f"AS {quote(c.name)}"
        if c.name in columns.mapping
        else f"CAST(NULL AS VARCHAR) AS {quote(c.name)}"
        for c in table.columns
    )
    meta = f"{file_no}, {literal(source.relpath)}"
    try:
        if source.format == "parquet":
            _stage_parquet(con, table, source, select, meta)
            return False
        _stage_csv(con, table, file_no, source, columns, report, batch_id, select, meta)
    except duckdb.Error as err:
        raise ExtractError(f"{source.relpath} cannot be read: {str(err).splitlines()[0]}") from err
    comma = decide_decimal(con, table, file_no, source)
    assert source.dialect is not None
    report.dialect = source.dialect.describe("," if comma else ".")
    return comma


def _stage_parquet(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source: SourceFile,
    select: str,
    meta: str,
    batch_rows: int = 1 << 17,
) -> None:
    """Read a Parquet file in a scratch DuckDB instance and stream it into ``stg``.

    DuckDB reads Parquet fastest, but a damaged file can make it fail with an internal error
    that invalidates its whole database instance; in a scratch instance that harms nothing, and
    the warehouse's connection gets an ordinary error and rolls back.
    """
    scratch = duckdb.connect(":memory:", config=dict(OFFLINE))
    try:
        relation = scratch.sql(
            f"SELECT {select}, src.file_row_number + 1 AS _row "
            f"FROM read_parquet({literal(str(source.path))}, file_row_number = true) src"
        )
        con.register("src_batch", relation.to_arrow_reader(batch_rows))
        staged = ", ".join(f"src.{quote(c.name)}" for c in table.columns)
        con.execute(f"INSERT INTO stg SELECT {staged}, {meta}, src._row FROM src_batch src")
    except duckdb.Error as err:
        raise ExtractError(
            f"{source.relpath} cannot be read as Parquet (is it damaged?): "
            f"{str(err).splitlines()[0]}"
        ) from err
    finally:
        con.unregister("src_batch")
        scratch.close()


def _stage_csv(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    file_no: int,
    source: SourceFile,
    columns: FileColumns,
    report: FileReport,
    batch_id: str,
    select: str,
    meta: str,
) -> None:
    dialect = source.dialect
    assert dialect is not None
    mode: ReadMode = "scanned" if source.has_quotes else "fast"
    keep_text = not columns.ignored
    while True:
        try:
            chunks = read_csv_chunks(
                source.path, columns.names, encoding=dialect.encoding, sep=dialect.sep, mode=mode
            )
            for chunk in chunks:
                con.register("src_batch", chunk.batch)
                con.execute(f"INSERT INTO stg SELECT {select}, {meta}, src._row FROM src_batch src")
                con.unregister("src_batch")
                for bad in chunk.malformed:
                    con.execute(
                        "INSERT INTO quarantine VALUES "
                        "(?, ?, ?, ?, 'row.malformed', NULL, ?, ?, ?)",
                        [
                            batch_id,
                            table.name,
                            source.relpath,
                            bad.row,
                            None if bad.fields is None else str(bad.fields),
                            bad.problem,
                            bad.text if keep_text else None,
                        ],
                    )
                    report.rows_read += 1
                    report.rows_rejected += 1
                    report.rules["row.malformed"] = report.rules.get("row.malformed", 0) + 1
            return
        except RereadCsv as again:
            # Nothing of the file may count twice: its staged rows go before it is read again.
            con.execute("DELETE FROM stg WHERE _file_no = ?", [file_no])
            con.execute(
                "DELETE FROM quarantine WHERE batch_id = ? AND file = ?", [batch_id, source.relpath]
            )
            report.rows_read = report.rows_rejected = 0
            report.rules.pop("row.malformed", None)
            mode = again.mode


def decide_decimal(
    con: duckdb.DuckDBPyConnection, table: Table, file_no: int, source: SourceFile
) -> bool:
    """Whether a staged CSV file uses a decimal comma: as given, else from its numbers.

    A file whose numbers hold points only is read with a point, commas only with a comma, and
    neither with the usual mark for its separator. A file with both is refused: guessing would
    change values by a factor of a hundred or a thousand. Only the cells of well-formed records
    count, and a cell holding both marks counts for neither (it is an error under both).
    """
    dialect = source.dialect
    assert dialect is not None
    if dialect.decimal is not None:
        return dialect.decimal == ","
    numeric = [c.name for c in table.columns if c.type in ("number", "integer")]
    if not numeric:
        return dialect.sep == ";"
    evidence = []
    for mark, other in ((".", ","), (",", ".")):
        # A cell with both marks (1,234.5) is wrong either way: it tells nothing.
        parts = " UNION ALL ".join(
            f"SELECT {literal(c)} AS col, {quote(c)} AS v, _row FROM stg "
            f"WHERE _file_no = {file_no} AND contains({quote(c)}, {literal(mark)}) "
            f"AND NOT contains({quote(c)}, {literal(other)})"
            for c in numeric
        )
        row = con.execute(f"SELECT col, v, _row FROM ({parts}) ORDER BY _row LIMIT 1").fetchall()
        evidence.append(row[0] if row else None)
    point, comma = evidence
    if point and comma:
        raise ExtractError(
            f"{source.relpath} has numbers with a decimal point ({point[1]!r} in {point[0]}, "
            f"row {point[2]}) and with a decimal comma ({comma[1]!r} in {comma[0]}, row "
            f"{comma[2]}), so its decimal mark cannot be told: give --decimal '.' or --decimal "
            "',' (rows written with the other mark are then quarantined)."
        )
    if point:
        return False
    if comma:
        return True
    return dialect.sep == ";"
