"""Control candidates and participants' covariates (broen.analytics.evaluation._candidates).

The hand-made persons of the candidates extract (tests/evaluation/conftest.py) have values
worked out by hand; every row is also compared with a plain-Python reference that reads the
panel rows and the raw event rows (no window functions, no packing), on DuckDB here and on
Spark in test_candidates_spark.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import narwhals as nw
import numpy as np
import pyarrow as pa
import pytest

from broen.analytics._exceptions import ConfigurationError, WarehouseError
from broen.analytics.cohort import DuckDBSource, parse_definition
from broen.analytics.evaluation._candidates import (
    candidate_features,
    candidate_keys,
    participant_features,
    person_ranges,
)
from broen.analytics.evaluation._covariates import (
    CATEGORIES,
    CRISIS_METRICS,
    CovariateSpec,
    covariate_columns,
    stratum_columns,
    window_suffix,
)
from broen.analytics.evaluation._population import (
    collect,
    restrict,
    sample_keys,
    score,
    summarise,
    target_group,
)

from .conftest import PROGRAMME, CandidatesExtract

SPEC = CovariateSpec()
MONTHS = [date(2021 + i // 12, i % 12 + 1, 1) for i in range(36)]  # 2021-01 .. 2023-12
TARGET = """\
name: target
index:
  monthly: {from: period_start, to: period_end}
  first_only: true
inclusion:
  - municipality: [360]
  - age: {min: 30, max: 70}
"""


@pytest.fixture(scope="module")
def source(candidates_warehouse: Path) -> Iterator[DuckDBSource]:
    con = duckdb.connect(str(candidates_warehouse), read_only=True)
    yield DuckDBSource(con)
    con.close()


# --- the reference: plain Python over the panel and the raw rows ------------------------------


def _mi(day: date) -> int:
    return day.year * 12 + day.month - 1


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _age(birth: date, day: date) -> int:
    """Completed years on ``day`` (the first of a month); 29 February counts on 1 March."""
    return max(0, day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day)))


class Reference:
    """What the covariates mean, written out row by row."""

    def __init__(self, extract: CandidatesExtract, con: Any, spec: CovariateSpec) -> None:
        self.spec = spec
        self.tables = extract.tables
        inputs = set(spec.metrics) | set(CRISIS_METRICS)
        inputs |= {c for _, cols in spec.labour_groups for c in cols}
        names = ", ".join(sorted(inputs))
        rows = con.execute(f"SELECT person_id, month, {names} FROM panel").fetchall()
        schema = dict(
            con.execute("SELECT column_name, column_type FROM (DESCRIBE panel)").fetchall()
        )
        self.money = {c for c in inputs if schema[c] == "DOUBLE"}
        self.zero = dict.fromkeys(sorted(inputs), 0)
        self.panel: dict[str, dict[int, dict[str, int]]] = {}
        for row in rows:
            values = dict(zip(sorted(inputs), row[2:], strict=True))
            cell = {
                c: int(np.floor((v or 0) + 0.5)) if c in self.money else int(v or 0)
                for c, v in values.items()
            }
            self.panel.setdefault(row[0], {})[_mi(row[1])] = cell
        self.persons = {r[0]: r for r in self.tables["persons"]}
        contacts = {r[0]: (r[1], _mi(_day(r[2]))) for r in self.tables["hospital_contacts"]}
        self.dx = [(*contacts[r[0]], r[6]) for r in self.tables["hospital_contacts"]]
        self.dx += [(*contacts[r[0]], r[1]) for r in self.tables["hospital_diagnoses"]]
        self.atc = [(r[0], _mi(_day(r[1])), r[2]) for r in self.tables["prescriptions"]]
        self.starts: dict[str, int] = {}
        for r in self.tables["programme_episodes"]:
            if r[2] == PROGRAMME and r[4]:
                m = _mi(_day(r[4]))
                self.starts[r[1]] = min(m, self.starts.get(r[1], m))

    def eligible(self, person: str, m: int) -> bool:
        months = self.panel.get(person, {})
        lookback = all(m - k in months for k in range(self.spec.lookback_months + 1))
        return lookback and self.starts.get(person, m + 1) > m

    def features(self, person: str, m: int) -> dict[str, Any]:
        spec, months = self.spec, self.panel.get(person, {})

        def total(column: str, first: int, last: int) -> int:
            return sum(months.get(m + k, self.zero)[column] for k in range(first, last + 1))

        row = self.persons[person]
        birth = _day(row[1])
        index = date(m // 12, m % 12 + 1, 1)
        age = _age(birth, index)
        out: dict[str, Any] = {"age": age, "age_band": age - age % spec.age_band_years}
        out["sex"] = row[2]
        out["municipality"] = int(row[3])
        period = m - m % 3 if spec.period == "quarter" else m
        out["stratum_period"] = date(period // 12, period % 12 + 1, 1)
        raw = {"sex": row[2], "education": row[4], "origin": row[5], "lives_alone": row[6]}
        for attribute, levels in CATEGORIES.items():
            hit = False
            for suffix, value in levels:
                text = {True: "true", False: "false"}.get(value, value)  # type: ignore[arg-type]
                out[f"{attribute}_{suffix}"] = int(raw[attribute] == text)
                hit |= raw[attribute] == text
            out[f"{attribute}_unknown"] = int(not hit)
        for metric in spec.metrics:
            for window in spec.windows:
                value = total(metric, *window)
                out[f"{metric}_{window_suffix(window)}"] = (
                    float(value) if metric in self.money else value
                )
        crisis = sum(total(c, -spec.crisis_months, -1) for c in CRISIS_METRICS)
        out["recent_crisis"] = int(crisis > 0)
        for name, cols in spec.labour_groups:
            out[f"weeks_{name}_{spec.labour_months}m"] = sum(
                total(c, -spec.labour_months, -1) for c in cols
            )
        for flag in spec.flags:
            dx = any(
                p == person and m - spec.diagnosis_months <= e <= m - 1
                and any(code.startswith(x) for x in flag.diagnoses)
                for p, e, code in self.dx
            )  # fmt: skip
            atc = any(
                p == person and m - spec.atc_months <= e <= m - 1
                and any(code.startswith(x) for x in flag.atc)
                for p, e, code in self.atc
            )  # fmt: skip
            out[f"flag_{flag.name}"] = int(dx or atc)
        out["resident"] = m in months
        out["full_lookback"] = all(m - k in months for k in range(1, spec.lookback_months + 1))
        return out

    def candidates(
        self, index_months: list[date], target: set[tuple[str, date]] | None = None
    ) -> dict[tuple[str, date], dict[str, Any]]:
        out = {}
        for day in index_months:
            m = _mi(day)
            for person in self.persons:
                if not self.eligible(person, m):
                    continue
                if target is not None and (person, day) not in target:
                    continue
                out[(person, day)] = self.features(person, m)
        return out


@pytest.fixture(scope="module")
def reference(candidates_extract: CandidatesExtract, source: DuckDBSource) -> Reference:
    return Reference(candidates_extract, source.con, SPEC)


def rows_by_key(
    table: pa.Table, key: tuple[str, ...] = ("person_id", "index_month")
) -> dict[Any, dict[str, Any]]:
    return {tuple(r[k] for k in key) if len(key) > 1 else r[key[0]]: r for r in table.to_pylist()}


def table_of(frame: Any) -> pa.Table:
    return collect(frame, frame.collect_schema().names())


def assert_matches(actual: dict[Any, dict[str, Any]], expected: dict[Any, dict[str, Any]]) -> None:
    assert set(actual) == set(expected)
    for key, want in expected.items():
        got = actual[key]
        wrong = {c: (got[c], v) for c, v in want.items() if c in got and got[c] != v}
        assert not wrong, (key, wrong)


# --- eligibility and hand-worked values -------------------------------------------------------


def test_candidates_by_hand(source: DuckDBSource) -> None:
    months = [date(2021, m, 1) for m in range(1, 13)]
    table = table_of(candidate_features(source, months, SPEC, PROGRAMME))
    kept: dict[str, list[int]] = {}
    for person, day in zip(
        table["person_id"].to_pylist(), table["index_month"].to_pylist(), strict=True
    ):
        kept.setdefault(person, []).append(day.month)
    assert kept["a"] == [1, 2, 3, 4, 5]  # a participant from June on
    assert kept["b"] == list(range(1, 13))
    assert kept["c"] == [1, 2, 3, 4]  # dies 20 April
    assert kept["d"] == [1, 2, 3, 4]  # moves out 1 May
    assert "f" not in kept  # started in November 2020
    assert kept["g"] == [1, 2, 3, 4, 5]  # starts 30 June: not a control in June
    assert kept["h"] == [1, 2, 3, 4, 5, 6, 7, 8]  # starts 1 September
    assert kept["i"] == [11, 12]  # born November 2019: 24 months of look-back from 2021-11
    assert kept["j"] == [1, 2, 3, 4, 5, 6]  # moves out 15 June: resident part of June
    assert kept["k"] == [1, 2, 3, 4, 5, 6]  # dies 1 June (and "moves out" that day)
    assert table.column_names == [
        "person_id",
        "index_month",
        *stratum_columns(SPEC),
        "municipality",
        *covariate_columns(SPEC),
    ]
    rows = rows_by_key(table)
    june, july = rows[("b", date(2021, 6, 1))], rows[("b", date(2021, 7, 1))]
    # An acute COPD admission in the index month is not a covariate of that month.
    assert (june["flag_copd_asthma"], july["flag_copd_asthma"]) == (0, 1)
    assert (june["recent_crisis"], july["recent_crisis"]) == (0, 1)
    assert (june["cost_hospital_acute_m1"], july["cost_hospital_acute_m1"]) == (0.0, 2000.0)
    assert (july["acute_admissions_m1"], july["bed_days_m1"]) == (1, 1)
    # An antidepressant dispensed in June 2020 counts for 12 months: up to index month 2021-06.
    assert (june["flag_mental_illness"], july["flag_mental_illness"]) == (1, 0)
    # A hypertension diagnosis of August 2018, before the extract period, counts 5 years.
    assert june["flag_hypertension"] == 1
    assert june["weeks_flexjob_disability_12m"] == 2  # flexjob + disability pension
    assert (june["sex"], june["age"], june["age_band"], june["municipality"]) == ("M", 41, 40, 376)
    assert (
        june["sex_m"],
        june["education_long_higher"],
        june["origin_western"],
        june["lives_alone_no"],
    ) == (1, 1, 1, 1)
    c = rows[("c", date(2021, 1, 1))]
    assert (c["education_unknown"], c["origin_unknown"], c["lives_alone_unknown"]) == (1, 1, 1)
    # 2020-10 has 21 months of history: no candidates with 24 months of look-back, but with 12
    # f is one, before the start month.
    assert candidate_features(source, [date(2020, 10, 1)], SPEC, PROGRAMME).collect().is_empty()
    short = replace(SPEC, lookback_months=12)
    f = rows_by_key(table_of(candidate_features(source, [date(2020, 10, 1)], short, PROGRAMME)))
    assert ("f", date(2020, 10, 1)) in f
    e = rows[("e", date(2021, 2, 1))]
    assert (e["flag_obesity"], e["flag_diabetes"], e["flag_mental_illness"]) == (1, 1, 1)
    # GLP-1 in January 2021: counts for index months up to 2022-01, not 2022-02
    later = rows_by_key(
        table_of(candidate_features(source, [date(2022, 1, 1), date(2022, 2, 1)], SPEC, PROGRAMME))
    )
    e = later[("e", date(2022, 1, 1))]
    assert (e["flag_obesity"], e["flag_diabetes"], e["flag_mental_illness"]) == (1, 1, 1)
    e = later[("e", date(2022, 2, 1))]
    assert (e["flag_obesity"], e["flag_diabetes"], e["flag_mental_illness"]) == (0, 0, 1)


def test_with_the_referral_as_entry_the_referred_are_no_candidates(source: DuckDBSource) -> None:
    """``--index referral``: the offer is the treatment, so whoever has been referred (and
    declined, or not yet started) is no longer a candidate; keys and features agree."""
    months = [date(2021, m, 1) for m in range(1, 13)]
    table = table_of(candidate_features(source, months, SPEC, PROGRAMME, entry="referral_date"))
    kept: dict[str, list[int]] = {}
    for person, day in zip(
        table["person_id"].to_pylist(), table["index_month"].to_pylist(), strict=True
    ):
        kept.setdefault(person, []).append(day.month)
    assert kept["a"] == [1, 2, 3, 4]  # referred 1 May, started 15 June
    assert kept["g"] == [1, 2, 3, 4, 5]  # referred 1 June
    assert kept["h"] == [1]  # referred 1 February and declined: the offer was made
    assert kept["b"] == list(range(1, 13))  # another programme's referral is nothing
    assert "f" not in kept
    keys = table_of(candidate_keys(source, months, SPEC, PROGRAMME, entry="referral_date"))
    assert keys.select(["person_id", "index_month"]).sort_by(
        [("person_id", "ascending"), ("index_month", "ascending")]
    ) == table.select(["person_id", "index_month"]).sort_by(
        [("person_id", "ascending"), ("index_month", "ascending")]
    )
    with pytest.raises(ValueError, match="start_date or referral_date"):
        candidate_keys(source, months, SPEC, PROGRAMME, entry="status")


def test_participant_by_hand(source: DuckDBSource) -> None:
    units = pa.table(
        {
            "unit_id": [1, 2, 3, 4],
            "person_id": ["a", "c", "i", "f"],
            "index_month": [
                date(2021, 6, 15),
                date(2021, 6, 1),
                date(2021, 3, 1),
                date(2021, 3, 10),
            ],
        }
    )
    rows = rows_by_key(table_of(participant_features(source, units, SPEC)), ("unit_id",))
    a = rows[1]
    assert a["index_month"] == date(2021, 6, 1)
    expected = {
        # May 2021: an acute stay of 3 days (3000) and a dispensing (100); April: a GP visit;
        # March: an emergency visit; December-January: home care; September 2020: 4 days in
        # hospital; August 2019 (month -22): a planned outpatient visit.
        "cost_total_m1": 3100.0, "cost_total_m2": 150.0, "cost_total_m3": 500.0,
        "cost_total_m4_6": 3100.0, "cost_total_m7_12": 4000.0, "cost_total_m13_24": 800.0,
        "cost_hospital_acute_m1": 3000.0, "cost_hospital_acute_m3": 500.0,
        "cost_hospital_acute_m7_12": 4000.0, "cost_hospital_acute_m13_24": 0.0,
        "cost_primary_care_m2": 150.0, "cost_municipal_m4_6": 3100.0,
        "acute_admissions_m1": 1, "acute_admissions_m7_12": 1, "bed_days_m1": 2,
        "bed_days_m7_12": 3, "recent_crisis": 1, "weeks_sickness_benefit_12m": 2,
        "weeks_unemployment_12m": 1,  # July 2020; the week of 3 June 2021 is the index month
        "flag_diabetes": 1, "flag_ischaemic_heart_disease": 1, "flag_musculoskeletal": 1,
        "flag_hypertension": 0, "age": 51, "age_band": 50, "resident": True,
        "full_lookback": True,
    }  # fmt: skip
    assert {k: a[k] for k in expected} == expected
    assert (rows[2]["resident"], rows[2]["full_lookback"]) == (False, False)  # died in April
    assert rows[2]["weeks_self_supporting_m1"] == 0  # May: dead, so no weeks
    assert (rows[3]["resident"], rows[3]["full_lookback"], rows[3]["age"]) == (True, False, 1)
    assert (rows[4]["resident"], rows[4]["full_lookback"]) == (True, True)  # started, but a unit
    assert "in_target" not in rows[1]


# --- every row against the reference ----------------------------------------------------------


def test_candidates_equal_the_reference(source: DuckDBSource, reference: Reference) -> None:
    actual = rows_by_key(table_of(candidate_features(source, MONTHS, SPEC, PROGRAMME)))
    expected = reference.candidates(MONTHS)
    assert len(expected) > 1000
    assert_matches(actual, expected)


def test_flags_from_before_the_window_pass(source: DuckDBSource, reference: Reference) -> None:
    """Late index months start the window pass in 2021, so older events are read per person
    (the latest before the grid) rather than from the running sums."""
    months = [date(2023, m, 1) for m in range(6, 13)]
    actual = rows_by_key(table_of(candidate_features(source, months, SPEC, PROGRAMME)))
    assert_matches(actual, reference.candidates(months))
    b = [actual[("b", date(2023, m, 1))]["flag_hypertension"] for m in (7, 8, 9)]
    assert b == [1, 1, 0]  # the diagnosis of August 2018 counts to index month 2023-08


def test_other_spec(candidates_extract: CandidatesExtract, source: DuckDBSource) -> None:
    spec = replace(
        SPEC,
        age_band_years=10,
        period="quarter",
        municipality_stratum=True,
        lookback_months=6,
        metrics=("cost_total", "gp_contacts"),
        windows=((-1, -1), (-4, -2), (-30, -5)),
        crisis_months=1,
        labour_months=2,
        diagnosis_months=7,
        atc_months=3,
    )
    months = [date(2019, 9, 1), date(2020, 2, 1), date(2021, 6, 1), date(2022, 11, 1)]
    table = table_of(candidate_features(source, months, spec, PROGRAMME))
    assert table.column_names[2:6] == ["stratum_period", "sex", "age_band", "municipality"]
    expected = Reference(candidates_extract, source.con, spec).candidates(months)
    assert_matches(rows_by_key(table), expected)
    assert {r["stratum_period"] for r in table.to_pylist()} == {
        date(2019, 7, 1),
        date(2020, 1, 1),
        date(2021, 4, 1),
        date(2022, 10, 1),
    }


def test_participants_equal_candidates(source: DuckDBSource) -> None:
    """The same covariates for the same (person, month), and the filters only as columns."""
    candidates = table_of(candidate_features(source, MONTHS, SPEC, PROGRAMME))
    persons = ["a", "b", "c", "f", "i", "r03", "r11"]
    keep = [p in persons for p in candidates["person_id"].to_pylist()]
    chosen = candidates.filter(pa.array(keep))
    units = pa.table(
        {
            "unit_id": pa.array(range(chosen.num_rows)),
            "person_id": chosen["person_id"],
            "index_month": chosen["index_month"],
        }
    )
    # plus units that are not candidates: a participant and a person without look-back
    extra = pa.table(
        {
            "unit_id": [10_000, 10_001],
            "person_id": ["a", "i"],
            "index_month": [date(2021, 6, 1), date(2021, 2, 1)],
        }
    )
    participants = table_of(participant_features(source, pa.concat_tables([units, extra]), SPEC))
    by_unit = rows_by_key(participants, ("unit_id",))
    columns = [*stratum_columns(SPEC), "municipality", *covariate_columns(SPEC)]
    for i, row in enumerate(chosen.to_pylist()):
        got = by_unit[i]
        assert {c: got[c] for c in columns} == {c: row[c] for c in columns}, i
        assert got["resident"] and got["full_lookback"]
    assert by_unit[10_000]["resident"] and by_unit[10_000]["full_lookback"]
    assert by_unit[10_001]["resident"] and not by_unit[10_001]["full_lookback"]


def test_target_group_restricts(source: DuckDBSource, reference: Reference) -> None:
    definition = parse_definition(TARGET, "target.yaml")
    months = [date(2021, 3, 1), date(2021, 6, 1), date(2022, 1, 1)]
    target = target_group(source, definition, months)
    members = {(p, m) for p, m in target.collect().rows()}
    expected_target = set()
    for person, row in reference.persons.items():
        for day in months:
            death, moved = row[7], row[8]
            alive = (not death or _day(death) >= day) and (not moved or _day(moved) > day)
            born = _day(row[1]) <= day
            if born and alive and int(row[3]) == 360 and 30 <= _age(_day(row[1]), day) <= 70:
                expected_target.add((person, day))
    assert members == expected_target
    actual = rows_by_key(
        table_of(candidate_features(source, months, SPEC, PROGRAMME, target=target))
    )
    assert_matches(actual, reference.candidates(months, expected_target))
    assert {p for p, _ in actual} >= {"a", "c", "k"}
    units = pa.table(
        {"unit_id": [1, 2], "person_id": ["a", "b"], "index_month": [date(2021, 6, 1)] * 2}
    )
    rows = rows_by_key(
        table_of(participant_features(source, units, SPEC, target=target)), ("unit_id",)
    )
    assert (rows[1]["in_target"], rows[2]["in_target"]) == (True, False)  # b lives in 376


# --- what Python takes from the candidates ----------------------------------------------------


def test_summarise_score_sample_collect(source: DuckDBSource) -> None:
    frame = candidate_features(source, MONTHS, SPEC, PROGRAMME)
    table = table_of(frame)
    columns = ["age", "cost_total_m1", "flag_diabetes", "weeks_unemployment_12m"]
    moments = summarise(frame, columns)
    for c in columns:
        x = np.asarray(table[c].to_pylist(), dtype=float)
        n, mean, variance = moments[c]
        assert n == len(x)
        assert mean == pytest.approx(x.mean())
        assert variance == pytest.approx(x.var())
    coefficients = {"age": 0.5, "cost_total_m1": -0.25, "flag_diabetes": 1.0}
    means = {"age": 50.0, "cost_total_m1": 1000.0, "flag_diabetes": 0.2}
    scales = {"age": 15.0, "cost_total_m1": 5000.0, "flag_diabetes": 0.0}  # 0: not scaled
    scored = collect(
        score(frame, -2.0, coefficients, means, scales), ["person_id", "index_month", "logit"]
    )
    expected = -2.0 + sum(
        coefficients[c]
        * (np.asarray(table[c].to_pylist(), dtype=float) - means[c])
        / (scales[c] or 1.0)
        for c in coefficients
    )
    assert scored["person_id"].to_pylist() == table["person_id"].to_pylist()
    np.testing.assert_allclose(scored["logit"].to_numpy(), expected, rtol=1e-12)

    keys = sample_keys(source, frame, 100, seed=3)
    assert keys.num_rows == 100 and keys.column_names == ["person_id", "index_month"]
    all_keys = set(
        zip(table["person_id"].to_pylist(), table["index_month"].to_pylist(), strict=True)
    )
    sampled = list(zip(keys["person_id"].to_pylist(), keys["index_month"].to_pylist(), strict=True))
    assert len(set(sampled)) == 100 and set(sampled) <= all_keys
    assert sample_keys(source, frame, 100, seed=3).equals(keys)
    assert not sample_keys(source, frame, 100, seed=4).equals(keys)
    assert sample_keys(source, frame, 10**6, seed=1).num_rows == table.num_rows
    # The keys alone (no covariates computed) are the same rows, so the same sample.
    cheap = candidate_keys(source, MONTHS, SPEC, PROGRAMME)
    assert collect(cheap, ["person_id", "index_month"]).equals(
        table.select(["person_id", "index_month"])
    )
    assert sample_keys(source, cheap, 100, seed=3).equals(keys)
    picked = collect(restrict(source, frame, keys), ["person_id", "index_month", "age"])
    assert picked.select(["person_id", "index_month"]).equals(keys)


def test_sample_is_uniform_over_rows(source: DuckDBSource) -> None:
    """Each row is drawn with the same chance, not each person: persons with more candidate
    months are drawn more often."""
    frame = candidate_features(source, MONTHS, SPEC, PROGRAMME)
    table = table_of(frame)
    rows_per_person: dict[str, int] = {}
    for p in table["person_id"].to_pylist():
        rows_per_person[p] = rows_per_person.get(p, 0) + 1
    draws: dict[str, int] = {}
    for seed in range(40):
        for p in sample_keys(source, frame, 50, seed=seed)["person_id"].to_pylist():
            draws[p] = draws.get(p, 0) + 1
    total = sum(rows_per_person.values())
    for person, n in rows_per_person.items():
        expected = 40 * 50 * n / total
        assert abs(draws.get(person, 0) - expected) < 5 * np.sqrt(expected) + 2, person


# --- errors ------------------------------------------------------------------------------------


def test_errors(source: DuckDBSource, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no column bogus"):
        candidate_features(source, MONTHS, replace(SPEC, metrics=("bogus",)), PROGRAMME)
    with pytest.raises(ValueError, match="at least one index month"):
        candidate_features(source, [], SPEC, PROGRAMME)
    with pytest.raises(ValueError, match="must end before the index month"):
        CovariateSpec(windows=((-3, 0),))
    with pytest.raises(ValueError, match="period"):
        CovariateSpec(period="week")  # type: ignore[arg-type]
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    con.execute("CREATE TABLE persons (person_id VARCHAR)")
    with pytest.raises(WarehouseError, match="broen panel build"):
        candidate_features(DuckDBSource(con), MONTHS, SPEC, PROGRAMME)
    con.close()


def test_lazy_frames_only_narrow_queries(source: DuckDBSource) -> None:
    """candidate_features builds a lazy query: nothing of its size is computed until asked."""
    frame = candidate_features(source, MONTHS, SPEC, PROGRAMME)
    assert isinstance(frame, nw.LazyFrame)
    n = frame.select(nw.len()).collect().item()
    assert n == table_of(frame).num_rows


def test_person_ranges_make_the_whole(source: DuckDBSource) -> None:
    """The candidates of consecutive person ranges together are the candidates; their moments
    pooled are the moments of the whole."""
    whole = candidate_features(source, MONTHS, SPEC, PROGRAMME)
    ranges = person_ranges(source, persons_per_range=17)
    assert len(ranges) == 5 and ranges[0][0] is None and ranges[-1][1] is None
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    parts = [candidate_features(source, MONTHS, SPEC, PROGRAMME, persons=r) for r in ranges]
    columns = ["person_id", "index_month", *covariate_columns(SPEC)]
    assert collect(parts, columns).equals(collect(whole, columns))
    chosen = ["age", "cost_total_m4_6", "flag_hypertension"]
    pooled, direct = summarise(parts, chosen), summarise(whole, chosen)
    for c in chosen:
        assert pooled[c][0] == direct[c][0]
        assert pooled[c][1:] == pytest.approx(direct[c][1:], rel=1e-9)
