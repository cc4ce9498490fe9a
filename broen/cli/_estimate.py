"""``broen estimate``: the matching estimator on any table (one row per unit)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from broen.analytics.evaluation import estimate_table
from broen.cli._app import cli
from broen.cli._render import console


def _columns(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    names = [c.strip() for c in value.split(",") if c.strip()]
    if not names:
        raise click.BadParameter("name at least one column, separated by commas")
    return names


@cli.command("estimate")
@click.option(
    "--table",
    "table",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="CSV or Parquet file, one row per unit.",
)
@click.option("--treatment", required=True, help="Column with 1 for treated, 0 for controls.")
@click.option("--outcome", required=True, help="Numeric outcome column.")
@click.option(
    "--covariates", required=True, callback=_columns, help="Comma-separated covariate columns."
)
@click.option("--exact", default="", help="Comma-separated columns to match exactly on.")
@click.option("--ratio", default=5, show_default=True, type=click.IntRange(1, 100))
@click.option(
    "--caliper",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0, min_open=True),
    help="In standard deviations of the propensity logit.",
)
@click.option(
    "--adjust",
    type=click.Choice(["boosting", "linear", "none"]),
    default="boosting",
    show_default=True,
    help="Bias correction inside the matched sets: cross-fitted boosted trees, least squares, "
    "or none.",
)
@click.option("--bootstrap", default=999, show_default=True, type=click.IntRange(2, 100_000))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the JSON here."
)
def estimate(
    table: Path,
    treatment: str,
    outcome: str,
    covariates: list[str],
    exact: str,
    ratio: int,
    caliper: float,
    adjust: str,
    bootstrap: int,
    seed: int,
    as_json: bool,
    out: Path | None,
) -> None:
    """The average effect of TREATMENT on OUTCOME among the treated, by propensity-score
    matching (1:k nearest neighbour without replacement, caliper, exact strata) with a
    bootstrap interval over matched sets, and the covariate balance before and after."""
    result = estimate_table(
        table,
        treatment=treatment,
        outcome=outcome,
        covariates=covariates,
        exact=[c.strip() for c in exact.split(",") if c.strip()],
        ratio=ratio,
        caliper=caliper,
        adjust=adjust,
        n_bootstrap=bootstrap,
        random_state=seed,
    ).summary()
    text = json.dumps(result, indent=2)
    if out is not None:
        out.write_text(text + "\n", encoding="utf-8")
    if as_json:
        click.echo(text)
        return
    console.print(
        f"ATT {result['att']:.4g} (95% CI {result['ci_low']:.4g} to {result['ci_high']:.4g}), "
        f"{result['n_matched']} of {result['n_treated']} treated matched to "
        f"{result['n_controls']} controls; naive difference {result['naive_difference']:.4g}"
    )
    unmatched = result["unmatched"]
    if any(unmatched.values()):
        console.print(
            f"Not matched: {unmatched['no_candidate_in_stratum']} without a candidate in their "
            f"stratum, {unmatched['outside_caliper']} outside the caliper."
        )
    grid = Table(title="Balance (standardised mean difference)")
    grid.add_column("covariate")
    grid.add_column("before", justify="right")
    grid.add_column("after", justify="right")
    for row in result["balance"]:
        grid.add_row(row["covariate"], f"{row['smd_before']:.3f}", f"{row['smd_after']:.3f}")
    console.print(grid)
