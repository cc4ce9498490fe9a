"""What a new batch must not do silently: hold CPR numbers, go back in time, or count twice.

Each check runs inside the import's transaction and raises :class:`ExtractError` (so the
warehouse stays as it was) unless the user has said, with a flag, that it is intended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from broen.analytics._contract import TABLES, Table
from broen.analytics._exceptions import ExtractError
from broen.analytics._sql import quote

# DDMMYY-SSSS or DDMMYYSSSS with a day and month that exist (in the 1900s or 2000s, which
# covers 29 February of every YY divisible by 4).
_CPR_SQL = (
    "(regexp_full_match({c}, '[0-9]{{6}}-?[0-9]{{4}}') AND ("
    "try_strptime('19' || substr({c}, 5, 2) || substr({c}, 3, 2) || substr({c}, 1, 2), "
    "'%Y%m%d') IS NOT NULL OR "
    "try_strptime('20' || substr({c}, 5, 2) || substr({c}, 3, 2) || substr({c}, 1, 2), "
    "'%Y%m%d') IS NOT NULL))"
)


def cpr_shaped(column_sql: str) -> str:
    """SQL that is true when the value looks like a CPR number."""
    return _CPR_SQL.format(c=column_sql)


def refuse_cpr_numbers(
    con: duckdb.DuckDBPyConnection, table: Table, source_dir: str, allowed: bool
) -> None:
    """Refuse staged person_ids shaped like CPR numbers unless the warehouse may hold them."""
    if table.person_column is None or allowed:
        return
    column = quote(table.person_column)
    # Distinct ids of CPR length first: the pattern then runs on few values.
    (count,) = con.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT {column} FROM stg "
        f"WHERE length({column}) IN (10, 11)) WHERE {cpr_shaped(column)}"
    ).fetchall()[0]
    if count:
        raise ExtractError(
            f"{count:,} person_id value{'s' if count > 1 else ''} in {table.name} look like CPR "
            "numbers (DDMMYY-SSSS), and this warehouse holds pseudonyms only: run 'broen "
            f"pseudonymise {source_dir} OUT_DIR --key-file KEY' and import OUT_DIR, or give "
            "--allow-cpr if this warehouse may hold CPR numbers (see docs/data-format.md)."
        )


def refuse_older(
    source: str,
    new: tuple[date | None, date | None],
    old_batch: str,
    old: tuple[date | None, date | None],
) -> None:
    """An extract that ends before the batch it would replace is refused: it is most likely an
    old copy imported by mistake, and it would throw away the newer months."""
    new_end, old_end = new[1], old[1]
    if new_end is None or old_end is None or new_end >= old_end:
        return
    raise ExtractError(
        f"This extract of source {source!r} covers {_span(new)}, which ends before the batch it "
        f"would replace ({old_batch}, {_span(old)}): give --allow-older to replace the newer "
        "batch with it anyway."
    )


def _span(period: tuple[date | None, date | None]) -> str:
    start, end = period
    return f"{start.isoformat() if start else '?'} to {end.isoformat() if end else '?'}"


@dataclass(frozen=True)
class Overlap:
    """Rows of the new batch identical to rows of an existing batch of another source."""

    batch_id: str
    source: str
    rows: dict[str, int]  # table -> identical rows

    def describe(self) -> str:
        parts = ", ".join(f"{n:,} {t}" for t, n in self.rows.items() if n)
        return f"{self.batch_id} (source {self.source!r}): {parts}"


def find_overlap(con: duckdb.DuckDBPyConnection, batch_id: str, replaced: str) -> list[Overlap]:
    """Per other batch, how many of the new batch's rows it already holds, table by table.

    Rows are compared on every contract column, on the persons the two batches share, so the
    join stays as small as their common persons."""
    found: dict[str, dict[str, int]] = {}
    (others,) = con.execute(
        "SELECT count(*) FROM batches WHERE batch_id NOT IN (?, ?)", [batch_id, replaced]
    ).fetchall()[0]
    if not others:
        return []
    for name, table in TABLES.items():
        cols = [c.name for c in table.columns]
        same = " AND ".join(f"n.{quote(c)} IS NOT DISTINCT FROM o.{quote(c)}" for c in cols)
        key = table.person_column or cols[0]
        rows = con.execute(
            f"""
            SELECT o.batch_id, count(*)
            FROM {quote(name)} n JOIN {quote(name)} o
              ON o.{quote(key)} = n.{quote(key)} AND {same}
            WHERE n.batch_id = $new AND o.batch_id NOT IN ($new, $replaced)
            GROUP BY o.batch_id
            """,
            {"new": batch_id, "replaced": replaced},
        ).fetchall()
        for other, n in rows:
            found.setdefault(other, {})[name] = int(n)
    if not found:
        return []
    sources = dict(
        con.execute(
            "SELECT batch_id, source FROM batches WHERE list_contains($ids, batch_id)",
            {"ids": list(found)},
        ).fetchall()
    )
    return [Overlap(b, str(sources.get(b, "?")), rows) for b, rows in sorted(found.items())]


def refuse_overlap(overlaps: list[Overlap], source: str) -> None:
    if not overlaps:
        return
    shown = "; ".join(o.describe() for o in overlaps)
    first = overlaps[0].source
    raise ExtractError(
        f"This extract (source {source!r}) repeats rows already in the warehouse — {shown} — "
        f"so every figure would count them twice. If it is a new extract of {first!r}, import "
        f"it with --source {first!r} to replace that batch; if it is a different source that "
        "holds the same rows, give --new-source."
    )
