"""Engine conformance: the collection's schema and points in Qdrant's real Rust engine (qdrant-edge-py,
in process; no server is reachable here), against qdrant-client's local mode (a Python re-implementation)
and bm25s. Both are pinned in pyproject: qdrant-edge-py 0.9.0 (the newest; edge has its own 0.x version line,
built from the engine repository's lib/edge, so it shares no minor version with the client) and qdrant-client 1.20.0.

Fixtures: the shipped corpus (277 passages, far under 10^4) with the fake embedder's vectors. Scores are
compared per point id, so ties cannot reorder anything; rankings only where the scores are distinct.
"""

from __future__ import annotations

import numpy as np
import pytest
from backend_fixtures import TOL, fake_index, gold_queries, shipped_store
from search_fakes import embed

from index.analysis import CompoundSplitter
from index.build import lexical_text

edge = pytest.importorskip("qdrant_edge", reason="qdrant-edge-py is a dev dependency (pyproject); run scripts/setup")
pytest.importorskip("qdrant_client", reason="qdrant-client is a dependency (pyproject); run scripts/setup")

from qdrant_client import QdrantClient, models  # noqa: E402

from index.backends.base import PassageRecord  # noqa: E402
from index.backends.qdrant import BM25, DENSE, UNITS, _passage_payload, passage_sparse, point_id, query_sparse  # noqa: E402
from index.backends.qdrant_build import copy_index  # noqa: E402

QUERIES = ["jeugdhulp", "wachtlijsten specialistische jeugdhulp", "pleegzorg gezinshuizen", *gold_queries(12)]


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("edge")
    index = fake_index(shipped_store(tmp))
    local = copy_index(index, QdrantClient(location=":memory:"), "edge")
    info, dim = local.collection_info, index.embeddings.shape[1]
    splitter = CompoundSplitter.from_dict(info.splitter)
    config = edge.EdgeConfig(
        vectors={
            DENSE: edge.EdgeVectorParams(size=dim, distance=edge.Distance.Dot),
            UNITS: edge.EdgeVectorParams(
                size=dim, distance=edge.Distance.Dot,
                multivector_config=edge.MultiVectorConfig(comparator=edge.MultiVectorComparator.MaxSim),
            ),
        },
        sparse_vectors={BM25: edge.EdgeSparseVectorParams()},
    )
    shard = edge.EdgeShard.create(str(tmp / "shard"), config)
    points = []
    for row, c in enumerate(index.chunks):
        indices, values = passage_sparse(lexical_text(c), info, splitter)
        vector = {DENSE: np.asarray(index.embeddings[row]).tolist(), BM25: edge.SparseVector(indices, values)}
        if index.units[row]:
            vector[UNITS] = index.unit_vectors(row).tolist()
        record = PassageRecord(c, index.embeddings[row], list(index.units[row]), index.unit_vectors(row))
        points.append(edge.Point(point_id(c.id), vector, _passage_payload(record)))
    shard.update(edge.UpdateOperation.upsert_points(points))
    yield index, local, shard
    shard.close()


def _query_vector(index, query: str) -> tuple[list[int], list[float]]:
    lexical = index.lexical
    return query_sparse(lexical.field_query_terms(query), lexical.params, lexical.field_idf)


def _edge_sparse(shard, index, query: str, flt=None) -> dict[int, float]:
    indices, values = _query_vector(index, query)
    found = shard.query(edge.QueryRequest(
        limit=len(index.chunks), query=edge.Query.Nearest(edge.SparseVector(indices, values), using=BM25), filter=flt,
    ))
    return {int(p.id): float(p.score) for p in found}


def _local_sparse(local, index, query: str, flt=None) -> dict[int, float]:
    indices, values = _query_vector(index, query)
    found = local.client.query_points(local.name, query=models.SparseVector(indices=indices, values=values),
                                      using=BM25, query_filter=flt, limit=len(index.chunks))
    return {int(p.id): float(p.score) for p in found.points}


def test_the_schema_holds_every_point_in_the_engine(engines):
    index, _, shard = engines
    assert shard.info().points_count == len(index.chunks) <= 10_000
    row = next(r for r, u in enumerate(index.units) if len(u) > 1)
    (record,) = shard.retrieve([point_id(index.chunks[row].id)], with_payload=True, with_vector=True)
    assert record.payload["chunk"]["id"] == index.chunks[row].id
    assert np.allclose(np.asarray(record.vector[UNITS]), index.unit_vectors(row))


def test_bm25_in_the_engine_equals_local_mode_and_bm25s(engines):
    index, local, shard = engines
    ids = [point_id(c.id) for c in index.chunks]
    for query in QUERIES:
        expected = {pid: float(s) for pid, s in zip(ids, index.lexical.scores(query), strict=True) if s > 0}
        got, mirrored = _edge_sparse(shard, index, query), _local_sparse(local, index, query)
        got = {k: v for k, v in got.items() if v > 0}
        mirrored = {k: v for k, v in mirrored.items() if v > 0}
        assert got.keys() == expected.keys() == mirrored.keys(), query
        for pid, s in expected.items():
            assert got[pid] == pytest.approx(s, rel=1e-5, abs=TOL)
            assert mirrored[pid] == pytest.approx(s, rel=1e-5, abs=TOL)
        distinct = sorted(expected.values(), reverse=True)
        if len(set(distinct[:5])) == len(distinct[:5]):  # tie-free: the ranking itself must agree
            assert sorted(got, key=lambda k: -got[k])[:5] == sorted(expected, key=lambda k: -expected[k])[:5]


def test_filters_in_the_engine_select_what_local_mode_selects(engines):
    index, local, shard = engines
    two_docs = ["000_01ec1a8430f19287.txt", "004_7958d381e0eb9ffa.txt"]
    cases = [("region", ["Twente"]), ("doc", two_docs), ("year", [2021])]
    for key, values in cases:
        eflt = edge.Filter(must=[edge.FieldCondition(key=key, match=edge.MatchAny(values))])
        lflt = models.Filter(must=[models.FieldCondition(key=key, match=models.MatchAny(any=values))])
        allowed = {point_id(c.id) for c in index.chunks if getattr(c, key) in values}
        for query in QUERIES[:6]:
            got = _edge_sparse(shard, index, query, eflt)
            assert set(got) <= allowed
            assert {k for k, v in got.items() if v > 0} == {
                k for k, v in _local_sparse(local, index, query, lflt).items() if v > 0
            }


def test_dense_search_and_rrf_fusion_agree_with_local_mode(engines):
    index, local, shard = engines
    for query in QUERIES[:8]:
        q = embed(query).tolist()
        dense = shard.query(edge.QueryRequest(limit=10, query=edge.Query.Nearest(q, using=DENSE)))
        ldense = local.client.query_points(local.name, query=q, using=DENSE, limit=10).points
        assert [p.score for p in dense] == pytest.approx([p.score for p in ldense], abs=1e-5)
        indices, values = _query_vector(index, query)
        fused = shard.query(edge.QueryRequest(
            limit=20,
            prefetches=[
                edge.Prefetch(limit=20, query=edge.Query.Nearest(q, using=DENSE)),
                edge.Prefetch(limit=20, query=edge.Query.Nearest(edge.SparseVector(indices, values), using=BM25)),
            ],
            query=edge.Fusion.Rrf(k=60),
        ))
        lfused = local.client.query_points(
            local.name,
            prefetch=[
                models.Prefetch(query=q, using=DENSE, limit=20),
                models.Prefetch(query=models.SparseVector(indices=indices, values=values), using=BM25, limit=20),
            ],
            query=models.RrfQuery(rrf=models.Rrf(k=60)),
            limit=20,
        ).points
        # Fusion semantics: each engine's RRF score is sum over legs of 1 / (k + rank), rank from 0, of its own
        # legs' results (tied points may take each other's ranks, so each engine is checked against its legs).
        legs = [
            shard.query(edge.QueryRequest(limit=20, query=edge.Query.Nearest(q, using=DENSE))),
            shard.query(edge.QueryRequest(limit=20, query=edge.Query.Nearest(edge.SparseVector(indices, values),
                                                                             using=BM25))),
        ]
        assert [p.score for p in fused] == pytest.approx(list(_rrf(legs, 60).values()), abs=1e-6)
        expected = _rrf(legs, 60)
        assert all(expected[int(p.id)] == pytest.approx(p.score, abs=1e-6) for p in fused if int(p.id) in expected)
        local_legs = [
            local.client.query_points(local.name, query=q, using=DENSE, limit=20).points,
            local.client.query_points(local.name, query=models.SparseVector(indices=indices, values=values),
                                      using=BM25, limit=20).points,
        ]
        assert [p.score for p in lfused] == pytest.approx(list(_rrf(local_legs, 60).values()), abs=1e-6)


def _rrf(legs, k: int) -> dict[int, float]:
    out: dict[int, float] = {}
    for leg in legs:
        for rank, p in enumerate(leg):
            out[int(p.id)] = out.get(int(p.id), 0.0) + 1.0 / (k + rank)
    return dict(sorted(out.items(), key=lambda kv: -kv[1])[:20])
