"""Interval coverage of `broen evaluate` against the simulated truth, over many seeds.

For each seed: generate a synthetic extract (contract v1) with known programme effects, import it,
build the panel, evaluate each programme with its shipped config, and compare the months 0-23
estimate of every key outcome with the true effect on the treated in ``ground_truth.json``.
Prints, per programme and outcome, how often the 95 % interval covered the truth, the mean
estimate, the mean truth and the mean naive before/after (what regression to the mean does to a
reading without controls). Not a timing benchmark: it lives here because it is slow (minutes per
seed) and is run by hand; its output goes in docs/evaluation.md and the issue's closing note.

    python benchmarks/coverage.py --seeds 20                # the 20-seed check (about 2 hours)
    python benchmarks/coverage.py --seeds 2 --persons 30000 # a quick look

The truth is the mean over the participants whose months 0..23 lie inside the period; the
engine's estimand is the mean over the matched participants. Both are effects on the treated;
where few participants are matched the two can differ, and the table shows the share matched.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from broen.analytics import import_extract
from broen.analytics.evaluation import evaluate
from broen.analytics.panel import build_panel
from broen.analytics.synth import generate_extract

PROGRAMMES = ("et-liv-i-balance", "sammen-om-min-vej")
KEY_METRICS = (
    "cost_hospital_acute",
    "acute_admissions",
    "bed_days",
    "weeks_self_supporting",
)
WINDOW = (0, 23)


@dataclass(frozen=True)
class Row:
    seed: int
    programme: str
    metric: str
    truth: float
    estimate: float
    ci_low: float
    ci_high: float
    naive: float
    n_matched: int
    n_analysable: int

    @property
    def covered(self) -> bool:
        return bool(self.ci_low <= self.truth <= self.ci_high)


def run_seed(seed: int, persons: int | None, workdir: Path) -> list[Row]:
    extract = workdir / "extract"
    warehouse = workdir / "warehouse.duckdb"
    generate_extract(extract, persons=persons, seed=seed, overwrite=True)
    import_extract(extract, warehouse=warehouse)
    build_panel(warehouse)
    truth = json.loads((extract / "ground_truth.json").read_text())["programmes"]
    rows: list[Row] = []
    for programme in PROGRAMMES:
        result = evaluate(programme, warehouse=warehouse)
        n_matched = int(result.design.units["treated"].sum())
        for metric in KEY_METRICS:
            effect = result.effects[metric]
            estimate = effect.did.windows[WINDOW]
            rows.append(
                Row(
                    seed=seed,
                    programme=programme,
                    metric=metric,
                    truth=float(truth[programme]["metrics"][metric]["att_total_0_23"]),
                    estimate=estimate.value,
                    ci_low=estimate.ci_low,
                    ci_high=estimate.ci_high,
                    naive=effect.naive.value,
                    n_matched=n_matched,
                    n_analysable=len(result.design.participants),
                )
            )
    return rows


def summary(rows: list[Row]) -> str:
    lines = [
        f"{'programme':18} {'metric':22} {'covered':>9} {'truth':>10} {'estimate':>10} "
        f"{'naive':>10} {'|bias| est':>10} {'|bias| naive':>12} {'matched':>8}"
    ]
    for programme in PROGRAMMES:
        for metric in KEY_METRICS:
            sel = [r for r in rows if r.programme == programme and r.metric == metric]
            if not sel:
                continue
            truth = np.mean([r.truth for r in sel])
            est = np.mean([r.estimate for r in sel])
            naive = np.mean([r.naive for r in sel])
            bias_est = np.mean([abs(r.estimate - r.truth) for r in sel])
            bias_naive = np.mean([abs(r.naive - r.truth) for r in sel])
            matched = np.mean([r.n_matched / max(r.n_analysable, 1) for r in sel])
            covered = sum(r.covered for r in sel)
            lines.append(
                f"{programme:18} {metric:22} {covered:>3}/{len(sel):<2} {covered / len(sel):>4.0%}"
                f" {truth:>10,.1f} {est:>10,.1f} {naive:>10,.1f} {bias_est:>10,.1f}"
                f" {bias_naive:>12,.1f} {matched:>8.0%}"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument(
        "--persons", type=int, default=None, help="default: the real population (~108,000)"
    )
    parser.add_argument("--json", type=Path, help="write every seed's rows to this file")
    args = parser.parse_args()
    rows: list[Row] = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="broen-coverage-") as tmp:
            rows += run_seed(seed, args.persons, Path(tmp))
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"seed {seed}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        if args.json:
            args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=1))
        print(summary([r for r in rows if r.seed == seed]), file=sys.stderr, flush=True)
    print(f"Coverage of the 95 % intervals, months 0-23, {args.seeds} seeds")
    print(summary(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
