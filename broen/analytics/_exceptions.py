"""Exceptions of broen.analytics.

    BroenError                 base class: a problem a user can act on; one clear sentence
    ├── ExtractError           an extract cannot be read (missing file or column, bad encoding,
    │                          unknown table, unreadable file): the import stops, nothing changes
    ├── WarehouseError         the warehouse file is unusable (newer schema, locked, corrupt)
    ├── KeyFileError           a pseudonymisation key is missing, unreadable or too short
    └── ConfigurationError     invalid options or configuration

Anything else that escapes is a bug and is shown with a traceback.
"""

from __future__ import annotations


class BroenError(Exception):
    """A problem the user can act on. ``str(err)`` is one sentence that says what to do."""


class ExtractError(BroenError):
    """The extract cannot be imported as it is."""


class WarehouseError(BroenError):
    """The warehouse cannot be opened or written."""


class KeyFileError(BroenError):
    """The pseudonymisation key is missing or unusable."""


class ConfigurationError(BroenError):
    """An option or a configuration value is invalid."""
