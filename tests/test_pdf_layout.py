"""PDF reading order, tables, OCR and bad input, scored against the torture suite's ground truth.

The suite (tests/pdf_torture.py) is generated here from the seed corpus with reportlab; the
scanned page is real Tesseract OCR of a PIL-rendered page (skipped only when Tesseract is absent).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdf_factory import (
    make_scanned_pdf,
    make_text_pdf,
    make_unmapped_font_pdf,
    make_zero_page_pdf,
    merge_pdfs,
)
from pdf_torture import (
    FOOTNOTE_HEADER,
    RUNNING_HEADER,
    WATERMARK,
    TortureSuite,
    build_suite,
    in_order_share,
    seed_paragraphs,
    words_of,
)

from beleidszoeker.records import DocMeta, Document
from ingest import ocr
from ingest.chunk import chunk_document
from ingest.loaders import IngestError, load_document
from ingest.pdf_layout import (
    Glyph,
    Item,
    PageLayout,
    Segment,
    drop_watermarks,
    find_tables,
    glyph_lines,
    layout_page,
    line_segments,
    xy_order,
)

TEXT_TARGET = 0.98  # share of true word 4-grams recovered in order, per text page type
OCR_TARGET = 0.95  # word accuracy on the scanned page
HAVE_TESSERACT = not ocr.tesseract_status()
needs_tesseract = pytest.mark.skipif(not HAVE_TESSERACT, reason=ocr.MISSING)


def load(path: Path) -> Document:
    return load_document(path, DocMeta(file=path.name, title="Torture", region="Testregio"), max_bytes=1 << 30)


@pytest.fixture(scope="module")
def ocr_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ocr-cache")


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> TortureSuite:
    return build_suite(tmp_path_factory.mktemp("torture") / "torture.pdf", scan=HAVE_TESSERACT)


@pytest.fixture(scope="module")
def suite_doc(suite: TortureSuite, ocr_cache: Path) -> Document:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BELEIDSZOEKER_CACHE", str(ocr_cache))
        return load(suite.path)


def page_texts(doc: Document) -> list[str]:
    return [doc.text[p.start : p.end] for p in doc.pages]


def scores_by_kind(suite: TortureSuite, doc: Document) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(list)
    for truth, text in zip(suite.pages, page_texts(doc), strict=True):
        n = 1 if truth.kind == "scan" else 4
        out[truth.kind].append(in_order_share(truth.words, words_of(text), n))
    return out


# ---------------------------------------------------------------------------------------------
# The torture suite


@pytest.mark.parametrize("kind", ["two_column", "three_column", "platypus_columns", "footnotes", "table"])
def test_text_pages_read_in_order(suite: TortureSuite, suite_doc: Document, kind: str) -> None:
    scores = scores_by_kind(suite, suite_doc)[kind]
    assert scores, kind
    assert min(scores) >= TEXT_TARGET, (kind, scores)


@needs_tesseract
def test_scanned_page_is_read_by_ocr(suite: TortureSuite, suite_doc: Document) -> None:
    kinds = [p.kind for p in suite.pages]
    page = suite_doc.pages[kinds.index("scan")]
    assert page.ocr
    assert not any(p.ocr for p, kind in zip(suite_doc.pages, kinds, strict=True) if kind != "scan")
    assert min(scores_by_kind(suite, suite_doc)["scan"]) >= OCR_TARGET


@needs_tesseract
def test_ocr_chunks_are_marked(suite: TortureSuite, suite_doc: Document) -> None:
    chunks = chunk_document(suite_doc)
    scan_number = [p.kind for p in suite.pages].index("scan") + 1
    marked = [c for c in chunks if c.ocr]
    assert marked
    assert all(c.page == scan_number for c in marked)
    assert not any(c.ocr for c in chunks if c.page is not None and c.page < scan_number - 1)


def test_running_text_watermark_and_page_numbers_are_out(suite_doc: Document) -> None:
    text = suite_doc.text
    assert RUNNING_HEADER not in text
    assert FOOTNOTE_HEADER not in text
    assert WATERMARK not in text
    assert not re.search(r"(?m)^Pagina \d+(?: van \d+)?$", text)


def test_footnotes_follow_the_body(suite: TortureSuite, suite_doc: Document) -> None:
    for truth, text in zip(suite.pages, page_texts(suite_doc), strict=True):
        if truth.kind != "footnotes":
            continue
        lines = [line for line in text.splitlines() if line.strip()]
        notes = [i for i, line in enumerate(lines) if re.match(r"^[123] [A-Z]", line)]
        assert len(notes) == 3
        assert notes == list(range(len(lines) - 3, len(lines)))  # the last three lines, in order
    # A reference digit glued to its word ("jeugdhulp2") would break the page's 4-grams: see the scores.


def test_bullets_are_normalised(suite: TortureSuite, suite_doc: Document) -> None:
    pages = [t for truth, t in zip(suite.pages, page_texts(suite_doc), strict=True) if truth.kind == "footnotes"]
    for text in pages:
        assert len(re.findall(r"(?m)^• \S", text)) == 3
        assert not re.search(r"(?m)^(?:o|→)\s", text)


def test_table_rows_keep_their_header(suite: TortureSuite, suite_doc: Document) -> None:
    texts = page_texts(suite_doc)
    table_pages = [i for i, p in enumerate(suite.pages) if p.kind == "table"]
    for row in suite.table_rows:
        assert row in suite_doc.text  # every row is one line: "Label | 19% | € 1.000 | € 1.100"
    for i in table_pages:
        assert suite.table_header in texts[i]  # the continuation page repeats the header row
    for chunk in chunk_document(suite_doc):
        if any(row in chunk.text for row in suite.table_rows):
            assert suite.table_header in chunk.text, chunk.text[:200]


def test_chunks_of_a_long_table_repeat_the_header() -> None:
    header = "Onderdeel | Aandeel | Bedrag"
    rows = [f"Regel{i} onderdeel jeugdhulp | {i % 20 + 1}% | € {1000 + i}" for i in range(120)]
    text = "Tabel 1. Budget\n" + "\n".join([header, *rows])
    doc = Document(meta=DocMeta(file="tabel.pdf", title="Tabel", region="Testregio"), text=text)
    chunks = [c for c in chunk_document(doc, target_words=80, max_words=120) if c.kind == "table"]
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.text.startswith(header) or chunk.text.startswith("Tabel 1. Budget\n" + header)
        at = chunk.text.index(header)
        start, end = chunk.to_original(at, at + len(header))
        assert text[start:end] == header  # the repeated header maps back to the real one


def test_offsets_map_chunks_to_their_page(suite_doc: Document) -> None:
    for chunk in chunk_document(suite_doc):
        for c, o, n in chunk.runs:
            assert suite_doc.text[o : o + n] == chunk.text[c : c + n]
        page = suite_doc.page_at(chunk.start)
        assert page is not None and page.number == chunk.page


# ---------------------------------------------------------------------------------------------
# OCR: cache, missing Tesseract


@needs_tesseract
def test_ocr_result_is_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BELEIDSZOEKER_CACHE", str(tmp_path / "cache"))
    scan = make_scanned_pdf(tmp_path / "scan.pdf", seed_paragraphs()[:2])
    first = load(scan)
    assert first.pages[0].ocr and len(first.text.split()) > 50
    cached = list((tmp_path / "cache" / "ocr").glob("*.txt"))
    assert len(cached) == 1
    # With the cache in place Tesseract is not needed any more: point pytesseract at nothing.
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "geen-tesseract"))
    again = load(scan)
    assert again.text == first.text


def test_missing_tesseract_skips_only_scanned_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import pytesseract

    monkeypatch.setenv("BELEIDSZOEKER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "geen-tesseract"))
    ocr.tesseract_status.cache_clear()
    monkeypatch.setattr(ocr, "_told", set())
    try:
        body = [["Hoofdstuk 1. Toegang", "Ouders melden zich bij het wijkteam."]]
        text_pdf = make_text_pdf(tmp_path / "tekst.pdf", body)
        scan = make_scanned_pdf(tmp_path / "scan.pdf", seed_paragraphs()[:1])
        mixed = merge_pdfs([text_pdf, scan, text_pdf], tmp_path / "gemengd.pdf")
        doc = load(mixed)
        assert len(doc.pages) == 3
        assert not any(p.ocr for p in doc.pages)
        assert "Ouders melden zich bij het wijkteam." in doc.text
        assert not doc.text[doc.pages[1].start : doc.pages[1].end].strip()
        load(mixed)
        err = capsys.readouterr().err
        assert err.count("Tesseract") == 1  # said once, in Dutch
        assert "pagina's zonder tekstlaag worden overgeslagen" in err
        with pytest.raises(IngestError) as info:
            load(scan)
        assert str(info.value).startswith("scan.pdf: geen tekstlaag en geen OCR mogelijk")
    finally:
        ocr.tesseract_status.cache_clear()


# ---------------------------------------------------------------------------------------------
# Bad input


def test_zero_page_pdf_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as info:
        load(make_zero_page_pdf(tmp_path / "leeg.pdf"))
    assert str(info.value) == "leeg.pdf: PDF zonder pagina's; exporteer het document opnieuw naar PDF"


def test_garbage_text_layer_is_refused_in_dutch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BELEIDSZOEKER_CACHE", str(tmp_path / "cache"))
    with pytest.raises(IngestError) as info:
        load(make_unmapped_font_pdf(tmp_path / "kapotfont.pdf"))
    message = str(info.value)
    assert message.startswith("kapotfont.pdf: tekstlaag is onleesbaar")
    assert "\n" not in message


def test_garbage_pages_do_not_stop_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BELEIDSZOEKER_CACHE", str(tmp_path / "cache"))
    text_pdf = make_text_pdf(tmp_path / "tekst.pdf", [["Artikel 3. Het college beslist binnen acht weken."]])
    mixed = merge_pdfs([text_pdf, make_unmapped_font_pdf(tmp_path / "kapot.pdf", pages=1)], tmp_path / "mix.pdf")
    doc = load(mixed)
    assert "Artikel 3. Het college beslist binnen acht weken." in doc.text
    assert "/g65" not in doc.text and "ABCDEFG" not in doc.text


def test_two_thousand_pages(tmp_path: Path) -> None:
    body = ["Het college beslist binnen acht weken over de aanvraag.", "Daarna volgt een schriftelijk besluit."]
    pages = [["", "", f"Artikel {n}. Regel nummer {n} over de toegang tot jeugdhulp.", *body] for n in range(1, 2001)]
    pdf = make_text_pdf(tmp_path / "lang.pdf", pages, header="Verzamelbundel jeugdhulp", footer=lambda n, t: f"{n}/{t}")
    started = time.perf_counter()
    doc = load(pdf)
    print(f"2000 pagina's in {time.perf_counter() - started:.1f} s")
    assert len(doc.pages) == 2000
    assert "Verzamelbundel jeugdhulp" not in doc.text
    page = doc.page_at(doc.text.index("Artikel 1999. Regel nummer 1999"))
    assert page is not None and page.number == 1999 and page.label == "1999"


# ---------------------------------------------------------------------------------------------
# Pure layout functions


def glyphs_of(text: str, x: float, baseline: float, size: float = 10.0, width: float = 5.0) -> list[Glyph]:
    out = []
    for ch in text:
        out.append(Glyph(ch, x, x + width, baseline - 0.8 * size, baseline + 0.2 * size, baseline, size, False))
        x += width
    return out


def test_kerned_letters_stay_one_word_and_spaces_split() -> None:
    glyphs = glyphs_of("Wenkend", 72, 100)
    shifted = [Glyph(g.ch, g.x0 + 0.8, g.x1 + 0.8, g.top, g.bottom, g.baseline, g.size, g.bold) for g in glyphs[1:]]
    line = glyph_lines([glyphs[0], *shifted, *glyphs_of(" de weg", 108.3, 100)])
    assert [s.text for s in line_segments(line[0])] == ["Wenkend de weg"]


def test_raised_small_digit_after_a_word_is_a_reference() -> None:
    body = glyphs_of("jeugdhulp", 72, 100)
    mark = [Glyph("3", body[-1].x1 + 0.5, body[-1].x1 + 3.5, 92, 97, 96.0, 6.0, False)]
    lines = glyph_lines(body + mark + glyphs_of("meer tekst hier", 72, 113) + glyphs_of("x" * 30, 72, 126))
    assert line_segments(lines[0])[0].text == "jeugdhulp"
    assert len(lines) == 3


def test_columns_are_read_one_after_another() -> None:
    def seg(text: str, x0: float, y: float) -> Item:
        return Item([Segment(text.split(), x0, x0 + 200, y - 8, y + 2, y, 10.0, False)])

    left = [seg(f"links {i}", 40, 100 + 13 * i) for i in range(8)]
    right = [seg(f"rechts {i}", 300, 100 + 13 * i) for i in range(8)]
    title = Item([Segment(["Titel", "over", "de", "volle", "breedte"], 40, 500, 70, 82, 80, 12.0, False)])
    ordered = xy_order([title, *[s for pair in zip(left, right, strict=True) for s in pair]])
    assert [i.segments[0].text for i in ordered] == ["Titel over de volle breedte"] + [
        f"links {i}" for i in range(8)
    ] + [f"rechts {i}" for i in range(8)]


def test_hanging_list_numbers_are_not_a_column() -> None:
    rows = []
    for i in range(6):
        y = 100 + 13 * i
        rows += glyphs_of(f"{i + 1}.", 40, y) + glyphs_of("Een zin met tekst die loopt over de regel", 70, y)
    layout = layout_page(rows)
    assert layout.lines[0] == "1. Een zin met tekst die loopt over de regel"
    assert not layout.tables


def test_aligned_short_cells_make_a_table() -> None:
    def row(cells: list[str], y: float) -> list[Segment]:
        return [Segment(c.split(), 40 + 150 * k, 40 + 150 * k + 60, y - 8, y + 2, y, 10.0, False) for k, c in
                enumerate(cells)]

    rows = [row(["Onderdeel", "Aandeel"], 100), row(["Verblijf", "19%"], 113), row(["Ambulant", "71%"], 126)]
    assert find_tables(rows) == [[0, 1, 2]]


def test_real_pdf_pages_open_with_pdfium() -> None:
    fixture = Path(__file__).resolve().parent / "fixtures" / "groningen_verordening_jeugdhulp_2026.pdf"
    doc = pdfium.PdfDocument(fixture)
    try:
        assert len(doc) == 46
    finally:
        doc.close()


def test_large_repeated_word_is_a_watermark() -> None:
    lines = ["Titel", "", "CONCEPT", "Tekst van de pagina."]
    pages = [PageLayout(list(lines), 10, big_lines=["CONCEPT"]) for _ in range(5)]
    pages.append(PageLayout(["CONCEPT", "Slot."], 10))  # in body size: a word of the text
    drop_watermarks(pages)
    assert all(p.lines == ["Titel", "", "", "Tekst van de pagina."] for p in pages[:5])  # positions kept
    assert pages[5].lines == ["CONCEPT", "Slot."]


@needs_tesseract
def test_ocr_passages_are_labelled_in_the_app(suite_doc: Document) -> None:
    from app import view
    from beleidszoeker.records import Hit

    chunks = chunk_document(suite_doc)
    ocr_chunk = next(c for c in chunks if c.ocr)
    text_chunk = next(c for c in chunks if not c.ocr)
    assert "tekst herkend met OCR" in view.passage_header_html(Hit(ocr_chunk, 1.0), 1)
    assert "tekst herkend met OCR" not in view.passage_header_html(Hit(text_chunk, 1.0), 1)


def test_a_heading_across_both_columns_splits_them_into_bands() -> None:
    def seg(text: str, x0: float, y: float, width: float = 200, size: float = 10.0) -> Item:
        return Item([Segment(text.split(), x0, x0 + width, y - 0.8 * size, y + 0.2 * size, y, size, False)])

    top = [seg(f"a{i}", 40, 100 + 13 * i) for i in range(4)] + [seg(f"b{i}", 300, 100 + 13 * i) for i in range(4)]
    heading = seg("Tussenkop over twee kolommen", 40, 170, width=460, size=14)
    low = [seg(f"c{i}", 40, 190 + 13 * i) for i in range(4)] + [seg(f"d{i}", 300, 190 + 13 * i) for i in range(4)]
    order = [i.segments[0].text for i in xy_order(top + low + [heading])]
    assert order == [*(f"a{i}" for i in range(4)), *(f"b{i}" for i in range(4)), "Tussenkop over twee kolommen",
                     *(f"c{i}" for i in range(4)), *(f"d{i}" for i in range(4))]


@given(
    st.lists(
        st.tuples(
            st.text(alphabet="abcdefghij", min_size=1, max_size=8),
            st.floats(min_value=20, max_value=500),
            st.floats(min_value=20, max_value=800),
        ),
        min_size=1,
        max_size=60,
    )
)
@settings(max_examples=60, deadline=None)
def test_layout_never_loses_or_repeats_a_glyph(words: list[tuple[str, float, float]]) -> None:
    glyphs = [g for text, x, y in words for g in glyphs_of(text, x, y)]
    layout = layout_page(glyphs, height=842)
    got = sorted("".join(layout.lines).replace(" ", "").replace("|", ""))
    assert got == sorted(g.ch for g in glyphs)
