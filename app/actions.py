"""What the app does besides rendering: adding a user's document to the corpus and the index.

Kept apart from the Streamlit page so it can be tested directly. It only calls the ingest and
index packages' public functions (`run_ingest`, `build_index`, `toml_entry`); all retrieval
logic stays there.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from app.view import safe_filename
from beleidszoeker.config import Settings
from beleidszoeker.records import DocMeta

# One writer at a time per server process: two uploads must not ingest or index concurrently.
WRITE_LOCK = threading.Lock()

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
    if new.year is not None and not 1900 <= new.year <= 2100:
        errors.append(f"Jaar {new.year} klopt niet; gebruik een jaartal als 2024.")
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


def add_document(new: NewDocument, settings: Settings, *, embedder: Any = None) -> AddResult:
    """Validate, save into the corpus folder, add to the manifest, ingest and index the document.

    On any failure the saved file and the manifest entry are removed again, so nothing half-added
    remains. Never overwrites an existing file.
    """
    name, errors = validate(new, settings)
    if errors:
        return AddResult(False, name, errors)
    with WRITE_LOCK:
        return _add_locked(new, settings, name, embedder)


def _add_locked(new: NewDocument, settings: Settings, name: str, embedder: Any) -> AddResult:
    from index.build import build_index
    from index.errors import IndexUnavailable
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
        build = build_index(settings, embedder=embedder, progress=False)
    except IndexUnavailable as err:
        rollback(resync=True)
        return AddResult(False, name, [f"indexeren mislukt: {err}"])
    except Exception as err:
        rollback(resync=True)
        return AddResult(False, name, [f"indexeren mislukt ({type(err).__name__}: {err})"])

    chunks = _chunks_of(settings, name)
    return AddResult(True, name, [], list(report.warnings), chunks, build.summary())


def _chunks_of(settings: Settings, name: str) -> int:
    import json

    try:
        files = json.loads((settings.store_dir / "manifest.json").read_text(encoding="utf-8"))["files"]
        return int(files[name]["chunks"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


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
