from dataclasses import replace

from beleidszoeker.records import DocMeta
from index.analysis import DUTCH_STOPWORDS
from index.search.mentions import (
    alias_table,
    alias_words,
    find_mentions,
    lowercase_uses,
    name_forms,
    strip_mentions,
    strip_title_words,
)

METAS = [
    DocMeta("a.txt", "Plan", "Holland Rijnland (Duin- en Bollenstreek)", ("Lisse", "Katwijk")),
    DocMeta("b.txt", "Visie", "Twente", ("Hof van Twente", "Enschede")),
    DocMeta("c.txt", "Notitie", "onbekend"),
]


def test_aliases_are_word_sequences_longest_first():
    table = alias_words(METAS)
    assert table["a.txt"][0].words == ("holland", "rijnland", "duin", "en", "bollenstreek")
    assert ("duin", "en", "bollenstreek") in [a.words for a in table["a.txt"]]
    assert "c.txt" not in table  # "onbekend" names nothing


def test_mentions_match_whole_words_with_any_case_accent_or_hyphen():
    table = alias_words(METAS)
    query = "Hoe meet de duin en Bollenstreek (LISSE) of hulp werkt, en hoe Twente?"
    found = sorted(find_mentions(query, table), key=lambda m: m.start)
    assert [(m.doc, query[m.start : m.end]) for m in found] == [
        ("a.txt", "duin en Bollenstreek"),
        ("a.txt", "LISSE"),
        ("b.txt", "Twente"),
    ]
    assert find_mentions("twentenaren en lissers", table) == []


def test_adjectives_of_a_place_name_name_the_place():
    assert name_forms(("twente",)) == [("twente",), ("twents",), ("twentse",)]
    assert name_forms(("drenthe",))[1:] == [("drents",), ("drentse",)]
    assert name_forms(("hof", "van", "twente"))[2] == ("hof", "van", "twentse")
    table = alias_words(METAS)
    query = "Wat doen de Twentse gemeenten en het Katwijkse wijkteam?"
    found = sorted(find_mentions(query, table), key=lambda m: m.start)
    assert [(m.doc, query[m.start : m.end]) for m in found] == [("b.txt", "Twentse"), ("a.txt", "Katwijkse")]
    assert strip_mentions(query, found) == "Wat doen de gemeenten en het wijkteam?"


def test_other_names_of_a_region_from_the_manifest_count():
    metas = [DocMeta("a.txt", "Plan", "Holland Rijnland (Duin- en Bollenstreek)", aliases=("Bollenstreek",))]
    table = alias_words(metas)
    assert [m.doc for m in find_mentions("jeugdhulp in de Bollenstreek", table)] == ["a.txt"]
    assert find_mentions("jeugdhulp in de Bollenstreek", alias_words([replace(metas[0], aliases=())])) == []


def test_longest_alias_wins_where_names_overlap():
    table = alias_words(METAS)
    query = "jeugdhulp in Hof van Twente"
    found = find_mentions(query, table)
    assert {query[m.start : m.end] for m in found} == {"Hof van Twente", "Twente"}
    assert strip_mentions(query, found) == "jeugdhulp in"


def test_strip_mentions_leaves_the_topic():
    table = alias_words(METAS)
    query = "wachtlijsten in Twente en Katwijk aanpak"
    assert strip_mentions(query, find_mentions(query, table)) == "wachtlijsten in en aanpak"
    assert strip_mentions(query, []) == query


def test_a_name_inside_a_hyphenated_one_picks_the_document_but_stays_in_the_topic():
    table = alias_words(METAS)
    query = "contractduur jeugdhulp Noord-Twente"
    found = find_mentions(query, table)
    assert found and strip_mentions(query, found) == query  # "Noord-" alone would say nothing


def test_a_name_that_is_also_a_common_word_needs_its_capital():
    metas = [DocMeta("e.txt", "Visie", "Samen voor Jeugd", ("Best", "Eersel"))]
    texts = ["Dat werkt het best-mogelijk.", "In Best en Eersel."]
    common = lowercase_uses(texts, {"best", "eersel"})
    assert common == {"best"}
    table = alias_words(metas, common)
    assert table == alias_table(metas, lambda words: lowercase_uses(texts, words))
    assert find_mentions("wat werkt het best bij wachtlijsten", table) == []
    assert [m.doc for m in find_mentions("jeugdhulp in Best", table)] == ["e.txt"]
    assert [m.doc for m in find_mentions("jeugdhulp in eersel", table)] == ["e.txt"]


def test_title_words_of_a_named_document_are_not_the_topic():
    title = "Programmaplan Jeugdhulpaanbod Duin- en Bollenstreek 2021"
    topic = "in welke segmenten deelt men het jeugdhulpaanbod in 2021"
    assert strip_title_words(topic, [title], DUTCH_STOPWORDS) == "in welke segmenten deelt men het in 2021"
    assert strip_title_words(topic, [], DUTCH_STOPWORDS) == topic


def test_a_question_about_the_title_itself_keeps_it():
    title = "Worsteling in het sociaal domein (Jeugd & Gezinsteam Heusden)"
    about_title = "wat is het Jeugd & Gezinsteam"
    assert strip_title_words(about_title, [title], DUTCH_STOPWORDS) == about_title
    stripped = strip_title_words("welke professionals zitten in het Jeugd & Gezinsteam", [title], DUTCH_STOPWORDS)
    assert stripped == "welke professionals zitten in het &"
