"""Row validation against contract v1, written as SQL so that DuckDB checks millions of rows.

Every table is staged with all columns as text. :func:`checks_for` lists the checks of a table
in rule order; :func:`checked_select` turns them into one query that gives every row the number
of the first check it fails (``_check``, null for a good row). The checks are the rules of
``_rules.RULES``; each names the column it looks at.

An accepted value is exactly the value in the file: only an empty cell is null (the staging
makes it so), a number or a whole number must match the grammar below in full before it is
converted (DuckDB's own casts accept more, e.g. ``1_000``, and round ``.5`` to an integer), whole
numbers are converted without passing through a double, and a number must be finite. A file
written with a decimal comma is read through ``translate(text, '.,', ',.')``, so that its comma
becomes the point the grammar wants and a point in it fails the grammar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from broen.analytics._contract import (
    FSIII_END_REASONS,
    MEASUREMENT_RANGES,
    QUESTIONNAIRE_RANGES,
    Column,
    Table,
)
from broen.analytics._municipalities import MUNICIPALITIES
from broen.analytics._rules import RULE_ORDER, RULES
from broen.analytics._sql import literal, quote


@dataclass(frozen=True)
class Check:
    rule: str
    column: str | None
    condition: str  # SQL, true when the row breaks the rule
    value: str  # SQL for the offending value shown in the message

    @property
    def message(self) -> str:
        text = RULES[self.rule]
        if not self.column or text.startswith(self.column):
            return text
        return f"{self.column}: {text}"


@dataclass(frozen=True)
class CheckContext:
    today: date
    period_start: date | None
    comma_files: tuple[int, ...] = ()  # staged files (``_file_no``) written with decimal comma

    def number_text(self, cell: str) -> str:
        """SQL for a number cell's text with a point as its decimal mark."""
        if not self.comma_files:
            return cell
        files = ", ".join(map(str, self.comma_files))
        swapped = f"translate({cell}, '.,', ',.')"
        return f"(CASE WHEN s._file_no IN ({files}) THEN {swapped} ELSE {cell} END)"


def _in(values: object) -> str:
    return "(" + ", ".join(literal(str(v)) for v in values) + ")"  # type: ignore[attr-defined]


# Years 0001-9999 (DuckDB would read 0000 as 1 BC); hours 00-23 (it reads 24:00 as the next
# day's midnight); at most six decimals of a second (it would cut the seventh and later).
DATE_RE = r"(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-[0-9]{2}-[0-9]{2}"
DATETIME_RE = DATE_RE + r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?"
INTEGER_RE = r"[+-]?[0-9]+(\.0+)?"
NUMBER_RE = r"[+-]?([0-9]+|[0-9]+\.[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
TRUE_VALUES = ("true", "1")
BOOL_VALUES = ("true", "false", "1", "0")


def typed(column: Column, ctx: CheckContext) -> str:
    """SQL that turns the staged text of ``column`` into its contract type."""
    c = "s." + quote(column.name)
    match column.type:
        case "integer":
            return f"TRY_CAST(regexp_replace({ctx.number_text(c)}, '\\.0+$', '') AS BIGINT)"
        case "number":
            return f"TRY_CAST({ctx.number_text(c)} AS DOUBLE)"
        case "date":
            return f"TRY_CAST({c} AS DATE)"
        case "datetime":
            return f"TRY_CAST(replace({c}, 'T', ' ') AS TIMESTAMP)"
        case "bool":
            return f"(lower({c}) IN {_in(TRUE_VALUES)})"
        case _:
            return c


def week_monday(expr: str) -> str:
    """The Monday of an ISO week 'YYYY-Www' (valid weeks only)."""
    year = f"TRY_CAST(substr({expr}, 1, 4) AS INTEGER)"
    week = f"TRY_CAST(substr({expr}, 7, 2) AS INTEGER)"
    jan4 = f"make_date({year}, 1, 4)"
    return f"({jan4} + CAST(7 * ({week} - 1) - (isodow({jan4}) - 1) AS INTEGER))"


def _type_condition(column: Column, c: str, ctx: CheckContext) -> str | None:
    match column.type:
        case "integer":
            # Beyond 64 bits the cast gives null: out of range is a type error, never a null.
            return (
                f"(NOT regexp_full_match({ctx.number_text(c)}, {literal(INTEGER_RE)}) "
                f"OR {typed(column, ctx)} IS NULL)"
            )
        case "number":
            value = typed(column, ctx)
            return (
                f"(NOT regexp_full_match({ctx.number_text(c)}, {literal(NUMBER_RE)}) "
                f"OR coalesce(NOT isfinite({value}), true))"
            )
        case "date":
            return (
                f"(NOT regexp_full_match({c}, {literal(DATE_RE)}) OR TRY_CAST({c} AS DATE) IS NULL)"
            )
        case "datetime":
            return (
                f"(NOT regexp_full_match({c}, {literal(DATETIME_RE)}) "
                f"OR TRY_CAST(replace({c}, 'T', ' ') AS TIMESTAMP) IS NULL)"
            )
        case "bool":
            return f"lower({c}) NOT IN {_in(BOOL_VALUES)}"
        case _:
            return None


def _event_date(table: Table, name: str, ctx: CheckContext) -> str:
    column = table.column(name)
    if column.type == "week":
        return week_monday("s." + quote(name))
    if column.type == "datetime":
        return f"CAST({typed(column, ctx)} AS DATE)"
    return typed(column, ctx)


def checks_for(table: Table, ctx: CheckContext) -> list[Check]:
    """All checks of ``table`` in rule order (then column order)."""
    checks: list[Check] = []

    def add(rule: str, column: str | None, condition: str, value: str | None = None) -> None:
        shown = value if value is not None else ("s." + quote(column) if column else "NULL")
        checks.append(Check(rule, column, condition, f"CAST({shown} AS VARCHAR)"))

    cols = {c.name: c for c in table.columns}
    for col in table.columns:
        c = "s." + quote(col.name)
        if col.required:
            add("required.missing", col.name, f"{c} IS NULL")
        cond = _type_condition(col, c, ctx)
        if cond:
            add(f"type.{col.type}", col.name, f"{c} IS NOT NULL AND {cond}")
        if col.allowed is not None:
            rule = col.pattern_rule or "enum.value"
            add(rule, col.name, f"{c} IS NOT NULL AND {c} NOT IN {_in(col.allowed)}")
        elif col.pattern is not None:
            rule = col.pattern_rule or "enum.value"
            add(
                rule,
                col.name,
                f"{c} IS NOT NULL AND NOT regexp_full_match({c}, {literal(col.pattern)})",
            )
        if col.type == "week":
            weeks_in_year = f"weekofyear(make_date(TRY_CAST(substr({c}, 1, 4) AS INTEGER), 12, 28))"
            add(
                "code.iso_week",
                col.name,
                f"{c} IS NOT NULL AND TRY_CAST(substr({c}, 7, 2) AS INTEGER) > {weeks_in_year}",
            )
        if col.name == "municipality":
            codes = ", ".join(map(str, MUNICIPALITIES))
            add(
                "code.municipality",
                col.name,
                f"{c} IS NOT NULL AND {typed(col, ctx)} NOT IN ({codes})",
            )
        if col.name == "end_reason":
            accepted = [*FSIII_END_REASONS, *(v.lower() for v in FSIII_END_REASONS.values())]
            add(
                "code.end_reason",
                col.name,
                f"{c} IS NOT NULL AND lower({c}) NOT IN {_in(accepted)}",
            )
        if col.minimum is not None:
            add("range.negative", col.name, f"{typed(col, ctx)} < {col.minimum}")

    if table.name == "prescriptions":
        add(
            "range.subsidy_above_cost",
            "subsidy_dkk",
            f"{typed(cols['subsidy_dkk'], ctx)} > {typed(cols['cost_dkk'], ctx)}",
        )
    if table.name == "measurements":
        value = typed(cols["value"], ctx)
        parts = [
            f"WHEN {literal(kind)} THEN NOT ({value} BETWEEN {lo} AND {hi})"
            for kind, (lo, hi) in MEASUREMENT_RANGES.items()
        ]
        cond = f"CASE s.kind {' '.join(parts)} ELSE false END"
        add(
            "range.measurement",
            "value",
            f"{cond} OR (s.kind = 'smoking' AND {value} NOT IN (0, 1))",
        )
    if table.name == "questionnaire_responses":
        value = typed(cols["value"], ctx)
        parts = []
        for instrument, ranges in QUESTIONNAIRE_RANGES.items():
            (ilo, ihi), (slo, shi) = ranges["item"], ranges["score"]
            parts.append(
                f"WHEN {literal(instrument)} THEN CASE WHEN s.item = 'score' "
                f"THEN NOT ({value} BETWEEN {slo} AND {shi}) "
                f"ELSE NOT ({value} BETWEEN {ilo} AND {ihi}) END"
            )
        add(
            "range.questionnaire",
            "value",
            f"CASE lower(s.instrument) {' '.join(parts)} ELSE false END",
        )
    if table.name == "persons":
        birth = typed(cols["birth_date"], ctx)
        oldest = ctx.period_start or ctx.today
        add(
            "range.birth_date",
            "birth_date",
            f"({birth} > DATE '{ctx.today}' OR {birth} < DATE '{oldest}' - INTERVAL 120 YEAR)",
        )

    for start, end in (("start", "end"), ("start_date", "end_date")):
        if start in cols and end in cols:
            add(
                "date.end_before_start",
                end,
                f"{typed(cols[end], ctx)} < {typed(cols[start], ctx)}",
            )
    for col in table.columns:
        if col.type in ("date", "datetime", "week") and col.name != "birth_date":
            expr = _event_date(table, col.name, ctx)
            add("date.in_future", col.name, f"{expr} > DATE '{ctx.today}'")
    if table.person_column and table.name != "persons" and table.date_columns:
        name = table.date_columns[0]
        event = _event_date(table, name, ctx)
        last_day = f"({event} + 6)" if cols[name].type == "week" else event
        add("date.before_birth", name, f"{last_day} < p.birth_date")
        add("date.after_death", name, f"{event} > p.death_date")
    if table.name == "persons":
        add(
            "date.death_before_birth",
            "death_date",
            f"{typed(cols['death_date'], ctx)} < {typed(cols['birth_date'], ctx)}",
        )
    if table.name == "programme_episodes":
        add(
            "cond.end_reason_required",
            "end_reason",
            "s.status = 'dropped_out' AND s.end_reason IS NULL",
        )
        add(
            "cond.start_date_required",
            "start_date",
            "s.status IN ('enrolled', 'completed') AND s.start_date IS NULL",
        )
    if table.person_column and table.name != "persons":
        add("ref.person", "person_id", "p.person_id IS NULL")
    if table.name == "hospital_diagnoses":
        add("ref.contact", "contact_id", "k.contact_id IS NULL")
    if table.key:
        add("key.duplicate", ",".join(table.key), "s._key_conflict", _key_value(table))
    add("row.duplicate", None, "s._copy > 1", "NULL")
    checks.sort(key=lambda ch: RULE_ORDER[ch.rule])  # stable: column order within a rule
    return checks


def _key_value(table: Table) -> str:
    return " || '/' || ".join(f"coalesce(s.{quote(k)}, '')" for k in table.key)


def checked_select(table: Table, staged: str, checks: list[Check]) -> str:
    """A query giving ``(_file_no, _row, _check)`` for every staged row that fails a check,
    ``_check`` being the 1-based index of the first check it fails.

    Duplicates are found in two steps so that no large table is sorted: rows are hashed, and
    only rows whose hash occurs more than once are compared column by column.
    """
    all_cols = ", ".join(quote(c.name) for c in table.columns)
    conflicts, key_join, conflict_flag = "", "", "false"
    if table.key:
        key = ", ".join(quote(k) for k in table.key)
        conflicts = (
            f"conflicts AS (SELECT {key} FROM hashed GROUP BY ALL HAVING min(_h) <> max(_h)),"
        )
        on = " AND ".join(f"x.{quote(k)} IS NOT DISTINCT FROM s.{quote(k)}" for k in table.key)
        key_join = f"LEFT JOIN conflicts x ON {on}"
        conflict_flag = f"x.{quote(table.key[0])} IS NOT NULL"
    case = " ".join(f"WHEN {ch.condition} THEN {i}" for i, ch in enumerate(checks, start=1))
    return f"""
        WITH hashed AS (SELECT *, hash({all_cols}) AS _h FROM {staged}),
        repeated AS (SELECT _h FROM hashed GROUP BY _h HAVING count(*) > 1),
        copies AS (
            SELECT _file_no, _row,
                row_number() OVER (PARTITION BY {all_cols} ORDER BY _file_no, _row) AS _copy
            FROM hashed SEMI JOIN repeated USING (_h)
        ),
        {conflicts}
        marked AS (
            SELECT s.* EXCLUDE (_h), coalesce(c._copy, 1) AS _copy, {conflict_flag} AS _key_conflict
            FROM hashed s LEFT JOIN copies c USING (_file_no, _row) {key_join}
        )
        SELECT _file_no, _row, _check FROM (
            SELECT s._file_no, s._row, CASE {case} END AS _check
            FROM marked s{_reference_joins(table)}
        ) WHERE _check IS NOT NULL
    """


def _reference_joins(table: Table) -> str:
    joins = ""
    if table.person_column and table.name != "persons":
        joins += " LEFT JOIN ref_persons p ON p.person_id = s.person_id"
    if table.name == "hospital_diagnoses":
        joins += " LEFT JOIN ref_contacts k ON k.contact_id = s.contact_id"
    return joins


def value_select(checks: list[Check]) -> str:
    """SQL for the offending value of the row's failed check."""
    parts = " ".join(f"WHEN {i} THEN {ch.value}" for i, ch in enumerate(checks, start=1))
    return f"CASE c._check {parts} END"
