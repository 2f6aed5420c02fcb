"""Loaders: real files built in tmp_path (reportlab PDFs, python-docx files, encoded text) and the
two real published PDFs from ../shared/pdfs (skipped when absent)."""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from itertools import pairwise
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pdf_factory import encrypt_pdf, label_pdf, make_image_only_pdf, make_text_pdf

from beleidszoeker.records import DocMeta, Document
from ingest.loaders import (
    SUPPORTED_SUFFIXES,
    IngestError,
    RawPage,
    Vocabulary,
    choose_page_labels,
    clean_pdf_pages,
    dehyphenate_lines,
    find_running_keys,
    format_size,
    heading_level,
    is_supported,
    join_pages,
    line_key,
    load_document,
    page_number_of_line,
    resolve_line_hyphen,
    strip_running_lines,
    tidy_layout_lines,
)

MB = 1024 * 1024
# ../shared/pdfs next to the checkout; BELEIDSZOEKER_SHARED_PDFS points elsewhere (e.g. from a git worktree).
SHARED_PDFS = Path(os.environ.get("BELEIDSZOEKER_SHARED_PDFS", Path(__file__).resolve().parents[2] / "shared" / "pdfs"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GRONINGEN = "groningen_verordening_jeugdhulp_2026.pdf"
LTA = "lta_2025_jeugdhulp_administratieprotocol.pdf"

HEADER = "Gemeente Testdorp - Beleidsplan Jeugd 2025"
BODIES = [
    [
        "Hoofdstuk 1. Inleiding",
        "De gemeente Testdorp is verantwoordelijk voor de jeugd-",
        "hulp aan alle kinderen en ouders in de gemeente.",
        "Wij werken samen met scholen, huisartsen en het wijkteam.",
    ],
    [
        "Hoofdstuk 2. Toegang",
        "Ouders melden zich bij het wijkteam of via de huisarts.",
        "Het besluit over toe-",
        "of afwijzing volgt binnen acht weken na de melding.",
    ],
    [
        "Hoofdstuk 3. Persoonsgebonden budget",
        "Een pgb wordt verstrekt als de jeugdige of ouder dit kan beheren.",
        "Het tarief voor informele hulp bedraagt 18,11 euro per uur.",
        "Misbruik en niet-",
        "gebruik van voorzieningen worden bestreden.",
    ],
    [
        "Hoofdstuk 4. Kwaliteit",
        "Aanbieders voldoen aan de eisen van het kwaliteitskader.",
        "Klachten worden binnen zes weken afgehandeld.",
    ],
    [
        "Hoofdstuk 5. Slotbepalingen",
        "Dit beleidsplan treedt in werking op 1 januari 2025.",
        "Het wordt aangehaald als Beleidsplan Jeugd Testdorp.",
    ],
]


def meta(name: str = "doc") -> DocMeta:
    return DocMeta(file=name, title="Testdocument", region="Testregio")


def load(path: Path, max_bytes: int = 10 * MB) -> Document:
    return load_document(path, meta(path.name), max_bytes=max_bytes)


def ingest_error(path: Path, max_bytes: int = 10 * MB) -> str:
    with pytest.raises(IngestError) as info:
        load(path, max_bytes)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path.name}: ")
    return message


def assert_pages_cover(doc: Document) -> None:
    assert doc.pages[0].start == 0
    assert doc.pages[-1].end == len(doc.text)
    for before, after in pairwise(doc.pages):
        assert before.end == after.start
    assert [p.number for p in doc.pages] == list(range(1, len(doc.pages) + 1))


# ---------------------------------------------------------------------------------------------
# PDF files built with reportlab


@pytest.fixture
def report_pdf(tmp_path: Path) -> Path:
    return make_text_pdf(tmp_path / "beleidsplan.pdf", BODIES, header=HEADER, footer=lambda n, t: f"{n}/{t}")


def test_pdf_drops_running_header_and_page_footer(report_pdf: Path) -> None:
    doc = load(report_pdf)
    assert len(doc.pages) == 5
    assert HEADER not in doc.text
    assert "Testdorp - Beleidsplan" not in doc.text
    assert not re.search(r"^\d/5$", doc.text, flags=re.MULTILINE)
    for body in BODIES:
        assert body[0] in doc.text
    assert doc.sha256 == hashlib.sha256(report_pdf.read_bytes()).hexdigest()


def test_pdf_pages_cover_text_and_map_offsets(report_pdf: Path) -> None:
    doc = load(report_pdf)
    assert_pages_cover(doc)
    assert [p.label for p in doc.pages] == ["1", "2", "3", "4", "5"]
    for number, body in enumerate(BODIES, start=1):
        page = doc.page_at(doc.text.index(body[0]))
        assert page is not None and page.number == number
        assert doc.text[page.start : page.end].startswith(body[0])


def test_pdf_rejoins_hyphenated_words_with_judgement(report_pdf: Path) -> None:
    text = load(report_pdf).text
    assert "verantwoordelijk voor de jeugdhulp aan alle kinderen" in text
    assert "Het besluit over toe-\nof afwijzing" in text
    assert "Misbruik en niet-gebruik van voorzieningen" in text


def test_pdf_label_is_printed_page_number(tmp_path: Path) -> None:
    pdf = make_text_pdf(tmp_path / "uittreksel.pdf", BODIES[:4], footer=lambda n, t: f"- {n + 10} -")
    doc = load(pdf)
    assert [p.label for p in doc.pages] == ["11", "12", "13", "14"]
    assert "- 11 -" not in doc.text


def test_pdf_defined_page_labels_win(tmp_path: Path, report_pdf: Path) -> None:
    pdf = label_pdf(report_pdf, tmp_path / "gelabeld.pdf", roman_front_pages=2)
    assert [p.label for p in load(pdf).pages] == ["i", "ii", "1", "2", "3"]


def test_pdf_with_user_password_is_refused(tmp_path: Path, report_pdf: Path) -> None:
    pdf = encrypt_pdf(report_pdf, tmp_path / "rapport.pdf", user_password="geheim")
    message = ingest_error(pdf)
    assert "versleuteld met een wachtwoord" in message
    assert "sla het op zonder beveiliging" in message


def test_pdf_with_only_owner_password_opens(tmp_path: Path, report_pdf: Path) -> None:
    pdf = encrypt_pdf(report_pdf, tmp_path / "beveiligd.pdf", user_password="")
    doc = load(pdf)
    assert len(doc.pages) == 5
    assert "Hoofdstuk 3. Persoonsgebonden budget" in doc.text


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path) -> None:
    message = ingest_error(make_image_only_pdf(tmp_path / "scan.pdf"))
    assert "geen tekstlaag; OCR nodig" in message


@pytest.mark.parametrize(
    "make_bytes",
    [
        pytest.param(lambda valid: os.urandom(4000), id="random-bytes"),
        pytest.param(lambda valid: b"%PDF-1.4\n" + os.urandom(4000), id="pdf-header-then-garbage"),
        pytest.param(lambda valid: valid[: len(valid) // 2], id="truncated"),
        pytest.param(lambda valid: b"<html><body>geen pdf</body></html>", id="html"),
    ],
)
def test_corrupt_pdf_is_refused(tmp_path: Path, report_pdf: Path, make_bytes) -> None:
    bad = tmp_path / "kapot.pdf"
    bad.write_bytes(make_bytes(report_pdf.read_bytes()))
    assert "beschadigd of geen geldige PDF" in ingest_error(bad)


# ---------------------------------------------------------------------------------------------
# Errors common to all files


def test_zero_byte_file_is_empty(tmp_path: Path) -> None:
    for name in ("leeg.pdf", "leeg.txt", "leeg.docx"):
        path = tmp_path / name
        path.write_bytes(b"")
        assert "leeg" in ingest_error(path)


def test_whitespace_only_text_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "spaties.md"
    path.write_text("  \n\n\t \n", encoding="utf-8")
    assert "leeg" in ingest_error(path)


def test_oversize_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "groot.pdf"
    path.write_bytes(os.urandom(5000))  # not even a PDF: the size check must come first
    message = ingest_error(path, max_bytes=2048)
    assert "4,9 kB" in message and "2 kB" in message and "limiet" in message


def test_missing_file(tmp_path: Path) -> None:
    assert "niet gevonden" in ingest_error(tmp_path / "weg.pdf")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "map.txt"
    folder.mkdir()
    assert "geen gewoon bestand" in ingest_error(folder)


def test_unsupported_suffix_lists_supported_types(tmp_path: Path) -> None:
    path = tmp_path / "begroting.xlsx"
    path.write_bytes(b"PK\x03\x04")
    message = ingest_error(path)
    assert ".xlsx wordt niet ondersteund" in message
    for suffix in SUPPORTED_SUFFIXES:
        assert suffix in message


def test_is_supported() -> None:
    assert is_supported(Path("a.PDF")) and is_supported(Path("b.md")) and is_supported(Path("c.docx"))
    assert not is_supported(Path("d.doc")) and not is_supported(Path("e"))


def test_format_size() -> None:
    assert format_size(512) == "512 bytes"
    assert format_size(2048) == "2 kB"
    assert format_size(int(1.5 * MB)) == "1,5 MB"


# ---------------------------------------------------------------------------------------------
# Plain text


def test_utf8_text_is_kept_exactly(tmp_path: Path) -> None:
    content = "# Regiovisie\n\nJeugdhulp in de regio ‘Holland Rijnland’ — één loket.\n  ingesprongen\n"
    path = tmp_path / "visie.md"
    path.write_bytes(content.encode("utf-8"))
    doc = load(path)
    assert doc.text == content
    assert doc.pages == ()
    assert doc.page_at(3) is None
    assert doc.sha256 == hashlib.sha256(content.encode("utf-8")).hexdigest()


def test_utf8_bom_is_stripped_and_crlf_normalised(tmp_path: Path) -> None:
    path = tmp_path / "notulen.txt"
    path.write_bytes(b"\xef\xbb\xbfRegel \xc3\xa9\xc3\xa9n\r\nRegel twee\r\n")
    assert load(path).text == "Regel één\nRegel twee\n"


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes("Coördinatie van jeugdzorg\n".encode("utf-16"))
    assert load(path).text == "Coördinatie van jeugdzorg\n"


def test_cp1252_fallback(tmp_path: Path) -> None:
    content = "Coördinatie en één aanpak: € 25 per uur – café\n"
    path = tmp_path / "oud.txt"
    path.write_bytes(content.encode("cp1252"))
    assert load(path).text == content


def test_binary_garbage_txt_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "afbeelding.txt"
    path.write_bytes(bytes(range(256)) * 8)
    message = ingest_error(path)
    assert "onleesbare tekstcodering" in message
    assert "UTF-8" in message and "Windows-1252" in message and "sla het bestand op als UTF-8" in message


# ---------------------------------------------------------------------------------------------
# DOCX


def test_docx_structure_becomes_markdown(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("Beleidsplan Jeugd", level=1)
    d.add_paragraph("De gemeente biedt jeugdhulp.")
    d.add_heading("Tarieven", level=2)
    table = d.add_table(rows=2, cols=3)
    for r, row in enumerate([["Product", "Eenheid", "Tarief"], ["Begeleiding", "uur", "€ 18,11"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("Onder de tabel.")
    d.add_paragraph("Eerste punt", style="List Bullet")
    d.add_paragraph("Tweede punt", style="List Bullet")
    d.add_paragraph("")
    path = tmp_path / "plan.docx"
    d.save(str(path))
    doc = load(path)
    assert doc.text == (
        "# Beleidsplan Jeugd\n\n"
        "De gemeente biedt jeugdhulp.\n\n"
        "## Tarieven\n\n"
        "Product | Eenheid | Tarief\nBegeleiding | uur | € 18,11\n\n"
        "Onder de tabel.\n\n"
        "- Eerste punt\n\n"
        "- Tweede punt"
    )
    assert doc.pages == ()


def test_docx_table_headings_and_list_chunk_with_exact_offsets(tmp_path: Path) -> None:
    from ingest.chunk import chunk_document

    filler = (
        "De gemeenten in de regio werken samen aan goede jeugdhulp dichtbij huis, zodat kinderen veilig opgroeien "
        "en ouders snel de juiste hulp krijgen. Daarvoor maken zij afspraken met aanbieders over kwaliteit, "
        "toegang en kosten, en zij volgen elk jaar hoe het gaat."
    )
    rows = [["Product", "Eenheid", "Tarief"]] + [[f"Product {n}", "uur", f"€ {n},50"] for n in range(1, 9)]
    items = [f"Afspraak {n}: de aanbieder meldt de wachttijd voor product {n} elke maand." for n in range(1, 5)]
    d = docx.Document()
    d.add_heading("Beleidsplan Jeugd", level=1)
    d.add_paragraph(filler)
    d.add_heading("Tarieven", level=2)
    d.add_paragraph(filler)
    table = d.add_table(rows=len(rows), cols=3)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_heading("Afspraken", level=2)
    d.add_paragraph("De regio maakt deze afspraken:")
    for item in items:
        d.add_paragraph(item, style="List Bullet")
    path = tmp_path / "plan.docx"
    d.save(str(path))
    doc = load_document(path, DocMeta(file="map/plan.docx", title="Plan", region="Testland"), max_bytes=10**7)
    chunks = chunk_document(doc)
    table_text = "\n".join(" | ".join(row) for row in rows)
    table_chunk = next(c for c in chunks if "Product | Eenheid | Tarief" in c.text)
    assert table_text in table_chunk.text, "the table's rows stay together, one row per line"
    assert table_chunk.section == "Beleidsplan Jeugd > Tarieven"
    list_chunk = next(c for c in chunks if "Afspraak 4" in c.text)
    assert list_chunk.section == "Beleidsplan Jeugd > Afspraken"
    assert "\n".join(["De regio maakt deze afspraken:", *items]) in list_chunk.text, "one item per line"
    for c in chunks:
        assert c.doc == "map/plan.docx" and "#" not in c.text and "- Afspraak" not in c.text
        for clean, orig, n in c.runs:
            assert c.text[clean : clean + n] == doc.text[orig : orig + n]
    at = table_chunk.text.index("Product 3 | uur")
    s, e = table_chunk.to_original(at, at + len("Product 3"))
    assert doc.text[s:e] == "Product 3"


def test_docx_merged_cells_appear_once(tmp_path: Path) -> None:
    d = docx.Document()
    table = d.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 2))
    merged.text = "Overzicht"
    for c, value in enumerate(["a", "b", "c"]):
        table.cell(1, c).text = value
    path = tmp_path / "tabel.docx"
    d.save(str(path))
    assert load(path).text == "Overzicht\na | b | c"


def test_docx_without_text_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "leeg.docx"
    docx.Document().save(str(path))
    assert "leeg" in ingest_error(path)


def test_corrupt_docx_is_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "kapot.docx"
    garbage.write_bytes(os.urandom(2000))
    assert "geen geldig Word-bestand" in ingest_error(garbage)
    not_word = tmp_path / "zip.docx"
    with zipfile.ZipFile(not_word, "w") as z:
        z.writestr("readme.txt", "geen word")
    assert "geen geldig Word-bestand" in ingest_error(not_word)


def test_heading_level_knows_dutch_and_english_styles() -> None:
    assert heading_level("Heading 2") == 2
    assert heading_level("Kop 3") == 3
    assert heading_level("Titel") == 1
    assert heading_level("Normal") == 0


# ---------------------------------------------------------------------------------------------
# Pure text helpers


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("3", 3),
        ("12/46", 12),
        ("12 / 46", 12),
        ("Pagina 12 van 46", 12),
        ("pagina 7", 7),
        ("- 3 -", 3),
        ("– 14 –", 14),
        ("3 | Beleidsplan Jeugd", 3),
        ("Beleidsplan Jeugd | 9", 9),
        ("Artikel 3", None),
        ("2.", None),
        ("Hoofdstuk 1. Inleiding", None),
        ("in totaal 12 aanbieders", None),
    ],
)
def test_page_number_of_line(line: str, number: int | None) -> None:
    assert page_number_of_line(line) == number


def test_line_key_ignores_digits_and_spacing() -> None:
    assert line_key("https://x.nl/CVDR752928/1     7/46") == line_key("https://x.nl/CVDR752928/1 12/46")
    assert line_key("Geldend van 24-12-2025") != line_key("Geldend tot 24-12-2025")


def test_running_lines_need_repetition_at_page_edges() -> None:
    body = ["een", "twee", "midden", "drie", "vier"]
    pages = [[f"Kop van het rapport {i}", f"Tekst {i}", *body, "slot", "", f"{i}/4"] for i in range(1, 5)]
    pages[0].insert(1, "Eenmalige regel")
    running = find_running_keys(pages)
    assert line_key("Kop van het rapport 1") in running
    assert line_key("Eenmalige regel") not in running
    kept, removed = strip_running_lines(pages[1], running)
    assert "Kop van het rapport 2" in removed and "2/4" in removed
    assert "midden" in kept


def test_numbered_headings_at_page_tops_are_content() -> None:
    articles = [3, 7, 8, 12, 15, 16]
    pages = [[f"Artikel {a}", "Tekst van het artikel.", "Nog meer tekst.", "Slot."] for a in articles]
    running = find_running_keys(pages)
    assert line_key("Artikel 3") not in running
    pages_in_step = [[f"Artikel {n}", "Tekst van het artikel.", "Nog meer tekst.", "Slot."] for n in range(1, 7)]
    assert line_key("Artikel 1") in find_running_keys(pages_in_step)


def test_running_lines_need_three_pages() -> None:
    assert find_running_keys([["Kop", "tekst a"], ["Kop", "tekst b"]]) == set()


def test_choose_page_labels_trusts_only_regular_numbers() -> None:
    # cover without number, then printed 1..4; page 3 also shows a stray year-like number
    candidates = [set(), {1}, {2, 2025}, {3}, {4}]
    assert choose_page_labels(candidates) == ["1", "1", "2", "3", "4"]
    assert choose_page_labels([{2024}, {7}, set()]) == ["1", "2", "3"]
    assert choose_page_labels([{7}]) == ["7"]


def test_tidy_layout_lines_repairs_split_numbers_and_tables() -> None:
    reference = "a. begeleiding: € 18,11 (uur); Type toewijzing Categorie Product"
    lines = [
        "   a.     begeleiding: € 18,1                       1 (uur);",
        "",
        "",
        "   •",
        "",
        "   over de door het college te verlenen voorzieningen;",
        "Type toewijzing         Categorie      Product",
        "Bijlage A.            Overzicht aanbieders ........................ 13",
    ]
    assert tidy_layout_lines(lines, reference) == [
        "a. begeleiding: € 18,11 (uur);",
        "",
        "• over de door het college te verlenen voorzieningen;",
        "Type toewijzing | Categorie | Product",
        "Bijlage A. Overzicht aanbieders ... 13",
    ]


@pytest.mark.parametrize(
    ("left", "right", "joiner"),
    [
        ("jeugd", "hulp", ""),
        ("toe", "of", None),
        ("Duin", "en", None),
        ("niet", "gebruik", "-"),
        ("LTA", "aanbieders", "-"),
        ("collega", "arts", "-"),
        ("Noord", "Holland", "-"),
        ("https://vng.nl/artikelen/functies", "en-aanbieders", "-"),
    ],
)
def test_resolve_line_hyphen(left: str, right: str, joiner: str | None) -> None:
    assert resolve_line_hyphen(left, right) == joiner


def test_resolve_line_hyphen_follows_document_spelling() -> None:
    vocabulary = Vocabulary.from_text("de zorg-aanbieder en nog een zorg-aanbieder; beoordeling")
    assert resolve_line_hyphen("zorg", "aanbieder", vocabulary) == "-"
    assert resolve_line_hyphen("be", "oordeling", vocabulary) == ""


def test_dehyphenate_never_crosses_a_paragraph_break() -> None:
    lines = ["de jeugd-", "hulp is er", "een losse jeugd-", "", "hulp"]
    assert dehyphenate_lines(lines) == ["de jeugdhulp is er", "een losse jeugd-", "", "hulp"]


def test_clean_pdf_pages_without_reference_text() -> None:
    words = ["een", "twee", "drie"]
    raw = [f"Rapport X\nTekst op pagina {word}.\n\nPagina {i} van 3" for i, word in enumerate(words, 1)]
    cleaned = clean_pdf_pages(raw)
    assert cleaned.pages == ["Tekst op pagina een.", "Tekst op pagina twee.", "Tekst op pagina drie."]
    assert cleaned.labels == ["1", "2", "3"]
    assert cleaned.removed[1] == ["Rapport X", "Pagina 2 van 3"]
    assert clean_pdf_pages([RawPage(layout="Tekst  1", plain="Tekst1")]).pages == ["Tekst1"]


def test_pdf_characters_are_normalised() -> None:
    raw = "\uf0b7  Eerste punt\nde ﬁnanciering van jeugd\u00ad\nhulp\xa0nu"
    assert clean_pdf_pages([raw]).pages == ["• Eerste punt\nde financiering van jeugdhulp nu"]


@given(st.lists(st.text(alphabet="ab \n", max_size=12), min_size=1, max_size=6))
def test_join_pages_spans_are_contiguous(pages: list[str]) -> None:
    text, spans = join_pages(pages, [str(i) for i in range(1, len(pages) + 1)])
    assert spans[0].start == 0 and spans[-1].end == len(text)
    for page, span in zip(pages, spans, strict=True):
        assert text[span.start : span.start + len(page)] == page
    for before, after in pairwise(spans):
        assert before.end == after.start


# ---------------------------------------------------------------------------------------------
# The real published PDFs


def real_pdf(name: str) -> Path:
    for folder in (FIXTURES, SHARED_PDFS):
        if (folder / name).is_file():
            return folder / name
    pytest.skip(f"{name} not available (looked in {FIXTURES} and {SHARED_PDFS})")


@pytest.fixture(scope="module")
def groningen() -> Document:
    return load(real_pdf(GRONINGEN), max_bytes=50 * MB)


@pytest.fixture(scope="module")
def lta() -> Document:
    return load(real_pdf(LTA), max_bytes=50 * MB)


def test_groningen_pages_and_labels(groningen: Document) -> None:
    assert len(groningen.pages) == 46
    assert [p.label for p in groningen.pages] == [str(n) for n in range(1, 47)]
    assert_pages_cover(groningen)


def test_groningen_running_header_and_footer_are_gone(groningen: Document) -> None:
    text = groningen.text
    assert "lokaleregelgeving.overheid.nl/CVDR752928" not in text
    assert "07-01-2026, 12:56" not in text
    assert "| Lokale wet- en regelgeving" not in text
    assert not re.search(r"\b\d{1,2}/46\b", text)
    # "Geldend van ..." is the title block of page 1 only, not a running header: it is content.
    assert text.count("Geldend van 24-12-2025 t/m heden") == 1
    page = groningen.page_at(text.index("Geldend van"))
    assert page is not None and page.number == 1


def test_groningen_text_is_in_reading_order(groningen: Document) -> None:
    text = groningen.text
    assert "1. In deze verordening en de daarop berustende bepalingen wordt verstaan onder:" in text
    assert "a. begeleiding: € 18,11 (uur);" in text
    assert text.count("€ 18,11") == 4
    assert "niet-gebruik van deze wet" in text
    page = groningen.page_at(text.index("Artikel 11. Hoogte pgb"))
    assert page is not None and page.number == 13


def test_lta_pages_and_printed_labels(lta: Document) -> None:
    assert len(lta.pages) == 16
    # The cover carries no number; page 2 is printed as "1", so labels run one behind.
    assert [p.label for p in lta.pages] == ["1"] + [str(n) for n in range(1, 16)]
    assert_pages_cover(lta)
    page = lta.page_at(lta.text.index("Tabel 1"))
    assert page is not None and (page.number, page.label) == (6, "5")


def test_lta_running_footer_is_gone_and_table_kept(lta: Document) -> None:
    text = lta.text
    # The footer "Vereniging van Nederlandse Gemeenten  <n>" goes; the name stays on cover and colophon.
    assert not re.search(r"Vereniging van Nederlandse Gemeenten\s*\|?\s*\d", text)
    assert text.count("Vereniging van Nederlandse Gemeenten") == 2
    assert "Type toewijzing | Categorie | Product | Budget | Volume | Toewijzingseinddatum | Frequentie" in text
    assert "Aspecifiek met budget | Gevuld | Leeg | Gevuld | Leeg | 365 dagen na VOT | leeg" in text
    assert "https://vng.nl/artikelen/functies-en-aanbieders-jeugdhulp" in text
    for page in lta.pages[1:]:
        first_line = lta.text[page.start : page.end].strip().splitlines()[0]
        assert not first_line.strip().isdigit()
