"""Dense vector search over L2-normalised embeddings (inner product = cosine).

Exact `IndexFlatIP` by default; an HNSW graph above `ann_threshold` vectors, where exact
search stops being cheap. The kind used is recorded so a loaded index reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FLAT = "flat"
HNSW = "hnsw"
# The HNSW graph's links per node and build breadth; a Qdrant collection is created with the same graph.
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80


def choose_kind(n_vectors: int, ann_threshold: int) -> str:
    return HNSW if n_vectors >= ann_threshold else FLAT


def _faiss() -> Any:
    import faiss

    return faiss


@dataclass
class VectorIndex:
    index: Any
    kind: str

    @classmethod
    def build(
        cls, vectors: np.ndarray, kind: str = FLAT, *, hnsw_m: int = HNSW_M, ef_search: int = 256
    ) -> VectorIndex:
        faiss = _faiss()
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if kind == HNSW:
            index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = ef_search
        elif kind == FLAT:
            index = faiss.IndexFlatIP(dim)
        else:
            raise ValueError(f"onbekend indextype {kind!r}; kies {FLAT!r} of {HNSW!r}")
        if len(vectors):
            index.add(vectors)
        return cls(index, kind)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def search(
        self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows and cosine scores for one query vector; `allowed` restricts rows (filters)."""
        faiss = _faiss()
        k = min(k, self.size)
        if k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            rows = np.flatnonzero(allowed).astype(np.int64)
            if len(rows) == 0:
                return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
            selector = faiss.IDSelectorBatch(rows)
            params = (
                faiss.SearchParametersHNSW(sel=selector, efSearch=self.index.hnsw.efSearch)
                if self.kind == HNSW
                else faiss.SearchParameters(sel=selector)
            )
        scores, ids = self.index.search(q, k, params=params)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def save(self, path: Path) -> None:
        _faiss().write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, kind: str) -> VectorIndex:
        return cls(_faiss().read_index(str(path)), kind)
