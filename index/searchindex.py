"""The built index, loaded read-only: what the retriever searches and the app displays."""

from __future__ import annotations

import json
from collections.abc import Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from beleidszoeker.jsonl import read_jsonl
from beleidszoeker.records import Chunk, Document
from index.build import read_manifest
from index.errors import IndexUnavailable
from index.vector import VectorIndex


@dataclass
class SearchIndex:
    manifest: dict[str, Any]
    chunks: list[Chunk]
    documents: dict[str, Document]
    embeddings: np.ndarray
    vectors: VectorIndex
    lexical: Any  # index.lexical.LexicalIndex
    units: list[list[tuple[int, int]]]  # per chunk row: answer-unit spans in the chunk's clean text
    unit_offsets: np.ndarray  # rows of chunk i's units in unit_embeddings: [unit_offsets[i], unit_offsets[i+1])
    unit_embeddings: np.ndarray
    row_of: dict[str, int]

    @classmethod
    def load(cls, index_dir: Path) -> SearchIndex:
        from index.lexical import LexicalIndex

        manifest = read_manifest(index_dir)
        if manifest is None:
            raise IndexUnavailable(
                f"Er is nog geen index in {index_dir}. Bouw hem met `beleidszoeker ingest && beleidszoeker index`."
            )
        chunks = [Chunk.from_dict(d) for d in read_jsonl(index_dir / "chunks.jsonl")]
        documents = {d["meta"]["file"]: Document.from_dict(d) for d in read_jsonl(index_dir / "documents.jsonl")}
        return cls(
            manifest=manifest,
            chunks=chunks,
            documents=documents,
            embeddings=np.load(index_dir / "embeddings.npy", mmap_mode="r"),
            vectors=VectorIndex.load(index_dir / "vectors.faiss", manifest["vector_index"]),
            lexical=LexicalIndex.load(index_dir / "lexical"),
            units=[[(s, e) for s, e in spans] for spans in json.loads((index_dir / "units.json").read_text())],
            unit_offsets=np.load(index_dir / "unit_offsets.npy"),
            unit_embeddings=np.load(index_dir / "unit_embeddings.npy", mmap_mode="r"),
            row_of={c.id: i for i, c in enumerate(chunks)},
        )

    def unit_vectors(self, row: int) -> np.ndarray:
        """The answer units' vectors of passage `row`, (units, dim) float32."""
        lo, hi = self.unit_offsets[row], self.unit_offsets[row + 1]
        return np.asarray(self.unit_embeddings[lo:hi], dtype=np.float32)

    def passage_vector(self, row: int) -> np.ndarray:
        return np.asarray(self.embeddings[row], dtype=np.float32)

    def prefetch(self, rows: Sequence[int]) -> None:
        """Nothing to do: every vector is in memory."""

    def lowercase_uses(self, words: Set[str]) -> set[str]:
        """Which of `words` a document writes in lower case (region names that are common words too)."""
        from index.search.mentions import lowercase_uses

        return lowercase_uses((d.text for d in self.documents.values()), words)

    def passages_per_document(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.chunks:
            counts[c.doc] = counts.get(c.doc, 0) + 1
        return counts

    def mask(self, *, regions: tuple[str, ...] = (), docs: tuple[str, ...] = (), years: tuple[int, ...] = ()) -> (
        np.ndarray | None
    ):
        """Boolean row mask for the filters, or None when nothing is filtered."""
        if not (regions or docs or years):
            return None
        return np.array(
            [
                (not regions or c.region in regions) and (not docs or c.doc in docs) and (not years or c.year in years)
                for c in self.chunks
            ],
            dtype=bool,
        )
