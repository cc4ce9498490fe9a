"""File names built from identifiers (person ids, targets, months), confined to their folder.

An identifier is data, not a path: ``broen timeline ../../../x`` must not write outside
``broen-data/timeline``. :func:`file_name` maps any identifier to one harmless file name, and
:func:`path_in` joins it to a folder and refuses the result unless it resolves inside that folder
(a symlink planted in the folder that points elsewhere is refused too).

The mapping is injective, also on case-insensitive file systems (Windows, macOS):

- an identifier of at most 64 characters from ``a-z 0-9 _ -``, starting with a letter or digit,
  and not a Windows device name (``con``, ``nul``, ``com1`` …), is the file name itself, so a
  pseudonym ``p3f…`` gives ``p3f….html``;
- any other identifier gives ``<readable stem>~<128-bit SHA-256 prefix>``. A kept name never
  contains ``~``, so the two kinds never meet, and two hashed names differ in their hash.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from broen.analytics._exceptions import ConfigurationError

MAX_KEPT = 64
STEM_LENGTH = 40
HASH_HEX = 32  # 128 bits: no collision by chance, none by search either
_KEPT = re.compile(r"[a-z0-9][a-z0-9_-]*")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_AFFIX = re.compile(r"[a-z0-9_.-]*")
_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{k}{n}" for k in ("com", "lpt") for n in range(10)}
)


def file_name(identifier: str) -> str:
    """A file name (without suffix) for ``identifier``: no separator, no ``..``, no NUL, no
    leading dot or dash, at most 73 characters, and different identifiers give different names.
    """
    if len(identifier) <= MAX_KEPT and _KEPT.fullmatch(identifier) and identifier not in _DEVICES:
        return identifier
    stem = _UNSAFE.sub("_", identifier).strip("_-")[:STEM_LENGTH] or "id"
    digest = hashlib.sha256(identifier.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{stem}~{digest[:HASH_HEX]}"


def path_in(folder: Path, identifier: str, *, prefix: str = "", suffix: str = "") -> Path:
    """``folder / (prefix + file_name(identifier) + suffix)``, checked to resolve inside
    ``folder``. ``prefix`` and ``suffix`` are Broen's own constants (``"model-"``, ``".html"``).
    """
    if not (_AFFIX.fullmatch(prefix) and _AFFIX.fullmatch(suffix)) or prefix.startswith("."):
        raise ValueError(f"unsafe file name prefix or suffix: {prefix!r}, {suffix!r}")
    path = folder / f"{prefix}{file_name(identifier)}{suffix}"
    if path.resolve().parent != folder.resolve():
        raise ConfigurationError(
            f"Refusing to use {path}: it leads out of {folder} (a link?); remove it and run again."
        )
    return path
