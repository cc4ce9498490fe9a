"""Time the population-sized step of an evaluation: candidates, their moments, a sample, scores.

    .venv/bin/python benchmarks/_candidates_scale.py --warehouse W.duckdb [--months 60]
        [--programme et-liv-i-balance] [--sample 20000] [--threads 2] [--memory 6GB]
        [--target DEFINITION]

On a warehouse with a built panel (e.g. ``broen synth --persons 100000``, ``broen import``,
``broen panel build``), for the ``--months`` index months from the period start + 24 months:
``candidate_features`` (lazy, in ranges of ``--persons-per-range`` persons, then each step
below runs them one after the other), ``summarise`` of every covariate,
``sample_keys`` of ``candidate_keys`` (the same rows, no covariates) and ``participant_features``
of the sample (what a propensity fit needs), and ``score`` with made-up coefficients collected as
(person_id, index_month, strata, logit), which is what the matching takes. Prints wall and CPU
seconds and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parents[1]))

from broen.analytics.cohort import DuckDBSource, find_definition
from broen.analytics.evaluation._candidates import (
    candidate_features,
    candidate_keys,
    participant_features,
    person_ranges,
)
from broen.analytics.evaluation._covariates import (
    CovariateSpec,
    covariate_columns,
    stratum_columns,
)
from broen.analytics.evaluation._population import (
    collect,
    sample_keys,
    score,
    summarise,
    target_group,
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _step(name: str, work: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), _cpu()
    result = work()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(
        f"{name:44s} {time.perf_counter() - wall:7.1f} s wall {_cpu() - cpu:7.1f} s cpu "
        f"(peak {peak:.1f} GB)",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--programme", default="et-liv-i-balance")
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory", default="6GB", help="DuckDB memory_limit (Broen's default)")
    parser.add_argument("--target", default=None, help="a cohort definition as target group")
    parser.add_argument(
        "--persons-per-range", type=int, default=100_000, help="0: one frame for all persons"
    )
    args = parser.parse_args()

    con = duckdb.connect(str(args.warehouse), read_only=True)
    con.execute(f"SET threads = {args.threads}")
    con.execute(f"SET memory_limit = '{args.memory}'")
    source = DuckDBSource(con)
    start = source.period()[0]
    assert start is not None, "the warehouse has no extract period"
    first = start.year * 12 + start.month - 1 + 24
    months = [date((first + i) // 12, (first + i) % 12 + 1, 1) for i in range(args.months)]
    print(f"{args.warehouse}: index months {months[0]:%Y-%m} .. {months[-1]:%Y-%m}")
    spec = CovariateSpec()
    columns = list(covariate_columns(spec))

    target = None
    if args.target:
        definition = find_definition(args.target)
        target = _step("target_group", lambda: target_group(source, definition, months))
    ranges = person_ranges(source, args.persons_per_range) if args.persons_per_range else None
    frames = _step(
        f"candidate_features (plan, lane widths) x {len(ranges or [0])}",
        lambda: [
            candidate_features(source, months, spec, args.programme, target=target, persons=r)
            for r in (ranges or [(None, None)])
        ],
    )
    moments = _step(f"summarise ({len(columns)} covariates)", lambda: summarise(frames, columns))
    rows = moments[columns[0]][0]
    print(f"  {rows:,} candidate rows")
    cheap = candidate_keys(source, months, spec, args.programme, target=target)
    keys = _step(
        f"sample_keys of candidate_keys ({args.sample:,})",
        lambda: sample_keys(source, cheap, args.sample, 1),
    )
    units = keys.append_column("unit_id", pa.array(np.arange(keys.num_rows)))
    sample = _step(
        "participant_features of the sample, collected",
        lambda: collect(participant_features(source, units, spec), ["unit_id", *columns]),
    )
    print(f"  {sample.num_rows:,} sampled rows")
    rng = np.random.default_rng(0)
    coefficients = {c: float(rng.normal(0, 0.1)) for c in columns}
    means = {c: moments[c][1] for c in columns}
    scales = {c: float(np.sqrt(moments[c][2])) for c in columns}
    keep = ["person_id", "index_month", *stratum_columns(spec), "logit"]
    scored = _step(
        "score + collect (keys, strata, logit)",
        lambda: collect([score(f, -5.0, coefficients, means, scales) for f in frames], keep),
    )
    print(f"  {scored.num_rows:,} scored rows, {scored.nbytes / 1e6:.0f} MB in Python")
    n = collect(cheap, ["person_id"]).num_rows
    assert n == rows == scored.num_rows


if __name__ == "__main__":
    main()
