"""Answer shape rules (issue 16), each on constructed text: an answer reads as an answer.

Never a question, heading, caption or bare table fragment; a table answer is its row with the
column header; a heading fused to a sentence is cut off; numbers written as words count; a list
answer comes with its items; the highlight is exactly the answer; the citation's section and page
are those of the answer sentence. Pure functions first, then the chain on an in-memory index."""

from __future__ import annotations

from search_fakes import FakeEmbedder, Passage, memory_index

from beleidszoeker.records import PageSpan
from index.search.answer import section_paths, sentence_section
from index.search.queryinfo import has_number, states_duration
from index.search.retriever import HybridRetriever
from index.search.sentences import extend_answer, is_heading, is_table_row, row_with_header, table_header

TABLE = (
    "Onderstaande tabel geeft het aandeel van de kosten per categorie.\n\n"
    "Categorie jeugdhulp | Aandeel van totale jeugdhulpbudget\n"
    "Behandeling | 37%\n"
    "Verblijf | 19%\n"
    "Persoonsgebonden budget (pgb) | 3%\n"
    "Vervoer | 1%"
)


def _span(text: str, part: str) -> tuple[int, int]:
    s = text.index(part)
    return s, s + len(part)


# ---- headings -------------------------------------------------------------------------------------


def test_a_short_line_standing_alone_as_a_block_is_a_heading():
    text = "Wachtlijsten\n\nVaak kan niet onmiddellijk worden ingezet wat nodig is."
    assert is_heading(text, _span(text, "Wachtlijsten"))
    assert not is_heading(text, _span(text, "Vaak kan niet onmiddellijk worden ingezet wat nodig is."))


def test_a_line_with_closing_punctuation_a_table_row_or_a_list_item_is_no_heading():
    for line in ("Dit is geregeld.", "Verblijf | 19%", "- preventie", "Wij werken aan:"):
        text = f"Inleiding\n\n{line}\n\nMeer tekst volgt hier."
        assert not is_heading(text, _span(text, line)), line


def test_a_section_title_of_the_document_is_a_heading_wherever_it_stands():
    text = "Toegang tot jeugdhulp\nDe toegang loopt via het wijkteam."
    assert not is_heading(text, _span(text, "Toegang tot jeugdhulp"))  # not alone as a block
    assert is_heading(text, _span(text, "Toegang tot jeugdhulp"), frozenset({"Toegang tot jeugdhulp"}))


def test_a_heading_is_never_the_answer_nor_fused_to_it():
    index = memory_index(
        [
            Passage(
                "twente.txt",
                "Twente",
                "Wachtlijsten\n\nVaak kan niet onmiddellijk worden ingezet wat nodig is. "
                "Jongeren komen dan op wachtlijsten terecht.",
                "Wachtlijsten",
            ),
            Passage("twente.txt", "Twente", "De gemeenten kopen samen jeugdhulp in.", "Inkoop"),
        ]
    )
    answer = HybridRetriever(index, FakeEmbedder()).search("wachtlijsten", k=2).answer
    assert answer is not None
    assert not answer.text.startswith("Wachtlijsten") and answer.text.endswith(".")


# ---- tables -------------------------------------------------------------------------------------------


def test_a_table_row_knows_its_header_row_and_reads_with_it():
    assert (
        table_header(TABLE, _span(TABLE, "Verblijf | 19%"))
        == "Categorie jeugdhulp | Aandeel van totale jeugdhulpbudget"
    )
    assert table_header(TABLE, _span(TABLE, "Categorie jeugdhulp | Aandeel van totale jeugdhulpbudget")) is None
    assert table_header(TABLE, _span(TABLE, "Onderstaande tabel")) is None
    header = "Categorie jeugdhulp | Aandeel van totale jeugdhulpbudget"
    assert row_with_header("Verblijf | 19%", header) == "Verblijf: 19% (Aandeel van totale jeugdhulpbudget)"
    years = "Verwijzer | 2019 | 2020"
    assert row_with_header("Huisarts | 212 | 429", years) == "Huisarts: 212 (2019); 429 (2020)"
    assert row_with_header("Huisarts | 212 | 429", "Verwijzer") == "Huisarts: 212, 429"  # cells do not line up


def test_a_short_table_row_is_never_extended_into_a_bare_fragment_of_the_table():
    units = [_span(TABLE, line) for line in TABLE.split("\n") if line]
    row = units.index(_span(TABLE, "Persoonsgebonden budget (pgb) | 3%"))
    assert is_table_row(TABLE[units[row][0] : units[row][1]])
    assert extend_answer(TABLE, units, row) == units[row]


def test_a_table_answer_is_its_row_with_the_column_header_never_the_header_row():
    index = memory_index(
        [
            Passage("samen.txt", "Samen", TABLE, "Uitgaven jeugdhulp"),
            Passage("samen.txt", "Samen", "De gemeenten werken samen aan preventie.", "Preventie"),
        ]
    )
    retriever = HybridRetriever(index, FakeEmbedder())
    answer = retriever.search("Welk aandeel van het jeugdhulpbudget gaat naar verblijf?", k=2).answer
    assert answer is not None and answer.text == "Verblijf | 19%"
    assert answer.display == "Verblijf: 19% (Aandeel van totale jeugdhulpbudget)"
    header = retriever.search("categorie jeugdhulp aandeel totale jeugdhulpbudget", k=2).answer
    assert header is not None and not header.text.startswith("Categorie jeugdhulp |")


# ---- numbers written as words -------------------------------------------------------------------------


def test_counts_written_as_words_are_numbers_and_shares_in_words_answer_share_questions():
    assert has_number("Het gaat om veertig extra pleeggezinnen.") and has_number("Er komen eenentwintig plekken bij.")
    assert not has_number("De gemeente doet een oproep.")
    index = memory_index(
        [
            Passage("west.txt", "West", "Een derde van de jongeren wacht langer dan een maand op hulp.", "Wachten"),
            Passage("west.txt", "West", "De gemeenten werken samen met aanbieders.", "Samen"),
        ]
    )
    result = HybridRetriever(index, FakeEmbedder()).search("Welk percentage van de jongeren wacht op hulp?", k=2)
    assert result.answer is not None and result.answer.text.startswith("Een derde")
    assert result.evidence["shape_missing"] == 0.0  # "een derde" gives the share asked for


def test_a_span_without_a_number_is_a_time_span():
    for text in ("Soms moeten ze maanden wachten op de juiste hulp.", "Dat duurt jaren.", "Het duurde enkele weken."):
        assert states_duration(text), text
    assert not states_duration("In de afgelopen jaren groeide de jeugdhulp.")


def test_a_waiting_time_without_a_number_answers_a_how_long_question():
    index = memory_index(
        [
            Passage(
                "twente.txt", "Twente", "Het aanbod is groot. Soms moeten ze maanden wachten op de juiste hulp.", "Hulp"
            ),
            Passage("twente.txt", "Twente", "De gemeenten werken samen met aanbieders.", "Samenwerking"),
        ]
    )
    result = HybridRetriever(index, FakeEmbedder()).search("Hoe lang moeten kinderen wachten op hulp?", k=2)
    assert result.answer is not None and "maanden wachten" in result.answer.text
    assert result.evidence["shape_missing"] == 0.0


# ---- lists, highlights, citations -------------------------------------------------------------------


def test_a_list_answer_comes_with_its_items():
    text = "De regio werkt aan drie opgaven:\n- preventie\n- snelle toegang\n- passende zorg"
    index = memory_index(
        [Passage("oost.txt", "Oost", text, "Opgaven"), Passage("oost.txt", "Oost", "Het budget stijgt.", "Geld")]
    )
    answer = HybridRetriever(index, FakeEmbedder()).search("Aan welke opgaven werkt de regio?", k=2).answer
    assert answer is not None and answer.text == text


def test_the_highlighted_span_is_exactly_the_answer_span():
    # The highlight alone would mark the lead-in only; the card shows the list with its items.
    text = "De regio werkt aan drie opgaven:\n- preventie\n- snelle toegang\n- passende zorg"
    index = memory_index(
        [Passage("oost.txt", "Oost", text, "Opgaven"), Passage("oost.txt", "Oost", "Het budget stijgt.", "Geld")]
    )
    result = HybridRetriever(index, FakeEmbedder()).search("Aan welke opgaven werkt de regio?", k=2)
    a = result.answer
    assert a is not None and a.text == text
    hit = next(h for h in result.hits if h.chunk.id == a.chunk_id)
    assert hit.answer_spans == [(a.start, a.end)]


def test_the_section_of_an_answer_is_that_of_the_heading_written_before_its_sentence():
    text = "De toegang loopt via het wijkteam.\n\nWachtlijsten\n\nSoms wachten jongeren lang."
    units = [
        _span(text, p) for p in ("De toegang loopt via het wijkteam.", "Wachtlijsten", "Soms wachten jongeren lang.")
    ]
    paths = {"1 Visie": "1 Visie", "Toegang": "1 Visie > Toegang", "Wachtlijsten": "1 Visie > Wachtlijsten"}
    assert sentence_section(text, units, units[2][0], "1 Visie > Toegang", paths) == "1 Visie > Wachtlijsten"
    assert sentence_section(text, units, units[0][0], "1 Visie > Toegang", paths) == "1 Visie > Toegang"


def test_section_paths_give_every_title_its_path():
    index = memory_index(
        [Passage("a.txt", "A", "Tekst een.", "1 Visie > Toegang"), Passage("a.txt", "A", "Twee.", "2 Geld")]
    )
    assert section_paths(index.chunks) == {
        "a.txt": {"1 Visie": "1 Visie", "Toegang": "1 Visie > Toegang", "2 Geld": "2 Geld"}
    }


def test_the_page_of_an_answer_is_that_of_its_sentence_not_of_the_passage_start():
    first = "De gemeente betaalt de jeugdhulp uit het gemeentefonds. " * 3
    text = first + "Een gezin in crisis krijgt binnen 24 uur hulp van het crisisteam."
    index = memory_index([Passage("p.pdf", "Noord", text, "Crisis"), Passage("p.pdf", "Noord", "Iets anders.", "Rest")])
    doc = index.documents["p.pdf"]
    doc.pages = (PageSpan(0, len(first), 4, "4"), PageSpan(len(first), len(doc.text), 5, "5"))
    answer = HybridRetriever(index, FakeEmbedder()).search("Hoe snel krijgt een gezin in crisis hulp?", k=2).answer
    assert answer is not None and "24 uur" in answer.text and answer.page == 5
