"""The evaluation config: a YAML file with documented defaults (docs/evaluation.md).

Every key is optional except ``programme``; an unknown key, a value of the wrong kind or out of
range is an error naming the file and line. The shipped configs (``configs/<programme>.yaml``)
are found by programme id; a programme without one gets the defaults.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import yaml

from broen.analytics._exceptions import ConfigurationError
from broen.analytics.panel import PANEL_COLUMNS, V1_METRICS

CONFIG_DIR = Path(__file__).with_name("configs")
INDEX_DATES = ("start_date", "referral_date")
PAYER_COLUMNS = tuple(c for c in PANEL_COLUMNS if c.startswith(("cost_payer_", "transfer_payer_")))
SUBGROUPS = ("education", "sex", "age_band", "stratum", "referral_source", "municipality")
MEASURES = (
    "weight_kg",
    "bmi",
    "waist_cm",
    "systolic_bp",
    "hba1c_mmol_mol",
    "smoking",
    "who5",
    "self_rated_health",
)


@dataclass(frozen=True)
class Matching:
    ratio: int = 5  # 1:5 gains most of the precision 1:inf would (Rosenbaum); more adds bias
    # Of the logit. 0.2 (Austin 2011, OHDSI) is for matching on the score alone; here the score
    # only bounds the reach, the exact strata include the acute history and the trajectory
    # chooses within (distance below). On synthetic populations (seeds 1, 2 and 100, not the
    # coverage seeds) 0.2 left up to a third of the participants unmatched and the rest matched
    # worse on the history (Et Liv i Balance: +42,000 DKK acute cost against a true -7,000;
    # at 1.0: -6,900). The balance gate checks the result either way.
    caliper_sd: float = 1.0
    period: str = "month"  # exact calendar stratum: month | quarter
    age_band_years: int = 5
    municipality: bool = True  # exact: a programme is run by one municipality's services
    # Inverse L2 strength on standardised covariates; 0 = chosen by cross-validation (on the
    # Et Liv i Balance demo it chose little shrinkage and balanced worse, so not the default).
    penalty: float = 1.0
    # The candidates sampled to fit the propensity model (weighted up to all candidates): its
    # precision is bounded by the participants, so 50,000 (5 per participant at 10,000) is
    # ample; OHDSI samples above 250,000 for cohorts of millions.
    max_fit_controls: int = 50_000
    # Within the caliper: nearest on the pre-index trajectory of the outcomes ("trajectory",
    # Rubin & Thomas 2000) or on the logit ("logit"); see _matching_features for why.
    distance: str = "trajectory"
    # Exact strata also on the acute history: a recent crisis, an earlier admission (why:
    # _design.history_strata).
    exact_history: bool = True


PLACEBO_MONTHS = 13  # the placebo DiD: 12 baseline months, then months up to -1 as if treated


@dataclass(frozen=True)
class Outcomes:
    metrics: tuple[str, ...] = (*V1_METRICS, *PAYER_COLUMNS)
    first_month: int = -24
    last_month: int = 23
    baseline: tuple[int, int] = (-12, -1)
    windows: tuple[tuple[int, int], ...] = ((0, 11), (12, 23), (0, 23))
    negative_controls: tuple[str, ...] = ("cost_hospital_planned", "cost_pc_dentist")
    measures: tuple[str, ...] = MEASURES
    measure_months: tuple[int, ...] = (6, 12)


@dataclass(frozen=True)
class Outliers:
    """Outcome values above the ``percentile`` of all units' monthly values (both arms, the
    months analysed): ``winsorise`` caps them at it (as MSSP truncates claims at the 99th
    percentile); ``truncate`` leaves their units out of the months analysed (unobserved, as
    the censored: a set without its participant drops out)."""

    method: str = "none"  # none | winsorise | truncate
    percentile: float = 99.0


@dataclass(frozen=True)
class Gates:
    max_abs_smd: float = 0.1  # OHDSI: every covariate
    min_equipoise: float = 0.2  # OHDSI's bar; here the smaller group's share in [0.3, 0.7]
    min_matched_share: float = 0.8  # fewer matched means the estimate is about a subset
    placebo: bool = True  # the pre-index placebo DiD must be consistent with zero
    negative_controls: bool = True  # each negative control consistent with zero


@dataclass(frozen=True)
class Bootstrap:
    replicates: int = 999
    seed: int = 0
    confidence: float = 0.95


@dataclass(frozen=True)
class EvaluationConfig:
    programme: str
    title: str = ""
    index: str = "start_date"  # start_date | referral_date (the offer, incl. who declined)
    # A cohort definition: a shipped name, or a file (relative to the config file); None = all
    # residents.
    target_group: str | None = None
    matching: Matching = field(default_factory=Matching)
    covariates: dict[str, Any] = field(default_factory=dict)
    outcomes: Outcomes = field(default_factory=Outcomes)
    subgroups: tuple[str, ...] = ("education", "sex", "age_band", "stratum", "referral_source")
    bootstrap: Bootstrap = field(default_factory=Bootstrap)
    gates: Gates = field(default_factory=Gates)
    source: str = "defaults"
    # Set by an outcome contract, not read from the file: ranges of index months (first, last)
    # that the participants must start in, and the outlier policy on the outcomes.
    cohorts: tuple[tuple[date, date], ...] = ()
    outliers: Outliers = field(default_factory=lambda: Outliers())


def shipped_config(programme: str) -> Path | None:
    """The shipped evaluation config of ``programme``; None when there is none (the cohort
    definitions of the control pools, ``<programme>-pool.yaml``, lie beside them and are not
    evaluation configs)."""
    path = CONFIG_DIR / f"{programme}.yaml"
    if not path.is_file() or path.parent != CONFIG_DIR:
        return None
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return path  # a broken shipped config is reported by the parser, not skipped
    return path if isinstance(document, dict) and "programme" in document else None


def load_config(
    path: Path | None = None, programme: str | None = None, *, index: str | None = None
) -> EvaluationConfig:
    """The config in ``path``; without a path, the shipped config of ``programme`` (or the
    defaults). ``programme`` overrides the file's programme when both are given, and ``index``
    (``start_date`` or ``referral_date``; ``broen evaluate --index``) the file's index."""
    if index is not None and index not in INDEX_DATES:
        raise ConfigurationError(f"The index must be start_date or referral_date, not {index!r}.")
    if path is None and programme is not None:
        path = shipped_config(programme)
    if path is None:
        if programme is None:
            raise ConfigurationError("Name a programme (--programme) or a config file (--config).")
        config = EvaluationConfig(programme=programme)
    else:
        config = _parse(Path(path))
    if programme is not None and programme != config.programme:
        config = replace(config, programme=programme)
    if index is not None and index != config.index:
        config = replace(config, index=index)
    return config


def _parse(path: Path) -> EvaluationConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigurationError(
            f"Cannot read the evaluation config {path}: {err.strerror}."
        ) from err
    except UnicodeDecodeError as err:
        raise ConfigurationError(
            f"{path}: not UTF-8 text (byte {err.start + 1}); save the file as UTF-8."
        ) from err
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigurationError(f"{path}{where}: not valid YAML.") from err
    if root is None:
        _fail(path, None, "the file is empty; it needs at least 'programme: <id>'")
    top = _mapping(path, root, EvaluationConfig, {"version"})
    if "version" in top and _scalar(path, version := top.pop("version"), int) != 1:
        _fail(path, version, "unknown version; use version: 1")
    if "programme" not in top:
        _fail(path, root, "'programme' is missing: name the programme id, e.g. et-liv-i-balance")
    values: dict[str, Any] = {"source": str(path)}
    nodes: dict[str, yaml.Node] = dict(top)  # "section.key": value node, for the error lines
    sections = {"matching": Matching, "outcomes": Outcomes, "gates": Gates, "bootstrap": Bootstrap}
    for name, node in top.items():
        if name in sections:
            values[name] = _section(path, node, sections[name], nodes, name)
        elif name == "covariates":
            values[name] = _covariates(path, node)
        elif name == "subgroups":
            values[name] = _names(path, node, SUBGROUPS)
        elif name == "target_group":
            values[name] = None if _is_null(node) else _target(path, node)
        else:
            values[name] = _scalar(path, node, str)
    config = EvaluationConfig(**values)
    _check(path, root, config, nodes)
    return config


def _check(path: Path, root: yaml.Node, c: EvaluationConfig, nodes: dict[str, yaml.Node]) -> None:
    """The rules on values and across them. An error names the line of the first of the rule's
    keys that the file gives (a rule can be broken by a default: the windows by ``last_month``),
    else the first line of the file's mapping."""
    m, o, g, b = c.matching, c.outcomes, c.gates, c.bootstrap
    unknown = {
        key: [x for x in names if x not in PANEL_COLUMNS]
        for key, names in (("metrics", o.metrics), ("negative_controls", o.negative_controls))
    }
    problems: list[tuple[bool, tuple[str, ...], str]] = [
        (c.index not in INDEX_DATES, ("index",), "index must be start_date or referral_date"),
        (
            not 1 <= m.ratio <= 20,
            ("matching.ratio",),
            "matching.ratio must lie between 1 and 20",
        ),
        (not m.caliper_sd > 0, ("matching.caliper_sd",), "matching.caliper_sd must be positive"),
        (
            m.period not in ("month", "quarter"),
            ("matching.period",),
            "matching.period must be month or quarter",
        ),
        (
            m.distance not in ("trajectory", "logit"),
            ("matching.distance",),
            "matching.distance must be trajectory or logit",
        ),
        (
            not 1 <= m.age_band_years <= 50,
            ("matching.age_band_years",),
            "matching.age_band_years must lie between 1 and 50",
        ),
        (
            not (math.isfinite(m.penalty) and m.penalty >= 0),
            ("matching.penalty",),
            "matching.penalty must be positive, or 0 for cross-validation",
        ),
        (
            m.max_fit_controls < 1000,
            ("matching.max_fit_controls",),
            "matching.max_fit_controls must be at least 1000",
        ),
        (
            not o.first_month <= o.baseline[0] <= o.baseline[1] < 0,
            ("outcomes.baseline", "outcomes.first_month"),
            "outcomes.baseline must be pre-index months within the months analysed",
        ),
        (
            o.last_month < 0 or o.first_month > -2,
            ("outcomes.last_month", "outcomes.first_month"),
            "outcomes must run from before to after the index month",
        ),
        (
            o.first_month > -PLACEBO_MONTHS,
            ("outcomes.first_month",),
            f"outcomes.first_month must be {-PLACEBO_MONTHS} or earlier: the placebo test "
            "needs 12 months of its own baseline and at least one month after them, before the "
            "index month",
        ),
        (
            o.first_month < -(12 * 10) or o.last_month > 12 * 10,
            ("outcomes.first_month", "outcomes.last_month"),
            "outcomes.first_month and last_month must lie within ten years of the index month",
        ),
        (
            not o.windows,
            ("outcomes.windows",),
            "outcomes.windows must name at least one window, e.g. [[0, 11]]",
        ),
        (
            any(not (0 <= w[0] <= w[1] <= o.last_month) for w in o.windows),
            ("outcomes.windows", "outcomes.last_month"),
            "each outcome window must lie within months 0..last_month",
        ),
        (
            any(month < 1 for month in o.measure_months),
            ("outcomes.measure_months",),
            "outcomes.measure_months must be months after the index month (1 or later)",
        ),
        *(
            (
                bool(names),
                (f"outcomes.{key}",),
                f"outcomes.{key} names unknown panel columns: {', '.join(names)}",
            )
            for key, names in unknown.items()
        ),
        (
            g.negative_controls and not o.negative_controls,
            ("outcomes.negative_controls", "gates.negative_controls"),
            "outcomes.negative_controls is empty, so the negative-control gate has nothing to "
            "test: name at least one, or set gates.negative_controls: false",
        ),
        (b.seed < 0, ("bootstrap.seed",), "bootstrap.seed must not be negative"),
        (
            not 0.5 <= b.confidence < 1,
            ("bootstrap.confidence",),
            "bootstrap.confidence must lie in [0.5, 1)",
        ),
        (
            not 50 <= b.replicates <= 100_000,
            ("bootstrap.replicates",),
            "bootstrap.replicates must lie between 50 and 100000",
        ),
        (
            not 0 < g.max_abs_smd <= 1,
            ("gates.max_abs_smd",),
            "gates.max_abs_smd must lie in (0, 1]",
        ),
        (
            not 0 <= g.min_equipoise <= 1,
            ("gates.min_equipoise",),
            "gates.min_equipoise must lie in [0, 1]",
        ),
        (
            not 0 <= g.min_matched_share <= 1,
            ("gates.min_matched_share",),
            "gates.min_matched_share must lie in [0, 1]",
        ),
    ]
    for bad, keys, message in problems:
        if bad:
            given = [nodes[k] for k in keys if k in nodes]
            _fail(path, given[0] if given else root, message)


def _covariates(path: Path, node: yaml.Node) -> dict[str, int]:
    """The covariates section: settings in whole months (the names are checked against the
    covariate spec when the evaluation starts)."""
    return {name: _scalar(path, child, int) for name, child in _mapping_any(path, node).items()}


def _target(path: Path, node: yaml.Node) -> str:
    """A cohort definition file next to the config, or a shipped definition's name."""
    value = str(_scalar(path, node, str))
    if value.endswith((".yaml", ".yml")):
        candidate = (path.parent / value).resolve()
        if not candidate.is_file():
            _fail(path, node, f"the target group file {candidate} does not exist")
        return str(candidate)
    return value


def _section(
    path: Path, node: yaml.Node, kind: type[Any], nodes: dict[str, yaml.Node], section: str
) -> Any:
    values: dict[str, Any] = {}
    defaults = kind()
    for name, child in _mapping(path, node, kind).items():
        nodes[f"{section}.{name}"] = child
        default = getattr(defaults, name)
        if isinstance(default, bool):
            values[name] = _scalar(path, child, bool)
        elif isinstance(default, int | float) and not isinstance(default, bool):
            values[name] = _scalar(path, child, type(default))
        elif isinstance(default, str):
            values[name] = _scalar(path, child, str)
        elif name == "windows":
            values[name] = tuple(_pair(path, w) for w in _items(path, child))
        elif name == "baseline":
            values[name] = _pair(path, child)
        elif name in ("measure_months",):
            values[name] = tuple(_scalar(path, x, int) for x in _items(path, child))
        elif name == "measures":
            values[name] = _names(path, child, MEASURES)
        else:
            values[name] = tuple(_scalar(path, x, str) for x in _items(path, child))
    return kind(**values)


def _mapping(
    path: Path, node: yaml.Node, kind: type[Any], extra: set[str] | None = None
) -> dict[str, yaml.Node]:
    allowed = {f.name for f in fields(kind)} - NOT_IN_FILES | (extra or set())
    return _mapping_any(path, node, allowed)


def _mapping_any(
    path: Path, node: yaml.Node, allowed: set[str] | None = None
) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        _fail(path, node, "expected a mapping of 'key: value' lines here")
    out: dict[str, yaml.Node] = {}
    for key, value in node.value:
        name = str(key.value)
        if allowed is not None and name not in allowed:
            close = difflib.get_close_matches(name, sorted(allowed), n=1)
            hint = (
                f"; did you mean '{close[0]}'?"
                if close
                else f"; known: {', '.join(sorted(allowed))}"
            )
            _fail(path, key, f"unknown key '{name}'{hint}")
        if name in out:
            _fail(path, key, f"'{name}' is given twice")
        out[name] = value
    return out


# Fields set in code, never read from a config file: where it was read from, and what an
# outcome contract sets (its cohorts and outlier policy).
NOT_IN_FILES = frozenset({"source", "cohorts", "outliers"})

# What a value of each kind is called in an error message.
KIND_NAMES = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}


def _scalar(path: Path, node: yaml.Node, kind: type[Any]) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        _fail(path, node, f"expected a single value here ({KIND_NAMES[kind]})")
    value = yaml.safe_load(node.value) if node.style is None else node.value
    if value is None and node.style is None:
        _fail(path, node, f"a value is missing here ({KIND_NAMES[kind]})")
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind is str and value is not None and not isinstance(value, str):
        value = str(node.value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        _fail(path, node, f"'{node.value}' is not {KIND_NAMES[kind]}")
    return value


def _items(path: Path, node: yaml.Node) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        _fail(path, node, "expected a list here")
    return list(node.value)


def _pair(path: Path, node: yaml.Node) -> tuple[int, int]:
    items = _items(path, node)
    if len(items) != 2:
        _fail(path, node, "expected two months [first, last]")
    first, last = (_scalar(path, x, int) for x in items)
    if first > last:
        _fail(path, node, f"[{first}, {last}]: the first month comes after the last")
    return first, last


def _names(path: Path, node: yaml.Node, allowed: tuple[str, ...]) -> tuple[str, ...]:
    names = tuple(_scalar(path, x, str) for x in _items(path, node))
    for name, item in zip(names, _items(path, node), strict=True):
        if name not in allowed:
            _fail(path, item, f"unknown name '{name}'; use one of {', '.join(allowed)}")
    return names


def _is_null(node: yaml.Node) -> bool:
    return (
        isinstance(node, yaml.ScalarNode) and node.style is None and node.value in ("", "null", "~")
    )


def _fail(path: Path, node: yaml.Node | None, message: str) -> NoReturn:
    line = f":{node.start_mark.line + 1}" if node is not None else ""
    end = "" if message.endswith((".", "?", "!")) else "."
    raise ConfigurationError(f"{path}{line}: {message}{end}")
