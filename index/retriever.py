"""Where callers have always found the retriever; the query side lives in index/search/."""

from index.errors import ModelMismatch, QueryError
from index.search.candidates import Filters
from index.search.compare import spread_over_sections
from index.search.params import RetrievalParams, default_params, load_params
from index.search.query import MAX_QUERY_CHARS
from index.search.retriever import HybridRetriever

__all__ = [
    "MAX_QUERY_CHARS",
    "Filters",
    "HybridRetriever",
    "ModelMismatch",
    "QueryError",
    "RetrievalParams",
    "default_params",
    "load_params",
    "spread_over_sections",
]
