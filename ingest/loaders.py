"""Turn one source file (.txt, .md, .pdf, .docx) into a `Document`.

Every later offset refers to `Document.text`, so the loader decides once what the text is:
plain-text files keep their decoded content; PDFs are read in reading order by `ingest.pdf_text`
(glyph positions, tables, footnotes, OCR for scans), then lose running headers, footers and page
numbers and get their line-end hyphenation repaired; Word files become light markdown so the
chunker sees headings, lists and tables.

Any file that cannot be ingested raises `IngestError` with a one-line Dutch message that
names the file and says what to do; no other exception type escapes for a bad file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from beleidszoeker.records import DocMeta, Document, PageSpan

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.oxml.numbering import CT_NumPr
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from pypdf import PdfReader

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".pdf", ".docx"})

PAGE_SEPARATOR = "\n\n"
# Lines this close to the top or bottom of a page may be running headers/footers.
EDGE_LINES = 3
# A header/footer repeats on at least this share of the pages (and on at least MIN_RUNNING_PAGES).
RUNNING_SHARE = 0.4
MIN_RUNNING_PAGES = 3
# In layout-mode text, a gap of this many spaces or more separates table cells.
CELL_GAP = 4
# Share of control / private-use / replacement characters above which text is not real text.
MAX_BAD_CHAR_SHARE = 0.01


class IngestError(Exception):
    """A file that cannot be ingested; str(err) is a one-line Dutch reason for the user."""


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def load_document(path: Path, meta: DocMeta, *, max_bytes: int) -> Document:
    """Read `path` into a Document, or raise IngestError saying why it cannot be used."""
    path = Path(path)
    data = _read_checked(path, max_bytes)
    suffix = path.suffix.lower()
    pages: tuple[PageSpan, ...] = ()
    if suffix in {".txt", ".md"}:
        text = decode_text(data, path.name)
    elif suffix == ".pdf":
        text, pages = _load_pdf(data, path.name)
    else:
        text = _load_docx(data, path.name)
    if not text.strip():
        raise IngestError(f"{path.name}: leeg bestand (geen tekst gevonden); vul het aan of haal het uit het manifest")
    return Document(meta=meta, text=text, pages=pages, sha256=hashlib.sha256(data).hexdigest())


# ---------------------------------------------------------------------------------------------
# Files


def _read_checked(path: Path, max_bytes: int) -> bytes:
    """Check suffix, existence and size before reading, so a huge file is never parsed."""
    name = path.name
    if not is_supported(path):
        kind = path.suffix.lower() or "zonder extensie"
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise IngestError(f"{name}: bestandstype {kind} wordt niet ondersteund; gebruik een van: {supported}")
    if not path.exists():
        raise IngestError(f"{name}: bestand niet gevonden ({path}); controleer de bestandsnaam en de map")
    if not path.is_file():
        raise IngestError(f"{name}: is geen gewoon bestand; geef het pad naar een bestand op")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(
                f"{name}: bestand is {format_size(size)}, groter dan de limiet van {format_size(max_bytes)}; "
                "splits het bestand of verhoog BELEIDSZOEKER_MAX_FILE_MB"
            )
        if size == 0:
            raise IngestError(f"{name}: leeg bestand (0 bytes); vervang het door een bestand met inhoud")
        return path.read_bytes()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise IngestError(f"{name}: kan het bestand niet lezen ({reason}); controleer de rechten") from err


def format_size(n: int) -> str:
    """Human size with a Dutch decimal comma: '512 bytes', '1,5 MB'."""
    if n < 1024:
        return f"{n} bytes"
    value = float(n)
    for unit in ("kB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} {unit}"


# ---------------------------------------------------------------------------------------------
# Plain text


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file: BOM-marked UTF-8/16/32, then UTF-8, then cp1252 if it reads as text."""
    text = _decode_bytes(data)
    if text is None:
        raise IngestError(
            f"{name}: onleesbare tekstcodering (geprobeerd: UTF-8, UTF-16, Windows-1252); "
            "sla het bestand op als UTF-8 en probeer opnieuw"
        )
    return text.replace("\r\n", "\n")


def _decode_bytes(data: bytes) -> str | None:
    boms = (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    )
    for bom, encoding in boms:
        if data.startswith(bom):
            return _try_decode(data, encoding)
    candidates = ["utf-8"]
    utf16 = _guess_bomless_utf16(data)
    if utf16:
        candidates.insert(0, utf16)
    candidates.append("cp1252")
    for encoding in candidates:
        text = _try_decode(data, encoding)
        if text is not None:
            return text
    return None


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if looks_like_text(text) else None


def _guess_bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM shows as NUL bytes on every other position (for Latin text)."""
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    odd = sample[1::2].count(0)
    even = sample[0::2].count(0)
    if odd > 2 * even:
        return "utf-16-le"
    if even > 2 * odd:
        return "utf-16-be"
    return None


def looks_like_text(text: str, *, allow_private_use: bool = False) -> bool:
    """True when control, private-use and replacement characters are rare (binary data is not).

    PDFs may use private-use code points for symbol-font bullets, so they can be allowed.
    """
    if not text:
        return True
    bad_categories = {"Cc", "Cs"} if allow_private_use else {"Cc", "Co", "Cs"}
    bad = sum(1 for ch in text if _is_bad_char(ch, bad_categories))
    return bad <= MAX_BAD_CHAR_SHARE * len(text)


def _is_bad_char(ch: str, bad_categories: set[str]) -> bool:
    if ch in "\n\r\t\f\v":
        return False
    return ch == "\ufffd" or unicodedata.category(ch) in bad_categories


# ---------------------------------------------------------------------------------------------
# PDF


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs repairs of harmless damage ('Ignoring wrong pointing object') as warnings."""
    logger = logging.getLogger("pypdf")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _load_pdf(data: bytes, name: str) -> tuple[str, tuple[PageSpan, ...]]:
    """pypdf checks the file (damage, encryption, page labels); PDFium reads it in reading order."""
    from ingest.pdf_text import PdfOpenError, read_pdf

    with _quiet_pypdf():
        reader = _open_pdf(data, name)
        try:
            n_pages = len(reader.pages)
            defined_labels = _defined_page_labels(reader, n_pages)
        except IngestError:
            raise
        except Exception as err:
            raise _corrupt_pdf(name) from err
    if n_pages == 0:
        raise IngestError(f"{name}: PDF zonder pagina's; exporteer het document opnieuw naar PDF")
    try:
        pdf = read_pdf(data)
    except PdfOpenError as err:
        raise _corrupt_pdf(name) from err
    raw = [page.text for page in pdf.pages]
    if not any(text.strip() for text in raw):
        skipped = next((page.skipped for page in pdf.pages if page.skipped), "")
        if any(page.garbage for page in pdf.pages):
            raise IngestError(
                f"{name}: tekstlaag is onleesbaar (lettertype zonder tekenkoppeling) en OCR leverde geen tekst op"
                f"{f' ({skipped})' if skipped else ''}; maak de PDF opnieuw doorzoekbaar met OCR (bijv. ocrmypdf "
                "--force-ocr)"
            )
        if skipped:
            raise IngestError(f"{name}: geen tekstlaag en geen OCR mogelijk: {skipped}")
        raise IngestError(
            f"{name}: geen tekstlaag; OCR nodig (de PDF bevat alleen afbeeldingen of scans); "
            "maak de PDF doorzoekbaar met OCR (bijv. ocrmypdf) en probeer opnieuw"
        )
    if not looks_like_text("".join(raw), allow_private_use=True):
        raise IngestError(
            f"{name}: tekstlaag is onleesbaar (lettertype zonder tekenkoppeling); OCR nodig; "
            "maak de PDF opnieuw doorzoekbaar met OCR (bijv. ocrmypdf --force-ocr)"
        )
    cleaned = clean_pdf_pages(raw, [page.margins for page in pdf.pages])
    labels = defined_labels or cleaned.labels
    text, spans = join_pages(cleaned.pages, labels)
    return text, tuple(replace(span, ocr=page.ocr) for span, page in zip(spans, pdf.pages, strict=True))


def _open_pdf(data: bytes, name: str) -> PdfReader:
    from pypdf import PasswordType, PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as err:
        raise _corrupt_pdf(name) from err
    if encrypted:
        try:
            result = reader.decrypt("")
        except Exception as err:  # e.g. AES without the `cryptography` package
            raise IngestError(
                f"{name}: versleuteld met een beveiliging die niet geopend kan worden ({type(err).__name__}); "
                "sla het op zonder beveiliging en probeer opnieuw"
            ) from err
        if result == PasswordType.NOT_DECRYPTED:
            raise IngestError(
                f"{name}: versleuteld met een wachtwoord; sla het op zonder beveiliging en probeer opnieuw"
            )
    return reader


def _corrupt_pdf(name: str) -> IngestError:
    return IngestError(
        f"{name}: beschadigd of geen geldige PDF; open het in een PDF-lezer, sla het opnieuw op als PDF "
        "en probeer opnieuw"
    )


@dataclass(frozen=True)
class RawPage:
    """One page as text: layout-style lines (used) and plain text (reference for glyph repairs)."""

    layout: str
    plain: str


def _defined_page_labels(reader: PdfReader, n_pages: int) -> list[str] | None:
    """Page labels the PDF itself defines (/PageLabels); pypdf invents '1', '2', ... otherwise."""
    try:
        root = reader.trailer["/Root"]
        if "/PageLabels" not in root:
            return None
        labels = list(reader.page_labels)
    except Exception:
        return None
    return labels if len(labels) == n_pages and all(labels) else None


# ---------------------------------------------------------------------------------------------
# PDF text cleaning (pure functions)


@dataclass
class CleanedPages:
    """Cleaned text and label per page, plus the header/footer lines removed from each (for inspection)."""

    pages: list[str]
    labels: list[str]
    removed: list[list[str]] = field(default_factory=list)


def clean_pdf_pages(
    raw: Sequence[RawPage | str], margins: Sequence[frozenset[int] | None] | None = None
) -> CleanedPages:
    """Remove running headers/footers and page numbers, tidy lines, repair hyphenation, find labels.

    `margins` gives, per page, the indices of the lines that lie in the page's top and bottom
    margins (known from the layout); only those may be running lines. None: the edge lines.
    """
    layouts = [normalize_chars(p.layout if isinstance(p, RawPage) else p) for p in raw]
    plains = [normalize_chars(p.plain) if isinstance(p, RawPage) else None for p in raw]
    lines_per_page = [[line.strip() for line in text.splitlines()] for text in layouts]
    edges = [
        sorted(margins[i]) if margins is not None and margins[i] is not None else edge_indices(lines)
        for i, lines in enumerate(lines_per_page)
    ]
    running = find_running_keys(lines_per_page, edges=edges)
    kept_pages: list[list[str]] = []
    removed_pages: list[list[str]] = []
    candidates: list[set[int]] = []
    for lines, page_edges in zip(lines_per_page, edges, strict=True):
        kept, removed = strip_running_lines(lines, running, edges=page_edges)
        kept_pages.append(kept)
        removed_pages.append(removed)
        candidates.append(page_number_candidates(removed, running))
    tidied = [
        tidy_layout_lines(lines, _whitespace_collapsed(plain) if plain is not None else None)
        for lines, plain in zip(kept_pages, plains, strict=True)
    ]
    vocabulary = Vocabulary.from_text("\n".join("\n".join(lines) for lines in tidied))
    pages = ["\n".join(dehyphenate_lines(lines, vocabulary)) for lines in tidied]
    labels = choose_page_labels(candidates)
    return CleanedPages(pages=pages, labels=labels, removed=removed_pages)


_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})


# Symbol fonts (Wingdings, Symbol) put bullets in the private-use area; at a line start they are bullets.
_PRIVATE_USE_BULLET = re.compile(r"(?m)^([ \t]*)[\ue000-\uf8ff]")


# Other bullet glyphs at a line start ('o', '⦁', '→' from Word and DTP lists) become '•' as well.
_OTHER_BULLET = re.compile(r"(?m)^([ \t]*)(?:[⦁→➢➤►▶✓√◆❖]|o(?=[ \t]+[^\W\d_]))(?=[ \t])")


def normalize_chars(text: str) -> str:
    """Undo ligatures, non-breaking spaces and symbol-font bullets; they break term and list matching."""
    text = text.translate(_LIGATURES).replace("\xa0", " ").replace("\u202f", " ")
    text = _PRIVATE_USE_BULLET.sub(r"\1•", text)
    return _OTHER_BULLET.sub(r"\1•", text)


def line_key(line: str) -> str:
    """Compare lines as running headers do: digits vary (page numbers, dates), spacing varies."""
    collapsed = " ".join(line.replace("|", " ").split()).lower()
    return re.sub(r"\d+", "#", collapsed)


def edge_indices(lines: Sequence[str], zone: int = EDGE_LINES) -> list[int]:
    """Indices of the first and last `zone` non-blank lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:zone]) | set(filled[-zone:])) if filled else []


def find_running_keys(
    pages: Sequence[Sequence[str]],
    zone: int = EDGE_LINES,
    share: float = RUNNING_SHARE,
    min_pages: int = MIN_RUNNING_PAGES,
    edges: Sequence[Sequence[int]] | None = None,
) -> set[str]:
    """Keys of lines that recur near the top/bottom of many pages: running headers and footers.

    A recurring line either repeats verbatim ('Geldend van 24-12-2025') or differs only by a
    number that runs in step with the page ('12/46'). Lines of the same shape whose numbers do
    not follow the pages ('Artikel 3' at the top of some pages) are content and stay.
    """
    seen: dict[str, list[tuple[int, str]]] = {}
    for number, lines in enumerate(pages, start=1):
        where = edges[number - 1] if edges is not None else edge_indices(lines, zone)
        for key, line in {line_key(lines[i]): lines[i] for i in where}.items():
            seen.setdefault(key, []).append((number, " ".join(line.split())))
    needed = max(min_pages, math.ceil(share * len(pages)))
    return {
        key
        for key, occurrences in seen.items()
        if re.search(r"[^\W\d_]", key) and _running_support(occurrences) >= needed
    }


def _running_support(occurrences: Sequence[tuple[int, str]]) -> int:
    """Pages on which a line shape recurs verbatim, or with a number in step with the page number."""
    verbatim = Counter(line for _, line in occurrences).most_common(1)[0][1]
    in_step: Counter[int] = Counter()
    for number, line in occurrences:
        in_step.update({int(digits) - number for digits in re.findall(r"\d{1,6}", line)})
    return max(verbatim, max(in_step.values(), default=0))


_PAGE_NUMBER_LINE = re.compile(
    r"""^(?:
        (?:pagina|page|blz\.?|pag\.|p\.)\s*(?P<a>\d{1,4})(?:\s*(?:van|of|/)\s*\d{1,4})?
      | [-–—]\s*(?P<b>\d{1,4})\s*[-–—]
      | (?P<c>\d{1,4})(?:\s*/\s*\d{1,4})?
      | (?P<d>\d{1,4})\s*\|.{0,80}
      | .{0,80}\|\s*(?P<e>\d{1,4})
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_TRAILING_NUMBER = re.compile(r"(?:^|[\s|])(\d{1,4})(?:\s*/\s*\d{1,4})?$")
_LEADING_NUMBER = re.compile(r"^(\d{1,4})(?:\s*/\s*\d{1,4})?(?=[\s|])")


def page_number_of_line(line: str) -> int | None:
    """The number if the whole line is a page number: '3', '3/46', 'Pagina 3 van 46', '- 3 -', '3 | Titel'."""
    match = _PAGE_NUMBER_LINE.match(" ".join(line.split()))
    if not match:
        return None
    return int(next(g for g in match.groups() if g is not None))


def strip_running_lines(
    lines: Sequence[str], running: set[str], zone: int = EDGE_LINES, edges: Sequence[int] | None = None
) -> tuple[list[str], list[str]]:
    """Drop edge lines that are running headers/footers or bare page numbers; return (kept, removed)."""
    drop = {
        i
        for i in (edges if edges is not None else edge_indices(lines, zone))
        if lines[i].strip()
        if line_key(lines[i]) in running or page_number_of_line(lines[i]) is not None
    }
    kept = [line for i, line in enumerate(lines) if i not in drop]
    removed = [lines[i] for i in sorted(drop)]
    return kept, removed


def page_number_candidates(removed: Sequence[str], running: set[str]) -> set[int]:
    """Numbers that may be the printed page number, taken from the removed header/footer lines."""
    found: set[int] = set()
    for line in removed:
        collapsed = " ".join(line.split())
        number = page_number_of_line(collapsed)
        if number is not None:
            found.add(number)
        if line_key(collapsed) in running:
            for pattern in (_TRAILING_NUMBER, _LEADING_NUMBER):
                match = pattern.search(collapsed)
                if match:
                    found.add(int(match.group(1)))
    return found


def choose_page_labels(candidates: Sequence[set[int]]) -> list[str]:
    """Printed page numbers as labels, trusted only when they run in step with the physical pages.

    A footer number is a page number when (number - physical page) is the same offset on many
    pages; a stray number (a date, an article) has no such regularity. Pages without a trusted
    number are labelled with their physical number.
    """
    n = len(candidates)
    support: Counter[int] = Counter()
    for i, numbers in enumerate(candidates, start=1):
        support.update({number - i for number in numbers})
    needed = 1 if n == 1 else max(2, math.ceil(0.25 * n))
    labels: list[str] = []
    for i, numbers in enumerate(candidates, start=1):
        trusted = [(support[number - i], number) for number in numbers if support[number - i] >= needed]
        labels.append(str(max(trusted)[1]) if trusted else str(i))
    return labels


_MARKER = r"(?:[•●▪■◦·○o*\-–]|\(?(?:\d{1,3}(?:\.\d{1,3})*\.?|[a-zA-Z]|[ivxlIVXL]{1,5})[.)])"
_LIST_MARKER = re.compile(rf"^(?:{_MARKER}\s+)+")
_BARE_MARKER = re.compile(rf"^{_MARKER}$")
# A short label before one wide gap ('Bijlage A.      Overzicht') is a heading, not a table row.
_LABEL = re.compile(r"^\S.{0,14}[.:]$")
_DOT_LEADER = re.compile(r"\s*(?:\.\s?){5,}\s*")


def tidy_layout_lines(lines: Sequence[str], reference: str | None = None) -> list[str]:
    """Collapse layout-mode spacing: one blank line between blocks, list markers glued to their
    text, glyphs that layout mode pushed away rejoined (checked against `reference`, the page's
    plain-mode text), and wide gaps in table rows turned into ' | ' cell separators."""
    out: list[str] = []
    marker = ""
    for line in lines:
        line = _tidy_line(line.strip(), reference)
        if _BARE_MARKER.match(line):
            # A bullet drawn a little above its text lands on a line of its own; keep it for the text.
            marker = f"{marker}{line} "
            continue
        if line and marker:
            line, marker = marker + line, ""
        if line or (out and out[-1]):
            out.append(line)
    if marker:
        out.append(marker.rstrip())
    while out and not out[-1]:
        out.pop()
    return out


def _tidy_line(line: str, reference: str | None) -> str:
    marker = _LIST_MARKER.match(line)
    prefix = ""
    if marker and marker.end() < len(line):
        prefix = " ".join(marker.group(0).split()) + " "
        line = line[marker.end() :]
    line = _DOT_LEADER.sub(" ... ", line)
    parts = re.split(r"( {2,})", line)
    segments = parts[0::2]
    gaps = parts[1::2]
    merged = [segments[0]]
    for gap, segment in zip(gaps, segments[1:], strict=True):
        left = merged[-1]
        if reference is not None and _glued_in_reference(left, segment, reference):
            merged[-1] = left + segment
        elif len(gap) >= CELL_GAP and not (len(segments) == 2 and _LABEL.match(left)):
            merged.append(" | ")
            merged.append(segment)
        else:
            merged[-1] = f"{left} {segment}"
    return prefix + "".join(merged)


def _glued_in_reference(left: str, right: str, reference: str) -> bool:
    """Layout mode split a word or number that plain-mode extraction has in one piece."""
    left, right = " ".join(left.split()), " ".join(right.split())
    tail = left.rsplit(" | ", 1)[-1]
    return f"{tail}{right}" in reference and f"{tail} {right}" not in reference


def _whitespace_collapsed(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Vocabulary:
    """Word counts of one document: evidence for how it spells a compound broken over a line."""

    words: Counter[str]
    hyphenated: Counter[str]

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        lowered = text.lower()
        return cls(
            words=Counter(re.findall(r"[^\W\d_]+", lowered)),
            hyphenated=Counter(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)+", lowered)),
        )

    @classmethod
    def empty(cls) -> Vocabulary:
        return cls(Counter(), Counter())


# After "zorg-" these words show a suspended compound ("zorg- en welzijnswerk"): keep the break.
_SUSPENSION_WORDS = frozenset({"en", "of", "tot", "t/m", "noch", "dan", "als", "c.q.", "respectievelijk"})
# Dutch prefixes always written with a hyphen ("niet-gebruik", "oud-wethouder").
_HYPHEN_PREFIXES = frozenset({"niet", "ex", "oud", "vice", "adjunct", "loco", "interim", "pseudo", "semi"})
_VOWELS = frozenset("aeiouyáéíóúàèëïöü")
_URLISH = re.compile(r"://|www\.|@|/")


def resolve_line_hyphen(left: str, right: str, vocabulary: Vocabulary | None = None) -> str | None:
    """How to rejoin 'left-' at a line end with 'right' on the next line.

    Returns "" to join without the hyphen ("jeugd-"+"hulp" -> "jeugdhulp"), "-" to join keeping
    it ("niet-"+"gebruik", a URL, "Noord-"+"Holland"), or None to leave the line break
    ("toe-"+"of afwijzing", "Duin-"+"en Bollenstreek").
    """
    vocabulary = vocabulary or Vocabulary.empty()
    if not right or not left:
        return None
    if _URLISH.search(left):
        return "-"
    if right.rstrip(",.;:").lower() in _SUSPENSION_WORDS:
        return None
    if not right[0].islower():
        return "-"
    left_word_match = re.search(r"[^\W\d_]+$", left)
    right_word_match = re.match(r"[^\W\d_]+", right)
    if not left_word_match or not right_word_match:
        return "-"
    lw, rw = left_word_match.group(0), right_word_match.group(0).lower()
    hyphen_count = vocabulary.hyphenated[f"{lw.lower()}-{rw}"]
    joined_count = vocabulary.words[f"{lw.lower()}{rw}"]
    if hyphen_count or joined_count:
        return "-" if hyphen_count > joined_count else ""
    if (lw.isupper() and len(lw) > 1) or any(ch.isdigit() for ch in left):
        return "-"
    if lw.lower() in _HYPHEN_PREFIXES:
        return "-"
    if lw[-1].lower() in _VOWELS and rw[0] in _VOWELS:
        return "-"
    return ""


def dehyphenate_lines(lines: Sequence[str], vocabulary: Vocabulary | None = None) -> list[str]:
    """Rejoin words split over a line end; a blank line (paragraph break) is never crossed."""
    out: list[str] = []
    pending = list(lines)
    i = 0
    while i < len(pending):
        line = pending[i]
        nxt = pending[i + 1] if i + 1 < len(pending) else ""
        if line.endswith("\u00ad") and nxt.strip():
            pending[i + 1] = line[:-1] + nxt.lstrip()
            i += 1
            continue
        if len(line) > 1 and line.endswith("-") and line[-2].isalnum() and nxt.strip():
            left = line[:-1].split()[-1]
            right = nxt.split()[0]
            joiner = resolve_line_hyphen(left, right, vocabulary)
            if joiner is not None:
                pending[i + 1] = line[:-1] + joiner + nxt.lstrip()
                i += 1
                continue
        out.append(line.replace("\u00ad", ""))
        i += 1
    return out


def join_pages(pages: Sequence[str], labels: Sequence[str]) -> tuple[str, tuple[PageSpan, ...]]:
    """Join page texts with a blank line; spans are contiguous, the separator belongs to the page before."""
    text = PAGE_SEPARATOR.join(pages)
    spans: list[PageSpan] = []
    start = 0
    for number, (page, label) in enumerate(zip(pages, labels, strict=True), start=1):
        end = start + len(page) + (len(PAGE_SEPARATOR) if number < len(pages) else 0)
        spans.append(PageSpan(start=start, end=end, number=number, label=label))
        start = end
    return text, tuple(spans)


# ---------------------------------------------------------------------------------------------
# DOCX


def _load_docx(data: bytes, name: str) -> str:
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        blocks = list(_docx_blocks(document))
    except Exception as err:
        raise IngestError(
            f"{name}: beschadigd of geen geldig Word-bestand (.docx); open het in Word, "
            "sla het opnieuw op als .docx en probeer opnieuw"
        ) from err
    return "\n\n".join(blocks)


def _docx_blocks(document: DocxDocument) -> Iterator[str]:
    """Body paragraphs and tables in document order, as markdown-ish blocks."""
    from docx import table as docx_table

    for item in document.iter_inner_content():
        if isinstance(item, docx_table.Table):
            rows = table_rows(item)
            if rows:
                yield "\n".join(rows)
            continue
        block = docx_paragraph_markdown(item)
        if block:
            yield block


_HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLES = frozenset({"title", "titel"})
_LIST_STYLE = re.compile(r"list|lijst|opsomming", re.IGNORECASE)


def docx_paragraph_markdown(paragraph: Paragraph) -> str:
    """'## Kop' for headings, '- item' for list paragraphs, the plain text otherwise."""
    text = paragraph.text.strip()
    if not text:
        return ""
    style_name = _style_name(paragraph)
    level = heading_level(style_name)
    if level:
        return "#" * level + " " + " ".join(text.split())
    if _is_list_paragraph(paragraph, style_name):
        return "  " * _list_level(paragraph) + "- " + text
    return text


def heading_level(style_name: str) -> int:
    """Heading level for Word's English and Dutch heading styles ('Heading 2', 'Kop 2'); 0 if none."""
    name = style_name.strip()
    if name.lower() in _TITLE_STYLES:
        return 1
    match = _HEADING_STYLE.match(name)
    return int(match.group(1)) if match else 0


def _style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
        return (style.name or "") if style is not None else ""
    except Exception:
        return ""


def _numbering(paragraph: Paragraph) -> CT_NumPr | None:
    ppr = paragraph._p.pPr
    return ppr.numPr if ppr is not None else None


def _is_list_paragraph(paragraph: Paragraph, style_name: str) -> bool:
    return _numbering(paragraph) is not None or bool(_LIST_STYLE.search(style_name))


def _list_level(paragraph: Paragraph) -> int:
    numpr = _numbering(paragraph)
    if numpr is None or numpr.ilvl is None or numpr.ilvl.val is None:
        return 0
    return min(int(numpr.ilvl.val), 5)


def table_rows(table: Table) -> list[str]:
    """One line per row, cells joined by ' | '; horizontally merged cells appear once."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows
