"""Answer units: a passage cut into sentences, list items and table rows, each embedded at index time.

Query time scores them against the question (index/search/sentences.py and index/search/answer.py).
"""

from __future__ import annotations

from collections.abc import Callable

Span = tuple[int, int]


def answer_units(text: str, split_sentences: Callable[[str], list[Span]]) -> list[Span]:
    """Sentence spans of `text`, also cut at line breaks (list items, table rows)."""
    units: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        for s, e in split_sentences(line):
            while s < e and line[s].isspace():
                s += 1
            while e > s and line[e - 1].isspace():
                e -= 1
            if e > s:
                units.append((start + s, start + e))
    return units
