"""Column-oriented rows of one table in the generator's internal (numeric) representation.

Persons are chunk-local indices, dates are day numbers, datetimes are seconds since 1970, enums
and codes are indices into a vocabulary (-1 = null). ``w1``/``w0`` say whether a row exists in
the world with / without the programme; the extract holds the ``w1`` rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from ._calendar import BoolArray

Kind = Literal["person", "id", "int", "float", "date", "datetime", "bool", "cat"]


@dataclass
class Col:
    values: npt.NDArray[np.generic]
    kind: Kind
    vocab: tuple[str, ...] = ()
    valid: BoolArray | None = None  # False = null; None = all present
    prefix: str = ""  # kind "id": value = prefix + zero-padded number

    def take(self, index: npt.NDArray[np.int64] | BoolArray) -> Col:
        valid = None if self.valid is None else self.valid[index]
        return Col(self.values[index], self.kind, self.vocab, valid, self.prefix)


@dataclass
class Rows:
    cols: dict[str, Col]
    w1: BoolArray
    w0: BoolArray
    meta: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)  # not written

    @property
    def n(self) -> int:
        return int(self.w1.size)

    def take(self, index: npt.NDArray[np.int64] | BoolArray) -> Rows:
        return Rows(
            {k: c.take(index) for k, c in self.cols.items()},
            self.w1[index],
            self.w0[index],
            {k: v[index] for k, v in self.meta.items()},
        )

    def col(self, name: str) -> npt.NDArray[np.generic]:
        return self.cols[name].values


def concat(parts: Sequence[Rows]) -> Rows:
    parts = [p for p in parts if p.n] or list(parts[:1])
    first = parts[0]
    cols: dict[str, Col] = {}
    for name, c in first.cols.items():
        valid = None
        if any(p.cols[name].valid is not None for p in parts):
            valid = np.concatenate(
                [
                    p.cols[name].valid if p.cols[name].valid is not None else np.ones(p.n, bool)
                    for p in parts
                ]
            )
        cols[name] = Col(
            np.concatenate([p.cols[name].values for p in parts]), c.kind, c.vocab, valid, c.prefix
        )
    meta = {k: np.concatenate([p.meta[k] for p in parts]) for k in first.meta}
    return Rows(
        cols,
        np.concatenate([p.w1 for p in parts]),
        np.concatenate([p.w0 for p in parts]),
        meta,
    )


def both(n: int) -> BoolArray:
    return np.ones(n, dtype=bool)


def cat(values: npt.NDArray[np.int64], vocab: Sequence[str]) -> Col:
    valid = values >= 0
    return Col(values.astype(np.int64), "cat", tuple(vocab), None if valid.all() else valid)


def pick(rng: np.random.Generator, k: int, weights: Sequence[float]) -> npt.NDArray[np.int64]:
    """k draws of an index with the given weights."""
    w = np.asarray(weights, dtype=np.float64)
    cum = np.cumsum(w) / w.sum()
    return np.minimum(np.searchsorted(cum, rng.random(k), side="right"), w.size - 1).astype(
        np.int64
    )
