"""The warehouse schema of Broen before capabilities (up to commit 66ea7b9), to replay in tests.

Each migration is the SQL that version's code ran, in order. Migration 3 also filled the period
of batches without one from their events; a replay builds an empty warehouse, so that loop had
no rows (tests add their rows after the replay).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

# When each old version was applied (kept by the upgrade).
APPLIED_AT = {n: datetime(2024, 1, n, 12, 0) for n in range(1, 5)}
OLD_MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "contract v1 tables, batches, batch files, quarantine",
        (
            """\
CREATE TABLE "persons" (
    "person_id" VARCHAR,
    "birth_date" DATE,
    "sex" VARCHAR,
    "municipality" INTEGER,
    "education" VARCHAR,
    "origin" VARCHAR,
    "lives_alone" BOOLEAN,
    "death_date" DATE,
    "moved_out_date" DATE,
    batch_id VARCHAR NOT NULL
)""",
            """\
CREATE TABLE "hospital_contacts" (
    "contact_id" VARCHAR,
    "person_id" VARCHAR,
    "start" TIMESTAMP,
    "end" TIMESTAMP,
    "priority" VARCHAR,
    "setting" VARCHAR,
    "primary_diagnosis" VARCHAR,
    "psychiatric" BOOLEAN,
    "cost_dkk" DOUBLE,
    batch_id VARCHAR NOT NULL
)""",
            """\
CREATE TABLE "hospital_diagnoses" (
    "contact_id" VARCHAR,
    "diagnosis" VARCHAR,
    "kind" VARCHAR,
    batch_id VARCHAR NOT NULL
)""",
            """\
CREATE TABLE "primary_care" (
    "person_id" VARCHAR,
    "date" DATE,
    "provider" VARCHAR,
    "specialty" VARCHAR,
    "service_code" VARCHAR,
    "services" BIGINT,
    "fee_dkk" DOUBLE,
    batch_id VARCHAR NOT NULL
)""",
            """\
CREATE TABLE "prescriptions" (
    "person_id" VARCHAR,
    "dispensing_date" DATE,
    "atc" VARCHAR,
    "packages" DOUBLE,
    "cost_dkk" DOUBLE,
    "subsidy_dkk" DOUBLE,
    batch_id VARCHAR NOT NULL
)""",
            """\
CREATE TABLE "municipal_services" (
    "person_id" VARCHAR,
    "service" VARCHAR,
    "start_date" DATE,
    "end_date" DATE,
    "units" DOUBLE,
    "unit" VARCHAR,
    "cost_dkk" DOUBLE,
    batch_id VARCHAR NOT NULL
)""",
            """\
CREATE TABLE "transfers" (
    "person_id" VARCHAR,
    "week" VARCHAR,
    "state" VARCHAR,
    "code" VARCHAR,
    "amount_dkk" DOUBLE,
    batch_id VARCHAR NOT NULL
)""",
            """\
CREATE TABLE "programme_episodes" (
    "episode_id" VARCHAR,
    "person_id" VARCHAR,
    "programme" VARCHAR,
    "referral_date" DATE,
    "referral_source" VARCHAR,
    "start_date" DATE,
    "end_date" DATE,
    "status" VARCHAR,
    "end_reason" VARCHAR,
    "stratum" VARCHAR,
    batch_id VARCHAR NOT NULL
)""",
            """\
CREATE TABLE "measurements" (
    "person_id" VARCHAR,
    "date" DATE,
    "kind" VARCHAR,
    "value" DOUBLE,
    batch_id VARCHAR NOT NULL
)""",
            """\
CREATE TABLE "questionnaire_responses" (
    "person_id" VARCHAR,
    "date" DATE,
    "instrument" VARCHAR,
    "item" VARCHAR,
    "value" DOUBLE,
    batch_id VARCHAR NOT NULL
)""",
            """\
CREATE TABLE batches (
    batch_id VARCHAR PRIMARY KEY,
    source VARCHAR NOT NULL,
    extract_sha256 VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    period_start DATE,
    period_end DATE,
    description VARCHAR,
    contract_version INTEGER NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL
)""",
            """\
CREATE TABLE batch_files (
    batch_id VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL
)""",
            """\
CREATE TABLE quarantine (
    batch_id VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    "row" BIGINT NOT NULL,
    rule VARCHAR NOT NULL,
    "column" VARCHAR,
    value VARCHAR,
    message VARCHAR NOT NULL,
    raw VARCHAR
)""",
        ),
    ),
    (
        2,
        "cohorts, cohort members and cohort attrition",
        (
            """\
CREATE TABLE cohorts (
    cohort VARCHAR PRIMARY KEY,
    title VARCHAR,
    definition_file VARCHAR,
    definition_sha256 VARCHAR NOT NULL,
    index_rule VARCHAR NOT NULL,
    built_at TIMESTAMP NOT NULL,
    n_persons BIGINT NOT NULL,
    n_rows BIGINT NOT NULL
)""",
            "CREATE TABLE cohort_members (cohort VARCHAR NOT NULL, person_id VARCHAR NOT NULL, "
            "index_date DATE NOT NULL)",
            """\
CREATE TABLE cohort_attrition (
    cohort VARCHAR NOT NULL,
    step INTEGER NOT NULL,
    criterion VARCHAR NOT NULL,
    persons_before BIGINT NOT NULL,
    persons_kept BIGINT NOT NULL,
    persons_removed BIGINT NOT NULL,
    rows_before BIGINT NOT NULL,
    rows_kept BIGINT NOT NULL,
    rows_removed BIGINT NOT NULL,
    note VARCHAR
)""",
        ),
    ),
    (
        3,
        "person-month panel, dirty persons, panel builds, batch period source",
        (
            "ALTER TABLE batches ADD COLUMN period_source VARCHAR",
            "UPDATE batches SET period_source = 'extract.json' "
            "WHERE period_start IS NOT NULL AND period_end IS NOT NULL",
            "CREATE TABLE panel_dirty (person_id VARCHAR NOT NULL, marked_at TIMESTAMP)",
            """\
CREATE TABLE panel_builds (
    built_at TIMESTAMP NOT NULL,
    mode VARCHAR NOT NULL,
    engine VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    payers VARCHAR NOT NULL,
    payers_fingerprint VARCHAR NOT NULL,
    pipeline_version INTEGER NOT NULL,
    persons BIGINT NOT NULL,
    rows_written BIGINT NOT NULL,
    seconds DOUBLE NOT NULL
)""",
        ),
    ),
    (4, "the panel as a view over panel_base", ("DROP TABLE IF EXISTS panel",)),
)


def old_warehouse(path: Path, version: int) -> None:
    """A warehouse as Broen before capabilities left it at schema ``version`` (1 to 4)."""
    with duckdb.connect(str(path)) as con:
        con.execute("BEGIN TRANSACTION")
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
        )
        for number, description, statements in OLD_MIGRATIONS[:version]:
            for sql in statements:
                con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [number, description, APPLIED_AT[number]],
            )
        con.execute("COMMIT")
