"""Compare and similar: the search's stages reused across documents."""

from __future__ import annotations

import numpy as np

from beleidszoeker.records import Hit
from index.errors import QueryError
from index.searchindex import SearchIndex


def spread_over_sections(order: list[int], sections: list[str], n: int) -> list[int]:
    """The first `n` of `order`, preferring items whose section is not taken yet (filled up if too few)."""
    chosen: list[int] = []
    seen: set[str] = set()
    for i in order:
        if len(chosen) == n:
            break
        if sections[i] not in seen:
            chosen.append(i)
            seen.add(sections[i])
    rest = [i for i in order if i not in chosen]
    return chosen + rest[: n - len(chosen)]


def within_margin(hits: list[Hit], margin: float) -> list[Hit]:
    """The hits whose score is within `margin` of the best: a document much less similar to the
    topic than the best one anywhere has no relevant passage."""
    floor = max((h.score for h in hits), default=0.0) - margin
    return [h for h in hits if h.score >= floor]


def similar(index: SearchIndex, chunk_id: str, k: int, *, other_docs_only: bool) -> list[Hit]:
    """Passages most like a given one (by their embeddings), by default from other documents."""
    row = index.row_of.get(chunk_id)
    if row is None:
        raise QueryError(f"Onbekende passage-id {chunk_id!r}.")
    source = index.chunks[row]
    vec = np.asarray(index.embeddings[row], dtype=np.float32)
    allowed = None
    if other_docs_only:
        allowed = np.array([c.doc != source.doc for c in index.chunks], dtype=bool)
    rows, scores = index.vectors.search(vec, k + 1, allowed=allowed)
    hits = [
        Hit(index.chunks[r], float(s), dense_score=float(s), breakdown={"dense": float(s)})
        for r, s in zip(rows, scores, strict=True)
    ]
    return [h for h in hits if h.chunk.id != chunk_id][:k]
