"""Each criterion type on the hand-made warehouse (tests/cohort/helpers.py), with known answers
worked out by hand for the index date 2021-06-01."""

from __future__ import annotations

from pathlib import Path

import pytest

from broen.analytics.cohort import CohortError
from tests.cohort.helpers import ALIVE, attrition, members


def inc(*criteria: str) -> str:
    return "inclusion:\n" + "".join(f"  - {c}\n" for c in criteria)


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("age: {min: 30, max: 59}", {"p1", "p2", "p6"}),  # p6 turns 30 on the index date
        ("age: {max: 29}", {"p4", "p7"}),  # p7 turns 30 the day after
        ("sex: F", {"p1", "p7"}),
        ("sex: [M]", {"p2", "p4", "p6"}),
        ("municipality: [376]", {"p2", "p4"}),
        ("education: [basic]", {"p1", "p7"}),
        ("education: [vocational, basic]", {"p1", "p6", "p7"}),
        ("origin: [western]", {"p2"}),
        ("lives_alone: true", {"p1", "p6"}),
    ],
)
def test_person_attributes(warehouse: Path, criterion: str, expected: set[str]) -> None:
    assert members(warehouse, inc(criterion)) == expected


def test_alive_and_resident_is_the_first_step(warehouse: Path) -> None:
    assert members(warehouse, inc("age: {min: 0}")) == ALIVE
    steps = attrition(warehouse)
    assert steps[1].criterion == "alive and resident at the index date"
    assert (steps[1].persons_before, steps[1].persons_kept, steps[1].persons_removed) == (8, 5, 3)


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("diagnosis: {prefixes: [DE11], where: primary, window: 365d}", {"p1"}),
        ("diagnosis: {prefixes: [DE11], where: any, window: 365d}", {"p1", "p2"}),  # B code
        ("diagnosis: {prefixes: [DE11], window: all}", {"p1", "p2", "p6"}),  # not p7: after
        ("diagnosis: {prefixes: [DE11], window: 365d, min_contacts: 2}", {"p1"}),
        ("diagnosis: {prefixes: [DI10-DI15], where: primary, window: 12m}", {"p2"}),
        ("diagnosis: {prefixes: [DI20-DI25], window: all}", set()),
        ("diagnosis: {prefixes: [DF], window: all}", {"p1"}),
        ("diagnosis: {prefixes: [DC], window: all}", {"p7"}),
        ("diagnosis: {prefixes: [DC], window: 12m}", set()),  # 2020-05-01 is 13 months back
    ],
)
def test_diagnosis(warehouse: Path, criterion: str, expected: set[str]) -> None:
    assert members(warehouse, inc(criterion)) == expected


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("atc: {prefixes: [A10], window: 12m}", {"p1", "p2"}),
        ("atc: {prefixes: [A10BA02], window: 12m, min_dispensings: 2}", {"p1"}),
        ("atc: {prefixes: [A10BJ], window: all}", {"p6"}),
        ("atc: {prefixes: [A10BA], window: 4m}", {"p1", "p2"}),  # 2021-02-01 is on the bound
        ("atc: {prefixes: [A10BA], window: 3m}", {"p1"}),
        ("atc: {prefixes: [R03], window: [-1d, 0d]}", {"p6"}),
        ("atc: {prefixes: [R03], window: [-30d, -2d]}", set()),
    ],
)
def test_atc(warehouse: Path, criterion: str, expected: set[str]) -> None:
    assert members(warehouse, inc(criterion)) == expected


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("measurement: {kind: bmi, above: 35, window: 2y}", {"p2"}),  # p1's latest is 34
        ("measurement: {kind: bmi, above: 35, window: 2y, use: any}", {"p1", "p2"}),
        (
            "measurement: {kind: bmi, above: 35, window: 2y, missing: include}",
            {"p2", "p4", "p6", "p7"},  # p7's BMI 41 is from 2018, outside the window
        ),
        ("measurement: {kind: bmi, at_most: 34, window: 2y}", {"p1"}),
        ("measurement: {kind: bmi, equals: 34, window: 2y}", {"p1"}),
        ("measurement: {kind: bmi, below: 35, window: 2y, use: any}", {"p1"}),
        ("measurement: {kind: bmi, at_least: 40, window: all}", {"p2", "p7"}),
    ],
)
def test_measurement(warehouse: Path, criterion: str, expected: set[str]) -> None:
    assert members(warehouse, inc(criterion)) == expected


def test_measurement_where_measured_counts_the_unmeasured(warehouse: Path) -> None:
    members(warehouse, inc("measurement: {kind: bmi, above: 35, window: 2y, missing: include}"))
    step = attrition(warehouse)[-1]
    assert step.note == "3 persons (3 rows) kept without a bmi measurement"
    assert "persons never measured in the window are kept" in step.criterion


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("service_use: {metric: acute_admissions, min: 3, window: 12m}", {"p1"}),
        ("service_use: {metric: acute_admissions, min: 1, window: 12m}", {"p1", "p2"}),
        ("service_use: {metric: acute_admissions, max: 1, window: 12m}", {"p2", "p4", "p6", "p7"}),
        ("service_use: {metric: acute_admissions, max: 0, window: 12m}", {"p4", "p6", "p7"}),
        ("service_use: {metric: gp_contacts, min: 3, window: 12m}", {"p1"}),  # sums services
        ("service_use: {metric: gp_contacts, min: 1, window: all}", {"p1", "p2", "p6"}),
        ("service_use: {metric: emergency_visits, min: 1, window: all}", {"p6", "p7"}),
        ("service_use: {metric: psychiatric_contacts, min: 1, window: all}", {"p1"}),
        ("service_use: {metric: dispensings, min: 2, window: 12m}", {"p1"}),
        ("service_use: {metric: municipal_services, min: 1, window: 3m}", {"p7"}),
    ],
)
def test_service_use_from_the_register_tables(
    warehouse: Path, criterion: str, expected: set[str]
) -> None:
    assert members(warehouse, inc(criterion)) == expected


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        # months 2020-06 .. 2021-05: p1 has 100 + 600 (not 9,000 in 2020-05 nor 50,000 in 2021-06)
        ("service_use: {metric: cost_total, min: 500, window: 12m}", {"p1", "p2"}),
        ("service_use: {metric: cost_total, min: 800, window: 12m}", {"p2"}),
        ("service_use: {metric: cost_total, min: 9000, window: 13m}", {"p1"}),
        (
            "service_use: {metric: acute_admissions, source: panel, min: 1, window: 12m}",
            {"p1", "p2"},
        ),
        # months ending 2019-06-30 .. 2021-04-30: not p2's 2021-05
        (
            "service_use: {metric: cost_total, max: 50, window: [-24m, -1m]}",
            {"p2", "p4", "p6", "p7"},
        ),
        ("service_use: {metric: cost_total, min: 1000, window: 365d}", {"p2"}),
    ],
)
def test_service_use_from_the_panel(warehouse: Path, criterion: str, expected: set[str]) -> None:
    assert members(warehouse, inc(criterion)) == expected


def test_panel_metrics_need_a_built_panel(warehouse_without_panel: Path) -> None:
    with pytest.raises(CohortError, match="build the panel first: broen panel build"):
        members(
            warehouse_without_panel, inc("service_use: {metric: cost_total, min: 1, window: 12m}")
        )


def test_an_unknown_panel_column_is_named(warehouse: Path) -> None:
    with pytest.raises(CohortError, match="no column 'services_dentist'"):
        members(
            warehouse,
            inc("service_use: {metric: services_dentist, source: panel, min: 1, window: 12m}"),
        )


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("sectors: {min: 3, window: 12m}", {"p1", "p2"}),
        ("sectors: {min: 5, window: 12m}", {"p2"}),  # municipal care running into the window
        ("sectors: {min: 2, window: 12m, sectors: [hospital, municipal_care]}", {"p2"}),
        ("sectors: {min: 1, window: 12m, sectors: [transfers]}", {"p1"}),  # not retirement
        ("sectors: {min: 1, window: 12m, sectors: [municipal_care]}", {"p2", "p7"}),
    ],
)
def test_sectors(warehouse: Path, criterion: str, expected: set[str]) -> None:
    assert members(warehouse, inc(criterion)) == expected


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("transfer_state: {states: [sickness_benefit], at: index}", {"p2"}),
        ("transfer_state: {states: [retirement, education], at: index}", {"p6", "p7"}),
        ("transfer_state: {states: [sickness_benefit], window: 12m, min_weeks: 2}", {"p1"}),
        ("transfer_state: {states: [sickness_benefit], window: 12m}", {"p1"}),  # W22 is after
    ],
)
def test_transfer_state(warehouse: Path, criterion: str, expected: set[str]) -> None:
    assert members(warehouse, inc(criterion)) == expected
