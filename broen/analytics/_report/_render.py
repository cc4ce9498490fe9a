"""The Jinja2 environment of Broen's reports and :func:`render`.

One environment per language (cached): templates from ``templates/`` in this package,
autoescaping on for every template, :class:`~jinja2.StrictUndefined` (a misspelt or missing
variable is an error, not an empty string), and the language's filters:

    number(decimals=0, sign=False)   12.345,6 / 12,345.6
    percent(decimals=1, sign=False)  a share 0.123 as 12,3 % / 12.3 %
    count                            a count of persons; 0 < n < 5 as <5

Globals: ``language`` ("da" or "en") and ``small_cell`` (5). :func:`render` adds ``t``, the
report's texts (its :class:`Translations` together with :data:`BASE_TEXTS`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from broen.analytics._privacy import SMALL_CELL
from broen.analytics._report._format import format_count, format_number, format_percent
from broen.analytics._report._translations import DEFAULT_LANGUAGE, Translations, check_language

if TYPE_CHECKING:
    from jinja2 import Environment

# Texts of the shared templates (base.html, _macros.html), available to every report.
BASE_TEXTS = Translations(
    {
        "small_cell_note": {
            "da": "Antal under {k} personer vises som <{k}.",
            "en": "Counts under {k} persons are shown as <{k}.",
        },
    }
)
_RESERVED = frozenset({"t", "language", "small_cell"})


@cache
def environment(language: str) -> Environment:
    """The report environment for ``language`` (one per language, made once)."""
    # Jinja2 loads here, not with the module: importing broen.analytics stays as fast as it was.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    check_language(language)
    env = Environment(
        loader=PackageLoader("broen.analytics._report", "templates"),
        autoescape=select_autoescape(("html",), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )

    def number(value: float, decimals: int = 0, sign: bool = False) -> str:
        return format_number(value, language, decimals, sign=sign)

    def percent(share: float, decimals: int = 1, sign: bool = False) -> str:
        return format_percent(share, language, decimals, sign=sign)

    def count(n: int) -> str:
        return format_count(n, language)

    env.filters.update(number=number, percent=percent, count=count)
    env.globals.update(language=language, small_cell=SMALL_CELL)
    return env


def render(
    template: str,
    *,
    translations: Translations,
    language: str = DEFAULT_LANGUAGE,
    **context: Any,
) -> str:
    """Render ``templates/<template>`` in ``language`` with the report's ``translations``
    (as ``t``) and ``context``. Errors (a missing variable or text, a value a filter refuses)
    propagate: nothing half-rendered is returned."""
    env = environment(check_language(language))
    clash = sorted(_RESERVED & context.keys())
    if clash:
        raise ValueError(f"Reserved template names cannot be passed: {', '.join(clash)}.")
    t = (BASE_TEXTS | translations).translator(language)
    return env.get_template(template).render(t=t, **context)
