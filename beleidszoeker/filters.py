"""What a user typed as a filter -> the exact values the retriever filters on.

Users write `--region twente` or the region's other name (`Bollenstreek`); the index knows
"Twente" and "Holland Rijnland (Duin- en Bollenstreek)". Matching is case-insensitive, by the
region's name or a manifest alias; a value that matches nothing is an error that lists the valid
values, never a silently empty result.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from beleidszoeker.records import Document


class FilterError(ValueError):
    """A filter value matches no document; str(err) names it and lists the valid values."""


@dataclass(frozen=True)
class ResolvedFilters:
    regions: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    years: tuple[int, ...] = ()


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _dedupe(values: Iterable[str | int]) -> tuple:
    out: list = []
    for v in values:
        if v not in out:
            out.append(v)
    return tuple(out)


def resolve_regions(values: Sequence[str], documents: Mapping[str, Document]) -> tuple[str, ...]:
    """Region names as the index has them; matched by name or alias, ignoring case and spacing."""
    names: dict[str, str] = {}
    for d in documents.values():
        region = d.meta.region
        names.setdefault(_key(region), region)
        for alias in d.meta.aliases:
            names.setdefault(_key(alias), region)
    out, unknown = [], []
    for v in values:
        region = names.get(_key(v))
        (out if region else unknown).append(region or v)
    if unknown:
        valid = sorted({d.meta.region for d in documents.values()}, key=str.lower)
        aliases = sorted({a for d in documents.values() for a in d.meta.aliases}, key=str.lower)
        hint = f" (of een andere naam: {', '.join(aliases)})" if aliases else ""
        raise FilterError(
            f"onbekende regio {', '.join(repr(u) for u in unknown)}; kies uit: {', '.join(valid)}{hint}"
        )
    return _dedupe(out)


def resolve_docs(values: Sequence[str], documents: Mapping[str, Document]) -> tuple[str, ...]:
    """Document ids as the index has them; matched by id or file name, ignoring case."""
    ids: dict[str, str] = {}
    for doc_id in documents:
        ids.setdefault(_key(doc_id), doc_id)
        ids.setdefault(_key(PurePath(doc_id).name), doc_id)
    out, unknown = [], []
    for v in values:
        doc_id = ids.get(_key(v))
        (out if doc_id else unknown).append(doc_id or v)
    if unknown:
        raise FilterError(
            f"onbekend document {', '.join(repr(u) for u in unknown)}; kies uit: {', '.join(sorted(documents))}"
        )
    return _dedupe(out)


def resolve_years(values: Sequence[int], documents: Mapping[str, Document]) -> tuple[int, ...]:
    known = sorted({d.meta.year for d in documents.values() if d.meta.year})
    unknown = [y for y in values if y not in known]
    if unknown:
        raise FilterError(
            f"geen document uit {', '.join(str(y) for y in unknown)}; kies uit: {', '.join(str(y) for y in known)}"
        )
    return _dedupe(values)


def resolve_filters(regions: Sequence[str], docs: Sequence[str], years: Sequence[int],
                    documents: Mapping[str, Document]) -> ResolvedFilters:
    """All three filters resolved; every problem is reported at once, one per line."""
    problems: list[str] = []
    resolved: dict[str, tuple] = {}
    for name, fn, values in (("regions", resolve_regions, regions), ("docs", resolve_docs, docs),
                             ("years", resolve_years, years)):
        try:
            resolved[name] = fn(values, documents)
        except FilterError as err:
            problems.append(str(err))
    if problems:
        raise FilterError("\n".join(problems))
    return ResolvedFilters(**resolved)
