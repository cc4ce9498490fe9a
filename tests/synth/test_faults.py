"""Fault injection: one bad row per applicable rule, and a manifest the importer agrees with."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from broen.analytics._contract import TABLES
from broen.analytics._importer import import_extract
from broen.analytics._rules import RULES
from broen.analytics.synth import SynthResult


def _manifest(result: SynthResult) -> dict[str, Any]:
    assert result.faults_json is not None
    doc: dict[str, Any] = json.loads(result.faults_json.read_text("utf-8"))
    return doc


def applicable_rules(table: str) -> set[str]:
    """The rules a row of ``table`` can break, derived from the contract declarations."""
    spec = TABLES[table]
    rules = {"required.missing", "row.duplicate"}
    for c in spec.columns:
        if c.type in ("integer", "number", "date", "datetime", "bool"):
            rules.add(f"type.{c.type}")
        if c.allowed is not None:
            rules.add(c.pattern_rule or "enum.value")
        elif c.pattern_rule is not None:
            rules.add(c.pattern_rule)
        if c.minimum is not None:
            rules.add("range.negative")
    names = set(spec.column_names)
    if {"start", "end"} <= names or {"start_date", "end_date"} <= names:
        rules.add("date.end_before_start")
    if any(c.type in ("date", "datetime", "week") and c.name != "birth_date" for c in spec.columns):
        rules.add("date.in_future")
    if spec.person_column and table != "persons" and spec.date_columns:
        rules |= {"date.before_birth", "date.after_death", "ref.person"}
    if spec.key:
        rules.add("key.duplicate")
    extra = {
        "persons": {"code.municipality", "range.birth_date", "date.death_before_birth"},
        "hospital_diagnoses": {"ref.contact"},
        "prescriptions": {"range.subsidy_above_cost"},
        "measurements": {"range.measurement"},
        "questionnaire_responses": {"range.questionnaire"},
        "programme_episodes": {
            "code.end_reason",
            "cond.end_reason_required",
            "cond.start_date_required",
        },
    }
    rules |= extra.get(table, set())
    assert rules <= set(RULES), rules - set(RULES)
    return rules


def test_every_applicable_rule_is_injected(
    faulty_parquet: SynthResult, faulty_csv: SynthResult
) -> None:
    for result, csv in ((faulty_parquet, False), (faulty_csv, True)):
        found: dict[str, set[str]] = defaultdict(set)
        for row in _manifest(result)["rows"]:
            found[row["table"]].add(row["rule"])
        for table in TABLES:
            expected = applicable_rules(table) | ({"row.malformed"} if csv else set())
            assert found[table] == expected, (table, expected ^ found[table])
        csv_only = {"row.malformed"} if not csv else set()
        assert set().union(*found.values()) == set(RULES) - csv_only


def test_counts_reconcile(faulty_parquet: SynthResult, faulty_csv: SynthResult) -> None:
    for result in (faulty_parquet, faulty_csv):
        doc = _manifest(result)
        per_table: dict[str, int] = defaultdict(int)
        for row in doc["rows"]:
            per_table[row["table"]] += 1
            assert row["row"] >= 1
        for table, counts in doc["counts"].items():
            assert counts["faulty"] == per_table[table]
            assert counts["rows"] == result.counts[table]
    for table in TABLES:
        rows = sum(
            pq.read_metadata(p).num_rows for p in (faulty_parquet.out_dir / table).glob("*.parquet")
        )
        assert rows == _manifest(faulty_parquet)["counts"][table]["rows"]
        with (faulty_csv.out_dir / f"{table}.csv").open(encoding="utf-8") as f:
            assert sum(1 for _ in f) - 1 == _manifest(faulty_csv)["counts"][table]["rows"]


def _quarantine(result: SynthResult, warehouse: Path) -> set[tuple[str, str, int, str]]:
    report = import_extract(result.out_dir, warehouse=warehouse)
    assert report.reconciles
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute('SELECT table_name, file, "row", rule FROM quarantine').fetchall()
    return {(t, f, int(r), rule) for t, f, r, rule in rows}


def test_importer_quarantines_exactly_the_manifest(
    faulty_parquet: SynthResult, faulty_csv: SynthResult, tmp_path: Path
) -> None:
    """Integration with the importer: the same (table, file, row, rule) set, nothing else."""
    for i, result in enumerate((faulty_parquet, faulty_csv)):
        expected = {(r["table"], r["file"], r["row"], r["rule"]) for r in _manifest(result)["rows"]}
        assert _quarantine(result, tmp_path / f"w{i}.duckdb") == expected


def test_clean_rows_unchanged_by_faults(faulty_csv: SynthResult, tmp_path: Path) -> None:
    """Faults only insert rows: the clean extract is an ordered subsequence of the faulty one."""
    from .conftest import make

    clean = make(tmp_path / "clean", file_format="csv", persons=1_500)
    doc = _manifest(faulty_csv)
    for table in TABLES:
        name = f"{table}.csv"
        clean_lines = (clean.out_dir / name).read_text("utf-8").splitlines()
        faulty_lines = (faulty_csv.out_dir / name).read_text("utf-8").splitlines()
        it = iter(faulty_lines)
        assert all(line in it for line in clean_lines), table  # ordered subsequence
        inserted = len(faulty_lines) - len(clean_lines)
        # Besides the faulty rows: one or two valid extra rows (anchor persons, originals of
        # the row duplicates).
        assert 1 <= inserted - doc["counts"][table]["faulty"] <= 2, table
