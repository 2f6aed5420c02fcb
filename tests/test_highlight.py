"""Query-term underlining (index/search/highlight.marked_spans) on constructed text with the real Dutch analysis."""

from __future__ import annotations

from index.analysis import analyze
from index.lexical import LexicalIndex
from index.search.highlight import marked_spans
from index.search.terms import Terms

PASSAGES = [
    "De wachtlijsten voor jeugdhulp groeien; met wachtlijstbeheer wordt de wachttijd korter.",
    "Jeugdhulpaanbieders bieden hulp aan gezinnen. Zie Figuur 6.1 en paragraaf 1.000 regels.",
    "In 2022 kregen 1 op de 10 jeugdigen jeugdhulp; 10 gemeenten werken samen aan pleegzorg.",
]


def _terms() -> Terms:
    return Terms(LexicalIndex.build([str(i) for i in range(len(PASSAGES))], PASSAGES))


def _marked(question: str, text: str) -> list[str]:
    terms = _terms()
    tokens = analyze(text, splitter=terms.lexical.splitter)
    return [text[s:e] for s, e in sorted(set(marked_spans(text, tokens, terms.mark_terms(question))))]


def test_a_short_common_word_marks_itself_not_every_compound_it_is_part_of():
    marked = _marked("welke hulp krijgen gezinnen", PASSAGES[1])
    assert "hulp" in marked and "gezinnen" in marked
    assert "Jeugdhulpaanbieders" not in marked


def test_a_compound_question_word_marks_the_compounds_that_contain_it():
    marked = _marked("wachtlijst", PASSAGES[0])
    assert marked == ["wachtlijsten", "wachtlijstbeheer"]


def test_numbers_mark_only_as_whole_numbers():
    marked = _marked("wat staat er in figuur 1 over 10 gemeenten", PASSAGES[1] + " " + PASSAGES[2])
    assert "1" not in marked  # neither the "1" of "6.1" or "1.000", nor a lone digit
    assert "10" in marked and "Figuur" in marked
