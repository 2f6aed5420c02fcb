"""The compare view's absolute relevance: frame words, coverage, the logistic model, on constructed text."""

from __future__ import annotations

import json

import pytest
from search_fakes import FakeEmbedder, Passage, memory_index

from beleidszoeker.render import compare_header, render_compare_terminal, result_to_json
from index.dutch import FRAME_WORDS, content_words
from index.evaluate_compare import DocLabel, Topic, evaluate_compare
from index.search.compare import PART_CREDIT, TopicWord, background, relevance_probability, topic_coverage
from index.search.params import default_params
from index.search.retriever import HybridRetriever


def test_frame_words_are_not_content():
    assert content_words("hoeveel extra pleeggezinnen zijn nodig") == ["pleeggezinnen"]
    assert content_words("Wat doen de regio's aan wachtlijsten?") == ["wachtlijsten"]
    assert content_words("welke 3 gemeenten") == ["gemeenten"]
    assert content_words("???") == [] and content_words("hoe wat welke nodig extra") == []
    assert {"hoeveel", "extra", "nodig", "welke", "doet"} <= FRAME_WORDS


def test_coverage_weighs_rare_words_and_counts_compound_parts_partly():
    rare, common = TopicWord("statushouder", 5.0), TopicWord("jeugdhulp", 0.5)
    assert topic_coverage([rare, common], frozenset({"jeugdhulp"})) < 0.02
    assert topic_coverage([rare, common], frozenset({"statushouder"})) > 0.98
    compound = TopicWord("crisiszorg", 4.0, (("crisis", 3.0), ("zorg", 1.0)))
    assert topic_coverage([compound], frozenset({"crisiszorg"})) == 1.0
    assert topic_coverage([compound], frozenset({"crisis"})) == pytest.approx(PART_CREDIT * 0.75)
    assert topic_coverage([], frozenset({"x"})) == 0.0


def test_relevance_probability_rises_with_every_feature_and_stays_finite():
    low = relevance_probability((0.0, 0.1, 0.1), -3.0, (50.0, 5.0, 5.0))
    assert relevance_probability((0.02, 0.1, 0.1), -3.0, (50.0, 5.0, 5.0)) > low
    assert relevance_probability((0.0, 0.9, 0.1), -3.0, (50.0, 5.0, 5.0)) > low
    assert 0.0 < relevance_probability((-100.0, 0, 0), 0.0, (50.0, 0, 0)) < 1e-20


def test_background_is_a_unit_vector():
    import numpy as np

    v = background(np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32))
    assert abs(float(v @ v) - 1.0) < 1e-6


PASSAGES = [
    Passage("a.txt", "Noord", "Er zijn veertig extra pleeggezinnen nodig. Pleeggezinnen krijgen begeleiding."),
    Passage("a.txt", "Noord", "De wachtlijsten in de jeugdhulp groeien.", section="Wachten"),
    Passage("b.txt", "Zuid", "Er is extra geld nodig. Hoeveel extra middelen nodig zijn, bepaalt de raad."),
    Passage("c.txt", "West", "De sportvereniging en de school werken samen."),
]


@pytest.fixture(scope="module")
def lexical_only() -> HybridRetriever:
    """Relevance decided by wording alone (cosine weight 0), so the fake embedder cannot decide it."""
    params = default_params().with_overrides({
        "compare.relevance_bias": -3.0, "compare.relevance_cosine": 0.0, "compare.relevance_coverage": 8.0,
        "compare.relevance_doc_coverage": 0.0, "compare.relevance_threshold": 0.5,
    })
    return HybridRetriever(memory_index(PASSAGES), FakeEmbedder(), params)


def test_frame_words_never_carry_the_match(lexical_only):
    result = lexical_only.compare("hoeveel extra pleeggezinnen zijn nodig")
    relevant = {h.chunk.doc for h in result.hits if h.relevant}
    assert relevant == {"a.txt"}  # b.txt says "hoeveel extra ... nodig" but nothing of pleeggezinnen
    assert {h.chunk.doc for h in result.hits} == {"a.txt", "b.txt", "c.txt"}  # every document keeps a hit
    assert all(sum(h.chunk.doc == d for h in result.hits) == 1 for d in ("b.txt", "c.txt"))


@pytest.mark.parametrize("nonsense", ["???", "asdf", "hoeveel extra nodig"])
def test_nonsense_and_pure_frames_address_nothing(lexical_only, nonsense):
    assert not any(h.relevant for h in lexical_only.compare(nonsense).hits)


def test_compare_json_and_text_say_which_documents_are_relevant(lexical_only):
    result = lexical_only.compare("hoeveel extra pleeggezinnen zijn nodig")
    hits = json.loads(json.dumps(result_to_json(result)))["hits"]
    assert all(isinstance(h["relevant"], bool) for h in hits)
    assert {h["doc"] for h in hits if h["relevant"]} == {"a.txt"}
    assert "relevant" not in result_to_json(lexical_only.search("pleeggezinnen", k=2))["hits"][0]  # search unchanged
    text = render_compare_terminal(result, color=False)
    assert "1 van 3 documenten heeft een relevante passage" in text
    assert text.count("Geen relevante passage") == 2
    assert compare_header(3, 5) == "3 van 5 documenten hebben een relevante passage"


def test_evaluator_counts_only_documents_shown_as_relevant(lexical_only):
    topic = Topic("t1", "hoeveel extra pleeggezinnen zijn nodig", {
        "a.txt": DocLabel("addresses"), "b.txt": DocLabel("absent"), "c.txt": DocLabel("absent")})
    report = evaluate_compare({}, [topic], lambda q: lexical_only.compare(q))
    assert report.addresses_shown == 1.0 and report.absent_shown == 0.0 and report.pairs["absent"] == 2
