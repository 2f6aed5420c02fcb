"""Fast tests of the query stages on a hand-written in-memory index with a fake embedder: fusion,
answer choice, confidence, the shape table and the parameter file (no model, no built corpus)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from search_fakes import FakeEmbedder, Passage, memory_index

from beleidszoeker.render import result_to_json
from index.errors import ParamsError, QueryError
from index.search.candidates import Candidates, Filters
from index.search.confidence import FEATURES, confidence
from index.search.fuse import fuse
from index.search.params import DEFAULT_FILE, default_params, load_params
from index.search.retriever import HybridRetriever
from index.search.shapes import SHAPE_NAMES, SHAPES
from index.search.terms import Terms

PASSAGES = [
    Passage(
        "noord.txt",
        "Noord",
        "Een gezin in crisis krijgt binnen 24 uur hulp van het crisisteam. "
        "Het crisisteam werkt samen met de wijkteams.",
        "Crisis",
    ),
    Passage(
        "noord.txt",
        "Noord",
        "Het crisisteam helpt gezinnen in crisis snel met jeugdhulp. Het crisisteam is opgericht door de gemeenten.",
        "Crisisteam",
    ),
    Passage(
        "noord.txt",
        "Noord",
        "In de regio wonen 12.000 jeugdigen. Het aantal jeugdigen met jeugdhulp stijgt.",
        "Cijfers",
    ),
    Passage(
        "zuid.txt",
        "Zuid",
        "De wachtlijsten voor jeugdhulp zijn lang in Zuid. Gemiddeld wachten kinderen twaalf weken op hulp.",
        "Wachtlijsten",
    ),
    Passage(
        "zuid.txt",
        "Zuid",
        "Wachtlijsten bij de gemeente groeien jaren sterk omhoog. "
        "Wachtlijsten bij de gemeente groeien doordat behandelaars ontbreken.",
        "Oorzaken",
    ),
    Passage(
        "zuid.txt", "Zuid", "De gemeente overlegt twee maal per jaar met de aanbieders over de wachtlijsten.", "Overleg"
    ),
]


@pytest.fixture(scope="module")
def index():
    return memory_index(PASSAGES)


@pytest.fixture
def retriever(index):
    return HybridRetriever(index, FakeEmbedder())


def with_params(retriever: HybridRetriever, overrides: dict) -> HybridRetriever:
    return HybridRetriever(retriever.index, retriever.embedder, retriever.params.with_overrides(overrides))


# ---- parameters as data ---------------------------------------------------------------------------


def test_the_parameter_file_loads_and_its_hash_names_the_values():
    params = load_params(DEFAULT_FILE)
    assert params == default_params() and params.hash == default_params().hash
    assert params.fusion.dense_weight == 0.8 and params.threshold == params.confidence.threshold > 0
    changed = params.with_overrides({"fusion.dense_weight": 0.7})
    assert changed.fusion.dense_weight == 0.7 and changed.hash != params.hash
    assert params.fusion.dense_weight == 0.8  # frozen: the original is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.fusion.dense_weight = 0.1  # type: ignore[misc]


def test_bad_parameters_get_a_clear_message(tmp_path):
    with pytest.raises(ParamsError, match="Onbekende parameter"):
        default_params().with_overrides({"fusion.dense_wieght": 0.7})
    with pytest.raises(ParamsError, match="getal"):
        default_params().with_overrides({"fusion.dense_weight": "veel"})
    bad = tmp_path / "p.toml"
    bad.write_text(DEFAULT_FILE.read_text(encoding="utf-8").replace("[compare]", "[vergelijk]"), encoding="utf-8")
    with pytest.raises(ParamsError, match="vergelijk"):
        load_params(bad)
    with pytest.raises(ParamsError, match="niet lezen"):
        load_params(tmp_path / "bestaat-niet.toml")


def test_every_shape_has_its_numbers_and_every_number_its_shape():
    params = default_params()
    assert set(params.shapes) == set(SHAPE_NAMES)
    assert len(SHAPE_NAMES) == len(set(SHAPE_NAMES))
    lowering = {name for name, s in params.shapes.items() if s.lowers_confidence}
    assert lowering == {"counting", "duration"}  # today's behaviour
    assert all(s.passage is not None for s in SHAPES if params.shape(s.name).passage_bonus)


# ---- prepare: the shapes a question asks for -------------------------------------------------------


def test_a_question_asks_for_the_shapes_of_its_wording(retriever):
    names = lambda q: [s.name for s, _ in retriever.prepare(q).asks]  # noqa: E731
    assert names("Hoe snel krijgt een gezin hulp?") == ["duration"]
    assert names("Hoe vaak overlegt de gemeente?") == ["frequency"]
    assert names("Waarom ontstaan wachtlijsten?") == ["reason"]
    assert "counting" in names("Hoeveel jeugdigen wonen in de regio?")
    assert names("wachtlijsten jeugdhulp") == []
    assert retriever.prepare("Hoeveel jeugdigen wonen er?").ask("counting")  # the counted thing's terms
    with pytest.raises(QueryError, match="Lege vraag"):
        retriever.prepare("   ")


def test_a_named_region_is_found_and_left_out_of_the_topic(retriever):
    question = retriever.prepare("wachtlijsten in Zuid")
    assert question.named == {"zuid.txt"}
    assert "Zuid" not in question.topic


# ---- fusion ------------------------------------------------------------------------------------------


def _candidates(dense, lexical, unit_best=None):
    n = len(dense)
    return Candidates(
        np.arange(n, dtype=np.int64),
        np.array(dense, dtype=np.float32),
        np.array(lexical, dtype=np.float32),
        np.array(unit_best if unit_best is not None else dense, dtype=np.float32),
    )


def test_fusion_mixes_the_legs_by_their_weights_and_keeps_the_parts(retriever, index):
    question = retriever.prepare("wachtlijsten jeugdhulp")
    cand = _candidates([0.9, 0.5, 0.1], [0.0, 2.0, 4.0])
    terms = Terms(index.lexical)
    dense_first = fuse(cand, question, index, retriever.params.with_overrides({"fusion.dense_weight": 1.0}), terms)
    lexical_first = fuse(cand, question, index, retriever.params.with_overrides({"fusion.dense_weight": 0.0}), terms)
    assert list(np.argsort(-dense_first.score)) == [0, 1, 2]
    assert list(np.argsort(-lexical_first.score)) == [2, 1, 0]
    mixed = fuse(cand, question, index, retriever.params, terms)
    for i in range(3):
        assert math.isclose(sum(mixed.breakdown(i).values()), float(mixed.score[i]), abs_tol=1e-6)
    assert mixed.breakdown(0) == pytest.approx({"dense": 0.8})  # best dense, no BM25 score


def test_fusion_adds_a_shape_bonus_to_passages_that_state_it(retriever, index):
    question = retriever.prepare("Hoe snel krijgt een gezin hulp?")
    cand = _candidates([0.5] * 6, [0.0] * 6)
    fused = fuse(cand, question, index, retriever.params, Terms(index.lexical))
    bonus = {i: fused.breakdown(i).get("duration", 0.0) for i in range(6)}
    assert bonus[0] == pytest.approx(0.2) and bonus[3] == pytest.approx(0.2)  # "24 uur", "twaalf weken"
    assert bonus[1] == bonus[2] == bonus[4] == bonus[5] == 0.0
    off = retriever.params.with_overrides({"shapes.duration.passage_bonus": 0.0})
    assert "duration" not in fuse(cand, question, index, off, Terms(index.lexical)).parts


def test_fusion_lifts_the_named_region(retriever, index):
    question = retriever.prepare("jeugdhulp in Zuid")
    fused = fuse(_candidates([0.5] * 6, [0.0] * 6), question, index, retriever.params, Terms(index.lexical))
    assert [round(fused.breakdown(i).get("region", 0.0), 3) for i in range(6)] == [0, 0, 0, 0.5, 0.5, 0.5]


# ---- the chain: answer choice and confidence ----------------------------------------------------------


def test_search_answers_with_the_sentence_of_the_shape_asked_for(retriever):
    result = retriever.search("Hoe snel krijgt een gezin in crisis hulp van het crisisteam?", k=3)
    assert result.answer is not None and "24 uur" in result.answer.text
    for hit in result.hits:
        assert math.isclose(sum(hit.breakdown.values()), hit.score, abs_tol=1e-5)
    assert result.params_hash == retriever.params.hash


def test_a_reason_question_prefers_a_sentence_giving_a_cause(retriever):
    question = "Waarom groeien de wachtlijsten bij de gemeente?"
    answer = retriever.search(question, k=3).answer
    assert answer is not None and "doordat" in answer.text
    plain = with_params(retriever, {"shapes.reason.answer_bonus": 0.0}).search(question, k=3).answer
    assert plain is not None and "doordat" not in plain.text  # the bonus is what picks the cause


def test_an_answer_without_the_asked_number_lowers_confidence(retriever):
    question = "Hoeveel behandelaars zijn er?"  # the passage says there are too few, not how many
    result = retriever.search(question, k=3)
    lenient = with_params(retriever, {"shapes.counting.lowers_confidence": False}).search(question, k=3)
    assert result.answer is not None and result.answer.text == lenient.answer.text
    assert result.confidence < lenient.confidence
    z = math.log(lenient.confidence / (1 - lenient.confidence)) - math.log(result.confidence / (1 - result.confidence))
    assert z == pytest.approx(-retriever.params.confidence.weights["shape_missing"], abs=1e-6)
    assert result.evidence["shape_missing"] == 1.0 and lenient.evidence["shape_missing"] == 0.0


def test_a_question_in_the_text_is_not_the_answer_the_sentence_after_it_is():
    faq = memory_index(
        [
            Passage(
                "faq.txt",
                "Oost",
                "Wat is een gezinsplan? Een gezinsplan is het plan dat het gezin samen met de hulpverlener maakt.",
                "Vragen",
            ),
            Passage("faq.txt", "Oost", "De gemeente betaalt de jeugdhulp uit het gemeentefonds.", "Geld"),
        ]
    )
    answer = HybridRetriever(faq, FakeEmbedder()).search("Wat is een gezinsplan?", k=2).answer
    assert answer is not None and answer.text.startswith("Een gezinsplan is")


def test_a_count_written_in_words_answers_as_surely_as_in_digits():
    def confidence_with(count: str) -> float:
        index = memory_index(
            [
                Passage(
                    "west.txt", "West", f"De gemeenten in West willen {count} extra pleeggezinnen werven.", "Pleegzorg"
                ),
                Passage("west.txt", "West", "Kinderen groeien zo veel mogelijk op in een gezin.", "Visie"),
            ]
        )
        return HybridRetriever(index, FakeEmbedder()).search("Hoeveel pleeggezinnen wil West werven?", k=2).confidence

    digits = confidence_with("40")
    assert digits > 0.5  # the fixture answers the question: the comparison means something
    assert confidence_with("veertig") == pytest.approx(digits, abs=0.05)


@pytest.mark.parametrize("nonsense", ["???", "!!!", "xyz 123", "qwerty uiop"])
def test_input_without_a_word_of_the_documents_is_never_answered(retriever, nonsense):
    result = retriever.search(nonsense, k=3)
    assert result.answer is None and result.confidence == 0.0 and not result.answerable
    assert result.hits  # the closest passages are still shown
    assert retriever.search("Hoe lang wachten kinderen in Zuid?", k=3).answer is not None


def test_confidence_is_the_fitted_logistic_of_the_answer_features():
    p = default_params().confidence
    assert set(p.weights) == set(FEATURES)
    clear = {"shape_missing": 0.0, "margin": 0.1, "score_gap": 0.1, "agree": 1.0, "shaped": 1.0}
    z = p.bias + sum(p.weights[f] * v for f, v in clear.items())
    assert confidence(clear, p) == pytest.approx(1 / (1 + math.exp(-z)))
    # A near tie between two sentences or two passages is a guess; an answer without the asked shape is none.
    assert confidence({**clear, "margin": 0.0}, p) < confidence(clear, p)
    assert confidence({**clear, "score_gap": 0.0}, p) < confidence(clear, p)
    assert confidence({**clear, "shape_missing": 1.0}, p) < confidence(clear, p)
    assert confidence({}, p) == 0.0  # no answer, no confidence


def test_filters_and_compare_per_document(retriever):
    only_zuid = retriever.search("jeugdhulp", k=10, filters=Filters(regions=("Zuid",)))
    assert only_zuid.hits and {h.chunk.region for h in only_zuid.hits} == {"Zuid"}
    compared = retriever.compare("Hoe gaan de regio's om met jeugdhulp?", per_doc=2)
    per_doc = {}
    for hit in compared.hits:
        per_doc.setdefault(hit.chunk.doc, []).append(hit)
    assert all(len(hits) <= 2 for hits in per_doc.values())
    order = [(not h.relevant, -h.score) for h in compared.hits]  # relevant documents first, then by score
    assert order == sorted(order) and all(h.relevant is not None for h in compared.hits)
    for hits in per_doc.values():  # different sections where the document has them
        assert len({h.chunk.section for h in hits}) == len(hits)


def test_the_json_contract_carries_the_breakdown_and_the_parameters(retriever):
    out = result_to_json(retriever.search("Hoe vaak overlegt de gemeente met de aanbieders?", k=2))
    assert out["params_hash"] == default_params().hash
    top = out["hits"][0]
    assert "twee maal per jaar" in top["text"]
    assert set(top["score_breakdown"]) >= {"dense", "frequency"}


def test_similar_finds_passages_of_other_documents(retriever, index):
    source = index.chunks[3]  # Zuid, waiting lists
    hits = retriever.similar(source.id, k=2)
    assert hits and all(h.chunk.doc != source.doc for h in hits)
    with pytest.raises(QueryError, match="Onbekende passage-id"):
        retriever.similar("bestaat-niet")


def test_the_app_says_why_a_passage_ranks(retriever):
    from app.view import score_breakdown_md

    hit = retriever.search("Hoe vaak overlegt de gemeente met de aanbieders?", k=1).hits[0]
    why = score_breakdown_md(hit)
    lines = why.splitlines()
    assert any("zegt hoe vaak" in line and "+0.20" in line for line in lines)
    assert any("betekenis" in line for line in lines) and lines[0].startswith("- ")
    hit.breakdown = {}
    assert score_breakdown_md(hit) == ""
