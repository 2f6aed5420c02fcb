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
from index.answer import answer_units
from index.errors import IndexUnavailable
from index.lexical import ANALYSIS_ID as LEXICAL_ANALYSIS
from index.vector import VectorIndex, choose_kind
from ingest.store import ChunkStore, load_store

INDEX_VERSION = 1
LEGACY_EMBEDDER = "sentence-transformers-fp32"


@dataclass
class BuildReport:
    chunks: int
    embedded: int
    units_embedded: int
    reused: int
    kind: str
    seconds: float
    changed: bool

    def summary(self) -> str:
        if not self.changed:
            return f"Index is actueel ({self.chunks} passages); niets te doen ({self.seconds:.1f} s)."
        return (
            f"Index gebouwd: {self.chunks} passages ({self.embedded} nieuw ingebed, {self.reused} hergebruikt; "
            f"{self.units_embedded} zinnen ingebed), vectorindex {self.kind}; {self.seconds:.1f} s"
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
        and old_manifest.get("lexical_analysis") == LEXICAL_ANALYSIS
    ):
        return BuildReport(len(chunks), 0, 0, len(chunks), old_manifest["vector_index"], _since(started), False)

    from ingest.chunk import split_sentences

    keys = [embed_key(embedder.model_id, c.embed_text) for c in chunks]
    cached = _load_cached_vectors(settings.index_dir, embedder.model_id)
    units = [answer_units(c.text, split_sentences) for c in chunks]
    unit_texts = [c.text[s:e] for c, spans in zip(chunks, units, strict=True) for s, e in spans]
    unit_keys = [embed_key(embedder.model_id, "unit:" + t) for t in unit_texts]
    vectors, n_new = _embed_cached(embedder, [c.embed_text for c in chunks], keys, cached, progress, "passages")
    unit_vectors, n_new_units = _embed_cached(embedder, unit_texts, unit_keys, cached, progress, "zinnen")
    n_reused = len(chunks) - n_new + len(unit_texts) - n_new_units
    embedders = embedders_of(old_manifest if n_reused else None, _backend(embedder) if n_new + n_new_units else None)
    unit_offsets = np.cumsum([0] + [len(u) for u in units])
    kind = choose_kind(len(chunks), settings.ann_threshold)
    vindex = VectorIndex.build(vectors, kind, ef_search=settings.hnsw_ef)
    lexical = LexicalIndex.build([c.id for c in chunks], [lexical_text(c) for c in chunks])

    with atomic_directory(settings.index_dir) as tmp:
        np.save(tmp / "embeddings.npy", vectors)
        np.save(tmp / "unit_embeddings.npy", unit_vectors)
        np.save(tmp / "unit_offsets.npy", unit_offsets)
        (tmp / "units.json").write_text(json.dumps(units))
        (tmp / "embed_keys.json").write_text(json.dumps({"passages": keys, "units": unit_keys}))
        vindex.save(tmp / "vectors.faiss")
        lexical.save(tmp / "lexical")
        write_jsonl(tmp / "chunks.jsonl", (c.to_dict() for c in chunks))
        write_jsonl(tmp / "documents.jsonl", (store.documents[f].to_dict() for f in sorted(store.documents)))
        manifest = {
            "version": INDEX_VERSION,
            "model_id": embedder.model_id,
            "embedders": embedders,
            "dim": embedder.dim,
            "query_prompt": embedder.query_prompt,
            "passage_prompt": embedder.passage_prompt,
            "corpus_fingerprint": fingerprint,
            "lexical_analysis": LEXICAL_ANALYSIS,
            "vector_index": kind,
            "chunks": len(chunks),
            "documents": len(store.documents),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return BuildReport(len(chunks), n_new, n_new_units, len(chunks) - n_new, kind, _since(started), True)


def embedders_of(old_manifest: dict[str, Any] | None, new: str | None) -> list[str]:
    """The backends whose vectors an index holds: those of the reused rows' index plus the one that
    embedded the new rows. Indexes from before this field were built by sentence-transformers fp32."""
    reused = (old_manifest or {}).get("embedders", [LEGACY_EMBEDDER]) if old_manifest else []
    return sorted({*reused, *([new] if new else [])})


def _backend(embedder: Any) -> str:
    """A fake embedder in a unit test need not say; the real one does."""
    return str(getattr(embedder, "backend", type(embedder).__name__))


def lexical_text(chunk: Chunk) -> str:
    """What BM25 indexes: the passage with its section path, so headings' words count too."""
    return f"{chunk.section}\n{chunk.text}"


def _load_cached_vectors(index_dir: Path, model_id: str) -> dict[str, np.ndarray]:
    """Vectors of the previous index by text key, so unchanged passages are not embedded again."""
    manifest = read_manifest(index_dir)
    if manifest is None or manifest.get("model_id") != model_id:
        return {}
    try:
        keys = json.loads((index_dir / "embed_keys.json").read_text())
        cached = dict(zip(keys["passages"], np.load(index_dir / "embeddings.npy"), strict=True))
        cached.update(zip(keys["units"], np.load(index_dir / "unit_embeddings.npy"), strict=True))
    except (OSError, ValueError, KeyError):
        return {}
    return cached


def _embed_cached(
    embedder: Any, texts: list[str], keys: list[str], cached: dict[str, np.ndarray], progress: bool, what: str
) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, embedding only those whose key is not cached; returns (vectors, number embedded)."""
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    todo = []
    for i, k in enumerate(keys):
        if k in cached:
            vectors[i] = cached[k]
        else:
            todo.append(i)
    if todo:
        if progress:
            print(f"{len(todo)} {what} inbedden...", flush=True)
        vectors[todo] = embedder.embed_passages([texts[i] for i in todo], show_progress=progress)
    return vectors, len(todo)



def _since(t0: float) -> float:
    return time.perf_counter() - t0
