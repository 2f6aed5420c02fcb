"""Scale: dense search at 10^4..10^6 passages (exact Flat vs HNSW vs IVF-SQ8) and BM25 at 10^4..10^5.

Single queries, one thread, as the retriever issues them (k = its 60 candidates; recall is also
given at 10). The Flat latency is compared with the memory-bandwidth floor measured in the same
run: an exact search must stream n*d*4 bytes, so it cannot beat bytes / bandwidth.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.common import (
    Report,
    fmt_p,
    fmt_s,
    interleaved,
    median,
    pct,
    per_item,
    repeat,
    single_thread_blas,
    timed,
)
from benchmarks.vectors import RealVectors, corpus_texts, corpus_words, random_windows, synth_database

SECTION = "scale"
K_RETRIEVER = 60  # RetrievalParams.candidates: what the retriever asks FAISS for
K_RECALL = 10
IVF_TARGET_RECALL = 0.95
NPROBES = (1, 2, 4, 8, 16, 32, 64, 128)
HNSW_EF = (64, 128, 256)
CACHE_BYTES = 32 * 2**20  # at or below this the database can stay in L3 (32 MiB here): the DRAM floor does not bind


@dataclass
class FlatPoint:
    n: int
    p50_1t: float
    p50_2t: float
    floor: float


@contextmanager
def faiss_threads(n: int) -> Iterator[None]:
    import faiss

    old = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(old)


# ---- memory bandwidth -----------------------------------------------------------------------------


def measure_bandwidth(buf: np.ndarray, rounds: int = 5) -> dict[str, float]:
    """Single-core streaming read bandwidth (bytes/s) over `buf` (>= 1 GB): numpy sum and a
    one-thread BLAS matrix-vector product (the same access pattern as an exact search)."""
    mat = buf.reshape(-1, 384)
    v = np.ones(384, dtype=np.float32)
    with single_thread_blas():
        t_sum = median(repeat(lambda: float(buf.sum()), rounds))
        t_gemv = median(repeat(lambda: mat @ v, rounds))
    return {"sum": buf.nbytes / t_sum, "gemv": buf.nbytes / t_gemv}


def bandwidth_buffer(gib: float) -> np.ndarray:
    buf = np.empty(int(gib * 2**30) // 4 // 384 * 384, dtype=np.float32)
    buf.fill(1.0)  # touch every page so the first measurement does not time page faults
    return buf


# ---- dense indexes ---------------------------------------------------------------------------------


def recall(found: np.ndarray, truth: np.ndarray, k: int) -> float:
    hits = [len(set(f[:k].tolist()) & set(t[:k].tolist())) for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits)) / k


def latency(search: Callable[[np.ndarray], Any], queries: np.ndarray, threads: int = 1) -> list[float]:
    with faiss_threads(threads):
        return per_item(search, list(queries))


def hnsw_bytes(index: Any, n: int) -> float:
    import faiss

    hnsw = faiss.downcast_index(index).hnsw
    graph = hnsw.neighbors.size() * 4 + hnsw.levels.size() * 4 + hnsw.offsets.size() * 8
    return (n * index.d * 4 + graph) / n


def ivf_bytes(index: Any, n: int) -> float:
    """Codes plus 8-byte ids per vector, plus the centroids spread over all vectors."""
    return (n * (index.code_size + 8) + index.nlist * index.d * 4) / n


def bench_flat(
    report: Report, n: int, db: np.ndarray, queries: np.ndarray, buf: np.ndarray, bws: list[dict[str, float]]
) -> tuple[Any, FlatPoint]:
    """Single-query Flat latency at 1 and 2 threads, interleaved with a one-thread numpy matrix-vector
    product over the same vectors (the same bytes streamed, at the same moments); the streaming
    bandwidth over `buf` is measured right before and after, and the floor uses the better one."""
    from index.vector import FLAT, VectorIndex

    build_s, vi = timed(lambda: VectorIndex.build(db, FLAT))
    bws.append(measure_bandwidth(buf))
    with single_thread_blas():
        times = interleaved(
            {
                "1t": lambda q: _with_threads(1, lambda: vi.search(q, K_RETRIEVER)),
                "2t": lambda q: _with_threads(2, lambda: vi.search(q, K_RETRIEVER)),
                "gemv": lambda q: db @ q,
            },
            list(queries),
        )
    bws.append(measure_bandwidth(buf))
    bandwidth = max(max(b.values()) for b in bws[-2:])
    nbytes = n * db.shape[1] * 4
    floor = nbytes / bandwidth
    point = FlatPoint(n, pct(times["1t"], 50), pct(times["2t"], 50), floor)
    cfg = f"VectorIndex(kind='flat'), k={K_RETRIEVER}, {len(queries)} real queries, 1 query at a time"
    report.add(SECTION, f"Flat {n:,} vectors: latency, 1 thread", fmt_p(times["1t"]), "", cfg)
    report.add(SECTION, f"Flat {n:,}: latency, 2 faiss threads", fmt_p(times["2t"]), "", cfg + "; interleaved with 1t")
    gemv = pct(times["gemv"], 50)
    report.add(
        SECTION,
        f"Flat {n:,}: p50 / bandwidth floor",
        f"{point.p50_1t / floor:.2f}x (floor {fmt_s(floor)} = {nbytes / 1e6:.0f} MB at {bandwidth / 1e9:.1f} GB/s); "
        f"{point.p50_1t / gemv:.2f}x a 1-thread numpy `db @ q` over the same vectors ({fmt_s(gemv)}, "
        f"{nbytes / gemv / 1e9:.1f} GB/s)",
        "<= 1.3x" + ("" if nbytes > CACHE_BYTES else " (fits in L3: floor not binding)"),
        "floor = n*d*4 bytes / single-core streaming bandwidth (1 GiB array, measured just before and after); "
        "`db @ q` interleaved per query",
    )
    report.add(
        SECTION, f"Flat {n:,}: build, memory", f"{fmt_s(build_s)}, {db.shape[1] * 4} B/vector", "", "IndexFlatIP"
    )
    return vi, point


def _with_threads(n: int, fn: Callable[[], Any]) -> Any:
    import faiss

    faiss.omp_set_num_threads(n)
    return fn()


def bench_hnsw(report: Report, n: int, db: np.ndarray, queries: np.ndarray, truth: np.ndarray, flat_p50: float) -> None:
    from index.vector import HNSW, VectorIndex

    with faiss_threads(2):
        build_s, vi = timed(lambda: VectorIndex.build(db, HNSW))
    default_ef = vi.index.hnsw.efSearch
    parts = []
    for ef in HNSW_EF:
        vi.index.hnsw.efSearch = ef
        with faiss_threads(2):
            _, found = vi.index.search(queries, K_RETRIEVER)
        r10, r60 = recall(found, truth, K_RECALL), recall(found, truth, K_RETRIEVER)
        parts.append(f"ef {ef}: R@10 {r10:.3f}, R@60 {r60:.3f}")
    vi.index.hnsw.efSearch = HNSW_EF[-1]
    times_wide = latency(lambda q: vi.search(q, K_RETRIEVER), queries)
    vi.index.hnsw.efSearch = default_ef
    times = latency(lambda q: vi.search(q, K_RETRIEVER), queries)
    cfg = f"VectorIndex(kind='hnsw'): M=32, efConstruction=80, efSearch={default_ef}; k={K_RETRIEVER}, 1 thread"
    report.add(SECTION, f"HNSW {n:,}: recall vs exact", "; ".join(parts), ">= 0.95 at default ef", cfg)
    report.add(
        SECTION,
        f"HNSW {n:,}: latency, speed-up vs Flat",
        f"ef {default_ef}: {fmt_p(times)}, {flat_p50 / pct(times, 50):.1f}x faster than Flat p50; "
        f"ef {HNSW_EF[-1]}: {fmt_p(times_wide)}, {flat_p50 / pct(times_wide, 50):.1f}x",
        "",
        cfg,
    )
    report.add(
        SECTION,
        f"HNSW {n:,}: build, memory",
        f"{fmt_s(build_s)} ({n / build_s:,.0f} vectors/s), {hnsw_bytes(vi.index, n):.0f} B/vector",
        "",
        cfg + "; built with 2 threads",
    )


def bench_ivf_sq8(
    report: Report, n: int, db: np.ndarray, queries: np.ndarray, truth: np.ndarray, flat_p50: float
) -> None:
    import faiss

    nlist = max(16, int(2 * math.sqrt(n)))
    quantizer = faiss.IndexFlatIP(db.shape[1])
    sq8, ip = faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    index = faiss.IndexIVFScalarQuantizer(quantizer, db.shape[1], nlist, sq8, ip)
    rng = np.random.default_rng(2)
    train = db[rng.choice(n, size=min(n, 50 * nlist), replace=False)]

    def build() -> None:
        index.train(train)
        index.add(db)

    with faiss_threads(2):
        build_s, _ = timed(build)
    chosen, rec10, rec60 = NPROBES[-1], 0.0, 0.0
    for nprobe in NPROBES:
        index.nprobe = nprobe
        with faiss_threads(2):
            _, found = index.search(queries, K_RETRIEVER)
        rec10, rec60 = recall(found, truth, K_RECALL), recall(found, truth, K_RETRIEVER)
        chosen = nprobe
        if rec10 >= IVF_TARGET_RECALL and rec60 >= IVF_TARGET_RECALL:
            break
    times = latency(lambda q: index.search(q.reshape(1, -1), K_RETRIEVER), queries)
    cfg = f"faiss IndexIVFScalarQuantizer QT_8bit, nlist={nlist}, nprobe={chosen} (smallest with R >= 0.95); 1 thread"
    report.add(
        SECTION,
        f"IVF-SQ8 {n:,}: recall, latency",
        f"R@10 {rec10:.3f}, R@60 {rec60:.3f}; {fmt_p(times)}; {flat_p50 / pct(times, 50):.1f}x faster than Flat",
        "",
        cfg,
    )
    report.add(
        SECTION,
        f"IVF-SQ8 {n:,}: build, memory",
        f"{fmt_s(build_s)}, {ivf_bytes(index, n):.0f} B/vector",
        "",
        cfg + f"; trained on {len(train):,}",
    )


def synthetic_sanity(report: Report, real: RealVectors, db: np.ndarray) -> None:
    """How the synthetic database compares with real embeddings (top-1 cosine of real queries)."""
    with single_thread_blas():
        real_top1 = np.median((real.queries @ real.base.T).max(axis=1))
        sample = db[: min(len(db), 200_000)]
        synth_top1 = np.median((real.queries @ sample.T).max(axis=1))
    report.add(
        SECTION,
        "synthetic vectors vs real: median top-1 query cosine",
        f"{synth_top1:.3f} (synthetic, {len(sample):,} rows) vs {real_top1:.3f} (real, {len(real.base):,} rows)",
        "similar",
        "v = e_i + U(0,0.5) e_j + 0.02 N(0,I), normalised; e = real e5 passage vectors of corpus sentences/windows",
    )


def dense_at(
    report: Report,
    n: int,
    real: RealVectors,
    buf: np.ndarray,
    bws: list[dict[str, float]],
    *,
    hnsw: bool,
    ivf: bool,
    n_lat: int,
) -> FlatPoint:
    db = synth_database(real.base, n)
    queries = real.queries
    if n == 10_000:
        synthetic_sanity(report, real, db)
    lat_queries = queries[np.linspace(0, len(queries) - 1, num=min(n_lat, len(queries)), dtype=int)]
    vi, point = bench_flat(report, n, db, lat_queries, buf, bws)
    with faiss_threads(2):
        _, truth = vi.index.search(queries, K_RETRIEVER)
    del vi
    if ivf:
        bench_ivf_sq8(report, n, db, queries, truth, point.p50_1t)
    if hnsw:
        bench_hnsw(report, n, db, queries, truth, point.p50_1t)
    else:
        report.note(f"HNSW at {n:,} not built (above --hnsw-max-scale; build rate ~2-4k vectors/s on 2 cores)")
    return point


def recommend_threshold(report: Report, points: list[FlatPoint]) -> None:
    """Exact below, HNSW above: where single-thread Flat p50 crosses 10 and 20 ms (linear in n)."""
    if len(points) < 2:
        return
    ns = np.array([p.n for p in points], dtype=float)
    ts = np.array([p.p50_1t for p in points])
    slope, icpt = np.polyfit(ns, ts, 1)
    n10, n20 = (0.010 - icpt) / slope, (0.020 - icpt) / slope
    rec = _round_nice(n10 + (n20 - n10) / 2)
    report.add(
        SECTION,
        "recommended ann_threshold",
        f"{rec:,} (Flat 1-thread p50 reaches 10 ms at ~{n10:,.0f}, 20 ms at ~{n20:,.0f}; "
        f"slope {slope * 1e5 * 1e3:.2f} ms per 100k vectors)",
        "Flat p50 10-20 ms",
        "linear fit of Flat p50 (1 thread) over the measured sizes",
    )


def _round_nice(x: float) -> int:
    if x <= 0:
        return 0
    mag = 10 ** math.floor(math.log10(x))
    return int(round(x / (mag / 2)) * (mag / 2))


# ---- lexical ----------------------------------------------------------------------------------------


def lexical_at(report: Report, n: int, words: list[str], queries: list[str]) -> None:
    from index.lexical import LexicalIndex

    windows = random_windows(words, n, seed=n)
    build_s, lex = timed(lambda: LexicalIndex.build([f"w{i}" for i in range(n)], windows))
    times = per_item(lambda q: lex.search(q, K_RETRIEVER), queries)
    cfg = f"LexicalIndex.search(q, {K_RETRIEVER}) over random 150-word corpus windows; {len(queries)} real queries"
    report.add(SECTION, f"BM25 {n:,} chunks: query latency", fmt_p(times), "", cfg)
    report.add(
        SECTION, f"BM25 {n:,}: build", f"{fmt_s(build_s)} ({n / build_s:,.0f} chunks/s)", "", "LexicalIndex.build"
    )


# ---- the section -----------------------------------------------------------------------------------------


def run(
    report: Report,
    settings: Any,
    *,
    sizes: list[int],
    hnsw_max: int,
    lexical_sizes: list[int],
    bandwidth_gib: float,
    n_lat: int,
) -> None:
    from benchmarks.vectors import real_vectors

    real = real_vectors(settings)
    buf = bandwidth_buffer(bandwidth_gib)
    bws: list[dict[str, float]] = []
    points = [dense_at(report, n, real, buf, bws, hnsw=n <= hnsw_max, ivf=n >= 50_000, n_lat=n_lat) for n in sizes]
    del buf
    sums = [b["sum"] for b in bws]
    gemvs = [b["gemv"] for b in bws]
    report.add(
        SECTION,
        "single-core streaming bandwidth",
        f"numpy sum {median(sums) / 1e9:.1f} GB/s, 1-thread sgemv {median(gemvs) / 1e9:.1f} GB/s "
        f"(min-max over {len(bws)} runs: {min(gemvs) / 1e9:.1f}-{max(gemvs) / 1e9:.1f})",
        "10-15 GB/s expected",
        f"{bandwidth_gib:g} GiB float32 array, 5 passes each, measured before and after each size's Flat timing",
    )
    recommend_threshold(report, points)
    if lexical_sizes:
        words = corpus_words(corpus_texts(settings.corpus_dir))
        queries = real.texts.queries[:: max(1, len(real.texts.queries) // n_lat)]
        for n in lexical_sizes:
            lexical_at(report, n, words, queries)
        if max(lexical_sizes) < 1_000_000:
            report.note(
                "BM25 at 10^6 not run: LexicalIndex.build keeps every chunk's Token list in memory "
                "(estimated > 10 GB and ~20 min here); its query cost grows linearly with n (see 10^4 -> 10^5)"
            )
