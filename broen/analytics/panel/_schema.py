"""The panel's warehouse tables: the persons to rebuild and the builds. The panel itself
(``panel_base`` and the view ``panel``) is written by its builds.

Registered in ``broen.analytics._migrations`` as the capability ``panel`` (docs/warehouse.md).
"""

from __future__ import annotations

import duckdb

from broen.analytics._migrations import Capability, Step


def _builds(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE panel_dirty (person_id VARCHAR NOT NULL, marked_at TIMESTAMP)")
    con.execute(
        """
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
        )"""
    )


def _view(con: duckdb.DuckDBPyConnection) -> None:
    """Builds of panel pipeline version 2 store ``panel_base`` and expose the view ``panel``:
    the table ``panel`` of version 1 goes, and the next build is a full one."""
    con.execute("DROP TABLE IF EXISTS panel")


SCHEMA = Capability(
    "panel",
    (
        Step(1, "person-month panel: dirty persons and panel builds", _builds, legacy=3),
        Step(2, "the panel as a view over panel_base", _view, legacy=4),
    ),
)
