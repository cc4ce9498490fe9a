"""Writing a report file atomically: all of it or none of it.

The content goes to a temporary file in the same folder, is flushed to disk and then renamed
over the target with :func:`os.replace` (atomic on POSIX and Windows). A crash or an error at
any point leaves the previous file, if any, as it was, and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path


def write_report(path: Path, content: str | bytes) -> Path:
    """Write ``content`` (text as UTF-8, or bytes) to ``path`` atomically; returns ``path``.

    The folder is created if needed. A new file gets the usual permissions (0666 less umask);
    a file replaced keeps its permissions (a timeline made private with ``chmod 600`` stays so). A
    link is followed, as :meth:`Path.write_text` does: the file it points to is replaced. A path
    that is not a regular file (``/dev/stdout``, a pipe, ``/dev/full``) is written to directly,
    since there is no file to replace (and replacing a device would be a disaster)."""
    if isinstance(content, str):
        data = content.encode("utf-8")
    elif isinstance(content, bytes):
        data = content
    else:
        raise TypeError(f"a report is str or bytes, not {type(content).__name__}")
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        with target.open("wb") as stream:  # a folder fails here, as it did with write_text
            stream.write(data)
        return path
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
    fd = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode is not None:
                os.chmod(temporary, mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(target.parent)
    return path


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open a folder for this)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # some file systems refuse fsync on a folder
            os.fsync(fd)
    finally:
        os.close(fd)
