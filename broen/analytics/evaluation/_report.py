"""The effect report: one self-contained HTML page rendered from an effect document
(``effects.json``, :func:`~broen.analytics.evaluation._effects.effects_document`), for a
steering group and an investor. Danish by default, English on request; plots inline as SVG; the
file written atomically. Only the document is read, so any ``effects.json`` can be re-rendered:

    write_effect_report(json.loads(Path("effects.json").read_text()), Path("report.html"))

Every count goes through the small-cell formatter (1-4 as ``<5``); a value that is ``null`` or
``"<5"`` in the document is shown as ``–`` / ``<5``, never as an error. Estimates touched by a
failed gate carry the marker ⚠, explained at the top of the page.

The parts: ``_report_page.py`` reads the document once (:class:`PageBase`);
``_report_design.py`` (gates, flow, balance, overlap, methods) and ``_report_results.py``
(summary, outcomes, payers, subgroups, measures, negative controls) prepare the sections;
``_report_texts.py`` and its catalogue modules ``_report_texts_*.py`` hold the words,
``_report_plots.py`` the figures; the templates are ``effect_report.html`` and
``effect_outcome.html`` in ``broen/analytics/_report/templates``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from broen.analytics._report import check_language, render, write_report
from broen.analytics.evaluation._report_design import DesignSections
from broen.analytics.evaluation._report_page import KEY_METRICS, MARKER, Doc
from broen.analytics.evaluation._report_results import ResultSections
from broen.analytics.evaluation._report_texts import TEXTS, long_date, month_text, window


def write_effect_report(doc: dict[str, Any], path: Path, language: str = "da") -> Path:
    """Render the effect report of ``doc`` (an effect document) in ``language`` ("da" or
    "en") and write it to ``path`` atomically; returns ``path``. Nothing is written when
    rendering fails."""
    page = html_effect_report(doc, language)
    return write_report(Path(path), page)


def html_effect_report(doc: Doc, language: str = "da") -> str:
    """The self-contained HTML page of the effect report."""
    check_language(language)
    return render(
        "effect_report.html",
        translations=TEXTS,
        language=language,
        **_Page(doc, language).context(),
    )


class _Page(DesignSections, ResultSections):
    """The page: the sections of ``_report_design.py`` and ``_report_results.py`` in the order
    of ``effect_report.html``."""

    def context(self) -> dict[str, Any]:
        doc, t = self.doc, self.t
        title = str(doc.get("title") or doc.get("programme") or "–")
        period = self._list("period")
        period_text = " – ".join(long_date(p, self.lang) for p in period[:2]) or "–"
        generated = long_date(doc.get("generated_at"), self.lang)
        touched = [str(g.get("gate")) for g in self.failed if g.get("affects")]
        return {
            "title": title,
            "meta": t("meta", period=period_text, generated=generated),
            "summary": self.summary(title),
            "withheld": self.withheld,
            "gates_passed": not self.failed,
            "warnings": [self.warning(g) for g in self.failed],
            "failed_count": len(self.failed),
            "marker": MARKER,
            "legend": t("legend.flag", marker=MARKER, names=self.flag_title(touched))
            if touched
            else "",
            "touched": self.flag_title(touched),
            "gate_rows": [self.gate_row(g) for g in self.gates],
            "flow": self.flow(),
            "balance": self.balance(),
            "overlap": self.overlap(),
            "key_outcomes": [self.outcome(m) for m in KEY_METRICS if m in self.rows],
            "other_outcomes": [self.outcome(m) for m in self.rows if m not in KEY_METRICS],
            "outcomes_intro": t(
                "outcomes.intro", base=self.window_text(window(self.outcome_cfg.get("baseline")))
            ),
            "outcomes_explain": t(
                "outcome.explain",
                placebo_start=month_text(self.first + 12),
                after=self.window_text((0, self.last)),
                before=self.window_text((self.first, -1)),
            ),
            "payers": self.payers(),
            "subgroups": self.subgroups(),
            "measures": self.measures(),
            "negative_controls": self.negative_controls(),
            "methods": self.methods(),
            "footer": t(
                "footer",
                version=str(doc.get("broen_version", "–")),
                format=str(doc.get("format", "–")),
                generated=generated,
            ),
        }
