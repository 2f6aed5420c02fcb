"""Build cleaned text that remembers where every character came from.

Cleaning only deletes characters and replaces whitespace or markup by separators, so
cleaned text is a sequence of verbatim runs of the original plus inserted separators.
`MappedTextBuilder` records the runs, which is what lets a chunk be highlighted exactly
in the source.
"""

from __future__ import annotations

from dataclasses import dataclass

from beleidszoeker.records import Run


@dataclass(frozen=True)
class MappedText:
    text: str
    runs: tuple[Run, ...]

    @property
    def start(self) -> int:
        return self.runs[0][1] if self.runs else 0

    @property
    def end(self) -> int:
        return self.runs[-1][1] + self.runs[-1][2] if self.runs else 0


class MappedTextBuilder:
    def __init__(self, original: str) -> None:
        self._original = original
        self._parts: list[str] = []
        self._runs: list[Run] = []
        self._len = 0

    def keep(self, start: int, end: int) -> None:
        """Append original[start:end] verbatim."""
        if end <= start:
            return
        if self._runs:
            c, o, n = self._runs[-1]
            if o + n == start and c + n == self._len:
                self._runs[-1] = (c, o, n + end - start)
                self._parts.append(self._original[start:end])
                self._len += end - start
                return
        self._runs.append((self._len, start, end - start))
        self._parts.append(self._original[start:end])
        self._len += end - start

    def insert(self, separator: str) -> None:
        """Append text that is not in the original (a space, a newline, ' | ')."""
        self._parts.append(separator)
        self._len += len(separator)

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def build(self) -> MappedText:
        return MappedText("".join(self._parts), tuple(self._runs))


def concat(pieces: list[MappedText], separator: str, original: str) -> MappedText:
    """Join mapped texts with a separator, keeping their runs."""
    b = MappedTextBuilder(original)
    for i, p in enumerate(pieces):
        if i:
            b.insert(separator)
        append_mapped(b, p)
    return b.build()


def append_mapped(b: MappedTextBuilder, p: MappedText) -> None:
    """Append `p` to `b`: its kept runs keep their source offsets, the rest is inserted text."""
    pos = 0
    for c, o, n in p.runs:
        if c > pos:
            b.insert(p.text[pos:c])
        b.keep(o, o + n)
        pos = c + n
    if pos < len(p.text):
        b.insert(p.text[pos:])
