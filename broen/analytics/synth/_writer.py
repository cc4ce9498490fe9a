"""Turning internal rows into contract v1 Arrow tables, and writing parquet parts or CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from broen.analytics._contract import TABLES

from ._rows import Col, Rows

ID_WIDTH = 7
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "week": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("s"),
    "bool": pa.bool_(),
}
# Rows of these tables that agree on the key columns are merged (sums of the others), so that the
# extract never holds two identical rows by chance.
AGGREGATE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "primary_care": (
        ("person_id", "date", "provider", "specialty", "service_code"),
        ("services", "fee_dkk"),
    ),
    "prescriptions": (
        ("person_id", "dispensing_date", "atc"),
        ("packages", "cost_dkk", "subsidy_dkk"),
    ),
    "municipal_services": (
        ("person_id", "service", "start_date", "end_date", "unit"),
        ("units", "cost_dkk"),
    ),
}


def person_ids(pid: np.ndarray) -> pa.Array:
    """Pseudonyms ``p`` + 8 digits (never CPR-shaped)."""
    return pc.binary_join_element_wise(
        "p", pc.utf8_lpad(pc.cast(pa.array(pid, pa.int64()), pa.string()), width=8, padding="0"), ""
    )


def _arrow(col: Col, pids: pa.Array) -> pa.Array:
    mask = None if col.valid is None else ~col.valid
    v = np.asarray(col.values)
    if col.kind == "person":
        return pc.take(pids, pa.array(v, pa.int64()))
    if col.kind == "id":
        num = pc.utf8_lpad(
            pc.cast(pa.array(v, pa.int64()), pa.string()), width=ID_WIDTH, padding="0"
        )
        return pc.binary_join_element_wise(col.prefix, num, "")
    if col.kind == "cat":
        iv = v.astype(np.int64)
        idx = pa.array(iv, pa.int64(), mask=None if (iv >= 0).all() else iv < 0)
        return pc.take(pa.array(col.vocab, pa.string()), idx)
    if col.kind == "date":
        return pa.array(v.astype("datetime64[D]"), pa.date32(), mask=mask)
    if col.kind == "datetime":
        return pa.array(v.astype("datetime64[s]"), pa.timestamp("s"), mask=mask)
    if col.kind == "bool":
        return pa.array(v.astype(bool), pa.bool_(), mask=mask)
    if col.kind == "int":
        return pa.array(v.astype(np.int64), pa.int64(), mask=mask)
    return pa.array(v.astype(np.float64), pa.float64(), mask=mask)


def as_strings(arr: pa.Array) -> pa.Array:
    if pa.types.is_string(arr.type):
        return arr
    if pa.types.is_timestamp(arr.type):
        return pc.strftime(arr, format="%Y-%m-%dT%H:%M:%S")
    return pc.cast(arr, pa.string())


def aggregate(rows: Rows, table: str) -> Rows:
    """Merge rows that agree on the table's key columns (see ``AGGREGATE``)."""
    if table not in AGGREGATE or rows.n == 0:
        return rows
    keys, sums = AGGREGATE[table]
    cols = []
    for k in keys:
        c = rows.cols[k]
        v = c.values.astype(np.int64)
        cols.append(v if c.valid is None else np.where(c.valid, v, -(2**62)))
    order = np.lexsort(cols[::-1])
    sorted_cols = [c[order] for c in cols]
    new = np.ones(rows.n, dtype=bool)
    new[1:] = np.any([np.diff(c) != 0 for c in sorted_cols], axis=0)
    if new.all():
        return rows.take(order)
    group = np.cumsum(new) - 1
    first = order[new]
    out = rows.take(first)
    for s in sums:
        c = rows.cols[s]
        total = np.bincount(group, weights=c.values[order].astype(np.float64))
        out.cols[s] = Col(
            np.round(total, 2).astype(c.values.dtype), c.kind, c.vocab, None, c.prefix
        )
    return out


def to_table(rows: Rows, table: str, pids: pa.Array, strings: bool) -> pa.Table:
    spec = TABLES[table]
    arrays = []
    fields = []
    for column in spec.columns:
        arr = _arrow(rows.cols[column.name], pids)
        target = ARROW_TYPES[column.type]
        if strings:
            arr, target = as_strings(arr), pa.string()
        arrays.append(arr.cast(target) if arr.type != target else arr)
        fields.append(pa.field(column.name, target))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


class ExtractWriter:
    """Writes each table as parquet parts (``<table>/part-NNNNN.parquet``) or one CSV file."""

    def __init__(self, out_dir: Path, file_format: Literal["parquet", "csv"]) -> None:
        self.out_dir = out_dir
        self.file_format = file_format
        self.rows: dict[str, int] = dict.fromkeys(TABLES, 0)
        self.parts: dict[str, int] = dict.fromkeys(TABLES, 0)
        self._csv: dict[str, pacsv.CSVWriter] = {}

    def write(self, table: str, data: pa.Table) -> tuple[str, int]:
        """Write ``data``; return (file relative to out_dir, row number of its first row)."""
        if self.file_format == "csv":
            rel = f"{table}.csv"
            first = self.rows[table] + 1
            if table not in self._csv:
                self._csv[table] = pacsv.CSVWriter(self.out_dir / rel, data.schema)
            self._csv[table].write_table(data)
        else:
            rel = f"{table}/part-{self.parts[table]:05d}.parquet"
            (self.out_dir / table).mkdir(parents=True, exist_ok=True)
            pq.write_table(data, self.out_dir / rel)
            self.parts[table] += 1
            first = 1
        self.rows[table] += data.num_rows
        return rel, first

    def close(self) -> None:
        for w in self._csv.values():
            w.close()
        self._csv.clear()

    def append_line(self, table: str, line: str) -> tuple[str, int]:
        """Append a raw line to a closed CSV file; return (file, its data-row number)."""
        rel = f"{table}.csv"
        with (self.out_dir / rel).open("a", encoding="utf-8", newline="") as f:
            f.write(line + "\n")
        self.rows[table] += 1
        return rel, self.rows[table]
