"""PDF extraction side by side: candidate libraries and the shipped loader on the torture suite.

    .venv/bin/python -m benchmarks.bench_pdf [--no-scan] [--only NAME,NAME]

Prints one Markdown table: per page type the in-order share of true word 4-grams (the scan page:
word accuracy, 1-grams) for each extractor, and pages/s on the suite (the shipped loader twice:
with a cold OCR cache, where Tesseract reads the scanned page, and with the cache filled). The suite is generated from
the seed corpus by tests/pdf_torture.py, so every figure is exact against the generator's truth.
PyMuPDF is AGPL and not a dependency; it is measured only when it happens to be installed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from pdf_torture import TortureSuite, build_suite, in_order_share, words_of

Extractor = Callable[[Path], list[str]]
PAGE_KINDS = ("two_column", "three_column", "platypus_columns", "footnotes", "table", "scan")


def pypdf_plain(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(path).pages]


def pypdf_layout(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text(extraction_mode="layout") or "" for p in PdfReader(path).pages]


def pdfminer_text(path: Path) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer

    pages = []
    for layout in extract_pages(str(path), laparams=LAParams()):
        pages.append("\n".join(el.get_text() for el in layout if isinstance(el, LTTextContainer)))
    return pages


def pdfplumber_text(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def pypdfium2_text(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        return [page.get_textpage().get_text_bounded() for page in doc]
    finally:
        doc.close()


def pymupdf_text(path: Path) -> list[str]:
    import fitz  # type: ignore[import-not-found]

    with fitz.open(path) as doc:
        return [page.get_text(sort=True) for page in doc]


def shipped(path: Path) -> list[str]:
    from beleidszoeker.records import DocMeta
    from ingest.loaders import load_document

    doc = load_document(path, DocMeta(file=path.name, title="t", region="r"), max_bytes=1 << 30)
    return [doc.text[p.start : p.end] for p in doc.pages]


CANDIDATES: dict[str, Extractor] = {
    "pypdf plain": pypdf_plain,
    "pypdf layout": pypdf_layout,
    "pdfminer.six": pdfminer_text,
    "pdfplumber": pdfplumber_text,
    "pypdfium2": pypdfium2_text,
    "PyMuPDF (AGPL, not shipped)": pymupdf_text,
    "shipped loader": shipped,
    "shipped loader (OCR cached)": shipped,
}


def score(suite: TortureSuite, pages: list[str]) -> dict[str, float]:
    """Mean score per page type; scan pages are scored as word accuracy."""
    per: dict[str, list[float]] = defaultdict(list)
    for truth, text in zip(suite.pages, pages, strict=False):
        n = 1 if truth.kind == "scan" else 4
        per[truth.kind].append(in_order_share(truth.words, words_of(text), n))
    return {kind: sum(v) / len(v) for kind, v in per.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-scan", action="store_true", help="leave out the scanned page (no OCR needed)")
    parser.add_argument("--only", default="", help="comma-separated extractor names")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BELEIDSZOEKER_CACHE"] = str(Path(tmp) / "cache")  # a cold OCR cache, then a warm one
        suite = build_suite(Path(tmp) / "torture.pdf", scan=not args.no_scan)
        kinds = [k for k in PAGE_KINDS if k in suite.kinds()]
        print(f"suite: {len(suite.pages)} pages ({', '.join(kinds)}); 4-gram in-order share, scan: word accuracy\n")
        print("| extractor | " + " | ".join(kinds) + " | pages/s |")
        print("|---|" + "---|" * (len(kinds) + 1))
        wanted = {w.strip() for w in args.only.split(",") if w.strip()}
        for name, extract in CANDIDATES.items():
            if wanted and name not in wanted:
                continue
            try:
                started = time.perf_counter()
                pages = extract(suite.path)
                seconds = time.perf_counter() - started
            except ImportError:
                print(f"| {name} | " + " | ".join("not installed" for _ in kinds) + " | |")
                continue
            if len(pages) != len(suite.pages):
                print(f"| {name} | page count {len(pages)} != {len(suite.pages)} |")
                continue
            scores = score(suite, pages)
            cells = " | ".join(f"{scores[k]:.3f}" for k in kinds)
            print(f"| {name} | {cells} | {len(pages) / seconds:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
