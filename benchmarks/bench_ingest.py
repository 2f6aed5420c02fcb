"""Ingest and index: parsing+chunking rate, passage embedding rate, full build, unchanged re-run,
and the big-folder run: documents/s and peak memory ingesting a folder of thousands of files.

    .venv/bin/python -m benchmarks.bench_ingest --folder /work/cache/nl-wetgeving [--limit 1000]

runs only the big-folder figures (ingest, no embedding); `benchmarks.run --sections ingest` adds
them when BELEIDSZOEKER_BENCH_BIG_FOLDER names the unpacked folder.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
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
BIG_FOLDER_ENV = "BELEIDSZOEKER_BENCH_BIG_FOLDER"
BIG_LIMIT_ENV = "BELEIDSZOEKER_BENCH_BIG_LIMIT"


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


def subset_folder(folder: Path, limit: int | None, into: Path) -> tuple[Path, int]:
    """The first `limit` documents of `folder` by sorted path, as symlinks in the same tree (deterministic)."""
    from ingest.loaders import SUPPORTED_SUFFIXES
    from ingest.pipeline import discover

    sources = discover([folder], SUPPORTED_SUFFIXES, folder).sources
    if limit is None or limit >= len(sources):
        return folder, len(sources)
    for source in sources[:limit]:
        link = into / source.doc
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(source.path.resolve())
    return into, limit


def _ingest_child(corpus: Path, data: Path) -> dict[str, Any]:
    """One run_ingest in a fresh interpreter, so its peak RSS is the ingest's own."""
    cmd = [sys.executable, "-m", "benchmarks.bench_ingest", "--child", str(corpus), "--data", str(data)]
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_big_folder(report: Report, folder: Path, limit: int | None) -> None:
    """Ingest a big folder into a fresh store, then again unchanged: documents/s, passages, peak RSS."""
    with tempfile.TemporaryDirectory(prefix="bench-big-") as tmp:
        corpus, n = subset_folder(folder, limit, Path(tmp) / "corpus")
        data = Path(tmp) / "data"
        what = f"{n} documents of {folder.name}" + (f" (first {n} paths, sorted)" if corpus != folder else "")
        command = f"python -m benchmarks.bench_ingest --folder {folder}" + (f" --limit {limit}" if limit else "")
        for label in ("fresh store", "unchanged re-run"):
            r = _ingest_child(corpus, data)
            report.add(
                SECTION,
                f"big folder: ingest, {label}",
                f"{r['documents'] / r['seconds']:,.1f} documents/s ({r['documents']} documents, {r['ingested']} read, "
                f"{r['chunks']:,} passages, {r['skipped']} skipped in {fmt_s(r['seconds'])}); "
                f"peak RSS {r['peak_rss_mb']:.0f} MB"
                + (f" (+ {r['workers']} workers, {r['worker_rss_mb']:.0f} MB each at most)" if r["workers"] > 1 else "")
                + f"; store {r['store_mb']:.0f} MB",
                "",
                f"{what}: run_ingest in a fresh process (resource.getrusage ru_maxrss, self and largest child; "
                f"BELEIDSZOEKER_INGEST_WORKERS sets the reading processes); {command}",
            )


def _child_main(corpus: Path, data: Path) -> None:
    from ingest.pipeline import run_ingest

    settings = Settings(corpus_dir=corpus, data_dir=data)
    rep = run_ingest(settings, progress=False)
    store_bytes = sum(f.stat().st_size for f in settings.store_dir.iterdir())
    print(
        json.dumps(
            {
                "documents": rep.files,
                "ingested": len(rep.ingested),
                "unchanged": rep.unchanged,
                "skipped": len(rep.skipped),
                "chunks": rep.chunks,
                "seconds": rep.seconds,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "workers": settings.ingest_workers,
                "store_mb": store_bytes / 1e6,
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    from benchmarks.common import render_table

    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_ingest", description=__doc__.split("\n\n")[0])
    p.add_argument("--folder", type=Path, help="a big folder to ingest (e.g. the unpacked nl-wetgeving)")
    p.add_argument("--limit", type=int, help="only the first N documents by sorted path")
    p.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        _child_main(args.child, args.data)
        return 0
    if not args.folder or not args.folder.is_dir():
        p.error("--folder: geef een bestaande map op")
    report = Report()
    bench_big_folder(report, args.folder, args.limit)
    print(render_table(report, "Big-folder ingest"))
    return 0


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
    big = os.environ.get(BIG_FOLDER_ENV)
    if big and Path(big).is_dir():
        limit = os.environ.get(BIG_LIMIT_ENV)
        bench_big_folder(report, Path(big), 200 if quick else int(limit) if limit else None)
    else:
        report.note(f"ingest: big-folder run skipped; set {BIG_FOLDER_ENV} to the unpacked nl-wetgeving folder")


if __name__ == "__main__":
    raise SystemExit(main())
