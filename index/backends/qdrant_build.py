"""`beleidszoeker index` into a Qdrant collection: upsert per document, delete removed documents.

Several workers may index disjoint parts of a corpus into one collection (`--alleen` a subfolder,
`--deel i/n` a shard of the documents); each deletes only removed documents of its own part.
The first writer creates the collection and fixes its analysis (compound splitter, average
field lengths) from its part; later writers use what the collection says.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from beleidszoeker.config import Settings
from beleidszoeker.records import Chunk, Document
from index.analysis import CompoundSplitter
from index.backends.base import PassageRecord, check_compatible
from index.backends.qdrant import (
    CollectionInfo,
    QdrantBackend,
    average_lengths,
    client_for,
    collection_label,
    document_key,
    point_id,
)
from index.errors import IndexUnavailable
from index.lexical import ANALYSIS_ID, BM25Params


@dataclass(frozen=True)
class Part:
    """Which documents one worker indexes: under a folder prefix and/or shard `index` of `count`."""

    only: str = ""
    index: int = 0
    count: int = 1

    def __contains__(self, file: str) -> bool:
        under = not self.only or file == self.only or file.startswith(self.only.rstrip("/") + "/")
        return under and point_id(file) % self.count == self.index

    @classmethod
    def parse(cls, only: str = "", shard: str = "") -> Part:
        """`shard` as "i/n" (0 <= i < n)."""
        if not shard:
            return cls(only)
        try:
            i, n = (int(x) for x in shard.split("/"))
        except ValueError:
            raise ValueError(f"--deel {shard!r}: geef 'i/n', bijvoorbeeld 0/4 voor het eerste van vier delen") from None
        if not 0 <= i < n:
            raise ValueError(f"--deel {shard!r}: i moet tussen 0 en {n - 1} liggen")
        return cls(only, i, n)


@dataclass
class QdrantReport:
    documents: int
    written: int
    unchanged: int
    deleted: int
    passages: int
    embedded: int
    seconds: float
    collection: str

    def summary(self) -> str:
        return (
            f"{collection_label(self.collection)}: {self.written} documenten geschreven ({self.passages} passages, "
            f"{self.embedded} teksten ingebed), {self.unchanged} ongewijzigd, {self.deleted} verwijderd; "
            f"{self.seconds:.1f} s"
        )


def records_for(
    chunks: Sequence[Chunk], units: Sequence[list[tuple[int, int]]], vectors: np.ndarray, unit_vectors: np.ndarray
) -> list[PassageRecord]:
    """PassageRecords from row-aligned chunks, their units, passage vectors and the units' stacked vectors."""
    out, lo = [], 0
    for c, spans, v in zip(chunks, units, vectors, strict=True):
        hi = lo + len(spans)
        out.append(PassageRecord(c, np.asarray(v, dtype=np.float32), list(spans), unit_vectors[lo:hi]))
        lo = hi
    return out


def new_collection_info(
    model_id: str, dim: int, texts: Sequence[str], params: BM25Params | None = None
) -> CollectionInfo:
    """A collection's analysis learned from `texts` (lexical texts), as LexicalIndex.build learns it."""
    params = params or BM25Params()
    splitter = CompoundSplitter.from_corpus(texts)
    return CollectionInfo(
        model_id, dim, ANALYSIS_ID, params, average_lengths(texts, splitter, params), splitter.to_dict(),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def write_documents(backend: QdrantBackend, documents: Iterable[tuple[Document, list[PassageRecord]]]) -> int:
    n = 0
    for document, records in documents:
        backend.upsert(document, records)
        n += 1
    return n


def index_into_qdrant(
    settings: Settings,
    *,
    part: Part | None = None,
    rebuild: bool = False,
    store: Any = None,
    embedder: Any = None,
    progress: bool = True,
) -> QdrantReport:
    """Bring the collection in line with the chunk store (for this worker's part of the documents)."""
    from index.embedding import Embedder
    from ingest.store import load_store

    started = time.perf_counter()
    part = part or Part()
    store = store if store is not None else load_store(settings.store_dir)
    files = [f for f in store.documents if f in part]
    chunks = [c for f in files for c in store.chunks.get(f, [])]
    if not chunks and not rebuild:
        raise IndexUnavailable(
            "De chunk-store heeft geen passages voor dit deel. Voer eerst `beleidszoeker ingest` uit."
        )
    embedder = embedder or Embedder(settings)
    client = client_for(settings)
    try:
        return _sync(client, settings, store, files, chunks, part, rebuild, embedder, progress, started)
    finally:
        client.close()  # local mode locks its folder until closed


def _sync(
    client: Any, settings: Settings, store: Any, files: list[str], chunks: list[Chunk], part: Part, rebuild: bool,
    embedder: Any, progress: bool, started: float,
) -> QdrantReport:
    from index.build import _load_cached_vectors

    name = settings.qdrant_collection
    if rebuild:
        for n in (name, f"{name}-docs"):
            if client.collection_exists(n):
                client.delete_collection(n)
    backend = writable_collection(client, name, chunks, embedder)
    stored = backend.document_keys()
    cached = _load_cached_vectors(settings.index_dir, embedder.model_id)  # a local index's vectors, if any
    written = unchanged = passages = embedded = 0
    for file in files:
        document, doc_chunks = store.documents[file], store.chunks.get(file, [])
        placeholder = [PassageRecord(c, np.empty(0)) for c in doc_chunks]
        if stored.get(file) == document_key(document, placeholder):
            unchanged += 1
            continue
        records, fresh = embed_document(doc_chunks, embedder, cached)
        backend.upsert(document, records)
        written, passages, embedded = written + 1, passages + len(doc_chunks), embedded + fresh
        if progress:
            print(f"  {file}: {len(doc_chunks)} passages", flush=True)
    gone = [f for f in stored if f in part and f not in store.documents]
    for file in gone:
        backend.delete(file)
    return QdrantReport(
        len(files), written, unchanged, len(gone), passages, embedded, time.perf_counter() - started, name
    )


def writable_collection(client: Any, name: str, chunks: Sequence[Chunk], embedder: Any) -> QdrantBackend:
    """The collection to write into, created (its analysis learned from `chunks`) when it does not exist yet;
    refused when it was built with another model or analysis."""
    from index.build import lexical_text

    if not client.collection_exists(name) or not client.collection_exists(f"{name}-docs"):
        if not chunks:
            raise IndexUnavailable("Geen passages om een nieuwe Qdrant-collectie mee te beginnen.")
        info = new_collection_info(embedder.model_id, embedder.dim, [lexical_text(c) for c in chunks])
        backend = QdrantBackend.create(client, name, info)
    else:
        backend = QdrantBackend(client, name)
    check_compatible(backend.info(), embedder.model_id, ANALYSIS_ID)
    return backend


def embed_document(
    chunks: Sequence[Chunk], embedder: Any, cached: dict[str, np.ndarray]
) -> tuple[list[PassageRecord], int]:
    """A document's passages with their answer units and vectors, embedding only texts `cached` lacks;
    returns the records and how many texts were embedded."""
    from index.answer import answer_units
    from index.build import _embed_cached, embed_key
    from ingest.chunk import split_sentences

    units = [answer_units(c.text, split_sentences) for c in chunks]
    unit_texts = [c.text[s:e] for c, spans in zip(chunks, units, strict=True) for s, e in spans]
    keys = [embed_key(embedder.model_id, c.embed_text) for c in chunks]
    unit_keys = [embed_key(embedder.model_id, "unit:" + t) for t in unit_texts]
    vectors, n1 = _embed_cached(embedder, [c.embed_text for c in chunks], keys, cached, False, "passages")
    unit_vectors, n2 = _embed_cached(embedder, unit_texts, unit_keys, cached, False, "zinnen")
    return records_for(chunks, units, vectors, unit_vectors), n1 + n2


def known_vectors(passages: Sequence[PassageRecord], model_id: str) -> dict[str, np.ndarray]:
    """Stored passages' vectors by text key (as `embed_document` looks them up): a document written again
    with new metadata or a few changed passages embeds only what changed."""
    from index.build import embed_key

    out: dict[str, np.ndarray] = {}
    for p in passages:
        out[embed_key(model_id, p.chunk.embed_text)] = p.vector
        for (s, e), v in zip(p.units, p.unit_vectors, strict=True):
            out[embed_key(model_id, "unit:" + p.chunk.text[s:e])] = v
    return out


@dataclass(frozen=True)
class DocumentState:
    """One document as the collection held it before a change (`document` None: it was not there), so a
    change that fails half-way can be undone by writing it back, without embedding anything again."""

    file: str
    document: Document | None
    passages: tuple[PassageRecord, ...] = ()

    @classmethod
    def read(cls, backend: QdrantBackend, file: str) -> DocumentState:
        found = backend.stored(file)
        return cls(file, None) if found is None else cls(file, found[0], tuple(found[1]))

    def restore(self, backend: QdrantBackend) -> None:
        if self.document is None:
            backend.delete(self.file)
        else:
            backend.upsert(self.document, self.passages)


def sync_document(
    backend: QdrantBackend, store: Any, file: str, embedder: Any, cached: dict[str, np.ndarray] | None = None
) -> int:
    """Make the collection hold `file` as the chunk store has it: its passages written (only texts not in
    `cached` embedded), or the document deleted when the store no longer has it. Returns the passages written."""
    if file not in store.documents:
        backend.delete(file)
        return 0
    chunks = store.chunks.get(file, [])
    records, _ = embed_document(chunks, embedder, cached or {})
    backend.upsert(store.documents[file], records)
    return len(records)


def copy_index(index: Any, client: Any, name: str) -> QdrantBackend:
    """A collection holding exactly what a loaded local index holds (same vectors, same splitter and BM25
    parameters): for moving an index onto Qdrant without embedding again, and for the parity tests."""
    from index.build import lexical_text

    lexical = index.lexical
    texts = [lexical_text(c) for c in index.chunks]
    info = CollectionInfo(
        str(index.manifest["model_id"]), int(index.embeddings.shape[1]), ANALYSIS_ID, lexical.params,
        average_lengths(texts, lexical.splitter, lexical.params), lexical.splitter.to_dict(),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    backend = QdrantBackend.create(client, name, info)
    by_doc: dict[str, list[PassageRecord]] = {}
    for row, c in enumerate(index.chunks):
        by_doc.setdefault(c.doc, []).append(
            PassageRecord(c, np.asarray(index.embeddings[row], dtype=np.float32), list(index.units[row]),
                          index.unit_vectors(row))
        )
    write_documents(backend, ((index.documents[f], by_doc.get(f, [])) for f in index.documents))
    return backend
