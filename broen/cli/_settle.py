"""``broen settle`` and ``broen contract``: outcome contracts, settled to the øre."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from broen.cli._app import cli
from broen.cli._commands import warehouse_option
from broen.cli._render import console


def _contract(path: str) -> Any:
    """The contract, or every error in it on its own line and exit code 1."""
    from broen.analytics.settlement import ContractError, load_contract

    try:
        return load_contract(path)
    except ContractError as err:
        for line in err.errors:
            click.echo(line, err=True)
        raise SystemExit(1) from None


def _kr(ore: int) -> str:
    from broen.analytics.settlement import format_kr

    return format_kr(ore, "da")


@cli.command("settle")
@click.argument("contract")
@click.option("--period", required=True, help="The contract's settlement period, e.g. year-1.")
@click.option(
    "--provisional/--final",
    "provisional",
    default=True,
    show_default=True,
    help="A payment on account, or the final settlement that trues it up.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The contract's settlement folder: statements and the ledger of what was paid.",
)
@warehouse_option
@click.option(
    "--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True
)
@click.option(
    "--terminated-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Early termination: settle only the cohorts whose window ended by this date.",
)
@click.option(
    "--lang", "language", type=click.Choice(["da", "en"]), default="da", show_default=True
)
def settle_command(
    contract: str,
    period: str,
    provisional: bool,
    out_dir: Path,
    warehouse: Path | None,
    engine: str,
    terminated_on: Any,
    language: str,
) -> None:
    """Settle PERIOD of CONTRACT (a contract file, or a shipped example such as
    et-liv-i-balance): run its evaluation on the warehouse, apply its rules, net what was paid
    before, and write settlement.json and a statement per payer."""
    from broen.analytics.settlement import settle_contract

    terms = _contract(contract)
    status = "provisional" if provisional else "final"
    with console.status(f"Settling {terms.id} {period} ({status})") as shown:
        run, doc = settle_contract(
            terms,
            period,
            out_dir,
            status=status,
            warehouse=warehouse,
            engine=engine,
            terminated_on=None if terminated_on is None else terminated_on.date(),
            language=language,
            progress=lambda stage: shown.update(f"Settling {terms.id} {period}: {stage}"),
        )
    render_settlement(doc)
    investors = out_dir / "investors.json"
    if terms.tranches and investors.exists():
        render_investors(json.loads(investors.read_text(encoding="utf-8")))
    click.echo(f"Statements: {run.folder}")


def render_settlement(doc: dict[str, Any]) -> None:
    """Per payer: the entitlement, what was paid before and what is due now."""
    c, p = doc["contract"], doc["period"]
    failed = [g["gate"] for g in doc["evaluation"]["gates"] if not g["passed"]]
    console.print(
        f"[bold]{c['title']}[/] v{c['version']} ({c['sha256'][:12]}), period {p['id']} "
        f"months {p['window'][0]}–{p['window'][1]}, {doc['status']}"
        + (" [yellow](illustrative terms)[/]" if c["illustrative"] else "")
    )
    if failed:
        console.print(f"[yellow]Evaluation checks not passed: {', '.join(failed)}[/]")
    grid = Table()
    for column in ("payer", "entitlement", "paid before", "due now"):
        grid.add_column(column, justify="left" if column == "payer" else "right")
    for payer in doc["payers"]:
        grid.add_row(
            payer["name"],
            _kr(payer["entitlement_ore"]),
            _kr(payer["paid_before_ore"]),
            _kr(payer["due_ore"]),
        )
    total = doc["total"]
    grid.add_row("[bold]total[/]", _kr(total["entitlement_ore"]), "", _kr(total["due_ore"]))
    console.print(grid)


def render_investors(doc: dict[str, Any]) -> None:
    """Per investor, after every statement so far: in, back, XIRR, multiple, INDIGO class."""
    grid = Table(title="Investors, after the statements so far")
    for column in ("investor", "invested", "received", "XIRR", "multiple", "repayment"):
        grid.add_column(column, justify="left" if column in ("investor", "repayment") else "right")
    for i in doc["investors"]:
        grid.add_row(
            i["name"],
            _kr(i["invested_ore"]),
            _kr(i["received_ore"]),
            "–" if i["xirr"] is None else f"{100 * i['xirr']:.1f} %",
            "–" if i["moic"] is None else f"{i['moic']:.2f}",
            i["investor_repayment"],
        )
    console.print(grid)


@cli.group("contract")
def contract_group() -> None:
    """Outcome contracts: check one, print the schema, dry-run one before signing."""


@contract_group.command("validate")
@click.argument("contract")
def validate_command(contract: str) -> None:
    """Check CONTRACT against the schema and the rules across its parts; print what it says."""
    terms = _contract(contract)
    click.echo(f"{terms.source}: valid (version {terms.version}, SHA-256 {terms.sha256})")
    for rule in terms.rules:
        click.echo(
            f"  {rule.id}: {rule.payer} pays {rule.recipient} for {rule.outcome} "
            f"({rule.amount.base}) in {', '.join(rule.timing.periods)}"
        )


@contract_group.command("schema")
def schema_command() -> None:
    """Print the contract file's JSON Schema (format 1)."""
    from broen.analytics.settlement import contract_schema

    click.echo(json.dumps(contract_schema(), indent=2, ensure_ascii=False))
