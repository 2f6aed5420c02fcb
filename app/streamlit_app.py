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

from app import actions, auth, view  # noqa: E402
from app.actions import DocEdit, NewDocument, add_document, source_path, supported_suffixes  # noqa: E402
from app.freshness import Reloading, TimedValue  # noqa: E402
from beleidszoeker.config import Settings, get_settings, limit_native_threads  # noqa: E402
from beleidszoeker.display import clean_document, count_label  # noqa: E402
from beleidszoeker.records import Document, Hit, SearchResult  # noqa: E402
from beleidszoeker.similar_marks import mark_similar_sentences  # noqa: E402
from beleidszoeker.textmap import MappedText  # noqa: E402

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
[data-testid="stHeader"] { background: transparent; }
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
/* Streamlit's own English hints: "Press Enter to submit form" sat over long questions. */
[data-testid="InputInstructions"] { display: none !important; }
/* The file uploader's English texts, replaced by Dutch ones. */
[data-testid="stFileUploaderDropzoneInstructions"] > div > span,
[data-testid="stFileUploaderDropzoneInstructions"] > div > small { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::before { content: "Sleep een bestand hierheen";
  display: block; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after { content: "PDF, DOCX, TXT of MD";
  display: block; font-size: .85rem; color: var(--bz-muted); }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] { display: none; }
[data-testid="stFileUploaderDropzone"] button span[data-has-shortcut]::after { content: "Bestand kiezen"; }
/* The compare grid wraps into fewer, wider columns where three would be narrow. */
.st-key-bz-grid [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
.st-key-bz-grid [data-testid="stColumn"] { min-width: min(100%, 24rem); }
/* A projector (1280x720) and small laptops: the answer card above the fold. */
@media (max-width: 1400px), (max-height: 800px) {
  html { font-size: 15px; }
  .block-container { padding-top: 3.4rem; padding-bottom: 2rem; }
  h1 { font-size: 1.6rem !important; padding: 0 0 .2rem 0 !important; }
  .bz-sub { margin-top: -0.4rem; margin-bottom: .3rem; font-size: .95rem; }
  .bz-answer-text { font-size: 1.2rem; }
  .bz-card { padding: .7rem 1rem; margin: .2rem 0 .7rem 0; }
}
@media (max-height: 800px) {
  .bz-sub { display: none; }
}
/* A phone: everything in one column, readable type. */
@media (max-width: 640px) {
  html { font-size: 15px; }
  .block-container { padding-left: .8rem; padding-right: .8rem; }
  .bz-conf-bar { width: 100px; }
  .bz-score { margin-left: 0; }
}
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


def index_source(settings: Settings) -> str:
    """What the caches are keyed by besides the version: the data folder, or the Qdrant collection."""
    if settings.qdrant_url:
        return f"qdrant:{settings.qdrant_url}#{settings.qdrant_collection}"
    return str(settings.data_dir)


@st.cache_resource(show_spinner=False, max_entries=2)
def get_backend(url: str, collection: str, _settings: Settings) -> Any:
    """The Qdrant collection with one client per process: searches, the version stamp and admin writes all use
    it (qdrant-client's local mode locks its folder per client; a server takes many)."""
    from index.backends.qdrant import QdrantBackend

    return QdrantBackend.connect(_settings)


@st.cache_resource(show_spinner=False, max_entries=2)
def collection_stamp(url: str, collection: str, ttl: float, _settings: Settings) -> TimedValue:
    """The collection's version stamp, read at most every `ttl` seconds (BELEIDSZOEKER_QDRANT_STAMP_TTL)."""
    return TimedValue(get_backend(url, collection, _settings).generation, ttl)


def _stamp_of(settings: Settings) -> TimedValue:
    return collection_stamp(settings.qdrant_url, settings.qdrant_collection, settings.qdrant_stamp_ttl, settings)


def index_stamp(settings: Settings) -> str:
    """The version of the index (or collection) the retriever of this run serves, which every cached result
    is keyed by: the local index's build time, or the collection's stamp the served view was read at
    (`current_retriever` sets it once per run, so one run never mixes two versions)."""
    return str(ss().get("_stamp", "0"))


def _local_stamp(settings: Settings) -> str:
    """Changes whenever the local index is rebuilt (by the app or by `beleidszoeker index`)."""
    try:
        return str((settings.index_dir / "manifest.json").stat().st_mtime_ns)
    except OSError:
        return "0"


def current_retriever(settings: Settings) -> Any:
    """The retriever for this run, and its version as `index_stamp`. On Qdrant, when any writer (this app,
    another replica, an index worker) changed the collection, a new retriever is built in the background
    while this one keeps answering (`Reloading`); the local index is loaded again when it was rebuilt."""
    if settings.qdrant_url:
        stamp, retriever = qdrant_retriever(index_source(settings), settings.model, settings).get()
        stamp = "qdrant:" + stamp
    else:
        stamp = _local_stamp(settings)
        retriever = get_retriever(index_source(settings), settings.model, stamp, settings)
    ss()["_stamp"] = stamp
    return retriever


def write_backend(settings: Settings) -> Any:
    """The backend admin writes go through: the app's own Qdrant client (None for the local index, or when
    the collection cannot be opened: the action then opens it itself and says why it cannot)."""
    from index.errors import IndexUnavailable

    if not settings.qdrant_url:
        return None
    try:
        return get_backend(settings.qdrant_url, settings.qdrant_collection, settings)
    except IndexUnavailable:
        return None


@st.cache_resource(show_spinner=False, max_entries=4)
def get_retriever(source: str, model: str, stamp: str, _settings: Settings) -> Any:
    """The local index and the model, loaded once per server process and index version; shared read-only."""
    return build_retriever(_settings, _embedder(_settings), search_lock())


def build_retriever(settings: Settings, embedder: Any, lock: threading.Lock, backend: Any = None) -> Any:
    """A retriever, warmed up so the first real answer is fast. No Streamlit call: it also runs in the
    background thread that follows a changing collection."""
    from index.retriever import HybridRetriever

    if backend is not None:
        backend.refresh()  # the collection's documents and statistics as they are now
    retriever = HybridRetriever.load(settings, embedder=embedder, backend=backend)
    with lock:
        retriever.search("jeugdhulp", k=1)
    return retriever


@st.cache_resource(show_spinner=False, max_entries=2)
def qdrant_retriever(source: str, model: str, _settings: Settings) -> Reloading[Any]:
    """The retriever over the collection, rebuilt in the background when the collection's stamp moves on (at
    most once per BELEIDSZOEKER_QDRANT_STAMP_TTL seconds, and never more than a tenth of the time)."""
    backend = get_backend(_settings.qdrant_url, _settings.qdrant_collection, _settings)
    embedder, lock, stamp = _embedder(_settings), search_lock(), _stamp_of(_settings)
    return Reloading(lambda: build_retriever(_settings, embedder, lock, backend), stamp.get,
                     min_interval=_settings.qdrant_stamp_ttl)


@st.cache_data(show_spinner=False, max_entries=256)
def run_search(source: str, stamp: str, mode: str, query: str, regions: tuple[str, ...], docs: tuple[str, ...],
               years: tuple[int, ...], _retriever: Any) -> SearchResult:
    from index.retriever import Filters

    filters = Filters(regions=regions, docs=docs, years=years)
    with search_lock():
        if mode == "vergelijk":
            return _retriever.compare(query, per_doc=3, filters=filters)
        return _retriever.search(query, k=K_PASSAGES, filters=filters)


@st.cache_data(show_spinner=False, max_entries=256)
def run_similar(source: str, stamp: str, chunk_id: str, _retriever: Any) -> list[Hit]:
    with search_lock():
        return _retriever.similar(chunk_id, k=SIMILAR_K * 6)


@st.cache_data(show_spinner=False, max_entries=32)
def cleaned_document(source: str, stamp: str, doc_id: str, _doc: Document) -> MappedText:
    """The document cleaned like its passages, once per index version (the context view's text)."""
    return clean_document(_doc.text)


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


def submit_query(widget_key: str) -> None:
    """Runs before the page: a new question closes the open panels, so the page, its link and its
    export never carry the previous question's context/similar ids."""
    new = str(ss().get(widget_key, ""))
    if " ".join(new.split()) != " ".join(str(ss().get("query", "")).split()):
        ss()["ctx"] = ss()["sim"] = ""
    ss()["query"] = new


def switch_mode() -> None:
    """Another view: panels opened in the previous one are closed."""
    ss()["ctx"] = ss()["sim"] = ""
    ss()["_confirm_rm"] = ""


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


def link_regions(values: list[str], documents: dict[str, Document]) -> list[str]:
    """Regions from a link as the index names them: 'twente' and aliases work; unknown ones are dropped."""
    from beleidszoeker.filters import FilterError, resolve_regions

    out: list[str] = []
    for value in values:
        try:
            out += [r for r in resolve_regions([value], documents) if r not in out]
        except FilterError:
            continue
    return out


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
    st.caption("Je kunt ook bij **Documenten** een eerste document uploaden.")


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
        cleaned = cleaned_document(index_source(settings), index_stamp(settings), c.doc, doc)
        html(view.context_html(doc, start, end, hit.answer_spans, hit.term_spans, window=window, cleaned=cleaned))
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
                f"Bronbestand downloaden: {view.download_label(doc.meta.title, path.suffix)}", data=path.read_bytes,
                file_name=view.download_name(doc.meta.title, path.name),
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
            hits = run_similar(index_source(settings), index_stamp(settings), hit.chunk.id, retriever)
        except QueryError as err:
            st.warning(str(err))
            return
        hits = [h for h in hits if view.hit_passes(h, *filt)][:SIMILAR_K]
        if not hits:
            st.info("Geen vergelijkbare passages gevonden in andere documenten (binnen de filters).")
            return
        html('<div class="bz-legend"><mark>geel</mark> = de zin die het meest op de passage lijkt</div>')
        for i, h in enumerate(mark_similar_sentences(retriever.index, hit.chunk.id, hits), start=1):
            render_hit(h, documents, settings, retriever, filt, slot=f"{slot}-s{i}", rank=i,
                       score_label="gelijkenis", allow_similar=False)


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
        cols[1].form_submit_button("Zoeken", type="primary", width="stretch", on_click=submit_query, args=(wkey,))
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
        result = run_search(index_source(settings), index_stamp(settings), "vraag", query, *filt, retriever)
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
         + f" · {count_label(len(result.hits), 'passage', 'passages')} in {elapsed:.2f} s</div>")
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
        result = run_search(index_source(settings), index_stamp(settings), "vergelijk", query, *filt, retriever)
    except QueryError as err:
        st.warning(str(err))
        return
    grouped = view.group_by_doc(result.hits, docs)
    covered = sum(1 for d in docs if view.addresses(grouped[d]))
    html(f'<div class="bz-legend"><b>{covered} van {len(docs)}</b> '
         f'{"document" if len(docs) == 1 else "documenten"} {"heeft" if covered == 1 else "hebben"} een relevante '
         "passage over "
         f"<b>{view.esc(query)}</b> · <mark>geel</mark> = best passende zinnen · "
         '<span class="bz-term">onderstreept</span> = zoekwoorden'
         + (f" · filters: {view.esc(filters_text)}" if filters_text else "") + "</div>")
    ncols = 2 if len(docs) in (2, 4) else min(3, len(docs))
    panel_hits: list[tuple[Hit, str]] = []
    grid = st.container(key="bz-grid")
    for row_start in range(0, len(docs), ncols):
        cols = grid.columns(ncols, gap="medium")
        for col, doc_file in zip(cols, docs[row_start : row_start + ncols], strict=False):
            meta = documents[doc_file].meta
            hits = grouped[doc_file]
            with col, st.container(border=True):
                year = f" · {meta.year}" if meta.year else ""
                html(f'<div class="bz-doccard-head"><div class="bz-doccard-region">{view.esc(meta.region)}</div>'
                     f'<div class="bz-doccard-title">{view.esc(meta.title)}{year}</div></div>')
                if not view.addresses(hits):
                    html(f'<div class="bz-missing">{view.NO_PASSAGE}: dit document lijkt het onderwerp niet '
                         "te behandelen.</div>")
                    if hits:  # its closest passage, folded away: shown only on request
                        slot = f"c{docs.index(doc_file)}-0"
                        panel_hits.append((hits[0], slot))
                        with st.expander(view.CLOSEST_PASSAGE, expanded=False):
                            _compare_passage(hits[0], documents, settings, retriever, filt, slot)
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
    counts = index.passages_per_document()
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
            "Pagina's": str(len(d.pages)) if d.pages else "–",
            "In filter": "ja" if view.doc_passes(d, *filt) else "nee",
        })
    # Widths that fit a 1280-pixel screen with the sidebar open: no column hidden behind a scroll bar.
    st.dataframe(
        rows, hide_index=True, width="stretch",
        column_config={
            "Titel": st.column_config.TextColumn(width=300),
            "Regio": st.column_config.TextColumn(width=160),
            "Jaar": st.column_config.TextColumn(width=50),
            "Soort": st.column_config.TextColumn(width=100),
            "Passages": st.column_config.NumberColumn(width=70),
            "Pagina's": st.column_config.TextColumn(width=65),
            "In filter": st.column_config.TextColumn(width=65),
        },
    )
    st.caption("De bestandsnamen en het wijzigen van gegevens staan bij **Documenten**.")
    st.caption("Nieuwe documenten: zet ze in de corpusmap met een regel in manifest.toml en voer "
               f"`{BUILD_COMMAND}` uit — of gebruik **Documenten**.")


# ---- documents: add, edit, replace, remove (writers only when a login is configured) ------------


def auth_config() -> auth.AuthConfig:
    try:
        oidc = "auth" in st.secrets
    except Exception:  # no secrets.toml: no single sign-on configured
        oidc = False
    return auth.config_from(oidc=oidc)


def _user_info() -> tuple[bool, str | None]:
    try:
        return bool(st.user.get("is_logged_in")), st.user.get("email")
    except Exception:
        return False, None


def current_writer(cfg: auth.AuthConfig) -> str | None:
    """Who may change documents in this session (the name for the log), or None: read only."""
    if not cfg.gated:
        return auth.OPEN_USER
    if ss().get("_writer"):
        return ss()["_writer"]
    logged_in, email = _user_info()
    return auth.oidc_writer(cfg, logged_in, email)


def password_login() -> None:
    cfg = auth_config()
    if auth.check_password(str(ss().get("admin_pw", "")), cfg):
        ss()["_writer"] = auth.PASSWORD_USER
        ss()["_flash"] = ("success", "U bent ingelogd als beheerder.")
    else:
        time.sleep(1.0)  # slows down guessing
        ss()["_flash"] = ("error", "Onjuist wachtwoord; probeer het opnieuw.")
    ss()["admin_pw"] = ""


def logout() -> None:
    ss()["_writer"] = ""
    ss()["_flash"] = ("success", "U bent uitgelogd. Lezen en zoeken kan gewoon doorgaan.")


def login_box(cfg: auth.AuthConfig) -> None:
    st.info("Zoeken en lezen kan iedereen. Documenten toevoegen, wijzigen of verwijderen kan alleen een beheerder: "
            "log in om dat te doen.", icon=":material/lock:")
    if cfg.uses_password:
        with st.form("login", clear_on_submit=True, border=True):
            st.text_input("Beheerderswachtwoord", type="password", key="admin_pw")
            st.form_submit_button("Inloggen", type="primary", on_click=password_login)
    if cfg.oidc:
        logged_in, email = _user_info()
        if logged_in:
            st.warning(f"Uw account ({email or 'onbekend'}) mag geen documenten wijzigen. Vraag de beheerder om "
                       "toegang.")
            st.button("Uitloggen", on_click=st.logout, key="oidc-logout")
        else:
            st.button("Inloggen met uw organisatieaccount", on_click=st.login, type="primary", key="oidc-login",
                      icon=":material/login:")


def _flash() -> None:
    flash = ss().pop("_flash", None)
    if flash:
        kind, text = flash
        (st.success if kind == "success" else st.error)(text)


def _changed(settings: Settings) -> None:
    """After a change: fresh index, fresh results, fresh sidebar counts (a new run)."""
    if settings.qdrant_url:  # this replica sees its own write at once, not after the stamp's TTL
        _stamp_of(settings).expire()
        qdrant_retriever(index_source(settings), settings.model, settings).rebuild()
    get_retriever.clear()
    run_search.clear()
    run_similar.clear()
    cleaned_document.clear()
    st.rerun()


def _errors_text(errors: list[str]) -> str:
    return "\n".join(f"- {view.esc(e)}" for e in errors)


def search_side(settings: Settings) -> str:
    """Where searches read the documents from, as the Documenten page names it."""
    from index.backends.qdrant import collection_label

    return f"de {collection_label(settings.qdrant_collection)}" if settings.qdrant_url else "de index"


def mode_documents(settings: Settings, retriever: Any) -> None:
    _flash()
    cfg = auth_config()
    writer = current_writer(cfg)
    if writer is None:
        login_box(cfg)
    elif cfg.gated:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(f"Ingelogd als **{view.esc(writer)}**: u kunt documenten toevoegen, wijzigen en verwijderen.")
            if ss().get("_writer"):
                st.button("Uitloggen", on_click=logout, key="pw-logout")
            else:
                st.button("Uitloggen", on_click=st.logout, key="oidc-logout")
    documents: dict[str, Document] = retriever.index.documents if retriever is not None else {}
    if writer is not None:
        add_form(settings, writer)
    st.subheader(f"Documenten in het corpus ({len(documents)})")
    if settings.qdrant_url:
        st.caption(f"Gezocht wordt in {view.esc(search_side(settings))}: elke wijziging hier wordt daar meteen "
                   "geschreven (andere app-servers zien haar binnen enkele seconden). Het bestand en "
                   "`manifest.toml` blijven ook in de corpusmap staan, zodat `beleidszoeker ingest && beleidszoeker "
                   "index` de collectie altijd opnieuw kan vullen.")
    if not documents:
        st.caption("Er zijn nog geen documenten geïndexeerd.")
        return
    if writer is None:
        st.caption("Alleen een beheerder kan de gegevens van een document wijzigen; de lijst met alle documenten staat "
                   "bij **Corpus**.")
        return
    edit_section(settings, documents, writer)
    with st.expander("Wijzigingslog"):
        entries = actions.read_log(settings, last=30)
        if not entries:
            st.caption("Nog geen wijzigingen.")
        for e in reversed(entries):
            status = "gelukt" if e.get("gelukt") else "mislukt"
            st.caption(f"{view.esc(view.format_built_at(e.get('tijd', '')))} · {view.esc(e.get('gebruiker', ''))} · "
                       f"{view.esc(e.get('actie', ''))} · {view.esc(e.get('document', ''))} · {status}")
        st.caption(f"Volledig log: `{actions.log_path(settings)}`")


def add_form(settings: Settings, writer: str) -> None:
    suffixes = sorted(s.lstrip(".") for s in supported_suffixes())
    st.subheader("Document toevoegen")
    st.markdown(f"Voeg een beleidsdocument toe ({', '.join(s.upper() for s in suffixes)}, maximaal "
                f"{settings.max_file_mb:g} MB). Het wordt opgeslagen in de corpusmap, ingelezen en geïndexeerd "
                f"in {view.esc(search_side(settings))}; daarna is het meteen doorzoekbaar. Het formulier is na elke "
                "poging weer leeg.")
    v = ss().setdefault("_add_v", 0)  # a new version of the form after every attempt: all fields empty again
    with st.form(f"add-doc-{v}", clear_on_submit=True):
        # Any type is accepted here and checked below: Streamlit's own refusal is English.
        upload = st.file_uploader("Bestand", key=f"upload_{v}")
        c1, c2, c3 = st.columns([3, 2, 1])
        title = c1.text_input("Titel *", key=f"add_title_{v}", placeholder="Regiovisie Jeugdhulp 2025-2028")
        region = c2.text_input("Regio *", key=f"add_region_{v}", placeholder="Bijv. Twente")
        year = c3.number_input("Jaar *", min_value=1900, max_value=2100, value=None, step=1, key=f"add_year_{v}",
                               placeholder="bijv. 2024")
        c4, c5 = st.columns(2)
        municipalities = c4.text_input("Gemeenten (komma's ertussen)", key=f"add_muni_{v}")
        doc_type = c5.text_input("Soort document", key=f"add_type_{v}", placeholder="regiovisie, beleidsplan, …")
        source = st.text_input("Bron (optioneel)", key=f"add_source_{v}")
        submitted = st.form_submit_button("Toevoegen en indexeren", type="primary")
    if not submitted:
        return
    ss()["_add_v"] = v + 1
    if upload is None:
        ss()["_flash"] = ("error", "Het document is niet toegevoegd: kies eerst een bestand.")
        st.rerun()
    new = NewDocument(
        filename=upload.name, data=upload.getvalue(), title=title, region=region,
        year=int(year) if year is not None else None, municipalities=tuple(municipalities.split(",")),
        doc_type=doc_type, source=source,
    )
    with st.spinner("Document inlezen en indexeren… (dit kan een minuut duren)"):
        result = add_document(new, settings, embedder=_embedder(settings), user=writer,
                              backend=write_backend(settings))
    if not result.ok:
        notes = "".join(f"\n\nLet op: {view.esc(w)}" for w in result.warnings)
        ss()["_flash"] = ("error", "Het document is niet toegevoegd:\n\n" + _errors_text(result.errors) + notes)
        st.rerun()
    ss()["_flash"] = ("success", f"**{view.esc(title.strip())}** ({view.esc(result.file)}) is toegevoegd: "
                                 f"{count_label(result.chunks, 'passage', 'passages')} in "
                                 f"{view.esc(search_side(settings))}. Je kunt er nu meteen in zoeken.")
    ss()["edit_doc"] = result.file
    _changed(settings)


def edit_section(settings: Settings, documents: dict[str, Document], writer: str) -> None:
    options = sorted(documents, key=lambda f: (documents[f].meta.region.lower(), documents[f].meta.title.lower()))
    if ss().get("edit_doc") not in options:
        ss()["edit_doc"] = options[0]
    file = st.selectbox("Document om te bekijken of te wijzigen", options, key="edit_doc",
                        format_func=lambda f: f"{documents[f].meta.title} ({documents[f].meta.region})")
    meta = documents[file].meta
    st.caption(f"Bestand: `{file}`")
    k = view.safe_filename(file)
    with st.form(f"edit-{k}", border=True):
        st.markdown("**Gegevens** (komen in elke bronvermelding en in `manifest.toml`)")
        c1, c2, c3 = st.columns([3, 2, 1])
        title = c1.text_input("Titel *", value=meta.title, key=f"ed_title_{k}")
        region = c2.text_input("Regio *", value=meta.region, key=f"ed_region_{k}")
        year = c3.number_input("Jaar *", min_value=1900, max_value=2100, value=meta.year, step=1, key=f"ed_year_{k}",
                               placeholder="bijv. 2024")
        c4, c5 = st.columns(2)
        municipalities = c4.text_input("Gemeenten (komma's ertussen)", value=", ".join(meta.municipalities),
                                       key=f"ed_muni_{k}")
        aliases = c5.text_input("Andere namen van de regio (komma's ertussen)", value=", ".join(meta.aliases),
                                key=f"ed_alias_{k}")
        c6, c7 = st.columns(2)
        doc_type = c6.text_input("Soort document", value=meta.doc_type, key=f"ed_type_{k}")
        source = c7.text_input("Bron", value=meta.source, key=f"ed_source_{k}")
        save = st.form_submit_button("Gegevens opslaan en opnieuw indexeren", type="primary")
    if save:
        edit = DocEdit(title, region, int(year) if year is not None else None, tuple(municipalities.split(",")),
                       doc_type, source, tuple(aliases.split(",")))
        with st.spinner("Gegevens opslaan en opnieuw indexeren…"):
            result = actions.update_document(file, edit, settings, embedder=_embedder(settings), user=writer,
                                             backend=write_backend(settings))
        if result.ok:
            ss()["_flash"] = ("success", f"De gegevens van **{view.esc(edit.title.strip())}** zijn opgeslagen "
                                         f"in `manifest.toml` en {view.esc(search_side(settings))}.")
            _changed(settings)
        st.error("De gegevens zijn niet opgeslagen:\n\n" + _errors_text(result.errors))

    with st.form(f"replace-{k}", clear_on_submit=True, border=True):
        st.markdown(f"**Bestand vervangen** door een nieuwe versie ({view.esc(_kind(file))}); de gegevens "
                    "blijven staan.")
        upload = st.file_uploader("Nieuwe versie", key=f"rep_file_{k}")
        replace = st.form_submit_button("Vervangen en opnieuw indexeren")
    if replace:
        if upload is None:
            st.error("Kies eerst het nieuwe bestand.")
        else:
            with st.spinner("Nieuwe versie inlezen en indexeren…"):
                result = actions.replace_document(file, upload.name, upload.getvalue(), settings,
                                                  embedder=_embedder(settings), user=writer,
                                                  backend=write_backend(settings))
            if result.ok:
                ss()["_flash"] = ("success", f"**{view.esc(meta.title)}** is vervangen door {view.esc(upload.name)}; "
                                             f"de nieuwe tekst staat in {view.esc(search_side(settings))}.")
                _changed(settings)
            st.error("Het bestand is niet vervangen; de vorige versie blijft staan:\n\n" + _errors_text(result.errors))

    if ss().get("_confirm_rm") != file:
        st.button("Document verwijderen…", key=f"rm_ask_{k}", icon=":material/delete:",
                  on_click=lambda: ss().__setitem__("_confirm_rm", file))
        return
    st.warning(f"Weet u zeker dat u **{view.esc(meta.title)}** ({view.esc(meta.region)}) wilt verwijderen? Het "
               f"bestand, de gegevens en alle passages verdwijnen uit de corpusmap en "
               f"{view.esc(search_side(settings))}.")
    with st.container(horizontal=True):
        yes = st.button("Ja, definitief verwijderen", key=f"rm_yes_{k}", type="primary")
        st.button("Annuleren", key=f"rm_no_{k}", on_click=lambda: ss().__setitem__("_confirm_rm", ""))
    if yes:
        ss()["_confirm_rm"] = ""
        with st.spinner("Document verwijderen en index bijwerken…"):
            result = actions.remove_document(file, settings, embedder=_embedder(settings), user=writer,
                                             backend=write_backend(settings))
        if result.ok:
            ss()["_flash"] = ("success", f"**{view.esc(meta.title)}** is verwijderd uit de corpusmap en "
                                         f"{view.esc(search_side(settings))}.")
            _changed(settings)
        st.error("Het document is niet verwijderd:\n\n" + _errors_text(result.errors))


def _kind(file: str) -> str:
    return Path(file).suffix.lower().lstrip(".").upper() or "zelfde type"


# ---- page --------------------------------------------------------------------------------------


def main() -> None:
    st.set_page_config(page_title="Beleidszoeker", page_icon="🔎", layout="wide", initial_sidebar_state="auto")
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
            retriever = current_retriever(settings)
    except Exception as err:  # IndexUnavailable / ModelMismatch: say what to run
        from index.errors import IndexUnavailable

        if not isinstance(err, IndexUnavailable):
            raise
        index_error = err

    mode = st.segmented_control("Weergave", list(view.MODES), format_func=view.MODES.get, key="mode",
                                required=True, label_visibility="collapsed", on_change=switch_mode)
    mode = mode or view.DEFAULT_MODE

    # Sidebar: filters (apply to every mode) and the link to this view.
    documents: dict[str, Document] = retriever.index.documents if retriever else {}
    titles = {f: d.meta.title for f, d in documents.items()}
    regions = sorted({d.meta.region for d in documents.values()})
    years = sorted({d.meta.year for d in documents.values() if d.meta.year})
    doc_options = sorted(documents, key=lambda f: (documents[f].meta.region.lower(), titles[f].lower()))
    url_state = ss().get("_url")
    if url_state is not None and retriever is not None:  # filters from the link, once their options are known
        ss()["f_regio"] = link_regions(url_state.regions, documents)
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
            st.caption(f"{count_label(len(documents), 'document', 'documenten')} · "
                       f"{count_label(len(retriever.index.chunks), 'passage', 'passages')} · "
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

    if mode == "documenten":
        mode_documents(settings, retriever)
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
