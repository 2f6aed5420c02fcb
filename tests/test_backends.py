"""The SearchBackend contract, run over both backends on the shipped corpus: the embedded one (FAISS +
bm25s) and Qdrant (qdrant-client's local mode, no server): same candidates and scores, filters,
delete and re-upsert, the lexical statistics, refusals. The engine itself: test_qdrant_edge.py."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from backend_fixtures import FILTERS, TOL, assert_same_candidates, by_id, fake_index, gold_queries, shipped_store
from search_fakes import FakeEmbedder, embed

from beleidszoeker.config import Settings
from index.backends.base import Filters, PassageRecord, check_compatible
from index.backends.embedded import EmbeddedBackend
from index.errors import IndexUnavailable, ModelMismatch
from index.lexical import ANALYSIS_ID

pytest.importorskip("qdrant_client", reason="qdrant-client is a dependency (pyproject); run scripts/setup")

from qdrant_client import QdrantClient

from index.backends.qdrant import QdrantBackend, term_index
from index.backends.qdrant_build import copy_index

ROOT_EVAL = Path(__file__).resolve().parent.parent / "eval"
N = 30  # per leg, as the retriever's default order of magnitude


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    settings = shipped_store(tmp_path_factory.mktemp("shipped"))
    return settings, fake_index(settings)


@pytest.fixture(params=["local-mode", "engine"])
def both(shipped, request, tmp_path):
    """Fresh backends per test (delete/upsert change them). QdrantBackend runs twice: on qdrant-client's local
    mode, and on Qdrant's real engine in process (qdrant-edge-py behind the client's methods)."""
    _, index = shipped
    if request.param == "local-mode":
        client = QdrantClient(location=":memory:")
    else:
        pytest.importorskip("qdrant_edge", reason="qdrant-edge-py is a dev dependency (pyproject); run scripts/setup")
        from benchmarks.edge_client import EdgeClient

        client = EdgeClient(tmp_path / "engine")
    yield EmbeddedBackend(index), copy_index(index, client, "contract")
    client.close()


def _candidates(backend, query: str, filters: Filters | None = None, n: int = N):
    return by_id(backend.view, backend.candidates(embed(query), query, filters or Filters(), n))


def test_both_backends_find_the_same_candidates_with_the_same_scores(both):
    embedded, qdrant = both
    queries = gold_queries(60)
    assert len(queries) == 60
    for query in queries:
        a, b = _candidates(embedded, query), _candidates(qdrant, query)
        assert a, query
        assert_same_candidates(a, b, N)


def test_filters_act_inside_the_search_on_both_backends(both):
    embedded, qdrant = both
    chunks = {c.id: c for c in embedded.index.chunks}
    for f in FILTERS:
        for query in gold_queries(15):
            a, b = _candidates(embedded, query, f), _candidates(qdrant, query, f)
            assert_same_candidates(a, b, N)
            for cid in b:
                c = chunks[cid]
                assert (not f.regions or c.region in f.regions) and (not f.docs or c.doc in f.docs)
                assert not f.years or c.year in f.years
    narrow = Filters(docs=("004_7958d381e0eb9ffa.txt",))
    found = _candidates(qdrant, "jeugdhulp", narrow, n=1000)
    assert len(found) == sum(c.doc == narrow.docs[0] for c in chunks.values())  # the whole document, not top-n of all
    assert _candidates(qdrant, "jeugdhulp", Filters(years=(1999,))) == {}


def test_bm25_scores_equal_bm25s_for_every_passage(both):
    """Every passage's BM25 score through Qdrant (TF parts stored, the idf in the query) equals bm25s's."""
    embedded, qdrant = both
    index = embedded.index
    for query in ["jeugdhulp", "wachtlijsten specialistische jeugdhulp", "pleegzorg gezinshuizen", *gold_queries(10)]:
        expected = index.lexical.scores(query)
        got = _candidates(qdrant, query, n=len(index.chunks))
        for row, c in enumerate(index.chunks):
            if expected[row] > 0:
                assert got[c.id][1] == pytest.approx(float(expected[row]), abs=TOL, rel=1e-6), (query, c.id)
        assert {c.id for row, c in enumerate(index.chunks) if expected[row] > 0} <= got.keys()


def test_compound_parts_match_on_qdrant(both):
    """"jeugdhulp" finds a passage that only has the compound "jeugdhulpaanbieders"."""
    embedded, qdrant = both
    index = embedded.index
    only_compound = [
        c for c in index.chunks
        if "jeugdhulpaanbieder" in c.text.lower() and " jeugdhulp " not in f" {c.section} {c.text} ".lower()
    ]
    assert only_compound, "the shipped corpus has a passage with only the compound"
    got = _candidates(qdrant, "jeugdhulp", n=len(index.chunks))
    for c in only_compound:
        assert got.get(c.id, (0, 0))[1] > 0, c.id


def test_the_collection_serves_the_lexical_statistics(both):
    """Terms (knows_a_word, known_share, query weights) read the same document frequencies from the collection."""
    embedded, qdrant = both
    local, remote = embedded.view.lexical, qdrant.view.lexical
    vocab = set(local._fields["parts"].vocab_dict) - {""}
    assert remote.df.keys() == vocab
    assert all(remote.document_frequency(t) == local.document_frequency(t) for t in vocab)
    for field in ("words", "parts"):  # the idf each BM25 field's query weights carry
        terms = set(local._fields[field].vocab_dict) - {""}
        assert [remote.field_idf(field, t) for t in terms] == pytest.approx([local.field_idf(field, t) for t in terms])
    assert remote.n == len(embedded.index.chunks)
    for q in ["Hoeveel gemeenten delen de kosten?", "mantelzorgers", "xyz 123", *gold_queries(20)]:
        assert remote.query_terms(q) == local.query_terms(q)
        assert remote.query_terms(q, split_compounds=False) == local.query_terms(q, split_compounds=False)
        terms = local.query_terms(q)
        assert [remote.idf(t) for t in terms] == pytest.approx([local.idf(t) for t in terms])


def test_no_two_terms_of_the_corpus_share_a_sparse_index(both):
    embedded, _ = both
    fields = embedded.view.lexical._fields
    keys = [(name, t) for name, f in fields.items() for t in f.vocab_dict if t]
    assert len({term_index(*k) for k in keys}) == len(keys)


def test_passages_documents_and_units_come_from_the_collection(both):
    embedded, qdrant = both
    index = embedded.index
    found = qdrant.candidates(embed("jeugdhulp"), "jeugdhulp", Filters(), N)
    view = qdrant.view
    for r in found.rows:
        c = view.chunks[int(r)]
        row = index.row_of[c.id]
        assert c == index.chunks[row]
        assert view.units[int(r)] == index.units[row]
        assert view.row_of[c.id] == int(r)
        np.testing.assert_array_equal(view.unit_vectors(int(r)), index.unit_vectors(row))
    assert list(view.documents) == sorted(index.documents)
    assert [view.documents[f].meta for f in view.documents] == [index.documents[f].meta for f in view.documents]
    assert not view.documents._cache  # listing and naming documents fetched no document
    assert all(view.documents[f].to_dict() == index.documents[f].to_dict() for f in index.documents)
    words = {"jeugdhulp", "twente", "best", "gemeenten", "drenthe", "onbekendwoord"}
    in_lower_case = {w for w in words if any(re.search(rf"(?<!\w){w}(?!\w)", d.text) for d in index.documents.values())}
    assert "jeugdhulp" in in_lower_case and "twente" not in in_lower_case
    assert view.lowercase_uses(words) == index.lowercase_uses(words) == in_lower_case
    with pytest.raises(KeyError):
        view.row_of["0123456789abcdef"]


def test_delete_and_reupsert_a_document(both):
    embedded, qdrant = both
    doc = "003_4f7ac4d2be3ad9cf.txt"
    index = embedded.index
    document = index.documents[doc]
    records = [
        PassageRecord(c, np.asarray(index.embeddings[r], dtype=np.float32), list(index.units[r]), index.unit_vectors(r))
        for r, c in enumerate(index.chunks) if c.doc == doc
    ]
    before = {q: _candidates(qdrant, q) for q in gold_queries(15)}
    for backend in both:
        backend.delete(doc)
        assert doc not in backend.view.documents
        for q in gold_queries(15):
            docs = {backend.view.chunks[int(r)].doc for r in backend.candidates(embed(q), q, Filters(), N).rows}
            assert doc not in docs
    assert qdrant.view.lexical.n == len(embedded.index.chunks) == len(index.chunks) - len(records)
    for backend in both:
        backend.upsert(document, records)
    for q, was in before.items():
        assert_same_candidates(_candidates(embedded, q), _candidates(qdrant, q), N)
        assert_same_candidates(was, _candidates(qdrant, q), N)
    assert qdrant.view.lexical.df == document_frequencies(embedded)


def document_frequencies(embedded: EmbeddedBackend) -> dict[str, int]:
    lex = embedded.view.lexical
    return {t: lex.document_frequency(t) for t in lex._fields["parts"].vocab_dict if t}


def test_upsert_replaces_a_documents_passages(both):
    _, qdrant = both
    doc = "001_cef7e2d3eba33c20.txt"
    view = qdrant.view
    first = next(iter(r for r in qdrant.candidates(embed("x"), "jeugdhulp", Filters(docs=(doc,)), 1).rows))
    chunk = view.chunks[int(first)]
    qdrant.upsert(view.documents[doc], [PassageRecord(chunk, embed(chunk.embed_text))])
    assert qdrant.view.lexical.n == 1 + sum(
        int(m["passages"]) for f, m in qdrant.view.documents._metas.items() if f != doc
    )
    rows = qdrant.candidates(embed(chunk.text), chunk.text, Filters(docs=(doc,)), 100).rows
    assert [qdrant.view.chunks[int(r)].id for r in rows] == [chunk.id]
    assert qdrant.view.units[int(rows[0])] == [] and qdrant.view.unit_vectors(int(rows[0])).shape == (0, 256)


def test_a_collection_of_another_model_or_analysis_is_refused(both):
    for backend in both:
        check_compatible(backend.info(), FakeEmbedder.model_id, ANALYSIS_ID)
        with pytest.raises(ModelMismatch, match="opnieuw"):
            check_compatible(backend.info(), "intfloat/multilingual-e5-base", ANALYSIS_ID)
        with pytest.raises(IndexUnavailable, match="tekstanalyse"):
            check_compatible(backend.info(), FakeEmbedder.model_id, "2:dutch_porter")


def test_the_retriever_gives_the_same_results_over_both_backends(both):
    from index.retriever import HybridRetriever

    embedded, qdrant = both
    a, b = HybridRetriever(embedded, FakeEmbedder()), HybridRetriever(qdrant, FakeEmbedder())
    for q in gold_queries(25):
        ra, rb = a.search(q, k=5), b.search(q, k=5)
        assert [h.chunk.id for h in ra.hits] == [h.chunk.id for h in rb.hits], q
        assert [h.score for h in ra.hits] == pytest.approx([h.score for h in rb.hits], abs=TOL)
        assert [h.answer_spans for h in ra.hits] == [h.answer_spans for h in rb.hits]
        assert (ra.answer and ra.answer.text) == (rb.answer and rb.answer.text)
        assert ra.confidence == pytest.approx(rb.confidence, abs=TOL)
    ca, cb = a.compare("Hoe lang zijn de wachttijden?"), b.compare("Hoe lang zijn de wachttijden?")
    assert [h.chunk.id for h in ca.hits] == [h.chunk.id for h in cb.hits]
    source = ra.hits[0].chunk.id
    assert [h.chunk.id for h in a.similar(source)] == [h.chunk.id for h in b.similar(source)]


def test_dutch_messages_for_a_missing_collection_and_an_unreachable_server(tmp_path):
    from index.backends.qdrant import client_for

    with pytest.raises(IndexUnavailable, match=r"bestaat niet.*beleidszoeker index"):
        QdrantBackend(QdrantClient(location=":memory:"), "nergens")
    settings = Settings(data_dir=tmp_path, qdrant_url="http://127.0.0.1:9", qdrant_collection="x")
    with pytest.raises(IndexUnavailable, match=r"niet bereikbaar.*BELEIDSZOEKER_QDRANT_URL"):
        client_for(settings)


def test_embedded_upsert_and_delete_keep_its_results_equal_to_a_fresh_index(shipped):
    """The embedded backend's in-memory writes rebuild FAISS and BM25 as a fresh index of the same passages."""
    _, index = shipped
    backend = EmbeddedBackend(index)
    doc = "002_c270417cb53cfedd.txt"
    rows = [r for r, c in enumerate(index.chunks) if c.doc == doc]
    records = [PassageRecord(index.chunks[r], np.asarray(index.embeddings[r]), list(index.units[r]),
                             index.unit_vectors(r)) for r in rows]
    backend.delete(doc)
    backend.upsert(index.documents[doc], records)
    fresh = EmbeddedBackend(index)
    for q in gold_queries(10):
        assert_same_candidates(_candidates(fresh, q), _candidates(backend, q), N)
    assert sorted(c.id for c in backend.index.chunks) == sorted(c.id for c in index.chunks)


def test_index_workers_fill_one_collection(shipped, tmp_path):
    """Two workers (`--deel 0/2`, `--deel 1/2`) index disjoint halves into one collection; a document gone
    from the store is deleted by the worker whose part it is in; an unchanged document is not rewritten."""
    from index.backends.qdrant_build import Part, index_into_qdrant
    from ingest.store import load_store

    settings, index = shipped
    url = f"local:{tmp_path / 'qdrant'}"
    qsettings = Settings(corpus_dir=settings.corpus_dir, data_dir=settings.data_dir, qdrant_url=url,
                         qdrant_collection="werkers")
    store = load_store(settings.store_dir)
    embedder = _StoreEmbedder(index)
    for i in range(2):
        report = index_into_qdrant(qsettings, part=Part(index=i, count=2), store=store, embedder=embedder,
                                   progress=False)
        assert report.written == sum(f in Part(index=i, count=2) for f in store.documents) > 0
    again = index_into_qdrant(qsettings, part=Part(index=0, count=2), store=store, embedder=embedder, progress=False)
    assert again.written == 0 and again.unchanged > 0
    from index.backends.qdrant import client_for

    client = client_for(qsettings)
    backend = QdrantBackend(client, "werkers")
    assert sorted(backend.view.documents) == sorted(store.documents)
    assert backend.view.lexical.n == len(index.chunks)
    client.close()  # local mode: one client per folder at a time
    gone = next(f for f in store.documents if f in Part(index=1, count=2))
    del store.documents[gone]
    report = index_into_qdrant(qsettings, part=Part(index=0, count=2), store=store, embedder=embedder, progress=False)
    assert report.deleted == 0  # not this worker's document
    report = index_into_qdrant(qsettings, part=Part(index=1, count=2), store=store, embedder=embedder, progress=False)
    assert report.deleted == 1
    client = client_for(qsettings)
    assert gone not in QdrantBackend(client, "werkers").view.documents
    client.close()


class _StoreEmbedder(FakeEmbedder):
    """The fake embedder as the index writer uses it (passages in bulk)."""

    def __init__(self, index) -> None:
        self.dim = int(index.embeddings.shape[1])

    def embed_passages(self, texts, show_progress=False):
        return np.stack([embed(t) for t in texts])


def test_cli_index_options_need_qdrant(monkeypatch, capsys):
    from beleidszoeker import cli

    monkeypatch.delenv("BELEIDSZOEKER_QDRANT_URL", raising=False)
    assert cli.main(["index", "--deel", "0/2"]) == cli.EXIT_ERROR
    assert "alleen voor een Qdrant-collectie" in capsys.readouterr().err
    monkeypatch.setenv("BELEIDSZOEKER_QDRANT_URL", ":memory:")
    assert cli.main(["index", "--deel", "2/2"]) == cli.EXIT_ERROR
    assert "tussen 0 en 1" in capsys.readouterr().err


@pytest.mark.slow
def test_the_eval_figures_are_the_same_through_both_backends(tmp_path_factory, monkeypatch):
    """The real model's index, and the same index copied into a Qdrant collection: `HybridRetriever.load`
    reads the collection alone (BELEIDSZOEKER_QDRANT_URL) and the dev figures are the same."""
    from app_fixtures import real_index

    from index.evaluate import EvalItem, GoldQuote, evaluate, load_gold
    from index.retriever import HybridRetriever
    from index.searchindex import SearchIndex

    data = real_index(tmp_path_factory)
    local = Settings(corpus_dir=data.corpus, data_dir=data.data)
    embedded = HybridRetriever.load(local)
    path = tmp_path_factory.mktemp("q") / "qdrant"
    client = QdrantClient(path=str(path))
    copy_index(SearchIndex.load(local.index_dir), client, "eval")
    client.close()
    remote = Settings(corpus_dir=data.corpus, data_dir=tmp_path_factory.mktemp("empty"), qdrant_url=f"local:{path}",
                      qdrant_collection="eval")
    qdrant = HybridRetriever.load(remote, embedder=embedded.embedder)
    assert qdrant.backend.info().passages == len(embedded.index.chunks)
    gold = sorted((ROOT_EVAL).glob("heldout*.jsonl"))[:3]
    items: list[EvalItem] = [i for g in gold for i in load_gold(g)]
    assert items and all(isinstance(q, GoldQuote) for i in items for q in i.gold)
    figures = [
        evaluate(items, lambda q, r=r: r.search(q, k=10), r.compare, threshold=r.params.threshold).to_dict()
        for r in (embedded, qdrant)
    ]
    assert figures[0] == figures[1]
