"""Document text as users read it: the one cleaning used by passage cards, the context view and the CLI.

Passages (`Chunk.text`) are already cleaned by `ingest.clean.segment_text`; a whole document is
cleaned the same way here, as a `MappedText` whose runs point into the original. Every span
(answer sentences, query terms) stays an original-document offset and is mapped onto the cleaned
text only when it is drawn, so offsets in the JSON contract and the index never change.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from beleidszoeker.records import Run, Span
from beleidszoeker.textmap import MappedText, MappedTextBuilder, append_mapped

BLOCK_SEPARATOR = "\n\n"

_RESIDUE = (
    re.compile(r"\[bookmark:[^\]\n]{0,80}\]"),  # DOCX bookmark anchors
    re.compile(r"(?m)^[ \t]*#{1,6}(?:[ \t]+|$)"),  # Markdown heading markers
    re.compile(r"\*\*|__"),  # Markdown bold markers
)


def tidy_residue(text: str) -> str:
    """What cleaning leaves behind in a passage (bookmark anchors, heading and bold markers, HTML
    entities), removed for display. Applied per piece after marks are placed, before escaping."""
    for pattern in _RESIDUE:
        text = pattern.sub("", text)
    return html.unescape(text) if "&" in text else text


def count_label(n: int, singular: str, plural: str) -> str:
    """'1 passage', '2 passages', '0 documenten': Dutch number agreement."""
    return f"{n} {singular if n == 1 else plural}"


def clean_document(text: str) -> MappedText:
    """The whole document cleaned as its passages are: blocks joined by blank lines, runs into `text`."""
    from ingest.clean import segment_text

    b = MappedTextBuilder(text)
    for i, block in enumerate(segment_text(text)):
        if i:
            b.insert(BLOCK_SEPARATOR)
        append_mapped(b, block.mapped)
    return b.build()


def to_clean_spans(text: str, runs: Sequence[Run], spans: Iterable[Span]) -> list[Span]:
    """Original-document spans -> spans of the cleaned `text` whose `runs` map into the original.

    Pieces of one span separated only by inserted whitespace (paragraph breaks) are joined again.
    """
    n = len(text)
    pieces: list[Span] = []
    for s, e in spans:
        for c, o, length in runs:
            a, b = max(s, o), min(e, o + length)
            if b > a:
                pieces.append((max(0, c + a - o), min(n, c + b - o)))
    out: list[Span] = []
    for a, b in sorted(p for p in pieces if p[1] > p[0]):
        if out and (a <= out[-1][1] or not text[out[-1][1] : a].strip()):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def to_original_spans(runs: Sequence[Run], spans: Iterable[Span]) -> list[Span]:
    """Spans of a cleaned text -> the original-document spans its runs cover (one per run piece)."""
    out: list[Span] = []
    for s, e in spans:
        for c, o, length in runs:
            a, b = max(s, c), min(e, c + length)
            if b > a:
                out.append((o + a - c, o + b - c))
    return sorted(out)


def clean_position(runs: Sequence[Run], offset: int, *, end: bool = False) -> int:
    """Where an original-document offset lands in the cleaned text (the next kept character; with
    `end`, just after the last kept character before it)."""
    if not runs:
        return 0
    if end:
        best = 0
        for c, o, n in runs:
            if o >= offset:
                break
            best = c + min(n, offset - o)
        return best
    for c, o, n in runs:
        if offset < o + n:
            return c + max(0, offset - o)
    last = runs[-1]
    return last[0] + last[2]
