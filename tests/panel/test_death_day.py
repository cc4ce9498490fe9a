"""A person is alive on the date of death, as in CPR (issue 9, section 5): the death day counts
for residence, spread costs, admissions, visits, point events and weeks, and an extract whose
events lie on or before death loses nothing between its rows and the panel. The expected
numbers are worked out by hand from tests/panel/death_extract.py."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from broen.analytics import import_extract
from broen.analytics.panel import PANEL_COLUMNS, PanelBuildReport, build_panel

from .death_extract import PERIOD, DeathExtract, write_death_extract
from .extract import COLUMNS
from .helpers import Row, differences, panel_cells, same
from .reference import reference_panel

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Totals = dict[tuple[str, int], float]
PAYERS = ("cost_payer_", "transfer_payer_")  # depend on the payer mapping, tested elsewhere
TOTALLED = (
    "cost_total", "cost_hospital_acute", "cost_hospital_planned", "cost_primary_care",
    "cost_medicine", "cost_municipal", "acute_admissions", "emergency_visits", "gp_contacts",
    "transfer_dkk", "bed_days", "dispensings",
)  # fmt: skip
# The raw rows of the extract without after-death rows, per metric and calendar year.
RAW = {
    2020: {"cost_total": 8200, "cost_hospital_acute": 4000, "cost_hospital_planned": 0,
           "cost_primary_care": 450, "cost_medicine": 500, "cost_municipal": 3250,
           "acute_admissions": 1, "emergency_visits": 0, "gp_contacts": 3, "transfer_dkk": 9000,
           "bed_days": 3, "dispensings": 1},
    2021: {"cost_total": 4630, "cost_hospital_acute": 2300, "cost_hospital_planned": 2000,
           "cost_primary_care": 210, "cost_medicine": 120, "cost_municipal": 0,
           "acute_admissions": 1, "emergency_visits": 1, "gp_contacts": 1, "transfer_dkk": 4700,
           "bed_days": 3, "dispensings": 1},
}  # fmt: skip
MONTHS = {  # each person's months in the panel: the last is the month of death (or moving)
    "hosp0521": ("2020-01", "2020-05"),
    "first0301": ("2020-01", "2021-03"),
    "week1119": ("2020-01", "2020-11"),
    "tue1013": ("2020-01", "2020-10"),
    "moves0810": ("2020-01", "2020-08"),
    "same0617": ("2020-01", "2021-06"),
}
# Every non-zero metric of these cells (with the after-death rows, which add nothing here but
# tue1013's three resident days of the stay ending the day after death).
CELLS: dict[tuple[str, str], dict[str, float]] = {
    # 22 April - 21 May in a nursing home, 3000 DKK over 30 days: 9 in April, 21 in May.
    ("hosp0521", "2020-04"): {
        "age": 60, "days_resident": 30, "weeks_self_supporting": 5,
        "cost_municipal_nursing_home": 900, "cost_municipal": 900, "cost_total": 900,
    },
    # Dies Thursday 21 May at the end of a 4-day stay (18-21 May, nights 18, 19, 20). Thursdays
    # 7, 14 and 21 May count; 28 May is after death.
    ("hosp0521", "2020-05"): {
        "age": 60, "days_resident": 21, "weeks_self_supporting": 3,
        "cost_hospital_acute_inpatient": 4000, "cost_hospital_acute": 4000, "bed_days": 3,
        "acute_admissions": 1, "cost_municipal_nursing_home": 2100,
        "cost_municipal_home_nursing": 250, "cost_municipal": 2350, "cost_pc_gp": 300,
        "cost_primary_care": 300, "services_gp": 2, "gp_contacts": 2, "cost_medicine": 500,
        "medicine_subsidy_dkk": 200, "dispensings": 1, "cost_total": 7150,
    },
    # The planned stay 26 February - 1 March: 2000 DKK over 4 days, nights 26, 27, 28 February.
    ("first0301", "2021-02"): {
        "age": 71, "days_resident": 28, "cost_hospital_planned_inpatient": 1500,
        "cost_hospital_planned": 1500, "bed_days": 3, "planned_admissions": 1,
        "cost_total": 1500,
    },
    # Dies on 1 March: one resident day with an admission, an emergency visit, the stay's last
    # day and a GP visit (services empty = 1).
    ("first0301", "2021-03"): {
        "age": 71, "days_resident": 1, "cost_hospital_acute_inpatient": 1500,
        "cost_hospital_acute_emergency": 800, "cost_hospital_acute": 2300,
        "cost_hospital_planned_inpatient": 500, "cost_hospital_planned": 500,
        "acute_admissions": 1, "emergency_visits": 1, "cost_pc_gp": 210,
        "cost_primary_care": 210, "services_gp": 1, "gp_contacts": 1, "cost_total": 3010,
    },
    # Thursdays 5 (no transfer: self-supporting), 12 and 19 November (sickness benefit; the
    # 19th is the death day); 26 November is after death.
    ("week1119", "2020-11"): {
        "age": 40, "days_resident": 19, "weeks_self_supporting": 1,
        "weeks_sickness_benefit": 2, "transfer_dkk_sickness_benefit": 7000,
        "transfer_dkk": 7000,
    },
    # Dies Tuesday 13 October. Thursdays 1 (self-supporting) and 8 October (unemployment) count;
    # 2020-W42 (Thursday 15 October) does not. The stay 11-14 October keeps 3 of its 4 days
    # and 3 nights: 11, 12 and 13 October, the night that begins on the death day included.
    ("tue1013", "2020-10"): {
        "age": 50, "days_resident": 13, "weeks_self_supporting": 1, "weeks_unemployment": 1,
        "transfer_dkk_unemployment": 2000, "transfer_dkk": 2000,
        "cost_hospital_acute_inpatient": 3000, "cost_hospital_acute": 3000, "bed_days": 3,
        "acute_admissions": 1, "cost_total": 3000,
    },
    # Moves out Monday 10 August: resident 1-9 August (Thursday 6 August), not on the death day.
    ("moves0810", "2020-08"): {
        "age": 45, "days_resident": 9, "weeks_self_supporting": 1, "cost_pc_gp": 150,
        "cost_primary_care": 150, "services_gp": 1, "gp_contacts": 1, "cost_total": 150,
    },
    # Moves out and dies on Thursday 17 June: death came first, so the day counts.
    ("same0617", "2021-06"): {
        "age": 76, "days_resident": 17, "cost_medicine": 120, "dispensings": 1,
        "weeks_retirement": 1, "transfer_dkk_retirement": 4700, "transfer_dkk": 4700,
        "cost_total": 120,
    },
}  # fmt: skip
# What the build report counts as outside the panel: only the after-death rows.
AFTER_DEATH_EXCLUDED = {
    ("hospital_contacts", "DKK"): 1000,  # 14 October, the day after tue1013's death
    ("primary_care", "services"): 1,  # moves0810's visit on the death day, after moving out
    ("primary_care", "DKK"): 150,
    ("transfers", "weeks"): 1,  # tue1013's 2020-W42
    ("transfers", "DKK"): 2000,
}


def _build(root: Path, after_death: bool) -> tuple[DeathExtract, Path, PanelBuildReport]:
    extract = write_death_extract(root / "extract", after_death=after_death)
    warehouse = root / "w.duckdb"
    imported = import_extract(extract.root, warehouse=warehouse)
    assert imported.rows_rejected == 0, imported.rule_counts()
    return extract, warehouse, build_panel(warehouse)


@pytest.fixture(scope="module")
def on_or_before(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[DeathExtract, Path, PanelBuildReport]:
    return _build(tmp_path_factory.mktemp("death"), after_death=False)


@pytest.fixture(scope="module")
def with_after(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[DeathExtract, Path, PanelBuildReport]:
    return _build(tmp_path_factory.mktemp("after"), after_death=True)


def _months(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y}-{m:02d}" <= last:
        out.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _number(value: object) -> float:
    assert isinstance(value, int | float)
    return float(value)


def raw_totals(extract: DeathExtract) -> Totals:
    """The raw rows' totals per metric and calendar year (no span crosses a year)."""
    out: Totals = defaultdict(float)

    def rows(table: str) -> list[dict[str, object]]:
        return [dict(zip(COLUMNS[table], r, strict=True)) for r in extract.tables[table]]

    def add(metric: str, year: int, value: object) -> None:
        out[metric, year] += _number(value)

    for r in rows("hospital_contacts"):
        start, end = str(r["start"]), str(r["end"])
        year = int(start[:4])
        assert int(end[:4]) == year
        add(f"cost_hospital_{r['priority']}", year, r["cost_dkk"])
        add("cost_total", year, r["cost_dkk"])
        if r["setting"] == "inpatient":
            nights = date.fromisoformat(end[:10]) - date.fromisoformat(start[:10])
            add("bed_days", year, nights.days)
            add("acute_admissions", year, int(r["priority"] == "acute"))
        add("emergency_visits", year, int(r["setting"] == "emergency"))
    for r in rows("primary_care"):
        for metric in ("cost_primary_care", "cost_total"):
            add(metric, int(str(r["date"])[:4]), r["fee_dkk"])
        if r["provider"] == "gp":
            add("gp_contacts", int(str(r["date"])[:4]), r["services"] or 1)
    for r in rows("prescriptions"):
        for metric in ("cost_medicine", "cost_total"):
            add(metric, int(str(r["dispensing_date"])[:4]), r["cost_dkk"])
        add("dispensings", int(str(r["dispensing_date"])[:4]), 1)
    for r in rows("municipal_services"):
        assert not r["end_date"] or str(r["end_date"])[:4] == str(r["start_date"])[:4]
        for metric in ("cost_municipal", "cost_total"):
            add(metric, int(str(r["start_date"])[:4]), r["cost_dkk"])
    for r in rows("transfers"):
        week = str(r["week"])
        thursday = date.fromisocalendar(int(week[:4]), int(week[6:]), 4)
        add("transfer_dkk", thursday.year, r["amount_dkk"] or 0)
    return out


def panel_totals(cells: dict[tuple[str, str], Row]) -> Totals:
    out: Totals = defaultdict(float)
    for (_, month), row in cells.items():
        for metric in TOTALLED:
            out[metric, int(month[:4])] += _number(row[metric])
    return out


def _assert_totals_equal_raw(
    extract: DeathExtract, cells: dict[tuple[str, str], Row], report: PanelBuildReport
) -> None:
    raw, panel = raw_totals(extract), panel_totals(cells)
    for year, expected in RAW.items():
        for metric in TOTALLED:
            assert same(raw[metric, year], expected[metric]), (metric, year)  # the reader
            assert same(panel[metric, year], expected[metric]), (metric, year)
    assert [(e.source, e.measure) for e in report.excluded if abs(e.excluded) > 1e-9] == []


def test_the_cells_around_death_are_as_worked_out_by_hand(
    with_after: tuple[DeathExtract, Path, PanelBuildReport],
) -> None:
    cells = panel_cells(with_after[1])
    assert sorted(cells) == sorted(
        (pid, month) for pid, span in MONTHS.items() for month in _months(*span)
    )
    wrong = [
        f"{key} {column}: {cells[key][column]} != {expected.get(column, 0)}"
        for key, expected in CELLS.items()
        for column in PANEL_COLUMNS[2:]
        if not column.startswith(PAYERS) and not same(cells[key][column], expected.get(column, 0))
    ]
    assert wrong == []


def test_totals_per_metric_and_year_equal_the_raw_rows(
    on_or_before: tuple[DeathExtract, Path, PanelBuildReport],
) -> None:
    extract, warehouse, report = on_or_before
    _assert_totals_equal_raw(extract, panel_cells(warehouse), report)


def test_only_what_lies_after_death_or_moving_out_is_excluded(
    with_after: tuple[DeathExtract, Path, PanelBuildReport],
) -> None:
    excluded = {(e.source, e.measure): e.excluded for e in with_after[2].excluded}
    assert len(excluded) == 10
    for key, value in excluded.items():
        assert same(value, AFTER_DEATH_EXCLUDED.get(key, 0)), key


@pytest.mark.parametrize("variant", ["on_or_before", "with_after"])
def test_every_cell_equals_the_reference(variant: str, request: pytest.FixtureRequest) -> None:
    extract, warehouse, _ = request.getfixturevalue(variant)
    reference = reference_panel([extract.root], PERIOD)
    cells = panel_cells(warehouse)
    assert cells.keys() == reference.keys()
    wrong = [
        f"{key} {column}"
        for key, row in cells.items()
        for column in PANEL_COLUMNS[2:]
        if not column.startswith(PAYERS)
        and not same(_number(row[column]), reference[key].get(column, 0.0))
    ]
    assert wrong == []


def test_a_panel_from_before_the_death_day_counted_is_rebuilt_in_full(
    on_or_before: tuple[DeathExtract, Path, PanelBuildReport], tmp_path: Path
) -> None:
    old = tmp_path / "old.duckdb"
    old.write_bytes(on_or_before[1].read_bytes())
    with duckdb.connect(str(old)) as con:  # as pipeline version 2 left it: no 1 March 2021 row
        con.execute("DELETE FROM panel_base WHERE person_id = 'first0301' AND month = '2021-03-01'")
        con.execute("UPDATE panel_builds SET pipeline_version = 2")

    report = build_panel(old)

    assert (report.mode, report.reason) == ("full", "this Broen computes the panel differently")
    assert differences(panel_cells(old), panel_cells(on_or_before[1])) == []


@pytest.mark.slow
def test_spark_counts_the_death_day_like_duckdb(
    tmp_path: Path,
    on_or_before: tuple[DeathExtract, Path, PanelBuildReport],
    with_after: tuple[DeathExtract, Path, PanelBuildReport],
    spark: SparkSession,
) -> None:
    built = []
    for i, (extract, duck, duck_report) in enumerate((on_or_before, with_after)):
        warehouse = tmp_path / f"spark{i}.duckdb"
        import_extract(extract.root, warehouse=warehouse)
        report = build_panel(warehouse, engine="spark", spark=spark)
        assert (report.mode, report.engine) == ("full", "spark")
        assert differences(panel_cells(warehouse), panel_cells(duck)) == []
        for ours, theirs in zip(report.excluded, duck_report.excluded, strict=True):
            assert (ours.source, ours.measure) == (theirs.source, theirs.measure)
            assert same(ours.excluded, theirs.excluded), (ours.source, ours.measure)
        built.append((warehouse, report))
    (warehouse, report), _ = built
    _assert_totals_equal_raw(on_or_before[0], panel_cells(warehouse), report)
