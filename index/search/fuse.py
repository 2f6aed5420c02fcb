"""Stage 3, fuse: one score per candidate from the dense and lexical legs, plus the bonuses of the
question's shapes and of the regions it names. Each part is kept, so a hit can say why it ranks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.backends.base import PassageView
from index.search.candidates import Candidates
from index.search.params import RetrievalParams
from index.search.query import Question
from index.search.shapes import Passage, Shape
from index.search.terms import Terms


@dataclass
class Fused:
    score: np.ndarray
    parts: dict[str, np.ndarray] = field(default_factory=dict)  # named contributions, summing to `score`

    def breakdown(self, i: int) -> dict[str, float]:
        return {name: float(part[i]) for name, part in self.parts.items() if part[i]}


def fuse(cand: Candidates, question: Question, index: PassageView, params: RetrievalParams, terms: Terms) -> Fused:
    rows = cand.rows
    if len(rows) == 0:
        return Fused(np.empty(0))
    fp = params.fusion
    w = fp.dense_weight_english if question.english else fp.dense_weight
    dense_mix = (1 - fp.unit_weight) * _minmax(cand.dense) + fp.unit_weight * _minmax(cand.unit_best)
    lex_n = cand.lexical / cand.lexical.max() if cand.lexical.max() > 0 else cand.lexical
    parts = {"dense": w * dense_mix, "lexical": (1 - w) * lex_n}
    score = parts["dense"] + parts["lexical"]
    for shape, asked in question.asks:
        bonus = params.shape(shape.name).passage_bonus
        if shape.passage is None or shape.top_passages_only or not bonus:
            continue
        states = [shape.passage(Passage(index.chunks[r].text, index.units[r]), asked, terms) for r in rows]
        parts[shape.name] = bonus * np.array(states, dtype=np.float32)
        score = score + parts[shape.name]
    named = question.named
    if named and len(named) < len(index.documents):
        parts["region"] = fp.region_boost * np.array([index.chunks[r].doc in named for r in rows])
        score = score + parts["region"]
    for shape, asked in question.asks:
        bonus = params.shape(shape.name).passage_bonus
        if shape.passage is None or not shape.top_passages_only or not bonus:
            continue
        top = np.argsort(-score)[: params.answer.count_passages]
        parts[shape.name] = _lift_top(shape, asked, bonus, top, rows, index, terms)
        score = score + parts[shape.name]
    return Fused(score, parts)


def _lift_top(
    shape: Shape, asked: Any, bonus: float, top: np.ndarray, rows: np.ndarray, index: PassageView, terms: Terms
) -> np.ndarray:
    """'Hoeveel': among the passages a counting answer may come from anyway (`top`), those that
    state the shape move up. Lifting one from further down would answer questions the documents
    cannot answer."""
    assert shape.passage is not None
    lift = np.zeros(len(rows), dtype=np.float32)
    for i in top:
        row = int(rows[i])
        if shape.passage(Passage(index.chunks[row].text, index.units[row]), asked, terms):
            lift[i] = bonus
    return lift


def _minmax(x: np.ndarray) -> np.ndarray:
    if len(x) == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.ones_like(x)
