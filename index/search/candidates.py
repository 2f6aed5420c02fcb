"""Stage 2, candidates: the passages either leg finds (FAISS by meaning, BM25 by wording), within the
filters, each scored by both legs and by its best sentence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.searchindex import SearchIndex


@dataclass(frozen=True)
class Filters:
    regions: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    years: tuple[int, ...] = ()


@dataclass
class Candidates:
    rows: np.ndarray
    dense: np.ndarray  # cosine of passage and question
    lexical: np.ndarray  # BM25 score
    unit_best: np.ndarray  # cosine of the passage's best sentence (the passage's own when it has none)


def unit_cosines(index: SearchIndex, row: int, q: np.ndarray) -> np.ndarray:
    """Cosine of each answer unit of passage `row` with the question vector."""
    lo, hi = index.unit_offsets[row], index.unit_offsets[row + 1]
    if hi <= lo:
        return np.empty(0, dtype=np.float32)
    return np.asarray(index.unit_embeddings[lo:hi], dtype=np.float32) @ q


def filter_mask(index: SearchIndex, filters: Filters | None) -> np.ndarray | None:
    f = filters or Filters()
    return index.mask(regions=f.regions, docs=f.docs, years=f.years)


def lexical_leg(index: SearchIndex, words: str) -> np.ndarray:
    """BM25 score of every passage: computed once per question, shared by every filter (compare)."""
    return index.lexical.scores(words)


def dense_leg(index: SearchIndex, q: np.ndarray, n: int, allowed: np.ndarray | None) -> np.ndarray:
    rows, _ = index.vectors.search(q, n, allowed=allowed)
    return rows


def gather(
    index: SearchIndex,
    q: np.ndarray,
    dense_rows: np.ndarray,
    lex_scores: np.ndarray,
    n: int,
    allowed: np.ndarray | None,
) -> Candidates:
    """The union of both legs' top `n`; both legs score every candidate: a passage found by meaning
    keeps its (smaller) BM25 score."""
    from index.lexical import top_rows

    lex_rows = [r for r, _ in top_rows(lex_scores, n, allowed=allowed)]
    rows = np.array(sorted(set(dense_rows.tolist()) | set(lex_rows)), dtype=np.int64)
    if len(rows) == 0:
        return Candidates(rows, np.empty(0), np.empty(0), np.empty(0))
    dense = np.asarray(index.embeddings[rows], dtype=np.float32) @ q
    lexical = lex_scores[rows].astype(np.float32)
    unit_best = np.array([unit_cosines(index, int(r), q).max(initial=-1.0) for r in rows], dtype=np.float32)
    unit_best = np.where(unit_best < 0, dense, unit_best)
    return Candidates(rows, dense, lexical, unit_best)
