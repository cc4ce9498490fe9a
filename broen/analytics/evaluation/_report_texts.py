"""The texts of the effect report (Danish, English): headings, explanations in plain words,
names of metrics, covariates, gates and subgroups. Used by ``_report.py`` (the page) and
``_report_plots.py`` (plot labels). Names not in the catalogue (a new panel column) are shown
as they are written in ``effects.json``, never as an error."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from broen.analytics._report import Translations, format_count, format_number, format_percent

_PAIRS: dict[str, tuple[str, str]] = {
    # -- page ------------------------------------------------------------------------------
    "title": ("Effekt af {programme}", "Effect of {programme}"),
    "meta": (
        "Periode: {period}. Rapporten er lavet {generated} fra effektfilen (effects.json).",
        "Period: {period}. Report generated {generated} from the effect file (effects.json).",
    ),
    "footer": (
        "Lavet med Broen {version} ({format}), {generated}. Kun samlede tal; ingen oplysninger "
        "om enkeltpersoner.",
        "Made with Broen {version} ({format}), {generated}. Aggregates only; no information "
        "about individuals.",
    ),
    "h.summary": ("Resumé", "Summary"),
    "h.gates": ("Kontroller af sammenligningen", "Checks of the comparison"),
    "h.flow": ("Fra henvisning til analyse", "From referral to analysis"),
    "h.balance": (
        "Balance: lignede grupperne hinanden før start?",
        "Balance: were the groups alike before the start?",
    ),
    "h.overlap": (
        "Overlap: kunne kontrolpersonerne have været deltagere?",
        "Overlap: could the controls have been participants?",
    ),
    "h.outcomes": ("Effekt på de vigtigste udfald", "Effect on the key outcomes"),
    "h.other_outcomes": ("Øvrige udfald", "Other outcomes"),
    "h.payers": ("Hvem betaler – og hvem sparer?", "Who pays – and who saves?"),
    "h.subgroups": ("Undergrupper", "Subgroups"),
    "h.measures": ("Mål kun for deltagere", "Participant-only measures"),
    "badge.uncontrolled": ("UKONTROLLERET", "UNCONTROLLED"),
    "h.negative_controls": ("Negative kontroller", "Negative controls"),
    "h.methods": ("Metode i korte træk", "Methods in brief"),
    "contents": ("Indhold", "Contents"),
    # -- summary -----------------------------------------------------------------------------
    "summary.design": (
        "{n_treated} deltagere i {title} blev hver sammenlignet med op til {ratio} "
        "kontrolpersoner fra befolkningen, som lignede dem i måneden før start ({n_controls} "
        "kontroller, {n_persons} forskellige personer).",
        "Each of {n_treated} participants in {title} was compared with up to {ratio} controls "
        "from the population who resembled them in the month before the start ({n_controls} "
        "controls, {n_persons} different persons).",
    ),
    "summary.effects": (
        "Over måned {window} efter start var forskellen pr. deltager, i forhold til "
        "kontrolpersonerne:",
        "Over months {window} after the start, the difference per participant compared with "
        "the controls was:",
    ),
    "summary.effect": (
        "{name}: {value} (95 %-interval {interval}) – {reading}",
        "{name}: {value} (95 % interval {interval}) – {reading}",
    ),
    "reading.unclear": ("ingen sikker forskel", "no clear difference"),
    "reading.fewer": ("færre", "fewer"),
    "reading.more": ("flere", "more"),
    "reading.more_weeks": ("flere uger i selvforsørgelse", "more weeks self-supporting"),
    "reading.fewer_weeks": ("færre uger i selvforsørgelse", "fewer weeks self-supporting"),
    "summary.reading": (
        "Et negativt tal for udgifter er en besparelse. Hvor intervallet omfatter 0, kan data ikke "
        "skelne effekten fra ingen effekt.",
        "A negative number for cost is a saving. Where the interval includes 0, the data cannot "
        "tell the effect apart from no effect.",
    ),
    "summary.gates_passed": (
        "Alle {n} kontroller af sammenligningen bestod.",
        "All {n} checks of the comparison passed.",
    ),
    "summary.gates_failed": (
        "{failed} af {n} kontroller bestod ikke ({names}); tallene skal læses med forbehold "
        "(se advarslen øverst).",
        "{failed} of {n} checks did not pass ({names}); read the numbers with caution (see the "
        "warning at the top).",
    ),
    "summary.withheld": (
        "Effekterne er tilbageholdt, fordi mindst én kontrol ikke bestod ({names}).",
        "The effects are withheld because at least one check did not pass ({names}).",
    ),
    "summary.no_outcomes": (
        "Effektfilen indeholder ingen effekter.",
        "The effect file holds no effects.",
    ),
    # -- gates -----------------------------------------------------------------------------------
    "gates.all_passed": (
        "Alle kontroller bestod: grupperne var sammenlignelige, og intet tyder på "
        "systematisk fejl.",
        "All checks passed: the groups were comparable and nothing points to systematic error.",
    ),
    "gates.failed_intro": (
        "Advarsel: {n} af kontrollerne bestod ikke.",
        "Warning: {n} of the checks did not pass.",
    ),
    "gates.marker": (
        "Alle estimater, som en fejlet kontrol berører, er markeret med {marker} i tabeller og "
        "tekst ({names}).",
        "Every estimate touched by a failed check is marked with {marker} in tables and text "
        "({names}).",
    ),
    "gates.withheld": (
        "Estimaterne er tilbageholdt: evalueringen blev kørt med --strict, og mindst én kontrol "
        "bestod ikke. Rapporten viser derfor kun designet og kontrollerne, ingen effekter.",
        "The estimates are withheld: the evaluation was run with --strict and at least one check "
        "did not pass. The report therefore shows only the design and the checks, no effects.",
    ),
    "gates.intro": (
        "Som i OHDSI (CohortMethod) skal sammenligningen bestå en række kontroller, før "
        "effekterne kan læses som troværdige.",
        "As in OHDSI (CohortMethod), the comparison must pass a set of checks before the "
        "effects can be read as credible.",
    ),
    "gates.col.gate": ("Kontrol", "Check"),
    "gates.col.value": ("Værdi", "Value"),
    "gates.col.threshold": ("Krav", "Requirement"),
    "gates.col.passed": ("Bestået", "Passed"),
    "gates.col.failing": ("Fejler for", "Fails for"),
    "yes": ("ja", "yes"),
    "no": ("nej", "no"),
    "passed": ("✓ bestået", "✓ passed"),
    "failed": ("✗ ikke bestået", "✗ not passed"),
    "and_more": ("… og {n} flere", "… and {n} more"),
    "gate.balance": (
        "Balance: største forskel efter matchning (|SMD|)",
        "Balance: largest difference after matching (|SMD|)",
    ),
    "gate.equipoise": (
        "Overlap: andel i ligevægtszonen 0,3–0,7",
        "Overlap: share in the equipoise zone 0.3–0.7",
    ),
    "gate.matched_share": ("Andel af deltagerne med kontroller", "Share of participants matched"),
    "gate.placebo": (
        "Placebotest før start: udfald med en 'effekt'",
        "Placebo test before the start: outcomes with an 'effect'",
    ),
    "gate.negative_controls": (
        "Negative kontroller: udfald med en 'effekt'",
        "Negative controls: outcomes with an 'effect'",
    ),
    "short.balance": ("balance", "balance"),
    "short.equipoise": ("overlap", "overlap"),
    "short.matched_share": ("andel matchet", "share matched"),
    "short.placebo": ("placebotest", "placebo test"),
    "short.negative_controls": ("negative kontroller", "negative controls"),
    "gate.outcomes": ("{n} udfald", "{n} outcomes"),
    "threshold.below": ("under {value}", "below {value}"),
    "threshold.at_least": ("mindst {value}", "at least {value}"),
    "threshold.none": ("ingen (intervallet omfatter 0)", "none (the interval includes 0)"),
    "warn.balance": (
        "Balance: grupperne var ikke sammenlignelige på {n} baggrundsforhold (standardiseret "
        "forskel på {threshold} eller mere efter matchning; størst {value}). Estimaterne nedenfor "
        "kan derfor være skæve.",
        "Balance: the groups were not comparable on {n} covariates (standardised difference of "
        "{threshold} or more after matching; largest {value}), so the estimates below may be "
        "biased.",
    ),
    "warn.equipoise": (
        "Overlap: kun {value} af personerne ligger i ligevægtszonen (krav: mindst {threshold}). "
        "Deltagerne ligner kun få i befolkningen, så sammenligningen hviler på få og måske "
        "atypiske kontrolpersoner.",
        "Overlap: only {value} of the persons lie in the equipoise zone (required: at least "
        "{threshold}). Few in the population resemble the participants, so the comparison rests "
        "on few and perhaps atypical controls.",
    ),
    "warn.matched_share": (
        "Kun {value} af deltagerne fik kontrolpersoner (krav: mindst {threshold}). Estimaterne "
        "gælder de matchede deltagere og ikke nødvendigvis alle.",
        "Only {value} of the participants were matched (required: at least {threshold}). The "
        "estimates are about the matched participants, not necessarily all of them.",
    ),
    "warn.placebo": (
        "Placebotest: før start viser {names} en 'effekt', hvor der ingen kan være. Grupperne "
        "udviklede sig altså forskelligt allerede før start, så estimaterne for disse udfald kan "
        "være skæve.",
        "Placebo test: before the start, {names} show an 'effect' where none can be. The groups "
        "already developed differently before the start, so the estimates for these outcomes "
        "may be biased.",
    ),
    "warn.negative_controls": (
        "En negativ kontrol ({names}) viser en effekt, hvor der ingen kan være. Det peger på "
        "systematisk fejl i sammenligningen, så alle estimater kan være skæve.",
        "A negative control ({names}) shows an effect where none can be, which points to "
        "systematic error in the comparison: every estimate may be biased.",
    ),
    "warn.other": ("Kontrollen '{name}' bestod ikke.", "The check '{name}' did not pass."),
    "legend.flag": (
        "{marker} = estimatet berøres af en kontrol, der ikke bestod ({names}).",
        "{marker} = the estimate is touched by a check that did not pass ({names}).",
    ),
    # -- flow --------------------------------------------------------------------------------
    "flow.intro": (
        "Hvor mange der kom med i analysen, trin for trin. Kun deltagere med kontrolpersoner "
        "indgår i effekterne.",
        "How many made it into the analysis, step by step. Only participants with controls "
        "enter the effects.",
    ),
    "flow.step": ("Trin", "Step"),
    "flow.n": ("Personer", "Persons"),
    "flow.referred": ("Henvist", "Referred"),
    "flow.started": ("Startet i forløbet", "Started the programme"),
    "flow.index_with_lookback_in_period": (
        "Start i perioden, med forhistorik i data",
        "Started in the period, with look-back in the data",
    ),
    "flow.resident_with_full_lookback": (
        "Bosat i hele forhistorikken",
        "Resident throughout the look-back",
    ),
    "flow.matched": (
        "Matchet med kontrolpersoner (analyseret)",
        "Matched with controls (analysed)",
    ),
    "flow.caption": (
        "Antal personer ved hvert trin fra henvisning til analyse.",
        "Number of persons at each step from referral to analysis.",
    ),
    "flow.unmatched": ("Ikke matchet, og hvorfor", "Not matched, and why"),
    "unmatched.no_candidate_in_stratum": (
        "ingen kandidat med samme kalendermåned, køn og aldersgruppe",
        "no candidate with the same calendar month, sex and age band",
    ),
    "unmatched.outside_caliper": (
        "nærmeste kandidat for forskellig (uden for caliper)",
        "nearest candidate too different (outside the caliper)",
    ),
    "flow.controls": (
        "Kontroller i analysen: {n_controls} ({n_persons} forskellige personer; en person kan "
        "være kontrol på flere tidspunkter). Kandidater i befolkningen: {n_candidates}.",
        "Controls in the analysis: {n_controls} ({n_persons} different persons; a person can "
        "be a control at more than one time). Candidates in the population: {n_candidates}.",
    ),
    # -- balance ------------------------------------------------------------------------------
    "balance.intro": (
        "Hvert baggrundsforhold sammenlignes som en standardiseret forskel (SMD): forskellen i "
        "gennemsnit mellem deltagere og kontroller målt i standardafvigelser. Under {threshold} "
        "regnes som ubetydelig. Før matchning viser, hvor forskellige deltagerne er fra "
        "befolkningen; efter matchning, om kontrolgruppen ligner dem. {failing} af {n} "
        "baggrundsforhold ligger på {threshold} eller derover efter matchning.",
        "Each covariate is compared as a standardised mean difference (SMD): the difference in "
        "means between participants and controls in standard deviations. Below {threshold} "
        "counts as negligible. Before matching shows how different the participants are from "
        "the population; after matching, whether the controls resemble them. {failing} of {n} "
        "covariates are at {threshold} or above after matching.",
    ),
    "balance.caption": (
        "Standardiseret forskel (|SMD|) før (åben cirkel) og efter matchning (fyldt) for de "
        "{shown} af {n} baggrundsforhold med størst forskel før eller efter, sorteret efter "
        "forskellen før. Stiplet linje: grænsen {threshold}. Alle står i tabellen nedenfor.",
        "Standardised difference (|SMD|) before (open circle) and after matching (filled) for "
        "the {shown} of {n} covariates with the largest difference before or after, sorted by "
        "the difference before. Dashed line: the limit {threshold}. All are in the table below.",
    ),
    "balance.table": ("Alle {n} baggrundsforhold (tabel)", "All {n} covariates (table)"),
    "balance.covariate": ("Baggrundsforhold", "Covariate"),
    "balance.mean_p": ("Gns. deltagere", "Mean participants"),
    "balance.mean_cb": ("Gns. befolkning (før)", "Mean population (before)"),
    "balance.mean_ca": ("Gns. kontroller (efter)", "Mean controls (after)"),
    "balance.smd_before": ("SMD før", "SMD before"),
    "balance.smd_after": ("SMD efter", "SMD after"),
    "balance.none": (
        "Effektfilen indeholder ingen balancetabel.",
        "The effect file holds no balance table.",
    ),
    # -- overlap ------------------------------------------------------------------------------
    "overlap.intro": (
        "En model beregner for hver person sandsynligheden for at deltage ud fra "
        "baggrundsforholdene (propensity score). AUC {auc}: hvor godt modellen skelner deltagere "
        "fra befolkningen (0,5 = slet ikke, 1 = fuldstændigt); en høj AUC betyder, at deltagerne "
        "er meget forskellige fra de fleste. {equipoise} af personerne ligger i ligevægtszonen "
        "(præferencescore 0,3–0,7), hvor deltagere og kontroller ligner hinanden (krav: mindst "
        "{min_equipoise}). Caliper: {caliper} på logit-skalaen.",
        "A model gives each person the probability of taking part from the covariates (the "
        "propensity score). AUC {auc}: how well the model tells participants from the population "
        "(0.5 = not at all, 1 = perfectly); a high AUC means the participants are very different "
        "from most people. {equipoise} of the persons lie in the equipoise zone (preference "
        "score 0.3–0.7), where participants and controls resemble each other (required: at "
        "least {min_equipoise}). Caliper: {caliper} on the logit scale.",
    ),
    "overlap.caption": (
        "Fordeling af præferencescoren (propensity score justeret for gruppernes størrelse) for "
        "deltagere og kontrolkandidater. Grå zone: ligevægtszonen 0,3–0,7. Intervaller med få "
        "personer er lagt sammen; deres andel er fordelt over intervallets bredde.",
        "Distribution of the preference score (the propensity score adjusted for the sizes of "
        "the groups) for participants and control candidates. Grey zone: the equipoise zone "
        "0.3–0.7. Intervals with few persons are merged; their share is spread over the "
        "interval's width.",
    ),
    "overlap.none": (
        "Effektfilen indeholder ingen fordeling af præferencescoren.",
        "The effect file holds no preference-score distribution.",
    ),
    # -- outcomes -----------------------------------------------------------------------------
    "outcomes.intro": (
        "For hvert udfald: til venstre gennemsnittet pr. person pr. måned for deltagere og "
        "matchede kontroller efter måned siden start; til højre effekten måned for måned med "
        "95 %-interval. Effekten er forskellen mellem grupperne i forhold til forskellen i "
        "basisperioden (måned {base}), summeret over månederne i vinduet: pr. deltager.",
        "For each outcome: on the left the mean per person per month for participants and "
        "matched controls by month since the start; on the right the effect month by month with "
        "its 95 % interval. The effect is the difference between the groups relative to their "
        "difference in the baseline months ({base}), summed over the months of the window: per "
        "participant.",
    ),
    "outcome.caption": (
        "{name}. Venstre: gennemsnit pr. person pr. måned ({unit}) for deltagere og matchede "
        "kontroller. Højre: effekten pr. måned med 95 %-interval (bånd). Måned 0 = startmåned "
        "(lodret linje); grå: basisperioden.",
        "{name}. Left: mean per person per month ({unit}) for participants and matched "
        "controls. Right: the effect per month with its 95 % interval (band). Month 0 = month "
        "of the start (vertical line); grey: the baseline months.",
    ),
    "outcome.alt": ("Udvikling pr. måned og effekt: {name}", "Trend per month and effect: {name}"),
    "col.row": ("", ""),
    "col.effect": ("Effekt pr. deltager", "Effect per participant"),
    "col.interval": ("95 %-interval", "95 % interval"),
    "col.total": ("I alt for de {n} deltagere", "Total for the {n} participants"),
    "col.mde": ("Mindste påviselige effekt", "Minimum detectable effect"),
    "col.note": ("Bemærkning", "Note"),
    "row.window": ("Måned {window}", "Months {window}"),
    "row.event_study": (
        "Krydstjek: event study, måned {window}",
        "Cross-check: event study, months {window}",
    ),
    "row.naive": ("Naiv før/efter (kun deltagere)", "Naive before/after (participants only)"),
    "row.placebo": (
        "Placebo før start (måned {window})",
        "Placebo before the start (months {window})",
    ),
    "note.agrees": ("stemmer med hovedestimatet", "agrees with the main estimate"),
    "note.disagrees": (
        "STEMMER IKKE med hovedestimatet (intervallerne overlapper ikke): læs estimatet med "
        "forsigtighed",
        "DOES NOT AGREE with the main estimate (the intervals do not overlap): read the estimate "
        "with caution",
    ),
    "note.naive": (
        "uden kontrolgruppe: viser, hvad regression mod middelværdien gør ved en naiv aflæsning",
        "without controls: shows what regression to the mean does to a naive reading",
    ),
    "note.placebo_ok": (
        "bør ligge nær 0; intervallet omfatter 0",
        "should be near 0; the interval includes 0",
    ),
    "note.placebo_bad": (
        "intervallet omfatter IKKE 0: tegn på forskellig udvikling før start",
        "the interval does NOT include 0: a sign of different trends before",
    ),
    "note.suppressed": ("undertrykt (under {k} personer)", "suppressed (under {k} persons)"),
    "outcome.explain": (
        "Mindste påviselige effekt: mindre effekter kan studiet ikke forventes at finde (80 % "
        "styrke, 5 % signifikans). Naiv før/efter: deltagernes egne måneder {after} minus "
        "måned {before}; forskellen til effekten skyldes bl.a., at mange starter efter en "
        "periode med højt forbrug, som alligevel ville være faldet. Placebo: samme beregning "
        "før start, som om starten var i måned {placebo_start}; der kan ikke være en effekt før "
        "start.",
        "Minimum detectable effect: the study cannot be expected to find smaller effects (80 % "
        "power, 5 % significance). Naive before/after: the participants' own months {after} "
        "minus months {before}; the gap to the effect comes among other things from many "
        "starting after a period of high use that would have fallen anyway. Placebo: the same "
        "computation before the start, as if the start were in month {placebo_start}; there "
        "can be no effect before the start.",
    ),
    "outcome.headline": (
        "måned {window}: {value} (95 %-interval {interval})",
        "months {window}: {value} (95 % interval {interval})",
    ),
    "other.intro": (
        "Klik på et udfald for at se figur og tabel.",
        "Click an outcome to see its figure and table.",
    ),
    # -- plot labels -------------------------------------------------------------------------
    "plot.participants": ("deltagere", "participants"),
    "plot.controls": ("matchede kontroller", "matched controls"),
    "plot.candidates": ("kontrolkandidater", "control candidates"),
    "plot.months": ("måneder siden start", "months since the start"),
    "plot.mean": ("gennemsnit pr. person pr. måned", "mean per person per month"),
    "plot.mean_title": ("Gennemsnit pr. person pr. måned", "Mean per person per month"),
    "plot.effect_title": (
        "Effekt pr. måned (forskel pr. deltager)",
        "Effect per month (difference per participant)",
    ),
    "plot.effect": ("effekt", "effect"),
    "plot.interval": ("95 %-interval", "95 % interval"),
    "plot.baseline": ("basisperiode", "baseline months"),
    "plot.start": ("start", "start"),
    "plot.smd": ("|SMD| (standardiseret forskel)", "|SMD| (standardised difference)"),
    "plot.before": ("før matchning", "before matching"),
    "plot.after_ok": ("efter matchning (under grænsen)", "after matching (below the limit)"),
    "plot.after_bad": ("efter matchning (over grænsen)", "after matching (above the limit)"),
    "plot.preference": ("præferencescore", "preference score"),
    "plot.share": ("andel pr. interval på 0,05", "share per interval of 0.05"),
    "plot.equipoise": ("ligevægtszone", "equipoise zone"),
    "plot.overall": ("alle deltagere", "all participants"),
    "plot.total_dkk": (
        "← besparelse     i alt for deltagerne (kr.)     merudgift →",
        "← saving     total for the participants (DKK)     extra cost →",
    ),
    "balance.alt": (
        "Love plot: balance før og efter matchning",
        "Love plot: balance before and after matching",
    ),
    "overlap.alt": ("Fordeling af præferencescoren", "Distribution of the preference score"),
    "flow.alt": ("Fra henvisning til analyse", "From referral to analysis"),
    # -- payers --------------------------------------------------------------------------------
    "payers.intro": (
        "Effekten fordelt på hvem der betaler, over måned {window}: pr. deltager og i alt for de "
        "{n} deltagere (effekt × antal deltagere). Et negativt tal er en besparelse for "
        "betaleren, et positivt en merudgift.",
        "The effect split by who pays, over months {window}: per participant and in total for "
        "the {n} participants (effect × number of participants). A negative number is a saving "
        "for the payer, a positive one an extra cost.",
    ),
    "payers.payer": ("Betaler", "Payer"),
    "payers.kind": ("Art", "Kind"),
    "payers.reading": ("Læsning", "Reading"),
    "payers.cost": ("udgifter", "cost"),
    "payers.transfer": ("overførsler", "transfers"),
    "reading.saving": ("besparelse", "saving"),
    "reading.extra": ("merudgift", "extra cost"),
    "reading.unclear_saving": (
        "mulig besparelse, men intervallet omfatter 0",
        "possible saving, but the interval includes 0",
    ),
    "reading.unclear_extra": (
        "mulig merudgift, men intervallet omfatter 0",
        "possible extra cost, but the interval includes 0",
    ),
    "reading.none": ("ingen forskel", "no difference"),
    "payers.caption": (
        "Effekt i alt for deltagerne pr. betaler, med 95 %-interval. Til venstre for 0: "
        "besparelse; til højre: merudgift.",
        "Total effect for the participants by payer, with its 95 % interval. Left of 0: saving; "
        "right: extra cost.",
    ),
    "payers.alt": ("Effekt pr. betaler", "Effect by payer"),
    "payers.none": (
        "Effektfilen indeholder ingen opdeling på betalere.",
        "The effect file holds no split by payer.",
    ),
    # -- subgroups -----------------------------------------------------------------------------
    "subgroups.intro": (
        "Effekten over måned {window} pr. deltager i undergrupper, med 95 %-interval. "
        "Undergrupper med under {k} deltagere vises som <{k} og uden estimat (–). Stiplet linje: "
        "effekten for alle deltagere. Små grupper giver brede intervaller: en forskel mellem "
        "undergrupper er kun et fund, hvis intervallerne tydeligt adskiller sig.",
        "The effect over months {window} per participant in subgroups, with its 95 % interval. "
        "Subgroups with fewer than {k} participants are shown as <{k}, without an estimate (–). "
        "Dashed line: "
        "the effect for all participants. Small groups give wide intervals: a difference "
        "between subgroups is only a finding when the intervals clearly differ.",
    ),
    "subgroups.caption": (
        "Effekt i undergrupper, måned {window}, med 95 %-interval.",
        "Effect in subgroups, months {window}, with 95 % intervals.",
    ),
    "subgroups.alt": ("Effekt i undergrupper", "Effect in subgroups"),
    "subgroups.table": ("Undergrupper som tabel", "Subgroups as a table"),
    "subgroups.group": ("Undergruppe", "Subgroup"),
    "subgroups.n": ("Deltagere", "Participants"),
    "subgroups.none": (
        "Effektfilen indeholder ingen undergrupper.",
        "The effect file holds no subgroups.",
    ),
    "variable.education": ("Uddannelse", "Education"),
    "variable.sex": ("Køn", "Sex"),
    "variable.age_band": ("Aldersgruppe", "Age band"),
    "variable.stratum": ("Støtteniveau", "Support level"),
    "variable.referral_source": ("Henvisningskilde", "Referral source"),
    "variable.municipality": ("Kommune", "Municipality"),
    "level.sex.F": ("kvinder", "women"),
    "level.sex.M": ("mænd", "men"),
    "level.age_band": ("{first}–{last} år", "{first}–{last} years"),
    "level.stratum": ("niveau {level}", "level {level}"),
    # -- participant measures -----------------------------------------------------------------
    "measures.warning": (
        "UKONTROLLERET: der er ingen sammenligningsgruppe for disse mål, da de kun måles i "
        "forløbet. Ændringen kan skyldes forløbet, men også at værdier svinger tilbage mod "
        "gennemsnittet, og hvem der mødte op til opfølgning. Læs dem ikke som effekter.",
        "UNCONTROLLED: there is no comparison group for these measures, as they are only taken "
        "in the programme. The change may be due to the programme, but also to values swinging "
        "back towards the mean and to who came to the follow-up. Do not read them as effects.",
    ),
    "measures.measure": ("Mål", "Measure"),
    "measures.month": ("Måned", "Month"),
    "measures.referred": ("Henvist", "Referred"),
    "measures.started": ("Startet", "Started"),
    "measures.baseline_n": ("Målt ved start", "Measured at start"),
    "measures.answered": ("Målt ved opfølgning", "Measured at follow-up"),
    "measures.baseline": ("Gns. ved start", "Mean at start"),
    "measures.follow_up": ("Gns. ved opfølgning", "Mean at follow-up"),
    "measures.change": ("Ændring (95 %-interval)", "Change (95 % interval)"),
    "measures.free_answered": ("Røgfri blandt målte", "Smoke-free among measured"),
    "measures.free_started": ("Røgfri blandt alle startede", "Smoke-free among all started"),
    "measures.note": (
        "Ændring = gennemsnit af (opfølgning − start) blandt dem, der er målt begge gange. "
        "For rygning regnes de, der ikke er målt, som rygere i andelen blandt alle startede "
        "(den forsigtige læsning).",
        "Change = mean of (follow-up − start) among those measured both times. For smoking, "
        "those not measured count as smokers in the share among all who started (the cautious "
        "reading).",
    ),
    "measures.none": (
        "Effektfilen indeholder ingen mål kun for deltagere.",
        "The effect file holds no participant-only measures.",
    ),
    "measure.weight_kg": ("Vægt (kg)", "Weight (kg)"),
    "measure.bmi": ("BMI", "BMI"),
    "measure.waist_cm": ("Taljemål (cm)", "Waist (cm)"),
    "measure.systolic_bp": ("Systolisk blodtryk (mmHg)", "Systolic blood pressure (mmHg)"),
    "measure.hba1c_mmol_mol": ("HbA1c (mmol/mol)", "HbA1c (mmol/mol)"),
    "measure.smoking": ("Rygning", "Smoking"),
    "measure.who5": ("WHO-5 trivsel (0–100)", "WHO-5 well-being (0–100)"),
    "measure.self_rated_health": ("Selvvurderet helbred", "Self-rated health"),
    # -- negative controls -------------------------------------------------------------------
    "nc.intro": (
        "Udfald, som forløbet ikke kan påvirke. Viser de en 'effekt', er sammenligningen skæv.",
        "Outcomes the programme cannot affect. If they show an 'effect', the comparison is biased.",
    ),
    "nc.metric": ("Udfald", "Outcome"),
    "nc.window": ("Måneder", "Months"),
    "nc.zero": ("Forenelig med 0", "Consistent with 0"),
    "nc.none": (
        "Effektfilen indeholder ingen negative kontroller.",
        "The effect file holds no negative controls.",
    ),
    # -- units -------------------------------------------------------------------------------
    "unit.dkk": ("kr.", "DKK"),
    "unit.weeks": ("uger", "weeks"),
    "unit.count": ("antal", "number"),
    "unit.head.dkk": ("kr. pr. deltager", "DKK per participant"),
    "unit.head.weeks": ("uger pr. deltager", "weeks per participant"),
    "unit.head.count": ("antal pr. deltager", "number per participant"),
    "interval": ("{low} til {high}", "{low} to {high}"),
    "months_range": ("{first} til {last}", "{first} to {last}"),
    # -- methods -----------------------------------------------------------------------------
    "methods.matching": (
        "Kontrolpersoner (risk-set matching): for hver deltager udtrækkes kontroller blandt "
        "personer i befolkningen, som endnu ikke var startet i forløbet, i samme {period} som "
        "startmåneden, med samme køn og {age}-års aldersgruppe{municipality}. Kontrollen får "
        "deltagerens startmåned som sin egen indeksmåned.",
        "Controls (risk-set matching): for each participant, controls are drawn from people in "
        "the population not (yet) in the programme, in the same {period} as the start, of the "
        "same sex and {age}-year age band{municipality}. A control takes the participant's "
        "start month as its own index month.",
    ),
    "methods.period.month": ("kalendermåned", "calendar month"),
    "methods.period.quarter": ("kvartal", "quarter"),
    "methods.municipality": (" og i samme kommune", " and in the same municipality"),
    "methods.propensity": (
        "Sandsynligheden for at deltage (propensity score) beregnes med regulariseret logistisk "
        "regression (styrke {penalty}) på baggrundsforholdene: {groups}. Kontroller vælges som "
        "de nærmeste på denne score, højst {caliper} standardafvigelser af logit'en fra "
        "deltageren (caliper), op til {ratio} kontroller pr. deltager (1:{ratio}) uden "
        "tilbagelægning.",
        "The probability of taking part (propensity score) comes from a regularised logistic "
        "regression (strength {penalty}) on the covariates: {groups}. Controls are the nearest "
        "on this score, at most {caliper} standard deviations of the logit from the participant "
        "(caliper), up to {ratio} controls per participant (1:{ratio}) without replacement.",
    ),
    "methods.overrides": (
        "Tilpasning af baggrundsforholdene i konfigurationen: {items}.",
        "Covariate settings in the config: {items}.",
    ),
    "methods.did": (
        "Effekten (forskel-i-forskelle) beregnes for hvert matchet sæt (en deltager og dens "
        "kontroller): forskellen mellem deltageren og kontrollernes gennemsnit i hver måned, "
        "minus samme forskel i basisperioden, måned {base}. En vinduets effekt er summen over "
        "dets måneder pr. deltager.",
        "The effect (difference-in-differences) is computed per matched set (a participant and "
        "its controls): the difference between the participant and the mean of its controls in "
        "each month, minus the same difference over the baseline months {base}. A window's "
        "effect is the sum over its months, per participant.",
    ),
    "methods.bootstrap": (
        "95 %-intervallerne kommer fra en bootstrap over de matchede sæt ({replicates} "
        "gentagelser, startværdi {seed}, {confidence} interval).",
        "The intervals come from a bootstrap over the matched sets ({replicates} replicates, "
        "seed {seed}, {confidence} interval).",
    ),
    "methods.censoring": (
        "Efter et dødsfald tæller månederne med nul forbrug: dødsfald afslutter udgifterne, og "
        "det er en del af effekten. Når en person flytter fra kommunen, når data slutter, eller "
        "når en kontrol selv starter i forløbet, tæller personen ikke med fra den måned "
        "(censurering).",
        "After a death the months count as zero use: dying ends the costs, and that is part of "
        "the effect. When a person moves away, when the data end, or when a control starts "
        "the programme, the person no longer counts from that month (censoring).",
    ),
    "methods.placebo": (
        "Placebotesten gentager beregningen før start, som om starten var i måned "
        "{placebo_start} (basis måned {placebo_base}). Der kan ikke være en effekt før start; "
        "viser testen en, udviklede grupperne sig forskelligt.",
        "The placebo test repeats the computation before the start, as if the start were in "
        "month {placebo_start} (baseline months {placebo_base}). There can be no effect before "
        "the start; if the test shows one, the groups developed differently.",
    ),
    "methods.naive": (
        "Den naive før/efter-måling sammenligner deltagernes egne måneder {after} med måned "
        "{before} uden kontrolgruppe. Mange starter efter en periode med højt forbrug, som "
        "alligevel ville være faldet (regression mod middelværdien); derfor ser en naiv "
        "før/efter ofte ud som en stor besparelse. Kontrollerne, der matches på forløbet i "
        "månederne før start, fjerner denne effekt.",
        "The naive before/after compares the participants' own months {after} with months "
        "{before}, without controls. Many start after a period of high use that would have "
        "fallen anyway (regression to the mean), so a naive before/after often looks like a "
        "large saving. The controls, matched on the months before the start, remove this.",
    ),
    "methods.gates": (
        "Kontroller (efter OHDSI): alle |SMD| under {smd}; mindst {equipoise} i "
        "ligevægtszonen; mindst {matched} af deltagerne matchet; placebotest{placebo} og "
        "negative kontroller{nc} forenelige med 0. Mindste påviselige effekt angives ved hvert "
        "estimat.",
        "Checks (after OHDSI): every |SMD| below {smd}; at least {equipoise} in the equipoise "
        "zone; at least {matched} of participants matched; placebo test{placebo} and negative "
        "controls{nc} consistent with 0. The minimum detectable effect is given with each "
        "estimate.",
    ),
    "methods.off": (" (slået fra)", " (switched off)"),
    "methods.small_cells": (
        "Små tal: antal personer under {k} vises som <{k}, og estimater, der hviler på under "
        "{k} deltagere (en undergruppe, en måned), vises ikke (–).",
        "Small numbers: counts under {k} persons are shown as <{k}, and estimates resting on "
        "fewer than {k} participants (a subgroup, a month) are not shown (–).",
    ),
    "methods.index.start_date": (
        "Startmåned: måneden for første fremmøde i forløbet.",
        "Start month: the month of the first attendance.",
    ),
    "methods.index.referral_date": (
        "Startmåned: måneden for henvisningen (tilbuddet, også til dem der takkede nej).",
        "Start month: the month of the referral (the offer, including those who declined).",
    ),
    # -- covariate groups (methods) -----------------------------------------------------------
    "group.person": (
        "alder, køn, uddannelse, herkomst, bor alene",
        "age, sex, education, origin, living alone",
    ),
    "group.trajectory": (
        "forløbet af udgifter, indlæggelser, sengedage og selvforsørgelse måned for måned før "
        "start",
        "the trajectory of costs, admissions, bed days and self-support month by month before "
        "the start",
    ),
    "group.crisis": ("akut kontakt de sidste måneder", "acute contact in recent months"),
    "group.labour": ("tilknytning til arbejdsmarkedet", "labour-market attachment"),
    "group.flags": ("kroniske sygdomme", "chronic conditions"),
    # -- metrics -----------------------------------------------------------------------------
    "metric.cost_total": ("Samlede udgifter", "Total cost"),
    "metric.cost_hospital_acute": ("Akutte sygehusudgifter", "Acute hospital cost"),
    "metric.cost_hospital_planned": ("Planlagte sygehusudgifter", "Planned hospital cost"),
    "metric.cost_primary_care": ("Udgifter i almen praksis m.m.", "Primary care cost"),
    "metric.cost_medicine": ("Medicinudgifter", "Medicine cost"),
    "metric.cost_municipal": ("Kommunale udgifter", "Municipal cost"),
    "metric.acute_admissions": ("Akutte indlæggelser", "Acute admissions"),
    "metric.bed_days": ("Sengedage", "Bed days"),
    "metric.emergency_visits": ("Skadestuebesøg", "Emergency visits"),
    "metric.gp_contacts": ("Kontakter til egen læge", "GP contacts"),
    "metric.transfer_dkk": ("Overførselsindkomster", "Transfer income"),
    "metric.weeks_self_supporting": ("Uger i selvforsørgelse", "Weeks self-supporting"),
    "metric.cost_pc_dentist": ("Tandlægeudgifter", "Dental fees"),
    "metric.cost_hospital_psychiatric": (
        "Psykiatriske sygehusudgifter",
        "Psychiatric hospital cost",
    ),
    "metric.planned_admissions": ("Planlagte indlæggelser", "Planned admissions"),
    "metric.outpatient_visits": ("Ambulante besøg", "Outpatient visits"),
    "payer_metric.cost_payer": ("Udgifter betalt af: {payer}", "Cost paid by: {payer}"),
    "payer_metric.transfer_payer": ("Overførsler betalt af: {payer}", "Transfers paid by: {payer}"),
    "payer.region": ("Region", "Region"),
    "payer.municipality": ("Kommune", "Municipality"),
    "payer.state": ("Stat", "State"),
    "payer.citizen": ("Borger", "Citizen"),
    "noun.acute_admissions": ("indlæggelser", "admissions"),
    "noun.bed_days": ("sengedage", "bed days"),
    "noun.emergency_visits": ("besøg", "visits"),
    "noun.gp_contacts": ("kontakter", "contacts"),
    # -- covariates --------------------------------------------------------------------------
    "cov.age": ("Alder", "Age"),
    "cov.recent_crisis": ("Akut kontakt de sidste 3 måneder", "Acute contact in the last 3 months"),
    "cov.attribute": ("{attribute}: {level}", "{attribute}: {level}"),
    "cov.month": ("{metric}, måned -{month}", "{metric}, month -{month}"),
    "cov.months": ("{metric}, måned -{last} til -{first}", "{metric}, months -{last} to -{first}"),
    "cov.weeks": (
        "Uger med {group}, sidste {months} mdr.",
        "Weeks on {group}, last {months} months",
    ),
    "cov.weeks_self": (
        "Uger i selvforsørgelse, sidste {months} mdr.",
        "Weeks self-supporting, last {months} months",
    ),
    "cov.flag": ("Sygdom: {flag}", "Condition: {flag}"),
    "attr.sex": ("Køn", "Sex"),
    "attr.education": ("Uddannelse", "Education"),
    "attr.origin": ("Herkomst", "Origin"),
    "attr.lives_alone": ("Bor alene", "Lives alone"),
    "lvl.f": ("kvinde", "female"),
    "lvl.m": ("mand", "male"),
    "lvl.unknown": ("ukendt", "unknown"),
    "lvl.yes": ("ja", "yes"),
    "lvl.no": ("nej", "no"),
    "lvl.basic": ("grundskole", "basic"),
    "lvl.upper_secondary": ("gymnasial", "upper secondary"),
    "lvl.vocational": ("erhvervsfaglig", "vocational"),
    "lvl.short_higher": ("kort videregående", "short higher"),
    "lvl.medium_higher": ("mellemlang videregående", "medium higher"),
    "lvl.long_higher": ("lang videregående", "long higher"),
    "lvl.danish": ("dansk", "Danish"),
    "lvl.western": ("vestlig", "Western"),
    "lvl.non_western": ("ikke-vestlig", "non-Western"),
    "labour.unemployment": ("ledighed", "unemployment"),
    "labour.sickness_benefit": ("sygedagpenge", "sickness benefit"),
    "labour.cash_benefit": ("kontanthjælp", "cash benefit"),
    "labour.flexjob_disability": ("fleksjob/førtidspension", "flexjob/disability pension"),
    "labour.retirement": ("pension", "retirement"),
    "labour.other": ("andre ydelser", "other benefits"),
    "flag.diabetes": ("diabetes", "diabetes"),
    "flag.copd_asthma": ("KOL/astma", "COPD/asthma"),
    "flag.ischaemic_heart_disease": ("iskæmisk hjertesygdom", "ischaemic heart disease"),
    "flag.heart_failure": ("hjertesvigt", "heart failure"),
    "flag.hypertension": ("forhøjet blodtryk", "hypertension"),
    "flag.stroke": ("apopleksi", "stroke"),
    "flag.mental_illness": ("psykisk sygdom", "mental illness"),
    "flag.substance_abuse": ("misbrug", "substance abuse"),
    "flag.cancer": ("kræft", "cancer"),
    "flag.obesity": ("svær overvægt", "obesity"),
    "flag.musculoskeletal": ("muskel-/skeletlidelse", "musculoskeletal disorder"),
}

TEXTS = Translations.from_pairs(_PAIRS)

_MONTHS = {
    "da": (
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_SUPPRESSED = re.compile(r"^<\d+$")
_TRAJECTORY = re.compile(r"^(?P<metric>.+)_m(?P<first>\d+)(?:_(?P<last>\d+))?$")
_LABOUR = re.compile(r"^weeks_(?P<group>.+)_(?P<months>\d+)m$")


def text_or(key: str, language: str, fallback: str, **values: object) -> str:
    """The text ``key`` when the catalogue has it, else ``fallback`` (a name as written)."""
    return TEXTS.text(key, language, **values) if key in TEXTS else fallback


def long_date(value: object, language: str) -> str:
    """``2016-01-01`` as ``1. januar 2016`` / ``1 January 2016``; anything else as written."""
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return "–" if value is None else str(value)
    month = _MONTHS[language][day.month - 1]
    return f"{day.day}. {month} {day.year}" if language == "da" else f"{day.day} {month} {day.year}"


def metric_name(metric: str, language: str) -> str:
    """A metric's name for readers (``cost_payer_region`` -> "Udgifter betalt af: Region")."""
    for kind in ("cost_payer", "transfer_payer"):
        if metric.startswith(f"{kind}_"):
            payer = metric.removeprefix(f"{kind}_")
            return TEXTS.text(f"payer_metric.{kind}", language, payer=payer_name(payer, language))
    return text_or(f"metric.{metric}", language, metric)


def payer_name(payer: str, language: str) -> str:
    return text_or(f"payer.{payer}", language, payer)


def covariate_name(covariate: str, language: str) -> str:
    """A balance covariate in words (``cost_total_m4_6`` -> "Samlede udgifter, måned −6 til
    −4"); an unknown name as it is."""
    t = TEXTS.translator(language)
    if f"cov.{covariate}" in TEXTS:
        return t(f"cov.{covariate}")
    if covariate.startswith("flag_"):
        flag = covariate.removeprefix("flag_")
        return t("cov.flag", flag=text_or(f"flag.{flag}", language, flag))
    for attribute in ("sex", "education", "origin", "lives_alone"):
        if covariate.startswith(f"{attribute}_"):
            level = covariate.removeprefix(f"{attribute}_")
            return t(
                "cov.attribute",
                attribute=t(f"attr.{attribute}"),
                level=text_or(f"lvl.{level}", language, level),
            )
    labour = _LABOUR.match(covariate)
    if labour:
        group, months = labour["group"], labour["months"]
        if group == "self_supporting":
            return t("cov.weeks_self", months=months)
        return t("cov.weeks", group=text_or(f"labour.{group}", language, group), months=months)
    trajectory = _TRAJECTORY.match(covariate)
    if trajectory:
        metric = metric_name(trajectory["metric"], language)
        if trajectory["last"] is None:
            return t("cov.month", metric=metric, month=trajectory["first"])
        return t("cov.months", metric=metric, first=trajectory["first"], last=trajectory["last"])
    return covariate


def covariate_groups(covariates: list[str], language: str) -> list[str]:
    """The groups of covariates present in a balance table, in words (for the methods)."""
    t = TEXTS.translator(language)
    present: dict[str, bool] = {}
    for c in covariates:
        if c == "age" or c.startswith(("sex_", "education_", "origin_", "lives_alone_")):
            present["person"] = True
        elif c == "recent_crisis":
            present["crisis"] = True
        elif c.startswith("flag_"):
            present["flags"] = True
        elif _LABOUR.match(c):
            present["labour"] = True
        elif _TRAJECTORY.match(c):
            present["trajectory"] = True
    order = ("person", "trajectory", "crisis", "labour", "flags")
    return [t(f"group.{g}") for g in order if g in present]


_EDUCATION = (
    "basic",
    "upper_secondary",
    "vocational",
    "short_higher",
    "medium_higher",
    "long_higher",
    "unknown",
)


def level_order(variable: str, level: object) -> tuple[Any, ...]:
    """A sort key for subgroup levels: education from basic to long higher, then in natural
    order (``A9`` before ``A12``, age bands by age)."""
    text = "" if level is None else str(level)
    if variable == "education" and text in _EDUCATION:
        return (0, _EDUCATION.index(text))
    parts = re.split(r"(\d+)", text)
    return (1, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p))


def subgroup_level(variable: str, level: object, language: str, band_years: int) -> str:
    """A subgroup level in words: an education level, "kvinder", "45–49 år", "niveau 1"."""
    t = TEXTS.translator(language)
    text = "–" if level is None else str(level)
    if variable == "education":
        return text_or(f"lvl.{text}", language, text)
    if variable == "sex":
        return text_or(f"level.sex.{text}", language, text)
    if variable == "age_band" and text.isdigit():
        return t("level.age_band", first=text, last=int(text) + band_years - 1)
    if variable == "stratum":
        return t("level.stratum", level=text)
    return text


# -- values as written in the document -------------------------------------------------------


def number(value: object) -> float | None:
    """A finite number, or None (null, ``"<5"``, NaN, a bool or anything else)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def mapping(value: object) -> Mapping[str, Any]:
    """``value`` when it is a mapping (a JSON object), else an empty one."""
    return value if isinstance(value, Mapping) else {}


def count_text(value: object, language: str) -> str:
    """A count of persons as shown: ``<5`` for 1-4 (and as written ``"<5"``), ``–`` when
    missing; never a number from 1 to 4."""
    if isinstance(value, str):
        if _SUPPRESSED.match(value.strip()):
            return value.strip()
        value = int(value) if value.strip().isdigit() else None
    n = number(value)
    if n is None or n < 0 or not n.is_integer():
        return "–"
    return format_count(int(n), language)


def unit_kind(metric: str) -> str:
    if metric.startswith(("cost_", "transfer_")):
        return "dkk"
    return "weeks" if metric.startswith("weeks_") else "count"


def decimals_of(metric: str) -> int:
    return {"dkk": 0, "weeks": 1, "count": 2}[unit_kind(metric)]


def window(w: object) -> tuple[int, int] | None:
    if isinstance(w, list | tuple) and len(w) == 2 and all(isinstance(x, int) for x in w):
        return int(w[0]), int(w[1])
    return None


def month_text(m: int) -> str:
    return str(m)  # "-24", the minus of the report's numbers


class Words:
    """Numbers and texts of one language, for values as written in an effect document: a
    missing value is ``–``, a count goes through the small-cell rule."""

    def __init__(self, language: str) -> None:
        self.lang = language
        self.t = TEXTS.translator(language)

    def num(self, value: object, decimals: int = 0, sign: bool = False) -> str:
        n = number(value)
        return "–" if n is None else format_number(n, self.lang, decimals, sign=sign)

    def pct(self, value: object, decimals: int = 1) -> str:
        n = number(value)
        return "–" if n is None else format_percent(n, self.lang, decimals)

    def est(self, value: object, metric: str, sign: bool = True) -> str:
        return self.num(value, decimals_of(metric), sign)

    def interval(self, low: object, high: object, metric: str) -> str:
        if number(low) is None or number(high) is None:
            return "–"
        return self.t("interval", low=self.est(low, metric), high=self.est(high, metric))

    def with_unit(self, text: str, metric: str) -> str:
        kind = unit_kind(metric)
        if text == "–":
            return text
        if kind == "count":
            noun = text_or(f"noun.{metric}", self.lang, "")
            return f"{text} {noun}".strip()
        return f"{text} {self.t(f'unit.{kind}')}"

    def count(self, value: object) -> str:
        return count_text(value, self.lang)

    def window_text(self, w: tuple[int, int] | None) -> str:
        if w is None:
            return "–"
        if w[0] < 0:
            return self.t("months_range", first=month_text(w[0]), last=month_text(w[1]))
        return f"{w[0]}–{w[1]}"

    def flag_title(self, flags: Sequence[str]) -> str:
        return ", ".join(text_or(f"short.{f}", self.lang, f) for f in flags)

    def reading(self, metric: str, row: Mapping[str, Any]) -> str:
        """An estimate in words: a saving or an extra cost, fewer or more, or no clear
        difference (the interval includes 0)."""
        att, lo, hi = number(row.get("att")), number(row.get("ci_low")), number(row.get("ci_high"))
        if att is None or lo is None or hi is None:
            return "–"
        if lo <= 0 <= hi:
            return self.t("reading.unclear")
        kind = unit_kind(metric)
        if kind == "dkk":
            return self.t("reading.saving" if att < 0 else "reading.extra")
        if kind == "weeks":
            return self.t("reading.fewer_weeks" if att < 0 else "reading.more_weeks")
        noun = text_or(f"noun.{metric}", self.lang, "")
        return f"{self.t('reading.fewer' if att < 0 else 'reading.more')} {noun}".strip()
