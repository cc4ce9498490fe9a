"""The shipped definitions: documented, valid, and sensible on a small synthetic population.

The synthetic programmes select their participants by rules close to the seeds' (docs/
synthetic-data.md), so most participants should meet the matching definition at referral.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from broen.analytics import import_extract
from broen.analytics.cohort import (
    ProgrammeIndex,
    build_cohort,
    cohort_members,
    find_definition,
    shipped_definitions,
)
from broen.analytics.cohort._definitions import shipped_text
from broen.analytics.synth import ProgrammeEffects, generate_extract

SHIPPED = ("et-liv-i-balance", "rygestop-vba", "sammen-om-min-vej", "type-2-diabetes")


@pytest.fixture(scope="module")
def synth_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cohort_synth")
    effects = ProgrammeEffects().with_reach(8.0)
    effects = replace(effects, et_liv_i_balance=replace(effects.et_liv_i_balance, reach=60.0))
    generate_extract(
        root / "extract",
        persons=3_000,
        start="2017-01",
        end="2021-12",
        seed=11,
        chunk_persons=3_000,
        effects=effects,
    )
    import_extract(root / "extract", warehouse=root / "w.duckdb")
    return root / "w.duckdb"


def test_the_four_definitions_are_shipped_and_cite_their_sources() -> None:
    assert tuple(shipped_definitions()) == SHIPPED
    for name in SHIPPED:
        text = shipped_text(name)
        header = text[: text.index("\nname:")]
        assert all(line.startswith("#") for line in header.splitlines()), name
        assert "Source: seeds/00" in header, name
        assert "Limitations:" in header, name
        assert find_definition(name).name == name


def test_et_liv_i_balance_states_the_bmi_limitation() -> None:
    text = shipped_text("et-liv-i-balance")
    assert "ONLY WHERE MEASURED" in text
    d = find_definition("et-liv-i-balance")
    assert "unmeasured persons are kept" in d.inclusion[2].text


@pytest.mark.parametrize("name", SHIPPED)
def test_each_definition_builds_with_consistent_attrition(synth_warehouse: Path, name: str) -> None:
    report = build_cohort(name, synth_warehouse)
    assert report.n_persons > 0
    steps = report.attrition
    for before, step in itertools.pairwise(steps):
        assert step.persons_before == before.persons_kept
        assert step.persons_before == step.persons_kept + step.persons_removed
        assert step.rows_before == step.rows_kept + step.rows_removed
    if find_definition(name).index.first_only:
        assert report.n_rows == report.n_persons


@pytest.mark.parametrize(
    ("name", "programme", "share"),
    [
        ("sammen-om-min-vej", "sammen-om-min-vej", 0.8),
        ("et-liv-i-balance", "et-liv-i-balance", 0.8),
    ],
)
def test_most_participants_meet_their_definition_at_referral(
    synth_warehouse: Path, name: str, programme: str, share: float
) -> None:
    index = ProgrammeIndex(programme=programme, date_column="referral_date")
    report = build_cohort(name, synth_warehouse, index=index)
    referred = report.attrition[0].persons_kept
    assert referred >= 10, f"too few {programme} referrals in the test population"
    assert report.n_persons / referred >= share, report.attrition


def test_type_2_diabetes_matches_an_independent_sql_oracle(synth_warehouse: Path) -> None:
    report = build_cohort("type-2-diabetes", synth_warehouse)
    got = {p for p, _ in cohort_members("type-2-diabetes", synth_warehouse)}
    drugs = " OR ".join(
        f"atc LIKE '{p}%'"
        for p in ("A10BA", "A10BB", "A10BD", "A10BF", "A10BG", "A10BH", "A10BK", "A10BX")
    )
    oracle = f"""
        WITH idx AS (SELECT max(period_end) AS d FROM batches),
        dx AS (
            SELECT c.person_id, coalesce(x.diagnosis, c.primary_diagnosis) AS code
            FROM hospital_contacts c LEFT JOIN hospital_diagnoses x USING (contact_id), idx
            WHERE CAST(c.start AS DATE) BETWEEN d - INTERVAL 10 YEAR AND d
            UNION ALL
            SELECT c.person_id, c.primary_diagnosis FROM hospital_contacts c, idx
            WHERE CAST(c.start AS DATE) BETWEEN d - INTERVAL 10 YEAR AND d
        ),
        t2 AS (SELECT DISTINCT person_id FROM dx WHERE code LIKE 'DE11%'),
        t1 AS (SELECT DISTINCT person_id FROM dx WHERE code LIKE 'DE10%'),
        rx AS (
            SELECT person_id FROM prescriptions, idx
            WHERE dispensing_date BETWEEN d - INTERVAL 12 MONTH AND d AND ({drugs})
            GROUP BY person_id HAVING count(*) >= 2
        )
        SELECT p.person_id FROM persons p, idx
        WHERE p.birth_date <= d AND coalesce(p.death_date, d) >= d
          AND coalesce(p.moved_out_date, d + 1) > d
          AND date_diff('year', p.birth_date, d) - CASE WHEN strftime(d, '%m%d')
              < strftime(p.birth_date, '%m%d') THEN 1 ELSE 0 END >= 18
          AND (p.person_id IN (SELECT * FROM t2) OR p.person_id IN (SELECT * FROM rx))
          AND NOT (p.person_id IN (SELECT * FROM t1) AND p.person_id NOT IN (SELECT * FROM t2))
    """
    with duckdb.connect(str(synth_warehouse), read_only=True) as con:
        expected = {r[0] for r in con.execute(oracle).fetchall()}
    assert got == expected
    assert report.n_persons == len(expected) > 50


def test_rygestop_vba_counts_every_adult_referral_by_hospital_or_gp(synth_warehouse: Path) -> None:
    report = build_cohort("rygestop-vba", synth_warehouse)
    with duckdb.connect(str(synth_warehouse), read_only=True) as con:
        [(rows,)] = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT person_id, referral_date FROM "
            "programme_episodes WHERE programme = 'rygestop' AND referral_source IN "
            "('A9', 'A11', 'A12', 'A13', 'A14'))"
        ).fetchall()
    assert report.attrition[0].rows_kept == rows > 0
    assert report.n_rows <= rows
