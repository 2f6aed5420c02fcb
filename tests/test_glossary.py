from index.search.glossary import EN_NL, translate_terms


def test_phrases_win_over_their_words_and_case_does_not_matter():
    assert translate_terms("Waiting list for Youth Care?") == f"{EN_NL['waiting list']} {EN_NL['youth care']}"
    assert translate_terms("care for the youth") == f"{EN_NL['care']} {EN_NL['youth']}"


def test_words_inside_other_words_are_not_translated():
    assert translate_terms("careful schooling") == ""
    assert translate_terms("") == ""


def test_glossary_maps_to_dutch_words_only():
    assert all(v and v == v.strip() and k == k.lower() for k, v in EN_NL.items())
