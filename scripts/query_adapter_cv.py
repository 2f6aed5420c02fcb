"""Experiment (not shipped): a learned linear query adapter, measured leave-one-file-out.

    .venv/bin/python scripts/query_adapter_cv.py [--disjoint] [--lam 0.1] [--tau 0.03]

For every gold file, a matrix W = I + A is trained on the questions of the helper-written files
in eval/ (never on ../shared/eval/dev.jsonl, never on the file under test): the adapted query
vector W q must rank each question's gold passages and sentences above all others (softmax over
the corpus), with lam * |A|^2 keeping W near the identity. The retriever then ranks with W q;
answers, confidence and the compare floor keep the model's own cosines. `--disjoint` also drops
training questions whose gold passages are gold for the file under test, which measures what
the adapter learns beyond the facts the files share. docs/evaluation.md has the figures.
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from dataclasses import replace
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import torch

from beleidszoeker.config import PROJECT_ROOT, get_settings
from index.evaluate import EvalItem, _aggregate, _inside, auroc, evaluate, is_relevant, load_gold
from index.retriever import HybridRetriever
from index.search.candidates import unit_cosines

DEV = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"


def gold_rows(retriever: HybridRetriever, item: EvalItem) -> list[int]:
    return [row for row, c in enumerate(retriever.index.chunks) if is_relevant(c.doc, c.text, item.gold)]


def gold_units(retriever: HybridRetriever, item: EvalItem) -> list[int]:
    out, k = [], 0
    for row, chunk in enumerate(retriever.index.chunks):
        for s, e in retriever.index.units[row]:
            if any(chunk.doc == g.doc and _inside(chunk.text[s:e], g.quote) for g in item.gold):
                out.append(k)
            k += 1
    return out


def train(retriever: HybridRetriever, items: list[EvalItem], embed: Any, lam: float, tau: float) -> np.ndarray:
    chunks = torch.tensor(np.asarray(retriever.index.embeddings, dtype=np.float32))
    units = torch.tensor(np.asarray(retriever.index.unit_embeddings, dtype=np.float32))
    rows = [(embed(it.query), gold_rows(retriever, it), gold_units(retriever, it)) for it in items if it.gold]
    rows = [r for r in rows if r[1]]
    q0 = torch.tensor(np.stack([r[0] for r in rows]))
    pos_c = torch.zeros(len(rows), chunks.shape[0], dtype=torch.bool)
    pos_u = torch.zeros(len(rows), units.shape[0], dtype=torch.bool)
    for i, (_, pc, pu) in enumerate(rows):
        pos_c[i, pc] = True
        pos_u[i, pu] = True
    has_u = pos_u.any(dim=1)
    torch.manual_seed(0)
    a = torch.zeros(q0.shape[1], q0.shape[1], requires_grad=True)
    opt = torch.optim.Adam([a], lr=2e-3)

    def nll(logits: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        return torch.logsumexp(logits, 1) - torch.logsumexp(logits.masked_fill(~pos, -1e9), 1)

    for _ in range(300):
        opt.zero_grad()
        q = q0 + q0 @ a.T
        q = q / q.norm(dim=1, keepdim=True)
        loss = nll(q @ chunks.T / tau, pos_c).mean()
        loss = loss + 0.5 * nll(q @ units.T / tau, pos_u)[has_u].mean() + lam * (a**2).sum()
        loss.backward()
        opt.step()
    return (torch.eye(q0.shape[1]) + a.detach()).numpy()


class AdaptedRetriever(HybridRetriever):
    """Ranks candidates with the adapted question vector (the FAISS leg); rescoring, answers and the
    rest use the question's own vector."""

    def __init__(self, base: HybridRetriever, w: np.ndarray) -> None:
        super().__init__(base.index, base.embedder, base.params)
        self.w = w

    def candidates(self, question: Any, filters: Any) -> Any:
        v = self.w @ question.vector
        cand = super().candidates(replace(question, vector=(v / np.linalg.norm(v)).astype(np.float32)), filters)
        q = question.vector
        cand.dense = np.asarray(self.index.embeddings[cand.rows], dtype=np.float32) @ q
        best = np.array([unit_cosines(self.index, int(r), q).max(initial=-1.0) for r in cand.rows])
        cand.unit_best = np.where(best < 0, cand.dense, best).astype(np.float32)
        return cand


def run(retriever: HybridRetriever, items: list[EvalItem], w: np.ndarray | None) -> list[dict[str, Any]]:
    """Per-item rows; with `w`, passages are ranked with the adapted vector, the rest is unchanged."""
    r = retriever if w is None else AdaptedRetriever(retriever, w)
    return evaluate(items, lambda q: r.search(q, k=10), r.compare).per_item


def summary(rows: list[dict[str, Any]]) -> str:
    by = defaultdict(list)
    for row in rows:
        by[row["kind"]].append(row)
    a, e, c = (_aggregate(by[k]) for k in ("advisor", "english", "comparison"))
    yes = [r["confidence"] for r in rows if r["kind"] != "no_answer"]
    no = [r["confidence"] for r in rows if r["kind"] == "no_answer"]
    return (
        f"advisor {a.r1:.2f}/{a.r5:.2f}/{a.mrr10:.2f} ans {a.answer_in_gold:.2f} | English R@5 {e.r5:.2f} | "
        f"compare {c.compare_doc_coverage:.2f} | AUROC {auroc(yes, no):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--disjoint", action="store_true", help="train only on facts the test file does not ask")
    parser.add_argument("--lam", type=float, default=0.1)
    parser.add_argument("--tau", type=float, default=0.03)
    args = parser.parse_args()
    retriever = HybridRetriever.load(get_settings())
    cache: dict[str, np.ndarray] = {}
    raw = retriever.embedder.embed_query

    def embed(q: str) -> np.ndarray:
        if q not in cache:
            cache[q] = raw(q)
        return cache[q]

    retriever.embedder.embed_query = embed  # type: ignore[method-assign]
    helpers = sorted((PROJECT_ROOT / "eval").glob("*.jsonl"))
    files = {f: load_gold(f) for f in [DEV, *helpers]}
    pooled: dict[str, list[dict[str, Any]]] = {"model": [], "adapter": []}
    for f, items in files.items():
        train_items = [it for g in helpers if g != f for it in files[g]]
        if args.disjoint:
            asked = {r for it in items if it.gold for r in gold_rows(retriever, it)}
            train_items = [it for it in train_items if not (it.gold and asked & set(gold_rows(retriever, it)))]
        w = train(retriever, train_items, embed, args.lam, args.tau)
        for name, matrix in (("model", None), ("adapter", w)):
            rows = run(retriever, items, matrix)
            pooled[name] += rows
            print(f"{f.name:<16} {name:<8} {summary(rows)}", flush=True)
    for name, rows in pooled.items():
        print(f"{'POOLED':<16} {name:<8} {summary(rows)}")


if __name__ == "__main__":
    main()
