"""How the panel is stored: ``panel_base`` holds the stored columns, the view ``panel`` adds the
totals and payer columns; a warehouse whose panel was a table (pipeline version 1) is upgraded."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from broen.analytics.panel import PANEL_COLUMNS, build_panel
from broen.analytics.panel._columns import DERIVED_COLUMNS, STORED_COLUMNS

from .helpers import differences, panel_cells


def _kinds(warehouse: Path) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_name IN ('panel', 'panel_base')"
        ).fetchall()
    return dict(rows)


def test_the_panel_is_a_view_over_the_stored_columns(built: Path) -> None:
    assert _kinds(built) == {"panel": "VIEW", "panel_base": "BASE TABLE"}
    with duckdb.connect(str(built), read_only=True) as con:
        view = [r[0] for r in con.execute("DESCRIBE panel").fetchall()]
        base = [r[0] for r in con.execute("DESCRIBE panel_base").fetchall()]
        # The computed columns are the sums of their parts, row by row.
        (mismatches,) = con.execute(
            "SELECT count(*) FILTER (WHERE abs(cost_total - (cost_hospital_acute "
            "+ cost_hospital_planned + cost_primary_care + cost_medicine + cost_municipal)) > 1e-6"
            " OR abs(cost_total - (cost_payer_region + cost_payer_municipality + cost_payer_state"
            " + cost_payer_citizen)) > 1e-6 OR gp_contacts <> services_gp) FROM panel"
        ).fetchall()[0]
    assert view == list(PANEL_COLUMNS)
    assert base == list(STORED_COLUMNS)
    assert not DERIVED_COLUMNS & set(base)
    assert mismatches == 0


def test_a_panel_table_of_pipeline_version_1_is_replaced_by_a_full_build(
    built: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.duckdb"
    shutil.copy(built, old)
    with duckdb.connect(str(old)) as con:  # the warehouse as Broen left it before migration 4
        con.execute("CREATE TABLE panel_v1 AS SELECT * FROM panel")
        con.execute("DROP VIEW panel")
        con.execute("DROP TABLE panel_base")
        con.execute("ALTER TABLE panel_v1 RENAME TO panel")
        # ... which recorded its migrations as versions 1 to 3 in schema_migrations only
        con.execute("DROP TABLE schema_steps")
        con.execute("DELETE FROM schema_migrations")
        con.execute("INSERT INTO schema_migrations SELECT range, 'old', now() FROM range(1, 4)")
        con.execute("UPDATE panel_builds SET pipeline_version = 1")
    assert _kinds(old) == {"panel": "BASE TABLE"}

    report = build_panel(old)

    assert (report.mode, report.reason) == ("full", "this Broen computes the panel differently")
    assert _kinds(old) == {"panel": "VIEW", "panel_base": "BASE TABLE"}
    assert differences(panel_cells(old), panel_cells(built)) == []
