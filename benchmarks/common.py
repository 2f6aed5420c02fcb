"""Shared pieces of the benchmarks: the figures table, timing and statistics, settings and paths.

Only the standard library and numpy at import time; everything heavy is imported by the section
that needs it, so `python -m benchmarks.run --help` is instant.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beleidszoeker.config import PROJECT_ROOT, Settings

DEFAULT_DATA = Path("/tmp/benchdata")
VECTOR_CACHE = Path("/tmp/beleidszoeker-bench")
DEV_QUERIES = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"
CLI = str(Path(sys.executable).parent / "beleidszoeker")
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


# ---- the figures table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    section: str
    name: str
    value: str
    target: str = ""
    config: str = ""


@dataclass
class Report:
    """Figures in the order measured; each is printed as soon as it exists (long runs show progress)."""

    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, section: str, name: str, value: str, target: str = "", config: str = "") -> None:
        fig = Figure(section, name, value, target, config)
        self.figures.append(fig)
        print(f"  [{section}] {name}: {value}" + (f"  (target {target})" if target else ""), flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}", flush=True)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_table(report: Report, header: str) -> str:
    lines = [header, "", "| section | figure | value | target | config / command |", "|---|---|---|---|---|"]
    lines += [
        f"| {f.section} | {_cell(f.name)} | {_cell(f.value)} | {_cell(f.target)} | {_cell(f.config)} |"
        for f in report.figures
    ]
    if report.notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in report.notes]
    return "\n".join(lines) + "\n"


def verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else "MISSED"


# ---- timing and statistics ----------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def repeat(fn: Callable[[], Any], n: int, *, warmup: int = 1) -> list[float]:
    """Seconds of `n` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    return [timed(fn)[0] for _ in range(n)]


def per_item(fn: Callable[[Any], Any], items: Sequence[Any], *, warmup: int = 3) -> list[float]:
    """Seconds of fn(item) for every item, after calling it on the first `warmup` items untimed."""
    for item in items[:warmup]:
        fn(item)
    return [timed(lambda item=item: fn(item))[0] for item in items]


def interleaved(
    fns: dict[str, Callable[[Any], Any]], items: Sequence[Any], *, warmup: int = 3
) -> dict[str, list[float]]:
    """Time several variants on the same items, alternating per item (and rotating which goes
    first) so load from other processes hits all variants alike; ratios stay meaningful."""
    names = list(fns)
    for item in items[:warmup]:
        for name in names:
            fns[name](item)
    out: dict[str, list[float]] = {name: [] for name in names}
    for i, item in enumerate(items):
        for j in range(len(names)):
            name = names[(i + j) % len(names)]
            out[name].append(timed(lambda name=name, item=item: fns[name](item))[0])
    return out


def pct(values: Sequence[float], q: float) -> float:
    """Percentile with linear interpolation (q in 0..100)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt_s(seconds: float) -> str:
    """Human duration: µs, ms or s with 3 significant digits."""
    if seconds != seconds:  # NaN
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s" if seconds < 100 else f"{seconds:.0f} s"


def fmt_p(values: Sequence[float]) -> str:
    return f"p50 {fmt_s(pct(values, 50))}, p95 {fmt_s(pct(values, 95))}"


# ---- settings, inputs, subprocesses -----------------------------------------------------------------


def bench_settings(data_dir: Path) -> Settings:
    """The project's settings with the benchmark's own data directory (never the project's data/)."""
    return Settings(data_dir=data_dir)


def bench_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, **OFFLINE_ENV, "BELEIDSZOEKER_DATA": str(data_dir), **extra}
    env.pop("BELEIDSZOEKER_ANN_THRESHOLD", None)
    return env


def run_timed(cmd: Sequence[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall seconds of a subprocess (start to exit) and its result; raises on failure."""
    t0 = time.perf_counter()
    proc = subprocess.run(list(cmd), env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 3):  # 3: some input files skipped, still a successful run
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds, proc


def run_timed_cpu(cmd: Sequence[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str], float]:
    """Like run_timed, plus the child's CPU seconds (user + system): busy-waiting shows up here."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, proc = run_timed(cmd, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, proc, cpu


def dev_queries(path: Path = DEV_QUERIES) -> list[str]:
    """The development questions, used only as a list of realistic queries."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["query"] for line in fh if line.strip()]


def single_thread_blas() -> AbstractContextManager[Any]:
    """numpy's BLAS limited to one thread (for bandwidth floors and fair single-thread figures)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {cpu_count()} cores"
