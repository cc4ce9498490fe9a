"""The texts of the effect report's results (Danish, English): the summary, the outcomes and
their plots, payers, subgroups, participant-only measures, negative controls and units. Part
of the catalogue ``TEXTS`` of ``_report_texts.py``."""

from __future__ import annotations

RESULTS: dict[str, tuple[str, str]] = {
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
        "start. Krydstjek (event study): den samme effekt regnet på en anden måde, kun blandt "
        "deltagerne, med dem der først starter senere som sammenligning; de to bør stort set "
        "stemme overens.",
        "Minimum detectable effect: the study cannot be expected to find smaller effects (80 % "
        "power, 5 % significance). Naive before/after: the participants' own months {after} "
        "minus months {before}; the gap to the effect comes among other things from many "
        "starting after a period of high use that would have fallen anyway. Placebo: the same "
        "computation before the start, as if the start were in month {placebo_start}; there "
        "can be no effect before the start. Cross-check (event study): the same effect "
        "computed another way, among the participants only, with those who start later as the "
        "comparison; the two should broadly agree.",
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
    "measures.month": ("Måned efter start", "Month after start"),
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
    "unit.head.noun": ("{noun} pr. deltager", "{noun} per participant"),
    "interval": ("{low} til {high}", "{low} to {high}"),
    "months_range": ("{first} til {last}", "{first} to {last}"),
}
