"""Search parameters as data: index/search/params.toml loaded into frozen dataclasses.

One file holds every weight, bonus and threshold, so a variant run passes another file or a few
overrides (`load_params(overrides={"fusion.dense_weight": 0.7})`) instead of patching code, and
`params_hash` names the values a result was produced with (search JSON, eval reports).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from index.errors import ParamsError

DEFAULT_FILE = Path(__file__).with_name("params.toml")


@dataclass(frozen=True)
class QueryParams:
    topic_weight: float


@dataclass(frozen=True)
class CandidateParams:
    per_leg: int


@dataclass(frozen=True)
class FusionParams:
    dense_weight: float
    dense_weight_english: float
    unit_weight: float
    region_boost: float


@dataclass(frozen=True)
class AnswerParams:
    coverage_weight: float
    passage_weight: float
    passages: int
    count_passages: int
    items_passages: int
    list_bonus: float


@dataclass(frozen=True)
class HighlightParams:
    cosine_weight: float
    margin: float


@dataclass(frozen=True)
class ConfidenceParams:
    bias: float
    threshold: float
    weights: Mapping[str, float] = field(default_factory=dict)  # feature name -> logistic weight


@dataclass(frozen=True)
class CompareParams:
    keyword_weight: float
    dense_weight: float  # fusion.dense_weight for ranking within one document
    judge_passages: int  # a document's top passages whose relevance is judged; its best one decides
    relevance_bias: float
    relevance_cosine: float
    relevance_coverage: float
    relevance_doc_coverage: float
    relevance_threshold: float


@dataclass(frozen=True)
class ShapeParams:
    passage_bonus: float = 0.0
    answer_bonus: float = 0.0
    lowers_confidence: bool = False


@dataclass(frozen=True)
class RetrievalParams:
    query: QueryParams
    candidates: CandidateParams
    fusion: FusionParams
    answer: AnswerParams
    highlight: HighlightParams
    confidence: ConfidenceParams
    compare: CompareParams
    shapes: Mapping[str, ShapeParams] = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        """Confidence from which a question counts as answered."""
        return self.confidence.threshold

    def shape(self, name: str) -> ShapeParams:
        return self.shapes.get(name, ShapeParams())

    def to_dict(self) -> dict[str, Any]:
        out = {
            f.name: dataclasses.asdict(getattr(self, f.name)) for f in dataclasses.fields(self) if f.name != "shapes"
        }
        out["shapes"] = {name: dataclasses.asdict(s) for name, s in sorted(self.shapes.items())}
        return out

    @cached_property
    def hash(self) -> str:
        """Short hash of the values (not of the file's layout or comments); computed once."""
        return params_hash(self)

    def with_overrides(self, overrides: Mapping[str, Any]) -> RetrievalParams:
        """These parameters with dotted keys replaced ("fusion.dense_weight", "shapes.duration.answer_bonus")."""
        return from_dict(_apply(self.to_dict(), overrides))


_SECTIONS: dict[str, type] = {
    "query": QueryParams,
    "candidates": CandidateParams,
    "fusion": FusionParams,
    "answer": AnswerParams,
    "highlight": HighlightParams,
    "confidence": ConfidenceParams,
    "compare": CompareParams,
}


def from_dict(data: Mapping[str, Any]) -> RetrievalParams:
    """Parameters from a parsed file; every section and key must be known, every field given."""
    unknown = set(data) - set(_SECTIONS) - {"shapes"}
    if unknown:
        raise ParamsError(f"Onbekende parametersectie(s): {', '.join(sorted(unknown))}.")
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        values = data.get(name)
        if not isinstance(values, Mapping):
            raise ParamsError(f"Parametersectie [{name}] ontbreekt.")
        sections[name] = _build(cls, values, name)
    shapes = {name: _build(ShapeParams, v, f"shapes.{name}") for name, v in (data.get("shapes") or {}).items()}
    return RetrievalParams(**sections, shapes=shapes)


def _build(cls: type, values: Mapping[str, Any], where: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(values) - set(fields)
    if unknown:
        raise ParamsError(f"Onbekende parameter(s) in [{where}]: {', '.join(sorted(unknown))}.")
    missing = [n for n, f in fields.items() if n not in values and f.default is dataclasses.MISSING]
    if missing:
        raise ParamsError(f"Parameter(s) ontbreken in [{where}]: {', '.join(missing)}.")
    out = {}
    for name, value in values.items():
        kind = fields[name].type
        if kind in ("int", int) and not (isinstance(value, int) and not isinstance(value, bool)):
            raise ParamsError(f"{where}.{name} moet een geheel getal zijn, niet {value!r}.")
        if kind in ("float", float) and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ParamsError(f"{where}.{name} moet een getal zijn, niet {value!r}.")
        if kind in ("bool", bool) and not isinstance(value, bool):
            raise ParamsError(f"{where}.{name} moet true of false zijn, niet {value!r}.")
        if str(kind).startswith("Mapping[str, float]"):
            if not isinstance(value, Mapping) or any(
                isinstance(v, bool) or not isinstance(v, int | float) for v in value.values()
            ):
                raise ParamsError(f"{where}.{name} moet een tabel van getallen zijn, niet {value!r}.")
            value = {k: float(v) for k, v in value.items()}
        out[name] = float(value) if kind in ("float", float) else value
    return cls(**out)


def _apply(data: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in overrides.items():
        *path, last = key.split(".")
        node = data
        for part in path:
            if part not in node and path[0] == "shapes":
                node[part] = {}
            if not isinstance(node.get(part), dict):
                raise ParamsError(f"Onbekende parameter {key!r}.")
            node = node[part]
        if last not in node and path[:1] != ["shapes"]:
            raise ParamsError(f"Onbekende parameter {key!r}.")
        node[last] = value
    return data


def load_params(path: Path | None = None, overrides: Mapping[str, Any] | None = None) -> RetrievalParams:
    """The parameter file (the shipped one by default), with dotted-key overrides applied."""
    path = path or DEFAULT_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ParamsError(f"Kan parameterbestand {path} niet lezen: {err}") from err
    params = from_dict(data)
    return params.with_overrides(overrides) if overrides else params


def params_hash(params: RetrievalParams) -> str:
    canonical = json.dumps(params.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def default_params() -> RetrievalParams:
    """The shipped parameters (read once)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_params()
    return _DEFAULT


_DEFAULT: RetrievalParams | None = None
