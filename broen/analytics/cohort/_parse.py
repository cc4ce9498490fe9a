"""Read and validate a cohort definition (YAML) into :class:`CohortDefinition`.

Validation is strict: unknown fields, bad codes, impossible windows and out-of-range values are
errors that name the line and suggest a fix. See docs/cohorts.md for the syntax.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, cast

from broen.analytics._contract import (
    EDUCATION_LEVELS,
    EPISODE_STATUSES,
    MEASUREMENT_KINDS,
    ORIGINS,
    REFERRAL_SOURCES,
    TRANSFER_STATES,
)
from broen.analytics._municipalities import MUNICIPALITIES
from broen.analytics.cohort._codes import atc_prefixes, diagnosis_prefixes, parse_window
from broen.analytics.cohort._metrics import PANEL_METRICS, RAW_METRICS, SECTORS
from broen.analytics.cohort._model import (
    OP_SYMBOLS,
    Age,
    AllOf,
    AnyOf,
    Atc,
    Attribute,
    CohortDefinition,
    Criterion,
    Diagnosis,
    FixedIndex,
    IndexRule,
    Measurement,
    MonthlyIndex,
    NotOf,
    ProgrammeIndex,
    Sectors,
    ServiceUse,
    TransferState,
)
from broen.analytics.cohort._values import (
    boolean,
    choice,
    choices,
    integer,
    number,
    plain_text,
    require,
    window,
)
from broen.analytics.cohort._yaml import Node, load, suggest

TOP_KEYS = ("name", "title", "description", "index", "inclusion", "exclusion")
NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
PERIOD_BOUNDS = ("period_start", "period_end")


def parse_definition(text: str, path: Path | str = "<definition>") -> CohortDefinition:
    root = load(text, path)
    fields = root.mapping(TOP_KEYS, "the cohort definition")
    for key in ("name", "index", "inclusion"):
        if key not in fields:
            raise root.error(
                f"the definition has no '{key}'", f"add '{key}:' (see docs/cohorts.md)"
            )
    name_node = fields["name"]
    name = name_node.value()
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise name_node.error(
            f"{name!r} is not a cohort name",
            "use lower-case letters, digits, '-' and '_', e.g. et-liv-i-balance",
        )
    inclusion = _criteria_list(fields["inclusion"], "inclusion")
    exclusion = _criteria_list(fields["exclusion"], "exclusion") if "exclusion" in fields else ()
    return CohortDefinition(
        name=name,
        index=_index(fields["index"]),
        inclusion=inclusion,
        exclusion=exclusion,
        title=plain_text(fields.get("title")),
        description=plain_text(fields.get("description")),
        source=str(path),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def load_definition(path: Path) -> CohortDefinition:
    return parse_definition(Path(path).read_text(encoding="utf-8"), path)


# -- index rules ------------------------------------------------------------------------------

INDEX_KINDS = ("fixed", "monthly", "programme")


def _index(node: Node) -> IndexRule:
    fields = node.mapping((*INDEX_KINDS, "first_only"), "the index rule")
    kinds = [k for k in INDEX_KINDS if k in fields]
    if len(kinds) != 1:
        raise node.error(
            "the index rule needs exactly one of fixed, monthly, programme",
            "write e.g. 'monthly: {from: 2018-01, to: 2022-12}'",
        )
    first_only = boolean(fields["first_only"]) if "first_only" in fields else False
    kind, body = kinds[0], fields[kinds[0]]
    if kind == "fixed":
        return FixedIndex(date=_day(body), first_only=first_only, line=body.line)
    if kind == "monthly":
        spec = body.mapping(("from", "to", "first_only"), "a monthly index")
        for key in ("from", "to"):
            if key not in spec:
                raise body.error(
                    f"a monthly index needs '{key}'", "write {from: 2018-01, to: 2022-12}"
                )
        start, end = _month(spec["from"]), _month(spec["to"])
        if start not in PERIOD_BOUNDS and end not in PERIOD_BOUNDS and start > end:
            raise spec["to"].error(
                f"the months end ({end}) before they start ({start})", "swap them"
            )
        if "first_only" in spec:
            first_only = boolean(spec["first_only"])
        return MonthlyIndex(start=start, end=end, first_only=first_only, line=body.line)
    spec = body.mapping(
        ("id", "date", "referral_sources", "statuses", "first_only"), "a programme index"
    )
    if "id" not in spec:
        raise body.error("a programme index needs 'id'", "write {id: et-liv-i-balance}")
    programme = spec["id"].value()
    if not isinstance(programme, str) or not NAME.fullmatch(programme):
        raise spec["id"].error(f"{programme!r} is not a programme id", "e.g. sammen-om-min-vej")
    column = (
        choice(spec["date"], ("start_date", "referral_date")) if "date" in spec else "start_date"
    )
    if "first_only" in spec:
        first_only = boolean(spec["first_only"])
    return ProgrammeIndex(
        programme=programme,
        date_column=cast(Any, column),
        referral_sources=choices(spec["referral_sources"], REFERRAL_SOURCES, "referral source")
        if "referral_sources" in spec
        else (),
        statuses=choices(spec["statuses"], EPISODE_STATUSES, "episode status")
        if "statuses" in spec
        else (),
        first_only=first_only,
        line=body.line,
    )


def _day(node: Node) -> date | Any:
    value = node.value()
    if isinstance(value, date):
        return value
    if value in PERIOD_BOUNDS:
        return value
    raise node.error(f"{value!r} is not a date", "write YYYY-MM-DD, period_start or period_end")


def _month(node: Node) -> str:
    value = node.value()
    if isinstance(value, str) and (MONTH.fullmatch(value) or value in PERIOD_BOUNDS):
        return value
    raise node.error(f"{value!r} is not a month", "write YYYY-MM, period_start or period_end")


# -- criteria ---------------------------------------------------------------------------------


def _criteria_list(node: Node, what: str) -> tuple[Criterion, ...]:
    if not node.is_sequence:
        raise node.error(f"'{what}' must be a list of criteria", "start each criterion with '- '")
    items = node.sequence()
    if not items and what == "inclusion":
        raise node.error(
            "there are no inclusion criteria", "add at least one, e.g. '- age: {min: 18}'"
        )
    return tuple(criterion(item) for item in items)


def criterion(node: Node) -> Criterion:
    fields = node.mapping((*PARSERS, "label"), "this list", noun="criterion")
    kinds = [k for k in fields if k != "label"]
    if len(kinds) != 1:
        raise node.error(
            f"a criterion has exactly one kind, found {', '.join(kinds) or 'none'}",
            "split it into separate list items, or wrap them in 'all:' or 'any:'",
        )
    label = plain_text(fields["label"]) if "label" in fields else None
    result = PARSERS[kinds[0]](fields[kinds[0]])
    return replace(result, line=node.line, label=label)


def _all(node: Node) -> Criterion:
    return AllOf(criteria=_nested(node, "all"))


def _any(node: Node) -> Criterion:
    return AnyOf(criteria=_nested(node, "any"))


def _not(node: Node) -> Criterion:
    if node.is_sequence:
        inner = _nested(node, "not")
        return NotOf(
            criterion=inner[0] if len(inner) == 1 else AllOf(criteria=inner, line=node.line)
        )
    return NotOf(criterion=criterion(node))


def _nested(node: Node, what: str) -> tuple[Criterion, ...]:
    items = node.sequence() if node.is_sequence else []
    if not items:
        raise node.error(f"'{what}:' needs a list of criteria", "put '- criterion' lines under it")
    return tuple(criterion(item) for item in items)


def _age(node: Node) -> Criterion:
    spec = node.mapping(("min", "max"), "age")
    low = integer(spec["min"], 0, 120) if "min" in spec else None
    high = integer(spec["max"], 0, 120) if "max" in spec else None
    if low is None and high is None:
        raise node.error("age needs min or max", "write e.g. {min: 18, max: 70}")
    if low is not None and high is not None and low > high:
        raise spec["max"].error(
            f"age max {high} is below min {low}", f"write {{min: {high}, max: {low}}}"
        )
    return Age(min=low, max=high)


def _attribute(column: str, allowed: tuple[Any, ...]) -> Callable[[Node], Criterion]:
    def parse(node: Node) -> Criterion:
        return Attribute(column=column, values=choices(node, allowed, column.replace("_", " ")))

    return parse


def _municipality(node: Node) -> Criterion:
    codes: list[int] = []
    for item in node.sequence():
        code = item.value()
        if not isinstance(code, int) or isinstance(code, bool) or code not in MUNICIPALITIES:
            raise item.error(
                f"{code!r} is not a DST municipality code",
                "use the kommunekode, e.g. 360 (Lolland) or 376 (Guldborgsund)",
            )
        codes.append(code)
    return Attribute(column="municipality", values=tuple(codes))


def _diagnosis(node: Node) -> Criterion:
    spec = node.mapping(("prefixes", "where", "window", "min_contacts"), "diagnosis")
    require(node, spec, "prefixes", "{prefixes: [DE11], window: 5y}")
    return Diagnosis(
        prefixes=diagnosis_prefixes(spec["prefixes"]),
        where=cast(Any, choice(spec["where"], ("primary", "any")) if "where" in spec else "any"),
        window=window(node, spec),
        min_contacts=integer(spec["min_contacts"], 1, 10_000) if "min_contacts" in spec else 1,
    )


def _atc(node: Node) -> Criterion:
    spec = node.mapping(("prefixes", "window", "min_dispensings"), "atc")
    require(node, spec, "prefixes", "{prefixes: [A10B], window: 12m}")
    return Atc(
        prefixes=atc_prefixes(spec["prefixes"]),
        window=window(node, spec),
        min_dispensings=integer(spec["min_dispensings"], 1, 10_000)
        if "min_dispensings" in spec
        else 1,
    )


def _measurement(node: Node) -> Criterion:
    spec = node.mapping(("kind", *OP_SYMBOLS, "window", "use", "missing"), "measurement")
    require(node, spec, "kind", "{kind: bmi, above: 35, window: 2y}")
    ops = [op for op in OP_SYMBOLS if op in spec]
    if len(ops) != 1:
        raise node.error(
            "a measurement needs exactly one comparison",
            f"write one of {', '.join(OP_SYMBOLS)}, e.g. 'above: 35' for BMI > 35",
        )
    value = spec[ops[0]].value()
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise spec[ops[0]].error(f"{value!r} is not a number", "write a number, e.g. 35")
    return Measurement(
        kind=choice(spec["kind"], MEASUREMENT_KINDS, "measurement kind"),
        op=cast(Any, ops[0]),
        value=float(value),
        window=window(node, spec),
        use=cast(Any, choice(spec["use"], ("latest", "any")) if "use" in spec else "latest"),
        missing=cast(
            Any,
            choice(spec["missing"], ("exclude", "include")) if "missing" in spec else "exclude",
        ),
    )


def _service_use(node: Node) -> Criterion:
    spec = node.mapping(("metric", "source", "min", "max", "window"), "service_use")
    require(node, spec, "metric", "{metric: acute_admissions, min: 3, window: 12m}")
    metric = spec["metric"].value()
    source = choice(spec["source"], ("raw", "panel")) if "source" in spec else None
    if source is None:
        if metric in RAW_METRICS:
            source = "raw"
        elif metric in PANEL_METRICS:
            source = "panel"
        else:
            raise spec["metric"].error(
                f"unknown service-use metric '{metric}'",
                suggest(str(metric), [*RAW_METRICS, *PANEL_METRICS])
                + " (or add 'source: panel' for another panel column)",
            )
    if source == "raw" and metric not in RAW_METRICS:
        raise spec["metric"].error(
            f"'{metric}' is not counted from the register tables", suggest(str(metric), RAW_METRICS)
        )
    if not isinstance(metric, str) or not NAME.fullmatch(metric):
        raise spec["metric"].error(f"{metric!r} is not a metric name", "e.g. acute_admissions")
    low = number(spec["min"]) if "min" in spec else None
    high = number(spec["max"]) if "max" in spec else None
    if low is None and high is None:
        raise node.error("service_use needs min or max", "write e.g. 'min: 3'")
    if low is not None and high is not None and low > high:
        raise spec["max"].error(f"max {high:g} is below min {low:g}", "swap them")
    return ServiceUse(
        metric=metric, source=cast(Any, source), window=window(node, spec), min=low, max=high
    )


def _sectors(node: Node) -> Criterion:
    spec = node.mapping(("min", "window", "sectors"), "sectors")
    require(node, spec, "min", "{min: 3, window: 12m}")
    sectors = choices(spec["sectors"], SECTORS, "sector") if "sectors" in spec else SECTORS
    low = integer(spec["min"], 1, len(sectors))
    return Sectors(min=low, window=window(node, spec), sectors=cast(tuple[str, ...], sectors))


def _transfer_state(node: Node) -> Criterion:
    spec = node.mapping(("states", "at", "window", "min_weeks"), "transfer_state")
    require(node, spec, "states", "{states: [sickness_benefit], at: index}")
    states = cast(tuple[str, ...], choices(spec["states"], TRANSFER_STATES, "transfer state"))
    if ("at" in spec) == ("window" in spec):
        raise node.error(
            "transfer_state needs either 'at: index' or a 'window'",
            "write 'at: index' for the week of the index date, or e.g. 'window: 12m'",
        )
    if "at" in spec:
        choice(spec["at"], ("index",))
        return TransferState(states=states)
    weeks = integer(spec["min_weeks"], 1, 10_000) if "min_weeks" in spec else 1
    return TransferState(states=states, window=parse_window(spec["window"]), min_weeks=weeks)


PARSERS: dict[str, Callable[[Node], Criterion]] = {
    "all": _all,
    "any": _any,
    "not": _not,
    "age": _age,
    "sex": _attribute("sex", ("F", "M")),
    "municipality": _municipality,
    "education": _attribute("education", EDUCATION_LEVELS),
    "origin": _attribute("origin", ORIGINS),
    "lives_alone": _attribute("lives_alone", (True, False)),
    "diagnosis": _diagnosis,
    "atc": _atc,
    "measurement": _measurement,
    "service_use": _service_use,
    "sectors": _sectors,
    "transfer_state": _transfer_state,
}
