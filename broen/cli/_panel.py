"""``broen panel``: build the person-month panel in the warehouse (broen.analytics.panel)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from broen.analytics import WAREHOUSE_ENV, default_warehouse_path
from broen.analytics.panel import ENGINES, PanelBuildReport, build_panel
from broen.cli._app import cli
from broen.cli._render import console, progress_bar


@cli.group("panel")
def panel_group() -> None:
    """The person-month panel: one row per person and month, with cost, use and payers."""


@panel_group.command("build")
@click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=WAREHOUSE_ENV,
    show_envvar=True,
    default=None,
    help=f"The warehouse file [default: {default_warehouse_path()}].",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="duckdb",
    show_default=True,
    help="duckdb runs embedded; spark runs on BROEN_SPARK_MASTER (docs/scale.md).",
)
@click.option("--full", is_flag=True, help="Rebuild every person, not only the changed ones.")
@click.option(
    "--payers",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A payer mapping (YAML) over the Danish defaults (docs/payers.md).",
)
def build_command(warehouse: Path | None, engine: str, full: bool, payers: Path | None) -> None:
    """Build the panel, or bring it up to date with the batches imported since the last build.

    Only the persons that new or replaced batches touch are rebuilt, unless --full is given or
    the period or the payer mapping changed.
    """
    with progress_bar("Building the panel") as progress:
        report = build_panel(
            warehouse,
            engine="spark" if engine == "spark" else "duckdb",
            full=full,
            payers=payers,
            progress=progress,
        )
    render(report)


def render(report: PanelBuildReport) -> None:
    if report.mode == "unchanged":
        console.print(
            f"Nothing to do: {report.reason}. The panel holds {report.panel_rows:,} rows of "
            f"{report.panel_persons:,} persons."
        )
        return
    what = "Full build" if report.mode == "full" else "Incremental build"
    console.print(
        f"[bold]{what}[/] on {report.engine} ({report.reason}): {report.persons_rebuilt:,} "
        f"persons rebuilt, {report.rows_written:,} person-months written in "
        f"{report.seconds:.1f} s."
    )
    console.print(
        f"Panel: {report.panel_rows:,} rows, {report.panel_persons:,} persons, "
        f"{report.months} months ({report.period_start:%Y-%m} to {report.period_end:%Y-%m}). "
        f"Payers: {report.payers}."
    )
    table = Table(title="Raw rows against the panel (excluded = outside residence or period)")
    table.add_column("source")
    table.add_column("measure")
    table.add_column("raw", justify="right")
    table.add_column("in panel", justify="right")
    table.add_column("excluded", justify="right")
    for e in report.excluded:
        fmt = "{:,.2f}" if e.measure == "DKK" else "{:,.0f}"
        table.add_row(
            e.source, e.measure, fmt.format(e.raw), fmt.format(e.in_panel), fmt.format(e.excluded)
        )
    console.print(table)
