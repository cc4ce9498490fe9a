"""The dry run before signing: with no true effect a rule pays in no more draws than its
threshold allows; with a real effect it pays more often; recruitment shortfalls shrink what is
paid; the outputs hold aggregates only. On the small warehouse of conftest.py."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from broen.analytics.evaluation._did import matched_did, set_differences
from broen.analytics.evaluation._estimates import (
    Replication,
    replicate_windows,
    replication_counts,
)
from broen.analytics.settlement import (
    dryrun_document,
    load_contract,
    simulate_contract,
    write_dryrun,
)
from broen.cli import cli
from tests.settlement.conftest import CONTRACT, World

pytestmark = pytest.mark.slow

DRAWS = 300
# The test contract with a noise threshold of 10 % on bed days (so at most 10 % of draws may
# pay at no effect), beside the completion rate card (pays whatever the effect).
DRYRUN_RULES = CONTRACT.replace(
    "amount: {base: first_krone, price: 4000, share: 0.5}",
    "amount: {base: excess, price: 4000, share: 0.5, threshold: {noise: 0.10}}",
)


def test_replicates_are_the_estimator_on_redrawn_sets() -> None:
    """Each set drawn once is the estimate itself; draws spread like the set bootstrap."""
    rng = np.random.default_rng(0)
    n_sets, k = 200, 3
    set_of = np.repeat(np.arange(n_sets), k + 1)
    treated = np.tile([True] + [False] * k, n_sets)
    months = list(range(-24, 24))
    values = rng.gamma(0.5, 2.0, size=(set_of.size, len(months)))
    participant, controls, diff = set_differences(values, set_of, treated, n_sets)
    once = {1.0: np.ones((1, n_sets))}
    got = replicate_windows(values, set_of, treated, n_sets, months, (-12, -1), [(0, 11)], once)
    reference = matched_did(
        diff, participant, controls, months, (-12, -1), [(0, 11)], np.ones((2, n_sets))
    )
    assert got[1.0][(0, 11)][0] == pytest.approx(reference.windows[(0, 11)].value, rel=1e-12)
    counts = replication_counts(n_sets, Replication((1.0, 0.5), draws=400, seed=1))
    assert counts[1.0].sum(axis=1).tolist() == [n_sets] * 400
    assert counts[0.5].sum(axis=1).tolist() == [n_sets // 2] * 400
    spread = replicate_windows(
        values, set_of, treated, n_sets, months, (-12, -1), [(0, 11)], counts
    )
    # half the sets: the spread grows by about √2
    ratio = np.std(spread[0.5][(0, 11)]) / np.std(spread[1.0][(0, 11)])
    assert 1.2 < ratio < 1.7


@pytest.fixture(scope="module")
def dryrun(world: World, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("dryrun") / "contract.yaml"
    (path.parent / "rygestop.yaml").write_text(
        (world.contract.parent / "rygestop.yaml").read_text()
    )
    path.write_text(DRYRUN_RULES)
    contract = load_contract(path)
    return simulate_contract(
        contract,
        warehouse=world.warehouse,
        effects=(0.0, 0.3),
        shares=(1.0, 0.5),
        draws=DRAWS,
        seed=11,
    )


def test_no_effect_pays_at_most_what_the_threshold_allows(dryrun) -> None:  # type: ignore[no-untyped-def]
    null = next(s for s in dryrun.scenarios if s.effect == 0 and s.share == 1.0)
    for rule, allowed in dryrun.allowed.items():
        measured = null.rule_paid[rule]
        if allowed is None:  # the rate cards pay for completion and quitting, not for an effect
            assert rule in ("kommune-completion", "kommune-smoke-free") and measured > 0.9
            continue
        slack = 3 * math.sqrt(allowed * (1 - allowed) / DRAWS)  # three binomial SEs
        print(f"{rule}: pays in {measured:.1%} of draws at no effect, allowed {allowed:.1%}")
        assert measured <= allowed + slack, (rule, measured, allowed)
    assert dryrun.allowed["region-bed-days"] == pytest.approx(0.10)


def test_a_real_effect_pays_more_often_and_more(dryrun) -> None:  # type: ignore[no-untyped-def]
    def scenario(effect: float, share: float):  # type: ignore[no-untyped-def]
        return next(s for s in dryrun.scenarios if s.effect == effect and s.share == share)

    null, real = scenario(0.0, 1.0), scenario(0.3, 1.0)
    assert real.rule_paid["region-bed-days"] > null.rule_paid["region-bed-days"] + 0.3
    assert real.payers["region"].mean() > null.payers["region"].mean()
    half = scenario(0.3, 0.5)
    assert half.participants < real.participants
    assert half.payers["region"].mean() < real.payers["region"].mean()  # fewer to pay for


def test_outputs(dryrun, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = dryrun_document(dryrun)
    json.dumps(doc, allow_nan=False)  # no NaN, nothing but aggregates
    assert len(doc["scenarios"]) == 4 and doc["draws"] == DRAWS
    path = write_dryrun(dryrun, doc, tmp_path)
    html = path.read_text()
    assert "Prøvehandling" in html and html.count("<svg") == 2
    assert json.loads((tmp_path / "dryrun.json").read_text())["contract"]["id"] == "rygestop-test"


def test_cli(world: World, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "contract",
            "simulate",
            str(world.contract),
            "--warehouse",
            str(world.warehouse),
            "--out",
            str(tmp_path),
            "--draws",
            "20",
            "--effects",
            "0,0.2",
            "--recruitment",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "With no effect the rules on effects pay in" in result.output
    result = CliRunner().invoke(
        cli, ["contract", "simulate", str(world.contract), "--out", str(tmp_path), "--effects", "x"]
    )
    assert result.exit_code == 2 and "expected numbers separated by commas" in result.output
