"""The corpus manifest: per document (its path inside the corpus), the title, region, year and source.

Keys are POSIX paths relative to the corpus root, so a file at the root is keyed by its name
(`["visie.pdf"]`) and one in a folder by its path (`["wet/jeugdwet/BWBR0034925/README.md"]`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path, PurePosixPath

from beleidszoeker.records import DocMeta


class ManifestError(Exception):
    """The manifest cannot be read; str(err) says where and what to fix."""


def load_manifest(path: Path) -> dict[str, DocMeta]:
    """Read `manifest.toml`; a missing file is an empty manifest."""
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ManifestError(f"{path.name}: geen geldige TOML ({err}); herstel het bestand") from err
    manifest: dict[str, DocMeta] = {}
    for file, entry in data.items():
        if not isinstance(entry, dict):
            raise ManifestError(f"{path.name}: [\"{file}\"] moet een tabel zijn met title, region, ...")
        year = entry.get("year")
        manifest[file] = DocMeta(
            file=file,
            title=str(entry.get("title") or derive_title(file)),
            region=str(entry.get("region") or "onbekend"),
            municipalities=tuple(str(m) for m in entry.get("municipalities", ())),
            year=int(year) if year not in (None, "") else None,
            date=str(entry.get("date", year or "")),
            doc_type=str(entry.get("doc_type", "")),
            source=str(entry.get("source", "")),
            aliases=tuple(str(a) for a in entry.get("aliases", ())),
        )
    return manifest


# File names that say nothing about the document: the folder (or the text) names it instead.
GENERIC_STEMS = frozenset({"readme", "index", "document", "tekst", "text", "main", "inhoud"})
# Folder names that are identifiers, not words ("BWBR0034925", "2024-03"): left out of titles.
_ID_LIKE = re.compile(r"^(?=.*\d)[A-Z0-9_\-.]+$")
_MD_TITLE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*(?P<title>[^#\s].*?)[ \t#]*$", re.MULTILINE)
_TAG = re.compile(r"<[^<>\n]*>")
TITLE_MAX_WORDS = 20


def derive_title(file: str) -> str:
    """A readable title from a document path: 'regiovisie_jeugd-2024.pdf' -> 'Regiovisie jeugd 2024';
    for a generic name ('wet/jeugdwet/BWBR0034925/README.md') the nearest word-like folder names it."""
    path = PurePosixPath(file)
    stem = path.stem
    if stem.lower() in GENERIC_STEMS:
        folders = [part for part in path.parent.parts if not _ID_LIKE.match(part)]
        if folders:
            stem = folders[-1]
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else file


def has_generic_name(file: str) -> bool:
    return PurePosixPath(file).stem.lower() in GENERIC_STEMS


def title_from_text(text: str) -> str | None:
    """The first Markdown heading of a document (tags dropped), for files whose name says nothing."""
    match = _MD_TITLE.search(text[:20_000])
    if not match:
        return None
    words = _TAG.sub(" ", match.group("title")).replace("*", " ").split()
    if not words:
        return None
    return " ".join(words) if len(words) <= TITLE_MAX_WORDS else " ".join(words[: TITLE_MAX_WORDS - 4]) + " …"


def derive_meta(file: str) -> DocMeta:
    """Metadata for a file without a manifest entry (the caller warns)."""
    years = re.findall(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)", file)
    year = int(years[-1]) if years else None
    return DocMeta(file=file, title=derive_title(file), region="onbekend", year=year, date=str(year or ""))


def meta_for(file: str, manifest: dict[str, DocMeta]) -> tuple[DocMeta, str | None]:
    """The manifest entry for `file`, or derived metadata plus a warning."""
    if file in manifest:
        return manifest[file], None
    warning = (
        f"{file}: geen regel in manifest.toml; titel en jaar afgeleid van de bestandsnaam, regio 'onbekend'. "
        "Voeg een regel toe aan corpus/manifest.toml voor juiste bronvermelding."
    )
    return derive_meta(file), warning


def toml_entry(meta: DocMeta) -> str:
    """The manifest.toml table for `meta`, to append when a user adds a document."""

    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        f"\n[{q(meta.file)}]",
        f"title = {q(meta.title)}",
        f"region = {q(meta.region)}",
        "municipalities = [" + ", ".join(q(m) for m in meta.municipalities) + "]",
    ]
    if meta.year is not None:
        lines.append(f"year = {meta.year}")
    lines += [f"date = {q(meta.date)}", f"doc_type = {q(meta.doc_type)}", f"source = {q(meta.source)}"]
    if meta.aliases:
        lines.append("aliases = [" + ", ".join(q(a) for a in meta.aliases) + "]")
    return "\n".join(lines) + "\n"
