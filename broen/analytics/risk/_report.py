"""The validation report of a fitted RiskModel: a calibration and capture plot (PNG), a
self-contained HTML page (``templates/risk_report.html``, the PNG embedded as base64, no external
assets) and JSON. In Danish by default, English on request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from markupsafe import Markup
from matplotlib.figure import Figure

from broen.analytics._paths import path_in
from broen.analytics._report import (
    Translations,
    check_language,
    embed_png,
    format_count,
    format_number,
    format_percent,
    png_bytes,
    render,
)
from broen.analytics._report import write_report as write_file
from broen.analytics.risk._metrics import Metrics
from broen.analytics.risk._model import RiskModel

# (Danish, English) texts of the page and the plot.
TEXTS = Translations.from_pairs(
    {
        "title": ("Broen risikomodel: {target}", "Broen risk model: {target}"),
        "heading": ("Risiko for {target}", "Risk of {target}"),
        "target.acute_admission": (
            "akut indlæggelse inden for de næste 12 måneder",
            "acute admission in the next 12 months",
        ),
        "target.top5_cost": (
            "top 5 % af de samlede udgifter de næste 12 måneder",
            "top 5 % of total cost in the next 12 months",
        ),
        "model": ("Model", "Model"),
        "design": (
            "Trænet på indeksmånederne {train} ({n_train} personmåneder); testet på {test} "
            "({n_test} personmåneder, {prevalence} med udfaldet).",
            "Trained on index months {train} ({n_train} person-months); tested on {test} "
            "({n_test} person-months, {prevalence} with the outcome).",
        ),
        "column.model": ("model", "model"),
        "column.baseline": ("baseline: sidste års udgifter", "baseline: last-year cost"),
        "captured_by": ("fanget af top {share}", "captured by top {share}"),
        "note": (
            "Baseline rangerer befolkningen efter sidste års samlede udgifter (ingen model). "
            "Andelen fanget er den andel af alle næste års {what}, der falder på de højest "
            "rangerede personer inden for hver indeksmåned. En kalibreringshældning under 1 "
            "betyder, at forudsigelserne er for ekstreme, over 1 at de er for forsigtige.",
            "The baseline ranks the population by last year's total cost (no model). "
            "Capture is the share of all next-year {what} that falls on the persons ranked "
            "highest, within each index month. A calibration slope below 1 means the "
            "predictions are too extreme, above 1 too timid.",
        ),
        "what.acute_admissions": ("akutte indlæggelser", "acute admissions"),
        "what.cost_total": ("samlede udgifter", "total cost"),
        "figure_alt": ("Kalibrerings- og fangstplot", "Calibration and capture plot"),
        "figure_caption": (
            "Venstre: observeret mod forudsagt risiko pr. decil af forudsagt risiko. Højre: "
            "andel fanget af de højest rangerede, model og baseline.",
            "Left: observed against predicted risk by decile of predicted risk. Right: share "
            "captured by the highest-ranked, model and baseline.",
        ),
        "calibration_heading": (
            "Kalibrering efter decil af forudsagt risiko (model)",
            "Calibration by decile of predicted risk (model)",
        ),
        "decile": ("decil", "decile"),
        "persons": ("personer", "persons"),
        "predicted": ("forudsagt", "predicted"),
        "observed": ("observeret", "observed"),
        "plot.perfect": ("perfekt", "perfect"),
        "plot.slope": ("{name} (hældning {slope})", "{name} (slope {slope})"),
        "plot.predicted": (
            "forudsagt risiko (gennemsnit pr. decil)",
            "predicted risk (mean per decile)",
        ),
        "plot.observed": ("observeret andel med udfaldet", "observed share with the outcome"),
        "plot.calibration": ("Kalibrering på testmånederne", "Calibration on the test months"),
        "plot.bar": ("{value} %", "{value}%"),
        "plot.top": ("top {share}", "top {share}"),
        "plot.captured": (
            "andel af næste års {what} fanget (%)",
            "share of next-year {what} captured (%)",
        ),
        "plot.what.acute_admissions": ("akutte indlæggelser", "acute admissions"),
        "plot.what.cost_total": ("udgifter", "cost"),
        "plot.capture": (
            "Hvem findes: andel fanget af de højest rangerede",
            "Who is found: capture by the highest-ranked",
        ),
        # The rows of RiskModel.summary(), by their (English) index labels.
        "summary.AUC": ("AUC", "AUC"),
        "summary.calibration slope": ("kalibreringshældning", "calibration slope"),
        "summary.calibration intercept": ("kalibreringsskæring", "calibration intercept"),
        "summary.Brier score": ("Brier-score", "Brier score"),
    }
)
_CAPTURED = "captured by top "


def plot(model: RiskModel, language: str = "da") -> Figure:
    """Calibration (observed vs predicted by decile of risk) and capture, model vs baseline."""
    t = TEXTS.translator(language)
    fig = Figure(figsize=(10, 4.4), layout="constrained")
    cal, cap = fig.subplots(1, 2)
    series: tuple[tuple[str, Metrics, str], ...] = (
        (t("column.model"), model.metrics_, "#1f5f8b"),
        (t("column.baseline"), model.baseline_, "#c8741a"),
    )
    top = max(
        max(b.predicted for m in (model.metrics_, model.baseline_) for b in m.calibration),
        max(b.observed for m in (model.metrics_, model.baseline_) for b in m.calibration),
    )
    cal.plot(
        [0, top], [0, top], color="#999999", linestyle="--", linewidth=1, label=t("plot.perfect")
    )
    for name, m, colour in series:
        cal.plot(
            [b.predicted for b in m.calibration],
            [b.observed for b in m.calibration],
            marker="o",
            color=colour,
            label=t("plot.slope", name=name, slope=format_number(m.calibration_slope, language, 2)),
        )
    cal.set_xlabel(t("plot.predicted"))
    cal.set_ylabel(t("plot.observed"))
    cal.set_title(t("plot.calibration"))
    cal.legend(loc="upper left", fontsize=8)
    keys = list(model.metrics_.capture)
    width = 0.38
    for i, (name, m, colour) in enumerate(series):
        xs = [k + (i - 0.5) * width for k in range(len(keys))]
        values = [100 * m.capture[k] for k in keys]
        cap.bar(xs, values, width=width, color=colour, label=name)
        for x, v in zip(xs, values, strict=True):
            label = t("plot.bar", value=format_number(v, language, 0))
            cap.text(x, v + 0.8, label, ha="center", fontsize=8)
    cap.set_xticks(range(len(keys)), [t("plot.top", share=k) for k in keys])
    cap.set_ylabel(t("plot.captured", what=t(f"plot.what.{model.capture_of_}")))
    cap.set_title(t("plot.capture"))
    cap.legend(loc="upper left", fontsize=8)
    return fig


def _summary_rows(model: RiskModel, language: str) -> list[dict[str, Any]]:
    """RiskModel.summary() as table rows: a translated label, the values, share or not."""
    t = TEXTS.translator(language)
    rows = []
    for metric, values in model.summary().iterrows():
        label = str(metric)
        share = label.startswith(_CAPTURED)
        rows.append(
            {
                "label": (
                    t("captured_by", share=label.removeprefix(_CAPTURED))
                    if share
                    else t(f"summary.{label}")
                ),
                "share": share,
                "values": [float(v) for v in values],
            }
        )
    return rows


def html_report(model: RiskModel, png: bytes, language: str = "da") -> str:
    """The self-contained HTML report with the plot ``png`` embedded."""
    check_language(language)
    t = TEXTS.translator(language)
    image: Markup = embed_png(png, alt=t("figure_alt"))
    return render(
        "risk_report.html",
        translations=TEXTS,
        language=language,
        model=model,
        target=t(f"target.{model.target}"),
        design=t(
            "design",
            train=", ".join(model.train_months_),
            n_train=format_count(model.n_train_, language),
            test=", ".join(model.test_months_),
            n_test=format_count(model.n_test_, language),
            prevalence=format_percent(model.prevalence_, language),
        ),
        what=t(f"what.{model.capture_of_}"),
        rows=_summary_rows(model, language),
        image=image,
    )


def write_report(
    model: RiskModel, out_dir: Path, stem: str, language: str = "da"
) -> tuple[Path, Path, Path]:
    """Write ``<stem>.png``, ``<stem>.html`` and ``<stem>.json`` to ``out_dir``, each file
    atomically (all of it or, on an error, the previous file untouched)."""
    check_language(language)
    out_dir.mkdir(parents=True, exist_ok=True)
    png = png_bytes(plot(model, language))
    page = html_report(model, png, language)
    payload: dict[str, Any] = model.to_dict()
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    png_path = write_file(path_in(out_dir, stem, suffix=".png"), png)
    html_path = write_file(path_in(out_dir, stem, suffix=".html"), page)
    json_path = write_file(path_in(out_dir, stem, suffix=".json"), text)
    return png_path, html_path, json_path
