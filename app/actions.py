"""What the app does besides rendering: adding, editing, replacing and removing a document.

Kept apart from the Streamlit page so it can be tested directly. It only calls the ingest and
index packages' public functions (`run_ingest`, `toml_entry`, and through app/search_side.py
`build_index` or, on a Qdrant deployment, the collection's per-document writes); all retrieval
logic stays there. The corpus folder and manifest.toml stay the source of every document (a full
`beleidszoeker ingest && beleidszoeker index` rebuilds the search side from them). Every change is
incremental (only the changed document is read and embedded again), and on any failure the corpus
file, manifest, chunk store and search side are put back as they were, so nothing is lost. Each
attempt is written to an append-only log (`<data>/wijzigingen.log`): who changed what, and whether
it worked.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from app.search_side import SearchSide, open_search_side
from app.view import safe_filename
from beleidszoeker.config import Settings
from beleidszoeker.records import DocMeta

# One writer at a time per server process: two uploads must not ingest or index concurrently.
WRITE_LOCK = threading.Lock()
R = TypeVar("R")

def supported_suffixes() -> frozenset[str]:
    from ingest.loaders import SUPPORTED_SUFFIXES

    return SUPPORTED_SUFFIXES


@dataclass
class NewDocument:
    filename: str
    data: bytes
    title: str
    region: str
    year: int | None
    municipalities: tuple[str, ...] = ()
    doc_type: str = ""
    source: str = ""


@dataclass
class AddResult:
    ok: bool
    file: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    chunks: int = 0
    summary: str = ""


def validate(new: NewDocument, settings: Settings) -> tuple[str, list[str]]:
    """The corpus file name and a list of problems (empty when the document may be added)."""
    errors: list[str] = []
    name = safe_filename(new.filename or "")
    suffix = Path(name).suffix.lower()
    allowed = supported_suffixes()
    if suffix not in allowed:
        errors.append(
            f"{new.filename or '(geen naam)'}: bestandstype {suffix or '(geen extensie)'} wordt niet ondersteund; "
            f"gebruik een van: {', '.join(sorted(allowed))}"
        )
    size_mb = len(new.data) / (1024 * 1024)
    if len(new.data) == 0:
        errors.append(f"{name}: leeg bestand (0 bytes); kies een bestand met inhoud")
    elif size_mb > settings.max_file_mb:
        errors.append(
            f"{name}: bestand is te groot ({size_mb:.1f} MB); de grens is {settings.max_file_mb:g} MB "
            "(BELEIDSZOEKER_MAX_FILE_MB)"
        )
    if not new.title.strip():
        errors.append("Vul een titel in: die verschijnt in elke bronvermelding.")
    if not new.region.strip():
        errors.append("Vul een regio in (bijv. de jeugdregio of gemeente).")
    errors += _year_problems(new.year)
    target = settings.corpus_dir / name
    if not errors and target.exists():
        errors.append(
            f"Er staat al een bestand {name} in de corpusmap; het wordt niet overschreven. "
            "Geef het bestand een andere naam, of vervang het in de map zelf en voer `beleidszoeker ingest` uit."
        )
    if not errors:
        from ingest.manifest import ManifestError, load_manifest

        try:
            if name in load_manifest(settings.manifest_path):
                errors.append(
                    f"manifest.toml heeft al een regel voor {name}; kies een andere bestandsnaam."
                )
        except ManifestError as err:
            errors.append(f"fout in het manifest: {err}")
    return name, errors


def _year_problems(year: int | None) -> list[str]:
    if year is None:
        return ["Vul het jaar van het document in (bijv. 2024): het staat in elke bronvermelding."]
    if not 1900 <= year <= 2100:
        return [f"Jaar {year} klopt niet; gebruik een jaartal als 2024."]
    return []


def add_document(new: NewDocument, settings: Settings, *, embedder: Any = None, user: str = "",
                 backend: Any = None) -> AddResult:
    """Validate, save into the corpus folder, add to the manifest, ingest and index the document
    (into the Qdrant collection when one is configured: `backend` is the app's own QdrantBackend).

    On any failure the saved file and the manifest entry are removed again and the search side is
    put back, so nothing half-added remains. Never overwrites an existing file.
    """
    name, errors = validate(new, settings)
    if errors:
        result = AddResult(False, name, errors)
    else:
        result = _with_search_side(settings, name, embedder, backend,
                                   lambda side: _add_locked(new, settings, name, side),
                                   lambda problems: AddResult(False, name, problems))
    log_change(settings, user, "toevoegen", name, result.ok, {"titel": new.title, "regio": new.region,
                                                            "jaar": new.year}, result.errors)
    return result


def _with_search_side(settings: Settings, file: str, embedder: Any, backend: Any,
                      change: Callable[[SearchSide], R], refuse: Callable[[list[str]], R]) -> R:
    """Run `change` under the write lock with the search side open; when that cannot be opened (server
    unreachable, collection missing or of another model) nothing has been changed yet: `refuse` says why."""
    with WRITE_LOCK, contextlib.ExitStack() as stack:
        try:
            side = stack.enter_context(open_search_side(settings, file, embedder, backend))
        except Exception as err:
            return refuse([_not_opened(err)])
        return change(side)


def _not_opened(err: Exception) -> str:
    from index.errors import IndexUnavailable

    if isinstance(err, IndexUnavailable):  # ModelMismatch too: their messages say what to do
        return f"{err} Er is niets gewijzigd."
    return (f"De Qdrant-collectie kon niet worden gelezen ({type(err).__name__}: {err}); er is niets gewijzigd. "
            "Controleer of de Qdrant-server bereikbaar is (BELEIDSZOEKER_QDRANT_URL) en probeer het opnieuw.")


def _write_failed(side: SearchSide, err: Exception) -> str:
    """The message for a failed write of the search side, after the files and store were put back: puts the
    search side back too and says whether that worked."""
    problem = side.undo()
    head = f"indexeren in {side.label} mislukt" if side.label else "indexeren mislukt"
    head += f" ({type(err).__name__}: {err})"
    return f"{head}; er is niets gewijzigd" if not problem else f"{head}. {problem}"


def _add_locked(new: NewDocument, settings: Settings, name: str, side: SearchSide) -> AddResult:
    from ingest.manifest import ManifestError, toml_entry
    from ingest.pipeline import run_ingest

    settings.corpus_dir.mkdir(parents=True, exist_ok=True)
    path = settings.corpus_dir / name
    manifest = settings.manifest_path
    old_manifest = manifest.read_bytes() if manifest.exists() else None
    try:
        with path.open("xb") as fh:  # exclusive: never overwrite a file that appeared meanwhile
            fh.write(new.data)
    except FileExistsError:
        return AddResult(False, name, [f"Er staat al een bestand {name} in de corpusmap; het wordt niet overschreven."])

    meta = DocMeta(
        file=name,
        title=new.title.strip(),
        region=new.region.strip(),
        municipalities=tuple(m.strip() for m in new.municipalities if m.strip()),
        year=new.year,
        date=str(new.year or ""),
        doc_type=new.doc_type.strip(),
        source=new.source.strip(),
    )

    def rollback(resync: bool = False) -> None:
        with contextlib.suppress(OSError):
            path.unlink()
        if old_manifest is None:
            with contextlib.suppress(OSError):
                manifest.unlink()
        else:
            manifest.write_bytes(old_manifest)
        if resync:  # the store already holds the document: sync it with the corpus folder again
            with contextlib.suppress(Exception):
                run_ingest(settings, progress=False)

    try:
        with manifest.open("a", encoding="utf-8") as fh:
            fh.write(toml_entry(meta))
        report = run_ingest(settings, [path], progress=False)
    except ManifestError as err:
        rollback()
        return AddResult(False, name, [f"fout in het manifest: {err}"])
    except Exception as err:  # keep the corpus clean whatever went wrong
        rollback()
        return AddResult(False, name, [f"{name}: inlezen mislukt ({type(err).__name__}: {err})"])

    skipped = [s.reason for s in report.skipped if s.file == name]
    if skipped or name not in report.ingested:
        rollback()
        return AddResult(False, name, skipped or [f"{name}: niet ingelezen"], warnings=list(report.warnings))

    try:
        written = side.write()
    except Exception as err:
        rollback(resync=True)
        return AddResult(False, name, [_write_failed(side, err)])
    return AddResult(True, name, [], list(report.warnings), written.passages, written.summary)


def source_path(settings: Settings, file: str) -> Path | None:
    """The source file of an indexed document: the path the chunk store recorded, else corpus/<file>."""
    import json

    candidates: list[Path] = []
    try:
        files = json.loads((settings.store_dir / "manifest.json").read_text(encoding="utf-8"))["files"]
        recorded = files.get(file, {}).get("path")
        if recorded:
            p = Path(recorded)
            candidates.append(p if p.is_absolute() else settings.corpus_dir.parent / p)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    candidates.append(settings.corpus_dir / file)
    name = PurePosixPath(file).name  # the id is the path inside the corpus; its last part is the file name
    for p in candidates:
        if p.name == name and p.is_file():
            return p
    return None


# ---- the change log ----------------------------------------------------------------------------

LOG_NAME = "wijzigingen.log"


def log_path(settings: Settings) -> Path:
    return settings.data_dir / LOG_NAME


def log_change(settings: Settings, user: str, action: str, file: str, ok: bool,
               detail: dict[str, Any] | None = None, errors: list[str] | None = None) -> None:
    """Append one JSON line: when, who, what, on which document, and whether it worked."""
    import json
    import os
    from datetime import UTC, datetime

    entry = {"tijd": datetime.now(UTC).isoformat(timespec="seconds"), "gebruiker": user or "onbekend",
             "actie": action, "document": file, "gelukt": ok}
    if detail:
        entry["gegevens"] = detail
    if errors:
        entry["fouten"] = errors
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(log_path(settings), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_log(settings: Settings, last: int = 50) -> list[dict[str, Any]]:
    import json

    try:
        lines = log_path(settings).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines[-last:]:
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out


# ---- editing, replacing and removing a document ------------------------------------------------


@dataclass
class DocEdit:
    """The metadata a user can change in the app (the manifest's fields)."""

    title: str
    region: str
    year: int | None
    municipalities: tuple[str, ...] = ()
    doc_type: str = ""
    source: str = ""
    aliases: tuple[str, ...] = ()


@dataclass
class ChangeResult:
    ok: bool
    file: str
    errors: list[str] = field(default_factory=list)
    summary: str = ""


def manifest_with(text: str, file: str, entry: str | None) -> str:
    """`text` (manifest.toml) with the table of `file` replaced by `entry`, or removed (None), or
    appended when absent. Comments and the other tables stay as they are."""
    import tomllib

    lines = text.splitlines(keepends=True)
    headers = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            with contextlib.suppress(tomllib.TOMLDecodeError):
                keys = list(tomllib.loads(stripped))
                if keys:
                    headers.append((i, keys[0]))
    mine = [i for i, (_, key) in enumerate(headers) if key == file]
    new_block = [] if entry is None else [entry.lstrip("\n")]
    if not mine:
        if entry is None:
            return text
        return text.rstrip("\n") + "\n\n" + entry.lstrip("\n")
    start = headers[mine[0]][0]
    end = headers[mine[0] + 1][0] if mine[0] + 1 < len(headers) else len(lines)
    while end > start + 1 and lines[end - 1].lstrip().startswith("#"):  # comments above the next table
        end -= 1
    tail = lines[end:]
    if new_block and tail:
        new_block.append("\n")
    head = lines[:start]
    if entry is None and head and not tail:
        while head and not head[-1].strip():
            head.pop()
    return "".join(head + new_block + tail)


def _write_atomic(path: Path, data: bytes) -> None:
    import os

    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@dataclass
class _Snapshot:
    """The corpus file and the manifest as they were before a change, to put back on failure."""

    path: Path
    data: bytes | None
    manifest: Path
    manifest_data: bytes | None

    @classmethod
    def take(cls, path: Path, manifest: Path) -> _Snapshot:
        return cls(path, path.read_bytes() if path.exists() else None, manifest,
                   manifest.read_bytes() if manifest.exists() else None)

    def restore(self, settings: Settings) -> None:
        from ingest.pipeline import run_ingest

        for p, data in ((self.path, self.data), (self.manifest, self.manifest_data)):
            if data is None:
                with contextlib.suppress(OSError):
                    p.unlink()
            else:
                _write_atomic(p, data)
        with contextlib.suppress(Exception):  # the store may already hold the change: sync it back
            run_ingest(settings, progress=False)


def _reindex(settings: Settings, snap: _Snapshot, name: str, side: SearchSide, *, sync: bool) -> ChangeResult:
    """Ingest the changed document (or sync the whole folder) and write the search side; undo on failure."""
    from ingest.pipeline import run_ingest

    try:
        report = run_ingest(settings, None if sync else [snap.path], progress=False)
    except Exception as err:
        snap.restore(settings)
        return ChangeResult(False, name, [f"{name}: inlezen mislukt ({type(err).__name__}: {err})"])
    skipped = [s.reason for s in report.skipped if s.file == name]
    if skipped or (not sync and name not in report.ingested and not report.unchanged):
        snap.restore(settings)
        return ChangeResult(False, name, skipped or [f"{name}: niet ingelezen"])
    try:
        written = side.write()
    except Exception as err:
        snap.restore(settings)
        return ChangeResult(False, name, [_write_failed(side, err)])
    return ChangeResult(True, name, [], written.summary)


def _known(settings: Settings, file: str) -> list[str]:
    if not (settings.corpus_dir / file).is_file():
        return [f"{file} staat niet (meer) in de corpusmap; vernieuw de pagina."]
    return []


def edit_problems(edit: DocEdit) -> list[str]:
    errors = []
    if not edit.title.strip():
        errors.append("Vul een titel in: die verschijnt in elke bronvermelding.")
    if not edit.region.strip():
        errors.append("Vul een regio in (bijv. de jeugdregio of gemeente).")
    return errors + _year_problems(edit.year)


def update_document(file: str, edit: DocEdit, settings: Settings, *, embedder: Any = None,
                    user: str = "", backend: Any = None) -> ChangeResult:
    """Write new metadata for `file` into manifest.toml and re-index that document only."""
    errors = _known(settings, file) + edit_problems(edit)
    result = ChangeResult(False, file, errors)
    if not errors:
        result = _with_search_side(settings, file, embedder, backend,
                                   lambda side: _update_locked(file, edit, settings, side),
                                   lambda problems: ChangeResult(False, file, problems))
    log_change(settings, user, "gegevens wijzigen", file, result.ok,
               {"titel": edit.title, "regio": edit.region, "jaar": edit.year, "soort": edit.doc_type,
                "gemeenten": list(edit.municipalities), "bron": edit.source, "andere namen": list(edit.aliases)},
               result.errors)
    return result


def _update_locked(file: str, edit: DocEdit, settings: Settings, side: SearchSide) -> ChangeResult:
    from ingest.manifest import ManifestError, load_manifest, toml_entry

    manifest = settings.manifest_path
    try:
        old = load_manifest(manifest).get(file)
    except ManifestError as err:
        return ChangeResult(False, file, [f"fout in het manifest: {err}"])
    date = old.date if old is not None and old.year == edit.year and old.date else str(edit.year or "")
    meta = DocMeta(
        file=file, title=edit.title.strip(), region=edit.region.strip(),
        municipalities=tuple(m.strip() for m in edit.municipalities if m.strip()),
        year=edit.year, date=date, doc_type=edit.doc_type.strip(), source=edit.source.strip(),
        aliases=tuple(a.strip() for a in edit.aliases if a.strip()),
    )
    snap = _Snapshot.take(settings.corpus_dir / file, manifest)
    text = manifest.read_text(encoding="utf-8") if manifest.exists() else ""
    _write_atomic(manifest, manifest_with(text, file, toml_entry(meta)).encode("utf-8"))
    errors: list[str] = []
    try:
        written = load_manifest(manifest).get(file)
    except ManifestError as err:
        written, errors = None, [f"fout in het manifest: {err}"]
    if written != meta:
        snap.restore(settings)
        return ChangeResult(False, file, errors or ["het manifest kon niet worden bijgewerkt"])
    return _reindex(settings, snap, file, side, sync=False)


def replace_document(file: str, filename: str, data: bytes, settings: Settings, *, embedder: Any = None,
                     user: str = "", backend: Any = None) -> ChangeResult:
    """Put a new version of `file` in place (same file type) and re-index it; the old one returns on failure."""
    errors = _known(settings, file)
    new_suffix, old_suffix = Path(filename).suffix.lower(), Path(file).suffix.lower()
    if new_suffix != old_suffix:
        errors.append(f"{filename}: een {old_suffix}-document kan alleen door een {old_suffix}-bestand worden "
                      "vervangen; voeg een ander bestandstype toe als nieuw document.")
    if not data:
        errors.append(f"{filename}: leeg bestand (0 bytes); kies een bestand met inhoud")
    elif len(data) > settings.max_file_mb * 1024 * 1024:
        errors.append(f"{filename}: bestand is te groot ({len(data) / 1048576:.1f} MB); de grens is "
                      f"{settings.max_file_mb:g} MB (BELEIDSZOEKER_MAX_FILE_MB)")
    result = ChangeResult(False, file, errors)
    if not errors:
        result = _with_search_side(settings, file, embedder, backend,
                                   lambda side: _replace_locked(file, filename, data, settings, side),
                                   lambda problems: ChangeResult(False, file, problems))
    log_change(settings, user, "bestand vervangen", file, result.ok, {"nieuw bestand": filename,
                                                                      "bytes": len(data)}, result.errors)
    return result


def _replace_locked(file: str, filename: str, data: bytes, settings: Settings, side: SearchSide) -> ChangeResult:
    path = settings.corpus_dir / file
    snap = _Snapshot.take(path, settings.manifest_path)
    if snap.data == data:
        return ChangeResult(False, file, [f"{filename} is hetzelfde bestand als de huidige versie."])
    _write_atomic(path, data)
    return _reindex(settings, snap, file, side, sync=False)


def remove_document(file: str, settings: Settings, *, embedder: Any = None, user: str = "",
                    backend: Any = None) -> ChangeResult:
    """Remove `file` from the corpus folder, the manifest, the store and the index (or collection)."""
    from ingest.store import load_store

    errors = _known(settings, file)
    if not errors and set(load_store(settings.store_dir).documents) <= {file}:
        errors.append("Dit is het laatste document; zonder documenten is er niets om in te zoeken. "
                      "Voeg eerst een ander document toe.")
    result = ChangeResult(False, file, errors)
    if not errors:
        result = _with_search_side(settings, file, embedder, backend,
                                   lambda side: _remove_locked(file, settings, side),
                                   lambda problems: ChangeResult(False, file, problems))
    log_change(settings, user, "verwijderen", file, result.ok, None, result.errors)
    return result


def _remove_locked(file: str, settings: Settings, side: SearchSide) -> ChangeResult:
    manifest = settings.manifest_path
    snap = _Snapshot.take(settings.corpus_dir / file, manifest)
    if snap.manifest_data is not None:
        text = snap.manifest_data.decode("utf-8")
        _write_atomic(manifest, manifest_with(text, file, None).encode("utf-8"))
    snap.path.unlink()
    return _reindex(settings, snap, file, side, sync=True)
