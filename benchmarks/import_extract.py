"""Benchmark: `broen import` against a bare DuckDB load of the same files.

The peer, measured in the same run on the same files, copies every file into a fresh DuckDB
database with no validation at all (``read_parquet``, or ``read_csv`` with every column as text):
the floor an importer cannot beat. The ratio says what validating every row, quarantining and
reconciling costs on top of it. With ``--format csv`` it also shows what Broen's strict CSV
grammar costs: the file is read by pyarrow, after a strict pass when it holds quotes.

    .venv/bin/python benchmarks/import_extract.py --persons 100000 [--format csv]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from broen.analytics import TABLES, import_extract
from broen.analytics.synth import generate_extract


def bare_load(extract: Path, database: Path) -> int:
    rows = 0
    with duckdb.connect(str(database)) as con:
        for name in TABLES:
            csv = extract / f"{name}.csv"
            files = sorted(extract.glob(f"{name}/part-*.parquet")) or sorted(
                extract.glob(f"{name}.parquet")
            )
            if csv.exists():
                reader = f"read_csv('{csv}', all_varchar = true, header = true)"
            elif files:
                reader = "read_parquet([" + ", ".join(f"'{f}'" for f in files) + "])"
            else:
                continue
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM {reader}')
            (n,) = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()  # type: ignore[misc]
            rows += int(n)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        extract = root / "extract"
        t0 = time.perf_counter()
        generate_extract(extract, persons=args.persons, seed=args.seed, file_format=args.format)
        print(f"generated {args.persons:,} persons in {time.perf_counter() - t0:.1f} s")

        t0 = time.perf_counter()
        floor_rows = bare_load(extract, root / "bare.duckdb")
        floor = time.perf_counter() - t0

        t0 = time.perf_counter()
        report = import_extract(extract, warehouse=root / "w.duckdb")
        ours = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    assert report.rows_read == floor_rows, (report.rows_read, floor_rows)
    print(f"rows: {report.rows_read:,} read, {report.rows_accepted:,} accepted, "
          f"{report.rows_rejected:,} rejected, reconciles: {report.reconciles}")  # fmt: skip
    print(f"broen import:      {ours:7.1f} s  {report.rows_read / ours:12,.0f} rows/s")
    print(f"bare DuckDB load:  {floor:7.1f} s  {floor_rows / floor:12,.0f} rows/s (peer)")
    print(f"ratio import / bare load: {ours / floor:.2f}")
    print(f"peak memory of the process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
