"""Stage 5, highlight: in each hit, the sentences that best answer the question (within a margin of
the passage's best) and the question's words, in original-document offsets."""

from __future__ import annotations

import numpy as np

from beleidszoeker.records import Hit
from index.search.candidates import unit_cosines
from index.search.params import HighlightParams
from index.search.sentences import merge_spans, score_units, term_coverage
from index.search.terms import Terms
from index.searchindex import SearchIndex

_MAX_SENTENCES = 3


def highlight(
    hit: Hit,
    q: np.ndarray,
    weights: dict[str, float],
    marks: set[str],
    index: SearchIndex,
    params: HighlightParams,
    terms: Terms,
) -> None:
    row = index.row_of[hit.chunk.id]
    units = index.units[row]
    if units:
        cos = unit_cosines(index, row, q)
        cov = [term_coverage(terms.unit_terms(hit.chunk.text[s:e]), weights) for s, e in units]
        scored = score_units(units, cos.tolist(), cov, cosine_weight=params.cosine_weight)
        top = max(u.score for u in scored)
        chosen = [u.span for u in scored if u.score >= top - params.margin][:_MAX_SENTENCES]
        hit.answer_spans = merge_spans([hit.chunk.to_original(s, e) for s, e in chosen])
    hit.term_spans = merge_spans(
        [hit.chunk.to_original(t.start, t.end) for t in terms.chunk_tokens(hit.chunk) if t.term in marks]
    )
