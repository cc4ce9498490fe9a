"""The synthetic extract conforms to contract v1 (checked against the _contract declarations)."""

from __future__ import annotations

import json
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from broen.analytics._contract import (
    FSIII_END_REASONS,
    MEASUREMENT_RANGES,
    QUESTIONNAIRE_RANGES,
    TABLES,
)
from broen.analytics._municipalities import MUNICIPALITIES
from broen.analytics.synth import SynthResult

from .helpers import connect, scalar

PARQUET_TYPES = {
    "string": pa.string(),
    "week": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("s"),
    "bool": pa.bool_(),
}


def test_extract_json(extract: SynthResult) -> None:
    meta = json.loads(extract.extract_json.read_text("utf-8"))
    assert meta["period_start"] == "2017-01-01"
    assert meta["period_end"] == "2022-12-31"
    assert meta["source"] == "broen-synth"
    assert meta["seed"] == 7
    assert meta["description"]


@pytest.mark.parametrize("table", list(TABLES))
def test_columns_and_types(extract: SynthResult, table: str) -> None:
    parts = sorted((extract.out_dir / table).glob("part-*.parquet"))
    assert parts, f"{table} has no parts"
    assert [p.name for p in parts] == [f"part-{i:05d}.parquet" for i in range(len(parts))]
    rows = 0
    for part in parts:
        schema = pq.read_schema(part)
        assert schema.names == list(TABLES[table].column_names)
        for column in TABLES[table].columns:
            found = schema.field(column.name).type
            if column.type == "datetime":  # parquet has no second unit; no time zone
                assert pa.types.is_timestamp(found) and found.tz is None, column.name
            else:
                assert found == PARQUET_TYPES[column.type], column.name
        rows += pq.read_metadata(part).num_rows
    assert rows == extract.counts[table]


@pytest.mark.parametrize("table", list(TABLES))
def test_values(extract: SynthResult, table: str) -> None:
    con = connect(extract.out_dir)
    spec = TABLES[table]
    for column in spec.columns:
        c = f'"{column.name}"'
        if column.required:
            assert scalar(con, f"SELECT count(*) FROM {table} WHERE {c} IS NULL") == 0, c
        if column.allowed is not None:
            values = {r[0] for r in con.execute(f"SELECT DISTINCT {c} FROM {table}").fetchall()}
            assert values - {None} <= set(column.allowed), (c, values - set(column.allowed))
        if column.pattern is not None:
            found = [r[0] for r in con.execute(f"SELECT DISTINCT {c} FROM {table}").fetchall()]
            bad = [v for v in found if v is not None and not re.fullmatch(column.pattern, v)]
            assert not bad, (c, bad[:5])
        if column.minimum is not None:
            assert scalar(con, f"SELECT count(*) FROM {table} WHERE {c} < {column.minimum}") == 0
    if spec.key:
        key = ", ".join(f'"{k}"' for k in spec.key)
        dupes = scalar(
            con,
            f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY ALL HAVING count(*) > 1)",
        )
        assert dupes == 0
    exact = scalar(
        con, f"SELECT count(*) FROM (SELECT * FROM {table} GROUP BY ALL HAVING count(*) > 1)"
    )
    assert exact == 0, "exact duplicate rows"


def test_persons(extract: SynthResult) -> None:
    con = connect(extract.out_dir)
    ids = [r[0] for r in con.execute("SELECT person_id FROM persons").fetchall()]
    assert all(re.fullmatch(r"p[0-9]{8}", i) for i in ids)
    assert not any(re.search(r"[0-9]{10}", i) for i in ids), "CPR-shaped ids"
    codes = {r[0] for r in con.execute("SELECT DISTINCT municipality FROM persons").fetchall()}
    assert codes <= set(MUNICIPALITIES)
    assert scalar(con, "SELECT count(*) FROM persons WHERE death_date < birth_date") == 0
    assert scalar(con, "SELECT count(*) FROM persons WHERE moved_out_date < birth_date") == 0
    assert scalar(con, "SELECT count(*) FROM persons WHERE birth_date < DATE '1917-01-01'") == 0
    # Residents at the start plus births inside the period.
    born_after = scalar(con, "SELECT count(*) FROM persons WHERE birth_date >= DATE '2017-01-01'")
    assert extract.counts["persons"] == 4_000 + born_after
    assert scalar(con, "SELECT max(birth_date) FROM persons").isoformat() <= "2022-12-31"


def test_population_looks_like_lolland_guldborgsund(extract: SynthResult) -> None:
    con = connect(extract.out_dir)
    median_age = scalar(
        con,
        "SELECT median(date_diff('day', birth_date, DATE '2017-01-01')) / 365.25 "
        "FROM persons WHERE birth_date < DATE '2017-01-01'",
    )
    assert 46 <= median_age <= 54
    basic = scalar(
        con,
        "SELECT avg((education = 'basic')::int) FROM persons WHERE birth_date < DATE '1990-01-01'",
    )
    assert 0.28 <= basic <= 0.45
    # Social gradient: short education -> more type 2 diabetes diagnoses.
    rates = dict(
        con.execute("""
        WITH dm AS (SELECT DISTINCT c.person_id FROM hospital_diagnoses d
                    JOIN hospital_contacts c USING (contact_id) WHERE d.diagnosis LIKE 'DE11%')
        SELECT education, avg((dm.person_id IS NOT NULL)::int) FROM persons p
        LEFT JOIN dm USING (person_id) WHERE education IN ('basic', 'long_higher', 'medium_higher')
        GROUP BY 1""").fetchall()
    )
    assert rates["basic"] > rates["medium_higher"]


EVENTS = {
    "hospital_contacts": 'CAST("start" AS DATE)',
    "primary_care": '"date"',
    "prescriptions": "dispensing_date",
    "municipal_services": "start_date",
    "programme_episodes": "referral_date",
    "measurements": '"date"',
    "questionnaire_responses": '"date"',
}


@pytest.mark.parametrize("table", list(EVENTS))
def test_no_events_outside_life_and_residence(extract: SynthResult, table: str) -> None:
    con = connect(extract.out_dir)
    day = EVENTS[table]
    bad = scalar(
        con,
        f"""
        SELECT count(*) FROM {table} e JOIN persons p USING (person_id)
        WHERE {day} < p.birth_date OR {day} >= p.death_date OR {day} >= p.moved_out_date
           OR {day} > DATE '2022-12-31' OR {day} < DATE '2017-01-01'""",
    )
    assert bad == 0
    orphans = scalar(
        con, f"SELECT count(*) FROM {table} WHERE person_id NOT IN (SELECT person_id FROM persons)"
    )
    assert orphans == 0


def test_transfers_within_life(extract: SynthResult) -> None:
    con = connect(extract.out_dir)
    bad = scalar(
        con,
        """
        WITH w AS (SELECT person_id, CAST(strptime(week || '-1', '%G-W%V-%u') AS DATE) AS monday
                   FROM transfers)
        SELECT count(*) FROM w JOIN persons p USING (person_id)
        WHERE monday > p.death_date OR monday + 6 < p.birth_date OR monday >= p.moved_out_date
           OR date_diff('year', p.birth_date, monday) < 15""",
    )
    assert bad == 0


def test_hospital_consistency(extract: SynthResult) -> None:
    con = connect(extract.out_dir)
    assert scalar(con, 'SELECT count(*) FROM hospital_contacts WHERE "end" < "start"') == 0
    missing = scalar(
        con,
        "SELECT count(*) FROM hospital_diagnoses WHERE contact_id NOT IN "
        "(SELECT contact_id FROM hospital_contacts)",
    )
    assert missing == 0
    # Acute admissions span days, some across month ends; psychiatric contacts have F codes.
    assert (
        scalar(
            con,
            "SELECT count(*) FROM hospital_contacts WHERE priority = 'acute' AND "
            'setting = \'inpatient\' AND month("start") <> month("end")',
        )
        > 0
    )
    psych = con.execute(
        "SELECT DISTINCT left(primary_diagnosis, 2) FROM hospital_contacts "
        "WHERE psychiatric AND priority = 'acute'"
    ).fetchall()
    assert {r[0] for r in psych} == {"DF"}


def test_money_and_measurements(extract: SynthResult) -> None:
    con = connect(extract.out_dir)
    assert scalar(con, "SELECT count(*) FROM prescriptions WHERE subsidy_dkk > cost_dkk") == 0
    assert scalar(con, "SELECT count(*) FROM municipal_services WHERE end_date < start_date") == 0
    for kind, (lo, hi) in MEASUREMENT_RANGES.items():
        bad = scalar(
            con,
            f"SELECT count(*) FROM measurements WHERE kind = '{kind}' "
            f"AND (value < {lo} OR value > {hi})",
        )
        assert bad == 0, kind
    for instrument, ranges in QUESTIONNAIRE_RANGES.items():
        for which, (lo, hi) in ranges.items():
            cond = "item = 'score'" if which == "score" else "item <> 'score'"
            bad = scalar(
                con,
                f"SELECT count(*) FROM questionnaire_responses WHERE instrument = "
                f"'{instrument}' AND {cond} AND (value < {lo} OR value > {hi})",
            )
            assert bad == 0, (instrument, which)
    gp_fee = scalar(
        con,
        "SELECT avg(fee_dkk / services) FROM primary_care WHERE provider = 'gp' "
        "AND service_code = '0101'",
    )
    assert 140 <= gp_fee <= 160


def test_programme_episodes(extract: SynthResult) -> None:
    con = connect(extract.out_dir)
    rows = con.execute(
        "SELECT programme, status, start_date, end_date, end_reason, referral_date "
        "FROM programme_episodes"
    ).fetchall()
    programmes = {r[0] for r in rows}
    assert programmes == {"et-liv-i-balance", "sammen-om-min-vej", "rygestop"}
    for _, status, start, end, reason, referral in rows:
        if status == "dropped_out":
            assert reason in FSIII_END_REASONS
        if status in ("enrolled", "completed", "dropped_out"):
            assert start is not None and start >= referral
        if status in ("declined", "referred"):
            assert start is None
        if end is not None:
            assert start is not None and end >= start
        if reason is not None:
            assert reason in FSIII_END_REASONS
    statuses = {r[1] for r in rows}
    assert {"declined", "completed", "dropped_out"} <= statuses
    elib = con.execute("""
        SELECT p.municipality, date_diff('year', p.birth_date, e.referral_date) AS age
        FROM programme_episodes e JOIN persons p USING (person_id)
        WHERE programme = 'et-liv-i-balance'""").fetchall()
    assert elib and all(m == 360 and 29 <= a <= 60 for m, a in elib)
    glp1 = scalar(
        con,
        """SELECT count(*) FROM prescriptions r JOIN programme_episodes e
                          USING (person_id) WHERE e.programme = 'et-liv-i-balance'
                          AND r.atc = 'A10BJ06' AND r.dispensing_date >= e.start_date""",
    )
    assert glp1 > 0
