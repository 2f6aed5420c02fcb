"""The configured backend: the embedded index under data/, or a Qdrant collection when one is configured."""

from __future__ import annotations

from beleidszoeker.config import Settings
from index.backends.base import SearchBackend


def open_backend(settings: Settings) -> SearchBackend:
    if settings.qdrant_url:
        from index.backends.qdrant import QdrantBackend

        return QdrantBackend.connect(settings)
    from index.backends.embedded import EmbeddedBackend

    return EmbeddedBackend.load(settings.index_dir)
