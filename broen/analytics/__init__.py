"""broen.analytics: the library under the CLI and the web app. No Django here.

The public surface is what this module exports; everything in ``_*.py`` is private.
"""

from broen.analytics._contract import CONTRACT_VERSION, TABLES
from broen.analytics._exceptions import (
    BroenError,
    ConfigurationError,
    ExtractError,
    KeyFileError,
    WarehouseError,
)
from broen.analytics._extract import DialectOptions
from broen.analytics._importer import ImportReport, import_extract
from broen.analytics._keys import generate_key, key_fingerprint, load_key
from broen.analytics._privacy import SMALL_CELL, suppress
from broen.analytics._pseudonymise import PseudonymisationReport, pseudonymise_extract
from broen.analytics._rules import RULES
from broen.analytics._source import DuckDBSource, Source, SparkSource
from broen.analytics._staging import FileReport
from broen.analytics._timeline import Timeline, month_range, timeline, write_timeline_html
from broen.analytics._warehouse import (
    WAREHOUSE_ENV,
    QuarantinedRow,
    WarehouseInfo,
    connect,
    default_warehouse_path,
    quarantined_rows,
    warehouse_info,
)

__all__ = [
    "CONTRACT_VERSION",
    "RULES",
    "SMALL_CELL",
    "TABLES",
    "WAREHOUSE_ENV",
    "BroenError",
    "ConfigurationError",
    "DialectOptions",
    "DuckDBSource",
    "ExtractError",
    "FileReport",
    "ImportReport",
    "KeyFileError",
    "PseudonymisationReport",
    "QuarantinedRow",
    "Source",
    "SparkSource",
    "Timeline",
    "WarehouseError",
    "WarehouseInfo",
    "connect",
    "default_warehouse_path",
    "generate_key",
    "import_extract",
    "key_fingerprint",
    "load_key",
    "month_range",
    "pseudonymise_extract",
    "quarantined_rows",
    "suppress",
    "timeline",
    "warehouse_info",
    "write_timeline_html",
]
