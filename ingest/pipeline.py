"""Ingest: source files -> Documents -> Chunks -> the chunk store, incrementally.

A file whose bytes, metadata and chunker are unchanged is not read again; a bad file is
skipped with a one-line reason and never stops the run or damages the existing store.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from beleidszoeker.config import Settings
from ingest.manifest import load_manifest, meta_for
from ingest.store import ChunkStore, FileEntry, load_store, save_store

CHUNKER_FILES = ("clean.py", "chunk.py")


@dataclass
class Skipped:
    file: str
    reason: str


@dataclass
class IngestReport:
    files: int = 0
    ingested: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    pages: int = 0
    chunks: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.ingested or self.removed)

    def summary(self) -> str:
        lines = [
            f"{self.files} bestanden: {len(self.ingested)} (opnieuw) ingelezen, {self.unchanged} ongewijzigd, "
            f"{len(self.removed)} verwijderd, {len(self.skipped)} overgeslagen; "
            f"{self.pages} pagina's, {self.chunks} passages in de store; {self.seconds:.1f} s",
        ]
        lines += [f"  overgeslagen: {s.reason}" for s in self.skipped]
        return "\n".join(lines)


def chunker_fingerprint(settings: Settings) -> str:
    """Changes whenever the cleaning/chunking code or its settings change, so chunks are rebuilt."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in CHUNKER_FILES:
        h.update((here / name).read_bytes())
    h.update(f"{settings.chunk_target_words}/{settings.chunk_max_words}/{settings.chunk_overlap_words}".encode())
    return h.hexdigest()[:16]


def discover(paths: Sequence[Path], suffixes: frozenset[str]) -> list[Path]:
    """Files to ingest: the given files, and the supported files inside given directories."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in suffixes)
        else:
            found.append(p)
    return found


def run_ingest(
    settings: Settings, paths: Sequence[Path] | None = None, *, progress: bool = True
) -> IngestReport:
    """Bring the chunk store up to date.

    Without `paths` the store is synced with the corpus folder (documents whose file is gone
    are removed); with `paths` those files are added or updated and the rest is kept.
    """
    from tqdm import tqdm

    from ingest.chunk import chunk_document
    from ingest.loaders import SUPPORTED_SUFFIXES, IngestError, load_document

    started = time.perf_counter()
    report = IngestReport()
    sync = paths is None
    files = discover([settings.corpus_dir] if sync else list(paths), SUPPORTED_SUFFIXES)
    manifest = load_manifest(settings.manifest_path)
    old = load_store(settings.store_dir)
    chunker = chunker_fingerprint(settings)
    new = ChunkStore(chunker=chunker)
    if not sync:
        new.files, new.documents, new.chunks = dict(old.files), dict(old.documents), dict(old.chunks)
    report.files = len(files)
    max_bytes = int(settings.max_file_mb * 1024 * 1024)

    for path in tqdm(files, desc="Inlezen", unit="bestand", disable=not progress, leave=False):
        name = path.name
        meta, warning = meta_for(name, manifest)
        if warning:
            report.warnings.append(warning)
        try:
            digest = _file_digest(path, max_bytes)
            prev = old.files.get(name)
            prev_doc = old.documents.get(name)
            if (
                prev is not None
                and prev_doc is not None
                and prev.sha256 == digest
                and prev_doc.meta == meta
                and old.chunker == chunker
            ):
                new.files[name], new.documents[name], new.chunks[name] = prev, prev_doc, old.chunks[name]
                report.unchanged += 1
                continue
            doc = load_document(path, meta, max_bytes=max_bytes)
            chunks = chunk_document(
                doc,
                target_words=settings.chunk_target_words,
                max_words=settings.chunk_max_words,
                overlap_words=settings.chunk_overlap_words,
            )
            if not chunks:
                raise IngestError(f"{name}: geen bruikbare tekst gevonden na opschonen")
        except IngestError as err:
            report.skipped.append(Skipped(name, str(err)))
            _keep_previous(old, new, name)
            continue
        new.files[name] = FileEntry(sha256=digest, path=str(path), pages=len(doc.pages), chunks=len(chunks))
        new.documents[name], new.chunks[name] = doc, chunks
        report.ingested.append(name)

    if sync:
        report.removed = sorted(set(old.documents) - set(new.documents))
    if report.changed or old.chunker != chunker or set(old.files) != set(new.files):
        save_store(settings.store_dir, new)
    report.pages = sum(max(1, len(d.pages)) for d in new.documents.values())
    report.chunks = sum(len(c) for c in new.chunks.values())
    report.seconds = time.perf_counter() - started
    return report


def _keep_previous(old: ChunkStore, new: ChunkStore, name: str) -> None:
    """A file that fails now keeps its last good version: nothing that worked is lost."""
    if name in old.documents and name in old.files:
        new.files[name], new.documents[name], new.chunks[name] = (
            old.files[name],
            old.documents[name],
            old.chunks[name],
        )


def _file_digest(path: Path, max_bytes: int) -> str:
    """sha256 of the file, without reading files over the size limit (the loader reports those)."""
    from ingest.loaders import IngestError

    try:
        size = path.stat().st_size
    except OSError as err:
        raise IngestError(f"{path.name}: niet te lezen ({err.strerror})") from err
    if size > max_bytes:
        return f"too-large:{size}"
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
