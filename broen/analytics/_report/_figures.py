"""Plots in a report: a matplotlib :class:`~matplotlib.figure.Figure` (not pyplot, so nothing
global holds on to it) embedded in the HTML, inline SVG or a base64 PNG. No file beside the
report, no external asset. The helpers clear the figure once it is drawn. (markupsafe, like
Jinja2, loads on first use.)"""

from __future__ import annotations

import base64
import io
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markupsafe import Markup
    from matplotlib.figure import Figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def figure_svg(fig: Figure) -> Markup:
    """The figure as an inline ``<svg>`` element (no XML declaration, doctype or metadata).

    matplotlib escapes every text it writes into the SVG (labels, titles), so the markup is
    safe to embed even when a label holds ``<``, ``&`` or ``"``."""
    from markupsafe import Markup

    buffer = io.StringIO()
    try:
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        fig.clear()
    text = buffer.getvalue()
    start = text.find("<svg")
    if start < 0:
        raise ValueError("matplotlib wrote no <svg> element")
    return Markup(_METADATA.sub("", text[start:], count=1).strip())


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (no software tag, so the same figure gives the same bytes)."""
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    finally:
        fig.clear()
    return buffer.getvalue()


def embed_png(png: bytes, alt: str) -> Markup:
    """``<img alt="..." src="data:image/png;base64,...">`` for PNG bytes; ``alt`` is required."""
    from markupsafe import Markup

    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG image")
    if not alt.strip():
        raise ValueError("an embedded image needs an alt text")
    data = base64.b64encode(png).decode("ascii")
    return Markup('<img alt="{}" src="data:image/png;base64,{}">').format(alt, data)


def figure_png(fig: Figure, dpi: int = 110, *, alt: str) -> Markup:
    """The figure as an embedded PNG image: :func:`embed_png` of :func:`png_bytes`."""
    return embed_png(png_bytes(fig, dpi), alt)
