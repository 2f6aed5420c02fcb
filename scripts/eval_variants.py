"""Evaluate retrieval variants side by side on a gold file, loading model and index once.

    .venv/bin/python scripts/eval_variants.py ../shared/eval/dev.jsonl

Each variant is a set of overrides of the parameter file (index/search/params.toml, or --params FILE),
as dotted keys ("fusion.dense_weight"); the table shows the headline metrics and the parameters' hash.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from beleidszoeker.config import get_settings
from index.evaluate import KindMetrics, evaluate, load_gold
from index.retriever import HybridRetriever, load_params

VARIANTS: dict[str, dict[str, object]] = {
    "default": {},
    "dense only": {"fusion.dense_weight": 1.0, "fusion.dense_weight_english": 1.0},
    "bm25 only": {"fusion.dense_weight": 0.0, "fusion.dense_weight_english": 0.0},
    "no sentence max-sim": {"fusion.unit_weight": 0.0},
    "dense 0.5": {"fusion.dense_weight": 0.5},
    "dense 0.7": {"fusion.dense_weight": 0.7},
    "unit 0.5": {"fusion.unit_weight": 0.5},
    "names: dense full topic": {"query.topic_weight": 1.0},
    "names: dense whole question": {"query.topic_weight": 0.0},
    "names: boost 0.1": {"fusion.region_boost": 0.1},
    "compare threshold 0.3": {"compare.relevance_threshold": 0.3},
    "compare threshold 0.7": {"compare.relevance_threshold": 0.7},
}


class CachingEmbedder:
    """The embedder with each question embedded once across variants (the Embedder protocol)."""

    def __init__(self, embedder: Any) -> None:
        self._e = embedder
        self.model_id = embedder.model_id
        self._cache: dict[str, Any] = {}

    def embed_query(self, text: str) -> Any:
        if text not in self._cache:
            self._cache[text] = self._e.embed_query(text)
        return self._cache[text]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("gold", type=Path)
    parser.add_argument("--only", nargs="*", help="variant names to run")
    parser.add_argument("--compare", action="store_true", help="also measure the compare view (slower)")
    parser.add_argument("--params", type=Path, help="parameter file the variants start from (default: shipped)")
    parser.add_argument("--set", nargs="*", default=[], help="extra variant: section.key=value ...")
    args = parser.parse_args()
    variants = dict(VARIANTS)
    if args.set:
        variants["custom"] = {k: json.loads(v) for k, v in (kv.split("=", 1) for kv in args.set)}
    if args.only:
        variants = {k: v for k, v in variants.items() if k in args.only or k == "custom"}
    base = load_params(args.params)
    loaded = HybridRetriever.load(get_settings(), params=base)
    embedder = CachingEmbedder(loaded.embedder)
    items = load_gold(args.gold)
    print(f"{'variant':<22} adv R@1  R@5  MRR  ans | eng R@5 | cmp cov | AUROC abst ansd | params")
    for name, overrides in variants.items():
        retriever = HybridRetriever(loaded.index, embedder, base.with_overrides(overrides))
        compare = retriever.compare if args.compare else None
        r = evaluate(items, lambda q, r=retriever: r.search(q, k=10), compare, threshold=retriever.params.threshold)
        a, e, c = (r.kinds.get(kind) or KindMetrics(n=0) for kind in ("advisor", "english", "comparison"))
        print(
            f"{name:<22} {a.r1:8.2f} {a.r5:4.2f} {a.mrr10:4.2f} {a.answer_in_gold:4.2f} | {e.r5:7.2f} | "
            f"{c.compare_doc_coverage:7.2f} | {r.no_answer_auroc:5.2f} {r.abstain_on_no_answer:4.2f} "
            f"{r.answered_answerable:4.2f} | {retriever.params.hash}  fails={a.failures}"
        )


if __name__ == "__main__":
    main()
