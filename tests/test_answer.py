from index.answer import answer_units, extend_answer, merge_spans, score_units, term_coverage


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
        "Wij doen dit.", "En dat ook.", "We werken aan:", "- preventie", "- toegang"
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
