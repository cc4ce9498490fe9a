"""The click group that every command registers on."""

from __future__ import annotations

from typing import Any

import click

from broen import __version__
from broen.analytics import BroenError


class _Group(click.Group):
    """Turns library errors into one clear sentence and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BroenError as err:
            raise click.ClickException(str(err)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="broen")
def cli() -> None:
    """Broen: find the citizens who need prevention most, follow programmes across sectors,
    show what works and for whom, and settle payment for what works."""
