"""Retrieval end to end with the real model, real FAISS and real BM25.

A tiny corpus (one passage per file) checks fusion, incremental builds, model mismatch and
the CLI's JSON contract quickly; the shipped corpus checks the answers and the compare view.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from app_fixtures import real_index

from beleidszoeker.config import PROJECT_ROOT, Settings
from index.build import build_index
from index.errors import IndexUnavailable
from index.retriever import Filters, HybridRetriever, ModelMismatch, QueryError, spread_over_sections
from ingest.pipeline import run_ingest

pytestmark = pytest.mark.slow

PASSAGES = {
    "jeugdteam.txt": "Het Jeugdteam Zuid verwerkte in 2023 precies 412 aanmeldingen via het formulier JZ-17. "
    "Elke aanmelding wordt binnen vijf werkdagen beoordeeld door een medewerker van het team.",
    "opvoeden.txt": "Ouders die vastlopen bij de opvoeding van hun kinderen kunnen terecht bij een opvoedcoach "
    "in de wijk. De coach komt thuis langs en denkt mee over rust, regels en ritme in het gezin.",
    "wachten.txt": "Kinderen die lang moeten wachten op specialistische zorg krijgen overbruggingszorg, zodat "
    "de situatie thuis niet verslechtert terwijl zij op de wachtlijst staan.",
    "vervoer.txt": "De gemeente vergoedt de reiskosten voor jongeren die voor hun behandeling naar een locatie "
    "buiten de regio moeten reizen, als het openbaar vervoer geen redelijk alternatief is.",
    "school.txt": "Scholen en jeugdhulpaanbieders werken samen in onderwijs-zorgarrangementen voor leerlingen "
    "die extra ondersteuning nodig hebben om naar school te kunnen blijven gaan.",
    "pleegzorg.txt": "Pleegouders ontvangen een vergoeding voor de kosten van het pleegkind en worden begeleid "
    "door een pleegzorgwerker van de pleegzorgaanbieder in de regio.",
    "budget.txt": "Het budget voor jeugdhulp steeg van 31 miljoen euro in 2021 naar 36 miljoen euro in 2023 "
    "door meer gebruik van ambulante begeleiding en verblijf.",
    "kwaliteit.txt": "Aanbieders leggen jaarlijks verantwoording af over de kwaliteit van hun hulp met een "
    "cliëntervaringsonderzoek en het aantal klachten.",
    "jeugdteam_noord.txt": "Het Jeugdteam Noord verwerkte in 2022 ongeveer 380 aanmeldingen via het formulier JZ-12. "
    "Elke aanmelding wordt binnen tien werkdagen beoordeeld door een medewerker van het team.",
    "budget_noord.txt": "Het budget voor jeugdhulp in Noord daalde van 12 miljoen euro in 2021 naar 11 miljoen euro "
    "in 2023 door minder gebruik van verblijf en meer inzet van het wijkteam.",
}
MANIFEST = "\n".join(
    f'["{f}"]\ntitle = "Notitie {f[:-4]}"\nregion = "{"Noord" if i % 2 else "Zuid"}"\nyear = {2020 + i % 3}\n'
    for i, f in enumerate(PASSAGES)
)
# (question, expected file): some need exact words, some need meaning.
QUESTIONS = [
    ("formulier JZ-17", "jeugdteam.txt"),
    ("JZ-12", "jeugdteam_noord.txt"),
    ("36 miljoen", "budget.txt"),
    ("mijn zoon en dochter luisteren nooit, wie kan mij helpen?", "opvoeden.txt"),
    ("wie betaalt de bus of trein naar therapie ver weg", "vervoer.txt"),
    ("zijn mensen tevreden over de geboden hulp", "kwaliteit.txt"),
    ("wat gebeurt er met kinderen op een wachtlijst", "wachten.txt"),
    ("kinderen die extra hulp nodig hebben op school", "school.txt"),
    ("begeleiding van pleeggezinnen", "pleegzorg.txt"),
]


def _write_corpus(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in PASSAGES.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    (folder / "manifest.toml").write_text(MANIFEST, encoding="utf-8")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Settings:
    base = tmp_path_factory.mktemp("tiny")
    _write_corpus(base / "corpus")
    settings = Settings(corpus_dir=base / "corpus", data_dir=base / "data")
    assert not run_ingest(settings, progress=False).skipped
    build_index(settings, progress=False)
    return settings


@pytest.fixture(scope="module")
def tiny_retriever(tiny) -> HybridRetriever:
    return HybridRetriever.load(tiny)


def _mrr(retriever: HybridRetriever) -> float:
    total = 0.0
    for question, expected in QUESTIONS:
        docs = [h.chunk.doc for h in retriever.search(question, k=5).hits]
        total += 1.0 / (docs.index(expected) + 1) if expected in docs else 0.0
    return total / len(QUESTIONS)


def test_hybrid_beats_each_leg(tiny_retriever):
    base = tiny_retriever.params
    try:
        hybrid = _mrr(tiny_retriever)
        tiny_retriever.params = base.with_overrides({"fusion.dense_weight": 1.0, "fusion.dense_weight_english": 1.0})
        dense = _mrr(tiny_retriever)
        tiny_retriever.params = base.with_overrides({"fusion.dense_weight": 0.0, "fusion.dense_weight_english": 0.0})
        lexical = _mrr(tiny_retriever)
    finally:
        tiny_retriever.params = base
    print(f"MRR@5 hybrid {hybrid:.3f}, dense {dense:.3f}, BM25 {lexical:.3f}")
    assert hybrid > dense and hybrid > lexical, (hybrid, dense, lexical)


def test_every_candidate_keeps_its_bm25_score(tiny_retriever):
    """A passage found by meaning only (outside BM25's own top) still gets its BM25 score, not 0."""
    narrow = HybridRetriever(tiny_retriever.index, tiny_retriever.embedder,
                             tiny_retriever.params.with_overrides({"candidates.per_leg": 1}))
    question = "budget jeugdhulp daalde"  # BM25 prefers budget_noord.txt, meaning budget.txt
    full = narrow.index.lexical.scores(question)
    hits = narrow.search(question, k=5).hits
    assert len(hits) == 2  # one candidate from each leg
    for hit in hits:
        row = narrow.index.row_of[hit.chunk.id]
        assert hit.lexical_score == pytest.approx(float(full[row])) and hit.lexical_score > 0


def test_english_question_reaches_the_dutch_word_index(tiny_retriever):
    result = tiny_retriever.search("What happens to children on a waiting list?", k=3)
    assert result.hits[0].chunk.doc == "wachten.txt"
    assert result.hits[0].lexical_score > 0  # "waiting list" -> "wachtlijst" for BM25


def test_filters_restrict_region_and_year(tiny_retriever):
    result = tiny_retriever.search("jeugdhulp", k=10, filters=Filters(regions=("Noord",)))
    assert result.hits and all(h.chunk.region == "Noord" for h in result.hits)
    result = tiny_retriever.search("jeugdhulp", k=10, filters=Filters(years=(2020,)))
    assert result.hits and all(h.chunk.year == 2020 for h in result.hits)


def test_empty_and_huge_queries_are_refused_clearly(tiny_retriever):
    with pytest.raises(QueryError, match="Lege vraag"):
        tiny_retriever.search("   ")
    with pytest.raises(QueryError, match="te lang"):
        tiny_retriever.search("jeugd " * 500)


def test_similar_returns_other_documents(tiny_retriever):
    source = tiny_retriever.search("pleegouders vergoeding").hits[0].chunk
    similar = tiny_retriever.similar(source.id, k=3)
    assert len(similar) == 3 and all(h.chunk.doc != source.doc for h in similar)
    with pytest.raises(QueryError):
        tiny_retriever.similar("bestaat-niet")


def test_index_refuses_another_model(tiny):
    with pytest.raises(ModelMismatch, match="opnieuw"):
        HybridRetriever.load(replace(tiny, model="intfloat/some-other-model"))


def test_missing_index_says_what_to_run(tmp_path):
    with pytest.raises(IndexUnavailable, match="beleidszoeker ingest"):
        HybridRetriever.load(Settings(corpus_dir=tmp_path, data_dir=tmp_path / "data"))


def test_incremental_ingest_and_index(tmp_path):
    _write_corpus(tmp_path / "corpus")
    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    run_ingest(settings, progress=False)
    build_index(settings, progress=False)

    again = run_ingest(settings, progress=False)
    assert again.ingested == [] and again.unchanged == len(PASSAGES)
    assert not build_index(settings, progress=False).changed

    (tmp_path / "corpus" / "budget.txt").write_text("Het budget voor 2024 is 40 miljoen euro.\n", encoding="utf-8")
    (tmp_path / "corpus" / "kwaliteit.txt").unlink()
    changed = run_ingest(settings, progress=False)
    assert changed.ingested == ["budget.txt"] and changed.removed == ["kwaliteit.txt"]
    report = build_index(settings, progress=False)
    assert report.embedded == 1 and report.reused == len(PASSAGES) - 2

    retriever = HybridRetriever.load(settings)
    assert "kwaliteit.txt" not in {c.doc for c in retriever.index.chunks}
    assert "40 miljoen" in retriever.search("budget 2024").hits[0].chunk.text

    # An index from before a change of text analysis (another stemmer) is rebuilt, not kept:
    # its word index could not be read. The vectors are reused.
    manifest_path = settings.index_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "lexical_analysis": "1:dutch_porter"}))
    rebuilt = build_index(settings, progress=False)
    assert rebuilt.changed and rebuilt.embedded == 0
    assert json.loads(manifest_path.read_text())["lexical_analysis"] == manifest["lexical_analysis"]

    # A manifest change that leaves every passage as it is (another name for the region) still
    # reaches the index: the retriever reads the names from there. Nothing is embedded again.
    with (tmp_path / "corpus" / "manifest.toml").open("a", encoding="utf-8") as f:
        f.write('aliases = ["Bovenland"]\n')  # under the last table
    last = list(PASSAGES)[-1]
    assert run_ingest(settings, progress=False).ingested == [last]
    renamed = build_index(settings, progress=False)
    assert renamed.changed and renamed.embedded == 0
    retriever = HybridRetriever.load(settings)
    assert retriever.index.documents[last].meta.aliases == ("Bovenland",)
    assert retriever.search("budget in het Bovenland").named_regions == ("Noord",)


def test_cli_json_contract_one_line_per_query(tiny, tmp_path):
    queries = tmp_path / "q.txt"
    too_long = "jeugdhulp " * 200
    queries.write_text(f"formulier JZ-17\n\n{too_long}\nbegeleiding van pleeggezinnen\n", encoding="utf-8")
    env = {**os.environ, "BELEIDSZOEKER_CORPUS": str(tiny.corpus_dir), "BELEIDSZOEKER_DATA": str(tiny.data_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "beleidszoeker.cli", "search", "--json", "--k", "3", "--queries", str(queries)],
        capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=300,
    )
    assert out.returncode == 1 and "te lang" in out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    # One line per query, in order, the unsearchable one included (an outside tool aligns by line).
    assert [r["query"] for r in lines] == ["formulier JZ-17", too_long.strip(), "begeleiding van pleeggezinnen"]
    refused = lines.pop(1)
    assert refused["answer"] is None and refused["hits"] == [] and not refused["answerable"]
    assert "te lang" in refused["error"]
    for r in lines:
        assert set(r) >= {"query", "answerable", "confidence", "answer", "hits"}
        assert 0.0 <= r["confidence"] <= 1.0 and len(r["hits"]) == 3
        assert set(r["answer"]) >= {"text", "doc", "start", "end"}
        for h in r["hits"]:
            assert set(h) >= {"doc", "region", "title", "section", "page", "chunk_id", "start", "end", "score",
                              "text", "highlights"}
    assert lines[0]["hits"][0]["doc"] == "jeugdteam.txt"


# ---- the shipped corpus (one build per test session, shared with the app tests) ------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> HybridRetriever:
    data = real_index(tmp_path_factory)
    return HybridRetriever.load(Settings(corpus_dir=data.corpus, data_dir=data.data))


def test_shipped_corpus_answers_with_citation_and_exact_highlights(real):
    result = real.search("Welke aanbieders leveren het grootste deel van de jeugdhulp in Twente?")
    assert result.answerable
    assert result.answer.doc == "003_4f7ac4d2be3ad9cf.txt" and result.answer.section
    doc = real.index.documents[result.answer.doc]
    assert _same_words(doc.text[result.answer.start : result.answer.end], result.answer.text)
    for hit in result.hits:
        source = real.index.documents[hit.chunk.doc].text
        flat_chunk = " ".join(hit.chunk.text.split())
        for s, e in hit.answer_spans:
            assert hit.chunk.start <= s < e <= hit.chunk.end
            words = re.findall(r"\w+", source[s:e])
            assert words and all(w in flat_chunk for w in words[:5])
        for s, e in hit.term_spans:
            assert re.fullmatch(r"\w+", source[s:e]), source[s:e]


def test_unrelated_question_is_not_answered(real):
    result = real.search("Wat is een goed recept voor pannenkoeken met appelstroop?")
    assert not result.answerable and result.confidence < 0.5
    assert result.hits  # the closest passages are still shown


COUNTED_CONTRACTS = "Hoeveel jeugdhulpaanbieders hebben een contract met Samen voor Jeugd?"


def test_counting_answer_may_come_from_the_next_passage(real):
    unlifted = real.params.with_overrides({"shapes.counting.passage_bonus": 0.0})
    result = HybridRetriever(real.index, real.embedder, unlifted).search(COUNTED_CONTRACTS)
    assert result.answer is not None and "150 aanbieders" in result.answer.text
    assert result.answer.chunk_id == result.hits[1].chunk.id  # the top passage names no number
    top_only = HybridRetriever(real.index, real.embedder, unlifted.with_overrides({"answer.count_passages": 1}))
    fallback = top_only.search(COUNTED_CONTRACTS)
    assert "150 aanbieders" not in fallback.answer.text and not fallback.answerable


def test_a_counting_question_ranks_the_passage_with_the_number_first(real):
    result = real.search(COUNTED_CONTRACTS)
    assert "150 aanbieders" in result.hits[0].chunk.text and result.answer.chunk_id == result.hits[0].chunk.id
    # Only passages an answer may come from anyway are lifted: with one, the number stays second.
    shallow = HybridRetriever(real.index, real.embedder, real.params.with_overrides({"answer.count_passages": 1}))
    assert "150 aanbieders" in shallow.search(COUNTED_CONTRACTS).hits[1].chunk.text


def test_a_compound_counts_what_its_last_part_names(real):
    # A "jaarbudget" is a budget: "twee jaar" in a sentence on index rates gives no number of it.
    assert not real.search("Hoe groot is het jaarbudget voor jeugdhulp in Twente?").answerable
    # Providers are organisations: a lower passage naming "150 aanbieders" answers a question about them.
    result = real.search("Met hoeveel zorgorganisaties heeft Samen voor Jeugd een contract?")
    assert result.answerable and "150 aanbieders" in result.answer.text


def test_a_time_question_ranks_passages_giving_a_time_span_higher(real):
    question = "Hoe snel krijgt een gezin in crisis hulp in de Bollenstreek?"  # no "hoeveel": no count lift
    assert "24 uur" in real.search(question, k=3).hits[0].chunk.text
    params = real.params.with_overrides({"shapes.duration.passage_bonus": 0.0})
    plain = HybridRetriever(real.index, real.embedder, params)
    assert "24 uur" not in plain.search(question, k=3).hits[0].chunk.text


def test_a_time_question_is_answered_only_with_a_time_span(real):
    asked = "Hoe lang moeten kinderen in de Bollenstreek gemiddeld wachten op jeugd-ggz?"  # no figure given
    result = real.search(asked)
    assert not result.answerable and result.confidence < 0.5
    lenient_params = real.params.with_overrides({"confidence.weights.shape_missing": 0.0})
    lenient = HybridRetriever(real.index, real.embedder, lenient_params).search(asked)
    assert lenient.confidence > 2 * result.confidence  # the answer sentence is on topic: only its shape is wrong
    answered = real.search("Binnen hoeveel tijd krijgt een gezin in crisis hulp in de Bollenstreek?")
    assert answered.answerable and "24 uur" in answered.answer.text


def test_a_frequency_question_ranks_passages_saying_how_often_higher(real):
    question = "Hoe vaak per jaar praten de bestuurders van de jeugdhulporganisaties over de uitvoering van de visie?"
    params = real.params.with_overrides({"shapes.frequency.passage_bonus": 0.0})
    plain = HybridRetriever(real.index, real.embedder, params)

    def rank(retriever: HybridRetriever) -> int:
        hits = retriever.search(question, k=20).hits
        return next((i for i, h in enumerate(hits, 1) if "twee maal per jaar" in h.chunk.text), 99)

    assert rank(real) <= 5 < rank(plain)


def test_counting_question_needs_a_number_of_what_it_counts(real):
    counted = real.search("Hoeveel aanbieders van jeugdhulp waren in 2020 actief in Twente?")
    assert counted.answerable and re.search(r"\d", counted.answer.text) and "aanbieders" in counted.answer.text
    # The documents speak of Heusden's team and of numbers, but never of its opening days.
    uncounted = real.search("Hoeveel dagen per week is het Jeugd & Gezinsteam in Heusden bereikbaar?")
    assert not uncounted.answerable and uncounted.confidence < 0.5
    assert uncounted.hits
    # An amount asked for without "hoeveel": the documents discuss tariffs but never give one.
    assert not real.search("Wat is het uurtarief van een aanbieder voor ambulante begeleiding?").answerable
    costs = real.search("Wat zijn de kosten van verblijf bij Samen voor Jeugd?")
    assert costs.answerable and "%" in costs.answer.text


def test_a_named_region_comes_first_and_its_name_is_not_the_topic(real):
    drenthe = real.search("wachtlijsten in Drenthe", k=5)
    assert drenthe.hits[0].chunk.region == "Drenthe"  # Twente has more about wachtlijsten
    assert drenthe.named_regions == ("Drenthe",)
    # Twente's foreword and title pages repeat "Twente"; the passages about waiting lists do not.
    twente = real.search("hoe gaat Twente om met wachtlijsten", k=3)
    assert all(h.chunk.region == "Twente" and "wachtlijst" in h.chunk.text.lower() for h in twente.hits)


def _retriever_over(tmp_path: Path, files: dict[str, str]) -> HybridRetriever:
    """A retriever over a corpus of the given files, built for one test."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    run_ingest(settings, progress=False)
    build_index(settings, progress=False)
    return HybridRetriever.load(settings)


def test_definition_question_is_answered_where_the_text_introduces_the_term(tmp_path):
    kompas = (
        "Het Kompas\n\nHet Kompas verbindt gemeenten, scholen en aanbieders in één regionaal netwerk voor jeugd. "
        "Het Kompas faciliteert professionals met projecten, informatie en bijeenkomsten over opgroeien. "
        "Iedereen kan een bijdrage leveren.\n"
    )
    retriever = _retriever_over(tmp_path, {"kompas.txt": kompas, "wachten.txt": PASSAGES["wachten.txt"] + "\n"})
    result = retriever.search("wat is Kompas", k=2)
    assert result.answer.text.startswith("Het Kompas verbindt")  # not the later, as similar "faciliteert"


def test_answers_have_the_shape_asked_for_and_are_never_a_caption(tmp_path):
    monitor = (
        "Monitoring\n\nDe voortgang van het regioplan is een vast onderwerp. "
        "Het overleg met de aanbieders bespreekt de voortgang twee maal per jaar.\n\n"
        "Figuur 3.1 Aantal jeugdigen met jeugdhulp per jaar\n\n"
        "Sinds 2019 groeide het gebruik: in 2023 kregen 1.100 jeugdigen jeugdhulp, tegen 900 in 2019.\n\n"
        "Beschikte bedragen per verwijzer in 2020 (x 1000 euro)\nHuisarts | 536 | 397\nJeugdarts | 310 | 271\n"
    )
    retriever = _retriever_over(tmp_path, {"monitor.txt": monitor, "wachten.txt": PASSAGES["wachten.txt"] + "\n"})
    question = "Hoe vaak wordt de voortgang van het regioplan in het overleg met de aanbieders besproken?"
    assert "twee maal per jaar" in retriever.search(question, k=1).answer.text
    retriever.params = retriever.params.with_overrides({"shapes.frequency.answer_bonus": 0.0})
    assert "twee maal per jaar" not in retriever.search(question, k=1).answer.text  # the rule is what matters
    answer = retriever.search("aantal jeugdigen met jeugdhulp per jaar", k=1).answer
    assert not answer.text.startswith("Figuur")
    answer = retriever.search("beschikte bedragen per verwijzer in 2020", k=1).answer
    assert not answer.text.startswith("Beschikte bedragen")  # the title of the table is no answer


def test_a_list_question_may_take_its_items_from_a_lower_passage(tmp_path):
    retriever = _retriever_over(tmp_path, {
        "studie.txt": "Het Verwey Jonker Instituut deed in 2021 onderzoek naar de jeugdhulp. Het rapport geeft "
        "aanbevelingen voor het beleid.\n",
        "gemeenten.txt": "In dit onderzoek staan vijf gemeenten centraal: Deventer, Utrecht, Roosendaal, "
        "Zaltbommel en Peel en Maas.\n",
        "wachten.txt": PASSAGES["wachten.txt"] + "\n",
    })
    question = "Welke gemeenten onderzocht het Verwey Jonker Instituut?"
    result = retriever.search(question, k=2)
    assert result.hits[0].chunk.doc == "studie.txt"  # the study itself ranks first, naming no municipality
    assert result.answer.doc == "gemeenten.txt" and "Deventer" in result.answer.text
    retriever.params = retriever.params.with_overrides({"answer.items_passages": 1})
    assert retriever.search(question, k=2).answer.doc == "studie.txt"


PLAN_MD = """# Regioplan Jeugd Noordkwartier

## Inleiding

De gemeenten van het Noordkwartier werken sinds 2015 samen aan de jeugdhulp in de regio. In dit plan staat hoe
we dat de komende jaren doen, welke keuzes we maken en hoe we de resultaten volgen. De leidende principes zijn in
dit plan verder uitgewerkt aan de hand van de vragen wat we willen bereiken en hoe we dat doen. Het plan is
opgesteld samen met aanbieders, scholen, huisartsen en ouders, en wordt elk jaar geëvalueerd in de gemeenteraden
van de zeven gemeenten. De uitvoering ligt bij de lokale teams, die daarvoor extra middelen krijgen. Daarnaast is
er een regionaal expertteam voor vastgelopen situaties, waar professionals advies kunnen vragen. We volgen de
voortgang met een jaarlijkse monitor, waarin we het gebruik van jeugdhulp, de wachttijden en de tevredenheid van
ouders en jongeren bijhouden en bespreken met alle partners in de regio. Zo houden we samen zicht op wat werkt en
wat beter moet, en passen we het plan aan waar dat nodig is.

## Leidende principes

1. We zetten eerst in op preventie en lichte hulp dichtbij huis.
2. We werken met gegevens en leren van wat werkt.
3. Kinderen groeien zoveel mogelijk thuis op.
4. Ouders en jongeren beslissen mee over de hulp.

## Financiën

Het budget voor jeugdhulp bedraagt 48 miljoen euro per jaar en wordt verdeeld naar inwonertal.
"""


def test_a_list_under_its_own_heading_is_answered_whole(tmp_path):
    retriever = _retriever_over(tmp_path, {"plan.md": PLAN_MD})
    assert any(c.text.startswith("1. We zetten") for c in retriever.index.chunks)  # the list opens its passage
    answer = retriever.search("leidende principes", k=3).answer.text
    assert answer.startswith("1. We zetten") and answer.rstrip().endswith("beslissen mee over de hulp.")


def test_compare_shows_each_region_at_most_twice(real):
    result = real.compare("wachtlijsten en wachttijden voor jeugdhulp", per_doc=2)
    docs = [h.chunk.doc for h in result.hits]
    assert len(set(docs)) >= 3 and all(docs.count(d) <= 2 for d in set(docs))
    order = [(not h.relevant, -h.score) for h in result.hits]
    assert order == sorted(order)


def test_compare_shows_only_documents_that_mention_the_topic(real):
    """Heusden's document never mentions crisis; nonsense addresses nothing anywhere."""
    result = real.compare("Wat doen de regio's aan crisiszorg en spoedeisende hulp?")
    relevant = {h.chunk.doc for h in result.hits if h.relevant}
    assert "001_cef7e2d3eba33c20.txt" in relevant and "002_c270417cb53cfedd.txt" not in relevant
    for nonsense in ("???", "asdf"):
        hits = real.compare(nonsense).hits
        assert hits and not any(h.relevant for h in hits)
        assert all(sum(h.chunk.doc == d for h in hits) == 1 for d in {h.chunk.doc for h in hits})


def _same_words(a: str, b: str) -> bool:
    return re.findall(r"\w+", a) == re.findall(r"\w+", b) or set(re.findall(r"\w+", b)) <= set(re.findall(r"\w+", a))


def test_query_terms_are_marked_as_words_not_as_loose_compound_parts(tiny_retriever):
    result = tiny_retriever.search("budget jeugdhulp", k=10)
    marked = set()
    for hit in result.hits:
        source = tiny_retriever.index.documents[hit.chunk.doc].text
        marked |= {source[s:e].lower() for s, e in hit.term_spans}
    assert {"budget", "jeugdhulp"} <= marked
    assert "hulp" not in marked  # a part of the question's compound, not a word of the question


def test_spread_over_sections_prefers_new_sections_then_fills_up():
    sections = ["a", "a", "b", "a", "c"]
    assert spread_over_sections([0, 1, 2, 3, 4], sections, 2) == [0, 2]
    assert spread_over_sections([0, 1, 3], sections, 2) == [0, 1]  # one section only: best two of it
    assert spread_over_sections([4, 2, 0], sections, 5) == [4, 2, 0]


def test_a_table_question_is_answered_with_its_row_and_column_header(real):
    # The user's example of issue 16: the pgb row was shown, "Verblijf | 19%" stands in the same table.
    answer = real.search("welk percentage van het jeugdhulpbudget gaat op aan verblijf in samen voor jeugd").answer
    assert answer is not None and answer.text == "Verblijf | 19%"
    assert answer.display == "Verblijf: 19% (Aandeel van totale jeugdhulpbudget)"


def test_a_span_in_words_answers_how_long_and_is_what_the_passage_highlights(real):
    result = real.search("hoe lang moeten kinderen wachten op hulp in twente")
    a = result.answer
    assert a is not None and "maanden wachten" in a.text and result.evidence["shape_missing"] == 0.0
    hit = next(h for h in result.hits if h.chunk.id == a.chunk_id)
    assert hit.answer_spans == [(a.start, a.end)]
