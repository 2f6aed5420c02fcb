"""Question shape: language, whether it wants a number, and what it counts."""

import pytest

from index.search.queryinfo import (
    asks_age,
    asks_duration,
    asks_frequency,
    asks_lead_time,
    asks_list,
    asks_name,
    asks_reason,
    asks_year,
    defined_term,
    has_number,
    is_english,
    names_something_new,
    new_names,
    quantity_subject,
    states_age,
    states_cause,
    states_duration,
    states_frequency,
    states_lead_time,
    wants_number,
    years_named,
)


@pytest.mark.parametrize(
    ("query", "subject"),
    [
        ("Hoeveel fte krijgt het nieuwe team?", "fte"),
        ("hoeveel kinderen en jongeren wonen er", "kinderen"),
        ("neemt het aantal jeugdhulpcliënten toe of af", "jeugdhulpcliënten"),
        ("Hoe groot is het innovatiebudget?", "innovatiebudget"),
        ("Hoe groot was het financiële tekort in 2020?", "tekort"),  # past tense; the noun, not its adjective
        ("welk percentage van de kinderen had jeugdhulp", "percentage"),
        ("hoeveel er zijn", None),
        ("Binnen hoeveel tijd is er hulp na een crisismelding?", None),  # any number of hours or days
        ("Hoeveel weken wachten kinderen?", "weken"),
        ("wat is positieve gezondheid", None),
    ],
)
def test_quantity_subject_is_the_counted_word(query: str, subject: str | None) -> None:
    assert quantity_subject(query) == subject


def test_wants_number_and_has_number() -> None:
    assert wants_number("Hoeveel gemeenten werken samen?")
    assert not wants_number("Wat is Envedder?")
    # An amount asked for without "hoeveel".
    assert wants_number("Wat is het uurtarief voor ambulante jeugdhulp?")
    assert quantity_subject("Wat is het uurtarief voor ambulante jeugdhulp?") == "uurtarief"
    assert quantity_subject("wat zijn de kosten van verblijf") == "kosten"
    assert quantity_subject("Welke uurtarieven gelden voor een pgb?") == "uurtarieven"
    assert wants_number("Wat kost een dag verblijf?") and quantity_subject("Wat kost een dag verblijf?") == "kosten"
    assert not wants_number("Welke rol heeft de gemeenteraad?")
    # "welk deel" asks for a share, given by "%" or "de helft".
    assert quantity_subject("Welk deel van de verwijzingen loopt via de huisarts?") == "percentage"
    assert quantity_subject("niet gecontracteerde zorg aandeel uitgaven") == "percentage"  # a keyword query
    assert quantity_subject("Wat is het geraamde bedrag voor specialistische jeugdhulp?") == "bedrag"
    assert not has_number("Deze groep wordt verder beschreven onder segment 4.")  # a part of the text
    assert has_number("In hoofdstuk 3 staan 12 aanbieders.")
    assert not wants_number("Wat is het doel van het plan?")
    assert has_number("ruim 73.000 jeugdigen") and has_number("een twintigtal aanbieders")
    assert not has_number("meer dan de helft van de jeugdhulp")
    # A year dates a sentence; it does not count anything.
    assert not has_number("In de loop van 2022 wordt duidelijk wat het team met dit budget kan.")
    assert not has_number("de regiovisie 2023-2026")
    assert has_number("in 2020 waren er 353 aanbieders") and has_number("2.022 kinderen")
    # Nor does the number of a list item.
    assert not has_number("3. Kijk naar het hele gezin en zorg voor snelle hulp.")
    assert not has_number("Stappen:\n2) het gezin wordt besproken")
    assert has_number("3. Er zijn 12 gezinnen geholpen.")
    # Nor does a number inside a word or name.
    assert not has_number("de vraag naar 24-uurshulp neemt toe") and not has_number("1Gezin1Plan1Regisseur")
    assert has_number("80% van de omzet") and has_number("€ 2,7 miljoen") and has_number("de leeftijd 0-18")


def test_english_is_told_from_dutch() -> None:
    assert is_english("How many young people met the project team?")
    assert not is_english("Hoeveel jongeren spraken met het projectteam?")


def test_asks_reason() -> None:
    assert asks_reason("Waarom is de regio in 2018 gesplitst?")
    assert asks_reason("om welke reden stopt Twente met open house")
    assert asks_reason("Why did the region split?")
    assert not asks_reason("wanneer is de regio gesplitst")


@pytest.mark.parametrize(
    ("query", "term"),
    [
        ("Wat is een verklarende analyse?", "een verklarende analyse"),
        ("wat betekent first time right", "first time right"),
        ("Wat wordt er bedoeld met overbruggingszorg?", "overbruggingszorg"),
        ("wat wordt verstaan onder normaliseren", "normaliseren"),
        ("wat houdt het transformatiebudget in", "het transformatiebudget"),
        ("Wat wordt in de hulpverlening bedoeld met het begrip positieve gezondheid?", "positieve gezondheid"),
        ("Wat moet ik verstaan onder een verklarende analyse bij het bepalen van hulp?", "een verklarende analyse"),
        ("waar staat OVA voor", "OVA"),
        ("wat is de LOT bij", "de LOT"),
        ("wat is de reden dat Twente stopt", None),
        ("hoeveel kost pleegzorg", None),
        ("welke rol heeft de gemeenteraad", None),
    ],
)
def test_defined_term(query: str, term: str | None) -> None:
    assert defined_term(query) == term


def test_duration_questions_and_sentences() -> None:
    assert asks_duration("Hoe ver van tevoren moet een aanbesteding worden bekendgemaakt?")
    assert asks_duration("How many months before a contract starts is it published?")
    assert asks_duration("Wat is de looptijd van de raamovereenkomsten?")
    assert asks_duration("Hoe snel moet er hulp zijn na een crisismelding?")
    assert asks_duration("How soon after a crisis report should support be available?")
    assert asks_duration("binnen hoeveel weken start de hulp")
    assert not asks_duration("Hoeveel aanbieders zijn er?")
    assert states_duration("Uiterlijk binnen 24 uur na een melding is er ondersteuning.")
    assert states_duration("De contracten zijn afgesloten voor acht jaar.")
    assert not states_duration("In 2021 is een rapport verschenen.")
    assert not states_duration("Jeugdigen die in een crisissituatie zitten van 0-18 jaar.")  # an age, no span
    assert not states_duration("Hulp is er tot 18 jaar.")


def test_frequency_questions_and_sentences() -> None:
    assert asks_frequency("Hoe vaak wordt de voortgang besproken met de aanbieders?")
    assert asks_frequency("How often is progress reported?") and asks_frequency("hoeveel keer per jaar overleg")
    assert not asks_frequency("Hoe snel moet er hulp zijn?") and not asks_frequency("Hoeveel aanbieders zijn er?")
    assert states_frequency("De voortgang bespreken we twee maal per jaar in het overleg.")
    assert states_frequency("Aanbieders leggen jaarlijks verantwoording af.")
    assert states_frequency("Het team komt elke maand bijeen.") and states_frequency("We rapporteren 4x per jaar.")
    assert not states_frequency("De voortgang is een vast agendapunt in het overleg.")
    assert not states_frequency("Het contract loopt twee jaar.")


def test_lead_time_and_year_questions() -> None:
    assert asks_lead_time("Hoe lang van tevoren moet een aanbesteding openbaar worden gemaakt?")
    assert not asks_lead_time("Hoe lang duurt een contract?")
    assert states_lead_time("Publicatie altijd 9 maanden voor ingangsdatum van contract;")
    assert not states_lead_time("De aanbieder kan opzeggen met een opzegtermijn van minstens 12 maanden.")
    assert asks_year("Sinds wanneer is er een expertteam?") and asks_year("In welk jaar startte het team?")
    assert asks_year("Since when has Drenthe had an expert team?")
    assert asks_year("Wanneer moet het nieuwe team operationeel zijn?")
    assert asks_year("Per wanneer gaat het team van start?")
    assert not asks_year("Welke eigen bijdrage betalen ouders wanneer hun kind jeugdhulp krijgt?")  # "if"


def test_sentences_giving_a_cause() -> None:
    assert states_cause("De schaalgrootte leidde echter tot stroperige besluitvorming.")
    assert states_cause("Doordat 70% van de verwijzingen via de huisarts loopt, zien we weinig.")
    assert not states_cause("Tot 2018 werkten we als 21 gemeenten samen.")


def test_years_named() -> None:
    assert years_named("investering jeugd- en gezinsteam heusden 2022") == {"2022"}
    assert years_named("de regiovisie 2023-2026") == {"2023", "2026"}
    assert not years_named("€ 1.370.000 voor 1.100 jeugdigen")  # amounts and counts are no years


def test_name_questions_and_sentences_naming_someone_new() -> None:
    question = "Met welke gemeente stemt Samen voor Jeugd af over gesloten jeugdzorg?"
    assert asks_name(question) and asks_name("Which provider sits in the steering group?")
    assert not asks_name("Welke thema's krijgen voorrang?")
    assert names_something_new("Voor jeugdzorgplus is dit de gemeente Roermond.", question)
    assert not names_something_new("Samen voor Jeugd heeft hier overleg over.", question)  # its own name
    assert not names_something_new("Dit geldt voor gesloten jeugdzorg.", question)
    listing = "Bijeen bestaat uit gemeente Heusden en O3 (ContourdeTwern, MEE, Farent en GGD)."
    assert new_names(listing, "Uit welke organisaties bestaat Bijeen in Heusden?") == 5  # not Bijeen, Heusden


def test_list_questions_ask_for_several_things() -> None:
    assert asks_list("Welke stappen doorloopt de gemeente bij de inkoop?")
    assert asks_list("Aan de hand van welke drie maatstaven worden trajecten beoordeeld?")
    assert asks_list("Which providers take part?") and asks_list("Which three criteria are used?")
    assert asks_list("op welke criteria wordt het resultaat gemeten")
    assert not asks_list("Welke rol heeft de gemeenteraad?")  # one thing: a singular after "welke"
    assert not asks_list("Hoeveel aanbieders zijn er?")


def test_age_questions_and_sentences_giving_an_age() -> None:
    assert asks_age("Voor welke kinderen is de dyslexiezorg bedoeld?")
    assert asks_age("Tot hoe oud kan iemand jeugdhulp krijgen?") and asks_age("Up to what age does it continue?")
    assert asks_age("Voor welke leeftijdsgroep is de dyslexiezorg bedoeld?")
    assert not asks_age("Welke kinderen wonen in de regio?") and not asks_age("Hoeveel kinderen krijgen hulp?")
    assert states_age("De jeugdigen in deze groep zijn tussen de zeven en dertien jaar.")
    assert states_age("Jeugdhulp is bedoeld voor personen tot 18 jaar.")
    assert states_age("Jeugdigen in de leeftijd 0-18 met een zorgvraag.")
    assert not states_age("In 2018 is het plan gemaakt.") and not states_age("Binnen 24 uur is er hulp.")


@pytest.mark.parametrize(
    "text",
    ["De gemeenten willen veertig extra pleeggezinnen werven.", "Er zijn drieënzestig aanbieders.", "elf gemeenten"],
)
def test_numbers_written_as_words_are_numbers(text: str) -> None:
    assert has_number(text)


def test_written_numbers_make_spans_and_ages_but_an_article_is_no_number() -> None:
    assert states_duration("Kinderen wachten soms elf weken op hulp.")
    assert states_age("Jongeren tot drieëntwintig jaar kunnen verlengde jeugdhulp krijgen.")
    assert not has_number("Een gezin krijgt hulp van een wijkteam.")
