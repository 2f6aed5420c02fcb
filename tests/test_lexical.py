"""BM25 index: ranking with Dutch analysis, filters, persistence, edge cases, real corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.lexical import BM25Params, LexicalIndex

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"

PASSAGES = [
    "Door de lange wachttijden wachten gezinnen maanden op specialistische jeugdhulp.",
    "Jeugdhulpaanbieders vragen om minder administratieve lasten en één contract per regio.",
    "De gemeenteraad stelt de regiovisie vast en controleert het college bij de uitvoering.",
    "Het wijkteam biedt lichte ondersteuning aan ouders met vragen over opvoeden.",
    "Voor complexe casussen zonder passende plek is er een expertteam dat meedenkt.",
    "De problematiek van de wachtlijsten vraagt om een aanpak samen met de aanbieders.",
]
IDS = [f"p{i}" for i in range(len(PASSAGES))]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(IDS, PASSAGES)


def top(index: LexicalIndex, query: str) -> int:
    hits = index.search(query, 3)
    assert hits, query
    return hits[0][0]


def test_inflected_paraphrase_finds_the_passage(index: LexicalIndex) -> None:
    assert top(index, "Hoe lang wacht een gezin op specialistisch jeugdhulp?") == 0
    assert top(index, "Welke ondersteuning krijgt een ouder van het wijkteam?") == 3


def test_a_word_form_the_index_lacks_takes_one_it_has() -> None:
    index = LexicalIndex.build(
        ["a", "b", "c"],
        ["Gemeenten delen de kosten van het vervoer.", "De behandeling wordt vergoed.", "Ouders kiezen zelf."],
    )
    assert index.query_terms("deelt") == index.query_terms("delen")  # "deelt" is not indexed, "delen" is
    assert index.query_terms("vergoede") == index.query_terms("vergoed")
    assert index.search("wie deelt het vervoer", 1)[0][0] == 0
    assert index.query_terms("kiest") == index.query_terms("kiezen")
    assert index.query_terms("vindt") == ["vindt"]  # no indexed form: left as it is
    assert index.query_terms("vervoer") == ["vervoer"]  # known words are never changed


def test_compound_query_finds_split_words(index: LexicalIndex) -> None:
    assert top(index, "wachtlijstproblematiek") == 5


def test_split_query_finds_compound(index: LexicalIndex) -> None:
    assert top(index, "een expert in het team") == 4
    assert top(index, "raad van de gemeente") == 2


def test_results_are_sorted_positive_and_limited(index: LexicalIndex) -> None:
    hits = index.search("jeugdhulp aanbieders wachtlijsten regio", 2)
    assert len(hits) == 2
    assert hits[0][1] >= hits[1][1] > 0
    scores = index.scores("jeugdhulp aanbieders wachtlijsten regio")
    assert scores.shape == (len(IDS),)
    assert [r for r, _ in hits] == list(np.argsort(-scores, kind="stable")[:2])
    assert index.search("jeugdhulp", 0) == []


def test_allowed_mask_filters_rows(index: LexicalIndex) -> None:
    query = "wachtlijsten jeugdhulp"
    assert {r for r, _ in index.search(query, 10)} >= {0, 5}
    allowed = np.ones(len(IDS), dtype=bool)
    allowed[5] = False
    hits = index.search(query, 10, allowed=allowed)
    assert hits and all(allowed[r] for r, _ in hits)
    assert index.search(query, 10, allowed=np.zeros(len(IDS), dtype=bool)) == []
    with pytest.raises(ValueError):
        index.search(query, 10, allowed=np.ones(3, dtype=bool))


@pytest.mark.parametrize("query", ["", "   ", "Wat is het?", "de van een", "xyzzy onbekendwoord", "?!"])
def test_empty_stopword_and_unknown_queries(index: LexicalIndex, query: str) -> None:
    assert index.search(query, 5) == []
    assert not index.scores(query).any()


def test_save_load_round_trip(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert loaded.ids == IDS
    assert loaded.params == index.params
    for q in ["wachtlijstproblematiek", "gemeenteraad regiovisie", "ouders opvoeden", "Wat is het?"]:
        np.testing.assert_array_equal(loaded.scores(q), index.scores(q))
        assert loaded.search(q, 5) == index.search(q, 5)


def test_tiny_corpora() -> None:
    one = LexicalIndex.build(["a"], ["Wachtlijsten in de jeugdhulp"])
    hits = one.search("wachtlijst", 5)
    assert [r for r, _ in hits] == [0] and hits[0][1] > 0
    empty = LexicalIndex.build(["a", "b"], ["de het een", ""])
    assert empty.search("wachtlijst", 5) == []
    with pytest.raises(ValueError):
        LexicalIndex.build(["a"], [])


def test_without_compound_splitting_the_split_word_passage_is_missed() -> None:
    plain = LexicalIndex.build(IDS, PASSAGES, params=BM25Params(split_compounds=False))
    assert plain.search("expertteam", 5) and top(plain, "expertteam") == 4
    assert 4 not in {r for r, _ in plain.search("een expert in het team", 5)}
    assert 5 not in {r for r, _ in plain.search("wachtlijstproblematiek", 5)}


def _windows(text: str, size: int = 700) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


@pytest.fixture(scope="module")
def corpus_index() -> tuple[LexicalIndex, list[str]]:
    ids, texts, docs = [], [], []
    for path in sorted(CORPUS_DIR.glob("*.txt")):
        for i, w in enumerate(_windows(path.read_text(encoding="utf-8"))):
            ids.append(f"{path.name}#{i}")
            texts.append(w)
            docs.append(path.name[:3])
    return LexicalIndex.build(ids, texts), docs


@pytest.mark.parametrize(
    ("query", "doc"),
    [
        ("opzegtermijn van de raamovereenkomst", "004"),
        ("onderzoek naar de kostprijs", "004"),
        ("dagbesteding", "001"),
        ("Lokalis", "002"),
        ("gezondheidsregio Twente", "003"),
        ("ontwikkelopgave", "000"),
    ],
)
def test_real_corpus_keyword_queries(corpus_index: tuple[LexicalIndex, list[str]], query: str, doc: str) -> None:
    index, docs = corpus_index
    hits = index.search(query, 3)
    assert hits and docs[hits[0][0]] == doc


def test_search_with_many_matches_equals_a_full_sort():
    """The partial sort used for speed must return exactly what sorting every match would."""
    texts = [f"jeugdhulp wachtlijst regio {'jeugdhulp ' * (i % 7)} nummer{i}" for i in range(300)]
    index = LexicalIndex.build([str(i) for i in range(len(texts))], texts)
    scores = index.scores("jeugdhulp wachtlijst")
    rows = np.flatnonzero(scores > 0)
    full = [(int(rows[i]), float(scores[rows[i]])) for i in np.lexsort((rows, -scores[rows]))]
    assert index.search("jeugdhulp wachtlijst", 25) == full[:25]
