"""What the importer must make of a generated extract, from the reference reader's view of it.

``reference_csv`` says what each CSV record holds and which type rules it breaks; this module adds
the few other rules the generated extracts can break (required, enum, codes, ranges, dates,
references, keys) and answers, per file: rows read, the accepted rows as the warehouse must hold
them, and the rule of every rejected row. Rules are taken in the order of ``RULES``; the first a
row breaks is the one reported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from broen.analytics import TABLES
from broen.analytics._municipalities import MUNICIPALITIES
from tests.warehouse.properties_strategies import (
    PERIOD_START,
    TODAY,
    CsvFile,
    Extract,
    ParquetFile,
)
from tests.warehouse.reference_csv import (
    BAD,
    ReferenceFatal,
    ReferenceRow,
    TypeProblem,
    convert_string_cell,
    first_rule,
    read_csv,
)

ORDER = ("persons", "hospital_contacts", "hospital_diagnoses", "primary_care")


@dataclass
class ExpectedFile:
    table: str
    name: str
    rows_read: int
    accepted: list[tuple[object, ...]] = field(default_factory=list)  # contract column order
    rejected: dict[int, str] = field(default_factory=dict)  # row number -> rule


@dataclass
class Expected:
    files: list[ExpectedFile] = field(default_factory=list)
    fatal: list[ReferenceFatal] = field(default_factory=list)
    ambiguous: str | None = None  # the specification leaves this extract's outcome open

    def accepted(self, table: str) -> list[tuple[object, ...]]:
        return [row for f in self.files if f.table == table for row in f.accepted]

    def quarantine(self) -> set[tuple[str, str, int, str]]:
        return {(f.table, f.name, n, rule) for f in self.files for n, rule in f.rejected.items()}


# --- CPR-shaped person ids ----------------------------------------------------------------------

_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def valid_day_month(digits: str) -> bool:
    day, month = int(digits[:2]), int(digits[2:4])
    return 1 <= month <= 12 and 1 <= day <= _DAYS[month - 1]


def cpr_shaped(value: str) -> bool:
    """DDMMYY-SSSS or ten digits, with a day and month that exist (in some year)."""
    if not re.fullmatch(r"[0-9]{6}-?[0-9]{4}", value):
        return False
    return valid_day_month(value)


# --- Reading ------------------------------------------------------------------------------------


def parquet_rows(f: ParquetFile) -> list[ReferenceRow]:
    spec = TABLES[f.table]
    types = {c.name: c.type for c in spec.columns}
    n = len(next(iter(f.columns.values()))[1])
    rows = []
    for i in range(n):
        row = ReferenceRow(i + 1, {c.name: None for c in spec.columns})
        assert row.values is not None
        for name, (kind, values) in f.columns.items():
            if name not in types:
                continue  # an unknown column
            if kind == "string":
                try:
                    row.values[name] = convert_string_cell(values[i], types[name])
                except TypeProblem as problem:
                    row.values[name] = BAD
                    row.problems.append((problem.rule, name))
            else:
                row.values[name] = values[i]
        rows.append(row)
    return rows


def _as_date(value: object) -> date:
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _cell_problems(table: str, values: dict[str, object]) -> list[tuple[str, str | None]]:
    spec = TABLES[table]
    problems: list[tuple[str, str | None]] = []
    for c in spec.columns:
        v = values[c.name]
        if v is BAD:
            continue
        if v is None:
            if c.required:
                problems.append(("required.missing", c.name))
            continue
        if (c.allowed is not None and v not in c.allowed) or (
            c.pattern is not None and not re.fullmatch(c.pattern, str(v))
        ):
            problems.append((c.pattern_rule or "enum.value", c.name))
        if c.name == "municipality" and v not in MUNICIPALITIES:
            problems.append(("code.municipality", c.name))
        if c.minimum is not None and isinstance(v, int | float) and v < c.minimum:
            problems.append(("range.negative", c.name))
        if c.type in ("date", "datetime") and c.name != "birth_date" and _as_date(v) > TODAY:
            problems.append(("date.in_future", c.name))
    ok = {k: v for k, v in values.items() if v is not BAD and v is not None}
    if table == "persons" and "birth_date" in ok:
        birth = ok["birth_date"]
        if birth > TODAY or birth < _years_before(PERIOD_START, 120):  # type: ignore[operator]
            problems.append(("range.birth_date", "birth_date"))
        if "death_date" in ok and ok["death_date"] < birth:  # type: ignore[operator]
            problems.append(("date.death_before_birth", "death_date"))
    ends_first = "start" in ok and "end" in ok and ok["end"] < ok["start"]  # type: ignore[operator]
    if table == "hospital_contacts" and ends_first:
        problems.append(("date.end_before_start", "end"))
    return problems


def _person_problems(
    table: str, values: dict[str, object], persons: dict[object, tuple[date, date | None]]
) -> list[tuple[str, str | None]]:
    spec = TABLES[table]
    if table == "persons" or spec.person_column is None:
        return []
    if values.get(spec.person_column) is None or values[spec.person_column] is BAD:
        return []
    person = persons.get(values[spec.person_column])
    if person is None:
        return [("ref.person", spec.person_column)]
    birth, death = person
    problems: list[tuple[str, str | None]] = []
    for column in spec.date_columns:
        v = values[column]
        if v is None or v is BAD:
            continue
        if _as_date(v) < birth:
            problems.append(("date.before_birth", column))
        if death is not None and _as_date(v) > death:
            problems.append(("date.after_death", column))
    return problems


def _duplicates(
    table: str, candidates: list[tuple[ExpectedFile, int, tuple[object, ...]]]
) -> dict[tuple[str, int], str]:
    """Rows rejected for key.duplicate or row.duplicate, among rows no other rule rejects."""
    spec = TABLES[table]
    names = spec.column_names
    out: dict[tuple[str, int], str] = {}
    if spec.key:
        groups: dict[tuple[object, ...], list[tuple[ExpectedFile, int, tuple[object, ...]]]] = {}
        for cand in candidates:
            key = tuple(cand[2][names.index(k)] for k in spec.key)
            groups.setdefault(key, []).append(cand)
        for group in groups.values():
            if len({repr(c[2]) for c in group}) > 1:
                for f, n, _ in group:
                    out[(f.name, n)] = "key.duplicate"
    seen: set[str] = set()
    for f, n, values in candidates:
        if (f.name, n) in out:
            continue
        if repr(values) in seen:
            out[(f.name, n)] = "row.duplicate"
        seen.add(repr(values))
    return out


def expected_outcome(extract: Extract) -> Expected:
    out = Expected()
    read: list[tuple[ExpectedFile, list[ReferenceRow]]] = []
    for f in extract.files:
        if isinstance(f, CsvFile):
            o = extract.options
            if (
                o.encoding == "cp1252"
                and f.dialect.encoding == "cp1252"
                and not f.data.isascii()
                and _valid_utf8(f.data)
            ):
                out.ambiguous = "a cp1252 file that is also valid UTF-8, read as --encoding cp1252"
            try:
                ref = read_csv(f.data, f.table, encoding=o.encoding, sep=o.sep, decimal=o.decimal)
            except ReferenceFatal as fatal:
                out.fatal.append(fatal)
                continue
            if ref.decimal_ambiguous:
                out.ambiguous = "malformed records decide the decimal mark"
            rows = ref.rows
        elif f.data is not None:
            out.fatal.append(ReferenceFatal("parquet", "a damaged Parquet file"))
            continue
        else:
            rows = parquet_rows(f)
        read.append((ExpectedFile(f.table, f.name, len(rows)), rows))
    if not extract.allow_cpr:
        for ef, rows in read:
            if ef.table == "persons":
                for row in rows:
                    pid = (row.values or {}).get("person_id")
                    if isinstance(pid, str) and cpr_shaped(pid):
                        out.fatal.append(ReferenceFatal("cpr", "a CPR-shaped person_id"))
    if out.fatal:
        return out

    persons: dict[object, tuple[date, date | None]] = {}
    for table in sorted({ef.table for ef, _ in read}, key=ORDER.index):
        files = [(ef, rows) for ef, rows in read if ef.table == table]
        names = TABLES[table].column_names
        candidates = []
        for ef, rows in files:
            for row in rows:
                problems = list(row.problems)
                if row.values is not None:
                    problems += _cell_problems(table, row.values)
                    problems += _person_problems(table, row.values, persons)
                if problems:
                    ef.rejected[row.number] = first_rule(problems)[0]
                else:
                    assert row.values is not None
                    candidates.append((ef, row.number, tuple(row.values[n] for n in names)))
        dupes = _duplicates(table, candidates)
        for ef, number, values in candidates:
            if (ef.name, number) in dupes:
                ef.rejected[number] = dupes[(ef.name, number)]
            else:
                ef.accepted.append(values)
                if table == "persons":
                    row_values = dict(zip(names, values, strict=True))
                    persons[row_values["person_id"]] = (
                        row_values["birth_date"],  # type: ignore[assignment]
                        row_values["death_date"],
                    )
        out.files += [ef for ef, _ in files]
    return out


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def counter_of(rows: list[tuple[object, ...]]) -> Counter[str]:
    """Rows as a multiset of reprs: -0.0 and 0.0 differ, as do 1 and 1.0 and True."""
    return Counter(repr(tuple((type(v).__name__, v) for v in row)) for row in rows)
