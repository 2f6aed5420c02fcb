"""Which documents a question names: by region, sub-region or municipality from the manifest.

Advisors often say where they are asking about ("hoeveel aanbieders in Twente"). A passage
from the named region is then more likely to be the answer than an equally similar one
from elsewhere, so the retriever gives it a boost. The name itself says nothing about the
topic: every passage of the Twente document is about Twente, and the ones that repeat the
name (title page, foreword) are seldom the answer. So the retriever also searches with the
question *without* the names (`strip_mentions`), and without the words of the named
document's title (`strip_title_words`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass

from beleidszoeker.records import DocMeta
from index.dutch import WORD as _WORD
from index.dutch import fold

_MIN_ALIAS_CHARS = 4

Words = tuple[str, ...]


def aliases(meta: DocMeta) -> set[str]:
    """Names that identify a document's region: the region, its parts in parentheses, its other
    names from the manifest, municipalities."""
    names = {meta.region, *meta.aliases, *meta.municipalities}
    names |= {part.strip() for part in re.split(r"[()/,]", meta.region)}
    return {fold(n).strip() for n in names if len(n.strip()) >= _MIN_ALIAS_CHARS and n.strip() != "onbekend"}


@dataclass(frozen=True)
class Alias:
    words: Words  # folded
    capitalised: bool = False  # a name that is also a common word ("Best") counts only with a capital


def alias_words(metas: Iterable[DocMeta], common_words: Set[str] = frozenset()) -> dict[str, list[Alias]]:
    """Per document file, its aliases as word sequences, longest first.

    Words, not characters, so "Duin- en Bollenstreek" also matches "Duin en Bollenstreek".
    A one-word name in `common_words` (words the documents also use in lower case, such as the
    municipality Best and "het best") must be written with a capital to count.
    """
    table = {}
    for meta in metas:
        names = {tuple(_WORD.findall(name)) for name in aliases(meta)}
        found = [Alias(form, len(n) == 1 and n[0] in common_words) for n in names if n for form in name_forms(n)]
        if found:
            table[meta.file] = sorted(found, key=lambda a: len(a.words), reverse=True)
    return table


def name_forms(name: Words) -> list[Words]:
    """A (folded) place name and its adjectives, which say the same place: "de Twentse gemeenten",
    "Drentse aanbieders", "het Heusdense team". Formed on the last word: a final -e (or -he) gives
    way to -s/-se (Twente -> Twents, Twentse; Drenthe -> Drents), other words take -s/-se
    (Heusden -> Heusdense, Zuidoost-Brabant -> Zuidoost-Brabantse)."""
    stem = re.sub(r"h?e$", "", name[-1])
    return [name, *((*name[:-1], stem + ending) for ending in ("s", "se"))]


def alias_table(metas: Iterable[DocMeta], used_in_lower_case: Callable[[Set[str]], Set[str]]) -> dict[str, list[Alias]]:
    """`alias_words` for a corpus: one-word names that its documents also use in lower case need a capital.
    `used_in_lower_case(words)` says which (the passage view's `lowercase_uses`)."""
    metas = list(metas)
    one_word = {name for meta in metas for name in aliases(meta) if len(_WORD.findall(name)) == 1}
    return alias_words(metas, used_in_lower_case(one_word) if one_word else set())


def lowercase_words(text: str) -> set[str]:
    """The words `text` writes in lower case: what a name must be among to be a common word too. A backend
    can keep this per document instead of scanning texts (index/backends/qdrant.py)."""
    return {w for w in _WORD.findall(text) if w.islower()}


def lowercase_uses(texts: Iterable[str], candidates: Set[str]) -> set[str]:
    """The candidate words that occur written in lower case in `texts` (so: also common words)."""
    if not candidates:
        return set()
    found: set[str] = set()
    for text in texts:
        found |= candidates & lowercase_words(text)
    return found


@dataclass(frozen=True)
class Mention:
    doc: str
    start: int  # character offsets in the question
    end: int


def find_mentions(query: str, table: dict[str, list[Alias]]) -> list[Mention]:
    """Every place where the question names a document's region, as whole words."""
    matches = list(_WORD.finditer(query))
    folded = [fold(m.group()) for m in matches]
    found = []
    for doc, names in table.items():
        for i in range(len(folded)):
            for name in names:
                n = len(name.words)
                if tuple(folded[i : i + n]) != name.words:
                    continue
                if name.capitalised and not matches[i].group()[0].isupper():
                    continue
                found.append(Mention(doc, matches[i].start(), matches[i + n - 1].end()))
                break
    return found


def strip_mentions(query: str, mentions: Iterable[Mention]) -> str:
    """The question without the region names it contains (single-spaced).

    A name inside a hyphenated one ("Zuid-Drenthe", "Noord-Midden-Drenthe") stays: it still picks
    the document, but the part of the region it names is the topic.
    """
    spans = sorted((m.start, m.end) for m in mentions if not _inside_hyphenated(query, m))
    parts, pos = [], 0
    for start, end in spans:
        if start > pos:
            parts.append(query[pos:start])
        pos = max(pos, end)
    parts.append(query[pos:])
    return " ".join("".join(parts).split())


def _inside_hyphenated(query: str, m: Mention) -> bool:
    before = m.start >= 2 and query[m.start - 1] == "-" and query[m.start - 2].isalnum()
    after = m.end + 1 < len(query) and query[m.end] == "-" and query[m.end + 1].isalnum()
    return before or after


def strip_title_words(topic: str, titles: Iterable[str], stopwords: Set[str], min_left: int = 2) -> str:
    """The topic without the words of the named documents' titles ("Programmaplan Jeugdhulpaanbod").

    Like the region's name, the title's words identify the document rather than a passage of it,
    and the passages that repeat them (title page, introduction) are seldom the answer. Kept as it
    is when fewer than `min_left` words other than stopwords would remain ("wat is het Jeugd &
    Gezinsteam" asks about the title itself).
    """
    title_words = {w for title in titles for w in _WORD.findall(fold(title)) if w.isalpha()} - set(stopwords)
    if not title_words:
        return topic
    kept = [m for m in _WORD.finditer(topic) if fold(m.group()) not in title_words]
    content = [m for m in kept if fold(m.group()) not in stopwords]
    if len(content) < min_left:
        return topic
    dropped = [m for m in _WORD.finditer(topic) if fold(m.group()) in title_words]
    return strip_mentions(topic, [Mention("", m.start(), m.end()) for m in dropped])
