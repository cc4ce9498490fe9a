"""The texts of the effect report (Danish, English) and the words for values as written in an
effect document. Used by the page (``_report.py`` and its sections) and ``_report_plots.py``
(plot labels).

The catalogue ``TEXTS`` is made of three parts, one module each: the page and how the
comparison was made (``_report_texts_design.py``), the results (``_report_texts_results.py``)
and the names of metrics, covariates and subgroups (``_report_texts_names.py``); a key in two
parts is an error. Names not in the catalogue (a new panel column) are shown as they are
written in ``effects.json``, never as an error."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from broen.analytics._report import Translations, format_count, format_number, format_percent
from broen.analytics.evaluation._report_texts_design import DESIGN
from broen.analytics.evaluation._report_texts_names import NAMES
from broen.analytics.evaluation._report_texts_results import RESULTS

TEXTS = (
    Translations.from_pairs(DESIGN)
    | Translations.from_pairs(RESULTS)
    | Translations.from_pairs(NAMES)
)

_MONTHS = {
    "da": (
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_SUPPRESSED = re.compile(r"^<\d+$")
_TRAJECTORY = re.compile(r"^(?P<metric>.+)_m(?P<first>\d+)(?:_(?P<last>\d+))?$")
_LABOUR = re.compile(r"^weeks_(?P<group>.+)_(?P<months>\d+)m$")


def text_or(key: str, language: str, fallback: str, **values: object) -> str:
    """The text ``key`` when the catalogue has it, else ``fallback`` (a name as written)."""
    return TEXTS.text(key, language, **values) if key in TEXTS else fallback


def long_date(value: object, language: str) -> str:
    """``2016-01-01`` as ``1. januar 2016`` / ``1 January 2016``; anything else as written."""
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return "–" if value is None else str(value)
    month = _MONTHS[language][day.month - 1]
    return f"{day.day}. {month} {day.year}" if language == "da" else f"{day.day} {month} {day.year}"


def metric_name(metric: str, language: str) -> str:
    """A metric's name for readers (``cost_payer_region`` -> "Udgifter betalt af: Region")."""
    for kind in ("cost_payer", "transfer_payer"):
        if metric.startswith(f"{kind}_"):
            payer = metric.removeprefix(f"{kind}_")
            return TEXTS.text(f"payer_metric.{kind}", language, payer=payer_name(payer, language))
    return text_or(f"metric.{metric}", language, metric)


def payer_name(payer: str, language: str) -> str:
    return text_or(f"payer.{payer}", language, payer)


def covariate_name(covariate: str, language: str) -> str:
    """A balance covariate in words (``cost_total_m4_6`` -> "Samlede udgifter, måned −6 til
    −4"); an unknown name as it is."""
    t = TEXTS.translator(language)
    if f"cov.{covariate}" in TEXTS:
        return t(f"cov.{covariate}")
    if covariate.startswith("flag_"):
        flag = covariate.removeprefix("flag_")
        return t("cov.flag", flag=text_or(f"flag.{flag}", language, flag))
    for attribute in ("sex", "education", "origin", "lives_alone"):
        if covariate.startswith(f"{attribute}_"):
            level = covariate.removeprefix(f"{attribute}_")
            return t(
                "cov.attribute",
                attribute=t(f"attr.{attribute}"),
                level=text_or(f"lvl.{level}", language, level),
            )
    labour = _LABOUR.match(covariate)
    if labour:
        group, months = labour["group"], labour["months"]
        if group == "self_supporting":
            return t("cov.weeks_self", months=months)
        return t("cov.weeks", group=text_or(f"labour.{group}", language, group), months=months)
    trajectory = _TRAJECTORY.match(covariate)
    if trajectory:
        metric = metric_name(trajectory["metric"], language)
        if trajectory["last"] is None:
            return t("cov.month", metric=metric, month=trajectory["first"])
        return t("cov.months", metric=metric, first=trajectory["first"], last=trajectory["last"])
    return covariate


def covariate_groups(covariates: list[str], language: str) -> list[str]:
    """The groups of covariates present in a balance table, in words (for the methods)."""
    t = TEXTS.translator(language)
    present: dict[str, bool] = {}
    for c in covariates:
        if c == "age" or c.startswith(("sex_", "education_", "origin_", "lives_alone_")):
            present["person"] = True
        elif c == "recent_crisis":
            present["crisis"] = True
        elif c.startswith("flag_"):
            present["flags"] = True
        elif _LABOUR.match(c):
            present["labour"] = True
        elif _TRAJECTORY.match(c):
            present["trajectory"] = True
    order = ("person", "trajectory", "crisis", "labour", "flags")
    return [t(f"group.{g}") for g in order if g in present]


_EDUCATION = (
    "basic",
    "upper_secondary",
    "vocational",
    "short_higher",
    "medium_higher",
    "long_higher",
    "unknown",
)


def level_order(variable: str, level: object) -> tuple[Any, ...]:
    """A sort key for subgroup levels: education from basic to long higher, then in natural
    order (``A9`` before ``A12``, age bands by age)."""
    text = "" if level is None else str(level)
    if variable == "education" and text in _EDUCATION:
        return (0, _EDUCATION.index(text))
    parts = re.split(r"(\d+)", text)
    return (1, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p))


def subgroup_level(variable: str, level: object, language: str, band_years: int) -> str:
    """A subgroup level in words: an education level, "kvinder", "45–49 år", "niveau 1"."""
    t = TEXTS.translator(language)
    text = "–" if level is None else str(level)
    if variable == "education":
        return text_or(f"lvl.{text}", language, text)
    if variable == "sex":
        return text_or(f"level.sex.{text}", language, text)
    if variable == "age_band" and text.isdigit():
        return t("level.age_band", first=text, last=int(text) + band_years - 1)
    if variable == "stratum":
        return t("level.stratum", level=text)
    return text


# -- values as written in the document -------------------------------------------------------


def number(value: object) -> float | None:
    """A finite number, or None (null, ``"<5"``, NaN, a bool or anything else)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def mapping(value: object) -> Mapping[str, Any]:
    """``value`` when it is a mapping (a JSON object), else an empty one."""
    return value if isinstance(value, Mapping) else {}


def count_text(value: object, language: str) -> str:
    """A count of persons as shown: ``<5`` for 1-4 (and as written ``"<5"``), ``–`` when
    missing; never a number from 1 to 4."""
    if isinstance(value, str):
        if _SUPPRESSED.match(value.strip()):
            return value.strip()
        value = int(value) if value.strip().isdigit() else None
    n = number(value)
    if n is None or n < 0 or not n.is_integer():
        return "–"
    return format_count(int(n), language)


def unit_kind(metric: str) -> str:
    if metric.startswith(("cost_", "transfer_")):
        return "dkk"
    return "weeks" if metric.startswith("weeks_") else "count"


def decimals_of(metric: str) -> int:
    return {"dkk": 0, "weeks": 1, "count": 2}[unit_kind(metric)]


def window(w: object) -> tuple[int, int] | None:
    if isinstance(w, list | tuple) and len(w) == 2 and all(isinstance(x, int) for x in w):
        return int(w[0]), int(w[1])
    return None


def month_text(m: int) -> str:
    return str(m)  # "-24", the minus of the report's numbers


class Words:
    """Numbers and texts of one language, for values as written in an effect document: a
    missing value is ``–``, a count goes through the small-cell rule."""

    def __init__(self, language: str) -> None:
        self.lang = language
        self.t = TEXTS.translator(language)

    def num(self, value: object, decimals: int = 0, sign: bool = False) -> str:
        """``value`` rounded to ``decimals``; ``sign``: ``+`` before a positive number (not
        before one that rounds to 0: "0", not "+0")."""
        n = number(value)
        if n is None:
            return "–"
        return format_number(n, self.lang, decimals, sign=sign and round(n, decimals) != 0)

    def pct(self, value: object, decimals: int = 1) -> str:
        n = number(value)
        return "–" if n is None else format_percent(n, self.lang, decimals)

    def est(self, value: object, metric: str, sign: bool = True) -> str:
        return self.num(value, decimals_of(metric), sign)

    def interval(self, low: object, high: object, metric: str) -> str:
        if number(low) is None or number(high) is None:
            return "–"
        return self.t("interval", low=self.est(low, metric), high=self.est(high, metric))

    def with_unit(self, text: str, metric: str) -> str:
        kind = unit_kind(metric)
        if text == "–":
            return text
        if kind == "count":
            noun = text_or(f"noun.{metric}", self.lang, "")
            return f"{text} {noun}".strip()
        return f"{text} {self.t(f'unit.{kind}')}"

    def count(self, value: object) -> str:
        return count_text(value, self.lang)

    def window_text(self, w: tuple[int, int] | None) -> str:
        if w is None:
            return "–"
        if w[0] < 0:
            return self.t("months_range", first=month_text(w[0]), last=month_text(w[1]))
        return f"{w[0]}–{w[1]}"

    def flag_title(self, flags: Sequence[str]) -> str:
        return ", ".join(text_or(f"short.{f}", self.lang, f) for f in flags)

    def reading(self, metric: str, row: Mapping[str, Any]) -> str:
        """An estimate in words: a saving or an extra cost, fewer or more, or no clear
        difference (the interval includes 0)."""
        att, lo, hi = number(row.get("att")), number(row.get("ci_low")), number(row.get("ci_high"))
        if att is None or lo is None or hi is None:
            return "–"
        if lo <= 0 <= hi:
            return self.t("reading.unclear")
        kind = unit_kind(metric)
        if kind == "dkk":
            return self.t("reading.saving" if att < 0 else "reading.extra")
        if kind == "weeks":
            return self.t("reading.fewer_weeks" if att < 0 else "reading.more_weeks")
        noun = text_or(f"noun.{metric}", self.lang, "")
        return f"{self.t('reading.fewer' if att < 0 else 'reading.more')} {noun}".strip()
