"""The cohorts' warehouse tables: cohorts built from definitions, their members and attrition.

Registered in ``broen.analytics._migrations`` as the capability ``cohort`` (docs/warehouse.md).
"""

from __future__ import annotations

import duckdb

from broen.analytics._migrations import Capability, Step


def _cohorts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE cohorts (
            cohort VARCHAR PRIMARY KEY,
            title VARCHAR,
            definition_file VARCHAR,
            definition_sha256 VARCHAR NOT NULL,
            index_rule VARCHAR NOT NULL,
            built_at TIMESTAMP NOT NULL,
            n_persons BIGINT NOT NULL,
            n_rows BIGINT NOT NULL
        )"""
    )
    con.execute(
        "CREATE TABLE cohort_members (cohort VARCHAR NOT NULL, person_id VARCHAR NOT NULL, "
        "index_date DATE NOT NULL)"
    )
    con.execute(
        """
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
        )"""
    )


SCHEMA = Capability(
    "cohort",
    (Step(1, "cohorts, cohort members and cohort attrition", _cohorts, legacy=2),),
)
