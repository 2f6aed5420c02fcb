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
from typing import Any

import numpy as np

from beleidszoeker.config import Settings
from beleidszoeker.records import Hit, SearchResult
from index.backends.base import PassageView, SearchBackend, check_compatible
from index.search.answer import AnswerChoice, choose_answer, section_paths
from index.search.candidates import Candidates, Filters, complete
from index.search.compare import spread_over_sections, within_margin
from index.search.confidence import confidence, evidence, missing_shape
from index.search.fuse import Fused, fuse
from index.search.highlight import highlight
from index.search.mentions import alias_table
from index.search.params import RetrievalParams, default_params
from index.search.query import Embedder, Question, prepare, stress_content_words
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
        self._aliases = alias_table([d.meta for d in docs], (d.text for d in docs))
        # Section paths need every passage: the embedded view holds them; a Qdrant view fetches
        # passages per candidate, so there the answer keeps its passage's section.
        chunks = self.index.chunks
        self._sections = section_paths(chunks) if isinstance(chunks, list) else {}

    @classmethod
    def load(
        cls, settings: Settings, embedder: Embedder | None = None, params: RetrievalParams | None = None
    ) -> HybridRetriever:
        """The configured backend (the index under data/, or the Qdrant collection when
        BELEIDSZOEKER_QDRANT_URL is set), refused when built with another model or analysis."""
        from index.backends.open import open_backend
        from index.embedding import Embedder as ModelEmbedder
        from index.lexical import ANALYSIS_ID

        backend = open_backend(settings)
        model: Embedder = embedder if embedder is not None else ModelEmbedder(settings)
        check_compatible(backend.info(), model.model_id, ANALYSIS_ID)
        return cls(backend, model, params)

    # ---- public API -------------------------------------------------------------------------

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> SearchResult:
        return self._search(self.prepare(query), k, filters)

    def compare(self, query: str, per_doc: int = 2, filters: Filters | None = None) -> SearchResult:
        """The best passages of every document, so regions can be read side by side.

        A document's passages come from different sections where it has them: two overlapping
        neighbours say less than two places where the document addresses the topic.
        A document whose best sentence is much less similar to the topic than the best
        sentence anywhere is left out: the app shows "geen relevante passage" for it.
        Hits are ordered by raw similarity, which is comparable across documents.
        """
        p, index = self.params, self.index
        question = self.prepare(query)
        base = self._search(question, p.answer.passages, filters)  # for answer and confidence
        weights = self.terms.query_weights(question.words)
        marks = self.terms.mark_terms(question.text)
        f = filters or Filters()
        stressed = stress_content_words(question, self.embedder, p.compare.keyword_weight)  # ranks within documents
        per_doc_hits: list[Hit] = []
        for doc in index.documents:
            if f.docs and doc not in f.docs:
                continue
            cand = self.candidates(stressed, Filters(f.regions, (doc,), f.years))
            fused = fuse(cand, stressed, index, p, self.terms)
            sections = [index.chunks[int(r)].section for r in cand.rows]
            for i in spread_over_sections(np.argsort(-fused.score).tolist(), sections, per_doc):
                per_doc_hits.append(_compare_hit(index, cand, i))
        hits = within_margin(per_doc_hits, p.compare.margin)
        for hit in hits:
            highlight(hit, question.vector, weights, marks, index, p.highlight, self.terms)
        hits.sort(key=lambda h: -h.score)
        return SearchResult(
            question.text, base.answerable, base.confidence, base.answer, hits, base.named_regions, p.hash
        )

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


def _compare_hit(index: PassageView, cand: Candidates, i: int) -> Hit:
    """A compare hit scores by raw similarity, comparable across documents: its passage's or its best sentence's."""
    dense, sentence = float(cand.dense[i]), float(cand.unit_best[i])
    return Hit(
        index.chunks[int(cand.rows[i])],
        score=float(max(cand.dense[i], cand.unit_best[i])),
        dense_score=dense,
        lexical_score=float(cand.lexical[i]),
        breakdown={"dense": dense} if dense >= sentence else {"sentence": sentence},
    )
