"""The settlement statement's texts: key -> (Danish, English)."""

from __future__ import annotations

from broen.analytics._report import Translations

TEXTS = Translations.from_pairs(
    {
        "title": ("Afregningsopgørelse", "Settlement statement"),
        "status.provisional": ("Foreløbig", "Provisional"),
        "status.final": ("Endelig", "Final"),
        "illustrative": (
            "Illustrativ kontrakt: vilkårene er opdigtet til eksemplet og er ikke de rigtige.",
            "Illustrative contract: the terms are made up for the example, not the real ones.",
        ),
        "to": ("Til", "To"),
        "contract": ("Kontrakt", "Contract"),
        "contract_version": (
            "version {version}, SHA-256 {sha}",
            "version {version}, SHA-256 {sha}",
        ),
        "period": ("Periode", "Period"),
        "period_text": (
            "{period}: måned {first}–{last} efter start, kohorter {cohorts}; data komplette {end}",
            "{period}: months {first}–{last} after the start, cohorts {cohorts}; data complete "
            "{end}",
        ),
        "terminated": (
            "Ophævet før tid den {day}: kun de kohorter, hvis periode var slut, afregnes.",
            "Terminated early on {day}: only the cohorts whose window had ended are settled.",
        ),
        "summary": ("Til betaling", "Due"),
        "summary.due": ("Til betaling nu", "Due now"),
        "summary.entitlement": ("Berettiget i alt for perioden", "Entitlement for the period"),
        "summary.paid_before": ("Tidligere betalt (fratrukket)", "Paid before (deducted)"),
        "summary.cap": ("Betalerens loft", "The payer's cap"),
        "summary.topup": ("Efterbetaling", "Top-up"),
        "summary.clawback": ("Tilbagebetaling", "Clawback"),
        "rule": ("Regel {rule}", "Rule {rule}"),
        "rule.intro": (
            "Betales af {payer} til {recipient} for {outcome} ({metric}); dokumentation: "
            "{source}, valideret af {validator}; forfalder {due_date} (kontraktens linje "
            "{line}).",
            "Paid by {payer} to {recipient} for {outcome} ({metric}); evidence: {source}, "
            "validated by {validator}; due {due_date} (line {line} of the contract).",
        ),
        "step": ("Trin", "Step"),
        "value": ("Værdi", "Value"),
        "how": ("Sådan", "How"),
        "row.estimate": ("Effekt pr. deltager", "Effect per participant"),
        "row.estimate_how": (
            "matchet sammenligning, {level} %-interval {low} til {high}; {n} deltagere",
            "matched comparison, {level} % interval {low} to {high}; {n} participants",
        ),
        "row.achieved": ("Deltagere med udfaldet", "Participants with the outcome"),
        "row.achieved_how": (
            "af {n} deltagere (ingen sammenligning: takstkort)",
            "of {n} participants (no comparison: rate card)",
        ),
        "row.avoided": ("Forbedring i alt (Δ)", "Improvement in total (Δ)"),
        "row.avoided_how": ("interval {low} til {high} {unit}", "interval {low} to {high} {unit}"),
        "row.counterfactual": (
            "Uden programmet (kontrafaktisk)",
            "Without the programme (counterfactual)",
        ),
        "row.counterfactual_how": ("relativ effekt {relative}", "relative effect {relative}"),
        "row.threshold": ("Tærskel", "Threshold"),
        "row.threshold_met": ("nået", "met"),
        "row.threshold_not_met": ("ikke nået: intet betales", "not met: nothing is paid"),
        "row.base": ("Betalingsgrundlag", "Payment base"),
        "base.first_krone": ("fra første enhed", "from the first unit"),
        "base.excess": ("kun det, der overstiger tærsklen", "only the excess over the threshold"),
        "base.lower_bound": ("intervallets forsigtige ende", "the interval's cautious end"),
        "base.tiers": (
            "hele forbedringen til trinnets pris",
            "the whole improvement at the tier's price",
        ),
        "base.rate_card": ("antal gange takst", "count times the rate"),
        "row.unit_price": ("Pris pr. enhed", "Price per unit"),
        "row.unit_price_how": (
            "pris × andel af besparelsen × prisindeks",
            "price × share of the saving × price index",
        ),
        "row.before_caps": ("Beløb før lofter", "Amount before caps"),
        "row.after_rule_caps": ("Efter regelens gulv og lofter", "After the rule's floor and caps"),
        "row.withheld": ("Tilbageholdt af vagtregel", "Withheld by a guard"),
        "row.after_payer_cap": ("Efter betalerens loft", "After the payer's cap"),
        "row.entitlement": (
            "Efter kontraktens samlede loft: berettiget",
            "After the contract's total cap: entitlement",
        ),
        "row.paid_before": ("Tidligere betalt", "Paid before"),
        "row.due": ("Til betaling nu", "Due now"),
        "guards": ("Vagtregler", "Guards"),
        "guards.intro": (
            "Betaling tilbageholdes, hvis et af disse mål udvikler sig i den forkerte retning ud "
            "over tolerancen.",
            "Payment is withheld when one of these measures moves the wrong way beyond the "
            "tolerance.",
        ),
        "guard.metric": ("Mål", "Measure"),
        "guard.moved": ("Forværring (andel)", "Worsening (share)"),
        "guard.tolerance": ("Tolerance", "Tolerance"),
        "guard.result": ("Resultat", "Result"),
        "guard.withheld": ("tilbageholder", "withholds"),
        "guard.passed": ("i orden", "passed"),
        "evaluation": ("Evalueringen bag tallene", "The evaluation behind the figures"),
        "evaluation.intro": (
            "Effekterne er estimeret med Broens evalueringsmotor: deltagerne sammenlignet med "
            "matchede kontrolpersoner fra befolkningen (forskel-i-forskelle).",
            "The effects are estimated by Broen's evaluation engine: the participants compared "
            "with matched controls from the population (difference-in-differences).",
        ),
        "evaluation.flow": (
            "Startet i kohorterne: {started}; matchet: {matched}.",
            "Started in the cohorts: {started}; matched: {matched}.",
        ),
        "gates.passed": (
            "Alle evalueringens kontroller er bestået.",
            "All of the evaluation's checks passed.",
        ),
        "gates.failed": (
            "Evalueringens kontroller ikke bestået: {names}. Validator bør vurdere, om "
            "estimatet kan bære betalingen.",
            "The evaluation's checks not passed: {names}. The validator should judge whether the "
            "estimate can carry the payment.",
        ),
        "reproducibility": ("Reproducerbarhed", "Reproducibility"),
        "reproducibility.text": (
            "Kode {code}; kontrakt SHA-256 {contract}; lagerets batcher SHA-256 {warehouse} "
            "({batches} batcher); bootstrap-frø {seed}. Samme kontrakt, data og kode giver "
            "samme opgørelse til øren.",
            "Code {code}; contract SHA-256 {contract}; the warehouse's batches SHA-256 "
            "{warehouse} ({batches} batches); bootstrap seed {seed}. The same contract, data and "
            "code give the same statement to the øre.",
        ),
        "generated": ("Dannet {when}", "Generated {when}"),
        "evaluation.report": ("Evalueringsrapporten", "The evaluation report"),
        "threshold.none": ("ingen tærskel", "no threshold"),
        "threshold.relative": (
            "{value} af det kontrafaktiske niveau",
            "{value} of the counterfactual level",
        ),
        "threshold.absolute": ("mindst {value}", "at least {value}"),
        "threshold.noise": (
            "det, som tilfældig variation alene overstiger med {value} sandsynlighed",
            "what noise alone exceeds with {value} probability",
        ),
    }
)
