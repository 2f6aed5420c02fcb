"""The `beleidszoeker` command. Heavy libraries are imported inside each subcommand so
`beleidszoeker --help` stays instant."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

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
    settings = get_settings()
    if settings.qdrant_url:
        from index.backends.qdrant_build import Part, index_into_qdrant

        try:
            part = Part.parse(args.alleen or "", args.deel or "")
        except ValueError as err:
            print(f"fout: {err}", file=sys.stderr)
            return EXIT_ERROR
        print(index_into_qdrant(settings, part=part, rebuild=args.opnieuw, progress=not args.quiet).summary())
        return EXIT_OK
    if args.alleen or args.deel:
        print("fout: --alleen en --deel gelden alleen voor een Qdrant-collectie (BELEIDSZOEKER_QDRANT_URL)",
              file=sys.stderr)
        return EXIT_ERROR
    from index.build import build_index

    report = build_index(settings, progress=not args.quiet)
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


def _filters(args: argparse.Namespace, retriever: HybridRetriever) -> Filters:
    """The user's filter values resolved against the index (case, aliases); unknown ones are an error."""
    from beleidszoeker.filters import resolve_filters
    from index.retriever import Filters

    r = resolve_filters(args.region or (), args.doc or (), args.year or (), retriever.index.documents)
    return Filters(regions=r.regions, docs=r.docs, years=r.years)


def _run_queries(args: argparse.Namespace, mode: str) -> int:
    import json

    from beleidszoeker.filters import FilterError
    from beleidszoeker.render import query_error_to_json, render_compare_terminal, render_terminal, result_to_json
    from index.retriever import QueryError

    queries = _read_queries(args)
    retriever = _load_retriever()
    try:
        filters = _filters(args, retriever)
    except FilterError as err:
        for line in str(err).splitlines():
            print(f"fout: {line}", file=sys.stderr)
        return EXIT_ERROR
    status = EXIT_OK
    for query in queries:
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
            if mode == "compare":
                print(render_compare_terminal(result, color=color))
            else:
                print(render_terminal(result, retriever.index.documents, color=color))
            print()
    return status


def cmd_search(args: argparse.Namespace) -> int:
    return _run_queries(args, "search")


def cmd_compare(args: argparse.Namespace) -> int:
    return _run_queries(args, "compare")


def cmd_similar(args: argparse.Namespace) -> int:
    import json

    from beleidszoeker.records import Hit
    from beleidszoeker.render import hit_to_json, render_similar_terminal
    from beleidszoeker.similar_marks import mark_similar_sentences
    from index.retriever import QueryError

    retriever = _load_retriever()
    try:
        hits = retriever.similar(args.chunk_id, k=args.k)
    except QueryError as err:
        print(f"fout: {err} De id's staan in de uitvoer van `beleidszoeker search` (achter 'id') "
              "en in het veld chunk_id van `search --json`.", file=sys.stderr)
        return EXIT_ERROR
    hits = mark_similar_sentences(retriever.index, args.chunk_id, hits)
    if args.json:
        for hit in hits:
            print(json.dumps(hit_to_json(hit), ensure_ascii=False))
        return EXIT_OK
    source = Hit(retriever.index.chunks[retriever.index.row_of[args.chunk_id]], 1.0)
    print(render_similar_terminal(source, hits, color=sys.stdout.isatty() and not args.no_color))
    return EXIT_OK


def _read_gold(path: Path) -> bytes | None:
    if not path.exists():
        print(f"fout: gold-bestand {path} bestaat niet. Meegeleverde voorbeelden: eval/extra.jsonl, "
              "eval/heldout.jsonl; het formaat staat in de README (Gold-bestand).", file=sys.stderr)
        return None
    if path.is_dir():
        print(f"fout: {path} is een map; geef een .jsonl-bestand", file=sys.stderr)
        return None
    try:
        return path.read_bytes()
    except OSError as err:
        print(f"fout: kan {path} niet lezen ({err.strerror})", file=sys.stderr)
        return None


def cmd_eval(args: argparse.Namespace) -> int:

    from beleidszoeker.display import count_label
    from beleidszoeker.goldfile import check_gold
    from index.evaluate import EvalItem, GoldQuote, evaluate, print_report

    path = Path(args.gold)
    data = _read_gold(path)
    if data is None:
        return EXIT_ERROR
    retriever = _load_retriever()
    check = check_gold(data, path.name, set(retriever.index.documents))
    if not check.ok:
        for problem in check.problems:
            print(f"fout: {problem}", file=sys.stderr)
        print(f"{count_label(len(check.problems), 'probleem', 'problemen')} in {path}; er is niets gemeten. "
              "Herstel het bestand en probeer opnieuw.", file=sys.stderr)
        return EXIT_ERROR
    items = [EvalItem(g.id, g.kind, g.query, tuple(GoldQuote(d, q) for d, q in g.gold)) for g in check.items]
    report = evaluate(
        items,
        lambda q: retriever.search(q, k=10),
        lambda q: retriever.compare(q),
        threshold=retriever.params.threshold,
    )
    print_report(report, verbose=args.verbose, json_out=args.json_out)
    return EXIT_OK


def cmd_app(args: argparse.Namespace) -> int:
    from beleidszoeker.config import PROJECT_ROOT
    from beleidszoeker.serve import busy_port_message, port_free, run_child

    if not port_free(args.port):
        print(busy_port_message(args.port), file=sys.stderr)
        return EXIT_ERROR
    script = PROJECT_ROOT / "app" / "streamlit_app.py"
    print(f"Beleidszoeker start op http://localhost:{args.port}  (stoppen: Ctrl+C)", flush=True)
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(args.port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    code = run_child(cmd, PROJECT_ROOT)  # cwd: streamlit reads .streamlit/config.toml there
    print("Beleidszoeker is gestopt.", flush=True)
    return code


def _count(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `minimum`, with a Dutch message otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is geen geheel getal") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is te klein; geef {minimum} of meer")
        return value

    return parse


def _year(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is geen jaartal (bijv. 2021)")
    return int(text)


class DutchParser(argparse.ArgumentParser):
    """argparse with its error line in Dutch: 'fout: ...' and where to find help."""

    def error(self, message: str) -> NoReturn:
        for en, nl in ARGPARSE_NL:
            message = message.replace(en, nl)
        self.print_usage(sys.stderr)
        self.exit(2, f"fout: {message}\nHulp: {self.prog} --help\n")


ARGPARSE_NL = (
    ("the following arguments are required", "verplicht maar niet gegeven"),
    ("argument ", "optie "),
    ("invalid choice", "onbekende keuze"),
    ("choose from", "kies uit"),
    ("unrecognized arguments", "onbekende opties"),
    ("expected one argument", "verwacht een waarde"),
)


def cmd_wachtwoord(args: argparse.Namespace) -> int:
    """Print a salted hash of the admin password, to set instead of the password itself."""
    import getpass

    from app.auth import HASH_ENV, hash_password

    if sys.stdin.isatty():
        first = getpass.getpass("Nieuw beheerderswachtwoord: ")
        if getpass.getpass("Nog een keer: ") != first:
            print("fout: de twee wachtwoorden verschillen; er is niets aangemaakt", file=sys.stderr)
            return EXIT_ERROR
    else:
        first = sys.stdin.readline().rstrip("\n")
    if len(first) < 8:
        print("fout: kies een wachtwoord van minstens 8 tekens", file=sys.stderr)
        return EXIT_ERROR
    print(f"{HASH_ENV}='{hash_password(first)}'")
    return EXIT_OK


def _add_query_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="*", help="de vraag (tussen aanhalingstekens)")
    p.add_argument("--queries", metavar="BESTAND", help="een vraag per regel; - leest van stdin")
    p.add_argument("--json", action="store_true", help="een JSON-object per regel per vraag")
    p.add_argument("--region", action="append", help="alleen deze regio: naam of andere naam, hoofdletters maken "
                   "niet uit (herhaalbaar)")
    p.add_argument(
        "--doc", action="append", help="alleen dit document (het pad binnen het corpus, bijv. visie.pdf; herhaalbaar)"
    )
    p.add_argument("--year", action="append", type=_year, help="alleen dit jaar (herhaalbaar)")
    p.add_argument("--no-color", action="store_true", help="geen kleur in de terminal")


def build_parser() -> argparse.ArgumentParser:
    parser = DutchParser(
        prog="beleidszoeker",
        description="Zoeken en vragen beantwoorden in Nederlandse beleidsdocumenten over jeugdhulp.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=DutchParser)

    p = sub.add_parser("ingest", help="documenten inlezen en in passages knippen (incrementeel)")
    p.add_argument("paths", nargs="*", help="bestanden of mappen (standaard: de map corpus/)")
    p.add_argument("-q", "--quiet", action="store_true", help="geen voortgangsbalk")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("index", help="FAISS- en BM25-index bouwen uit de passages (incrementeel)")
    p.add_argument("-q", "--quiet", action="store_true", help="geen voortgangsbalk")
    p.add_argument("--alleen", metavar="MAP", help="Qdrant: alleen de documenten onder deze map (één werker)")
    p.add_argument("--deel", metavar="I/N", help="Qdrant: alleen deel I van N van de documenten (één werker)")
    p.add_argument("--opnieuw", action="store_true", help="Qdrant: de collectie eerst leegmaken en opnieuw maken")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="een vraag stellen: antwoord en passages met bron")
    _add_query_args(p)
    p.add_argument("--k", type=_count(1), default=10, help="aantal passages (standaard 10)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("compare", help="per regio/document de beste passages over een onderwerp")
    _add_query_args(p)
    p.add_argument("--per-doc", type=_count(1), default=3, help="passages per document (standaard 3)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("similar", help="vergelijkbare passages in andere documenten")
    p.add_argument("chunk_id", help="id van een passage (staat achter elke passage in de uitvoer van search)")
    p.add_argument("--k", type=_count(1), default=5, help="aantal passages (standaard 5)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--no-color", action="store_true", help="geen kleur in de terminal")
    p.set_defaults(func=cmd_similar)

    p = sub.add_parser("eval", help="retrieval meten op een gold-bestand (formaat van dev.jsonl)")
    p.add_argument("gold", help="JSONL-bestand, één vraag per regel (zie README: Gold-bestand)")
    p.add_argument("-v", "--verbose", action="store_true", help="ook per vraag")
    p.add_argument("--json-out", help="schrijf de cijfers ook als JSON")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("wachtwoord", help="beheerderswachtwoord voor de app versleutelen (voor de omgeving)")
    p.set_defaults(func=cmd_wachtwoord)

    p = sub.add_parser("app", help="de Streamlit-app starten")
    p.add_argument("--port", type=_count(1), default=8501, help="poort (standaard 8501)")
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
