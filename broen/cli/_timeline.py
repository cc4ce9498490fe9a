"""``broen timeline PERSON_ID``: one person's use of every sector over time."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from broen.analytics import ConfigurationError, month_range, timeline, write_timeline_html
from broen.cli._app import cli
from broen.cli._commands import _month, warehouse_option
from broen.cli._render import console

# Short column headers (Danish, English) for the terminal table.
SHORT: dict[str, tuple[str, str]] = {
    "hospital_acute": ("akut", "acute"),
    "hospital_planned": ("plan.", "planned"),
    "gp": ("læge", "GP"),
    "medicine": ("med.", "med."),
    "municipal": ("komm.", "munic."),
    "other_care": ("prak.", "oth.pc"),
    "acute_admissions": ("indl.", "adm."),
    "emergency_visits": ("skade", "emerg."),
    "bed_days": ("seng", "beds"),
}
STATE_SHORT: dict[str, tuple[str, str]] = {
    "unemployment": ("ledig", "unempl"),
    "sickness_benefit": ("syge", "sick"),
    "cash_benefit": ("kont.", "cash"),
    "flexjob": ("flex", "flex"),
    "disability_pension": ("førtid", "disab."),
    "education": ("udd", "educ"),
    "parental_leave": ("barsel", "parent"),
    "retirement": ("pens.", "retir."),
    "other_benefit": ("andet", "other"),
}
# The terminal has room for fewer columns: specialist and other practice are shown together.
TERMINAL_SECTORS: tuple[str, ...] = (
    "hospital_acute",
    "hospital_planned",
    "gp",
    "medicine",
    "municipal",
    "other_care",
)
SHOWN_COUNTS: tuple[str, ...] = ("acute_admissions", "emergency_visits", "bed_days")


def _optional_month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    return _month(value) if value else None


@cli.command("timeline")
@click.argument("person_id")
@warehouse_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file [default: broen-data/timeline/<person_id>.html; an id that is not a plain "
    "file name gets a safe name with a hash].",
)
@click.option("--from", "start", callback=_optional_month, help="First month, YYYY-MM.")
@click.option("--to", "end", callback=_optional_month, help="Last month, YYYY-MM.")
@click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True)
def timeline_command(
    person_id: str,
    warehouse: Path | None,
    out: Path | None,
    start: str | None,
    end: str | None,
    lang: str,
) -> None:
    """Show PERSON_ID's (a pseudonymised id) use of every sector, month by month, and write a
    chart to an HTML file."""
    try:
        month_range(start, end)
    except ConfigurationError as err:  # contradicting options: a usage error (exit 2)
        raise click.UsageError(str(err)) from None
    tl = timeline(warehouse, person_id, start=start, end=end)
    da = lang == "da"
    unit = "1.000 kr. pr. måned" if da else "DKK 1,000 per month"
    table = Table(
        title=f"{person_id} ({unit}; {tl.source})",
        box=None,
        padding=(0, 1, 0, 0),
        header_style="bold",
    )
    table.add_column("måned" if da else "month", no_wrap=True)
    for column in TERMINAL_SECTORS:
        table.add_column(SHORT[column][0 if da else 1], justify="right")
    table.add_column("i alt" if da else "total", justify="right")
    for column in SHOWN_COUNTS:
        table.add_column(SHORT[column][0 if da else 1], justify="right")
    table.add_column("overf." if da else "transf.", justify="right")
    table.add_column("ydelse" if da else "state")
    for row in tl.months.to_dict("records"):
        table.add_row(
            row["month"].strftime("%Y-%m"),
            *(_thousands(row[c]) for c in TERMINAL_SECTORS[:-1]),
            _thousands(row["specialist"] + row["other_primary"]),
            _thousands(row["cost_total"]),
            *(_count(row[c]) for c in SHOWN_COUNTS),
            _thousands(row["transfer_dkk"]),
            STATE_SHORT.get(row["transfer_state"], ("", ""))[0 if da else 1],
        )
    console.print(table)
    for marker in tl.markers:
        console.print(f"{marker.day.isoformat()}  {marker.label}")
    path = write_timeline_html(tl, out, language=lang)
    click.echo(f"Timeline: {path}")


def _thousands(value: float) -> str:
    return f"{value / 1000:.1f}" if value else ""


def _count(value: float) -> str:
    return f"{value:g}" if value else ""
