"""The sections of the effect report on what the comparison found: the summary, each outcome
(monthly figure and table of windows, cross-check, naive before/after and placebo), payers,
subgroups, participant-only measures and negative controls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from broen.analytics._privacy import SMALL_CELL
from broen.analytics.evaluation._report_page import KEY_METRICS, PageBase
from broen.analytics.evaluation._report_plots import (
    ForestPanel,
    ForestRow,
    forest_figure,
    month_plot,
)
from broen.analytics.evaluation._report_texts import (
    level_order,
    mapping,
    metric_name,
    number,
    payer_name,
    subgroup_level,
    text_or,
    unit_kind,
    window,
)


class ResultSections(PageBase):
    """Summary, outcomes, payers, subgroups, measures and negative controls of the page."""

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
        # the unit: "kr.", "uger", and for a count what is counted ("indlæggelser"), if known
        noun = text_or(f"noun.{metric}", self.lang, "") if kind == "count" else ""
        unit = noun or t(f"unit.{kind}")
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
            "unit": t("unit.head.noun", noun=noun) if noun else t(f"unit.head.{kind}"),
            "unit_word": unit,
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
