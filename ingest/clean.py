"""Turn converted policy-document text into structured blocks that map back to the original.

The loaders hand us DOCX, markdown and OCR conversions full of residue: bookmark markers,
raw HTML, hard line breaks, footnotes dropped into the middle of sentences at page
breaks, tables flattened to one cell per line. `segment_text` repairs all of that by
*deleting* characters and *inserting* separators only (see `beleidszoeker.textmap`), so
every character of a block's text still maps to an exact offset in the original.

Pipeline: physical lines -> per-line residue masks and line kinds -> footnote groups ->
logical paragraphs (hard-wrapped lines joined) -> proto blocks -> tables, lists and
headings with levels -> `Block`s.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from beleidszoeker.textmap import MappedText, MappedTextBuilder, concat

# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------

BLOCK_KINDS = ("heading", "paragraph", "list", "table", "footnote")


@dataclass(frozen=True)
class Block:
    """One structural unit of a document: its kind, heading level and mapped clean text."""

    kind: str  # "heading" | "paragraph" | "list" | "table" | "footnote"
    level: int  # heading level (1 = chapter, 2 = section, ...); 0 for non-headings
    mapped: MappedText

    @property
    def text(self) -> str:
        return self.mapped.text


WORD = re.compile(r"\w+")


def word_count(text: str) -> int:
    """Words as the chunker counts them (\\w+ runs: conservative for the embedder's tokens)."""
    return len(WORD.findall(text))


def slice_mapped(mt: MappedText, a: int, b: int) -> MappedText:
    """The part [a, b) of a mapped text, runs clipped and shifted."""
    runs = []
    for c, o, n in mt.runs:
        s, e = max(c, a), min(c + n, b)
        if s < e:
            runs.append((s - a, o + (s - c), e - s))
    return MappedText(mt.text[a:b], tuple(runs))


def strip_mapped(mt: MappedText, chars: str | None = None) -> MappedText:
    """Drop leading/trailing whitespace (or `chars`) so blocks never start or end blank."""
    text = mt.text
    stripped = text.strip(chars) if chars else text.strip()
    if not stripped:
        return MappedText("", ())
    a = text.index(stripped)
    return slice_mapped(mt, a, a + len(stripped))


def segment_text(text: str) -> list[Block]:
    """Split `text` into cleaned heading / paragraph / list / table / footnote blocks."""
    lines = _analyse_lines(text)
    _mark_cell_rows(lines)
    _mark_toc(lines)
    groups = _groups(lines)
    _mark_footnotes(text, lines, groups)
    wrap = _wrap_width(lines)
    paras = _paragraphs(text, lines, wrap)
    protos = _merge_label_headings(text, [p for para in paras for p in _classify(text, para) + _inline_notes(para)])
    _resolve_numbered(protos)
    protos = _assemble_tables(text, protos)
    protos = _assemble_lists(text, protos)
    protos = _resolve_headings(protos)
    return [Block(p.kind, p.level, p.mapped) for p in protos if p.mapped.text]


# ---------------------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------------------

# Inline residue, deleted wherever it occurs.
BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]")  # DOCX anchors: "[bookmark: _bookmark12]"
INLINE_TAG = re.compile(r"</?(?:b|i|u|em|strong|sup|sub|span|a|font|small|mark)\b[^<>\n]*>", re.I)
BLOCK_TAG = re.compile(r"</?(?:p|ol|ul|li|br|div|table|tr|td|th|hr)\b[^<>\n]*>", re.I)  # act as spaces
MD_LINK = re.compile(r"\[([^\[\]\n]*)\]\((#[^()\s]*|(?:https?://|www\.|mailto:)[^()\s]*)\)")  # [text](url)
# [text](../../wet/x/(y)/README.md): a link to another file of the corpus; the path may hold '('.
MD_FILE_LINK = re.compile(r"\[([^\[\]\n]*)\]\([^\s\[\]]*?\.(?:md|html?|pdf|docx?|txt)(?:#[^\s()]*)?\)")
MD_IMAGE = re.compile(r"!\[[^\[\]\n]*\]\([^()\s]*\)")  # ![245873](http://.../Illustration/245873)
# <sup>2</sup>, <sub>3</sub>: joined to a number or a short symbol ("m2", "CO2", "2e"), not to a word.
SUP_SUB = re.compile(r"(?P<open><(?P<tag>sup|sub)>[ \t]*)(?P<body>[^<>\s]{1,4})(?P<close>[ \t]*</(?P=tag)>)", re.I)
SUP_NOTE = re.compile(r"<sup>(?P<body>[^<>\n]{8,}?)</sup>", re.I)  # "<sup> 1 Kamerstukken II ... </sup>"
SYMBOL_BEFORE = re.compile(r"(?:\d|(?<![^\W\d_])[^\W\d_]{1,2})$")
AUTOLINK = re.compile(r"<((?:https?://|www\.|mailto:)[^<>\n]+)>")  # <https://...> -> url
ASTERISKS = re.compile(r"\*+")  # markdown emphasis and OCR '*' footnote marks: never content
MD_ESCAPE = re.compile(r"\\(?=[*_#>\[\]()`-])")  # "\*" -> "*" (then deleted)
SUPERSCRIPT = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")  # footnote references "goed¹"
OCR_MARKS = re.compile(r"[®▪]")  # OCR footnote marks ("instituut®") and bullet glyphs in HTML lists
INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")

# Whole-line residue.
# HTML page residue at the top of converted Markdown: "<meta http-equiv=... />", "<!DOCTYPE html>".
HTML_HEAD_LINE = re.compile(
    r"^[ \t]*(?:<(?:meta|link|base|!doctype|/?html|/?head|/?body)\b[^<>\n]*>[ \t]*|<!--[^\n]*?-->[ \t]*)+$", re.I
)
IMAGE_LINE = re.compile(r"^\s*\[(?:image|img|figure|afbeelding)\s*:[^\]]*\]\s*$", re.I)
LOGO_LINE = re.compile(r"^[ \t]*(?=.*>)(?:>[ \t]*)?[A-Z]{1,5}(?:[ \t]*>)?[ \t]*$")  # "EN >", "> VED"
SOCIAL_LINE = re.compile(  # LinkedIn/ blog chrome copied along with a post
    r"^(?:You and \d+ others?|\d+ (?:comments?|reposts?|reactions?|likes?|shares?)"
    r"|See translation|\S+\.[a-z]{2,}\s*·\s*\d+\s*min read|(?:Terug )?naar boven|Back to top)$",
    re.I,
)
TOC_LINE = re.compile(r"(?:\.{2,}|…)[ \t]*\d{1,3}[ \t]*$|\t[ \t]*\d{1,3}[ \t]*$")  # "Voorwoord .....\t2"
TOC_LEADER = re.compile(r"(?:\.{2,}|…)[ \t]*\t?[ \t]*\d{1,3}[ \t]*$")

# Line-start markers.
MD_HEADING = re.compile(r"^[ \t]{0,3}(?:(#{1,6})[ \t]+|(#{2,6}))(?=[^\s#])")  # "##Titel" too (not "#tag")
MD_HEADING_MAX_WORDS = 16  # longer '##' lines are titles written as headings (a law's full title)
MD_HEADING_CLOSE = re.compile(r"[ \t]+#+[ \t]*$")
# Markdown pipe table: a row "| a | b |", and the rule under its header "|:---|---|".
PIPE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
PIPE_RULE = re.compile(r"^[ \t]*\|(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*$")
CELL_SEPARATOR = " | "  # how the DOCX and PDF loaders write table cells on one line
EMPTY_CELL = re.compile(r"^[ \t]*(?:-{3,}[ \t]*)?$")  # "---" marks an empty or merged cell
# A definition: "*term:* text" (italic term, then its definition on the same line).
DEFINITION = re.compile(r"^[ \t]*\*(?=[^*\s])[^*\n]{1,80}?(?::\*|\*[ \t]*:)[ \t]+(?=\S)")
BLOCKQUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
BULLET = re.compile(  # "•", "·", "- ›", "* ", OCR bullets "e ", "¢", "®"
    r"^[ \t]*(?P<marker>[•·▪◦‣●■–—›¢®-]|\*(?=[ \t])|e(?=[ \t]{1,3}[A-Z0-9]))(?:[ \t]+›)?[ \t]+(?=\S)"
)
LABEL_ONLY = re.compile(r"^(?:\d{1,2}|[a-zA-Z])[.)]$")  # "• 1." whose text is on the next line
NUMBERED = re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2})*)(?P<style>[.)]?)[ \t]+(?=\S)")
LETTERED = re.compile(r"^[a-z][.)][ \t]+(?=\S)")
BOOKMARK_LINE = re.compile(r"^[ \t]*(?:\d{1,2}(?:\.\d{1,2})*\.?[ \t]*)?\[bookmark:")
GLOSSARY = re.compile(r"^(?P<term>[^\t\s][^\t]{0,59}?)[ \t]*\t[ \t]*(?P<definition>\S.*)$")
FOOTNOTE_START = re.compile(r"^[ \t]*(?P<marker>\d{1,2}|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|[!%*¢•®†‡§])[ \t]+(?=[A-Z<(“\"‘'\[]|http|www)")
SYMBOL_MARKER = re.compile(r"^[ \t]*[!%*¢•®†‡§][ \t]+")
ROW = re.compile(  # OCR table row: a label, then two or more numbers ("Huisarts 212 70 11 23")
    r"^(?P<label>[^\d\t]*?[^\W\d_][^\d\t]*?)(?P<nums>(?:[ \t]+[-+]?[€$]?\d[\d.,]*%?){2,})[ \t]*$"
)
ROW_MAX_CHARS = 150  # rows are short; the guard also keeps ROW from backtracking on long lines
PIPE_MAX_CELLS, PIPE_CELL_WORDS = 12, 12  # PDF table rows: "Verblijf | 19% | € 1.000"
ROW_NUMBER = re.compile(r"[-+]?[€$]?\d[\d.,]*%?")
CAPTION = re.compile(r"^(?:(?:Tabel|Table|Figuur|Figure|Grafiek|Afbeelding)\s+\d[\d.]*|Bron\s*:)", re.I)
BIJLAGE = re.compile(r"^(?:Bijlage|Appendix|Annex)\s+(?:\d{1,2}|[A-Z])\b")
# Regulations ("verordening", "beleidsregels"): "Hoofdstuk 2 ...", "Paragraaf 3 ...", "Artikel 8a. Titel".
LEGAL_HEADING = re.compile(r"^(?P<kind>Hoofdstuk|Afdeling|Paragraaf|Artikel)\s+\d{1,3}[a-z]?(?:\.\d{1,2})*\.?(?:\s|$)")
LEGAL_LEVELS = {"Hoofdstuk": 1, "Afdeling": 2, "Paragraaf": 2, "Artikel": 3}
# Markdown of legislation puts every label at one level ("### Hoofdstuk 1", "### Artikel 1.1") and the
# label's title below it ("####Begripsbepalingen"): the label names the rank.
MD_LEGAL = re.compile(
    r"^(?P<kind>deel|boek|titel|hoofdstuk|afdeling|paragraaf|§|artikel|bijlage)[ \t]*"
    r"(?P<num>[\dIVXLC]{1,6}[a-z]{0,2}(?:[.:][\dIVXLC]{1,4}[a-z]{0,2})*)\.?(?=\s|$)",
    re.I,
)
MD_LEGAL_LEVELS = {
    "deel": 1, "boek": 1, "bijlage": 1, "titel": 2, "hoofdstuk": 2, "afdeling": 3, "paragraaf": 4, "§": 4, "artikel": 5
}
MD_LABEL_ONLY = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]{1,6}\.?|[A-Z]\.?)$")  # "### 2", "### A"
NUMERIC_CELL = re.compile(r"^[€$]?\s*[-+]?\d[\d.,]*\s*%?$")
DATE_LINE = re.compile(
    r"^(?:\d{1,2}\s+)?(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober"
    r"|november|december)\s+\d{4}$",
    re.I,
)
# A glued footnote reference: "gemeenten1", "TWO2", "(TAJ)5" (digits right after a word).
GLUED_REF = re.compile(r"(?<![\w/.@#=_-])(?P<word>\(?[^\W\d_]+\)?)(?P<num>\d{1,2})(?![\w])(?!\.\w)(?!,\d)")

# Line ends.
TERMINAL = re.compile(r"[.!?:;][\"'”’)\]»]*$")
SENTENCE_FINAL = re.compile(r"[.!?][\"'”’)\]»]*$")
OPENERS = "\"'“‘(«["
FUNCTION_WORDS = frozenset(
    "de het een van en in op voor met te aan om naar bij door als of dat tot uit over onder "
    "zoals zodat maar waarbij waarin onze ons uw hun mijn deze dit elke ieder iedere alle &".split()
)

# Line kinds that always start a paragraph of their own.
STRUCTURAL = frozenset(
    {"md", "bookmark", "bullet", "label", "lettered", "glossary", "tabcell", "row", "pipe", "caption"}
)
# Mask values: keep; delete and join tightly ("m<sup>2</sup>"); delete (glue: never joins two words);
# delete (acts as whitespace). A character deleted for two reasons takes the larger value.
KEEP, JOIN, GLUE, SPACE = 0, 1, 2, 3


# ---------------------------------------------------------------------------------------
# Lines
# ---------------------------------------------------------------------------------------


@dataclass
class _Line:
    start: int
    end: int
    raw: str
    mask: list[int]
    kind: str = "text"  # md|bookmark|bullet|label|lettered|glossary|tabcell|row|caption|numbered|text
    md_level: int = 0
    marker: str = ""
    tab: int = -1  # glossary: offset of the tab in raw
    plain: str = ""
    soft: bool = False  # markdown "two trailing spaces" line break
    blank: bool = False
    residue: bool = False
    footnote: bool = False
    footnote_start: bool = False
    fn_group: int = -1
    piece: MappedText = field(default_factory=lambda: MappedText("", ()))
    notes: list[MappedText] = field(default_factory=list)  # footnotes written inside the line, in <sup>


def _analyse_lines(text: str) -> list[_Line]:
    """Split into physical lines and work out each line's residue mask, kind and clean text."""
    refs = _glued_refs(text)
    lines = []
    pos = 0
    for raw_line in text.split("\n"):
        start, end = pos, pos + len(raw_line)
        pos = end + 1
        lines.append(_analyse_line(text, start, end, refs))
    return lines


def _glued_refs(text: str) -> dict[int, int]:
    """Absolute start -> end of footnote numbers glued to words.

    Footnotes are numbered in order, so a candidate counts only if its number continues the
    sequence; that keeps names like "DVO21", "O3", "Q4" or "A2-gemeenten" intact. Lowercase
    words ("basisfuncties1") may skip a missing footnote or two.
    """
    found: dict[int, int] = {}
    expected = 1
    for m in GLUED_REF.finditer(text):
        n = int(m.group("num"))
        word = m.group("word").strip("()")
        if n == expected or (word[-1:].islower() and expected < n <= expected + 2):
            found[m.start("num")] = m.end("num")
            expected = n + 1
    return found


def _analyse_line(text: str, start: int, end: int, refs: dict[int, int]) -> _Line:
    raw = text[start:end]
    line = _Line(start, end, raw, [KEEP] * len(raw))
    if IMAGE_LINE.match(raw) or LOGO_LINE.match(raw) or HTML_HEAD_LINE.match(raw) or PIPE_RULE.match(raw):
        line.residue = True
        return line
    kill = line.mask

    def delete(a: int, b: int, mode: int = GLUE) -> None:
        for i in range(a, b):
            kill[i] = max(kill[i], mode)

    for pattern, mode in (
        (BOOKMARK, GLUE),
        (INLINE_TAG, GLUE),
        (BLOCK_TAG, SPACE),
        (MD_ESCAPE, GLUE),
        (ASTERISKS, GLUE),
        (SUPERSCRIPT, GLUE),
        (OCR_MARKS, GLUE),
        (INVISIBLE, GLUE),
    ):
        for m in pattern.finditer(raw):
            delete(m.start(), m.end(), mode)
    for m in SUP_SUB.finditer(raw):
        if SYMBOL_BEFORE.search(raw[: m.start()]):
            for a, b in (m.span("open"), m.span("close")):
                kill[a:b] = [JOIN] * (b - a)
    for m in MD_IMAGE.finditer(raw):
        delete(m.start(), m.end(), SPACE)
    for link in (MD_LINK, MD_FILE_LINK):
        for m in link.finditer(raw):
            delete(m.start(), m.start() + 1)
            delete(m.end(1), m.end())
    for m in AUTOLINK.finditer(raw):
        delete(m.start(), m.start() + 1)
        delete(m.end() - 1, m.end())
    for m in SUP_NOTE.finditer(raw):
        if word_count(m.group("body")) >= 3:  # a footnote, not a reference: out of the sentence, into its own block
            note = strip_mapped(_emit(text, start, kill, m.start("body"), m.end("body")))
            if note.text:
                line.notes.append(note)
            delete(m.start(), m.end())
    for a, b in refs.items():
        if start <= a < end:
            delete(a - start, b - start)

    if PIPE_ROW.match(raw):
        line.kind = "pipe"
    elif m := MD_HEADING.match(raw):
        line.kind, line.md_level = "md", len(m.group(1) or m.group(2))
        delete(0, m.end())
        if close := MD_HEADING_CLOSE.search(raw):
            delete(close.start(), close.end())
    elif m := BULLET.match(raw):
        line.kind, line.marker = "bullet", m.group("marker")
        delete(0, m.end())
    elif m := BLOCKQUOTE.match(raw):
        delete(0, m.end())
    elif DEFINITION.match(raw):
        line.kind, line.marker = "bullet", "def"
    if line.kind == "text":
        if BOOKMARK_LINE.match(raw):
            line.kind = "bookmark"
        elif (g := GLOSSARY.match(raw)) and len(g.group("term").split()) <= 6 and not TOC_LINE.search(raw):
            line.kind, line.tab = "glossary", g.end("term")
        elif raw.startswith("\t"):
            line.kind = "tabcell"
    line.soft = raw.endswith("  ") and bool(raw.strip())
    line.plain = _emit(text, start, kill, 0, len(raw)).text
    if not line.plain:
        line.blank = True
        return line
    if SOCIAL_LINE.match(line.plain):
        line.residue = True
        return line
    if line.kind == "bullet" and LABEL_ONLY.match(line.plain):
        line.kind = "label"
    elif line.kind == "tabcell" and (word_count(line.plain) > 8 or line.plain.endswith(".")):
        line.kind = "text"
    if line.kind == "text":
        if CAPTION.match(line.plain):
            line.kind = "caption"
        elif (len(line.plain) <= ROW_MAX_CHARS and ROW.match(line.plain)) or _pipe_row(line.plain):
            line.kind = "row"
        elif m := NUMBERED.match(line.plain):
            rest = line.plain[m.end() :]
            if m.group("style") or rest[:1].isupper() or rest[:1] in OPENERS:
                line.kind = "numbered"
        elif LETTERED.match(line.plain):
            line.kind = "lettered"
    return line


def _pipe_row(plain: str) -> bool:
    """A table row as the PDF reader writes it: two to twelve short cells joined by ' | '."""
    cells = plain.split(" | ")
    return 2 <= len(cells) <= PIPE_MAX_CELLS and all(0 < word_count(c) <= PIPE_CELL_WORDS for c in cells)


def _emit(text: str, base: int, mask: list[int], a: int, b: int) -> MappedText:
    """Clean text of raw line chars [a, b): deletions applied, whitespace collapsed to one space.

    A single original space is kept (so runs stay long); any other whitespace, NBSP, tab or
    space-like deletion becomes an inserted " ". A deletion between two word characters
    also becomes a space, so no word is ever formed that is not in the original.
    """
    out = MappedTextBuilder(text)
    emitted = False
    seg = -1  # start of the current kept visible segment
    ws = 0  # whitespace chars (or space-like deletions) since the last kept char
    ws_keep = -1  # position of a lone ' ' that can be kept verbatim
    glued = False  # a glue deletion since the last kept char
    last_word = False
    for i in range(a, b):
        ch = text[base + i]
        m = mask[i]
        if m == KEEP and not ch.isspace():
            if seg < 0:
                if emitted:
                    if ws == 1 and ws_keep >= 0:
                        out.keep(ws_keep, ws_keep + 1)
                    elif ws or (glued and last_word and (ch.isalnum() or ch == "_")):
                        out.insert(" ")
                seg, ws, ws_keep, glued = i, 0, -1, False
            continue
        if seg >= 0:
            out.keep(base + seg, base + i)
            last_word = text[base + i - 1].isalnum() or text[base + i - 1] == "_"
            emitted, seg = True, -1
        if m == KEEP:
            ws += 1
            ws_keep = base + i if (ws == 1 and ch == " ") else -1
        elif m == SPACE:
            ws, ws_keep = ws + 2, -1
        elif m == GLUE:
            glued = True
    if seg >= 0:
        out.keep(base + seg, base + b)
    return out.build()


def _line_piece(text: str, line: _Line) -> MappedText:
    """The clean text a line contributes: glossary "term: definition", table rows "a | b"."""
    if line.kind == "glossary":
        term = _emit(text, line.start, line.mask, 0, line.tab)
        definition = _emit(text, line.start, line.mask, line.tab, len(line.raw))
        if term.text and definition.text:
            return concat([term, definition], ": ", text)
    if line.kind == "pipe":
        return _pipe_cells(text, line)
    if line.kind == "row" and (m := ROW.match(line.raw.strip())):  # kind "row" implies a short line
        offset = line.raw.index(m.group(0))
        cells = [_emit(text, line.start, line.mask, offset + m.start("label"), offset + m.end("label"))]
        nums_at = offset + m.start("nums")
        for n in ROW_NUMBER.finditer(m.group("nums")):
            cells.append(_emit(text, line.start, line.mask, nums_at + n.start(), nums_at + n.end()))
        return concat([c for c in cells if c.text], " | ", text)
    return _emit(text, line.start, line.mask, 0, len(line.raw))


def _mark_cell_rows(lines: list[_Line]) -> None:
    """Consecutive lines with 'a | b' cells (DOCX and PDF table rows) are table rows."""
    for i, line in enumerate(lines):
        if line.kind not in ("text", "row") or CELL_SEPARATOR not in line.raw:
            continue
        neighbours = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines)]
        if any(CELL_SEPARATOR in n.raw and n.kind in ("text", "row", "pipe") for n in neighbours):
            line.kind = "pipe"


def _pipe_cells(text: str, line: _Line) -> MappedText:
    """A table row as 'a | b | c': the bars become separators, empty and '---' cells go."""
    bars = [-1] + [i for i, ch in enumerate(line.raw) if ch == "|"] + [len(line.raw)]
    cells = [_emit(text, line.start, line.mask, a + 1, b) for a, b in itertools.pairwise(bars)]
    return concat([c for c in cells if c.text and not EMPTY_CELL.match(c.text)], " | ", text)


# ---------------------------------------------------------------------------------------
# Groups: table of contents and footnotes
# ---------------------------------------------------------------------------------------


@dataclass
class _Group:
    lines: list[int]  # indices into the line list
    gap_before: int
    gap_after: int = 0


def _is_gap(line: _Line) -> bool:
    return line.blank or line.residue


def _groups(lines: list[_Line]) -> list[_Group]:
    """Runs of consecutive content lines with the number of blank lines around them."""
    groups: list[_Group] = []
    gap = 0
    for i, line in enumerate(lines):
        if _is_gap(line):
            gap += 1
            continue
        if groups and groups[-1].lines[-1] == i - 1:
            groups[-1].lines.append(i)
        else:
            if groups:
                groups[-1].gap_after = gap
            groups.append(_Group([i], gap))
        gap = 0
    if groups:
        groups[-1].gap_after = gap
    return groups


def _mark_toc(lines: list[_Line]) -> None:
    """Drop a table of contents: a run of lines ending in dot leaders/tabs and page numbers.

    A short heading right before it ("Inhoud") goes with it.
    """
    groups = _groups(lines)
    for gi, g in enumerate(groups):
        raws = [lines[i].raw for i in g.lines]
        leaders = sum(bool(TOC_LEADER.search(r)) for r in raws)
        matches = sum(bool(TOC_LINE.search(r)) for r in raws)
        if len(raws) >= 3 and leaders >= 2 and matches * 2 >= len(raws):
            for i in g.lines:
                lines[i].residue = True
            if gi and len(prev := groups[gi - 1].lines) == 1:
                head = lines[prev[0]]
                if head.kind == "md" and word_count(head.plain) <= 3:
                    head.residue = True


def _mark_footnotes(text: str, lines: list[_Line], groups: list[_Group]) -> None:
    """Find footnote text that a page break left in the body.

    A group (or the tail of one) starting with a footnote marker is a footnote when it sits
    right before or after page-break residue (several blank lines), when it interrupts a
    sentence (the text before ends mid-sentence and the text after starts lowercase), or
    when its number matches a glued reference earlier on ("beperking6." ... "6 Andere...").
    """
    refs = _glued_refs(text)
    ref_numbers: dict[int, int] = {}
    for a, b in refs.items():
        ref_numbers.setdefault(int(text[a:b]), a)
    fn_id = 0
    for gi, g in enumerate(groups):
        page_break_after = g.gap_after >= 2
        for pos, li in enumerate(g.lines):
            line = lines[li]
            m = FOOTNOTE_START.match(line.raw)
            if not m or line.kind in ("md", "glossary", "tabcell"):
                continue
            if pos and not page_break_after:
                break
            marker = m.group("marker")
            if _continues_list(lines, groups, gi, pos, marker):
                continue
            words = word_count(line.plain)
            cut = pos == 0 and _cuts_sentence(lines, groups, gi)
            after_break = (
                pos == 0
                and g.gap_before >= 2
                and marker.isdigit()
                and words >= 6
                and (SENTENCE_FINAL.search(line.plain) is not None or "http" in line.raw or words >= 12)
            )
            superscript = SUPERSCRIPT.fullmatch(marker) is not None
            referenced = marker.isascii() and marker.isdigit() and ref_numbers.get(int(marker), len(text)) < line.start
            numbered = pos == 0 and (superscript or referenced)
            if page_break_after or cut or after_break or numbered:
                for k in g.lines[pos:]:
                    lines[k].footnote = True
                    lines[k].fn_group = fn_id
                    lines[k].footnote_start = bool(FOOTNOTE_START.match(lines[k].raw))
                    if sm := SYMBOL_MARKER.match(lines[k].raw):
                        for i in range(sm.end()):
                            lines[k].mask[i] = max(lines[k].mask[i], GLUE)
                fn_id += 1
                break


def _continues_list(lines: list[_Line], groups: list[_Group], gi: int, pos: int, marker: str) -> bool:
    """A symbol-marked line is a bullet, not a footnote, when its neighbours use the same bullet."""
    if marker[0].isdigit():
        return False
    neighbours = []
    g = groups[gi]
    if pos:
        neighbours.append(lines[g.lines[pos - 1]])
    elif gi:
        neighbours.append(lines[groups[gi - 1].lines[0]])
    if gi + 1 < len(groups):
        neighbours.append(lines[groups[gi + 1].lines[0]])
    return any(n.kind == "bullet" and n.marker == marker for n in neighbours)


def _cuts_sentence(lines: list[_Line], groups: list[_Group], gi: int) -> bool:
    """True when the text before group gi stops mid-sentence and resumes lowercase after it."""
    if gi == 0 or gi + 1 >= len(groups):
        return False
    before = lines[groups[gi - 1].lines[-1]]
    nxt = gi + 1
    while nxt < len(groups) and FOOTNOTE_START.match(lines[groups[nxt].lines[0]].raw):
        nxt += 1
    if nxt >= len(groups):
        return False
    after = lines[groups[nxt].lines[0]]
    return not TERMINAL.search(before.plain) and _starts_lower(after.plain)


# ---------------------------------------------------------------------------------------
# Logical paragraphs
# ---------------------------------------------------------------------------------------


@dataclass
class _Para:
    lines: list[_Line]
    pieces: list[MappedText]
    gap_before: int
    footnote: bool = False

    @property
    def kind(self) -> str:
        return self.lines[0].kind

    def mapped(self, original: str) -> MappedText:
        """The joined lines: a space between wrapped lines, a newline between footnotes."""
        out = self.pieces[0]
        for line, piece in zip(self.lines[1:], self.pieces[1:], strict=True):
            out = concat([out, piece], "\n" if self.footnote and line.footnote_start else " ", original)
        return out


def _wrap_width(lines: list[_Line]) -> int:
    """Line width of a hard-wrapped (OCR/PDF) text, or 0 when lines are whole paragraphs."""
    lengths = sorted(len(ln.raw.strip()) for ln in lines if len(ln.raw.strip()) >= 20)
    if len(lengths) < 10:
        return 0
    p90 = lengths[int(len(lengths) * 0.9)]
    long_share = sum(n > 200 for n in lengths) / len(lengths)
    if p90 > 120 or long_share > 0.02:
        return 0
    return p90


def _starts_lower(s: str) -> bool:
    s = s.lstrip(OPENERS)
    return s[:1].islower()


def _joins(a: _Line, b: _Line, gap: int, wrap: int) -> bool:
    """Whether line b continues the paragraph that line a ended (hard wraps, page breaks)."""
    if gap > 4:
        return False
    if a.kind == "label":
        return b.kind not in ("bullet", "label")
    if b.kind in STRUCTURAL or (b.kind == "numbered") or BIJLAGE.match(b.plain):
        return False
    if a.kind in ("md", "bookmark", "tabcell", "row", "pipe", "caption"):
        return False
    if gap == 0 and a.soft:
        return True
    if _starts_lower(b.plain) and (gap == 0 or not SENTENCE_FINAL.search(a.plain)):
        return True
    last = a.plain.rsplit(None, 1)[-1].lower() if a.plain else ""
    if (last in FUNCTION_WORDS or a.plain.endswith(("&", ","))) and b.plain.lstrip(OPENERS)[:1].isalpha():
        return True
    return gap == 0 and wrap > 0 and len(a.raw.strip()) >= 0.75 * wrap


def _paragraphs(text: str, lines: list[_Line], wrap: int) -> list[_Para]:
    """Join physical lines into logical paragraphs; footnotes follow the paragraph they cut."""
    for line in lines:
        if not _is_gap(line):
            line.piece = _line_piece(text, line)
    paras: list[_Para] = []
    pending: list[_Para] = []
    cur: _Para | None = None
    gap = 0
    fn_paras: dict[int, _Para] = {}
    for line in lines:
        if _is_gap(line):
            gap += 1
            continue
        if line.footnote:
            if line.fn_group not in fn_paras:
                fn_paras[line.fn_group] = _Para([line], [line.piece], gap, footnote=True)
                pending.append(fn_paras[line.fn_group])
            else:
                fn_paras[line.fn_group].lines.append(line)
                fn_paras[line.fn_group].pieces.append(line.piece)
            continue
        if cur is not None and _joins(cur.lines[-1], line, gap, wrap):
            cur.lines.append(line)
            cur.pieces.append(line.piece)
        else:
            if cur is not None:
                paras.append(cur)
                paras.extend(pending)
                pending = []
            cur = _Para([line], [line.piece], gap)
        gap = 0
    if cur is not None:
        paras.append(cur)
    paras.extend(pending)
    return paras


# ---------------------------------------------------------------------------------------
# Proto blocks
# ---------------------------------------------------------------------------------------


@dataclass
class _Proto:
    kind: str  # heading|paragraph|item|numbered|cell|caption|footnote|list|table
    mapped: MappedText
    para: _Para | None = None
    level: int = 0
    explicit: bool = False  # level given by markup or numbering, not guessed
    numbered: bool = False
    candidate: bool = False  # a short line that may be a heading or a table cell
    caption: bool = False  # "Tabel 1: ...", "Bron: ..."
    label: str = ""  # list/heading number, "3.1"
    marker: str = ""
    generic: bool = False  # a recurring sub-heading ("Wat willen we bereiken?")
    colon: bool = False  # heading written as a label, "Doelgroep:"

    @property
    def text(self) -> str:
        return self.mapped.text


def _classify(text: str, para: _Para) -> list[_Proto]:
    """First guess at what a paragraph is; neighbours settle numbered lines and tables later."""
    mapped = strip_mapped(para.mapped(text))
    if not mapped.text:
        return []
    kind = para.kind
    plain = mapped.text
    if para.footnote:
        return [_Proto("footnote", mapped, para)]
    if kind == "md" and word_count(plain) > MD_HEADING_MAX_WORDS:
        return [_Proto("paragraph", mapped, para)]  # a title sentence, too long to name a section
    if kind == "md":
        p = _Proto("heading", mapped, para, level=para.lines[0].md_level, explicit=True)
        _rank_md_heading(p)
        return [p]
    if kind == "bookmark":
        return _bookmark_heading(para, mapped)
    if kind in ("bullet", "label", "lettered"):
        label = plain.split(None, 1)[0] if kind in ("label", "lettered") else ""
        return [_Proto("item", mapped, para, label=label.rstrip(".)"), marker=para.lines[0].marker)]
    if kind == "numbered":
        m = NUMBERED.match(plain)
        label = m.group("label") if m else ""
        return [_Proto("numbered", mapped, para, label=label, marker=m.group("style") if m else "")]
    if kind == "caption":
        return [_Proto("caption", mapped, para)]
    if kind in ("tabcell", "row", "pipe"):
        return [_Proto("cell", mapped, para, marker="row" if kind == "pipe" else kind)]
    if kind == "glossary":
        return [_Proto("paragraph", mapped, para)]
    if BIJLAGE.match(plain) and word_count(plain) <= 16:
        return [_Proto("heading", mapped, para, level=1, explicit=True, numbered=True)]
    legal = LEGAL_HEADING.match(plain)
    sentence = re.search(r"[,;:!]$", plain) or (plain.endswith(".") and word_count(plain) > 3)
    if legal and word_count(plain) <= 16 and not sentence:
        level = LEGAL_LEVELS[legal.group("kind")]
        return [_Proto("heading", mapped, para, level=level, explicit=True, numbered=True)]
    raw = "".join(ln.raw for ln in para.lines).strip().lstrip(">").strip()
    bold = raw.startswith("**") and raw.endswith("**")
    p = _Proto("paragraph", mapped, para, candidate=_heading_like(plain))
    if bold and p.candidate:
        p.kind = "heading"
    return [p]


def _inline_notes(para: _Para) -> list[_Proto]:
    """Footnotes that sat inside the paragraph's lines, as footnote blocks right after it."""
    return [_Proto("footnote", note) for line in para.lines for note in line.notes]


def _rank_md_heading(p: _Proto) -> None:
    """A Markdown heading's level from its label when it has one: legal rank, else numbering depth."""
    if legal := MD_LEGAL.match(p.text):
        p.level, p.numbered = MD_LEGAL_LEVELS[legal.group("kind").lower()], True
    elif m := NUMBERED.match(p.text):
        p.level, p.numbered, p.label = m.group("label").count(".") + 1, True, m.group("label")


def _is_md_heading(p: _Proto) -> bool:
    return p.kind == "heading" and p.para is not None and p.para.kind == "md"


def _label_only(s: str) -> bool:
    legal = MD_LEGAL.match(s)
    return (legal is not None and not s[legal.end() :].strip()) or MD_LABEL_ONLY.match(s) is not None


def _merge_label_headings(text: str, protos: list[_Proto]) -> list[_Proto]:
    """'### Hoofdstuk 1' directly followed by its title '####Begripsbepalingen' is one heading,
    'Hoofdstuk 1 Begripsbepalingen', so the title does not become a section of its own."""
    out: list[_Proto] = []
    for p in protos:
        prev = out[-1] if out else None
        if (
            prev is not None
            and _is_md_heading(prev)
            and _is_md_heading(p)
            and _label_only(prev.text)
            and p.para.lines[0].md_level > prev.para.lines[0].md_level  # type: ignore[union-attr]
            and not MD_LEGAL.match(p.text)
        ):
            prev.mapped = concat([prev.mapped, p.mapped], " ", text)
            if not MD_LEGAL.match(prev.text):
                _rank_md_heading(prev)
            continue
        out.append(p)
    return out


def _heading_like(s: str) -> bool:
    """A short title line: capitalised, no sentence inside, no final punctuation but '?'."""
    words = word_count(s)
    limit = 16 if s.endswith("?") else 12
    if not s.lstrip("(")[:1].isupper() or words == 0 or words > limit:
        return False
    if re.search(r"[.,;:!]$", s) or re.search(r"[.!?]\s+[A-Z]", s):
        return False
    return not DATE_LINE.match(s) and not NUMERIC_CELL.match(s)


def _bookmark_heading(para: _Para, mapped: MappedText) -> list[_Proto]:
    """A DOCX bookmark marks a heading; some run straight into their first sentence."""
    plain = mapped.text
    head, body = mapped, None
    tokens = list(re.finditer(r"\S+", plain))
    if len(tokens) > 16:
        for k in range(2, len(tokens) - 8):
            prev, tok = tokens[k - 1].group(), tokens[k].group()
            if tok[:1].isupper() and prev[-1:].islower():
                head = strip_mapped(slice_mapped(mapped, 0, tokens[k].start()))
                body = strip_mapped(slice_mapped(mapped, tokens[k].start(), len(plain)))
                break
        else:
            if len(tokens) > 30:
                return [_Proto("paragraph", mapped, para)]
    p = _Proto("heading", head, para)
    if m := NUMBERED.match(head.text):
        p.level, p.explicit, p.numbered, p.label = m.group("label").count(".") + 1, True, True, m.group("label")
    out = [p]
    if body is not None:
        out.append(_Proto("paragraph", body, para))
    return out


def _consecutive(a: str, b: str) -> bool:
    """Labels of neighbouring list items: same depth, numbers one apart ("2." / "3.")."""
    pa, pb = a.split("."), b.split(".")
    if not a or not b or len(pa) != len(pb) or not (pa[-1].isdigit() and pb[-1].isdigit()):
        return False
    return pa[:-1] == pb[:-1] and abs(int(pa[-1]) - int(pb[-1])) == 1


def _resolve_numbered(protos: list[_Proto]) -> None:
    """'N.' lines are list items when they come in a run, else short ones are headings."""
    for i, p in enumerate(protos):
        if p.kind != "numbered":
            continue
        neighbours = [protos[j] for j in (i - 1, i + 1) if 0 <= j < len(protos)]
        in_run = any(n.kind in ("numbered", "item") and _consecutive(n.label, p.label) for n in neighbours)
        plain = p.text
        rest = NUMBERED.sub("", plain, count=1)
        heading = (
            p.marker != ")"
            and not in_run
            and len(p.para.lines) == 1
            and word_count(rest) <= 14
            and not re.search(r"[.,;:!]$", plain)
            and rest[:1].isupper()
        )
        if heading:
            p.kind, p.explicit, p.numbered = "heading", True, True
            p.level = p.label.count(".") + 1
        else:
            p.kind = "item"


# ---------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------


def _is_cell(p: _Proto) -> bool:
    if p.kind == "cell":
        return True
    if p.kind != "paragraph" or p.para is None or p.para.footnote:
        return False
    s = p.text
    return (
        word_count(s) <= 6
        and len(s) <= 60
        and (NUMERIC_CELL.match(s) is not None or not s.endswith((".", ":", ";", ",")))
        and p.para.kind == "text"
    )


def _assemble_tables(text: str, protos: list[_Proto]) -> list[_Proto]:
    """Turn runs of one-cell-per-line residue into one table block with its caption."""
    out: list[_Proto] = []
    i = 0
    while i < len(protos):
        j = i
        while j < len(protos) and _is_cell(protos[j]):
            j += 1
        run = protos[i:j]
        if run and _is_table(run):
            head: list[_Proto] = []
            if out and (out[-1].kind == "caption" or (out[-1].kind == "paragraph" and out[-1].candidate)):
                head.append(out.pop())
            tail: list[_Proto] = []
            if j < len(protos) and protos[j].kind == "caption":
                tail.append(protos[j])
                j += 1
                if j < len(protos) and protos[j].kind == "item" and protos[j].marker == "*":
                    tail.append(protos[j])
                    j += 1
            rows = [p.mapped for p in head] + _table_rows(text, run) + [p.mapped for p in tail]
            out.append(_Proto("table", concat(rows, "\n", text)))
            i = j
        elif run:
            out.extend(run)
            i = j
        else:
            out.append(protos[i])
            i += 1
    for p in out:
        if p.kind in ("cell", "caption"):
            p.caption = p.kind == "caption"
            p.kind = "paragraph"
    return out


def _is_table(run: list[_Proto]) -> bool:
    """Tab-indented or OCR rows, or six-plus one-line cells of which a quarter are numbers."""
    structured = sum(p.kind == "cell" for p in run)
    if structured >= 2:
        return True
    numeric = sum(NUMERIC_CELL.match(p.text) is not None for p in run)
    return len(run) >= 6 and numeric >= 2 and numeric * 4 >= len(run)


def _table_rows(text: str, run: list[_Proto]) -> list[MappedText]:
    """Rebuild rows: tab cells by blank-line groups, OCR rows as is, else by label/value cells."""
    if any(p.marker == "tabcell" for p in run):
        rows: list[list[MappedText]] = []
        for p in run:
            if not rows or (p.para is not None and p.para.gap_before > 0):
                rows.append([])
            rows[-1].append(p.mapped)
        return [concat(r, " | ", text) for r in rows]
    if any(p.marker == "row" for p in run):
        return [p.mapped for p in run]
    numeric = [NUMERIC_CELL.match(p.text) is not None for p in run]
    starts_numeric = numeric[0]
    grouped: list[list[MappedText]] = []
    for p, num in zip(run, numeric, strict=True):
        if not grouped or num == starts_numeric:
            grouped.append([])
        grouped[-1].append(p.mapped)
    widths = Counter(len(r) for r in grouped if len(r) > 1)
    k = widths.most_common(1)[0][0] if widths else 1
    lead = 0
    while lead < len(grouped) and len(grouped[lead]) == 1:
        lead += 1
    if k > 1 and lead >= k:
        title, header = grouped[: lead % k], grouped[lead % k : lead]
        merged = [[c for r in header[x : x + k] for c in r] for x in range(0, len(header), k)]
        grouped = title + merged + grouped[lead:]
    return [concat(r, " | ", text) for r in grouped]


# ---------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------


def _assemble_lists(text: str, protos: list[_Proto]) -> list[_Proto]:
    """Consecutive items (with a ':' lead-in and sub-labels) become one list block.

    Footnotes met inside a list are moved after it.
    """
    out: list[_Proto] = []
    i = 0
    while i < len(protos):
        if protos[i].kind != "item":
            out.append(protos[i])
            i += 1
            continue
        parts: list[_Proto] = []
        notes: list[_Proto] = []
        if len(out) > 1 and out[-1].candidate and out[-2].kind == "paragraph" and out[-2].text.endswith(":"):
            parts[:0] = [out.pop(-2), out.pop()]
        elif out and out[-1].kind == "paragraph" and out[-1].text.endswith(":"):
            parts.append(out.pop())
        j = i
        while j < len(protos):
            p = protos[j]
            if p.kind == "item":
                parts.append(p)
            elif p.kind == "footnote" and j + 1 < len(protos) and protos[j + 1].kind == "item":
                notes.append(p)
            elif p.kind == "paragraph" and p.candidate and _sub_label(parts, protos, j):
                parts.append(p)
            else:
                break
            j += 1
        out.append(_Proto("list", concat([p.mapped for p in parts], "\n", text)))
        out.extend(notes)
        i = j
    return out


def _sub_label(parts: list[_Proto], protos: list[_Proto], j: int) -> bool:
    """A short line between numbered items ("Thema 'thuis'") that does not break the numbering."""
    if j + 1 >= len(protos) or protos[j + 1].kind != "item":
        return False
    prev = parts[-1]
    nxt = protos[j + 1]
    if prev.kind == "paragraph":
        return prev.text.endswith(":")
    if prev.label.isdigit() and nxt.label.isdigit():
        return int(nxt.label) == int(prev.label) + 1
    return False


# ---------------------------------------------------------------------------------------
# Headings
# ---------------------------------------------------------------------------------------


def _heading_key(s: str) -> str:
    s = NUMBERED.sub("", s.strip(), count=1)
    return re.sub(r"\s+", " ", s).strip(" :?").lower()


def _resolve_headings(protos: list[_Proto]) -> list[_Proto]:
    """Promote heading candidates, drop repeated titles, assign levels, demote empty headings.

    A heading with nothing under it (the next block is a heading of the same or a higher
    rank) is a stray title line and becomes a paragraph. A numbered heading directly
    followed by an unnumbered, non-question sub-heading ("6 ... wachtlijsten" / "Wachtlijsten")
    takes that line as the first line of its own text, so the numbered section owns content.
    """
    protos = _drop_repeated_titles(protos)
    _drop_figure_labels(protos)
    for p in protos:
        if p.kind == "paragraph" and p.candidate:
            p.kind = "heading"
    for p in protos:
        if p.kind == "heading":
            p.colon = p.text.endswith(":")
            trimmed = strip_mapped(p.mapped, " :")
            if trimmed.text:
                p.mapped = trimmed
    _assign_levels(protos)
    for i, p in enumerate(protos):
        if p.kind != "heading":
            continue
        nxt = protos[i + 1] if i + 1 < len(protos) else None
        if nxt is None or (nxt.kind == "heading" and nxt.level <= p.level):
            p.kind, p.level = "paragraph", 0
    for i, p in enumerate(protos[:-1]):
        child = protos[i + 1]
        if (
            p.kind == "heading"
            and p.numbered
            and child.kind == "heading"
            and child.level > p.level
            and not child.numbered
            and not child.generic
            and not child.text.endswith("?")
        ):
            child.kind, child.level = "paragraph", 0
    for p in protos:
        if p.kind != "heading":
            p.level = 0
    return protos


def _drop_figure_labels(protos: list[_Proto]) -> None:
    """Short lines are not headings when they label a figure ("Opgavegericht / Werken / Bron: ...")
    or come in a run of three or more (signature blocks, slogans); the last of a run may head
    what follows.
    """
    i = 0
    while i < len(protos):
        j = i
        while j < len(protos) and protos[j].kind == "paragraph" and protos[j].candidate:
            j += 1
        if j > i:
            before_caption = j < len(protos) and protos[j].caption
            last = j if before_caption else j - 1 if j - i >= 3 else i
            for p in protos[i:last]:
                p.candidate = False
        i = max(j, i + 1)


def _drop_repeated_titles(protos: list[_Proto]) -> list[_Proto]:
    """'1 Jeugdhulp in onze regio' directly followed by 'Jeugdhulp in onze regio': keep one."""
    out: list[_Proto] = []
    for p in protos:
        prev = out[-1] if out else None
        if prev is not None and _titleish(prev) and _titleish(p) and _heading_key(prev.text) == _heading_key(p.text):
            continue
        out.append(p)
    return out


def _titleish(p: _Proto) -> bool:
    return p.kind == "heading" or (p.kind == "paragraph" and p.candidate)


def _assign_levels(protos: list[_Proto]) -> None:
    """Numbering depth or markdown level when given; otherwise nest under the context.

    A heading text (or 'Label:' prefix) that recurs in the document, or ends in ':', is a
    generic sub-heading ("Wat willen we bereiken?", "Doelgroep:") and nests one level below
    the last distinct heading. Other unmarked headings nest under a heading they directly
    follow, else sit one below the last explicitly numbered/marked one.
    """
    headings = [p for p in protos if p.kind == "heading"]
    keys = Counter(_heading_key(p.text) for p in headings)
    labels = Counter(p.text.split(":", 1)[0].strip().lower() for p in headings if ":" in p.text)
    base = 0
    last_distinct = 0
    prev: _Proto | None = None
    for p in protos:
        if p.kind != "heading":
            prev = p
            continue
        label = p.text.split(":", 1)[0].strip().lower() if ":" in p.text else ""
        generic = not p.explicit and (
            p.colon or keys[_heading_key(p.text)] > 1 or (label and labels[label] > 1 and len(label.split()) <= 3)
        )
        p.generic = bool(generic)
        if p.explicit:
            base = last_distinct = p.level
        elif generic:
            p.level = min(6, (last_distinct or base) + 1)
        elif prev is not None and prev.kind == "heading":
            p.level = min(6, prev.level + 1)
            last_distinct = p.level
        else:
            p.level = min(6, base + 1)
            last_distinct = p.level
        prev = p
