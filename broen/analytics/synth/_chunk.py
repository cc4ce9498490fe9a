"""Simulate one chunk of persons: all tables, in both worlds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from broen.analytics._contract import EDUCATION_LEVELS, ORIGINS

from ._acute import simulate_acute
from ._calendar import NEVER, Period
from ._config import ProgrammeEffects
from ._enrol import Enrolment
from ._hospital import DIAG, INPATIENT, contacts_and_diagnoses
from ._medicine import prescriptions
from ._municipal import municipal_services
from ._population import Persons, make_persons
from ._primary import primary_care
from ._programme_rows import episodes, programme_rows
from ._rows import Col, Rows, cat, concat
from ._transfers import apply_effect, make_spells, transfer_rows
from ._truth import Tables


@dataclass
class Chunk:
    persons: Persons
    enrol: Enrolment
    rows: dict[str, Rows]  # contract table -> rows with world flags
    truth_tables: Tables


def persons_rows(persons: Persons) -> Rows:
    n = persons.n
    ones = np.ones(n, bool)
    return Rows(
        {
            "person_id": Col(np.arange(n, dtype=np.int64), "person"),
            "birth_date": Col(persons.birth, "date"),
            "sex": cat(np.where(persons.sex == 1, 1, 0), ("F", "M")),
            "municipality": Col(persons.muni, "int"),
            "education": cat(persons.edu, EDUCATION_LEVELS),
            "origin": cat(persons.origin, ORIGINS),
            "lives_alone": Col(persons.alone, "bool"),
            "death_date": Col(persons.death, "date", valid=persons.death < NEVER),
            "moved_out_date": Col(persons.moved, "date", valid=persons.moved < NEVER),
        },
        ones,
        ones,
    )


def simulate_chunk(
    rng: np.random.Generator,
    n: int,
    municipalities: Sequence[int],
    weights: Sequence[float],
    period: Period,
    effects: ProgrammeEffects,
    chunk: int,
    first_pid: int,
    first_birth_pid: int,
    week_labels: tuple[str, ...],
) -> Chunk:
    persons = make_persons(rng, n, municipalities, weights, period, first_pid, first_birth_pid)
    episodes_acute, enrol = simulate_acute(rng, persons, period, effects)
    hospital, diagnoses = contacts_and_diagnoses(rng, persons, episodes_acute, period, chunk)

    hp = hospital.col("person_id").astype(np.int64)
    start_day = hospital.col("start").astype(np.int64) // 86400
    end_day = hospital.col("end").astype(np.int64) // 86400
    acute = hospital.col("priority") == 0
    setting = hospital.col("setting")
    follow = acute & (setting != 1)
    primary = primary_care(
        rng,
        persons,
        period,
        enrol,
        hp[follow],
        end_day[follow],
        hospital.w1[follow],
        hospital.w0[follow],
    )

    diag = hospital.col("primary_diagnosis")
    somatic_in = (setting == INPATIENT) & ~hospital.col("psychiatric").astype(bool)
    hip = diag == DIAG.index("DS720")
    elective = ~acute & np.isin(diag, [DIAG.index("DM169"), DIAG.index("DM171")])
    municipal = municipal_services(
        rng,
        persons,
        period,
        hp[somatic_in],
        end_day[somatic_in],
        hip[somatic_in],
        elective[somatic_in],
        hospital.w1[somatic_in],
        hospital.w0[somatic_in],
    )

    adm = acute & (setting == INPATIENT)
    spells = make_spells(
        rng, persons, period, hp[adm], start_day[adm], hospital.w1[adm], hospital.w0[adm]
    )
    apply_effect(spells, enrol, period)

    medicine = prescriptions(rng, persons, period)
    meas, quest, sessions, prog_medicine = programme_rows(rng, persons, enrol, period, effects)
    municipal = concat([municipal, sessions])
    medicine = concat([medicine, prog_medicine])
    rows = {
        "persons": persons_rows(persons),
        "hospital_contacts": hospital,
        "hospital_diagnoses": diagnoses,
        "primary_care": primary,
        "prescriptions": medicine,
        "municipal_services": municipal,
        "transfers": transfer_rows(persons, period, spells, week_labels),
        "programme_episodes": episodes(enrol, period, chunk),
        "measurements": meas,
        "questionnaire_responses": quest,
    }
    return Chunk(persons, enrol, rows, Tables(hospital, primary, medicine, municipal, spells))
