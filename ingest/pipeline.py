"""Ingest: source files -> Documents -> Chunks -> the chunk store, incrementally.

A document's id is its path inside the corpus (POSIX, relative to the corpus root), so two
`README.md` in different folders are two documents. A file whose bytes, metadata and chunker
are unchanged is not read again; a bad file is skipped with a one-line reason and never stops
the run or damages the existing store. Documents stream from the old store and the loaders
into the new one, one at a time, so memory stays bounded however big the folder is.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from beleidszoeker.config import Settings
from beleidszoeker.records import DocMeta
from ingest.manifest import has_generic_name, load_manifest, meta_for, title_from_text
from ingest.store import Failure, FileEntry, StoreCursor, StoreIndex, StoreWriter, json_line, meta_hash, read_index

# The code that turns a file into chunks: a change to any of these re-reads every document.
CHUNKER_FILES = ("loaders.py", "pdf_layout.py", "pdf_text.py", "ocr.py", "clean.py", "chunk.py")
# Files in the corpus folder that belong to it but are no documents: not counted as ignored.
CORPUS_FILES = frozenset({"manifest.toml"})
# Above this many files without a manifest entry the warning is one line, not one per file.
MAX_UNLISTED_WARNINGS = 5
MAX_SKIPPED_LINES = 20
# Worker processes read documents only for runs this big (starting them costs about a second).
PARALLEL_MIN_FILES = 16
READ_AHEAD_PER_WORKER = 2


@dataclass
class Skipped:
    file: str
    reason: str


@dataclass(frozen=True)
class Source:
    """A file to ingest and its document id (the path inside the corpus)."""

    doc: str
    path: Path


@dataclass
class Discovery:
    sources: list[Source] = field(default_factory=list)
    hidden: int = 0  # hidden files and folders (".git", ".DS_Store", "~$lock.docx")
    unsupported: Counter[str] = field(default_factory=Counter)  # suffix -> files that are no document
    duplicates: list[Skipped] = field(default_factory=list)


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
    hidden: int = 0
    unsupported: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.ingested or self.removed)

    def summary(self) -> str:
        rate = f" ({self.files / self.seconds:.0f} bestanden/s)" if self.seconds > 0 and self.files >= 100 else ""
        lines = [
            f"{self.files} bestanden: {len(self.ingested)} (opnieuw) ingelezen, {self.unchanged} ongewijzigd, "
            f"{len(self.removed)} verwijderd, {len(self.skipped)} overgeslagen; "
            f"{self.pages} pagina's, {self.chunks} passages in de store; {self.seconds:.1f} s{rate}",
        ]
        if self.hidden or self.unsupported:
            kinds = ", ".join(f"{n} {suffix}" for suffix, n in sorted(self.unsupported.items()))
            parts = [f"{self.hidden} verborgen"] if self.hidden else []
            if kinds:
                parts.append(f"{sum(self.unsupported.values())} geen document ({kinds})")
            lines.append(f"  niet ingelezen: {'; '.join(parts)}")
        lines += [f"  overgeslagen: {s.reason}" for s in self.skipped[:MAX_SKIPPED_LINES]]
        if len(self.skipped) > MAX_SKIPPED_LINES:
            lines.append(f"  ... en nog {len(self.skipped) - MAX_SKIPPED_LINES} overgeslagen bestanden")
        return "\n".join(lines)


def chunker_fingerprint(settings: Settings) -> str:
    """Changes whenever the reading/cleaning/chunking code or its settings change, so chunks are rebuilt."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in CHUNKER_FILES:
        h.update((here / name).read_bytes())
    h.update(f"{settings.chunk_target_words}/{settings.chunk_max_words}/{settings.chunk_overlap_words}".encode())
    return h.hexdigest()[:16]


def doc_id(path: Path, root: Path) -> str:
    """The document id of `path`: its POSIX path relative to `root` (a root file: its name)."""
    return PurePosixPath(*path.relative_to(root).parts).as_posix()


def is_hidden(name: str) -> bool:
    """Dot files and folders, and Office lock files ('~$rapport.docx')."""
    return name.startswith((".", "~$"))


def discover(paths: Sequence[Path], suffixes: frozenset[str], corpus_dir: Path) -> Discovery:
    """Files to ingest, sorted by document id.

    A folder is walked recursively, skipping hidden files and folders and files of other
    types (counted, not reported one by one). Ids are relative to the corpus folder for
    anything inside it; a folder outside it is its own root; a single file outside it is
    known by its name. A second file with an id already taken is skipped with a reason.
    """
    found = Discovery()
    corpus = _resolved(corpus_dir)
    by_id: dict[str, Path] = {}
    for given in paths:
        resolved = _resolved(given)
        inside = corpus is not None and resolved is not None and resolved.is_relative_to(corpus)
        if given.is_dir():
            root = corpus if inside and corpus is not None else resolved or given
            for path in _walk(resolved or given, found, suffixes, top_level=root):
                _add(found, by_id, Source(doc_id(path, root), path))
        else:
            doc = doc_id(resolved, corpus) if inside and corpus is not None and resolved is not None else given.name
            _add(found, by_id, Source(doc, given))
    found.sources.sort(key=lambda s: s.doc)
    return found


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except OSError:
        return None


def _walk(folder: Path, found: Discovery, suffixes: frozenset[str], top_level: Path) -> Iterator[Path]:
    for current, dirs, files in os.walk(folder):
        found.hidden += sum(is_hidden(d) for d in dirs)  # a hidden folder counts once, unopened
        dirs[:] = sorted(d for d in dirs if not is_hidden(d))
        for name in sorted(files):
            path = Path(current) / name
            if is_hidden(name):
                found.hidden += 1
            elif path.suffix.lower() in suffixes:
                yield path
            elif not (Path(current) == top_level and name in CORPUS_FILES):
                found.unsupported[path.suffix.lower() or "zonder extensie"] += 1


def _add(found: Discovery, by_id: dict[str, Path], source: Source) -> None:
    if source.doc in by_id:
        found.duplicates.append(
            Skipped(
                source.doc,
                f"{source.path}: heeft dezelfde document-id '{source.doc}' als {by_id[source.doc]}; "
                "geef het bestand een andere naam of zet het in een eigen map",
            )
        )
        return
    by_id[source.doc] = source.path
    found.sources.append(source)


@dataclass
class _Item:
    """One file of this run, after the cheap first pass (hash + manifest)."""

    source: Source
    meta: DocMeta
    meta_sha: str
    digest: str = ""
    error: str = ""
    listed: bool = True  # has a manifest entry
    failed_before: bool = False  # the same bytes and metadata failed in the last run
    unchanged: bool = False  # bytes, metadata and chunker as in the store: copy, do not read


def run_ingest(
    settings: Settings, paths: Sequence[Path] | None = None, *, progress: bool = True
) -> IngestReport:
    """Bring the chunk store up to date.

    Without `paths` the store is synced with the corpus folder (documents whose file is gone
    are removed); with `paths` those files are added or updated and the rest is kept.
    """
    from tqdm import tqdm

    from ingest.loaders import SUPPORTED_SUFFIXES

    started = time.perf_counter()
    report = IngestReport()
    sync = paths is None
    found = discover([settings.corpus_dir] if sync else list(paths), SUPPORTED_SUFFIXES, settings.corpus_dir)
    report.files = len(found.sources) + len(found.duplicates)
    report.hidden, report.unsupported = found.hidden, dict(found.unsupported)
    report.skipped.extend(found.duplicates)
    manifest = load_manifest(settings.manifest_path)
    chunker = chunker_fingerprint(settings)
    old = read_index(settings.store_dir)
    old_files = old.files
    max_bytes = int(settings.max_file_mb * 1024 * 1024)

    items: list[_Item] = []
    unlisted: list[str] = []
    for source in tqdm(found.sources, desc="Controleren", unit="bestand", disable=not progress, leave=False):
        meta, warning = meta_for(source.doc, manifest)
        if warning:
            unlisted.append(warning)
        item = _Item(source, meta, meta_hash(meta), listed=warning is None)
        try:
            item.digest = _file_digest(source.path, max_bytes)
        except _Unreadable as err:
            item.error = _named(str(err), source)
        prev = old_files.get(source.doc)
        failed = old.skipped.get(source.doc)
        item.failed_before = failed is not None and old.chunker == chunker and _same_input(failed, item)
        item.unchanged = not item.error and prev is not None and old.chunker == chunker and _same_input(prev, item)
        items.append(item)
    report.warnings += _unlisted_warnings(unlisted)

    run_ids = {item.source.doc for item in items}
    report.removed = sorted(set(old_files) - run_ids) if sync else []
    kept = [] if sync else sorted(set(old_files) - run_ids)
    work = [item for item in items if not item.unchanged and not item.error]
    ready: dict[str, _Read] = {}
    if not report.removed and work and all(item.failed_before for item in work):
        # Only files that failed last time: try them again here (the cause may be gone), and
        # rewrite the store only if one of them now reads.
        ready = {item.source.doc: _read_one(item, settings, max_bytes) for item in work}
        for item in work:
            item.error = ready[item.source.doc].error
        work = [item for item in work if not item.error]
    if not work and not report.removed:
        for item in items:
            if item.error:
                report.skipped.append(Skipped(item.source.doc, item.error))
            elif item.unchanged:
                report.unchanged += 1
        entries = list(old_files.values())
    else:
        entries = _rewrite(settings, items, kept, old, chunker, max_bytes, report, progress, sync=sync, ready=ready)
    report.pages = sum(max(1, e.pages) for e in entries)
    report.chunks = sum(e.chunks for e in entries)
    report.seconds = time.perf_counter() - started
    return report


def _same_input(stored: FileEntry | Failure, item: _Item) -> bool:
    return stored.sha256 == item.digest and stored.meta_sha == item.meta_sha


def _rewrite(
    settings: Settings,
    items: list[_Item],
    kept: list[str],
    old: StoreIndex,
    chunker: str,
    max_bytes: int,
    report: IngestReport,
    progress: bool,
    *,
    sync: bool,
    ready: dict[str, _Read],
) -> list[FileEntry]:
    """Stream old store + changed files into a new store, in id order; returns the new file table."""
    from tqdm import tqdm

    todo: list[tuple[str, _Item | None]] = sorted(
        [(item.source.doc, item) for item in items] + [(doc, None) for doc in kept], key=lambda t: t[0]
    )
    ahead = [item for _, item in todo if item is not None and _must_read(item, old, chunker)]
    with (
        _Reader(ahead, settings, max_bytes, ready) as reader,
        StoreCursor(settings.store_dir) as cursor,
        StoreWriter.open(settings.store_dir, chunker) as writer,
        tqdm(total=len(items), desc="Inlezen", unit="bestand", disable=not progress, leave=False) as bar,
    ):
        old_files = old.files
        run_ids = {item.source.doc for item in items}
        if not sync:  # a partial run keeps what it did not look at, remembered failures included
            writer.skipped.update({d: f for d, f in old.skipped.items() if d not in run_ids})
        for doc, item in todo:
            stored = cursor.take(doc)
            if item is None:  # not part of this run: keep as it is
                if stored is not None:
                    writer.add_lines(doc, old_files[doc], stored.doc_line, stored.chunk_lines)
                continue
            bar.update(1)
            prev = old_files.get(doc)
            if item.unchanged and stored is not None and prev is not None:
                writer.add_lines(doc, prev, stored.doc_line, stored.chunk_lines)
                report.unchanged += 1
                continue
            if (  # a store written before meta_sha existed: compare the metadata itself
                not item.error
                and stored is not None
                and prev is not None
                and not prev.meta_sha
                and prev.sha256 == item.digest
                and _same_meta(stored.meta, item)
                and old.chunker == chunker
            ):
                writer.add_lines(doc, replace(prev, meta_sha=item.meta_sha), stored.doc_line, stored.chunk_lines)
                report.unchanged += 1
                continue
            read = _Read(error=item.error) if item.error else reader.read(item)
            error = read.error
            if not error and read.entry is not None:
                writer.add_lines(doc, read.entry, read.doc_line, read.chunk_lines)
                report.ingested.append(doc)
                continue
            report.skipped.append(Skipped(doc, error))
            if item.digest:
                writer.skipped[doc] = Failure(item.digest, item.meta_sha, error)
            if stored is not None and prev is not None:  # the last good version stays
                writer.add_lines(doc, prev, stored.doc_line, stored.chunk_lines)
    return list(writer.files.values())


def _must_read(item: _Item, old: StoreIndex, chunker: str) -> bool:
    """Whether the file will be read whatever the old store holds (so it can be read ahead)."""
    if item.error or item.unchanged:
        return False
    prev = old.files.get(item.source.doc)
    old_format_match = prev is not None and not prev.meta_sha and prev.sha256 == item.digest
    return not (old_format_match and old.chunker == chunker)


def _same_meta(stored: DocMeta, item: _Item) -> bool:
    """Stored metadata equals this run's (a title taken from the text is the loader's, not the manifest's)."""
    if not item.listed and has_generic_name(item.source.doc):
        stored = replace(stored, title=item.meta.title)
    return stored == item.meta


@dataclass
class _Read:
    """One document read and chunked (in a worker process or here), as the store's JSON lines."""

    error: str = ""
    entry: FileEntry | None = None
    doc_line: str = ""
    chunk_lines: list[str] = field(default_factory=list)


def _read_one(item: _Item, settings: Settings, max_bytes: int) -> _Read:
    """Load and chunk one document; the error is the Dutch reason when it cannot be used."""
    from ingest.chunk import chunk_document
    from ingest.loaders import IngestError, load_document

    source = item.source
    try:
        doc = load_document(source.path, item.meta, max_bytes=max_bytes)
        if not item.listed and has_generic_name(source.doc) and (title := title_from_text(doc.text)):
            doc = replace(doc, meta=replace(doc.meta, title=title))
        chunks = chunk_document(
            doc,
            target_words=settings.chunk_target_words,
            max_words=settings.chunk_max_words,
            overlap_words=settings.chunk_overlap_words,
        )
        if not chunks:
            raise IngestError(f"{source.path.name}: geen bruikbare tekst gevonden na opschonen")
    except IngestError as err:
        return _Read(error=_named(str(err), source))
    entry = FileEntry(
        sha256=item.digest, path=str(source.path), pages=len(doc.pages), chunks=len(chunks), meta_sha=item.meta_sha
    )
    return _Read(entry=entry, doc_line=json_line(doc.to_dict()), chunk_lines=[json_line(c.to_dict()) for c in chunks])


class _Reader:
    """Reads the documents of a run ahead, in worker processes when there are many.

    At most READ_AHEAD_PER_WORKER documents per worker are in flight, so memory stays bounded;
    results are taken in document order. Few documents (an upload) are read in this process.
    """

    def __init__(self, ahead: list[_Item], settings: Settings, max_bytes: int, ready: dict[str, _Read]) -> None:
        self._settings, self._max_bytes = settings, max_bytes
        self._ready = dict(ready)  # read already (a retried failure)
        ahead = [item for item in ahead if item.source.doc not in self._ready]
        workers = min(settings.ingest_workers, len(ahead))
        self._pool: ProcessPoolExecutor | None = None
        if workers > 1 and len(ahead) >= PARALLEL_MIN_FILES:
            self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        self._queue = deque(ahead)
        self._futures: dict[str, Future[_Read]] = {}
        self._window = READ_AHEAD_PER_WORKER * workers
        self._fill()

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def read(self, item: _Item) -> _Read:
        if item.source.doc in self._ready:
            return self._ready.pop(item.source.doc)
        future = self._futures.pop(item.source.doc, None)
        if future is None:
            return _read_one(item, self._settings, self._max_bytes)
        self._fill()
        return future.result()

    def _fill(self) -> None:
        while self._pool is not None and self._queue and len(self._futures) < self._window:
            item = self._queue.popleft()
            self._futures[item.source.doc] = self._pool.submit(_read_one, item, self._settings, self._max_bytes)


def _named(reason: str, source: Source) -> str:
    """Loader messages start with the file name; in a folder the document id says which file."""
    name = source.path.name
    if source.doc != name and reason.startswith(name + ":"):
        return source.doc + reason[len(name) :]
    return reason


def _unlisted_warnings(warnings: list[str]) -> list[str]:
    if len(warnings) <= MAX_UNLISTED_WARNINGS:
        return warnings
    examples = ", ".join(w.split(":", 1)[0] for w in warnings[:3])
    return [
        f"{len(warnings)} bestanden zonder regel in manifest.toml (bijv. {examples}); titel en jaar afgeleid van "
        "de map, de bestandsnaam of de eerste kop, regio 'onbekend'. Voeg regels toe aan manifest.toml "
        "(sleutel: het pad binnen het corpus) voor juiste bronvermelding."
    ]


class _Unreadable(Exception):
    """A file whose bytes cannot even be hashed."""


def _file_digest(path: Path, max_bytes: int) -> str:
    """sha256 of the file, without reading files over the size limit (the loader reports those)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return f"too-large:{size}"
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError as err:
        raise _Unreadable(f"{path.name}: niet te lezen ({err.strerror or type(err).__name__})") from err
    return h.hexdigest()
