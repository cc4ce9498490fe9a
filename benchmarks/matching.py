"""Benchmark risk-set matching at the scale of a region, against causalml and psmpy in the same
run.

    .venv/bin/python benchmarks/matching.py --quick      # a few minutes: 1/10 scale, 60 s peers
    .venv/bin/python benchmarks/matching.py              # 10,000 vs 840,000 x 60, 600 s peers
    .venv/bin/python benchmarks/matching.py --skip-peers # only the scale part
    make bench                                           # syncs the bench group, runs --quick

The peers come from the ``bench`` dependency group (``make bench`` syncs it; ``make test`` does
not need it).

**Scale** (the issue's target: 10,000 participants against 840,000 persons over 60 index
months, under 60 s and 8 GB). One child process runs the whole pipeline; each stage prints its
wall and CPU seconds and the peak RSS of the process during it (the kernel's high-water mark,
reset between stages through ``/proc/self/clear_refs``, so it counts numpy, scikit-learn and
everything else, and includes the arrays held from earlier stages):

1. *data* (not part of the target): a simulated population, with a fixed seed. Persons have a
   sex, a birth month, a municipality (two) and 28 person-level covariates built from 5 latent
   factors (so the covariates correlate), and 3 month-varying factors, each an AR(1) series over
   the months (rho 0.9), loaded onto the 28 covariates: a person's covariates are correlated
   across covariates and across months. The covariates of person ``i`` in month ``m`` are
   ``(age, sex, F[i] + L @ g[m, i])``, 30 in all. They are never materialised for the 50.4 M
   person-months (that would be 12 GB): the data are ``F`` (840,000 x 28) and ``g`` (60 x 840,000
   x 3), and any row's covariates are computed from them when needed. Participants are
   person-months drawn with probability ``sigmoid(alpha + beta'x)`` (``alpha`` set for about
   10,000 persons; a person's first draw counts, then exactly 10,000 are kept), so they have a
   higher propensity with realistic overlap; their later months leave the risk set ("not yet a
   participant"). Every other person-month is a candidate: about 50.1 M rows. Exact strata:
   calendar month x sex x 5-year age band (10, from 18) x municipality = 2,400.
2. *(a) fit*: ``fit_propensity`` on the participants and 250,000 candidates sampled at random
   (their covariates computed), ``control_weight = n_candidates / 250,000``.
3. *(b) score*: the fitted model's logit of every candidate, as a linear expression of the
   person-level and month-level parts, with each candidate's stratum. This is what Python
   receives from the engine, which scores the candidates where they are (``score`` in
   ``_population.py``; ``benchmarks/_candidates_scale.py`` times that on a warehouse): the time
   here is numpy's, not the engine's.
4. *(c) match*: ``match(..., ratio=5, caliper=0.2 * sd(logit))`` (sd over participants and
   candidates), then the invariants are checked: each candidate used once, at most 5 per
   participant, strata equal, each distance equal to the logits' difference and within the
   caliper.
5. *(d) match, the shipped design*: ``match_on_features(..., ratio=5, caliper=1.0 * sd)``,
   nearest on 28 features (standing for the pre-index trajectory) among each participant's
   50 nearest candidates on either side of its logit. The stage includes finding that pool
   (``matching_pool``) and computing the pool's features, as the evaluation fetches them from
   the engine for the pool only. The same invariants are checked.

**Peers**, each in a child process with a time limit (``--peer-timeout``) and an address-space
limit (``--peer-memory``), on the logits of the scale run (every matcher gets the same scores and
the same absolute caliper; see ``benchmarks/_matching_peers.py`` for how each is called):

- *one stratum*: ``n`` participants and ``30 n`` candidates drawn from the scale run's, without
  strata (the plain nearest-neighbour problem, where a peer's cost grows with
  treated x candidates);
- *strata*: the participants and candidates of ``1/k`` of the persons (``person % k == 0``) with
  their 2,400 exact strata, up to the whole scale problem.

causalml runs at ratio 1 and 5, psmpy at ratio 1 (it has no caliper at 1:n). Broen runs in the
parent on the same arrays (median of three runs when a run takes under 5 s). For each size the
benchmark prints the times and the ratio peer / Broen, and the quality of the matches: share of
participants matched, number of controls, mean |logit distance|, and whether the pairs keep the
invariants. A series stops at the first size a peer does not finish within the limit; a size
that the previous one shows cannot finish (its time times the growth in participants, a lower
bound for a loop over participants, exceeds the limit) is skipped and said so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).parent))

from broen.analytics.evaluation import fit_propensity, match
from broen.analytics.evaluation._config import Matching
from broen.analytics.evaluation._matching_features import match_on_features, matching_pool

RHO = 0.9  # month-to-month autocorrelation of the month-varying factors
N_PERSON_FACTORS, N_MONTH_FACTORS, N_OTHER = 5, 3, 28
COLUMNS = ("age", "sex", *(f"x{j:02d}" for j in range(N_OTHER)))
AGE_BANDS, MUNICIPALITIES = 10, 2
SAMPLE = 250_000
CALIPER_SD = 0.2
TRAJECTORY_CALIPER_SD = Matching().caliper_sd  # the shipped design: 1.0


# --- memory and time ------------------------------------------------------------------------


def _hwm_mb() -> float:
    """Peak RSS of this process since the last reset (VmHWM), in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_hwm() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


@dataclass
class Stage:
    name: str
    wall: float = 0.0
    cpu: float = 0.0
    peak_mb: float = 0.0


class Stages:
    """Times each ``with stages.run(name):`` block and the peak RSS reached inside it."""

    def __init__(self) -> None:
        self.done: list[Stage] = []

    def run(self, name: str) -> _StageClock:
        return _StageClock(self, name)


class _StageClock:
    def __init__(self, stages: Stages, name: str) -> None:
        self.stages, self.stage = stages, Stage(name)

    def __enter__(self) -> Stage:
        _reset_hwm()
        t = os.times()
        self._wall, self._cpu = time.perf_counter(), t.user + t.system
        return self.stage

    def __exit__(self, *exc: object) -> None:
        t = os.times()
        self.stage.wall = time.perf_counter() - self._wall
        self.stage.cpu = t.user + t.system - self._cpu
        self.stage.peak_mb = _hwm_mb()
        self.stages.done.append(self.stage)
        print(
            f"  {self.stage.name:34s} {self.stage.wall:8.2f} s wall {self.stage.cpu:8.2f} s cpu"
            f"  peak RSS {self.stage.peak_mb / 1024:6.2f} GB",
            flush=True,
        )


# --- the simulated population ---------------------------------------------------------------


@dataclass
class Population:
    """Persons and their months; covariates of any (person, month) computed on demand."""

    months: int
    sex: npt.NDArray[np.int8]
    municipality: npt.NDArray[np.int8]
    age0: npt.NDArray[np.int16]  # age in months at the first index month
    person_part: npt.NDArray[np.float32]  # F: persons x 28
    loadings: npt.NDArray[np.float32]  # L: 28 x 3
    g: npt.NDArray[np.float32]  # month factors: months x persons x 3
    inclusion: npt.NDArray[np.int16]  # a participant's index month, ``months`` for the others
    participants: npt.NDArray[np.int64]  # person indices of the participants

    @property
    def persons(self) -> int:
        return int(self.sex.size)

    def stratum(self, person: npt.NDArray[Any], month: npt.NDArray[Any] | int) -> Any:
        age = (self.age0[person].astype(np.int64) + month) // 12
        band = np.clip((age - 18) // 5, 0, AGE_BANDS - 1)
        sex = self.sex[person].astype(np.int64)
        return ((np.asarray(month, np.int64) * 2 + sex) * AGE_BANDS + band) * MUNICIPALITIES + (
            self.municipality[person]
        )

    def covariates(self, person: npt.NDArray[np.int64], month: npt.NDArray[np.int64]) -> Any:
        age = (self.age0[person] + month) / 12.0
        other = self.person_part[person] + self.g[month, person] @ self.loadings.T
        return np.column_stack([age, self.sex[person], other]).astype(np.float64)

    def candidates_per_month(self) -> npt.NDArray[np.int64]:
        included = np.bincount(self.inclusion[self.participants], minlength=self.months)
        return self.persons - np.cumsum(included)

    def candidate_rows(self, flat: npt.NDArray[np.int64]) -> tuple[Any, Any]:
        """(person, month) of candidates numbered month by month, persons in order."""
        counts = self.candidates_per_month()
        offsets = np.concatenate([[0], np.cumsum(counts)])
        month = np.searchsorted(offsets, flat, side="right") - 1
        person = np.empty(flat.size, np.int64)
        for m in np.unique(month):
            at = month == m
            person[at] = np.flatnonzero(self.inclusion > m)[flat[at] - offsets[m]]
        return person, month


def simulate(persons: int, months: int, participants: int, seed: int) -> Population:
    rng = np.random.default_rng(seed)
    sex = rng.integers(0, 2, persons).astype(np.int8)
    municipality = (rng.random(persons) < 0.4).astype(np.int8)
    age0 = rng.integers(18 * 12, 68 * 12, persons).astype(np.int16)
    factors = rng.standard_normal((persons, N_PERSON_FACTORS), dtype=np.float32)
    a = rng.normal(0.0, 0.6, (N_OTHER, N_PERSON_FACTORS)).astype(np.float32)
    person_part = factors @ a.T
    person_part += 0.7 * rng.standard_normal((persons, N_OTHER), dtype=np.float32)
    del factors
    loadings = rng.normal(0.0, 0.5, (N_OTHER, N_MONTH_FACTORS)).astype(np.float32)
    # The true propensity: older, men, and a few covariates (both levels and recent changes).
    beta = rng.normal(0.0, 0.08, N_OTHER)
    beta[:4] = [0.35, 0.3, -0.25, 0.2]
    b_age, b_sex = 0.03, 0.25
    base = (person_part @ beta.astype(np.float32)).astype(np.float64) + b_sex * sex
    v = loadings.T @ beta.astype(np.float32)

    g = np.empty((months, persons, N_MONTH_FACTORS), np.float32)
    state = rng.standard_normal((persons, N_MONTH_FACTORS), dtype=np.float32)
    innovation = np.float32(np.sqrt(1 - RHO**2))

    def lp(m: int) -> npt.NDArray[np.float64]:
        return base + b_age * ((age0 + m) / 12.0 - 45.0) + (g[m] @ v)

    for m in range(months):
        if m:
            state *= np.float32(RHO)
            state += innovation * rng.standard_normal(state.shape, dtype=np.float32)
        g[m] = state
    # alpha for ~1.3 x the participants wanted over all person-months (the first draw of a
    # person counts, so some draws are lost to persons drawn twice)
    mid = lp(months // 2)
    lo, hi = -30.0, 10.0
    for _ in range(60):
        alpha = (lo + hi) / 2
        expected = months * float((1 / (1 + np.exp(-(alpha + mid)))).sum())
        lo, hi = (alpha, hi) if expected < 1.3 * participants else (lo, alpha)
    inclusion = np.full(persons, months, np.int16)
    for m in range(months):
        p = 1 / (1 + np.exp(-(alpha + lp(m))))
        drawn = (rng.random(persons) < p) & (inclusion == months)
        inclusion[drawn] = m
    chosen = np.flatnonzero(inclusion < months)
    if chosen.size < participants:
        raise RuntimeError(f"only {chosen.size} participants drawn; try another --seed")
    keep = np.sort(rng.choice(chosen, participants, replace=False))
    dropped = np.setdiff1d(chosen, keep)
    inclusion[dropped] = months  # drawn but not kept: ordinary persons, candidates throughout
    return Population(
        months, sex, municipality, age0, person_part, loadings, g, inclusion, keep.astype(np.int64)
    )


@dataclass
class Problem:
    t_s: npt.NDArray[np.int64]
    t_x: npt.NDArray[np.float64]
    c_s: npt.NDArray[np.int64]
    c_x: npt.NDArray[np.float64]


# --- the scale run (child process) ----------------------------------------------------------


def scale_child(args: argparse.Namespace) -> None:
    out = Path(args.workdir)
    stages = Stages()
    print(
        f"scale: {args.persons:,} persons x {args.months} index months, "
        f"{args.participants:,} participants, seed {args.seed}",
        flush=True,
    )
    with stages.run("data (simulation, not measured)"):
        pop = simulate(args.persons, args.months, args.participants, args.seed)
        n_cand = int(pop.candidates_per_month().sum())
    t_person = pop.participants
    t_month = pop.inclusion[t_person].astype(np.int64)
    rng = np.random.default_rng(args.seed + 1)
    sample = min(SAMPLE, n_cand)
    with stages.run("fit sample (covariates of sample)"):
        flat = np.sort(rng.choice(n_cand, sample, replace=False))
        s_person, s_month = pop.candidate_rows(flat)
        x = np.vstack([pop.covariates(t_person, t_month), pop.covariates(s_person, s_month)])
        treated = np.concatenate([np.ones(t_person.size, bool), np.zeros(sample, bool)])
    with stages.run("(a) propensity fit"):
        model = fit_propensity(x, treated, COLUMNS, control_weight=n_cand / sample)
    del x
    with stages.run("(b) scoring (stratum, logit)"):
        w = model.coefficients / model.scales
        const = model.intercept - float(w @ model.means)
        w_age, w_sex, w_other = w[0], w[1], w[2:].astype(np.float32)
        person_logit = const + w_sex * pop.sex + (pop.person_part @ w_other).astype(np.float64)
        month_weights = pop.loadings.T @ w_other
        c_s = np.empty(n_cand, np.int64)
        c_x = np.empty(n_cand, np.float64)
        c_p = np.empty(n_cand, np.int32)
        c_m = np.empty(n_cand, np.int16)
        at = 0
        everyone = np.arange(pop.persons)
        for m in range(pop.months):
            rows = everyone[pop.inclusion > m]
            end = at + rows.size
            c_x[at:end] = (
                person_logit[rows]
                + w_age * ((pop.age0[rows] + m) / 12.0)
                + (pop.g[m, rows] @ month_weights)
            )
            c_s[at:end] = pop.stratum(rows, m)
            c_p[at:end] = rows
            c_m[at:end] = m
            at = end
        t_x = model.logit(pop.covariates(t_person, t_month))
        t_s = np.asarray(pop.stratum(t_person, t_month), np.int64)
    with stages.run("(c) match ratio 5, caliper 0.2 sd"):
        sd = float(np.std(np.concatenate([t_x, c_x])))
        caliper = CALIPER_SD * sd
        found = match(t_s, t_x, c_s, c_x, ratio=5, caliper=caliper)
    with stages.run("(d) match 5, trajectory, 1.0 sd"):
        wide = TRAJECTORY_CALIPER_SD * sd
        pool = matching_pool(t_s, t_x, c_s, c_x, caliper=wide)
        t_f = pop.covariates(t_person, t_month)[:, 2:]
        p_f = pop.covariates(c_p[pool].astype(np.int64), c_m[pool].astype(np.int64))[:, 2:]
        on_features = match_on_features(
            t_s, t_x, t_f, c_s[pool], c_x[pool], p_f, ratio=5, caliper=wide
        )
    with stages.run("checks"):
        checks = invariants(Problem(t_s, t_x, c_s, c_x), found.treated, found.control, 5, caliper)
        quality = quality_of(Problem(t_s, t_x, c_s, c_x), found.treated, found.control)
        in_pool = Problem(t_s, t_x, c_s[pool], c_x[pool])
        t_checks = invariants(in_pool, on_features.treated, on_features.control, 5, wide)
        t_quality = quality_of(in_pool, on_features.treated, on_features.control)
        # How far the pairs lie apart on the features, per design (mean |difference| per
        # feature, in the features' units): the trajectory design should be the closer.
        logit_f = pop.covariates(c_p[found.control].astype(np.int64), c_m[found.control])[:, 2:]
        gap_logit = float(np.abs(t_f[found.treated] - logit_f).mean())
        gap_trajectory = float(np.abs(t_f[on_features.treated] - p_f[on_features.control]).mean())
    del pop
    for name, arr in {"t_s": t_s, "t_x": t_x, "t_p": t_person, "c_s": c_s, "c_x": c_x}.items():
        np.save(out / f"{name}.npy", arr)
    np.save(out / "c_p.npy", c_p)
    strata = np.unique(c_s).size
    treated_strata = np.unique(t_s).size
    result = {
        "persons": args.persons,
        "months": args.months,
        "participants": int(t_s.size),
        "candidates": n_cand,
        "strata": strata,
        "treated_strata": treated_strata,
        "auc": model.auc,
        "sd": sd,
        "caliper": caliper,
        "no_candidate": int(found.no_candidate.size),
        "outside_caliper": int(found.outside_caliper.size),
        "full_sets": int((found.controls_per_treated() == 5).sum()),
        "checks": checks,
        **quality,
        "trajectory": {
            "caliper": wide,
            "pool": int(pool.size),
            "checks": t_checks,
            "full_sets": int((on_features.controls_per_treated() == 5).sum()),
            "feature_gap": gap_trajectory,
            "feature_gap_logit": gap_logit,
            **t_quality,
        },
        "stages": [s.__dict__ for s in stages.done],
        "peak_mb": max(s.peak_mb for s in stages.done),
    }
    (out / "scale.json").write_text(json.dumps(result))


def invariants(
    p: Problem, treated: npt.NDArray[Any], control: npt.NDArray[Any], ratio: int, caliper: float
) -> str:
    """'ok', or which invariant the pairs break."""
    bad = []
    if np.unique(control).size != control.size:
        bad.append(f"{control.size - np.unique(control).size} candidates used twice")
    if treated.size and np.bincount(treated).max() > ratio:
        bad.append(f"more than {ratio} controls for a participant")
    if (p.t_s[treated] != p.c_s[control]).any():
        bad.append(f"{int((p.t_s[treated] != p.c_s[control]).sum())} pairs across strata")
    d = np.abs(p.t_x[treated] - p.c_x[control])
    if (d > caliper * (1 + 1e-12)).any():
        bad.append(f"{int((d > caliper * (1 + 1e-12)).sum())} pairs beyond the caliper")
    return "ok" if not bad else "; ".join(bad)


def quality_of(
    p: Problem, treated: npt.NDArray[Any], control: npt.NDArray[Any]
) -> dict[str, float]:
    d = np.abs(p.t_x[treated] - p.c_x[control])
    return {
        "matched": float(np.unique(treated).size / max(p.t_s.size, 1)),
        "controls": int(control.size),
        "mean_distance": float(d.mean()) if d.size else float("nan"),
    }


# --- the peers (child processes) ------------------------------------------------------------


def peer_child(args: argparse.Namespace) -> None:
    job = json.loads(Path(args.job).read_text())
    from _matching_peers import PEERS

    data = np.load(job["data"])
    p = Problem(data["t_s"], data["t_x"], data["c_s"], data["c_x"])
    peer = PEERS[job["peer"]]
    kwargs: dict[str, Any] = {"caliper": job["caliper"]}
    if job["peer"] == "causalml":
        kwargs["ratio"] = job["ratio"]
    t0 = time.perf_counter()
    treated, control = peer(p.t_s, p.t_x, p.c_s, p.c_x, **kwargs)
    seconds = time.perf_counter() - t0
    np.savez(job["out"], treated=treated, control=control)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(job["out"] + ".json").write_text(json.dumps({"seconds": seconds, "peak_mb": peak}))


def run_peer(
    workdir: Path, data: Path, peer: str, ratio: int, caliper: float, timeout: float, memory: float
) -> dict[str, Any]:
    out = str(workdir / f"pairs-{peer}-{ratio}")
    job = workdir / "job.json"
    job.write_text(
        json.dumps(
            {"data": str(data), "peer": peer, "ratio": ratio, "caliper": caliper, "out": out}
        )
    )
    limit = int(memory * 2**30)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    cmd = [sys.executable, __file__, "--child", "peer", "--job", str(job)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, timeout=timeout, preexec_fn=cap, capture_output=True, text=True, check=False
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "wall": time.perf_counter() - t0}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        status = "out of memory" if "MemoryError" in proc.stderr else "failed"
        return {"status": status, "error": tail[:200], "wall": time.perf_counter() - t0}
    info = json.loads(Path(out + ".json").read_text())
    pairs = np.load(out + ".npz")
    return {"status": "ok", **info, "treated": pairs["treated"], "control": pairs["control"]}


def ours(p: Problem, ratio: int, caliper: float) -> tuple[float, Any]:
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        found = match(p.t_s, p.t_x, p.c_s, p.c_x, ratio=ratio, caliper=caliper)
        times.append(time.perf_counter() - t0)
        if times[-1] > 5:
            break
    return statistics.median(times), found


@dataclass
class Size:
    series: str
    label: str
    problem: Problem


def sizes(workdir: Path, quick: bool, seed: int) -> Iterator[tuple[str, list[Callable[[], Size]]]]:
    t_s, t_x, t_p = (np.load(workdir / f"{n}.npy", mmap_mode="r") for n in ("t_s", "t_x", "t_p"))
    c_s, c_x, c_p = (np.load(workdir / f"{n}.npy", mmap_mode="r") for n in ("c_s", "c_x", "c_p"))
    rng = np.random.default_rng(seed + 2)
    pooled = [100, 300, 1_000] if quick else [100, 300, 1_000, 3_000, 10_000]

    def one_stratum(n: int) -> Callable[[], Size]:
        def make() -> Size:
            ti = np.sort(rng.choice(t_s.size, n, replace=False))
            ci = np.sort(rng.choice(c_s.size, 30 * n, replace=False))
            p = Problem(np.zeros(n, np.int64), t_x[ti], np.zeros(30 * n, np.int64), c_x[ci])
            return Size("one stratum", f"{n:,} / {30 * n:,}", p)

        return make

    def strata(k: int) -> Callable[[], Size]:
        def make() -> Size:
            ti = np.flatnonzero(np.asarray(t_p) % k == 0)
            ci = np.flatnonzero(np.asarray(c_p) % k == 0)
            p = Problem(t_s[ti], t_x[ti], c_s[ci], c_x[ci])
            share = "all persons" if k == 1 else f"1/{k} of the persons"
            return Size("strata", f"{ti.size:,} / {ci.size:,} ({share})", p)

        return make

    yield "one stratum", [one_stratum(n) for n in pooled if n <= t_s.size]
    yield "strata", [strata(k) for k in ([30, 10, 3] if quick else [100, 30, 10, 3, 1])]


PEER_RUNS = (("causalml", 1), ("causalml", 5), ("psmpy", 1))


def peers(args: argparse.Namespace, workdir: Path, caliper: float) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    print(
        f"\npeers: time limit {args.peer_timeout:.0f} s and address space {args.peer_memory:.0f}"
        f" GB per run; caliper {caliper:.4f} on the logit for every matcher",
        flush=True,
    )
    for series, makers in sizes(workdir, args.quick, args.seed):
        print(f"\n[{series}] participants / candidates", flush=True)
        stopped: dict[tuple[str, int], str] = {}
        last: dict[tuple[str, int], tuple[int, float]] = {}
        for make in makers:
            size = make()
            p = size.problem
            data = workdir / "size.npz"
            np.savez(data, t_s=p.t_s, t_x=p.t_x, c_s=p.c_s, c_x=p.c_x)
            print(f"  {size.label}", flush=True)
            mine = {}
            for ratio in (1, 5):
                sec, found = ours(p, ratio, caliper)
                q = quality_of(p, found.treated, found.control)
                ok = invariants(p, found.treated, found.control, ratio, caliper)
                mine[ratio] = (sec, q)
                print(f"    {'Broen':8s} ratio {ratio}: {sec:9.3f} s  {_q(q)}  {ok}", flush=True)
            for peer, ratio in PEER_RUNS:
                key = (peer, ratio)
                row: dict[str, Any] = {
                    "series": series,
                    "size": size.label,
                    "n_t": int(p.t_s.size),
                    "peer": peer,
                    "ratio": ratio,
                    "ours": mine[ratio][0],
                    "ours_quality": mine[ratio][1],
                }
                rows.append(row)
                head = f"    {peer:8s} ratio {ratio}:"
                if key in stopped:
                    row["status"] = "not run"
                    print(f"{head} not run ({stopped[key]})", flush=True)
                    continue
                if key in last:
                    n0, s0 = last[key]
                    bound = s0 * p.t_s.size / max(n0, 1)
                    if bound > args.peer_timeout:
                        row["status"] = "skipped"
                        stopped[key] = f"the size before took {s0:.0f} s"
                        print(
                            f"{head} skipped: at least {bound:,.0f} s (the previous size's "
                            f"{s0:.1f} s x {p.t_s.size / n0:.1f} participants)",
                            flush=True,
                        )
                        continue
                res = run_peer(
                    workdir, data, peer, ratio, caliper, args.peer_timeout, args.peer_memory
                )
                row["status"] = res["status"]
                if res["status"] != "ok":
                    stopped[key] = res["status"]
                    why = res.get("error", "")
                    print(f"{head} {res['status']} after {res['wall']:.0f} s {why}", flush=True)
                    continue
                q = quality_of(p, res["treated"], res["control"])
                ok = invariants(p, res["treated"], res["control"], ratio, caliper)
                row.update(seconds=res["seconds"], peak_mb=res["peak_mb"], quality=q, checks=ok)
                last[key] = (int(p.t_s.size), res["seconds"])
                print(
                    f"{head} {res['seconds']:9.3f} s  {_q(q)}  {ok}; "
                    f"{_x(res['seconds'] / mine[ratio][0])} x Broen, peak RSS "
                    f"{res['peak_mb']:,.0f} MB",
                    flush=True,
                )
    return rows


def _x(ratio: float) -> str:
    return f"{ratio:.2f}" if ratio < 10 else f"{ratio:,.0f}"


def _q(q: dict[str, float]) -> str:
    return (
        f"matched {q['matched']:6.1%}, {q['controls']:7,} controls, "
        f"mean |d| {q['mean_distance']:.5f}"
    )


def machine() -> str:
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1])
    return f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {mem / 2**20:.1f} GB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1/10 scale, small peer sizes, 60 s")
    parser.add_argument("--persons", type=int, help="default 840,000 (84,000 with --quick)")
    parser.add_argument("--participants", type=int, help="default 10,000 (1,000 with --quick)")
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--peer-timeout", type=float, help="seconds (600; 60 with --quick)")
    parser.add_argument("--peer-memory", type=float, default=16.0, help="GB per peer run")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--workdir", type=Path, help="for the arrays (a temporary folder)")
    parser.add_argument("--child", choices=["scale", "peer"], help=argparse.SUPPRESS)
    parser.add_argument("--job", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.persons = args.persons or (84_000 if args.quick else 840_000)
    args.participants = args.participants or (1_000 if args.quick else 10_000)
    args.peer_timeout = args.peer_timeout or (60.0 if args.quick else 600.0)
    if args.child == "scale":
        scale_child(args)
        return
    if args.child == "peer":
        peer_child(args)
        return

    print(f"machine: {machine()}, Python {platform.python_version()}", flush=True)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="broen-matching-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, __file__, "--child", "scale", "--workdir", str(workdir),
        "--persons", str(args.persons), "--participants", str(args.participants),
        "--months", str(args.months), "--seed", str(args.seed),
    ]  # fmt: skip
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    whole = time.perf_counter() - t0
    s = json.loads((workdir / "scale.json").read_text())
    stages = {x["name"]: x for x in s["stages"]}
    target = sum(v["wall"] for k, v in stages.items() if k[:3] in ("(a)", "(b)", "(c)"))
    shipped = sum(v["wall"] for k, v in stages.items() if k[:3] in ("(a)", "(b)", "(d)"))
    peak = max(v["peak_mb"] for k, v in stages.items() if k[:3] != "che")
    print(
        f"\nscale: {s['participants']:,} participants, {s['candidates']:,} candidate "
        f"person-months in {s['strata']:,} strata ({s['treated_strata']:,} with participants); "
        f"propensity AUC {s['auc']:.3f}, sd(logit) {s['sd']:.3f}, caliper {s['caliper']:.4f}"
    )
    print(
        f"  matched {s['matched']:.1%} of the participants ({s['full_sets']:,} with all 5 "
        f"controls; {s['no_candidate']} without a candidate in their stratum, "
        f"{s['outside_caliper']} with none free within the caliper), {s['controls']:,} controls,"
        f" mean |distance| {s['mean_distance']:.5f} ({s['mean_distance'] / s['caliper']:.1%} of"
        f" the caliper); invariants: {s['checks']}"
    )
    tr = s["trajectory"]
    print(
        f"  shipped design (trajectory within {TRAJECTORY_CALIPER_SD} sd, caliper "
        f"{tr['caliper']:.4f}): pool of {tr['pool']:,} candidates "
        f"({tr['pool'] / s['candidates']:.2%} of all), matched {tr['matched']:.1%} "
        f"({tr['full_sets']:,} with all 5), "
        f"{tr['controls']:,} controls; mean |feature difference| {tr['feature_gap']:.3f} against"
        f" {tr['feature_gap_logit']:.3f} for the 0.2 sd logit matching; invariants: {tr['checks']}"
    )
    print(
        f"  fit + scoring + match: {target:.1f} s with the classic 0.2 sd logit matching, "
        f"{shipped:.1f} s with the shipped trajectory design (target under 60 s); peak RSS of "
        f"the pipeline's process {peak / 1024:.2f} GB (the highest stage, data included; "
        f"target under 8 GB); the child process took {whole:.0f} s in all"
    )
    if args.skip_peers:
        return
    t0 = time.perf_counter()
    rows = peers(args, workdir, s["caliper"])
    print(f"\npeers took {time.perf_counter() - t0:.0f} s in all")
    print("largest size each peer finished within the limit:")
    for peer, ratio in PEER_RUNS:
        for series in ("one stratum", "strata"):
            done = [
                r for r in rows
                if r["peer"] == peer and r["ratio"] == ratio and r["series"] == series
                and r.get("status") == "ok"
            ]  # fmt: skip
            best = max(done, key=lambda r: r["n_t"], default=None)
            text = (
                f"{best['size']} in {best['seconds']:.1f} s ({_x(best['seconds'] / best['ours'])}"
                f" x Broen's {best['ours']:.3f} s)"
                if best
                else "none"
            )
            print(f"  {peer} ratio {ratio}, {series}: {text}")


if __name__ == "__main__":
    main()
