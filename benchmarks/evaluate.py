"""Benchmark a full ``broen evaluate`` of a 400-participant programme on the Lolland +
Guldborgsund population (about 108,000 persons, 2016-2024), against a peer in the same run.

    .venv/bin/python benchmarks/evaluate.py                       # generate, import, build (~6 min)
    .venv/bin/python benchmarks/evaluate.py --workdir DIR         # keep the warehouse, reuse it

The population is the synthetic one with Sammen om min vej's referral rates scaled by ``--reach``
(1.6 gives about 400 participants with a start date). The target is under 60 s for the
evaluation (matching, outcomes, bootstrap, event study, subgroups, effects.json and the report).

The peer is the step an analyst runs just before, on the same warehouse: ``broen panel build``
(full rebuild). The ratio evaluate / panel build says what an evaluation costs next to a panel,
independently of the machine. Each stage's wall time (from the engine's progress messages) and
the peak memory are printed too.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from broen.analytics import import_extract, warehouse_info
from broen.analytics.evaluation import evaluate_programme
from broen.analytics.panel import build_panel
from broen.analytics.synth import ProgrammeEffects, generate_extract

PROGRAMME = "sammen-om-min-vej"
TARGET_SECONDS = 60.0


def prepare(workdir: Path, reach: float, seed: int) -> Path:
    """Extract, import and panel, unless ``workdir`` holds them from an earlier run."""
    warehouse = workdir / "warehouse.duckdb"
    if warehouse.exists():
        print(f"reusing {warehouse}")
        return warehouse
    started = time.perf_counter()
    effects = ProgrammeEffects().with_reach(reach)
    generate_extract(workdir / "extract", seed=seed, effects=effects, overwrite=True)
    import_extract(workdir / "extract", warehouse=warehouse)
    print(f"extract and import: {time.perf_counter() - started:.0f} s")
    return warehouse


def timed_evaluation(warehouse: Path, out: Path) -> tuple[float, dict[str, float], dict[str, int]]:
    stages: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def progress(stage: str) -> None:
        now = time.perf_counter()
        if last[1]:
            stages[str(last[1])] = now - float(last[0])
        last[0], last[1] = now, stage

    started = time.perf_counter()
    output = evaluate_programme(PROGRAMME, out_dir=out, warehouse=warehouse, progress=progress)
    total = time.perf_counter() - started
    stages[str(last[1]) + " and writing"] = time.perf_counter() - float(last[0])
    flow = {step.key: step.n for step in output.evaluation.design.flow}
    return total, stages, flow


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, help="keep (or reuse) extract and warehouse here")
    parser.add_argument("--reach", type=float, default=1.6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="broen-bench-evaluate-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        warehouse = prepare(workdir, args.reach, args.seed)
        info = warehouse_info(warehouse)
        started = time.perf_counter()
        build_panel(warehouse, full=True)
        panel_seconds = time.perf_counter() - started
        total, stages, flow = timed_evaluation(warehouse, Path(tmp) / "evaluation")
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    persons = info.table_rows.get("persons", 0)
    print(f"\nbroen evaluate --programme {PROGRAMME} (reach {args.reach}, seed {args.seed})")
    if persons:
        print(f"  population:            {persons:,} persons")
    print(
        f"  participants:          {flow.get('started', 0):,} started, "
        f"{flow.get('resident_with_full_lookback', 0):,} with the look-back, "
        f"{flow.get('matched', 0):,} matched"
    )
    for stage, seconds in stages.items():
        print(f"  {stage:22} {seconds:6.1f} s")
    verdict = "meets" if total < TARGET_SECONDS else "MISSES"
    print(
        f"  evaluate, total:       {total:6.1f} s  ({verdict} the target, {TARGET_SECONDS:.0f} s)"
    )
    print(f"  peer, panel build:     {panel_seconds:6.1f} s")
    print(f"  ratio evaluate/panel:  {total / panel_seconds:6.2f}")
    print(f"  peak memory:           {peak_gb:6.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
