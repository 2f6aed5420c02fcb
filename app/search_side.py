"""Where an admin change goes after the corpus folder and the chunk store: the local index, rebuilt by
`build_index`, or, with BELEIDSZOEKER_QDRANT_URL set, the Qdrant collection, where only the changed document is
written or deleted (and no local index is made). Each target can put itself back when the write fails.

Kept apart from app/actions.py, which decides what to change and in which order; this module only knows how
each kind of search side is written and undone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from beleidszoeker.config import Settings


@dataclass(frozen=True)
class Written:
    passages: int  # the changed document's passages now searchable (0 after a removal)
    summary: str  # one Dutch line for the app


class SearchSide(Protocol):
    """Where searches read passages from; `write` brings it in line with the chunk store for one document."""

    label: str  # how messages name it ("" for the local index: the messages have always said "indexeren")

    def write(self) -> Written: ...

    def undo(self) -> str:
        """Put the document back as it was before `write`; "" when that worked, else what to do (Dutch)."""
        ...


class LocalIndex:
    """The embedded index under data/index, rebuilt (incrementally) and swapped in atomically by build_index."""

    label = ""

    def __init__(self, settings: Settings, file: str, embedder: Any) -> None:
        self.settings, self.file, self.embedder = settings, file, embedder

    def write(self) -> Written:
        from index.build import build_index

        build = build_index(self.settings, embedder=self.embedder, progress=False)
        return Written(passages_in_store(self.settings, self.file), build.summary())

    def undo(self) -> str:
        return ""  # a build that fails leaves the previous index in place


class QdrantCollection:
    """One document of the Qdrant collection: written or deleted on its own, and written back as it was
    (from what was read before the change: no embedding needed) when that fails."""

    def __init__(self, settings: Settings, backend: Any, file: str, embedder: Any) -> None:
        from index.backends.qdrant_build import DocumentState

        self.settings, self.backend, self.file, self.embedder = settings, backend, file, embedder
        self.label = f"de {backend.where}"
        self.before = DocumentState.read(backend, file)

    def write(self) -> Written:
        from index.backends.qdrant_build import known_vectors, sync_document
        from ingest.store import load_store

        store = load_store(self.settings.store_dir)
        cached = known_vectors(self.before.passages, self.embedder.model_id)
        n = sync_document(self.backend, store, self.file, self.embedder, cached)
        if self.file not in store.documents:
            return Written(0, f"{self.file} is verwijderd uit {self.label}.")
        return Written(n, f"{n} passages van {self.file} geschreven naar {self.label}.")

    def undo(self) -> str:
        try:
            self.before.restore(self.backend)
        except Exception as err:  # the server may be gone: say what state things are in and what fixes it
            return (
                f"Het bestand, manifest.toml en de chunk-store zijn teruggezet, maar {self.label} kon niet worden "
                f"hersteld ({type(err).__name__}: {err}): daar kan {self.file} nu ontbreken of half geschreven "
                "zijn. Voer `beleidszoeker index` uit zodra de Qdrant-server bereikbaar is; dat maakt de collectie "
                "weer gelijk aan de corpusmap."
            )
        return ""


@contextlib.contextmanager
def open_search_side(settings: Settings, file: str, embedder: Any, backend: Any = None) -> Iterator[SearchSide]:
    """The search side for a change to `file`. With Qdrant, `backend` is the app's own QdrantBackend (local mode
    locks its folder per client, so a second client cannot open it); without one a client is opened and closed
    here. Raises IndexUnavailable (a Dutch message) before anything is changed when the collection cannot be
    read or was built with another model or analysis."""
    if not settings.qdrant_url:
        yield LocalIndex(settings, file, embedder)
        return
    from index.backends.qdrant import QdrantBackend
    from index.embedding import Embedder

    embedder = embedder if embedder is not None else Embedder(settings)
    owned = backend is None
    backend = QdrantBackend.connect(settings) if owned else backend
    try:
        check_writable(backend, embedder)
        yield QdrantCollection(settings, backend, file, embedder)
    finally:
        if owned:
            backend.client.close()


def check_writable(backend: Any, embedder: Any) -> None:
    """Refuse to write passages of another model or analysis into the collection (read from its info point)."""
    from index.backends.base import BackendInfo, check_compatible
    from index.lexical import ANALYSIS_ID

    info = backend.collection_info
    check_compatible(BackendInfo("qdrant", info.model_id, info.dim, info.analysis, 0, 0, where=backend.where),
                     embedder.model_id, ANALYSIS_ID)


def passages_in_store(settings: Settings, file: str) -> int:
    """How many passages the chunk store holds for `file` (0 when it has none or cannot be read)."""
    import json

    try:
        files = json.loads((settings.store_dir / "manifest.json").read_text(encoding="utf-8"))["files"]
        return int(files[file]["chunks"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0
