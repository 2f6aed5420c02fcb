"""Answer figures (issue 16): shown answers right, answered share, ECE, reliability, precision/coverage.

    .venv/bin/python scripts/answer_figures.py                       # seeds: ../shared/eval/dev.jsonl + eval/*.jsonl
    .venv/bin/python scripts/answer_figures.py eval/pdfs/blind_pdfs.jsonl   # any gold files (on the configured index)
    .venv/bin/python scripts/answer_figures.py --json out.json --rows rows.jsonl

Runs every question through the configured index (BELEIDSZOEKER_CORPUS / BELEIDSZOEKER_DATA) with
the shipped parameters, prints the per-file table, the pooled reliability table and curve, and
whether nonsense input gets an answer. `--rows` writes one line per question with the confidence
features (scripts/fit_confidence.py fits on them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("BELEIDSZOEKER_SHARED", ROOT.parent / "shared"))


def seed_files() -> list[Path]:
    """The gold files of the shipped corpus, in the README's order (dev first)."""
    ours = sorted((ROOT / "eval").glob("*.jsonl"), key=lambda p: (p.stem != "extra", len(p.stem), p.stem))
    return [SHARED / "eval" / "dev.jsonl", *ours]


def collect(files: list[Path], retriever=None):  # type: ignore[no-untyped-def]
    """(rows per file, nonsense results) on the configured index."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from beleidszoeker.config import get_settings
    from index.answer_eval import NONSENSE, answer_rows
    from index.evaluate import load_gold
    from index.retriever import HybridRetriever

    retriever = retriever or HybridRetriever.load(get_settings())
    rows = {}
    for path in files:
        rows[path.stem] = answer_rows(load_gold(path), lambda q: retriever.search(q, k=10), path.stem)
    nonsense = {q: retriever.search(q, k=10) for q in NONSENSE}
    return rows, nonsense


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="*", type=Path, help="gold files (default: the seeds' gold files)")
    parser.add_argument("--json", type=Path, help="write the figures per file and pooled as JSON")
    parser.add_argument("--rows", type=Path, help="write one JSON line per question (with confidence features)")
    args = parser.parse_args()
    from index.answer_eval import curve_table, figures, reliability_table, table

    rows, nonsense = collect(args.gold or seed_files())
    per_file = {name: figures(r) for name, r in rows.items()}
    pooled = [r for rs in rows.values() for r in rs]
    if len(rows) > 1:
        per_file[f"pooled ({len(rows)} files)"] = figures(pooled)
    print(table(per_file))
    whole = figures(pooled)
    print("\nreliability (pooled):\n" + reliability_table(whole))
    print("\nprecision/coverage (pooled):\n" + curve_table(whole))
    answered = [q for q, res in nonsense.items() if res.answerable and res.answer is not None]
    print("\nnonsense: " + ", ".join(f"{q!r} {res.confidence:.2f}" for q, res in nonsense.items()))
    print(f"nonsense answered: {len(answered)} of {len(nonsense)}" + (f" ({', '.join(answered)})" if answered else ""))
    if args.json:
        data = {name: f.to_dict() for name, f in per_file.items()}
        data["nonsense_answered"] = answered
        args.json.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.rows:
        with args.rows.open("w", encoding="utf-8") as fh:
            for r in pooled:
                fh.write(json.dumps(asdict(r), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
