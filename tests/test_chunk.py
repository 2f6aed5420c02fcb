"""ingest.chunk: offsets invariants (property-based), sentence splitting, and the real corpus."""

from __future__ import annotations

import json
import re
import statistics
import tomllib
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from beleidszoeker.config import PROJECT_ROOT, get_settings
from beleidszoeker.records import Chunk, DocMeta, Document
from ingest.chunk import chunk_document, split_sentences
from ingest.clean import word_count

MAX_WORDS = 260
EVAL = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"
TWENTE_PRINCIPLES = (
    "1. De jeugdige in zijn/haar omgeving staat centraal",
    "2. Normaliseren is uitgangspunt",
    "3. Ondersteuning zo licht en zo nabij als mogelijk, zo zwaar en specialistisch als nodig",
    "4. Thuis, tenzij...",
    "5. In Twente kennen we een overzichtelijk zorglandschap, effectief en beheersbaar",
    "6. In Twente werken wij zonder wachtlijsten",
    "7. Wij investeren in blijvend leren en verbeteren, data gedreven",
    "8. Het stelsel van Jeugdhulp is duurzaam en betaalbaar",
)


# --- helpers ---------------------------------------------------------------------------


def make_document(path: Path) -> Document:
    """A Document for a corpus file, metadata from the manifest (the loaders live elsewhere)."""
    manifest = tomllib.loads((path.parent / "manifest.toml").read_text(encoding="utf-8"))
    entry = dict(manifest.get(path.name, {"title": path.stem, "region": ""}))
    entry["municipalities"] = tuple(entry.get("municipalities", ()))
    entry["aliases"] = tuple(entry.get("aliases", ()))
    return Document(meta=DocMeta(file=path.name, **entry), text=path.read_bytes().decode("utf-8"))


@cache
def corpus() -> dict[str, tuple[Document, list[Chunk]]]:
    out = {}
    for path in sorted(get_settings().corpus_dir.glob("*.txt")):
        doc = make_document(path)
        out[path.name[:3]] = (doc, chunk_document(doc))
    return out


def all_chunks() -> list[tuple[Document, Chunk]]:
    return [(doc, c) for doc, chunks in corpus().values() for c in chunks]


def check_offsets(doc: Document, chunk: Chunk) -> None:
    """Runs are verbatim, inside [start, end); every word of the text occurs in that span."""
    original = doc.text
    assert chunk.runs
    for c, o, n in chunk.runs:
        assert chunk.text[c : c + n] == original[o : o + n]
        assert chunk.start <= o and o + n <= chunk.end
    span = original[chunk.start : chunk.end]
    for word in re.findall(r"\w+", chunk.text):
        assert word in span
    for a, b in split_sentences(chunk.text):
        x, y = chunk.to_original(a, b)
        assert x <= y
        for word in re.findall(r"\w+", chunk.text[a:b]):
            assert word in original[x:y]


def words_of(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text) if w.isalpha() and len(w) >= 3}


# --- properties ------------------------------------------------------------------------

# Words, numbers and every kind of marker the cleaner handles, "|"-separated.
TOKENS = st.sampled_from(
    (
        "Jeugd|hulp|gemeente|de|het|een|en|van|zorg|Twente|kinderen|Wij|werken|samen|Inleiding|Doelgroep:|"
        "Knelpunten|Wat willen we bereiken?|70%|2019|12|3|1.|2)|a.|3.1|16.269|€ 1,5|o.a.|bijv.|•|·|-|- ›|*|**|"
        "e|¢|®|#|##|\t|\xa0|&|,|.|?|:|Tabel 1:|Bron:|Bijlage 2|gemeenten1|TWO2|instituut®|goed¹|<p>|</p>|<b>|"
        "[bookmark: _bookmark3]"
    ).split("|")
)
SEPARATORS = st.sampled_from([" ", " ", " ", "", "\n", "\n\n", "\n\n\n\n", "\n \n", "  \n", "\t"])
TEXTS = st.lists(st.tuples(TOKENS, SEPARATORS), max_size=150).map(lambda ts: "".join(a + b for a, b in ts))
LINES = st.lists(
    st.tuples(st.lists(TOKENS, max_size=14).map(" ".join), st.sampled_from(["\n", "\n\n", "\n\n\n\n"])),
    max_size=40,
).map(lambda ls: "".join(a + b for a, b in ls))
ANY_TEXT = st.one_of(TEXTS, LINES, st.text(max_size=300))
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _doc(text: str) -> Document:
    return Document(meta=DocMeta(file="x.txt", title="T", region="R"), text=text)


@PROPERTY
@given(ANY_TEXT)
def test_chunks_are_verbatim_runs_of_any_text(text: str) -> None:
    doc = _doc(text)
    for chunk in chunk_document(doc):
        check_offsets(doc, chunk)
        assert word_count(chunk.text) <= MAX_WORDS
        assert chunk.embed_text == f"T | {chunk.section}\n{chunk.text}"


@PROPERTY
@given(st.one_of(TEXTS, LINES))
@example("Jeugd hulp\nJeugd\nBijlage 2\n3.1 ")  # a heading just before the first unit keeps its words
def test_every_word_is_covered(text: str) -> None:
    """Nothing but markers is dropped: every letter word ends up in a chunk's text or section."""
    doc = _doc(text)
    chunks = chunk_document(doc)
    covered = " ".join(f"{c.section} {c.text}" for c in chunks)
    unmarked = re.sub(r"\[bookmark:[^\]]*\]", " ", text)
    assert not words_of(unmarked) - words_of(covered)


@settings(max_examples=50, deadline=None)
@given(LINES, st.integers(20, 120), st.integers(0, 30))
def test_size_parameters_are_respected(text: str, target: int, overlap: int) -> None:
    doc = _doc(text)
    limit = target + 40
    for chunk in chunk_document(doc, target_words=target, max_words=limit, overlap_words=overlap):
        check_offsets(doc, chunk)
        assert word_count(chunk.text) <= limit


@PROPERTY
@given(ANY_TEXT)
def test_sentence_spans_are_ordered_and_trimmed(text: str) -> None:
    spans = split_sentences(text)
    last = 0
    for a, b in spans:
        assert last <= a < b <= len(text)
        assert text[a:b] == text[a:b].strip()
        assert "\n" not in text[a:b]
        last = b


# --- split_sentences ---------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Veiligheid (o.a. Veilig Thuis, Jeugdbescherming, Jeugdreclassering).",
        "Dit is d.w.z. een voorbeeld.",
        "Denk aan bijv. Haven 7 en Sloep.",
        "We zien bv. Lokalis als voorbeeld.",
        "Afspraken m.b.t. Onderwijs worden gemaakt.",
        "We kiezen i.p.v. Individuele hulp voor groepen.",
        "Middelen t.b.v. Preventie zijn beschikbaar.",
        "Pleegzorg, gezinshuizen e.d. zijn nodig.",
        "Zie nr. 12 en art. 3 van de Jeugdwet.",
        "Alle kosten incl. BTW en ca. 14.000 jeugdigen.",
        "De zgn. Norm voor Opdrachtgeverschap.",
        "Twee resp. Drie teams, met dhr. Jansen en mevr. De Vries.",
        "Het besluit van 1 juni jl. Is genomen.",
        "Jongeren van 0 t/m 17 jaar.",
        "Zoals besloten, Y.Y.E. van Bakel tekent.",
        "Zie paragraaf 3.1 over preventie.",
        "In Twente krijgen 16.269 personen jeugdhulp.",
        "Heusden krijgt € 1,5 mln extra.",
    ],
)
def test_abbreviations_and_numbers_do_not_split(text: str) -> None:
    assert sentences(text) == [text]


def test_sentences_split_on_final_punctuation() -> None:
    text = "Heusden krijgt € 2,7 miljoen. Dat dekt de investering! Is dat genoeg? Ja, in 2019. 8% gaat naar zorg."
    assert sentences(text) == [
        "Heusden krijgt € 2,7 miljoen.",
        "Dat dekt de investering!",
        "Is dat genoeg?",
        "Ja, in 2019.",
        "8% gaat naar zorg.",
    ]


def test_sentences_end_at_newlines_and_after_closing_abbreviations() -> None:
    text = "1. We werken data-gedreven.\n2. Pleegzorg, gezinshuizen etc. Daarna volgt meer\nTabel 1: cijfers"
    assert sentences(text) == [
        "1. We werken data-gedreven.",
        "2. Pleegzorg, gezinshuizen etc.",
        "Daarna volgt meer",
        "Tabel 1: cijfers",
    ]


def test_list_labels_and_quotes() -> None:
    text = "Segment 1. Behandeling met verblijf. “Doe wat nodig is.” Dat is het motto (tot 80%!) van de regio."
    assert sentences(text) == [
        "Segment 1. Behandeling met verblijf.",
        "“Doe wat nodig is.”",
        "Dat is het motto (tot 80%!) van de regio.",
    ]


# --- the real corpus ---------------------------------------------------------------------


def test_corpus_chunks_keep_exact_offsets() -> None:
    for doc, chunk in all_chunks():
        check_offsets(doc, chunk)
        assert chunk.doc == doc.meta.file and chunk.title == doc.meta.title and chunk.year == doc.meta.year
        assert chunk.page is None and chunk.page_label is None
        assert chunk.kind in ("text", "list", "table")
        assert chunk.embed_text.startswith(f"{doc.meta.title} | {chunk.section}\n")


def test_corpus_chunk_sizes() -> None:
    for _, chunks in corpus().values():
        sizes = [word_count(c.text) for c in chunks]
        assert max(sizes) <= MAX_WORDS
        assert all(n >= 15 for n in sizes[:-1]), "no chunk is only a heading or residue"
        assert 60 <= statistics.median(sizes) <= 200


def test_corpus_chunk_ids_are_unique_and_stable() -> None:
    ids = [c.id for _, c in all_chunks()]
    assert len(ids) == len(set(ids))
    doc, chunks = corpus()["004"]
    assert [c.id for c in chunk_document(doc)] == [c.id for c in chunks]


def test_no_residue_in_corpus_chunks() -> None:
    for _, chunk in all_chunks():
        for residue in ("[bookmark", "[image", "<b>", "<p>", "You and 31 others", ".....", "See translation"):
            assert residue not in chunk.text and residue not in chunk.section


def test_twente_principles_each_start_a_section() -> None:
    _, chunks = corpus()["003"]
    for principle in TWENTE_PRINCIPLES:
        assert any(c.section.lower().endswith(principle.lower()) for c in chunks), principle


def test_table_1_is_one_chunk() -> None:
    _, chunks = corpus()["000"]
    holding = [c for c in chunks if "Tabel 1" in c.text]
    assert len(holding) == 1
    table = holding[0]
    assert table.kind == "table"
    assert "Behandeling | 70% | 70% | 68% | 68%" in table.text
    assert table.section == "1 Jeugdhulp in onze regio > 1.1 Gegevens jeugdigen en jeugdhulpgebruik"


def test_footnote_cut_sentence_is_whole_in_one_chunk() -> None:
    _, chunks = corpus()["001"]
    assert any("waarbij er gerichter wordt gestuurd op de maatschappelijke opgaven" in c.text for c in chunks)
    _, chunks = corpus()["002"]
    assert any("echt aan te pakken. Een aandachtspunt hierbij" in c.text for c in chunks)


def test_section_paths_follow_the_heading_structure() -> None:
    sections = {c.section for _, c in all_chunks()}
    assert "3 Wat willen we bereiken en hoe doen we dat? > 3.2 We werken data-gedreven > Wat willen we bereiken?" in (
        sections
    )
    assert "4. Ontwikkeldoelen > Segment 2. Wonen > Knelpunten" in sections


def _grams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + 4]) for i in range(max(1, len(words) - 3))}


@pytest.mark.skipif(not EVAL.exists(), reason="shared dev set not available")
def test_gold_quotes_sit_in_one_chunk() -> None:
    """Structural check: ≥90% of a gold quote's word 4-grams appear in a single chunk."""
    docs = {doc.meta.file: chunks for doc, chunks in corpus().values()}
    results = {}
    for line in EVAL.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        for k, gold in enumerate(item["gold"]):
            quote = _grams(gold["quote"])
            best = max(len(quote & _grams(c.text)) / len(quote) for c in docs[gold["doc"]])
            results[f"{item['id']}#{k}"] = best
    failing = {key: round(v, 2) for key, v in results.items() if v < 0.9}
    # d004 quotes "gemeenten1": the glued footnote number is removed on purpose.
    assert len(failing) <= 0.1 * len(results), failing


def test_chunk_span_stays_close_to_its_text():
    """A chunk's [start, end) must not reach back to a far-away heading: the app shows that slice."""
    for doc, c in all_chunks():
        assert c.end - c.start <= 3 * len(c.text) + 200, (doc.meta.file, c.section)
