"""``generate_extract``: the synthetic population written as a contract v1 extract."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa

from broen.analytics._contract import TABLES
from broen.analytics._municipalities import MUNICIPALITIES

from ._calendar import Period, day_of, iso_of, iso_week_labels
from ._chunk import simulate_chunk
from ._config import POPULATION_2020, ProgrammeEffects
from ._faults import inject
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


def _population(municipalities: Sequence[int], persons: int | None) -> tuple[int, list[float]]:
    unknown = [m for m in municipalities if m not in MUNICIPALITIES]
    if unknown:
        raise ValueError(f"not DST municipality codes: {unknown}")
    if not municipalities:
        raise ValueError("at least one municipality is needed")
    if persons is None:
        missing = [m for m in municipalities if m not in POPULATION_2020]
        if missing:
            raise ValueError(f"no population figure for {missing}: pass persons=")
        weights = [float(POPULATION_2020[m]) for m in municipalities]
        return int(sum(weights)), weights
    if persons < 1:
        raise ValueError("persons must be at least 1")
    return persons, [float(POPULATION_2020.get(m, 40_000)) for m in municipalities]


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
    progress: Progress | None = None,
) -> SynthResult:
    """Write a synthetic register extract (contract v1) with known programme effects.

    ``persons=None`` uses the real population of the municipalities (about 2020). Output:
    ``extract.json``, one parquet part per chunk and table (or one CSV per table),
    ``ground_truth.json`` and, with ``faults``, ``faults.json``. Same seed and chunk size give
    identical files.
    """
    if file_format not in ("parquet", "csv"):
        raise ValueError(f"file_format must be parquet or csv, not {file_format!r}")
    if chunk_persons < 1:
        raise ValueError("chunk_persons must be at least 1")
    effects = effects or ProgrammeEffects()
    municipalities = [int(m) for m in municipalities]
    total, weights = _population(municipalities, persons)
    period = Period.of(start, end)
    if period.end_day >= day_of(date.today().isoformat()):
        raise ValueError(f"the period must end before today (ends {iso_of(period.end_day)})")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in TABLES:  # remove what an earlier run wrote here
        shutil.rmtree(out_dir / name, ignore_errors=True)
        (out_dir / f"{name}.csv").unlink(missing_ok=True)
    (out_dir / "faults.json").unlink(missing_ok=True)

    writer = ExtractWriter(out_dir, file_format)
    strings = faults or file_format == "csv"
    truth = GroundTruth()
    week_labels = tuple(iso_week_labels(period.weeks))
    manifest: list[dict[str, Any]] = []
    faulty: dict[str, int] = dict.fromkeys(TABLES, 0)
    n_chunks = math.ceil(total / chunk_persons)
    done = 0
    try:
        for c in range(n_chunks):
            n = min(chunk_persons, total - c * chunk_persons)
            rng = np.random.default_rng(np.random.SeedSequence([seed, c]))
            chunk = simulate_chunk(
                rng,
                n,
                municipalities,
                weights,
                period,
                effects,
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
                arrow, found = inject(rng, arrow, period, municipalities[0])
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
    if faults and file_format == "csv":
        # A record with the wrong number of fields, at the end of each file so that the rest of
        # the file stays readable in blocks.
        for name in TABLES:
            if (out_dir / f"{name}.csv").exists():
                rel, row = writer.append_line(name, "malformed row")
                manifest.append({"table": name, "file": rel, "row": row, "rule": "row.malformed"})
                faulty[name] += 1

    extract_json = out_dir / "extract.json"
    meta = {
        "period_start": iso_of(period.start_day),
        "period_end": iso_of(period.end_day),
        "description": (
            f"Synthetic population of {total} persons in municipalities "
            f"{', '.join(str(m) for m in municipalities)} (broen synth, contract v1)"
        ),
        "source": "broen-synth",
        "seed": seed,
    }
    extract_json.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    truth_json = out_dir / "ground_truth.json"
    truth_json.write_text(json.dumps(truth.to_json(seed, effects), indent=1) + "\n", "utf-8")
    faults_json = None
    if faults:
        faults_json = out_dir / "faults.json"
        doc = {
            "rows": manifest,
            "counts": {t: {"rows": writer.rows[t], "faulty": faulty[t]} for t in TABLES},
        }
        faults_json.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return SynthResult(out_dir, dict(writer.rows), extract_json, truth_json, faults_json)
