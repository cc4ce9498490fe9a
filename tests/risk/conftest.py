"""Warehouses for the risk and timeline tests (built once per session).

The panel comes from the real builder (broen.analytics.panel.build_panel) when it imports; the
plain-SQL stand-in in panel_sql.py (TEST-ONLY) is used otherwise, and always by the test that
cross-checks the two on a hand-built person.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from broen.analytics import connect, import_extract
from broen.analytics.synth import generate_extract
from tests.risk import panel_sql

PERSONS = 3_000
START, END = "2016-01", "2021-12"
HAND_PERSON = "p-hand-0001"


def build_panel(warehouse: Path) -> str:
    """Build the panel with the real builder if there is one, else the test stand-in."""
    try:
        from broen.analytics.panel import build_panel as real_builder
    except ImportError:
        with connect(warehouse) as con:
            panel_sql.build_panel(con)
        return "sql"
    real_builder(warehouse)
    return "broen"


@pytest.fixture(scope="session")
def synth_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("risk")
    generate_extract(
        root / "extract", persons=PERSONS, start=START, end=END, seed=11, chunk_persons=PERSONS
    )
    warehouse = root / "warehouse.duckdb"
    import_extract(root / "extract", warehouse=warehouse)
    build_panel(warehouse)
    return warehouse


def _csv(path: Path, header: str, *rows: str) -> None:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def write_hand_extract(out: Path) -> Path:
    """One person with a known history (and a second, quiet one), 2018-01 to 2021-12.

    The acute admission runs 30 January to 3 February 2020: 5 calendar days, 4 nights (30, 31
    January and 1, 2 February), so 2 bed days in each month and its cost 5,000 DKK split 2,000
    (January, 2 days) and 3,000 (February, 3 days)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "extract.json").write_text(
        json.dumps({"period_start": "2018-01-01", "period_end": "2021-12-31"}), encoding="utf-8"
    )
    _csv(
        out / "persons.csv",
        "person_id,birth_date,sex,municipality,education,origin,lives_alone,death_date,"
        "moved_out_date",
        f"{HAND_PERSON},1972-05-17,M,376,basic,danish,true,,",
        "p-hand-0002,1980-01-01,F,360,long_higher,danish,false,,",
    )
    _csv(
        out / "hospital_contacts.csv",
        "contact_id,person_id,start,end,priority,setting,primary_diagnosis,psychiatric,cost_dkk",
        f"h1,{HAND_PERSON},2020-01-30T10:00,2020-02-03T12:00,acute,inpatient,DJ441,false,5000",
        f"h2,{HAND_PERSON},2020-03-10T09:00,2020-03-10T11:00,acute,emergency,DF102,false,2500",
        f"h3,{HAND_PERSON},2019-05-02T08:00,2019-05-02T09:00,planned,outpatient,DJ449,false,1800",
    )
    _csv(
        out / "hospital_diagnoses.csv",
        "contact_id,diagnosis,kind",
        "h1,DJ441,A",
        "h1,DE119,B",
    )
    _csv(
        out / "primary_care.csv",
        "person_id,date,provider,specialty,service_code,services,fee_dkk",
        f"{HAND_PERSON},2020-02-14,gp,80,0101,1,150",
        f"{HAND_PERSON},2020-02-20,gp,80,0201,2,54",
        f"{HAND_PERSON},2020-04-01,specialist,04,,1,600",
        f"{HAND_PERSON},2020-04-03,physiotherapist,51,,1,300",
    )
    _csv(
        out / "prescriptions.csv",
        "person_id,dispensing_date,atc,packages,cost_dkk,subsidy_dkk",
        f"{HAND_PERSON},2020-02-05,R03AK06,1,420,300",
        f"{HAND_PERSON},2020-05-05,N07BB01,1,250,100",
    )
    _csv(
        out / "municipal_services.csv",
        "person_id,service,start_date,end_date,units,unit,cost_dkk",
        f"{HAND_PERSON},rehabilitation,2020-02-25,2020-03-05,8,sessions,1000",
    )
    _csv(
        out / "transfers.csv",
        "person_id,week,state,code,amount_dkk",
        f"{HAND_PERSON},2020-W10,sickness_benefit,890,4000",
        f"{HAND_PERSON},2020-W11,sickness_benefit,890,4000",
        f"{HAND_PERSON},2020-W14,cash_benefit,,3000",
    )
    _csv(
        out / "programme_episodes.csv",
        "episode_id,person_id,programme,referral_date,referral_source,start_date,end_date,"
        "status,end_reason,stratum",
        f"e1,{HAND_PERSON},sammen-om-min-vej,2020-03-20,A11,2020-04-15,2021-04-14,completed,,2",
    )
    return out


@pytest.fixture(scope="session")
def hand_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hand_extract(tmp_path_factory.mktemp("hand") / "extract")


@pytest.fixture
def hand_warehouse(tmp_path: Path, hand_extract: Path) -> Path:
    """The hand-built extract imported, without a panel."""
    warehouse = tmp_path / "hand.duckdb"
    import_extract(hand_extract, warehouse=warehouse)
    return warehouse
