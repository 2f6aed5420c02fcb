"""Stage 5, highlight: in each hit, the sentences that best answer the question (within a margin of
the passage's best) and the question's words, in original-document offsets."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from beleidszoeker.records import Hit, Span
from index.analysis import Token
from index.backends.base import PassageView
from index.search.candidates import unit_cosines
from index.search.params import HighlightParams
from index.search.sentences import merge_spans, score_units, term_coverage
from index.search.terms import Marks, Terms

_MAX_SENTENCES = 3


def highlight(
    hit: Hit,
    q: np.ndarray,
    weights: dict[str, float],
    marks: Marks,
    index: PassageView,
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
    marked = marked_spans(hit.chunk.text, terms.chunk_tokens(hit.chunk), marks)
    hit.term_spans = merge_spans([hit.chunk.to_original(s, e) for s, e in marked])


def marked_spans(text: str, tokens: Sequence[Token], marks: Marks) -> list[Span]:
    """Spans of the passage words to underline: a word whose own stem is a question word; a compound
    through one of its parts only when that question word is specific (`Marks.specific`). A number
    only as a whole: never a lone digit, nor the "1" of "Figuur 6.1" or "1.000"."""
    spans = []
    for t in tokens:
        if t.term not in (marks.specific if t.is_part else marks.whole):
            continue
        if t.term.isdigit() and (len(t.term) < 2 or _inside_number(text, t.start, t.end)):
            continue
        spans.append((t.start, t.end))
    return spans


def _inside_number(text: str, start: int, end: int) -> bool:
    """The digits at [start, end) are part of a longer number such as "6.1", "1.000" or "2,5"."""
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    return (len(before) == 2 and before[0].isdigit() and before[1] in ".,") or (
        len(after) == 2 and after[0] in ".," and after[1].isdigit()
    )
