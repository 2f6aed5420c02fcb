"""The corpus manifest: per file name, the document's title, region, year and source."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

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


def derive_title(file: str) -> str:
    """A readable title from a file name: 'regiovisie_jeugd-2024.pdf' -> 'Regiovisie jeugd 2024'."""
    stem = Path(file).stem
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else file


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
