"""``effects.json``: the effect output of contract v1 ("Effect output"), and more.

Aggregates only. Small cells: every count of persons under 5 (and above 0) is written as the
string ``"<5"``; an estimate resting on fewer than 5 participants (a subgroup, a month) is
withheld (``null`` values, ``"suppressed": true``); the preference-score histogram merges bins
until each holds 0 or at least 5 persons of each group.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import numpy as np

from broen import __version__
from broen.analytics._privacy import SMALL_CELL
from broen.analytics.evaluation._balance import BalanceRow
from broen.analytics.evaluation._did import Estimate
from broen.analytics.evaluation._gates import flags_for
from broen.analytics.evaluation._workflow import Evaluation

FORMAT = "broen-effects/1"
PAYER_PREFIXES = ("cost_payer_", "transfer_payer_")


def count(n: int) -> int | str:
    """A count of persons as written: ``"<5"`` for 1..4."""
    return f"<{SMALL_CELL}" if 0 < n < SMALL_CELL else int(n)


def _num(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 6)


def _balance_row(b: BalanceRow, small: bool) -> dict[str, Any]:
    """A covariate's balance; when its means would reveal fewer than 5 persons (a flag held
    by 1-4 participants), the participants' and matched controls' means are withheld, and the
    SMD before matching, from which the participants' mean could be solved."""
    return {
        "covariate": b.covariate,
        "smd_before": None if small else _num(b.smd_before),
        "smd_after": _num(b.smd_after),
        "mean_participants": None if small else _num(b.mean_treated),
        "mean_controls_before": _num(b.mean_controls_before),
        "mean_controls_after": None if small else _num(b.mean_controls_after),
        **({"suppressed": True} if small else {}),
    }


def estimate(e: Estimate) -> dict[str, Any]:
    if e.n < SMALL_CELL:
        return {
            "att": None,
            "ci_low": None,
            "ci_high": None,
            "se": None,
            "n": count(e.n),
            "suppressed": True,
        }
    return {
        "att": _num(e.value),
        "ci_low": _num(e.ci_low),
        "ci_high": _num(e.ci_high),
        "se": _num(e.se),
        "n": e.n,
    }


def effects_document(ev: Evaluation) -> dict[str, Any]:
    c, d = ev.config, ev.design
    o = c.outcomes
    n_treated = int(d.units["treated"].sum())
    n_controls = int((~d.units["treated"]).sum())
    doc: dict[str, Any] = {
        "format": FORMAT,
        "programme": c.programme,
        "title": c.title or c.programme,
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "broen_version": __version__,
        "period": [ev.period[0].isoformat(), ev.period[1].isoformat()],
        "index": c.index,
        "n_treated": count(n_treated),
        "n_controls": count(n_controls),
        "n_control_persons": count(int(d.units.loc[~d.units["treated"], "person_id"].nunique())),
        "n_candidates": count(d.n_candidates),
        "flow": [{"step": s.key, "n": count(s.n)} for s in ev.design.flow],
        "unmatched": {k: count(v) for k, v in d.unmatched.items()},
        "propensity": {
            "auc": _num(d.model.auc),
            "equipoise": _num(d.overlap.equipoise),
            "auc_matched": _num(d.overlap.auc),
            "equipoise_population": _num(d.equipoise_population),
            "caliper_logit": _num(d.caliper),
            "preference_histogram": _histogram(d.preference),
            "preference_histogram_matched": _histogram(
                {"participants": d.overlap.participants, "controls": d.overlap.controls}
            ),
        },
        "gates": [
            {
                "gate": g.key,
                "passed": g.passed,
                "value": _num(g.value),
                "threshold": _num(g.threshold),
                "failing": list(g.failing),
                "affects": list(g.affects),
            }
            for g in ev.gates
        ],
        "gates_passed": all(g.passed for g in ev.gates),
        "estimates_withheld": ev.withheld,
        "balance": [_balance_row(b, b.covariate in d.small_cells) for b in d.balance],
        "config": _config(ev),
    }
    if ev.withheld:
        doc["outcomes"] = []
        return doc
    doc["outcomes"] = [_outcome(ev, metric, window) for metric in o.metrics for window in o.windows]
    doc["negative_controls"] = [
        {
            "metric": m,
            "window": list(w),
            **estimate(e.did.windows[w]),
            "consistent_with_zero": not e.did.windows[w].excludes_zero,
        }
        for m, e in ev.negative_controls.items()
        for w in o.windows
    ]
    main = (0, o.last_month) if (0, o.last_month) in o.windows else o.windows[-1]
    doc["payers"] = [
        {
            "payer": m.split("_payer_")[1],
            "kind": m.split("_payer_")[0],
            "metric": m,
            "window": list(main),
            **estimate(e.did.windows[main]),
            "total_dkk": _total(e.did.windows[main], e.did.windows[main].value, n_treated),
            "total_ci_low": _total(e.did.windows[main], e.did.windows[main].ci_low, n_treated),
            "total_ci_high": _total(e.did.windows[main], e.did.windows[main].ci_high, n_treated),
        }
        for m, e in ev.effects.items()
        if m.startswith(PAYER_PREFIXES)
    ]
    doc["subgroups"] = [
        {
            "variable": s["variable"],
            "level": s["level"],
            "n_treated": count(s["n_treated"]),
            "window": list(main),
            "estimates": {m: estimate(e) for m, e in s["estimates"].items()}
            if s["n_treated"] >= SMALL_CELL
            else {},
        }
        for s in ev.subgroups
    ]
    doc["participant_measures"] = [_measure(m) for m in ev.measures]
    return doc


def _outcome(ev: Evaluation, metric: str, window: tuple[int, int]) -> dict[str, Any]:
    e = ev.effects[metric]
    w = e.did.windows[window]
    cross = ev.event_study.get(metric)
    by_month = []
    for k, month in enumerate(e.did.months.tolist()):
        n = int(e.did.n_by_month[k])
        cell = estimate(e.did.by_month[k])
        small = n < SMALL_CELL
        by_month.append(
            {
                "month": month,
                **{k2: cell[k2] for k2 in ("att", "ci_low", "ci_high")},
                "n": count(n),
                "mean_participants": None if small else _num(e.did.participant_mean[k]),
                "mean_controls": None if small else _num(e.did.control_mean[k]),
            }
        )
    out: dict[str, Any] = {
        "metric": metric,
        "window": list(window),
        **estimate(w),
        "naive_before_after": _num(e.naive.value) if e.naive.n >= SMALL_CELL else None,
        "naive_ci_low": _num(e.naive.ci_low) if e.naive.n >= SMALL_CELL else None,
        "naive_ci_high": _num(e.naive.ci_high) if e.naive.n >= SMALL_CELL else None,
        "total": _total(w, w.value, int(ev.design.units["treated"].sum())),
        "mde": None if w.n < SMALL_CELL else _num(e.mde[window]),
        "placebo": estimate(e.placebo),
        "flags": flags_for(metric, ev.gates),
        "by_month": by_month,
    }
    if cross is not None and window == (0, ev.config.outcomes.last_month):
        from broen.analytics.evaluation._estimates import agree

        out["event_study"] = {**estimate(cross), "agrees": agree(w, cross)}
    return out


def _total(e: Estimate, per_participant: float, n_treated: int) -> float | None:
    """A cohort total (effect x participants); withheld with its estimate, since the total
    and the number of participants give the estimate back."""
    return None if e.n < SMALL_CELL else _num(per_participant * n_treated)


def _measure(m: Any) -> dict[str, Any]:
    row = asdict(m)
    for key in ("n_referred", "n_started", "n_baseline", "n_answered"):
        row[key] = count(row[key])
    small = m.n_answered < SMALL_CELL
    for key in (
        "baseline_mean",
        "follow_up_mean",
        "change",
        "ci_low",
        "ci_high",
        "share_free_answered",
        "share_free_started",
    ):
        row[key] = None if small or row[key] is None else _num(row[key])
    free = None if m.share_free_started is None else round(m.share_free_started * m.n_started)
    if free is not None and 0 < free < SMALL_CELL:
        # The share of all who started times their number is a count of persons.
        row["share_free_answered"] = row["share_free_started"] = None
    row["uncontrolled"] = True
    return row


def _histogram(preference: dict[str, np.ndarray], bins: int = 20) -> dict[str, Any]:
    """Preference-score distribution per group as shares, bins merged until every non-empty bin
    holds at least 5 persons of each group (controls counted as sampled)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    t = np.histogram(preference["participants"], edges)[0]
    c = np.histogram(preference["controls"], edges)[0]

    def fits(lo: int, hi: int) -> bool:
        nt, nc = t[lo:hi].sum(), c[lo:hi].sum()
        return bool((nt == 0 or nt >= SMALL_CELL) and (nc == 0 or nc >= SMALL_CELL))

    keep = [0]
    for i in range(1, bins + 1):
        if fits(keep[-1], i):
            keep.append(i)
    if keep[-1] != bins:
        # The rest does not fit on its own: merge it into the bins before it until it does
        # (a single bin of everything always stays, whatever it holds: its shares are 1).
        if len(keep) > 1:
            keep.pop()
        keep.append(bins)
        while len(keep) > 2 and not fits(keep[-2], keep[-1]):
            del keep[-2]
    merged_t = [int(t[a:b].sum()) for a, b in itertools.pairwise(keep)]
    merged_c = [int(c[a:b].sum()) for a, b in itertools.pairwise(keep)]
    return {
        "edges": [float(edges[i]) for i in keep],
        "participants_share": [x / max(sum(merged_t), 1) for x in merged_t],
        "controls_share": [x / max(sum(merged_c), 1) for x in merged_c],
    }


def _config(ev: Evaluation) -> dict[str, Any]:
    c = ev.config
    return {
        "source": c.source,
        "target_group": c.target_group,
        "matching": asdict(c.matching),
        "covariates": dict(c.covariates),
        "outcomes": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(c.outcomes).items()
        },
        "bootstrap": asdict(c.bootstrap),
        "gates": asdict(c.gates),
        "subgroups": list(c.subgroups),
    }
