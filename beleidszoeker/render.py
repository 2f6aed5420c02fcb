"""Turn search results into the JSON contract and into readable terminal text.

The JSON shape is used by outside evaluation tools: keep it stable.
"""

from __future__ import annotations

from typing import Any

from beleidszoeker.display import tidy_residue, to_clean_spans
from beleidszoeker.records import Answer, Hit, SearchResult

NO_SURE_ANSWER = "Geen zeker antwoord gevonden"
NO_ANSWER = "Geen passend antwoord gevonden in de documenten"


def answer_shown(result: SearchResult) -> bool:
    """The answer card appears: the confidence that the answer is right clears the threshold."""
    return result.answerable and result.answer is not None


def no_answer_message(result: SearchResult) -> str:
    """Why no answer card: related passages without a sure answer, or nothing the documents say."""
    if result.answer is not None and result.hits:
        return (
            f"{NO_SURE_ANSWER}: er zijn verwante passages, maar geen antwoord dat zeker genoeg klopt "
            f"(zekerheid {result.confidence:.0%})."
        )
    return f"{NO_ANSWER} (zekerheid {result.confidence:.0%})."


def answer_to_json(answer: Answer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {
        "text": answer.text,
        "doc": answer.doc,
        "start": answer.start,
        "end": answer.end,
        "region": answer.region,
        "title": answer.title,
        "section": answer.section,
        "page": answer.page,
        "chunk_id": answer.chunk_id,
        "display": answer.display,  # as the card shows it (a table row with its column headers)
    }


def hit_to_json(hit: Hit) -> dict[str, Any]:
    c = hit.chunk
    return {
        "doc": c.doc,
        "region": c.region,
        "title": c.title,
        "section": c.section,
        "page": c.page,
        "page_label": c.page_label,
        "chunk_id": c.id,
        "start": c.start,
        "end": c.end,
        "score": round(hit.score, 6),
        "text": c.text,
        "highlights": [list(s) for s in hit.highlights],
        "answer_spans": [list(s) for s in hit.answer_spans],
        "score_breakdown": {k: round(v, 6) for k, v in hit.breakdown.items()},
    } | ({} if hit.relevant is None else {"relevant": hit.relevant})


def result_to_json(result: SearchResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "answerable": result.answerable,
        "confidence": round(result.confidence, 4),
        "answer": answer_to_json(result.answer),
        "hits": [hit_to_json(h) for h in result.hits],
        "params_hash": result.params_hash,
        # Added for issue 16: "answer" is the best candidate even when it is not sure enough to show;
        # "answer_shown" says whether the card shows it ("answerable" and an answer), "confidence" is
        # the calibrated probability that it is right, "message" the Dutch text when it is not shown.
        "answer_shown": answer_shown(result),
        "message": "" if answer_shown(result) else no_answer_message(result),
        "confidence_features": {k: round(v, 6) for k, v in result.evidence.items()},
    }


def query_error_to_json(query: str, message: str) -> dict[str, Any]:
    """The line for a query that could not be searched: same keys, no answer, no hits, and why,
    so a batch's output still has one line per query, in order."""
    return {"query": query, "answerable": False, "confidence": 0.0, "answer": None, "hits": [], "error": message}


def citation(region: str, title: str, section: str, page: int | None, page_label: str | None = None) -> str:
    parts = [region, title]
    if section:
        parts.append(section)
    if page is not None:
        parts.append(f"p. {page_label or page}")
    return " — ".join(parts)


def mark_spans(text: str, spans: list[tuple[int, int]], before: str, after: str) -> str:
    """Wrap spans of `text` with markers; each piece is tidied for display (`tidy_residue`)."""
    out, pos = [], 0
    for s, e in sorted(spans):
        s, e = max(s, pos), min(e, len(text))
        if e <= s:
            continue
        out += [tidy_residue(text[pos:s]), before, tidy_residue(text[s:e]), after]
        pos = e
    out.append(tidy_residue(text[pos:]))
    return "".join(out)


def passage_terminal(hit: Hit, before: str, after: str) -> str:
    """The cleaned passage (as on the app's cards) on one line, answer sentences between markers."""
    c = hit.chunk
    spans = to_clean_spans(c.text, c.runs or ((0, c.start, len(c.text)),), hit.answer_spans)
    return " ".join(mark_spans(c.text, spans, before, after).split())


def render_terminal(result: SearchResult, documents: dict[str, Any], *, color: bool) -> str:
    """Answer first, then the ranked passages with their citations, ids and highlighted answer sentences."""
    bold, hl, dim, reset = ("\033[1m", "\033[1;33m", "\033[2m", "\033[0m") if color else ("", "**", "", "")
    hl_end = reset if color else "**"
    lines = [f"{bold}Vraag:{reset} {result.query}"]
    a = result.answer
    if answer_shown(result) and a is not None:
        lines += [
            f"{bold}Antwoord{reset} (zekerheid {result.confidence:.0%} dat het klopt): "
            f"{' '.join(tidy_residue(a.display).split())}",
            f"{dim}Bron: {citation(a.region, a.title, a.section, a.page)} [{a.doc}:{a.start}-{a.end}]{reset}",
        ]
    else:
        lines.append(f"{bold}{no_answer_message(result)}{reset} Dit zijn de meest verwante passages:")
    for rank, hit in enumerate(result.hits, start=1):
        lines += _hit_lines(rank, hit, "score", 900, (bold, hl, hl_end, dim, reset))
    if result.hits:
        lines += ["", f"{dim}Vergelijkbare passages in andere documenten: beleidszoeker similar ID "
                      f"(het id staat achter elke passage){reset}"]
    return "\n".join(lines)


def relevant_docs(hits: list[Hit]) -> list[str]:
    """The documents a compare result shows as addressing the topic, best first."""
    return list(dict.fromkeys(h.chunk.doc for h in hits if h.relevant is not False))


def compare_header(n_relevant: int, n_docs: int) -> str:
    """ "3 van 5 documenten hebben een relevante passage": only documents that really address the topic count."""
    noun = "document" if n_docs == 1 else "documenten"
    verb = "heeft" if n_relevant == 1 else "hebben"
    return f"{n_relevant} van {n_docs} {noun} {verb} een relevante passage"


def render_compare_terminal(result: SearchResult, *, color: bool) -> str:
    """Compare as text, per document: the header counting the documents that address the topic, their
    passages, then one line per other document: "Geen relevante passage" with its closest passage folded."""
    bold, hl, dim, reset = ("\033[1m", "\033[1;33m", "\033[2m", "\033[0m") if color else ("", "**", "", "")
    styles = (bold, hl, reset if color else "**", dim, reset)
    by_doc: dict[str, list[Hit]] = {}
    for hit in result.hits:
        by_doc.setdefault(hit.chunk.doc, []).append(hit)
    relevant = relevant_docs(result.hits)
    lines = [f"{bold}Onderwerp:{reset} {result.query}", compare_header(len(relevant), len(by_doc))]
    for doc in relevant:
        first = by_doc[doc][0].chunk
        lines += ["", f"{bold}== {first.region} — {first.title}{reset}"]
        for rank, hit in enumerate(by_doc[doc], start=1):
            lines += _hit_lines(rank, hit, "score", 900, styles)
    others = [hits[0] for doc, hits in by_doc.items() if doc not in relevant]
    if others:
        lines.append("")
    for hit in others:
        c = hit.chunk
        closest = " ".join(tidy_residue(c.text).split())
        closest = closest[:100] + ("…" if len(closest) > 100 else "")
        lines.append(f"{bold}== {c.region} — {c.title}:{reset} Geen relevante passage "
                     f"{dim}(dichtstbij: \"{closest}\", id {c.id}){reset}")
    return "\n".join(lines)


def render_similar_terminal(source: Hit | None, hits: list[Hit], *, color: bool) -> str:
    """`similar` as text: per passage its score, citation, id and the similar sentence marked."""
    bold, hl, dim, reset = ("\033[1m", "\033[1;33m", "\033[2m", "\033[0m") if color else ("", "**", "", "")
    hl_end = reset if color else "**"
    lines = []
    if source is not None:
        c = source.chunk
        lines.append(f"{bold}Vergelijkbaar met:{reset} {citation(c.region, c.title, c.section, c.page, c.page_label)}"
                     f" {dim}(id {c.id}){reset}")
    if not hits:
        lines.append("Geen vergelijkbare passages gevonden in andere documenten.")
    for rank, hit in enumerate(hits, start=1):
        lines += _hit_lines(rank, hit, "gelijkenis", 600, (bold, hl, hl_end, dim, reset))
    return "\n".join(lines)


def _hit_lines(
    rank: int, hit: Hit, score_name: str, max_chars: int, styles: tuple[str, str, str, str, str]
) -> list[str]:
    """One passage in the terminal: its rank, citation, score, document and id, then its text."""
    bold, hl, hl_end, dim, reset = styles
    c = hit.chunk
    body = passage_terminal(hit, hl, hl_end)
    return [
        "",
        f"{bold}{rank}. {citation(c.region, c.title, c.section, c.page, c.page_label)}{reset} "
        f"{dim}({score_name} {hit.score:.3f}, {c.doc}, id {c.id}){reset}",
        f"   {body[:max_chars]}{'…' if len(body) > max_chars else ''}",
    ]
