"""``broen evaluate``: does a programme work, for whom, by how much."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from broen.cli._app import cli
from broen.cli._commands import warehouse_option
from broen.cli._render import console

EXIT_GATES_FAILED = 3  # --strict and a gate failed: the estimates are withheld (as the library)
INDEX_DATES = {"start": "start_date", "referral": "referral_date"}  # --index: the config's index
KEY_OUTCOMES = (
    "cost_hospital_acute",
    "acute_admissions",
    "bed_days",
    "weeks_self_supporting",
    "cost_total",
)


def _check_out_dir(out_dir: Path) -> None:
    """Refuse an --out below a file before the evaluation runs, not after it (click has already
    refused an --out that is a file itself)."""
    for folder in (out_dir, *out_dir.absolute().parents):
        if folder.exists():
            if not folder.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
            return


def _main_window(doc: dict[str, Any]) -> list[int]:
    """Months 0..last_month when the config has that window (the default 0–23), else its last."""
    outcomes = doc["config"]["outcomes"]
    windows = [list(w) for w in outcomes["windows"]]
    whole = [0, outcomes["last_month"]]
    return whole if whole in windows else windows[-1]


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def render_effects(doc: dict[str, Any], truth: dict[str, float] | None = None) -> None:
    """Flow, gates and the key outcomes' effects over the main window, beside the naive
    before/after; with ``truth`` (metric -> true effect, the synthetic population's) a column
    for it."""
    flow = " → ".join(f"{s['step'].replace('_', ' ')} {s['n']}" for s in doc["flow"])
    console.print(f"[bold]{doc['title']}[/]: {flow}; {doc['n_controls']} matched controls.")
    for gate in doc["gates"]:
        mark = "[green]passed[/]" if gate["passed"] else "[red]FAILED[/]"
        console.print(
            f"  gate {gate['gate']}: {mark} ({_fmt(gate['value'])}, "
            f"threshold {_fmt(gate['threshold'])})"
        )
    if doc["estimates_withheld"]:
        console.print("[red]A gate failed: the estimates are withheld (--strict).[/]")
        return
    window = _main_window(doc)
    grid = Table(title=f"Effect per participant, months {window[0]}–{window[1]} (95% interval)")
    columns = ["outcome", "effect", "interval", *(["true effect"] if truth else [])]
    for col in (*columns, "naive before/after", "flags"):
        grid.add_column(col, justify="left" if col in ("outcome", "flags") else "right")
    metrics = {o["metric"] for o in doc["outcomes"]}
    shown = [m for m in KEY_OUTCOMES if m in metrics] or sorted(metrics)
    for o in doc["outcomes"]:
        if o["metric"] in shown and o["window"] == window:
            known = [_fmt(truth.get(o["metric"]))] if truth else []
            grid.add_row(
                o["metric"],
                _fmt(o["att"]),
                f"{_fmt(o['ci_low'])} to {_fmt(o['ci_high'])}",
                *known,
                _fmt(o["naive_before_after"]),
                ", ".join(o["flags"]),
            )
    console.print(grid)


@cli.command("evaluate")
@click.option("--programme", required=True, help="Programme id, e.g. et-liv-i-balance.")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Evaluation config (YAML) [default: the shipped config of the programme, or the "
    "documented defaults].",
)
@warehouse_option
@click.option(
    "--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for effects.json and report.html.",
)
@click.option(
    "--index",
    "index",
    type=click.Choice(sorted(INDEX_DATES)),
    default=None,
    help="Index month: the month of the start (start_date) or of the referral (referral_date: "
    "the offer, including those who declined) [default: the config's index, start].",
)
@click.option(
    "--strict",
    is_flag=True,
    help=f"Withhold the estimates when a gate fails (exit code {EXIT_GATES_FAILED}).",
)
@click.option(
    "--lang",
    "language",
    type=click.Choice(["da", "en"]),
    default="da",
    show_default=True,
    help="Language of the report.",
)
def evaluate_command(
    programme: str,
    config: Path | None,
    warehouse: Path | None,
    engine: str,
    out_dir: Path,
    index: str | None,
    strict: bool,
    language: str,
) -> None:
    """Evaluate PROGRAMME: match its participants to controls from the population at their
    index month, estimate the effect on every panel metric by difference-in-differences with
    bootstrap intervals, check the gates, and write effects.json and report.html."""
    from broen.analytics.evaluation import evaluate_programme

    _check_out_dir(out_dir)
    with console.status(f"Evaluating {programme}") as status:
        output = evaluate_programme(
            programme,
            out_dir,
            config=config,
            warehouse=warehouse,
            engine=engine,
            strict=strict,
            language=language,
            index=None if index is None else INDEX_DATES[index],
            progress=lambda stage: status.update(f"Evaluating {programme}: {stage}"),
        )
    render_effects(output.document)
    click.echo(f"Effects: {output.effects_path}")
    click.echo(f"Report:  {output.report_path}")
    if output.document["estimates_withheld"]:
        raise SystemExit(EXIT_GATES_FAILED)
