"""Offset mapping: clean text spans map back to exact original offsets."""

from hypothesis import given
from hypothesis import strategies as st

from beleidszoeker.records import Chunk, DocMeta, Document, PageSpan, chunk_id
from beleidszoeker.textmap import MappedTextBuilder, concat

ORIGINAL = "Eerste  regel met\nafbreking1 en\n\nnog  meer tekst."


def _chunk(mapped, original):
    return Chunk(
        id=chunk_id("a.txt", mapped.start, mapped.end, mapped.text),
        doc="a.txt", title="T", region="R", year=None, section="", page=None, page_label=None,
        start=mapped.start, end=mapped.end, text=mapped.text, embed_text=mapped.text, runs=mapped.runs,
    )


def _clean(original: str):
    """A toy cleaner: collapse whitespace runs to one space, drop digits glued to letters."""
    b = MappedTextBuilder(original)
    i = 0
    while i < len(original):
        ch = original[i]
        if ch.isspace():
            j = i
            while j < len(original) and original[j].isspace():
                j += 1
            b.insert(" ")
            i = j
        elif ch.isdigit() and i and original[i - 1].isalpha():
            i += 1
        else:
            b.keep(i, i + 1)
            i += 1
    return b.build()


def test_runs_are_verbatim_and_merge():
    m = _clean(ORIGINAL)
    assert m.text == "Eerste regel met afbreking en nog meer tekst."
    for c, o, n in m.runs:
        assert m.text[c : c + n] == ORIGINAL[o : o + n]
    assert len(m.runs) == 8  # one per word: adjacent kept characters merge into one run


def test_to_original_maps_a_clean_word_to_its_source():
    m = _clean(ORIGINAL)
    chunk = _chunk(m, ORIGINAL)
    s = m.text.index("afbreking")
    o_s, o_e = chunk.to_original(s, s + len("afbreking"))
    assert ORIGINAL[o_s:o_e] == "afbreking"
    s = m.text.index("nog meer")
    o_s, o_e = chunk.to_original(s, s + len("nog meer"))
    assert ORIGINAL[o_s:o_e] == "nog  meer"


def test_concat_keeps_runs_valid():
    original = "Kop\n\ntekst  hier"
    a = MappedTextBuilder(original)
    a.keep(0, 3)
    b = MappedTextBuilder(original)
    b.keep(5, 10)
    b.insert(" ")
    b.keep(12, 16)
    joined = concat([a.build(), b.build()], "\n", original)
    assert joined.text == "Kop\ntekst hier"
    assert joined.runs == ((0, 0, 3), (4, 5, 5), (10, 12, 4))


@given(st.text(alphabet=st.sampled_from(list("ab c1\n\t")), min_size=1, max_size=80))
def test_any_clean_span_maps_inside_the_original(text):
    m = _clean(text)
    if not m.runs:
        return
    chunk = _chunk(m, text)
    for s in range(len(m.text)):
        for e in range(s + 1, len(m.text) + 1):
            o_s, o_e = chunk.to_original(s, e)
            assert m.start <= o_s <= o_e <= m.end
            source = "".join(ch for ch in text[o_s:o_e] if not ch.isspace() and not ch.isdigit())
            for word in m.text[s:e].split():
                assert word.replace("1", "") in source


def test_document_page_at_and_round_trip():
    doc = Document(DocMeta("x.pdf", "X", "R"), "aaaa\n\nbbbb", (PageSpan(0, 6, 1, "i"), PageSpan(6, 10, 2, "ii")))
    assert doc.page_at(0).label == "i"
    assert doc.page_at(7).number == 2
    assert Document.from_dict(doc.to_dict()) == doc
