"""The SearchBackend boundary: what the retriever asks of a store of passages, and what crosses it.

A backend finds filtered candidates by both legs (dense by meaning, BM25 by wording) and scores
every candidate by both; it serves passages and documents through a `PassageView`, and takes
upserts and deletes by document. Fusion, answers and highlights stay in the project and run over
any backend: they read the view (rows, passages, answer units, unit vectors, documents, terms).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import numpy as np

from beleidszoeker.records import Chunk, Document, Hit
from index.analysis import CompoundSplitter
from index.errors import IndexUnavailable, ModelMismatch

T_co = TypeVar("T_co", covariant=True)
Span = tuple[int, int]
Trace = Callable[[str], AbstractContextManager[Any]]  # times a named step (benchmarks/bench_query.py)


def step(trace: Trace | None, name: str) -> AbstractContextManager[Any]:
    return nullcontext() if trace is None else trace(name)


@dataclass(frozen=True)
class Filters:
    regions: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    years: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.regions or self.docs or self.years)


@dataclass(frozen=True)
class BackendInfo:
    """What a collection or index was built with: a query side with another model or analysis must not read it."""

    backend: str  # "embedded" or "qdrant"
    model_id: str
    dim: int
    analysis: str  # index.lexical.ANALYSIS_ID
    passages: int
    documents: int
    built_at: str = ""
    where: str = ""  # index folder or collection name, for messages


@dataclass(frozen=True)
class Found:
    """Candidates as a backend returns them: every row scored by both legs (a row one leg did not
    find still has its score there, e.g. a passage found by meaning keeps its small BM25 score)."""

    rows: np.ndarray  # int64 row ids in the backend's PassageView
    dense: np.ndarray  # float32 cosine of passage and question
    lexical: np.ndarray  # float32 BM25 score
    # float32 cosine of each candidate's best answer unit (-1: it has none), where the backend's engine computes
    # it; None: the candidate stage computes it from the view's unit vectors.
    unit_best: np.ndarray | None = None


@dataclass(frozen=True)
class PassageRecord:
    """One passage as it is written to a backend: the chunk, its answer units and all its vectors."""

    chunk: Chunk
    vector: np.ndarray  # (dim,) float32, L2-normalised
    units: list[Span] = field(default_factory=list)
    unit_vectors: np.ndarray = field(default_factory=lambda: np.empty((0, 0), dtype=np.float32))


class Rows(Protocol[T_co]):
    """Row-addressed lookup (a list for the embedded index, a fetching cache for a remote backend)."""

    def __getitem__(self, row: int, /) -> T_co: ...

    def __len__(self) -> int: ...


class Lexicon(Protocol):
    """The lexical statistics the query side reads (query terms, their idf, whether a word is known)."""

    @property
    def splitter(self) -> CompoundSplitter: ...

    def query_terms(self, query: str, *, split_compounds: bool = True) -> list[str]: ...

    def document_frequency(self, term: str) -> int: ...

    def idf(self, term: str) -> float: ...


class PassageView(Protocol):
    """What the stages after the candidates read: passages by row, their answer units and unit vectors,
    the documents (context view, region names) and the lexical statistics."""

    @property
    def chunks(self) -> Rows[Chunk]: ...

    @property
    def units(self) -> Rows[list[Span]]: ...

    @property
    def row_of(self) -> Mapping[str, int]: ...

    @property
    def documents(self) -> Mapping[str, Document]: ...

    @property
    def lexical(self) -> Lexicon: ...

    @property
    def manifest(self) -> Mapping[str, Any]: ...

    def unit_vectors(self, row: int) -> np.ndarray:
        """The answer units' vectors of passage `row`, (units, dim) float32 (0 rows when it has none)."""
        ...

    def passage_vector(self, row: int) -> np.ndarray:
        """Passage `row`'s own vector (dim,) float32."""
        ...

    def passages_per_document(self) -> dict[str, int]: ...

    def prefetch(self, rows: Sequence[int]) -> None:
        """The rows whose vectors the next stages read (the hits): a remote view fetches them in one request."""
        ...

    def lowercase_uses(self, words: Set[str]) -> set[str]:
        """Which of `words` some document writes in lower case (so a region name that is a common word
        too, such as Best, counts in a question only with a capital), without reading every text."""
        ...


class SearchBackend(Protocol):
    """A store of passages the retriever searches; `EmbeddedBackend` (FAISS + bm25s) or `QdrantBackend`."""

    @property
    def view(self) -> PassageView: ...

    def info(self) -> BackendInfo: ...

    def candidates(
        self, vector: np.ndarray, words: str, filters: Filters, n: int, *, trace: Trace | None = None
    ) -> Found:
        """The union of the dense leg's and the BM25 leg's top `n` within `filters`, both scores for each."""
        ...

    def similar(self, chunk_id: str, k: int, *, other_docs_only: bool) -> list[Hit]:
        """Passages nearest to a given one by meaning (by default from other documents)."""
        ...

    def upsert(self, document: Document, passages: Sequence[PassageRecord]) -> None:
        """Replace everything stored for `document` by `passages`."""
        ...

    def delete(self, doc: str) -> None:
        """Remove a document and all its passages."""
        ...


def check_compatible(info: BackendInfo, model_id: str, analysis: str) -> None:
    """Refuse an index or collection built with another embedding model or text analysis (Dutch message)."""
    if info.model_id != model_id:
        raise ModelMismatch(
            f"De index{_where(info)} is gebouwd met model {info.model_id!r}, maar ingesteld is "
            f"{model_id!r}. Bouw de index opnieuw met `beleidszoeker index`, of zet BELEIDSZOEKER_MODEL terug."
        )
    if info.analysis != analysis:
        raise IndexUnavailable(
            f"De index{_where(info)} is gebouwd met tekstanalyse {info.analysis!r}, deze versie "
            f"gebruikt {analysis!r}. Bouw de index opnieuw met `beleidszoeker index --opnieuw`."
        )


def _where(info: BackendInfo) -> str:
    return f" ({info.where})" if info.where else ""
