"""The chunk store: documents, their chunks and the content hash of each source file.

Layout of the store directory (replaced atomically as a whole):
    manifest.json    {"version", "chunker", "files": {file: {"sha256", "path", "pages", "chunks"}}}
    documents.jsonl  one Document per line (full text: needed to show passages in context)
    chunks.jsonl     one Chunk per line, in document order
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from beleidszoeker.atomic import atomic_directory, recover
from beleidszoeker.jsonl import read_jsonl, write_jsonl
from beleidszoeker.records import Chunk, Document

STORE_VERSION = 1


@dataclass
class FileEntry:
    sha256: str
    path: str
    pages: int
    chunks: int


@dataclass
class ChunkStore:
    chunker: str = ""
    files: dict[str, FileEntry] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    chunks: dict[str, list[Chunk]] = field(default_factory=dict)

    def all_chunks(self) -> list[Chunk]:
        return [c for file in self.documents for c in self.chunks.get(file, [])]

    def fingerprint(self) -> str:
        """Identifies the store's content: changes when any file, its manifest entry or the chunker
        changes (the index keeps the metadata too: municipalities and aliases name a region)."""
        h = hashlib.sha256(self.chunker.encode())
        for file in sorted(self.files):
            h.update(f"{file}\0{self.files[file].sha256}\0".encode())
            if file in self.documents:
                h.update(json.dumps(self.documents[file].meta.to_dict(), sort_keys=True).encode())
        return h.hexdigest()[:16]


def exists(directory: Path) -> bool:
    recover(directory)
    return (directory / "manifest.json").exists()


def load_store(directory: Path) -> ChunkStore:
    """Read the store; an absent store is empty."""
    if not exists(directory):
        return ChunkStore()
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    store = ChunkStore(
        chunker=manifest.get("chunker", ""),
        files={f: FileEntry(**e) for f, e in manifest["files"].items()},
    )
    for d in read_jsonl(directory / "documents.jsonl"):
        doc = Document.from_dict(d)
        store.documents[doc.meta.file] = doc
        store.chunks[doc.meta.file] = []
    for d in read_jsonl(directory / "chunks.jsonl"):
        chunk = Chunk.from_dict(d)
        store.chunks.setdefault(chunk.doc, []).append(chunk)
    return store


def save_store(directory: Path, store: ChunkStore) -> None:
    """Write the whole store into a new directory, then swap it in."""
    with atomic_directory(directory) as tmp:
        manifest = {
            "version": STORE_VERSION,
            "chunker": store.chunker,
            "files": {f: vars(e) for f, e in sorted(store.files.items())},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        write_jsonl(tmp / "documents.jsonl", (store.documents[f].to_dict() for f in sorted(store.documents)))
        write_jsonl(tmp / "chunks.jsonl", (c.to_dict() for f in sorted(store.documents) for c in store.chunks[f]))
