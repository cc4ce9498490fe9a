"""The effect report in a real browser: Debian's headless Chromium, driven by Playwright.

The page is opened from its file with every request but the file itself aborted, and checked as
a reader sees it: nothing fetched, no console errors, the warning of a failed gate at the top,
every plot drawn with a size, both languages, and no table wider than the page or text spilling
out of its cell, at 1280 and at 800 px. Screenshots of each go to the test's tmp folder. The
document is test_report.py's ``effect_doc`` (two gates failed), and once more with estimates
a hundred times larger: the long numbers of a real evaluation ("-3.541.777 til +632.895").

Chromium is a system package (``make test`` installs it with apt-get: Playwright's own browser
download does not work here). Without it these tests fail, they do not skip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from broen.analytics.evaluation._report import write_effect_report
from tests.evaluation.test_report import METRICS, effect_doc

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
MISSING = (
    f"Chromium is missing ({CHROMIUM}): run `make test`, which installs it with apt-get "
    "(packages chromium and chromium-driver) before running pytest."
)
WIDTHS = (1280, 800)
HEIGHT = 900
# the flow, love and overlap plots, one per outcome, payers and subgroups (test_report.py)
PLOTS = 3 + len(METRICS) + 2
ESTIMATES = {
    "att",
    "ci_low",
    "ci_high",
    "total",
    "mde",
    "naive_before_after",
    "naive_ci_low",
    "naive_ci_high",
    "total_dkk",
    "total_ci_low",
    "total_ci_high",
}


def _larger(value: Any, key: str = "") -> Any:
    """``value`` with every estimate in it multiplied by 137.3."""
    if isinstance(value, dict):
        return {k: _larger(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_larger(v, key) for v in value]
    if key in ESTIMATES and isinstance(value, int | float) and not isinstance(value, bool):
        return value * 137.3
    return value


def large_doc() -> dict[str, Any]:
    larger: dict[str, Any] = _larger(effect_doc())
    return larger


DOCS: dict[str, Callable[[], dict[str, Any]]] = {"effects": effect_doc, "large": large_doc}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(MISSING, pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev group has it
        pytest.fail("Playwright is not installed: run `make test`.", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


def test_chromium_is_installed() -> None:
    if not CHROMIUM.exists():
        pytest.fail(MISSING, pytrace=False)


@dataclass
class Visit:
    """A report opened in the browser, with what happened while it loaded."""

    language: str
    kind: str
    url: str
    page: Page
    folder: Path
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open_details(self) -> None:
        """Open every folded part (the balance table, other outcomes, subgroups as a table)."""
        self.page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")

    def screenshot(self, name: str) -> Path:
        path = self.folder / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture(
    scope="module", params=[("da", "effects"), ("en", "effects"), ("da", "large")], ids="-".join
)
def visit(
    request: pytest.FixtureRequest, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Visit]:
    language, kind = request.param
    folder = tmp_path_factory.mktemp(f"report-{language}-{kind}")
    path = write_effect_report(DOCS[kind](), folder / "report.html", language)
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})
    page = context.new_page()
    seen = Visit(language, kind, path.as_uri(), page, folder)

    def only_the_file(route: Route) -> None:
        if route.request.url == seen.url:
            route.continue_()
        else:
            route.abort()

    context.on("request", lambda r: seen.requests.append(r.url))
    context.route("**/*", only_the_file)
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.goto(seen.url, wait_until="load")
    yield seen
    context.close()


# JavaScript: where an element is, for messages (its id, its section's heading or outcome)
_WHERE = """
    const where = el =>
        (el.closest('[id]') || el.closest('section')?.querySelector('h2'))?.id || '?';"""


def test_nothing_is_fetched_and_nothing_fails(visit: Visit) -> None:
    others = [u for u in visit.requests if u != visit.url and not u.startswith("data:")]
    assert visit.requests and others == [], others
    assert visit.errors == []


def test_the_gates_warning_is_the_first_thing_seen(visit: Visit) -> None:
    for width in WIDTHS:
        visit.page.set_viewport_size({"width": width, "height": HEIGHT})
        warning = visit.page.locator("#gates-warning")
        assert warning.is_visible()
        box = warning.bounding_box()
        first_section = visit.page.locator("h2").first.bounding_box()
        assert box is not None and first_section is not None
        assert box["y"] + box["height"] <= first_section["y"], "above every section"
        assert box["y"] + box["height"] <= HEIGHT, f"in view without scrolling at {width} px"
        text = warning.inner_text()
        assert ("Advarsel: 2 af" if visit.language == "da" else "Warning: 2 of") in text
    visit.page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})


def test_every_plot_is_drawn_with_a_size(visit: Visit) -> None:
    visit.open_details()
    sizes: list[list[Any]] = visit.page.evaluate(
        """() => {"""
        + _WHERE
        + """
            return Array.from(document.querySelectorAll('svg, img'))
                .filter(el => !el.parentElement.closest('svg'))
                .map(el => [where(el), el.getBoundingClientRect().width,
                            el.getBoundingClientRect().height]);
        }"""
    )
    assert len(sizes) == PLOTS
    empty = [s for s in sizes if not (s[1] > 50 and s[2] > 50)]
    assert empty == [], empty
    # an inline SVG with text in it: the plots are drawn, not placeholders
    assert visit.page.locator("figure svg text, figure svg use").count() > 100


def test_the_page_is_in_its_language(visit: Visit) -> None:
    page = visit.page
    assert page.locator("html").get_attribute("lang") == visit.language
    da = visit.language == "da"
    assert (
        page.locator("h1").inner_text() == ("Effekt af " if da else "Effect of ") + "Sund & <Glad>"
    )
    assert page.locator("h2#summary").inner_text() == ("Resumé" if da else "Summary")
    assert page.locator("h2#methods").inner_text() == (
        "Metode i korte træk" if da else "Methods in brief"
    )
    body = page.locator("body").inner_text()
    assert ("1.234.567" if da else "1,234,567") in body
    assert ("Summary" in body) != da and ("Resumé" in body) == da


# Text wider than its box, by more than rounding: the page, tables and cells.
_OVERFLOW = (
    """() => {"""
    + _WHERE
    + """
    const out = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1)
        out.push(['page', root.scrollWidth, root.clientWidth]);
    for (const table of document.querySelectorAll('table')) {
        const r = table.getBoundingClientRect();
        if (r.width > 0 && r.right > root.clientWidth + 1)
            out.push(['table', where(table), r.right]);
    }
    for (const cell of document.querySelectorAll('th, td')) {
        if (cell.scrollWidth > cell.clientWidth + 1)
            out.push(['cell', cell.innerText.slice(0, 60), cell.scrollWidth, cell.clientWidth]);
    }
    return out;
}"""
)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_text_is_cut_off(visit: Visit, width: int) -> None:
    visit.page.set_viewport_size({"width": width, "height": HEIGHT})
    visit.open_details()
    overflow = visit.page.evaluate(_OVERFLOW)
    shot = visit.screenshot(f"effect-report-{visit.language}-{visit.kind}-{width}")
    visit.page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    assert overflow == [], f"{overflow} (see {shot})"
