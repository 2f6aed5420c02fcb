"""OCR of PDF pages without a usable text layer: Tesseract (Dutch model) through pytesseract.

Only pages that need it are read (no glyphs but an image, or glyphs without a Unicode map).
Each page's result is cached under the cache directory by the hash of the PDF, the page number
and the OCR settings, so re-ingesting an unchanged file never runs Tesseract again. Every page
gets a time limit; Tesseract runs as a child process, so Ctrl-C stops it.
When Tesseract or its Dutch model is missing, ingest says so once and skips only those pages.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LANG = "nld"
DPI = 300
CONFIG = "--psm 3"
PAGE_TIMEOUT_S = float(os.environ.get("BELEIDSZOEKER_OCR_TIMEOUT", "120"))
MISSING = (
    "Tesseract (met Nederlands taalmodel) ontbreekt: pagina's zonder tekstlaag worden overgeslagen; "
    "installeer tesseract-ocr en tesseract-ocr-nld (bash scripts/setup als root) en lees opnieuw in"
)

_told: set[str] = set()


@dataclass(frozen=True)
class OcrResult:
    text: str | None  # None: not read (Tesseract missing, timed out or failed)
    reason: str = ""


@lru_cache(maxsize=1)
def tesseract_status() -> str:
    """'' when Tesseract with the Dutch model can run, else a Dutch reason."""
    try:
        import pytesseract

        pytesseract.get_tesseract_version()
        languages = pytesseract.get_languages(config="")
    except Exception:
        return MISSING
    return "" if LANG in languages else MISSING


def tell_once(message: str) -> None:
    """Print a notice for the user once per process (ingest runs over many files)."""
    if message not in _told:
        _told.add(message)
        print(f"let op: {message}", file=sys.stderr)


def cache_dir() -> Path:
    from beleidszoeker.config import get_settings

    return get_settings().cache_dir / "ocr"


def cache_key(pdf_sha256: str, page_index: int) -> str:
    version = _tesseract_version()
    raw = f"{pdf_sha256}\x00{page_index}\x00{LANG}\x00{DPI}\x00{CONFIG}\x00{version}"
    return hashlib.sha256(raw.encode()).hexdigest()


@lru_cache(maxsize=1)
def _tesseract_version() -> str:
    try:
        import pytesseract

        return str(pytesseract.get_tesseract_version())
    except Exception:
        return "?"


def ocr_page(page: object, pdf_sha256: str, page_index: int, *, cache: Path | None = None) -> OcrResult:
    """Text of one pypdfium2 page read by Tesseract, from the cache when it was read before."""
    status = tesseract_status()
    if status:
        tell_once(status)
        return OcrResult(None, status)
    folder = cache if cache is not None else cache_dir()
    path = folder / f"{cache_key(pdf_sha256, page_index)}.txt"
    if path.is_file():
        return OcrResult(path.read_text(encoding="utf-8"))
    import pytesseract

    try:
        image = page.render(scale=DPI / 72, grayscale=True).to_pil()  # type: ignore[attr-defined]
    except Exception as err:  # a page PDFium cannot draw
        return OcrResult(None, f"pagina kan niet als afbeelding worden weergegeven ({type(err).__name__})")
    try:
        text = pytesseract.image_to_string(image, lang=LANG, config=CONFIG, timeout=PAGE_TIMEOUT_S)
    except RuntimeError as err:  # pytesseract raises RuntimeError on its timeout
        return OcrResult(None, f"OCR duurde langer dan {PAGE_TIMEOUT_S:.0f} s ({err})")
    except pytesseract.TesseractError as err:
        return OcrResult(None, f"OCR mislukt ({err.message.strip()[:80]})")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs speed
    return OcrResult(text)
