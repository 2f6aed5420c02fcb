"""Retrieval evaluation on a gold file in the format of shared/eval/dev.jsonl.

Relevance rule (kept exactly as the outside evaluation defines it): a hit is relevant to a
gold quote when the doc matches and at least half of the quote's word 4-grams (NFKC,
lowercase, `\\w+` tokens) occur in the hit's text. Alternatives in `gold` count as any-of.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beleidszoeker.records import SearchResult

WORD = re.compile(r"\w+")
KINDS = ("advisor", "english", "comparison", "no_answer")


@dataclass(frozen=True)
class GoldQuote:
    doc: str
    quote: str


@dataclass(frozen=True)
class EvalItem:
    id: str
    kind: str
    query: str
    gold: tuple[GoldQuote, ...]


def load_gold(path: Path) -> list[EvalItem]:
    items = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            d = json.loads(line)
            gold = tuple(GoldQuote(g["doc"], g["quote"]) for g in d.get("gold", []))
            items.append(EvalItem(d["id"], d.get("kind", "advisor"), d["query"], gold))
    return items


def words(text: str) -> list[str]:
    return WORD.findall(unicodedata.normalize("NFKC", text).lower())


def ngrams(tokens: Sequence[str], n: int = 4) -> set[tuple[str, ...]]:
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def quote_overlap(quote: str, text: str) -> float:
    """Fraction of the quote's word 4-grams that occur in `text`."""
    q = ngrams(words(quote))
    if not q:
        return 0.0
    t = ngrams(words(text), n=len(next(iter(q))))
    return len(q & t) / len(q)


def is_relevant(doc: str, text: str, gold: Sequence[GoldQuote]) -> bool:
    return any(doc == g.doc and quote_overlap(g.quote, text) >= 0.5 for g in gold)


def first_relevant_rank(hits: Sequence[tuple[str, str]], gold: Sequence[GoldQuote]) -> int | None:
    """1-based rank of the first relevant (doc, text) hit, or None."""
    for rank, (doc, text) in enumerate(hits, start=1):
        if is_relevant(doc, text, gold):
            return rank
    return None


def _fmt(x: float) -> str:
    """A figure for the table; 'n.v.t.' where the file has no questions to compute it from."""
    return "n.v.t." if math.isnan(x) else f"{x:.2f}"


def auroc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    if not positive or not negative:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


@dataclass
class KindMetrics:
    n: int = 0
    r1: float = 0.0
    r5: float = 0.0
    r10: float = 0.0
    mrr10: float = 0.0
    answer_in_gold: float = 0.0
    search_doc_coverage: float = 0.0
    compare_doc_coverage: float = 0.0
    failures: list[str] = field(default_factory=list)


@dataclass
class EvalReport:
    kinds: dict[str, KindMetrics]
    no_answer_auroc: float
    abstain_on_no_answer: float
    answered_answerable: float
    threshold: float
    per_item: list[dict[str, Any]]
    params_hash: str = ""  # the search parameters the results came from (index/search/params.toml)

    def table(self) -> str:
        head = (
            f"{'kind':<11}{'n':>4}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR@10':>8}"
            f"{'ans∈gold':>10}{'cov@10':>8}{'cov-cmp':>9}"
        )
        lines = [head, "-" * len(head)]
        for kind, m in self.kinds.items():
            if kind == "no_answer":
                continue
            lines.append(
                f"{kind:<11}{m.n:>4}{m.r1:>7.2f}{m.r5:>7.2f}{m.r10:>7.2f}{m.mrr10:>8.2f}{m.answer_in_gold:>10.2f}"
                f"{m.search_doc_coverage:>8.2f}{m.compare_doc_coverage:>9.2f}"
            )
        lines.append(
            f"no-answer: AUROC {_fmt(self.no_answer_auroc)}; abstains on {_fmt(self.abstain_on_no_answer)} of "
            f"no-answer questions, answers {_fmt(self.answered_answerable)} of answerable ones "
            f"(threshold {self.threshold:.2f})"
        )
        if math.isnan(self.no_answer_auroc):
            lines.append("(AUROC n.v.t.: daarvoor zijn vragen met én zonder antwoord (kind no_answer) nodig)")
        if self.params_hash:
            lines.append(f"parameters: {self.params_hash}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kinds": {k: dict(vars(m)) for k, m in self.kinds.items()},
            "no_answer_auroc": self.no_answer_auroc,
            "abstain_on_no_answer": self.abstain_on_no_answer,
            "answered_answerable": self.answered_answerable,
            "threshold": self.threshold,
            "params_hash": self.params_hash,
        }


def evaluate(
    items: Sequence[EvalItem],
    search: Callable[[str], SearchResult],
    compare: Callable[[str], SearchResult] | None = None,
    *,
    threshold: float = 0.5,
) -> EvalReport:
    """Run every question through `search` (top-10) and, for comparison items, `compare`."""
    per_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    per_item = []
    hashes: set[str] = set()
    for item in items:
        result = search(item.query)
        hashes.add(result.params_hash)
        hits = [(h.chunk.doc, h.chunk.text) for h in result.hits[:10]]
        rank = first_relevant_rank(hits, item.gold) if item.gold else None
        row: dict[str, Any] = {
            "id": item.id,
            "kind": item.kind,
            "rank": rank,
            "confidence": result.confidence,
            "answerable": result.answerable,
        }
        if item.gold:
            answer = result.answer
            row["answer_in_gold"] = bool(
                answer and any(answer.doc == g.doc and _inside(answer.text, g.quote) for g in item.gold)
            )
            gold_docs = {g.doc for g in item.gold}
            row["search_doc_coverage"] = len(gold_docs & _relevant_docs(hits, item.gold)) / len(gold_docs)
            if compare is not None and item.kind == "comparison":
                # Only documents the view shows as addressing the topic count (a folded-away closest passage does not).
                cmp_hits = [(h.chunk.doc, h.chunk.text) for h in compare(item.query).hits if h.relevant is not False]
                row["compare_doc_coverage"] = len(gold_docs & _relevant_docs(cmp_hits, item.gold)) / len(gold_docs)
        per_kind[item.kind].append(row)
        per_item.append(row)

    kinds = {kind: _aggregate(rows) for kind, rows in per_kind.items()}
    answerable = [r["confidence"] for r in per_item if r["kind"] != "no_answer"]
    unanswerable = [r["confidence"] for r in per_item if r["kind"] == "no_answer"]
    return EvalReport(
        kinds=kinds,
        no_answer_auroc=auroc(answerable, unanswerable),
        abstain_on_no_answer=_mean([not r["answerable"] for r in per_item if r["kind"] == "no_answer"]),
        answered_answerable=_mean([r["answerable"] for r in per_item if r["kind"] != "no_answer"]),
        threshold=threshold,
        per_item=per_item,
        params_hash=",".join(sorted(h for h in hashes if h)),
    )


def _relevant_docs(hits: Sequence[tuple[str, str]], gold: Sequence[GoldQuote]) -> set[str]:
    return {g.doc for g in gold for doc, text in hits if doc == g.doc and quote_overlap(g.quote, text) >= 0.5}


def _inside(answer: str, quote: str) -> bool:
    """The answer sentence lies in the gold passage: most of its words are in the quote, in order."""
    a, q = words(answer), words(quote)
    if not a:
        return False
    qgrams = ngrams(q, 2)
    agrams = ngrams(a, 2)
    return len(agrams & qgrams) / max(1, len(agrams)) >= 0.5


def _aggregate(rows: list[dict[str, Any]]) -> KindMetrics:
    m = KindMetrics(n=len(rows))
    if not rows or rows[0]["kind"] == "no_answer":
        return m
    ranks = [r["rank"] for r in rows]
    m.r1 = _mean([r is not None and r <= 1 for r in ranks])
    m.r5 = _mean([r is not None and r <= 5 for r in ranks])
    m.r10 = _mean([r is not None and r <= 10 for r in ranks])
    m.mrr10 = _mean([1.0 / r if r else 0.0 for r in ranks])
    m.answer_in_gold = _mean([r.get("answer_in_gold", False) for r in rows])
    m.search_doc_coverage = _mean([r.get("search_doc_coverage", 0.0) for r in rows])
    m.compare_doc_coverage = _mean([r["compare_doc_coverage"] for r in rows if "compare_doc_coverage" in r])
    m.failures = [r["id"] for r in rows if r["rank"] is None or r["rank"] > 5]
    return m


def _mean(values: Sequence[float | bool]) -> float:
    return sum(float(v) for v in values) / len(values) if values else 0.0


def print_report(report: Any, *, verbose: bool, json_out: str | None) -> None:
    """An eval report as the CLIs print it: the table, each item's row when verbose, JSON on request."""
    print(report.table())
    if verbose:
        for row in report.per_item:
            print(json.dumps(row, ensure_ascii=False))
    if json_out:
        Path(json_out).write_text(json.dumps(report.to_dict(), indent=1), encoding="utf-8")
