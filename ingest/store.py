"""The chunk store: documents, their chunks and the content hash of each source file.

Layout of the store directory (replaced atomically as a whole):
    manifest.json    {"version", "chunker", "files": {doc: {"sha256", "path", "pages", "chunks", "meta_sha"}},
                      "skipped": {doc: {"sha256", "meta_sha", "reason"}}}  (files that failed last time)
    documents.jsonl  one Document per line (full text: needed to show passages in context)
    chunks.jsonl     one Chunk per line, in document order

A document's key (`doc`) is its path inside the corpus. Documents are written sorted by key,
so ingest can stream an old store next to a new one (`StoreCursor`, `StoreWriter`) and never
holds more than one document's text and chunks in memory.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any

from beleidszoeker.atomic import atomic_directory, recover
from beleidszoeker.jsonl import read_jsonl
from beleidszoeker.records import Chunk, DocMeta, Document

STORE_VERSION = 1


@dataclass
class FileEntry:
    sha256: str
    path: str
    pages: int
    chunks: int
    meta_sha: str = ""  # hash of the manifest metadata it was ingested with ("" in stores written before)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FileEntry:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class Failure:
    """A file that could not be ingested: when only such files are left to read, the store is not rewritten."""

    sha256: str
    meta_sha: str
    reason: str


@dataclass
class StoreIndex:
    """The small part of a store: chunker, file table and remembered failures (no texts, no chunks)."""

    chunker: str = ""
    files: dict[str, FileEntry] = field(default_factory=dict)
    skipped: dict[str, Failure] = field(default_factory=dict)


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


def meta_hash(meta: DocMeta) -> str:
    """What `FileEntry.meta_sha` records: a document whose metadata changed is ingested again."""
    return hashlib.sha256(json.dumps(meta.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


def exists(directory: Path) -> bool:
    recover(directory)
    return (directory / "manifest.json").exists()


def read_index(directory: Path) -> StoreIndex:
    """The chunker fingerprint, file table and failures of a store, without reading documents or chunks."""
    if not exists(directory):
        return StoreIndex()
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    return StoreIndex(
        chunker=manifest.get("chunker", ""),
        files={f: FileEntry.from_dict(e) for f, e in manifest["files"].items()},
        skipped={f: Failure(**e) for f, e in manifest.get("skipped", {}).items()},
    )


def load_store(directory: Path) -> ChunkStore:
    """Read the whole store into memory (the index needs every chunk); an absent store is empty."""
    index = read_index(directory)
    store = ChunkStore(chunker=index.chunker, files=index.files)
    if not index.files and not (directory / "documents.jsonl").exists():
        return store
    for d in read_jsonl(directory / "documents.jsonl"):
        doc = Document.from_dict(d)
        store.documents[doc.meta.file] = doc
        store.chunks[doc.meta.file] = []
    for d in read_jsonl(directory / "chunks.jsonl"):
        chunk = Chunk.from_dict(d)
        store.chunks.setdefault(chunk.doc, []).append(chunk)
    return store


@dataclass
class StoredDoc:
    """One document of an existing store as its raw JSON lines, ready to be copied unchanged."""

    meta: DocMeta
    doc_line: str
    chunk_lines: list[str]


class StoreCursor:
    """Reads an existing store front to back, one document at a time, in key order."""

    def __init__(self, directory: Path) -> None:
        self._stack = ExitStack()
        self._docs: IO[str] | None = None
        self._chunks: IO[str] | None = None
        if exists(directory) and (directory / "documents.jsonl").exists():
            self._docs = self._stack.enter_context((directory / "documents.jsonl").open(encoding="utf-8"))
            self._chunks = self._stack.enter_context((directory / "chunks.jsonl").open(encoding="utf-8"))
        self._doc: tuple[str, DocMeta, str] | None = self._next_doc()
        self._chunk: tuple[str, str] | None = self._next_chunk()

    def __enter__(self) -> StoreCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def take(self, file: str) -> StoredDoc | None:
        """The stored document `file`, or None; documents with smaller keys are passed over."""
        while self._doc is not None and self._doc[0] < file:
            self._doc = self._next_doc()
        if self._doc is None or self._doc[0] != file:
            return None
        _, meta, doc_line = self._doc
        self._doc = self._next_doc()
        while self._chunk is not None and self._chunk[0] < file:
            self._chunk = self._next_chunk()
        lines: list[str] = []
        while self._chunk is not None and self._chunk[0] == file:
            lines.append(self._chunk[1])
            self._chunk = self._next_chunk()
        return StoredDoc(meta, doc_line, lines)

    def _next_doc(self) -> tuple[str, DocMeta, str] | None:
        line = _next_line(self._docs)
        if line is None:
            return None
        meta = DocMeta.from_dict(json.loads(line)["meta"])
        return meta.file, meta, line

    def _next_chunk(self) -> tuple[str, str] | None:
        line = _next_line(self._chunks)
        return None if line is None else (json.loads(line)["doc"], line)


def _next_line(fh: IO[str] | None) -> str | None:
    if fh is None:
        return None
    for line in fh:
        if line.strip():
            return line if line.endswith("\n") else line + "\n"
    return None


class StoreWriter:
    """Writes a new store document by document (keys ascending); swapped in when the block ends."""

    def __init__(self, docs: IO[str], chunks: IO[str]) -> None:
        self.files: dict[str, FileEntry] = {}
        self.skipped: dict[str, Failure] = {}
        self._docs = docs
        self._chunks = chunks
        self._last = ""

    @classmethod
    @contextmanager
    def open(cls, directory: Path, chunker: str) -> Iterator[StoreWriter]:
        """A writer into a fresh directory; it replaces `directory` only if the block succeeds."""
        with atomic_directory(directory) as tmp, ExitStack() as stack:
            docs = stack.enter_context((tmp / "documents.jsonl").open("w", encoding="utf-8"))
            chunks = stack.enter_context((tmp / "chunks.jsonl").open("w", encoding="utf-8"))
            writer = cls(docs, chunks)
            yield writer
            manifest = {
                "version": STORE_VERSION,
                "chunker": chunker,
                "files": {f: vars(e) for f, e in sorted(writer.files.items())},
                "skipped": {f: vars(e) for f, e in sorted(writer.skipped.items())},
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")

    def add(self, file: str, entry: FileEntry, doc: Document, chunks: list[Chunk]) -> None:
        self.add_lines(file, entry, json_line(doc.to_dict()), [json_line(c.to_dict()) for c in chunks])

    def add_lines(self, file: str, entry: FileEntry, doc_line: str, chunk_lines: list[str]) -> None:
        """Append one document; keys must ascend so the next run can stream this store."""
        if self.files and file <= self._last:
            raise ValueError(f"store keys must ascend: {file!r} after {self._last!r}")
        self._last = file
        self.files[file] = entry
        self._docs.write(doc_line)
        self._chunks.writelines(chunk_lines)


def json_line(row: dict[str, Any]) -> str:
    """One record as the store writes it (what write_jsonl writes)."""
    return json.dumps(row, ensure_ascii=False) + "\n"


def save_store(directory: Path, store: ChunkStore) -> None:
    """Write a whole in-memory store into a new directory, then swap it in."""
    with StoreWriter.open(directory, store.chunker) as writer:
        for f in sorted(store.documents):
            writer.add(f, store.files[f], store.documents[f], store.chunks[f])
