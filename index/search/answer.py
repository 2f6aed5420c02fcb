"""Stage 4, answer: the best sentence (or list) among the top passages, and its cosine to the question.

Units compete on raw cosine plus term coverage, with a bonus for their passage's rank score,
for announcing a list, and for each shape the question asks for that they state (shapes.py).
A list that opens a passage competes as a whole, with its heading. A 'waarom' question answered
by a conclusion gets the reason before it. A counting question whose top passage gives no number,
or a list question whose top passage names no items, may be answered from the next two passages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from beleidszoeker.records import Answer, Hit, Span
from index.backends.base import PassageView
from index.search.candidates import unit_cosines
from index.search.params import RetrievalParams
from index.search.query import Question
from index.search.sentences import (
    enumerates,
    extend_answer,
    introduces_list,
    is_caption,
    is_question,
    opening_items,
    opens_definition,
    reason_before,
    term_coverage,
)
from index.search.shapes import Sentence
from index.search.terms import Terms


@dataclass(frozen=True)
class AnswerOption:
    value: float
    hit: Hit
    span: Span  # in the passage's clean text
    cosine: float
    counts: bool = False  # gives a number of what a 'hoeveel' question counts

    @property
    def text(self) -> str:
        return self.hit.chunk.text[self.span[0] : self.span[1]]


def choose_answer(
    hits: list[Hit],
    question: Question,
    weights: dict[str, float],
    index: PassageView,
    params: RetrievalParams,
    terms: Terms,
) -> tuple[Answer | None, float]:
    ap = params.answer
    top_score = max((h.score for h in hits), default=1.0) or 1.0
    n = ap.passages

    def options_of(passages: list[Hit]) -> list[AnswerOption]:
        return [o for hit in passages for o in answer_options(hit, question, weights, top_score, index, params, terms)]

    options = options_of(hits[:n])
    counted = question.ask("counting")
    if counted is not None and not any(o.counts for o in options):
        # Neighbouring passages of one section often tie; the number may be in the next ones. It
        # must name the counted thing itself there: "€ 12 miljoen" of some other budget is no
        # answer to "hoe groot is het innovatiebudget".
        further = options_of(hits[n : ap.count_passages])
        options += [o for o in further if o.counts and terms.states_count(o.text, counted, by_group=False)]
    if question.ask("items") is not None and not any(enumerates(o.text, loosely=True) for o in options):
        # "Which five municipalities were studied": a passage about the study that names none
        # often ranks above the one that lists them.
        further = options_of(hits[n : ap.items_passages])
        options += [o for o in further if enumerates(o.text)]
    if not options:
        return None, 0.0
    best = max(options, key=lambda o: o.value)  # the first of equals: a sentence before a whole list
    c, (s, e) = best.hit.chunk, best.span
    o_start, o_end = c.to_original(s, e)
    answer = Answer(c.text[s:e], c.doc, o_start, o_end, c.id, c.region, c.title, c.section, c.page)
    return answer, best.cosine


def answer_options(
    hit: Hit,
    question: Question,
    weights: dict[str, float],
    top_score: float,
    index: PassageView,
    params: RetrievalParams,
    terms: Terms,
) -> list[AnswerOption]:
    """Every unit of a passage as an answer, with its value; plus the list opening it, as a whole."""
    ap = params.answer
    text = hit.chunk.text
    row = index.row_of[hit.chunk.id]
    units = index.units[row]
    cos = unit_cosines(index, row, question.vector)
    rank_bonus = ap.passage_weight * hit.score / top_score
    defined = question.ask("definition")
    defining = defining_unit(text, units, defined, terms) if defined else None
    counted = question.ask("counting")
    reason = question.ask("reason") is not None
    options = []
    for j, (s, e) in enumerate(units):
        unit = text[s:e]
        if is_caption(unit, text[e : e + 200]) or is_question(unit):
            continue
        before = reason_before(text, units, j) if reason else None
        span = before or extend_answer(text, units, j)
        sentence = Sentence(unit, text[span[0] : span[1]], gives_reason=before is not None, defines=j == defining)
        value = (
            float(cos[j])
            + ap.coverage_weight * term_coverage(terms.unit_terms(unit), weights)
            + rank_bonus
            + (ap.list_bonus if introduces_list(text, units, j) else 0.0)
            + shape_bonus(sentence, question, params, terms)
        )
        counts = counted is not None and terms.states_count(unit, counted)
        options.append(AnswerOption(value, hit, span, float(cos[j]), counts))
    n = opening_items(text, units)
    if n >= 2:
        # A passage that opens with list items continues a list whose lead-in is its heading
        # ("Leidende principes"): heading and items compete together, as one answer.
        heading = hit.chunk.section.rsplit(" > ", 1)[-1]
        list_terms = terms.unit_terms(heading).union(*(terms.unit_terms(text[a:b]) for a, b in units[:n]))
        list_cos = float(np.max(cos[:n]))
        coverage = term_coverage(list_terms, weights)
        value = list_cos + ap.coverage_weight * coverage + rank_bonus + ap.list_bonus
        options.append(AnswerOption(value, hit, (units[0][0], units[n - 1][1]), list_cos))
    return options


def shape_bonus(sentence: Sentence, question: Question, params: RetrievalParams, terms: Terms) -> float:
    """The answer bonuses of the shapes the question asks for that the sentence states."""
    total = 0.0
    for shape, asked in question.asks:
        bonus = params.shape(shape.name).answer_bonus
        if bonus and shape.states(sentence, asked, terms):
            total += bonus
    return total


def defining_unit(text: str, units: list[Span], term: str, terms: Terms) -> int | None:
    """The unit that defines a term: one that opens with it and a copula ("X is ..."), else the
    first that names all its words, since texts define a term where they introduce it."""
    opening = next((j for j, (s, e) in enumerate(units) if opens_definition(text[s:e], term)), None)
    if opening is not None:
        return opening
    words = terms.unit_terms(term, parts=False)
    if not words:
        return None
    return next((j for j, (s, e) in enumerate(units) if words <= terms.unit_terms(text[s:e], parts=False)), None)
