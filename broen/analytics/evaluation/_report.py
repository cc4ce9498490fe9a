"""The effect report: one self-contained HTML page rendered from an effect document
(``effects.json``, :func:`~broen.analytics.evaluation._effects.effects_document`), for a
steering group and an investor. Danish by default, English on request; plots inline as SVG; the
file written atomically. Only the document is read, so any ``effects.json`` can be re-rendered:

    write_effect_report(json.loads(Path("effects.json").read_text()), Path("report.html"))

Every count goes through the small-cell formatter (1-4 as ``<5``); a value that is ``null`` or
``"<5"`` in the document is shown as ``–`` / ``<5``, never as an error. Estimates touched by a
failed gate carry the marker ⚠, explained at the top of the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from broen.analytics._privacy import SMALL_CELL
from broen.analytics._report import check_language, figure_svg, render, write_report
from broen.analytics.evaluation._report_plots import (
    ForestPanel,
    ForestRow,
    flow_figure,
    forest_figure,
    love_plot,
    month_plot,
    preference_plot,
    smd_size,
)
from broen.analytics.evaluation._report_texts import (
    TEXTS,
    Words,
    covariate_groups,
    covariate_name,
    level_order,
    long_date,
    mapping,
    metric_name,
    month_text,
    number,
    payer_name,
    subgroup_level,
    text_or,
    unit_kind,
    window,
)

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
LOVE_PLOT_ROWS = 30
Doc = Mapping[str, Any]


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


class _Page(Words):
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

    # -- the page ----------------------------------------------------------------------------
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

    def summary(self, title: str) -> dict[str, Any]:
        """The lead sentence, the key effects (a list: text, flags) and the closing words."""
        t = self.t
        ratio = self._section("matching").get("ratio")
        lead = [
            t(
                "summary.design",
                n_treated=self.count(self.doc.get("n_treated")),
                title=title,
                ratio=ratio if isinstance(ratio, int) else "–",
                n_controls=self.count(self.doc.get("n_controls")),
                n_persons=self.count(self.doc.get("n_control_persons")),
            )
        ]
        names = self.flag_title([str(g.get("gate")) for g in self.failed])
        effects: list[dict[str, str]] = []
        closing: list[str] = []
        if self.withheld:
            closing.append(t("summary.withheld", names=names or "–"))
            return {"lead": " ".join(lead), "effects": effects, "closing": " ".join(closing)}
        span = None
        for metric in KEY_METRICS:
            row = self.main_row(metric)
            if row is None:
                continue
            span = span or window(row.get("window"))
            effects.append(
                {
                    "text": t(
                        "summary.effect",
                        name=metric_name(metric, self.lang),
                        value=self.with_unit(self.est(row.get("att"), metric), metric),
                        interval=self.interval(row.get("ci_low"), row.get("ci_high"), metric),
                        reading=self.reading(metric, row),
                    ),
                    "flag": self.flag_title(self.flags_of(metric, row)),
                }
            )
        if effects:
            lead.append(t("summary.effects", window=self.window_text(span)))
            closing.append(t("summary.reading"))
        else:
            closing.append(t("summary.no_outcomes"))
        if self.failed:
            closing.append(
                t("summary.gates_failed", failed=len(self.failed), n=len(self.gates), names=names)
            )
        elif self.gates:
            closing.append(t("summary.gates_passed", n=len(self.gates)))
        return {"lead": " ".join(lead), "effects": effects, "closing": " ".join(closing)}

    # -- gates -----------------------------------------------------------------------------
    def _gate_values(self, g: Mapping[str, Any]) -> tuple[str, str]:
        key, value, threshold = g.get("gate"), g.get("value"), g.get("threshold")
        t = self.t
        if key == "balance":
            return self.num(value, 3), t("threshold.below", value=self.num(threshold, 2))
        if key in ("equipoise", "matched_share"):
            return self.pct(value), t("threshold.at_least", value=self.pct(threshold))
        if key in ("placebo", "negative_controls"):
            shown = self.num(value)
            return ("–" if shown == "–" else t("gate.outcomes", n=shown)), t("threshold.none")
        return self.num(value, 3), self.num(threshold, 3)

    def _failing_names(self, g: Mapping[str, Any]) -> list[str]:
        failing = [str(x) for x in g.get("failing") or []]
        if g.get("gate") == "balance":
            return [covariate_name(c, self.lang) for c in failing]
        return [metric_name(m, self.lang) for m in failing]

    def gate_row(self, g: Mapping[str, Any]) -> dict[str, Any]:
        key = str(g.get("gate"))
        value, threshold = self._gate_values(g)
        names = self._failing_names(g)
        shown = ", ".join(names[:3])
        if len(names) > 3:
            shown += " " + self.t("and_more", n=len(names) - 3)
        passed = g.get("passed")
        return {
            "name": text_or(f"gate.{key}", self.lang, key),
            "value": value,
            "threshold": threshold,
            "passed": passed,
            "passed_text": self.t("passed")
            if passed is True
            else self.t("failed")
            if passed is False
            else "–",
            "failing": shown,
        }

    def warning(self, g: Mapping[str, Any]) -> str:
        key = str(g.get("gate"))
        value, _ = self._gate_values(g)
        names = self._failing_names(g)
        t = self.t
        if key == "balance":
            return t(
                "warn.balance", n=len(names), threshold=self.num(g.get("threshold"), 2), value=value
            )
        if key in ("equipoise", "matched_share"):
            return t(f"warn.{key}", value=value, threshold=self.pct(g.get("threshold")))
        if key in ("placebo", "negative_controls"):
            return t(f"warn.{key}", names=", ".join(names) or "–")
        return t("warn.other", name=key)

    # -- design ----------------------------------------------------------------------------
    def flow(self) -> dict[str, Any]:
        steps = [s for s in self._list("flow") if isinstance(s, Mapping)]
        rows = [
            {
                "label": text_or(f"flow.{s.get('step')}", self.lang, str(s.get("step"))),
                "n": self.count(s.get("n")),
            }
            for s in steps
        ]
        unmatched_doc = self.doc.get("unmatched")
        unmatched = [
            {"label": text_or(f"unmatched.{k}", self.lang, str(k)), "n": self.count(v)}
            for k, v in (unmatched_doc.items() if isinstance(unmatched_doc, Mapping) else [])
        ]
        figure = None
        if rows:
            values = [self._bar(s.get("n")) for s in steps]
            figure = self.svg(
                flow_figure([r["label"] for r in rows], values, [r["n"] for r in rows], self.lang)
            )
        controls = self.t(
            "flow.controls",
            n_controls=self.count(self.doc.get("n_controls")),
            n_persons=self.count(self.doc.get("n_control_persons")),
            n_candidates=self.count(self.doc.get("n_candidates")),
        )
        return {"rows": rows, "unmatched": unmatched, "figure": figure, "controls": controls}

    @staticmethod
    def _bar(value: object) -> float | None:
        """A count's bar length; a suppressed or small count has none (no size to read off)."""
        n = number(value)
        return n if n is not None and n >= SMALL_CELL else None

    def balance(self) -> dict[str, Any]:
        raw = [b for b in self._list("balance") if isinstance(b, Mapping)]
        threshold = number(self._section("gates").get("max_abs_smd"))
        if threshold is None:
            gate = next((g for g in self.gates if g.get("gate") == "balance"), {})
            threshold = number(gate.get("threshold")) or 0.1

        raw.sort(key=lambda b: smd_size(b.get("smd_before")), reverse=True)

        def mean(value: object) -> str:
            n = number(value)
            return self.num(n, 0 if n is not None and abs(n) >= 100 else 2)

        rows = [
            {
                "label": covariate_name(str(b.get("covariate")), self.lang),
                "mean_p": mean(b.get("mean_participants")),
                "mean_cb": mean(b.get("mean_controls_before")),
                "mean_ca": mean(b.get("mean_controls_after")),
                "smd_b": self.num(b.get("smd_before"), 3),
                "smd_a": self.num(b.get("smd_after"), 3),
                "failing": number(b.get("smd_after")) is None
                or abs(number(b.get("smd_after")) or 0.0) >= threshold,
            }
            for b in raw
        ]
        love, shown = love_plot(raw, threshold, self.lang, LOVE_PLOT_ROWS)
        figure = self.svg(love)
        caption = self.t(
            "balance.caption", shown=shown, n=len(raw), threshold=self.num(threshold, 1)
        )
        failing = sum(1 for r in rows if r["failing"])
        intro = self.t(
            "balance.intro", threshold=self.num(threshold, 1), failing=failing, n=len(rows)
        )
        return {"rows": rows, "figure": figure, "caption": caption, "intro": intro}

    def overlap(self) -> dict[str, Any]:
        p = mapping(self.doc.get("propensity"))
        figure = self.svg(preference_plot(mapping(p.get("preference_histogram")), self.lang))
        intro = self.t(
            "overlap.intro",
            auc=self.num(p.get("auc"), 2),
            equipoise=self.pct(p.get("equipoise")),
            min_equipoise=self.pct(self._section("gates").get("min_equipoise")),
            caliper=self.num(p.get("caliper_logit"), 3),
        )
        return {"intro": intro, "figure": figure}

    # -- effects ---------------------------------------------------------------------------
    def outcome(self, metric: str) -> dict[str, Any]:
        t, rows = self.t, self.rows[metric]
        kind = unit_kind(metric)
        name = metric_name(metric, self.lang)
        table = []
        flagged = False
        for row in rows:
            flags = self.flags_of(metric, row)
            flagged = flagged or bool(flags)
            suppressed = row.get("suppressed") is True
            table.append(
                {
                    "label": t("row.window", window=self.window_text(window(row.get("window")))),
                    "effect": self.est(row.get("att"), metric),
                    "interval": self.interval(row.get("ci_low"), row.get("ci_high"), metric),
                    "total": self.est(row.get("total"), metric),
                    "mde": self.est(row.get("mde"), metric, sign=False),
                    "note": t("note.suppressed", k=SMALL_CELL) if suppressed else "",
                    "flag": self.flag_title(flags),
                    "kind": "window",
                }
            )
        main = self.main_row(metric) or rows[-1]
        first = self.first
        cross = main.get("event_study")
        if isinstance(cross, Mapping):
            agrees = cross.get("agrees") is True
            table.append(
                {
                    "label": t(
                        "row.event_study", window=self.window_text(window(main.get("window")))
                    ),
                    "effect": self.est(cross.get("att"), metric),
                    "interval": self.interval(cross.get("ci_low"), cross.get("ci_high"), metric),
                    "total": "",
                    "mde": "",
                    "note": t("note.agrees") if agrees else t("note.disagrees"),
                    "flag": "",
                    "kind": "check" if agrees else "disagree",
                }
            )
        table.append(
            {
                "label": t("row.naive"),
                "effect": self.est(main.get("naive_before_after"), metric),
                "interval": self.interval(
                    main.get("naive_ci_low"), main.get("naive_ci_high"), metric
                ),
                "total": "",
                "mde": "",
                "note": t("note.naive"),
                "flag": "",
                "kind": "naive",
            }
        )
        placebo = mapping(main.get("placebo"))
        lo, hi = number(placebo.get("ci_low")), number(placebo.get("ci_high"))
        zero = lo is not None and hi is not None and lo <= 0 <= hi
        table.append(
            {
                "label": t(
                    "row.placebo", window=self.window_text((first + 12, min(-1, first + 23)))
                ),
                "effect": self.est(placebo.get("att"), metric),
                "interval": self.interval(lo, hi, metric),
                "total": "",
                "mde": "",
                "note": t("note.suppressed", k=SMALL_CELL)
                if placebo.get("suppressed") is True
                else t("note.placebo_ok")
                if zero
                else t("note.placebo_bad"),
                "flag": "",
                "kind": "check" if zero else "disagree",
            }
        )
        unit = t(f"unit.{kind}")
        base = window(self.outcome_cfg.get("baseline")) or (-12, -1)
        figure = self.svg(month_plot(main.get("by_month"), base, unit, self.lang))
        headline = t(
            "outcome.headline",
            window=self.window_text(window(main.get("window"))),
            value=self.est(main.get("att"), metric),
            interval=self.interval(main.get("ci_low"), main.get("ci_high"), metric),
        )
        return {
            "id": f"outcome-{metric}",
            "name": name,
            "unit": t(f"unit.head.{kind}"),
            "headline": headline,
            "flagged": flagged,
            "figure": figure,
            "rows": table,
            "caption": t("outcome.caption", name=name, unit=unit),
            "total_head": t("col.total", n=self.count(self.doc.get("n_treated"))),
        }

    def payers(self) -> dict[str, Any]:
        rows, forest = [], []
        span = None
        for p in self._list("payers"):
            if not isinstance(p, Mapping):
                continue
            metric = str(p.get("metric", ""))
            span = span or window(p.get("window"))
            kind = str(p.get("kind", ""))
            label = (
                f"{payer_name(str(p.get('payer')), self.lang)} "
                f"({text_or(f'payers.{kind}', self.lang, kind)})"
            )
            att, lo, hi = number(p.get("att")), number(p.get("ci_low")), number(p.get("ci_high"))
            if att is None:
                reading = "–"
            elif lo is not None and hi is not None and (lo > 0 or hi < 0):
                reading = self.t("reading.saving" if att < 0 else "reading.extra")
            elif att == 0 and lo == 0 and hi == 0:
                reading = self.t("reading.none")
            else:
                reading = self.t("reading.unclear_saving" if att < 0 else "reading.unclear_extra")
            rows.append(
                {
                    "label": label,
                    "effect": self.est(att, metric),
                    "interval": self.interval(lo, hi, metric),
                    "total": self.est(p.get("total_dkk"), metric),
                    "total_interval": self.interval(
                        p.get("total_ci_low"), p.get("total_ci_high"), metric
                    ),
                    "reading": reading,
                    "flag": self.flag_title(self.flags_of(metric)),
                }
            )
            forest.append(
                ForestRow(
                    label,
                    cells=[
                        (
                            number(p.get("total_dkk")),
                            number(p.get("total_ci_low")),
                            number(p.get("total_ci_high")),
                        )
                    ],
                )
            )
        figure = None
        if forest:
            figure = self.svg(
                forest_figure(
                    [ForestPanel("")], forest, self.lang, xlabel=self.t("plot.total_dkk"), width=8.0
                )
            )
        n = self.count(self.doc.get("n_treated"))
        return {
            "rows": rows,
            "figure": figure,
            "intro": self.t("payers.intro", window=self.window_text(span or self.main), n=n),
            "total_head": self.t("col.total", n=n),
        }

    def subgroups(self) -> dict[str, Any]:
        groups = [s for s in self._list("subgroups") if isinstance(s, Mapping)]
        first_seen = {v: i for i, v in reversed(list(enumerate(s.get("variable") for s in groups)))}
        groups.sort(
            key=lambda s: (
                first_seen[s.get("variable")],
                level_order(str(s.get("variable")), s.get("level")),
            )
        )
        present: set[str] = set()
        for s in groups:
            estimates = s.get("estimates")
            if isinstance(estimates, Mapping):
                present.update(str(k) for k in estimates)
        metrics = [m for m in KEY_METRICS if m in present]
        band = self._section("matching").get("age_band_years")
        band = band if isinstance(band, int) else 5
        rows: list[ForestRow] = []
        table: list[dict[str, Any]] = []
        variable = None
        span = None
        for s in groups:
            span = span or window(s.get("window"))
            if s.get("variable") != variable:
                variable = s.get("variable")
                head = text_or(f"variable.{variable}", self.lang, str(variable))
                rows.append(ForestRow(head, header=True))
                table.append({"header": True, "label": head})
            n = self.count(s.get("n_treated"))
            level = subgroup_level(str(variable), s.get("level"), self.lang, band)
            estimates = mapping(s.get("estimates"))
            cells: list[tuple[float | None, float | None, float | None]] = []
            texts: list[str] = []
            for m in metrics:
                e = mapping(estimates.get(m))
                cells.append(
                    (number(e.get("att")), number(e.get("ci_low")), number(e.get("ci_high")))
                )
                value = self.est(e.get("att"), m)
                interval = self.interval(e.get("ci_low"), e.get("ci_high"), m)
                texts.append(value if interval == "–" else f"{value} ({interval})")
            rows.append(
                ForestRow(
                    f"{level} (n {n})" if n.startswith("<") else f"{level} (n = {n})",
                    cells=cells,
                    missing=n if n.startswith("<") else "–",
                )
            )
            table.append({"header": False, "label": level, "n": n, "cells": texts})
        figure = None
        if metrics and rows:
            panels = []
            for m in metrics:
                main = self.main_row(m)
                unit = self.t(f"unit.{unit_kind(m)}")
                panels.append(
                    ForestPanel(
                        f"{metric_name(m, self.lang)}\n({unit})",
                        number(main.get("att")) if main else None,
                    )
                )
            figure = self.svg(forest_figure(panels, rows, self.lang))
        w = self.window_text(span or self.main)
        return {
            "figure": figure,
            "table": table,
            "heads": [
                f"{metric_name(m, self.lang)} ({self.t(f'unit.{unit_kind(m)}')})" for m in metrics
            ],
            "intro": self.t("subgroups.intro", window=w, k=SMALL_CELL),
            "caption": self.t("subgroups.caption", window=w),
            "flag": self.flag_title(self.flags_of(metrics[0])) if metrics else "",
        }

    def measures(self) -> dict[str, Any]:
        rows: list[dict[str, str]] = []
        smoking: list[dict[str, str]] = []
        for m in self._list("participant_measures"):
            if not isinstance(m, Mapping):
                continue
            key = str(m.get("measure"))
            row = {
                "name": text_or(f"measure.{key}", self.lang, key),
                "month": self.num(m.get("month")),
                "referred": self.count(m.get("n_referred")),
                "started": self.count(m.get("n_started")),
                "baseline_n": self.count(m.get("n_baseline")),
                "answered": self.count(m.get("n_answered")),
                "baseline": self.num(m.get("baseline_mean"), 1),
                "follow_up": self.num(m.get("follow_up_mean"), 1),
                "change": self.num(m.get("change"), 1, sign=True),
                "interval": "–"
                if number(m.get("ci_low")) is None or number(m.get("ci_high")) is None
                else self.t(
                    "interval",
                    low=self.num(m.get("ci_low"), 1, True),
                    high=self.num(m.get("ci_high"), 1, True),
                ),
                "free_answered": self.pct(m.get("share_free_answered")),
                "free_started": self.pct(m.get("share_free_started")),
            }
            binary = key == "smoking" or m.get("share_free_answered") is not None
            (smoking if binary else rows).append(row)
        return {"rows": rows, "smoking": smoking}

    def negative_controls(self) -> list[dict[str, Any]]:
        out = []
        for nc in self._list("negative_controls"):
            if not isinstance(nc, Mapping):
                continue
            metric = str(nc.get("metric"))
            zero = nc.get("consistent_with_zero")
            out.append(
                {
                    "name": f"{metric_name(metric, self.lang)} "
                    f"({self.t(f'unit.{unit_kind(metric)}')})",
                    "window": self.window_text(window(nc.get("window"))),
                    "effect": self.est(nc.get("att"), metric),
                    "interval": self.interval(nc.get("ci_low"), nc.get("ci_high"), metric),
                    "zero": self.t("yes")
                    if zero is True
                    else self.t("no")
                    if zero is False
                    else "–",
                    "bad": zero is False,
                    "flag": self.flag_title(self.flags_of(metric)),
                }
            )
        return out

    def methods(self) -> list[str]:
        t = self.t
        m, g, b = self._section("matching"), self._section("gates"), self._section("bootstrap")

        def val(section: Mapping[str, Any], key: str, decimals: int = 0) -> str:
            return self.num(section.get(key), decimals)

        period = str(m.get("period", "month"))
        base = window(self.outcome_cfg.get("baseline"))
        first, last = self.first, self.last
        groups = covariate_groups(
            [str(x.get("covariate")) for x in self._list("balance") if isinstance(x, Mapping)],
            self.lang,
        )
        out = [
            text_or(f"methods.index.{self.doc.get('index')}", self.lang, ""),
            t(
                "methods.matching",
                period=text_or(f"methods.period.{period}", self.lang, period),
                age=val(m, "age_band_years"),
                municipality=t("methods.municipality") if m.get("municipality") is True else "",
            ),
            t(
                "methods.propensity",
                penalty=val(m, "penalty", 1),
                groups="; ".join(groups) or "–",
                caliper=val(m, "caliper_sd", 1),
                ratio=val(m, "ratio"),
            ),
        ]
        overrides = self.config.get("covariates")
        if isinstance(overrides, Mapping) and overrides:
            out.append(
                t("methods.overrides", items=", ".join(f"{k} = {v}" for k, v in overrides.items()))
            )
        out += [
            t("methods.did", base=self.window_text(base)),
            t(
                "methods.bootstrap",
                replicates=val(b, "replicates"),
                seed=val(b, "seed"),
                confidence=self.pct(b.get("confidence"), 0),
            ),
            t("methods.censoring"),
            t(
                "methods.placebo",
                placebo_start=month_text(first + 12),
                placebo_base=self.window_text((first, first + 11)),
            ),
            t(
                "methods.naive",
                after=self.window_text((0, last)),
                before=self.window_text((first, -1)),
            ),
            t(
                "methods.gates",
                smd=val(g, "max_abs_smd", 2),
                equipoise=self.pct(g.get("min_equipoise")),
                matched=self.pct(g.get("min_matched_share")),
                placebo="" if g.get("placebo") is not False else t("methods.off"),
                nc="" if g.get("negative_controls") is not False else t("methods.off"),
            ),
            t("methods.small_cells", k=SMALL_CELL),
        ]
        return [p for p in out if p]
