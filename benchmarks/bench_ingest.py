"""Ingest and index: parsing+chunking rate, passage embedding rate, full build, unchanged re-run."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from beleidszoeker.config import Settings
from benchmarks.common import (
    CLI,
    Report,
    bench_env,
    bench_settings,
    fmt_s,
    interleaved,
    median,
    repeat,
    run_timed,
    timed,
    verdict,
)

SECTION = "ingest"
RERUN_TARGET_S = 2.0


def ensure_index(settings: Settings) -> None:
    """Bring the benchmark's own index up to date (incremental: fast when it already is)."""
    from index.build import build_index
    from ingest.pipeline import run_ingest

    run_ingest(settings, progress=False)
    build_index(settings, progress=False)


def bench_parse_chunk(report: Report, rounds: int) -> int:
    """run_ingest on the shipped corpus into a fresh data directory each round; returns the chunk count."""
    from ingest.pipeline import run_ingest

    seconds, chunks, docs = [], 0, 0
    for _ in range(rounds + 1):  # the first round warms imports and caches, untimed
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            s, rep = timed(lambda tmp=tmp: run_ingest(bench_settings(Path(tmp)), progress=False))
        seconds.append(s)
        chunks, docs = rep.chunks, len(rep.ingested)
    t = median(seconds[1:])
    report.add(
        SECTION,
        "parse + chunk (run_ingest, fresh store)",
        f"{docs / t:.1f} documents/s, {chunks / t:,.0f} chunks/s ({docs} docs, {chunks} chunks in {fmt_s(t)})",
        "",
        f"run_ingest(Settings(data_dir=<fresh tmp>)), median of {rounds}",
    )
    return chunks


def bench_embedding(report: Report, settings: Settings, n_passages: int, n_units: int) -> None:
    """Passages/s of Embedder.embed_passages (batch 16, longest first), for chunks and for answer units."""
    from index.answer import answer_units
    from index.embedding import Embedder
    from ingest.chunk import split_sentences
    from ingest.store import load_store

    chunks = load_store(settings.store_dir).all_chunks()
    embedder = Embedder(settings)
    load_s, _ = timed(lambda: embedder.embed_passages(["warm-up"]))
    passages = [c.embed_text for c in chunks][:n_passages]
    units = [c.text[s:e] for c in chunks for s, e in answer_units(c.text, split_sentences)][:n_units]
    t_p, _ = timed(lambda: embedder.embed_passages(passages))
    t_u, _ = timed(lambda: embedder.embed_passages(units))
    words_p = sum(len(p.split()) for p in passages) / max(1, len(passages))
    words_u = sum(len(u.split()) for u in units) / max(1, len(units))
    cfg = "Embedder.embed_passages(batch_size=16, longest first), sentence-transformers, torch threads = cores"
    report.add(
        SECTION,
        "embedding: chunks",
        f"{len(passages) / t_p:.1f} passages/s ({len(passages)} chunks, ~{words_p:.0f} words each)",
        "",
        cfg,
    )
    report.add(
        SECTION,
        "embedding: answer units (sentences)",
        f"{len(units) / t_u:.1f} passages/s ({len(units)} units, ~{words_u:.0f} words each)",
        "",
        cfg,
    )
    report.add(SECTION, "embedding model load (sentence-transformers)", fmt_s(load_s), "", "first embed_passages call")
    bench_torch_threads(report, embedder, passages, units, n_batches=1 if n_passages < 100 else 4)


def bench_torch_threads(report: Report, embedder: Any, passages: list[str], units: list[str], n_batches: int) -> None:
    """embed_passages with 1 vs 2 torch threads, interleaved per batch (16 chunks or 64 sentences)."""
    import torch

    cores = torch.get_num_threads()

    def with_threads(n: int) -> Any:
        def run(texts: list[str]) -> Any:
            torch.set_num_threads(n)
            return embedder.embed_passages(texts)

        return run

    for what, texts, size in (("chunks", passages, 16), ("sentences", units, 64)):
        batches = [texts[i : i + size] for i in range(0, min(len(texts), n_batches * size), size)]
        t = interleaved({f"torch threads={n}": with_threads(n) for n in (cores, 1)}, batches, warmup=0)
        n_texts = sum(len(b) for b in batches)
        report.add(
            SECTION,
            f"embedding {what}: torch threads",
            "; ".join(f"{k} {n_texts / sum(v):.1f} passages/s" for k, v in t.items()),
            "",
            f"torch.set_num_threads(n) + embed_passages, {len(batches)} batches of {size}, interleaved",
        )
    torch.set_num_threads(cores)


def bench_full_build(report: Report) -> None:
    """`beleidszoeker ingest && beleidszoeker index` into an empty data directory (model folder cached)."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        env = bench_env(tmp)
        t_ingest, _ = run_timed([CLI, "ingest", "-q"], env)
        t_index, proc = run_timed([CLI, "index", "-q"], env)
        report.add(
            SECTION,
            "full build from scratch (CLI)",
            f"{fmt_s(t_ingest + t_index)} (ingest {fmt_s(t_ingest)}, index {fmt_s(t_index)})",
            "",
            f"BELEIDSZOEKER_DATA=<empty tmp> {CLI} ingest -q && ... index -q  → {proc.stdout.strip()[:120]}",
        )
        bench_rerun_cli(report, env, label="fresh build dir")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_rerun_cli(report: Report, env: dict[str, str], *, label: str, rounds: int = 3) -> None:
    times = []
    for _ in range(rounds):
        t_i, _ = run_timed([CLI, "ingest", "-q"], env)
        t_x, _ = run_timed([CLI, "index", "-q"], env)
        times.append((t_i, t_x))
    total = median([a + b for a, b in times])
    report.add(
        SECTION,
        f"unchanged re-run, CLI subprocesses ({label})",
        f"{fmt_s(total)} (ingest {fmt_s(median([a for a, _ in times]))}, index {fmt_s(median([b for _, b in times]))})"
        f" — {verdict(total, RERUN_TARGET_S)}",
        f"<= {RERUN_TARGET_S:g} s",
        f"BELEIDSZOEKER_DATA={env['BELEIDSZOEKER_DATA']} beleidszoeker ingest -q && beleidszoeker index -q; "
        f"median of {rounds}",
    )


def bench_rerun_inprocess(report: Report, settings: Settings, rounds: int = 5) -> None:
    from index.build import build_index
    from ingest.pipeline import run_ingest

    t_ingest = repeat(lambda: run_ingest(settings, progress=False), rounds)
    t_index = repeat(lambda: build_index(settings, progress=False), rounds)
    total = median(t_ingest) + median(t_index)
    report.add(
        SECTION,
        "unchanged re-run, in-process",
        f"{fmt_s(total)} (run_ingest {fmt_s(median(t_ingest))}, build_index {fmt_s(median(t_index))})"
        f" — {verdict(total, RERUN_TARGET_S)}",
        f"<= {RERUN_TARGET_S:g} s",
        f"run_ingest + build_index on {settings.data_dir}, warm, median of {rounds}",
    )


def run(report: Report, data_dir: Path, *, quick: bool) -> None:
    settings = bench_settings(data_dir)
    bench_parse_chunk(report, rounds=3 if quick else 5)
    ensure_index(settings)
    bench_rerun_inprocess(report, settings)
    bench_rerun_cli(report, bench_env(data_dir), label=str(data_dir))
    bench_embedding(report, settings, n_passages=32 if quick else 10_000, n_units=64 if quick else 512)
    if quick:
        report.note("ingest: --quick skips the full build from scratch (minutes: it embeds every chunk and sentence)")
    else:
        bench_full_build(report)
