"""Which documents a question names: by region, sub-region or municipality from the manifest.

Advisors often say where they are asking about ("hoeveel aanbieders in Twente"). A passage
from the named region is then more likely to be the answer than an equally similar one
from elsewhere, so the retriever gives it a small boost.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from beleidszoeker.records import DocMeta

_MIN_ALIAS_CHARS = 4


def fold(text: str) -> str:
    """Lowercase without diacritics, for matching names typed any way."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def aliases(meta: DocMeta) -> set[str]:
    """Names that identify a document's region: the region, its parts in parentheses, municipalities."""
    names = {meta.region, *meta.municipalities}
    names |= {part.strip() for part in re.split(r"[()/,]", meta.region)}
    return {fold(n).strip() for n in names if len(n.strip()) >= _MIN_ALIAS_CHARS and n.strip() != "onbekend"}


def alias_patterns(metas: Iterable[DocMeta]) -> dict[str, re.Pattern[str]]:
    """One compiled pattern per document file that matches any of its aliases as whole words."""
    patterns = {}
    for meta in metas:
        names = sorted(aliases(meta), key=len, reverse=True)
        if names:
            patterns[meta.file] = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
    return patterns


def mentioned_docs(query: str, patterns: dict[str, re.Pattern[str]]) -> set[str]:
    q = fold(query)
    return {doc for doc, pattern in patterns.items() if pattern.search(q)}
