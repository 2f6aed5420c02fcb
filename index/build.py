"""Build the search index from the chunk store: FAISS vectors + Dutch BM25, incrementally.

Layout of the index directory (replaced atomically as a whole):
    manifest.json     model id, dimension, prompts, corpus fingerprint, vector index kind, counts
    chunks.jsonl      the chunks, one per row of the vector index
    documents.jsonl   the documents' text and metadata (for showing passages in context)
    embeddings.npy    float32 passage vectors, row-aligned (the cache for incremental rebuilds)
    embed_keys.json   a hash of each row's embedded text: unchanged text is never embedded twice
    vectors.faiss     the FAISS index
    lexical/          the BM25 index
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from beleidszoeker.atomic import atomic_directory, recover
from beleidszoeker.config import Settings
from beleidszoeker.jsonl import write_jsonl
from beleidszoeker.records import Chunk
from index.vector import VectorIndex, choose_kind
from ingest.store import ChunkStore, load_store

INDEX_VERSION = 1


class IndexUnavailable(Exception):
    """The index is missing or does not fit the configuration; str(err) says what to run."""


@dataclass
class BuildReport:
    chunks: int
    embedded: int
    reused: int
    removed: int
    kind: str
    seconds: float
    changed: bool

    def summary(self) -> str:
        if not self.changed:
            return f"Index is actueel ({self.chunks} passages); niets te doen ({self.seconds:.1f} s)."
        return (
            f"Index gebouwd: {self.chunks} passages ({self.embedded} nieuw ingebed, {self.reused} hergebruikt, "
            f"{self.removed} vervallen), vectorindex {self.kind}; {self.seconds:.1f} s"
        )


def embed_key(model_id: str, text: str) -> str:
    return hashlib.sha1(f"{model_id}\0{text}".encode()).hexdigest()[:20]


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    recover(index_dir)
    path = index_dir / "manifest.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def build_index(
    settings: Settings, *, store: ChunkStore | None = None, embedder: Any = None, progress: bool = True
) -> BuildReport:
    """Bring the index in line with the chunk store, embedding only new or changed passages."""
    from index.embedding import Embedder
    from index.lexical import LexicalIndex

    started = time.perf_counter()
    store = store if store is not None else load_store(settings.store_dir)
    chunks = store.all_chunks()
    if not chunks:
        raise IndexUnavailable("De chunk-store is leeg. Voer eerst `beleidszoeker ingest` uit.")
    embedder = embedder or Embedder(settings)
    fingerprint = store.fingerprint()
    old_manifest = read_manifest(settings.index_dir)
    if (
        old_manifest is not None
        and old_manifest.get("version") == INDEX_VERSION
        and old_manifest.get("corpus_fingerprint") == fingerprint
        and old_manifest.get("model_id") == embedder.model_id
    ):
        return BuildReport(len(chunks), 0, len(chunks), 0, old_manifest["vector_index"], _since(started), False)

    keys = [embed_key(embedder.model_id, c.embed_text) for c in chunks]
    cached = _load_cached_vectors(settings.index_dir, embedder.model_id)
    todo = [i for i, k in enumerate(keys) if k not in cached]
    vectors = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    for i, k in enumerate(keys):
        if k in cached:
            vectors[i] = cached[k]
    if todo:
        fresh = embedder.embed_passages([chunks[i].embed_text for i in todo], show_progress=progress)
        vectors[todo] = fresh
    kind = choose_kind(len(chunks), settings.ann_threshold)
    vindex = VectorIndex.build(vectors, kind)
    lexical = LexicalIndex.build([c.id for c in chunks], [lexical_text(c) for c in chunks])

    with atomic_directory(settings.index_dir) as tmp:
        np.save(tmp / "embeddings.npy", vectors)
        (tmp / "embed_keys.json").write_text(json.dumps(keys))
        vindex.save(tmp / "vectors.faiss")
        lexical.save(tmp / "lexical")
        write_jsonl(tmp / "chunks.jsonl", (c.to_dict() for c in chunks))
        write_jsonl(tmp / "documents.jsonl", (store.documents[f].to_dict() for f in sorted(store.documents)))
        manifest = {
            "version": INDEX_VERSION,
            "model_id": embedder.model_id,
            "dim": embedder.dim,
            "query_prompt": embedder.query_prompt,
            "passage_prompt": embedder.passage_prompt,
            "corpus_fingerprint": fingerprint,
            "vector_index": kind,
            "chunks": len(chunks),
            "documents": len(store.documents),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    removed = len(cached) - (len(chunks) - len(todo))
    return BuildReport(len(chunks), len(todo), len(chunks) - len(todo), max(0, removed), kind, _since(started), True)


def lexical_text(chunk: Chunk) -> str:
    """What BM25 indexes: the passage with its section path, so headings' words count too."""
    return f"{chunk.section}\n{chunk.text}"


def _load_cached_vectors(index_dir: Path, model_id: str) -> dict[str, np.ndarray]:
    manifest = read_manifest(index_dir)
    if manifest is None or manifest.get("model_id") != model_id:
        return {}
    try:
        keys = json.loads((index_dir / "embed_keys.json").read_text())
        vectors = np.load(index_dir / "embeddings.npy")
    except (OSError, ValueError):
        return {}
    return dict(zip(keys, vectors, strict=False))



def _since(t0: float) -> float:
    return time.perf_counter() - t0
