"""Dutch text analysis shared by indexing, querying and highlighting.

One pipeline for all three keeps index terms, query terms and highlight spans in agreement:
words are found in the original text (so offsets stay exact), normalised (NFKC, casefold,
diacritics folded so OCR variants like "Financiéle" meet "Financiële"), stripped of glued
footnote digits, filtered for stopwords, stemmed, and compounds are split into their parts.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from index.dutch import (
    COMPOUND_FINAL_SUFFIXES,
    COMPOUND_LINKS,
    CURATED_PARTS,
    NOT_FINAL_PARTS,
    NOT_PARTS,
    SHORT_FINAL_PARTS,
    STOPWORDS,
    TOKEN_WORD,
    strip_accents,
)

__all__ = [
    "DEFAULT_SPLITTER",
    "DUTCH_STOPWORDS",
    "STEMMER_ALGORITHM",
    "CompoundSplitter",
    "Token",
    "analyze",
    "normalize_word",
    "query_terms",
    "stem",
    "term_spans",
]

# Snowball's current Dutch stemmer (PyStemmer "dutch"). It also strips the participle prefix
# "ge-", so a few words collide ("gemeente"/"mening" -> "meen", "begeleiding"/"beleid" ->
# "beleid"); on the dev questions it still beats the older "dutch_porter".
STEMMER_ALGORITHM = "dutch"

_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# A word of three or more letters with one or two digits glued on is a footnote marker ("gemeenten1").
_FOOTNOTE_RE = re.compile(r"([^\W\d_]{3,})\d{1,2}")
_ALPHA_RE = re.compile(r"[a-z]+")

DUTCH_STOPWORDS: frozenset[str] = STOPWORDS


@dataclass(frozen=True)
class Token:
    term: str  # the normalised index term (stem)
    start: int  # char offsets of the surface word in the input text
    end: int
    is_part: bool = False  # a compound part's stem, sharing the whole word's span


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer(STEMMER_ALGORITHM)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem a normalised word (cached: the same few thousand words recur constantly)."""
    if not word.isalpha():
        return word
    return _stemmer().stemWord(word)


@lru_cache(maxsize=200_000)
def normalize_word(surface: str) -> tuple[str, ...]:
    """Normalised forms of one surface word (usually one; NFKC may break e.g. "½" into pieces).

    Stopwords and single letters vanish, so the result can be empty.
    """
    surface = surface.rstrip(_SUPERSCRIPT_DIGITS)
    norm = strip_accents(unicodedata.normalize("NFKC", surface).casefold())
    out: list[str] = []
    for piece in TOKEN_WORD.findall(norm):
        m = _FOOTNOTE_RE.fullmatch(piece)
        if m:
            piece = m.group(1)
        if piece in DUTCH_STOPWORDS or (len(piece) == 1 and not piece.isdigit()):
            continue
        out.append(piece)
    return tuple(out)


class CompoundSplitter:
    """Dictionary-based splitter for Dutch compounds ("jeugdhulpaanbieders" -> jeugdhulp + aanbieders).

    A split must cover the whole word with known parts, optionally joined by the linking
    morphemes -s-, -e-, -en-; the last part may carry a plural/inflection ending. Among valid
    splits the one with fewest parts wins (ties: most frequent parts), and each part is split
    again, so both levels of a nested compound become index terms.
    """

    def __init__(self, vocabulary: dict[str, int] | Iterable[str], *, min_part: int = 4) -> None:
        counts = dict(vocabulary) if isinstance(vocabulary, dict) else dict.fromkeys(vocabulary, 1)
        self.counts: dict[str, int] = {
            w: max(1, int(c))
            for w, c in counts.items()
            if _ALPHA_RE.fullmatch(w) and w not in DUTCH_STOPWORDS and w not in NOT_PARTS
        }
        self.min_part = min_part
        self._cache: dict[str, tuple[str, ...]] = {}

    @classmethod
    def from_corpus(cls, texts: Iterable[str], *, min_count: int = 2, min_len: int = 4) -> CompoundSplitter:
        """Curated parts plus every word seen on its own at least `min_count` times."""
        counts: Counter[str] = Counter()
        for text in texts:
            for m in TOKEN_WORD.finditer(text):
                counts.update(w for w in normalize_word(m.group()) if len(w) >= min_len)
        vocab = {w: c for w, c in counts.items() if c >= min_count}
        for w in CURATED_PARTS:
            vocab[w] = max(vocab.get(w, 0), 2)
        return cls(vocab)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state, saved with an index so queries are split like its documents were."""
        return {"min_part": self.min_part, "counts": dict(sorted(self.counts.items()))}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CompoundSplitter:
        return cls(dict(d["counts"]), min_part=int(d.get("min_part", 4)))

    def _part_score(self, base: str) -> float:
        return math.log(1 + self.counts[base])

    def _is_part(self, base: str, final: bool) -> bool:
        if base not in self.counts or (final and base in NOT_FINAL_PARTS):
            return False
        return len(base) >= self.min_part or (final and base in SHORT_FINAL_PARTS)

    def _best_split(self, word: str) -> tuple[str, ...]:
        """Fewest-parts segmentation into base forms, or () when the word has none of ≥2 parts."""
        n = len(word)
        # best[i]: (parts count, -score, parts), the best segmentation of word[:i] into whole parts.
        best: list[tuple[int, float, tuple[str, ...]] | None] = [None] * (n + 1)
        best[0] = (0, 0.0, ())
        for i in range(n):
            cur = best[i]
            if cur is None:
                continue
            for j in range(i + 3, n + 1):
                base = word[i:j]
                if base not in self.counts:
                    continue
                rest = word[j:]
                ends: list[int] = []
                if rest in COMPOUND_FINAL_SUFFIXES and i > 0 and self._is_part(base, final=True):
                    ends.append(n)
                if self._is_part(base, final=False):
                    ends.extend(
                        j + len(link) for link in COMPOUND_LINKS if word.startswith(link, j) and n - j - len(link) >= 3
                    )
                for end in ends:
                    cand = (cur[0] + 1, cur[1] - self._part_score(base), (*cur[2], base))
                    old = best[end]
                    if old is None or cand[:2] < old[:2]:
                        best[end] = cand
        final = best[n]
        return final[2] if final is not None and final[0] >= 2 else ()

    def split(self, word: str) -> tuple[str, ...]:
        """All parts of `word` (a normalised word), nested parts included; () if it is no compound."""
        if word in self._cache:
            return self._cache[word]
        parts: list[str] = []
        if len(word) >= self.min_part + 3 and word.isalpha():
            for part in self._best_split(word):
                parts.append(part)
                parts.extend(p for p in self.split(part) if p not in parts)
        result = tuple(dict.fromkeys(parts))
        self._cache[word] = result
        return result


DEFAULT_SPLITTER = CompoundSplitter(CURATED_PARTS)


def analyze(text: str, *, split_compounds: bool = True, splitter: CompoundSplitter | None = None) -> list[Token]:
    """Index terms of `text` with the offsets of the surface word each came from.

    A compound yields its own stem plus its parts' stems, all carrying the whole word's span.
    """
    sp = splitter if splitter is not None else DEFAULT_SPLITTER
    tokens: list[Token] = []
    for m in TOKEN_WORD.finditer(text):
        start, end = m.span()
        for word in normalize_word(m.group()):
            whole = stem(word)
            tokens.append(Token(whole, start, end))
            if split_compounds:
                seen = {whole}
                for part in sp.split(word):
                    t = stem(part)
                    if t not in seen:
                        seen.add(t)
                        tokens.append(Token(t, start, end, is_part=True))
    return tokens


def head_terms(word: str, *, splitter: CompoundSplitter | None = None) -> frozenset[str]:
    """What a word names: its own stem and, for a compound, its last part's. Dutch compounds are
    right-headed, so a "jaarbudget" is a budget, not a year."""
    tokens = analyze(word, splitter=splitter)
    parts = [t.term for t in tokens if t.is_part]
    return frozenset([t.term for t in tokens if not t.is_part] + parts[-1:])


def query_terms(text: str, *, split_compounds: bool = True, splitter: CompoundSplitter | None = None) -> list[str]:
    """Terms of a query, through the same pipeline as the documents."""
    return [t.term for t in analyze(text, split_compounds=split_compounds, splitter=splitter)]


_SHORT_LAST_VOWEL = re.compile(r"^(.*[^aeiou])([aeiou])([^aeiou])$")


def inflection_variants(term: str) -> list[str]:
    """Other stems an inflected word may have in the documents, most likely first.

    The Dutch Snowball stemmer leaves verb and adjective endings that the documents use in
    another form: "deelt" (delen -> "deel"), "stemt" (stemmen -> "stem"), "vergoede"
    ("vergoed"), "oplevert" (opleveren -> "opleveer"). Only for words the index does not know.
    """
    if not term.isalpha() or len(term) < 4:
        return []
    bases = [term[:-1]] if term.endswith(("t", "e")) else []
    out: list[str] = []
    for base in [*bases, term]:
        if base != term:
            out.append(base)
        m = _SHORT_LAST_VOWEL.match(base)
        if m and len(base) >= 4:
            out.append(m.group(1) + m.group(2) * 2 + m.group(3))
    return out


def term_spans(text: str, terms: set[str], *, splitter: CompoundSplitter | None = None) -> list[tuple[int, int]]:
    """Sorted, distinct spans of words in `text` whose terms (stems or compound parts) are in `terms`.

    Pass the index's splitter (`LexicalIndex.splitter`) so compounds split as they were indexed.
    """
    return sorted({(t.start, t.end) for t in analyze(text, splitter=splitter) if t.term in terms})
