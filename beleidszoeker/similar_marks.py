"""Which sentence of a similar passage is the similar one.

`similar` ranks whole passages; a reader wants to see at a glance where the likeness is. The
index already holds a vector per sentence (answer unit) of every passage, so the sentence whose
vector is closest to the source passage's vector is marked, like an answer sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from beleidszoeker.display import to_original_spans
from beleidszoeker.records import Hit


def best_unit(source: np.ndarray, unit_vectors: np.ndarray) -> int | None:
    """Index of the unit vector most like `source` (cosine; vectors are normalised), None if none."""
    if len(unit_vectors) == 0:
        return None
    return int(np.argmax(np.asarray(unit_vectors, dtype=np.float32) @ np.asarray(source, dtype=np.float32)))


def mark_similar_sentences(index: Any, source_id: str, hits: Sequence[Hit]) -> list[Hit]:
    """`hits` with `answer_spans` set to the sentence most like the source passage (original offsets)."""
    row = index.row_of.get(source_id)
    if row is None:
        return list(hits)
    source = index.passage_vector(row)
    out = []
    for hit in hits:
        r = index.row_of.get(hit.chunk.id)
        if r is None:
            out.append(hit)
            continue
        best = best_unit(source, index.unit_vectors(r))
        if best is None:
            out.append(hit)
            continue
        c = hit.chunk
        runs = c.runs or ((0, c.start, len(c.text)),)
        spans = to_original_spans(runs, [index.units[r][best]])
        out.append(replace(hit, answer_spans=spans))
    return out
