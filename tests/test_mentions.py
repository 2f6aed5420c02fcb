from beleidszoeker.records import DocMeta
from index.mentions import alias_words, find_mentions, strip_mentions

METAS = [
    DocMeta("a.txt", "Plan", "Holland Rijnland (Duin- en Bollenstreek)", ("Lisse", "Katwijk")),
    DocMeta("b.txt", "Visie", "Twente", ("Hof van Twente", "Enschede")),
    DocMeta("c.txt", "Notitie", "onbekend"),
]


def test_aliases_are_word_sequences_longest_first():
    table = alias_words(METAS)
    assert table["a.txt"][0] == ("holland", "rijnland", "duin", "en", "bollenstreek")
    assert ("duin", "en", "bollenstreek") in table["a.txt"]
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
