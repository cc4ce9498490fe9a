"""``broen evaluate`` end to end: effects.json and report.html written, exit code 0; with
``--strict`` and a failed gate, exit code 3 and the estimates withheld; ``--index referral``
evaluates from the referral month.

The small hand-made extract of tests/evaluation/conftest.py has too few persons to match anyone
(its one programme's participants find no candidate in their exact strata), so the run here is
on a synthetic population of 3,000 (programme rygestop: 33 referred, 23 analysable), with a
config that keeps it to a few seconds: quarter strata without municipality, 50 bootstrap
replicates, four outcomes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from broen.analytics import import_extract
from broen.analytics.panel import build_panel
from broen.analytics.synth import generate_extract
from broen.cli import cli
from tests.evaluation.test_effects import small_counts

EXIT_GATES_FAILED = 3  # docs/cli.md; broen.analytics.evaluation.EXIT_GATES_FAILED
METRICS = ["cost_total", "acute_admissions", "bed_days", "cost_payer_region"]
CONFIG = f"""\
programme: rygestop
matching: {{period: quarter, municipality: false, age_band_years: 10}}
outcomes:
  metrics: [{", ".join(METRICS)}]
bootstrap: {{replicates: 50}}
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("evaluate")
    generate_extract(root / "extract", persons=3000, start="2018-01", end="2022-12", seed=5)
    warehouse = root / "w.duckdb"
    import_extract(root / "extract", warehouse=warehouse)
    build_panel(warehouse)
    config = root / "rygestop.yaml"
    config.write_text(CONFIG)
    return warehouse, config


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "200", "BROEN_TRACEBACK": None})


# BUG (_did.matched_did, not fixed here): a month in which no matched set has both arms
# observed makes np.nanmean warn "Mean of empty slice" on the user's terminal (the value is
# withheld anyway). tests/evaluation/test_censoring.py has the failing case.
@pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning")
def test_evaluate_writes_effects_and_report(world: tuple[Path, Path], tmp_path: Path) -> None:
    from broen.analytics.evaluation import EXIT_GATES_FAILED as LIBRARY_EXIT

    assert LIBRARY_EXIT == EXIT_GATES_FAILED
    warehouse, config = world
    out = tmp_path / "out" / "rygestop"  # the folders are made
    result = run("evaluate", "--programme", "rygestop", "--config", str(config),
                 "--warehouse", str(warehouse), "--out", str(out))  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["effects.json", "report.html"]
    doc = json.loads((out / "effects.json").read_text())
    assert doc["programme"] == "rygestop" and doc["index"] == "start_date"
    assert [s["step"] for s in doc["flow"]] == [
        "referred",
        "started",
        "index_with_lookback_in_period",
        "resident_with_full_lookback",
        "matched",
    ]
    assert doc["flow"][0]["n"] == 33
    assert isinstance(doc["n_treated"], int) and doc["n_treated"] >= 5
    assert doc["n_treated"] == doc["flow"][-1]["n"]
    assert {o["metric"] for o in doc["outcomes"]} == set(METRICS)
    assert len(doc["outcomes"]) == len(METRICS) * 3
    assert all(len(o["by_month"]) == 48 for o in doc["outcomes"])
    assert doc["estimates_withheld"] is False
    # On 3,000 persons the gates fail; without --strict the estimates are there, marked
    assert doc["gates_passed"] is False
    failed = {g["gate"] for g in doc["gates"] if not g["passed"]}
    assert "balance" in failed
    assert all(set(o["flags"]) >= failed - {"placebo"} for o in doc["outcomes"])
    assert small_counts(doc) == []
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and 'lang="da"' in page
    assert f"Effects: {out / 'effects.json'}" in result.output
    assert f"Report:  {out / 'report.html'}" in result.output
    assert "gate balance: FAILED" in result.output
    assert "Effect per participant, months 0–23" in result.output


def test_strict_with_a_failed_gate_withholds_the_estimates(
    world: tuple[Path, Path], tmp_path: Path
) -> None:
    """--strict exits with 3 and writes the design and the gates only; --index referral
    evaluates everyone referred from the referral month; --lang en."""
    warehouse, config = world
    out = tmp_path / "strict"
    result = run("evaluate", "--programme", "rygestop", "--config", str(config),
                 "--warehouse", str(warehouse), "--out", str(out), "--strict",
                 "--index", "referral", "--lang", "en")  # fmt: skip
    assert result.exit_code == EXIT_GATES_FAILED, result.output
    assert "the estimates are withheld (--strict)" in result.output
    assert "Effect per participant" not in result.output
    doc = json.loads((out / "effects.json").read_text())
    assert doc["estimates_withheld"] is True and doc["gates_passed"] is False
    assert doc["outcomes"] == []
    assert not {"negative_controls", "payers", "subgroups", "participant_measures"} & set(doc)
    assert doc["gates"] and doc["balance"]
    # from the referral: no "started" step, and the index is the referral date
    assert doc["index"] == "referral_date"
    assert [s["step"] for s in doc["flow"]][:2] == ["referred", "index_with_lookback_in_period"]
    assert small_counts(doc) == []
    assert 'lang="en"' in (out / "report.html").read_text()


def test_nobody_matched_is_one_sentence(tmp_path: Path) -> None:
    from tests.evaluation.conftest import PROGRAMME, write_candidates_extract

    extract = write_candidates_extract(tmp_path / "extract")
    warehouse = tmp_path / "w.duckdb"
    import_extract(extract.root, warehouse=warehouse)
    build_panel(warehouse)
    result = run("evaluate", "--programme", PROGRAMME, "--warehouse", str(warehouse),
                 "--out", str(tmp_path / "out"))  # fmt: skip
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and "match" in result.stderr
    assert not (tmp_path / "out").exists()
