"""The click group that every command registers on, and how errors reach the user.

A :class:`~broen.analytics.BroenError` (a problem the user can fix) and an :class:`OSError` (a
path the user gave that cannot be used: permission denied, not a folder, disk full) end in one
sentence and exit code 1. Anything else is a bug and keeps its traceback. With
``BROEN_TRACEBACK=1`` the one-sentence errors show their traceback too, for a bug report.
"""

from __future__ import annotations

import errno
import os
from typing import Any

import click

from broen import __version__
from broen.analytics import BroenError

DEBUG_ENV = "BROEN_TRACEBACK"  # not BROEN_DEBUG: that is the web app's DEBUG setting

# What to do about an OSError, by errno; the operating system's own text says what happened.
_OS_HINTS: dict[int, str] = {
    errno.EACCES: "choose a path you may write to, or change its permissions",
    errno.EPERM: "choose a path you may write to, or change its permissions",
    errno.EROFS: "the file system is read-only, choose another path",
    errno.ENOSPC: "free some space or choose another disk",
    errno.EDQUOT: "free some space or choose another disk",
    errno.ENOTDIR: "a part of the path is a file, choose another path",
    errno.EISDIR: "give a file, not a folder",
    errno.ENOENT: "check that the path and its folders exist",
    errno.EEXIST: "something of that name is in the way, choose another path",
    errno.ENAMETOOLONG: "choose a shorter path",
}


def os_error_sentence(err: OSError) -> str:
    """One sentence for an OSError: what failed on which path, and what to do."""
    hint = _OS_HINTS.get(err.errno or 0, "check the path and its permissions")
    if err.filename is not None:
        reason = err.strerror or type(err).__name__
        return f"Cannot use {err.filename} ({reason}): {hint}."
    detail = " ".join(str(err).split()) or type(err).__name__  # some libraries span lines
    return f"A file operation failed ({detail}): {hint}."


class _Group(click.Group):
    """Turns the user's errors into one sentence and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true")
        try:
            return super().invoke(ctx)
        except BroenError as err:
            if debug:
                raise
            raise click.ClickException(" ".join(str(err).split())) from None
        except OSError as err:
            if debug or err.errno == errno.EPIPE:  # click ends a closed pipe (| head) quietly
                raise
            raise click.ClickException(os_error_sentence(err)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="broen")
def cli() -> None:
    """Broen: find the citizens who need prevention most, follow programmes across sectors,
    show what works and for whom, and settle payment for what works."""
