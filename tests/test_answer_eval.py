"""The answer evaluation (index/answer_eval.py) and the confidence fit (index/calibrate.py): the
figures on hand-made outcomes, and a fit that stays calibrated on files it was not fitted on."""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import pytest

from beleidszoeker.records import Answer
from index.answer_eval import (
    AnswerRow,
    answer_is_right,
    curve,
    ece,
    figures,
    reliability,
    threshold_for,
)
from index.calibrate import fit_logistic, leave_one_file_out
from index.evaluate import GoldQuote

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

QUOTE = "Een gezin in crisis krijgt binnen 24 uur hulp van het crisisteam. Het team werkt met de wijkteams."


def _answer(text: str, doc: str = "a.txt") -> Answer:
    return Answer(text, doc, 0, len(text), "c", "R", "T", "", None)


def test_an_answer_is_right_inside_a_gold_quote_or_covering_half_of_it():
    gold = [GoldQuote("a.txt", QUOTE)]
    assert answer_is_right(_answer("Een gezin in crisis krijgt binnen 24 uur hulp van het crisisteam."), gold)
    assert answer_is_right(_answer("Inleiding. " + QUOTE + " En nog veel meer tekst die er niet in staat."), gold)
    assert not answer_is_right(_answer("Een gezin in crisis krijgt binnen 24 uur hulp.", doc="b.txt"), gold)
    assert not answer_is_right(_answer("De gemeente betaalt de jeugdhulp uit het gemeentefonds."), gold)
    assert not answer_is_right(None, gold)


def test_reliability_and_ece_per_bin():
    conf = [0.05, 0.05, 0.95, 0.95, 0.95, 0.95]
    right = [False, False, True, True, True, False]
    bins = reliability(conf, right)
    assert [(b.low, b.n) for b in bins] == [(0.0, 2), (0.9, 4)]
    assert bins[1].observed == pytest.approx(0.75)
    # |0.05 - 0| * 2 + |0.95 - 0.75| * 4, over 6
    assert ece(conf, right) == pytest.approx((0.1 + 0.8) / 6)
    assert math.isnan(ece([], []))


def test_the_curve_and_the_threshold_for_precision_at_coverage():
    conf = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    right = [True, True, True, False, True, False]
    answerable = [True, True, True, True, True, False]
    points = curve(conf, right, answerable, coverages=(0.6, 1.0))
    assert [(p.coverage, round(p.precision, 2), p.threshold) for p in points] == [(0.6, 1.0, 0.7), (1.0, 0.8, 0.5)]
    assert threshold_for(conf, right, answerable, precision=0.9, coverage=0.6) == 0.7
    assert threshold_for(conf, right, answerable, precision=0.8, coverage=1.0) == 0.5
    assert threshold_for(conf, right, answerable, precision=0.99, coverage=0.8) is None


def test_figures_count_shown_answers_and_no_answer_questions():
    rows = [
        AnswerRow("f", "1", "advisor", True, True, True, 0.9),
        AnswerRow("f", "2", "advisor", True, True, False, 0.7),
        AnswerRow("f", "3", "advisor", True, False, True, 0.3),
        AnswerRow("f", "4", "no_answer", False, False, False, 0.1),
    ]
    f = figures(rows)
    assert (f.shown, f.precision, f.answered, f.answered_right) == (2, 0.5, pytest.approx(2 / 3), pytest.approx(1 / 3))
    assert f.no_answer_auroc == 1.0 and f.no_answer_shown == 0.0


def _synthetic(files: int = 8, per_file: int = 150, seed: int = 7) -> list[tuple[str, dict[str, float], bool]]:
    """Outcomes drawn from a known logistic model of two features."""
    rnd = random.Random(seed)
    out = []
    for f in range(files):
        for _ in range(per_file):
            x = {"margin": rnd.uniform(0, 0.3), "shape_missing": float(rnd.random() < 0.2)}
            p = 1 / (1 + math.exp(-(-1.0 + 12 * x["margin"] - 2.5 * x["shape_missing"])))
            out.append((f"f{f}", x, rnd.random() < p))
    return out


def test_the_fit_recovers_the_model_and_is_calibrated_on_held_out_files():
    data = _synthetic()
    files, rows, right = zip(*data, strict=True)
    model = fit_logistic(rows, right, ["margin", "shape_missing"], l2=0.1)
    assert model.weights["margin"] == pytest.approx(12, abs=2.5)
    assert model.weights["shape_missing"] == pytest.approx(-2.5, abs=0.7)
    held_out = leave_one_file_out(rows, right, files, ["margin", "shape_missing"], l2=0.1)
    assert ece(held_out.tolist(), list(right)) < 0.05
    # A model that knows nothing (no features) is calibrated only on the base rate: worse ranking.
    flat = leave_one_file_out(rows, right, files, [], l2=0.1)
    assert len(set(flat.round(6).tolist())) <= len(set(files))


def test_a_question_without_an_answer_has_confidence_zero_and_is_left_out_of_the_fit():
    model = fit_logistic([{"margin": 0.2}, {"margin": 0.0}, {}], [True, False, True], ["margin"])
    assert model.predict([{}])[0] == 0.0
    assert model.predict([{"margin": 0.2}])[0] > model.predict([{"margin": 0.0}])[0]


def test_fit_confidence_writes_the_fitted_model_into_the_parameter_file():
    import fit_confidence

    from index.search.params import DEFAULT_FILE, from_dict

    text = DEFAULT_FILE.read_text(encoding="utf-8")
    new = fit_confidence.params_text(text, -1.5, 0.65, {"margin": 7.0, "shape_missing": -3.0})
    import tomllib

    params = from_dict(tomllib.loads(new))
    assert params.confidence.bias == -1.5 and params.threshold == 0.65
    assert dict(params.confidence.weights) == {"margin": 7.0, "shape_missing": -3.0}
    assert params.compare == from_dict(tomllib.loads(text)).compare  # the rest untouched
