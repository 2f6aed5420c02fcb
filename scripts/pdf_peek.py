"""Print the first words of several pages of PDFs as the loader reads them, to look at by eye.

    .venv/bin/python scripts/pdf_peek.py ../shared/pdfs/*.pdf [--words 60] [--pages 1,2,6]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from beleidszoeker.records import DocMeta
from ingest.loaders import IngestError, load_document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pdfs", nargs="+", type=Path)
    parser.add_argument("--words", type=int, default=60)
    parser.add_argument("--pages", default="", help="comma-separated page numbers (default: about six spread out)")
    args = parser.parse_args(argv)
    for path in args.pdfs:
        try:
            doc = load_document(path, DocMeta(file=path.name, title=path.stem, region=""), max_bytes=1 << 30)
        except IngestError as err:
            print(f"== {err}")
            continue
        n = len(doc.pages)
        wanted = [int(p) for p in args.pages.split(",") if p] or sorted({1, 2, 3, n // 3, n // 2, n - 1, n} - {0})
        print(f"== {path.name}: {n} pagina's, {len(doc.text)} tekens")
        for number in wanted:
            if not 1 <= number <= n:
                continue
            page = doc.pages[number - 1]
            words = doc.text[page.start : page.end].split()
            ocr = " (OCR)" if page.ocr else ""
            print(f"-- p. {number} (label {page.label}){ocr}: {' '.join(words[: args.words])}")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
