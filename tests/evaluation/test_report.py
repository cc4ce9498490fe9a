"""The effect report (broen/analytics/evaluation/_report.py): rendered only from an effect
document, Danish by default and English on request, gates at the top, flagged estimates marked,
small cells never shown as 1-4, nothing fetched from outside the file, written atomically.

The documents here are hand-made (``effect_doc``) so that every awkward case is present: failed
gates, withheld estimates, ``"<5"`` counts, suppressed estimates and nulls. The example effect
document of Et Liv i Balance (/tmp/ev, made by ``broen evaluate``) is rendered too when it is
there.
"""

from __future__ import annotations

import copy
import os
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from broen.analytics.evaluation._report import html_effect_report, write_effect_report

METRICS = (
    "cost_hospital_acute",
    "acute_admissions",
    "bed_days",
    "weeks_self_supporting",
    "cost_total",
    "cost_municipal",
)
WINDOWS = ([0, 11], [12, 23], [0, 23])

# Any reference to something outside the file (as in tests/analytics/test_report.py; an SVG's
# xmlns="http://www.w3.org/2000/svg" is a name, not a reference).
_XMLNS = re.compile(r"""\sxmlns(:\w+)?=("[^"]*"|'[^']*')""")
_EXTERNAL = re.compile(
    r"""https?:|(src|href)\s*=\s*["']?\s*//|<link|<script|@import|url\(\s*["']?(?!#)""",
    re.IGNORECASE,
)


def _estimate(att: float | None, n: int | str = 40) -> dict[str, Any]:
    if att is None:
        return {
            "att": None,
            "ci_low": None,
            "ci_high": None,
            "se": None,
            "n": n,
            "suppressed": True,
        }
    return {
        "att": att,
        "ci_low": att - abs(att) - 1,
        "ci_high": att + abs(att) + 1,
        "se": abs(att) / 2 + 0.5,
        "n": n,
    }


def _outcome(metric: str, window: list[int], scale: float, flags: list[str]) -> dict[str, Any]:
    by_month = []
    for month in range(-24, 24):
        small = month in (-20, 7)  # months resting on fewer than 5 participants
        by_month.append(
            {
                "month": month,
                "att": None if small else scale * 0.01 * (month % 5 - 2),
                "ci_low": None if small else scale * 0.01 * (month % 5 - 4),
                "ci_high": None if small else scale * 0.01 * (month % 5),
                "n": "<5" if small else 40,
                "mean_participants": None if small else scale * (0.05 + 0.001 * (month + 24)),
                "mean_controls": None if small else scale * 0.05,
            }
        )
    row: dict[str, Any] = {
        "metric": metric,
        "window": window,
        **_estimate(-12345.6 * scale / 1000),
        "naive_before_after": -23456.7 * scale / 1000,
        "naive_ci_low": -30000.0 * scale / 1000,
        "naive_ci_high": -15000.0 * scale / 1000,
        "total": -12345.6 * scale / 1000 * 40,
        "mde": 6789.4 * scale / 1000,
        "placebo": _estimate(150.0 * scale / 1000),
        "flags": flags,
        "by_month": by_month,
    }
    if window == [0, 23]:
        row["event_study"] = {**_estimate(-11000.0 * scale / 1000), "agrees": True}
    return row


SCALE = {
    "cost_hospital_acute": 1000.0,
    "cost_total": 1000.0,
    "cost_municipal": 1000.0,
    "acute_admissions": 0.1,
    "bed_days": 1.0,
    "weeks_self_supporting": 0.5,
}


def effect_doc() -> dict[str, Any]:
    """A small effect document in the shape of ``effects_document``: the balance and the
    negative-control gates fail (every estimate is touched), a subgroup and a month are
    suppressed, and some values are null."""
    gates = [
        {
            "gate": "balance",
            "passed": False,
            "value": 0.25,
            "threshold": 0.1,
            "failing": ["cost_total_m4_6", "flag_diabetes"],
            "affects": ["*"],
        },
        {
            "gate": "equipoise",
            "passed": True,
            "value": 0.45,
            "threshold": 0.2,
            "failing": [],
            "affects": ["*"],
        },
        {
            "gate": "matched_share",
            "passed": True,
            "value": 0.9,
            "threshold": 0.8,
            "failing": [],
            "affects": ["*"],
        },
        {
            "gate": "placebo",
            "passed": True,
            "value": 0.0,
            "threshold": 0.0,
            "failing": [],
            "affects": [],
        },
        {
            "gate": "negative_controls",
            "passed": False,
            "value": 1.0,
            "threshold": 0.0,
            "failing": ["cost_pc_dentist"],
            "affects": ["*"],
        },
    ]
    flags = ["balance", "negative_controls"]
    outcomes = [_outcome(m, list(w), SCALE[m], flags) for m in METRICS for w in WINDOWS]
    outcomes[1] = {**outcomes[1], **_estimate(None, "<5")}  # a suppressed window estimate
    return {
        "format": "broen-effects/1",
        "programme": "test-programme",
        "title": "Sund & <Glad>",
        "generated_at": "2026-03-04T10:00:00+00:00",
        "broen_version": "0.1.0",
        "period": ["2018-01-01", "2024-12-31"],
        "index": "start_date",
        "n_treated": 40,
        "n_controls": 187,
        "n_control_persons": 150,
        "n_candidates": 1234567,
        "flow": [
            {"step": "referred", "n": 61},
            {"step": "started", "n": 48},
            {"step": "index_with_lookback_in_period", "n": 45},
            {"step": "resident_with_full_lookback", "n": 44},
            {"step": "matched", "n": 40},
        ],
        "unmatched": {"no_candidate_in_stratum": "<5", "outside_caliper": 3},
        "propensity": {
            "auc": 0.81,
            "equipoise": 0.45,
            "caliper_logit": 0.12,
            "preference_histogram": {
                "edges": [0.0, 0.3, 0.5, 0.7, 1.0],
                "participants_share": [0.1, 0.3, 0.4, 0.2],
                "controls_share": [0.4, 0.3, 0.2, 0.1],
            },
        },
        "gates": gates,
        "gates_passed": False,
        "estimates_withheld": False,
        "balance": [
            {
                "covariate": "age",
                "smd_before": 0.3,
                "smd_after": 0.01,
                "mean_participants": 51.2,
                "mean_controls_before": 47.0,
                "mean_controls_after": 51.0,
            },
            {
                "covariate": "cost_total_m4_6",
                "smd_before": 0.9,
                "smd_after": 0.25,
                "mean_participants": 12345.6,
                "mean_controls_before": 2000.0,
                "mean_controls_after": 9000.0,
            },
            {
                "covariate": "flag_diabetes",
                "smd_before": 0.5,
                "smd_after": -0.15,
                "mean_participants": 0.4,
                "mean_controls_before": 0.1,
                "mean_controls_after": 0.33,
            },
            {
                "covariate": "a_new_covariate",
                "smd_before": None,
                "smd_after": None,
                "mean_participants": None,
                "mean_controls_before": None,
                "mean_controls_after": None,
            },
        ],
        "config": {
            "source": "defaults",
            "target_group": None,
            "matching": {
                "ratio": 5,
                "caliper_sd": 0.2,
                "period": "month",
                "age_band_years": 5,
                "municipality": True,
                "penalty": 1.0,
                "max_fit_controls": 50000,
            },
            "covariates": {},
            "outcomes": {
                "metrics": list(METRICS),
                "first_month": -24,
                "last_month": 23,
                "baseline": [-12, -1],
                "windows": [list(w) for w in WINDOWS],
                "negative_controls": ["cost_pc_dentist"],
                "measures": ["weight_kg", "smoking"],
                "measure_months": [6, 12],
            },
            "bootstrap": {"replicates": 999, "seed": 7, "confidence": 0.95},
            "gates": {
                "max_abs_smd": 0.1,
                "min_equipoise": 0.2,
                "min_matched_share": 0.8,
                "placebo": True,
                "negative_controls": True,
            },
            "subgroups": ["sex", "age_band"],
        },
        "outcomes": outcomes,
        "negative_controls": [
            {
                "metric": "cost_pc_dentist",
                "window": [0, 23],
                **_estimate(812.0),
                "consistent_with_zero": False,
            },
        ],
        "payers": [
            {
                "payer": "region",
                "kind": "cost",
                "metric": "cost_payer_region",
                "window": [0, 23],
                **_estimate(-20000.0),
                "total_dkk": -800000.0,
                "total_ci_low": -1700000.0,
                "total_ci_high": -40.0,
            },
            {
                "payer": "citizen",
                "kind": "cost",
                "metric": "cost_payer_citizen",
                "window": [0, 23],
                **_estimate(None, "<5"),
                "total_dkk": None,
                "total_ci_low": None,
                "total_ci_high": None,
            },
        ],
        "subgroups": [
            {
                "variable": "sex",
                "level": "F",
                "n_treated": 25,
                "window": [0, 23],
                "estimates": {m: _estimate(-1000.0 * SCALE[m] / 1000) for m in METRICS},
            },
            {
                "variable": "sex",
                "level": "M",
                "n_treated": 15,
                "window": [0, 23],
                "estimates": {m: _estimate(None, 3) for m in METRICS},
            },
            {
                "variable": "age_band",
                "level": "30",
                "n_treated": "<5",
                "window": [0, 23],
                "estimates": {},
            },
            {
                "variable": "age_band",
                "level": "45",
                "n_treated": 3,
                "window": [0, 23],
                "estimates": {},
            },
        ],
        "participant_measures": [
            {
                "measure": "weight_kg",
                "month": 6,
                "n_referred": 61,
                "n_started": 48,
                "n_baseline": 44,
                "n_answered": 30,
                "baseline_mean": 112.25,
                "follow_up_mean": 104.5,
                "change": -7.75,
                "ci_low": -9.5,
                "ci_high": -6.0,
                "share_free_answered": None,
                "share_free_started": None,
                "uncontrolled": True,
            },
            {
                "measure": "weight_kg",
                "month": 12,
                "n_referred": 61,
                "n_started": 48,
                "n_baseline": 44,
                "n_answered": "<5",
                "baseline_mean": None,
                "follow_up_mean": None,
                "change": None,
                "ci_low": None,
                "ci_high": None,
                "share_free_answered": None,
                "share_free_started": None,
                "uncontrolled": True,
            },
            {
                "measure": "smoking",
                "month": 6,
                "n_referred": 61,
                "n_started": 48,
                "n_baseline": 40,
                "n_answered": 26,
                "baseline_mean": 1.0,
                "follow_up_mean": 0.54,
                "change": -0.46,
                "ci_low": -0.65,
                "ci_high": -0.27,
                "share_free_answered": 0.46,
                "share_free_started": 0.25,
                "uncontrolled": True,
            },
        ],
    }


def withheld_doc() -> dict[str, Any]:
    """What ``--strict`` writes when a gate fails: design and gates, no estimates."""
    doc = effect_doc()
    for key in ("negative_controls", "payers", "subgroups", "participant_measures"):
        del doc[key]
    doc["outcomes"] = []
    doc["estimates_withheld"] = True
    return doc


def passed_doc() -> dict[str, Any]:
    """Every gate passes but the placebo test of one metric: only that metric is flagged."""
    doc = effect_doc()
    for g in doc["gates"]:
        g["passed"], g["failing"] = True, []
        g["affects"] = ["*"] if g["gate"] in ("balance", "equipoise", "matched_share") else []
    placebo = doc["gates"][3]
    placebo.update(passed=False, value=1.0, failing=["bed_days"], affects=["bed_days"])
    for row in doc["outcomes"]:
        row["flags"] = ["placebo"] if row["metric"] == "bed_days" else []
    for b in doc["balance"]:
        b["smd_after"] = 0.01
    doc["negative_controls"][0]["consistent_with_zero"] = True
    return doc


DOCS = {"effects": effect_doc, "withheld": withheld_doc, "placebo": passed_doc}


@cache
def page_of(kind: str, language: str = "da") -> str:
    """The rendered page of one of the documents above (rendered once per test run)."""
    return html_effect_report(DOCS[kind](), language)


class _Cells(HTMLParser):
    """The text of each table cell (td), by class."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self._open: list[str] | None = None
        self._class = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td":
            self._open, self._class = [], dict(attrs).get("class") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._open is not None:
            self.cells.append((self._class, "".join(self._open).strip()))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def _cells(page: str) -> list[tuple[str, str]]:
    parser = _Cells()
    parser.feed(page)
    return parser.cells


def _body(page: str) -> str:
    return page[page.index("<main>") :]


# -- the gates --------------------------------------------------------------------------------


def test_failed_gates_are_a_warning_at_the_top_in_plain_words() -> None:
    page = page_of("effects")
    body = _body(page)
    warning = body.index('id="gates-warning"')
    assert warning < body.index("<h2"), "the warning comes before every section"
    box = body[warning : body.index("</div>", warning)]
    assert "Advarsel: 2 af kontrollerne bestod ikke." in box
    assert "ikke sammenlignelige på 2 baggrundsforhold" in box
    assert "kan derfor være skæve" in box
    assert "systematisk fejl" in box and "Tandlægeudgifter" in box
    assert "markeret med ⚠" in box
    # the table of all gates: gate, value, threshold, passed
    assert page.count("✗ ikke bestået") == 2 and page.count("✓ bestået") == 3
    assert "mindst 20,0 %" in page and "45,0 %" in page and "under 0,10" in page
    assert "1 udfald" in page  # the failing negative control, not a bare number


def test_estimates_touched_by_a_failed_gate_are_marked() -> None:
    page = page_of("effects", "en")
    # every window row of every outcome carries the marker in its effect cell
    marked = re.findall(r'<td class="num">[^<]*<span class="flag" title="([^"]*)">⚠</span>', page)
    assert len(marked) >= len(METRICS) * len(WINDOWS)
    assert "balance, negative controls" in marked
    assert "⚠ = the estimate is touched by a check that did not pass" in page
    # only the metric whose own placebo test failed is marked when the rest pass
    page = page_of("placebo", "en")
    bed_days = page[page.index('id="outcome-bed_days"') : page.index('id="outcome-weeks_self')]
    acute = page[
        page.index('id="outcome-cost_hospital_acute"') : page.index('id="outcome-acute_admissions"')
    ]
    assert bed_days.count('title="placebo test">⚠') == len(WINDOWS)
    assert 'class="flag"' not in acute
    assert "Warning: 1 of the checks did not pass." in page


def test_withheld_estimates_show_only_design_and_gates(tmp_path: Path) -> None:
    page = write_effect_report(withheld_doc(), tmp_path / "r.html").read_text("utf-8")
    body = _body(page)
    assert body.index("Estimaterne er tilbageholdt") < body.index("<h2")
    assert "--strict" in page
    for section in ('id="gates"', 'id="flow"', 'id="balance"', 'id="overlap"', 'id="methods"'):
        assert section in page
    for section in (
        'id="outcomes"',
        'id="payers"',
        'id="subgroups"',
        'id="measures"',
        'id="negative-controls"',
        "Krydstjek",
    ):
        assert section not in page
    assert "Effekterne er tilbageholdt" in page


def test_all_gates_passed_says_so() -> None:
    doc = passed_doc()
    doc["gates"][3].update(passed=True, failing=[], affects=[])
    for row in doc["outcomes"]:
        row["flags"] = []
    page = html_effect_report(doc)
    assert 'id="gates-warning"' not in page and "⚠" not in page
    assert (
        "Alle kontroller bestod" in page and "Alle 5 kontroller af sammenligningen bestod." in page
    )


# -- small cells, nulls ---------------------------------------------------------------------


def test_no_count_of_one_to_four_is_shown() -> None:
    for language in ("da", "en"):
        page = page_of("effects", language)
        cells = _cells(page)
        small = [text for cls, text in cells if "num" in cls and re.fullmatch(r"[1-4]", text)]
        assert not small, small
        text = re.sub(r"<[^>]+>", " ", _body(page))
        assert not re.search(r"\(n = [1-4]\)|\bn [1-4]\b", text)
        # the flow, the unmatched, a subgroup written as 3 and "<5", a measure's answered
        assert ("num", "<5") in cells
        assert sum(1 for cls, text in cells if text == "<5") >= 5
        assert ("Antal under 5 personer vises som &lt;5." in page) == (language == "da")


def test_nulls_and_suppressed_estimates_render_as_dashes() -> None:
    page = page_of("effects")
    cells = _cells(page)
    assert ("num", "–") in cells  # a suppressed window, a payer, a measure at 12 months
    assert "undertrykt (under 5 personer)" in page
    # a document with almost nothing in it still renders
    bare = html_effect_report({"title": "Kun en titel", "outcomes": None, "gates": "nonsense"})
    assert "Effekt af Kun en titel" in bare and "Effektfilen indeholder ingen" in bare


# -- language, numbers, self-containment -------------------------------------------------------


def test_balance_means_that_would_reveal_few_persons_are_marked() -> None:
    doc = DOCS["effects"]()
    doc["balance"].append(
        {
            "covariate": "flag_cancer",
            "smd_before": None,
            "smd_after": 0.02,
            "mean_participants": None,
            "mean_controls_before": 0.031,
            "mean_controls_after": None,
            "suppressed": True,
        }
    )
    page = html_effect_report(doc, "da")
    texts = [text for _, text in _cells(page)]
    at = texts.index("< 5 pers.")
    # participants, candidates before, controls after, SMD before, SMD after
    assert texts[at : at + 5] == ["< 5 pers.", "0,03", "< 5 pers.", "< 5 pers.", "0,020"]
    assert "færre end 5 personer" in page


def test_danish_number_formatting_and_names() -> None:
    page = page_of("effects")
    assert '<html lang="da">' in page
    assert "-12.346" in page  # an effect in kroner, thousands separator "."
    assert "+0,25" in page or "-0,25" in page or "-1,23" in page  # decimals with ","
    assert "1.234.567" in page  # candidates
    assert "Akutte sygehusudgifter" in page and "Uger i selvforsørgelse" in page
    assert "Akutte indlæggelser" in page and "Sengedage" in page
    assert "Samlede udgifter" in page and "Kommunale udgifter" in page
    assert "besparelse" in page and "Region" in page
    assert "Sund &amp; &lt;Glad&gt;" in page and "<Glad>" not in page  # escaped
    assert "Metode i korte træk" in page and "1:5" in page and "999 gentagelser" in page
    assert "startværdi 7" in page


def test_english_version_has_english_headings_and_numbers() -> None:
    page = page_of("effects", "en")
    assert '<html lang="en">' in page
    for heading in (
        "Summary",
        "Checks of the comparison",
        "From referral to analysis",
        "Balance: were the groups alike before the start?",
        "Effect on the key outcomes",
        "Who pays – and who saves?",
        "Subgroups",
        "Participant-only measures",
        "Negative controls",
        "Methods in brief",
    ):
        assert f">{heading}<" in page or f">{heading} <" in page, heading
    assert "UNCONTROLLED" in page and "1,234,567" in page and "-12,346" in page
    assert "Resumé" not in page and "Metode" not in page
    with pytest.raises(ValueError, match="use one of da, en"):
        html_effect_report(effect_doc(), "de")


def test_the_page_refers_to_nothing_outside_itself() -> None:
    for kind in ("effects", "withheld"):
        for language in ("da", "en"):
            page = page_of(kind, language)
            assert not _EXTERNAL.search(_XMLNS.sub("", page))
            assert "<svg" in page and "<img" not in page


def test_sections_come_in_order_with_the_plots() -> None:
    page = page_of("effects")
    order = [
        "summary",
        "gates",
        "flow",
        "balance",
        "overlap",
        "outcomes",
        "payers",
        "subgroups",
        "measures",
        "negative-controls",
        "methods",
    ]
    positions = [page.index(f'<h2 id="{key}"') for key in order]
    assert positions == sorted(positions)
    # the flow, love, overlap, five key outcomes and one more, payers and subgroups
    assert page.count("<svg") == 3 + len(METRICS) + 2
    assert page.count("<details") >= 3  # the balance table, the other outcome, subgroups
    assert "UKONTROLLERET" in page and "Røgfri blandt alle startede" in page
    assert "25,0 %" in page and "46,0 %" in page


# -- writing ------------------------------------------------------------------------------


def test_the_report_is_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    assert write_effect_report(effect_doc(), target) == target
    first = target.read_text("utf-8")
    assert first.startswith("<!DOCTYPE html>") and first.rstrip().endswith("</html>")
    # rendering fails: nothing is written
    with pytest.raises(ValueError):
        write_effect_report(effect_doc(), target, language="fr")
    assert target.read_text("utf-8") == first
    # writing fails at the rename: the old file stays, no temporary file is left behind

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_effect_report(effect_doc(), target, language="en")
    assert target.read_text("utf-8") == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_the_document_is_not_changed() -> None:
    doc = effect_doc()
    before = copy.deepcopy(doc)
    html_effect_report(doc, "en")
    assert doc == before
