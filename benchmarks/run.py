"""Run the benchmarks and print one table of figures, each with what produced it.

    .venv/bin/python -m benchmarks.run [--quick] [--sections ingest,query,cold,scale,concurrency,backends]
                                       [--max-scale 1000000] [--data /tmp/benchdata]

Uses its own data directory (default /tmp/benchdata, never the project's data/), builds the index
there when needed, and writes the table to benchmarks/last-run.md as well. Each section runs in a
fresh interpreter. Ratios are measured side by side in the same run (variants interleaved per
query), because the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from beleidszoeker.config import PROJECT_ROOT
from benchmarks.common import (
    DEFAULT_DATA,
    OFFLINE_ENV,
    Figure,
    Report,
    bench_settings,
    cpu_count,
    dev_queries,
    fmt_s,
    load_note,
    render_table,
)

SECTIONS = ("ingest", "query", "cold", "concurrency", "scale", "backends")
OUT = Path(__file__).resolve().parent / "last-run.md"


def scale_sizes(max_scale: int) -> list[int]:
    """10^4, 3*10^4, 10^5, ... up to max_scale (the in-between points make the threshold fit honest)."""
    sizes, n = [], 10_000
    while n <= max_scale:
        sizes.append(n)
        if 3 * n <= max_scale:
            sizes.append(3 * n)
        n *= 10
    return sizes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes for a smoke run (< 2 min once cached)")
    p.add_argument("--sections", default=",".join(SECTIONS), help=f"comma list of {', '.join(SECTIONS)}")
    p.add_argument("--max-scale", type=int, help="largest vector database (default 10^6; --quick 10^4)")
    p.add_argument("--hnsw-max-scale", type=int, help="largest HNSW build (default 10^5: ~4 min per 10^6 more)")
    p.add_argument("--lexical-max-scale", type=int, help="largest BM25 database (default 10^5; --quick 10^4)")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark data dir (default /tmp/benchdata)")
    p.add_argument("--out", type=Path, default=OUT, help="where to write the Markdown table")
    p.add_argument("--child", choices=SECTIONS, help=argparse.SUPPRESS)
    p.add_argument("--figures-out", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    unknown = set(args.sections.split(",")) - set(SECTIONS)
    if unknown:
        p.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if args.data.resolve() == (Path(__file__).resolve().parent.parent / "data").resolve():
        p.error("use a benchmark data dir, not the project's data/")
    return args


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def header(args: argparse.Namespace, argv: list[str]) -> str:
    import faiss
    import numpy

    return "\n".join(
        [
            f"# Benchmark run {datetime.now().isoformat(timespec='seconds')}",
            "",
            f"Command: `{' '.join(['.venv/bin/python -m benchmarks.run', *argv])}`",
            "",
            f"Machine: {cpu_model()}, {cpu_count()} cores; Python "
            f"{platform.python_version()}, numpy {numpy.__version__}, faiss {faiss.__version__}; "
            f"data dir {args.data}; {load_note()} at start.",
        ]
    )


def run_section(section: str, args: argparse.Namespace, report: Report) -> None:
    """One section, in this process (the child)."""
    quick = args.quick
    settings = bench_settings(args.data)
    if section == "ingest":
        from benchmarks import bench_ingest

        bench_ingest.run(report, args.data, quick=quick)
    elif section == "query":
        from benchmarks import bench_query

        bench_query.run(report, settings, dev_queries(), quick=quick)
    elif section == "cold":
        from benchmarks import bench_cold

        bench_cold.run(report, args.data, quick=quick)
    elif section == "concurrency":
        from benchmarks import bench_concurrency

        bench_concurrency.run(report, args.data, quick=quick)
    elif section == "scale":
        from benchmarks import bench_scale

        lexical_max = args.lexical_max_scale or (10_000 if quick else 100_000)
        bench_scale.run(
            report,
            settings,
            sizes=scale_sizes(args.max_scale or (10_000 if quick else 1_000_000)),
            hnsw_max=args.hnsw_max_scale or (10_000 if quick else 100_000),
            lexical_sizes=[n for n in (10_000, 100_000, 1_000_000) if n <= lexical_max],
            bandwidth_gib=1.0,
            n_lat=30 if quick else 60,
        )
    elif section == "backends":
        from benchmarks import bench_backends

        bench_backends.run(report, bench_backends.passages_cache(), quick=quick)


def spawn_section(section: str, argv: list[str], report: Report) -> None:
    """Run a section in a fresh interpreter: no state (torch threads, OpenMP pools, memory) leaks
    from one section into the next, and a crash in native code is reported instead of fatal."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = Path(tmp) / "figures.json"
        cmd = [sys.executable, "-m", "benchmarks.run", *argv, "--child", section, "--figures-out", str(out)]
        proc = subprocess.run(cmd, cwd=PROJECT_ROOT, check=False)
        if out.exists():
            data = json.loads(out.read_text(encoding="utf-8"))
            report.figures += [Figure(**f) for f in data["figures"]]
            report.notes += data["notes"]
        if proc.returncode != 0:
            report.add(
                section, "section failed", f"exit status {proc.returncode} (see output above)", "", " ".join(cmd)
            )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    for var, value in OFFLINE_ENV.items():  # no hub look-ups, in this process and the children
        os.environ.setdefault(var, value)
    if args.child:
        report = Report()
        try:
            run_section(args.child, args, report)
        finally:
            data = {"figures": [asdict(f) for f in report.figures], "notes": report.notes}
            args.figures_out.write_text(json.dumps(data), encoding="utf-8")
        return 0
    sections = [s for s in SECTIONS if s in args.sections.split(",")]
    head = header(args, argv)
    print(head, flush=True)
    report = Report()
    started = time.perf_counter()
    if {"ingest", "query", "cold", "concurrency"} & set(sections):
        from benchmarks.bench_ingest import ensure_index

        ensure_index(bench_settings(args.data))  # builds the benchmark's index once (minutes)
    for section in sections:
        print(f"\n== {section}", flush=True)
        spawn_section(section, argv, report)
    report.note(f"{load_note()} at end; total run time {fmt_s(time.perf_counter() - started)}")
    table = render_table(report, head)
    print("\n" + table)
    args.out.write_text(table, encoding="utf-8")
    print(f"(written to {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
