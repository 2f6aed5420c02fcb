"""Stage 2, candidates: the passages either leg finds (dense by meaning, BM25 by wording), within the
filters, each scored by both legs (the backend, index/backends/) and by its best sentence (here)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.backends.base import Filters, Found, PassageView

__all__ = ["Candidates", "Filters", "complete", "unit_cosines"]


@dataclass
class Candidates:
    rows: np.ndarray
    dense: np.ndarray  # cosine of passage and question
    lexical: np.ndarray  # BM25 score
    unit_best: np.ndarray  # cosine of the passage's best sentence (the passage's own when it has none)


def unit_cosines(index: PassageView, row: int, q: np.ndarray) -> np.ndarray:
    """Cosine of each answer unit of passage `row` with the question vector."""
    vectors = index.unit_vectors(row)
    if len(vectors) == 0:
        return np.empty(0, dtype=np.float32)
    return vectors @ q


def complete(index: PassageView, found: Found, q: np.ndarray) -> Candidates:
    """The backend's candidates with each one's best sentence (from the backend's engine where it scored them)."""
    rows, dense = found.rows, found.dense
    if len(rows) == 0:
        return Candidates(rows, np.empty(0), np.empty(0), np.empty(0))
    unit_best = found.unit_best
    if unit_best is None:
        unit_best = np.array([unit_cosines(index, int(r), q).max(initial=-1.0) for r in rows], dtype=np.float32)
    unit_best = np.where(unit_best < 0, dense, unit_best)
    return Candidates(rows, dense, found.lexical, unit_best)
