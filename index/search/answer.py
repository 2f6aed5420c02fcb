"""Stage 4, answer: the best sentence (or list) among the top passages, and its cosine to the question.

Units compete on raw cosine plus term coverage, with a bonus for their passage's rank score,
for announcing a list, and for each shape the question asks for that they state (shapes.py).
A list that opens a passage competes as a whole, with its heading. A 'waarom' question answered
by a conclusion gets the reason before it. A counting question whose top passage gives no number,
or a list question whose top passage names no items, may be answered from the next two passages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from beleidszoeker.records import Answer, Chunk, Hit, Span
from index.backends.base import PassageView
from index.search.candidates import unit_cosines
from index.search.params import RetrievalParams
from index.search.query import Question
from index.search.sentences import (
    enumerates,
    extend_answer,
    introduces_list,
    is_caption,
    is_heading,
    is_question,
    is_table_row,
    opening_items,
    opens_definition,
    reason_before,
    row_with_header,
    table_header,
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


@dataclass(frozen=True)
class AnswerChoice:
    """The chosen answer and what the confidence reads from the choice."""

    answer: Answer | None
    cosine: float = 0.0  # of the answer's sentence to the question
    margin: float = 0.0  # its value above the best option elsewhere (another sentence, another passage)
    from_top: bool = False  # the answer comes from the top passage


def choose_answer(
    hits: list[Hit],
    question: Question,
    weights: dict[str, float],
    index: PassageView,
    params: RetrievalParams,
    terms: Terms,
    sections: Mapping[str, Mapping[str, str]] | None = None,
) -> AnswerChoice:
    """`sections`: per document, each section title with its full path (`section_paths`): a
    heading is never an answer, and the answer's section is the one its sentence stands in."""
    ap = params.answer
    sections = sections or {}
    top_score = max((h.score for h in hits), default=1.0) or 1.0
    n = ap.passages

    def options_of(passages: list[Hit]) -> list[AnswerOption]:
        return [
            o
            for hit in passages
            for o in answer_options(
                hit, question, weights, top_score, index, params, terms, frozenset(sections.get(hit.chunk.doc, ()))
            )
        ]

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
        return AnswerChoice(None)
    best = max(options, key=lambda o: o.value)  # the first of equals: a sentence before a whole list
    others = [o.value for o in options if not _overlaps(o, best)]
    # A lone option has nothing to beat: its margin is that of a clear winner, not of a tie.
    margin = best.value - max(others) if others else ap.coverage_weight
    c, (s, e) = best.hit.chunk, best.span
    o_start, o_end = c.to_original(s, e)
    paths = sections.get(c.doc, {})
    page = index.documents[c.doc].page_at(o_start) if c.doc in index.documents else None
    header = table_header(c.text, (s, e))
    shown = row_with_header(c.text[s:e], header) if header is not None else ""
    section = sentence_section(c.text, index.units[index.row_of[c.id]], s, c.section, paths)
    answer = Answer(
        c.text[s:e], c.doc, o_start, o_end, c.id, c.region, c.title, section, page.number if page else c.page, shown
    )
    return AnswerChoice(answer, best.cosine, margin, bool(hits) and best.hit is hits[0])


def _overlaps(a: AnswerOption, b: AnswerOption) -> bool:
    """The two options share text of the document (neighbouring passages repeat a few sentences)."""
    if a.hit.chunk.doc != b.hit.chunk.doc:
        return False
    (a0, a1), (b0, b1) = a.hit.chunk.to_original(*a.span), b.hit.chunk.to_original(*b.span)
    return a0 < b1 and b0 < a1


def answer_options(
    hit: Hit,
    question: Question,
    weights: dict[str, float],
    top_score: float,
    index: PassageView,
    params: RetrievalParams,
    terms: Terms,
    headings: frozenset[str] = frozenset(),
) -> list[AnswerOption]:
    """Every unit of a passage as an answer, with its value; plus the list opening it, as a whole.

    Never a question, a caption, a heading or a table's header row: they name what the text is
    about, not what it says."""
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
        if is_caption(unit, text[e : e + 200]) or is_question(unit) or is_heading(text, (s, e), headings):
            continue
        header = table_header(text, (s, e)) if is_table_row(unit) else None
        if is_table_row(unit) and header is None:
            continue  # the header row: column names only
        # A row is read with its column headers: words they share with the question then count
        # for every row alike, and the row's own words tell the rows apart.
        unit_terms = terms.unit_terms(unit) if header is None else terms.unit_terms(unit) | terms.unit_terms(header)
        before = reason_before(text, units, j) if reason else None
        span = before or extend_answer(text, units, j)
        sentence = Sentence(unit, text[span[0] : span[1]], gives_reason=before is not None, defines=j == defining)
        value = (
            float(cos[j])
            + ap.coverage_weight * term_coverage(unit_terms, weights)
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


def section_paths(chunks: Iterable[Chunk]) -> dict[str, dict[str, str]]:
    """Per document, every section title with its path ("1 Jeugdhulp > 1.3 Uitgaven"), from the
    chunks' sections: the title of a heading written inline in a passage gives its section."""
    out: dict[str, dict[str, str]] = {}
    for c in chunks:
        parts = [p for p in c.section.split(" > ") if p] if c.section else []
        paths = out.setdefault(c.doc, {})
        for i, title in enumerate(parts):
            paths.setdefault(title, " > ".join(parts[: i + 1]))
    return out


def sentence_section(text: str, units: Sequence[Span], start: int, section: str, paths: Mapping[str, str]) -> str:
    """The section of the sentence at `start`: that of the last heading written before it in the
    passage, else the passage's own."""
    for s, e in reversed([u for u in units if u[1] <= start]):
        title = text[s:e].strip()
        if title in paths and is_heading(text, (s, e), frozenset(paths)):
            return paths[title]
    return section
