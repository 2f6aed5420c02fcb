"""Reading order of a PDF page from glyph positions (PDFium via pypdfium2).

Content-stream order, which plain extractors follow, is whatever the producing program wrote:
columns interleaved, footnotes first, list numbers after their item. Here a page is rebuilt
from where its glyphs are: glyphs -> lines -> segments (runs of words between wide gaps) ->
table rows (aligned short segments) -> a recursive XY cut that reads columns one after another
and full-width headings before their columns -> text lines with blank lines between blocks.
Rotated glyphs (diagonal watermarks) and raised small footnote references are dropped;
footnotes at the foot of the page come after the body, as their own block.

Chosen by measurement on the torture suite (benchmarks/bench_pdf.py): PDFium's character boxes
are exact and the fastest of the candidates; the ordering is ours.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

# Gaps, as a share of the font size.
WORD_GAP = 0.2  # a wider gap without a space character still separates words
SPACE_MIN_GAP = 0.06  # a (generated) space with less room than this is kerning, not a word break
SEGMENT_GAP = 0.9  # a gap this wide, and wider than the line's usual word space, separates cells
WIDE_GAP = 1.5  # wider than any justified word space: a column gutter or a table cell gap
GUTTER = 0.5  # minimum width of a column gutter (a gap through the whole region)
PARAGRAPH_GAP = 1.55  # baseline distance (in sizes) above which a blank line separates blocks
SUPERSCRIPT_SIZE = 0.8  # smaller than this share of the line's size and raised: a footnote reference
FOOTNOTE_SIZE = 0.9
MIN_COLUMN = 6.0  # a text column is at least this many font sizes wide
TABLE_MAX_WORDS = 5  # cells are short; a longer segment is running text
TABLE_MIN_ROWS = 3
BAD_MAP_SHARE = 0.3  # share of glyphs without a Unicode mapping above which a page's text is garbage

# A list number or bullet hanging before its text ('7.', 'b)', '•') makes a list, not a table row.
_LIST_LABEL = re.compile(r"^(?:\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxIVX]{1,4})[.)]|[•●▪■◦·○o*\-–→⦁])$")
_SECTION_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.")
_SHORT_LABEL = re.compile(r"^\S.{0,14}[.:]$")  # 'Startdatum:', 'Bijlage A.' before its text
_FOOTNOTE_START = re.compile(r"^(?:\d{1,3}|[*†‡])\s")


@dataclass(frozen=True)
class Glyph:
    ch: str
    x0: float
    x1: float
    top: float  # distance from the top of the page
    bottom: float
    baseline: float
    size: float
    bold: bool


@dataclass
class Segment:
    """Words on one line between two wide gaps: a column's line, a table cell, a heading."""

    words: list[str]
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float
    size: float
    bold: bool
    row: int = -1  # index of the table row it belongs to, -1 for running text

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class Item:
    """A unit of reading order: one segment, or one table row (its cells in order)."""

    segments: list[Segment]
    table: int = -1

    @property
    def x0(self) -> float:
        return min(s.x0 for s in self.segments)

    @property
    def x1(self) -> float:
        return max(s.x1 for s in self.segments)

    @property
    def top(self) -> float:
        return min(s.top for s in self.segments)

    @property
    def bottom(self) -> float:
        return max(s.bottom for s in self.segments)

    @property
    def size(self) -> float:
        return max(s.size for s in self.segments)


@dataclass
class PageLayout:
    """What one page contributes: text lines in reading order and its tables' header rows."""

    lines: list[str]
    glyphs: int
    bad_map: int = 0
    tables: list[TableInfo] = field(default_factory=list)
    big_lines: list[str] = field(default_factory=list)  # large-font short lines (watermark candidates)
    margins: set[int] = field(default_factory=set)  # indices of lines in the top and bottom margins

    @property
    def garbage(self) -> bool:
        return self.glyphs > 0 and self.bad_map > BAD_MAP_SHARE * self.glyphs


@dataclass(frozen=True)
class TableInfo:
    header: str
    columns: int
    first_line: int  # index into PageLayout.lines
    last_line: int


# ---------------------------------------------------------------------------------------------
# PDFium glyphs


def page_glyphs(page: object) -> tuple[list[Glyph], int]:
    """Upright visible glyphs of a pypdfium2 page, and how many glyphs lack a Unicode mapping."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()  # type: ignore[attr-defined]
    height = page.get_height()  # type: ignore[attr-defined]
    tp = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    loose = raw.FS_RECTF()
    matrix = raw.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    glyphs: list[Glyph] = []
    bad = 0
    try:
        for i in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(tp, i)
            if raw.FPDFText_HasUnicodeMapError(tp, i) == 1:
                bad += 1
            if raw.FPDFText_IsGenerated(tp, i) == 1 and code not in (32,):
                continue
            ch = chr(code) if code else ""
            if ch in ("\r", "\n", "") or code == 0xFFFE:
                continue
            if ch == "\x02":  # PDFium's mark for a hyphen at a line end
                ch = "-"
            angle = raw.FPDFText_GetCharAngle(tp, i)
            if angle > 0.05 and abs(angle - 2 * math.pi) > 0.05:
                continue  # rotated text: diagonal watermarks, vertical margin labels
            raw.FPDFText_GetCharBox(tp, i, left, right, bottom, top)
            raw.FPDFText_GetCharOrigin(tp, i, ox, oy)
            # Advance-width box for x (a narrow '1' or 'i' has a tight box far from its neighbours).
            if raw.FPDFText_GetLooseCharBox(tp, i, loose):
                x0, x1 = min(loose.left, loose.right), max(loose.left, loose.right)
            else:
                x0, x1 = left.value, right.value
            size = raw.FPDFText_GetFontSize(tp, i) or (top.value - bottom.value)
            if raw.FPDFText_GetMatrix(tp, i, matrix):  # the size as printed: font size times text scale
                size *= math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c)) or 1.0
            weight = raw.FPDFText_GetFontWeight(tp, i)
            glyphs.append(
                Glyph(
                    ch=ch,
                    x0=x0,
                    x1=x1,
                    top=height - top.value,
                    bottom=height - bottom.value,
                    baseline=height - oy.value,
                    size=max(1.0, float(size)),
                    bold=weight >= 600,
                )
            )
    finally:
        textpage.close()
    return glyphs, bad


# ---------------------------------------------------------------------------------------------
# Lines, words, segments (pure)


def glyph_lines(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped into lines by baseline. Small print is grouped on its own, so a raised
    footnote reference never joins the line of a neighbouring column; a short run of small
    digits right after a body glyph is such a reference and is dropped (the note itself stays)."""
    body = _body_size(glyphs)
    spaces = [g for g in glyphs if g.ch.isspace()]
    normal = [g for g in glyphs if g.size >= SUPERSCRIPT_SIZE * body and not g.ch.isspace()]
    small = [g for g in glyphs if g.size < SUPERSCRIPT_SIZE * body and not g.ch.isspace()]
    lines = _cluster(normal)
    for line in _cluster(small):
        if not _is_reference(line, normal):
            lines.append(line)
    lines.sort(key=lambda line: min(g.baseline for g in line))
    _attach_spaces(lines, spaces)
    return [sorted(line, key=lambda g: g.x0) for line in lines]


def _attach_spaces(lines: list[list[Glyph]], spaces: Sequence[Glyph]) -> None:
    """Put each space character on the line it separates words of (its own baseline may be off)."""
    if not lines or not spaces:
        return
    keys = [(min(g.baseline for g in line), max(g.size for g in line)) for line in lines]
    extents = [(min(g.x0 for g in line), max(g.x1 for g in line)) for line in lines]
    baselines = [k[0] for k in keys]
    reach = max(k[1] for k in keys)
    for sp in spaces:
        lo = bisect_left(baselines, sp.baseline - reach)
        hi = bisect_right(baselines, sp.baseline + reach)
        best, distance = -1, 1e9
        for k in range(lo, hi):
            base, size = keys[k]
            x0, x1 = extents[k]
            d = abs(sp.baseline - base)
            if d <= 0.7 * size and x0 - 1 <= sp.x0 <= x1 + 1 and d < distance:
                best, distance = k, d
        if best >= 0:
            lines[best].append(sp)


def _cluster(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    ordered = sorted(glyphs, key=lambda g: (g.baseline, g.x0))
    lines: list[list[Glyph]] = []
    anchor = -1e9
    size = 0.0
    for g in ordered:
        if lines and g.baseline - anchor <= 0.45 * max(size, g.size):
            lines[-1].append(g)
            if g.size > size and not g.ch.isspace():
                size = g.size
                anchor = g.baseline
        else:
            lines.append([g])
            anchor, size = g.baseline, g.size
    return [sorted(line, key=lambda g: g.x0) for line in lines]


def _is_reference(line: Sequence[Glyph], normal: Sequence[Glyph]) -> bool:
    """A footnote reference: at most three small digits/marks, raised, glued to a body glyph on their left."""
    text = "".join(g.ch for g in line)
    if len(text) > 3 or not all(ch.isdigit() or ch in "*†‡" for ch in text):
        return False
    first = line[0]
    for g in normal:
        if (
            abs(first.x0 - g.x1) <= 0.5 * g.size
            and first.baseline < g.baseline - 0.15 * g.size
            and first.baseline > g.baseline - 0.8 * g.size
        ):
            return True
    return False


def _line_size(line: Sequence[Glyph]) -> float:
    sizes = Counter(round(g.size, 1) for g in line if not g.ch.isspace())
    return sizes.most_common(1)[0][0] if sizes else 0.0


def line_segments(line: Sequence[Glyph]) -> list[Segment]:
    """Split a line into words (space characters and gaps) and segments (wide gaps)."""
    size = _line_size(line)
    baseline = Counter(round(g.baseline, 1) for g in line if abs(g.size - size) < 0.2).most_common(1)
    base = baseline[0][0] if baseline else line[0].baseline
    visible = []
    space_before = False
    for g in line:
        if g.ch.isspace():
            space_before = True
            continue
        if g.size < SUPERSCRIPT_SIZE * size and g.baseline < base - 0.15 * size:
            continue  # a raised footnote reference ("jeugd¹"): the footnote itself is kept
        visible.append((g, space_before))
        space_before = False
    words: list[tuple[str, Glyph, Glyph]] = []  # (word, first glyph, last glyph)
    word = ""
    prev: Glyph | None = None
    first: Glyph | None = None
    em = max(size, 1.0)
    for g, spaced in visible:
        if prev is not None:
            gap = g.x0 - prev.x1
            numbered = g.ch.isupper() and _SECTION_NUMBER.fullmatch(word) is not None  # '1.Inleiding' (tab stop)
            if gap > WORD_GAP * em or (spaced and gap > SPACE_MIN_GAP * em) or numbered:
                words.append((word, first, prev))  # type: ignore[arg-type]
                word, first = "", None
        if first is None:
            first = g
        word += g.ch
        prev = g
    if word and first is not None and prev is not None:
        words.append((word, first, prev))
    return [_segment(run, size, base) for run in _split_at_gaps(words, em)]


def _split_at_gaps(words: list[tuple[str, Glyph, Glyph]], em: float) -> list[list[tuple[str, Glyph, Glyph]]]:
    """Cut a line's words at gutters (very wide gaps), then each piece at cell gaps. Justified
    text spreads its spaces evenly, so within a piece a gap counts only when it is clearly wider
    than the piece's narrowest word space."""
    if not words:
        return []
    pieces: list[list[tuple[str, Glyph, Glyph]]] = [[words[0]]]
    for a, b in itertools.pairwise(words):
        if b[1].x0 - a[2].x1 > WIDE_GAP * em:
            pieces.append([])
        pieces[-1].append(b)
    runs: list[list[tuple[str, Glyph, Glyph]]] = []
    for piece in pieces:
        gaps = [b[1].x0 - a[2].x1 for a, b in itertools.pairwise(piece)]
        usual = min(gaps, default=0.0)  # justified text: every space of the piece is about this wide
        runs.append([piece[0]])
        for gap, w in zip(gaps, piece[1:], strict=True):
            if gap > SEGMENT_GAP * em and gap > 1.6 * usual:
                runs.append([])
            runs[-1].append(w)
    return runs


def _segment(words: Sequence[tuple[str, Glyph, Glyph]], size: float, base: float) -> Segment:
    glyph_firsts = [w[1] for w in words]
    glyph_lasts = [w[2] for w in words]
    tops = [g.top for g in glyph_firsts + glyph_lasts]
    bottoms = [g.bottom for g in glyph_firsts + glyph_lasts]
    return Segment(
        words=[w[0] for w in words],
        x0=glyph_firsts[0].x0,
        x1=glyph_lasts[-1].x1,
        top=min(min(tops), base - 0.8 * size),
        bottom=max(max(bottoms), base + 0.2 * size),
        baseline=base,
        size=size,
        bold=all(w[1].bold for w in words),
    )


# ---------------------------------------------------------------------------------------------
# Tables (pure)


def _is_cell(segment: Segment) -> bool:
    return len(segment.words) <= TABLE_MAX_WORDS


def find_tables(rows: Sequence[Sequence[Segment]]) -> list[list[int]]:
    """Runs of consecutive lines that look like table rows: two or more short segments whose
    inner cell edges line up with the neighbouring rows' cells."""
    candidates = [len(r) >= 2 and all(_is_cell(s) for s in r) and not _LIST_LABEL.match(r[0].text) for r in rows]
    tables: list[list[int]] = []
    run: list[int] = []
    for i, ok in enumerate(candidates):
        if ok and run and not _aligned(rows[run[-1]], rows[i]):
            ok_run = run
            run = []
            if len(ok_run) >= TABLE_MIN_ROWS:
                tables.append(ok_run)
        if ok:
            run.append(i)
        else:
            if len(run) >= TABLE_MIN_ROWS:
                tables.append(run)
            run = []
    if len(run) >= TABLE_MIN_ROWS:
        tables.append(run)
    return tables


def _aligned(a: Sequence[Segment], b: Sequence[Segment]) -> bool:
    """Rows of one table share an inner cell edge (a left edge after the first cell, or a right
    edge before the last) within a third of the font size. The outer edges do not count: every
    line of a justified column shares those."""
    tolerance = 0.3 * max(a[0].size, b[0].size)
    starts_a = [s.x0 for s in a[1:]]
    ends_a = [s.x1 for s in a[:-1]]
    return any(abs(s.x0 - t) <= tolerance for s in b[1:] for t in starts_a) or any(
        abs(s.x1 - t) <= tolerance for s in b[:-1] for t in ends_a
    )


# ---------------------------------------------------------------------------------------------
# Reading order (pure)


def _holes(intervals: list[tuple[float, float]], min_width: float) -> list[tuple[float, float]]:
    """Uncovered gaps of at least `min_width` between the merged intervals."""
    if not intervals:
        return []
    intervals = sorted(intervals)
    holes = []
    end = intervals[0][1]
    for a, b in intervals[1:]:
        if a - end >= min_width:
            holes.append((end, a))
        end = max(end, b)
    return holes


def xy_order(items: list[Item]) -> list[Item]:
    """Recursive XY cut: columns left to right when a gutter runs through the whole region,
    else full-width items split the region into bands read top to bottom."""
    if len(items) <= 1:
        return list(items)
    em = sorted(i.size for i in items)[len(items) // 2]
    vertical = _column_holes(items, _holes([(i.x0, i.x1) for i in items], GUTTER * em), em)
    if vertical:
        out: list[Item] = []
        cuts = [h[1] for h in vertical]
        groups: list[list[Item]] = [[] for _ in range(len(cuts) + 1)]
        for item in items:
            groups[sum(item.x0 >= c - 1 for c in cuts)].append(item)
        for group in groups:
            out += xy_order(group)
        return out
    spanning = _spanning_split(items, em)
    if spanning is not None:
        out = []
        for band in spanning:
            out += xy_order(band) if len(band) > 1 else band
        return out
    horizontal = _holes([(i.top, i.bottom) for i in items], 0.01)
    if not horizontal:
        return sorted(items, key=lambda i: (i.top, i.x0))
    cuts = [h[1] for h in horizontal]
    bands: list[list[Item]] = [[] for _ in range(len(cuts) + 1)]
    for item in items:
        bands[sum(item.top >= c for c in cuts)].append(item)
    out = []
    for band in bands:
        out += xy_order(band) if len(band) < len(items) else sorted(band, key=lambda i: (i.top, i.x0))
    return out


def _column_holes(items: Sequence[Item], holes: list[tuple[float, float]], em: float) -> list[tuple[float, float]]:
    """Gutters between real columns: every column at least MIN_COLUMN font sizes wide, so list
    numbers hanging in the margin ('2.', 'a.') stay with their lines."""
    kept: list[tuple[float, float]] = []
    edge = min(i.x0 for i in items)
    right = max(i.x1 for i in items)
    for k, hole in enumerate(holes):
        nxt = holes[k + 1][0] if k + 1 < len(holes) else right
        if hole[0] - edge >= MIN_COLUMN * em and nxt - hole[1] >= MIN_COLUMN * em:
            kept.append(hole)
            edge = hole[1]
    return kept


def _spanning_split(items: list[Item], em: float) -> list[list[Item]] | None:
    """Columns interrupted by full-width items (a heading over both columns, a centred page number):
    find a gutter that only a few items cross, and cut the region into bands at those items."""
    left = math.floor(min(i.x0 for i in items))
    right = math.ceil(max(i.x1 for i in items))
    cover = [0] * (right - left + 1)
    for i in items:
        for x in range(math.ceil(i.x0) - left, math.floor(i.x1) - left + 1):
            cover[x] += 1
    allowed = max(1, len(items) // 12)
    width = GUTTER * em
    best: tuple[float, float] | None = None
    x = 0
    while x < len(cover):
        if cover[x] > allowed:
            x += 1
            continue
        y = x
        while y < len(cover) and cover[y] <= allowed:
            y += 1
        a, b = left + x, left + y
        wide_sides = a - left >= MIN_COLUMN * em and right - b >= MIN_COLUMN * em
        if b - a >= width and wide_sides and _sides(items, a, b) and (best is None or b - a > best[1] - best[0]):
            best = (a, b)
        x = y
    if best is None:
        return None
    lowest = min(cover[int(best[0]) - left : int(best[1]) - left])
    core = [x + left for x in range(int(best[0]) - left, int(best[1]) - left) if cover[x] == lowest]
    a, b = core[0], core[-1] + 1
    crossing = sorted((i for i in items if i.x0 < b - 1 and i.x1 > a + 1), key=lambda i: i.top)
    if not crossing or len(crossing) == len(items):
        return None
    bands: list[list[Item]] = [[]]
    for c in crossing:
        bands.append([c])
        bands.append([])
    for item in items:
        if any(item is c for c in crossing):
            continue
        k = sum(item.top >= c.bottom - 0.01 for c in crossing)
        bands[2 * k].append(item)
    return [band for band in bands if band]


def _sides(items: Sequence[Item], a: float, b: float) -> bool:
    """A gutter has text on both sides: at least three items wholly left and three wholly right."""
    return sum(i.x1 <= a + 1 for i in items) >= 3 and sum(i.x0 >= b - 1 for i in items) >= 3


# ---------------------------------------------------------------------------------------------
# One page


def layout_page(glyphs: Sequence[Glyph], bad_map: int = 0, height: float | None = None) -> PageLayout:
    """The page's text lines in reading order; tables as ' | ' rows, footnotes last."""
    lines = [line_segments(line) for line in glyph_lines(glyphs)]
    lines = [segs for segs in lines if segs]
    n_glyphs = len(glyphs)
    if not lines:
        return PageLayout([], n_glyphs, bad_map)
    body_size = _body_size(glyphs)
    big = [s.text for segs in lines for s in segs if s.size >= 2.5 * body_size and len(s.words) <= 3]
    notes_from = _footnote_zone(lines, body_size)
    body_lines, note_lines = lines[:notes_from], lines[notes_from:]
    tables = find_tables(body_lines)
    items: list[Item] = []
    in_table: dict[int, int] = {}
    for t, rows in enumerate(tables):
        for r in rows:
            in_table[r] = t
    for i, segs in enumerate(body_lines):
        if i in in_table:
            items.append(Item(list(segs), table=in_table[i]))
        else:
            items += [Item([s]) for s in segs]
    page_height = height or max(s.bottom for segs in lines for s in segs)
    head, items, foot = split_margins(items, page_height) if items else ([], [], [])
    layout = PageLayout([], n_glyphs, bad_map, big_lines=big)
    boxes = _emit(layout, xy_order(items), body_size)
    if head:  # a running header is one line, its parts (title, date, page number) joined
        layout.lines[:0] = [" | ".join(_item_text(i) for i in head), ""]
        boxes[:0] = [(min(i.top for i in head), max(i.bottom for i in head)), None]
        layout.tables = [TableInfo(t.header, t.columns, t.first_line + 2, t.last_line + 2) for t in layout.tables]
    if foot:
        layout.lines += ["", " | ".join(_item_text(i) for i in foot)]
        boxes += [None, (min(i.top for i in foot), max(i.bottom for i in foot))]
    if note_lines:
        layout.lines.append("")
        boxes.append(None)
        for segs in note_lines:
            layout.lines.append(" ".join(s.text for s in segs))
            boxes.append((min(s.top for s in segs), max(s.bottom for s in segs)))
    layout.margins = margin_lines(boxes, page_height)
    return layout


def margin_lines(boxes: Sequence[tuple[float, float] | None], height: float, per_edge: int = 2) -> set[int]:
    """Indices of the first and last `per_edge` text lines when they lie in the top or bottom margin:
    the only lines that may be running headers, footers or page numbers."""
    filled = [i for i, box in enumerate(boxes) if box is not None]
    top = [i for i in filled[:per_edge] if boxes[i][0] < MARGIN_SHARE * height]  # type: ignore[index]
    bottom = [i for i in filled[-per_edge:] if boxes[i][1] > (1 - MARGIN_SHARE) * height]  # type: ignore[index]
    return set(top) | set(bottom)


MARGIN_SHARE = 0.12  # running headers and footers sit in the top and bottom 12% of the page


def split_margins(items: list[Item], height: float) -> tuple[list[Item], list[Item], list[Item]]:
    """(header items, body items, footer items): the top line and the bottom line of the page when
    they lie in the margins (plus a second line of small print), so a centred page number or
    running title never lands inside a column."""
    if len(items) < 4:
        return [], items, []
    em = sorted(i.size for i in items)[len(items) // 2]
    by_baseline = sorted(items, key=lambda i: i.segments[0].baseline)
    head = _edge_band(by_baseline, em, top=True)
    head = head if head and max(i.bottom for i in head) < MARGIN_SHARE * height else []
    rest = [i for i in by_baseline if not any(i is h for h in head)]
    foot = _edge_band(rest[::-1], em, top=False)
    foot = foot if foot and min(i.top for i in foot) > (1 - MARGIN_SHARE) * height else []
    taken = {id(i) for i in head + foot}
    by_position = lambda group: sorted(group, key=lambda i: (round(i.segments[0].baseline), i.x0))  # noqa: E731
    return by_position(head), [i for i in items if id(i) not in taken], by_position(foot)


def _edge_band(ordered: Sequence[Item], em: float, *, top: bool) -> list[Item]:
    """The outermost line (same baseline) and, when it is small print, the next one; set apart
    from what follows by a visible gap."""
    lines: list[list[Item]] = []
    for item in ordered:
        base = item.segments[0].baseline
        if lines and abs(base - lines[-1][0].segments[0].baseline) <= 0.3 * em:
            lines[-1].append(item)
        elif len(lines) < 3:
            lines.append([item])
        else:
            break
    if len(lines) < 2:
        return []
    if any(i.size > 1.15 * em for i in lines[0]):
        return []  # a large title at the top of a page is content, not a running header
    band = list(lines[0])
    adjacent = abs(lines[1][0].segments[0].baseline - lines[0][0].segments[0].baseline) < 2.0 * em
    if len(lines) > 2 and adjacent and all(i.size < FOOTNOTE_SIZE * em for i in lines[1]):
        band += lines[1]
    after = lines[(len(band) > len(lines[0]) and 2) or 1]
    if top:
        gap = min(i.top for i in after) - max(i.bottom for i in band)
    else:
        gap = min(i.top for i in band) - max(i.bottom for i in after)
    return band if gap > 0.3 * em else []


def _body_size(glyphs: Sequence[Glyph]) -> float:
    sizes = Counter(round(g.size, 1) for g in glyphs if not g.ch.isspace())
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _footnote_zone(lines: Sequence[Sequence[Segment]], body_size: float) -> int:
    """Index of the first footnote line: a run of small-print lines at the foot of the page whose
    first line starts with a note number. len(lines) when there are none."""
    start = len(lines)
    k = len(lines) - 1
    while k >= 0 and all(s.size < FOOTNOTE_SIZE * body_size for s in lines[k]):
        k -= 1
    k += 1
    for i in range(k, len(lines)):
        if _FOOTNOTE_START.match(lines[i][0].text + " "):
            return i
    return start


def _emit(layout: PageLayout, items: Sequence[Item], body_size: float) -> list[tuple[float, float] | None]:
    """Items to text lines: same-baseline neighbours share a line, blank lines between blocks.
    Returns each line's vertical extent (None for blank lines)."""
    out = layout.lines
    boxes: list[tuple[float, float] | None] = []
    pitch = line_pitch(items)
    prev: Item | None = None
    table_start: dict[int, int] = {}
    table_rows: dict[int, list[Item]] = {}
    for item in items:
        text = _item_text(item)
        if prev is None or (item.table >= 0 and prev.table == item.table):
            out.append(text)
        elif item.table < 0 and prev.table < 0 and _same_line(prev, item):
            out[-1] = f"{out[-1]} {text}"
        elif item.table < 0 and prev.table < 0 and _same_baseline(prev, item):
            # Far apart on one line: cells, or a hanging list number or short label and its text.
            label = prev.segments[-1].text
            joiner = " " if _LIST_LABEL.match(label) or _SHORT_LABEL.match(label) else " | "
            out[-1] = f"{out[-1]}{joiner}{text}"
        else:
            if _block_break(prev, item, body_size, pitch):
                out.append("")
            out.append(text)
        while len(boxes) < len(out):
            boxes.append(None if not out[len(boxes)] else (item.top, item.bottom))
        if boxes[-1] is not None:
            a, b = boxes[-1]
            boxes[-1] = (min(a, item.top), max(b, item.bottom))
        if item.table >= 0:
            table_start.setdefault(item.table, len(out) - 1)
            table_rows.setdefault(item.table, []).append(item)
        prev = item
    for t, start in table_start.items():
        rows = table_rows[t]
        header = " | ".join(s.text for s in rows[0].segments)
        layout.tables.append(TableInfo(header, len(rows[0].segments), start, start + len(rows) - 1))
    return boxes


def _item_text(item: Item) -> str:
    return " | ".join(s.text for s in item.segments)


def _same_line(a: Item, b: Item) -> bool:
    """b continues a's line closely: words that a slightly wide gap split (never a cell gap)."""
    sa, sb = a.segments[-1], b.segments[0]
    return abs(sa.baseline - sb.baseline) < 0.3 * sa.size and sb.x0 >= sa.x1 and sb.x0 - sa.x1 <= SEGMENT_GAP * sa.size


def _same_baseline(a: Item, b: Item) -> bool:
    sa, sb = a.segments[-1], b.segments[0]
    return abs(sa.baseline - sb.baseline) < 0.3 * sa.size and sb.x0 >= sa.x1


def _heading(item: Item, body_size: float) -> bool:
    s = item.segments[0]
    return s.size > 1.15 * body_size or (s.bold and len(s.words) <= 16)


def line_pitch(items: Sequence[Item]) -> float:
    """The page's usual baseline distance between consecutive lines of running text (0 if unknown)."""
    steps: Counter[float] = Counter()
    for a, b in itertools.pairwise(items):
        step = b.segments[0].baseline - a.segments[-1].baseline
        if 0.8 * a.size < step < 3 * a.size:
            steps[round(step * 2) / 2] += 1
    return steps.most_common(1)[0][0] if steps else 0.0


def _block_break(a: Item, b: Item, body_size: float, pitch: float = 0.0) -> bool:
    """A blank line: around tables and headings, after a paragraph gap, between footnotes.
    A paragraph gap is a step clearly wider than the page's usual line pitch (a table of contents
    set with wide spacing keeps its lines together)."""
    if (a.table >= 0) != (b.table >= 0) or (a.table >= 0 and a.table != b.table):
        return True
    if _heading(a, body_size) != _heading(b, body_size):
        return True
    sa, sb = a.segments[-1], b.segments[0]
    size = max(sa.size, sb.size)
    if sb.baseline < sa.baseline:  # the next column: the paragraph may run on
        return False
    step = sb.baseline - sa.baseline
    wide = step > max(PARAGRAPH_GAP * size, 1.3 * pitch) if pitch else step > PARAGRAPH_GAP * size
    return wide or abs(sa.size - sb.size) > 0.15 * size


def drop_watermarks(pages: list[PageLayout]) -> None:
    """A large short line that recurs on many pages ('Concept', 'VERTROUWELIJK') is a watermark."""
    counts = Counter(text for p in pages for text in set(p.big_lines))
    needed = max(3, math.ceil(0.4 * len(pages)))
    marks = {text for text, n in counts.items() if n >= needed}
    if not marks:
        return
    for p in pages:
        big = marks & set(p.big_lines)  # the same word in body size is content
        p.lines = ["" if line.strip() in big else line for line in p.lines]  # keep line indices
