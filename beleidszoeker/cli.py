"""The `beleidszoeker` command. Heavy libraries are imported inside each subcommand so
`beleidszoeker --help` stays instant."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from beleidszoeker.config import get_settings, limit_native_threads

if TYPE_CHECKING:
    from index.retriever import Filters, HybridRetriever

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_SKIPPED = 3  # ran, but some input files were skipped


def cmd_ingest(args: argparse.Namespace) -> int:
    from ingest.manifest import ManifestError
    from ingest.pipeline import run_ingest

    settings = get_settings()
    paths = [Path(p) for p in args.paths] if args.paths else None
    try:
        report = run_ingest(settings, paths, progress=not args.quiet)
    except ManifestError as err:
        print(f"fout: {err}", file=sys.stderr)
        return EXIT_ERROR
    for w in report.warnings:
        print(f"let op: {w}", file=sys.stderr)
    print(report.summary())
    return EXIT_SKIPPED if report.skipped else EXIT_OK


def cmd_index(args: argparse.Namespace) -> int:
    from index.build import build_index

    report = build_index(get_settings(), progress=not args.quiet)
    print(report.summary())
    return EXIT_OK


def _load_retriever() -> HybridRetriever:
    from index.retriever import HybridRetriever

    return HybridRetriever.load(get_settings())


def _read_queries(args: argparse.Namespace) -> list[str]:
    if args.queries == "-":
        return [line.strip() for line in sys.stdin if line.strip()]
    if args.queries:
        try:
            text = Path(args.queries).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise SystemExit(
                f"fout: kan {args.queries} niet lezen ({err}); geef een UTF-8-bestand met een vraag per regel"
            ) from err
        return [line.strip() for line in text.splitlines() if line.strip()]
    if not args.query:
        raise SystemExit("fout: geef een vraag, of --queries BESTAND (- voor stdin)")
    return [" ".join(args.query)]


def _filters(args: argparse.Namespace) -> Filters:
    from index.retriever import Filters

    return Filters(regions=tuple(args.region or ()), docs=tuple(args.doc or ()), years=tuple(args.year or ()))


def _run_queries(args: argparse.Namespace, mode: str) -> int:
    import json

    from beleidszoeker.render import query_error_to_json, render_terminal, result_to_json
    from index.retriever import QueryError

    retriever = _load_retriever()
    filters = _filters(args)
    status = EXIT_OK
    for query in _read_queries(args):
        try:
            if mode == "compare":
                result = retriever.compare(query, per_doc=args.per_doc, filters=filters)
            else:
                result = retriever.search(query, k=args.k, filters=filters)
        except QueryError as err:
            print(f"fout: {err}", file=sys.stderr)
            if args.json:
                print(json.dumps(query_error_to_json(query, str(err)), ensure_ascii=False), flush=True)
            status = EXIT_ERROR
            continue
        if args.json:
            print(json.dumps(result_to_json(result), ensure_ascii=False), flush=True)
        else:
            color = sys.stdout.isatty() and not args.no_color
            print(render_terminal(result, retriever.index.documents, color=color))
            print()
    return status


def cmd_search(args: argparse.Namespace) -> int:
    return _run_queries(args, "search")


def cmd_compare(args: argparse.Namespace) -> int:
    return _run_queries(args, "compare")


def cmd_similar(args: argparse.Namespace) -> int:
    import json

    from beleidszoeker.render import hit_to_json
    from index.retriever import QueryError

    retriever = _load_retriever()
    try:
        hits = retriever.similar(args.chunk_id, k=args.k)
    except QueryError as err:
        print(f"fout: {err}", file=sys.stderr)
        return EXIT_ERROR
    for hit in hits:
        if args.json:
            print(json.dumps(hit_to_json(hit), ensure_ascii=False))
        else:
            c = hit.chunk
            print(f"{hit.score:.3f}  {c.region} — {c.title} — {c.section}\n       {c.text[:200]}")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    import json

    from index.evaluate import evaluate, load_gold

    retriever = _load_retriever()
    items = load_gold(Path(args.gold))
    report = evaluate(
        items,
        lambda q: retriever.search(q, k=10),
        lambda q: retriever.compare(q),
        threshold=retriever.params.threshold,
    )
    print(report.table())
    if args.verbose:
        for row in report.per_item:
            print(json.dumps(row, ensure_ascii=False))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report.to_dict(), indent=1), encoding="utf-8")
    return EXIT_OK


def cmd_app(args: argparse.Namespace) -> int:
    import subprocess

    from beleidszoeker.config import PROJECT_ROOT

    script = PROJECT_ROOT / "app" / "streamlit_app.py"
    print(f"Beleidszoeker start op http://localhost:{args.port}  (stoppen: Ctrl+C)", flush=True)
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(args.port)]
    return subprocess.call(cmd, cwd=PROJECT_ROOT)  # cwd: streamlit reads .streamlit/config.toml there


def _add_query_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="*", help="de vraag (tussen aanhalingstekens)")
    p.add_argument("--queries", metavar="BESTAND", help="een vraag per regel; - leest van stdin")
    p.add_argument("--json", action="store_true", help="een JSON-object per regel per vraag")
    p.add_argument("--region", action="append", help="alleen deze regio (herhaalbaar)")
    p.add_argument(
        "--doc", action="append", help="alleen dit document (het pad binnen het corpus, bijv. visie.pdf; herhaalbaar)"
    )
    p.add_argument("--year", action="append", type=int, help="alleen dit jaar (herhaalbaar)")
    p.add_argument("--no-color", action="store_true", help="geen kleur in de terminal")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="beleidszoeker",
        description="Zoeken en vragen beantwoorden in Nederlandse beleidsdocumenten over jeugdhulp.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="documenten inlezen en in passages knippen (incrementeel)")
    p.add_argument("paths", nargs="*", help="bestanden of mappen (standaard: de map corpus/)")
    p.add_argument("-q", "--quiet", action="store_true", help="geen voortgangsbalk")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("index", help="FAISS- en BM25-index bouwen uit de passages (incrementeel)")
    p.add_argument("-q", "--quiet", action="store_true", help="geen voortgangsbalk")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="een vraag stellen: antwoord en passages met bron")
    _add_query_args(p)
    p.add_argument("--k", type=int, default=10, help="aantal passages (standaard 10)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("compare", help="per regio/document de beste passages over een onderwerp")
    _add_query_args(p)
    p.add_argument("--per-doc", type=int, default=2, help="passages per document (standaard 2)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("similar", help="vergelijkbare passages in andere documenten")
    p.add_argument("chunk_id")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_similar)

    p = sub.add_parser("eval", help="retrieval meten op een gold-bestand (formaat van dev.jsonl)")
    p.add_argument("gold")
    p.add_argument("-v", "--verbose", action="store_true", help="ook per vraag")
    p.add_argument("--json-out", help="schrijf de cijfers ook als JSON")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("app", help="de Streamlit-app starten")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_app)
    return parser


def main(argv: list[str] | None = None) -> int:
    from index.errors import IndexUnavailable

    limit_native_threads()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except IndexUnavailable as err:
        print(f"fout: {err}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
