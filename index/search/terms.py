"""Analysed terms at query time: of the question (weights, marks), of sentences and passages (cached).

One object per loaded index, since terms depend on the index's compound splitter and statistics;
the caches matter because the same passages come back query after query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from beleidszoeker.records import Chunk
from index.analysis import Token, analyze, head_terms
from index.search.queryinfo import quantity_subject, wants_number
from index.search.sentences import QUANTITY_GROUPS, states_quantity

_MAX_UNIT_TERMS = 200_000
_SPECIFIC_LETTERS = 7  # a question word this long marks the compounds it is part of
_MAX_CHUNK_TOKENS = 50_000


@dataclass(frozen=True)
class Marks:
    """The question's words to underline in passages: `whole` as words, `specific` also as compound parts."""

    whole: frozenset[str]
    specific: frozenset[str]


class Terms:
    def __init__(self, lexical: Any) -> None:
        self.lexical = lexical  # index.lexical.LexicalIndex
        self._terms_cache: dict[tuple[str, bool], frozenset[str]] = {}
        self._tokens_cache: dict[str, list[Token]] = {}
        analysed = [
            (frozenset(t for w in words for t in self.unit_terms(w, parts=False)), symbol, precise)
            for words, symbol, precise in QUANTITY_GROUPS
        ]
        self.quantity_groups = [(terms, symbol) for terms, symbol, _ in analysed]
        self.precise_groups = [(terms, symbol) for terms, symbol, precise in analysed if precise]

    def unit_terms(self, text: str, *, parts: bool = True) -> frozenset[str]:
        """Analysed terms of a sentence (with compound parts unless `parts` is False); cached."""
        terms = self._terms_cache.get((text, parts))
        if terms is None:
            tokens = analyze(text, split_compounds=parts, splitter=self.lexical.splitter)
            terms = frozenset(t.term for t in tokens)
            if len(self._terms_cache) < _MAX_UNIT_TERMS:
                self._terms_cache[(text, parts)] = terms
        return terms

    def chunk_tokens(self, chunk: Chunk) -> list[Token]:
        """Analysed tokens of a passage (for marking query terms); cached per passage."""
        tokens = self._tokens_cache.get(chunk.id)
        if tokens is None:
            tokens = analyze(chunk.text, splitter=self.lexical.splitter)
            if len(self._tokens_cache) < _MAX_CHUNK_TOKENS:
                self._tokens_cache[chunk.id] = tokens
        return tokens

    def counted(self, query: str) -> frozenset[str] | None:
        """For a 'hoeveel' question, the terms of what it counts (empty when unclear); None otherwise."""
        if not wants_number(query):
            return None
        subject = quantity_subject(query)
        # A compound counts what its last part names: "twee jaar" gives no number of a "jaarbudget".
        return head_terms(subject, splitter=self.lexical.splitter) if subject else frozenset()

    def states_count(self, text: str, counted: frozenset[str], *, by_group: bool = True) -> bool:
        """A sentence gives a number of the counted thing (named as a whole word, or by its group;
        without `by_group`, only by a precise group: providers as "organisaties", a share by "%")."""
        groups = self.quantity_groups if by_group else self.precise_groups
        return states_quantity(text, self.unit_terms(text, parts=False), counted, groups)

    def query_weights(self, words: str) -> dict[str, float]:
        """The question's terms with their idf: what a sentence's term coverage is measured in."""
        lexical = self.lexical
        return {t: lexical.idf(t) for t in set(lexical.query_terms(words))}

    def mark_terms(self, query: str) -> Marks:
        """The question's whole words (stemmed), and which of them are specific enough to mark a
        compound they are part of: compounds themselves ("wachtlijst" marks "wachtlijstbeheer") and
        long words, not short common ones ("hulp" would mark every "jeugdhulp")."""
        whole = frozenset(self.lexical.query_terms(query, split_compounds=False))
        specific = frozenset(
            t.term
            for t in analyze(query, splitter=self.lexical.splitter)
            if not t.is_part and t.term in whole and (len(t.term) >= _SPECIFIC_LETTERS or self._is_compound(t.term))
        )
        return Marks(whole, specific)

    def _is_compound(self, term: str) -> bool:
        return len(self.lexical.splitter.split(term)) >= 2

    def knows_a_word(self, words: str) -> bool:
        """Whether the question has a word (not a number) that occurs in the corpus: without one,
        such as "???" or "xyz 123", nothing in the documents can answer it."""
        lexical = self.lexical
        return any(
            not t.isdigit() and lexical.document_frequency(t) > 0
            for t in lexical.query_terms(words, split_compounds=False)
        )

    def known_share(self, query: str) -> float:
        """Share of the question's (idf-weighted) words that occur anywhere in the corpus.

        A question about something the documents never mention ("mantelzorgers") has
        rare, unknown words; that is the strongest sign that there is no answer.
        """
        lexical = self.lexical
        terms = set(lexical.query_terms(query, split_compounds=False))
        total = sum(lexical.idf(t) for t in terms)
        if total <= 0:
            return 1.0
        return sum(lexical.idf(t) for t in terms if lexical.document_frequency(t) > 0) / total
