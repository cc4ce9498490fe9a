"""The sections of the effect report on how the comparison was made: the gates (their table
and the warnings at the top), the flow from referral to analysis, balance, overlap and the
methods in brief."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from broen.analytics._privacy import SMALL_CELL
from broen.analytics.evaluation._report_page import PageBase
from broen.analytics.evaluation._report_plots import (
    flow_figure,
    love_plot,
    preference_plot,
    smd_size,
)
from broen.analytics.evaluation._report_texts import (
    covariate_groups,
    covariate_name,
    mapping,
    metric_name,
    month_text,
    number,
    text_or,
    window,
)

LOVE_PLOT_ROWS = 30


class DesignSections(PageBase):
    """Gates, flow, balance, overlap and methods of the page."""

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

        hidden = self.t("balance.suppressed")
        rows = [
            {
                "label": covariate_name(str(b.get("covariate")), self.lang),
                "mean_p": hidden if b.get("suppressed") else mean(b.get("mean_participants")),
                "mean_cb": mean(b.get("mean_controls_before")),
                "mean_ca": hidden if b.get("suppressed") else mean(b.get("mean_controls_after")),
                "smd_b": hidden if b.get("suppressed") else self.num(b.get("smd_before"), 3),
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
        matched = self.svg(
            preference_plot(mapping(p.get("preference_histogram_matched")), self.lang, matched=True)
        )
        intro = self.t(
            "overlap.intro",
            auc=self.num(p.get("auc"), 2),
            auc_matched=self.num(p.get("auc_matched"), 2),
            equipoise_population=self.pct(p.get("equipoise_population")),
            equipoise=self.pct(p.get("equipoise")),
            min_equipoise=self.pct(self._section("gates").get("min_equipoise")),
            caliper=self.num(p.get("caliper_logit"), 3),
        )
        return {"intro": intro, "figure": figure, "matched": matched}

    # -- methods ---------------------------------------------------------------------------
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
        if m.get("exact_history") is True:
            out.append(t("methods.history"))
        if m.get("distance") == "trajectory":
            out.append(t("methods.trajectory"))
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
