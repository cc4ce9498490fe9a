"""``broen settle`` end to end on a small synthetic warehouse: the contract's evaluation, the
statements, the ledger's netting, reproducibility to the byte, early termination, the CLI.

The warehouse: 3,000 persons, 2016-01 .. 2022-12, every programme's reach times 15, so that
rygestop has about 120 analysable participants. The contract pays for fewer acute bed days
(region) and for completed courses (municipality), in a provisional year 1 and a final
cumulative year 2 that trues it up. Its evaluation config (next to it) keeps the run short.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from broen.analytics.settlement import (
    SettlementError,
    contract_config,
    export_indigo,
    load_contract,
    settle_contract,
)
from broen.cli import cli
from tests.settlement.conftest import CONTRACT, World

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def settled(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("statements")
    contract = load_contract(world.contract)
    first, doc1 = settle_contract(contract, "year-1", out, warehouse=world.warehouse)
    second, doc2 = settle_contract(
        contract, "year-2", out, status="final", warehouse=world.warehouse
    )
    return {"out": out, "year1": doc1, "year2": doc2, "run1": first, "run2": second}


def _without_time(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text())
    doc.pop("generated_at")
    return doc


def test_the_evaluation_is_the_contracts(world: World) -> None:
    contract = load_contract(world.contract)
    config, cohorts = contract_config(contract, "year-2")
    assert cohorts == ("early", "late")
    assert config.cohorts == (
        (date(2017, 1, 1), date(2018, 12, 1)),
        (date(2019, 1, 1), date(2020, 12, 1)),
    )
    assert (0, 23) in config.outcomes.windows and config.outcomes.metrics == (
        "bed_days",
        "emergency_visits",
    )
    assert config.bootstrap.replicates == 99  # the named config's own settings


def test_statements_add_up(settled: dict[str, Any]) -> None:
    for doc in (settled["year1"], settled["year2"]):
        lines, payers, total = doc["lines"], doc["payers"], doc["total"]
        assert sum(x["due_ore"] for x in lines) == total["due_ore"]
        assert sum(p["due_ore"] for p in payers) == total["due_ore"]
        assert sum(x["entitlement_ore"] for x in lines) == total["entitlement_ore"]
        for x in lines:
            assert x["due_ore"] == x["entitlement_ore"] - x["paid_before_ore"]
            assert x["due"] == f"{x['due_ore'] / 100:.2f}"
        flow = doc["evaluation"]["flow"]
        assert flow["in_cohorts"] >= flow["matched"] >= 5
    bed = {
        d: next(x for x in settled[d]["lines"] if x["rule"] == "region-bed-days")
        for d in ("year1", "year2")
    }
    assert bed["year2"]["paid_before_ore"] == bed["year1"]["due_ore"]  # year 2 nets year 1
    folder = settled["out"] / "year-2-final"
    assert (folder / "statement-region.html").exists() and (
        folder / "statement-kommune.html"
    ).exists()
    assert (folder / "evaluation" / "report.html").exists()
    html = (folder / "statement-region.html").read_text()
    assert "Afregningsopgørelse" in html and "Endelig" in html
    amount = bed["year2"]["due_ore"]
    whole, part = divmod(abs(amount), 100)
    assert f"{whole:,}".replace(",", ".") + f",{part:02d} kr." in html


def test_the_smoke_free_rate_card_counts_the_measured(
    world: World, settled: dict[str, Any]
) -> None:
    """Participants who smoked at the start (within 90 days before to 30 after) and not at the
    measurement nearest 6 months (within 45 days), counted here with DuckDB on the tables."""
    import duckdb

    participants = settled["run2"].evaluation.design.participants[["person_id", "index_date"]]
    con = duckdb.connect(str(world.warehouse), read_only=True)
    con.register("parts", participants)
    (expected,) = con.execute(
        """
        WITH m AS (SELECT p.person_id, m.date - p.index_date AS d, m.value
                   FROM measurements m JOIN parts p USING (person_id) WHERE m.kind = 'smoking'),
        base AS (SELECT person_id, arg_max(value, d) AS v FROM m WHERE d BETWEEN -90 AND 30
                 GROUP BY person_id),
        follow AS (SELECT person_id, arg_min(value, abs(d - 182.625)) AS v FROM m
                   WHERE abs(d - 182.625) <= 45 GROUP BY person_id)
        SELECT count(*) FROM base JOIN follow USING (person_id) WHERE base.v = 1 AND follow.v = 0
        """
    ).fetchone()
    con.close()
    line = next(x for x in settled["year2"]["lines"] if x["rule"] == "kommune-smoke-free")
    assert line["avoided"] == expected and expected >= 5
    assert line["entitlement_ore"] == expected * 500 * 100


def test_the_investors_get_what_was_due(settled: dict[str, Any]) -> None:
    doc = json.loads((settled["out"] / "investors.json").read_text())
    ledger = json.loads((settled["out"] / "ledger.json").read_text())
    due = sum(sum(e["due"].values()) for e in ledger["entries"])
    assert doc["paid_in_ore"] == due
    (fund,) = doc["investors"]
    assert fund["received_ore"] + doc["to_provider_ore"] == due
    assert fund["invested_ore"] == 12_000_000
    assert fund["investor_repayment"] in ("none", "some", "principal only", "principal + return")


def test_the_completion_rate_card_counts_the_cohort(settled: dict[str, Any]) -> None:
    doc = settled["year2"]
    line = next(x for x in doc["lines"] if x["rule"] == "kommune-completion")
    participants = settled["run2"].evaluation.design.participants
    completed = int((participants["status"] == "completed").sum())
    assert line["avoided"] == completed and line["entitlement_ore"] == completed * 1000 * 100


def test_a_rerun_is_byte_identical(world: World, settled: dict[str, Any]) -> None:
    out = settled["out"]
    before = _without_time(out / "year-1-provisional" / "settlement.json")
    ledger = (out / "ledger.json").read_text()
    settle_contract(load_contract(world.contract), "year-1", out, warehouse=world.warehouse)
    assert _without_time(out / "year-1-provisional" / "settlement.json") == before
    assert (out / "ledger.json").read_text() == ledger
    assert before["reproducibility"]["contract_sha256"] == load_contract(world.contract).sha256
    assert len(before["reproducibility"]["warehouse_batches_sha256"]) == 64


def test_early_termination(world: World, tmp_path: Path) -> None:
    contract = load_contract(world.contract)
    # by 2021-06: the early cohort (starts to 2018-12, 24 months) is complete, the late is not
    config, cohorts = contract_config(contract, "year-2", terminated_on=date(2021, 6, 1))
    assert cohorts == ("early",) and config.cohorts == ((date(2017, 1, 1), date(2018, 12, 1)),)
    with pytest.raises(SettlementError, match="no cohort of period 'year-2' completed"):
        contract_config(contract, "year-2", terminated_on=date(2019, 1, 1))


def test_cli(world: World, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "settle",
            str(world.contract),
            "--period",
            "year-1",
            "--out",
            str(tmp_path),
            "--warehouse",
            str(world.warehouse),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Region Sjælland" in result.output and "Statements:" in result.output
    result = runner.invoke(
        cli,
        [
            "settle",
            str(world.contract),
            "--period",
            "year-9",
            "--out",
            str(tmp_path),
            "--warehouse",
            str(world.warehouse),
        ],
    )
    assert result.exit_code == 1 and "unknown period 'year-9'" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(CONTRACT.replace("payer: kommune\n", "payer: nobody\n"))
    result = runner.invoke(cli, ["contract", "validate", str(bad)])
    assert result.exit_code == 1 and "'nobody' is not a party with the role payer" in result.output


def test_indigo_export(world: World, settled: dict[str, Any], tmp_path: Path) -> None:
    from broen.analytics.settlement._indigo import check_indigo

    contract = load_contract(world.contract)
    out = tmp_path / "indigo.json"
    doc = export_indigo(contract, settled["out"], out)
    assert json.loads(out.read_text()) == doc
    ledger = json.loads((settled["out"] / "ledger.json").read_text())
    due = sum(sum(e["due"].values()) for e in ledger["entries"])
    actual = [p for p in doc["outcome_payments"] if p["type"]["value"] == "Actual"]
    assert round(sum(p["money"]["amount"]["value"] for p in actual) * 100) == due
    assert [r["result_type"]["value"] for r in doc["results"]] == ["Interim", "Final"]
    assert {m["id"] for m in doc["outcome_metrics"]} == {"bed-days", "completed", "smoke-free"}
    (investment,) = doc["investments"]
    assert investment["investment_commitment"]["amount"]["exact"]["value"] == 120_000
    assert investment["investment_type"]["value"] == "Combination"
    assert investment["investor_repayment"]["value"].startswith(
        ("No repayment", "Some repayment", "Principal")
    )
    # a misspelt field or an unknown codelist value is caught
    doc["outcome_metrics"][0]["definiton"] = {"value": "x"}
    with pytest.raises(ValueError, match="definiton"):
        check_indigo(doc)
    del doc["outcome_metrics"][0]["definiton"]
    doc["outcome_payments"][0]["type"] = {"value": "Expected"}
    with pytest.raises(ValueError, match="Expected"):
        check_indigo(doc)
    result = CliRunner().invoke(
        cli,
        [
            "contract",
            "indigo",
            str(world.contract),
            "--settlements",
            str(settled["out"]),
            "--out",
            str(tmp_path / "cli.json"),
        ],
    )
    assert result.exit_code == 0 and "INDIGO:" in result.output, result.output


def test_a_declared_blend_of_estimators(world: World) -> None:
    """80 % matched DiD and 20 % event study (Massachusetts' backstop): the estimate and its
    interval bounds are the weighted sums; the event study only over its own window. (All who
    started, not the contract's cohorts: the event study needs later starters as controls.)"""
    from dataclasses import replace
    from decimal import Decimal

    from broen.analytics.evaluation import evaluate
    from broen.analytics.settlement._model import Blend, Cohort
    from broen.analytics.settlement._settle import period_effects

    contract = load_contract(world.contract)
    everyone = Cohort("all", date(2016, 1, 1), date(2022, 12, 1))
    blended = replace(
        contract,
        cohorts={"all": everyone},
        periods={k: replace(p, cohorts=("all",)) for k, p in contract.periods.items()},
        blend=(Blend("matched_did", Decimal("0.8")), Blend("event_study", Decimal("0.2"))),
    )
    config, _ = contract_config(blended, "year-2")
    ev = evaluate("rygestop", config=config, warehouse=world.warehouse)
    assert "bed_days" in ev.event_study
    effect = period_effects(blended, blended.periods["year-2"], ev, world.warehouse)["bed-days"]
    did, cross = ev.effects["bed_days"].did.windows[(0, 23)], ev.event_study["bed_days"]
    assert effect.att == pytest.approx(0.8 * did.value + 0.2 * cross.value)
    assert effect.ci_low == pytest.approx(0.8 * did.ci_low + 0.2 * cross.ci_low)
    assert effect.se == pytest.approx(0.8 * did.se + 0.2 * cross.se)
    with pytest.raises(SettlementError, match="blend it only into that window"):
        period_effects(blended, blended.periods["year-1"], ev, world.warehouse)
