"""The validation report of a fitted RiskModel: a calibration and capture plot (PNG) and a
self-contained HTML page (the PNG embedded as base64, no external assets), plus JSON."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from broen.analytics._paths import path_in
from broen.analytics._privacy import suppress
from broen.analytics.risk._metrics import Metrics
from broen.analytics.risk._model import RiskModel

TARGET_LABELS = {
    "acute_admission": "acute admission in the next 12 months",
    "top5_cost": "top 5 % of total cost in the next 12 months",
}


def plot(model: RiskModel) -> Figure:
    """Calibration (observed vs predicted by decile of risk) and capture, model vs baseline."""
    fig = Figure(figsize=(10, 4.4), layout="constrained")
    cal, cap = fig.subplots(1, 2)
    series: tuple[tuple[str, Metrics, str], ...] = (
        ("model", model.metrics_, "#1f5f8b"),
        ("baseline: last-year cost", model.baseline_, "#c8741a"),
    )
    top = max(
        max(b.predicted for m in (model.metrics_, model.baseline_) for b in m.calibration),
        max(b.observed for m in (model.metrics_, model.baseline_) for b in m.calibration),
    )
    cal.plot([0, top], [0, top], color="#999999", linestyle="--", linewidth=1, label="perfect")
    for name, m, colour in series:
        cal.plot(
            [b.predicted for b in m.calibration],
            [b.observed for b in m.calibration],
            marker="o",
            color=colour,
            label=f"{name} (slope {m.calibration_slope:.2f})",
        )
    cal.set_xlabel("predicted risk (mean per decile)")
    cal.set_ylabel("observed share with the outcome")
    cal.set_title("Calibration on the test months")
    cal.legend(loc="upper left", fontsize=8)
    keys = list(model.metrics_.capture)
    width = 0.38
    for i, (name, m, colour) in enumerate(series):
        xs = [k + (i - 0.5) * width for k in range(len(keys))]
        values = [100 * m.capture[k] for k in keys]
        cap.bar(xs, values, width=width, color=colour, label=name)
        for x, v in zip(xs, values, strict=True):
            cap.text(x, v + 0.8, f"{v:.0f}%", ha="center", fontsize=8)
    cap.set_xticks(range(len(keys)), [f"top {k}" for k in keys])
    what = "acute admissions" if model.capture_of_ == "acute_admissions" else "cost"
    cap.set_ylabel(f"share of next-year {what} captured (%)")
    cap.set_title("Who is found: capture by the highest-ranked")
    cap.legend(loc="upper left", fontsize=8)
    return fig


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return buffer.getvalue()


def _table(model: RiskModel) -> str:
    summary = model.summary()
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in ["", *summary.columns])
    rows = []
    for metric, values in summary.iterrows():
        is_share = str(metric).startswith("captured")
        cells = "".join(
            f"<td>{100 * v:.1f} %</td>" if is_share else f"<td>{v:.3f}</td>" for v in values
        )
        rows.append(f"<tr><th>{html.escape(str(metric))}</th>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def html_report(model: RiskModel, png: bytes) -> str:
    image = base64.b64encode(png).decode("ascii")
    target = TARGET_LABELS.get(model.target, model.target)
    bins = "".join(
        f"<tr><td>{i + 1}</td><td>{suppress(b.n)}</td><td>{b.predicted:.3f}</td>"
        f"<td>{b.observed:.3f}</td></tr>"
        for i, b in enumerate(model.calibration_)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Broen risk model: {html.escape(target)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 70em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }}
th:first-child {{ text-align: left; }}
.note {{ color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>Risk of {html.escape(target)}</h1>
<p>Model: <b>{html.escape(model.model)}</b>. Trained on index months
{html.escape(", ".join(model.train_months_))} ({suppress(model.n_train_)} person-months);
tested on {html.escape(", ".join(model.test_months_))} ({suppress(model.n_test_)} person-months,
{100 * model.prevalence_:.1f} % with the outcome).</p>
{_table(model)}
<p class="note">The baseline ranks the population by last year's total cost (no model).
Capture is the share of all next-year {html.escape(model.capture_of_.replace("_", " "))} that
falls on the persons ranked highest, within each index month. A calibration slope below 1 means
the predictions are too extreme, above 1 too timid.</p>
<img alt="Calibration and capture plot" src="data:image/png;base64,{image}">
<h2>Calibration by decile of predicted risk (model)</h2>
<table><tr><th>decile</th><th>persons</th><th>predicted</th><th>observed</th></tr>{bins}</table>
<p class="note">Counts under 5 persons are shown as &lt;5.</p>
</body></html>
"""


def write_report(model: RiskModel, out_dir: Path, stem: str) -> tuple[Path, Path, Path]:
    """Write ``<stem>.png``, ``<stem>.html`` and ``<stem>.json`` to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    png = png_bytes(plot(model))
    png_path = path_in(out_dir, stem, suffix=".png")
    png_path.write_bytes(png)
    html_path = path_in(out_dir, stem, suffix=".html")
    html_path.write_text(html_report(model, png), encoding="utf-8")
    json_path = path_in(out_dir, stem, suffix=".json")
    payload: dict[str, Any] = model.to_dict()
    json_path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return png_path, html_path, json_path
