"""Stage 1, prepare the query: check it, find the regions it names, its topic, its vector, its words
and the shapes it asks for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from beleidszoeker.records import Document
from index.dutch import STOPWORDS
from index.errors import QueryError
from index.search.glossary import translate_terms
from index.search.mentions import Alias, find_mentions, strip_mentions, strip_title_words
from index.search.queryinfo import is_english
from index.search.shapes import Shape, question_asks
from index.search.terms import Terms

MAX_QUERY_CHARS = 1000


class Embedder(Protocol):
    """What the search needs of an embedding model: a unit vector per question."""

    @property
    def model_id(self) -> str: ...

    def embed_query(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True)
class Question:
    """A question as the search uses it: its text, its topic (the text without the region
    names it contains and the words of the named documents' titles), the documents it names,
    the vector that ranks passages, the words and the shapes it asks for."""

    text: str
    topic: str
    named: frozenset[str]
    vector: np.ndarray
    words: str  # what BM25 and the answer's term matching see: the topic, with Dutch for English words
    english: bool
    asks: tuple[tuple[Shape, Any], ...] = ()

    def ask(self, name: str) -> Any:
        """What the question asks for in shape `name`, or None."""
        return next((asked for s, asked in self.asks if s.name == name), None)


def check_query(query: str) -> str:
    """The query single-spaced; a QueryError (in Dutch) for an empty or overlong one."""
    query = " ".join((query or "").split())
    if not query:
        raise QueryError("Lege vraag: typ een vraag of een paar zoekwoorden.")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"De vraag is te lang ({len(query)} tekens); houd het onder {MAX_QUERY_CHARS}.")
    return query


def prepare(
    query: str,
    *,
    embedder: Embedder,
    aliases: dict[str, list[Alias]],
    documents: Mapping[str, Document],
    terms: Terms,
    topic_weight: float,
) -> Question:
    text = check_query(query)
    mentions = find_mentions(text, aliases)
    titles = [documents[m.doc].meta.title for m in mentions]
    topic = strip_title_words(strip_mentions(text, mentions), titles, STOPWORDS) or text
    vector = embedder.embed_query(text)
    if topic != text and topic_weight > 0:
        # Mixed rather than replaced: "hoeveel gemeenten werken samen in Holland Rijnland"
        # is about the region itself.
        vector = mix(vector, embedder.embed_query(topic), topic_weight)
    english = is_english(text)
    words = f"{topic} {translate_terms(topic)}" if english else topic
    named = frozenset(m.doc for m in mentions)
    return Question(text, topic, named, vector, words, english, question_asks(text, topic, terms))


def mix(vector: np.ndarray, other: np.ndarray, weight: float) -> np.ndarray:
    """Unit vector of (1 - weight) * vector + weight * other."""
    mixed = (1 - weight) * vector + weight * other
    return (mixed / np.linalg.norm(mixed)).astype(np.float32)
