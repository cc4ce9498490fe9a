"""Benchmark ``broen panel build`` at Region Zealand scale, against two peers in the same run.

    .venv/bin/python benchmarks/panel.py                    # generate, import, build (~20 min)
    .venv/bin/python benchmarks/panel.py --extract DIR --warehouse FILE   # reuse them

Prints events per second, wall time and peak memory of a full build, and the ratios to

- the floor: a bare DuckDB ``GROUP BY person, month`` over the raw events (sum and count per
  person and month of the five event tables, stored as a table), on the same warehouse;
- a straightforward pandas implementation of the same panel (benchmarks/_panel_pandas.py), run
  on a range of ``--pandas-persons`` persons (the whole region does not fit in memory) next to
  Broen on the same range, ``--repeats`` runs each, alternating, median shown; its cells are
  checked against Broen's before the ratio is printed;
- an incremental build after a batch that touches 1 % of the persons.

Two further figures show where the time goes (they are not targets): the store floor, copying
the finished panel into a new warehouse table (``CREATE TABLE ... AS SELECT * FROM panel``, no
computation), and the pandas peer with its panel stored in the warehouse as Broen's is.

Each measured step also prints its CPU seconds, user and system. System time is mostly the
kernel handing the process fresh memory: on a virtual machine that returns freed memory to its
host, that can cost more than the computing, and it falls unevenly (pandas allocates far more
than DuckDB). The benchmark warns when system time exceeds a quarter of a step's CPU time: the
ratios of such a run describe the machine's memory more than the code.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from _panel_pandas import pandas_panel

from broen.analytics import connect, import_extract
from broen.analytics._municipalities import municipalities_in_region
from broen.analytics.panel import PANEL_COLUMNS, build_panel, load_payers
from broen.analytics.panel._build import _batches
from broen.analytics.panel._columns import create_stored_sql
from broen.analytics.panel._engines import Job, number_persons, person_chunks, run_duckdb
from broen.analytics.panel._view import view_sql
from broen.analytics.synth import generate_extract

EVENTS = ("hospital_contacts", "primary_care", "prescriptions", "municipal_services", "transfers")
FLOOR = """
CREATE OR REPLACE TEMP TABLE floor AS
SELECT person_id, month, sum(amount) AS amount, count(*) AS events FROM (
    SELECT person_id, year("start") * 12 + month("start") AS month, cost_dkk AS amount
    FROM hospital_contacts
    UNION ALL SELECT person_id, year(date) * 12 + month(date), fee_dkk FROM primary_care
    UNION ALL SELECT person_id, year(dispensing_date) * 12 + month(dispensing_date), cost_dkk
    FROM prescriptions
    UNION ALL SELECT person_id, year(start_date) * 12 + month(start_date), cost_dkk
    FROM municipal_services
    UNION ALL SELECT person_id, CAST(week[:4] AS INTEGER) * 12 + CAST(week[7:8] AS INTEGER) // 5,
    amount_dkk FROM transfers
) GROUP BY person_id, month
"""


class Clock:
    """Wall, user CPU and system CPU seconds of a ``with`` block (all threads of the process)."""

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), os.times()
        return self

    def __exit__(self, *exc: object) -> None:
        cpu = os.times()
        self.wall = time.perf_counter() - self._wall
        self.user = cpu.user - self._cpu.user
        self.system = cpu.system - self._cpu.system

    def __str__(self) -> str:
        return f"{self.wall:.1f} s wall, CPU {self.user:.1f} s user + {self.system:.1f} s system"

    @property
    def system_share(self) -> float:
        return self.system / max(self.user + self.system, 1e-9)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_update(warehouse: Path, out: Path, share: int) -> int:
    """An extract of a new source with 1/``share`` of the persons and all their rows (amounts
    changed): the batch of an incremental build."""
    out.mkdir(parents=True, exist_ok=True)
    factor = 1.0 + (time.time() % 1000) / 1e6  # a different extract each run
    with connect(warehouse) as con:
        period = con.execute("SELECT min(period_start), max(period_end) FROM batches").fetchall()
        (out / "extract.json").write_text(
            json.dumps(
                {
                    "period_start": str(period[0][0]),
                    "period_end": str(period[0][1]),
                    "source": "benchmark-update",
                }
            )
        )
        pick = f"hash(person_id) % {share} = 0"
        con.execute(
            f"COPY (SELECT * EXCLUDE (batch_id) FROM persons WHERE {pick}) "
            f"TO '{out}/persons.parquet' (FORMAT parquet)"
        )
        for name, money in (
            ("hospital_contacts", "cost_dkk"),
            ("primary_care", "fee_dkk"),
            ("prescriptions", "cost_dkk"),
            ("municipal_services", "cost_dkk"),
        ):
            extra = ", 'u' || contact_id AS contact_id" if name == "hospital_contacts" else ""
            exclude = "batch_id, contact_id" if extra else "batch_id"
            con.execute(
                f"COPY (SELECT * EXCLUDE ({exclude}, {money}), {money} * {factor} AS {money}"
                f"{extra} FROM {name} WHERE {pick}) TO '{out}/{name}.parquet' (FORMAT parquet)"
            )
        n = con.execute(f"SELECT count(DISTINCT person_id) FROM persons WHERE {pick}").fetchall()[
            0
        ][0]
    return int(n)


def broen_subset(
    con: duckdb.DuckDBPyConnection, job: Job, lo: str, hi: str
) -> tuple[Clock, pd.DataFrame]:
    """Broen's panel of the persons ``lo`` (included) to ``hi`` (excluded), computed and stored
    as a build does it, and the time that took."""
    con.execute("DROP TABLE IF EXISTS bench_subset")
    con.execute(create_stored_sql("bench_subset"))
    # Broen numbers the persons it builds once per build; here those are the subset's.
    con.execute(
        "CREATE OR REPLACE TEMP VIEW bench_persons AS SELECT * FROM persons "
        f"WHERE person_id >= '{lo}' AND person_id < '{hi}'"
    )
    with Clock() as clock:
        number_persons(con, "bench_persons")
        run_duckdb(con, job, "bench_subset", lo, hi)
    con.execute(view_sql(job.payers, "bench_subset", "bench_subset_view", temporary=True))
    frame = con.execute("SELECT * FROM bench_subset_view").df()
    con.execute("DROP VIEW bench_subset_view")
    con.execute("DROP TABLE bench_subset")
    return clock, frame


def compare(ours: pd.DataFrame, theirs: pd.DataFrame) -> int:
    """Cells that differ between two panel DataFrames (money within 1e-9 relative)."""
    a = ours.sort_values(["person_id", "month"]).reset_index(drop=True)
    b = theirs.sort_values(["person_id", "month"]).reset_index(drop=True)
    if len(a) != len(b) or not (a["person_id"].to_numpy() == b["person_id"].to_numpy()).all():
        return max(len(a), len(b))
    bad = 0
    for c in PANEL_COLUMNS[2:]:
        x, y = a[c].to_numpy(dtype=float), b[c].to_numpy(dtype=float)
        bad += int((~np.isclose(x, y, rtol=1e-9, atol=1e-6)).sum())
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", type=Path, help="a generated Region Zealand extract")
    parser.add_argument("--warehouse", type=Path, help="a warehouse with that extract imported")
    parser.add_argument("--pandas-persons", type=int, default=50_000)
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of each peer on the subset (median shown)"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="broen-panel-bench-"))
    extract = args.extract or tmp / "extract"
    warehouse = args.warehouse or tmp / "warehouse.duckdb"
    if args.extract is None:
        t0 = time.perf_counter()
        generate_extract(extract, municipalities=municipalities_in_region(85))
        print(f"generated the Region Zealand extract in {time.perf_counter() - t0:.0f} s")
    if args.warehouse is None:
        t0 = time.perf_counter()
        import_extract(extract, warehouse=warehouse)
        print(f"imported it in {time.perf_counter() - t0:.0f} s")

    with connect(warehouse) as con:
        events = sum(int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for t in EVENTS)
        persons = int(con.execute("SELECT count(DISTINCT person_id) FROM persons").fetchall()[0][0])
        # Twice: the first run also reads the warehouse into the page cache (which the build
        # after it then finds there); the second counts.
        for _ in range(2):
            with Clock() as floor_clock:
                con.execute(FLOOR)
            con.execute("DROP TABLE floor")
    floor = floor_clock.wall

    with Clock() as full_clock:
        report = build_panel(warehouse, full=True)
    full = full_clock.wall
    full_peak = peak_mb()

    n_update = write_update(warehouse, tmp / "update", share=100)
    import_extract(tmp / "update", warehouse=warehouse)
    with Clock() as inc_clock:
        incremental = build_panel(warehouse)
    inc = inc_clock.wall
    assert incremental.mode == "incremental", incremental.reason

    payers = load_payers()
    ours_clocks: list[Clock] = []
    pandas_clocks: list[Clock] = []
    with connect(warehouse) as con:
        period, ranks = _batches(con, warehouse)
        lo, hi = person_chunks(con, args.pandas_persons)[1]
        assert lo is not None and hi is not None
        job = Job(period, ranks, payers)
        # Alternating runs, so that a slow spell of the machine hits both peers alike.
        theirs_df: pd.DataFrame | None = None
        for _ in range(args.repeats):
            clock, ours_df = broen_subset(con, job, lo, hi)
            ours_clocks.append(clock)
            theirs_df = None  # free the previous run's frame before the next
            gc.collect()
            with Clock() as clock:
                theirs_df = pandas_panel(con, lo, hi, period.start, period.end, payers)
            pandas_clocks.append(clock)
        with Clock() as store_clock:
            con.execute("CREATE TABLE bench_pandas AS SELECT * FROM theirs_df")
            con.execute("CHECKPOINT")
        pandas_store = store_clock.wall
        con.execute("DROP TABLE bench_pandas")
    assert theirs_df is not None, "--repeats must be at least 1"
    ours_times = [c.wall for c in ours_clocks]
    pandas_times = [c.wall for c in pandas_clocks]
    ours_subset, pandas_subset = statistics.median(ours_times), statistics.median(pandas_times)
    differing = compare(ours_df, theirs_df)

    # Last, so that its large write and drop cannot slow the builds measured above.
    with connect(warehouse) as con:
        with Clock() as copy_clock:
            con.execute("CREATE TABLE bench_copy AS SELECT * FROM panel")
            con.execute("CHECKPOINT")
        store_floor = copy_clock.wall
        con.execute("DROP TABLE bench_copy")
        con.execute("CHECKPOINT")

    print(f"persons {persons:,}, events {events:,}, months {report.months}")
    print(f"panel: {report.rows_written:,} person-months x {len(PANEL_COLUMNS)} columns")
    print(f"full build:        {full:7.1f} s  {events / full:12,.0f} events/s")
    print(f"peak memory of the process during the full build: {full_peak:,.0f} MB")
    print(f"floor (DuckDB GROUP BY person, month over the raw events, 2nd run): {floor:7.1f} s")
    print(f"ratio full build / floor: {full / floor:.2f}  (target <= 2)")
    print(
        f"store floor (copying the finished panel into a new table): {store_floor:7.1f} s; "
        f"full build / (floor + store floor): {full / (floor + store_floor):.2f}"
    )
    print(
        f"incremental build after a batch touching {n_update:,} persons "
        f"({n_update / persons:.1%}): {inc:.1f} s; full / incremental: {full / inc:.1f}"
        "  (target >= 20)"
    )
    print(
        f"subset {lo}..{hi} ({len(ours_df):,} person-months), median of {args.repeats} runs "
        f"each: Broen {ours_subset:.1f} s, pandas {pandas_subset:.1f} s, pandas / Broen: "
        f"{pandas_subset / ours_subset:.1f}  (target >= 10); cells that differ: {differing}"
    )
    print(
        "  runs: Broen "
        + ", ".join(f"{t:.1f}" for t in ours_times)
        + " s; pandas "
        + ", ".join(f"{t:.1f}" for t in pandas_times)
        + " s"
    )
    print(
        f"pandas storing its panel in the warehouse: {pandas_store:.1f} s more; "
        f"(pandas + store) / Broen: {(pandas_subset + pandas_store) / ours_subset:.1f}"
    )
    print(
        f"pandas extrapolated to the region: "
        f"{pandas_subset * report.rows_written / max(len(theirs_df), 1):,.0f} s"
    )
    print(f"peak memory of the process overall: {peak_mb():,.0f} MB")
    steps = {
        "floor (second run)": floor_clock,
        "full build": full_clock,
        "incremental build": inc_clock,
        **{f"Broen subset, run {i + 1}": c for i, c in enumerate(ours_clocks)},
        **{f"pandas subset, run {i + 1}": c for i, c in enumerate(pandas_clocks)},
    }
    print("CPU time per step:")
    for name, clock in steps.items():
        print(f"  {name}: {clock} ({clock.system_share:.0%} system)")
    heavy = [name for name, clock in steps.items() if clock.system_share > 0.25]
    if heavy:
        print(
            "WARNING: system time is over a quarter of the CPU time in: "
            + ", ".join(heavy)
            + ". The kernel spent it handing out memory; the ratios of this run describe the "
            "machine's memory more than the code."
        )


if __name__ == "__main__":
    main()
