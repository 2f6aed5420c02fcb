"""Typed records that flow through the pipeline: files -> Document -> Chunk -> Hit -> SearchResult.

Every offset (`start`, `end`, highlight spans) is a character offset into `Document.text`,
the text exactly as the loader produced it (for .txt/.md: the file's decoded content).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from typing import Any

Span = tuple[int, int]
# A run of clean text copied verbatim from the original: (clean_offset, original_offset, length).
Run = tuple[int, int, int]


@dataclass(frozen=True)
class DocMeta:
    """What the manifest says about one file."""

    file: str
    title: str
    region: str
    municipalities: tuple[str, ...] = ()
    year: int | None = None
    date: str = ""
    doc_type: str = ""
    source: str = ""
    aliases: tuple[str, ...] = ()  # other names people use for the region ("Bollenstreek")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["municipalities"] = list(self.municipalities)
        d["aliases"] = list(self.aliases)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DocMeta:
        lists = {key: tuple(d.get(key, ())) for key in ("municipalities", "aliases")}
        return cls(**{**d, **lists})


@dataclass(frozen=True)
class PageSpan:
    """Characters [start, end) of Document.text lie on physical page `number` (1-based)."""

    start: int
    end: int
    number: int
    label: str
    ocr: bool = False  # the page's text was recognised by OCR (it had no usable text layer)


@dataclass
class Document:
    meta: DocMeta
    text: str
    pages: tuple[PageSpan, ...] = ()
    sha256: str = ""

    def page_at(self, offset: int) -> PageSpan | None:
        """The page holding character `offset`, or None for documents without pages."""
        if not self.pages:
            return None
        starts = [p.start for p in self.pages]
        i = max(0, bisect_right(starts, offset) - 1)
        return self.pages[i]

    def to_dict(self) -> dict[str, Any]:
        return {
            "meta": self.meta.to_dict(),
            "text": self.text,
            "pages": [asdict(p) for p in self.pages],
            "sha256": self.sha256,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        return cls(
            meta=DocMeta.from_dict(d["meta"]),
            text=d["text"],
            pages=tuple(PageSpan(**p) for p in d.get("pages", ())),
            sha256=d.get("sha256", ""),
        )


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage.

    `text` is the cleaned passage; it is made only of runs copied from
    `original[start:end]` (see `runs`) plus inserted separators, so any span of `text`
    maps back to exact offsets in the original document (`to_original`).
    """

    id: str
    doc: str
    title: str
    region: str
    year: int | None
    section: str
    page: int | None
    page_label: str | None
    start: int
    end: int
    text: str
    embed_text: str
    runs: tuple[Run, ...] = field(default=(), repr=False)
    kind: str = "text"
    ocr: bool = False  # part of the passage was recognised by OCR

    def to_original(self, clean_start: int, clean_end: int) -> Span:
        """Map a span of `text` to the narrowest covering span of the original document."""
        return (self._orig(clean_start, left=True), self._orig(clean_end, left=False))

    def _orig(self, pos: int, *, left: bool) -> int:
        if not self.runs:
            return self.start + pos
        starts = [r[0] for r in self.runs]
        i = bisect_right(starts, pos) - 1
        if i < 0:
            return self.runs[0][1]
        c, o, n = self.runs[i]
        if pos < c + n or (not left and pos == c + n):
            return o + (pos - c)
        # pos falls in an inserted separator after run i
        if left and i + 1 < len(self.runs):
            return self.runs[i + 1][1]
        return o + n

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["runs"] = [list(r) for r in self.runs]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chunk:
        return cls(**{**d, "runs": tuple(tuple(r) for r in d.get("runs", ()))})


def chunk_id(doc: str, start: int, end: int, text: str) -> str:
    """Stable id: same document, offsets and text give the same id across runs."""
    h = hashlib.sha1(f"{doc}\x00{start}\x00{end}\x00{text}".encode()).hexdigest()
    return h[:16]


@dataclass
class Hit:
    chunk: Chunk
    score: float
    dense_score: float = 0.0
    lexical_score: float = 0.0
    # Original-document spans: the sentences that best answer the query, and the query's terms.
    answer_spans: list[Span] = field(default_factory=list)
    term_spans: list[Span] = field(default_factory=list)
    # Why it ranks where it does: the named parts of `score` (dense, lexical, region, each shape's bonus).
    breakdown: dict[str, float] = field(default_factory=dict)
    # Compare only: whether the hit's document addresses the topic (None outside compare).
    relevant: bool | None = None

    @property
    def highlights(self) -> list[Span]:
        return sorted(set(self.answer_spans) | set(self.term_spans))


@dataclass
class Answer:
    text: str
    doc: str
    start: int
    end: int
    chunk_id: str
    region: str
    title: str
    section: str
    page: int | None
    # How the card shows the answer when that differs from `text`: a table row with its column
    # headers ("Verblijf: 19% (Aandeel van totale jeugdhulpbudget)"). Empty: `text` itself.
    shown: str = ""

    @property
    def display(self) -> str:
        return self.shown or self.text


@dataclass
class SearchResult:
    query: str
    answerable: bool
    confidence: float
    answer: Answer | None
    hits: list[Hit]
    named_regions: tuple[str, ...] = ()  # regions the question names; their passages come first
    params_hash: str = ""  # the search parameters the result was produced with (index/search/params.toml)
    # What the confidence was computed from (index/search/confidence.py): named features of the answer.
    evidence: dict[str, float] = field(default_factory=dict)
