"""The plots of the effect report, as matplotlib Figures (not pyplot) for the report module's
``figure_svg``. They take plain lists prepared by ``_report.py`` (a missing value is ``None``
and leaves a gap), and label every number in the report's language."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from broen.analytics._report import format_number
from broen.analytics.evaluation._report_texts import TEXTS, covariate_name, number

PARTICIPANTS = "#1f5f8b"
CONTROLS = "#c8741a"
FAILING = "#b03a2e"
GREY = "#888888"
SHADE = "#ececec"
Number = float | None


def _nan(values: Sequence[Number]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def tick_decimals(ticks: Sequence[float], most: int = 6) -> int:
    """The fewest decimals that tell every tick of an axis apart and show each exactly
    (``0, 0,005, 0,01`` -> 3; ``0, 0,25, 0,5`` -> 2; ``0, 5.000, 10.000`` -> 0)."""
    finite = [float(x) for x in ticks if math.isfinite(x)]
    for decimals in range(most + 1):
        scale = 10.0**decimals
        if all(abs(x * scale - round(x * scale)) < 1e-6 * max(1.0, abs(x * scale)) for x in finite):
            return decimals
    return most


def tick_text(x: float, language: str, decimals: int = 0) -> str:
    """An axis label: thousands separators, ``decimals`` decimals (``12.500``, ``0,005``)."""
    return format_number(x, language, decimals)


class _Ticks(Formatter):
    """Axis labels in the report's language, with the same number of decimals on the whole
    axis, as many as its ticks need (0,005 steps are not all shown as "0" or "0,01")."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.decimals = 0

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        self.decimals = tick_decimals(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return tick_text(x, self.language, self.decimals)


def _number_axis(axis: object, language: str) -> None:
    axis.set_major_formatter(_Ticks(language))  # type: ignore[attr-defined]


def _style(ax: object) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)  # type: ignore[attr-defined]
    ax.tick_params(labelsize=9)  # type: ignore[attr-defined]


def flow_figure(
    labels: Sequence[str], values: Sequence[Number], shown: Sequence[str], language: str
) -> Figure:
    """Horizontal bars, one per step from referral to analysis, labelled with the count as
    shown in the report (``<5`` has no bar length of its own: it is drawn as zero)."""
    fig = Figure(figsize=(8.5, 0.42 * len(labels) + 0.7), layout="constrained")
    ax = fig.subplots()
    ys = list(range(len(labels)))[::-1]
    lengths = [0.0 if v is None else float(v) for v in values]
    colours = [PARTICIPANTS if i == len(labels) - 1 else "#8fb3cf" for i in range(len(labels))]
    ax.barh(ys, lengths, color=colours, height=0.62)
    top = max(lengths, default=0.0) or 1.0
    for y, length, text in zip(ys, lengths, shown, strict=True):
        ax.text(length + top * 0.01, y, text, va="center", fontsize=10)
    ax.set_yticks(ys, list(labels), fontsize=10)
    ax.set_xlim(0, top * 1.12)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    _number_axis(ax.xaxis, language)
    _style(ax)
    ax.set_xlabel(TEXTS.text("flow.n", language), fontsize=10)
    return fig


def love_figure(
    rows: Sequence[tuple[str, Number, Number]], threshold: float, language: str
) -> Figure:
    """A love plot: |SMD| before (open) and after matching (filled; red when not below the
    threshold), one row per covariate, the first row at the top."""
    t = TEXTS.translator(language)
    fig = Figure(figsize=(9, 0.24 * len(rows) + 1.5), layout="constrained")
    ax = fig.subplots()
    ys = list(range(len(rows)))[::-1]
    before = [abs(b) if b is not None else math.nan for _, b, _ in rows]
    after = [abs(a) if a is not None else math.nan for _, _, a in rows]
    for y, b, a in zip(ys, before, after, strict=True):
        if not (math.isnan(b) or math.isnan(a)):
            ax.plot([b, a], [y, y], color="#cccccc", linewidth=1, zorder=1)
    ax.scatter(
        before, ys, facecolors="white", edgecolors=GREY, s=30, zorder=2, label=t("plot.before")
    )
    ok = [(a, y) for a, y in zip(after, ys, strict=True) if not math.isnan(a) and a < threshold]
    bad = [(a, y) for a, y in zip(after, ys, strict=True) if not math.isnan(a) and a >= threshold]
    ax.scatter(
        [a for a, _ in ok],
        [y for _, y in ok],
        color=PARTICIPANTS,
        s=30,
        zorder=3,
        label=t("plot.after_ok"),
    )
    if bad:
        ax.scatter(
            [a for a, _ in bad],
            [y for _, y in bad],
            color=FAILING,
            s=30,
            zorder=3,
            label=t("plot.after_bad"),
        )
    ax.axvline(threshold, color="#444444", linestyle="--", linewidth=1)
    ax.set_yticks(ys, [label for label, _, _ in rows], fontsize=9)
    ax.set_ylim(-0.8, len(rows) - 0.2)
    ax.set_xlim(left=0)
    ax.set_xlabel(t("plot.smd"), fontsize=10)
    ax.grid(axis="x", color="#eeeeee")
    _number_axis(ax.xaxis, language)
    _style(ax)
    ax.legend(loc="lower right", fontsize=9, frameon=True)
    return fig


def overlap_figure(
    edges: Sequence[float],
    participants: Sequence[float],
    controls: Sequence[float],
    language: str,
    controls_label: str = "plot.candidates",
) -> Figure:
    """The preference-score distribution back to back: participants above the axis, control
    candidates below, as densities over (possibly merged, unequal) bins scaled to a share per
    0.05, with the equipoise zone 0.3-0.7 shaded."""
    t = TEXTS.translator(language)
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax = fig.subplots()
    widths = [b - a for a, b in itertools.pairwise(edges)]

    def density(shares: Sequence[float], sign: float) -> list[float]:
        return [sign * s * 0.05 / w if w > 0 else 0.0 for s, w in zip(shares, widths, strict=True)]

    ax.axvspan(0.3, 0.7, color=SHADE, zorder=0)
    up, down = density(participants, 1.0), density(controls, -1.0)
    ax.stairs(
        up, list(edges), fill=True, color=PARTICIPANTS, alpha=0.75, label=t("plot.participants")
    )
    ax.stairs(down, list(edges), fill=True, color=CONTROLS, alpha=0.75, label=t(controls_label))
    ax.axhline(0, color="#444444", linewidth=0.8)
    top = max([0.01, *up, *(-d for d in down)]) * 1.15
    ax.set_ylim(-top, top)
    ax.text(
        0.5,
        0.98,
        t("plot.equipoise"),
        transform=blended_transform_factory(ax.transData, ax.transAxes),
        ha="center",
        va="top",
        fontsize=9,
        color="#555555",
    )
    ax.set_xlim(0, 1)
    ax.set_xlabel(t("plot.preference"), fontsize=10)
    ax.set_ylabel(t("plot.share"), fontsize=10)
    _number_axis(ax.xaxis, language)
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda y, _pos: format_number(100 * abs(y), language, 0) + " %")
    )
    _style(ax)
    ax.legend(loc="upper left", fontsize=9)
    return fig


@dataclass(frozen=True)
class MonthSeries:
    """One outcome by month since the start (``None``: not shown, a small or empty month)."""

    months: list[int]
    mean_participants: list[Number]
    mean_controls: list[Number]
    effect: list[Number]
    low: list[Number]
    high: list[Number]
    baseline: tuple[int, int]
    unit: str  # axis unit, e.g. "kr."


def outcome_figure(s: MonthSeries, language: str) -> Figure:
    """Left: the mean per person per month, participants and matched controls (as the
    "Sammen om min vej" plots); right: the effect by month with its 95 % band. One legend
    above both."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    t = TEXTS.translator(language)
    # Fixed margins, not a layout engine: 18 of these make a report, and constrained layout
    # would take half of their drawing time.
    fig = Figure(figsize=(10.5, 3.6))
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.14, top=0.8, wspace=0.22)
    means, effect = fig.subplots(1, 2)
    for ax in (means, effect):
        ax.axvspan(s.baseline[0] - 0.5, s.baseline[1] + 0.5, color=SHADE, zorder=0)
        ax.axvline(0, color="#444444", linewidth=1)
        if s.months:
            ax.set_xlim(min(s.months) - 0.5, max(s.months) + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=9, integer=True, steps=[6]))
        _number_axis(ax.xaxis, language)
        _number_axis(ax.yaxis, language)
        ax.set_xlabel(t("plot.months"), fontsize=9)
        ax.set_ylabel(s.unit, fontsize=9)
        ax.grid(axis="y", color="#eeeeee")
        _style(ax)
    means.plot(s.months, _nan(s.mean_participants), color=PARTICIPANTS, linewidth=1.6)
    means.plot(s.months, _nan(s.mean_controls), color=CONTROLS, linewidth=1.6)
    finite = [v for v in _nan(s.mean_participants + s.mean_controls) if not math.isnan(v)]
    means.set_ylim(bottom=min([0.0, *finite]))
    means.set_title(t("plot.mean_title"), fontsize=11)
    effect.fill_between(
        s.months, _nan(s.low), _nan(s.high), color=PARTICIPANTS, alpha=0.2, linewidth=0
    )
    effect.plot(s.months, _nan(s.effect), color="#0b3552", linewidth=1.6)
    effect.axhline(0, color="#444444", linewidth=0.8, linestyle=":")
    effect.set_title(t("plot.effect_title"), fontsize=11)
    handles = [
        Line2D([], [], color=PARTICIPANTS, linewidth=1.6, label=t("plot.participants")),
        Line2D([], [], color=CONTROLS, linewidth=1.6, label=t("plot.controls")),
        Line2D([], [], color="#0b3552", linewidth=1.6, label=t("plot.effect")),
        Patch(color=PARTICIPANTS, alpha=0.2, label=t("plot.interval")),
        Patch(color=SHADE, label=t("plot.baseline")),
    ]
    fig.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=5,
        fontsize=9,
        frameon=False,
    )
    return fig


@dataclass(frozen=True)
class ForestRow:
    label: str
    header: bool = False
    # per panel: (estimate, low, high); None when not shown
    cells: list[tuple[Number, Number, Number]] = field(default_factory=list)
    missing: str = "–"  # the text shown where there is no estimate


@dataclass(frozen=True)
class ForestPanel:
    title: str
    overall: Number = None


def forest_figure(
    panels: Sequence[ForestPanel],
    rows: Sequence[ForestRow],
    language: str,
    xlabel: str = "",
    width: float | None = None,
) -> Figure:
    """Estimates with intervals, one row per group (header rows in bold, without estimates),
    one panel per outcome side by side; a dashed line at the overall estimate."""
    width = width or min(12.0, 2.5 + 2.3 * len(panels))
    fig = Figure(figsize=(width, 0.26 * len(rows) + 1.1), layout="constrained")
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    ys = list(range(len(rows)))[::-1]
    for k, (ax, panel) in enumerate(zip(axes, panels, strict=True)):
        ax.axvline(0, color="#444444", linewidth=0.8)
        if panel.overall is not None:
            ax.axvline(panel.overall, color=GREY, linewidth=0.9, linestyle="--")
        middle = blended_transform_factory(ax.transAxes, ax.transData)
        for y, row in zip(ys, rows, strict=True):
            if row.header:
                ax.axhspan(y - 0.5, y + 0.5, color="#f4f4f4", zorder=0)
                continue
            est, low, high = row.cells[k] if k < len(row.cells) else (None, None, None)
            if est is None:
                ax.text(
                    0.03,
                    y,
                    row.missing,
                    transform=middle,
                    ha="left",
                    va="center",
                    fontsize=8,
                    color=GREY,
                )
                continue
            if low is not None and high is not None:
                ax.plot([low, high], [y, y], color=PARTICIPANTS, linewidth=1.4)
            ax.plot([est], [y], marker="o", color=PARTICIPANTS, markersize=4)
        ax.set_title(panel.title, fontsize=10)
        ax.xaxis.set_major_locator(
            MaxNLocator(nbins=3 if len(panels) > 2 else 6, steps=[1, 2, 2.5, 5, 10])
        )
        _number_axis(ax.xaxis, language)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", color="#eeeeee")
        if xlabel:
            ax.set_xlabel(xlabel, fontsize=9)
        _style(ax)
        ax.tick_params(axis="y", length=0)
    first = axes[0]
    first.set_yticks(ys, [row.label for row in rows], fontsize=9)
    for tick, row in zip(first.get_yticklabels(), rows, strict=True):
        if row.header:
            tick.set_fontweight("bold")
    first.set_ylim(-0.6, len(rows) - 0.4)
    return fig


# -- figures from the parts of an effect document (None: nothing to draw) ---------------------


def smd_size(value: object) -> float:
    """|SMD| for sorting; a missing SMD sorts last."""
    n = number(value)
    return -1.0 if n is None else abs(n)


def love_plot(
    balance: Sequence[Mapping[str, Any]], threshold: float, language: str, rows: int
) -> tuple[Figure | None, int]:
    """The love plot of the ``rows`` covariates with the largest |SMD| before or after
    matching, in the order given (sorted by |SMD| before); and how many it shows."""
    worst = sorted(
        balance,
        key=lambda b: max(smd_size(b.get("smd_before")), smd_size(b.get("smd_after"))),
        reverse=True,
    )
    keep = {id(b) for b in worst[:rows]}
    shown = [b for b in balance if id(b) in keep]
    if not shown:
        return None, 0
    points = [
        (
            covariate_name(str(b.get("covariate")), language),
            number(b.get("smd_before")),
            number(b.get("smd_after")),
        )
        for b in shown
    ]
    return love_figure(points, threshold, language), len(shown)


def preference_plot(
    histogram: Mapping[str, Any], language: str, matched: bool = False
) -> Figure | None:
    """The overlap plot of ``propensity.preference_histogram`` (edges and shares per group;
    ``matched``: of ``preference_histogram_matched``, participants against their controls), or
    None when it is missing or malformed."""
    edges = [number(e) for e in histogram.get("edges") or []]
    tp = [number(s) for s in histogram.get("participants_share") or []]
    tc = [number(s) for s in histogram.get("controls_share") or []]
    if len(edges) < 2 or not len(tp) == len(tc) == len(edges) - 1:
        return None
    if any(v is None for v in (*edges, *tp, *tc)):
        return None
    return overlap_figure(
        [e or 0.0 for e in edges],
        [x or 0.0 for x in tp],
        [x or 0.0 for x in tc],
        language,
        "plot.controls" if matched else "plot.candidates",
    )


def month_plot(
    by_month: object, baseline: tuple[int, int], unit: str, language: str
) -> Figure | None:
    """The outcome figure of an outcome's ``by_month`` list (None when it has no months)."""
    months = [
        m
        for m in (by_month if isinstance(by_month, list) else [])
        if isinstance(m, Mapping) and isinstance(m.get("month"), int)
    ]
    if not months:
        return None
    series = MonthSeries(
        months=[int(m["month"]) for m in months],
        mean_participants=[number(m.get("mean_participants")) for m in months],
        mean_controls=[number(m.get("mean_controls")) for m in months],
        effect=[number(m.get("att")) for m in months],
        low=[number(m.get("ci_low")) for m in months],
        high=[number(m.get("ci_high")) for m in months],
        baseline=baseline,
        unit=unit,
    )
    return outcome_figure(series, language)
