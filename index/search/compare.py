"""Compare and similar: the search's stages reused across documents, and the absolute decision
whether a document addresses a topic at all.

A document is shown as addressing a topic when the probability that one of its top passages is
about the topic passes a threshold. That probability is a logistic function of three measures, all
blind to the question's frame ("hoeveel", "extra", "nodig": index/dutch.py FRAME_WORDS): how close
the passage's best sentence is in meaning to the topic's content words (less what any passage of
the corpus gets), how much of their idf-weighted wording the passage holds, and how much the
document's candidate passages hold together. Fitted by scripts/fit_compare_relevance.py on the
gold files and a labelled topic set (eval/topics/), validated leave-one-file-out; the weights live
in params.toml [compare]. It is absolute: a document is not relevant because it is the best there is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from beleidszoeker.records import Hit
from index.dutch import TOKEN_WORD
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


@dataclass(frozen=True)
class TopicWord:
    """A content word of the topic as the index knows it: its whole stem, its compound parts, and their idf."""

    whole: str
    idf: float
    parts: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Relevance:
    """How a passage relates to the topic: the features and the probability that it addresses it."""

    cosine: float  # best of passage and best sentence with the topic's content words, less the corpus's background
    coverage: float  # weighted share of the topic's content words that the passage holds
    doc_coverage: float  # the same over all of the document's candidate passages together
    probability: float


# A topic word found only as the parts of a compound counts for this much: "ervarings..." and
# "...deskundigen" in two places of a document are not "ervaringsdeskundigen".
PART_CREDIT = 0.5
# Words weigh by idf squared: the rarest content word is what a topic is about ("jeugdhulp voor
# statushouders" is about statushouders; every document mentions jeugdhulp).
IDF_POWER = 2.0


def topic_words(text: str, lexical: Any) -> list[TopicWord]:
    """The content words of `text` as `lexical` (index.lexical.LexicalIndex) analyses them, with their idf."""
    out = []
    for word in TOKEN_WORD.findall(text):
        terms = lexical.query_terms(word)
        if terms:
            out.append(TopicWord(terms[0], lexical.idf(terms[0]), tuple((t, lexical.idf(t)) for t in terms[1:])))
    return out


def word_coverage(word: TopicWord, passage_terms: frozenset[str] | set[str]) -> float:
    """1 when the passage has the word itself (or as part of its own compounds); else PART_CREDIT
    times the idf-weighted share of the word's compound parts it has ("crisiszorg": "crisis")."""
    if word.whole in passage_terms:
        return 1.0
    total = sum(idf for _, idf in word.parts)
    if total <= 0:
        return 0.0
    return PART_CREDIT * sum(idf for term, idf in word.parts if term in passage_terms) / total


def topic_coverage(words: Sequence[TopicWord], passage_terms: frozenset[str] | set[str]) -> float:
    """Share of the topic's content words in a passage, each weighted by idf ** IDF_POWER."""
    total = sum(w.idf**IDF_POWER for w in words)
    if total <= 0:
        return 0.0
    return sum(w.idf**IDF_POWER * word_coverage(w, passage_terms) for w in words) / total


def relevance_probability(features: Sequence[float], bias: float, weights: Sequence[float]) -> float:
    """The logistic model of params.toml [compare]: P(passage addresses the topic)."""
    z = bias + sum(w * x for w, x in zip(weights, features, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def background(embeddings: np.ndarray) -> np.ndarray:
    """The unit mean of the passages' vectors: a question's cosine with it is what any passage of
    the corpus gets for nothing (a long question in the domain's words scores high everywhere)."""
    mean = np.asarray(embeddings, dtype=np.float64).mean(axis=0) if len(embeddings) else np.zeros(1)
    return unit(mean)


def unit(mean: np.ndarray) -> np.ndarray:
    """`mean` scaled to length 1 (a sum of vectors gives the same direction as their mean)."""
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm > 0 else mean).astype(np.float32)


@dataclass
class DocView:
    """One document in the compare view: its passages to show, and whether it addresses the topic."""

    doc: str
    hits: list[Hit]
    relevance: Relevance  # of the passage that decided
    relevant: bool
    judged: tuple[Relevance, ...] = ()  # of each judged passage, for fitting the model


def first_judged(order: Sequence[int], best: int) -> list[int]:
    """`order` with the passage that decided the document's relevance first: the reader sees why."""
    return [best] + [i for i in order if i != best]


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
