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
    """The contract; else exit code 1 with one sentence, the errors listed above it when there
    are several (all of them at once: a contract is mended in one pass)."""
    from broen.analytics.settlement import ContractError, load_contract

    try:
        return load_contract(path)
    except ContractError as err:
        if len(err.errors) == 1:
            raise click.ClickException(err.errors[0]) from None
        for line in err.errors:
            click.echo(line)
        raise click.ClickException(
            f"The contract {path} has {len(err.errors)} errors, listed above."
        ) from None


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


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(f"expected numbers separated by commas, not {text!r}") from None


@contract_group.command("simulate")
@click.argument("contract")
@warehouse_option
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for dryrun.json and dryrun.html.",
)
@click.option("--draws", default=200, show_default=True, type=click.IntRange(10, 100_000))
@click.option(
    "--effects",
    default="0,0.05,0.1,0.2",
    show_default=True,
    help="True effects to try: improvements as shares of the level without the programme.",
)
@click.option(
    "--recruitment",
    default="1,0.75,0.5",
    show_default=True,
    help="Recruitment as shares of the participants in the data (a shortfall below 1).",
)
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True
)
@click.option(
    "--lang", "language", type=click.Choice(["da", "en"]), default="da", show_default=True
)
def simulate_command(
    contract: str,
    warehouse: Path | None,
    out_dir: Path,
    draws: int,
    effects: str,
    recruitment: str,
    seed: int,
    engine: str,
    language: str,
) -> None:
    """Dry-run CONTRACT before signing: settle it over redrawn samples of the data with known
    true effects (none among them) and recruitment shortfalls; print how often it pays for no
    effect and how often it misses a real one, and write dryrun.json and dryrun.html."""
    from broen.analytics.settlement import dryrun_document, simulate_contract, write_dryrun

    terms = _contract(contract)
    with console.status(f"Dry run of {terms.id}") as shown:
        run = simulate_contract(
            terms,
            warehouse=warehouse,
            engine=engine,
            effects=_floats(effects),
            shares=_floats(recruitment),
            draws=draws,
            seed=seed,
            progress=lambda stage: shown.update(f"Dry run of {terms.id}: {stage}"),
        )
    document = dryrun_document(run)
    path = write_dryrun(run, document, out_dir, language)
    render_dryrun(document)
    click.echo(f"Dry run: {path}")


def _thousands(ore: float | None) -> str:
    """Øre as thousands of kroner, e.g. 336k."""
    return "–" if ore is None else f"{ore / 100_000:,.0f}k"


def render_dryrun(doc: dict[str, Any]) -> None:
    """The figure asked for first (payment without an effect, against what the thresholds
    allow), then every scenario."""
    for null in doc["at_no_effect"]:
        if null["recruitment"] == 1.0:
            console.print(
                f"With no effect the rules on effects pay in {100 * null['p_pay_on_effect']:.1f} "
                f"% of {doc['draws']} draws (full recruitment):"
            )
            for rule, share in null["rules_paying"].items():
                allowed = doc["allowed_at_no_effect"].get(rule)
                limit = (
                    "not a rule on effects / depends on the data"
                    if allowed is None
                    else (f"its threshold allows {100 * allowed:.1f} %")
                )
                console.print(f"  {rule}: {100 * share:.1f} % ({limit})")
    grid = Table(title="Scenarios: payments over the contract (DKK), the investor's median IRR")
    # true effect, recruitment, share of draws paying on effect, payments, investor's IRR and
    # the share of draws in which the investor loses
    for column in ("effect", "recruited", "pays", "paid: median (5–95 %)", "IRR", "loses"):
        grid.add_column(column, justify="right", no_wrap=column.startswith("paid"))
    for s in doc["scenarios"]:
        total = s["total_ore"]
        inv = next(iter(s["investors"].values()), None)
        irr = None if inv is None else inv["xirr"]["p50"]
        grid.add_row(
            f"{100 * s['true_effect']:.0f} %",
            f"{100 * s['recruitment']:.0f} %",
            f"{100 * s['p_pay_on_effect']:.0f} %",
            f"{_thousands(total['p50'])} ({_thousands(total['p05'])}–{_thousands(total['p95'])})",
            "–" if irr is None else f"{100 * irr:.1f} %",
            "–" if inv is None or inv["p_loss"] is None else f"{100 * inv['p_loss']:.0f} %",
        )
    console.print(grid)


@contract_group.command("indigo")
@click.argument("contract")
@click.option(
    "--settlements",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A broen settle --out folder: its actual payments, results and investor repayment.",
)
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The INDIGO project document (JSON) to write.",
)
def indigo_command(contract: str, settlements: Path | None, out_file: Path) -> None:
    """Write CONTRACT (and its settlements) as an INDIGO project document: outcome metrics,
    pricings, payment commitments, payments, results and investments."""
    from broen.analytics.settlement import export_indigo

    document = export_indigo(_contract(contract), settlements, out_file)
    click.echo(
        f"INDIGO: {out_file} ({len(document['outcome_metrics'])} outcome metrics, "
        f"{len(document['outcome_payments'])} payments, {len(document['results'])} results)"
    )
