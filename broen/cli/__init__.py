"""The ``broen`` command: a thin shell over :mod:`broen.analytics`.

Each command parses its options, calls the library and prints the result with rich. A
:class:`~broen.analytics.BroenError` (a problem the user can fix) or an :class:`OSError` (a path
that cannot be used) is printed as one sentence with exit code 1; usage errors exit with 2
(click). Exit codes are listed in docs/cli.md; ``BROEN_TRACEBACK=1`` shows tracebacks.
"""

from __future__ import annotations

# Importing a command module registers its commands on ``cli``.
from broen.cli import _cohort as _cohort
from broen.cli import _commands as _commands
from broen.cli import _demo as _demo
from broen.cli import _estimate as _estimate
from broen.cli import _evaluate as _evaluate
from broen.cli import _panel as _panel
from broen.cli import _risk as _risk
from broen.cli import _settle as _settle
from broen.cli import _timeline as _timeline
from broen.cli._app import cli


def main() -> None:
    cli(prog_name="broen")


__all__ = ["cli", "main"]
