"""HybridRetriever: the query-time chain of stages, dense (FAISS, e5) + lexical (Dutch BM25)
retrieval, extractive answers, highlights and a calibrated confidence. Knows nothing of any
user interface.

    prepare (query.py) -> candidates (candidates.py) -> fuse (fuse.py) -> answer (answer.py)
    -> highlight (highlight.py) -> confidence (confidence.py); compare and similar reuse them.

Each stage is a plain function over dataclasses; `trace` (optional) times them by name.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from typing import Any

import numpy as np

from beleidszoeker.config import Settings
from beleidszoeker.records import Hit, SearchResult
from index.backends.base import PassageView, SearchBackend, check_compatible
from index.dutch import content_words
from index.search.answer import AnswerChoice, choose_answer, section_paths
from index.search.candidates import Candidates, Filters, complete, unit_cosines
from index.search.compare import (
    DocView,
    Relevance,
    TopicWord,
    background,
    first_judged,
    relevance_probability,
    spread_over_sections,
    topic_coverage,
    topic_words,
    unit,
)
from index.search.confidence import confidence, evidence, missing_shape
from index.search.fuse import Fused, fuse
from index.search.glossary import translate_terms
from index.search.highlight import highlight
from index.search.mentions import alias_table
from index.search.params import RetrievalParams, default_params
from index.search.query import Embedder, Question, mix, prepare
from index.search.terms import Terms
from index.searchindex import SearchIndex

Trace = Callable[[str], AbstractContextManager[Any]]


class HybridRetriever:
    def __init__(
        self,
        index: SearchIndex | SearchBackend | PassageView,
        embedder: Embedder,
        params: RetrievalParams | None = None,
        *,
        trace: Trace | None = None,
    ) -> None:
        self.backend = as_backend(index)
        self.index = self.backend.view
        self.embedder = embedder
        self.params = params or default_params()
        self.trace = trace
        self.terms = Terms(self.index.lexical)
        docs = self.index.documents.values()
        self._aliases = alias_table([d.meta for d in docs], self.index.lowercase_uses)
        # Section paths need every passage: the embedded view holds them; a Qdrant view fetches
        # passages per candidate, so there the answer keeps its passage's section. The corpus mean
        # vector comes from the embedded vectors, or from a collection's summed document vectors.
        chunks = self.index.chunks
        self._sections = section_paths(chunks) if isinstance(chunks, list) else {}
        vectors, summed = getattr(self.index, "embeddings", None), getattr(self.index, "vector_sum", None)
        self._background = (
            background(vectors) if vectors is not None else unit(summed) if summed is not None else None
        )

    @classmethod
    def load(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        params: RetrievalParams | None = None,
        *,
        backend: SearchBackend | None = None,
    ) -> HybridRetriever:
        """The configured backend (the index under data/, or the Qdrant collection when
        BELEIDSZOEKER_QDRANT_URL is set), refused when built with another model or analysis.
        `backend`: one already open (the app keeps one Qdrant client per process)."""
        from index.backends.open import open_backend
        from index.embedding import Embedder as ModelEmbedder
        from index.lexical import ANALYSIS_ID

        backend = backend if backend is not None else open_backend(settings)
        model: Embedder = embedder if embedder is not None else ModelEmbedder(settings)
        check_compatible(backend.info(), model.model_id, ANALYSIS_ID)
        return cls(backend, model, params)

    # ---- public API -------------------------------------------------------------------------

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> SearchResult:
        return self._search(self.prepare(query), k, filters)

    def compare(self, query: str, per_doc: int = 3, filters: Filters | None = None) -> SearchResult:
        """The best passages of every document, so regions can be read side by side.

        Every document keeps a hit; its `relevant` says whether the document addresses the topic
        (an absolute, calibrated decision: index/search/compare.py). A document that does not
        shows only its closest passage, which the app and CLI fold away under "Geen relevante
        passage". Relevant documents come first; hits are ordered by raw similarity, which is
        comparable across documents.
        """
        p = self.params
        question = self.prepare(query)
        base = self._search(question, p.answer.passages, filters)  # for answer and confidence
        weights = self.terms.query_weights(question.words)
        marks = self.terms.mark_terms(question.text)
        hits: list[Hit] = []
        for view in self.compare_docs(question, per_doc, filters):
            hits += view.hits
        for hit in hits:
            highlight(hit, question.vector, weights, marks, self.index, p.highlight, self.terms)
        hits.sort(key=lambda h: (not h.relevant, -h.score))
        return SearchResult(
            question.text, base.answerable, base.confidence, base.answer, hits, base.named_regions, p.hash
        )

    def compare_docs(self, question: Question, per_doc: int = 3, filters: Filters | None = None) -> list[DocView]:
        """Per document (within the filters): its passages for the compare view and its relevance.

        A document's passages come from different sections where it has them: two overlapping
        neighbours say less than two places where the document addresses the topic. Ranking and
        relevance see the question's content words, not its frame ("hoeveel", "extra", "nodig").
        """
        p, index = self.params, self.index
        f = filters or Filters()
        content = "" if question.english else " ".join(content_words(question.topic))
        content_vec = self.embedder.embed_query(content) if content else question.vector
        stressed = question
        if content and content != question.topic and p.compare.keyword_weight:
            stressed = replace(question, vector=mix(question.vector, content_vec, p.compare.keyword_weight))
        coverage_source = translate_terms(question.topic) if question.english else content
        words = topic_words(coverage_source, self.terms.lexical)
        # "???", "asdf": no content word the documents use, so no document addresses it.
        meaningful = question.english or (bool(content) and self.terms.knows_a_word(content))
        ranking = replace(p, fusion=replace(p.fusion, dense_weight=p.compare.dense_weight))
        views: list[DocView] = []
        for doc in index.documents:
            if f.docs and doc not in f.docs:
                continue
            cand = self.candidates(stressed, Filters(f.regions, (doc,), f.years))
            if len(cand.rows) == 0:
                continue
            fused = fuse(cand, stressed, index, ranking, self.terms)
            order = np.argsort(-fused.score).tolist()
            doc_terms = set().union(*(self.terms.unit_terms(index.chunks[int(r)].text) for r in cand.rows))
            doc_coverage = topic_coverage(words, doc_terms)
            top = order[: p.compare.judge_passages]
            index.prefetch([int(cand.rows[i]) for i in top])
            judged = [(self._relevance(int(cand.rows[i]), content_vec, words, doc_coverage), i) for i in top]
            relevance, best = max(judged, key=lambda x: x[0].probability)
            relevant = meaningful and relevance.probability >= p.compare.relevance_threshold
            sections = [index.chunks[int(r)].section for r in cand.rows]
            shown = spread_over_sections(first_judged(order, best), sections, per_doc) if relevant else [order[0]]
            doc_hits = [_compare_hit(index, cand, i, relevant, relevance.probability) for i in shown]
            views.append(DocView(doc, doc_hits, relevance, relevant, tuple(r for r, _ in judged)))
        return views

    def _relevance(self, row: int, content_vec: np.ndarray, words: list[TopicWord], doc_coverage: float) -> Relevance:
        """A passage's relevance features and the calibrated probability that it addresses the topic."""
        c, index = self.params.compare, self.index
        passage = float(index.passage_vector(row) @ content_vec)
        best = max(passage, float(unit_cosines(index, row, content_vec).max(initial=-1.0)))
        cosine = best - (float(self._background @ content_vec) if self._background is not None else 0.0)
        coverage = topic_coverage(words, self.terms.unit_terms(index.chunks[row].text))
        probability = relevance_probability(
            (cosine, coverage, doc_coverage), c.relevance_bias,
            (c.relevance_cosine, c.relevance_coverage, c.relevance_doc_coverage),
        )
        return Relevance(cosine, coverage, doc_coverage, probability)

    def similar(self, chunk_id: str, k: int = 5, *, other_docs_only: bool = True) -> list[Hit]:
        """Passages most like a given one, by default from other documents (other regions)."""
        return self.backend.similar(chunk_id, k, other_docs_only=other_docs_only)

    def prepare(self, query: str) -> Question:
        with self._step("prepare"):
            return prepare(
                query,
                embedder=self.embedder,
                aliases=self._aliases,
                documents=self.index.documents,
                terms=self.terms,
                topic_weight=self.params.query.topic_weight,
            )

    # ---- the chain ----------------------------------------------------------------------------

    def _search(self, question: Question, k: int, filters: Filters | None) -> SearchResult:
        p, index, terms, step = self.params, self.index, self.terms, self._step
        q = question.vector
        cand = self.candidates(question, filters or Filters())
        with step("fusion"):
            fused = fuse(cand, question, index, p, terms)
        # The answer may come from further down than the k shown (k=1, and a 'hoeveel' answer).
        further = max(p.answer.passages, p.answer.count_passages, p.answer.items_passages)
        order = np.argsort(-fused.score)[: max(k, further)]
        index.prefetch([int(cand.rows[i]) for i in order])  # the answer and highlights read their vectors
        with step("query terms"):
            weights = terms.query_weights(question.words)
            marks = terms.mark_terms(question.text)
        hits = [_search_hit(index, cand, fused, int(i)) for i in order]
        with step("answer"):
            choice = choose_answer(hits, question, weights, index, p, terms, self._sections)
            if not question.english and not terms.knows_a_word(question.text):
                # "???", "xyz 123": no word the documents use, so nothing to answer. (An English
                # question is matched by meaning; its words are not the documents'.)
                choice = AnswerChoice(None)
        with step("confidence"):
            missing = missing_shape(choice.answer, question, p, terms)
            features = evidence(choice, hits, question, shape_missing=missing)
            conf = confidence(features, p.confidence)
        hits = hits[:k]
        with step("highlights"):
            for hit in hits:
                highlight(hit, q, weights, marks, index, p.highlight, terms)
                if choice.answer is not None and hit.chunk.id == choice.answer.chunk_id:
                    hit.answer_spans = [(choice.answer.start, choice.answer.end)]  # exactly what the card says
        return SearchResult(
            question.text,
            conf >= p.threshold,
            conf,
            choice.answer,
            hits,
            self._regions(question.named),
            p.hash,
            features,
        )

    def candidates(self, question: Question, filters: Filters) -> Candidates:
        """The candidate stage: the backend's dense and BM25 legs within the filters, each candidate
        scored by both, and by its best sentence."""
        found = self.backend.candidates(
            question.vector, question.words, filters, self.params.candidates.per_leg, trace=self.trace
        )
        with self._step("candidates"):
            return complete(self.index, found, question.vector)

    def _regions(self, docs: frozenset[str]) -> tuple[str, ...]:
        if not docs or len(docs) == len(self.index.documents):
            return ()
        return tuple(sorted({self.index.documents[d].meta.region for d in docs}))

    def _step(self, name: str) -> AbstractContextManager[Any]:
        return nullcontext() if self.trace is None else self.trace(name)


def as_backend(source: SearchIndex | SearchBackend | PassageView) -> SearchBackend:
    """A loaded index runs on the embedded backend; a backend's view (`retriever.index`) on its backend."""
    if isinstance(source, SearchIndex):
        from index.backends.embedded import EmbeddedBackend

        return EmbeddedBackend(source)
    owner = getattr(source, "backend", None)
    return owner if owner is not None else source  # type: ignore[return-value]


def _search_hit(index: PassageView, cand: Candidates, fused: Fused, i: int) -> Hit:
    return Hit(
        index.chunks[int(cand.rows[i])],
        score=float(fused.score[i]),
        dense_score=float(cand.dense[i]),
        lexical_score=float(cand.lexical[i]),
        breakdown=fused.breakdown(i),
    )


def _compare_hit(index: PassageView, cand: Candidates, i: int, relevant: bool, probability: float) -> Hit:
    """A compare hit scores by raw similarity, comparable across documents: its passage's or its best
    sentence's; its breakdown adds the probability that its document addresses the topic."""
    dense, sentence = float(cand.dense[i]), float(cand.unit_best[i])
    breakdown = {"dense": dense} if dense >= sentence else {"sentence": sentence}
    return Hit(
        index.chunks[int(cand.rows[i])],
        score=float(max(cand.dense[i], cand.unit_best[i])),
        dense_score=dense,
        lexical_score=float(cand.lexical[i]),
        breakdown=breakdown | {"relevance": probability},
        relevant=relevant,
    )
