"""Build small real PDFs for loader tests: reportlab draws them, pypdf encrypts or labels them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 72
LINE_HEIGHT = 15


def make_text_pdf(
    path: Path,
    pages: Sequence[Sequence[str]],
    *,
    header: str | None = None,
    footer: Callable[[int, int], str] | None = None,
) -> Path:
    """One page per entry of `pages` (a list of body lines), with an optional running header
    at the top and a footer made by `footer(page_number, page_count)` at the bottom."""
    c = canvas.Canvas(str(path), pagesize=A4)
    total = len(pages)
    for number, lines in enumerate(pages, start=1):
        c.setFont("Helvetica", 9)
        if header:
            c.drawString(LEFT, PAGE_HEIGHT - 40, header)
        if footer:
            c.drawRightString(PAGE_WIDTH - LEFT, 30, footer(number, total))
        c.setFont("Helvetica", 11)
        y = PAGE_HEIGHT - 90
        for line in lines:
            if line:
                c.drawString(LEFT, y, line)
            y -= LINE_HEIGHT
        c.showPage()
    c.save()
    return path


def make_image_only_pdf(path: Path, pages: int = 2) -> Path:
    """Pages with only drawn shapes and no text objects, as a scan looks to a text extractor."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(pages):
        c.setFillGray(0.3)
        c.rect(LEFT, 200, 300, 400, stroke=1, fill=1)
        c.setFillGray(0.8)
        for i in range(20):
            c.rect(LEFT + 10, 210 + i * 18, 280, 8, stroke=0, fill=1)
        c.showPage()
    c.save()
    return path


def encrypt_pdf(src: Path, dst: Path, *, user_password: str, owner_password: str = "eigenaar") -> Path:
    """RC4 encryption: pypdf can read and write it without the optional `cryptography` package."""
    writer = PdfWriter(clone_from=PdfReader(src))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    with dst.open("wb") as fh:
        writer.write(fh)
    return dst


def label_pdf(src: Path, dst: Path, *, roman_front_pages: int) -> Path:
    """Define /PageLabels: i, ii, ... for the front pages, then 1, 2, ... for the rest."""
    writer = PdfWriter(clone_from=PdfReader(src))
    n = len(writer.pages)
    writer.set_page_label(0, roman_front_pages - 1, style="/r")
    writer.set_page_label(roman_front_pages, n - 1, style="/D", start=1)
    with dst.open("wb") as fh:
        writer.write(fh)
    return dst
