"""``generate_extract``: the synthetic population written as a contract v1 extract."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa

from broen.analytics._contract import TABLES
from broen.analytics._exceptions import ConfigurationError

from . import _arguments
from ._calendar import Period, iso_of, iso_week_labels
from ._chunk import simulate_chunk
from ._config import ProgrammeEffects
from ._faults import inject
from ._output import staged_output
from ._truth import GroundTruth
from ._writer import ExtractWriter, aggregate, person_ids, to_table

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SynthResult:
    out_dir: Path
    counts: dict[str, int]  # rows written per table
    extract_json: Path
    ground_truth_json: Path
    faults_json: Path | None


def generate_extract(
    out_dir: Path,
    *,
    persons: int | None = None,
    municipalities: Sequence[int] = (360, 376),
    start: str = "2016-01",
    end: str = "2024-12",
    seed: int = 0,
    faults: bool = False,
    file_format: Literal["parquet", "csv"] = "parquet",
    effects: ProgrammeEffects | None = None,
    chunk_persons: int = 50_000,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> SynthResult:
    """Write a synthetic register extract (contract v1) with known programme effects.

    ``persons=None`` uses the real population of the municipalities (about 2020). Output:
    ``extract.json``, one parquet part per chunk and table (or one CSV per table),
    ``ground_truth.json`` and, with ``faults``, ``faults.json``. Same seed and chunk size give
    identical files.

    A folder ``out_dir`` that holds anything is refused unless ``overwrite``; then only those
    files are replaced (an earlier run's, in either format), never other files in the folder.
    The files appear only when the extract is complete: a failed run leaves the folder as it
    was. Invalid arguments raise :class:`~broen.analytics.ConfigurationError` before anything
    is written.
    """
    if file_format not in ("parquet", "csv"):
        raise ConfigurationError(f"The format must be parquet or csv, not {file_format!r}.")
    if chunk_persons < 1:
        raise ConfigurationError(f"chunk_persons must be at least 1, not {chunk_persons}.")
    _arguments.check_seed(seed)
    municipalities = [int(m) for m in municipalities]
    total, weights = _arguments.population(municipalities, persons)
    period = _arguments.period(start, end)
    out_dir = Path(out_dir)
    with staged_output(out_dir, overwrite=overwrite) as work:
        counts, wrote_faults = _write(
            work,
            _Plan(
                total,
                municipalities,
                weights,
                period,
                seed,
                faults,
                file_format,
                effects or ProgrammeEffects(),
                chunk_persons,
            ),
            progress,
        )
    return SynthResult(
        out_dir,
        counts,
        out_dir / "extract.json",
        out_dir / "ground_truth.json",
        out_dir / "faults.json" if wrote_faults else None,
    )


@dataclass(frozen=True)
class _Plan:
    """The checked arguments of one run."""

    total: int
    municipalities: list[int]
    weights: list[float]
    period: Period
    seed: int
    faults: bool
    file_format: Literal["parquet", "csv"]
    effects: ProgrammeEffects
    chunk_persons: int


def _write(out_dir: Path, plan: _Plan, progress: Progress | None) -> tuple[dict[str, int], bool]:
    """Write the extract into ``out_dir``; return the rows per table and whether faults.json."""
    total, chunk_persons, period, faults = plan.total, plan.chunk_persons, plan.period, plan.faults
    writer = ExtractWriter(out_dir, plan.file_format)
    strings = faults or plan.file_format == "csv"
    truth = GroundTruth()
    week_labels = tuple(iso_week_labels(period.weeks))
    manifest: list[dict[str, Any]] = []
    faulty: dict[str, int] = dict.fromkeys(TABLES, 0)
    n_chunks = math.ceil(total / chunk_persons)
    done = 0
    try:
        for c in range(n_chunks):
            n = min(chunk_persons, total - c * chunk_persons)
            rng = np.random.default_rng(np.random.SeedSequence([plan.seed, c]))
            chunk = simulate_chunk(
                rng,
                n,
                plan.municipalities,
                plan.weights,
                period,
                plan.effects,
                c,
                c * chunk_persons,
                total + c * chunk_persons,
                week_labels,
            )
            truth.add(chunk.truth_tables, chunk.persons, chunk.enrol, period)
            pids = person_ids(chunk.persons.pid)
            arrow: dict[str, pa.Table] = {}
            for name, rows in chunk.rows.items():
                extract_rows = aggregate(rows.take(rows.w1), name)
                arrow[name] = to_table(extract_rows, name, pids, strings)
            del chunk
            found: list[tuple[str, int, str]] = []
            if faults and c == 0:
                arrow, found = inject(rng, arrow, period, plan.municipalities[0])
            for name, table in arrow.items():
                if table.num_rows == 0:
                    continue
                rel, first = writer.write(name, table)
                for t, i, rule in found:
                    if t == name:
                        manifest.append({"table": t, "file": rel, "row": first + i, "rule": rule})
                        faulty[t] += 1
            done += n
            if progress is not None:
                progress("persons", done, total)
    finally:
        writer.close()
    if faults and plan.file_format == "csv":
        # A record with the wrong number of fields, at the end of each file so that the rest of
        # the file stays readable in blocks.
        for name in TABLES:
            if (out_dir / f"{name}.csv").exists():
                rel, row = writer.append_line(name, "malformed row")
                manifest.append({"table": name, "file": rel, "row": row, "rule": "row.malformed"})
                faulty[name] += 1

    meta = {
        "period_start": iso_of(period.start_day),
        "period_end": iso_of(period.end_day),
        "description": (
            f"Synthetic population of {total} persons in municipalities "
            f"{', '.join(str(m) for m in plan.municipalities)} (broen synth, contract v1)"
        ),
        "source": "broen-synth",
        "seed": plan.seed,
    }
    (out_dir / "extract.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    truth_doc = truth.to_json(plan.seed, plan.effects)
    (out_dir / "ground_truth.json").write_text(json.dumps(truth_doc, indent=1) + "\n", "utf-8")
    if faults:
        doc = {
            "rows": manifest,
            "counts": {t: {"rows": writer.rows[t], "faulty": faulty[t]} for t in TABLES},
        }
        (out_dir / "faults.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return dict(writer.rows), faults
