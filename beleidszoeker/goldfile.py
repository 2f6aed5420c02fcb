"""Check a gold file (JSON lines, the format of eval/extra.jsonl) before anything is scored.

A misspelt `kind` or an unknown `doc` would otherwise be scored silently as a miss; a broken
line would end in a traceback. Every problem is reported with its line number, in Dutch, so the
author can fix the file in one go.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Collection
from dataclasses import dataclass, field

KINDS = ("advisor", "english", "comparison", "no_answer")
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class GoldLine:
    line: int
    id: str
    kind: str
    query: str
    gold: tuple[tuple[str, str], ...]  # (doc, quote)


@dataclass
class GoldCheck:
    items: list[GoldLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _suggest(value: str, options: Collection[str]) -> str:
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
    return f" (bedoelt u {close[0]!r}?)" if close else ""


def check_gold(data: bytes, name: str, known_docs: Collection[str]) -> GoldCheck:
    """Parse and validate the bytes of a gold file; `known_docs` are the index's document ids."""
    out = GoldCheck()
    if b"\x00" in data:
        out.problems.append(f"{name}: dit is geen tekstbestand (binaire inhoud); geef een JSONL-bestand")
        return out
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        out.problems.append(f"{name}: geen UTF-8-tekst (byte {err.start}); sla het bestand op als UTF-8")
        return out
    seen_ids: dict[str, int] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        problems = _check_line(raw, n, name, known_docs, seen_ids, out)
        out.problems += problems
        if len(out.problems) >= MAX_PROBLEMS:
            out.problems.append(f"{name}: meer dan {MAX_PROBLEMS} problemen; de rest is niet getoond")
            break
    if not out.items and not out.problems:
        out.problems.append(
            f"{name}: bevat geen vragen; één JSON-object per regel, bijv. "
            '{"id": "q1", "kind": "advisor", "query": "...", "gold": [{"doc": "...", "quote": "..."}]}'
        )
    return out


def _check_line(raw: str, n: int, name: str, known_docs: Collection[str], seen_ids: dict[str, int],
                out: GoldCheck) -> list[str]:
    where = f"{name} regel {n}"
    try:
        d = json.loads(raw)
    except json.JSONDecodeError as err:
        return [f"{where}: geen geldige JSON bij kolom {err.colno} (controleer aanhalingstekens, komma's en "
                "accolades; één object per regel)"]
    if not isinstance(d, dict):
        return [f"{where}: verwacht een JSON-object {{...}}, niet {type(d).__name__}"]
    problems = []
    query = d.get("query")
    if not isinstance(query, str) or not query.strip():
        problems.append(f"{where}: 'query' ontbreekt of is leeg")
    kind = d.get("kind", "advisor")
    if kind not in KINDS:
        problems.append(f"{where}: onbekende kind {kind!r}{_suggest(str(kind), KINDS)}; kies uit: {', '.join(KINDS)}")
    item_id = str(d.get("id") or f"regel{n}")
    if item_id in seen_ids:
        problems.append(f"{where}: id {item_id!r} staat ook op regel {seen_ids[item_id]}")
    seen_ids.setdefault(item_id, n)
    gold_raw = d.get("gold", [])
    gold: list[tuple[str, str]] = []
    if not isinstance(gold_raw, list):
        problems.append(f"{where}: 'gold' moet een lijst zijn van {{\"doc\": ..., \"quote\": ...}}")
        gold_raw = []
    for i, g in enumerate(gold_raw, start=1):
        if not isinstance(g, dict) or not isinstance(g.get("doc"), str) or not isinstance(g.get("quote"), str):
            problems.append(f"{where}: gold {i} moet 'doc' en 'quote' (tekst) hebben")
            continue
        if g["doc"] not in known_docs:
            problems.append(f"{where}: onbekend document {g['doc']!r}{_suggest(g['doc'], known_docs)}; "
                            f"documenten in de index: {', '.join(sorted(known_docs))}")
            continue
        gold.append((g["doc"], g["quote"]))
    if kind in KINDS and kind != "no_answer" and not gold_raw:
        problems.append(f"{where}: 'gold' ontbreekt; alleen kind \"no_answer\" mag zonder gold-citaat")
    if not problems:
        out.items.append(GoldLine(n, item_id, kind, query.strip(), tuple(gold)))
    return problems
