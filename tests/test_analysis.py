"""Dutch analysis: exact offsets, normalisation, stopwords, stemming and compound splitting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.analysis import (
    DEFAULT_SPLITTER,
    DUTCH_STOPWORDS,
    CompoundSplitter,
    Token,
    analyze,
    head_terms,
    inflection_variants,
    query_terms,
    stem,
    term_spans,
)

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
_WORDCHAR = re.compile(r"[^\W_]|[\u0300-\u036f]")


def whole_terms(text: str) -> list[str]:
    return [t.term for t in analyze(text) if not t.is_part]


def test_offsets_point_at_the_surface_word() -> None:
    text = "De Jeugdhulpaanbieders¹ in Twente (TWO2) en de gemeenten1 — ﬁnanciering, één keer!"
    tokens = analyze(text)
    surfaces = [text[t.start : t.end] for t in tokens if not t.is_part]
    assert surfaces == ["Jeugdhulpaanbieders¹", "Twente", "TWO2", "gemeenten1", "ﬁnanciering", "keer"]


def test_footnote_digits_are_dropped() -> None:
    assert whole_terms("gemeenten1") == whole_terms("gemeenten")
    assert whole_terms("TWO2") == ["two"]
    assert whole_terms("goed¹ groot⁴") == whole_terms("goed groot")
    assert whole_terms("Jeugdwet4") == whole_terms("Jeugdwet")
    assert analyze("¹ ²") == []


def test_numbers_and_short_codes_are_kept() -> None:
    assert whole_terms("in 2020 ruim 80% en Q4") == ["2020", "ruim", "80", "q4"]
    assert whole_terms("covid19 2021q2") == ["covid", "2021q2"]


def test_nfkc_ligature_keeps_original_offsets() -> None:
    text = "de ﬁnanciering"
    (tok,) = analyze(text)
    assert tok.term == stem("financiering")
    assert (tok.start, tok.end) == (3, 14)
    assert text[tok.start : tok.end] == "ﬁnanciering"


def test_diacritics_are_folded_so_ocr_variants_match() -> None:
    assert whole_terms("Financiële") == whole_terms("Financiéle") == whole_terms("financiele")
    assert whole_terms("cliënten") == whole_terms("clienten") == ["client"]
    assert whole_terms("geïnformeerd") == whole_terms("geinformeerd")


def test_decomposed_accents_stay_inside_the_word() -> None:
    text = "Financie\u0301le steun"
    tokens = analyze(text)
    assert [text[t.start : t.end] for t in tokens] == ["Financie\u0301le", "steun"]
    assert tokens[0].term == whole_terms("Financiële")[0]


def test_stopwords_and_question_words_are_dropped() -> None:
    for w in ("de", "het", "een", "van", "wat", "hoe", "welke", "waar", "wanneer", "wie", "waarom", "hoeveel"):
        assert w in DUTCH_STOPWORDS
    assert len(DUTCH_STOPWORDS) >= 100
    assert query_terms("Wat is het?") == []
    assert query_terms("Hoeveel gemeenten werken samen in de regio?") == [
        stem("gemeenten"),
        stem("werken"),
        stem("samen"),
        stem("regio"),
    ]
    assert query_terms("één") == []


def test_stemming_conflates_inflections() -> None:
    assert stem("wachtlijsten") == stem("wachtlijst")
    assert stem("aanbieders") == stem("aanbieder")
    assert stem("jeugdigen") == stem("jeugdige")
    assert whole_terms("Verwijzers") == whole_terms("verwijzer")


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("jeugdhulpaanbieders", {"jeugdhulp", "jeugd", "hulp", "aanbieder"}),
        ("wachtlijsten", {"wacht", "lijst"}),
        ("wachtlijstproblematiek", {"wachtlijst", "wacht", "lijst", "problematiek"}),
        ("gemeenteraad", {"gemeente", "raad"}),
        ("regiovisie", {"regio", "visie"}),
        ("jeugdwet", {"jeugd", "wet"}),
        ("wijkteams", {"wijk", "team"}),
    ],
)
def test_default_splitter_splits_policy_compounds(word: str, parts: set[str]) -> None:
    assert set(DEFAULT_SPLITTER.split(word)) == parts


def test_head_terms_name_what_a_compound_is() -> None:
    assert head_terms("jeugdhulpaanbieders") == {stem("jeugdhulpaanbieders"), stem("aanbieders")}  # not "jeugd"
    assert head_terms("gemeenteraad") == {stem("gemeenteraad"), stem("raad")}
    assert head_terms("fte") == {"fte"}


@pytest.mark.parametrize(
    "word", ["verwijzers", "gemeenten", "ondersteuning", "aanbieders", "belangrijk", "wethouders", "jeugd"]
)
def test_no_silly_splits(word: str) -> None:
    assert DEFAULT_SPLITTER.split(word) == ()


def test_compound_tokens_share_the_whole_words_span() -> None:
    text = "Alle jeugdhulpaanbieders doen mee"
    tokens = [t for t in analyze(text) if text[t.start : t.end] == "jeugdhulpaanbieders"]
    assert tokens[0] == Token(stem("jeugdhulpaanbieders"), 5, 24)
    assert {t.term for t in tokens[1:]} == {stem(p) for p in ("jeugdhulp", "jeugd", "hulp", "aanbieders")}
    assert all(t.is_part for t in tokens[1:])
    assert [t.term for t in analyze(text, split_compounds=False)] == [stem("jeugdhulpaanbieders"), stem("mee")]


def test_splitter_learns_parts_from_a_corpus() -> None:
    texts = ["De kostprijs is hoog. Een nieuwe kostprijs volgt.", "Het kostprijsonderzoek loopt."]
    learned = CompoundSplitter.from_corpus(texts)
    assert learned.split("kostprijsonderzoek") == ("kostprijs", "onderzoek")
    assert DEFAULT_SPLITTER.split("kostprijsonderzoek") == ()
    once = CompoundSplitter.from_corpus(["Een kostprijs.", "kostprijsonderzoek"])
    assert once.split("kostprijsonderzoek") == ()
    assert CompoundSplitter.from_dict(learned.to_dict()).counts == learned.counts


def test_splitter_on_real_corpus_words() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS_DIR.glob("*.txt"))]
    sp = CompoundSplitter.from_corpus(texts)
    assert set(sp.split("samenwerkingsverband")) >= {"samenwerking", "verband"}
    assert set(sp.split("jeugdbeschermingsketen")) >= {"jeugd", "bescherming", "keten"}
    assert set(sp.split("kostprijsonderzoek")) == {"kostprijs", "onderzoek"}
    assert set(sp.split("jeugdhulpaanbieders")) >= {"jeugd", "hulp", "aanbieders"}
    for word in ("verwijzers", "gemeenten", "ondersteuning", "aanbieders", "belangrijke", "medewerkers"):
        assert sp.split(word) == (), word


def test_term_spans_highlight_stem_and_compound_matches() -> None:
    text = "Wachtlijsten groeien. Met wachtlijstbeheer worden de wachtlijsten korter; het wachten duurt."
    spans = term_spans(text, set(query_terms("wachtlijst")))
    words = [text[s:e] for s, e in spans]
    assert words[:3] == ["Wachtlijsten", "wachtlijstbeheer", "wachtlijsten"]
    # Query parts ("wacht") also light up the plain word; whole terms alone still reach compounds.
    assert words[3:] == ["wachten"]
    only_whole = [text[s:e] for s, e in term_spans(text, {stem("wachtlijst")})]
    assert only_whole == ["Wachtlijsten", "wachtlijstbeheer", "wachtlijsten"]
    assert spans == sorted(set(spans))
    assert term_spans(text, set()) == []


_ALPHABET = st.sampled_from(
    [*"abcdeéëïöüXYZ019 _-.,;¹²³⁴⁵ﬁﬂ½\n\t'\"", "\u0301", "\u0308", "ß", "İ", "Ⅻ", "㎏", "²", "ǅ"]
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60))
def test_tokens_cover_word_runs_of_the_input(text: str) -> None:
    for t in analyze(text):
        assert 0 <= t.start < t.end <= len(text)
        surface = text[t.start : t.end]
        assert all(_WORDCHAR.fullmatch(c) for c in surface)
        assert re.fullmatch(r"[^\W_]", surface[0])
        assert t.start == 0 or not re.fullmatch(r"[^\W_]", text[t.start - 1])
        assert t.end == len(text) or not _WORDCHAR.fullmatch(text[t.end])
        assert t.term


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_analyze_never_fails_on_arbitrary_unicode(text: str) -> None:
    for t in analyze(text):
        assert text[t.start : t.end]


def test_inflection_variants_offer_the_forms_documents_use() -> None:
    assert inflection_variants("deelt") == ["deel"]  # delen -> "deel"
    assert "opleveer" in inflection_variants("oplevert")  # opleveren -> "opleveer"
    assert inflection_variants("vergoede") == ["vergoed"]
    assert inflection_variants("2022") == [] and inflection_variants("ggz") == []
