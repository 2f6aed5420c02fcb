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


def make_zero_page_pdf(path: Path) -> Path:
    """A syntactically valid PDF whose page tree is empty."""
    writer = PdfWriter()
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def make_unmapped_font_pdf(path: Path, pages: int = 2) -> Path:
    """Text drawn in a font whose glyph names map to no Unicode character and that has no
    /ToUnicode table: the text layer is garbage ('/g65/g66...'), as with some broken exports."""
    content = b"BT /F1 12 Tf 72 720 Td (ABCDEFG HIJKL ABCD EFGH IJKL ABCDE) Tj 0 -16 Td (ABCD EFGH IJKL) Tj ET"
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    differences = " ".join(f"/g{n}" for n in range(65, 77))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
        f"/Differences [65 {differences} 32 /g32] >> >>".encode(),
    ]
    for i in range(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(out)
    return path


def make_scanned_pdf(path: Path, paragraphs: Sequence[str]) -> Path:
    """One page that is only an image of printed text (a scan), rendered with PIL."""
    import io

    from pdf_torture import scan_image
    from reportlab.lib.utils import ImageReader

    png, _ = scan_image(paragraphs)
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(io.BytesIO(png)), 0, 0, width=PAGE_WIDTH, height=PAGE_HEIGHT)
    c.showPage()
    c.save()
    return path


def merge_pdfs(parts: Sequence[Path], dst: Path) -> Path:
    """The pages of `parts` one after another (a document of mixed origin)."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(part))
    with dst.open("wb") as fh:
        writer.write(fh)
    return dst
