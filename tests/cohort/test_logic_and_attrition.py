"""all/any/not nesting, exclusions, attrition bookkeeping, index rules, and rebuilding."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import duckdb
import pytest

from broen.analytics.cohort import build_cohort, list_cohorts, parse_definition
from tests.cohort.helpers import ALIVE, PERSONS, attrition, member_rows, members

FEMALE = {p[0] for p in PERSONS if p[2] == "F"} & ALIVE
BASIC = {p[0] for p in PERSONS if p[4] == "basic"} & ALIVE
MALE_ALONE = {p[0] for p in PERSONS if p[2] == "M" and p[6]} & ALIVE


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("  - any:\n      - sex: F\n      - age: {min: 50}\n", FEMALE | {"p1"}),
        ("  - not: {sex: F}\n", ALIVE - FEMALE),
        ("  - all:\n      - sex: F\n      - not: {education: [basic]}\n", FEMALE - BASIC),
        (
            "  - any:\n      - all: [sex: M, lives_alone: true]\n"
            "      - diagnosis: {prefixes: [DC], window: all}\n",
            MALE_ALONE | {"p7"},
        ),
        ("  - not:\n      - sex: F\n      - education: [basic]\n", ALIVE - (FEMALE & BASIC)),
        ("  - not:\n      not: {sex: F}\n", FEMALE),
    ],
)
def test_all_any_not(warehouse: Path, body: str, expected: set[str]) -> None:
    assert members(warehouse, "inclusion:\n" + body) == expected


def test_exclusions_remove_in_order(warehouse: Path) -> None:
    body = (
        "inclusion:\n  - age: {min: 18}\n"
        "exclusion:\n  - diagnosis: {prefixes: [DE11], window: all}\n  - sex: F\n"
    )
    assert members(warehouse, body) == set()  # adults p1 p2 p6 p7; DE11 p1 p2 p6; then p7 (F)
    steps = attrition(warehouse)
    assert [s.criterion for s in steps[-2:]] == [
        "exclude: diagnosis (A or B) DE11 ever before the index date",
        "exclude: sex in F",
    ]
    assert [(s.persons_before, s.persons_removed) for s in steps[-2:]] == [(4, 3), (1, 1)]


def test_attrition_chains_and_adds_up_for_monthly_rows(warehouse: Path) -> None:
    body = "inclusion:\n  - sex: F\nexclusion:\n  - diagnosis: {prefixes: [DE11], window: 12m}\n"
    rows = member_rows(warehouse, body, index="monthly: {from: 2021-01, to: 2021-06}")
    steps = attrition(warehouse)
    # 8 persons x 6 months; alive and resident: p1 p2 p4 p6 p7 (p5 moved out on 2021-01-01)
    assert (steps[0].persons_kept, steps[0].rows_kept) == (8, 48)
    assert (steps[1].persons_kept, steps[1].rows_kept) == (5, 30)
    assert (steps[2].persons_kept, steps[2].rows_kept) == (2, 12)  # p1, p7
    # p1 has DE11 from 2021-01-10: excluded from February on; p7's DE11 is after June
    assert rows == {("p1", date(2021, 1, 1))} | {("p7", date(2021, m, 1)) for m in range(1, 7)}
    for before, step in itertools.pairwise(steps):
        assert step.persons_before == before.persons_kept
        assert step.rows_before == before.rows_kept
    for step in steps:
        assert step.persons_before == step.persons_kept + step.persons_removed
        assert step.rows_before == step.rows_kept + step.rows_removed
    assert [s.step for s in steps] == list(range(len(steps)))


def test_first_only_keeps_each_persons_first_qualifying_index(warehouse: Path) -> None:
    body = "inclusion:\n  - diagnosis: {prefixes: [DE11], window: all}\n"
    index = "monthly: {from: 2019-01, to: 2021-12, first_only: true}"
    assert member_rows(warehouse, body, index=index) == {
        ("p1", date(2021, 2, 1)),  # c1 on 2021-01-10
        ("p2", date(2021, 3, 1)),  # c2 (B diagnosis) on 2021-03-01: the index day counts
        ("p6", date(2019, 2, 1)),  # c3 on 2019-01-05
        ("p7", date(2021, 7, 1)),  # c4 on 2021-06-02
    }
    last = attrition(warehouse)[-1]
    assert last.criterion == "first qualifying index date per person"
    assert last.persons_removed == 0 and last.rows_kept == 4


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        ("programme: {id: sammen-om-min-vej}", {("p1", date(2021, 5, 1))}),
        (
            "programme: {id: sammen-om-min-vej, date: referral_date}",
            {("p1", date(2021, 4, 10)), ("p2", date(2021, 4, 20))},
        ),
        (
            "programme: {id: rygestop, date: referral_date, referral_sources: [A11]}",
            {("p6", date(2021, 2, 1))},  # p3's referral is after her death: not alive
        ),
        (
            "programme: {id: rygestop, date: referral_date, statuses: [referred]}",
            {("p6", date(2022, 2, 1))},
        ),
        (
            "programme: {id: rygestop, date: referral_date, first_only: true}",
            {("p6", date(2021, 2, 1))},
        ),
        ("fixed: period_end", {(p, date(2023, 12, 31)) for p in ALIVE | {"p8"}}),
    ],
)
def test_index_rules(warehouse: Path, index: str, expected: set[tuple[str, date]]) -> None:
    assert member_rows(warehouse, "inclusion:\n  - age: {min: 0}\n", index=index) == expected


def test_monthly_over_the_extract_period(warehouse: Path) -> None:
    member_rows(
        warehouse,
        "inclusion:\n  - age: {min: 0}\n",
        index="monthly: {from: period_start, to: period_end}",
    )
    assert attrition(warehouse)[0].rows_kept == 8 * 60


def test_rebuilding_replaces_the_cohort(warehouse: Path) -> None:
    text = "name: again\nindex:\n  fixed: 2021-06-01\ninclusion:\n  - sex: F\n"
    first = build_cohort(parse_definition(text, "a.yaml"), warehouse)
    second = build_cohort(parse_definition(text.replace("F", "M"), "a.yaml"), warehouse)
    assert (first.n_persons, second.n_persons) == (2, 3)
    assert first.definition_sha256 != second.definition_sha256
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM cohort_members WHERE cohort = 'again'"
        ).fetchall() == [(3,)]
        assert con.execute(
            "SELECT max(step) + 1, count(*) FROM cohort_attrition WHERE cohort = 'again'"
        ).fetchall() == [(3, 3)]
    [info] = list_cohorts(warehouse)
    assert (info.name, info.n_persons, info.n_rows) == ("again", 3, 3)


@pytest.mark.parametrize(
    ("index", "p3_in"),
    [("2020-05-31", True), ("2020-06-01", True), ("2020-06-02", False)],
)
def test_a_person_is_alive_on_the_date_of_death(warehouse: Path, index: str, p3_in: bool) -> None:
    # p3 dies on 2020-06-01: alive that day, as in CPR and in the panel, gone the day after.
    body = "inclusion:\n  - sex: F\n"
    assert ("p3" in members(warehouse, body, index=f"fixed: {index}")) is p3_in
