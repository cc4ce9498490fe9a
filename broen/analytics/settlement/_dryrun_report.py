"""The dry run's outputs: ``dryrun.json`` (aggregates over the draws) and ``dryrun.html`` with
the plots a steering group reads before signing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from broen.analytics._privacy import is_suppressed, suppress
from broen.analytics._report import (
    Translations,
    check_language,
    figure_svg,
    format_number,
    format_percent,
    render,
    write_report,
)
from broen.analytics.settlement._money import format_kr
from broen.analytics.settlement._simulate import DryRun, ScenarioResult

FORMAT = "broen-contract-dryrun/1"


def _quantiles(values: np.ndarray) -> dict[str, float | None]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"mean": None, "p05": None, "p50": None, "p95": None}
    p05, p50, p95 = np.percentile(finite, [5, 50, 95])
    return {"mean": float(finite.mean()), "p05": float(p05), "p50": float(p50), "p95": float(p95)}


def _scenario_doc(s: ScenarioResult) -> dict[str, Any]:
    investors = {}
    for investor, arrays in s.investors.items():
        invested = s.invested.get(investor, 0)
        received = arrays["received"]
        investors[investor] = {
            "invested_ore": invested,
            "received_ore": _quantiles(received),
            "xirr": _quantiles(arrays["xirr"]),
            "moic": _quantiles(arrays["moic"]),
            "p_loss": float(np.mean(received < invested)) if invested else None,
            "max_loss_ore": int(max(invested - received.min(), 0)) if invested else None,
            "max_return_moic": float(np.nanmax(arrays["moic"]))
            if np.isfinite(arrays["moic"]).any()
            else None,
        }
    return {
        "true_effect": s.effect,
        "recruitment": s.share,
        "participants": suppress(s.participants)
        if is_suppressed(s.participants)
        else s.participants,
        "p_pay_any": float(np.mean(s.total > 0)),
        "p_pay_on_effect": float(np.mean(s.on_effect > 0)),
        "total_ore": _quantiles(s.total.astype(float)),
        "payers_ore": {p: _quantiles(v.astype(float)) for p, v in s.payers.items()},
        "rules_paying": s.rule_paid,
        "investors": investors,
    }


def dryrun_document(run: DryRun) -> dict[str, Any]:
    c = run.contract
    null = [s for s in run.scenarios if s.effect == 0]
    return {
        "format": FORMAT,
        "contract": {"id": c.id, "version": c.version, "sha256": c.sha256, "title": c.title},
        "draws": run.draws,
        "seed": run.seed,
        "method": "matched sets redrawn with replacement; estimates recentred on the true "
        "effect; normal intervals with the evaluation's standard error scaled to the sets "
        "drawn; participant outcomes binomial; every draw settled by the contract's rules and "
        "run down the waterfall",
        "allowed_at_no_effect": run.allowed,
        "at_no_effect": [
            {
                "recruitment": s.share,
                "rules_paying": s.rule_paid,
                "p_pay_on_effect": float(np.mean(s.on_effect > 0)),
            }
            for s in null
        ],
        "scenarios": [_scenario_doc(s) for s in run.scenarios],
    }


TEXTS = Translations.from_pairs(
    {
        "title": ("Prøvehandling før underskrift", "Dry run before signing"),
        "intro": (
            "Kontrakten afregnet {draws} gange på data, hvor den sande effekt er kendt, fordi "
            "vi selv lægger den ind: de matchede sæt trækkes igen (med tilbagelægning), og "
            "estimatet flyttes til den valgte sande effekt. Sådan ses, hvor ofte kontrakten "
            "betaler for ingen effekt, og hvor ofte den ikke betaler for en reel.",
            "The contract settled {draws} times on data where the true effect is known because "
            "we put it there: the matched sets are redrawn (with replacement) and the estimate "
            "moved to the chosen true effect. This shows how often the contract pays for no "
            "effect, and how often it does not pay for a real one.",
        ),
        "null": ("Betaling uden effekt", "Payment without an effect"),
        "null.text": (
            "Uden nogen effekt betaler reglerne om effekt i {share} af trækningene (fuld "
            "rekruttering).",
            "With no effect at all, the rules on effects pay in {share} of the draws (full "
            "recruitment).",
        ),
        "rule": ("Regel", "Rule"),
        "measured": ("Betaler uden effekt", "Pays without an effect"),
        "allowed": ("Tilladt efter tærsklen", "Allowed by its threshold"),
        "not_defined": ("afhænger af data", "depends on the data"),
        "curve.caption": (
            "Sandsynligheden for at reglerne om effekt betaler noget, efter den sande effekt "
            "(forbedring i procent af niveauet uden programmet) og rekruttering.",
            "The probability that the rules on effects pay anything, by the true effect "
            "(improvement as a share of the level without the programme) and recruitment.",
        ),
        "box.caption": (
            "Samlet betaling pr. betaler efter sand effekt (fuld rekruttering): median, 50 % "
            "og 90 % af trækningene.",
            "Total payment per payer by true effect (full recruitment): median, 50 % and 90 % "
            "of the draws.",
        ),
        "scenarios": ("Scenarier", "Scenarios"),
        "effect": ("Sand effekt", "True effect"),
        "recruitment": ("Rekruttering", "Recruitment"),
        "p_pay": ("Betaler på effekt", "Pays on effect"),
        "total": ("Betaling i alt, median (5–95 %)", "Payment in total, median (5–95 %)"),
        "irr": ("Investor: IRR, median", "Investor: IRR, median"),
        "p_loss": ("Investor taber", "Investor loses"),
        "xlabel": ("sand effekt", "true effect"),
        "ylabel_p": ("sandsynlighed for betaling", "probability of payment"),
        "ylabel_kr": ("mio. kr.", "DKK million"),
    }
)


def write_dryrun(
    run: DryRun, document: dict[str, Any], out_dir: Path, language: str = "da"
) -> Path:
    check_language(language)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_report(out_dir / "dryrun.json", json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    t = TEXTS.translator(language)
    rows = []
    for s in document["scenarios"]:
        total = s["total_ore"]
        inv = next(iter(s["investors"].values()), None)
        rows.append(
            (
                format_percent(s["true_effect"], language, 0),
                format_percent(s["recruitment"], language, 0),
                format_percent(s["p_pay_on_effect"], language, 0),
                f"{format_kr(int(total['p50'] or 0), language)} "
                f"({format_kr(int(total['p05'] or 0), language)} – "
                f"{format_kr(int(total['p95'] or 0), language)})",
                "–"
                if inv is None or inv["xirr"]["p50"] is None
                else format_percent(inv["xirr"]["p50"], language, 1),
                "–"
                if inv is None or inv["p_loss"] is None
                else format_percent(inv["p_loss"], language, 0),
            )
        )
    first_null = next((s for s in run.scenarios if s.effect == 0 and s.share == 1.0), None)
    rules = [
        (
            rule,
            format_percent(share, language, 1),
            t("not_defined")
            if run.allowed.get(rule) is None
            else format_percent(run.allowed[rule] or 0.0, language, 1),
        )
        for rule, share in (first_null.rule_paid.items() if first_null else [])
    ]
    html = render(
        "contract_dryrun.html",
        translations=TEXTS,
        language=language,
        doc=document,
        rows=rows,
        rules=rules,
        null_share=format_percent(float(np.mean(first_null.on_effect > 0)), language, 1)
        if first_null
        else "–",
        curve=figure_svg(_curve(run, language)),
        boxes=figure_svg(_boxes(run, language)),
    )
    return write_report(out_dir / "dryrun.html", html)


def _curve(run: DryRun, language: str) -> Any:
    from matplotlib.figure import Figure

    t = TEXTS.translator(language)
    fig = Figure(figsize=(7.5, 3.6))
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.95)
    ax = fig.subplots()
    for share in dict.fromkeys(s.share for s in run.scenarios):
        own = [s for s in run.scenarios if s.share == share]
        ax.plot(
            [100 * s.effect for s in own],
            [float(np.mean(s.on_effect > 0)) for s in own],
            marker="o",
            label=f"{t('recruitment')} {format_percent(share, language, 0)}",
        )
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"{t('xlabel')} (%)")
    ax.set_ylabel(t("ylabel_p"))
    ax.grid(color="#eeeeee")
    ax.legend(frameon=False, fontsize=9)
    ax.yaxis.set_major_formatter(lambda v, _: format_percent(v, language, 0))
    return fig


def _boxes(run: DryRun, language: str) -> Any:
    from matplotlib.figure import Figure

    t = TEXTS.translator(language)
    full = [s for s in run.scenarios if s.share == 1.0] or list(run.scenarios)
    payers = list(full[0].payers)
    fig = Figure(figsize=(7.5, 3.6))
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.92)
    ax = fig.subplots()
    width = 0.8 / max(len(payers), 1)
    for j, payer in enumerate(payers):
        data = [s.payers[payer] / 100 / 1e6 for s in full]
        positions = [i + (j - (len(payers) - 1) / 2) * width for i in range(len(full))]
        ax.boxplot(
            data,
            positions=positions,
            widths=width * 0.9,
            whis=(5, 95),
            showfliers=False,
            patch_artist=True,
            boxprops={"facecolor": f"C{j}", "alpha": 0.5},
        )
        ax.plot(
            [], [], color=f"C{j}", linewidth=6, alpha=0.5, label=run.contract.parties[payer].name
        )
    ax.set_xticks(range(len(full)), [format_percent(s.effect, language, 0) for s in full])
    ax.set_xlabel(t("xlabel"))
    ax.set_ylabel(t("ylabel_kr"))
    ax.yaxis.set_major_formatter(lambda v, _: format_number(v, language, 1))
    ax.grid(axis="y", color="#eeeeee")
    ax.legend(frameon=False, fontsize=9)
    return fig
