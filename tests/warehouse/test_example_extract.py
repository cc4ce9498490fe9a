"""The example extract in docs/ imports as docs/data-format.md says it does."""

from __future__ import annotations

from pathlib import Path

from broen.analytics import import_extract
from tests.warehouse.helpers import quarantine

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example-extract"


def test_the_documented_example_imports_with_its_three_bad_rows(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    report = import_extract(EXAMPLE, warehouse=warehouse)
    assert report.reconciles
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (36, 33, 3)
    assert [(r[1], r[2], r[3]) for r in quarantine(warehouse)] == [
        ("hospital_contacts.csv", 5, "date.after_death"),
        ("primary_care.csv", 4, "range.negative"),
        ("questionnaire_responses.csv", 3, "range.questionnaire"),
    ]
