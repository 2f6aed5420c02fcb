import json
from pathlib import Path

import pytest

from beleidszoeker.records import Answer, Chunk, Hit, SearchResult
from index.evaluate import GoldQuote, auroc, evaluate, first_relevant_rank, load_gold, quote_overlap

QUOTE = "In totaal wonen er in de 10 gemeenten van Samen voor Jeugd ruim 73.000 jeugdigen."


def test_quote_overlap_uses_word_4grams_nfkc_lowercase():
    assert quote_overlap(QUOTE, "Tekst ervoor. " + QUOTE.upper() + " En erna.") == 1.0
    half = "In totaal wonen er in de 10 gemeenten"
    assert 0.3 < quote_overlap(QUOTE, half) < 0.6
    assert quote_overlap(QUOTE, "iets heel anders") == 0.0


def test_relevance_needs_the_right_doc_and_half_the_quote():
    gold = [GoldQuote("a.txt", QUOTE)]
    hits = [("b.txt", QUOTE), ("a.txt", "niets"), ("a.txt", QUOTE)]
    assert first_relevant_rank(hits, gold) == 3
    assert first_relevant_rank(hits[:2], gold) is None


def test_auroc():
    assert auroc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert auroc([0.1], [0.9]) == 0.0
    assert auroc([0.5], [0.5]) == 0.5


def _chunk(doc, text):
    return Chunk("id-" + text[:5], doc, "T", "R", None, "", None, None, 0, len(text), text, text)


def test_evaluate_end_to_end_on_a_toy_search(tmp_path):
    gold = tmp_path / "gold.jsonl"
    rows = [
        {"id": "q1", "kind": "advisor", "query": "hoeveel jeugdigen", "gold": [{"doc": "a.txt", "quote": QUOTE}]},
        {"id": "q2", "kind": "no_answer", "query": "mantelzorgers", "gold": []},
    ]
    gold.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")

    def search(query):
        if "jeugdigen" in query:
            hits = [Hit(_chunk("a.txt", "ander verhaal"), 1.0), Hit(_chunk("a.txt", QUOTE), 0.9)]
            answer = Answer(QUOTE, "a.txt", 0, 10, "x", "R", "T", "", None)
            return SearchResult(query, True, 0.9, answer, hits)
        return SearchResult(query, False, 0.1, None, [Hit(_chunk("a.txt", "ander verhaal"), 0.2)])

    report = evaluate(load_gold(gold), search)
    m = report.kinds["advisor"]
    assert (m.r1, m.r5, m.mrr10, m.answer_in_gold) == (0.0, 1.0, 0.5, 1.0)
    assert report.no_answer_auroc == 1.0
    assert report.abstain_on_no_answer == 1.0 and report.answered_answerable == 1.0
    assert "advisor" in report.table()


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("extra.jsonl", {"advisor", "comparison", "english", "no_answer"}),
        ("heldout.jsonl", {"advisor", "english", "no_answer"}),
        ("heldout2.jsonl", {"advisor", "comparison", "english", "no_answer"}),
        ("heldout3.jsonl", {"advisor", "comparison", "english", "no_answer"}),
        ("heldout4.jsonl", {"advisor", "comparison", "english", "no_answer"}),
        ("heldout5.jsonl", {"advisor", "comparison", "english", "no_answer"}),
        ("heldout6.jsonl", {"advisor", "comparison", "english", "no_answer"}),
        ("heldout7.jsonl", {"advisor", "comparison", "english", "no_answer"}),
        ("heldout8.jsonl", {"advisor", "comparison", "english", "no_answer"}),
        ("heldout9.jsonl", {"advisor", "comparison", "english", "no_answer"}),
        ("heldout10.jsonl", {"advisor", "comparison", "english", "no_answer"}),
        ("heldout11.jsonl", {"advisor", "comparison", "english", "no_answer"}),
        ("heldout12.jsonl", {"advisor", "comparison", "english", "no_answer"}),
    ],
)
def test_our_gold_files_quote_the_corpus_exactly(name, kinds):
    """Our gold files are only worth measuring with if every gold quote is verbatim corpus text."""
    root = Path(__file__).resolve().parents[1]
    items = load_gold(root / "eval" / name)
    assert {i.kind for i in items} == kinds
    texts: dict[str, str] = {}
    for item in items:
        assert bool(item.gold) == (item.kind != "no_answer"), item.id
        for g in item.gold:
            text = texts.setdefault(g.doc, (root / "corpus" / g.doc).read_text(encoding="utf-8"))
            assert g.quote in text, (item.id, g.quote[:60])
