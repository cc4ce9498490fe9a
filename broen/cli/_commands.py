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
EXIT_REPORT_NOT_WRITTEN = 4

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


def _month_option(ctx: click.Context, param: click.Parameter, value: str) -> str:
    return _month(value)


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
@click.option(
    "--allow-cpr",
    is_flag=True,
    help="Store person_ids that look like CPR numbers (refused by default: pseudonymise first).",
)
@click.option(
    "--allow-older",
    is_flag=True,
    help="Let an extract that ends before the batch of its source replace that batch.",
)
@click.option(
    "--new-source",
    is_flag=True,
    help="The extract is a different source, even though it repeats rows of another batch.",
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
    allow_cpr: bool,
    allow_older: bool,
    new_source: bool,
) -> None:
    """Import an extract in the register extract format (contract v1) into the warehouse.

    Every row is validated; bad rows go to quarantine with the rule they broke and good rows
    load. A missing file or column, an unreadable file, an ambiguous decimal mark, CPR numbers,
    an older extract or rows already imported from another source stop the import and leave the
    warehouse unchanged.
    """
    options = DialectOptions(
        encoding=encoding, sep=sep.replace("\\t", "\t") if sep else None, decimal=decimal
    )
    with _render.progress_bar("Importing") as progress:
        result = analytics.import_extract(
            source_dir,
            warehouse=warehouse,
            options=options,
            source=source,
            progress=progress,
            allow_cpr=allow_cpr,
            allow_older=allow_older,
            new_source=new_source,
        )
    _render.import_report(result)
    problems = [result.report_error] if result.report_error else []
    if report:
        try:
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(
                json.dumps(result.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8"
            )
        except OSError as err:
            problems.append(f"{report}: {err.strerror or err}")
        else:
            click.echo(f"Report: {report}")
    elif result.report_file:
        click.echo(f"Report: {result.report_file}")
    if problems and result.status != "imported":
        raise click.ClickException(f"The report could not be written: {'; '.join(problems)}.")
    if problems:
        click.echo(
            f"Warning: batch {result.batch_id} was imported and committed, but the report could "
            f"not be written ({'; '.join(problems)}).",
            err=True,
        )
        raise SystemExit(EXIT_REPORT_NOT_WRITTEN)
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
@click.option(
    "--table",
    type=click.Choice(list(analytics.TABLES)),
    show_choices=False,
    metavar="TABLE",
    help="Only rows of this table.",
)
@click.option(
    "--rule",
    type=click.Choice(list(analytics.RULES)),
    show_choices=False,
    metavar="RULE",
    help="Only rows that broke this rule (e.g. date.after_death).",
)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def warehouse_quarantine(
    warehouse: Path | None, table: str | None, rule: str | None, limit: int
) -> None:
    """Show quarantined rows: where they came from, the rule they broke and why."""
    rows = analytics.quarantined_rows(warehouse, table=table, rule=rule, limit=limit)
    _render.quarantine(rows)


def _municipalities(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, ...]:
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
    callback=_municipalities,
    help="DST municipality codes, comma-separated.",
)
@click.option(
    "--start", default="2016-01", show_default=True, callback=_month_option, help="First month."
)
@click.option(
    "--end", default="2024-12", show_default=True, callback=_month_option, help="Last month."
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--force",
    is_flag=True,
    help="Write into a folder that is not empty: replace the extract files in it, keep others.",
)
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
    municipalities: tuple[int, ...],
    start: str,
    end: str,
    seed: int,
    force: bool,
    faults: bool,
    file_format: str,
) -> None:
    """Write a synthetic register extract (contract v1) with known true programme effects.

    The --out folder must be new or empty unless --force; then only the files synth writes
    (tables, extract.json, ground_truth.json, faults.json) are replaced and other files are kept.
    A run that fails changes nothing.
    """
    from broen.analytics.synth import generate_extract

    with _render.progress_bar("Generating") as progress:
        result = generate_extract(
            out_dir,
            persons=persons,
            municipalities=municipalities,
            start=start,
            end=end,
            seed=seed,
            faults=faults,
            file_format="csv" if file_format == "csv" else "parquet",
            overwrite=force,
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
