"""Dump what search, compare and similar return for every gold question, or check it against a dump.

    .venv/bin/python scripts/compare_outputs.py --write /tmp/outputs.json
    .venv/bin/python scripts/compare_outputs.py --check /tmp/outputs.json

For refactorings that must not change behaviour: rankings (chunk ids), scores, the answer (text
and offsets), the confidence, the highlights and the compare hits of each question are recorded;
`--check` says "identical on N/N" or lists the first differences (floats equal to 1e-6).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from beleidszoeker.config import get_settings
from beleidszoeker.records import Hit, SearchResult
from index.retriever import HybridRetriever

ROOT = Path(__file__).resolve().parents[1]
# The dev set lives beside the checkout (../shared); a worktree elsewhere finds it via BELEIDSZOEKER_SHARED.
SHARED = Path(os.environ.get("BELEIDSZOEKER_SHARED", ROOT.parent / "shared"))
GOLD = [SHARED / "eval" / "dev.jsonl", *sorted((ROOT / "eval").glob("*.jsonl"))]
TOLERANCE = 1e-6


def _hit(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.chunk.id,
        "score": hit.score,
        "dense": hit.dense_score,
        "lexical": hit.lexical_score,
        "answer_spans": [list(s) for s in hit.answer_spans],
        "term_spans": [list(s) for s in hit.term_spans],
    }


def _result(result: SearchResult) -> dict[str, Any]:
    a = result.answer
    return {
        "answerable": result.answerable,
        "confidence": result.confidence,
        "answer": None
        if a is None
        else {"text": a.text, "doc": a.doc, "start": a.start, "end": a.end, "chunk": a.chunk_id},
        "named_regions": list(result.named_regions),
        "hits": [_hit(h) for h in result.hits],
    }


def dump(retriever: HybridRetriever) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in GOLD:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            key = f"{path.name}:{item['id']}"
            search = retriever.search(item["query"], k=10)
            entry: dict[str, Any] = {"query": item["query"], "search": _result(search)}
            if item.get("kind") == "comparison":
                entry["compare"] = _result(retriever.compare(item["query"], per_doc=2))
            if search.hits:
                entry["similar"] = [_hit(h) for h in retriever.similar(search.hits[0].chunk.id, k=5)]
            out[key] = entry
    return out


def differences(old: Any, new: Any, path: str = "", tolerance: float = TOLERANCE) -> list[str]:
    """Where two dumps differ: exact for everything but floats, which may differ by `tolerance`."""
    if isinstance(old, float) or isinstance(new, float):
        ok = isinstance(old, int | float) and isinstance(new, int | float) and abs(old - new) <= tolerance
        return [] if ok else [f"{path}: {old!r} != {new!r}"]
    if isinstance(old, dict) and isinstance(new, dict):
        if old.keys() != new.keys():
            return [f"{path}: keys {sorted(old)} != {sorted(new)}"]
        return [d for k in old for d in differences(old[k], new[k], f"{path}.{k}", tolerance)]
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{path}: {len(old)} items != {len(new)}"]
        pairs = enumerate(zip(old, new, strict=True))
        return [d for i, (a, b) in pairs for d in differences(a, b, f"{path}[{i}]", tolerance)]
    return [] if old == new else [f"{path}: {old!r} != {new!r}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the outputs of the current code here")
    group.add_argument("--check", type=Path, help="compare the current code's outputs with this dump")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE,
                        help=f"largest float difference counted equal (default {TOLERANCE}; another backend's "
                        "float32 rounding: 1e-4)")
    args = parser.parse_args()
    outputs = dump(HybridRetriever.load(get_settings()))
    if args.write:
        args.write.write_text(json.dumps(outputs, ensure_ascii=False, indent=0), encoding="utf-8")
        print(f"{len(outputs)} questions written to {args.write}")
        return 0
    baseline = json.loads(args.check.read_text(encoding="utf-8"))
    same = 0
    for key in baseline:
        diff = differences(baseline[key], outputs.get(key), key, args.tolerance)
        if diff:
            print("\n".join(diff[:5]))
        else:
            same += 1
    print(f"identical on {same}/{len(baseline)}")
    return 0 if same == len(baseline) and outputs.keys() == baseline.keys() else 1


if __name__ == "__main__":
    sys.exit(main())
