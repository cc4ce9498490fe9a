"""Cohorts: declarative target groups (``broen cohort``).

A definition is a YAML file with an index-date rule, inclusion criteria and exclusion criteria
(docs/cohorts.md). Building it writes the members (person, index date) and an OHDSI-style
attrition table to the warehouse. The criteria are written once on narwhals LazyFrames and run
on DuckDB (the warehouse) and on Spark (:class:`SparkSource`).
"""

from __future__ import annotations

from broen.analytics._source import DuckDBSource, Source, SparkSource
from broen.analytics.cohort._definitions import find_definition, shipped_definitions
from broen.analytics.cohort._errors import CohortDefinitionError, CohortError
from broen.analytics.cohort._evaluate import AttritionStep, CohortResult, evaluate_cohort
from broen.analytics.cohort._metrics import PANEL_METRICS, RAW_METRICS, SECTOR_MEANING, SECTORS
from broen.analytics.cohort._model import (
    CohortDefinition,
    FixedIndex,
    IndexRule,
    MonthlyIndex,
    ProgrammeIndex,
)
from broen.analytics.cohort._parse import load_definition, parse_definition
from broen.analytics.cohort._store import (
    CohortInfo,
    CohortReport,
    build_cohort,
    cohort_attrition,
    cohort_members,
    list_cohorts,
)

__all__ = [
    "PANEL_METRICS",
    "RAW_METRICS",
    "SECTORS",
    "SECTOR_MEANING",
    "AttritionStep",
    "CohortDefinition",
    "CohortDefinitionError",
    "CohortError",
    "CohortInfo",
    "CohortReport",
    "CohortResult",
    "DuckDBSource",
    "FixedIndex",
    "IndexRule",
    "MonthlyIndex",
    "ProgrammeIndex",
    "Source",
    "SparkSource",
    "build_cohort",
    "cohort_attrition",
    "cohort_members",
    "evaluate_cohort",
    "find_definition",
    "list_cohorts",
    "load_definition",
    "parse_definition",
    "shipped_definitions",
]
