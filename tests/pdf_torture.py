"""A PDF torture suite with ground truth, built from the real Dutch text of the seed corpus.

Each generated page knows the words a person reads on it, in reading order (body first, then
footnotes; never running headers, page numbers or watermarks), so extraction can be scored
exactly: the share of the true word 4-grams recovered in order. Used by tests/test_pdf_layout.py
and benchmarks/bench_pdf.py.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
BODY_FONT, BOLD_FONT = "Helvetica", "Helvetica-Bold"
BODY_SIZE, LEADING = 10.0, 13.0
RUNNING_HEADER = "Programma Samen Sterk voor de Jeugd 2025"
WATERMARK = "Concept"
FOOTNOTE_HEADER = "Handleiding Gezinsplan april 2025"


@dataclass
class TruePage:
    kind: str  # two_column | three_column | footnotes | table | scan | platypus_columns
    words: list[str] = field(default_factory=list)


@dataclass
class TortureSuite:
    path: Path
    pages: list[TruePage]
    table_header: str  # the header row as ' | '-joined cells
    table_rows: list[str]

    def kinds(self) -> list[str]:
        return sorted({p.kind for p in self.pages})


# ---------------------------------------------------------------------------------------------
# Scoring


def words_of(text: str) -> list[str]:
    """Words as scored: NFKC, lowercase, \\w+ runs, soft hyphens ignored."""
    text = unicodedata.normalize("NFKC", text.replace("\u00ad", "")).lower()
    return re.findall(r"\w+", text)


def _ngrams(words: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def in_order_share(truth: Sequence[str], got: Sequence[str], n: int = 4) -> float:
    """Share of the true word n-grams that the extraction has, in the same order (n=1: word accuracy)."""
    want = _ngrams(truth, n)
    if not want:
        return 1.0
    have = _ngrams(got, n)
    matcher = difflib.SequenceMatcher(None, want, have, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(want)


# ---------------------------------------------------------------------------------------------
# Source text


def seed_paragraphs(min_words: int = 30) -> list[str]:
    """Prose paragraphs of the seed corpus that the standard PDF fonts can draw."""
    out: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            text = " ".join(block.split())
            if len(text.split()) < min_words or not text[:1].isupper() or "|" in text:
                continue
            try:
                text.encode("cp1252")
            except UnicodeEncodeError:
                continue
            out.append(text)
    return out


class Source:
    """Hands out seed paragraphs one after another, so every page gets fresh text."""

    def __init__(self) -> None:
        self._paragraphs = seed_paragraphs()
        self._next = 0

    def take(self) -> str:
        text = self._paragraphs[self._next % len(self._paragraphs)]
        self._next += 1
        return text


# ---------------------------------------------------------------------------------------------
# Line breaking with hyphenation


def _split_point(word: str, room: float, font: str, size: float) -> int | None:
    """Where to hyphenate `word` so that its head plus '-' fits in `room`; a plain Dutch syllable-ish cut."""
    if len(word) < 8 or not word.isalpha() or not word.islower():
        return None
    vowels = set("aeiouy")
    for cut in range(len(word) - 4, 3, -1):
        head, tail = word[:cut], word[cut:]
        if head[-1] in vowels and tail[0] in vowels:
            continue
        if stringWidth(head + "-", font, size) <= room:
            return cut
    return None


def wrap(text: str, width: float, font: str = BODY_FONT, size: float = BODY_SIZE) -> list[str]:
    """Greedy line breaking that hyphenates long words at line ends, as typeset documents do."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if stringWidth(candidate, font, size) <= width:
            line = candidate
            continue
        room = width - stringWidth(f"{line} ", font, size) if line else width
        cut = _split_point(word, room, font, size)
        if cut is not None:
            lines.append(f"{line} {word[:cut]}-" if line else f"{word[:cut]}-")
            line = word[cut:]
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------
# Page builders


def _running(c: canvas.Canvas, width: float, height: float, number: int, *, header: str) -> None:
    c.setFont(BODY_FONT, 8)
    c.setFillGray(0.35)
    c.drawString(40, height - 28, header)
    c.drawCentredString(width / 2, 22, f"Pagina {number}")
    c.setFillGray(0)


def _watermark(c: canvas.Canvas, width: float, height: float) -> None:
    c.saveState()
    c.setFillGray(0.85)
    c.setFont(BOLD_FONT, 110)
    c.translate(width / 2, height / 2)
    c.rotate(35)
    c.drawCentredString(0, 0, WATERMARK)
    c.restoreState()


def _columns_page(c: canvas.Canvas, source: Source, number: int, columns: int, footnotes: bool) -> TruePage:
    """A landscape page: a full-width heading, text flowing through the columns, optional footnotes."""
    width, height = landscape(A4)
    margin, gutter = 40.0, 26.0
    col_width = (width - 2 * margin - (columns - 1) * gutter) / columns
    truth = TruePage("three_column" if columns == 3 else "two_column")
    heading = " ".join(source.take().split()[:6]).rstrip(".,;:")
    c.setFont(BOLD_FONT, 16)
    _letterspaced(c, margin, height - 70, heading, BOLD_FONT, 16, tracking=1.2)
    truth.words += words_of(heading)
    notes: list[str] = []
    bottom = 60.0 + (70.0 if footnotes else 0.0)
    col, y = 0, height - 100
    paragraph_budget = 40
    while paragraph_budget and col < columns:
        paragraph_budget -= 1
        text = source.take()
        lines = wrap(text, col_width)
        note_after = len(lines) // 2 if footnotes and len(notes) < 3 and len(lines) > 4 else -1
        placed: list[str] = []
        for i, line in enumerate(lines):
            if y < bottom:
                col, y = col + 1, height - 100
                if col >= columns:
                    break
            x = margin + col * (col_width + gutter)
            c.setFont(BODY_FONT, BODY_SIZE)
            last = i == len(lines) - 1
            if columns == 3 and not last:
                _justified(c, x, y, _soft(line), col_width)
            else:
                c.drawString(x, y, _soft(line) if columns == 3 else line)
            placed.append(line)
            if i == note_after:
                notes.append(" ".join(source.take().split()[:18]).rstrip(".,;:") + ".")
                c.setFont(BODY_FONT, 6)
                end = x + col_width if columns == 3 and not last else x + stringWidth(line, BODY_FONT, BODY_SIZE)
                c.drawString(end + 0.5, y + 4, str(len(notes)))
            y -= LEADING
        truth.words += _joined_words(placed)
        y -= 7
        if len(placed) < len(lines):
            break
    if footnotes:
        c.setLineWidth(0.5)
        c.line(margin, bottom - 12, margin + 150, bottom - 12)
        fy = bottom - 24
        for k, note in enumerate(notes, start=1):
            c.setFont(BODY_FONT, 7.5)
            c.drawString(margin, fy, f"{k} {note}")
            truth.words += words_of(f"{k} {note}")
            fy -= 10
    _running(c, width, height, number, header=RUNNING_HEADER)
    _watermark(c, width, height)
    return truth


def _soft(line: str) -> str:
    """Some producers end a hyphenated line with a soft hyphen (U+00AD) instead of '-'."""
    return line[:-1] + "\u00ad" if line.endswith("-") and line[-2:-1].isalpha() else line


def _justified(c: canvas.Canvas, x: float, y: float, line: str, width: float) -> None:
    """Words spread over the full column width, as justified text is set."""
    words = line.split()
    if len(words) < 2:
        c.drawString(x, y, line)
        return
    natural = sum(stringWidth(w, BODY_FONT, BODY_SIZE) for w in words)
    gap = (width - natural) / (len(words) - 1)
    for word in words:
        c.drawString(x, y, word)
        x += stringWidth(word, BODY_FONT, BODY_SIZE) + gap


def _letterspaced(c: canvas.Canvas, x: float, y: float, text: str, font: str, size: float, tracking: float) -> None:
    """Each letter placed on its own with extra tracking, as DTP headings are: a naive extractor
    reads 'W enkend'."""
    c.setFont(font, size)
    for ch in text:
        c.drawString(x, y, ch)
        x += stringWidth(ch, font, size) + (tracking if ch != " " else 0)


def _joined_words(lines: Sequence[str]) -> list[str]:
    """The words of wrapped lines with line-end hyphenation undone."""
    text = ""
    for line in lines:
        text = text[:-1] + line if text.endswith("-") and text[-2:-1].isalpha() else f"{text} {line}"
    return words_of(text)


def _footnote_page(c: canvas.Canvas, source: Source, number: int, total: int) -> TruePage:
    """Portrait, one column, footnote references glued to words, footnotes at the foot."""
    width, height = A4
    truth = TruePage("footnotes")
    margin = 72.0
    heading = " ".join(source.take().split()[:5]).rstrip(".,;:")
    c.setFont(BOLD_FONT, 14)
    c.drawString(margin, height - 90, heading)
    truth.words += words_of(heading)
    y = height - 120
    notes: list[str] = []
    for _ in range(3):
        lines = wrap(source.take(), width - 2 * margin, size=11)
        lines = lines[:10]
        for i, line in enumerate(lines):
            c.setFont(BODY_FONT, 11)
            c.drawString(margin, y, line)
            if i == 2:
                notes.append(" ".join(source.take().split()[:20]).rstrip(".,;:") + ".")
                c.setFont(BODY_FONT, 7)
                c.drawString(margin + stringWidth(line, BODY_FONT, 11) + 0.5, y + 4.5, str(len(notes)))
            y -= 14.5
        if lines[-1].endswith("-"):
            lines[-1] = lines[-1][:-1]
        truth.words += _joined_words(lines)
        y -= 10
    for marker, font in (("o", BODY_FONT), ("\u2192", "Symbol"), ("\u2022", BODY_FONT)):
        item = " ".join(source.take().split()[:9]).rstrip(".,;:") + ";"
        c.setFont(font, 11)
        c.drawString(margin + 10, y, marker)  # Word's 'o' and arrow bullets, drawn apart from the text
        c.setFont(BODY_FONT, 11)
        c.drawString(margin + 28, y, item)
        truth.words += words_of(item)
        y -= 14.5
    y = 110.0
    c.line(margin, y + 12, margin + 150, y + 12)
    for k, note in enumerate(notes, start=1):
        c.setFont(BODY_FONT, 8)
        c.drawString(margin, y, f"{k} {note}")
        truth.words += words_of(f"{k} {note}")
        y -= 11
    c.setFont(BODY_FONT, 8)
    c.drawString(margin, height - 40, FOOTNOTE_HEADER)
    c.drawRightString(width - margin, 30, f"Pagina {number} van {total}")
    return truth


TABLE_HEADER = ("Onderdeel", "Aandeel", "Bedrag 2025", "Bedrag 2026")


def table_rows(source: Source, n: int) -> list[tuple[str, ...]]:
    """Rows of a budget table: a Dutch label from the seeds, a share and two amounts."""
    labels: list[str] = []
    seen: set[str] = set()
    while len(labels) < n:
        for word in source.take().split():
            word = word.strip(".,;:()'\"")
            if len(word) >= 9 and word.isalpha() and word.lower() not in seen:
                seen.add(word.lower())
                labels.append(word.capitalize())
                if len(labels) == n:
                    break
    rows = []
    for i, label in enumerate(labels):
        share = f"{(i * 7) % 23 + 1}%"
        amounts = (f"€ {1000 + i * 137:,}".replace(",", "."), f"€ {1100 + i * 151:,}".replace(",", "."))
        rows.append((label, share, *amounts))
    return rows


def _table_pages(c: canvas.Canvas, source: Source, number: int, rows: list[tuple[str, ...]]) -> list[TruePage]:
    """A ruled table that starts under a paragraph and runs on to the next page (header printed once)."""
    width, height = A4
    margin = 60.0
    xs = [margin, margin + 170, margin + 260, margin + 360, width - margin]
    pages: list[TruePage] = []
    first = TruePage("table")
    heading = "Tabel 3. Verdeling van het budget per onderdeel"
    c.setFont(BOLD_FONT, 12)
    c.drawString(margin, height - 80, heading)
    first.words += words_of(heading)
    lines = wrap(source.take(), width - 2 * margin, size=10)[:5]
    if lines[-1].endswith("-"):
        lines[-1] = lines[-1][:-1]
    y = height - 105
    for line in lines:
        c.setFont(BODY_FONT, 10)
        c.drawString(margin, y, line)
        y -= 13
    first.words += _joined_words(lines)
    y -= 18
    split = len(rows) * 2 // 3
    chunks = [[TABLE_HEADER, *rows[:split]], rows[split:]]
    for k, chunk in enumerate(chunks):
        truth = first if k == 0 else TruePage("table")
        if k:
            _running(c, width, height, number + k, header=FOOTNOTE_HEADER)
            c.showPage()
            y = height - 80
        top = y + 14
        for r, row in enumerate(chunk):
            bold = k == 0 and r == 0
            c.setFont(BOLD_FONT if bold else BODY_FONT, 10)
            for x, cell in zip(xs, row, strict=False):
                c.drawString(x + 4, y, cell)
            truth.words += words_of(" ".join(row))
            c.line(xs[0], y - 5, xs[-1], y - 5)
            y -= 19
        for x in xs:
            c.line(x, top, x, y + 14)
        c.line(xs[0], top, xs[-1], top)
        pages.append(truth)
    _running(c, width, height, number + len(chunks) - 1, header=FOOTNOTE_HEADER)
    return pages


def _vera_font(size: int):
    import reportlab
    from PIL import ImageFont

    return ImageFont.truetype(os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf"), size)


def scan_image(paragraphs: Sequence[str], dpi: int = 200) -> tuple[bytes, list[str]]:
    """A page of text rendered to a grey-scale PNG, as a scanner delivers it; returns (png, true words)."""
    import numpy as np
    from PIL import Image, ImageDraw

    width_px, height_px = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width_px, height_px), 255)
    draw = ImageDraw.Draw(image)
    size = int(11 / 72 * dpi)
    font = _vera_font(size)
    margin = int(dpi)
    y = margin
    words: list[str] = []
    for text in paragraphs:
        line = ""
        for word in text.split():
            candidate = f"{line} {word}" if line else word
            if draw.textlength(candidate, font=font) > width_px - 2 * margin and line:
                draw.text((margin, y), line, fill=20, font=font)
                y += int(size * 1.45)
                line = word
            else:
                line = candidate
        if line:
            draw.text((margin, y), line, fill=20, font=font)
            y += int(size * 1.45)
        words += words_of(text)
        y += size
        if y > height_px - 2 * margin:
            break
    # A scanner's marks: a slight skew and grain (deterministic, so the score is reproducible).
    image = image.rotate(0.6, resample=Image.Resampling.BICUBIC, fillcolor=255)
    specks = np.random.default_rng(7).random((image.size[1], image.size[0])) < 0.01
    pixels = np.asarray(image).copy()
    pixels[specks] = np.minimum(pixels[specks], 170)
    image = Image.fromarray(pixels)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue(), words


def _scan_page(c: canvas.Canvas, source: Source) -> TruePage:
    width, height = A4
    paragraphs = [" ".join(source.take().split()[:70]) for _ in range(3)]
    png, words = scan_image(paragraphs)
    c.drawImage(ImageReader(io.BytesIO(png)), 0, 0, width=width, height=height)
    return TruePage("scan", words)


def platypus_columns_page(path: Path, source: Source) -> TruePage:
    """A two-column page laid out by reportlab's own typesetter (platypus frames, justified
    paragraphs, a heading frame across both columns): a second, independent producer."""
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    width, height = landscape(A4)
    margin, gutter = 45.0, 30.0
    col = (width - 2 * margin - gutter) / 2
    body_h = height - 2 * margin - 60
    frames = [
        Frame(margin, height - margin - 50, width - 2 * margin, 50, id="kop"),
        Frame(margin, margin, col, body_h, id="links"),
        Frame(margin + col + gutter, margin, col, body_h, id="rechts"),
    ]
    style = ParagraphStyle("body", fontName=BODY_FONT, fontSize=9.5, leading=12.5, alignment=TA_JUSTIFY,
                           spaceAfter=6)
    head_style = ParagraphStyle("kop", fontName=BOLD_FONT, fontSize=15, leading=18)

    def furniture(c: canvas.Canvas, _doc: object) -> None:
        _running(c, width, height, 1, header=RUNNING_HEADER)

    doc = BaseDocTemplate(str(path), pagesize=landscape(A4), pageTemplates=[
        PageTemplate(id="twee", frames=frames, onPage=furniture)])
    from reportlab.platypus import FrameBreak

    heading = " ".join(source.take().split()[:7]).rstrip(".,;:")
    story: list[object] = [Paragraph(heading, head_style), FrameBreak()]
    truth = TruePage("platypus_columns", words_of(heading))
    room = 2 * body_h - 40
    while True:
        text = source.take()
        para = Paragraph(text, style)
        _, h = para.wrap(col, body_h)
        if h + 6 > room:
            break
        room -= h + 6
        story.append(para)
        truth.words += words_of(text)
    doc.build(story)
    return truth


# ---------------------------------------------------------------------------------------------
# The suite


def build_suite(path: Path, *, scan: bool = True) -> TortureSuite:
    """Write the torture PDF to `path`: 2 x two-column, 2 x three-column (one with footnotes),
    3 x footnote pages with bullet lists, a table over two pages and (optionally) one scanned page."""
    source = Source()
    rows = table_rows(source, 36)
    c = canvas.Canvas(str(path), pagesize=A4)
    pages: list[TruePage] = []
    number = 1
    for columns, notes in ((2, False), (2, True), (3, False), (3, True)):
        c.setPageSize(landscape(A4))
        pages.append(_columns_page(c, source, number, columns, notes))
        c.showPage()
        number += 1
    c.setPageSize(A4)
    for _ in range(3):
        pages.append(_footnote_page(c, source, number, 99))
        c.showPage()
        number += 1
    table = _table_pages(c, source, number, rows)
    pages += table
    c.showPage()
    number += len(table)
    if scan:
        pages.append(_scan_page(c, source))
        c.showPage()
    c.save()
    extra = path.with_name(path.stem + "-platypus.pdf")
    pages.append(platypus_columns_page(extra, source))
    _append_pdf(path, extra)
    return TortureSuite(path, pages, " | ".join(TABLE_HEADER), [" | ".join(r) for r in rows])


def _append_pdf(path: Path, extra: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(path))
    writer.append(PdfReader(extra))
    with path.open("wb") as fh:
        writer.write(fh)


def page_scores(suite: TortureSuite, page_texts: Sequence[str], n: int = 4) -> Iterator[tuple[str, float]]:
    """(kind, in-order share of true n-grams) per page."""
    for truth, text in zip(suite.pages, page_texts, strict=True):
        yield truth.kind, in_order_share(truth.words, words_of(text), n)
