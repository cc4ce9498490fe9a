"""The payer mapping: defaults, validation with line numbers, and a user file applied."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from broen.analytics import ConfigurationError
from broen.analytics.panel import COST_CATEGORIES, build_panel, load_payers

from .helpers import panel_cells


def test_defaults_cover_every_category_and_sum_to_one() -> None:
    payers = load_payers()
    assert set(payers.costs) == set(COST_CATEGORIES)
    assert len(payers.transfers) == 9
    for shares in [*payers.costs.values(), *payers.transfers.values()]:
        assert sum(shares.values()) == pytest.approx(1.0)
    assert payers.cost_share("medicine_subsidy", "region") == 1.0
    assert payers.cost_share("medicine_copayment", "citizen") == 1.0
    assert payers.cost_share("hospital_inpatient", "municipality") == 0.0
    assert payers.transfer_share("retirement", "state") == 1.0


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("version: 1\ncosts:\n  pc_gp: {region: 0.5}\n", 3, "sum to 0.5"),
        ("version: 1\ncosts:\n  pc_gp: {region: 1.0}\n  hospitals: {region: 1}\n", 4, "unknown"),
        ("costs:\n  pc_gp:\n    region: 0.5\n    county: 0.5\n", 4, "unknown payer"),
        ("transfers:\n  retirement: {region: 1.0}\n", 2, "unknown payer"),
        ("costs:\n  pc_gp: {region: lots}\n", 2, "not a number"),
        ("costs:\n  pc_gp: {region: 1.5, citizen: -0.5}\n", 2, "between 0 and 1"),
        ("version: 2\n", 1, "version"),
        ("payers: {}\n", 1, "unknown key"),
        ("costs: [1, 2]\n", 1, "mapping"),
    ],
)
def test_a_bad_file_is_refused_with_its_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = tmp_path / "payers.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError) as err:
        load_payers(path)
    assert f"line {line}:" in str(err.value)
    assert words in str(err.value)


def test_a_user_file_changes_the_split_and_rebuilds_everything(tmp_path: Path, built: Path) -> None:
    path = tmp_path / "payers.yaml"
    path.write_text(
        "version: 1\ncosts:\n"
        "  hospital_inpatient: {region: 0.9, municipality: 0.1}\n"
        "  hospital_outpatient: {region: 0.9, municipality: 0.1}\n"
        "  hospital_emergency: {region: 0.9, municipality: 0.1}\n"
        "transfers:\n  retirement: {municipality: 0.25, state: 0.75}\n"
    )
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(built, warehouse)
    report = build_panel(warehouse, payers=path)
    assert report.mode == "full" and "payer" in report.reason
    before, after = panel_cells(built), panel_cells(warehouse)
    for key, row in after.items():
        old = before[key]

        def f(r: dict[str, object], c: str) -> float:
            value = r[c]
            assert isinstance(value, int | float)
            return float(value)

        hospital = f(row, "cost_hospital_acute") + f(row, "cost_hospital_planned")
        added = f(row, "cost_payer_municipality") - f(old, "cost_payer_municipality")
        assert added == pytest.approx(0.1 * hospital, abs=1e-6)
        moved = f(row, "transfer_payer_municipality") - f(old, "transfer_payer_municipality")
        assert moved == pytest.approx(0.25 * f(row, "transfer_dkk_retirement"), abs=1e-6)
