"""Broen's HTML reports: Jinja2 templates, texts in Danish and English, embedded plots and
atomic files. Every report (risk model validation, citizen timeline, ...) is built with it.

    texts = Translations.from_pairs({"title": ("Effekt", "Effect")})  # key: (Danish, English)
    html = render("my_report.html", translations=texts, language="da", figure=figure_svg(fig))
    write_report(path, html)

- :func:`render` renders ``templates/<name>.html`` (which extends ``base.html``) with autoescape,
  StrictUndefined, ``t("key")`` for texts and the filters ``number``, ``percent`` and ``count``
  in the report's language.
- :class:`Translations` is a report's catalogue ``key -> {"da": ..., "en": ...}``; a missing
  key or an unknown language is an error.
- :func:`figure_svg` / :func:`figure_png` embed a matplotlib Figure (inline SVG, base64 PNG).
- :func:`format_number`, :func:`format_percent`, :func:`format_count` are the filters for use
  in Python (plot labels, texts with placeholders).
- :func:`write_report` writes the file atomically (temporary file + ``os.replace``).

See docs/reports.md.
"""

from broen.analytics._report._figures import embed_png, figure_png, figure_svg, png_bytes
from broen.analytics._report._format import format_count, format_number, format_percent
from broen.analytics._report._render import BASE_TEXTS, environment, render
from broen.analytics._report._translations import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Translations,
    check_language,
)
from broen.analytics._report._write import write_report

__all__ = [
    "BASE_TEXTS",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Translations",
    "check_language",
    "embed_png",
    "environment",
    "figure_png",
    "figure_svg",
    "format_count",
    "format_number",
    "format_percent",
    "png_bytes",
    "render",
    "write_report",
]
