"""What a sentence of a passage does: pure functions over a passage's clean text (its answer units).

Units are scored against the question by meaning (cosine of the unit's embedding) and by
wording (weighted share of the question's terms they contain); these functions say whether a
unit opens a list, defines a term, gives a reason or a number, or is a caption.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass

from index.dutch import (
    CAPTION_WORDS,
    FAMILY_WORDS,
    FRACTION,
    LIST_ITEM,
    MONEY_WORDS,
    PEOPLE_WORDS,
    PROVIDER_WORDS,
    SHARE_IN_WORDS,
    SHARE_WORDS,
    WORD,
    alternation,
)
from index.search.queryinfo import has_number

Span = tuple[int, int]

_SHORT_WORDS = 6
_MAX_ITEMS = 6
_WORD = WORD
_LIST_ITEM = LIST_ITEM


# Words that count the same thing in these documents: a question about "kinderen" is answered by a
# sentence about "jeugdigen". A share is also given by "%" or "de helft", an amount of money by "€".
# A group is precise when its words name the thing as exactly as the question's own word: a
# provider is an organisation, a share a percentage. People and money are looser ("€ 12 miljoen"
# of another budget), so an answer from a lower passage must name those things themselves.
SHARE_SYMBOL = "%"
_SHARE_IN_WORDS = re.compile(rf"\b(?:{alternation(SHARE_IN_WORDS)})\b", re.IGNORECASE)
_FRACTION = re.compile(FRACTION, re.IGNORECASE)
QUANTITY_GROUPS: tuple[tuple[frozenset[str], str, bool], ...] = (  # (words, symbol, precise)
    (frozenset(PEOPLE_WORDS), "", False),
    (frozenset(FAMILY_WORDS), "", False),
    (frozenset(PROVIDER_WORDS), "", True),
    (frozenset(SHARE_WORDS), SHARE_SYMBOL, True),
    (frozenset(MONEY_WORDS), "€", False),
)


def states_quantity(
    text: str, text_terms: Set[str], subject_terms: Set[str], groups: Sequence[tuple[Set[str], str]] = ()
) -> bool:
    """Whether a sentence gives a number of the counted thing.

    It must hold a number and name the thing: as a word of the sentence (`text_terms`, whole
    words), or through the thing's group ("kinderen" ~ "jeugdigen", "geld" ~ "€"). A share
    needs no digits: "de helft" or "%" gives one. With no subject, any number will do.
    `groups` are (analysed terms, symbol) pairs like QUANTITY_GROUPS after analysis.
    """
    number = has_number(text)
    if not subject_terms or subject_terms & text_terms:
        return number
    for terms, symbol in groups:
        if not subject_terms & terms:
            continue
        if (symbol and symbol in text) or (symbol == SHARE_SYMBOL and _FRACTION.search(text)):
            return True
        if terms & text_terms and (number or (symbol == SHARE_SYMBOL and _SHARE_IN_WORDS.search(text))):
            return True
    return False


def term_coverage(unit_terms: Set[str], query_weights: dict[str, float]) -> float:
    """Share of the question's term weight (idf) found in a unit."""
    total = sum(query_weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in query_weights.items() if t in unit_terms) / total


@dataclass(frozen=True)
class UnitScore:
    span: Span
    score: float
    cosine: float
    coverage: float


def score_units(
    units: Sequence[Span],
    cosines: Sequence[float],
    coverages: Sequence[float],
    *,
    cosine_weight: float = 0.6,
) -> list[UnitScore]:
    """Combine meaning and wording per unit; cosines are min-max scaled within the passage set."""
    if not units:
        return []
    lo, hi = min(cosines), max(cosines)
    spread = hi - lo if hi > lo else 1.0
    return [
        UnitScore(span, cosine_weight * (cos - lo) / spread + (1 - cosine_weight) * cov, cos, cov)
        for span, cos, cov in zip(units, cosines, coverages, strict=True)
    ]


def _item_run(text: str, units: Sequence[Span], start: int) -> int:
    """How many consecutive list items begin at unit `start` (at most _MAX_ITEMS)."""
    items = 0
    while start + items < len(units) and items < _MAX_ITEMS:
        a, b = units[start + items]
        if not _LIST_ITEM.match(text[a:b]):
            break
        items += 1
    return items


def _items_after(text: str, units: Sequence[Span], best: int) -> int:
    """How many list items follow unit `best` (none when it is itself an item)."""
    s, e = units[best]
    return 0 if _LIST_ITEM.match(text[s:e]) else _item_run(text, units, best + 1)


def opening_items(text: str, units: Sequence[Span]) -> int:
    """How many list items open the passage (they continue a list whose lead-in is its heading)."""
    return _item_run(text, units, 0)


def introduces_list(text: str, units: Sequence[Span], best: int) -> bool:
    """Unit `best` announces the list items that follow it: with them it is a complete answer."""
    return _items_after(text, units, best) > 0


def extend_answer(text: str, units: Sequence[Span], best: int) -> Span:
    """Grow a too-short answer: a lead-in (ending in ':' or followed by list items) takes the items
    that follow, a fragment its neighbour."""
    s, e = units[best]
    unit_text = text[s:e]
    if is_table_row(unit_text):
        return s, e  # a row stands alone: with the next row it would be a bare fragment of the table
    items = _items_after(text, units, best)
    if items:
        e = units[best + items][1]
    elif best + 1 < len(units):
        lead_in = unit_text.rstrip().endswith(":")
        fragment = len(_WORD.findall(unit_text)) < _SHORT_WORDS
        if lead_in or fragment:
            e = units[best + 1][1]
    return s, e


_ARTICLE = r"(?:de|het|een)\s+"
_COPULA = r"(?:\([^)]*\)\s*)?(?::|is\b|zijn\b|betekent\b|houdt\s+in\b|staat\s+voor\b|omvat\b|verwijst\s+naar\b)"


def opens_definition(unit: str, term: str) -> bool:
    """The unit defines `term`: it opens with it, then a copula or colon ("Positieve gezondheid is ...",
    "Normaliseren: ..."), articles and an abbreviation in parentheses allowed."""
    core = re.sub("^" + _ARTICLE, "", term.strip(), flags=re.IGNORECASE)
    if not core:
        return False
    pattern = r"^\W*(?:" + _ARTICLE + ")?" + re.escape(core) + r"\s*" + _COPULA
    return re.match(pattern, unit, re.IGNORECASE) is not None


# "... zijn: A, B en C", "namelijk A, B en C", "A, B, C of D": items named in one sentence.
_ENUMERATION = re.compile(
    r"(?::|\bnamelijk\b|\bzoals\b)[^.]*?,[^.]*\b(?:en|of)\b|(?:[^,.;]+,){2,}[^.]*\b(?:en|of)\b",
    re.IGNORECASE,
)


# "toegangsmedewerkers, jeugdartsen en schoolmaatschappelijk werkers": three items, one comma.
_SHORT_ENUMERATION = re.compile(r"\w,\s+(?:[^\W\d_]+\s+){1,3}(?:en|of)\s+[^\W\d_]", re.IGNORECASE)


def enumerates(unit: str, *, loosely: bool = False) -> bool:
    """The sentence names several items in a row ("de voorbereidingsfase, de contracteringsfase en ...").

    `loosely` also takes "A, B en C" with a short B, which clauses share ("kennis opgebouwd,
    onderzoek gedaan en ..."): good enough to say a passage names items, too loose for a bonus.
    """
    return bool(_ENUMERATION.search(unit) or (loosely and _SHORT_ENUMERATION.search(unit)))


# "Daarom ...": the sentence draws a conclusion; the reason stands before it.
_CONSEQUENCE = re.compile(r"\b(daarom|hierom|om (die|deze) reden|dat is (ook )?de reden)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?][\"'’”)]*$")
_MAX_REASON_UNITS = 2
# "Dit remde de vernieuwing", "Hierdoor ...": a sentence that leans on the one before it.
_REFERS_BACK = re.compile(r"^\W*(?:dit|dat|deze|die|hierdoor|daardoor|hiermee|daarmee|zo|ook)\b", re.IGNORECASE)


def reason_before(text: str, units: Sequence[Span], best: int) -> Span | None:
    """For a 'waarom' question answered by a conclusion ("daarom ..."), the sentence before it
    that gives the reason, with the one before that when it refers back to it ("Dit remde ...");
    not headings. None when the unit is not a conclusion."""
    s, e = units[best]
    if not _CONSEQUENCE.search(text[s:e]):
        return None
    first = best
    while first > 0 and best - first < _MAX_REASON_UNITS:
        a, b = units[first - 1]
        if not _SENTENCE_END.search(text[a:b]):
            break
        first -= 1
        if not _REFERS_BACK.match(text[a:b]):
            break
    return (units[first][0], units[best - 1][1]) if first < best else None


_CAPTION = re.compile(rf"^\W*(?:{alternation(CAPTION_WORDS)})\s+\d+(?:\.\d+)*\b", re.IGNORECASE)


def is_caption(unit: str, following: str = "") -> bool:
    """A figure or table caption ("Figuur 2.1 Ontwikkeling percentage ..."), or the title line
    of a table that `following` (the text after it) opens: it names what the text shows
    elsewhere, so it reads like an answer but never is one."""
    if _CAPTION.match(unit) is not None:
        return True
    next_line = following.lstrip().split("\n", 1)[0]
    is_title = "|" not in unit and not unit.rstrip().endswith((".", ":", "?", "!"))
    return is_title and next_line.count("|") >= 2


def is_question(unit: str) -> bool:
    """A question in the text ("Wat is het verschil tussen een ecogram en een genogram?") asks what
    the question asks; the answer is what follows it, never the question itself."""
    return unit.rstrip().rstrip("\"'’”)").endswith("?")


def merge_spans(spans: Sequence[Span]) -> list[Span]:
    """Sorted, non-overlapping spans."""
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


# ---- what a unit is on the page: a heading, a table row -----------------------------------------

_BLOCK = "\n\n"  # between blocks of a passage (ingest/chunk.py BLOCK_SEPARATOR)
_MAX_HEADING_WORDS = 12
_CELL = " | "


def is_heading(text: str, span: Span, headings: Set[str] = frozenset()) -> bool:
    """Unit `span` of a passage is a heading: one of the document's section titles (`headings`),
    or a short line standing alone as a block without closing punctuation. It names a topic,
    never answers about it; nor may a sentence after it be shown fused to it."""
    s, e = span
    unit = text[s:e].strip()
    if unit in headings:
        return True
    if _CELL.strip() in unit or _LIST_ITEM.match(unit) or unit.endswith((".", ":", ";", "?", "!", ",")):
        return False
    alone = (s == 0 or text[:s].endswith(_BLOCK)) and (e == len(text) or text[e:].startswith(_BLOCK))
    return alone and len(_WORD.findall(unit)) <= _MAX_HEADING_WORDS


def is_table_row(unit: str) -> bool:
    return _CELL in unit


def table_header(text: str, span: Span) -> str | None:
    """The header row of the table a row belongs to (the first row of its run of rows), or None
    when the row is itself the header or not a table row."""
    s, _ = span
    if not is_table_row(text[s : text.find("\n", s) if "\n" in text[s:] else len(text)]):
        return None
    start = s
    while start > 0:
        prev_end = start - 1  # the "\n" before this row
        prev_start = text.rfind("\n", 0, prev_end) + 1
        if prev_end <= prev_start or not is_table_row(text[prev_start:prev_end]):
            break
        start = prev_start
    if start == s:
        return None
    return text[start : text.index("\n", start)]


def row_with_header(row: str, header: str) -> str:
    """A table row as an answer reads: its label, then each value with its column header
    ("Verblijf: 19% (Aandeel van totale jeugdhulpbudget)")."""
    cells = [c.strip() for c in row.split("|")]
    heads = [h.strip() for h in header.split("|")]
    values = [c for c in cells[1:] if c]
    if len(heads) != len(cells):
        return f"{cells[0]}: {', '.join(values)}"
    named = [f"{c} ({h})" if h else c for c, h in zip(cells[1:], heads[1:], strict=True) if c]
    return f"{cells[0]}: {'; '.join(named)}"
