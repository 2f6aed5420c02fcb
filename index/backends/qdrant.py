"""The Qdrant backend: passages, documents and lexical statistics in Qdrant collections, nothing local
but the model. Several app replicas read one collection; several index workers write disjoint documents.

Two collections per name:
    NAME        one point per passage: "dense" (dot = cosine of L2-normalised e5 vectors; HNSW with the
                embedded index's M and efConstruction), "units" (the answer units' vectors, a multivector,
                not indexed), "bm25" (sparse: the project's own Dutch terms, index/analysis.py, both BM25
                fields; values are bm25s's TF/length part); payload: the chunk, its answer units, and
                doc/region/year for the filters (payload indexes).
    NAME-docs   one point per document (its text for the context view, its metadata, its passage count
                and per BM25 field the document frequencies of its terms), the info point: model, analysis,
                the compound splitter, BM25 parameters and the average field lengths the TF parts used, and
                the generation point: a new unique value after every write, so readers (app replicas)
                notice a change with one small read (`generation`) and reload.

The query side reads its term statistics (vocabulary, document frequencies per field) from NAME-docs: the
sum over documents, so an upsert or delete by document keeps them right. The idf is the query's: each
query term's weight in the sparse query vector is its field's Lucene idf from those statistics, so a
passage's sparse dot product is exactly bm25s's BM25. (Qdrant's own Modifier.IDF counts the postings of
deleted and replaced points until its optimizer vacuums a segment, so after updates its BM25 drifted from
bm25s's; the real engine showed it, qdrant-client's local mode does not. Sparse indices are 32-bit
hashes; a collision could only add a candidate, whose score is still its own terms' plus the colliding
term's weight, see benchmarks/sparse_terms.py for how rare that is.)
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import warnings
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Generic, TypeVar

import numpy as np

from beleidszoeker.config import Settings
from beleidszoeker.records import Chunk, DocMeta, Document, Hit, PageSpan
from index.analysis import CompoundSplitter, analyze
from index.backends.base import BackendInfo, Filters, Found, PassageRecord, Span, Trace, step
from index.errors import IndexUnavailable
from index.lexical import BM25Params, field_terms, known_query_tokens, lucene_idf
from index.search.mentions import lowercase_words
from index.vector import HNSW_EF_CONSTRUCTION, HNSW_M

SCHEMA_VERSION = 2  # 2: no Modifier.IDF (the query carries the idf), document frequencies per field
DENSE, UNITS, BM25 = "dense", "units", "bm25"
INFO_ID = 0
LOWERCASE_WORDS = "lowercase_words"
GENERATION_ID = 2  # point_id never gives 0 and gives 1 for a zero hash; 2 is as unlikely as any other id
_CACHE_PASSAGES = 20_000
_FETCH_BATCH = 256


def point_id(key: str) -> int:
    """A stable 63-bit point id (fits int64 rows): from the chunk id's hex digits, or a hash for a document."""
    try:
        return int(key, 16) & ((1 << 63) - 1) or 1
    except ValueError:
        return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") & ((1 << 63) - 1) or 1


def term_index(field: str, term: str) -> int:
    """A term's sparse index (u32) within its BM25 field: both fields share one sparse vector."""
    return int.from_bytes(hashlib.blake2b(f"{field}\0{term}".encode(), digest_size=4).digest(), "big")


@dataclass(frozen=True)
class CollectionInfo:
    """The info point: what every writer and reader of the collection must agree on."""

    model_id: str
    dim: int
    analysis: str
    bm25: BM25Params
    avgdl: dict[str, float]  # per BM25 field, fixed when the collection is created (see README, Backends)
    splitter: dict[str, Any]
    schema: int = SCHEMA_VERSION
    created_at: str = ""

    def to_payload(self) -> dict[str, Any]:
        return {"kind": "info", **asdict(self)}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> CollectionInfo:
        return cls(
            p["model_id"], int(p["dim"]), p["analysis"], BM25Params(**p["bm25"]), dict(p["avgdl"]),
            p["splitter"], int(p.get("schema", 0)), p.get("created_at", ""),
        )


def average_lengths(texts: Sequence[str], splitter: CompoundSplitter, params: BM25Params) -> dict[str, float]:
    """Mean number of terms per passage in each BM25 field (bm25s's avgdl)."""
    lengths: dict[str, list[int]] = {}
    for text in texts:
        for name, terms in field_terms(analyze(text, split_compounds=params.split_compounds, splitter=splitter),
                                       params).items():
            lengths.setdefault(name, []).append(len(terms))
    return {name: float(np.mean(v)) for name, v in lengths.items()}


def passage_sparse(text: str, info: CollectionInfo, splitter: CompoundSplitter) -> tuple[list[int], list[float]]:
    """The passage's sparse BM25 vector: per field and term, bm25s's (Lucene) TF/length part."""
    p = info.bm25
    fields = field_terms(analyze(text, split_compounds=p.split_compounds, splitter=splitter), p)
    weights: dict[int, float] = {}
    for name, terms in fields.items():
        if not terms:
            continue
        norm = p.k1 * ((1 - p.b) + p.b * len(terms) / info.avgdl[name])
        for term, tf in Counter(terms).items():
            weights[term_index(name, term)] = float(np.float32(tf / (norm + tf)))
    indices = sorted(weights)
    return indices, [weights[i] for i in indices]


def query_sparse(
    terms: Mapping[str, list[str]], params: BM25Params, idf: Callable[[str, str], float]
) -> tuple[list[int], list[float]]:
    """The query's sparse vector: each distinct term once, weighted by its field's weight (the parts field at
    `part_weight`, as LexicalIndex.scores) and its idf in that field (`idf(field, term)`), so that its dot
    product with a passage's TF parts is the passage's BM25 score."""
    weights: dict[int, float] = {}
    for name, field in terms.items():
        weight = 1.0 if name == "words" else params.part_weight
        if weight <= 0:
            continue
        for term in dict.fromkeys(field):
            key = term_index(name, term)
            weights[key] = weights.get(key, 0.0) + weight * idf(name, term)
    indices = sorted(weights)
    return indices, [weights[i] for i in indices]


def passage_field_terms(text: str, info: CollectionInfo, splitter: CompoundSplitter) -> dict[str, set[str]]:
    """Per BM25 field, the distinct terms a passage counts for in that field's document frequencies."""
    fields = field_terms(analyze(text, split_compounds=info.bm25.split_compounds, splitter=splitter), info.bm25)
    return {name: set(terms) for name, terms in fields.items()}


class Lexicon:
    """Terms' statistics for the query side, summed over the documents' records in NAME-docs."""

    def __init__(
        self, splitter: CompoundSplitter, field_df: dict[str, dict[str, int]], n: int, params: BM25Params
    ) -> None:
        self._splitter, self.field_df, self.n, self.params = splitter, field_df, n, params
        # A term is known by the field with compound parts (as LexicalIndex.document_frequency).
        self.df = field_df.get("parts") or field_df.get("words") or {}

    @property
    def splitter(self) -> CompoundSplitter:
        return self._splitter

    def document_frequency(self, term: str) -> int:
        return self.df.get(term, 0)

    def idf(self, term: str) -> float:
        return lucene_idf(self.n, self.document_frequency(term))

    def field_idf(self, field: str, term: str) -> float:
        """The term's Lucene idf within one BM25 field, as bm25s scores that field."""
        return lucene_idf(self.n, self.field_df.get(field, {}).get(term, 0))

    def query_terms(self, query: str, *, split_compounds: bool = True) -> list[str]:
        tokens = known_query_tokens(query, self.splitter, self.document_frequency, split_compounds=split_compounds)
        return [t.term for t in tokens]

    def field_query_terms(self, query: str) -> dict[str, list[str]]:
        tokens = known_query_tokens(
            query, self.splitter, self.document_frequency, split_compounds=self.params.split_compounds
        )
        return field_terms(tokens, self.params)


@dataclass(frozen=True)
class _Passage:
    chunk: Chunk
    units: list[Span]


@dataclass(frozen=True)
class _Vectors:
    vector: np.ndarray
    unit_vectors: np.ndarray


T = TypeVar("T")


class _Fetched(Generic[T]):
    """What was fetched from the collection by row (point id): a bounded cache shared by all queries. Passages
    (payloads) and their vectors are fetched apart: every candidate's text is read, vectors only of the few
    passages an answer or highlight is made from (the engine scores the others)."""

    def __init__(self, fetch: Callable[[Sequence[int]], dict[int, T]], size: int = _CACHE_PASSAGES) -> None:
        self._fetch, self._size = fetch, size
        self._items: OrderedDict[int, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, rows: Sequence[int]) -> list[T]:
        with self._lock:
            missing = [r for r in dict.fromkeys(rows) if r not in self._items]
        fetched = self._fetch(missing) if missing else {}
        with self._lock:
            self._items.update(fetched)
            out = []
            for r in rows:
                item = self._items.get(r) or fetched.get(r)
                if item is None:
                    raise KeyError(r)
                self._items.move_to_end(r)
                out.append(item)
            while len(self._items) > max(self._size, len(rows)):
                self._items.popitem(last=False)
        return out

    def one(self, row: int) -> T:
        return self.get([int(row)])[0]


class _Rows:
    def __init__(self, fetched: _Fetched[_Passage], what: str, count: int) -> None:
        self._fetched, self._what, self._count = fetched, what, count

    def __getitem__(self, row: int) -> Any:
        return getattr(self._fetched.one(int(row)), self._what)

    def __len__(self) -> int:
        return self._count


class _RowOf(Mapping[str, int]):
    """Chunk id -> row: computed (the point id), confirmed by fetching the passage."""

    def __init__(self, fetched: _Fetched[_Passage], count: int) -> None:
        self._fetched, self._count = fetched, count

    def __getitem__(self, chunk_id: str) -> int:
        row = point_id(chunk_id)
        if self._fetched.one(row).chunk.id != chunk_id:
            raise KeyError(chunk_id)
        return row

    def __iter__(self) -> Iterator[str]:
        raise TypeError("de passages van een Qdrant-collectie worden niet allemaal opgehaald")

    def __len__(self) -> int:
        return self._count


class _StoredDocument(Document):
    """A document of the collection as its view lists it: the metadata came with the view's records; the
    text and pages are fetched when first read (the context view, an answer's page). So listing, filtering
    and naming documents (the sidebar, region names in questions) fetches nothing, however many there are."""

    def __init__(self, meta: DocMeta, fetch: Callable[[], Document]) -> None:
        self.meta = meta
        self._fetch = fetch

    @property
    def text(self) -> str:  # type: ignore[override]
        return self._fetch().text

    @property
    def pages(self) -> tuple[PageSpan, ...]:  # type: ignore[override]
        return self._fetch().pages

    @property
    def sha256(self) -> str:  # type: ignore[override]
        return self._fetch().sha256


class _Documents(Mapping[str, Document]):
    """The collection's documents: metadata loaded with the view, texts fetched when read (a small cache)."""

    def __init__(self, backend: QdrantBackend, metas: dict[str, dict[str, Any]]) -> None:
        self._backend, self._metas = backend, metas
        self._listed = {
            f: _StoredDocument(DocMeta.from_dict(m["meta"]), partial(self._full, f)) for f, m in metas.items()
        }
        self._cache: OrderedDict[str, Document] = OrderedDict()
        self._lock = threading.Lock()

    def __getitem__(self, file: str) -> Document:
        return self._listed[file]

    def _full(self, file: str) -> Document:
        with self._lock:
            doc = self._cache.get(file)
        if doc is None:
            doc = self._backend._document(file)
            with self._lock:
                self._cache[file] = doc
                while len(self._cache) > 64:
                    self._cache.popitem(last=False)
        return doc

    def __iter__(self) -> Iterator[str]:
        return iter(self._metas)

    def __len__(self) -> int:
        return len(self._metas)


class QdrantView:
    """The PassageView over a collection: rows are point ids; passages are fetched as candidates come."""

    def __init__(self, backend: QdrantBackend, lexicon: Lexicon, metas: dict[str, dict[str, Any]]) -> None:
        self.backend = backend
        self.fetched: _Fetched[_Passage] = _Fetched(backend._retrieve_passages)
        self.vectors: _Fetched[_Vectors] = _Fetched(backend._retrieve_vectors)
        self.lexical = lexicon
        self.vector_sum: np.ndarray | None = None  # the passages' vectors summed (None: a collection without sums)
        self.chunks = _Rows(self.fetched, "chunk", lexicon.n)
        self.units = _Rows(self.fetched, "units", lexicon.n)
        self.row_of = _RowOf(self.fetched, lexicon.n)
        self.documents = _Documents(backend, metas)
        info = backend.collection_info
        self.manifest: dict[str, Any] = {
            "model_id": info.model_id,
            "dim": info.dim,
            "lexical_analysis": info.analysis,
            "vector_index": f"qdrant:{backend.name}",
            "chunks": lexicon.n,
            "documents": len(metas),
            "built_at": max((m.get("indexed_at", "") for m in metas.values()), default=""),
        }

    def unit_vectors(self, row: int) -> np.ndarray:
        return self.vectors.one(int(row)).unit_vectors

    def passage_vector(self, row: int) -> np.ndarray:
        return self.vectors.one(int(row)).vector

    def prefetch(self, rows: Sequence[int]) -> None:
        """Fetch the vectors of `rows` in one request (the hits an answer and highlights are made from)."""
        self.vectors.get([int(r) for r in rows])

    def passages_per_document(self) -> dict[str, int]:
        return {f: int(m.get("passages", 0)) for f, m in self.documents._metas.items()}

    def lowercase_uses(self, words: Set[str]) -> set[str]:
        return self.backend.lowercase_uses(words)


class QdrantBackend:
    """A SearchBackend on a Qdrant collection (a server, or qdrant-client's local mode for tests)."""

    def __init__(self, client: Any, name: str, where: str = "", *, hnsw_ef: int = 1024) -> None:
        self.client, self.name, self.docs_name = client, name, f"{name}-docs"
        self.hnsw_ef = hnsw_ef  # the dense leg's search breadth on a server's HNSW (Settings.hnsw_ef)
        self.where = where or collection_label(name)
        self._view: QdrantView | None = None
        self.collection_info = self._read_info()
        self._splitter = CompoundSplitter.from_dict(self.collection_info.splitter)

    # ---- opening ------------------------------------------------------------------------------

    @classmethod
    def connect(cls, settings: Settings) -> QdrantBackend:
        """The configured collection; a Dutch message when the server, the key or the collection is wrong."""
        client = client_for(settings)
        try:
            return cls(client, settings.qdrant_collection, hnsw_ef=settings.hnsw_ef)
        except BaseException:
            client.close()  # local mode locks its folder until closed: a later attempt must be able to open it
            raise

    @classmethod
    def create(
        cls, client: Any, name: str, info: CollectionInfo, *, shards: int | None = None, replication: int | None = None
    ) -> QdrantBackend:
        """Create both collections with the schema (an existing one is kept: another worker made it)."""
        from qdrant_client import models

        if not _exists(client, name):
            # The embedded index's graph (index.vector: M 32, efConstruction 80), where recall@10 was measured.
            graph = models.HnswConfigDiff(m=HNSW_M, ef_construct=HNSW_EF_CONSTRUCTION)
            dense = models.VectorParams(size=info.dim, distance=models.Distance.DOT, hnsw_config=graph)
            units = models.VectorParams(
                size=info.dim,
                distance=models.Distance.DOT,
                multivector_config=models.MultiVectorConfig(comparator=models.MultiVectorComparator.MAX_SIM),
                hnsw_config=models.HnswConfigDiff(m=0),  # read back per candidate, never searched
            )
            client.create_collection(
                name,
                vectors_config={DENSE: dense, UNITS: units},
                sparse_vectors_config={BM25: models.SparseVectorParams()},
                shard_number=shards,
                replication_factor=replication,
            )
            with warnings.catch_warnings():  # local mode has no payload indexes and says so; a server uses them
                warnings.filterwarnings("ignore", "Payload indexes have no effect")
                for key, kind in (("doc", "KEYWORD"), ("region", "KEYWORD"), ("year", "INTEGER")):
                    client.create_payload_index(name, key, field_schema=getattr(models.PayloadSchemaType, kind))
        if not _exists(client, f"{name}-docs"):
            client.create_collection(f"{name}-docs", vectors_config={})
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Payload indexes have no effect")
                for key in ("kind", LOWERCASE_WORDS):
                    client.create_payload_index(f"{name}-docs", key, field_schema=models.PayloadSchemaType.KEYWORD)
            client.upsert(
                f"{name}-docs", [models.PointStruct(id=INFO_ID, vector={}, payload=info.to_payload())], wait=True
            )
        return cls(client, name)

    def _read_info(self) -> CollectionInfo:
        if not _exists(self.client, self.name) or not _exists(self.client, self.docs_name):
            raise IndexUnavailable(
                f"De {self.where} bestaat niet. Vul hem met `beleidszoeker index` (met BELEIDSZOEKER_QDRANT_URL "
                "gezet), of zet BELEIDSZOEKER_QDRANT_COLLECTION op een bestaande collectie."
            )
        records = self.client.retrieve(self.docs_name, [INFO_ID], with_payload=True)
        if not records:
            raise IndexUnavailable(
                f"De {self.where} mist haar beschrijving (model, tekstanalyse). Maak haar opnieuw met "
                "`beleidszoeker index --opnieuw`."
            )
        info = CollectionInfo.from_payload(records[0].payload)
        if info.schema != SCHEMA_VERSION:
            raise IndexUnavailable(
                f"De {self.where} heeft schemaversie {info.schema}, deze versie gebruikt {SCHEMA_VERSION}. "
                "Maak haar opnieuw met `beleidszoeker index --opnieuw`."
            )
        return info

    # ---- the SearchBackend boundary ------------------------------------------------------------

    @property
    def view(self) -> QdrantView:
        if self._view is None:
            self._view = self._load_view()
        return self._view

    def refresh(self) -> None:
        """Read the collection again (after writes, or to see other writers' changes: a rebuild with
        `--opnieuw` may have changed its analysis, other writers its documents). The new view is read
        before it replaces the old one, so queries running meanwhile keep theirs and none of them waits."""
        self.collection_info = self._read_info()
        self._splitter = CompoundSplitter.from_dict(self.collection_info.splitter)
        self._view = self._load_view()

    def generation(self) -> str:
        """The collection's version: a new value after every upsert or delete by any writer ("" for a
        collection no writer of this version has changed yet). One small read, so readers can poll it."""
        records = self.client.retrieve(self.docs_name, [GENERATION_ID], with_payload=True)
        return str(records[0].payload.get("value", "")) if records else ""

    def info(self) -> BackendInfo:
        v, i = self.view, self.collection_info
        return BackendInfo(
            "qdrant", i.model_id, i.dim, i.analysis, v.lexical.n, len(v.documents), v.manifest["built_at"], self.where
        )

    def candidates(
        self, vector: np.ndarray, words: str, filters: Filters, n: int, *, trace: Trace | None = None
    ) -> Found:
        from qdrant_client import models

        view = self.view
        flt = _filter(filters)
        lexicon = view.lexical
        indices, values = query_sparse(lexicon.field_query_terms(words), self.collection_info.bm25, lexicon.field_idf)
        q = np.asarray(vector, dtype=np.float32)
        breadth = models.SearchParams(hnsw_ef=max(self.hnsw_ef, n))
        requests = [models.QueryRequest(query=q.tolist(), using=DENSE, filter=flt, limit=n, params=breadth)]
        if indices:
            sparse = models.SparseVector(indices=indices, values=values)
            requests.append(models.QueryRequest(query=sparse, using=BM25, filter=flt, limit=n))
        with step(trace, "Qdrant"):
            answers = self.client.query_batch_points(self.name, requests)
        dense = {int(p.id): float(p.score) for p in answers[0].points}
        lexical = {int(p.id): float(p.score) for p in answers[1].points if p.score > 0} if indices else {}
        rows = sorted(set(dense) | set(lexical))
        if not rows:
            return Found(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32), np.empty(0, dtype=np.float32))
        # Every candidate scored by both legs and by its best answer unit, in the engine, restricted to the
        # candidates: a passage found by wording gets its cosine, one found by meaning its (smaller) BM25
        # score, each its best sentence's cosine (max over the units multivector), and no vector leaves it.
        def among(ids: list[int]) -> Any:
            return models.Filter(must=[models.HasIdCondition(has_id=list[models.ExtendedPointId](ids))])

        exact = models.SearchParams(exact=True)
        lexical_only = [r for r in rows if r not in dense]
        dense_only = [r for r in rows if r not in lexical]
        scoring = [models.QueryRequest(query=[q.tolist()], using=UNITS, filter=among(rows), limit=len(rows),
                                       params=exact)]
        if lexical_only:
            scoring.append(models.QueryRequest(query=q.tolist(), using=DENSE, filter=among(lexical_only),
                                               limit=len(lexical_only), params=exact))
        if indices and dense_only:
            scoring.append(models.QueryRequest(query=sparse, using=BM25, filter=among(dense_only),
                                               limit=len(dense_only)))
        with step(trace, "Qdrant"):
            scored = self.client.query_batch_points(self.name, scoring)
        unit_best = {int(p.id): float(p.score) for p in scored[0].points}
        if lexical_only:
            dense.update({int(p.id): float(p.score) for p in scored[1].points})
        if indices and dense_only:
            lexical.update({int(p.id): float(p.score) for p in scored[-1].points if p.score > 0})
        with step(trace, "Qdrant passages"):
            view.fetched.get(rows)  # fusion reads every candidate's text: one request
        return Found(
            np.array(rows, dtype=np.int64),
            np.array([dense[r] for r in rows], dtype=np.float32),
            np.array([lexical.get(r, 0.0) for r in rows], dtype=np.float32),
            np.array([unit_best.get(r, -1.0) for r in rows], dtype=np.float32),
        )

    def similar(self, chunk_id: str, k: int, *, other_docs_only: bool) -> list[Hit]:
        from qdrant_client import models

        from index.errors import QueryError

        view = self.view
        try:
            row = view.row_of[chunk_id]
        except KeyError:
            raise QueryError(f"Onbekende passage-id {chunk_id!r}.") from None
        source, vector = view.fetched.one(row), view.passage_vector(row)
        flt = None
        if other_docs_only:
            same_doc = models.FieldCondition(key="doc", match=models.MatchValue(value=source.chunk.doc))
            flt = models.Filter(must_not=[same_doc])
        found = self.client.query_points(self.name, query=vector.tolist(), using=DENSE, query_filter=flt, limit=k + 1)
        rows = [int(p.id) for p in found.points]
        passages, vectors = view.fetched.get(rows), view.vectors.get(rows)  # the marks read their unit vectors
        hits = [
            Hit(p.chunk, float(s), dense_score=float(s), breakdown={"dense": float(s)})
            for p, s in zip(passages, (float(v.vector @ vector) for v in vectors), strict=True)
        ]
        hits.sort(key=lambda h: -h.score)
        return [h for h in hits if h.chunk.id != chunk_id][:k]

    def upsert(self, document: Document, passages: Sequence[PassageRecord]) -> None:
        """Replace a document's passages and record (passages first: a reader counts by the record), then
        give the collection a new generation. A write cut off half-way leaves a record without a content key."""
        from qdrant_client import models

        from index.build import lexical_text

        info, file = self.collection_info, document.meta.file
        for p in passages:
            if p.chunk.doc != file:
                raise ValueError(f"passage {p.chunk.id} hoort bij {p.chunk.doc}, niet bij {file}")
            if p.vector.shape != (info.dim,):
                raise ValueError(f"vector van {p.chunk.id} heeft vorm {p.vector.shape}, de collectie {info.dim}")
        self._mark_incomplete(file, document.meta)
        self._delete_passages(file)
        df: dict[str, Counter[str]] = {}
        points = []
        for p in passages:
            text = lexical_text(p.chunk)
            indices, values = passage_sparse(text, info, self._splitter)
            for name, terms in passage_field_terms(text, info, self._splitter).items():
                df.setdefault(name, Counter()).update(terms)
            vectors: dict[str, Any] = {
                DENSE: np.asarray(p.vector, dtype=np.float32).tolist(),
                BM25: models.SparseVector(indices=indices, values=values),
            }
            if len(p.units):
                vectors[UNITS] = np.asarray(p.unit_vectors, dtype=np.float32).reshape(len(p.units), info.dim).tolist()
            points.append(models.PointStruct(id=point_id(p.chunk.id), vector=vectors, payload=_passage_payload(p)))
        for i in range(0, len(points), _FETCH_BATCH):
            self.client.upsert(self.name, points[i : i + _FETCH_BATCH], wait=True)
        record = self._record(document, passages, df)
        doc_point = models.PointStruct(id=point_id(file), vector={}, payload=record)
        self.client.upsert(self.docs_name, [doc_point], wait=True)
        self._changed()

    @staticmethod
    def _record(
        document: Document, passages: Sequence[PassageRecord], df: Mapping[str, Counter[str]]
    ) -> dict[str, Any]:
        return {
            "kind": "document",
            "file": document.meta.file,
            "meta": document.meta.to_dict(),
            "document": document.to_dict(),
            "passages": len(passages),
            "df": {name: dict(counts) for name, counts in df.items()},
            # Summed over documents, the corpus mean vector that compare centres its cosines on.
            "vector_sum": np.sum([np.asarray(p.vector, dtype=np.float64) for p in passages], axis=0).tolist()
            if passages
            else [],
            "key": document_key(document, passages),
            "indexed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            # Indexed, never read back whole: which region names are common words too (`lowercase_uses`).
            LOWERCASE_WORDS: sorted(lowercase_words(document.text)),
        }

    def delete(self, doc: str) -> None:
        """Remove a document's passages and record (also passages a half-written upsert left), then give the
        collection a new generation."""
        from qdrant_client import models

        self._mark_incomplete(doc)
        self._delete_passages(doc)
        self.client.delete(self.docs_name, points_selector=models.PointIdsList(points=[point_id(doc)]), wait=True)
        self._changed()

    def lowercase_uses(self, words: Set[str]) -> set[str]:
        """Which of `words` some document writes in lower case: one exact count per word on the documents'
        indexed word lists, so no document text is read (the embedded view scans its texts instead)."""
        from qdrant_client import models

        found = set()
        for word in sorted(words):
            flt = models.Filter(must=[models.FieldCondition(key=LOWERCASE_WORDS, match=models.MatchValue(value=word))])
            if self.client.count(self.docs_name, count_filter=flt, exact=True).count:
                found.add(word)
        return found

    def document_keys(self) -> dict[str, str]:
        """Each stored document's content key (what `upsert` recorded), to skip unchanged documents."""
        return {p["file"]: p.get("key", "") for p in self._document_records(["file", "key"])}

    def stored(self, file: str) -> tuple[Document, list[PassageRecord]] | None:
        """A document as the collection holds it, with its passages' vectors (None: not there): what
        an admin change reads first, to write it back when the change fails half-way."""
        from qdrant_client import models

        try:
            document = self._document(file)
        except KeyError:
            return None
        dim, passages = self.collection_info.dim, []
        flt = models.Filter(must=[models.FieldCondition(key="doc", match=models.MatchValue(value=file))])
        offset = None
        while True:
            points, offset = self.client.scroll(
                self.name, scroll_filter=flt, limit=_FETCH_BATCH, offset=offset, with_payload=True,
                with_vectors=[DENSE, UNITS],
            )
            for p in points:
                passage, vectors = _passage_of(p.payload), _vectors_of(p.vector, dim)
                passages.append(PassageRecord(passage.chunk, vectors.vector, passage.units, vectors.unit_vectors))
            if offset is None:
                break
        passages.sort(key=lambda r: (r.chunk.start, r.chunk.end, r.chunk.id))
        return document, passages

    # ---- writing ------------------------------------------------------------------------------

    def _mark_incomplete(self, file: str, meta: DocMeta | None = None) -> None:
        """Before a document's passages change, its record stops claiming the old content key, so a write that
        fails half-way never looks unchanged to `beleidszoeker index`, which then writes it again. A document
        not yet in the collection (`meta` given) gets a record without text or passages, so `index` also
        deletes half-written passages of a document that is gone from the corpus."""
        from qdrant_client import models

        pid = point_id(file)
        if self.client.retrieve(self.docs_name, [pid], with_payload=False):
            self.client.set_payload(self.docs_name, {"key": ""}, points=[pid], wait=True)
        elif meta is not None:
            record = {**self._record(Document(meta, ""), [], {}), "key": ""}
            self.client.upsert(self.docs_name, [models.PointStruct(id=pid, vector={}, payload=record)], wait=True)

    def _changed(self) -> None:
        """A new generation (time and chance: unique across writers) tells readers to reload."""
        from qdrant_client import models

        value = f"{time.time_ns()}-{secrets.token_hex(4)}"
        point = models.PointStruct(id=GENERATION_ID, vector={}, payload={"kind": "generation", "value": value})
        self.client.upsert(self.docs_name, [point], wait=True)
        self._view = None

    # ---- reading ------------------------------------------------------------------------------

    def _delete_passages(self, doc: str) -> None:
        from qdrant_client import models

        flt = models.Filter(must=[models.FieldCondition(key="doc", match=models.MatchValue(value=doc))])
        self.client.delete(self.name, points_selector=models.FilterSelector(filter=flt), wait=True)

    def _document_records(self, fields: list[str]) -> Iterator[dict[str, Any]]:
        from qdrant_client import models

        only_docs = models.Filter(must=[models.FieldCondition(key="kind", match=models.MatchValue(value="document"))])
        offset = None
        while True:
            records, offset = self.client.scroll(
                self.docs_name, scroll_filter=only_docs, limit=256, offset=offset,
                with_payload=models.PayloadSelectorInclude(include=fields), with_vectors=False,
            )
            for r in records:
                yield r.payload
            if offset is None:
                return

    def _load_view(self) -> QdrantView:
        df: dict[str, Counter[str]] = {}
        metas: dict[str, dict[str, Any]] = {}
        n = 0
        vector_sum = np.zeros(self.collection_info.dim, dtype=np.float64)
        complete_sums = True
        for p in self._document_records(["file", "meta", "passages", "df", "indexed_at", "vector_sum"]):
            for name, counts in p.get("df", {}).items():
                df.setdefault(name, Counter()).update(counts)
            if p.get("vector_sum"):
                vector_sum += np.asarray(p["vector_sum"], dtype=np.float64)
            elif int(p.get("passages", 0)):
                complete_sums = False
            n += int(p.get("passages", 0))
            metas[p["file"]] = {"meta": p["meta"], "passages": p.get("passages", 0), "indexed_at": p.get("indexed_at")}
        lexicon = Lexicon(self._splitter, {name: dict(c) for name, c in df.items()}, n, self.collection_info.bm25)
        view = QdrantView(self, lexicon, dict(sorted(metas.items())))
        view.vector_sum = vector_sum if complete_sums and n else None
        return view

    def _document(self, file: str) -> Document:
        records = self.client.retrieve(self.docs_name, [point_id(file)], with_payload=["document"])
        if not records:
            raise KeyError(file)
        return Document.from_dict(records[0].payload["document"])

    def _retrieve_passages(self, rows: Sequence[int]) -> dict[int, _Passage]:
        out: dict[int, _Passage] = {}
        for i in range(0, len(rows), _FETCH_BATCH):
            batch = [int(r) for r in rows[i : i + _FETCH_BATCH]]
            for r in self.client.retrieve(self.name, batch, with_payload=True, with_vectors=False):
                out[int(r.id)] = _passage_of(r.payload)
        return out

    def _retrieve_vectors(self, rows: Sequence[int]) -> dict[int, _Vectors]:
        out: dict[int, _Vectors] = {}
        dim = self.collection_info.dim
        for i in range(0, len(rows), _FETCH_BATCH):
            batch = [int(r) for r in rows[i : i + _FETCH_BATCH]]
            for r in self.client.retrieve(self.name, batch, with_payload=False, with_vectors=[DENSE, UNITS]):
                out[int(r.id)] = _vectors_of(r.vector, dim)
        return out


def document_key(document: Document, passages: Sequence[PassageRecord]) -> str:
    """Changes when the document's text, metadata or passages change: an unchanged one is not rewritten."""
    h = hashlib.sha256(document.sha256.encode())
    h.update(repr(sorted(document.meta.to_dict().items())).encode())
    for p in passages:
        h.update(p.chunk.id.encode())
    return h.hexdigest()[:20]


def _passage_payload(p: PassageRecord) -> dict[str, Any]:
    c = p.chunk
    return {"doc": c.doc, "region": c.region, "year": c.year, "chunk": c.to_dict(), "units": [list(u) for u in p.units]}


def _filter(filters: Filters) -> Any:
    from qdrant_client import models

    if filters.empty:
        return None
    must: list[models.Condition] = []
    if filters.regions:
        must.append(models.FieldCondition(key="region", match=models.MatchAny(any=list(filters.regions))))
    if filters.docs:
        must.append(models.FieldCondition(key="doc", match=models.MatchAny(any=list(filters.docs))))
    if filters.years:
        must.append(models.FieldCondition(key="year", match=models.MatchAny(any=list(filters.years))))
    return models.Filter(must=must)


def _exists(client: Any, name: str) -> bool:
    return bool(client.collection_exists(name))


def _passage_of(payload: Mapping[str, Any]) -> _Passage:
    """A passage point's payload: its chunk and answer units."""
    return _Passage(Chunk.from_dict(payload["chunk"]), [(int(s), int(e)) for s, e in payload.get("units", [])])


def _vectors_of(vector: Any, dim: int) -> _Vectors:
    """A passage point's named vectors: the dense one and its answer units' (none: an empty matrix)."""
    named = vector or {}
    units = named.get(UNITS)
    return _Vectors(
        np.asarray(named[DENSE], dtype=np.float32),
        np.asarray(units, dtype=np.float32).reshape(-1, dim) if units else np.empty((0, dim), np.float32),
    )


def collection_label(name: str) -> str:
    """How messages name a collection."""
    return f"Qdrant-collectie {name!r}"


def client_for(settings: Settings) -> Any:
    """A qdrant-client for BELEIDSZOEKER_QDRANT_URL: "http(s)://host:port" (with the API key), "local:PATH"
    (local mode on disk) or ":memory:"; checked with one request so a wrong setting is said at once."""
    from qdrant_client import QdrantClient

    url = settings.qdrant_url
    if url == ":memory:":
        return QdrantClient(location=":memory:")
    if url.startswith("local:"):
        return QdrantClient(path=url.removeprefix("local:"))
    # Our own first request below says what is wrong, in Dutch; the client's version check would only warn.
    client = QdrantClient(url=url, api_key=settings.qdrant_api_key or None, timeout=10, check_compatibility=False)
    try:
        client.get_collections()
    except Exception as err:  # the client raises per transport; all mean: no usable server
        raise IndexUnavailable(connection_message(url, err)) from err
    return client


def connection_message(url: str, err: Exception) -> str:
    status = getattr(err, "status_code", None)
    if status in (401, 403):
        return (
            f"De Qdrant-server {url} weigert de API-sleutel (HTTP {status}). Zet BELEIDSZOEKER_QDRANT_API_KEY "
            "op een geldige sleutel voor deze server."
        )
    return (
        f"De Qdrant-server {url} is niet bereikbaar ({type(err).__name__}: {err}). Controleer "
        "BELEIDSZOEKER_QDRANT_URL (bijvoorbeeld http://localhost:6333) en of de server draait; zonder die "
        "variabele zoekt Beleidszoeker in de lokale index."
    )
