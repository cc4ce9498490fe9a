"""Row-level behaviour of the importer: each rule, row numbers, types, dialect details."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from broen.analytics import RULES, import_extract
from tests.warehouse.helpers import persons_csv, quarantine, write

TODAY = date(2026, 11, 23)


def _import(root: Path, tmp_path: Path) -> Path:
    warehouse = tmp_path / "w.duckdb"
    report = import_extract(root, warehouse=warehouse, today=TODAY)
    assert report.reconciles
    return warehouse


def test_malformed_rows_are_quarantined_and_later_rows_keep_their_numbers(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    write(
        root,
        "measurements.csv",
        "person_id,date,kind,value\n"
        "a1,2021-01-01,bmi,30\n"
        "a1,2021-01-02,bmi,31,extra\n"
        'a1,2021-01-03,"weight_kg",90\n'
        "a1,2021-01-04\n"
        "a1,2021-01-05,bmi,999\n",
    )
    warehouse = _import(root, tmp_path)
    rows = [(r[2], r[3]) for r in quarantine(warehouse)]
    assert rows == [(2, "row.malformed"), (4, "row.malformed"), (5, "range.measurement")]


def test_a_value_spanning_lines_does_not_shift_row_numbers(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    write(
        root,
        "programme_episodes.csv",
        "episode_id,person_id,programme,referral_date,status,stratum\n"
        'e1,a1,rygestop,2021-01-01,referred,"two\nlines"\n'
        "e2,a1,rygestop,2021-01-01,enrolled,1\n",
    )
    warehouse = _import(root, tmp_path)
    assert [(r[2], r[3], r[4]) for r in quarantine(warehouse)] == [
        (2, "cond.start_date_required", "start_date")
    ]


@pytest.mark.parametrize(
    ("week", "ok"),
    [("2020-W53", True), ("2021-W53", False), ("2021-W00", False), ("2021-7", False)],
)
def test_iso_weeks_must_exist(tmp_path: Path, week: str, ok: bool) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    write(root, "transfers.csv", f"person_id,week,state\na1,{week},education\n")
    warehouse = _import(root, tmp_path)
    assert (quarantine(warehouse) == []) is ok
    if not ok:
        assert quarantine(warehouse)[0][3] == "code.iso_week"


def test_weeks_are_checked_against_birth_and_death_by_their_days(tmp_path: Path) -> None:
    root = tmp_path / "x"
    # Born Wednesday 2020-03-04 (week 10); died Tuesday 2021-03-09 (week 10 of 2021).
    write(root, "persons.csv", "person_id,birth_date,sex,municipality,death_date\n"
          "a1,2020-03-04,F,360,2021-03-09\n")  # fmt: skip
    write(
        root,
        "transfers.csv",
        "person_id,week,state\n"
        "a1,2020-W09,parental_leave\n"  # ends Sunday 1 March, before the birth
        "a1,2020-W10,parental_leave\n"  # the week of the birth
        "a1,2021-W10,education\n"  # the week of the death
        "a1,2021-W11,education\n",  # starts after the death
    )
    warehouse = _import(root, tmp_path)
    assert [(r[2], r[3]) for r in quarantine(warehouse)] == [
        (1, "date.before_birth"),
        (4, "date.after_death"),
    ]


def test_typed_parquet_columns_load_with_their_values(tmp_path: Path) -> None:
    root = tmp_path / "x"
    root.mkdir()
    pq.write_table(
        pa.table(
            {
                "person_id": ["a1"],
                "birth_date": pa.array([date(1960, 1, 1)], pa.date32()),
                "sex": ["F"],
                "municipality": pa.array([360], pa.int32()),
                "lives_alone": [True],
            }
        ),
        root / "persons.parquet",
    )
    (root / "hospital_contacts").mkdir()
    pq.write_table(
        pa.table(
            {
                "contact_id": ["k1", "k2"],
                "person_id": ["a1", "a1"],
                "start": pa.array([datetime(2021, 1, 30, 22, 15), datetime(2021, 3, 1)]),
                "end": pa.array([datetime(2021, 2, 3, 9, 0), datetime(2021, 3, 1, 2)]),
                "priority": ["acute", "planned"],
                "setting": ["inpatient", "outpatient"],
                "primary_diagnosis": ["DJ441", "DE110"],
                "psychiatric": [False, None],
                "cost_dkk": [41234.5, 1800.0],
            }
        ),
        root / "hospital_contacts" / "part-00000.parquet",
    )
    warehouse = _import(root, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            'SELECT contact_id, start, "end", psychiatric, cost_dkk '
            "FROM hospital_contacts ORDER BY 1"
        ).fetchall()
        person = con.execute("SELECT birth_date, municipality, lives_alone FROM persons").fetchone()
    assert rows[0] == ("k1", datetime(2021, 1, 30, 22, 15), datetime(2021, 2, 3, 9), False, 41234.5)
    assert rows[1][3] is None
    assert person == (date(1960, 1, 1), 360, True)


def test_a_date_alone_in_a_datetime_column_means_midnight(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    write(
        root,
        "hospital_contacts.csv",
        "contact_id,person_id,start,end,priority,setting,primary_diagnosis,cost_dkk\n"
        "k1,a1,2021-01-30,2021-02-03T12:00:30,acute,inpatient,DE110,100\n",
    )
    warehouse = _import(root, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT start FROM hospital_contacts").fetchone() == (
            datetime(2021, 1, 30),
        )


def test_header_names_are_matched_without_case_or_spaces_and_bom(tmp_path: Path) -> None:
    root = tmp_path / "x"
    write(
        root, "persons.csv", "\ufeffPerson_ID, Birth_Date ,SEX,municipality\na1,1960-01-01,F,360\n"
    )
    warehouse = _import(root, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT person_id, sex FROM persons").fetchall() == [("a1", "F")]


def test_every_rule_has_a_message_a_person_understands(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root)
    write(root, "prescriptions.csv", "person_id,dispensing_date,atc,cost_dkk,subsidy_dkk\n"
          "a1,2021-01-01,A10BA02,100,150\n")  # fmt: skip
    warehouse = _import(root, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        message, raw = con.execute("SELECT message, raw FROM quarantine").fetchone()  # type: ignore[misc]
    assert message == "subsidy_dkk: " + RULES["range.subsidy_above_cost"]
    assert '"subsidy_dkk":"150"' in raw.replace(" ", "")
    assert all(len(text) > 10 for text in RULES.values())


def test_events_in_the_future_and_implausible_births_are_caught(tmp_path: Path) -> None:
    root = tmp_path / "x"
    write(root, "extract.json", '{"period_start": "2016-01-01", "period_end": "2024-12-31"}')
    persons_csv(root, "a1,1960-01-01,F,360", "a2,1890-01-01,M,360", "a3,2027-01-01,M,360")
    write(root, "primary_care.csv", "person_id,date,provider,fee_dkk\n"
          "a1,2026-11-23,gp,150\na1,2026-11-24,gp,150\n")  # fmt: skip
    warehouse = _import(root, tmp_path)
    assert [(r[0], r[2], r[3]) for r in quarantine(warehouse)] == [
        ("persons", 2, "range.birth_date"),
        ("persons", 3, "range.birth_date"),
        ("primary_care", 2, "date.in_future"),
    ]


def test_a_rejected_person_takes_their_events_to_quarantine_too(tmp_path: Path) -> None:
    root = tmp_path / "x"
    persons_csv(root, "a1,1960-01-01,F,360", "a2,1960-01-01,X,360")
    write(root, "measurements.csv", "person_id,date,kind,value\na2,2021-01-01,bmi,30\n")
    warehouse = _import(root, tmp_path)
    assert [(r[0], r[3]) for r in quarantine(warehouse)] == [
        ("measurements", "ref.person"),
        ("persons", "enum.value"),
    ]
