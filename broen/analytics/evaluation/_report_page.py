"""The base of the effect report's page: an effect document read once (gates, outcome rows,
windows), with the words and numbers of one language (:class:`Words`). The sections of the page
build on it: ``_report_design.py`` (how the comparison was made) and ``_report_results.py``
(what it found); ``_report.py`` puts them together."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from broen.analytics._report import figure_svg
from broen.analytics.evaluation._report_texts import Words, mapping, window

if TYPE_CHECKING:
    from markupsafe import Markup
    from matplotlib.figure import Figure

KEY_METRICS = (
    "cost_hospital_acute",
    "acute_admissions",
    "bed_days",
    "weeks_self_supporting",
    "cost_total",
)
MARKER = "⚠"
Doc = Mapping[str, Any]


class PageBase(Words):
    """The document read once, with the words and numbers of one language."""

    def __init__(self, doc: Doc, language: str) -> None:
        super().__init__(language)
        self.doc = doc
        self.config = mapping(doc.get("config"))
        self.outcome_cfg = self._section("outcomes")
        self.gates: list[Mapping[str, Any]] = [
            g for g in self._list("gates") if isinstance(g, Mapping)
        ]
        self.failed = [g for g in self.gates if g.get("passed") is False]
        self.withheld = doc.get("estimates_withheld") is True
        self.rows: dict[str, list[Mapping[str, Any]]] = {}
        for row in self._list("outcomes"):
            if isinstance(row, Mapping) and isinstance(row.get("metric"), str):
                self.rows.setdefault(row["metric"], []).append(row)
        last = self.outcome_cfg.get("last_month")
        self.main = (0, last) if isinstance(last, int) else None
        first = self.outcome_cfg.get("first_month")
        self.first = first if isinstance(first, int) else -24  # the config's defaults
        self.last = last if isinstance(last, int) else 23

    # -- helpers ---------------------------------------------------------------------------
    def _list(self, key: str) -> list[Any]:
        value = self.doc.get(key)
        return list(value) if isinstance(value, list) else []

    def _section(self, key: str) -> Mapping[str, Any]:
        return mapping(self.config.get(key))

    def flags_of(self, metric: str, row: Mapping[str, Any] | None = None) -> list[str]:
        """The failed gates that touch ``metric`` (the row's own flags when it has them)."""
        if row is not None and isinstance(row.get("flags"), list):
            return [str(f) for f in row["flags"]]
        return [
            str(g.get("gate"))
            for g in self.failed
            if "*" in (g.get("affects") or []) or metric in (g.get("affects") or [])
        ]

    def main_row(self, metric: str) -> Mapping[str, Any] | None:
        rows = self.rows.get(metric, [])
        for row in rows:
            if window(row.get("window")) == self.main:
                return row
        return rows[-1] if rows else None

    @staticmethod
    def svg(fig: Figure | None) -> Markup | None:
        return None if fig is None else figure_svg(fig)
