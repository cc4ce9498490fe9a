"""Benchmark ``broen synth``: wall time, throughput and peak memory, against a pyarrow floor.

    .venv/bin/python benchmarks/synth.py --persons 100000
    .venv/bin/python benchmarks/synth.py --region-zealand     # 17 municipalities, ~840,000

The floor writes the same number of rows per table, with random columns of the same schema, to
parquet with pyarrow in the same process: the cost of writing the output alone.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from broen.analytics._contract import TABLES
from broen.analytics._municipalities import municipalities_in_region
from broen.analytics.synth import generate_extract
from broen.analytics.synth._writer import ARROW_TYPES

FLOOR_BATCH = 1_000_000


def _random_column(rng: np.random.Generator, kind: str, n: int) -> pa.Array:
    if kind in ("string", "week"):
        codes = pa.array([f"v{i:08d}" for i in range(1000)])
        return codes.take(pa.array(rng.integers(0, 1000, n)))
    if kind == "integer":
        return pa.array(rng.integers(0, 1000, n))
    if kind == "number":
        return pa.array(np.round(rng.random(n) * 1000, 2))
    if kind == "date":
        return pa.array(rng.integers(16000, 20000, n).astype("datetime64[D]"), pa.date32())
    if kind == "datetime":
        secs = rng.integers(16000 * 86400, 20000 * 86400, n).astype("datetime64[s]")
        return pa.array(secs, pa.timestamp("s"))
    return pa.array(rng.random(n) < 0.5)


def write_floor(out_dir: Path, counts: dict[str, int]) -> float:
    """Seconds pyarrow needs to write ``counts`` random rows per table as parquet parts."""
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for name, total in counts.items():
        table = TABLES[name]
        (out_dir / name).mkdir(parents=True, exist_ok=True)
        for part, start in enumerate(range(0, total, FLOOR_BATCH)):
            n = min(FLOOR_BATCH, total - start)
            arrays = [_random_column(rng, c.type, n) for c in table.columns]
            schema = pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns])
            pq.write_table(
                pa.Table.from_arrays(arrays, schema=schema),
                out_dir / name / f"part-{part:05d}.parquet",
            )
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument(
        "--region-zealand",
        action="store_true",
        help="all 17 municipalities of Region Zealand at their real population",
    )
    parser.add_argument("--chunk-persons", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    municipalities = municipalities_in_region(85) if args.region_zealand else [360, 376]
    persons = None if args.region_zealand else args.persons
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = generate_extract(
            Path(tmp) / "extract",
            persons=persons,
            municipalities=municipalities,
            seed=args.seed,
            chunk_persons=args.chunk_persons,
        )
        wall = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        floor = write_floor(Path(tmp) / "floor", {k: v for k, v in result.counts.items() if v})
    rows = sum(result.counts.values())
    n_persons = result.counts["persons"]
    print(f"municipalities      {', '.join(map(str, municipalities))}")
    print(f"persons (incl. births) {n_persons:,}")
    print(f"wall time           {wall:,.1f} s")
    print(f"persons/s           {n_persons / wall:,.0f}")
    print(f"rows/s              {rows / wall:,.0f}")
    print(f"peak memory (RSS)   {peak_mb:,.0f} MB")
    print("rows per table:")
    for name, count in result.counts.items():
        print(f"  {name:<24} {count:>14,}")
    print(f"  {'total':<24} {rows:>14,}")
    print(f"pyarrow floor       {floor:,.1f} s (same rows, random columns, parquet)")
    print(f"ratio ours/floor    {wall / floor:,.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
