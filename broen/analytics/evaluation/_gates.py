"""Gates that refuse to mislead, after OHDSI CohortMethod's diagnostics.

Each gate has a threshold from the config (OHDSI's defaults where OHDSI has one) and names the
estimates a failure touches: balance, equipoise, the share matched and the negative controls
touch every estimate (the comparison itself is in doubt); a placebo failure touches its own
metric. The minimum detectable effect is always stated; it fails no gate (OHDSI keeps
underpowered estimates too) but the report shows it beside each estimate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from broen.analytics.evaluation._balance import BalanceRow
from broen.analytics.evaluation._config import Gates
from broen.analytics.evaluation._did import Estimate

ALL = "*"


@dataclass(frozen=True)
class Gate:
    key: str  # balance | equipoise | matched_share | placebo | negative_controls
    passed: bool
    value: float
    threshold: float
    failing: tuple[str, ...]  # the covariates or metrics that fail it
    affects: tuple[str, ...]  # the metrics whose estimates a failure touches ("*": all)


def evaluate_gates(
    gates: Gates,
    balance: Sequence[BalanceRow],
    equipoise: float,
    matched_share: float,
    placebo: Mapping[str, Estimate],
    negative_controls: Mapping[str, Estimate],
) -> list[Gate]:
    """The gates in the order the report shows them."""
    out: list[Gate] = []
    smd = {b.covariate: abs(b.smd_after) for b in balance}
    worst = max((v for v in smd.values() if np.isfinite(v)), default=0.0)
    if any(not np.isfinite(v) for v in smd.values()):
        worst = float("inf")
    failing = tuple(sorted(c for c, v in smd.items() if not v < gates.max_abs_smd))
    out.append(Gate("balance", not failing, worst, gates.max_abs_smd, failing, (ALL,)))
    out.append(
        Gate(
            "equipoise",
            equipoise >= gates.min_equipoise,
            equipoise,
            gates.min_equipoise,
            (),
            (ALL,),
        )
    )
    out.append(
        Gate(
            "matched_share",
            matched_share >= gates.min_matched_share,
            matched_share,
            gates.min_matched_share,
            (),
            (ALL,),
        )
    )
    if gates.placebo:
        bad = tuple(sorted(m for m, e in placebo.items() if _inconsistent(e)))
        out.append(Gate("placebo", not bad, float(len(bad)), 0.0, bad, bad))
    if gates.negative_controls:
        bad = tuple(sorted(m for m, e in negative_controls.items() if _inconsistent(e)))
        out.append(
            Gate("negative_controls", not bad, float(len(bad)), 0.0, bad, (ALL,) if bad else ())
        )
    return out


def _inconsistent(estimate: Estimate) -> bool:
    """Not consistent with zero: the interval excludes it, or there is no interval at all (nor
    any matched set behind it: an empty window's sum is 0 with the interval [0, 0])."""
    if estimate.n == 0 or not (np.isfinite(estimate.ci_low) and np.isfinite(estimate.ci_high)):
        return True
    return estimate.excludes_zero


def flags_for(metric: str, gates: Sequence[Gate]) -> list[str]:
    """The failed gates that touch ``metric``'s estimates."""
    return [g.key for g in gates if not g.passed and (ALL in g.affects or metric in g.affects)]
