"""Test seams for the query side: a deterministic fake embedder and a small in-memory index built
from hand-written passages, so fusion, answer choice and confidence run in milliseconds."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

from beleidszoeker.records import Chunk, DocMeta, Document, chunk_id
from index.analysis import analyze
from index.answer import answer_units
from index.lexical import LexicalIndex
from index.searchindex import SearchIndex
from index.vector import VectorIndex

DIM = 256
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class FakeEmbedder:
    """Bag of stemmed words hashed into DIM dimensions, normalised: texts sharing words are similar,
    the same text always gives the same vector (the Embedder protocol)."""

    model_id = "fake:bag-of-words"

    def embed_query(self, text: str) -> np.ndarray:
        return embed(text)


def embed(text: str) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[0] = 0.05  # no text is orthogonal to every other
    for t in analyze(text, split_compounds=False):
        v[1 + zlib.crc32(t.term.encode()) % (DIM - 1)] += 1.0
    return (v / np.linalg.norm(v)).astype(np.float32)


def split_sentences(line: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in _SENTENCE_END.finditer(line):
        spans.append((pos, m.start()))
        pos = m.end()
    return [*spans, (pos, len(line))]


@dataclass(frozen=True)
class Passage:
    doc: str  # file name; one document per region
    region: str
    text: str
    section: str = "Inleiding"


def memory_index(passages: list[Passage]) -> SearchIndex:
    """A SearchIndex over `passages`, as build_index would make it, with the fake embedder's vectors."""
    docs: dict[str, Document] = {}
    chunks: list[Chunk] = []
    for p in passages:
        doc = docs.get(p.doc)
        start = len(doc.text) + 2 if doc else 0
        text = (doc.text + "\n\n" if doc else "") + p.text
        meta = DocMeta(p.doc, f"Beleidsplan {p.region}", p.region, year=2024)
        docs[p.doc] = Document(meta, text)
        end = start + len(p.text)
        chunks.append(
            Chunk(
                chunk_id(p.doc, start, end, p.text),
                p.doc,
                meta.title,
                p.region,
                2024,
                p.section,
                None,
                None,
                start,
                end,
                p.text,
                p.text,
            )
        )
    units = [answer_units(c.text, split_sentences) for c in chunks]
    unit_texts = [c.text[s:e] for c, spans in zip(chunks, units, strict=True) for s, e in spans]
    embeddings = np.stack([embed(c.text) for c in chunks])
    return SearchIndex(
        manifest={"model_id": FakeEmbedder.model_id},
        chunks=chunks,
        documents=docs,
        embeddings=embeddings,
        vectors=VectorIndex.build(embeddings),
        lexical=LexicalIndex.build([c.id for c in chunks], [c.text for c in chunks]),
        units=units,
        unit_offsets=np.cumsum([0] + [len(u) for u in units]),
        unit_embeddings=np.stack([embed(t) for t in unit_texts]),
        row_of={c.id: i for i, c in enumerate(chunks)},
    )
