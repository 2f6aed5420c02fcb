"""Both backends over the shipped corpus, for the contract and conformance tests.

The shipped corpus is ingested for real (seconds: five text files); passages get the fake
embedder's vectors, so these tests need no model. The BM25 index is built as build_index builds it
(`lexical_text`: section path and passage). The slow tests use the real model's index instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from search_fakes import FakeEmbedder, embed

from beleidszoeker.config import Settings
from index.answer import answer_units
from index.backends.base import Filters, Found
from index.build import lexical_text
from index.lexical import LexicalIndex
from index.searchindex import SearchIndex
from index.vector import VectorIndex

ROOT = Path(__file__).resolve().parent.parent
TOL = 1e-4  # float32 rounding of BM25 sums (scores up to ~30) and of dot products


def shipped_store(tmp: Path) -> Settings:
    import shutil

    from ingest.pipeline import run_ingest

    shutil.copytree(ROOT / "corpus", tmp / "corpus")
    settings = Settings(corpus_dir=tmp / "corpus", data_dir=tmp / "data")
    assert not run_ingest(settings, progress=False).skipped
    return settings


def fake_index(settings: Settings) -> SearchIndex:
    """A SearchIndex over the store's chunks as build_index makes it, with the fake embedder's vectors."""
    from ingest.chunk import split_sentences
    from ingest.store import load_store

    store = load_store(settings.store_dir)
    chunks = store.all_chunks()
    units = [answer_units(c.text, split_sentences) for c in chunks]
    unit_texts = [c.text[s:e] for c, spans in zip(chunks, units, strict=True) for s, e in spans]
    embeddings = np.stack([embed(c.embed_text) for c in chunks])
    return SearchIndex(
        manifest={"model_id": FakeEmbedder.model_id, "dim": embeddings.shape[1], "lexical_analysis": "1:dutch"},
        chunks=chunks,
        documents={f: store.documents[f] for f in store.documents},
        embeddings=embeddings,
        vectors=VectorIndex.build(embeddings),
        lexical=LexicalIndex.build([c.id for c in chunks], [lexical_text(c) for c in chunks]),
        units=units,
        unit_offsets=np.cumsum([0] + [len(u) for u in units]),
        unit_embeddings=np.stack([embed(t) for t in unit_texts]),
        row_of={c.id: i for i, c in enumerate(chunks)},
    )


def gold_queries(limit: int | None = None) -> list[str]:
    """The questions of the gold files in the repository (eval/*.jsonl)."""
    out = []
    for path in sorted((ROOT / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["query"])
    return out[:limit]


def by_id(view, found: Found) -> dict[str, tuple[float, float]]:
    return {view.chunks[int(r)].id: (float(d), float(x)) for r, d, x in zip(found.rows, found.dense, found.lexical,
                                                                            strict=True)}


def assert_same_candidates(a: dict[str, tuple[float, float]], b: dict[str, tuple[float, float]], n: int) -> None:
    """Same candidates and scores, tie-aware: a passage only one side has must tie (within TOL) with the
    n-th best of a leg on the side that has it, where the engines may break the tie differently."""
    for cid in a.keys() & b.keys():
        assert a[cid] == pytest.approx(b[cid], abs=TOL), cid
    for side, other in ((a, b), (b, a)):
        for cid in side.keys() - other.keys():
            assert any(_at_boundary(side, cid, leg, n) for leg in (0, 1)), f"{cid} only on one side: {side[cid]}"


def _at_boundary(side: dict[str, tuple[float, float]], cid: str, leg: int, n: int) -> bool:
    scores = sorted((s[leg] for s in side.values()), reverse=True)
    return len(scores) >= n and abs(side[cid][leg] - scores[n - 1]) <= TOL


FILTERS = [
    Filters(),
    Filters(regions=("Twente",)),
    Filters(docs=("000_01ec1a8430f19287.txt", "003_4f7ac4d2be3ad9cf.txt")),
    Filters(years=(2023,)),
    Filters(regions=("Twente", "Drenthe"), years=(2021,)),
    Filters(years=(1999,)),  # nothing
]
