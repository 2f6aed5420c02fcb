"""The `beleidszoeker` command. Heavy libraries are imported inside each subcommand so
`beleidszoeker --help` stays instant."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from beleidszoeker.config import get_settings

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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
