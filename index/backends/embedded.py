"""The embedded backend: the built index under data/index (FAISS by meaning, bm25s by wording), in process.

The default. Its view is the loaded `SearchIndex` itself, so every stage reads exactly what it always read.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from beleidszoeker.records import Document, Hit
from index.backends.base import BackendInfo, Filters, Found, PassageRecord, Trace, step
from index.lexical import top_rows
from index.searchindex import SearchIndex


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, index: SearchIndex, where: str = "") -> None:
        self.where = where
        self._use(index)

    def _use(self, index: SearchIndex) -> None:
        self.index = index
        self._doc = np.array([c.doc for c in index.chunks], dtype=object)
        self._region = np.array([c.region for c in index.chunks], dtype=object)
        self._year = np.array([-1 if c.year is None else c.year for c in index.chunks], dtype=np.int64)
        self._lex_words: str | None = None
        self._lex_scores: np.ndarray | None = None

    @classmethod
    def load(cls, index_dir: Path) -> EmbeddedBackend:
        return cls(SearchIndex.load(index_dir))

    @property
    def view(self) -> SearchIndex:
        return self.index

    def info(self) -> BackendInfo:
        m = self.index.manifest
        return BackendInfo(
            "embedded",
            str(m.get("model_id", "")),
            int(m.get("dim", 0) or 0),
            str(m.get("lexical_analysis", "")),
            len(self.index.chunks),
            len(self.index.documents),
            str(m.get("built_at", "")),
            self.where,
        )

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Boolean row mask for the filters, or None when nothing is filtered (as `SearchIndex.mask`)."""
        if filters.empty:
            return None
        keep = np.ones(len(self._doc), dtype=bool)
        if filters.regions:
            keep &= np.isin(self._region, list(filters.regions))
        if filters.docs:
            keep &= np.isin(self._doc, list(filters.docs))
        if filters.years:
            keep &= np.isin(self._year, list(filters.years))
        return keep

    def lexical_scores(self, words: str) -> np.ndarray:
        """BM25 score of every passage; the last question's are kept, since compare asks once per document."""
        if words != self._lex_words or self._lex_scores is None:
            self._lex_scores = self.index.lexical.scores(words)
            self._lex_words = words
        return self._lex_scores

    def candidates(
        self, vector: np.ndarray, words: str, filters: Filters, n: int, *, trace: Trace | None = None
    ) -> Found:
        index = self.index
        with step(trace, "filters"):
            allowed = self.mask(filters)
        with step(trace, "BM25"):
            lex_scores = self.lexical_scores(words)
        with step(trace, "FAISS"):
            dense_rows, _ = index.vectors.search(vector, n, allowed=allowed)
        lex_rows = [r for r, _ in top_rows(lex_scores, n, allowed=allowed)]
        rows = np.array(sorted(set(dense_rows.tolist()) | set(lex_rows)), dtype=np.int64)
        if len(rows) == 0:
            return Found(rows, np.empty(0, dtype=np.float32), np.empty(0, dtype=np.float32))
        dense = np.asarray(index.embeddings[rows], dtype=np.float32) @ vector
        return Found(rows, dense, lex_scores[rows].astype(np.float32))

    def similar(self, chunk_id: str, k: int, *, other_docs_only: bool) -> list[Hit]:
        from index.search.compare import similar

        return similar(self.index, chunk_id, k, other_docs_only=other_docs_only)

    def upsert(self, document: Document, passages: Sequence[PassageRecord]) -> None:
        """In memory: the loaded index with `document`'s passages replaced (FAISS and BM25 rebuilt with the
        index's own compound splitter). `beleidszoeker index` writes the index on disk (index/build.py)."""
        keep = [r for r, c in enumerate(self.index.chunks) if c.doc != document.meta.file]
        self._replace(keep, document, passages)

    def delete(self, doc: str) -> None:
        """In memory, as `upsert`."""
        keep = [r for r, c in enumerate(self.index.chunks) if c.doc != doc]
        self._replace(keep, None, (), drop=doc)

    def _replace(
        self, keep: list[int], document: Document | None, passages: Sequence[PassageRecord], drop: str = ""
    ) -> None:
        from index.build import lexical_text
        from index.lexical import LexicalIndex
        from index.vector import VectorIndex

        old = self.index
        chunks = [old.chunks[r] for r in keep] + [p.chunk for p in passages]
        units = [old.units[r] for r in keep] + [list(p.units) for p in passages]
        dim = old.embeddings.shape[1]
        kept = np.asarray(old.embeddings[keep], dtype=np.float32)
        vectors = np.vstack([kept, *(p.vector[None, :] for p in passages)]).astype(np.float32)
        unit_blocks = [old.unit_vectors(r) for r in keep] + [p.unit_vectors.reshape(-1, dim) for p in passages]
        unit_vectors = np.vstack([np.empty((0, dim), dtype=np.float32), *unit_blocks]).astype(np.float32)
        documents = {f: d for f, d in old.documents.items() if f != drop}
        if document is not None:
            documents[document.meta.file] = document
        lexical = LexicalIndex.build(
            [c.id for c in chunks], [lexical_text(c) for c in chunks], splitter=old.lexical.splitter,
            params=old.lexical.params,
        )
        self._use(
            SearchIndex(
                manifest={**old.manifest, "chunks": len(chunks), "documents": len(documents)},
                chunks=chunks,
                documents=documents,
                embeddings=vectors,
                vectors=VectorIndex.build(vectors, old.vectors.kind),
                lexical=lexical,
                units=units,
                unit_offsets=np.cumsum([0] + [len(u) for u in units]),
                unit_embeddings=unit_vectors,
                row_of={c.id: i for i, c in enumerate(chunks)},
            )
        )
