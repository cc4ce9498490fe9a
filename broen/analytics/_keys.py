"""Pseudonymisation keys: create, load, check how they are kept, and name them safely.

A key is at least 32 random bytes, stored as hexadecimal text in a file readable by its owner
only. The key is never printed; :func:`key_fingerprint` gives a short non-secret name so two
runs can be seen to have used the same key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from pathlib import Path

from broen.analytics._exceptions import KeyFileError

KEY_BYTES = 32
_FINGERPRINT = b"broen/key-fingerprint/v1"


def generate_key(path: Path) -> None:
    """Write a new key (32 random bytes as hex) to ``path`` with mode 0600; never overwrite."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(
            f"{path} already exists: Broen never overwrites a key, since pseudonyms made with "
            "the old key would no longer link: choose another file name."
        ) from None
    except OSError as err:
        raise KeyFileError(f"Cannot create the key file {path}: {err.strerror}.") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def load_key(path: Path) -> bytes:
    """Read a key file: at least 32 bytes written as 64 or more hexadecimal characters."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("ascii").strip()
    except FileNotFoundError:
        raise KeyFileError(
            f"There is no key file at {path}: give the key used for earlier extracts, or create "
            "a new one (then the pseudonyms will not link to earlier ones)."
        ) from None
    except UnicodeDecodeError:
        raise KeyFileError(f"The key file {path} is not hexadecimal text.") from None
    except OSError as err:
        raise KeyFileError(f"Cannot read the key file {path}: {err.strerror}.") from None
    if not re.fullmatch(r"[0-9a-fA-F]*", text) or len(text) % 2:
        raise KeyFileError(f"The key file {path} is not hexadecimal text.")
    if len(text) < 2 * KEY_BYTES:
        raise KeyFileError(
            f"The key in {path} is too short: it must be at least {KEY_BYTES} random bytes, "
            f"written as {2 * KEY_BYTES} hexadecimal characters."
        )
    return bytes.fromhex(text)


def key_file_warnings(path: Path) -> list[str]:
    """Warnings about how a key file is kept (readable by other users)."""
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return []
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return [
            f"The key file {path} can be read by other users (mode {stat.S_IMODE(mode):03o}): "
            f"run chmod 600 {path}."
        ]
    return []


def key_fingerprint(key: bytes) -> str:
    """A short, non-secret name for a key: equal fingerprints mean pseudonyms link."""
    return hmac.new(key, _FINGERPRINT, hashlib.sha256).hexdigest()[:12]
