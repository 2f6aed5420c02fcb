"""HybridRetriever: dense (FAISS, e5) + lexical (Dutch BM25) retrieval, extractive answers,
highlights and a calibrated confidence. Knows nothing of any user interface."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from beleidszoeker.config import Settings
from beleidszoeker.records import Answer, Chunk, Hit, SearchResult, Span
from index.analysis import DUTCH_STOPWORDS, analyze, head_terms
from index.answer import (
    QUANTITY_GROUPS,
    enumerates,
    extend_answer,
    introduces_list,
    is_caption,
    merge_spans,
    opening_items,
    opens_definition,
    reason_before,
    score_units,
    states_quantity,
    term_coverage,
)
from index.errors import IndexUnavailable
from index.glossary import translate_terms
from index.lexical import top_rows
from index.mentions import alias_table, find_mentions, strip_mentions, strip_title_words
from index.queryinfo import (
    asks_age,
    asks_duration,
    asks_frequency,
    asks_lead_time,
    asks_list,
    asks_name,
    asks_reason,
    asks_year,
    defined_term,
    is_english,
    names_something_new,
    new_names,
    quantity_subject,
    states_age,
    states_cause,
    states_duration,
    states_frequency,
    states_lead_time,
    wants_number,
    years_named,
)
from index.searchindex import SearchIndex

MAX_QUERY_CHARS = 1000
_SURFACE_WORD = re.compile(r"[\w'’-]+")


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
    """Fusion and answer settings, tuned on the gold files (README, Evaluation; docs/evaluation.md
    gives each rule's measured effect)."""

    candidates: int = 60
    dense_weight: float = 0.8
    dense_weight_english: float = 0.75  # English questions lean on meaning: BM25 sees only glossary words
    unit_weight: float = 0.3  # share of the dense score taken from the best sentence in the passage
    region_boost: float = 0.5  # for passages of a region the question names: they come first, nearly always
    topic_weight: float = 0.3  # ranking embedding: share of the question's topic (without region names, titles)
    duration_passage_bonus: float = 0.2  # "hoe snel": passages stating a time span rank a little higher
    frequency_passage_bonus: float = 0.2  # "hoe vaak": passages saying how often, the same
    count_passage_bonus: float = 0.2  # "hoeveel": of the top 3, passages giving a number of the counted thing first
    answer_cosine_weight: float = 0.6  # highlights: meaning vs wording within a passage
    answer_coverage_weight: float = 0.2
    answer_passage_weight: float = 0.03
    answer_passages: int = 1
    count_answer_passages: int = 3  # "hoeveel": no number of the thing in the top passage? look two further
    items_answer_passages: int = 3  # "welke vijf gemeenten": no sentence naming items in the top passage? the same
    highlight_margin: float = 0.1
    answer_list_bonus: float = 0.03  # a sentence announcing a list: with its items, a complete answer
    answer_definition_bonus: float = 0.05  # "wat is X": the passage's first sentence that names X
    answer_duration_bonus: float = 0.1  # "hoe snel": prefer sentences giving a time span ("binnen 24 uur")
    answer_cause_bonus: float = 0.05  # "waarom": prefer a sentence giving a cause ("leidde tot", "doordat")
    answer_lead_bonus: float = 0.1  # "hoe lang van tevoren": prefer a span before something ("9 maanden voor")
    answer_frequency_bonus: float = 0.1  # "hoe vaak": prefer sentences saying how often ("twee maal per jaar")
    answer_names_bonus: float = 0.1  # "welke organisaties": a sentence naming three or more, a little more
    answer_name_bonus: float = 0.1  # "welke gemeente", "wie": prefer sentences naming someone new
    answer_number_bonus: float = 0.2  # "hoeveel" questions: prefer sentences giving a number of the counted thing
    answer_age_bonus: float = 0.15  # "voor welke kinderen / tot hoe oud": prefer sentences giving an age
    answer_year_bonus: float = 0.05  # a question naming a year: prefer sentences about that year
    answer_when_bonus: float = 0.1  # "sinds wanneer": prefer sentences naming a year
    answer_items_bonus: float = 0.1  # "welke stappen": prefer sentences naming several items ("A, B en C")
    # confidence = sigmoid(a * (answer cosine - c) + b * (share of question terms known to the corpus - d)
    #                      - number penalty); the lexical term is left out for English questions. The
    # penalty applies when a 'hoeveel' answer gives no number of the thing asked for ("fte", "weken"),
    # or a 'hoe lang / hoe snel' answer no time span: the commonest way a question about a topic the
    # documents do cover still has no answer.
    conf_cosine_scale: float = 10.0
    conf_cosine_center: float = 0.80
    conf_known_scale: float = 5.0
    conf_known_center: float = 0.5
    conf_number_penalty: float = 6.0
    compare_margin: float = 0.06  # compare: a document counts when its best cosine is this close to the best
    compare_keyword_weight: float = 0.2  # compare: share of the question's content words alone in its vector
    threshold: float = 0.5


@dataclass(frozen=True)
class _Asks:
    """The kind of answer a question wants, from its wording."""

    counted: frozenset[str] | None = None  # "hoeveel": terms of the counted thing (empty when unclear)
    reason: bool = False  # "waarom"
    defined: str | None = None  # "wat is X": X
    duration: bool = False  # "hoe snel", "binnen hoeveel tijd"
    frequency: bool = False  # "hoe vaak"
    lead_time: bool = False  # "hoe lang van tevoren"
    name_of: str | None = None  # "welke gemeente", "wie": the question, whose own names do not count
    items: bool = False  # "welke stappen", "welke drie maatstaven": several things
    age: bool = False  # "voor welke kinderen is X bedoeld", "tot hoe oud": an age (group)
    years: frozenset[str] = frozenset()  # "in 2022": the years it names
    when: bool = False  # "sinds wanneer", "in welk jaar": a year


@dataclass(frozen=True)
class _Query:
    """A question as the retriever uses it: its text, its topic (the text without the region
    names it contains and the words of the named documents' titles), the documents it names,
    the vector that ranks passages, the words and the kind of answer it wants."""

    text: str
    topic: str
    named: frozenset[str]
    vector: np.ndarray
    words: str  # what BM25 and the answer's term matching see: the topic, with Dutch for English words
    asks: _Asks


@dataclass(frozen=True)
class _AnswerOption:
    value: float
    hit: Hit
    span: Span  # in the passage's clean text
    cosine: float
    counts: bool = False  # gives a number of what a 'hoeveel' question counts


@dataclass
class _Candidates:
    rows: np.ndarray
    dense: np.ndarray
    lexical: np.ndarray
    unit_best: np.ndarray
    score: np.ndarray


class HybridRetriever:
    def __init__(self, index: SearchIndex, embedder: Any, params: RetrievalParams | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.params = params or RetrievalParams()
        self._terms_cache: dict[tuple[str, bool], frozenset[str]] = {}
        self._tokens_cache: dict[str, list[Any]] = {}
        docs = index.documents.values()
        self._aliases = alias_table([d.meta for d in docs], (d.text for d in docs))
        analysed = [
            (frozenset(t for w in words for t in self._unit_terms(w, parts=False)), symbol, precise)
            for words, symbol, precise in QUANTITY_GROUPS
        ]
        self._quantity_groups = [(terms, symbol) for terms, symbol, _ in analysed]
        self._precise_groups = [(terms, symbol) for terms, symbol, precise in analysed if precise]

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
        return self._search(self._prepare(query), k, filters)

    def compare(self, query: str, per_doc: int = 2, filters: Filters | None = None) -> SearchResult:
        """The best passages of every document, so regions can be read side by side.

        A document's passages come from different sections where it has them: two overlapping
        neighbours say less than two places where the document addresses the topic.
        A document whose best sentence is much less similar to the topic than the best
        sentence anywhere is left out: the app shows "geen relevante passage" for it.
        Hits are ordered by raw similarity, which is comparable across documents.
        """
        prepared = self._prepare(query)
        base = self._search(prepared, self.params.answer_passages, filters)  # for answer and confidence
        q = prepared.vector
        weights = self._query_weights(prepared)
        marks = self._mark_terms(prepared.text)
        f = filters or Filters()
        stressed = self._stress_content_words(prepared)  # ranks passages within each document
        per_doc_hits: list[Hit] = []
        for doc in self.index.documents:
            if f.docs and doc not in f.docs:
                continue
            cand = self._candidates(stressed, Filters(regions=f.regions, docs=(doc,), years=f.years))
            sections = [self.index.chunks[int(r)].section for r in cand.rows]
            for i in spread_over_sections(np.argsort(-cand.score).tolist(), sections, per_doc):
                hit = self._hit(int(cand.rows[i]), float(max(cand.dense[i], cand.unit_best[i])), cand, i)
                per_doc_hits.append(hit)
        floor = max((h.score for h in per_doc_hits), default=0.0) - self.params.compare_margin
        hits = [h for h in per_doc_hits if h.score >= floor]
        for hit in hits:
            self._highlight(hit, q, weights, marks)
        hits.sort(key=lambda h: -h.score)
        return SearchResult(prepared.text, base.answerable, base.confidence, base.answer, hits, base.named_regions)

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

    # ---- internals ----------------------------------------------------------------------------

    def _prepare(self, query: str) -> _Query:
        text = self._check(query)
        mentions = find_mentions(text, self._aliases)
        titles = [self.index.documents[m.doc].meta.title for m in mentions]
        topic = strip_title_words(strip_mentions(text, mentions), titles, DUTCH_STOPWORDS) or text
        vector = self.embedder.embed_query(text)
        if topic != text and self.params.topic_weight > 0:
            # Mixed rather than replaced: "hoeveel gemeenten werken samen in Holland Rijnland"
            # is about the region itself.
            vector = _mix(vector, self.embedder.embed_query(topic), self.params.topic_weight)
        words = f"{topic} {translate_terms(topic)}" if is_english(text) else topic
        asks = _Asks(
            counted=self._counted(text),
            reason=asks_reason(text),
            defined=defined_term(topic),
            duration=asks_duration(text),
            frequency=asks_frequency(text),
            lead_time=asks_lead_time(text),
            name_of=text if asks_name(text) else None,
            items=asks_list(text),
            age=asks_age(text),
            years=years_named(text),
            when=asks_year(text),
        )
        return _Query(text, topic, frozenset(m.doc for m in mentions), vector, words, asks)

    def _search(self, query: _Query, k: int, filters: Filters | None) -> SearchResult:
        p = self.params
        cand = self._candidates(query, filters)
        # The answer may come from further down than the k shown (k=1, and a 'hoeveel' answer).
        further = max(p.answer_passages, p.count_answer_passages, p.items_answer_passages)
        order = np.argsort(-cand.score)[: max(k, further)]
        weights = self._query_weights(query)
        marks = self._mark_terms(query.text)
        q = query.vector
        hits = [self._hit(int(cand.rows[i]), float(cand.score[i]), cand, i) for i in order]
        asks = query.asks
        answer, cosine = self._answer(hits, q, weights, asks)
        hits = hits[:k]
        for hit in hits:
            self._highlight(hit, q, weights, marks)
        confidence = self._confidence(
            cosine,
            self._known_share(query.text),
            english=is_english(query.text),
            shape_missing=answer is not None
            and (
                (asks.counted is not None and not self._states(answer.text, asks.counted))
                or (asks.duration and not states_duration(answer.text))
            ),
        )
        return SearchResult(
            query.text, confidence >= p.threshold, confidence, answer, hits, self._regions(query.named)
        )

    def _stress_content_words(self, query: _Query) -> _Query:
        """The question with its content words alone mixed into its vector. A comparison is
        asked in a frame ("hoe gaan de regio's om met ...") that weighs as much in the embedding
        as the topic does; inside one document, where every passage is about youth care, the
        topic is what tells passages apart."""
        w = self.params.compare_keyword_weight
        words = " ".join(t for t in _SURFACE_WORD.findall(query.topic) if t.lower() not in DUTCH_STOPWORDS)
        if not w or not words or words == query.topic:
            return query
        return replace(query, vector=_mix(query.vector, self.embedder.embed_query(words), w))

    def _regions(self, docs: frozenset[str]) -> tuple[str, ...]:
        if not docs or len(docs) == len(self.index.documents):
            return ()
        return tuple(sorted({self.index.documents[d].meta.region for d in docs}))

    def _check(self, query: str) -> str:
        query = " ".join((query or "").split())
        if not query:
            raise QueryError("Lege vraag: typ een vraag of een paar zoekwoorden.")
        if len(query) > MAX_QUERY_CHARS:
            raise QueryError(f"De vraag is te lang ({len(query)} tekens); houd het onder {MAX_QUERY_CHARS}.")
        return query

    def _candidates(self, query: _Query, filters: Filters | None) -> _Candidates:
        p = self.params
        f = filters or Filters()
        q = query.vector
        allowed = self.index.mask(regions=f.regions, docs=f.docs, years=f.years)
        d_rows, _ = self.index.vectors.search(q, p.candidates, allowed=allowed)
        lex_scores = self.index.lexical.scores(query.words)
        lex_rows = [r for r, _ in top_rows(lex_scores, p.candidates, allowed=allowed)]
        rows = np.array(sorted(set(d_rows.tolist()) | set(lex_rows)), dtype=np.int64)
        if len(rows) == 0:
            return _Candidates(rows, np.empty(0), np.empty(0), np.empty(0), np.empty(0))
        # Both legs score every candidate: a passage found by meaning keeps its (smaller) BM25 score.
        dense = np.asarray(self.index.embeddings[rows], dtype=np.float32) @ q
        lexical = lex_scores[rows].astype(np.float32)
        unit_best = np.array([self._unit_cosines(int(r), q).max(initial=-1.0) for r in rows], dtype=np.float32)
        unit_best = np.where(unit_best < 0, dense, unit_best)
        w = p.dense_weight_english if is_english(query.text) else p.dense_weight
        dense_mix = (1 - p.unit_weight) * _minmax(dense) + p.unit_weight * _minmax(unit_best)
        lex_n = lexical / lexical.max() if lexical.max() > 0 else lexical
        score = w * dense_mix + (1 - w) * lex_n
        for asked, states, bonus in (
            (query.asks.duration, states_duration, p.duration_passage_bonus),
            (query.asks.frequency, states_frequency, p.frequency_passage_bonus),
        ):
            if asked and bonus:
                score = score + bonus * np.array([states(self.index.chunks[r].text) for r in rows], dtype=np.float32)
        named = query.named
        if named and len(named) < len(self.index.documents):
            score = score + p.region_boost * np.array([self.index.chunks[r].doc in named for r in rows])
        score = self._lift_counting(query.asks, rows, score)
        return _Candidates(rows, dense, lexical, unit_best, score)

    def _lift_counting(self, asks: _Asks, rows: np.ndarray, score: np.ndarray) -> np.ndarray:
        """'Hoeveel': among the passages a counting answer may come from anyway (the top
        `count_answer_passages`), those giving a number of the counted thing move up. Lifting one
        from further down would answer questions the documents cannot answer."""
        p = self.params
        if asks.counted is None or not p.count_passage_bonus:
            return score
        lift = np.zeros(len(rows), dtype=np.float32)
        for i in np.argsort(-score)[: p.count_answer_passages]:
            row = int(rows[i])
            text = self.index.chunks[row].text
            if any(self._states(text[s:e], asks.counted, by_group=False) for s, e in self.index.units[row]):
                lift[i] = p.count_passage_bonus
        return score + lift

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

    def _query_weights(self, query: _Query) -> dict[str, float]:
        lexical = self.index.lexical
        return {t: lexical.idf(t) for t in set(lexical.query_terms(query.words))}

    def _unit_terms(self, text: str, *, parts: bool = True) -> frozenset[str]:
        """Analysed terms of a sentence; cached, since the same passages come back query after query."""
        terms = self._terms_cache.get((text, parts))
        if terms is None:
            tokens = analyze(text, split_compounds=parts, splitter=self.index.lexical.splitter)
            terms = frozenset(t.term for t in tokens)
            if len(self._terms_cache) < 200_000:
                self._terms_cache[(text, parts)] = terms
        return terms

    def _counted(self, query: str) -> frozenset[str] | None:
        """For a 'hoeveel' question, the terms of what it counts (empty when unclear); None otherwise."""
        if not wants_number(query):
            return None
        subject = quantity_subject(query)
        # A compound counts what its last part names: "twee jaar" gives no number of a "jaarbudget".
        return head_terms(subject, splitter=self.index.lexical.splitter) if subject else frozenset()

    def _states(self, text: str, counted: frozenset[str], *, by_group: bool = True) -> bool:
        """A sentence gives a number of the counted thing (named as a whole word, or by its group;
        without `by_group`, only by a precise group: providers as "organisaties", a share by "%")."""
        groups = self._quantity_groups if by_group else self._precise_groups
        return states_quantity(text, self._unit_terms(text, parts=False), counted, groups)

    def _answer(
        self,
        hits: list[Hit],
        q: np.ndarray,
        weights: dict[str, float],
        asks: _Asks,
    ) -> tuple[Answer | None, float]:
        """The best answer among the top passages, and its cosine to the question.

        Units compete on raw cosine plus term coverage, with a bonus for their passage's rank
        score, for announcing a list, for a number of the counted thing ('hoeveel'), for
        defining X ('wat is X'), and for the other shapes a question asks for (`_shape_bonus`:
        a time span, a frequency, a cause, a name, items, an age, a year). A list that opens a
        passage competes as a whole, with its heading. A 'waarom' question answered by a
        conclusion gets the reason before it. A counting question whose top passage gives no
        number, or a list question whose top passage names no items, may be answered from the
        next two passages.
        """
        top_score = max((h.score for h in hits), default=1.0) or 1.0
        n = self.params.answer_passages

        def options_of(passages: list[Hit]) -> list[_AnswerOption]:
            return [o for hit in passages for o in self._answer_options(hit, q, weights, top_score, asks)]

        options = options_of(hits[:n])
        if asks.counted is not None and not any(o.counts for o in options):
            # Neighbouring passages of one section often tie; the number may be in the next ones. It
            # must name the counted thing itself there: "€ 12 miljoen" of some other budget is no
            # answer to "hoe groot is het innovatiebudget".
            counted = asks.counted
            further = options_of(hits[n : self.params.count_answer_passages])
            options += [o for o in further if o.counts and self._states(_option_text(o), counted, by_group=False)]
        if asks.items and not any(enumerates(_option_text(o), loosely=True) for o in options):
            # "Which five municipalities were studied": a passage about the study that names none
            # often ranks above the one that lists them.
            further = options_of(hits[n : self.params.items_answer_passages])
            options += [o for o in further if enumerates(_option_text(o))]
        if not options:
            return None, 0.0
        best = max(options, key=lambda o: o.value)  # the first of equals: a sentence before a whole list
        c, (s, e) = best.hit.chunk, best.span
        o_start, o_end = c.to_original(s, e)
        answer = Answer(c.text[s:e], c.doc, o_start, o_end, c.id, c.region, c.title, c.section, c.page)
        return answer, best.cosine

    def _answer_options(
        self,
        hit: Hit,
        q: np.ndarray,
        weights: dict[str, float],
        top_score: float,
        asks: _Asks,
    ) -> list[_AnswerOption]:
        p = self.params
        text = hit.chunk.text
        row = self.index.row_of[hit.chunk.id]
        units = self.index.units[row]
        cos = self._unit_cosines(row, q)
        rank_bonus = p.answer_passage_weight * hit.score / top_score
        defining = self._defining_unit(text, units, asks.defined) if asks.defined else None
        options = []
        for j, (s, e) in enumerate(units):
            unit = text[s:e]
            if is_caption(unit, text[e : e + 200]):
                continue
            counts = asks.counted is not None and self._states(unit, asks.counted)
            reason = reason_before(text, units, j) if asks.reason else None
            span = reason or extend_answer(text, units, j)
            value = (
                float(cos[j])
                + p.answer_coverage_weight * term_coverage(self._unit_terms(unit), weights)
                + rank_bonus
                + (p.answer_number_bonus if counts else 0.0)
                + (p.answer_list_bonus if introduces_list(text, units, j) else 0.0)
                + (p.answer_definition_bonus if j == defining else 0.0)
                + self._shape_bonus(unit, text[span[0] : span[1]], asks, gives_reason=reason is not None)
            )
            options.append(_AnswerOption(value, hit, span, float(cos[j]), counts))
        n = opening_items(text, units)
        if n >= 2:
            # A passage that opens with list items continues a list whose lead-in is its heading
            # ("Leidende principes"): heading and items compete together, as one answer.
            heading = hit.chunk.section.rsplit(" > ", 1)[-1]
            terms = self._unit_terms(heading).union(*(self._unit_terms(text[a:b]) for a, b in units[:n]))
            list_cos = float(cos[:n].max())
            coverage = term_coverage(terms, weights)
            value = list_cos + p.answer_coverage_weight * coverage + rank_bonus + p.answer_list_bonus
            options.append(_AnswerOption(value, hit, (units[0][0], units[n - 1][1]), list_cos))
        return options

    def _shape_bonus(self, unit: str, answer: str, asks: _Asks, *, gives_reason: bool = False) -> float:
        """Bonus for a sentence with the shape the question asks for; `answer` is the text it
        would show. `gives_reason`: the unit is a conclusion ("om deze reden ...") and `answer`
        the reason before it, which the text itself marks as a cause."""
        p = self.params
        return (
            (p.answer_duration_bonus if asks.duration and states_duration(unit) else 0.0)
            + (p.answer_frequency_bonus if asks.frequency and states_frequency(unit) else 0.0)
            + (p.answer_lead_bonus if asks.lead_time and states_lead_time(unit) else 0.0)
            + (p.answer_cause_bonus if asks.reason and (gives_reason or states_cause(answer)) else 0.0)
            + (p.answer_name_bonus if asks.name_of and names_something_new(unit, asks.name_of) else 0.0)
            + (p.answer_names_bonus if asks.name_of and asks.items and new_names(unit, asks.name_of) >= 3 else 0.0)
            + (p.answer_items_bonus if asks.items and enumerates(unit) else 0.0)
            + (p.answer_age_bonus if asks.age and states_age(unit) else 0.0)
            + (p.answer_year_bonus if asks.years and asks.years <= years_named(unit) else 0.0)
            + (p.answer_when_bonus if asks.when and years_named(unit) else 0.0)
        )

    def _defining_unit(self, text: str, units: list[Span], term: str) -> int | None:
        """The unit that defines a term: one that opens with it and a copula ("X is ..."), else the
        first that names all its words, since texts define a term where they introduce it."""
        opening = next((j for j, (s, e) in enumerate(units) if opens_definition(text[s:e], term)), None)
        if opening is not None:
            return opening
        words = self._unit_terms(term, parts=False)
        if not words:
            return None
        return next((j for j, (s, e) in enumerate(units) if words <= self._unit_terms(text[s:e], parts=False)), None)

    def _known_share(self, query: str) -> float:
        """Share of the question's (idf-weighted) words that occur anywhere in the corpus.

        A question about something the documents never mention ("mantelzorgers") has
        rare, unknown words; that is the strongest sign that there is no answer.
        """
        lexical = self.index.lexical
        terms = set(lexical.query_terms(query, split_compounds=False))
        total = sum(lexical.idf(t) for t in terms)
        if total <= 0:
            return 1.0
        return sum(lexical.idf(t) for t in terms if lexical.document_frequency(t) > 0) / total

    def _mark_terms(self, query: str) -> set[str]:
        """The question's whole words (stemmed). Marked in a passage as words or as compound parts,
        so "wachtlijst" marks "wachtlijsten" and "wachtlijstbeheer", but "jeugdhulp" does not
        mark every "jeugd" and "hulp"."""
        return set(self.index.lexical.query_terms(query, split_compounds=False))

    def _highlight(self, hit: Hit, q: np.ndarray, weights: dict[str, float], marks: set[str]) -> None:
        """Answer sentences (within a margin of the passage's best) and the query's terms, in original offsets."""
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
            [hit.chunk.to_original(t.start, t.end) for t in self._chunk_tokens(hit.chunk) if t.term in marks]
        )

    def _chunk_tokens(self, chunk: Chunk) -> list[Any]:
        """Analysed tokens of a passage (for marking query terms); cached per passage."""
        tokens = self._tokens_cache.get(chunk.id)
        if tokens is None:
            tokens = analyze(chunk.text, splitter=self.index.lexical.splitter)
            if len(self._tokens_cache) < 50_000:
                self._tokens_cache[chunk.id] = tokens
        return tokens

    def _confidence(self, cosine: float, known: float, *, english: bool, shape_missing: bool) -> float:
        """In [0, 1]: how likely the answer is really in the documents (calibrated on the dev set)."""
        p = self.params
        z = p.conf_cosine_scale * (cosine - p.conf_cosine_center)
        if not english:
            z += p.conf_known_scale * (known - p.conf_known_center)
        if shape_missing:
            z -= p.conf_number_penalty
        return 1.0 / (1.0 + math.exp(-z))


def _option_text(option: _AnswerOption) -> str:
    return option.hit.chunk.text[option.span[0] : option.span[1]]


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


def _mix(vector: np.ndarray, other: np.ndarray, weight: float) -> np.ndarray:
    """Unit vector of (1 - weight) * vector + weight * other."""
    mixed = (1 - weight) * vector + weight * other
    return (mixed / np.linalg.norm(mixed)).astype(np.float32)


def _minmax(x: np.ndarray) -> np.ndarray:
    if len(x) == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.ones_like(x)
