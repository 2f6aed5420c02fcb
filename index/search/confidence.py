"""Stage 6, confidence: in [0, 1], how likely the answer is really in the documents (calibrated on
the dev set): the answer's cosine, the share of the question's words the corpus knows, and a
penalty when the answer lacks what the question's shape asks for (a number, a time span)."""

from __future__ import annotations

import math

from beleidszoeker.records import Answer
from index.search.params import ConfidenceParams, RetrievalParams
from index.search.query import Question
from index.search.shapes import Sentence
from index.search.terms import Terms


def missing_shape(answer: Answer | None, question: Question, params: RetrievalParams, terms: Terms) -> bool:
    """The answer does not state a shape the question asks for whose absence lowers confidence."""
    if answer is None:
        return False
    sentence = Sentence(answer.text, answer.text)
    return any(
        params.shape(shape.name).lowers_confidence and not shape.states(sentence, asked, terms)
        for shape, asked in question.asks
    )


def confidence(cosine: float, known: float, *, english: bool, shape_missing: bool, params: ConfidenceParams) -> float:
    z = params.cosine_scale * (cosine - params.cosine_center)
    if not english:
        z += params.known_scale * (known - params.known_center)
    if shape_missing:
        z -= params.shape_penalty
    return 1.0 / (1.0 + math.exp(-z))
