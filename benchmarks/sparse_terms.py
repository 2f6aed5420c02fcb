"""How often the Qdrant backend's 32-bit sparse term indices collide, and what the readers' term statistics cost.

    .venv/bin/python -m benchmarks.sparse_terms --store /work/cache/scale/data/store [--steps 10000,30000,100000]

Qdrant's sparse indices are u32, so `index.backends.qdrant.term_index` hashes (field, term) into 32
bits. Two terms that share an index share a BM25 dimension: a query for one also matches passages of
the other (each term keeps its own document frequency: the readers count by term, and the query
carries the idf). This script analyses real
passages of an ingested store exactly as a collection would (the splitter learned from the passages,
both BM25 fields), counts the distinct (field, term) pairs and the indices they collide on at growing
prefixes of the store, fits Heaps' law V = K * n^beta on those prefixes, and extrapolates the vocabulary
and the expected colliding pairs (V^2 / 2^33) to 10^6 and 10^8 passages.

It also measures what a reader of a collection pays for the per-document term statistics
(`QdrantBackend._load_view` sums every document's `df` record, per BM25 field): the JSON bytes of those
records and the time to parse and sum them in memory (network transfer not included).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter
from pathlib import Path

import numpy as np

from index.analysis import CompoundSplitter, analyze
from index.backends.qdrant import term_index
from index.build import lexical_text
from index.lexical import BM25Params, field_terms
from ingest.store import load_store

DEFAULT_STORE = Path("/work/cache/scale/data/store")


def expected_pairs(vocabulary: int, bits: int = 32) -> float:
    """Expected number of colliding pairs among `vocabulary` uniformly hashed keys (birthday bound)."""
    return vocabulary * (vocabulary - 1) / 2 / 2**bits


def heaps_fit(passages: list[int], vocabulary: list[int]) -> tuple[float, float]:
    """(K, beta) of V = K * n^beta, least squares in log-log."""
    beta, log_k = np.polyfit(np.log(passages), np.log(vocabulary), 1)
    return float(math.exp(log_k)), float(beta)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument("--steps", default="10000,30000,100000", help="passage counts to measure at (prefixes)")
    args = ap.parse_args()

    store = load_store(args.store)
    chunks = store.all_chunks()
    steps = sorted({min(int(s), len(chunks)) for s in args.steps.split(",")} | {len(chunks)})
    texts = [lexical_text(c) for c in chunks]
    started = time.perf_counter()
    splitter = CompoundSplitter.from_corpus(texts)
    params = BM25Params()
    print(f"{len(chunks):,} passages of {len(store.documents):,} documents; splitter learned in "
          f"{time.perf_counter() - started:.0f} s", flush=True)

    terms: set[tuple[str, str]] = set()
    doc_df: dict[str, dict[str, Counter[str]]] = {}
    rows = []
    next_step = iter(steps)
    target = next(next_step)
    for n, (chunk, text) in enumerate(zip(chunks, texts, strict=True), start=1):
        fields = field_terms(analyze(text, split_compounds=params.split_compounds, splitter=splitter), params)
        per_field = doc_df.setdefault(chunk.doc, {})
        for name, field in fields.items():
            terms.update((name, t) for t in field)
            per_field.setdefault(name, Counter()).update(set(field))
        if n == target:
            by_index: dict[int, int] = Counter(term_index(f, t) for f, t in terms)
            pairs = sum(c * (c - 1) // 2 for c in by_index.values() if c > 1)
            involved = sum(c for c in by_index.values() if c > 1)
            rows.append((n, len(terms), pairs, involved))
            print(f"  {n:>9,} passages: {len(terms):>9,} (field, term) pairs, {pairs} colliding pairs "
                  f"({involved} terms; expected {expected_pairs(len(terms)):.1f})", flush=True)
            target = next(next_step, -1)

    k, beta = heaps_fit([r[0] for r in rows], [r[1] for r in rows])
    print(f"\nHeaps' law on these prefixes: V = {k:.1f} * n^{beta:.3f}")
    print("| passages | (field, term) pairs | colliding pairs | terms in a collision | share of terms |")
    print("|---|---|---|---|---|")
    for n, v, pairs, involved in rows:
        print(f"| {n:,} (measured) | {v:,} | {pairs} | {involved} | {involved / v:.5%} |")
    for n in (10**6, 10**8):
        v = k * n**beta
        pairs_f = expected_pairs(round(v))
        print(f"| 10^{round(math.log10(n))} (extrapolated) | {v:,.0f} | {pairs_f:,.0f} | {2 * pairs_f:,.0f} | "
              f"{2 * pairs_f / v:.3%} |")

    records = [json.dumps({name: dict(c) for name, c in df.items()}) for df in doc_df.values()]
    started = time.perf_counter()
    total: dict[str, Counter[str]] = {}
    for r in records:
        for name, counts in json.loads(r).items():
            total.setdefault(name, Counter()).update(counts)
    seconds = time.perf_counter() - started
    size = sum(len(r) for r in records)
    entries = sum(len(c) for df in doc_df.values() for c in df.values())
    print(f"\nPer-document term statistics, both BM25 fields as the collection's records hold them "
          f"({len(records):,} documents): {size / 1e6:.1f} MB of JSON, {entries:,} entries, "
          f"{sum(len(c) for c in total.values()):,} distinct (field, term) pairs; "
          f"parsing and summing them in memory {seconds:.2f} s "
          f"({size / len(chunks):.0f} bytes and {seconds / len(chunks) * 1e6:.1f} us per passage)")


if __name__ == "__main__":
    main()
