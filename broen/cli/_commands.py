"""The commands of ``broen``: parse, call broen.analytics, print."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from broen import analytics
from broen.analytics import DialectOptions, default_warehouse_path
from broen.cli import _render
from broen.cli._app import cli
from broen.cli._render import console

EXIT_REJECTED_ROWS = 3

warehouse_option = click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=analytics.WAREHOUSE_ENV,
    show_envvar=True,
    default=None,
    help=f"The warehouse file [default: {default_warehouse_path()}].",
)


def _month(value: str) -> str:
    if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter(f"{value!r} is not a month in the form YYYY-MM.")
    return value


@cli.command("import")
@click.argument("source_dir", type=click.Path(file_okay=False, path_type=Path))
@warehouse_option
@click.option("--encoding", help="CSV encoding: utf-8 or cp1252 [default: detected].")
@click.option("--sep", help="CSV separator, e.g. ';' [default: detected from the header].")
@click.option(
    "--decimal", help="Decimal mark: '.' or ',' [default: ',' when the separator is ';']."
)
@click.option(
    "--source", help="Name of the source [default: extract.json 'source', else the directory name]."
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the import report as JSON here.",
)
@click.option(
    "--strict", is_flag=True, help=f"Exit with {EXIT_REJECTED_ROWS} when any row was quarantined."
)
def import_command(
    source_dir: Path,
    warehouse: Path | None,
    encoding: str | None,
    sep: str | None,
    decimal: str | None,
    source: str | None,
    report: Path | None,
    strict: bool,
) -> None:
    """Import an extract in the register extract format (contract v1) into the warehouse.

    Every row is validated; bad rows go to quarantine with the rule they broke and good rows
    load. A missing file or column or an unreadable file stops the import and leaves the
    warehouse unchanged.
    """
    options = DialectOptions(
        encoding=encoding, sep=sep.replace("\\t", "\t") if sep else None, decimal=decimal
    )
    with _render.progress_bar("Importing") as progress:
        result = analytics.import_extract(
            source_dir, warehouse=warehouse, options=options, source=source, progress=progress
        )
    _render.import_report(result)
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(
            json.dumps(result.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8"
        )
    if result.status == "imported":
        where = Path(result.warehouse).parent / "import-reports" / f"{result.batch_id}.json"
        click.echo(f"Report: {report or where}")
    if strict and result.rows_rejected:
        raise SystemExit(EXIT_REJECTED_ROWS)


@cli.group("warehouse")
def warehouse_group() -> None:
    """Look into the warehouse."""


@warehouse_group.command("info")
@warehouse_option
def warehouse_info(warehouse: Path | None) -> None:
    """List the tables with row counts, the batches and the quarantine counts."""
    _render.warehouse_info(analytics.warehouse_info(warehouse))


@warehouse_group.command("quarantine")
@warehouse_option
@click.option("--table", help="Only rows of this table.")
@click.option("--rule", help="Only rows that broke this rule (e.g. date.after_death).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def warehouse_quarantine(
    warehouse: Path | None, table: str | None, rule: str | None, limit: int
) -> None:
    """Show quarantined rows: where they came from, the rule they broke and why."""
    rows = analytics.quarantined_rows(warehouse, table=table, rule=rule, limit=limit)
    _render.quarantine(rows)


def _municipalities(value: str) -> tuple[int, ...]:
    try:
        codes = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise click.BadParameter(
            "give DST municipality codes separated by commas, e.g. 360,376"
        ) from None
    if not codes:
        raise click.BadParameter("give at least one municipality code")
    return codes


@cli.command("synth")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write the extract to.",
)
@click.option(
    "--persons",
    type=click.IntRange(min=1),
    help="Persons [default: the real population of the municipalities].",
)
@click.option(
    "--municipalities",
    default="360,376",
    show_default=True,
    help="DST municipality codes, comma-separated.",
)
@click.option("--start", default="2016-01", show_default=True, help="First month, YYYY-MM.")
@click.option("--end", default="2024-12", show_default=True, help="Last month, YYYY-MM.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--faults",
    is_flag=True,
    help="Inject bad rows of every kind the validator knows, with a manifest (faults.json).",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["parquet", "csv"]),
    default="parquet",
    show_default=True,
)
def synth(
    out_dir: Path,
    persons: int | None,
    municipalities: str,
    start: str,
    end: str,
    seed: int,
    faults: bool,
    file_format: str,
) -> None:
    """Write a synthetic register extract (contract v1) with known true programme effects."""
    from broen.analytics.synth import generate_extract

    codes = _municipalities(municipalities)
    with _render.progress_bar("Generating") as progress:
        result = generate_extract(
            out_dir,
            persons=persons,
            municipalities=codes,
            start=_month(start),
            end=_month(end),
            seed=seed,
            faults=faults,
            file_format="csv" if file_format == "csv" else "parquet",
            progress=progress,
        )
    _render.synth_result(result)


@cli.command("keygen")
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path))
def keygen(key_file: Path) -> None:
    """Create a new secret pseudonymisation key (readable by you only). Keep it out of git."""
    analytics.generate_key(key_file)
    console.print(f"New key written to {key_file}. Keep it secret and keep a safe copy.")


@cli.command("pseudonymise")
@click.argument("source_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--key-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The secret key (see 'broen keygen').",
)
@click.option("--encoding", help="CSV encoding: utf-8 or cp1252 [default: detected].")
@click.option("--sep", help="CSV separator [default: detected].")
def pseudonymise(
    source_dir: Path, out_dir: Path, key_file: Path, encoding: str | None, sep: str | None
) -> None:
    """Replace every person identifier (e.g. CPR numbers) with a keyed pseudonym.

    The same key gives the same pseudonym in every extract, so data can be linked.
    """
    key = analytics.load_key(key_file)
    report = analytics.pseudonymise_extract(
        source_dir,
        out_dir,
        key=key,
        options=DialectOptions(encoding=encoding, sep=sep),
        key_file=key_file,
    )
    _render.pseudonymisation_report(report)
