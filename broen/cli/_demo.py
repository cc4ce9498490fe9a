"""`broen demo`: the main job on the embedded defaults, end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
from rich.status import Status

from broen import analytics
from broen.analytics import ConfigurationError, cohort, evaluation, risk
from broen.analytics.panel import build_panel
from broen.cli import _render
from broen.cli._app import cli
from broen.cli._cohort import attrition_table
from broen.cli._evaluate import render_effects
from broen.cli._panel import render as render_panel
from broen.cli._render import console
from broen.cli._risk import metrics_table

# Everything the demo writes into its folder. A folder that holds anything else is not the
# demo's, and is refused rather than emptied: --workdir may point at the user's own files.
DEMO_ENTRIES = frozenset(
    {
        "extract",
        "warehouse.duckdb",
        "warehouse.duckdb.wal",
        "import-reports",
        "risk",
        "evaluation",
        "contract",
    }
)


# The programmes the demo evaluates (shipped configs), each beside its simulated true effect.
EVALUATED = ("et-liv-i-balance", "sammen-om-min-vej")
# The outcome contract it settles (provisional after year 1, final after year 2) and dry-runs.
CONTRACT = "et-liv-i-balance"
DRYRUN_DRAWS = 50


def _clear(workdir: Path) -> None:
    """Remove an earlier demo run from ``workdir``, or refuse a folder that is not the demo's."""
    if not workdir.is_dir() or not any(workdir.iterdir()):
        return
    names = {p.name for p in workdir.iterdir()}
    if names - DEMO_ENTRIES or not (workdir / "extract" / "ground_truth.json").is_file():
        raise ConfigurationError(
            f"{workdir} is not empty and does not hold an earlier demo run: give a new or "
            "empty --workdir."
        )
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):
        (workdir / name).unlink(missing_ok=True)
    for name in ("import-reports", "risk", "evaluation", "contract"):
        shutil.rmtree(workdir / name, ignore_errors=True)


@cli.command("demo")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("broen-data") / "demo",
    show_default=True,
)
@click.option(
    "--persons",
    type=click.IntRange(min=100),
    help="Persons [default: the real population of Lolland and Guldborgsund].",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
def demo(workdir: Path, persons: int | None, seed: int) -> None:
    """The main job on the embedded defaults: generate the Lolland + Guldborgsund population,
    import it into a fresh warehouse, build the person-month panel and the shipped cohorts, fit
    the risk model, and evaluate Et Liv i Balance and Sammen om min vej against matched controls
    (each estimate beside the simulated true effect and the naive before/after). An earlier demo
    run in --workdir is replaced; a folder with other files in it is refused."""
    from broen.analytics.synth import generate_extract

    extract_dir = workdir / "extract"
    warehouse = workdir / "warehouse.duckdb"
    _clear(workdir)

    console.rule("1. Synthetic registers for Lolland (360) and Guldborgsund (376)")
    with _render.progress_bar("Generating") as progress:
        result = generate_extract(
            extract_dir, persons=persons, seed=seed, overwrite=True, progress=progress
        )
    _render.synth_result(result)

    console.rule("2. Import into the warehouse")
    with _render.progress_bar("Importing") as progress:
        report = analytics.import_extract(extract_dir, warehouse=warehouse, progress=progress)
    _render.import_report(report)
    _render.warehouse_info(analytics.warehouse_info(warehouse))

    console.rule("3. The person-month panel")
    with _render.progress_bar("Building the panel") as progress:
        panel = build_panel(warehouse, progress=progress)
    render_panel(panel)

    console.rule("4. Target groups (shipped cohort definitions)")
    for name in cohort.shipped_definitions():
        with console.status(f"Building cohort {name}"):
            built = cohort.build_cohort(name, warehouse)
        attrition_table(built)

    console.rule("5. Risk of an acute admission in the next 12 months")
    risk_dir = workdir / "risk"
    with console.status("Building features and fitting the risk model"):
        fitted = risk.fit_risk(warehouse, out_dir=risk_dir, random_state=seed)
    console.print(metrics_table(fitted.model))

    console.rule("6. Does it work? Evaluation against matched controls")
    truth = json.loads((extract_dir / "ground_truth.json").read_text())["programmes"]
    reports = []
    for programme in EVALUATED:
        with console.status(f"Evaluating {programme}") as status:

            def stage(name: str, status: Status = status, programme: str = programme) -> None:
                status.update(f"Evaluating {programme}: {name}")

            try:
                output = evaluation.evaluate_programme(
                    programme,
                    workdir / "evaluation" / programme,
                    warehouse=warehouse,
                    progress=stage,
                )
            except evaluation.EvaluationError as err:  # e.g. too few participants (--persons)
                console.print(f"[yellow]{programme} was not evaluated:[/] {err}")
                continue
        known = truth.get(programme, {}).get("metrics", {})
        render_effects(output.document, {m: v["att_total_0_23"] for m, v in known.items()})
        reports.append((f"Effect report ({programme})", output.report_path))

    console.rule("7. Paying for what works: the Et Liv i Balance contract (illustrative terms)")
    reports += _contract(workdir / "contract", warehouse)

    console.rule("Results")
    report_path = warehouse.parent / "import-reports" / f"{report.batch_id}.json"
    for label, path in (
        ("Extract", extract_dir),
        ("Ground truth", extract_dir / "ground_truth.json"),
        ("Warehouse", warehouse),
        ("Import report", report_path),
        ("Risk report", fitted.report_path),
        *reports,
    ):
        click.echo(f"{label + ':':15}{path}" if len(label) < 14 else f"{label}: {path}")


def _contract(folder: Path, warehouse: Path) -> list[tuple[str, Path]]:
    """Settle the example contract's year 1 (provisional) and year 2 (final, truing it up),
    show the investors' position, and dry-run it with a few draws."""
    from broen.analytics import settlement
    from broen.cli._settle import render_dryrun, render_investors, render_settlement

    contract = settlement.load_contract(CONTRACT)
    paths: list[tuple[str, Path]] = []
    try:
        for period, status in (("year-1", "provisional"), ("year-2", "final")):
            with console.status(f"Settling {contract.id} {period} ({status})"):
                run, doc = settlement.settle_contract(
                    contract, period, folder / "settlement", status=status, warehouse=warehouse
                )
            render_settlement(doc)
            for payer in doc["payers"]:
                paths.append(
                    (
                        f"Statement {period} ({payer['name']})",
                        run.folder / f"statement-{payer['payer']}.html",
                    )
                )
        investors = folder / "settlement" / "investors.json"
        render_investors(json.loads(investors.read_text(encoding="utf-8")))
        with console.status(f"Dry run of {contract.id} ({DRYRUN_DRAWS} draws)"):
            dry = settlement.simulate_contract(
                contract,
                warehouse=warehouse,
                effects=(0.0, 0.1, 0.2),
                shares=(1.0, 0.75),
                draws=DRYRUN_DRAWS,
            )
        document = settlement.dryrun_document(dry)
        paths.append(("Dry run", settlement.write_dryrun(dry, document, folder / "dryrun")))
        render_dryrun(document)
    except (evaluation.EvaluationError, settlement.SettlementError) as err:
        console.print(f"[yellow]The contract was not settled:[/] {err}")
    return paths
