"""10^5 real Dutch passages for the backend benchmark: chosen from an ingested store, embedded once.

    .venv/bin/python -m benchmarks.real_passages --store /work/cache/scale/data/store \
        --cache /work/cache/scale/passages [--n 100000] [--max-tokens 64]

The store is what `beleidszoeker ingest` writes for the unpacked nl-wetgeving corpus (the project's
own loaders, cleaning and chunker). Documents are taken whole in a fixed order (sorted by the sha1 of
their id, so laws, AMvB's, circulars and policy rules mix) until n passages; the last one is cut.

Vectors come from the project's passage embedder (ONNX fp32 graph of the built-in e5-small, one
thread, so the other workers on the machine keep a core) over `Chunk.embed_text`, in batches saved
one file each: a killed run resumes at the next missing batch. At about 10 full passages/s on one
thread (268 tokens each) 10^5 passages take almost three hours here, so `--max-tokens` truncates
each input to its first tokens (64: about 31 passages/s); the README of the benchmarks gives the
measured speeds and the cosine of truncated against full vectors. Answer-unit (sentence) vectors
are not made: the retriever falls back to the passage vector for a passage without units.

Everything lives in the cache directory, never in the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from beleidszoeker.config import Settings
from beleidszoeker.jsonl import write_jsonl
from beleidszoeker.records import Chunk

DEFAULT_STORE = Path("/work/cache/scale/data/store")
DEFAULT_CACHE = Path("/work/cache/scale/passages")
BATCH = 2000
SELECTION_FILE = "selection.json"
CHUNKS_FILE = "chunks.jsonl"
DOCUMENTS_FILE = "documents.jsonl"
VECTORS_FILE = "vectors.npy"


@dataclass(frozen=True)
class PassageSet:
    """The cached passages: chunks (row order = vector order), their documents, vectors, selection facts."""

    chunks: list[Chunk]
    documents: list[dict[str, Any]]
    vectors: np.ndarray
    info: dict[str, Any]


def doc_order_key(doc: str) -> str:
    return hashlib.sha1(doc.encode()).hexdigest()


def select(store_dir: Path, n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """(chunk rows, document rows, documents used): whole documents in doc_order_key order until n passages."""
    by_doc: dict[str, list[dict[str, Any]]] = {}
    with (store_dir / "chunks.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            by_doc.setdefault(row["doc"], []).append(row)
    chosen: list[dict[str, Any]] = []
    used: list[str] = []
    for doc in sorted(by_doc, key=doc_order_key):
        if len(chosen) >= n:
            break
        chosen += by_doc[doc]
        used.append(doc)
    wanted = set(used)
    docs = []
    with (store_dir / "documents.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["meta"]["file"] in wanted:
                docs.append(row)
    return chosen[:n], docs, len(used)


def prepare(store_dir: Path, cache: Path, n: int, max_tokens: int) -> dict[str, Any]:
    """Write the selection (chunks, documents, facts) once; later runs reuse it."""
    info_path = cache / SELECTION_FILE
    if info_path.exists():
        info = json.loads(info_path.read_text(encoding="utf-8"))
        if info["n"] == n and info["max_tokens"] == max_tokens:
            return info
        raise SystemExit(
            f"{cache} holds another selection ({info['n']}, {info['max_tokens']} tokens): use another --cache"
        )
    t0 = time.perf_counter()
    chunks, docs, n_docs = select(store_dir, n)
    cache.mkdir(parents=True, exist_ok=True)
    write_jsonl(cache / CHUNKS_FILE, chunks)
    write_jsonl(cache / DOCUMENTS_FILE, docs)
    info = {
        "n": len(chunks),
        "documents": n_docs,
        "documents_rows": len(docs),
        "max_tokens": max_tokens,
        "store": str(store_dir),
        "order": "whole documents sorted by sha1(doc id); the last document cut at n",
        "select_seconds": time.perf_counter() - t0,
    }
    info_path.write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info


def embed(cache: Path, settings: Settings, max_tokens: int, *, threads: int = 1) -> None:
    """Embed every missing batch of BATCH passages into cache/batches/NNNNNN.npy, then join them."""
    from index import e5_onnx
    from index.embedding import DEFAULT_PRECISION, onnx_model_dir

    rows = [json.loads(line) for line in (cache / CHUNKS_FILE).open(encoding="utf-8")]
    texts = [settings.passage_prompt + Chunk.from_dict(r).embed_text for r in rows]
    folder = e5_onnx.ensure(onnx_model_dir(settings, DEFAULT_PRECISION), DEFAULT_PRECISION)
    encoder = e5_onnx.OnnxEncoder(folder, threads=threads)
    encoder.max_tokens = min(encoder.max_tokens, max_tokens)
    batches = cache / "batches"
    batches.mkdir(exist_ok=True)
    log = cache / "embed-log.jsonl"
    for lo in range(0, len(texts), BATCH):
        path = batches / f"{lo:06d}.npy"
        if path.exists():
            continue
        part = texts[lo : lo + BATCH]
        tokens = sum(len(t) for t in encoder.token_ids(part))
        t0 = time.perf_counter()
        vectors = encoder.encode(part)
        seconds = time.perf_counter() - t0
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        tmp.replace(path)
        entry = {"batch": lo, "passages": len(part), "tokens": tokens, "seconds": seconds, "at": time.time()}
        with log.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")
        print(f"{lo + len(part)}/{len(texts)}: {len(part) / seconds:.1f} passages/s", flush=True)
    joined = np.concatenate([np.load(batches / f"{lo:06d}.npy") for lo in range(0, len(texts), BATCH)])
    np.save(cache / VECTORS_FILE, joined.astype(np.float32))
    info = json.loads((cache / SELECTION_FILE).read_text(encoding="utf-8"))
    entries = [json.loads(line) for line in log.open(encoding="utf-8")]
    seconds, tokens = sum(e["seconds"] for e in entries), sum(e["tokens"] for e in entries)
    info["embed"] = {
        "backend": f"onnxruntime-{DEFAULT_PRECISION}, {threads} thread(s), max {max_tokens} tokens",
        "seconds": seconds,
        "passages_per_s": len(texts) / seconds if seconds else None,
        "tokens_per_s": tokens / seconds if seconds else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    (cache / SELECTION_FILE).write_text(json.dumps(info, indent=1), encoding="utf-8")


def load(cache: Path = DEFAULT_CACHE, *, n: int | None = None) -> PassageSet:
    """The cached set (its first n passages); while embedding is under way, the batches done so far."""
    info_path = cache / SELECTION_FILE
    if not info_path.exists():
        raise SystemExit(f"{cache} bevat geen passages: maak ze met `python -m benchmarks.real_passages` (zie --help)")
    info = json.loads(info_path.read_text(encoding="utf-8"))
    if (cache / VECTORS_FILE).exists():
        vectors = np.load(cache / VECTORS_FILE)
    else:
        parts = []
        for lo in range(0, info["n"], BATCH):
            if not (cache / "batches" / f"{lo:06d}.npy").exists() or (n is not None and lo >= n):
                break
            parts.append(np.load(cache / "batches" / f"{lo:06d}.npy"))
        vectors = np.concatenate(parts) if parts else np.zeros((0, 384), dtype=np.float32)
        info.setdefault("embed", {"backend": f"onnxruntime-fp32, 1 thread(s), max {info['max_tokens']} tokens"})
    count = len(vectors) if n is None else min(n, len(vectors))
    if n is not None and count < n:
        raise SystemExit(f"{cache}: {count} van {n} passages ingebed; wacht tot `benchmarks.real_passages` klaar is")
    chunks = []
    with (cache / CHUNKS_FILE).open(encoding="utf-8") as fh:
        for line in fh:
            if len(chunks) == count:
                break
            chunks.append(Chunk.from_dict(json.loads(line)))
    docs = {c.doc for c in chunks}
    documents = [
        row for row in map(json.loads, (cache / DOCUMENTS_FILE).open(encoding="utf-8")) if row["meta"]["file"] in docs
    ]
    return PassageSet(chunks, documents, np.ascontiguousarray(vectors[:count], dtype=np.float32), info)


def measure_speed(cache: Path, settings: Settings, *, sample: int = 300) -> list[dict[str, Any]]:
    """Passages/s on one thread for fp32 and int8 at full length and truncated, and the cosine of each
    against fp32 full length, on every k-th cached passage (before the long run is started)."""
    from index import e5_onnx
    from index.embedding import onnx_model_dir

    rows = [json.loads(line) for line in (cache / CHUNKS_FILE).open(encoding="utf-8")]
    rows = rows[:: max(1, len(rows) // sample)][:sample]
    texts = [settings.passage_prompt + Chunk.from_dict(r).embed_text for r in rows]
    out, full = [], None
    for precision, max_tokens in (("fp32", 512), ("int8", 512), ("fp32", 128), ("fp32", 64), ("int8", 64)):
        encoder = e5_onnx.OnnxEncoder(e5_onnx.ensure(onnx_model_dir(settings, precision), precision), threads=1)
        encoder.max_tokens = min(encoder.max_tokens, max_tokens)
        tokens = sum(len(t) for t in encoder.token_ids(texts))
        encoder.encode(texts[:8])
        t0 = time.perf_counter()
        vectors = encoder.encode(texts)
        seconds = time.perf_counter() - t0
        full = vectors if full is None else full
        cos = (vectors * full).sum(axis=1)
        out.append(
            {
                "precision": precision,
                "max_tokens": max_tokens,
                "passages_per_s": len(texts) / seconds,
                "tokens_per_passage": tokens / len(texts),
                "tokens_per_s": tokens / seconds,
                "cos_median": float(np.median(cos)),
                "cos_min": float(cos.min()),
            }
        )
        print(json.dumps(out[-1]), flush=True)
    out.append(measure_units(rows_all=cache, settings=settings, sample=sample))
    print(json.dumps(out[-1]), flush=True)
    return out


def measure_units(rows_all: Path, settings: Settings, *, sample: int) -> dict[str, Any]:
    """What answer-unit (sentence) vectors for every cached passage would cost: the number of units
    (as index.build makes them) and fp32 one-thread units/s on a sample of them."""
    from index import e5_onnx
    from index.answer import answer_units
    from index.embedding import onnx_model_dir
    from ingest.chunk import split_sentences

    chunks = [Chunk.from_dict(json.loads(line)) for line in (rows_all / CHUNKS_FILE).open(encoding="utf-8")]
    t0 = time.perf_counter()
    units = [c.text[s:e] for c in chunks for s, e in answer_units(c.text, split_sentences)]
    split_s = time.perf_counter() - t0
    picked = [settings.passage_prompt + u for u in units[:: max(1, len(units) // sample)][:sample]]
    encoder = e5_onnx.OnnxEncoder(e5_onnx.ensure(onnx_model_dir(settings, "fp32"), "fp32"), threads=1)
    tokens = sum(len(t) for t in encoder.token_ids(picked))
    encoder.encode(picked[:8])
    t0 = time.perf_counter()
    encoder.encode(picked)
    seconds = time.perf_counter() - t0
    rate = len(picked) / seconds
    return {
        "units": len(units),
        "units_per_passage": len(units) / len(chunks),
        "split_seconds": split_s,
        "unit_tokens_mean": tokens / len(picked),
        "units_per_s_fp32_1thread": rate,
        "hours_for_all": len(units) / rate / 3600,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.real_passages", description=__doc__.split("\n\n")[0])
    p.add_argument("--store", type=Path, default=DEFAULT_STORE, help="an ingested chunk store")
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where passages and vectors are kept")
    p.add_argument("--n", type=int, default=100_000, help="number of passages")
    p.add_argument("--max-tokens", type=int, default=64, help="tokens embedded per passage (512: whole passages)")
    p.add_argument("--threads", type=int, default=1, help="ONNX Runtime threads")
    p.add_argument("--measure", action="store_true", help="only measure embedding speeds (one thread) on a sample")
    args = p.parse_args(argv)
    info = prepare(args.store, args.cache, args.n, args.max_tokens)
    if args.measure:
        speeds = measure_speed(args.cache, Settings())
        (args.cache / "speeds.json").write_text(json.dumps(speeds, indent=1), encoding="utf-8")
        return 0
    print(f"{info['n']} passages from {info['documents']} documents in {args.cache}", flush=True)
    embed(args.cache, Settings(), args.max_tokens, threads=args.threads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
