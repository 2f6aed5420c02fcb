"""BM25 keyword index over chunks, analysed with the Dutch pipeline in `index.analysis`.

bm25s does the scoring; we hand it pre-analysed terms so documents and queries share one
analysis (stemming, compound parts, stopwords). bm25s is imported lazily: importing this module
must stay cheap for code that only needs the types.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.analysis import STEMMER_ALGORITHM, CompoundSplitter, Token, analyze, inflection_variants
from index.errors import IndexUnavailable

__all__ = ["BM25Params", "LexicalIndex", "field_terms", "known_query_tokens", "lucene_idf", "top_rows"]

_META_FILE = "lexical.json"
_BM25_DIR = "bm25"
_FORMAT_VERSION = 1
# What the terms depend on; an index built under another analysis must be rebuilt, not read.
ANALYSIS_ID = f"{_FORMAT_VERSION}:{STEMMER_ALGORITHM}"


@dataclass(frozen=True)
class BM25Params:
    k1: float = 1.2
    b: float = 0.75
    method: str = "lucene"
    split_compounds: bool = True
    # Weight of the decompounded field against the whole-word field. Parts widen recall
    # ("wachtlijst" finds "wachtlijstproblematiek"), but mixed into one field frequent parts
    # like "samen" (from "samenwerking") distort term statistics, so they get their own field.
    part_weight: float = 1.0


class LexicalIndex:
    """BM25 over a list of texts; rows are positions in `ids`."""

    def __init__(self, ids: list[str], fields: dict[str, Any], splitter: CompoundSplitter, params: BM25Params) -> None:
        self.ids = ids
        self.params = params
        self.splitter = splitter
        self._fields = fields  # "words": whole-word stems; "parts": stems plus compound parts

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(
        cls,
        ids: list[str],
        texts: list[str],
        *,
        splitter: CompoundSplitter | None = None,
        params: BM25Params | None = None,
    ) -> LexicalIndex:
        """Index `texts`; without a splitter one is learned from the texts themselves."""
        import bm25s

        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids for {len(texts)} texts")
        if not texts:
            raise ValueError("cannot build a lexical index over no texts")
        params = params or BM25Params()
        splitter = splitter or CompoundSplitter.from_corpus(texts)
        per_text = [
            field_terms(analyze(text, split_compounds=params.split_compounds, splitter=splitter), params)
            for text in texts
        ]
        corpora = {name: [f[name] for f in per_text] for name in per_text[0]}
        fields = {}
        for name, corpus_terms in corpora.items():
            if not any(corpus_terms):
                continue  # bm25s cannot index a corpus without terms; such a field scores nothing
            retriever = bm25s.BM25(k1=params.k1, b=params.b, method=params.method)
            retriever.index(corpus_terms, show_progress=False)
            fields[name] = retriever
        return cls(list(ids), fields, splitter, params)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row (zeros when no query term is in the index), for score fusion."""
        terms = self.field_query_terms(query)
        out = np.zeros(len(self.ids), dtype=np.float32)
        if "words" in self._fields:
            _add_field_scores(out, self._fields["words"], terms["words"], 1.0)
        if "parts" in self._fields and self.params.part_weight > 0:
            _add_field_scores(out, self._fields["parts"], terms["parts"], self.params.part_weight)
        return out

    def field_query_terms(self, query: str) -> dict[str, list[str]]:
        """A query's terms per BM25 field, as `scores` matches them."""
        return field_terms(self._query_tokens(query, split_compounds=self.params.split_compounds), self.params)

    def query_terms(self, query: str, *, split_compounds: bool = True) -> list[str]:
        """A query's terms as this index knows them (see `_query_tokens`)."""
        return [t.term for t in self._query_tokens(query, split_compounds=split_compounds)]

    def _query_tokens(self, query: str, *, split_compounds: bool) -> list[Token]:
        return known_query_tokens(query, self.splitter, self.document_frequency, split_compounds=split_compounds)

    def document_frequency(self, term: str) -> int:
        """How many rows contain an analysed term (counting compound parts)."""
        return self.field_document_frequency("parts" if "parts" in self._fields else "words", term)

    def field_document_frequency(self, field: str, term: str) -> int:
        """How many rows contain a term in one BM25 field ("words" or "parts")."""
        retriever = self._fields.get(field)
        tid = None if retriever is None else retriever.vocab_dict.get(term)
        if tid is None:
            return 0
        indptr = retriever.scores["indptr"]
        return int(indptr[tid + 1]) - int(indptr[tid])

    def field_idf(self, field: str, term: str) -> float:
        """A term's Lucene idf within one BM25 field, the factor bm25s multiplies that field's TF part by."""
        return lucene_idf(len(self.ids), self.field_document_frequency(field, term))

    def idf(self, term: str) -> float:
        """Inverse document frequency of an analysed term; unseen terms get the highest value.

        Used to weight a question's terms when checking how much of it a sentence covers.
        """
        return lucene_idf(len(self.ids), self.document_frequency(term))

    def search(self, query: str, k: int, *, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (row, score) with score > 0, best first; `allowed` masks rows out for filters."""
        return top_rows(self.scores(query), k, allowed=allowed)

    def save(self, directory: Path) -> None:
        """Write into `directory` (the caller makes the directory swap atomic)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name, retriever in self._fields.items():
            retriever.save(str(directory / f"{_BM25_DIR}-{name}"), show_progress=False)
        meta = {
            "format": _FORMAT_VERSION,
            "stemmer": STEMMER_ALGORITHM,
            "ids": self.ids,
            "params": asdict(self.params),
            "fields": sorted(self._fields),
            "splitter": self.splitter.to_dict(),
        }
        (directory / _META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        directory = Path(directory)
        meta = json.loads((directory / _META_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != _FORMAT_VERSION or meta.get("stemmer") != STEMMER_ALGORITHM:
            raise IndexUnavailable(
                f"De woordindex in {directory} is gebouwd met een andere tekstanalyse "
                f"(formaat {meta.get('format')}, stemmer {meta.get('stemmer')}). "
                "Bouw de index opnieuw met `beleidszoeker index`."
            )
        fields = {
            name: bm25s.BM25.load(str(directory / f"{_BM25_DIR}-{name}"), show_progress=False)
            for name in meta["fields"]
        }
        return cls(
            list(meta["ids"]),
            fields,
            CompoundSplitter.from_dict(meta["splitter"]),
            BM25Params(**meta["params"]),
        )


def field_terms(tokens: list[Token], params: BM25Params) -> dict[str, list[str]]:
    """A text's terms per BM25 field: "words" the whole words' stems, "parts" those plus compound parts."""
    out = {"words": [t.term for t in tokens if not t.is_part]}
    if params.split_compounds:
        out["parts"] = [t.term for t in tokens]
    return out


def known_query_tokens(
    query: str, splitter: CompoundSplitter, document_frequency: Callable[[str], int], *, split_compounds: bool
) -> list[Token]:
    """The query's tokens; a word the index does not know takes an inflected form it does
    know ("deelt" -> "deel"), so a question's verb form still matches the documents."""
    tokens = analyze(query, split_compounds=split_compounds, splitter=splitter)
    out = []
    for t in tokens:
        if document_frequency(t.term) == 0:
            known = next((v for v in inflection_variants(t.term) if document_frequency(v) > 0), None)
            if known is not None:
                t = replace(t, term=known)
        out.append(t)
    return out


def lucene_idf(n: int, df: int) -> float:
    """Lucene's idf (bm25s "lucene", Qdrant's Modifier.IDF): log(1 + (n - df + 0.5) / (df + 0.5))."""
    return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))


def top_rows(scores: np.ndarray, k: int, *, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
    """Top-k (row, score) of a score per row, score > 0, best first; `allowed` masks rows out."""
    if k <= 0:
        return []
    s = scores
    if allowed is not None:
        mask = np.asarray(allowed, dtype=bool)
        if mask.shape != s.shape:
            raise ValueError(f"allowed mask has shape {mask.shape}, index has {s.shape[0]} rows")
        s = np.where(mask, s, 0.0)
    rows = np.flatnonzero(s > 0)
    if rows.size == 0:
        return []
    if rows.size > k:
        # Keep every row scoring at least the k-th best (ties included) before the full sort:
        # sorting all matching rows dominated search time at 10^5 chunks.
        kth = np.partition(s[rows], rows.size - k)[rows.size - k]
        rows = rows[s[rows] >= kth]
    # Ties broken by row so results are deterministic.
    order = np.lexsort((rows, -s[rows]))[:k]
    return [(int(rows[i]), float(s[rows[i]])) for i in order]


def _add_field_scores(out: np.ndarray, retriever: Any, terms: list[str], weight: float) -> None:
    """Add `weight` x the BM25 contributions of the distinct known `terms` (a repeat counts once)."""
    vocab: dict[str, int] = retriever.vocab_dict
    csc = retriever.scores
    data, indices, indptr = csc["data"], csc["indices"], csc["indptr"]
    for term in dict.fromkeys(terms):
        tid = vocab.get(term)
        if tid is None:
            continue
        lo, hi = int(indptr[tid]), int(indptr[tid + 1])
        np.add.at(out, indices[lo:hi], np.float32(weight) * data[lo:hi])
