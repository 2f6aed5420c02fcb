"""The part of qdrant-client's API that `QdrantBackend` calls, served by Qdrant's real engine in process.

No Qdrant server can run on these machines, and qdrant-client's local mode is a Python re-implementation
of the engine. `qdrant-edge-py` is the engine itself (the Rust segments, HNSW, sparse index, payload
indexes, filters) as a library. `EdgeClient` gives `QdrantBackend` that engine behind the client's method
names, one `EdgeShard` per collection under a folder, so the backend's own code path (its requests, the
payloads and vectors it reads back, its caches) runs unchanged on the real engine: for the contract tests
(tests/test_backends.py) and the backend benchmark. Not a product mode: network and the server's request
handling are not in it.

Collections are created as a server creates them when nothing is set: HNSW m = 16, ef_construct = 100,
full_scan_threshold = 10,000 KB, unless the collection's vector parameters say otherwise.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A server's defaults for a collection created without an HNSW configuration.
SERVER_HNSW = {"m": 16, "ef_construct": 100, "full_scan_threshold": 10_000}
_EMPTY = "_"  # the engine needs one vector per collection; a payload-only collection gets an unused sparse one


@dataclass
class Collection:
    name: str


@dataclass
class Collections:
    collections: list[Collection]


@dataclass
class QueryResponse:
    points: list[Any]


@dataclass
class CountResult:
    count: int


@dataclass
class EdgeClient:
    """qdrant-client's methods used by `index.backends.qdrant` and `qdrant_build`, over EdgeShards in `folder`."""

    folder: Path
    threads: int = 1
    shards: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    # ---- collections --------------------------------------------------------------------------

    def _shard(self, name: str) -> Any:
        import qdrant_edge as qe

        if name not in self.shards:
            path = self.folder / name
            if not path.exists():
                raise ValueError(f"Collection {name} not found")
            self.shards[name] = qe.EdgeShard.load(str(path))
        return self.shards[name]

    def collection_exists(self, name: str) -> bool:
        return name in self.shards or (self.folder / name).exists()

    def get_collections(self) -> Collections:
        return Collections([Collection(p.name) for p in sorted(self.folder.iterdir()) if p.is_dir()])

    def create_collection(
        self,
        name: str,
        vectors_config: dict[str, Any] | None = None,
        sparse_vectors_config: dict[str, Any] | None = None,
        shard_number: int | None = None,
        replication_factor: int | None = None,
    ) -> bool:
        import qdrant_edge as qe

        vectors = {n: _vector_params(p, self.threads) for n, p in (vectors_config or {}).items()}
        sparse = {n: _sparse_params(p) for n, p in (sparse_vectors_config or {}).items()}
        if not vectors and not sparse:
            sparse = {_EMPTY: qe.EdgeSparseVectorParams()}
        config = qe.EdgeConfig(
            vectors=vectors or None,
            sparse_vectors=sparse or None,
            hnsw_config=qe.HnswIndexConfig(**SERVER_HNSW, max_indexing_threads=self.threads),
            max_search_threads=self.threads,
        )
        self.shards[name] = qe.EdgeShard.create(str(self.folder / name), config)
        return True

    def delete_collection(self, name: str) -> bool:
        shard = self.shards.pop(name, None)
        if shard is not None:
            shard.close()
        shutil.rmtree(self.folder / name, ignore_errors=True)
        return True

    def create_payload_index(self, name: str, field_name: str, field_schema: Any) -> None:
        import qdrant_edge as qe

        kind = {"keyword": qe.PayloadSchemaType.Keyword, "integer": qe.PayloadSchemaType.Integer}[
            str(getattr(field_schema, "value", field_schema))
        ]
        self._shard(name).update(qe.UpdateOperation.create_field_index(field_name, kind))

    def optimize(self, name: str) -> None:
        """Build the HNSW and sparse indexes now (a server's optimizer does it in the background)."""
        self._shard(name).optimize()

    def close(self) -> None:
        for shard in self.shards.values():
            shard.close()
        self.shards.clear()

    # ---- points -------------------------------------------------------------------------------

    def upsert(self, name: str, points: Sequence[Any], wait: bool = True) -> None:
        import qdrant_edge as qe

        edge_points = [qe.Point(p.id, {k: _vector(v) for k, v in (p.vector or {}).items()}, p.payload) for p in points]
        self._shard(name).update(qe.UpdateOperation.upsert_points(edge_points))

    def set_payload(self, name: str, payload: dict[str, Any], points: Sequence[int], wait: bool = True) -> None:
        import qdrant_edge as qe

        self._shard(name).update(qe.UpdateOperation.set_payload(list(points), payload))

    def delete(self, name: str, points_selector: Any, wait: bool = True) -> None:
        import qdrant_edge as qe

        selected = getattr(points_selector, "filter", None)
        if selected is not None:
            op = qe.UpdateOperation.delete_points_by_filter(_filter(selected))
        else:
            op = qe.UpdateOperation.delete_points(list(points_selector.points))
        self._shard(name).update(op)

    def retrieve(
        self, name: str, ids: Sequence[int], with_payload: Any = True, with_vectors: Any = False
    ) -> list[Any]:
        return list(self._shard(name).retrieve(list(ids), _payload(with_payload), with_vectors))

    def scroll(
        self, name: str, scroll_filter: Any = None, limit: int = 10, offset: Any = None, with_payload: Any = True,
        with_vectors: Any = False,
    ) -> tuple[list[Any], Any]:
        import qdrant_edge as qe

        request = qe.ScrollRequest(
            offset=offset, limit=limit, filter=_filter(scroll_filter), with_payload=_payload(with_payload),
            with_vector=with_vectors,
        )
        records, next_offset = self._shard(name).scroll(request)
        return list(records), next_offset

    def count(self, name: str, count_filter: Any = None, exact: bool = True) -> CountResult:
        import qdrant_edge as qe

        return CountResult(int(self._shard(name).count(qe.CountRequest(exact=exact, filter=_filter(count_filter)))))

    def query_points(
        self, name: str, query: Any = None, using: str | None = None, query_filter: Any = None, limit: int = 10,
        search_params: Any = None, with_payload: Any = False, with_vectors: Any = False,
    ) -> QueryResponse:
        request = _query(query, using, query_filter, limit, search_params, with_payload, with_vectors)
        return QueryResponse(list(self._shard(name).query(request)))

    def query_batch_points(self, name: str, requests: Sequence[Any]) -> list[QueryResponse]:
        import qdrant_edge as qe

        batch = [
            _query(r.query, r.using, r.filter, r.limit, r.params, r.with_payload, r.with_vector) for r in requests
        ]
        return [QueryResponse(list(found)) for found in self._shard(name).query_batch(qe.QueryBatchRequest(batch))]


# ---- translation of qdrant-client's models into the engine's types ----------------------------------


def _vector_params(p: Any, threads: int) -> Any:
    """A named vector's config; its own HNSW config indexes with `threads` too (0 would mean all cores)."""
    import qdrant_edge as qe

    distance = {"Dot": qe.Distance.Dot, "Cosine": qe.Distance.Cosine, "Euclid": qe.Distance.Euclid}[p.distance.value]
    multi = None
    if p.multivector_config is not None:
        multi = qe.MultiVectorConfig(qe.MultiVectorComparator.MaxSim)
    hnsw = None
    if p.hnsw_config is not None:
        h = p.hnsw_config
        hnsw = qe.HnswIndexConfig(
            m=SERVER_HNSW["m"] if h.m is None else h.m,
            ef_construct=h.ef_construct or SERVER_HNSW["ef_construct"],
            full_scan_threshold=h.full_scan_threshold or SERVER_HNSW["full_scan_threshold"],
            max_indexing_threads=threads,
        )
    return qe.EdgeVectorParams(size=p.size, distance=distance, multivector_config=multi, hnsw_config=hnsw)


def _sparse_params(p: Any) -> Any:
    import qdrant_edge as qe

    idf = p.modifier is not None and p.modifier.value == "idf"
    return qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf) if idf else qe.EdgeSparseVectorParams()


def _vector(v: Any) -> Any:
    import qdrant_edge as qe

    if hasattr(v, "indices"):
        return qe.SparseVector(list(v.indices), list(v.values))
    return v


def _payload(selector: Any) -> Any:
    import qdrant_edge as qe

    if isinstance(selector, list):
        return qe.PayloadSelector.Include(selector)
    if hasattr(selector, "include"):
        return qe.PayloadSelector.Include(list(selector.include))
    return bool(selector)


def _condition(c: Any) -> Any:
    import qdrant_edge as qe

    if hasattr(c, "has_id"):
        return qe.HasIdCondition({int(i) for i in c.has_id})
    match = c.match
    if hasattr(match, "any"):
        return qe.FieldCondition(c.key, match=qe.MatchAny(list(match.any)))
    return qe.FieldCondition(c.key, match=qe.MatchValue(match.value))


def _filter(f: Any) -> Any:
    import qdrant_edge as qe

    if f is None:
        return None
    parts = {k: [_condition(c) for c in getattr(f, k) or []] or None for k in ("must", "should", "must_not")}
    return qe.Filter(**parts)


def _query(
    query: Any, using: str | None, flt: Any, limit: int | None, params: Any, with_payload: Any, with_vector: Any
) -> Any:
    import qdrant_edge as qe

    vector = _vector(query)
    search = None
    if params is not None:
        search = qe.SearchParams(hnsw_ef=params.hnsw_ef, exact=bool(params.exact))
    return qe.QueryRequest(
        limit=int(limit or 10),
        query=qe.Query.Nearest(vector, using=using),
        filter=_filter(flt),
        params=search,
        with_payload=_payload(with_payload) if with_payload else None,
        with_vector=with_vector or None,
    )
