"""The README's current-figures table, generated from eval output (eval/expected.toml), never typed.

    .venv/bin/python scripts/readme_figures.py --measure          # evaluate every gold file, print TOML
    .venv/bin/python scripts/readme_figures.py --measure --save   # ... and write it to eval/expected.toml
    .venv/bin/python scripts/readme_figures.py --write            # README table from eval/expected.toml
    .venv/bin/python scripts/readme_figures.py --check            # exit 1 when the README differs

The answer figures (eval/answers.toml, from scripts/fit_confidence.py --save) fill a second block.

eval/expected.toml holds the figures per gold file with a tolerance; tests/test_figures.py checks
that the README matches it (fast) and that a fresh evaluation still gives it (slow).
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "eval" / "expected.toml"
README = ROOT / "README.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
ANSWERS = ROOT / "eval" / "answers.toml"  # written by scripts/fit_confidence.py --save
ANSWERS_START, ANSWERS_END = "<!-- answers:start -->", "<!-- answers:end -->"
SHARED = Path(os.environ.get("BELEIDSZOEKER_SHARED", ROOT.parent / "shared"))

# README column -> (question kind, metric of index.evaluate), or a report-wide metric.
COLUMNS: list[tuple[str, str, str]] = [
    ("advisor R@1", "advisor", "r1"),
    ("R@5", "advisor", "r5"),
    ("MRR@10", "advisor", "mrr10"),
    ("answers", "advisor", "answer_in_gold"),
    ("English R@5", "english", "r5"),
    ("compare coverage", "comparison", "compare_doc_coverage"),
    ("no-answer AUROC", "", "no_answer_auroc"),
    ("abstains", "", "abstain_on_no_answer"),
    ("answered", "", "answered_answerable"),
]


def gold_files() -> list[tuple[str, Path, str]]:
    """(key, path, README label) of every gold file, in the README's order."""
    files = [("dev", SHARED / "eval" / "dev.jsonl", "dev (shared)")]
    ours = sorted((ROOT / "eval").glob("*.jsonl"), key=lambda p: (p.stem != "extra", len(p.stem), p.stem))
    return files + [(p.stem, p, p.stem) for p in ours]


def measure(settings: Any = None) -> dict[str, Any]:
    """Evaluate every gold file and all pooled (search k=10, compare for comparison questions) on
    the index of `settings` (default: the configured one)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from beleidszoeker.config import get_settings
    from index.evaluate import evaluate, load_gold
    from index.retriever import HybridRetriever

    retriever = HybridRetriever.load(settings or get_settings())
    searched: dict[str, Any] = {}
    compared: dict[str, Any] = {}

    def search(q: str) -> Any:
        if q not in searched:
            searched[q] = retriever.search(q, k=10)
        return searched[q]

    def compare(q: str) -> Any:
        if q not in compared:
            compared[q] = retriever.compare(q)
        return compared[q]

    labels = {k: f.get("label") for k, f in load_expected()["files"].items()} if EXPECTED.exists() else {}
    files: dict[str, Any] = {}
    pooled = []
    for key, path, label in gold_files():
        items = load_gold(path)
        pooled += items
        files[key] = {
            "label": labels.get(key) or label,
            **_figures(evaluate(items, search, compare, threshold=retriever.params.threshold)),
        }
    report = evaluate(pooled, search, compare, threshold=retriever.params.threshold)
    n = len(files)
    files["pooled"] = {"label": f"all {n} pooled ({len(pooled)} questions)", **_figures(report)}
    return {"params_hash": retriever.params.hash, "tolerance": 0.005, "files": files}


def _figures(report: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for _, kind, metric in COLUMNS:
        if kind:
            m = report.kinds.get(kind)
            if m is None or m.n == 0 or (metric == "compare_doc_coverage" and not _has_compare(report, kind)):
                continue
            out[f"{kind}.{metric}"] = round(float(getattr(m, metric)), 6)
        else:
            out[metric] = round(float(getattr(report, metric)), 6)
    return out


def _has_compare(report: Any, kind: str) -> bool:
    return any("compare_doc_coverage" in row for row in report.per_item if row["kind"] == kind)


def to_toml(data: dict[str, Any]) -> str:
    lines = [
        "# Expected evaluation figures per gold file: written by `scripts/readme_figures.py --measure --save`,",
        "# checked by tests/test_figures.py (slow: a fresh evaluation within `tolerance`; fast: the README",
        "# table is generated from these). Keys: <question kind>.<metric of index/evaluate.py>.",
        f'params_hash = "{data["params_hash"]}"  # index/search/params.toml the figures were measured with',
        f"tolerance = {data['tolerance']}",
    ]
    for key, figures in data["files"].items():
        lines += ["", f'[files."{key}"]']
        for name, value in figures.items():
            lines.append(f'"{name}" = {value!r}' if name != "label" else f'label = "{value}"')
    return "\n".join(lines) + "\n"


def load_expected(path: Path = EXPECTED) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def table(expected: dict[str, Any]) -> str:
    """The Markdown table of the README, two decimals; blank where a file has no such questions."""
    head = "| file | " + " | ".join(name for name, _, _ in COLUMNS) + " |"
    rows = [head, "|" + "---|" * (len(COLUMNS) + 1)]
    for figures in expected["files"].values():
        cells = []
        for _, kind, metric in COLUMNS:
            value = figures.get(f"{kind}.{metric}" if kind else metric)
            cells.append("" if value is None else f"{value:.2f}")
        rows.append(f"| {figures['label']} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def readme_with(text: str, new_table: str, start: str = START, end: str = END) -> str:
    """The README with the part between the figure markers replaced."""
    if start not in text or end not in text:
        raise SystemExit(f"fout: README.md mist de markeringen {start} en {end}")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{new_table}\n{end}{after}"


def _cell(figures: dict[str, Any], key: str) -> str:
    value = figures.get(key)
    return "" if value is None else f"{value:.2f}"


def answers_table(data: dict[str, Any]) -> str:
    """The README's answer figures: per file, then the pooled reliability table and precision/coverage curve."""
    cols = [("shown right", "precision"), ("answered", "answered"), ("answered right", "answered_right"),
            ("ECE", "ece"), ("no-answer AUROC", "no_answer_auroc")]
    rows = ["| file | n | " + " | ".join(c for c, _ in cols) + " |", "|" + "---|" * (len(cols) + 2)]
    groups = [("held out", data.get("held_out", {})), ("blind", data.get("blind", {}))]
    for group, files in groups:
        for name, f in files.items():
            label = name if group == "held out" else f"{name} (blind)"
            rows.append(f"| {label} | {f['n']} | " + " | ".join(_cell(f, k) for _, k in cols) + " |")
    pooled = next((f for name, f in data.get("held_out", {}).items() if name.startswith("pooled")), None)
    if pooled is None:
        return "\n".join(rows)
    rows += ["", f"Answer card from confidence {data['threshold']:.2f}. Reliability, held out and pooled:", "",
             "| confidence | n | predicted | observed right |", "|---|---|---|---|"]
    rows += [f"| {low:.1f}–{low + 0.1:.1f} | {n} | {p:.2f} | {o:.2f} |" for low, n, p, o in pooled["reliability"]]
    rows += ["", "Precision/coverage, held out and pooled (threshold lowered until each coverage is reached):", "",
             "| answered | shown right | threshold |", "|---|---|---|"]
    rows += [f"| {c:.2f} | {p:.2f} | {t:.3f} |" for c, p, t in pooled["curve"]]
    return "\n".join(rows)


def readme_wanted(readme: str) -> str:
    """The README with both generated blocks as the expected figures say."""
    wanted = readme_with(readme, table(load_expected()))
    if ANSWERS.exists():
        answers = tomllib.loads(ANSWERS.read_text(encoding="utf-8"))
        wanted = readme_with(wanted, answers_table(answers), ANSWERS_START, ANSWERS_END)
    return wanted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", action="store_true", help="evaluate every gold file (a minute or two)")
    parser.add_argument("--save", action="store_true", help="with --measure: write eval/expected.toml")
    parser.add_argument("--write", action="store_true", help="regenerate the README table")
    parser.add_argument("--check", action="store_true", help="exit 1 when the README table differs")
    args = parser.parse_args()
    if args.measure:
        text = to_toml(measure())
        if args.save:
            EXPECTED.write_text(text, encoding="utf-8")
        print(text, end="")
    readme = README.read_text(encoding="utf-8")
    wanted = readme_wanted(readme)
    if args.write and wanted != readme:
        README.write_text(wanted, encoding="utf-8")
        print("README.md: figures table regenerated")
    if args.check and wanted != README.read_text(encoding="utf-8"):
        print("README.md: the figures differ from eval/expected.toml or eval/answers.toml; "
              "run scripts/readme_figures.py --write")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
