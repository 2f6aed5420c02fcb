"""HybridRetriever: dense (FAISS, e5) + lexical (Dutch BM25) retrieval, extractive answers,
highlights and a calibrated confidence. Knows nothing of any user interface."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from beleidszoeker.config import Settings
from beleidszoeker.records import Answer, Chunk, Hit, SearchResult, Span
from index.answer import extend_answer, merge_spans, score_units, term_coverage
from index.build import IndexUnavailable
from index.searchindex import SearchIndex

MAX_QUERY_CHARS = 1000
_ENGLISH = frozenset(
    "the a an of and or to in is are was were which what who whom whose how why when where does do did "
    "with for on by from that this these those their there has have had be been can could should would "
    "young people municipalities provider".split()
)


class QueryError(ValueError):
    """A query that cannot be searched; str(err) says what to type instead."""


class ModelMismatch(IndexUnavailable):
    """The index was built with another embedding model than the one configured."""


@dataclass(frozen=True)
class Filters:
    regions: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    years: tuple[int, ...] = ()


@dataclass(frozen=True)
class RetrievalParams:
    """Fusion and answer settings, tuned on the development set (see README, Evaluation)."""

    candidates: int = 60
    dense_weight: float = 0.6
    dense_weight_english: float = 0.9
    unit_weight: float = 0.3  # share of the dense score taken from the best sentence in the passage
    answer_cosine_weight: float = 0.6
    answer_passages: int = 3
    highlight_margin: float = 0.1
    # confidence = sigmoid(a * (best sentence cosine - c0) + b * (term coverage - c1)); answerable at threshold
    conf_cosine_scale: float = 40.0
    conf_cosine_center: float = 0.86
    conf_coverage_scale: float = 6.0
    conf_coverage_center: float = 0.55
    threshold: float = 0.5


@dataclass
class _Candidates:
    rows: np.ndarray
    dense: np.ndarray
    lexical: np.ndarray
    unit_best: np.ndarray
    score: np.ndarray = field(default_factory=lambda: np.empty(0))


def is_english(query: str) -> bool:
    """English questions get more weight on the multilingual dense side (BM25 is Dutch)."""
    toks = re.findall(r"[a-zA-Z]+", query.lower())
    return len(toks) >= 3 and sum(t in _ENGLISH for t in toks) / len(toks) >= 0.25


class HybridRetriever:
    def __init__(self, index: SearchIndex, embedder: Any, params: RetrievalParams | None = None) -> None:
        from ingest.chunk import split_sentences

        self.index = index
        self.embedder = embedder
        self.params = params or RetrievalParams()
        self._split_sentences = split_sentences

    @classmethod
    def load(cls, settings: Settings, embedder: Any = None, params: RetrievalParams | None = None) -> HybridRetriever:
        from index.embedding import Embedder

        index = SearchIndex.load(settings.index_dir)
        embedder = embedder or Embedder(settings)
        built_with = index.manifest.get("model_id")
        if built_with != embedder.model_id:
            raise ModelMismatch(
                f"De index is gebouwd met model {built_with!r}, maar ingesteld is {embedder.model_id!r}. "
                "Bouw de index opnieuw met `beleidszoeker index`, of zet BELEIDSZOEKER_MODEL terug."
            )
        return cls(index, embedder, params)

    # ---- public API -------------------------------------------------------------------------

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> SearchResult:
        query = self._check(query)
        q = self.embedder.embed_query(query)
        cand = self._candidates(query, q, filters)
        order = np.argsort(-cand.score)[:k]
        weights = self._query_weights(query)
        hits = [self._hit(int(cand.rows[i]), float(cand.score[i]), cand, i) for i in order]
        answer, cosine, coverage = self._answer(hits, q, weights)
        for hit in hits:
            self._highlight(hit, q, weights)
        confidence = self._confidence(cosine, coverage, english=is_english(query))
        return SearchResult(query, confidence >= self.params.threshold, confidence, answer, hits)

    def compare(self, query: str, per_doc: int = 2, filters: Filters | None = None) -> SearchResult:
        """The best passages of every document, so regions can be read side by side.

        A document whose best passage scores far below the overall best is left out
        ("no relevant passage"); `relevant_docs` in the app shows that per region.
        """
        query = self._check(query)
        q = self.embedder.embed_query(query)
        weights = self._query_weights(query)
        base = self.search(query, k=1, filters=filters)
        hits: list[Hit] = []
        for doc in self.index.documents:
            f = filters or Filters()
            if f.docs and doc not in f.docs:
                continue
            doc_filter = Filters(regions=f.regions, docs=(doc,), years=f.years)
            cand = self._candidates(query, q, doc_filter)
            if len(cand.rows) == 0:
                continue
            for i in np.argsort(-cand.score)[:per_doc]:
                hit = self._hit(int(cand.rows[i]), float(cand.dense[i]), cand, i)
                if hit.dense_score < self.compare_floor(cand):
                    continue
                self._highlight(hit, q, weights)
                hits.append(hit)
        hits.sort(key=lambda h: -h.score)
        return SearchResult(query, base.answerable, base.confidence, base.answer, hits)

    def compare_floor(self, cand: _Candidates) -> float:
        """Minimum cosine for a passage to count as addressing the topic at all."""
        return 0.78

    def similar(self, chunk_id: str, k: int = 5, *, other_docs_only: bool = True) -> list[Hit]:
        """Passages most like a given one, by default from other documents (other regions)."""
        row = self.index.row_of.get(chunk_id)
        if row is None:
            raise QueryError(f"Onbekende passage-id {chunk_id!r}.")
        source = self.index.chunks[row]
        vec = np.asarray(self.index.embeddings[row], dtype=np.float32)
        allowed = None
        if other_docs_only:
            allowed = np.array([c.doc != source.doc for c in self.index.chunks], dtype=bool)
        rows, scores = self.index.vectors.search(vec, k + 1, allowed=allowed)
        hits = [Hit(self.index.chunks[r], float(s), dense_score=float(s)) for r, s in zip(rows, scores, strict=True)]
        return [h for h in hits if h.chunk.id != chunk_id][:k]

    def chunk(self, chunk_id: str) -> Chunk:
        return self.index.chunks[self.index.row_of[chunk_id]]

    # ---- internals ----------------------------------------------------------------------------

    def _check(self, query: str) -> str:
        query = " ".join((query or "").split())
        if not query:
            raise QueryError("Lege vraag: typ een vraag of een paar zoekwoorden.")
        if len(query) > MAX_QUERY_CHARS:
            raise QueryError(f"De vraag is te lang ({len(query)} tekens); houd het onder {MAX_QUERY_CHARS}.")
        return query

    def _candidates(self, query: str, q: np.ndarray, filters: Filters | None) -> _Candidates:
        p = self.params
        f = filters or Filters()
        allowed = self.index.mask(regions=f.regions, docs=f.docs, years=f.years)
        d_rows, _ = self.index.vectors.search(q, p.candidates, allowed=allowed)
        lex = dict(self.index.lexical.search(query, p.candidates, allowed=allowed))
        rows = np.array(sorted(set(d_rows.tolist()) | set(lex)), dtype=np.int64)
        if len(rows) == 0:
            return _Candidates(rows, np.empty(0), np.empty(0), np.empty(0), np.empty(0))
        dense = np.asarray(self.index.embeddings[rows], dtype=np.float32) @ q
        lexical = np.array([lex.get(int(r), 0.0) for r in rows], dtype=np.float32)
        unit_best = np.array([self._unit_cosines(int(r), q).max(initial=-1.0) for r in rows], dtype=np.float32)
        unit_best = np.where(unit_best < 0, dense, unit_best)
        w = p.dense_weight_english if is_english(query) else p.dense_weight
        dense_mix = (1 - p.unit_weight) * _minmax(dense) + p.unit_weight * _minmax(unit_best)
        lex_n = lexical / lexical.max() if lexical.max() > 0 else lexical
        score = w * dense_mix + (1 - w) * lex_n
        return _Candidates(rows, dense, lexical, unit_best, score)

    def _unit_cosines(self, row: int, q: np.ndarray) -> np.ndarray:
        lo, hi = self.index.unit_offsets[row], self.index.unit_offsets[row + 1]
        if hi <= lo:
            return np.empty(0, dtype=np.float32)
        return np.asarray(self.index.unit_embeddings[lo:hi], dtype=np.float32) @ q

    def _hit(self, row: int, score: float, cand: _Candidates, i: int) -> Hit:
        return Hit(
            self.index.chunks[row],
            score=score,
            dense_score=float(cand.dense[i]),
            lexical_score=float(cand.lexical[i]),
        )

    def _query_weights(self, query: str) -> dict[str, float]:
        from index.analysis import query_terms

        lexical = self.index.lexical
        return {t: lexical.idf(t) for t in set(query_terms(query, splitter=lexical.splitter))}

    def _unit_terms(self, text: str) -> set[str]:
        from index.analysis import analyze

        return {t.term for t in analyze(text, splitter=self.index.lexical.splitter)}

    def _answer(self, hits: list[Hit], q: np.ndarray, weights: dict[str, float]) -> tuple[Answer | None, float, float]:
        """The best answer unit among the top passages, and its cosine and term coverage."""
        best: tuple[float, Hit, list[Span], int, float, float] | None = None
        for rank, hit in enumerate(hits[: self.params.answer_passages]):
            row = self.index.row_of[hit.chunk.id]
            units = self.index.units[row]
            if not units:
                continue
            cos = self._unit_cosines(row, q)
            cov = [term_coverage(self._unit_terms(hit.chunk.text[s:e]), weights) for s, e in units]
            scored = score_units(units, cos.tolist(), cov, cosine_weight=self.params.answer_cosine_weight)
            for j, u in enumerate(scored):
                value = u.score + 0.5 * u.cosine - 0.02 * rank
                if best is None or value > best[0]:
                    best = (value, hit, units, j, u.cosine, u.coverage)
        if best is None:
            return None, 0.0, 0.0
        _, hit, units, j, cosine, _ = best
        s, e = extend_answer(hit.chunk.text, units, j)
        coverage = term_coverage(self._unit_terms(hit.chunk.text[s:e]), weights)
        o_start, o_end = hit.chunk.to_original(s, e)
        c = hit.chunk
        answer = Answer(c.text[s:e], c.doc, o_start, o_end, c.id, c.region, c.title, c.section, c.page)
        return answer, cosine, coverage

    def _highlight(self, hit: Hit, q: np.ndarray, weights: dict[str, float]) -> None:
        """Answer sentences (within a margin of the passage's best) and the query's terms, in original offsets."""
        from index.analysis import term_spans

        row = self.index.row_of[hit.chunk.id]
        units = self.index.units[row]
        if units:
            cos = self._unit_cosines(row, q)
            cov = [term_coverage(self._unit_terms(hit.chunk.text[s:e]), weights) for s, e in units]
            scored = score_units(units, cos.tolist(), cov, cosine_weight=self.params.answer_cosine_weight)
            top = max(u.score for u in scored)
            chosen = [u.span for u in scored if u.score >= top - self.params.highlight_margin][:3]
            hit.answer_spans = merge_spans([hit.chunk.to_original(s, e) for s, e in chosen])
        hit.term_spans = merge_spans(
            [
                hit.chunk.to_original(s, e)
                for s, e in term_spans(hit.chunk.text, set(weights), splitter=self.index.lexical.splitter)
            ]
        )

    def _confidence(self, cosine: float, coverage: float, *, english: bool) -> float:
        p = self.params
        z = p.conf_cosine_scale * (cosine - p.conf_cosine_center)
        if not english:
            z += p.conf_coverage_scale * (coverage - p.conf_coverage_center)
        return 1.0 / (1.0 + math.exp(-z))


def _minmax(x: np.ndarray) -> np.ndarray:
    if len(x) == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.ones_like(x)
