"""``broen cohort``: build, check and list cohorts (declarative target groups)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from broen.analytics import cohort
from broen.cli._app import cli
from broen.cli._commands import warehouse_option
from broen.cli._render import console


def _n(value: int) -> str:
    """Danish thousands separator: 12.345."""
    return f"{value:,}".replace(",", ".")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %".replace(".", ",") if whole else "–"


@cli.group("cohort")
def cohort_group() -> None:
    """Target groups from YAML definitions: index dates, inclusions, exclusions, attrition."""


@cohort_group.command("build")
@click.argument("definition")
@warehouse_option
@click.option(
    "--programme",
    help="Use this programme's dates (programme_episodes) as index dates instead of the "
    "definition's index rule, e.g. to check which participants met the criteria.",
)
@click.option(
    "--programme-date",
    type=click.Choice(["start_date", "referral_date"]),
    default="start_date",
    show_default=True,
    help="Which programme date is the index date (with --programme).",
)
def build(
    definition: str, warehouse: Path | None, programme: str | None, programme_date: str
) -> None:
    """Build DEFINITION (a YAML file, or a shipped name such as et-liv-i-balance) in the
    warehouse and print its attrition. Rebuilding a cohort replaces it."""
    index = (
        cohort.ProgrammeIndex(programme=programme, date_column=programme_date)  # type: ignore[arg-type]
        if programme
        else None
    )
    report = cohort.build_cohort(definition, warehouse, index=index)
    attrition_table(report)


def attrition_table(report: cohort.CohortReport) -> None:
    steps = report.attrition
    several = any(s.rows_kept != s.persons_kept or s.rows_before != s.persons_before for s in steps)
    table = Table(title=f"Cohort {report.name}: attrition", title_justify="left")
    table.add_column("step", justify="right")
    table.add_column("criterion", overflow="fold")
    table.add_column("persons before", justify="right")
    table.add_column("kept", justify="right")
    table.add_column("removed", justify="right")
    table.add_column("kept %", justify="right")
    if several:
        table.add_column("rows kept", justify="right")
        table.add_column("rows removed", justify="right")
    for s in steps:
        cells = [
            str(s.step),
            escape(s.criterion) + (f"\n[dim]{escape(s.note)}[/]" if s.note else ""),
            _n(s.persons_before),
            _n(s.persons_kept),
            _n(s.persons_removed),
            _pct(s.persons_kept, s.persons_before),
        ]
        if several:
            cells += [_n(s.rows_kept), _n(s.rows_removed)]
        table.add_row(*cells)
    console.print(table)
    rows = "" if not several else f" ({_n(report.n_rows)} person-index rows)"
    console.print(
        f"Cohort [bold]{report.name}[/]: {_n(report.n_persons)} persons{rows}, "
        f"built {report.built_at:%d.%m.%Y %H:%M}."
    )
    if several:
        console.print(
            "[dim]Persons are distinct persons; a person with several index dates counts once, "
            "and is removed only when a step removes all of their index dates.[/]"
        )
    for warning in report.warnings:
        console.print(f"[yellow]Warning:[/] {escape(warning)}")


@cohort_group.command("check")
@click.argument("definition")
def check(definition: str) -> None:
    """Validate DEFINITION without building it; errors name the line and a fix."""
    d = cohort.find_definition(definition)
    console.print(f"[green]OK[/] {d.name}: {d.title or 'no title'}")
    console.print(f"  index: {d.index.describe()}")
    for c in d.inclusion:
        console.print(f"  include (line {c.line}): {c.text}")
    for c in d.exclusion:
        console.print(f"  exclude (line {c.line}): {c.text}")


@cohort_group.command("list")
@warehouse_option
def list_command(warehouse: Path | None) -> None:
    """The cohorts built in the warehouse, and the shipped definitions."""
    built = cohort.list_cohorts(warehouse)
    if built:
        table = Table(title="Cohorts in the warehouse", title_justify="left")
        for name in ("cohort", "persons", "rows", "index", "built"):
            table.add_column(name, justify="right" if name in ("persons", "rows") else "left")
        for c in built:
            table.add_row(
                c.name, _n(c.n_persons), _n(c.n_rows), c.index_rule, f"{c.built_at:%d.%m.%Y %H:%M}"
            )
        console.print(table)
    else:
        console.print("No cohorts built yet: run 'broen cohort build DEFINITION'.")
    console.print("Shipped definitions: " + ", ".join(cohort.shipped_definitions()))
