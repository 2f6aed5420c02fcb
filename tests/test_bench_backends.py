"""The backend benchmark's own pieces, on the real components (bm25s, FAISS, the qdrant-edge engine): the
passage selection, and that QdrantBackend on the engine, as the benchmark builds it, returns the embedded
backend's candidates, so the benchmark compares like with like."""

import json
import random
from dataclasses import replace

import numpy as np
import pytest

from beleidszoeker.records import Chunk
from benchmarks.real_passages import PassageSet, load, prepare, select

WORDS = (
    "jeugdhulp jeugdhulpaanbieder gemeente college besluit bezwaar termijn vergunning subsidie aanvraag "
    "toezicht inspectie wachtlijst zorgaanbieder ouders jeugdige verordening minister regeling artikel "
    "beschikking kosten vergoeding uitvoering kwaliteit veiligheid gegevens bewaartermijn ontheffing"
).split()


def _texts(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40))) for _ in range(n)]


def _chunk(i: int, doc: str, text: str, region: str = "onbekend") -> Chunk:
    return Chunk(
        id=f"{i + 1000:016x}",  # point_id maps ids 0 and 1 both to 1
        doc=doc,
        title=doc,
        region=region,
        year=2020 + i % 3,
        section="Artikel 1",
        page=None,
        page_label=None,
        start=0,
        end=len(text),
        text=text,
        embed_text=text,
    )


def _document_record(file: str) -> dict:
    """A stored document row with placeholder metadata."""
    meta = {"title": "t", "region": "onbekend", "municipalities": [], "year": None, "date": "", "doc_type": "",
            "source": "", "aliases": []}
    return {"meta": {**meta, "file": file}, "text": "x", "pages": [], "sha256": ""}


def _write_store(path, docs: dict[str, int]) -> None:
    path.mkdir(parents=True)
    rows, i = [], 0
    for doc, n in docs.items():
        for _ in range(n):
            rows.append(_chunk(i, doc, f"passage {i} van {doc}").to_dict())
            i += 1
    (path / "chunks.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (path / "documents.jsonl").write_text(
        "".join(json.dumps(_document_record(d)) + "\n" for d in docs),
        encoding="utf-8",
    )


def test_selection_takes_whole_documents_in_a_fixed_order_and_cuts_the_last(tmp_path):
    from benchmarks.real_passages import doc_order_key

    docs = {f"wet/{name}/README.md": 3 for name in "abcdefgh"}
    _write_store(tmp_path / "store", docs)
    chunks, documents, used = select(tmp_path / "store", 10)
    order = sorted(docs, key=doc_order_key)
    assert len(chunks) == 10 and used == 4
    assert [c["doc"] for c in chunks] == [d for d in order[:4] for _ in range(3)][:10]
    assert {d["meta"]["file"] for d in documents} == set(order[:4])
    assert select(tmp_path / "store", 10)[0] == chunks  # deterministic


def test_load_reads_the_batches_done_so_far_and_refuses_more(tmp_path):
    _write_store(tmp_path / "store", {"a.md": 5, "b.md": 5})
    cache = tmp_path / "cache"
    prepare(tmp_path / "store", cache, 10, 64)
    (cache / "batches").mkdir()
    np.save(cache / "batches" / "000000.npy", np.ones((10, 4), dtype=np.float32))
    ps = load(cache, n=6)
    assert len(ps.chunks) == 6 and ps.vectors.shape == (6, 4)
    with pytest.raises(SystemExit):
        load(cache, n=20)


def _passage_set(n: int, dim: int = 32) -> PassageSet:
    texts = _texts(n, seed=5)
    docs = [f"doc{i % 7}.md" for i in range(n)]
    chunks = [_chunk(i, docs[i], t, region=("Drenthe" if i % 2 else "Twente")) for i, t in enumerate(texts)]
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    documents = [_document_record(d) for d in sorted(set(docs))]
    return PassageSet(chunks, documents, vectors, {"n": n})


def _same_found(a, b, n: int) -> None:
    """Equal candidates and scores, tie-aware: a row only one side has must not beat the other side's
    n-th BM25 score (a tie at the cut may go either way)."""
    da = dict(zip(a.rows.tolist(), zip(a.dense.tolist(), a.lexical.tolist(), strict=True), strict=True))
    db = dict(zip(b.rows.tolist(), zip(b.dense.tolist(), b.lexical.tolist(), strict=True), strict=True))
    for row in set(da) & set(db):
        np.testing.assert_allclose(da[row], db[row], rtol=1e-4, atol=1e-5)
    for mine, other in ((da, db), (db, da)):
        scores = sorted((v[1] for v in other.values()), reverse=True)
        cut = scores[n - 1] if len(scores) >= n else 0.0
        for row in set(mine) - set(other):
            assert mine[row][1] <= cut + 1e-5, row


def test_qdrant_on_the_engine_finds_what_the_embedded_backend_finds(tmp_path):
    from benchmarks.bench_backends import COLLECTION, build_embedded, build_qdrant, dense_search
    from index.backends.base import Filters
    from index.backends.embedded import EmbeddedBackend
    from index.searchindex import SearchIndex

    ps = _passage_set(300)
    build_embedded(ps, tmp_path / "index")
    embedded = EmbeddedBackend(SearchIndex.load(tmp_path / "index"))
    qdrant, client, built = build_qdrant(embedded.index, tmp_path / "qdrant")
    assert client.shards[COLLECTION].info().points_count == 300
    assert sum(built.disk.values()) > 300 * 384 * 4 and "dense vectors" in built.disk  # every vector is on disk
    rng = np.random.default_rng(1)
    try:
        for words, filters in (
            ("jeugdhulp gemeente wachtlijst", Filters()),
            ("bezwaar termijn beschikking", Filters(regions=("Drenthe",))),
            ("subsidie aanvraag", Filters(docs=("doc3.md",), years=(2021,))),
            ("onbekendwoord", Filters()),
        ):
            q = rng.standard_normal(ps.vectors.shape[1]).astype(np.float32)
            q /= np.linalg.norm(q)
            a = embedded.candidates(q, words, filters, 20)
            b = qdrant.candidates(q, words, filters, 20)
            assert len(a.rows) > 0
            chunks = [qdrant.view.chunks[int(r)] for r in b.rows]
            assert all(not filters.regions or c.region in filters.regions for c in chunks)
            assert all(not filters.docs or c.doc in filters.docs for c in chunks)
            rows = np.array([embedded.index.row_of[c.id] for c in chunks], dtype=np.int64)
            _same_found(a, replace(b, rows=rows, unit_best=None), 20)
            if filters.empty:
                top_dense = np.argsort(-(ps.vectors @ q))[:20]
                assert {embedded.index.chunks[r].id for r in top_dense} <= {c.id for c in chunks}
                found = dense_search(qdrant, q, 20, 1024)
                assert {qdrant.view.chunks[r].id for r in found} == {embedded.index.chunks[r].id for r in top_dense}
    finally:
        client.close()
