"""The report module (broen/analytics/_report): templates, texts, numbers, plots, atomic files,
and the two reports built on it (risk model validation, citizen timeline)."""

from __future__ import annotations

import base64
import os
import re
import stat
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import UndefinedError
from markupsafe import Markup
from matplotlib.figure import Figure

from broen.analytics._report import (
    Translations,
    embed_png,
    environment,
    figure_png,
    figure_svg,
    format_count,
    format_number,
    format_percent,
    png_bytes,
    render,
    write_report,
)
from broen.analytics._timeline import COLUMNS, Marker, Timeline, write_timeline_html
from broen.analytics._timeline import TEXTS as timeline_texts
from broen.analytics.risk import CalibrationBin, Metrics, RiskModel, fit_risk
from broen.analytics.risk import _report as risk_report

HOSTILE = '<script>alert("x")</script>'
TEMPLATES = resources.files("broen.analytics._report") / "templates"

# -- numbers ------------------------------------------------------------------------------------


def test_danish_and_english_numbers() -> None:
    assert format_number(12345.6, "da", 1) == "12.345,6"
    assert format_number(12345.6, "en", 1) == "12,345.6"
    assert format_number(1234567) == "1.234.567"  # Danish by default
    assert format_number(1234567, "en") == "1,234,567"
    assert format_number(-1234.56, "da", 1) == "-1.234,6"
    assert format_number(0.81234, "da", 3) == "0,812"
    assert format_number(0.0123, "en", 3, sign=True) == "+0.012"
    assert format_number(-0.04, "da", 1) == "0,0"  # not "-0,0"
    assert format_number(float("nan"), "en", 2) == "–"
    assert format_percent(0.123, "da") == "12,3 %"
    assert format_percent(0.123, "en") == "12.3 %"
    assert format_percent(0.5, "da", 0) == "50 %"
    assert format_percent(-0.0216, "en", 1, sign=True) == "-2.2 %"
    assert format_percent(0.0216, "da", 1, sign=True) == "+2,2 %"
    with pytest.raises(TypeError):
        format_number("12", "da")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_number(True, "da")


def test_counts_follow_the_small_cell_rule() -> None:
    assert [format_count(n) for n in (0, 1, 4, 5, 12345)] == ["0", "<5", "<5", "5", "12.345"]
    assert format_count(12345, "en") == "12,345"
    assert format_count(3.0) == "<5"  # type: ignore[arg-type]  # pandas counts may be floats
    with pytest.raises(ValueError, match="negative"):
        format_count(-1)
    with pytest.raises(ValueError, match="whole number"):
        format_count(2.5)  # type: ignore[arg-type]


def test_the_template_filters_follow_the_language() -> None:
    source = "{{ x|number(1) }} | {{ s|percent }} | {{ n|count }} | {{ m|count }}"
    values = {"x": 12345.6, "s": 0.123, "n": 3, "m": 1234}
    assert environment("da").from_string(source).render(values) == (
        "12.345,6 | 12,3 % | &lt;5 | 1.234"
    )
    assert environment("en").from_string(source).render(values) == (
        "12,345.6 | 12.3 % | &lt;5 | 1,234"
    )


@given(st.floats(min_value=-1e12, max_value=1e12), st.integers(min_value=0, max_value=4))
def test_danish_is_english_with_the_separators_swapped(x: float, decimals: int) -> None:
    en = format_number(x, "en", decimals)
    assert format_number(x, "da", decimals) == en.translate(str.maketrans(",.", ".,"))
    assert float(en.replace(",", "")) == pytest.approx(round(x, decimals), abs=10**-decimals)


# -- texts --------------------------------------------------------------------------------------


def test_a_missing_text_or_language_is_an_error() -> None:
    texts = Translations({"hello": {"da": "Hej {name}", "en": "Hello {name}"}})
    assert texts.text("hello", "en", name="Peter") == "Hello Peter"
    assert texts.translator("da")("hello", name="Peter") == "Hej Peter"
    with pytest.raises(ValueError, match="No text 'goodbye'"):
        texts.text("goodbye", "da")
    with pytest.raises(ValueError, match="placeholder 'name'"):
        texts.text("hello", "da")
    with pytest.raises(ValueError, match=r"'de': use one of da, en"):
        texts.translator("de")
    with pytest.raises(ValueError, match="missing: en"):
        Translations({"only_danish": {"da": "kun dansk"}})
    with pytest.raises(ValueError, match="unknown: sv"):
        Translations({"three": {"da": "tre", "en": "three", "sv": "tre"}})
    assert Translations.from_pairs({"hello": ("Hej", "Hello")}) == {
        "hello": {"da": "Hej", "en": "Hello"}
    }
    with pytest.raises(ValueError, match="must have 2 texts, in the order da, en"):
        Translations.from_pairs({"hello": ("Hej",)})
    with pytest.raises(ValueError, match="defined twice: hello"):
        _ = texts | {"hello": {"da": "Hej", "en": "Hi"}}
    with pytest.raises(ValueError, match=r"use one of da, en"):
        render("timeline.html", translations=texts, language="fr")


def test_a_template_asking_for_a_missing_text_fails() -> None:
    with pytest.raises(ValueError, match=r"No text 'column\.bogus'"):
        render(
            "timeline.html",
            translations=timeline_texts,
            **_timeline_context(columns=["bogus"]),
        )


def test_strict_undefined() -> None:
    with pytest.raises(UndefinedError):
        environment("da").from_string("{{ missing }}").render()
    with pytest.raises(UndefinedError):
        environment("en").from_string("{{ x.nope }}").render(x=1)
    with pytest.raises(UndefinedError):  # a report rendered without its context
        render("risk_report.html", translations=risk_report.TEXTS)
    with pytest.raises(ValueError, match="Reserved"):
        render("timeline.html", translations=Translations({}), t=str)


# -- escaping and markup ------------------------------------------------------------------------


def _timeline(person_id: str = "p-0001") -> Timeline:
    months = pd.DataFrame(
        [
            {
                **{c: 0.0 for c in COLUMNS},
                "month": date(2020, m, 1),
                "hospital_acute": 12345.6 * m,
                "cost_total": 12345.6 * m,
                "transfer_state": "cash_benefit" if m == 2 else "",
            }
            for m in (1, 2, 3)
        ],
        columns=list(COLUMNS),
    )
    markers = [
        Marker(date(2020, 1, 30), "acute_admission", "akut indlæggelse / acute admission"),
        Marker(date(2020, 2, 3), "referral", f"{HOSTILE}: referral"),
    ]
    return Timeline(person_id, months, markers, "panel")


def _timeline_context(columns: list[str]) -> dict[str, Any]:
    return {
        "person_id": "p",
        "source": "panel",
        "chart": Markup("<svg></svg>"),
        "markers": [],
        "columns": columns,
        "rows": [],
    }


def _risk_model(name: str = "logistic") -> RiskModel:
    """A RiskModel with hand-set results (no fitting): what the report reads."""
    bins = tuple(CalibrationBin(n=n, predicted=p, observed=p) for n, p in ((3, 0.01), (1200, 0.2)))

    def metrics(auc: float) -> Metrics:
        capture = {"1%": 0.123, "5%": 0.3, "10%": 0.45}
        return Metrics(auc, -0.01, 0.95, bins, capture, 0.0712)

    model = RiskModel(target="acute_admission")
    model.model = name  # type: ignore[assignment]  # any text, to test escaping
    model.estimator_ = None  # marks it fitted
    model.metrics_, model.baseline_ = metrics(0.81234), metrics(0.7)
    model.train_months_, model.test_months_ = ["2019-12", "2020-06"], ["2021-06"]
    model.n_train_, model.n_test_ = 12345, 3
    model.prevalence_ = 0.0456
    model.capture_of_ = "acute_admissions"
    model.calibration_ = list(bins)
    return model


def _risk_page(model: RiskModel, language: str) -> str:
    return risk_report.html_report(model, png_bytes(risk_report.plot(model, language)), language)


class _Balance(HTMLParser):
    """Every element opened is closed, in order (void elements excepted)."""

    VOID = frozenset({"meta", "img", "br", "hr", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


def _assert_well_formed(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>\n")
    checker = _Balance()
    checker.feed(page)
    checker.close()
    assert checker.open == []


def test_a_hostile_person_id_and_label_are_escaped(tmp_path: Path) -> None:
    tl = _timeline(HOSTILE)  # and a marker label with HOSTILE
    for language in ("da", "en"):
        page = write_timeline_html(tl, tmp_path / f"{language}.html", language).read_text("utf-8")
        assert "<script" not in page.lower()
        assert "&lt;script&gt;alert(" in page
        _assert_well_formed(page)
    model = _risk_model(HOSTILE)
    page = _risk_page(model, "da")
    assert "<script" not in page.lower() and "&lt;script&gt;" in page


def test_the_risk_report_in_danish_and_english() -> None:
    model = _risk_model()
    da, en = _risk_page(model, "da"), _risk_page(model, "en")
    assert '<html lang="da">' in da and '<html lang="en">' in en
    assert "Risiko for akut indlæggelse inden for de næste 12 måneder" in da
    assert "Risk of acute admission in the next 12 months" in en
    assert "(12.345 personmåneder)" in da and "(12,345 person-months)" in en
    assert "(&lt;5 personmåneder, 4,6 % med udfaldet)" in da
    assert "(&lt;5 person-months, 4.6 % with the outcome)" in en
    assert '<td class="num">0,812</td>' in da and '<td class="num">0.812</td>' in en
    assert '<td class="num">12,3 %</td>' in da and '<td class="num">12.3 %</td>' in en
    assert "fanget af top 1%" in da and "captured by top 1%" in en
    assert "Antal under 5 personer vises som &lt;5." in da
    assert "Counts under 5 persons are shown as &lt;5." in en
    for page in (da, en):
        assert page.count('src="data:image/png;base64,') == 1
        assert '<td class="num">&lt;5</td>' in page  # the decile of 3 persons
        _assert_well_formed(page)


def test_the_timeline_in_danish_and_english(tmp_path: Path) -> None:
    tl = _timeline()
    da = write_timeline_html(tl, tmp_path / "da.html").read_text("utf-8")
    en = write_timeline_html(tl, tmp_path / "en.html", language="en").read_text("utf-8")
    assert '<html lang="da">' in da and '<html lang="en">' in en
    assert '<td class="num">24.691</td>' in da and '<td class="num">24,691</td>' in en
    assert "<th>måned</th>" in da and "<th>month</th>" in en
    assert "Kilde: person-måned-panelet." in da and "Source: the person-month panel." in en
    assert '<div class="warning" role="note">' in da
    for page in (da, en):
        assert page.count("<svg") == 1 and "<?xml" not in page and "<metadata>" not in page
        assert "<li>2020-01-30: akut indlæggelse / acute admission</li>" in page
    with pytest.raises(ValueError, match="use one of da, en"):
        write_timeline_html(tl, tmp_path / "de.html", language="de")
    assert not (tmp_path / "de.html").exists()


# Any reference to something outside the file: a URL, a protocol-relative src/href, a stylesheet,
# a script, a font or an image fetched by CSS. (xmlns="http://www.w3.org/2000/svg" is a name.)
_XMLNS = re.compile(r"""\sxmlns(:\w+)?=("[^"]*"|'[^']*')""")
_EXTERNAL = re.compile(
    r"""https?:|(src|href)\s*=\s*["']?\s*//|<link|<script|@import|url\(\s*["']?(?!#)""",
    re.IGNORECASE,
)


def test_no_report_refers_to_anything_outside_itself(tmp_path: Path) -> None:
    model = _risk_model()
    pages = [_risk_page(model, language) for language in ("da", "en")]
    pages += [
        write_timeline_html(_timeline(), tmp_path / f"{language}.html", language).read_text("utf-8")
        for language in ("da", "en")
    ]
    for page in pages:
        assert not _EXTERNAL.search(_XMLNS.sub("", page))
    for template in TEMPLATES.iterdir():
        assert not _EXTERNAL.search(template.read_text("utf-8")), template.name


# -- plots --------------------------------------------------------------------------------------


def _figure(title: str = "a plot") -> Figure:
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.bar([1, 2], [3, 4])
    ax.set_title(title)
    return fig


def test_figure_svg_is_one_svg_element_and_clears_the_figure() -> None:
    fig = _figure(HOSTILE)
    svg = figure_svg(fig)
    assert isinstance(svg, Markup)
    root = ET.fromstring(str(svg))  # well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert str(svg).startswith("<svg") and "<metadata>" not in svg
    assert "<script" not in svg  # matplotlib escaped the title
    assert fig.axes == []


def test_figure_png_is_an_img_with_a_data_url_and_clears_the_figure() -> None:
    fig = _figure()
    img = figure_png(fig, 50, alt='plot of "a" & <b>')
    assert isinstance(img, Markup)
    data_url = r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"'
    match = re.fullmatch(rf'<img alt="([^"<>]*)" {data_url}>', img)
    assert match is not None
    assert match[1] == "plot of &#34;a&#34; &amp; &lt;b&gt;"
    assert base64.b64decode(match[2], validate=True).startswith(b"\x89PNG\r\n\x1a\n")
    assert fig.axes == []
    with pytest.raises(ValueError, match="not a PNG"):
        embed_png(b"GIF89a", alt="x")
    with pytest.raises(ValueError, match="alt text"):
        embed_png(png_bytes(_figure()), alt=" ")


# -- atomic files -------------------------------------------------------------------------------


def test_write_report_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "report.html"
    assert write_report(path, "<p>første</p>") == path
    assert path.read_text("utf-8") == "<p>første</p>"
    write_report(path, b"\x89PNG")
    assert path.read_bytes() == b"\x89PNG"
    assert os.listdir(path.parent) == ["report.html"]
    if os.name == "posix":  # the same permissions as Path.write_text gives
        plain = tmp_path / "plain.html"
        plain.write_text("x", encoding="utf-8")
        assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
        path.chmod(0o600)  # made private by hand: replacing the report keeps it private
        write_report(path, "again")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(TypeError):
        write_report(path, 12)  # type: ignore[arg-type]


def test_a_failed_rendering_leaves_the_old_report(tmp_path: Path) -> None:
    path = tmp_path / "p-0001.html"
    path.write_text("old report", encoding="utf-8")
    tl = _timeline()
    tl.months = tl.months.assign(unknown_column=1.0)  # no text for its header
    with pytest.raises(ValueError, match=r"No text 'column\.unknown_column'"):
        write_timeline_html(tl, path)
    assert path.read_text("utf-8") == "old report"
    assert os.listdir(tmp_path) == ["p-0001.html"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_leaves_the_old_report_and_no_temporary_file(
    failing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.html"
    path.write_text("old report", encoding="utf-8")

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, disk_full)  # as _write calls it: os.fsync, os.replace
    with pytest.raises(OSError, match="No space"):
        write_report(path, "new report " * 1000)
    assert path.read_text("utf-8") == "old report"
    assert os.listdir(tmp_path) == ["report.html"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX named pipes")
def test_a_link_is_followed_and_a_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.html"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.html"
    link.symlink_to(real)
    assert write_report(link, "new") == link
    assert link.is_symlink() and real.read_text("utf-8") == "new"
    # /dev/stdout, /dev/full or a pipe has no file to replace: replacing it would swap a device
    # (or the pipe) for a regular file. A pipe stands in for them here.
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_report(pipe, "through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.html", "pipe", "real.html"]


# -- wiring -------------------------------------------------------------------------------------


def test_the_templates_are_package_data() -> None:
    names = {t.name for t in TEMPLATES.iterdir()}
    assert {"base.html", "_macros.html", "risk_report.html", "timeline.html"} <= names


def test_fit_risk_refuses_an_unknown_language_before_it_reads(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="use one of da, en"):
        fit_risk(tmp_path / "none.duckdb", language="de", out_dir=tmp_path / "out")
    assert list(tmp_path.iterdir()) == []
