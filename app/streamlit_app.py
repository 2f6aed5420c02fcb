"""Beleidszoeker — the Streamlit app: ask, compare regions, passages in context, similar passages,
filters, shareable links, export, corpus overview and adding a document.

The page only calls the retriever and renders; the HTML, export and URL helpers live in
`app/view.py` (pure functions), adding a document in `app/actions.py`.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run app/streamlit_app.py` only puts app/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import view  # noqa: E402
from app.actions import NewDocument, add_document, source_path, supported_suffixes  # noqa: E402
from beleidszoeker.config import Settings, get_settings, limit_native_threads  # noqa: E402
from beleidszoeker.records import Document, Hit, SearchResult  # noqa: E402

limit_native_threads()

BUILD_COMMAND = "beleidszoeker ingest && beleidszoeker index"
RUN_COMMAND = "bash scripts/run"
K_PASSAGES = 8
SIMILAR_K = 5
COMPARE_EXCERPT = 180  # characters around the best sentences in the compare grid
MIME = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
    ".md": "text/markdown",
}

CSS = """
<style>
:root { --bz-ink:#1b1f24; --bz-muted:#57606a; --bz-accent:#1f5fbf; --bz-hl:#ffe97a; --bz-line:#d0d7de; }
html { font-size: 17px; }
.block-container { padding-top: 2.2rem; max-width: 1500px; }
[data-testid="stAppDeployButton"] { display: none; }
h1 { font-size: 2.1rem !important; }
.bz-sub { color: var(--bz-muted); font-size: 1.05rem; margin-top: -0.6rem; margin-bottom: 0.6rem; }
.bz-card { border-radius: 10px; padding: 1rem 1.3rem; margin: 0.4rem 0 1.1rem 0; color: var(--bz-ink);
  border: 1px solid var(--bz-line); border-left: 7px solid var(--bz-accent); background: #f3f7fd; }
.bz-card-kicker { text-transform: uppercase; letter-spacing: .06em; font-size: .8rem; font-weight: 700;
  color: var(--bz-accent); margin-bottom: .3rem; }
.bz-answer-text { font-size: 1.4rem; line-height: 1.5; font-weight: 500; }
.bz-cite { margin-top: .6rem; font-size: 1rem; color: #24292f; }
.bz-cite-label { font-weight: 700; }
.bz-noanswer { border-left-color: #b42318; background: #fdf3f2; }
.bz-noanswer .bz-card-kicker { color: #b42318; }
.bz-noanswer-text { font-size: 1.35rem; font-weight: 600; }
.bz-card-note { margin-top: .35rem; color: #3d444d; }
.bz-conf { margin-top: .7rem; display: flex; align-items: center; gap: .8rem; font-size: .95rem; color: #3d444d; }
.bz-conf-bar { display: inline-block; width: 180px; height: 10px; border-radius: 5px; background: #dfe3e8;
  overflow: hidden; }
.bz-conf-bar > span { display: block; height: 100%; background: #2f8f46; }
.bz-conf-mid .bz-conf-bar > span { background: #d29922; }
.bz-conf-low .bz-conf-bar > span { background: #b42318; }
.bz-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: .25rem .6rem; margin-bottom: .45rem; }
.bz-rank { font-weight: 800; color: var(--bz-accent); font-size: 1.1rem; }
.bz-region { background: #e3ecfa; color: #17417f; border-radius: 999px; padding: .05rem .65rem;
  font-weight: 700; font-size: .92rem; }
.bz-title { font-weight: 700; font-size: 1.02rem; }
.bz-meta { color: var(--bz-muted); font-size: .95rem; }
.bz-score { color: #8c959f; font-size: .82rem; margin-left: auto; }
.bz-passage { font-size: 1.05rem; line-height: 1.65; }
mark.bz-ans { background: var(--bz-hl); color: inherit; padding: .05rem .1rem; border-radius: 3px; }
.bz-term { font-weight: 700; text-decoration: underline; text-decoration-color: #d29922;
  text-decoration-thickness: 2px; text-underline-offset: 3px; }
.bz-legend { color: var(--bz-muted); font-size: .95rem; margin: .2rem 0 .6rem 0; }
.bz-legend mark { background: var(--bz-hl); padding: 0 .2rem; border-radius: 3px; }
.bz-section { font-size: 1.3rem; font-weight: 700; margin: .8rem 0 .2rem 0; }
.bz-closest { color: #b42318; font-weight: 600; }
.bz-context { border: 1px solid var(--bz-line); border-radius: 8px; background: #fff; color: var(--bz-ink);
  font-size: 1.02rem; line-height: 1.6; }
.bz-before, .bz-after { max-height: 9.5em; overflow-y: auto; padding: .5rem 1rem; color: #4b535c; }
.bz-scroll .bz-before, .bz-scroll .bz-after { max-height: 22em; }
.bz-before { display: flex; flex-direction: column-reverse; border-bottom: 1px dashed var(--bz-line); }
.bz-after { border-top: 1px dashed var(--bz-line); }
.bz-focus { padding: .7rem 1rem; background: #fffbe6; border-left: 5px solid #e0a800; }
.bz-focus mark.bz-ans { background: var(--bz-hl); }
.bz-doccard-head { margin-bottom: .3rem; }
.bz-doccard-region { font-size: 1.15rem; font-weight: 800; color: #17417f; }
.bz-doccard-title { color: var(--bz-muted); font-size: .95rem; }
.bz-missing { color: #6e7781; font-style: italic; background: #f6f8fa; border-radius: 6px; padding: .8rem 1rem;
  font-size: 1.05rem; }
.bz-panel-title { font-weight: 700; font-size: 1.05rem; margin: .3rem 0 .2rem 0; }
</style>
"""


# ---- loading (once per server process) ---------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=2)
def get_embedder(model: str, cache_dir: str, query_prompt: str, passage_prompt: str, _settings: Settings) -> Any:
    """The embedding model, shared by every session (and kept when the index is rebuilt)."""
    from index.embedding import Embedder

    return Embedder(_settings)


@st.cache_resource(show_spinner=False)
def search_lock() -> threading.Lock:
    """Queries are serialised: the query encoder is not documented as thread-safe."""
    return threading.Lock()


def _embedder(settings: Settings) -> Any:
    return get_embedder(settings.model, str(settings.cache_dir), settings.query_prompt, settings.passage_prompt,
                        settings)


def index_stamp(settings: Settings) -> int:
    """Changes whenever the index is rebuilt (by the app or by `beleidszoeker index`)."""
    try:
        return (settings.index_dir / "manifest.json").stat().st_mtime_ns
    except OSError:
        return 0


@st.cache_resource(show_spinner=False, max_entries=4)
def get_retriever(data_dir: str, model: str, stamp: int, _settings: Settings) -> Any:
    """Index and model, loaded once per server process and index version; shared read-only."""
    from index.retriever import HybridRetriever

    retriever = HybridRetriever.load(_settings, embedder=_embedder(_settings))
    with search_lock():  # warm up the query path so the first real answer is fast
        retriever.search("jeugdhulp", k=1)
    return retriever


@st.cache_data(show_spinner=False, max_entries=256)
def run_search(data_dir: str, stamp: int, mode: str, query: str, regions: tuple[str, ...], docs: tuple[str, ...],
               years: tuple[int, ...], _retriever: Any) -> SearchResult:
    from index.retriever import Filters

    filters = Filters(regions=regions, docs=docs, years=years)
    with search_lock():
        if mode == "vergelijk":
            return _retriever.compare(query, per_doc=2, filters=filters)
        return _retriever.search(query, k=K_PASSAGES, filters=filters)


@st.cache_data(show_spinner=False, max_entries=256)
def run_similar(data_dir: str, stamp: int, chunk_id: str, _retriever: Any) -> list[Hit]:
    with search_lock():
        return _retriever.similar(chunk_id, k=SIMILAR_K * 6)


# ---- state -------------------------------------------------------------------------------------


def ss() -> Any:
    return st.session_state


def init_state() -> None:
    s = ss()
    if "_url" in s:
        return
    state = view.decode_params(_current_params())
    s["_url"] = state  # filters are applied once their options are known
    s["mode"] = state.mode
    s["query"] = state.query
    s["ctx"] = state.context
    s["sim"] = state.similar


def _current_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def sync_url(state: view.ViewState) -> None:
    desired = {k: v if isinstance(v, list) else [v] for k, v in view.encode_params(state).items()}
    if desired != _current_params():
        st.query_params.from_dict(view.encode_params(state))


def toggle(key: str, chunk_id: str) -> None:
    ss()[key] = "" if ss().get(key) == chunk_id else chunk_id


def set_query(text: str, widget_key: str) -> None:
    ss()["query"] = text
    ss()[widget_key] = text
    ss()["ctx"] = ss()["sim"] = ""


def pick_example(pills_key: str, widget_key: str) -> None:
    value = ss().get(pills_key)
    if value:
        set_query(value, widget_key)
    ss()[pills_key] = None


def compare_instead(query: str) -> None:
    """From a question to the regions side by side: the same words as the topic of the compare view."""
    ss()["mode"] = "vergelijk"
    set_query(query, "q_vergelijk")


def clear_filters() -> None:
    for key in ("f_regio", "f_doc", "f_jaar"):
        ss()[key] = []


# ---- small renderers ---------------------------------------------------------------------------


def html(markup: str) -> None:
    """Our own markup; every piece of document text in it went through view.escape_text first."""
    st.markdown(markup, unsafe_allow_html=True)


def no_index_message(err: Exception) -> None:
    st.error("Er is nog geen zoekindex: de documenten zijn nog niet ingelezen en geïndexeerd.")
    st.markdown("Bouw de index eenmalig (een paar minuten) in de projectmap:")
    st.code(BUILD_COMMAND, language="bash")
    st.markdown("of zet alles klaar en start de app in één keer met:")
    st.code(RUN_COMMAND, language="bash")
    st.caption(f"Melding: {err}")
    st.caption("Je kunt ook hieronder bij **Document toevoegen** een eerste document uploaden.")


def pdf_link(path: Path) -> str | None:
    """A URL that serves the PDF inline (Streamlit's media endpoint), or None outside a server."""
    try:
        from streamlit import runtime

        if not runtime.exists():
            return None
        return runtime.get_instance().media_file_mgr.add(str(path), "application/pdf", f"bz-pdf:{path.name}")
    except Exception:
        return None


def render_context(hit: Hit, documents: dict[str, Document], settings: Settings, slot: str) -> None:
    c = hit.chunk
    doc = documents.get(c.doc)
    with st.container(border=True):
        html(f'<div class="bz-panel-title">In context: {view.esc(view.hit_citation(hit))}</div>')
        if doc is None:
            st.info("De tekst van dit document staat niet in de index.")
            return
        scope = st.radio(
            "Toon", ["Omringende tekst", "Hele document"], horizontal=True, key=f"scope-{slot}",
            label_visibility="collapsed",
        )
        window = None if scope == "Hele document" else 1500
        start, end = view.focus_span(c)
        html(view.context_html(doc, start, end, hit.answer_spans, hit.term_spans, window=window))
        path = source_path(settings, c.doc)
        if path is None:
            st.caption("Het bronbestand is niet (meer) beschikbaar.")
            return
        with st.container(horizontal=True):
            if path.suffix.lower() == ".pdf":
                url = pdf_link(path)
                if url:
                    page = view.best_page(hit, doc)
                    text = f"PDF openen op pagina {page[1]}" if page else "PDF openen"
                    st.link_button(text, url + view.pdf_page_fragment(page[0] if page else None),
                                   icon=":material/open_in_new:")
            st.download_button(
                f"Bronbestand downloaden ({path.name})", data=path.read_bytes, file_name=path.name,
                mime=MIME.get(path.suffix.lower(), "application/octet-stream"), on_click="ignore",
                key=f"src-{slot}", icon=":material/download:",
            )


def render_similar(hit: Hit, documents: dict[str, Document], settings: Settings, retriever: Any, slot: str,
                   filt: tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...]]) -> None:
    from index.retriever import QueryError

    with st.container(border=True):
        html(f'<div class="bz-panel-title">Vergelijkbare passages in andere documenten — bij: '
             f"{view.esc(view.hit_citation(hit))}</div>")
        try:
            hits = run_similar(str(settings.data_dir), index_stamp(settings), hit.chunk.id, retriever)
        except QueryError as err:
            st.warning(str(err))
            return
        hits = [h for h in hits if view.hit_passes(h, *filt)][:SIMILAR_K]
        if not hits:
            st.info("Geen vergelijkbare passages gevonden in andere documenten (binnen de filters).")
            return
        for i, h in enumerate(hits, start=1):
            render_hit(h, documents, settings, retriever, filt, slot=f"{slot}-s{i}", rank=i,
                       score_label="gelijkenis", marks=False, allow_similar=False)


def render_hit(hit: Hit, documents: dict[str, Document], settings: Settings, retriever: Any,
               filt: tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...]], *, slot: str, rank: int | None = None,
               score_label: str = "relevantie", marks: bool = True, allow_similar: bool = True,
               inline_panels: bool = True, header: bool = True, excerpt: int | None = None,
               compact: bool = False) -> None:
    """One passage with citation, highlights and its actions (in context, similar passages)."""
    cid = hit.chunk.id
    with st.container(border=not compact):
        pages = view.page_range_label(hit.chunk, documents.get(hit.chunk.doc))
        head = view.passage_header_html(hit, rank, score_label=score_label, pages=pages) if header else ""
        html(head + view.passage_html(hit, documents, marks=marks, excerpt=excerpt))
        if why := view.score_breakdown_md(hit):
            with st.expander("Waarom deze passage?"):
                st.markdown(why)
        with st.container(horizontal=True, gap="small"):
            ctx_open = ss().get("ctx") == cid
            st.button("Context sluiten" if ctx_open else "In context", key=f"ctx-{slot}", on_click=toggle,
                      args=("ctx", cid), icon=":material/article:", type="secondary")
            if allow_similar:
                sim_open = ss().get("sim") == cid
                label = "Vergelijkbaar" if compact else "Vergelijkbare passages"
                st.button("Vergelijkbare sluiten" if sim_open else label, key=f"sim-{slot}",
                          on_click=toggle, args=("sim", cid), icon=":material/compare_arrows:")
        if inline_panels:
            render_panels(hit, documents, settings, retriever, filt, slot)


def render_panels(hit: Hit, documents: dict[str, Document], settings: Settings, retriever: Any,
                  filt: tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...]], slot: str) -> None:
    """The open context / similar panels of `hit`, shown once per page (at the first occurrence)."""
    shown = ss().setdefault("_shown", set())
    cid = hit.chunk.id
    if ss().get("ctx") == cid and ("ctx", cid) not in shown:
        shown.add(("ctx", cid))
        render_context(hit, documents, settings, slot)
    if ss().get("sim") == cid and ("sim", cid) not in shown:
        shown.add(("sim", cid))
        render_similar(hit, documents, settings, retriever, slot, filt)


def render_exports(result: SearchResult, documents: dict[str, Document], mode: str, filters_text: str,
                   compare_docs: list[str] | None, link: str) -> None:
    base = view.export_basename(result.query, mode)
    with st.container(horizontal=True):
        st.download_button(
            "Download als Markdown",
            data=lambda: view.export_markdown(result, documents, mode=mode, filters=filters_text,
                                              compare_docs=compare_docs, link=link),
            file_name=f"{base}.md", mime="text/markdown", on_click="ignore", key=f"md-{mode}",
            icon=":material/description:",
        )
        st.download_button(
            "Download als CSV",
            data=lambda: view.export_csv(result, documents, mode=mode, compare_docs=compare_docs),
            file_name=f"{base}.csv", mime="text/csv", on_click="ignore", key=f"csv-{mode}",
            icon=":material/table:",
        )


def query_box(mode: str, label: str, placeholder: str, examples: tuple[str, ...]) -> str:
    wkey = f"q_{mode}"
    if wkey not in ss():
        ss()[wkey] = ss().get("query", "")
    with st.form(key=f"form-{mode}", border=False, enter_to_submit=True):
        cols = st.columns([6, 1], vertical_alignment="bottom")
        cols[0].text_input(label, key=wkey, placeholder=placeholder)
        submitted = cols[1].form_submit_button("Zoeken", type="primary", width="stretch")
    if submitted and ss()[wkey] != ss().get("query"):
        ss()["ctx"] = ss()["sim"] = ""
    ss()["query"] = ss()[wkey]
    pkey = f"ex_{mode}"
    st.pills("Voorbeelden" if mode == "vergelijk" else "Voorbeeldvragen", list(examples), key=pkey,
             on_change=pick_example, args=(pkey, wkey))
    return " ".join(str(ss()["query"]).split())


# ---- modes -------------------------------------------------------------------------------------


def mode_ask(retriever: Any, settings: Settings, filt: Any, filters_text: str, link: str) -> None:
    from index.retriever import QueryError

    query = query_box("vraag", "Uw vraag", "Bijvoorbeeld: hoe pakken de regio's de wachtlijsten aan?",
                      view.EXAMPLE_QUESTIONS)
    if not query:
        st.caption("Typ een vraag in gewone taal, of kies een voorbeeldvraag. Het antwoord komt uit de documenten, "
                   "met bronvermelding.")
        return
    documents = retriever.index.documents
    try:
        t0 = time.perf_counter()
        result = run_search(str(settings.data_dir), index_stamp(settings), "vraag", query, *filt, retriever)
        elapsed = time.perf_counter() - t0
    except QueryError as err:
        st.warning(str(err))
        return
    html(view.answer_card_html(result, documents))
    st.button("Vergelijk deze vraag per regio", key="to-compare", on_click=compare_instead, args=(query,),
              icon=":material/view_column:", help="Toont per regio en document de passages over deze vraag, "
              "naast elkaar.")
    if not result.hits:
        st.info("Geen passages gevonden binnen de gekozen filters. Verruim de filters in de zijbalk.")
        return
    if result.answerable:
        html('<div class="bz-section">Passages</div>')
    else:
        html('<div class="bz-section">Meest verwante passages <span class="bz-closest">'
             "(geen direct antwoord — dit komt het dichtst in de buurt)</span></div>")
    best = "zinnen die de vraag het best beantwoorden" if result.answerable else "zinnen die het dichtst bij komen"
    html(f'<div class="bz-legend"><mark>geel</mark> = {best} · '
         '<span class="bz-term">onderstreept</span> = zoekwoorden'
         + (f" · filters: {view.esc(filters_text)}" if filters_text else "")
         + view.named_regions_note(result.named_regions)
         + f" · {len(result.hits)} passages in {elapsed:.2f} s</div>")
    for rank, hit in enumerate(result.hits, start=1):
        render_hit(hit, documents, settings, retriever, filt, slot=f"a{rank}", rank=rank)
    render_exports(result, documents, "vraag", filters_text, None, link)


def mode_compare(retriever: Any, settings: Settings, filt: Any, filters_text: str, link: str) -> None:
    from index.retriever import QueryError

    query = query_box("vergelijk", "Onderwerp", "Bijvoorbeeld: normaliseren", view.EXAMPLE_TOPICS)
    if not query:
        st.caption("Kies een onderwerp: per regio en document verschijnen de passages die erover gaan, naast elkaar.")
        return
    documents = retriever.index.documents
    docs = sorted((f for f, d in documents.items() if view.doc_passes(d, *filt)),
                  key=lambda f: (documents[f].meta.region.lower(), documents[f].meta.title.lower()))
    if not docs:
        st.info("Geen documenten binnen de gekozen filters.")
        return
    try:
        result = run_search(str(settings.data_dir), index_stamp(settings), "vergelijk", query, *filt, retriever)
    except QueryError as err:
        st.warning(str(err))
        return
    grouped = view.group_by_doc(result.hits, docs)
    covered = sum(1 for d in docs if grouped[d])
    html(f'<div class="bz-legend"><b>{covered} van {len(docs)}</b> documenten hebben een relevante passage over '
         f"<b>{view.esc(query)}</b> · <mark>geel</mark> = best passende zinnen · "
         '<span class="bz-term">onderstreept</span> = zoekwoorden'
         + (f" · filters: {view.esc(filters_text)}" if filters_text else "") + "</div>")
    ncols = 2 if len(docs) in (2, 4) else min(3, len(docs))
    panel_hits: list[tuple[Hit, str]] = []
    for row_start in range(0, len(docs), ncols):
        cols = st.columns(ncols, gap="medium")
        for col, doc_file in zip(cols, docs[row_start : row_start + ncols], strict=False):
            meta = documents[doc_file].meta
            hits = grouped[doc_file]
            with col, st.container(border=True):
                year = f" · {meta.year}" if meta.year else ""
                html(f'<div class="bz-doccard-head"><div class="bz-doccard-region">{view.esc(meta.region)}</div>'
                     f'<div class="bz-doccard-title">{view.esc(meta.title)}{year}</div></div>')
                if not hits:
                    html(f'<div class="bz-missing">{view.NO_PASSAGE}: dit document lijkt het onderwerp niet '
                         "te behandelen.</div>")
                    continue
                for i, hit in enumerate(hits):
                    slot = f"c{docs.index(doc_file)}-{i}"
                    panel_hits.append((hit, slot))
                    if i == 0:
                        _compare_passage(hit, documents, settings, retriever, filt, slot)
                    else:
                        with st.expander("Nog een passage uit dit document"):
                            _compare_passage(hit, documents, settings, retriever, filt, slot)
    for hit, slot in panel_hits:  # context / similar open below the grid, at full width
        render_panels(hit, documents, settings, retriever, filt, slot)
    render_exports(result, documents, "vergelijk", filters_text, docs, link)


def _compare_passage(hit: Hit, documents: dict[str, Document], settings: Settings, retriever: Any, filt: Any,
                     slot: str) -> None:
    c = hit.chunk
    pages = view.page_range_label(c, documents.get(c.doc))
    where = " · ".join(x for x in (c.section, f"p. {pages}" if pages else "") if x)
    if where:
        html(f'<div class="bz-meta">{view.esc(where)}</div>')
    render_hit(hit, documents, settings, retriever, filt, slot=slot, header=False, inline_panels=False,
               excerpt=COMPARE_EXCERPT, compact=True)


def mode_corpus(retriever: Any, settings: Settings, filt: Any) -> None:
    index = retriever.index
    m = index.manifest
    counts: dict[str, int] = {}
    for c in index.chunks:
        counts[c.doc] = counts.get(c.doc, 0) + 1
    cols = st.columns(4)
    cols[0].metric("Documenten", len(index.documents))
    cols[1].metric("Passages", len(index.chunks))
    cols[2].metric("Regio's", len({d.meta.region for d in index.documents.values()}))
    built = view.format_built_at(m.get("built_at", ""))
    cols[3].metric("Index gebouwd", built.split(" ")[0], help=f"Gebouwd op {built}")
    st.caption(f"Model: {m.get('model_id', 'onbekend')} · vectorindex: {m.get('vector_index', '?')} · "
               f"indexmap: {settings.index_dir}")
    rows = []
    for f, d in sorted(index.documents.items(), key=lambda kv: (kv[1].meta.region.lower(), kv[1].meta.title.lower())):
        rows.append({
            "Titel": d.meta.title,
            "Regio": d.meta.region,
            "Jaar": str(d.meta.year or ""),
            "Soort": d.meta.doc_type,
            "Passages": counts.get(f, 0),
            "Pagina's": len(d.pages) or None,
            "Bestand": f,
            "In filter": "ja" if view.doc_passes(d, *filt) else "nee",
        })
    st.dataframe(
        rows, hide_index=True, width="stretch",
        column_config={
            "Titel": st.column_config.TextColumn(width="large"),
            "Regio": st.column_config.TextColumn(width="medium"),
            "Jaar": st.column_config.TextColumn(width="small"),
            "Passages": st.column_config.NumberColumn(width="small"),
            "Pagina's": st.column_config.NumberColumn(width="small"),
            "In filter": st.column_config.TextColumn(width="small"),
        },
    )
    st.caption("Nieuwe documenten: zet ze in de corpusmap met een regel in manifest.toml en voer "
               f"`{BUILD_COMMAND}` uit — of gebruik **Document toevoegen**.")


def mode_add(settings: Settings) -> None:
    suffixes = sorted(s.lstrip(".") for s in supported_suffixes())
    st.markdown(f"Voeg een beleidsdocument toe ({', '.join(s.upper() for s in suffixes)}, maximaal "
                f"{settings.max_file_mb:g} MB). Het wordt opgeslagen in de corpusmap, ingelezen en geïndexeerd; "
                "daarna is het meteen doorzoekbaar.")
    with st.form("add-doc", clear_on_submit=False):
        upload = st.file_uploader("Bestand", type=suffixes, key="upload")
        c1, c2, c3 = st.columns([3, 2, 1])
        title = c1.text_input("Titel *", key="add_title", placeholder="Regiovisie Jeugdhulp 2025-2028")
        region = c2.text_input("Regio *", key="add_region", placeholder="Bijv. Twente")
        year = c3.number_input("Jaar", min_value=1990, max_value=2100, value=time.localtime().tm_year, step=1,
                               key="add_year")
        c4, c5 = st.columns(2)
        municipalities = c4.text_input("Gemeenten (komma's ertussen)", key="add_muni")
        doc_type = c5.text_input("Soort document", key="add_type", placeholder="regiovisie, beleidsplan, …")
        source = st.text_input("Bron (optioneel)", key="add_source")
        submitted = st.form_submit_button("Toevoegen en indexeren", type="primary")
    if not submitted:
        return
    if upload is None:
        st.error("Kies eerst een bestand.")
        return
    new = NewDocument(
        filename=upload.name, data=upload.getvalue(), title=title, region=region,
        year=int(year) if year else None, municipalities=tuple(municipalities.split(",")), doc_type=doc_type,
        source=source,
    )
    with st.spinner("Document inlezen en indexeren… (dit kan een minuut duren)"):
        result = add_document(new, settings, embedder=_embedder(settings))
    if not result.ok:
        st.error("Het document is niet toegevoegd:\n\n" + "\n".join(f"- {view.esc(e)}" for e in result.errors))
        for w in result.warnings:
            st.caption(f"Let op: {view.esc(w)}")
        return
    get_retriever.clear()
    run_search.clear()
    run_similar.clear()
    st.success(f"**{view.esc(title.strip())}** ({view.esc(result.file)}) is toegevoegd: {result.chunks} passages. "
               "Je kunt er nu meteen in zoeken.")
    st.caption(result.summary)
    st.button("Zoeken in dit document", on_click=_search_in, args=(result.file,), icon=":material/search:")


def _search_in(file: str) -> None:
    ss()["f_doc"] = [file]
    ss()["mode"] = "vraag"


# ---- page --------------------------------------------------------------------------------------


def main() -> None:
    st.set_page_config(page_title="Beleidszoeker", page_icon="🔎", layout="wide", initial_sidebar_state="expanded")
    st.html(CSS)
    init_state()
    ss()["_shown"] = set()
    settings = get_settings()

    st.title("Beleidszoeker")
    html('<div class="bz-sub">Vragen stellen en zoeken in beleidsdocumenten over jeugdhulp — '
         "antwoorden altijd met bron.</div>")

    retriever, index_error = None, None
    try:
        with st.spinner("Model en index laden… (alleen de eerste keer, even geduld)"):
            retriever = get_retriever(str(settings.data_dir), settings.model, index_stamp(settings), settings)
    except Exception as err:  # IndexUnavailable / ModelMismatch: say what to run
        from index.errors import IndexUnavailable

        if not isinstance(err, IndexUnavailable):
            raise
        index_error = err

    wkey = f"q_{ss().get('mode')}"
    if wkey in ss():  # a question just submitted counts for this run's link and export
        ss()["query"] = ss()[wkey]
    mode = st.segmented_control("Weergave", list(view.MODES), format_func=view.MODES.get, key="mode",
                                required=True, label_visibility="collapsed")
    mode = mode or view.DEFAULT_MODE

    # Sidebar: filters (apply to every mode) and the link to this view.
    documents: dict[str, Document] = retriever.index.documents if retriever else {}
    titles = {f: d.meta.title for f, d in documents.items()}
    regions = sorted({d.meta.region for d in documents.values()})
    years = sorted({d.meta.year for d in documents.values() if d.meta.year})
    doc_options = sorted(documents, key=lambda f: (documents[f].meta.region.lower(), titles[f].lower()))
    url_state = ss().get("_url")
    if url_state is not None and retriever is not None:  # filters from the link, once their options are known
        ss()["f_regio"] = [r for r in url_state.regions if r in regions]
        ss()["f_doc"] = [d for d in url_state.docs if d in documents]
        ss()["f_jaar"] = [y for y in url_state.years if y in years]
        ss()["_url"] = None
    for key, options in (("f_regio", regions), ("f_doc", doc_options), ("f_jaar", years)):
        if key in ss():
            ss()[key] = [v for v in ss()[key] if v in options]
    with st.sidebar:
        st.header("Filters")
        st.caption("Gelden voor vragen, vergelijken en vergelijkbare passages.")
        sel_regions = st.multiselect("Regio", regions, key="f_regio", placeholder="Alle regio's")
        sel_docs = st.multiselect("Document", doc_options, key="f_doc", placeholder="Alle documenten",
                                  format_func=lambda f: f"{titles.get(f, f)} ({documents[f].meta.region})"
                                  if f in documents else f)
        sel_years = st.multiselect("Jaar", years, key="f_jaar", placeholder="Alle jaren")
        if sel_regions or sel_docs or sel_years:
            st.button("Filters wissen", on_click=clear_filters, icon=":material/filter_alt_off:")
        st.divider()
        link_slot = st.container()
        if retriever is not None:
            st.divider()
            st.caption(f"{len(documents)} documenten · {len(retriever.index.chunks)} passages · "
                       f"index van {view.format_built_at(retriever.index.manifest.get('built_at', ''))}")

    filt = (tuple(sel_regions), tuple(sel_docs), tuple(int(y) for y in sel_years))
    filters_text = view.filters_description(sel_regions, sel_docs, sel_years, titles)
    state = view.ViewState(mode=mode, query=str(ss().get("query", "")), regions=list(sel_regions),
                           docs=list(sel_docs), years=[int(y) for y in sel_years],
                           context=ss().get("ctx", "") if mode in ("vraag", "vergelijk") else "",
                           similar=ss().get("sim", "") if mode in ("vraag", "vergelijk") else "")
    query_string = view.share_query(state)
    base_url = (getattr(st.context, "url", None) or "").split("?")[0]
    link = f"{base_url}{query_string}" if base_url else query_string
    with link_slot:
        st.markdown("**Deel deze weergave**")
        st.caption("Deze link opent dezelfde vraag, weergave en filters:")
        st.code(link, language=None, wrap_lines=True)

    if mode == "toevoegen":
        mode_add(settings)
    elif retriever is None:
        no_index_message(index_error)
    elif mode == "vraag":
        mode_ask(retriever, settings, filt, filters_text, link)
    elif mode == "vergelijk":
        mode_compare(retriever, settings, filt, filters_text, link)
    elif mode == "corpus":
        mode_corpus(retriever, settings, filt)

    # The query string may have changed by what happened on this run (a new question, a closed panel).
    state.query = str(ss().get("query", ""))
    state.context = ss().get("ctx", "") if mode in ("vraag", "vergelijk") else ""
    state.similar = ss().get("sim", "") if mode in ("vraag", "vergelijk") else ""
    sync_url(state)


main()
