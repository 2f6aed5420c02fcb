"""Stage 6, confidence: the probability that the shown answer is right.

A logistic model on a handful of features of the answer and the ranking (FEATURES), fitted by
scripts/fit_confidence.py on the gold files with leave-one-file-out validation; its weights live
in params.toml [confidence.weights]. The answer card is shown only from `threshold` on, chosen on
the held-out folds for precision first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from beleidszoeker.records import Answer, Hit
from index.search.answer import AnswerChoice
from index.search.params import ConfidenceParams, RetrievalParams
from index.search.query import Question
from index.search.shapes import Sentence
from index.search.terms import Terms

# Each feature and why it tells right from wrong answers (measured: docs/evaluation.md).
FEATURES: tuple[str, ...] = (
    "shape_missing",  # the answer lacks what the question's shape asks for (a number, a time span)
    "margin",  # how far the chosen sentence beats the best other one: a near tie is a guess
    "score_gap",  # how far the top passage beats the second: a near tie may put the answer in the second
    "agree",  # meaning and wording both rank the top passage first
    "shaped",  # the question asks for a shape (a number, a reason, a name): its answer is one sentence
)

RANKING_DEPTH = 3  # passages the ranking features look at: the same whatever k the caller asks for


def missing_shape(answer: Answer | None, question: Question, params: RetrievalParams, terms: Terms) -> bool:
    """The answer does not state a shape the question asks for whose absence lowers confidence."""
    if answer is None:
        return False
    sentence = Sentence(answer.text, answer.text)
    return any(
        params.shape(shape.name).lowers_confidence and not shape.states(sentence, asked, terms)
        for shape, asked in question.asks
    )


def evidence(choice: AnswerChoice, hits: Sequence[Hit], question: Question, *, shape_missing: bool) -> dict[str, float]:
    """The features of FEATURES for one answer (empty without an answer)."""
    if choice.answer is None:
        return {}
    hits = hits[:RANKING_DEPTH]
    top = hits[0] if hits else None
    agree = top is not None and all(
        h.dense_score <= top.dense_score and h.lexical_score <= top.lexical_score for h in hits
    )
    return {
        "shape_missing": float(shape_missing),
        "margin": choice.margin,
        "score_gap": hits[0].score - hits[1].score if len(hits) > 1 else 0.0,
        "agree": float(agree),
        "shaped": float(bool(question.asks)),
    }


def confidence(features: Mapping[str, float], params: ConfidenceParams) -> float:
    """sigmoid(bias + sum of weight x feature); 0 without an answer (no features)."""
    if not features:
        return 0.0
    z = params.bias + sum(params.weights.get(name, 0.0) * value for name, value in features.items())
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
