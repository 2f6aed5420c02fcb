"""Evaluation of the compare view: is a document shown as addressing a topic exactly when it does?

Two measures, both over the documents the view *shows as relevant* (a compare hit whose
`relevant` is true; a document with only a folded-away closest passage does not count):

- gold-document coverage of the comparison questions of gold files (the format of
  shared/eval/dev.jsonl): the share of a question's gold documents shown with a passage that
  holds the gold quote (the relevance rule of index/evaluate.py);
- on a topic set with a label per (topic, document), one JSON object a line,
  ``{"id": "t01", "query": "...", "docs": {"<doc>": {"status": "addresses"|"passing"|"absent", "quote": "..."}}}``:
  the share of "absent" pairs (the document never mentions the topic) shown as relevant, which
  should be near zero, and the share of "addresses" pairs shown as relevant, which should be high.

    python -m index.evaluate_compare --gold eval/extra.jsonl eval/heldout*.jsonl \
        --topics eval/topics/compare_topics.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beleidszoeker.records import SearchResult
from index.evaluate import EvalItem, is_relevant, load_gold, print_report

STATUSES = ("addresses", "passing", "absent")


@dataclass(frozen=True)
class DocLabel:
    status: str
    quote: str = ""


@dataclass(frozen=True)
class Topic:
    id: str
    query: str
    docs: dict[str, DocLabel]


def load_topics(path: Path) -> list[Topic]:
    """A topic set; a status other than addresses/passing/absent is an error naming the line."""
    topics = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        d = json.loads(line)
        docs = {}
        for doc, label in d["docs"].items():
            if label["status"] not in STATUSES:
                raise ValueError(f"{path}:{n}: onbekende status {label['status']!r} (kies uit {', '.join(STATUSES)})")
            docs[doc] = DocLabel(label["status"], label.get("quote", ""))
        topics.append(Topic(d["id"], d["query"], docs))
    return topics


def shown_docs(result: SearchResult) -> set[str]:
    """The documents the compare view shows as having a relevant passage."""
    return {h.chunk.doc for h in result.hits if getattr(h, "relevant", True)}


@dataclass
class CompareReport:
    coverage: dict[str, float] = field(default_factory=dict)  # per gold file: mean gold-document coverage
    coverage_n: dict[str, int] = field(default_factory=dict)
    absent_shown: float = float("nan")
    addresses_shown: float = float("nan")
    passing_shown: float = float("nan")
    pairs: dict[str, int] = field(default_factory=dict)  # number of pairs per status
    per_item: list[dict[str, Any]] = field(default_factory=list)

    def pooled_coverage(self) -> float:
        n = sum(self.coverage_n.values())
        return sum(self.coverage[f] * self.coverage_n[f] for f in self.coverage) / n if n else float("nan")

    def table(self) -> str:
        lines = []
        if self.coverage:
            lines.append(f"{'gold file':<28}{'n':>4}{'cov-cmp':>9}")
            for name, cov in self.coverage.items():
                lines.append(f"{name:<28}{self.coverage_n[name]:>4}{cov:>9.2f}")
            lines.append(f"{'all':<28}{sum(self.coverage_n.values()):>4}{self.pooled_coverage():>9.2f}")
        if self.pairs:
            lines.append(
                f"topics: absent shown as relevant {self.absent_shown:.2f} of {self.pairs.get('absent', 0)} pairs; "
                f"addresses shown {self.addresses_shown:.2f} of {self.pairs.get('addresses', 0)}; "
                f"passing shown {self.passing_shown:.2f} of {self.pairs.get('passing', 0)}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "coverage": self.coverage,
            "coverage_n": self.coverage_n,
            "pooled_coverage": self.pooled_coverage(),
            "absent_shown": self.absent_shown,
            "addresses_shown": self.addresses_shown,
            "passing_shown": self.passing_shown,
            "pairs": self.pairs,
        }


def gold_coverage(items: Iterable[EvalItem], compare: Callable[[str], SearchResult]) -> list[dict[str, Any]]:
    """Per comparison question: the share of its gold documents shown with a passage holding the quote."""
    rows = []
    for item in items:
        if item.kind != "comparison" or not item.gold:
            continue
        result = compare(item.query)
        shown = shown_docs(result)
        hits = [(h.chunk.doc, h.chunk.text) for h in result.hits if h.chunk.doc in shown]
        gold_docs = {g.doc for g in item.gold}
        found = {doc for doc in gold_docs if any(d == doc and is_relevant(d, t, item.gold) for d, t in hits)}
        rows.append({"id": item.id, "coverage": len(found) / len(gold_docs), "missed": sorted(gold_docs - found),
                     "shown": sorted(shown)})
    return rows


def topic_pairs(topics: Iterable[Topic], compare: Callable[[str], SearchResult]) -> list[dict[str, Any]]:
    """One row per labelled (topic, document) pair: its status and whether the view shows it as relevant."""
    rows = []
    for topic in topics:
        shown = shown_docs(compare(topic.query))
        for doc, label in topic.docs.items():
            rows.append({"id": topic.id, "doc": doc, "status": label.status, "shown": doc in shown})
    return rows


def _share(rows: Sequence[dict[str, Any]], status: str) -> float:
    chosen = [r["shown"] for r in rows if r["status"] == status]
    return sum(chosen) / len(chosen) if chosen else float("nan")


def evaluate_compare(
    gold: dict[str, list[EvalItem]], topics: Sequence[Topic], compare: Callable[[str], SearchResult]
) -> CompareReport:
    report = CompareReport()
    for name, items in gold.items():
        rows = gold_coverage(items, compare)
        if rows:
            report.coverage[name] = sum(r["coverage"] for r in rows) / len(rows)
            report.coverage_n[name] = len(rows)
            report.per_item += [{"file": name, **r} for r in rows]
    if topics:
        pairs = topic_pairs(topics, compare)
        report.absent_shown = _share(pairs, "absent")
        report.addresses_shown = _share(pairs, "addresses")
        report.passing_shown = _share(pairs, "passing")
        report.pairs = {s: sum(r["status"] == s for r in pairs) for s in STATUSES}
        report.per_item += pairs
    return report


def main(argv: Sequence[str] | None = None) -> int:
    from beleidszoeker.config import get_settings, limit_native_threads
    from index.retriever import HybridRetriever

    ap = argparse.ArgumentParser(description="Meet de vergelijkweergave op gold-bestanden en een onderwerpenset.")
    ap.add_argument("--gold", nargs="*", default=[], help="gold-bestanden (.jsonl); hun comparison-vragen tellen")
    ap.add_argument("--topics", nargs="*", default=[], help="onderwerpensets met een label per document")
    ap.add_argument("--per-doc", type=int, default=3)
    ap.add_argument("-v", "--verbose", action="store_true", help="een JSON-regel per vraag en per paar")
    ap.add_argument("--json-out", help="schrijf de cijfers als JSON naar dit bestand")
    args = ap.parse_args(argv)
    limit_native_threads()
    retriever = HybridRetriever.load(get_settings())
    known = set(retriever.index.documents)
    gold = {Path(p).name: load_gold(Path(p)) for p in args.gold}
    topics = [t for p in args.topics for t in load_topics(Path(p))]
    for t in topics:
        unknown = set(t.docs) - known
        if unknown:
            print(f"let op: {t.id}: documenten niet in de index: {', '.join(sorted(unknown))}", file=sys.stderr)
    topics = [Topic(t.id, t.query, {d: lab for d, lab in t.docs.items() if d in known}) for t in topics]
    report = evaluate_compare(gold, topics, lambda q: retriever.compare(q, per_doc=args.per_doc))
    print_report(report, verbose=args.verbose, json_out=args.json_out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
