"""The panel against an independent reference computed from the raw files, and the rules the
issue names: bed days by night, weeks by Thursday, residence, ages, the build report."""

from __future__ import annotations

from pathlib import Path

import pytest

from broen.analytics.panel import PANEL_COLUMNS, V1_METRICS

from .extract import PERIOD, PanelExtract
from .helpers import differences, panel_cells, same
from .reference import reference_panel, totals_by_year

DERIVED = ("cost_payer_", "transfer_payer_")


def _f(value: object) -> float:
    assert isinstance(value, int | float)
    return float(value)


@pytest.fixture(scope="module")
def reference(panel_extract: PanelExtract) -> dict[tuple[str, str], dict[str, float]]:
    return reference_panel([panel_extract.root], PERIOD)


def test_totals_per_metric_and_year_equal_the_reference(
    built: Path, reference: dict[tuple[str, str], dict[str, float]]
) -> None:
    cells = panel_cells(built)
    expected = totals_by_year(reference)
    years = {int(month[:4]) for _, month in cells}
    assert years == {2019, 2020, 2021}
    for metric in PANEL_COLUMNS[2:]:
        if metric.startswith(DERIVED):
            continue
        for year in years:
            got = sum(_f(r[metric]) for (_, m), r in cells.items() if int(m[:4]) == year)
            assert same(got, expected.get((metric, year), 0.0)), (metric, year)
    for metric in V1_METRICS:  # the extract exercises every metric of contract v1
        assert any(expected.get((metric, y), 0) > 0 for y in years), metric


def test_every_cell_equals_the_reference(
    built: Path, reference: dict[tuple[str, str], dict[str, float]]
) -> None:
    cells = panel_cells(built)
    assert cells.keys() == reference.keys()
    wrong = [
        f"{key} {column}: {row[column]} != {reference[key].get(column, 0.0)}"
        for key, row in cells.items()
        for column in PANEL_COLUMNS[2:]
        if not column.startswith(DERIVED)
        and not same(_f(row[column]), reference[key].get(column, 0.0))
    ]
    assert wrong == []


def test_a_stay_from_30_january_to_3_february_has_two_bed_days_in_each(built: Path) -> None:
    cells = panel_cells(built)
    assert cells["stay0130", "2020-01"]["bed_days"] == 2
    assert cells["stay0130", "2020-02"]["bed_days"] == 2
    assert cells["stay0130", "2020-01"]["acute_admissions"] == 1
    assert cells["stay0130", "2020-02"]["acute_admissions"] == 0
    jan = _f(cells["stay0130", "2020-01"]["cost_hospital_acute_inpatient"])
    feb = _f(cells["stay0130", "2020-02"]["cost_hospital_acute_inpatient"])
    assert jan == pytest.approx(feb * 2 / 3)  # 30, 31 January; 1, 2, 3 February


def test_a_week_belongs_to_the_month_of_its_thursday(built: Path) -> None:
    cells = panel_cells(built)
    # 2020-W05: Monday 27 January .. Sunday 2 February, Thursday 30 January.
    assert _f(cells["leap1956", "2020-01"]["weeks_cash_benefit"]) >= 1
    # 2020-W53: Thursday 31 December 2020.
    assert _f(cells["leap1956", "2020-12"]["weeks_cash_benefit"]) >= 1


def test_the_death_day_is_resident_and_the_moving_day_is_not(built: Path) -> None:
    cells = panel_cells(built)
    assert cells["dies0301", "2020-02"]["days_resident"] == 29
    # Dies on 1 March: alive that day, as in CPR, so March has one resident day and the GP
    # visit on the death day.
    assert cells["dies0301", "2020-03"]["days_resident"] == 1
    assert _f(cells["dies0301", "2020-03"]["gp_contacts"]) >= 1
    assert ("dies0301", "2020-04") not in cells
    assert cells["moves0715", "2020-07"]["days_resident"] == 14
    assert ("born2020", "2020-02") not in cells
    assert cells["born2020", "2020-03"]["days_resident"] == 15  # 17..31 March
    assert not any(pid == "late2022" for pid, _ in cells)


def test_ages_and_the_working_age_window(built: Path) -> None:
    cells = panel_cells(built)
    assert cells["leap2004", "2020-02"]["age"] == 15
    assert cells["leap2004", "2020-03"]["age"] == 16
    assert cells["leap1956", "2021-02"]["age"] == 64
    assert cells["leap1956", "2021-03"]["age"] == 65  # 29 February falls on 1 March in 2021
    assert cells["leap1956", "2021-03"]["weeks_self_supporting"] == 0
    assert cells["born2020", "2020-03"]["age"] == 0


def test_the_report_counts_what_falls_outside(tmp_path: Path, panel_extract: PanelExtract) -> None:
    from broen.analytics import import_extract
    from broen.analytics.panel import build_panel

    warehouse = tmp_path / "w.duckdb"
    import_extract(panel_extract.root, warehouse=warehouse)
    report = build_panel(warehouse)
    assert report.mode == "full"
    assert report.rows_written == report.panel_rows == len(panel_cells(warehouse))
    excluded = {(e.source, e.measure): e for e in report.excluded}
    assert excluded["primary_care", "DKK"].excluded > 0  # e.g. moves0715's visit after moving
    assert excluded["hospital_contacts", "bed days"].excluded > 0
    assert all(e.excluded >= -1e-6 for e in report.excluded)
    assert build_panel(warehouse).mode == "unchanged"


def test_payer_columns_sum_to_the_totals(built: Path) -> None:
    for row in panel_cells(built).values():
        payers = ("region", "municipality", "state", "citizen")
        costs = sum(_f(row[f"cost_payer_{p}"]) for p in payers)
        transfers = _f(row["transfer_payer_municipality"]) + _f(row["transfer_payer_state"])
        assert same(costs, row["cost_total"])
        assert same(transfers, row["transfer_dkk"])
    assert differences(panel_cells(built), panel_cells(built)) == []
