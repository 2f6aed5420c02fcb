"""Answer evaluation: is the answer card right when it is shown, and is "Zekerheid" calibrated?

A shown answer is right when it lies in a gold quote of its document (most of its words in the
quote, in order: `evaluate._inside`) or covers at least half of the quote's word 4-grams. Per
gold file and pooled: precision of shown answers, the share of answerable questions answered
(and answered right), expected calibration error over 10 bins with the reliability table, the
precision/coverage curve over thresholds, the no-answer AUROC and whether nonsense is answered.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from beleidszoeker.records import Answer, SearchResult
from index.evaluate import EvalItem, GoldQuote, _inside, auroc, quote_overlap

NONSENSE = ("???", "!!!", "asdf", "qwerty uiop", "xyz 123", "...", "aaaaaa")
BINS = 10
CURVE_COVERAGES = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def answer_is_right(answer: Answer | None, gold: Sequence[GoldQuote]) -> bool:
    """The answer text lies inside a gold quote of its document, or covers >= 50% of its 4-grams."""
    return answer is not None and any(
        answer.doc == g.doc and (_inside(answer.text, g.quote) or quote_overlap(g.quote, answer.text) >= 0.5)
        for g in gold
    )


@dataclass(frozen=True)
class AnswerRow:
    """One question's outcome: shown (the card appears), right (the answer, shown or not, is right)."""

    file: str
    id: str
    kind: str
    answerable: bool  # the gold file gives a quote (kind != no_answer)
    shown: bool
    right: bool
    confidence: float
    features: dict[str, float] = field(default_factory=dict)


def answer_rows(items: Sequence[EvalItem], search: Callable[[str], SearchResult], file: str) -> list[AnswerRow]:
    rows = []
    for item in items:
        result = search(item.query)
        shown = result.answerable and result.answer is not None
        rows.append(
            AnswerRow(
                file,
                item.id,
                item.kind,
                bool(item.gold),
                shown,
                bool(item.gold) and answer_is_right(result.answer, item.gold),
                float(result.confidence),
                dict(result.evidence),
            )
        )
    return rows


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    n: int
    predicted: float  # mean confidence
    observed: float  # share right


@dataclass(frozen=True)
class CurvePoint:
    coverage: float  # share of answerable questions answered at this threshold
    precision: float  # share of those answers that are right
    threshold: float


@dataclass(frozen=True)
class AnswerFigures:
    n: int
    answerable: int
    shown: int
    precision: float  # right among shown
    answered: float  # shown among answerable
    answered_right: float  # shown and right among answerable
    ece: float
    no_answer_auroc: float
    no_answer_shown: float  # share of no-answer questions that got an answer card
    bins: tuple[Bin, ...]
    curve: tuple[CurvePoint, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "answerable": self.answerable,
            "shown": self.shown,
            "precision": _round(self.precision),
            "answered": _round(self.answered),
            "answered_right": _round(self.answered_right),
            "ece": _round(self.ece),
            "no_answer_auroc": _round(self.no_answer_auroc),
            "no_answer_shown": _round(self.no_answer_shown),
            "reliability": [
                {"low": b.low, "n": b.n, "predicted": _round(b.predicted), "observed": _round(b.observed)}
                for b in self.bins
            ],
            "curve": [{k: _round(v) for k, v in vars(p).items()} for p in self.curve],
        }


def _round(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 4)


def figures(rows: Sequence[AnswerRow]) -> AnswerFigures:
    answerable = [r for r in rows if r.answerable]
    shown = [r for r in rows if r.shown]
    no_answer = [r for r in rows if not r.answerable]
    return AnswerFigures(
        n=len(rows),
        answerable=len(answerable),
        shown=len(shown),
        precision=_share([r.right for r in shown]),
        answered=_share([r.shown for r in answerable]),
        answered_right=_share([r.shown and r.right for r in answerable]),
        ece=ece([r.confidence for r in rows], [r.right for r in rows]),
        no_answer_auroc=auroc([r.confidence for r in answerable], [r.confidence for r in no_answer]),
        no_answer_shown=_share([r.shown for r in no_answer]),
        bins=reliability([r.confidence for r in rows], [r.right for r in rows]),
        curve=curve([r.confidence for r in rows], [r.right for r in rows], [r.answerable for r in rows]),
    )


def _share(values: Sequence[bool]) -> float:
    return sum(values) / len(values) if values else float("nan")


def reliability(confidence: Sequence[float], right: Sequence[bool], bins: int = BINS) -> tuple[Bin, ...]:
    """Per equal-width confidence bin: how many, mean predicted, share observed right (empty bins left out)."""
    out = []
    for b in range(bins):
        members = [(c, r) for c, r in zip(confidence, right, strict=True) if min(bins - 1, int(c * bins)) == b]
        if members:
            out.append(
                Bin(
                    b / bins,
                    (b + 1) / bins,
                    len(members),
                    _mean([c for c, _ in members]),
                    _mean([r for _, r in members]),
                )
            )
    return tuple(out)


def ece(confidence: Sequence[float], right: Sequence[bool], bins: int = BINS) -> float:
    """Expected calibration error: the bins' |predicted - observed|, weighted by their size."""
    if not confidence:
        return float("nan")
    return sum(b.n * abs(b.predicted - b.observed) for b in reliability(confidence, right, bins)) / len(confidence)


def curve(
    confidence: Sequence[float],
    right: Sequence[bool],
    answerable: Sequence[bool],
    coverages: Sequence[float] = CURVE_COVERAGES,
) -> tuple[CurvePoint, ...]:
    """Precision of the answers shown when the threshold is lowered until each coverage of the
    answerable questions is reached (answers to no-answer questions count as wrong)."""
    total = sum(answerable)
    order = sorted(range(len(confidence)), key=lambda i: -confidence[i])
    points = []
    for want in coverages:
        got = hits = 0
        for shown, i in enumerate(order, start=1):
            if confidence[i] <= 0:
                break
            got += answerable[i]
            hits += right[i]
            if total and got >= want * total:
                points.append(CurvePoint(got / total, hits / shown, confidence[i]))
                break
    return tuple(points)


def threshold_for(
    confidence: Sequence[float], right: Sequence[bool], answerable: Sequence[bool], *, precision: float, coverage: float
) -> float | None:
    """The lowest threshold whose shown answers keep `precision`, if it reaches `coverage`; else None."""
    total = sum(answerable)
    order = sorted(range(len(confidence)), key=lambda i: -confidence[i])
    best = None
    got = hits = 0
    for shown, i in enumerate(order, start=1):
        got += answerable[i]
        hits += right[i]
        last = shown == len(order) or confidence[order[shown]] < confidence[i]
        if last and hits / shown >= precision and total and got / total >= coverage:
            best = confidence[i]
    return best


def _mean(values: Sequence[float | bool]) -> float:
    return sum(float(v) for v in values) / len(values) if values else float("nan")


def _f(x: float) -> str:
    return "n.v.t." if math.isnan(x) else f"{x:.2f}"


def table(per_file: dict[str, AnswerFigures]) -> str:
    """Per file: questions, shown precision, answered, answered right, ECE, no-answer AUROC, no-answer shown."""
    head = f"{'file':<22}{'n':>5}{'prec':>7}{'answered':>10}{'right':>7}{'ECE':>7}{'AUROC':>7}{'no-ans shown':>14}"
    lines = [head, "-" * len(head)]
    for name, f in per_file.items():
        lines.append(
            f"{name:<22}{f.n:>5}{_f(f.precision):>7}{_f(f.answered):>10}{_f(f.answered_right):>7}{_f(f.ece):>7}"
            f"{_f(f.no_answer_auroc):>7}{_f(f.no_answer_shown):>14}"
        )
    return "\n".join(lines)


def reliability_table(f: AnswerFigures) -> str:
    lines = ["bin        n  predicted  observed"]
    lines += [f"{b.low:.1f}-{b.high:.1f} {b.n:>4} {b.predicted:>10.2f} {b.observed:>9.2f}" for b in f.bins]
    return "\n".join(lines)


def curve_table(f: AnswerFigures) -> str:
    lines = ["coverage  precision  threshold"]
    lines += [f"{p.coverage:>8.2f} {p.precision:>10.2f} {p.threshold:>10.3f}" for p in f.curve]
    return "\n".join(lines)
