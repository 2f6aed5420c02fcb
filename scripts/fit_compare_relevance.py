"""Fit the compare view's relevance model (params.toml [compare] relevance_*) and validate it
leave-one-file-out.

Labelled (topic, document) pairs come from two sources, neither of them a blind set:
- the gold files' advisor and comparison questions: each gold document addresses the question (1);
- eval/topics/compare_topics.jsonl, written for this purpose on the five seed documents: "addresses" (1)
  and "absent" (0, the document never mentions the topic); "passing" pairs are left out.
Topics with no content word the documents use ("???", "asdf") are left out as well: the compare
view rules them out before the model (compare.py). The topic set is split into four folds so that
leaving one file out still leaves absent pairs to fit on.

A document's probability is that of its best judged passage, so the passage depends on the
weights: the fit alternates choosing each document's best passage and refitting (three rounds).

    .venv/bin/python scripts/fit_compare_relevance.py               # LOFO table, reliability, fitted weights
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.evaluate import load_gold  # noqa: E402
from index.evaluate_compare import load_topics  # noqa: E402

MAX_ABSENT_SHOWN = 0.05  # the target: a document not mentioning a topic is shown in at most 5% of pairs
THRESHOLDS = np.round(np.arange(0.5, 0.996, 0.01), 2)
SHARED = Path(os.environ.get("BELEIDSZOEKER_SHARED", ROOT.parent / "shared"))
TOPIC_FOLDS = 4
ROUNDS = 3
RIDGE = 1e-3


@dataclass
class Pair:
    fold: str
    query: str
    doc: str
    label: int
    judged: np.ndarray  # (passages, 3): cosine, coverage, doc_coverage of each judged passage


def gold_files() -> list[Path]:
    files = sorted((ROOT / "eval").glob("*.jsonl"))
    dev = SHARED / "eval" / "dev.jsonl"
    return ([dev] if dev.exists() else []) + [f for f in files if f.name != "compare_topics.jsonl"]


def collect(retriever: object, topics_path: Path) -> list[Pair]:
    """Every labelled pair with the features of its document's judged passages."""
    wanted: list[tuple[str, str, dict[str, int]]] = []
    for path in gold_files():
        for item in load_gold(path):
            if item.kind in ("advisor", "comparison") and item.gold:
                wanted.append((path.name, item.query, {g.doc: 1 for g in item.gold}))
    for i, topic in enumerate(load_topics(topics_path)):
        labels = {d: int(lab.status == "addresses") for d, lab in topic.docs.items() if lab.status != "passing"}
        wanted.append((f"{topics_path.name}#{i % TOPIC_FOLDS + 1}", topic.query, labels))
    pairs = []
    for fold, query, labels in wanted:
        question = retriever.prepare(query)  # type: ignore[attr-defined]
        for view in retriever.compare_docs(question, per_doc=1):  # type: ignore[attr-defined]
            if view.doc in labels and view.judged and _meaningful(retriever, question):
                feats = np.array([[r.cosine, r.coverage, r.doc_coverage] for r in view.judged], dtype=np.float64)
                pairs.append(Pair(fold, query, view.doc, labels[view.doc], feats))
    return pairs


def _meaningful(retriever: object, question: object) -> bool:
    from index.dutch import content_words

    content = " ".join(content_words(question.topic))  # type: ignore[attr-defined]
    return bool(question.english) or (bool(content) and retriever.terms.knows_a_word(content))  # type: ignore


def best_features(pairs: list[Pair], w: np.ndarray) -> np.ndarray:
    """Per pair the features of the judged passage with the highest probability under `w`."""
    rows = []
    for p in pairs:
        z = w[0] + p.judged @ w[1:]
        rows.append(p.judged[int(np.argmax(z))])
    return np.array(rows)


def fit_logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Newton's method for the logistic regression of y on x (bias first), with a tiny ridge."""
    a = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(a.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) + RIDGE * np.r_[0, w[1:]]
        hess = (a * (p * (1 - p))[:, None]).T @ a + RIDGE * np.diag(np.r_[0, np.ones(len(w) - 1)])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def fit(pairs: list[Pair]) -> np.ndarray:
    y = np.array([p.label for p in pairs], dtype=np.float64)
    w = np.array([0.0, 1.0, 1.0, 1.0])  # start: every feature counts
    for _ in range(ROUNDS):
        w = fit_logistic(best_features(pairs, w), y)
    return w


def predict(pairs: list[Pair], w: np.ndarray) -> np.ndarray:
    x = best_features(pairs, w)
    return 1 / (1 + np.exp(-(w[0] + x @ w[1:])))


def reliability(prob: np.ndarray, y: np.ndarray, bins: int = 5) -> tuple[list[str], float]:
    lines, ece = [f"{'bin':<11}{'n':>5}{'predicted':>11}{'observed':>10}"], 0.0
    edges = np.linspace(0, 1, bins + 1)
    for lo, hi in itertools.pairwise(edges):
        sel = (prob >= lo) & ((prob < hi) | (hi == 1.0))
        if sel.any():
            lines.append(f"{lo:.1f}-{hi:.1f}{sel.sum():>10}{prob[sel].mean():>11.2f}{y[sel].mean():>10.2f}")
            ece += sel.sum() / len(prob) * abs(prob[sel].mean() - y[sel].mean())
    return lines, ece


def main() -> int:
    from beleidszoeker.config import get_settings, limit_native_threads
    from index.retriever import HybridRetriever

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--topics", default=str(ROOT / "eval" / "topics" / "compare_topics.jsonl"))
    args = ap.parse_args()
    limit_native_threads()
    retriever = HybridRetriever.load(get_settings())
    pairs = collect(retriever, Path(args.topics))
    folds = sorted({p.fold for p in pairs})
    held = np.zeros(len(pairs))
    for fold in folds:
        test = [i for i, p in enumerate(pairs) if p.fold == fold]
        w = fit([p for p in pairs if p.fold != fold])
        held[test] = predict([pairs[i] for i in test], w)
    y = np.array([p.label for p in pairs])
    absent_shown = {t: float((held[y == 0] >= t).mean()) for t in THRESHOLDS}
    threshold = next((float(t) for t in THRESHOLDS if absent_shown[t] <= MAX_ABSENT_SHOWN), float(THRESHOLDS[-1]))
    print(f"threshold {threshold:.2f}: the lowest at which held-out absent pairs are shown <= {MAX_ABSENT_SHOWN:.0%}")
    print(f"\n{'held-out file':<26}{'pos':>5}{'shown':>7}{'neg':>5}{'shown':>7}")
    for fold in [*folds, "all (held out)"]:
        sel = np.array([p.fold == fold or fold.startswith("all") for p in pairs])
        shown = held[sel] >= threshold
        pos, neg = y[sel] == 1, y[sel] == 0
        print(f"{fold:<26}{pos.sum():>5}{_share(shown[pos]):>7}{neg.sum():>5}{_share(shown[neg]):>7}")
    print(f"\n{'threshold':<11}{'pos shown':>10}{'absent shown':>14}")
    for t in (0.5, 0.8, 0.9, 0.95, threshold):
        print(f"{t:<11.2f}{(held[y == 1] >= t).mean():>10.2f}{(held[y == 0] >= t).mean():>14.2f}")
    lines, ece = reliability(held, y)
    print("\nReliability of the held-out probabilities:")
    print("\n".join(lines))
    print(f"expected calibration error {ece:.3f}")
    w = fit(pairs)
    print("\nFitted on all pairs (params.toml [compare]):")
    print(f"relevance_bias = {w[0]:.2f}\nrelevance_cosine = {w[1]:.2f}\nrelevance_coverage = {w[2]:.2f}\n"
          f"relevance_doc_coverage = {w[3]:.2f}\nrelevance_threshold = {threshold:.2f}")
    return 0


def _share(mask: np.ndarray) -> str:
    return "n.v.t." if len(mask) == 0 else f"{mask.mean():.2f}"


if __name__ == "__main__":
    raise SystemExit(main())
