"""What a question costs QdrantBackend beyond the engine's search: the candidate stage with an empty passage
cache (each question's candidates fetched from the collection), on a built index with real answer-unit vectors.

    .venv/bin/python -m benchmarks.bench_qdrant_fetch [--index data/index] [--gold ../shared/eval/dev.jsonl]

The 10^5-passage backend benchmark has no answer-unit vectors (embedding every sentence of 10^5 passages
would take days here); the shipped corpus has them (about 8 per passage). Its index is copied into a
collection on Qdrant's engine in process (benchmarks/edge_client.py), and per question, with a fresh view
(empty caches), `QdrantBackend.candidates` and the candidate stage's completion (`complete`) are timed,
side by side with the embedded backend, and the bytes of vectors a candidate stage would move if it read
every candidate's vectors instead of letting the engine score them; the way the candidate stage worked
before (every candidate's vectors read, the units scored here) is timed in the same run. Printed figures only.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from beleidszoeker.config import PROJECT_ROOT, Settings
from benchmarks.common import DEV_QUERIES, dev_queries, fmt_p


def main(argv: list[str] | None = None) -> int:
    from benchmarks.edge_client import EdgeClient
    from index.backends.base import Filters
    from index.backends.embedded import EmbeddedBackend
    from index.backends.qdrant_build import copy_index
    from index.embedding import Embedder
    from index.search.candidates import complete
    from index.search.retriever import HybridRetriever
    from index.searchindex import SearchIndex

    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_qdrant_fetch", description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, default=PROJECT_ROOT / "data" / "index")
    p.add_argument("--gold", type=Path, default=DEV_QUERIES, help="questions (JSON lines with 'query')")
    args = p.parse_args(argv)

    index = SearchIndex.load(args.index)
    queries = dev_queries(args.gold)
    embedder = Embedder(Settings())
    vectors = embedder.embed_queries(queries)
    embedded = EmbeddedBackend(index)
    client = EdgeClient(Path(tempfile.mkdtemp(prefix="bench-qdrant-fetch-")), threads=1)
    qdrant = copy_index(index, client, "fetch")
    prepare = HybridRetriever(embedded, embedder).prepare
    words = [prepare(q).words for q in queries]
    names = ("embedded", "qdrant, engine scores, empty cache", "qdrant, every candidate's vectors read, empty cache",
             "qdrant, cached")
    times: dict[str, list[float]] = {name: [] for name in names}
    rows_n, units_n = [], []
    for q, w in zip(vectors, words, strict=True):
        for name in names:
            backend = embedded if name == "embedded" else qdrant
            if "empty cache" in name:
                qdrant.refresh()
            t0 = time.perf_counter()
            found = backend.candidates(q, w, Filters(), 60)
            if "vectors read" in name:  # how the candidate stage worked before the engine scored the units
                qdrant.view.prefetch(found.rows.tolist())
                found = replace(found, unit_best=None)
            complete(backend.view, found, q)
            times[name].append(time.perf_counter() - t0)
        rows_n.append(len(found.rows))
        units_n.append(sum(len(qdrant.view.units[int(r)]) for r in found.rows))
    client.close()
    dim = index.embeddings.shape[1]
    print(f"{len(queries)} questions on {len(index.chunks)} passages ({len(index.unit_embeddings)} answer units), "
          "interleaved per question")
    for name, t in times.items():
        print(f"  candidate stage, {name}: {fmt_p(t)}")
    n_vectors = np.median(rows_n) + np.median(units_n)
    print(f"  per question (median): {np.median(rows_n):.0f} candidates with {np.median(units_n):.0f} answer units: "
          f"{n_vectors * dim * 4 / 1e6:.2f} MB of float32 vectors that the engine now scores instead of sending")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
