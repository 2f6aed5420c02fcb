"""Text of every PDF page in reading order: PDFium glyphs laid out by `pdf_layout`, OCR where needed.

A page needs OCR when it has (almost) no glyphs but shows an image, or when its glyphs have no
Unicode mapping (the text layer is garbage). A table that runs on from one page to the next
gets its header row repeated at the top of the continuation, as printed tables do, so every
row stays readable with its column names.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field

from ingest import ocr
from ingest.pdf_layout import PageLayout, drop_watermarks, layout_page, page_glyphs

# A page with fewer glyphs than this and an image covering this share of it is a scan.
SCAN_MAX_GLYPHS = 40
SCAN_MIN_IMAGE_SHARE = 0.3


@dataclass
class PdfPage:
    text: str
    ocr: bool = False
    margins: frozenset[int] | None = None  # lines in the page margins (None: not known, e.g. OCR)
    skipped: str = ""  # why a page that needed OCR has no text
    garbage: bool = False  # the text layer had no Unicode mapping (the page was sent to OCR)


@dataclass
class PdfText:
    pages: list[PdfPage] = field(default_factory=list)

    @property
    def ocr_pages(self) -> int:
        return sum(p.ocr for p in self.pages)


class PdfOpenError(Exception):
    """PDFium cannot open the file (the loader turns this into its Dutch message)."""


def read_pdf(data: bytes, *, password: str | None = None) -> PdfText:
    """All pages of a PDF as text, in reading order."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data, password=password)
    except Exception as err:  # PdfiumError: damaged, encrypted, not a PDF
        raise PdfOpenError(str(err)) from err
    sha = hashlib.sha256(data).hexdigest()
    layouts: list[PageLayout | None] = []
    result = PdfText()
    try:
        for index in range(len(doc)):
            page = doc[index]
            try:
                layout, ocr_page = _read_page(page, sha, index)
            finally:
                page.close()
            layouts.append(layout)
            result.pages.append(ocr_page)
    finally:
        doc.close()
    text_layouts = [lay for lay in layouts if lay is not None]
    drop_watermarks(text_layouts)
    repeat_table_headers(layouts)
    for layout, page in zip(layouts, result.pages, strict=True):
        if layout is not None:
            page.text = "\n".join(layout.lines)
            page.margins = frozenset(layout.margins)
    return result


def _read_page(page: object, sha: str, index: int) -> tuple[PageLayout | None, PdfPage]:
    try:
        glyphs, bad = page_glyphs(page)
    except Exception:
        glyphs, bad = [], 0
    layout = layout_page(glyphs, bad, page.get_height())  # type: ignore[attr-defined]
    visible = sum(1 for g in glyphs if not g.ch.isspace())
    needs_ocr = layout.garbage or (visible < SCAN_MAX_GLYPHS and _image_share(page) >= SCAN_MIN_IMAGE_SHARE)
    if not needs_ocr:
        return layout, PdfPage("")
    result = ocr.ocr_page(page, sha, index)
    if result.text is None:
        return None, PdfPage("", skipped=result.reason, garbage=layout.garbage)
    return None, PdfPage(_tidy_ocr(result.text), ocr=True, garbage=layout.garbage)


def _image_share(page: object) -> float:
    """Share of the page area covered by image objects (a scan covers nearly all of it)."""
    import pypdfium2.raw as raw

    width, height = page.get_size()  # type: ignore[attr-defined]
    area = 0.0
    try:
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=3):  # type: ignore[attr-defined]
            left, bottom, right, top = obj.get_bounds()
            area += max(0.0, min(right, width) - max(left, 0)) * max(0.0, min(top, height) - max(bottom, 0))
    except Exception:
        return 0.0
    return area / max(1.0, width * height)


def _tidy_ocr(text: str) -> str:
    """Tesseract ends pages with a form feed and may leave trailing blanks on lines."""
    lines = [line.rstrip() for line in text.replace("\f", "\n").splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def repeat_table_headers(layouts: list[PageLayout | None]) -> None:
    """A table that ends one page and starts the next with the same column count continues there:
    give the continuation the header row, unless it already repeats it."""
    for before, after in itertools.pairwise(layouts):
        if before is None or after is None or not before.tables or not after.tables:
            continue
        last, first = before.tables[-1], after.tables[0]
        ends_page = _only_running(before.lines[last.last_line + 1 :])
        starts_page = _only_running(after.lines[: first.first_line])
        if not (ends_page and starts_page and last.columns == first.columns):
            continue
        if after.lines[first.first_line] == last.header:
            continue
        after.lines.insert(first.first_line, last.header)
        after.margins = {i + 1 if i >= first.first_line else i for i in after.margins}
        after.tables[0] = type(first)(last.header, first.columns, first.first_line, first.last_line + 1)


def _only_running(lines: list[str]) -> bool:
    """At most two short lines: a running header or footer, a page number."""
    filled = [line for line in lines if line.strip()]
    return len(filled) <= 2 and all(len(line.split()) <= 10 for line in filled)
