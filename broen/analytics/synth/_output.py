"""Where ``generate_extract`` writes, without ever harming other files.

A folder that holds anything is refused unless ``overwrite`` is given; even then only the
generator's own files (:func:`own_files`) are replaced, and any other file (notes, a README, a
real extract's ``documentation.pdf``) stays. The extract is written into a staging folder inside
``out_dir`` and moved into place only once it is complete, so a run that fails (a full disk,
Ctrl-C) leaves ``out_dir`` as it was, including an earlier extract it was asked to replace.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from broen.analytics._contract import TABLES
from broen.analytics._exceptions import ConfigurationError

STAGING_PREFIX = ".broen-synth-"
METADATA_FILES = ("extract.json", "ground_truth.json", "faults.json")
_PART = re.compile(r"part-[0-9]{5,}\.parquet")


def own_files(out_dir: Path) -> list[Path]:
    """The files in ``out_dir`` that the generator writes, in either format.

    Both formats count: a parquet run over an old CSV run must not leave two versions of a table.
    """
    found = [out_dir / name for name in METADATA_FILES]
    for table in TABLES:
        found.append(out_dir / f"{table}.csv")
        folder = out_dir / table
        if folder.is_dir():
            found.extend(p for p in sorted(folder.iterdir()) if _PART.fullmatch(p.name))
    return [p for p in found if p.is_file()]


def check_output(out_dir: Path, *, overwrite: bool) -> None:
    """Refuse a file, or a folder with anything in it unless ``overwrite``."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigurationError(f"{out_dir} is a file: give a folder to write the extract to.")
    if not overwrite and out_dir.is_dir() and any(out_dir.iterdir()):
        raise ConfigurationError(
            f"{out_dir} is not empty: give a new or empty folder, or use --force to replace "
            "the extract files in it (other files are kept)."
        )


@contextmanager
def staged_output(out_dir: Path, *, overwrite: bool) -> Iterator[Path]:
    """Yield an empty staging folder; when the block succeeds, move its files into ``out_dir``."""
    check_output(out_dir, overwrite=overwrite)
    created = _missing_ancestors(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    done = False
    try:
        yield staging
        _move_into_place(staging, out_dir)
        done = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not done:
            for folder in created:  # innermost first; rmdir keeps anything someone else put there
                try:
                    folder.rmdir()
                except OSError:
                    break


def _missing_ancestors(path: Path) -> list[Path]:
    """``path`` and its parents that do not exist yet, innermost first."""
    missing = []
    for p in (path, *path.parents):
        if p.exists():
            break
        missing.append(p)
    return missing


def _move_into_place(staging: Path, out_dir: Path) -> None:
    # Everything that could stop the move is checked before anything is removed.
    for entry in staging.iterdir():
        target = out_dir / entry.name
        in_the_way = target.is_dir() != entry.is_dir() if target.exists() else False
        if in_the_way:
            raise ConfigurationError(
                f"{target} is in the way of the extract's {entry.name}: move it elsewhere."
            )
    for old in own_files(out_dir):
        old.unlink()
    for table in TABLES:  # a table folder emptied above, unless this run writes it again
        folder = out_dir / table
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    for leftover in out_dir.glob(STAGING_PREFIX + "*"):  # from a run that was killed
        if leftover != staging and leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    for entry in sorted(staging.iterdir()):
        target = out_dir / entry.name
        if entry.is_dir() and target.is_dir():  # a table folder that also holds other files
            for part in sorted(entry.iterdir()):
                os.replace(part, target / part.name)
        else:
            os.replace(entry, target)
