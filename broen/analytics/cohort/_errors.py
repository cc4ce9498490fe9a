"""Errors of cohort definitions and builds."""

from __future__ import annotations

from pathlib import Path

from broen.analytics._exceptions import BroenError


class CohortError(BroenError):
    """A cohort cannot be built as asked (a table it needs is missing, an unknown cohort)."""


class CohortDefinitionError(CohortError):
    """A cohort definition file is invalid: ``file:line: message — suggestion`` (one sentence)."""

    def __init__(self, path: Path | str, line: int, message: str, fix: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message.rstrip(".")
        self.fix = fix.rstrip(".")
        end = "" if self.fix.endswith(("?", "!")) else "."
        super().__init__(f"{self.path}:{line}: {self.message} — {self.fix}{end}")
