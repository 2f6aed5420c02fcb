import pytest

from index.analysis import query_terms
from index.answer import answer_units
from index.search.sentences import (
    QUANTITY_GROUPS,
    enumerates,
    extend_answer,
    introduces_list,
    is_caption,
    merge_spans,
    opening_items,
    opens_definition,
    reason_before,
    score_units,
    states_quantity,
    term_coverage,
)


def _sentences(text):
    """A plain splitter for these tests: split after '. '."""
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch == "." and (i + 1 == len(text) or text[i + 1] == " "):
            spans.append((start, i + 1))
            start = i + 2
    if start < len(text):
        spans.append((start, len(text)))
    return spans


TEXT = "Wij doen dit. En dat ook.\nWe werken aan:\n- preventie\n- toegang"


def test_answer_units_split_sentences_and_lines():
    units = answer_units(TEXT, _sentences)
    assert [TEXT[s:e] for s, e in units] == [
        "Wij doen dit.",
        "En dat ook.",
        "We werken aan:",
        "- preventie",
        "- toegang",
    ]


def test_lead_in_with_colon_takes_its_items():
    units = answer_units(TEXT, _sentences)
    s, e = extend_answer(TEXT, units, 2)
    assert TEXT[s:e] == "We werken aan:\n- preventie\n- toegang"


def test_term_coverage_is_idf_weighted():
    weights = {"wachtlijst": 3.0, "twent": 1.0}
    assert term_coverage({"wachtlijst"}, weights) == 0.75
    assert term_coverage(set(), weights) == 0.0
    assert term_coverage({"x"}, {}) == 0.0


def test_score_units_prefers_meaning_and_wording():
    scored = score_units([(0, 1), (1, 2), (2, 3)], [0.80, 0.90, 0.85], [0.0, 0.0, 1.0], cosine_weight=0.5)
    assert max(scored, key=lambda u: u.score).span == (2, 3)


def test_merge_spans():
    assert merge_spans([(5, 8), (0, 2), (1, 3), (8, 9)]) == [(0, 3), (5, 9)]


def test_sentence_announcing_a_list_takes_its_items():
    from ingest.chunk import split_sentences

    text = (
        "Wij hanteren vijf principes.\n1. We zetten eerst in op preventie.\n2. We werken altijd data-gedreven."
        "\nDaarna volgt meer."
    )
    units = answer_units(text, split_sentences)
    s, e = extend_answer(text, units, 0)
    assert text[s:e] == text[: text.index("\nDaarna")]
    item_s, item_e = extend_answer(text, units, 1)
    assert text[item_s:item_e] == "1. We zetten eerst in op preventie."


def test_opening_items_counts_the_list_a_passage_starts_with():
    from ingest.chunk import split_sentences

    text = "1. Preventie eerst.\n2. Thuis opgroeien.\nDaarna volgt tekst."
    assert opening_items(text, answer_units(text, split_sentences)) == 2
    assert opening_items(TEXT, answer_units(TEXT, split_sentences)) == 0


def test_introduces_list_only_for_the_lead_in():
    units = answer_units(TEXT, _sentences)
    assert [introduces_list(TEXT, units, j) for j in range(len(units))] == [False, False, True, False, False]


REASONS = (
    "Samenwerking\nTot 2018 werkten 21 gemeenten samen. De schaal leidde tot trage besluiten. "
    "Dit remde de vernieuwing. Daarom splitste de regio zich in twee. Dat ging snel."
)


def test_reason_before_a_conclusion_is_the_two_sentences_before_it():
    units = answer_units(REASONS, _sentences)
    span = reason_before(REASONS, units, 4)
    assert span and REASONS[span[0] : span[1]] == "De schaal leidde tot trage besluiten. Dit remde de vernieuwing."
    assert reason_before(REASONS, units, 5) is None  # no conclusion: the unit is answer enough


def test_reason_before_takes_one_sentence_unless_it_refers_back():
    text = (
        "Regie in de toegang verlaagt de kosten. We verwachten pas na drie jaar effect. "
        "Om deze reden is er geen bezuiniging."
    )
    units = answer_units(text, _sentences)
    span = reason_before(text, units, 2)
    assert span and text[span[0] : span[1]] == "We verwachten pas na drie jaar effect."


def test_reason_before_stops_at_a_heading_and_at_the_passage_start():
    text = "Aanleiding\nDaarom kiezen we voor een nieuwe aanpak."
    units = answer_units(text, _sentences)
    assert reason_before(text, units, 1) is None
    assert reason_before(text, units[1:], 0) is None


def _terms(text: str) -> set[str]:
    return set(query_terms(text, split_compounds=False))


def _groups() -> list[tuple[frozenset[str], str]]:
    return [(frozenset(t for w in ws for t in _terms(w)), sym) for ws, sym, _ in QUANTITY_GROUPS]


@pytest.mark.parametrize(
    ("sentence", "subject", "expected"),
    [
        ("In Twente leveren een twintigtal aanbieders 80% van de omzet.", "aanbieders", True),
        ("In 2022 krijgt Heusden een bijdrage van € 2,7 miljoen.", "fte", False),  # a number, of something else
        ("Er wonen ruim 73.000 jeugdigen in de regio.", "kinderen", True),  # same group
        ("Er is € 1.370.000 beschikbaar om te starten.", "geld", True),  # money by its symbol
        ("Meer dan de helft van de jeugdhulp gaat naar gebroken gezinnen.", "gezinnen", False),  # no count
        ("Meer dan de helft van de jeugdhulp gaat naar gebroken gezinnen.", "percentage", True),  # a share
        ("Meer dan de helft van de jeugdhulp gaat naar gebroken gezinnen.", "aandeel", True),
        ("Aandeel jeugdigen met jeugdzorg neemt toe.", "percentage", False),  # names a share, gives none
        ("De regio telt 42 jeugdzorgregio's.", "weken", False),
        ("De meldcode is het toetsingskader.", "meldingen", False),
        ("Eindhoven heeft ongeveer 150 aanbieders gecontracteerd.", "organisaties", True),  # providers' group
    ],
)
def test_states_quantity_needs_a_number_of_the_counted_thing(sentence: str, subject: str, expected: bool) -> None:
    counted = set(query_terms(subject))
    assert states_quantity(sentence, _terms(sentence), counted, _groups()) is expected


def test_states_quantity_without_subject_takes_any_number() -> None:
    assert states_quantity("Het gaat om 13 gemeenten.", _terms("Het gaat om 13 gemeenten."), set())
    assert not states_quantity("Het gaat om gemeenten.", _terms("Het gaat om gemeenten."), set())


@pytest.mark.parametrize(
    ("unit", "term", "expected"),
    [
        ("Positieve gezondheid is een benadering die het leven centraal stelt.", "positieve gezondheid", True),
        ("Normaliseren: tegengaan van onnodig problematiseren.", "normaliseren", True),
        ("OVA staat voor 'Overheidsbijdrage in de Arbeidskostenontwikkeling'.", "OVA", True),
        ("De Lokale Teams (LOT) zijn de toegang in elke gemeente.", "de Lokale Teams", True),
        ("Hulp wordt gebaseerd op de definitie van Huber over positieve gezondheid.", "positieve gezondheid", False),
        ("Normaliseren betekent ook dat jeugdhulp een uitzondering is.", "normaliseren", True),
        ("Normaliserende werking is het doel.", "normaliseren", False),
        ("Alles is anders.", "", False),
    ],
)
def test_opens_definition(unit: str, term: str, expected: bool) -> None:
    assert opens_definition(unit, term) is expected


def test_enumerates_finds_items_named_in_one_sentence() -> None:
    assert enumerates("De fases zijn: de voorbereidingsfase, de contracteringsfase en de uitvoering.")
    assert enumerates("Het meetsysteem omvat namelijk doelrealisatie, cliënttevredenheid en uitval.")
    assert enumerates("Scholen, huisartsen, wijkteams of jeugdartsen kunnen verwijzen.")
    assert not enumerates("Deze drie factoren brengen de kwaliteit van de hulp in beeld.")
    assert not enumerates("Ouders en jongeren hebben de regie, en de gemeente ondersteunt.")


def test_enumerates_loosely_takes_three_items_with_one_comma() -> None:
    sentence = "Het team bestaat uit toegangsmedewerkers, jeugdartsen en\nschoolmaatschappelijk werkers."
    assert enumerates(sentence, loosely=True) and not enumerates(sentence)
    assert not enumerates("In 2023, zo verwachten we, daalt het aantal.", loosely=True)


def test_captions_are_recognised() -> None:
    assert is_caption("**Figuur 2.1** Ontwikkeling percentage jeugdigen met jeugdzorg")
    assert is_caption("Tabel 1: jeugdhulpgebruik naar categorie, Samen voor Jeugd 2019-2022.")
    assert not is_caption("In figuur 2.1 is te zien dat het gebruik stijgt.")
    assert not is_caption("Tabellen en cijfers staan in de bijlage.")


def test_a_line_heading_a_table_is_a_caption() -> None:
    table = "\nGemeente | 119 | 190 | 213\nHuisarts | 536 | 397 | 93"
    assert is_caption("Beschikte bedragen voor 2020 (x 1000 euro)", table)
    assert not is_caption("Producten | 2021 begroot | 2022 begroot", table)  # a row of the table itself
    assert not is_caption("Hieronder staat een overzicht van de beschikte bedragen.", table)
    assert not is_caption("Beschikte bedragen voor 2020 (x 1000 euro)", "\nDe bedragen stijgen elk jaar.")


def test_a_question_in_the_text_is_never_the_answer() -> None:
    from index.search.sentences import is_question

    assert is_question("Wat is het verschil tussen een ecogram en een genogram?")
    assert is_question('Hij vroeg: "Wie betaalt dit?"')
    assert not is_question("Een genogram toont de familie, een ecogram het netwerk.")
