"""Fit the answer confidence (index/search/confidence.py) on the gold files, leave-one-file-out.

    .venv/bin/python scripts/fit_confidence.py                  # fit, print the held-out figures
    .venv/bin/python scripts/fit_confidence.py --write          # ... and write params.toml [confidence]
    .venv/bin/python scripts/fit_confidence.py --rows rows.jsonl   # fit on rows of scripts/answer_figures.py

Every seed gold file is held out in turn: a model fitted on the others gives its questions their
confidence. On those held-out confidences the threshold is chosen: the lowest one whose shown
answers are right for at least --precision while answering at least --coverage of the answerable
questions; where none is, the one reaching --coverage (and the script says so). The weights written
are those fitted on all files. The features do not depend on the confidence weights, so the search
runs once.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
PARAMS = ROOT / "index" / "search" / "params.toml"
ANSWERS = ROOT / "eval" / "answers.toml"


def load_rows(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def seed_rows() -> list[dict]:  # type: ignore[type-arg]
    from dataclasses import asdict

    import answer_figures

    rows, _ = answer_figures.collect(answer_figures.seed_files())
    return [asdict(r) for rs in rows.values() for r in rs]


def params_text(text: str, bias: float, threshold: float, weights: dict[str, float]) -> str:
    """params.toml with the [confidence] values and its [confidence.weights] table replaced."""
    block = (
        f"[confidence]\nbias = {bias:.4f}\nthreshold = {threshold:.4f}\n\n[confidence.weights]\n"
        + "".join(f"{name} = {w:.4f}\n" for name, w in weights.items())
        + "\n"
    )
    new, n = re.subn(r"^\[confidence\]\n.*?(?=^\[compare\])", block, text, flags=re.MULTILINE | re.DOTALL)
    if n != 1:
        raise SystemExit("fout: params.toml heeft geen [confidence]-sectie voor [compare]")
    return new


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, help="rows written by scripts/answer_figures.py --rows (else: search)")
    parser.add_argument("--precision", type=float, default=0.90)
    parser.add_argument("--coverage", type=float, default=0.60)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--write", action="store_true", help="write the fitted model into params.toml")
    parser.add_argument("--save", action="store_true", help="write the held-out figures to eval/answers.toml")
    parser.add_argument(
        "--blind",
        type=Path,
        nargs="*",
        default=[],
        help="rows of other gold files (answer_figures.py --rows): scored by the model, never fitted on",
    )
    args = parser.parse_args()

    from index.answer_eval import AnswerRow, curve_table, figures, reliability_table, table, threshold_for
    from index.calibrate import fit_logistic, leave_one_file_out
    from index.search.confidence import FEATURES

    rows = load_rows(args.rows) if args.rows else seed_rows()
    feats = [r["features"] for r in rows]
    right = [r["right"] for r in rows]
    files = [r["file"] for r in rows]
    held_out = leave_one_file_out(feats, right, files, FEATURES, l2=args.l2)
    answerable = [r["answerable"] for r in rows]
    threshold = threshold_for(held_out.tolist(), right, answerable, precision=args.precision, coverage=args.coverage)
    if threshold is None:
        reach = [p for p in figures(_as_rows(rows, held_out, 1.0, AnswerRow)).curve if p.coverage >= args.coverage]
        threshold = reach[0].threshold if reach else 0.5
        print(
            f"precision {args.precision:.2f} at coverage {args.coverage:.2f} is not reached on the held-out folds; "
            f"threshold {threshold:.3f} reaches the coverage"
        )
    scored = _as_rows(rows, held_out, threshold, AnswerRow)
    per_file = {name: figures([r for r in scored if r.file == name]) for name in dict.fromkeys(files)}
    per_file["pooled (held out)"] = figures(scored)
    print(f"leave-one-file-out, threshold {threshold:.3f}:")
    print(table(per_file))
    print("\nreliability (held out, pooled):\n" + reliability_table(per_file["pooled (held out)"]))
    print("\nprecision/coverage (held out, pooled):\n" + curve_table(per_file["pooled (held out)"]))
    model = fit_logistic(feats, right, FEATURES, l2=args.l2)
    print(
        f"\nfitted on all {len(set(files))} files: bias {model.bias:.3f}, "
        + ", ".join(f"{k} {v:.3f}" for k, v in model.weights.items())
    )
    blind = {}
    for path in args.blind:
        other = load_rows(path)
        conf = model.predict([r["features"] for r in other])
        blind[path.stem.removesuffix("_rows")] = figures(_as_rows(other, conf, threshold, AnswerRow))
    if blind:
        print("\nscored by the model fitted on all seed files:\n" + table(blind))
    if args.save:
        ANSWERS.write_text(answers_toml(threshold, per_file, blind), encoding="utf-8")
        print(f"{ANSWERS.relative_to(ROOT)}: written")
    if args.write:
        PARAMS.write_text(
            params_text(PARAMS.read_text(encoding="utf-8"), model.bias, threshold, model.weights), encoding="utf-8"
        )
        print(f"{PARAMS.relative_to(ROOT)}: [confidence] written")
    return 0


def answers_toml(threshold: float, per_file: dict, blind: dict) -> str:  # type: ignore[type-arg]
    """eval/answers.toml: the held-out figures per file and pooled, with the pooled reliability
    table and precision/coverage curve; blind sets scored by the shipped model."""
    lines = [
        "# Answer figures (issue 16): written by `scripts/fit_confidence.py --save`; the README's answer",
        "# table is generated from it by scripts/readme_figures.py --write (tests/test_figures.py checks).",
        "# Seed files: leave-one-file-out confidences; blind sets: the model fitted on all seed files.",
        f"threshold = {threshold:.4f}",
    ]
    for group, figs in (("held_out", per_file), ("blind", blind)):
        for name, f in figs.items():
            d = f.to_dict()
            lines += ["", f'[{group}."{name}"]']
            for key in ("n", "shown", "precision", "answered", "answered_right", "ece", "no_answer_auroc"):
                if d[key] is not None:
                    lines.append(f"{key} = {d[key]!r}")
            lines.append(
                "reliability = ["
                + ", ".join(f"[{b['low']}, {b['n']}, {b['predicted']}, {b['observed']}]" for b in d["reliability"])
                + "]"
            )
            lines.append(
                "curve = ["
                + ", ".join(f"[{p['coverage']}, {p['precision']}, {p['threshold']}]" for p in d["curve"])
                + "]"
            )
    return "\n".join(lines) + "\n"


def _as_rows(rows, confidence, threshold, cls):  # type: ignore[no-untyped-def]
    """The rows with the held-out confidence, shown from `threshold` on."""
    return [
        cls(
            r["file"], r["id"], r["kind"], r["answerable"], bool(r["features"]) and c >= threshold, r["right"], float(c)
        )
        for r, c in zip(rows, confidence, strict=True)
    ]


if __name__ == "__main__":
    sys.exit(main())
