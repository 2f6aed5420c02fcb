"""Cut a cleaned document into retrievable chunks that keep exact offsets into the original.

Blocks from `ingest.clean.segment_text` are grouped by section (the heading path above
them) and packed into chunks near `target_words`, never above `max_words`. Long blocks are
split on sentence or item boundaries; consecutive chunks of one section share a few
trailing sentences. A section too small to stand alone is merged into the next one, so no
chunk is just a heading or a stray line. Chunk text is made of the blocks' mapped texts
only, so `Chunk.to_original` can highlight any part of it in the source.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

from beleidszoeker.records import Chunk, Document, chunk_id
from beleidszoeker.textmap import MappedText, concat
from ingest.clean import WORD, Block, segment_text, slice_mapped, word_count

MIN_SECTION_WORDS = 40  # a section smaller than this is merged into the next chunk
BLOCK_SEPARATOR = "\n\n"


# ---------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------

# Abbreviations that never end a sentence (compared lowercase, without the final dot).
ABBREVIATIONS = frozenset(
    "o.a d.w.z bijv bv b.v m.b.t i.p.v t.b.v nr nrs art artt incl excl ca zgn resp dhr mevr mw jl "
    "c.q e.v evt i.c.m i.s.m m.i.v n.a.v o.b.v t.a.v t.o.v v.w.b z.s.m d.d a.s jr min max gem "
    "mln mld mrd blz pag p vs dr drs ir mr prof ing st e.a i.o.m m.n o.l.v t.z.t vnl vgl ivm "
    "i.v.m e.g i.e cf al".split()
)
# Abbreviations that may close a sentence: a capital after them starts a new one.
CLOSING_ABBREVIATIONS = frozenset("etc enz e.d e.v e.a".split())
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]»]*")
INITIALS = re.compile(r"(?:[^\W\d_]\.){1,}[^\W\d_]?\.?")  # "d.w.z.", "Y.Y.E.", "A."
LABEL = re.compile(r"(?:[^\W\d_]+\s+)?\d{1,2}(?:\.\d{1,2})*\.")  # "3.", "Segment 1."

# A heading this close before a chunk's first unit is written inline; farther ones only in `section`.
_NEAR_HEADING_CHARS = 300


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`, trimmed of surrounding whitespace.

    Newlines always end a sentence (list items, table rows). A period ends one only when
    followed by whitespace and a non-lowercase character, and not after a Dutch
    abbreviation ("o.a.", "bijv.", "t/m" never has a dot), initials, or a list label such
    as "1." at the start of a line. Numbers like "3.1", "16.269" and "€ 1,5" never contain
    a period followed by a space, so they are never split.
    """
    spans: list[tuple[int, int]] = []
    for line_start, line in _lines(text):
        start = 0
        for m in SENTENCE_END.finditer(line):
            end = m.end()
            if end < len(line) and not line[end].isspace():
                continue
            if _ends_sentence(line, start, m.start(), end):
                _add_span(spans, line, line_start, start, end)
                start = end
        _add_span(spans, line, line_start, start, len(line))
    return spans


def _lines(text: str) -> list[tuple[int, str]]:
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _add_span(spans: list[tuple[int, int]], line: str, offset: int, a: int, b: int) -> None:
    piece = line[a:b]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((offset + a + lead, offset + a + lead + len(stripped)))


def _ends_sentence(line: str, sent_start: int, punct_start: int, punct_end: int) -> bool:
    rest = line[punct_end:].lstrip()
    if not rest:
        return True
    nxt = rest.lstrip("\"'“‘(«[")[:1]
    if nxt.islower():
        return False
    punct = line[punct_start:punct_end]
    if not punct.startswith("."):
        return True
    token_start = line.rfind(" ", 0, punct_start) + 1
    token = line[token_start:punct_start].lstrip("(\"'“‘[")
    core = token.lower()
    if core in CLOSING_ABBREVIATIONS:
        return True
    if core in ABBREVIATIONS or core.rstrip(".") in ABBREVIATIONS:
        return False
    if INITIALS.fullmatch(token + "."):
        return False
    following = rest.split(None, 1)[0]
    if len(token) <= 6 and len(following) <= 7 and following.endswith(".") and following[:1].isupper():
        return False  # "Med. Spec.", "Gecert. Inst.": a run of short abbreviations
    head = line[sent_start:punct_end].strip()
    return not LABEL.fullmatch(head)


# ---------------------------------------------------------------------------------------
# Units: blocks placed in their section, long blocks split
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    path: tuple[int, ...]  # indices of the heading blocks above this unit
    mapped: MappedText
    words: int
    kind: str  # block kind
    overlap: bool = False  # repeated trailing sentences of the previous chunk


def _units(blocks: list[Block], target_words: int, max_words: int, original: str = "") -> list[_Unit]:
    """Content blocks with the heading path above them; blocks above max_words are split."""
    stack: list[tuple[int, int]] = []  # (level, block index)
    units: list[_Unit] = []
    for i, block in enumerate(blocks):
        if block.kind == "heading":
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, i))
            continue
        path = tuple(idx for _, idx in stack)
        for piece in _split_block(block, target_words, max_words, original):
            units.append(_Unit(path, piece, word_count(piece.text), block.kind))
    return units


def _split_block(block: Block, target_words: int, max_words: int, original: str = "") -> list[MappedText]:
    """Split a block above max_words: lists and tables between lines, text between sentences.
    Every piece of a table after the first starts with the table's header row, so each row
    stays readable with its column names."""
    mapped = block.mapped
    if word_count(mapped.text) <= max_words:
        return [mapped]
    header = _table_header(mapped) if block.kind == "table" and original else None
    budget = max_words - (word_count(header.text) if header is not None else 0)
    atoms = _atoms(mapped.text, budget, by_line=block.kind in ("list", "table"))
    sizes = [word_count(mapped.text[a:b]) for a, b in atoms]
    groups = _balanced(sizes, target_words, budget)
    pieces = [slice_mapped(mapped, atoms[g[0]][0], atoms[g[-1]][1]) for g in groups]
    if header is None:
        return pieces
    return [p if k == 0 or p.text.startswith(header.text) else concat([header, p], "\n", original)
            for k, p in enumerate(pieces)]


def _table_header(mapped: MappedText) -> MappedText | None:
    """The first ' | ' row of a table block (a caption may come before it)."""
    pos = 0
    for line in mapped.text.split("\n"):
        if " | " in line:
            return slice_mapped(mapped, pos, pos + len(line))
        pos += len(line) + 1
    return None


def _atoms(text: str, max_words: int, *, by_line: bool) -> list[tuple[int, int]]:
    """Smallest pieces a block may be cut into: lines (lists, tables) or sentences, and as a
    last resort runs of words when a single sentence exceeds max_words."""
    sentences = split_sentences(text)
    spans = sentences
    if by_line:
        spans = []
        for a, b in _line_spans(text):
            if word_count(text[a:b]) <= max_words:
                spans.append((a, b))
            else:
                spans.extend(s for s in sentences if a <= s[0] and s[1] <= b)
    out: list[tuple[int, int]] = []
    for a, b in spans or [(0, len(text))]:
        if word_count(text[a:b]) <= max_words:
            out.append((a, b))
            continue
        tokens = [(a + m.start(), a + m.end()) for m in WORD.finditer(text[a:b])]
        step = max(1, max_words // 2)
        out.extend((tokens[k][0], tokens[min(k + step, len(tokens)) - 1][1]) for k in range(0, len(tokens), step))
    return out


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + len(line.rstrip())))
        pos += len(line) + 1
    return spans


def _balanced(sizes: list[int], target_words: int, max_words: int) -> list[list[int]]:
    """Greedy packing towards equal groups of about target_words, each at most max_words."""
    total = sum(sizes)
    n = max(1, math.ceil(total / max(1, target_words)))
    goal = total / n
    groups: list[list[int]] = []
    cur: list[int] = []
    words = 0
    for k, size in enumerate(sizes):
        if cur and (words + size > max_words or (words >= goal * 0.6 and words + size > goal * 1.2)):
            groups.append(cur)
            cur, words = [], 0
        cur.append(k)
        words += size
    if cur:
        groups.append(cur)
    return groups


# ---------------------------------------------------------------------------------------
# Packing units into chunks
# ---------------------------------------------------------------------------------------


def chunk_document(
    doc: Document, *, target_words: int = 160, max_words: int = 260, overlap_words: int = 30
) -> list[Chunk]:
    """Chunks of `doc` in document order, each with its section path and exact source runs."""
    blocks = segment_text(doc.text)
    headings = {i: b.mapped for i, b in enumerate(blocks) if b.kind == "heading"}
    units = _units(blocks, target_words, max_words, doc.text)
    groups = _pack_sections(units, headings, target_words, max_words)
    groups = _add_overlap(groups, headings, overlap_words, max_words)
    return [_make_chunk(doc, g, headings) for g in groups if g]


def _sections(units: list[_Unit]) -> list[list[_Unit]]:
    """Runs of consecutive units under the same heading path."""
    sections: list[list[_Unit]] = []
    for u in units:
        if sections and sections[-1][-1].path == u.path:
            sections[-1].append(u)
        else:
            sections.append([u])
    return sections


def _pack_sections(
    units: list[_Unit], headings: dict[int, MappedText], target_words: int, max_words: int
) -> list[list[_Unit]]:
    """Pack each section near target size; tiny sections and tails move into the next chunk."""
    groups: list[list[_Unit]] = []
    carry: list[_Unit] = []
    sections = _sections(units)
    for si, section in enumerate(sections):
        pending = carry + section
        carry = []
        nxt = sections[si + 1] if si + 1 < len(sections) else None
        if sum(u.words for u in pending) < MIN_SECTION_WORDS:
            if groups and (nxt is None or _leaves_chapter(pending, nxt)):
                merged = groups[-1] + pending
                if _words(merged, headings) <= max_words:
                    groups[-1] = merged
                    continue
            if nxt is not None:
                carry = pending
                continue
        packed = _pack(pending, headings, target_words, max_words)
        tail = packed[-1]
        if len(packed) > 1 and sum(u.words for u in tail) < MIN_SECTION_WORDS:
            merged = packed[-2] + tail
            if _words(merged, headings) <= max_words:
                packed[-2:] = [merged]
            elif nxt is not None:
                carry = packed.pop()
        groups.extend(packed)
    if carry:
        groups.append(carry)
    return groups


def _leaves_chapter(units: list[_Unit], nxt: list[_Unit]) -> bool:
    """True when the next section lies outside the parent of these units' section."""
    parent = units[-1].path[:-1]
    return nxt[0].path[: len(parent)] != parent or len(nxt[0].path) <= len(parent)


def _pack(units: list[_Unit], headings: dict[int, MappedText], target_words: int, max_words: int) -> list[list[_Unit]]:
    """Greedy packing of one section's units towards equal chunks near target_words."""
    total = sum(u.words for u in units)
    goal = total / max(1, math.ceil(total / max(1, target_words)))
    groups: list[list[_Unit]] = []
    cur: list[_Unit] = []
    for u in units:
        if cur:
            words = _words(cur, headings)
            grown = _words([*cur, u], headings)
            if grown > max_words or (words >= goal * 0.6 and grown > goal * 1.2):
                groups.append(cur)
                cur = []
        cur.append(u)
    if cur:
        groups.append(cur)
    return groups


def _add_overlap(
    groups: list[list[_Unit]],
    headings: dict[int, MappedText],
    overlap_words: int,
    max_words: int,
) -> list[list[_Unit]]:
    """Repeat the last sentences of a chunk at the start of the next one in the same section."""
    out = [groups[0]] if groups else []
    for prev, cur in itertools.pairwise(groups):
        last = prev[-1]
        if overlap_words > 0 and last.path == cur[0].path and last.kind in ("paragraph", "list"):
            tail = _trailing_sentences(last.mapped, overlap_words)
            if tail is not None:
                unit = _Unit(last.path, tail, word_count(tail.text), last.kind, overlap=True)
                if _words([unit, *cur], headings) <= max_words:
                    cur = [unit, *cur]
        out.append(cur)
    return out


def _trailing_sentences(mapped: MappedText, overlap_words: int) -> MappedText | None:
    spans = split_sentences(mapped.text)
    words = 0
    first = len(spans)
    for k in range(len(spans) - 1, 0, -1):  # never the whole unit
        n = word_count(mapped.text[spans[k][0] : spans[k][1]])
        if words + n > overlap_words:
            break
        words += n
        first = k
    if first >= len(spans):
        return None
    return slice_mapped(mapped, spans[first][0], spans[-1][1])


def _chosen_path(units: list[_Unit]) -> tuple[int, ...]:
    """The section a chunk belongs to: the one holding most of its words (first on ties)."""
    weights: Counter[tuple[int, ...]] = Counter()
    for u in units:
        if not u.overlap:
            weights[u.path] += u.words
    if not weights:
        return units[0].path
    best = max(weights.values())
    return next(u.path for u in units if not u.overlap and weights[u.path] == best)


def _pieces(units: list[_Unit], headings: dict[int, MappedText]) -> tuple[tuple[int, ...], list[MappedText]]:
    """Chunk text pieces; in a chunk spanning sections, headings are written inline.

    Only headings that stand between two of the chunk's units, or just before its first, are
    written, so the chunk's [start, end) never reaches back to a heading far before its text.
    """
    chosen = _chosen_path(units)
    multi = len({u.path for u in units if not u.overlap}) > 1
    pieces: list[MappedText] = []
    prev = chosen
    last_end: int | None = None
    for u in units:
        if multi and not u.overlap:
            common = 0
            while common < min(len(prev), len(u.path)) and prev[common] == u.path[common]:
                common += 1
            floor = last_end if last_end is not None else u.mapped.start - _NEAR_HEADING_CHARS
            pieces.extend(headings[h] for h in u.path[common:] if headings[h].start >= floor)
            prev = u.path
        pieces.append(u.mapped)
        last_end = max(last_end or 0, u.mapped.end)
    return chosen, pieces


def _words(units: list[_Unit], headings: dict[int, MappedText]) -> int:
    _, pieces = _pieces(units, headings)
    return sum(word_count(p.text) for p in pieces)


def _make_chunk(doc: Document, units: list[_Unit], headings: dict[int, MappedText]) -> Chunk:
    chosen, pieces = _pieces(units, headings)
    mapped = concat(pieces, BLOCK_SEPARATOR, doc.text)
    starts = [o for _, o, _ in mapped.runs]
    ends = [o + n for _, o, n in mapped.runs]
    start, end = (min(starts), max(ends)) if starts else (0, 0)
    section = " > ".join(headings[h].text for h in chosen)
    kinds: Counter[str] = Counter()
    for u in units:
        kinds[u.kind] += u.words
    dominant = kinds.most_common(1)[0][0] if kinds else "paragraph"
    kind = dominant if dominant in ("list", "table") else "text"
    page = doc.page_at(start)
    meta = doc.meta
    return Chunk(
        id=chunk_id(meta.file, start, end, mapped.text),
        doc=meta.file,
        title=meta.title,
        region=meta.region,
        year=meta.year,
        section=section,
        page=page.number if page else None,
        page_label=page.label if page else None,
        start=start,
        end=end,
        text=mapped.text,
        embed_text=f"{meta.title} | {section}\n{mapped.text}",
        runs=mapped.runs,
        kind=kind,
        ocr=any(p.ocr for p in doc.pages if p.start < end and start < p.end),
    )
