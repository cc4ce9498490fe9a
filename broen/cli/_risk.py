"""``broen risk``: fit and validate a risk model, and write outreach lists."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from broen.analytics import risk, suppress
from broen.cli._app import cli
from broen.cli._commands import _month, warehouse_option
from broen.cli._render import console

TARGET_OPTION = click.option(
    "--target",
    type=click.Choice(risk.TARGETS),
    default="acute_admission",
    show_default=True,
    help="Any acute admission, or being in the top 5 % of cost, in the next 12 months.",
)


@cli.group("risk")
def risk_group() -> None:
    """Risk stratification: who is likely to be admitted acutely (or cost most) next year."""


def _share(value: float) -> str:
    return f"{100 * value:.1f} %"


def metrics_table(model: risk.RiskModel) -> Table:
    """Model and baseline side by side."""
    table = Table(title=f"Risk of {model.target.replace('_', ' ')}: test months")
    table.add_column("metric")
    table.add_column(f"model ({model.model})", justify="right")
    table.add_column("baseline: last-year cost", justify="right")
    table.add_column("model adds", justify="right")
    m, b = model.metrics_, model.baseline_
    table.add_row("AUC", f"{m.auc:.3f}", f"{b.auc:.3f}", f"{m.auc - b.auc:+.3f}")
    table.add_row(
        "calibration slope (1 = ideal)",
        f"{m.calibration_slope:.2f}",
        f"{b.calibration_slope:.2f}",
        "",
    )
    table.add_row("Brier score", f"{m.brier:.4f}", f"{b.brier:.4f}", f"{m.brier - b.brier:+.4f}")
    what = "admissions" if model.capture_of_ == "acute_admissions" else "cost"
    for key in m.capture:
        table.add_row(
            f"next-year {what} captured by top {key}",
            _share(m.capture[key]),
            _share(b.capture[key]),
            f"{100 * (m.capture[key] - b.capture[key]):+.1f} pt",
        )
    return table


@risk_group.command("fit")
@warehouse_option
@TARGET_OPTION
@click.option(
    "--model",
    "kind",
    type=click.Choice(risk.MODELS),
    default="hist_gradient_boosting",
    show_default=True,
)
@click.option(
    "--test-from",
    callback=lambda ctx, param, value: _month(value) if value else None,
    help="First index month of the test set, YYYY-MM [default: 12 months before the last].",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=risk.DEFAULT_RISK_DIR,
    show_default=True,
    help="Directory for the report (HTML, PNG, JSON) and the fitted model.",
)
@click.option("--random-state", type=int, default=0, show_default=True)
@click.option(
    "--lang",
    type=click.Choice(["da", "en"]),
    default="da",
    show_default=True,
    help="Language of the HTML report and its plot.",
)
def fit(
    warehouse: Path | None,
    target: str,
    kind: str,
    test_from: str | None,
    out_dir: Path,
    random_state: int,
    lang: str,
) -> None:
    """Train a model on the panel and validate it on later months, side by side with ranking
    by last year's cost."""
    with console.status("Building features and fitting"):
        result = risk.fit_risk(
            warehouse,
            target=target,  # type: ignore[arg-type]
            model=kind,  # type: ignore[arg-type]
            test_from=test_from,
            out_dir=out_dir,
            random_state=random_state,
            language=lang,
        )
    model = result.model
    console.print(metrics_table(model))
    console.print(
        f"Trained on {', '.join(model.train_months_)} ({suppress(model.n_train_)} person-months), "
        f"tested on {', '.join(model.test_months_)} ({suppress(model.n_test_)} person-months, "
        f"{_share(model.prevalence_)} with the outcome)."
    )
    for label, path in (
        ("Report", result.report_path),
        ("Plot", result.plot_path),
        ("Metrics", result.metrics_path),
        ("Model", result.model_path),
    ):
        click.echo(f"{label + ':':9}{path}")


@risk_group.command("score")
@warehouse_option
@click.option(
    "--month", required=True, callback=lambda ctx, param, value: _month(value), help="YYYY-MM."
)
@TARGET_OPTION
@click.option("--cohort", help="Only members of this cohort (see 'broen cohort').")
@click.option("--top", type=click.IntRange(min=1), default=100, show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file [default: broen-data/risk/outreach-<target>-<month>.csv].",
)
@click.option(
    "--model-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A model written by 'broen risk fit' [default: broen-data/risk/model-<target>.skops].",
)
@click.option(
    "--lang",
    type=click.Choice(["da", "en"]),
    default="da",
    show_default=True,
    help="Language of the reasons.",
)
def score(
    warehouse: Path | None,
    month: str,
    target: str,
    cohort: str | None,
    top: int,
    out: Path | None,
    model_file: Path | None,
    lang: str,
) -> None:
    """Rank the population at MONTH and write a pseudonymised outreach list with the main
    reasons per person."""
    with console.status("Scoring"):
        result = risk.score_risk(
            warehouse,
            month=month,
            model_file=model_file,
            target=target,  # type: ignore[arg-type]
            cohort=cohort,
            top=top,
            out=out,
            language=lang,
        )
    where = f" in cohort {result.cohort}" if result.cohort else ""
    console.print(
        f"Scored {suppress(result.population)} persons{where} at {result.month}; "
        f"the {result.listed:,} with the highest risk are on the list."
    )
    click.echo(f"Outreach list: {result.out}")
