"""Pure rendering helpers for the Streamlit app: passage HTML with marks, context views,
Markdown/CSV export and the URL query parameters of a view.

Nothing here imports Streamlit or touches the index: every function takes plain records and
returns strings, so it can be unit-tested and reused.

Safety: document text is untrusted. It is always escaped with `escape_text` *before* any of
our own markup is added, and the HTML we build never contains a blank line, so Streamlit's
Markdown renderer treats it as one raw HTML block and never interprets Markdown inside it.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from urllib.parse import urlencode

from beleidszoeker.display import clean_document, clean_position, tidy_residue, to_clean_spans
from beleidszoeker.records import Chunk, Document, Hit, SearchResult, Span
from beleidszoeker.render import NO_ANSWER, NO_SURE_ANSWER, answer_shown, citation, no_answer_message
from beleidszoeker.textmap import MappedText

# ---- modes and labels ---------------------------------------------------------------------------

MODES: dict[str, str] = {
    "vraag": "Vraag stellen",
    "vergelijk": "Vergelijk regio's",
    "corpus": "Corpus",
    "documenten": "Documenten",
}
LEGACY_MODES = {"toevoegen": "documenten"}  # old links keep working
DEFAULT_MODE = "vraag"

NOT_ANSWERABLE = NO_ANSWER
NO_PASSAGE = "Geen relevante passage"
CLOSEST_PASSAGE = "Dichtstbijzijnde passage (niet relevant genoeg)"

# Example questions for trainers: written for this corpus' topics (not taken from any evaluation set).
EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "Wat doen de regio's tegen lange wachtlijsten in de jeugdhulp?",
    "Wat wordt bedoeld met normaliseren?",
    "Hoe werken onderwijs en jeugdhulp samen?",
    "Hoe is de toegang tot jeugdhulp georganiseerd?",
    "Welke rol heeft de praktijkondersteuner jeugd bij de huisarts?",
)
EXAMPLE_TOPICS: tuple[str, ...] = (
    "normaliseren",
    "wachtlijsten",
    "aansluiting onderwijs en jeugdhulp",
    "inkoop van specialistische jeugdhulp",
    "pleegzorg en gezinshuizen",
)


# ---- escaping -----------------------------------------------------------------------------------

# One table for both jobs: HTML's special characters become entities, and characters that could start
# Markdown, LaTeX or Streamlit directives (`:red[...]`, `:emoji:`) become numeric character
# references: they display as themselves but are never syntax. A single pass, so no entity is
# ever escaped twice.
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
    | {c: f"&#{ord(c)};" for c in "\\`*_[]#!|~$:"}
)
_PARA_BREAK = re.compile(r"[ \t\r\f\v]*\n[ \t\r\f\v]*\n\s*")
_WS = re.compile(r"\s+")


def escape_text(text: str) -> str:
    """Untrusted text -> safe inline HTML: escaped, Markdown-inert, paragraph breaks as <br>, no newlines."""
    return "<br>".join(_WS.sub(" ", part).translate(_ESCAPES) for part in _PARA_BREAK.split(text))


def esc(text: str) -> str:
    """Escape a short label (title, region, citation) for use inside our HTML."""
    return escape_text(text or "")


# ---- highlighting -------------------------------------------------------------------------------

ANSWER_CLASS = "bz-ans"
TERM_CLASS = "bz-term"


def highlight_html(text: str, offset: int, answer_spans: Iterable[Span] = (), term_spans: Iterable[Span] = (), *,
                   tidy: bool = False) -> str:
    """`text` (the slice starting at `offset` of the text the spans refer to) as safe HTML with marks.

    Answer sentences become <mark class="bz-ans">, query terms <span class="bz-term">,
    nested properly when a term lies inside an answer sentence. Spans are document offsets.
    """
    n = len(text)

    def local(spans: Iterable[Span]) -> list[Span]:
        out = []
        for s, e in spans:
            s, e = max(0, s - offset), min(n, e - offset)
            if e > s:
                out.append((s, e))
        return out

    ans, terms = local(answer_spans), local(term_spans)
    cuts = sorted({0, n, *(p for span in ans + terms for p in span)})
    out: list[str] = []
    in_ans = in_term = False
    for a, b in itertools.pairwise(cuts):
        want_ans = any(s <= a and b <= e for s, e in ans)
        want_term = any(s <= a and b <= e for s, e in terms)
        if in_term and (not want_term or want_ans != in_ans):
            out.append("</span>")
            in_term = False
        if in_ans and not want_ans:
            out.append("</mark>")
            in_ans = False
        if want_ans and not in_ans:
            out.append(f'<mark class="{ANSWER_CLASS}">')
            in_ans = True
        if want_term and not in_term:
            out.append(f'<span class="{TERM_CLASS}">')
            in_term = True
        out.append(escape_text(tidy_residue(text[a:b]) if tidy else text[a:b]))
    if in_term:
        out.append("</span>")
    if in_ans:
        out.append("</mark>")
    return "".join(out)


def clean_spans(chunk: Chunk, spans: Iterable[Span]) -> list[Span]:
    """Original-document spans -> spans of `chunk.text` (the cleaned passage), via the chunk's runs."""
    return to_clean_spans(chunk.text, chunk.runs or ((0, chunk.start, len(chunk.text)),), spans)


def focus_span(chunk: Chunk, max_gap: int = 200) -> Span:
    """The stretch of the original document the passage's body comes from.

    A chunk may start with its section heading taken from far earlier in the document; the
    focus is the largest group of runs that lie close together in the original.
    """
    if not chunk.runs:
        return chunk.start, chunk.end
    groups: list[list[tuple[int, int, int]]] = [[chunk.runs[0]]]
    for run in chunk.runs[1:]:
        prev = groups[-1][-1]
        if run[1] - (prev[1] + prev[2]) > max_gap:
            groups.append([run])
        else:
            groups[-1].append(run)
    best = max(groups, key=lambda g: sum(r[2] for r in g))
    return best[0][1], best[-1][1] + best[-1][2]


def _excerpt_window(text: str, spans: Sequence[Span], chars: int) -> Span:
    if spans:
        lo, hi = max(0, min(s for s, _ in spans) - chars), min(len(text), max(e for _, e in spans) + chars)
    else:
        lo, hi = 0, min(len(text), 3 * chars)
    if lo > 0:
        cut = text.find(" ", lo)
        lo = cut + 1 if 0 <= cut < lo + 40 else lo
    if hi < len(text):
        cut = text.rfind(" ", lo, hi)
        hi = cut if cut > hi - 40 else hi
    return lo, hi


def passage_html(hit: Hit, documents: Mapping[str, Document] | None = None, *, marks: bool = True,
                 excerpt: int | None = None) -> str:
    """A passage (its cleaned text) as a safe HTML block with answer sentences and query terms marked.

    The hit's spans are original-document offsets; they are mapped onto the cleaned text through
    the chunk's runs. With `excerpt`, only the answer sentences and about that many characters
    around them are shown.
    """
    c = hit.chunk
    text = c.text
    ans = clean_spans(c, hit.answer_spans) if marks else []
    terms = clean_spans(c, hit.term_spans) if marks else []
    lo, hi = (0, len(text)) if excerpt is None else _excerpt_window(text, ans, excerpt)
    body = highlight_html(text[lo:hi], lo, ans, terms, tidy=True)
    if lo > 0:
        body = "… " + body
    if hi < len(text):
        body += " …"
    return f'<div class="bz-passage">{body}</div>'


def passage_text(hit: Hit) -> tuple[str, list[str]]:
    """The cleaned passage and its answer sentences as plain text (for export)."""
    c = hit.chunk
    return c.text, [c.text[s:e] for s, e in clean_spans(c, hit.answer_spans)]


def hit_citation(hit: Hit) -> str:
    c = hit.chunk
    return citation(c.region, c.title, c.section, c.page, c.page_label)


def page_range_label(chunk: Chunk, doc: Document | None) -> str | None:
    """'4' or '4–5': the pages the passage's body lies on (None for documents without pages)."""
    if doc is None or not doc.pages:
        return str(chunk.page_label or chunk.page) if chunk.page is not None else None
    start, end = focus_span(chunk)
    first, last = doc.page_at(start), doc.page_at(max(start, end - 1))
    if first is None or last is None:
        return None
    return first.label if first.number == last.number else f"{first.label}–{last.label}"


def best_page(hit: Hit, doc: Document | None) -> tuple[int, str] | None:
    """(page number, label) where the hit's answer sentence is, else where its body starts."""
    if doc is None or not doc.pages:
        return (hit.chunk.page, str(hit.chunk.page_label or hit.chunk.page)) if hit.chunk.page else None
    offset = hit.answer_spans[0][0] if hit.answer_spans else focus_span(hit.chunk)[0]
    page = doc.page_at(offset)
    return (page.number, page.label) if page is not None else None


def passage_header_html(hit: Hit, rank: int | None = None, *, score_label: str = "relevantie",
                        pages: str | None = None) -> str:
    """Region badge, title, section and page(s) of a passage (safe HTML, no newlines)."""
    c = hit.chunk
    bits = []
    if rank is not None:
        bits.append(f'<span class="bz-rank">{rank}</span>')
    bits.append(f'<span class="bz-region">{esc(c.region)}</span>')
    bits.append(f'<span class="bz-title">{esc(c.title)}</span>')
    meta = []
    if c.section:
        meta.append(esc(c.section))
    if pages:
        meta.append(f"p. {esc(pages)}")
    elif c.page is not None:
        meta.append(f"p. {esc(str(c.page_label or c.page))}")
    if c.year:
        meta.append(str(int(c.year)))
    if c.ocr:
        meta.append("tekst herkend met OCR")
    if meta:
        bits.append(f'<span class="bz-meta">{" · ".join(meta)}</span>')
    bits.append(f'<span class="bz-score">{esc(score_label)} {hit.score:.2f}</span>')
    return f'<div class="bz-head">{"".join(bits)}</div>'


# ---- answer card --------------------------------------------------------------------------------


# What each part of a hit's score means (index/search: fuse.py, shapes.py), for "Waarom deze passage?".
_SCORE_PARTS = {
    "dense": "lijkt in betekenis op de vraag",
    "sentence": "een zin lijkt in betekenis op de vraag",
    "lexical": "bevat de woorden van de vraag",
    "region": "uit de regio die de vraag noemt",
    "counting": "geeft een aantal van wat de vraag telt",
    "duration": "noemt een termijn",
    "frequency": "zegt hoe vaak",
}


def score_breakdown_md(hit: Hit) -> str:
    """Markdown lines: the parts of the hit's score, largest first ("" when it has none)."""
    parts = sorted(hit.breakdown.items(), key=lambda kv: -kv[1])
    return "\n".join(f"- {_SCORE_PARTS.get(name, name)}: **{value:+.2f}**" for name, value in parts if value)


def named_regions_note(regions: Sequence[str]) -> str:
    """Legend text that says why a named region's passages come first ("" when none is named)."""
    if not regions:
        return ""
    names = " en ".join(esc(r) for r in regions)
    return f" · uw vraag noemt {names}: passages daaruit staan bovenaan"


def confidence_label(confidence: float) -> tuple[str, str]:
    """(Dutch label, css level) for a calibrated confidence in [0, 1]."""
    if confidence >= 0.8:
        return "hoog", "high"
    if confidence >= 0.5:
        return "redelijk", "mid"
    return "laag", "low"


def answer_card_html(result: SearchResult, documents: Mapping[str, Document]) -> str:
    """The answer on top: sentence(s), citation and confidence; or the plain notice that related
    passages were found but no sure answer (or nothing at all)."""
    label, level = confidence_label(result.confidence)
    pct = max(0, min(100, round(result.confidence * 100)))
    bar = (
        f'<div class="bz-conf bz-conf-{level}" title="kans dat het antwoord klopt: {pct}%">'
        f'<span class="bz-conf-label">Zekerheid: {pct}% ({label})</span>'
        f'<span class="bz-conf-bar"><span style="width:{pct}%"></span></span></div>'
    )
    a = result.answer
    if not answer_shown(result) or a is None:
        if a is not None and result.hits:
            return (
                '<div class="bz-card bz-noanswer">'
                f'<div class="bz-card-kicker">Antwoord</div><div class="bz-noanswer-text">{NO_SURE_ANSWER}.</div>'
                '<div class="bz-card-note">Er zijn verwante passages gevonden, maar geen antwoord dat zeker genoeg '
                "klopt om hier te tonen. Hieronder staan de passages die er het dichtst bij komen; lees ze zelf na."
                f"</div>{bar}</div>"
            )
        return (
            '<div class="bz-card bz-noanswer">'
            f'<div class="bz-card-kicker">Antwoord</div><div class="bz-noanswer-text">{NOT_ANSWERABLE}.</div>'
            '<div class="bz-card-note">De documenten lijken deze vraag niet te behandelen. '
            "Hieronder staan de passages die er het dichtst bij komen; controleer ze zelf.</div>"
            f"{bar}</div>"
        )
    doc = documents.get(a.doc)
    if a.shown:
        answer_text = escape_text(tidy_residue(a.shown))  # a table row with its column headers
    elif a.text.strip() or doc is None:
        answer_text = escape_text(tidy_residue(a.text))  # the cleaned sentence(s)
    else:
        answer_text = escape_text(tidy_residue(doc.text[a.start : a.end]))
    page_label = None
    if doc is not None and a.page is not None:
        page = doc.page_at(a.start)
        page_label = page.label if page is not None else None
    cite = citation(a.region, a.title, a.section, a.page, page_label)
    return (
        '<div class="bz-card bz-answer">'
        '<div class="bz-card-kicker">Antwoord</div>'
        f'<div class="bz-answer-text">{answer_text}</div>'
        f'<div class="bz-cite"><span class="bz-cite-label">Bron:</span> {esc(cite)}</div>'
        f"{bar}</div>"
    )


# ---- context ------------------------------------------------------------------------------------


def _cut_before(text: str, start: int, window: int) -> int:
    """A start position about `window` characters before `start`, at a paragraph or word boundary."""
    lo = max(0, start - window)
    if lo == 0:
        return 0
    para = text.find("\n\n", lo, start)
    if para != -1 and para - lo < window // 2:
        return para + 2
    space = text.find(" ", lo, min(start, lo + 40))
    return space + 1 if space != -1 else lo


def _cut_after(text: str, end: int, window: int) -> int:
    hi = min(len(text), end + window)
    if hi == len(text):
        return hi
    para = text.rfind("\n\n", end, hi)
    if para != -1 and hi - para < window // 2:
        return para
    space = text.rfind(" ", max(end, hi - 40), hi)
    return space if space != -1 else hi


def context_html(
    doc: Document,
    start: int,
    end: int,
    answer_spans: Iterable[Span] = (),
    term_spans: Iterable[Span] = (),
    *,
    window: int | None = 1500,
    cleaned: MappedText | None = None,
) -> str:
    """The passage [start, end) (original offsets) inside its document, highlighted and in view.

    The document is shown cleaned exactly like the passage cards (`clean_document`; pass `cleaned`
    to reuse one), with `window` characters before and after (None: the whole document). The text
    before the passage sits in a box that starts scrolled to its end (CSS column-reverse), the text
    after in one that starts at its top, so the passage is in view without any JavaScript.
    """
    mt = cleaned if cleaned is not None else clean_document(doc.text)
    text, runs = mt.text, mt.runs
    cs = clean_position(runs, max(0, start))
    ce = max(cs, clean_position(runs, min(end, len(doc.text)), end=True))
    lo = 0 if window is None else _cut_before(text, cs, window)
    hi = len(text) if window is None else _cut_after(text, ce, window)
    before = escape_text(tidy_residue(text[lo:cs]).rstrip())
    after = escape_text(tidy_residue(text[ce:hi]).lstrip())
    if lo > 0:
        before = "… " + before
    if hi < len(text):
        after = after + " …"
    ans = [sp for sp in to_clean_spans(text, runs, answer_spans) if sp[0] < ce and sp[1] > cs]
    terms = to_clean_spans(text, runs, term_spans)
    passage = highlight_html(text[cs:ce], cs, ans, terms, tidy=True)
    scroll = " bz-scroll" if window is None else ""
    return (
        f'<div class="bz-context{scroll}">'
        f'<div class="bz-before"><div>{before or "<em>(begin van het document)</em>"}</div></div>'
        f'<div class="bz-focus" id="bz-focus">{passage}</div>'
        f'<div class="bz-after"><div>{after or "<em>(einde van het document)</em>"}</div></div>'
        "</div>"
    )


def pdf_page_fragment(page: int | None) -> str:
    """The URL fragment that opens a PDF at a page in browsers' PDF viewers."""
    return f"#page={int(page)}" if page else ""


# ---- URL query parameters -----------------------------------------------------------------------


@dataclass
class ViewState:
    """What the URL records: enough to reproduce a view for someone else."""

    mode: str = DEFAULT_MODE
    query: str = ""
    regions: list[str] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    context: str = ""  # chunk id whose context is open
    similar: str = ""  # chunk id whose comparable passages are open


def encode_params(state: ViewState) -> dict[str, str | list[str]]:
    """ViewState -> query parameters (lists for repeated keys; empty values left out)."""
    params: dict[str, str | list[str]] = {"modus": state.mode}
    if state.query.strip():
        params["q"] = state.query.strip()
    if state.regions:
        params["regio"] = list(state.regions)
    if state.docs:
        params["doc"] = list(state.docs)
    if state.years:
        params["jaar"] = [str(y) for y in state.years]
    if state.context:
        params["context"] = state.context
    if state.similar:
        params["vergelijkbaar"] = state.similar
    return params


def _values(params: Mapping[str, Any], key: str) -> list[str]:
    v = params.get(key)
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    return [str(x) for x in v]


def decode_params(params: Mapping[str, Any]) -> ViewState:
    """Query parameters (str or list values) -> ViewState; unknown or malformed values are ignored."""
    mode = (_values(params, "modus") or [DEFAULT_MODE])[-1]
    mode = LEGACY_MODES.get(mode, mode)
    years = []
    for y in _values(params, "jaar"):
        if y.strip().isdigit():
            years.append(int(y.strip()))
    return ViewState(
        mode=mode if mode in MODES else DEFAULT_MODE,
        query=" ".join(((_values(params, "q") or [""])[-1]).split())[:1000],
        regions=_dedupe(_values(params, "regio")),
        docs=_dedupe(_values(params, "doc")),
        years=_dedupe(years),
        context=(_values(params, "context") or [""])[-1][:64],
        similar=(_values(params, "vergelijkbaar") or [""])[-1][:64],
    )


def share_query(state: ViewState) -> str:
    """The query string ('?modus=...') that reproduces `state`."""
    return "?" + urlencode(encode_params(state), doseq=True)


def _dedupe(items: Iterable[Any]) -> list[Any]:
    seen: list[Any] = []
    for x in items:
        if x not in seen:
            seen.append(x)
    return seen


def filters_description(regions: Sequence[str], docs: Sequence[str], years: Sequence[int],
                        titles: Mapping[str, str] | None = None) -> str:
    """A readable line for the active filters ('' when nothing is filtered)."""
    titles = titles or {}
    parts = []
    if regions:
        parts.append("regio: " + ", ".join(regions))
    if docs:
        parts.append("document: " + ", ".join(titles.get(d, d) for d in docs))
    if years:
        parts.append("jaar: " + ", ".join(str(y) for y in years))
    return "; ".join(parts)


# ---- compare ------------------------------------------------------------------------------------


def group_by_doc(hits: Sequence[Hit], docs: Sequence[str]) -> dict[str, list[Hit]]:
    """Compare hits per document, in the order of `docs`; documents without hits get []."""
    grouped: dict[str, list[Hit]] = {d: [] for d in docs}
    for h in sorted(hits, key=lambda h: -h.score):
        if h.chunk.doc in grouped:
            grouped[h.chunk.doc].append(h)
    return grouped


def addresses(hits: Sequence[Hit]) -> bool:
    """Whether a document's compare hits show it addressing the topic (not only its closest passage)."""
    return any(h.relevant is not False for h in hits)


def doc_passes(doc: Document, regions: Sequence[str], docs: Sequence[str], years: Sequence[int]) -> bool:
    m = doc.meta
    return (not regions or m.region in regions) and (not docs or m.file in docs) and (not years or m.year in years)


def hit_passes(hit: Hit, regions: Sequence[str], docs: Sequence[str], years: Sequence[int]) -> bool:
    c = hit.chunk
    return (not regions or c.region in regions) and (not docs or c.doc in docs) and (not years or c.year in years)


# ---- export -------------------------------------------------------------------------------------


_MD_EXPORT_ESCAPE = re.compile(r"([\\`*_\[\]])")


def _md_text(text: str) -> str:
    """Document text for a Markdown file: one line (no accidental headings or lists), Markdown syntax
    characters backslash-escaped (no links, images or emphasis from the document) and no raw HTML tags
    (`<` written as `&lt;`, which Markdown viewers show as `<`)."""
    flat = " ".join(tidy_residue(text).split())
    return _MD_EXPORT_ESCAPE.sub(r"\\\1", flat).replace("<", "&lt;")


def _md_marked(hit: Hit, documents: Mapping[str, Document]) -> str:
    """The passage for Markdown with its answer sentences in bold."""
    text = hit.chunk.text
    spans = clean_spans(hit.chunk, hit.answer_spans)
    out, pos = [], 0
    for s, e in spans:
        s = max(s, pos)
        if e <= s:
            continue
        inner = _md_text(text[s:e])
        out += [_md_text(text[pos:s]), f"**{inner}**" if inner else ""]
        pos = e
    out.append(_md_text(text[pos:]))
    return " ".join(p for p in out if p)


def export_markdown(
    result: SearchResult,
    documents: Mapping[str, Document],
    *,
    mode: str = "vraag",
    filters: str = "",
    compare_docs: Sequence[str] | None = None,
    link: str = "",
) -> str:
    """The results with citations as a Markdown document (answer first; per document for compare)."""
    asked = "Onderwerp" if mode == "vergelijk" else "Vraag"
    lines = [f"# Beleidszoeker — {MODES.get(mode, mode)}", "", f"**{asked}:** {_md_text(result.query)}", ""]
    if filters:
        lines += [f"**Filters:** {_md_text(filters)}", ""]
    if link:
        lines += [f"**Link:** <{link}>", ""]
    if mode == "vergelijk":
        grouped = group_by_doc(result.hits, compare_docs if compare_docs is not None else list(documents))
        for doc_file, hits in grouped.items():
            doc = documents.get(doc_file)
            region = doc.meta.region if doc else (hits[0].chunk.region if hits else "")
            title = doc.meta.title if doc else (hits[0].chunk.title if hits else doc_file)
            lines += [f"## {_md_text(region)} — {_md_text(title)}", ""]
            if not addresses(hits):
                lines += [f"_{NO_PASSAGE}._", ""]
                continue
            for hit in hits:
                lines += [f"> {_md_marked(hit, documents)}", "", f"— {_md_text(hit_citation(hit))}", ""]
        return "\n".join(lines).rstrip() + "\n"
    a = result.answer
    lines += ["## Antwoord", ""]
    if answer_shown(result) and a is not None:
        cite = citation(a.region, a.title, a.section, a.page)
        lines += [f"> {_md_text(a.display)}", "", f"Bron: {_md_text(cite)}  ",
                  f"Zekerheid: {result.confidence:.0%} (kans dat het antwoord klopt)", ""]
    else:
        lines += [f"{no_answer_message(result)} De passages hieronder komen het dichtst in de buurt.", ""]
    lines += ["## Passages" if result.answerable else "## Meest verwante passages", ""]
    for rank, hit in enumerate(result.hits, start=1):
        lines += [f"### {rank}. {_md_text(hit_citation(hit))}", "", f"> {_md_marked(hit, documents)}", ""]
    return "\n".join(lines).rstrip() + "\n"


CSV_COLUMNS = ("rang", "regio", "titel", "bestand", "sectie", "pagina", "score", "antwoordzinnen", "passage", "bron")


def csv_cell(value: Any) -> str:
    """A CSV cell that spreadsheet programs will not run as a formula."""
    s = "" if value is None else str(value)
    s = " ".join(s.split())
    if s and s[0] in "=+-@\t\r":
        s = "'" + s
    return s


def export_csv(
    result: SearchResult,
    documents: Mapping[str, Document],
    *,
    mode: str = "vraag",
    compare_docs: Sequence[str] | None = None,
) -> str:
    """The passages as CSV (one row per passage; for compare also a row per document without one)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)

    def row(rank: Any, hit: Hit) -> list[str]:
        c = hit.chunk
        text, sentences = passage_text(hit)
        answers = " … ".join(tidy_residue(x) for x in sentences)
        text = tidy_residue(text)
        page = c.page_label or c.page
        return [csv_cell(x) for x in (rank, c.region, c.title, c.doc, c.section, page, f"{hit.score:.4f}",
                                      answers, text, hit_citation(hit))]

    if mode == "vergelijk":
        grouped = group_by_doc(result.hits, compare_docs if compare_docs is not None else list(documents))
        for doc_file, hits in grouped.items():
            if not addresses(hits):
                doc = documents.get(doc_file)
                meta = doc.meta if doc else None
                w.writerow([csv_cell(x) for x in ("", meta.region if meta else "", meta.title if meta else "",
                                                   doc_file, "", "", "", "", NO_PASSAGE, "")])
                continue
            for i, hit in enumerate(hits, start=1):
                w.writerow(row(i, hit))
        return buf.getvalue()
    for rank, hit in enumerate(result.hits, start=1):
        w.writerow(row(rank, hit))
    return buf.getvalue()


def export_basename(query: str, mode: str) -> str:
    """A file name stem for downloads: 'beleidszoeker-vraag-wachtlijsten-jeugdhulp'."""
    slug = unicodedata.normalize("NFKD", query).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")[:50].strip("-")
    return f"beleidszoeker-{mode}" + (f"-{slug}" if slug else "")


# ---- uploads ------------------------------------------------------------------------------------


def safe_filename(name: str) -> str:
    """A plain file name for the corpus folder: no directories, no odd characters, suffix kept."""
    base = PurePath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^\w\-]+", "_", stem, flags=re.UNICODE).strip("._-")[:100] or "document"
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix).lower()[:10]
    return f"{stem}.{suffix}" if suffix else stem


def download_label(title: str, suffix: str) -> str:
    """'Regiovisie Jeugdhulp Twente (PDF)': what a download button names instead of a hash file name."""
    kind = suffix.lstrip(".").upper()
    return f"{title} ({kind})" if kind else title


def download_name(title: str, fallback: str) -> str:
    """A file name from the title with the source's suffix: 'Regiovisie_Jeugdhulp_Twente.pdf'."""
    suffix = PurePath(fallback).suffix.lower()
    name = safe_filename(f"{title}{suffix}") if title.strip() else fallback
    return name if PurePath(name).stem not in ("", "document") else fallback


def format_built_at(iso: str) -> str:
    """'2025-01-31T10:00:00+00:00' -> '31-01-2025 10:00 UTC' (unchanged when not parseable)."""
    from datetime import datetime

    try:
        t = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso or "onbekend")
    zone = " UTC" if t.utcoffset() is not None and t.utcoffset().total_seconds() == 0 else ""
    return t.strftime("%d-%m-%Y %H:%M") + zone
