"""The texts of the effect report's page and of how the comparison was made (Danish, English):
title and footer, the gates, the flow from referral to analysis, balance, overlap and the
methods. Part of the catalogue ``TEXTS`` of ``_report_texts.py``."""

from __future__ import annotations

DESIGN: dict[str, tuple[str, str]] = {
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
        "Som i OHDSI (CohortMethod, en international standard for sammenligninger i "
        "registerdata) skal sammenligningen bestå en række kontroller, før effekterne kan "
        "læses som troværdige.",
        "As in OHDSI (CohortMethod, an international standard for comparisons in registry "
        "data), the comparison must pass a set of checks before the effects can be read as "
        "credible.",
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
        "Overlap efter matchning: mindste gruppes andel i ligevægtszonen 0,3–0,7",
        "Overlap after matching: the smaller group's share in the equipoise zone 0.3–0.7",
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
        "Overlap: selv efter matchning kan en model skelne deltagerne fra deres kontroller; kun "
        "{value} af deltagerne eller kontrollerne ligger i ligevægtszonen (krav: mindst "
        "{threshold}). Kontrollerne ligner ikke deltagerne godt nok, så estimaterne kan være "
        "skæve.",
        "Overlap: even after matching a model can tell the participants from their controls; "
        "only {value} of the participants or of the controls lie in the equipoise zone "
        "(required: at least {threshold}). The controls do not resemble the participants well "
        "enough, so the estimates may be biased.",
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
    "flow.in_cohorts": (
        "Start i kontraktens kohorter",
        "Started in the contract's cohorts",
    ),
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
        "ingen kandidat i samme stratum (kalendermåned, køn, aldersgruppe og de øvrige krav om "
        "ens værdier, se metoden)",
        "no candidate in the same stratum (calendar month, sex, age band and the other exact "
        "criteria, see the methods)",
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
        "forskellen før. Stiplet linje: grænsen {threshold}. Alle står i tabellen nedenfor; "
        "«< 5 pers.» betyder, at tallet ville vise færre end 5 personer og er udeladt.",
        "Standardised difference (|SMD|) before (open circle) and after matching (filled) for "
        "the {shown} of {n} covariates with the largest difference before or after, sorted by "
        "the difference before. Dashed line: the limit {threshold}. All are in the table below; "
        "'< 5 pers.' means that the figure would reveal fewer than 5 persons and is left out.",
    ),
    "balance.table": ("Alle {n} baggrundsforhold (tabel)", "All {n} covariates (table)"),
    "balance.covariate": ("Baggrundsforhold", "Covariate"),
    "balance.mean_p": ("Gns. deltagere", "Mean participants"),
    "balance.mean_cb": ("Gns. befolkning (før)", "Mean population (before)"),
    "balance.mean_ca": ("Gns. kontroller (efter)", "Mean controls (after)"),
    "balance.smd_before": ("SMD før", "SMD before"),
    "balance.suppressed": ("< 5 pers.", "< 5 pers."),
    "balance.smd_after": ("SMD efter", "SMD after"),
    "balance.none": (
        "Effektfilen indeholder ingen balancetabel.",
        "The effect file holds no balance table.",
    ),
    # -- overlap ------------------------------------------------------------------------------
    "overlap.intro": (
        "En model beregner for hver person sandsynligheden for at deltage ud fra "
        "baggrundsforholdene (propensity score). AUC {auc}: hvor godt modellen skelner deltagere "
        "fra målgruppen (0,5 = slet ikke, 1 = fuldstændigt). Et forløb for dem, der har mest "
        "brug for det, giver en høj AUC: deltagerne ligner kun få i befolkningen, og kun "
        "{equipoise_population} af deltagerne ligger i ligevægtszonen (præferencescore 0,3–0,7) "
        "over for hele målgruppen. Det er ikke et problem i sig selv, for sammenligningen "
        "bruger kun de kontroller, der ligner deltagerne: en kontrol må højst ligge {caliper} "
        "fra sin deltager på scorens logit-skala (caliper). Testen gælder derfor "
        "sammenligningen efter matchning: en ny model, der skal skelne de matchede deltagere fra "
        "deres kontroller, har AUC {auc_matched}, og {equipoise} af begge grupper ligger i "
        "ligevægtszonen (krav: mindst {min_equipoise}).",
        "A model gives each person the probability of taking part from the covariates (the "
        "propensity score). AUC {auc}: how well the model tells participants from the target "
        "group (0.5 = not at all, 1 = perfectly). A programme for those who need it most has a "
        "high AUC: few people resemble the participants, and only {equipoise_population} of the "
        "participants lie in the equipoise zone (preference score 0.3–0.7) against the whole "
        "target group. That is no problem in itself, since the comparison uses only the controls "
        "that resemble the participants: a control may lie at most {caliper} from its "
        "participant on the logit scale of the score (the caliper). The gate therefore asks about "
        "the comparison after matching: a new model that tries to tell the matched participants "
        "from their controls has AUC {auc_matched}, and {equipoise} of both groups lie in the "
        "equipoise zone (required: at least {min_equipoise}).",
    ),
    "overlap.caption": (
        "Før matchning: præferencescoren (propensity score justeret for gruppernes størrelse) "
        "for deltagere og kontrolkandidater i målgruppen. Grå zone: ligevægtszonen 0,3–0,7. "
        "Intervaller med få personer er lagt sammen; deres andel er fordelt over intervallets "
        "bredde.",
        "Before matching: the preference score (the propensity score adjusted for the sizes of "
        "the groups) for participants and control candidates in the target group. Grey zone: "
        "the equipoise zone 0.3–0.7. Intervals with few persons are merged; their share is "
        "spread over the interval's width.",
    ),
    "overlap.caption_matched": (
        "Efter matchning: præferencescoren fra en model, der skelner de matchede deltagere fra "
        "deres kontroller (testen). Jo mere af begge grupper omkring 0,5, jo mere ligner "
        "kontrollerne deltagerne.",
        "After matching: the preference score from a model that tells the matched participants "
        "from their controls (the gate). The more of both groups near 0.5, the more the "
        "controls resemble the participants.",
    ),
    "overlap.none": (
        "Effektfilen indeholder ingen fordeling af præferencescoren.",
        "The effect file holds no preference-score distribution.",
    ),
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
        "regression (styrke {penalty}) på baggrundsforholdene: {groups}. Kontroller ligger højst "
        "{caliper} standardafvigelser af logit'en fra deltageren (caliper), op til {ratio} "
        "kontroller pr. deltager (1:{ratio}) uden tilbagelægning.",
        "The probability of taking part (propensity score) comes from a regularised logistic "
        "regression (strength {penalty}) on the covariates: {groups}. Controls lie at most "
        "{caliper} standard deviations of the logit from the participant (caliper), up to "
        "{ratio} controls per participant (1:{ratio}) without replacement.",
    ),
    "methods.history": (
        "Deltagere og kontroller matches desuden præcist på den akutte sygehistorie: en krise "
        "(akut indlæggelse eller skadestuebesøg) i de sidste 3 måneder før start, ja eller nej, "
        "og en akut indlæggelse tidligere i de 2 år før, ja eller nej. Den, der henvises midt i "
        "en krise, falder af sig selv tilbage mod sit normale niveau (regression mod "
        "gennemsnittet); det må ikke ligne en effekt.",
        "Participants and controls are also matched exactly on their acute history: a crisis "
        "(acute admission or emergency visit) in the last 3 months before the start, yes or no, "
        "and an acute admission earlier in the 2 years before, yes or no. Someone referred in a "
        "crisis falls back towards their usual level on their own (regression to the mean); "
        "that must not look like an effect.",
    ),
    "methods.trajectory": (
        "Blandt kandidaterne inden for caliperen vælges de, hvis forbrug måned for måned i de 2 "
        "år før start ligner deltagerens mest (sygehus, lægebesøg, kommunale ydelser og "
        "selvforsørgelse).",
        "Among the candidates within the caliper, those whose use month by month in the 2 years "
        "before the start most resembles the participant's are chosen (hospital, GP, municipal "
        "services and self-support).",
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
}
