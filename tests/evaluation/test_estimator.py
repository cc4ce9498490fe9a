"""MatchingEstimator on simulated tables with a known effect on the treated, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from broen.analytics.evaluation import EvaluationError, MatchingEstimator, estimate_table
from broen.cli import cli

COVARIATES = ["x1", "x2", "x3"]


def simulate(seed: int, n: int = 4000) -> tuple[pd.DataFrame, float]:
    """Confounded treatment; constant effect 2.0, so every subset of the treated has ATT 2."""
    rng = np.random.default_rng(seed)
    x1, x2, x3 = rng.normal(size=n), rng.binomial(1, 0.4, n), rng.normal(size=n)
    t = rng.binomial(1, 1 / (1 + np.exp(-(-1.5 + x1 + 0.8 * x2 - 0.5 * x3))))
    y = 1 + 2 * x1 + 1.5 * x2 + 0.5 * x3**2 + 2.0 * t + rng.normal(size=n)
    return pd.DataFrame({"t": t, "y": y, "x1": x1, "x2": x2, "x3": x3}), 2.0


def test_recovers_a_known_effect_where_the_naive_difference_fails() -> None:
    frame, truth = simulate(0)
    est = MatchingEstimator(n_bootstrap=499).fit(
        frame, treatment="t", outcome="y", covariates=COVARIATES
    )
    assert est.ci_low_ < truth < est.ci_high_
    assert abs(est.att_ - truth) < 0.15
    assert est.naive_ > truth + 1.0  # confounding by x1 inflates the naive difference
    assert all(abs(b.smd_after) < 0.1 for b in est.balance_)
    assert max(abs(b.smd_before) for b in est.balance_) > 0.5
    assert est.fit(frame, treatment="t", outcome="y", covariates=COVARIATES) is est


def test_coverage_over_seeds() -> None:
    # 95% intervals over 20 simulated tables: at least 17 cover the truth (binomial(20, 0.95)
    # gives 17 or more with probability 0.98).
    covered = 0
    for seed in range(20):
        frame, truth = simulate(100 + seed, n=1500)
        est = MatchingEstimator(n_bootstrap=299, random_state=seed, adjust="linear").fit(
            frame, treatment="t", outcome="y", covariates=COVARIATES
        )
        covered += est.ci_low_ < truth < est.ci_high_
    assert covered >= 17


def test_seed_reproduces_the_interval() -> None:
    frame, _ = simulate(1, n=800)
    a = MatchingEstimator(random_state=3).fit(frame, treatment="t", outcome="y", covariates=["x1"])
    b = MatchingEstimator(random_state=3).fit(frame, treatment="t", outcome="y", covariates=["x1"])
    assert (a.ci_low_, a.ci_high_) == (b.ci_low_, b.ci_high_)


def test_exact_strata_are_respected() -> None:
    frame, _ = simulate(2, n=1000)
    frame["sex"] = np.where(np.arange(len(frame)) % 2 == 0, "F", "M")
    frame.loc[(frame.sex == "M") & (frame.t == 0), "sex"] = "F"  # no male controls at all
    est = MatchingEstimator().fit(frame.assign(), treatment="t", outcome="y", covariates=COVARIATES)
    strat = MatchingEstimator(exact=["sex"]).fit(
        frame, treatment="t", outcome="y", covariates=COVARIATES
    )
    n_male_treated = int(((frame.sex == "M") & (frame.t == 1)).sum())
    assert strat.unmatched_["no_candidate_in_stratum"] == n_male_treated
    assert est.unmatched_["no_candidate_in_stratum"] == 0


def test_summary_holds_aggregates_only() -> None:
    frame, _ = simulate(3, n=600)
    summary = (
        MatchingEstimator(n_bootstrap=50)
        .fit(frame, treatment="t", outcome="y", covariates=COVARIATES)
        .summary()
    )
    text = json.dumps(summary)
    assert set(summary) >= {"att", "ci_low", "ci_high", "n_treated", "n_controls", "balance"}
    assert len(text) < 2000  # no unit-level rows


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.assign(t=f.t * 2), "0/1"),
        (lambda f: f.assign(t=f.t.astype(float).where(f.index > 0)), "0/1"),
        (lambda f: f.assign(y=f.y.where(f.index > 0)), "outcome"),
        (lambda f: f.assign(x1="a"), "numeric"),
        (lambda f: f.assign(x1=f.x1.where(f.index > 0)), "missing"),
        (lambda f: f.drop(columns="x2"), "no column x2"),
        (lambda f: f.assign(t=0), "both treated units and controls"),
    ],
)
def test_bad_input_is_refused_with_the_rule(change, message) -> None:  # type: ignore[no-untyped-def]
    frame, _ = simulate(4, n=200)
    with pytest.raises(ValueError, match=message):
        MatchingEstimator(n_bootstrap=10).fit(
            change(frame), treatment="t", outcome="y", covariates=COVARIATES
        )


def test_cli_estimate_text_json_and_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame, truth = simulate(5, n=1500)
    path = tmp_path / "units.csv"
    frame.to_csv(path, index=False)
    runner = CliRunner()
    args = [
        "estimate",
        "--table",
        str(path),
        "--treatment",
        "t",
        "--outcome",
        "y",
        "--covariates",
        "x1,x2,x3",
        "--bootstrap",
        "199",
    ]
    result = runner.invoke(cli, [*args, "--json", "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed == json.loads((tmp_path / "r.json").read_text())
    assert printed["ci_low"] < truth < printed["ci_high"]
    assert printed["n_treated"] == int(frame.t.sum())
    text = runner.invoke(cli, args)
    assert text.exit_code == 0 and "ATT" in text.output and "x1" in text.output
    bad = runner.invoke(cli, [*args[:-2], "--covariates", "x1,nope"])
    assert bad.exit_code == 1 and "no column nope" in bad.output
    # Danish spreadsheet dialect: ; and decimal comma.
    danish = tmp_path / "units-da.csv"
    frame.to_csv(danish, index=False, sep=";", decimal=",")
    same = estimate_table(
        danish, treatment="t", outcome="y", covariates=COVARIATES, n_bootstrap=199
    )
    assert same.att_ == pytest.approx(printed["att"])


def test_unreadable_tables(tmp_path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(EvaluationError, match="empty"):
        estimate_table(empty, treatment="t", outcome="y", covariates=["x"])
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(EvaluationError, match="Parquet"):
        estimate_table(broken, treatment="t", outcome="y", covariates=["x"])
