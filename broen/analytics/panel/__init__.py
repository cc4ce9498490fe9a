"""The person-month panel (``broen panel build``): one row per person and calendar month while
alive and resident, with the metrics of contract v1, finer splits and payer columns.

Written once with Narwhals' lazy API; runs on DuckDB (embedded) and on Apache Spark. The columns
and rules are documented in docs/panel.md, the payer mapping in docs/payers.md.
"""

from broen.analytics._spark import spark_session, start_spark
from broen.analytics.panel._build import ENGINES, PanelBuildReport, build_panel
from broen.analytics.panel._columns import PANEL_COLUMNS, V1_METRICS, sql_type
from broen.analytics.panel._payers import COST_CATEGORIES, DEFAULT_PAYERS_FILE, Payers, load_payers
from broen.analytics.panel._reconcile import Excluded

__all__ = [
    "COST_CATEGORIES",
    "DEFAULT_PAYERS_FILE",
    "ENGINES",
    "PANEL_COLUMNS",
    "V1_METRICS",
    "Excluded",
    "PanelBuildReport",
    "Payers",
    "build_panel",
    "load_payers",
    "spark_session",
    "sql_type",
    "start_spark",
]
