"""``broen evaluate``: does a programme work, for whom, by how much."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from broen.cli._app import cli
from broen.cli._commands import warehouse_option
from broen.cli._render import console

EXIT_GATES_FAILED = 3  # --strict and a gate failed: the estimates are withheld (as the library)
KEY_OUTCOMES = (
    "cost_hospital_acute",
    "acute_admissions",
    "bed_days",
    "weeks_self_supporting",
    "cost_total",
)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


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
    strict: bool,
    language: str,
) -> None:
    """Evaluate PROGRAMME: match its participants to controls from the population at their
    index month, estimate the effect on every panel metric by difference-in-differences with
    bootstrap intervals, check the gates, and write effects.json and report.html."""
    from broen.analytics.evaluation import evaluate_programme

    with console.status(f"Evaluating {programme}") as status:
        output = evaluate_programme(
            programme,
            out_dir,
            config=config,
            warehouse=warehouse,
            engine=engine,
            strict=strict,
            language=language,
            progress=lambda stage: status.update(f"Evaluating {programme}: {stage}"),
        )
    doc = output.document
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
    else:
        grid = Table(title="Effect per participant, months 0–23 (95% interval)")
        for col in ("outcome", "effect", "interval", "naive before/after", "flags"):
            grid.add_column(col, justify="left" if col in ("outcome", "flags") else "right")
        for o in doc["outcomes"]:
            if o["metric"] in KEY_OUTCOMES and o["window"] == [0, 23]:
                grid.add_row(
                    o["metric"],
                    _fmt(o["att"]),
                    f"{_fmt(o['ci_low'])} to {_fmt(o['ci_high'])}",
                    _fmt(o["naive_before_after"]),
                    ", ".join(o["flags"]),
                )
        console.print(grid)
    click.echo(f"Effects: {output.effects_path}")
    click.echo(f"Report:  {output.report_path}")
    if doc["estimates_withheld"]:
        raise SystemExit(EXIT_GATES_FAILED)
